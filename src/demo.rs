//! `zwgk-audit demo`: serves the bundled fixture site on 127.0.0.1 and audits it.
//!
//! The fixture site lives in `fixtures/demo/` (the site under `site/`, the units under `units.yaml` with a
//! `{port}` placeholder, the fixed audit date in `demo.yaml`). The same static server is used by the
//! integration tests, so the demo and the tests audit exactly the same bytes over real HTTP.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use chrono::NaiveDate;
use serde::Deserialize;

/// A static file server bound to 127.0.0.1 on a free port; stops when dropped.
pub struct StaticServer {
    /// The bound address.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
    overlay: Arc<RwLock<Option<PathBuf>>>,
}

impl StaticServer {
    /// The base URL, e.g. `http://127.0.0.1:40123/`.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Serves the files of `dir` in place of the root's files of the same path (an earlier state of the
    /// site); `None` serves the root alone again.
    pub fn set_overlay(&self, dir: Option<PathBuf>) {
        *self.overlay.write().unwrap_or_else(std::sync::PoisonError::into_inner) = dir;
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves the files under `root` on 127.0.0.1 (a free port). `.html` is served as `text/html` with no
/// charset, so pages must declare their own encoding, as many government CMSs leave it to `<meta>`.
pub async fn serve_dir(root: PathBuf) -> std::io::Result<StaticServer> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let overlay: Arc<RwLock<Option<PathBuf>>> = Arc::new(RwLock::new(None));
    let layer = overlay.clone();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let base = root.clone();
        let layer = layer.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        async move {
            // A file of the overlay (an earlier state of the site) wins over the root's.
            let mut root = base;
            if let Some(dir) = layer
                && let Some(path) = safe_join(&dir, req.uri().path())
            {
                let file = if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
                    path.join("index.html")
                } else {
                    path
                };
                if tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_file()) {
                    root = dir;
                }
            }
            // A page addressed by its query string (`/public/column/6789?catId=1&pageIndex=2`, as
            // Lonsun-like CMSs do) is served from `6789@catId=1&pageIndex=2` when that file exists.
            let conditional = Conditional::of(req.headers());
            if let Some(q) = req.uri().query()
                && let Some(resp) = serve_query_file(&root, req.uri().path(), q, &conditional).await
            {
                return resp;
            }
            serve_file(&root, req.uri().path(), &conditional).await
        }
    });
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(StaticServer { addr, task, overlay })
}

/// A request's validators: `If-None-Match` and `If-Modified-Since`.
struct Conditional {
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
}

impl Conditional {
    fn of(headers: &header::HeaderMap) -> Conditional {
        let get = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        Conditional {
            if_none_match: get(header::IF_NONE_MATCH),
            if_modified_since: get(header::IF_MODIFIED_SINCE),
        }
    }
}

/// A file's response, as a real web server sends it: `ETag` (a hash of the bytes), `Last-Modified`
/// (the file's modification time), and `304 Not Modified` with no body when the request's validators
/// match (If-None-Match first, as RFC 9110 §13.2.2 orders them).
fn file_response(
    bytes: Vec<u8>,
    modified: Option<std::time::SystemTime>,
    ct: &'static str,
    c: &Conditional,
) -> Response<Body> {
    use sha2::{Digest, Sha256};
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&bytes))[..16]);
    let modified = modified
        .map(|m| chrono::DateTime::<chrono::Utc>::from(m).format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    let not_modified = match (&c.if_none_match, &c.if_modified_since) {
        (Some(inm), _) => inm.split(',').any(|t| t.trim() == etag || t.trim() == "*"),
        (None, Some(ims)) => modified.as_deref().is_some_and(|m| {
            match (chrono::DateTime::parse_from_rfc2822(m), chrono::DateTime::parse_from_rfc2822(ims)) {
                (Ok(m), Ok(ims)) => m <= ims,
                _ => false,
            }
        }),
        (None, None) => false,
    };
    let mut resp = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(bytes));
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        r
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    if let Some(v) = modified.and_then(|m| HeaderValue::from_str(&m).ok()) {
        resp.headers_mut().insert(header::LAST_MODIFIED, v);
    }
    resp
}

async fn serve_file(root: &Path, url_path: &str, conditional: &Conditional) -> Response<Body> {
    let Some(mut path) = safe_join(root, url_path) else {
        return status(StatusCode::NOT_FOUND);
    };
    if url_path.ends_with('/') || tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
        path.push("index.html");
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let modified = tokio::fs::metadata(&path).await.ok().and_then(|m| m.modified().ok());
            file_response(bytes, modified, content_type(&path), conditional)
        }
        Err(_) => status(StatusCode::NOT_FOUND),
    }
}

async fn serve_query_file(
    root: &Path,
    url_path: &str,
    query: &str,
    conditional: &Conditional,
) -> Option<Response<Body>> {
    let path = safe_join(root, &format!("{url_path}@{query}"))?;
    let bytes = tokio::fs::read(&path).await.ok()?;
    let modified = tokio::fs::metadata(&path).await.ok().and_then(|m| m.modified().ok());
    Some(file_response(bytes, modified, "text/html", conditional))
}

fn status(code: StatusCode) -> Response<Body> {
    let mut resp = Response::new(Body::from(format!("{code}")));
    *resp.status_mut() = code;
    resp
}

/// Joins a URL path under `root`, refusing anything that would escape it.
fn safe_join(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let mut out = root.to_path_buf();
    for comp in Path::new(decoded.trim_start_matches('/')).components() {
        match comp {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("html" | "htm" | "shtml") => "text/html",
        Some("css") => "text/css",
        Some("js") => "application/javascript",
        Some("txt") => "text/plain",
        Some("csv") => "text/csv",
        Some("xml") => "application/xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("mp4") => "video/mp4",
        Some("pdf") => "application/pdf",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The bundled demo: where its files are and its fixed audit date.
#[derive(Debug, Clone)]
pub struct DemoFixture {
    /// `fixtures/demo`.
    pub dir: PathBuf,
    /// The audit date the fixture site was written for.
    pub as_of: NaiveDate,
    /// An earlier state of the site, audited first so that the history holds a run to compare with
    /// (整改): its date and the folder whose files replace the site's.
    pub earlier: Option<EarlierState>,
}

/// An earlier state of the demo site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlierState {
    /// The earlier audit's date.
    pub as_of: NaiveDate,
    /// The folder (relative to `fixtures/demo`) of the files that differed then.
    pub overlay: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    as_of: NaiveDate,
    #[serde(default)]
    earlier: Option<EarlierState>,
}

impl DemoFixture {
    /// Finds `fixtures/demo` (the current directory first, then the source tree the binary was built
    /// from) and reads its `demo.yaml`.
    pub fn locate() -> Result<DemoFixture, crate::yaml::YamlError> {
        let candidates =
            [PathBuf::from("fixtures/demo"), Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo")];
        let dir = candidates.iter().find(|d| d.join("demo.yaml").is_file()).cloned().ok_or_else(|| {
            crate::yaml::YamlError::at(
                Path::new("fixtures/demo/demo.yaml"),
                None,
                "demo fixtures not found (run from the repository root)",
            )
        })?;
        let file: DemoFile = crate::yaml::load(&dir.join("demo.yaml"))?;
        let earlier = file.earlier.map(|e| EarlierState { overlay: dir.join(e.overlay), as_of: e.as_of });
        Ok(DemoFixture { dir, as_of: file.as_of, earlier })
    }

    /// The units file text with `{port}` replaced by the server's port.
    pub fn units_yaml(&self, port: u16) -> std::io::Result<String> {
        Ok(std::fs::read_to_string(self.dir.join("units.yaml"))?.replace("{port}", &port.to_string()))
    }

    /// Starts the static server on the fixture site.
    pub async fn serve(&self) -> std::io::Result<StaticServer> {
        serve_dir(self.dir.join("site")).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape_the_root() {
        let root = Path::new("/srv/site");
        assert_eq!(safe_join(root, "/a/b.html"), Some(PathBuf::from("/srv/site/a/b.html")));
        assert_eq!(safe_join(root, "/a/../../etc/passwd"), None);
        assert_eq!(safe_join(root, "/%2e%2e/etc/passwd"), None);
        assert_eq!(safe_join(root, "/%E5%B9%B4%E6%8A%A5.html"), Some(PathBuf::from("/srv/site/年报.html")));
    }

    #[tokio::test]
    async fn serves_files_and_404s() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("bgjd")).unwrap();
        std::fs::write(dir.path().join("bgjd/index.html"), b"<p>hi</p>").unwrap();
        let server = serve_dir(dir.path().to_path_buf()).await.unwrap();
        let base = server.base_url();
        let ok = reqwest::get(format!("{base}bgjd/")).await.unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.headers()["content-type"], "text/html");
        assert_eq!(ok.bytes().await.unwrap().as_ref(), b"<p>hi</p>");
        let missing = reqwest::get(format!("{base}nothing.html")).await.unwrap();
        assert_eq!(missing.status(), 404);
    }

    #[tokio::test]
    async fn answers_conditional_requests_with_304() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.html"), b"<p>a</p>").unwrap();
        let server = serve_dir(dir.path().to_path_buf()).await.unwrap();
        let url = format!("{}a.html", server.base_url());
        let first = reqwest::get(&url).await.unwrap();
        let etag = first.headers()["etag"].to_str().unwrap().to_string();
        let lm = first.headers()["last-modified"].to_str().unwrap().to_string();
        let client = reqwest::Client::new();
        let by_etag = client.get(&url).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(by_etag.status(), 304);
        assert!(by_etag.bytes().await.unwrap().is_empty());
        let by_date = client.get(&url).header("if-modified-since", &lm).send().await.unwrap();
        assert_eq!(by_date.status(), 304);
        let stale = client.get(&url).header("if-none-match", "\"other\"").send().await.unwrap();
        assert_eq!(stale.status(), 200, "a different ETag wins over the date");
        std::fs::write(dir.path().join("a.html"), b"<p>b</p>").unwrap();
        let changed = client.get(&url).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(changed.status(), 200);
        assert_eq!(changed.bytes().await.unwrap().as_ref(), b"<p>b</p>");
    }
}

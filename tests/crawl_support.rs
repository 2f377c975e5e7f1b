//! A tiny programmable HTTP server on 127.0.0.1 for the crawler tests: each test says how to answer a
//! path (and the how-many-th request for it this is), and reads back every request the server saw,
//! with the instant it arrived.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use url::Url;
use zwgk_audit::config::Settings;

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Path and query.
    pub path: String,
    /// When it arrived.
    pub at: Instant,
}

/// What to answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: body.into(),
        }
    }

    /// An HTML page linking to each href.
    pub fn links(hrefs: &[&str]) -> Reply {
        let a: String = hrefs.iter().map(|h| format!("<a href=\"{h}\">link</a>\n")).collect();
        Reply::html(format!("<html><head><title>t</title></head><body>{a}</body></html>"))
    }

    pub fn status(status: u16) -> Reply {
        Reply { status, headers: Vec::new(), body: Vec::new() }
    }

    pub fn redirect(to: &str) -> Reply {
        Reply { status: 302, headers: vec![("location".into(), to.into())], body: Vec::new() }
    }

    pub fn text(body: &str) -> Reply {
        Reply { status: 200, headers: vec![("content-type".into(), "text/plain".into())], body: body.into() }
    }

    pub fn with_header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Handler = dyn Fn(&str, usize) -> Reply + Send + Sync;

struct Inner {
    handler: Box<Handler>,
    hits: Mutex<Vec<Hit>>,
    counts: Mutex<HashMap<String, usize>>,
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

impl Server {
    /// Starts a server answering with `handler(path_and_query, nth_request_for_that_path)`.
    pub async fn start(handler: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Server {
        let inner = Arc::new(Inner {
            handler: Box::new(handler),
            hits: Mutex::new(Vec::new()),
            counts: Mutex::new(HashMap::new()),
        });
        let app = axum::Router::new().fallback(serve).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { addr, inner }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.inner.hits.lock().unwrap().clone()
    }

    /// How many requests a path (with query) received.
    pub fn hits_of(&self, path: &str) -> usize {
        self.hits().iter().filter(|h| h.path == path).count()
    }
}

async fn serve(State(inner): State<Arc<Inner>>, req: Request) -> Response {
    let path = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    inner.hits.lock().unwrap().push(Hit { path: path.clone(), at: Instant::now() });
    let nth = {
        let mut counts = inner.counts.lock().unwrap();
        let n = counts.entry(path.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let reply = (inner.handler)(&path, nth);
    let mut b = Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        b = b.header(k, v);
    }
    b.body(Body::from(reply.body)).unwrap()
}

/// The most requests that fall in any one-second window (sliding: every window starting at a hit).
pub fn max_per_second(hits: &[Hit]) -> usize {
    let mut at: Vec<Instant> = hits.iter().map(|h| h.at).collect();
    at.sort();
    (0..at.len())
        .map(|i| at[i..].iter().take_while(|t| t.duration_since(at[i]) < Duration::from_secs(1)).count())
        .max()
        .unwrap_or(0)
}

/// Settings for tests that do not test the rate limit: fast, small, few retries.
pub fn fast_settings() -> Settings {
    Settings {
        rate_per_host: 200.0,
        max_pages_per_unit: 100,
        max_depth: 5,
        user_agent: "zwgk-audit/0.1 (test)".into(),
        max_body_bytes: 1024 * 1024,
        max_redirects: 5,
        request_timeout: Duration::from_secs(5),
        max_in_flight: 8,
        max_retries: 0,
        unit_time_budget: Duration::from_secs(30),
        ..Settings::default()
    }
}

/// A fresh store in a temporary directory (kept alive by the returned guard).
pub fn temp_store() -> (tempfile::TempDir, Arc<zwgk_audit::store::Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = zwgk_audit::store::Store::open(&dir.path().join("evidence.sqlite")).unwrap();
    (dir, Arc::new(store))
}

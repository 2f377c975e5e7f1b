//! Rendering pages whose list exists only after their scripts run (`render` mode, cargo feature `js`).
//!
//! Debian's `/usr/bin/chromium`, driven headless over the DevTools protocol by chromiumoxide (never its
//! `fetcher` feature: no browser is ever downloaded). One browser per crawl, started on the first page
//! that needs it, with a fresh profile directory and Chromium's background networking off. Every request
//! the page makes is paused and decided here: only the page's own origin, only documents, scripts and
//! data (images, fonts, styles and media are refused), only what robots.txt allows, each at the host's
//! politeness pace, so a rendered page costs the site what a reader's visit costs and cannot steer the
//! browser anywhere else. The DOM after the scripts settle is stored as a `rendered` record (its own
//! hash) and judged instead of the static HTML; the report lists such pages.

use std::sync::LazyLock;

use regex::Regex;
use scraper::Selector;

use crate::config::RenderMode;
use crate::extract::PageFacts;

/// Script calls that write a page's content (DOM APIs, jQuery, common front-end frameworks).
static WRITES_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"innerHTML\s*[+]?=|document\.write|appendChild\s*\(|insertAdjacentHTML|\.html\s*\(|\.append\s*\(|new\s+Vue\b|createApp\s*\(|ReactDOM|\.render\s*\(",
    )
    .expect("static regex")
});
/// An element that a script fills: an id or class naming a list, content or app container.
static CONTAINER: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse("div[id], ul[id], tbody[id], table[id], div[class], ul[class], tbody[class]")
        .expect("static selector")
});
static CONTAINER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)list|content|app|data|container|main|news|info").expect("static regex")
});
static INLINE_SCRIPT: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("script:not([src])").expect("static selector"));

/// Whether a fetched page should be rendered under `mode`: `always` renders every HTML page; `auto` only
/// a script shell, a page with no list entries and no publication date whose inline script writes the
/// page into an empty list or content container. (The crawler first reads a shell's data endpoints, if
/// it has any, and renders it only when they give no entries.)
pub fn wants_render(mode: RenderMode, facts: &PageFacts, html: &str) -> bool {
    match mode {
        RenderMode::Never => false,
        RenderMode::Always => true,
        RenderMode::Auto => {
            facts.list_entries.is_empty()
                && facts.publish_date.is_none()
                && facts.fields.publish_date.is_none()
                && is_script_shell(html)
        }
    }
}

/// An inline script writes the page, and an empty container waits for it.
pub fn is_script_shell(html: &str) -> bool {
    let doc = crate::extract::parse_document(&crate::extract::depth::bounded_nesting(html));
    let writes = doc.select(&INLINE_SCRIPT).take(200).any(|s| {
        let code: String = s.text().collect::<String>().chars().take(200_000).collect();
        WRITES_PAGE.is_match(&code)
    });
    writes
        && doc.select(&CONTAINER).take(5000).any(|e| {
            let v = e.value();
            let named = v.id().is_some_and(|i| CONTAINER_NAME.is_match(i))
                || v.attr("class").is_some_and(|c| CONTAINER_NAME.is_match(c));
            named && e.children().all(|c| c.value().as_text().is_some_and(|t| t.trim().is_empty()))
        })
}

/// Why a page could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// This build has no browser support (built without the `js` feature).
    #[error("rendering needs a build with the `js` feature")]
    NotBuilt,
    /// The browser could not be started (not installed, crashed).
    #[error("cannot start chromium: {0}")]
    Launch(String),
    /// The page did not load or its DOM could not be read in time.
    #[error("rendering failed: {0}")]
    Page(String),
}

#[cfg(feature = "js")]
pub use browser::Renderer;

#[cfg(not(feature = "js"))]
/// Stands in for the browser in builds without the `js` feature: every render is [`RenderError::NotBuilt`].
#[derive(Debug, Default)]
pub struct Renderer;

#[cfg(not(feature = "js"))]
impl Renderer {
    /// A renderer that cannot render.
    pub fn new() -> Renderer {
        Renderer
    }

    /// Always [`RenderError::NotBuilt`].
    pub async fn render<'f>(
        &self,
        _url: &url::Url,
        _gate: &(dyn Fn(url::Url) -> futures_util::future::BoxFuture<'f, bool> + Send + Sync + 'f),
    ) -> Result<String, RenderError> {
        Err(RenderError::NotBuilt)
    }

    /// Nothing to close.
    pub async fn close(&self) {}

    /// Whether this build can render.
    pub fn available() -> bool {
        false
    }
}

#[cfg(feature = "js")]
mod browser {
    use std::sync::Arc;
    use std::time::Duration;

    use chromiumoxide::browser::{Browser, BrowserConfig};
    use chromiumoxide::cdp::browser_protocol::fetch::{
        ContinueRequestParams, EnableParams, EventRequestPaused, FailRequestParams, RequestPattern,
        RequestStage,
    };
    use chromiumoxide::cdp::browser_protocol::network::{ErrorReason, ResourceType};
    use futures_util::StreamExt;
    use futures_util::future::BoxFuture;
    use tokio::sync::{Mutex, OnceCell};
    use url::Url;

    use super::RenderError;

    /// Longest a page may take to load.
    const LOAD_TIMEOUT: Duration = Duration::from_secs(20);
    /// Longest the DOM is watched for scripts to finish writing it.
    const SETTLE_MAX: Duration = Duration::from_secs(5);
    /// The DOM is taken once it has not changed for this long.
    const SETTLE_QUIET: Duration = Duration::from_millis(400);
    /// Pages rendered at once (each is a browser tab; the machine may be small).
    const TABS: usize = 2;

    struct Running {
        browser: Mutex<Browser>,
        handler: tokio::task::JoinHandle<()>,
        _profile: tempfile::TempDir,
    }

    /// One headless Chromium for a crawl, started on first use.
    #[derive(Default)]
    pub struct Renderer {
        running: OnceCell<Result<Arc<Running>, RenderError>>,
        tabs: Option<tokio::sync::Semaphore>,
    }

    impl std::fmt::Debug for Renderer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Renderer").field("started", &self.running.initialized()).finish()
        }
    }

    /// The browser program: `$CHROME` when set, else Debian's `/usr/bin/chromium`, else whatever
    /// chromiumoxide finds on `PATH`.
    fn executable() -> Option<std::path::PathBuf> {
        if let Some(p) = std::env::var_os("CHROME") {
            return Some(p.into());
        }
        let debian = std::path::Path::new("/usr/bin/chromium");
        debian.exists().then(|| debian.to_path_buf())
    }

    impl Renderer {
        /// A renderer whose browser starts on the first [`Renderer::render`].
        pub fn new() -> Renderer {
            Renderer { running: OnceCell::new(), tabs: Some(tokio::sync::Semaphore::new(TABS)) }
        }

        /// Whether this build can render.
        pub fn available() -> bool {
            true
        }

        async fn start() -> Result<Arc<Running>, RenderError> {
            let profile = tempfile::Builder::new()
                .prefix("zwgk-chromium-")
                .tempdir()
                .map_err(|e| RenderError::Launch(e.to_string()))?;
            let mut config = BrowserConfig::builder()
                .no_sandbox()
                .user_data_dir(profile.path())
                .launch_timeout(Duration::from_secs(30))
                .request_timeout(LOAD_TIMEOUT)
                // chromiumoxide adds the dashes; its defaults already turn background networking, sync
                // and the first-run screens off.
                .args(["disable-gpu", "disable-quic", "disable-component-update"])
                .arg(("lang", "zh-CN"));
            if let Some(exe) = executable() {
                config = config.chrome_executable(exe);
            }
            let config = config.build().map_err(RenderError::Launch)?;
            let (browser, mut handler) =
                Browser::launch(config).await.map_err(|e| RenderError::Launch(e.to_string()))?;
            let handler = tokio::spawn(async move {
                // Unknown events of a newer Chromium come back as errors; the connection goes on.
                while handler.next().await.is_some() {}
            });
            Ok(Arc::new(Running { browser: Mutex::new(browser), handler, _profile: profile }))
        }

        /// Renders `url` and returns its DOM as HTML. `gate` decides each request the page makes (and
        /// waits for the host's pace); a refused request fails inside the page as if blocked.
        pub async fn render<'f>(
            &self,
            url: &Url,
            gate: &(dyn Fn(Url) -> BoxFuture<'f, bool> + Send + Sync + 'f),
        ) -> Result<String, RenderError> {
            let running = self.running.get_or_init(Renderer::start).await.clone()?;
            let _tab = match &self.tabs {
                Some(s) => Some(s.acquire().await.map_err(|e| RenderError::Page(e.to_string()))?),
                None => None,
            };
            let page = {
                let browser = running.browser.lock().await;
                browser.new_page("about:blank").await.map_err(|e| RenderError::Page(e.to_string()))?
            };
            let result = tokio::time::timeout(LOAD_TIMEOUT + SETTLE_MAX, async {
                let mut paused = page
                    .event_listener::<EventRequestPaused>()
                    .await
                    .map_err(|e| RenderError::Page(e.to_string()))?;
                let pattern =
                    RequestPattern::builder().url_pattern("*").request_stage(RequestStage::Request).build();
                page.execute(EnableParams::builder().pattern(pattern).build())
                    .await
                    .map_err(|e| RenderError::Page(e.to_string()))?;
                let decider = page.clone();
                let origin = url.origin();
                let decide = async {
                    while let Some(ev) = paused.next().await {
                        let allowed = match Url::parse(&ev.request.url) {
                            Ok(u) if u.origin() == origin => {
                                !matches!(
                                    ev.resource_type,
                                    ResourceType::Image
                                        | ResourceType::Media
                                        | ResourceType::Font
                                        | ResourceType::Stylesheet
                                ) && gate(u).await
                            }
                            // data: URLs never leave the browser.
                            Ok(u) if u.scheme() == "data" => true,
                            _ => false,
                        };
                        let id = ev.request_id.clone();
                        let sent = if allowed {
                            decider.execute(ContinueRequestParams::new(id)).await.map(|_| ())
                        } else {
                            decider
                                .execute(FailRequestParams::new(id, ErrorReason::BlockedByClient))
                                .await
                                .map(|_| ())
                        };
                        if sent.is_err() {
                            break;
                        }
                    }
                };
                let load = async {
                    page.goto(url.as_str()).await.map_err(|e| RenderError::Page(e.to_string()))?;
                    // Scripts may write the list after the load event: wait until the DOM is quiet.
                    let started = tokio::time::Instant::now();
                    let mut last = String::new();
                    loop {
                        tokio::time::sleep(SETTLE_QUIET).await;
                        let now = page.content().await.map_err(|e| RenderError::Page(e.to_string()))?;
                        if now == last || started.elapsed() > SETTLE_MAX {
                            return Ok::<String, RenderError>(now);
                        }
                        last = now;
                    }
                };
                tokio::select! {
                    html = load => html,
                    _ = decide => Err(RenderError::Page("the page's request stream ended".into())),
                }
            })
            .await;
            let _ = page.close().await;
            match result {
                Ok(r) => r,
                Err(_) => {
                    Err(RenderError::Page(format!("no stable DOM within {:?}", LOAD_TIMEOUT + SETTLE_MAX)))
                }
            }
        }

        /// Closes the browser, if it was started, and waits for it to exit.
        pub async fn close(&self) {
            if let Some(Ok(running)) = self.running.get() {
                let mut browser = running.browser.lock().await;
                let _ = browser.close().await;
                let _ = tokio::time::timeout(Duration::from_secs(5), browser.wait()).await;
                let _ = browser.kill().await;
                running.handler.abort();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_shells_are_told_from_pages_with_scripts() {
        let shell = r#"<html><body><div class="nav"><a href="/">首页</a></div><ul id="docList"></ul>
            <script>var rows = [["关于开展消防检查的通知","t1.html","2025-04-01"]];
            document.getElementById('docList').innerHTML = rows.map(function(r){return '<li>'+r[0]+'</li>';}).join('');</script>
            </body></html>"#;
        assert!(is_script_shell(shell));
        // A pager written by script under a static list: the list container is not empty.
        let trs = r#"<ul class="list"><li><a href="t1.html">通知</a><span>2025-04-01</span></li></ul>
            <div class="page"><script>document.write('<a href="index_1.html">下一页</a>');</script></div>"#;
        assert!(!is_script_shell(trs));
        // An empty container but no script that writes.
        assert!(!is_script_shell(r#"<div id="content"></div><script>var x = 1;</script>"#));
        let facts = PageFacts::default();
        assert!(wants_render(RenderMode::Auto, &facts, shell));
        assert!(!wants_render(RenderMode::Never, &facts, shell));
        assert!(wants_render(RenderMode::Always, &facts, "<p>static</p>"));
        let dated =
            PageFacts { publish_date: chrono::NaiveDate::from_ymd_opt(2025, 1, 2), ..PageFacts::default() };
        assert!(!wants_render(RenderMode::Auto, &dated, shell), "a dated document is no list shell");
    }
}

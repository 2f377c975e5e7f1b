//! The crawler: one frontier per unit, one [`host::Host`] per host name shared by all units.
//!
//! Politeness is per host, never per unit: most districts host all their units on one 集约化 platform.
//! Scope is a unit's roots (host + path prefix); links leaving it are requested once (to see that they
//! work) and never crawled; attachments are fetched and stored. Every response goes to the [`Store`].

pub mod decode;
pub mod fetch;
pub mod frontier;
pub mod guard;
pub mod host;
pub mod notes;
pub mod progress;
pub mod render;
pub mod sitemap;

use std::sync::Arc;

use serde::Serialize;
use url::Url;

use crate::config::Settings;
use crate::store::Store;

/// What to crawl for one unit.
#[derive(Debug, Clone)]
pub struct CrawlTarget {
    /// The unit's id (records are stored under it).
    pub unit_id: String,
    /// The unit's roots; they also define its scope.
    pub roots: Vec<Url>,
}

/// Options beyond the units file's settings.
#[derive(Debug, Clone, Default)]
pub struct CrawlOptions {
    /// Allow loopback, private and link-local addresses (tests and the demo).
    pub allow_private: bool,
}

/// What one unit's crawl did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UnitCrawlStats {
    /// The unit.
    pub unit_id: String,
    /// Responses stored (pages, attachments, external link checks; robots.txt excluded).
    pub pages: usize,
    /// Requests that got no usable response (network errors, 5xx or 429 after retries, refusals).
    pub errors: usize,
    /// HTTP requests sent, retries and robots.txt included.
    pub requests: usize,
    /// URLs skipped because robots.txt disallows them.
    pub robots_disallowed: usize,
    /// Whether a limit (pages, depth, time) stopped the crawl before the frontier was empty.
    pub truncated: bool,
    /// Responses whose body came over the wire in full (robots.txt excluded).
    pub downloads: usize,
    /// Bytes of those bodies.
    pub bytes: u64,
    /// Conditional requests answered `304 Not Modified`.
    pub not_modified: usize,
    /// Records whose body was reused from the previous run (304s, and pages not requested because
    /// they were listed unchanged and confirmed less than `revisit_days` ago).
    pub reused: usize,
    /// Records of an interrupted run taken over by this one without a request.
    pub resumed: usize,
    /// URLs queued from sitemaps (in scope, not already queued from the roots).
    pub sitemap_urls: usize,
    /// How many times each bound was hit (see [`notes::Limit`] for the settings).
    pub limits_hit: std::collections::BTreeMap<notes::Limit, usize>,
    /// A few examples of each bound hit, with the URL and a Chinese explanation.
    pub notes: Vec<notes::CrawlNote>,
    /// Hosts recorded as unreachable while crawling this unit (`scheme://host:port`).
    pub unreachable_hosts: Vec<String>,
}

/// The crawl could not start at all.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// The HTTP client could not be built.
    #[error("cannot build HTTP client: {0}")]
    Client(String),
    /// A unit's crawl task panicked (a bug, reported rather than hidden).
    #[error("a unit's crawl task failed: {0}")]
    Unit(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Crawls every target, politely, storing every response; returns per-unit statistics in target order.
///
/// Units run concurrently; hosts (rate limit, robots.txt, backoff) and the in-flight cap are shared
/// by all of them. A host's robots.txt record is stored under the first unit that needed it. The run
/// is recorded in the store's `runs` table.
pub async fn crawl(
    targets: Vec<CrawlTarget>,
    settings: &Settings,
    options: &CrawlOptions,
    store: Arc<Store>,
) -> Result<Vec<UnitCrawlStats>, CrawlError> {
    crawl_trusting(targets, settings, options, &[], store).await
}

/// [`crawl`], exempting `trusted_hosts` (host names or literal addresses) from the private-address
/// guard even when `allow_private` is off: an intranet platform the auditor means to audit, and only
/// that. A redirect or link from it to any other special address is still refused.
pub async fn crawl_trusting(
    targets: Vec<CrawlTarget>,
    settings: &Settings,
    options: &CrawlOptions,
    trusted_hosts: &[String],
    store: Arc<Store>,
) -> Result<Vec<UnitCrawlStats>, CrawlError> {
    crawl_reusing(targets, settings, options, trusted_hosts, fetch::Reuse::default(), store).await
}

/// [`crawl_trusting`] on an incremental or resumed run: conditional requests against the previous
/// run's store (`reuse.prior`), and, when `reuse.resume`, the records an interrupted run already
/// stored in `store` taken over without a request.
pub async fn crawl_reusing(
    targets: Vec<CrawlTarget>,
    settings: &Settings,
    options: &CrawlOptions,
    trusted_hosts: &[String],
    reuse: fetch::Reuse,
    store: Arc<Store>,
) -> Result<Vec<UnitCrawlStats>, CrawlError> {
    let policy = guard::Policy {
        allow_private: options.allow_private,
        trusted_hosts: trusted_hosts
            .iter()
            .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
            .collect(),
    };
    let fetcher = fetch::Fetcher::new(settings, policy, store.clone())
        .map_err(|e| CrawlError::Client(e.to_string()))?
        .with_reuse(reuse);
    let fetcher = Arc::new(fetcher);
    let run = store.start_run(fetch::now_cst())?;
    let display = progress::Display::start(fetcher.progress());
    // One task per unit, so pages of different units are parsed on different worker threads. A
    // JoinSet aborts the tasks if this future is dropped, so a cancelled crawl stops fetching.
    let mut tasks = tokio::task::JoinSet::new();
    let count = targets.len();
    // One browser for the whole crawl, started only when a page needs rendering.
    let renderer = Arc::new(render::Renderer::new());
    for (i, target) in targets.into_iter().enumerate() {
        let (settings, fetcher, store) = (settings.clone(), fetcher.clone(), store.clone());
        let renderer = renderer.clone();
        tasks.spawn(async move {
            (i, frontier::crawl_unit_rendering(&target, &settings, &fetcher, &store, &renderer).await)
        });
    }
    let mut stats: Vec<Option<UnitCrawlStats>> = vec![None; count];
    while let Some(joined) = tasks.join_next().await {
        let (i, unit) = joined.map_err(|e| CrawlError::Unit(e.to_string()))?;
        stats[i] = Some(unit?);
    }
    renderer.close().await;
    let stats: Vec<UnitCrawlStats> = stats.into_iter().flatten().collect();
    display.finish();
    store.finish_run(run, fetch::now_cst())?;
    for s in &stats {
        tracing::info!(
            unit = %s.unit_id, pages = s.pages, errors = s.errors, requests = s.requests,
            robots_disallowed = s.robots_disallowed, truncated = s.truncated, downloads = s.downloads,
            bytes = s.bytes, not_modified = s.not_modified, reused = s.reused, resumed = s.resumed,
            sitemap_urls = s.sitemap_urls, limits_hit = ?s.limits_hit, unreachable_hosts = ?s.unreachable_hosts,
            "unit crawled"
        );
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Callers may `tokio::spawn` a crawl, so its future must be `Send`.
    #[test]
    fn crawl_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("s.db")).unwrap());
        let settings = Settings::default();
        let options = CrawlOptions::default();
        let fut = crawl(Vec::new(), &settings, &options, store);
        assert_send(&fut);
    }
}

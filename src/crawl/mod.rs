//! The crawler: one frontier per unit, one [`host::Host`] per host name shared by all units.
//!
//! Politeness is per host, never per unit: most districts host all their units on one 集约化 platform.
//! Scope is a unit's roots (host + path prefix); links leaving it are requested once (to see that they
//! work) and never crawled; attachments are fetched and stored. Every response goes to the [`Store`].

pub mod decode;

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
    /// Requests that got no usable response (network errors, 5xx after retries, refusals).
    pub errors: usize,
    /// HTTP requests sent, retries and robots.txt included.
    pub requests: usize,
    /// URLs skipped because robots.txt disallows them.
    pub robots_disallowed: usize,
    /// Whether a limit (pages, depth, time) stopped the crawl before the frontier was empty.
    pub truncated: bool,
}

/// The crawl could not start at all.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// The HTTP client could not be built.
    #[error("cannot build HTTP client: {0}")]
    Client(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Crawls every target, politely, storing every response; returns per-unit statistics in target order.
pub async fn crawl(
    targets: Vec<CrawlTarget>,
    settings: &Settings,
    options: &CrawlOptions,
    store: Arc<Store>,
) -> Result<Vec<UnitCrawlStats>, CrawlError> {
    let _ = (targets, settings, options, store);
    todo!("crawl helper")
}

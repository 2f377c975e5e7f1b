//! The evidence store: every response the crawler received, in one SQLite file in the out folder.
//!
//! Raw bytes, the headers that matter, when it was fetched and its SHA-256: everything the reports say
//! later is backed by a row here. WAL mode; one writer.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

/// Why a URL was fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchKind {
    /// A host's robots.txt.
    Robots,
    /// An in-scope HTML page (crawled further).
    Page,
    /// An attachment (pdf, doc, xls …), stored but not crawled.
    Attachment,
    /// A link leaving the unit's scope, requested once to see whether it works; never crawled.
    External,
}

impl FetchKind {
    /// The kind's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchKind::Robots => "robots",
            FetchKind::Page => "page",
            FetchKind::Attachment => "attachment",
            FetchKind::External => "external",
        }
    }
}

/// One request and what came back (or why nothing did).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FetchRecord {
    /// Row id in the store (0 before it is stored).
    pub id: i64,
    /// The unit whose crawl requested it.
    pub unit_id: String,
    /// The URL requested.
    pub url: String,
    /// The URL after redirects (equal to `url` when there were none).
    pub final_url: String,
    /// Why it was fetched.
    pub kind: FetchKind,
    /// Link hops from the unit's root.
    pub depth: u32,
    /// The page whose link led here.
    pub referrer: Option<String>,
    /// HTTP status of the final response; `None` when no response came (see `error`).
    pub status: Option<u16>,
    /// What went wrong when there was no usable response: DNS, connect, timeout, reset, refused
    /// private address, robots.txt disallow, too many redirects …
    pub error: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// Headers that matter (content-type, content-length, etag, last-modified, location, retry-after, server).
    pub headers: Vec<(String, String)>,
    /// When the response was received.
    pub fetched_at: DateTime<FixedOffset>,
    /// SHA-256 of the raw body, lowercase hex; `None` when there was no body.
    pub sha256: Option<String>,
    /// The raw body, cut at the body-size limit.
    #[serde(skip)]
    pub body: Vec<u8>,
    /// Whether the body was cut at the limit.
    pub truncated: bool,
}

impl FetchRecord {
    /// Whether the request got an HTTP response with a 2xx status.
    pub fn is_ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A store could not be opened, written or read.
#[derive(Debug, thiserror::Error)]
#[error("evidence store {path}: {source}")]
pub struct StoreError {
    /// The database file.
    pub path: String,
    /// The SQLite error.
    #[source]
    pub source: rusqlite::Error,
}

/// The SQLite evidence store.
pub struct Store {
    path: String,
    // std Mutex: every access is a short synchronous SQLite call, never held across an await.
    conn: std::sync::Mutex<rusqlite::Connection>,
}

impl Store {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &std::path::Path) -> Result<Store, StoreError> {
        let _ = (&path,);
        todo!("crawl helper")
    }

    /// Stores one record and returns its id.
    pub fn insert(&self, record: &FetchRecord) -> Result<i64, StoreError> {
        let _ = (record, &self.path, &self.conn);
        todo!("crawl helper")
    }

    /// All records of a unit, bodies included, in the order they were stored.
    pub fn records(&self, unit_id: &str) -> Result<Vec<FetchRecord>, StoreError> {
        let _ = unit_id;
        todo!("crawl helper")
    }
}

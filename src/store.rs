//! The evidence store: every response the crawler received, in one SQLite file in the out folder.
//!
//! Raw bytes, the headers that matter, when it was fetched and its SHA-256: everything the reports say
//! later is backed by a row here, and the row still holds after the unit edits its site. WAL mode, so a
//! reader (a report being rendered) never blocks the crawler writing; one connection behind a mutex.
//!
//! Writes go in batches: one transaction takes the writes of up to [`BATCH_AGE`] (and at most
//! [`BATCH_WRITES`] writes or [`BATCH_BYTES`] bytes), and a background thread commits a batch that has
//! waited that long when no further write comes. A commit per response rewrote the same index pages
//! to the WAL each time; a process killed mid-run loses at most the last fraction of a second of
//! responses, which the next run fetches again.

use std::ops::Deref;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The schema version in `PRAGMA user_version`; bump it with a migration step in [`Store::open`].
pub const SCHEMA_VERSION: i64 = 2;

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
    /// A data endpoint (JSON, XML or an HTML fragment) that a list page's script loads its entries from.
    Data,
    /// A page's DOM after a headless browser ran its scripts (`render` mode; body = the serialised DOM).
    Rendered,
    /// A sitemap file (named by robots.txt, or `/sitemap.xml`), read for the URLs it lists.
    Sitemap,
}

impl FetchKind {
    /// The kind's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchKind::Robots => "robots",
            FetchKind::Page => "page",
            FetchKind::Attachment => "attachment",
            FetchKind::External => "external",
            FetchKind::Data => "data",
            FetchKind::Rendered => "rendered",
            FetchKind::Sitemap => "sitemap",
        }
    }

    /// The kind from its stored name.
    pub fn parse(s: &str) -> Option<FetchKind> {
        Some(match s {
            "robots" => FetchKind::Robots,
            "page" => FetchKind::Page,
            "attachment" => FetchKind::Attachment,
            "external" => FetchKind::External,
            "data" => FetchKind::Data,
            "rendered" => FetchKind::Rendered,
            "sitemap" => FetchKind::Sitemap,
            _ => return None,
        })
    }
}

/// How a record's body was confirmed without (or despite) a full download on an incremental run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Revalidation {
    /// A conditional request got `304 Not Modified`: the previous run's body (and its SHA-256) is
    /// reused and `fetched_at` is the time of the 304; `status` stays the stored response's status.
    NotModified,
    /// The server ignored the conditional request and sent the whole body again, byte for byte the
    /// same as the previous run's (same SHA-256).
    SameHash,
    /// Not requested: a detail page listed unchanged in an unchanged list, confirmed less than
    /// `revisit_days` ago; the previous record (its `fetched_at` included) is carried over.
    Fresh,
}

impl Revalidation {
    /// The name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Revalidation::NotModified => "not_modified",
            Revalidation::SameHash => "same_hash",
            Revalidation::Fresh => "fresh",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Revalidation> {
        Some(match s {
            "not_modified" => Revalidation::NotModified,
            "same_hash" => Revalidation::SameHash,
            "fresh" => Revalidation::Fresh,
            _ => return None,
        })
    }

    /// Whether the body was reused rather than downloaded.
    pub fn reused(self) -> bool {
        !matches!(self, Revalidation::SameHash)
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
    /// On an incremental run, how the body was confirmed against the previous run's; `None` for a
    /// first download (or a changed body).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revalidated: Option<Revalidation>,
}

impl FetchRecord {
    /// Whether the request got an HTTP response with a 2xx status.
    pub fn is_ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A successful response as [`Store::unit_pages`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPage {
    /// The record's id ([`Store::body`]).
    pub id: i64,
    /// The URL asked.
    pub url: String,
    /// The URL answered, after redirects.
    pub final_url: String,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
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

/// One crawl run, as recorded in the `runs` table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// Row id.
    pub id: i64,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When it finished (RFC 3339); `None` while running or after a crash.
    pub finished_at: Option<String>,
}

/// The SQLite evidence store.
pub struct Store {
    path: String,
    // std Mutex: every access is a short synchronous SQLite call, never held across an await.
    conn: Arc<Mutex<Conn>>,
}

/// The longest a write waits for its commit.
pub const BATCH_AGE: Duration = Duration::from_millis(200);
/// The most writes, and the most bytes written, in one transaction.
const BATCH_WRITES: usize = 500;
const BATCH_BYTES: usize = 8 << 20;

/// The connection and its open write batch.
struct Conn {
    conn: Connection,
    /// When the open write transaction began; `None` when none is open.
    open_since: Option<Instant>,
    writes: usize,
    bytes: usize,
    /// A commit by the background thread that failed, reported to the next write.
    failed: Option<rusqlite::Error>,
}

impl Deref for Conn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl Conn {
    /// Commits the open batch, if any.
    fn commit(&mut self) -> rusqlite::Result<()> {
        if self.open_since.is_none() {
            return Ok(());
        }
        let done = self.conn.execute_batch("COMMIT");
        // A failed COMMIT may leave the transaction open (busy) or rolled back (I/O error): only the
        // first can be committed again.
        if done.is_ok() || self.conn.is_autocommit() {
            self.open_since = None;
            self.writes = 0;
            self.bytes = 0;
        }
        done
    }

    fn due(&self) -> bool {
        self.open_since.is_some_and(|t| t.elapsed() >= BATCH_AGE)
    }
}

/// Commits batches that have waited [`BATCH_AGE`] while no write came; ends with the store.
fn spawn_committer(conn: std::sync::Weak<Mutex<Conn>>) {
    let spawned = std::thread::Builder::new().name("store-commit".into()).spawn(move || {
        loop {
            std::thread::sleep(BATCH_AGE / 4);
            let Some(conn) = conn.upgrade() else { return };
            let mut c = lock(&conn);
            if c.due()
                && let Err(e) = c.commit()
            {
                c.failed = Some(e);
            }
        }
    });
    if let Err(e) = spawned {
        // Batches are then committed by the writes themselves and when the store closes.
        tracing::warn!(error = %e, "no thread to commit the store's write batches");
    }
}

fn lock(conn: &Mutex<Conn>) -> MutexGuard<'_, Conn> {
    // A panic while holding the lock cannot leave SQLite half-written (statements are atomic).
    conn.lock().unwrap_or_else(|p| p.into_inner())
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(e) = self.conn().commit() {
            tracing::error!(store = %self.path, error = %e, "the last write batch was not committed");
        }
    }
}

const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS responses (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id      TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    final_url    TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    depth        INTEGER NOT NULL,
    referrer     TEXT,
    status       INTEGER,
    error        TEXT,
    content_type TEXT,
    headers      TEXT    NOT NULL,
    fetched_at   TEXT    NOT NULL,
    sha256       TEXT,
    body         BLOB    NOT NULL,
    truncated    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_unit ON responses (unit_id, id);
CREATE INDEX IF NOT EXISTS responses_url ON responses (url);
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT NOT NULL,
    finished_at TEXT
);
";

/// Version 2: incremental and resumable runs. `revalidated` says how a reused body was confirmed;
/// `resumed_by` marks a run that was interrupted and continued by a later one.
const SCHEMA_V2: &str = "
ALTER TABLE responses ADD COLUMN revalidated TEXT;
ALTER TABLE runs ADD COLUMN resumed_by INTEGER;
";

impl Store {
    /// Opens (creating if needed) the store at `path`, migrating its schema to [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let p = path.display().to_string();
        let err = |source| StoreError { path: p.clone(), source };
        let conn = Connection::open(path).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(err)?;
        // The bundled SQLite keeps temporary tables in memory by default: the crawl's page facts
        // (`put_facts`) would grow with the site. On disk, they take only SQLite's page cache.
        conn.pragma_update(None, "temp_store", "FILE").map_err(err)?;
        conn.execute_batch(
            "CREATE TEMP TABLE page_facts (id INTEGER PRIMARY KEY, facts BLOB NOT NULL);
             CREATE TEMP TABLE page_chrome (id INTEGER PRIMARY KEY, unit_id TEXT NOT NULL, chrome BLOB NOT NULL);
             CREATE INDEX temp.page_chrome_unit ON page_chrome (unit_id)",
        )
        .map_err(err)?;
        // Text read out of attachments, by the SHA-256 of their bytes: PDF text costs a pdftotext
        // process (shared by a batch of files) and DOC text a LibreOffice conversion, and a nightly run
        // meets mostly the same files. A table, not a schema version: a build
        // without it ignores it.
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS attachment_texts (sha256 TEXT PRIMARY KEY, text BLOB NOT NULL)",
        )
        .map_err(err)?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(err)?;
        if version > SCHEMA_VERSION {
            return Err(err(rusqlite::Error::InvalidParameterName(format!(
                "schema version {version} is newer than this build understands ({SCHEMA_VERSION})"
            ))));
        }
        if version < 1 {
            conn.execute_batch(SCHEMA_V1).map_err(err)?;
        }
        if version < 2 {
            conn.execute_batch(&format!("BEGIN; {SCHEMA_V2} PRAGMA user_version = 2; COMMIT;"))
                .map_err(err)?;
        }
        let conn = Arc::new(Mutex::new(Conn { conn, open_since: None, writes: 0, bytes: 0, failed: None }));
        spawn_committer(Arc::downgrade(&conn));
        Ok(Store { path: p, conn })
    }

    /// The database file.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError { path: self.path.clone(), source }
    }

    fn conn(&self) -> MutexGuard<'_, Conn> {
        lock(&self.conn)
    }

    /// Runs one write of about `bytes` bytes in the open batch (beginning one if needed), and commits
    /// the batch when it is full or old enough.
    fn write<T>(
        &self,
        bytes: usize,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut c = self.conn();
        if let Some(e) = c.failed.take() {
            return Err(self.err(e));
        }
        if c.open_since.is_none() {
            c.conn.execute_batch("BEGIN").map_err(|e| self.err(e))?;
            c.open_since = Some(Instant::now());
        }
        let out = f(&c.conn).map_err(|e| self.err(e))?;
        c.writes += 1;
        c.bytes += bytes;
        if c.writes >= BATCH_WRITES || c.bytes >= BATCH_BYTES || c.due() {
            c.commit().map_err(|e| self.err(e))?;
        }
        Ok(out)
    }

    /// Runs one write and commits it at once, with the batch before it: the runs table, whose rows
    /// say whether a run finished.
    fn write_now<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let out = self.write(0, f)?;
        self.flush()?;
        Ok(out)
    }

    /// Commits the open write batch, if any.
    pub fn flush(&self) -> Result<(), StoreError> {
        let mut c = self.conn();
        if let Some(e) = c.failed.take() {
            return Err(self.err(e));
        }
        c.commit().map_err(|e| self.err(e))
    }

    /// Stores one record and returns its id.
    pub fn insert(&self, record: &FetchRecord) -> Result<i64, StoreError> {
        let headers = serde_json::to_string(&record.headers).expect("string pairs serialise");
        self.write(record.body.len() + headers.len(), |conn| {
            conn.prepare_cached(
                "INSERT INTO responses (unit_id, url, final_url, kind, depth, referrer, status, error,
                     content_type, headers, fetched_at, sha256, body, truncated, revalidated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                record.unit_id,
                record.url,
                record.final_url,
                record.kind.as_str(),
                record.depth,
                record.referrer,
                record.status,
                record.error,
                record.content_type,
                headers,
                record.fetched_at.to_rfc3339(),
                record.sha256,
                record.body,
                record.truncated,
                record.revalidated.map(Revalidation::as_str),
            ])?;
            Ok(conn.last_insert_rowid())
        })
    }

    /// Keeps the facts the crawl extracted from record `id` ([`crate::extract::facts_to_cache`]) for the
    /// site model, so that it does not parse the page again. They live in a temporary table of this
    /// connection (made by [`Store::open`]), never in the evidence file, and go when the store is closed.
    pub fn put_facts(&self, id: i64, facts: &[u8]) -> Result<(), StoreError> {
        self.write(facts.len(), |conn| {
            conn.prepare_cached("INSERT OR REPLACE INTO temp.page_facts (id, facts) VALUES (?1, ?2)")?
                .execute(params![id, facts])
        })?;
        Ok(())
    }

    /// Keeps a navigation of a unit's pages ([`crate::extract::Chrome`], serialized) that their kept facts
    /// refer to; returns its id (never 0).
    pub fn put_chrome(&self, unit_id: &str, chrome: &[u8]) -> Result<i64, StoreError> {
        self.write(chrome.len(), |conn| {
            conn.prepare_cached("INSERT INTO temp.page_chrome (unit_id, chrome) VALUES (?1, ?2)")?
                .execute(params![unit_id, chrome])?;
            Ok(conn.last_insert_rowid())
        })
    }

    /// The navigations kept by [`Store::put_chrome`] for a unit: id → bytes.
    pub fn unit_chromes(&self, unit_id: &str) -> Result<foldhash::HashMap<i64, Vec<u8>>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT id, chrome FROM temp.page_chrome WHERE unit_id = ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([unit_id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The facts kept by [`Store::put_facts`] for a unit's records: record id → bytes.
    pub fn unit_facts(&self, unit_id: &str) -> Result<foldhash::HashMap<i64, Vec<u8>>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT f.id, f.facts FROM temp.page_facts f JOIN responses r ON r.id = f.id
                 WHERE r.unit_id = ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([unit_id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The attachment texts kept for a unit's attachments ([`Store::put_attachment_text`]): SHA-256 →
    /// the JSON of its [`crate::attachments::AttachmentText`].
    pub fn unit_attachment_texts(
        &self,
        unit_id: &str,
    ) -> Result<foldhash::HashMap<String, Vec<u8>>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT sha256, text FROM attachment_texts WHERE sha256 IN
                   (SELECT sha256 FROM responses WHERE unit_id = ?1 AND kind = 'attachment')",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([unit_id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Keeps the text read out of the attachment whose bytes hash to `sha256`.
    pub fn put_attachment_text(&self, sha256: &str, text: &[u8]) -> Result<(), StoreError> {
        self.write(text.len(), |conn| {
            conn.prepare_cached("INSERT OR REPLACE INTO attachment_texts (sha256, text) VALUES (?1, ?2)")?
                .execute(params![sha256, text])
        })?;
        Ok(())
    }

    /// Copies from the store at `prior` the attachment texts of files this store holds too (the
    /// previous run's store, before this run's attachments are read). A prior store without the
    /// table gives nothing.
    pub fn adopt_attachment_texts(&self, prior: &Path) -> Result<usize, StoreError> {
        // No database can be attached inside a transaction.
        self.flush()?;
        let conn = self.conn();
        let run = || -> rusqlite::Result<usize> {
            conn.execute("ATTACH DATABASE ?1 AS prior", [prior.display().to_string()])?;
            let has: bool = conn.query_row(
                "SELECT count(*) > 0 FROM prior.sqlite_master WHERE type = 'table' AND name = 'attachment_texts'",
                [],
                |r| r.get(0),
            )?;
            let copied = if has {
                conn.execute(
                    "INSERT OR IGNORE INTO main.attachment_texts (sha256, text)
                     SELECT sha256, text FROM prior.attachment_texts WHERE sha256 IN
                       (SELECT sha256 FROM main.responses WHERE kind = 'attachment')",
                    [],
                )?
            } else {
                0
            };
            Ok(copied)
        };
        let got = run();
        // Detached whatever happened, so the connection is left as it was found.
        let _ = conn.execute("DETACH DATABASE prior", []);
        got.map_err(|e| self.err(e))
    }

    /// All records of a unit, bodies included, in the order they were stored.
    pub fn records(&self, unit_id: &str) -> Result<Vec<FetchRecord>, StoreError> {
        self.unit_records(unit_id, "body")
    }

    /// All records of a unit in the order they were stored, as [`Store::records`] gives them, except that
    /// a page whose facts the crawl kept ([`Store::put_facts`]) comes with only the first
    /// [`crate::site::HTML_SNIFF_BYTES`] of its body:
    /// the site model reads such a page's facts, and of its body only the start (to tell HTML by its
    /// first bytes). A unit's site model is built without holding every page it has in memory.
    pub fn records_for_site(&self, unit_id: &str) -> Result<Vec<FetchRecord>, StoreError> {
        let body = format!(
            "CASE WHEN id IN (SELECT id FROM temp.page_facts) THEN substr(body, 1, {}) ELSE body END",
            crate::site::HTML_SNIFF_BYTES
        );
        self.unit_records(unit_id, &body)
    }

    /// All records of a unit in the order they were stored, with empty bodies: for consumers that
    /// only need statuses and URLs, or that load bodies one at a time with [`Store::body`] to keep
    /// memory bounded on units with many large attachments.
    pub fn records_without_bodies(&self, unit_id: &str) -> Result<Vec<FetchRecord>, StoreError> {
        self.unit_records(unit_id, "X''")
    }

    /// A unit's records in the order they were stored, with `body` (an SQL expression) for the body.
    fn unit_records(&self, unit_id: &str, body: &str) -> Result<Vec<FetchRecord>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT id, unit_id, url, final_url, kind, depth, referrer, status, error, content_type,
                    headers, fetched_at, sha256, {body}, truncated, revalidated
             FROM responses WHERE unit_id = ?1 ORDER BY id"
        );
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map([unit_id], row_to_record).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The successful responses of a unit, in the order they were stored, as where they were asked and
    /// what they are: no headers, no body. Read from the columns stored before the body, so a unit's
    /// bodies are not walked through (SQLite reads a row's columns in order, large ones page by page).
    pub fn unit_pages(&self, unit_id: &str) -> Result<Vec<StoredPage>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, url, final_url, content_type FROM responses
                 WHERE unit_id = ?1 AND status BETWEEN 200 AND 299 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([unit_id], |r| {
                Ok(StoredPage {
                    id: r.get(0)?,
                    url: r.get(1)?,
                    final_url: r.get(2)?,
                    content_type: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The body of one record, by id.
    pub fn body(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let conn = self.conn();
        conn.query_row("SELECT body FROM responses WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// How many records a unit has.
    pub fn count(&self, unit_id: &str) -> Result<usize, StoreError> {
        let conn = self.conn();
        conn.query_row("SELECT COUNT(*) FROM responses WHERE unit_id = ?1", [unit_id], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| self.err(e))
    }

    /// The latest record of a URL requested by any unit (robots.txt records are found this way too).
    pub fn latest(&self, url: &str) -> Result<Option<FetchRecord>, StoreError> {
        let conn = self.conn();
        conn.query_row(
            "SELECT id, unit_id, url, final_url, kind, depth, referrer, status, error, content_type,
                    headers, fetched_at, sha256, body, truncated, revalidated
             FROM responses WHERE url = ?1 AND kind != 'rendered' ORDER BY id DESC LIMIT 1",
            [url],
            row_to_record,
        )
        .optional()
        .map_err(|e| self.err(e))
    }

    /// The latest record of `url` requested for `unit_id` (a resumed run reuses it instead of
    /// requesting the URL again). Rendered DOMs are not responses and never stand in for one.
    pub fn latest_of_unit(&self, unit_id: &str, url: &str) -> Result<Option<FetchRecord>, StoreError> {
        let conn = self.conn();
        conn.query_row(
            "SELECT id, unit_id, url, final_url, kind, depth, referrer, status, error, content_type,
                    headers, fetched_at, sha256, body, truncated, revalidated
             FROM responses WHERE url = ?1 AND unit_id = ?2 AND kind != 'rendered' ORDER BY id DESC LIMIT 1",
            [url, unit_id],
            row_to_record,
        )
        .optional()
        .map_err(|e| self.err(e))
    }

    /// Runs that started and never finished (killed), and were not resumed yet.
    pub fn interrupted_runs(&self) -> Result<Vec<i64>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id FROM runs WHERE finished_at IS NULL AND resumed_by IS NULL ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Marks the interrupted runs as continued by run `by` (they stay unfinished: nothing is lost).
    pub fn mark_resumed(&self, by: i64) -> Result<(), StoreError> {
        self.write_now(|conn| {
            conn.execute(
                "UPDATE runs SET resumed_by = ?1 WHERE finished_at IS NULL AND resumed_by IS NULL AND id <> ?1",
                [by],
            )
        })?;
        Ok(())
    }

    /// Records that a crawl run started; returns the run id for [`Store::finish_run`].
    pub fn start_run(&self, started_at: DateTime<FixedOffset>) -> Result<i64, StoreError> {
        self.write_now(|conn| {
            conn.execute("INSERT INTO runs (started_at) VALUES (?1)", [started_at.to_rfc3339()])?;
            Ok(conn.last_insert_rowid())
        })
    }

    /// Records that a crawl run finished.
    pub fn finish_run(&self, run_id: i64, finished_at: DateTime<FixedOffset>) -> Result<(), StoreError> {
        self.write_now(|conn| {
            conn.execute(
                "UPDATE runs SET finished_at = ?1 WHERE id = ?2",
                params![finished_at.to_rfc3339(), run_id],
            )
        })?;
        Ok(())
    }

    /// All runs, oldest first.
    pub fn runs(&self) -> Result<Vec<Run>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT id, started_at, finished_at FROM runs ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok(Run { id: r.get(0)?, started_at: r.get(1)?, finished_at: r.get(2)? }))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<FetchRecord> {
    let conversion = |i: usize, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e)
    };
    let kind: String = r.get(4)?;
    let kind =
        FetchKind::parse(&kind).ok_or_else(|| conversion(4, format!("unknown kind `{kind}`").into()))?;
    let headers: String = r.get(10)?;
    let headers: Vec<(String, String)> =
        serde_json::from_str(&headers).map_err(|e| conversion(10, e.into()))?;
    let fetched_at: String = r.get(11)?;
    let fetched_at = DateTime::parse_from_rfc3339(&fetched_at).map_err(|e| conversion(11, e.into()))?;
    Ok(FetchRecord {
        id: r.get(0)?,
        unit_id: r.get(1)?,
        url: r.get(2)?,
        final_url: r.get(3)?,
        kind,
        depth: r.get(5)?,
        referrer: r.get(6)?,
        status: r.get(7)?,
        error: r.get(8)?,
        content_type: r.get(9)?,
        headers,
        fetched_at,
        sha256: r.get(12)?,
        body: r.get(13)?,
        truncated: r.get(14)?,
        revalidated: r.get::<_, Option<String>>(15)?.as_deref().and_then(Revalidation::parse),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored PDF of unit `u` whose bytes hash to `sha`.
    fn attachment(sha: &str) -> FetchRecord {
        FetchRecord {
            id: 0,
            unit_id: "u".into(),
            url: format!("http://gov.test/{sha}.pdf"),
            final_url: format!("http://gov.test/{sha}.pdf"),
            kind: FetchKind::Attachment,
            depth: 1,
            referrer: None,
            status: Some(200),
            error: None,
            content_type: Some("application/pdf".into()),
            headers: Vec::new(),
            fetched_at: crate::crawl::fetch::now_cst(),
            sha256: Some(sha.into()),
            body: b"%PDF-1.4".to_vec(),
            truncated: false,
            revalidated: None,
        }
    }

    /// A unit's pages as the search probe looks them up: the 2xx responses of that unit only, in the
    /// order stored, each with the id its body is read by.
    #[test]
    fn unit_pages_are_the_units_successful_responses() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let mut failed = attachment("gone");
        failed.status = Some(404);
        let mut unanswered = attachment("late");
        unanswered.status = None;
        unanswered.error = Some("timeout".into());
        let mut other_unit = attachment("theirs");
        other_unit.unit_id = "v".into();
        let mut redirected = attachment("moved");
        redirected.final_url = "http://gov.test/new/moved.pdf".into();
        for r in [attachment("first"), failed, unanswered, other_unit, redirected] {
            store.insert(&r).unwrap();
        }
        let pages = store.unit_pages("u").unwrap();
        let urls: Vec<(&str, &str)> = pages.iter().map(|p| (p.url.as_str(), p.final_url.as_str())).collect();
        assert_eq!(
            urls,
            [
                ("http://gov.test/first.pdf", "http://gov.test/first.pdf"),
                ("http://gov.test/moved.pdf", "http://gov.test/new/moved.pdf")
            ]
        );
        assert_eq!(pages[0].content_type.as_deref(), Some("application/pdf"));
        assert_eq!(store.body(pages[1].id).unwrap().as_deref(), Some(&b"%PDF-1.4"[..]));
    }

    /// The site model's records: a page with kept facts brings only the start of its body, every other
    /// record (no facts, an attachment, another unit's) its whole body.
    #[test]
    fn records_for_site_leave_out_the_bodies_of_pages_with_facts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let long: Vec<u8> =
            b"<!DOCTYPE html><html><body>".iter().copied().chain(std::iter::repeat_n(b'x', 5000)).collect();
        let mut with_facts = attachment("page");
        with_facts.kind = FetchKind::Page;
        with_facts.body = long.clone();
        let mut without = with_facts.clone();
        without.url = "http://gov.test/other.html".into();
        let mut pdf = attachment("file");
        pdf.body = long.clone();
        let a = store.insert(&with_facts).unwrap();
        let b = store.insert(&without).unwrap();
        let c = store.insert(&pdf).unwrap();
        store.put_facts(a, b"{}").unwrap();
        // Navigations are kept per unit, each under an id of its own (never 0, which means none).
        let (n1, n2) = (store.put_chrome("u", b"[1]").unwrap(), store.put_chrome("u", b"[2]").unwrap());
        let other = store.put_chrome("v", b"[3]").unwrap();
        assert!(n1 != 0 && n1 != n2 && other != n1 && other != n2);
        let kept = store.unit_chromes("u").unwrap();
        assert_eq!((kept.len(), &kept[&n1][..], &kept[&n2][..]), (2, &b"[1]"[..], &b"[2]"[..]));
        assert_eq!(store.unit_chromes("v").unwrap().len(), 1);
        let got = store.records_for_site("u").unwrap();
        let body = |id: i64| got.iter().find(|r| r.id == id).unwrap().body.clone();
        assert_eq!(body(a), long[..crate::site::HTML_SNIFF_BYTES].to_vec());
        assert_eq!(body(b), long);
        assert_eq!(body(c), long);
        let mut all = store.records("u").unwrap();
        for r in &mut all {
            if r.id == a {
                r.body.truncate(crate::site::HTML_SNIFF_BYTES);
            }
        }
        assert_eq!(all, got, "everything else as records() gives it");
    }

    /// Writes share a transaction, but none waits long for its commit: another connection (a report
    /// being read, the next run after a kill) sees a write soon without a further write, and every
    /// write once the store is closed. Meanwhile this connection reads its own writes at once.
    #[test]
    fn write_batches_are_committed_soon_and_at_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let store = Store::open(&path).unwrap();
        let other = Connection::open(&path).unwrap();
        let committed =
            || other.query_row("SELECT COUNT(*) FROM responses", [], |r| r.get::<_, i64>(0)).unwrap();
        store.insert(&attachment("a")).unwrap();
        assert_eq!(store.count("u").unwrap(), 1);
        let started = Instant::now();
        while committed() < 1 {
            assert!(started.elapsed() < BATCH_AGE * 25, "a lone write was not committed");
            std::thread::sleep(Duration::from_millis(5));
        }
        for i in 0..BATCH_WRITES + 10 {
            store.insert(&attachment(&format!("b{i}"))).unwrap();
        }
        assert!(committed() >= BATCH_WRITES as i64, "a full batch is committed at once");
        let run = store.start_run(crate::crawl::fetch::now_cst()).unwrap();
        let runs = other.query_row("SELECT COUNT(*) FROM runs WHERE id = ?1", [run], |r| r.get::<_, i64>(0));
        assert_eq!(runs.unwrap(), 1, "a run is committed as it starts");
        store.put_attachment_text("a", b"text").unwrap();
        drop(store);
        assert_eq!(committed(), BATCH_WRITES as i64 + 11);
        let texts = other.query_row("SELECT COUNT(*) FROM attachment_texts", [], |r| r.get::<_, i64>(0));
        assert_eq!(texts.unwrap(), 1);
    }

    /// Attachment texts go to the next run's store for the files it holds too, and only those; a
    /// prior store from a build without the table gives none, without an error.
    #[test]
    fn attachment_texts_carry_over_to_the_next_store_for_the_same_files() {
        let dir = tempfile::tempdir().unwrap();
        let prior_path = dir.path().join("prior.sqlite");
        let prior = Store::open(&prior_path).unwrap();
        for sha in ["same", "gone"] {
            prior.insert(&attachment(sha)).unwrap();
            prior.put_attachment_text(sha, format!("text of {sha}").as_bytes()).unwrap();
        }
        drop(prior);
        let store = Store::open(&dir.path().join("next.sqlite")).unwrap();
        store.insert(&attachment("same")).unwrap();
        store.insert(&attachment("new")).unwrap();
        assert_eq!(store.adopt_attachment_texts(&prior_path).unwrap(), 1);
        let kept = store.unit_attachment_texts("u").unwrap();
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert_eq!(kept["same"], b"text of same");
        assert!(store.unit_attachment_texts("other unit").unwrap().is_empty());
        // A store without the table (written before it existed).
        let old_path = dir.path().join("old.sqlite");
        Connection::open(&old_path).unwrap().execute_batch(SCHEMA_V1).unwrap();
        assert_eq!(store.adopt_attachment_texts(&old_path).unwrap(), 0);
        assert_eq!(store.adopt_attachment_texts(&prior_path).unwrap(), 0, "attached and detached again");
    }

    /// A store written by a version-1 build opens, gains the version-2 columns, keeps its rows, and
    /// tells a finished run from a killed one.
    #[test]
    fn version_1_store_migrates_and_keeps_its_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evidence.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute("INSERT INTO runs (started_at, finished_at) VALUES ('a', 'b')", []).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert!(store.interrupted_runs().unwrap().is_empty(), "a finished run is not resumed");
        let killed = store.start_run(crate::crawl::fetch::now_cst()).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.interrupted_runs().unwrap(), vec![killed]);
        let by = store.start_run(crate::crawl::fetch::now_cst()).unwrap();
        store.mark_resumed(by).unwrap();
        assert_eq!(store.interrupted_runs().unwrap(), vec![by], "only the resuming run, until it finishes");
        store.finish_run(by, crate::crawl::fetch::now_cst()).unwrap();
        assert!(store.interrupted_runs().unwrap().is_empty());
        assert_eq!(store.runs().unwrap().len(), 3, "nothing is lost");
        let version: i64 = store.conn().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }
}

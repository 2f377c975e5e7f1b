//! One unit's crawl: its scope, its breadth-first frontier, and the loop that feeds the fetcher and
//! files what comes back.
//!
//! Scope is the unit's roots, each as host + path prefix (`http://h/a/b/index.html` scopes
//! `http://h/a/b/`). In-scope HTML pages are crawled further; attachments are fetched and stored but not
//! parsed; links leaving the scope are checked once and never followed. Each URL is fetched at most once
//! per unit (fragments dropped). Depth, page count and time bound the crawl; hitting one marks the
//! unit's statistics `truncated`.

use std::collections::VecDeque;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::time::Instant;
use url::Url;

use super::fetch::{Fetcher, HOST_UNREACHABLE, Job, Outcome, TOO_MANY_REDIRECTS};
use super::host::origin_of;
use super::notes::{Limit, Notes};
use super::render::Renderer;
use super::{CrawlTarget, UnitCrawlStats};
use crate::config::Settings;
use crate::extract;
use crate::store::{FetchKind, FetchRecord, Revalidation, Store, StoreError};

/// The part of the web that belongs to a unit.
///
/// http and https count as the same site (government sites mix them freely), but an explicit
/// non-default port makes a different site.
#[derive(Debug, Clone)]
pub struct Scope {
    /// (host, explicit port, directory prefix) of each root.
    prefixes: Vec<(String, Option<u16>, String)>,
}

impl Scope {
    /// The scope of a unit's roots.
    pub fn new(roots: &[Url]) -> Scope {
        let prefixes = roots
            .iter()
            .filter_map(|r| {
                let path = r.path();
                let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
                let dir = if dir.is_empty() { "/".to_string() } else { dir.to_string() };
                Some((r.host_str()?.to_ascii_lowercase(), r.port(), dir))
            })
            .collect();
        Scope { prefixes }
    }

    /// Whether `url` is in scope.
    pub fn contains(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else { return false };
        matches!(url.scheme(), "http" | "https")
            && self.prefixes.iter().any(|(h, port, prefix)| {
                h.eq_ignore_ascii_case(host) && *port == url.port() && url.path().starts_with(prefix.as_str())
            })
    }

    /// Why a discovered link is fetched: attachment, in-scope page, or external link check.
    pub fn classify(&self, url: &Url) -> FetchKind {
        if extract::is_attachment_url(url) {
            FetchKind::Attachment
        } else if self.contains(url) {
            FetchKind::Page
        } else {
            FetchKind::External
        }
    }
}

/// The URL as the frontier knows it: fragment dropped, session ids removed (`;jsessionid=…`,
/// `PHPSESSID=…`: see [`extract::strip_session_ids`]). `url` already lowercases scheme and host,
/// removes default ports and resolves dot segments.
pub fn normalize(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_fragment(None);
    extract::strip_session_ids(&mut u);
    u
}

/// The key under which the frontier de-duplicates: the normalized URL with a directory's index file
/// and its trailing slash dropped, so `…/xxgk/index.html`, `…/xxgk/` and `…/xxgk` are one page (the
/// site model finds each under the others: [`crate::site::UnitSite::page`]).
pub fn seen_key(url: &Url) -> String {
    let c = crate::site::canonical_url(url.as_str());
    if url.path().len() > 1 && url.query().is_none() {
        c.strip_suffix('/').unwrap_or(c).to_string()
    } else {
        c.to_string()
    }
}

/// The most links [`Frontier::push_found`] remembers as leading to seen pages (a site whose every
/// page writes its links differently, say with a session id, only parses them all again).
const MAX_SEEN_LINKS: usize = 50_000;

/// Breadth-first queue with per-unit de-duplication and the depth and page limits.
#[derive(Debug)]
pub struct Frontier {
    scope: Scope,
    queue: VecDeque<Job>,
    seen: HashSet<String>,
    /// Links as a page wrote them whose page is in `seen` already: most links of a page are the
    /// site's navigation, met again on every page, and are ruled out without being parsed again.
    /// At most [`MAX_SEEN_LINKS`].
    seen_links: HashSet<String>,
    rendered: HashSet<String>,
    unit_id: String,
    max_depth: u32,
    max_pages: usize,
    max_url_length: usize,
    max_query_variants: usize,
    /// Distinct query strings queued per `host/path`.
    variants: HashMap<String, usize>,
    popped: usize,
    /// Whether a limit dropped something.
    pub truncated: bool,
    /// Whether the page limit stopped the crawl with URLs still queued.
    pub page_limit_hit: bool,
    /// Bounds hit since the last [`Frontier::take_hits`]: (bound, URL).
    hits: Vec<(Limit, String)>,
}

impl Frontier {
    /// A frontier holding the unit's roots at depth 0.
    pub fn new(target: &CrawlTarget, settings: &Settings) -> Frontier {
        let mut f = Frontier {
            scope: Scope::new(&target.roots),
            queue: VecDeque::new(),
            seen: HashSet::new(),
            seen_links: HashSet::new(),
            rendered: HashSet::new(),
            unit_id: target.unit_id.clone(),
            max_depth: settings.max_depth,
            max_pages: settings.max_pages_per_unit,
            max_url_length: settings.max_url_length,
            max_query_variants: settings.max_query_variants_per_path,
            variants: HashMap::new(),
            popped: 0,
            truncated: false,
            page_limit_hit: false,
            hits: Vec::new(),
        };
        for root in &target.roots {
            let url = normalize(root);
            if f.seen.insert(seen_key(&url)) {
                let kind =
                    if extract::is_attachment_url(&url) { FetchKind::Attachment } else { FetchKind::Page };
                f.queue.push_back(Job {
                    unit_id: f.unit_id.clone(),
                    url,
                    kind,
                    depth: 0,
                    referrer: None,
                    parent_unchanged: false,
                });
            }
        }
        f
    }

    /// Queues a link found on `referrer` (at `depth`), unless seen, out of depth, or not http(s).
    pub fn push_link(&mut self, url: &Url, depth: u32, referrer: &str) {
        let _ = self.push_link_from(url, depth, referrer, false);
    }

    /// [`Frontier::push_link`], saying whether the referrer is unchanged since the previous run.
    /// Returns the URL queued, if it was.
    pub fn push_link_from(
        &mut self,
        url: &Url,
        depth: u32,
        referrer: &str,
        parent_unchanged: bool,
    ) -> Option<Url> {
        self.push_link_keyed(url, depth, referrer, parent_unchanged).0
    }

    /// [`Frontier::push_link_from`] for a link as a page wrote it (absolute): a link already known to
    /// lead to a seen page is ruled out at once, and one that does not parse is dropped.
    pub fn push_found(
        &mut self,
        link: &str,
        depth: u32,
        referrer: &str,
        parent_unchanged: bool,
    ) -> Option<Url> {
        if self.seen_links.contains(link) {
            return None;
        }
        let url = Url::parse(link).ok()?;
        let (queued, seen) = self.push_link_keyed(&url, depth, referrer, parent_unchanged);
        if seen && self.seen_links.len() < MAX_SEEN_LINKS {
            self.seen_links.insert(link.to_string());
        }
        queued
    }

    /// [`Frontier::push_link_from`], also saying whether the URL's key is in `seen` afterwards (then
    /// the same URL is never queued again).
    fn push_link_keyed(
        &mut self,
        url: &Url,
        depth: u32,
        referrer: &str,
        parent_unchanged: bool,
    ) -> (Option<Url>, bool) {
        if !matches!(url.scheme(), "http" | "https") {
            return (None, false);
        }
        let url = normalize(url);
        let key = seen_key(&url);
        if self.seen.contains(&key) {
            return (None, true);
        }
        if depth > self.max_depth {
            self.truncated = true;
            self.hits.push((Limit::Depth, url.to_string()));
            return (None, false);
        }
        if url.as_str().len() > self.max_url_length {
            self.seen.insert(key);
            self.truncated = true;
            self.hits.push((Limit::UrlLength, url.to_string()));
            return (None, true);
        }
        if url.query().is_some() {
            let path = format!("{}{}", url.host_str().unwrap_or_default(), url.path());
            let n = self.variants.entry(path).or_insert(0);
            if *n >= self.max_query_variants {
                self.seen.insert(key);
                self.truncated = true;
                self.hits.push((Limit::QueryVariants, url.to_string()));
                return (None, true);
            }
            *n += 1;
        }
        self.seen.insert(key);
        let kind = self.scope.classify(&url);
        self.queue.push_back(Job {
            unit_id: self.unit_id.clone(),
            url: url.clone(),
            kind,
            depth,
            referrer: Some(referrer.to_string()),
            parent_unchanged,
        });
        (Some(url), true)
    }

    /// Marks a URL as seen without queuing it (the final URL of a redirect, already fetched).
    pub fn mark_seen(&mut self, url: &Url) {
        self.seen.insert(seen_key(&normalize(url)));
    }

    /// The bounds hit since the last call.
    pub fn take_hits(&mut self) -> Vec<(Limit, String)> {
        std::mem::take(&mut self.hits)
    }

    /// The URLs queued now.
    pub fn queued_urls(&self) -> impl Iterator<Item = &Url> {
        self.queue.iter().map(|j| &j.url)
    }

    /// Whether `url` is in the unit's scope.
    pub fn in_scope(&self, url: &Url) -> bool {
        self.scope.contains(url)
    }

    /// Queues a data endpoint that `referrer`'s script loads its list from (see
    /// [`crate::extract::data_api`]); fetched as [`FetchKind::Data`] whatever its path, since the API
    /// of a column often sits outside the column's directory (the extractor keeps it on the page's host).
    pub fn push_data(&mut self, url: &Url, depth: u32, referrer: &str) -> Option<Url> {
        let url = normalize(url);
        let key = seen_key(&url);
        if !matches!(url.scheme(), "http" | "https") || self.seen.contains(&key) {
            return None;
        }
        if depth > self.max_depth {
            self.truncated = true;
            self.hits.push((Limit::Depth, url.to_string()));
            return None;
        }
        if url.as_str().len() > self.max_url_length {
            self.seen.insert(key);
            self.truncated = true;
            self.hits.push((Limit::UrlLength, url.to_string()));
            return None;
        }
        self.seen.insert(key);
        self.queue.push_back(Job {
            unit_id: self.unit_id.clone(),
            url: url.clone(),
            kind: FetchKind::Data,
            depth,
            referrer: Some(referrer.to_string()),
            parent_unchanged: false,
        });
        Some(url)
    }

    /// Queues a rendering of a page already fetched (its URL is seen; a rendering is a second look).
    pub fn push_render(&mut self, url: &Url, depth: u32, referrer: Option<String>) -> Option<Url> {
        if !self.rendered.insert(url.to_string()) {
            return None;
        }
        self.queue.push_back(Job {
            unit_id: self.unit_id.clone(),
            url: url.clone(),
            kind: FetchKind::Rendered,
            depth,
            referrer,
            parent_unchanged: false,
        });
        Some(url.clone())
    }

    /// The next job, unless the page limit is reached.
    pub fn pop(&mut self) -> Option<Job> {
        if self.popped >= self.max_pages {
            if !self.queue.is_empty() {
                self.truncated = true;
                self.page_limit_hit = true;
            }
            return None;
        }
        let job = self.queue.pop_front()?;
        self.popped += 1;
        Some(job)
    }

    /// Whether jobs are still queued.
    pub fn has_queued(&self) -> bool {
        !self.queue.is_empty()
    }
}

/// Whether a stored record is a robots.txt refusal (no request was sent for it).
fn is_robots_refusal(record: &FetchRecord) -> bool {
    record.status.is_none()
        && record
            .error
            .as_deref()
            .is_some_and(|e| e == "disallowed by robots.txt" || e.starts_with("robots.txt unavailable ("))
}

/// Whether a stored response is an HTML page worth parsing for links.
fn is_html(record: &FetchRecord) -> bool {
    match &record.content_type {
        Some(ct) => {
            let ct = ct.to_ascii_lowercase();
            ct.contains("html") || ct.starts_with("text/plain") && record.body.starts_with(b"<")
        }
        None => true,
    }
}

/// Renders one fetched page in the headless browser and returns the record of its DOM (kind
/// [`FetchKind::Rendered`]), or a failed record saying why it could not be rendered.
async fn render_page<'a>(
    job: &'a Job,
    renderer: &Renderer,
    fetcher: &'a Fetcher,
    deadline: Instant,
    requests: &'a AtomicUsize,
) -> FetchRecord {
    use sha2::Digest;
    let unit_id: &'a str = &job.unit_id;
    let gate = move |u: Url| -> futures_util::future::BoxFuture<'a, bool> {
        Box::pin(async move { fetcher.admit_browser_request(&u, unit_id, deadline, requests).await })
    };
    let started = super::fetch::now_cst();
    let got = renderer.render(&job.url, &gate).await;
    let mut record = FetchRecord {
        id: 0,
        unit_id: job.unit_id.clone(),
        url: job.url.to_string(),
        final_url: job.url.to_string(),
        kind: FetchKind::Rendered,
        depth: job.depth,
        referrer: job.referrer.clone(),
        status: None,
        error: None,
        content_type: None,
        headers: Vec::new(),
        fetched_at: started,
        sha256: None,
        body: Vec::new(),
        truncated: false,
        revalidated: None,
    };
    match got {
        Ok(dom) => {
            record.status = Some(200);
            record.content_type = Some("text/html; charset=utf-8".into());
            record.headers = vec![
                ("content-type".into(), "text/html; charset=utf-8".into()),
                ("x-zwgk-rendered".into(), "headless chromium DOM after scripts".into()),
            ];
            record.sha256 = Some(hex::encode(sha2::Sha256::digest(dom.as_bytes())));
            record.body = dom.into_bytes();
        }
        Err(e) => record.error = Some(e.to_string()),
    }
    record
}

/// Crawls one unit to completion or to a limit, storing every outcome.
pub async fn crawl_unit(
    target: &CrawlTarget,
    settings: &Settings,
    fetcher: &Arc<Fetcher>,
    store: &Store,
) -> Result<UnitCrawlStats, StoreError> {
    let renderer = Arc::new(Renderer::new());
    let stats = crawl_unit_rendering(target, settings, fetcher, store, &renderer).await;
    renderer.close().await;
    stats
}

/// [`crawl_unit`] with a browser for the pages that need rendering (started only if one does).
pub async fn crawl_unit_rendering(
    target: &CrawlTarget,
    settings: &Settings,
    fetcher: &Arc<Fetcher>,
    store: &Store,
    renderer: &Arc<Renderer>,
) -> Result<UnitCrawlStats, StoreError> {
    let deadline = Instant::now() + settings.unit_time_budget;
    // Only a store that already holds records of this unit (an interrupted run) can resume any: a
    // fresh one is not asked once per URL.
    let resuming = fetcher.resuming() && store.count(&target.unit_id)? > 0;
    let mut frontier = Frontier::new(target, settings);
    let render_mode = settings.render_for(&target.unit_id);
    if render_mode == crate::config::RenderMode::Always && !Renderer::available() {
        tracing::warn!(unit = %target.unit_id, "render: always needs a build with the `js` feature; pages are read unrendered");
    }
    let progress = fetcher.progress();
    for u in frontier.queued_urls() {
        progress.queued(u);
    }
    let requests = Arc::new(AtomicUsize::new(0));
    // Script shells waiting for their data endpoints: final URL → (URL, depth, referrer).
    let mut shells: HashMap<String, (Url, u32, Option<String>)> = Default::default();
    let mut stats = UnitCrawlStats { unit_id: target.unit_id.clone(), ..UnitCrawlStats::default() };
    let mut notes = Notes::default();
    // Sitemap URLs complement the links: they are queued once the links run dry, so a long sitemap
    // cannot crowd the pages the menus lead to out of the page budget.
    let mut from_sitemaps: Vec<(Url, String)> = Vec::new();
    if settings.sitemaps {
        let mut origins = HashSet::new();
        for root in &target.roots {
            if !origins.insert(origin_of(root)) {
                continue;
            }
            let found = fetcher.sitemap_urls(root, &target.unit_id, &requests).await;
            if found.limited {
                notes.hit(Limit::Sitemap, root.as_str(), settings);
            }
            let referrer = found.files.first().cloned().unwrap_or_default();
            from_sitemaps.extend(
                found.urls.iter().filter(|u| frontier.in_scope(u)).map(|u| (u.clone(), referrer.clone())),
            );
        }
    }
    // Each request is a task of its own: its response is read on whichever worker is free, also while
    // this unit's task is busy extracting a page (the host's connection slots are not held idle
    // meanwhile). The set aborts them if this future is dropped.
    let mut running = tokio::task::JoinSet::new();
    // The navigations of this unit's pages kept so far (`Store::put_chrome`), latest first: a site has a
    // handful of menus, and each is kept once.
    let mut chromes: Vec<(extract::Chrome, i64)> = Vec::new();
    loop {
        while running.len() < settings.max_in_flight.max(1) && Instant::now() < deadline {
            let Some(job) = frontier.pop() else { break };
            progress.dequeued(&job.url);
            let (fetcher, renderer, requests) = (fetcher.clone(), renderer.clone(), requests.clone());
            // A resumed run reuses what the interrupted run stored for this unit and URL (a rendering is
            // done again: the stored record of its URL is the static page).
            let stored = if resuming && job.kind != FetchKind::Rendered {
                store.latest_of_unit(&job.unit_id, job.url.as_str())?
            } else {
                None
            };
            running.spawn(async move {
                let outcome = match stored {
                    Some(record) => Outcome::Resumed(record),
                    None if job.kind == FetchKind::Rendered => {
                        Outcome::Fetched(render_page(&job, &renderer, &fetcher, deadline, &requests).await)
                    }
                    None => fetcher.fetch(&job, deadline, &requests).await,
                };
                (job, outcome)
            });
        }
        if running.is_empty()
            && !frontier.has_queued()
            && !from_sitemaps.is_empty()
            && Instant::now() < deadline
        {
            for (u, referrer) in std::mem::take(&mut from_sitemaps) {
                if let Some(queued) = frontier.push_link_from(&u, 1, &referrer, false) {
                    stats.sitemap_urls += 1;
                    progress.queued(&queued);
                }
            }
            for (limit, url) in frontier.take_hits() {
                notes.hit(limit, &url, settings);
            }
            continue;
        }
        let (job, outcome) = match running.join_next().await {
            None => break,
            Some(Ok(done)) => done,
            Some(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only aborted when the set is dropped, which ends this loop first.
            Some(Err(_)) => continue,
        };
        let record = match outcome {
            Outcome::NotSent => {
                stats.truncated = true;
                if !notes.has(Limit::Time) {
                    notes.hit(Limit::Time, job.url.as_str(), settings);
                }
                continue;
            }
            Outcome::Disallowed(record) => {
                stats.robots_disallowed += 1;
                store.insert(&record)?;
                continue;
            }
            Outcome::Resumed(record) if is_robots_refusal(&record) => {
                stats.robots_disallowed += 1;
                stats.resumed += 1;
                continue;
            }
            Outcome::Resumed(record) => {
                stats.resumed += 1;
                record
            }
            Outcome::Fetched(mut record) => {
                match record.revalidated {
                    Some(Revalidation::NotModified) => {
                        stats.not_modified += 1;
                        stats.reused += 1;
                    }
                    Some(Revalidation::Fresh) => stats.reused += 1,
                    Some(Revalidation::SameHash) | None if record.status.is_some() => {
                        stats.downloads += 1;
                        stats.bytes += record.body.len() as u64;
                    }
                    _ => {}
                }
                record.id = store.insert(&record)?;
                record
            }
        };
        stats.pages += 1;
        // 429 after the retries says nothing about the page: it is an error, like a 5xx.
        let failed = record.status.is_none_or(|s| s >= 500 || s == 429);
        if failed {
            stats.errors += 1;
        }
        progress.fetched(&job.url, failed);
        note_record(&record, &job, fetcher, settings, &mut notes, &mut stats);
        tracing::debug!(
            unit = %record.unit_id, kind = record.kind.as_str(), status = ?record.status,
            error = ?record.error, "{}", record.url
        );
        let Ok(final_url) = Url::parse(&record.final_url) else { continue };
        if record.is_ok() && final_url != job.url {
            frontier.mark_seen(&final_url);
        }
        if job.kind == FetchKind::Data && record.is_ok() {
            // A list's data: its entries are links of the list page, its further pages more data.
            let Ok(api) = Url::parse(&record.final_url) else { continue };
            let text = super::decode::decode(&record.body, record.content_type.as_deref()).text;
            let got = extract::data_api::records(&api, &text);
            let referrer = record.referrer.clone().unwrap_or_else(|| record.final_url.clone());
            // A script shell whose endpoint gave nothing: its list is written some other way.
            if got.entries.is_empty()
                && let Some((url, depth, from)) = shells.get(&referrer)
                && let Some(queued) = frontier.push_render(url, *depth, from.clone())
            {
                progress.queued(&queued);
            }
            for e in &got.entries {
                if let Ok(u) = Url::parse(&e.url)
                    && let Some(queued) = frontier.push_link_from(&u, job.depth, &referrer, false)
                {
                    progress.queued(&queued);
                }
            }
            for p in &got.pages {
                if let Ok(u) = Url::parse(p)
                    && let Some(queued) = frontier.push_data(&u, job.depth, &referrer)
                {
                    progress.queued(&queued);
                }
            }
            for (limit, url) in frontier.take_hits() {
                notes.hit(limit, &url, settings);
            }
            continue;
        }
        if job.kind == FetchKind::Rendered && !record.is_ok() {
            tracing::warn!(unit = %record.unit_id, error = ?record.error, "cannot render {}", record.url);
        }
        if !matches!(job.kind, FetchKind::Page | FetchKind::Rendered) || !record.is_ok() || !is_html(&record)
        {
            continue;
        }
        if !frontier.scope.contains(&final_url) {
            // Redirected out of scope: checked, not crawled.
            continue;
        }
        let decoded = super::decode::decode(&record.body, record.content_type.as_deref());
        if decoded.had_errors {
            notes.hit(Limit::EncodingErrors, &record.url, settings);
        }
        let mut facts = extract::extract_page(&final_url, &decoded.text);
        // Only what an unchanged page lists (its list entries and attachments) may skip revalidation
        // within `revisit_days`; navigation and paging links lead to lists, which are always asked.
        let listed: HashSet<&str> = if record.revalidated.is_some() {
            facts
                .list_entries
                .iter()
                .map(|e| e.url.as_str())
                .chain(facts.attachments.iter().map(|l| l.url.as_str()))
                .collect()
        } else {
            HashSet::new()
        };
        let found = facts.links.iter().map(|l| l.url.as_str()).chain(facts.paging.iter().map(String::as_str));
        let found = found.chain(facts.attachments.iter().map(|l| l.url.as_str()));
        for link in found {
            if let Some(queued) =
                frontier.push_found(link, job.depth + 1, &record.final_url, listed.contains(link))
            {
                progress.queued(&queued);
            }
        }
        // A script shell: render it (once; the rendered DOM is not rendered again), unless it has data
        // endpoints to read first (then it is rendered only if they give no entries).
        if job.kind == FetchKind::Page
            && Renderer::available()
            && super::render::wants_render(render_mode, &facts, &decoded.text)
        {
            let url = normalize(&job.url);
            if facts.data_apis.is_empty() || render_mode == crate::config::RenderMode::Always {
                if let Some(queued) = frontier.push_render(&url, job.depth, job.referrer.clone()) {
                    progress.queued(&queued);
                }
            } else {
                shells.insert(record.final_url.clone(), (url, job.depth, job.referrer.clone()));
            }
        }
        // A list page with no entries of its own whose script loads them: ask the endpoint, as the page would.
        if facts.list_entries.is_empty() {
            for api in &facts.data_apis {
                if let Ok(u) = Url::parse(api)
                    && let Some(queued) = frontier.push_data(&u, job.depth + 1, &record.final_url)
                {
                    progress.queued(&queued);
                }
            }
        }
        for (limit, url) in frontier.take_hits() {
            notes.hit(limit, &url, settings);
        }
        // The site model reads these facts instead of parsing the page a second time.
        if record.id > 0
            && let Err(e) = keep_facts(store, &target.unit_id, record.id, &mut facts, &mut chromes)
        {
            tracing::warn!("cannot keep the facts of {}: {e}", record.url);
        }
    }
    for u in frontier.queued_urls() {
        progress.dequeued(u);
    }
    if frontier.page_limit_hit {
        let next = frontier.queued_urls().next().map(Url::to_string).unwrap_or_default();
        notes.hit(Limit::Pages, &next, settings);
    }
    if frontier.has_queued() && Instant::now() >= deadline && !notes.has(Limit::Time) {
        let next = frontier.queued_urls().next().map(Url::to_string).unwrap_or_default();
        notes.hit(Limit::Time, &next, settings);
    }
    stats.truncated |= frontier.truncated || frontier.has_queued();
    stats.requests = requests.load(Ordering::Relaxed);
    stats.limits_hit = notes.counts;
    stats.notes = notes.examples;
    Ok(stats)
}

/// Keeps a page's facts for the site model, its navigation apart: the same as one of `chromes` (this
/// unit's kept so far) is referred to by id, a new one is kept and remembered (the last 16).
fn keep_facts(
    store: &Store,
    unit_id: &str,
    record_id: i64,
    facts: &mut extract::PageFacts,
    chromes: &mut Vec<(extract::Chrome, i64)>,
) -> Result<(), StoreError> {
    let chrome = facts.take_chrome();
    let id = if chrome.is_empty() {
        0
    } else if let Some(i) = chromes.iter().position(|(c, _)| *c == chrome) {
        let id = chromes[i].1;
        chromes[..=i].rotate_right(1);
        id
    } else {
        let bytes = serde_json::to_vec(&chrome).expect("a navigation serialises");
        let id = store.put_chrome(unit_id, &bytes)?;
        chromes.insert(0, (chrome, id));
        chromes.truncate(16);
        id
    };
    store.put_facts(record_id, &extract::facts_to_cache(facts, id))
}

/// The bounds one stored record shows: a cut body (size or time), a redirect loop, an unreachable host.
fn note_record(
    record: &FetchRecord,
    job: &Job,
    fetcher: &Fetcher,
    settings: &Settings,
    notes: &mut Notes,
    stats: &mut UnitCrawlStats,
) {
    if record.truncated && matches!(job.kind, FetchKind::Page | FetchKind::Attachment) {
        // The fetcher cuts at the cap for size; a shorter cut body ran out of time.
        let kind = if record.body.len() >= fetcher.body_cap(job.kind) {
            Limit::BodySize
        } else {
            Limit::SlowResponse
        };
        notes.hit(kind, &record.url, settings);
    }
    let Some(error) = record.error.as_deref() else { return };
    if error.starts_with(TOO_MANY_REDIRECTS) {
        notes.hit(Limit::Redirects, &record.url, settings);
    } else if error.starts_with(HOST_UNREACHABLE)
        && matches!(job.kind, FetchKind::Page | FetchKind::Attachment)
        && let Ok(u) = Url::parse(&record.final_url)
    {
        let origin = fetcher.host(&u).origin.clone();
        if !stats.unreachable_hosts.contains(&origin) {
            notes.hit(Limit::HostUnreachable, &origin, settings);
            stats.unreachable_hosts.push(origin);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn scope_is_host_and_directory_of_each_root() {
        let s = Scope::new(&[u("http://gov.cn/a/b/index.html"), u("https://x.cn")]);
        assert!(s.contains(&u("http://gov.cn/a/b/")));
        assert!(s.contains(&u("http://gov.cn/a/b/c/d.html?x=1")));
        assert!(!s.contains(&u("http://gov.cn/a/")));
        assert!(!s.contains(&u("http://gov.cn/a/bc/")));
        assert!(!s.contains(&u("http://gov.cn:8080/a/b/")));
        assert!(s.contains(&u("https://x.cn/anything")));
        assert!(s.contains(&u("https://gov.cn/a/b/e.html")), "http and https are one site");
        assert!(s.contains(&u("http://gov.cn:80/a/b/")), "a default port is no port");
        assert_eq!(s.classify(&u("http://gov.cn/a/b/f.PDF")), FetchKind::Attachment);
        assert_eq!(s.classify(&u("http://other.cn/a/b/")), FetchKind::External);
    }

    #[test]
    fn frontier_dedupes_and_limits() {
        let target = CrawlTarget { unit_id: "u".into(), roots: vec![u("http://h/a/")] };
        let settings = Settings { max_depth: 1, max_pages_per_unit: 2, ..Settings::default() };
        let mut f = Frontier::new(&target, &settings);
        f.push_link(&u("http://h/a/#top"), 1, "http://h/a/");
        f.push_link(&u("http://h/a/x.html#p"), 1, "http://h/a/");
        f.push_link(&u("http://h/a/index.html"), 1, "http://h/a/");
        f.push_link(&u("http://h:80/a"), 1, "http://h/a/");
        f.push_link(&u("http://h/a/x.html"), 1, "http://h/a/");
        f.push_link(&u("http://h/a/deep.html"), 2, "http://h/a/x.html");
        assert!(f.truncated, "depth limit noted");
        f.push_link(&u("http://h/a/y.html"), 1, "http://h/a/");
        assert_eq!(f.pop().unwrap().url.as_str(), "http://h/a/");
        assert_eq!(f.pop().unwrap().url.as_str(), "http://h/a/x.html");
        assert!(f.pop().is_none(), "page limit");
        assert!(f.has_queued());
    }

    #[test]
    fn found_links_are_ruled_out_as_parsed_ones_are() {
        let target = CrawlTarget { unit_id: "u".into(), roots: vec![u("http://h/a/")] };
        let settings = Settings { max_depth: 1, max_query_variants_per_path: 1, ..Settings::default() };
        let mut f = Frontier::new(&target, &settings);
        let queued = |f: &mut Frontier, link: &str, depth: u32| {
            f.push_found(link, depth, "http://h/a/", false).map(|u| u.to_string())
        };
        assert_eq!(queued(&mut f, "http://h/a/x.html#p", 1).as_deref(), Some("http://h/a/x.html"));
        assert_eq!(queued(&mut f, "http://h/a/x.html#p", 1), None, "the same link again");
        assert_eq!(queued(&mut f, "http://h/a/x.html", 1), None, "the same page written otherwise");
        assert_eq!(queued(&mut f, "http://h/a/index.html", 1), None, "the root's index file");
        assert_eq!(queued(&mut f, "not a url", 1), None);
        assert_eq!(queued(&mut f, "mailto:x@h", 1), None);
        // A link too deep here is not remembered as seen: found nearer the root, it is queued.
        assert_eq!(queued(&mut f, "http://h/a/deep.html", 2), None);
        assert_eq!(queued(&mut f, "http://h/a/deep.html", 1).as_deref(), Some("http://h/a/deep.html"));
        // The query-variant bound is counted once per link, as when links were parsed every time.
        assert!(queued(&mut f, "http://h/a/s?q=1", 1).is_some());
        assert_eq!(queued(&mut f, "http://h/a/s?q=2", 1), None);
        assert_eq!(queued(&mut f, "http://h/a/s?q=2", 1), None);
        let limits: Vec<Limit> = f.take_hits().into_iter().map(|(l, _)| l).collect();
        assert_eq!(limits, [Limit::Depth, Limit::QueryVariants]);
        let urls: Vec<String> = std::iter::from_fn(|| f.pop()).map(|j| j.url.to_string()).collect();
        assert_eq!(urls, ["http://h/a/", "http://h/a/x.html", "http://h/a/deep.html", "http://h/a/s?q=1"]);
    }

    #[test]
    fn each_distinct_navigation_is_kept_once_and_comes_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let page = |menu: usize| extract::PageFacts {
            nav: vec![extract::Link { text: format!("栏目{menu}"), url: format!("http://h/c{menu}/") }],
            text: format!("正文{menu}"),
            ..extract::PageFacts::default()
        };
        // The stored response each kept facts belong to (the site model reads them by the unit's records).
        let stored = |n: usize| {
            let record = crate::checks::testkit::record(&format!("http://h/p{n}.html"), Some(200), None);
            store.insert(&record).unwrap()
        };
        let mut chromes = Vec::new();
        // Menu 0 on the first and third pages (one kept navigation), menus 1..=17 on the others: the cache
        // holds 16, so menu 1 is kept again when it comes back after them; a page without a menu refers to
        // none.
        let menus = [0, 1, 0].into_iter().chain(2..=17).chain([1]);
        let mut kept = Vec::new();
        for (n, menu) in menus.enumerate() {
            let id = stored(n);
            let mut facts = page(menu);
            keep_facts(&store, "t", id, &mut facts, &mut chromes).unwrap();
            assert!(facts.nav.is_empty(), "the navigation is taken out of the kept facts");
            kept.push((id, menu));
        }
        let bare_id = stored(100);
        let mut bare = extract::PageFacts { text: "无菜单".into(), ..extract::PageFacts::default() };
        keep_facts(&store, "t", bare_id, &mut bare, &mut chromes).unwrap();
        assert_eq!(chromes.len(), 16);
        let navs = store.unit_chromes("t").unwrap();
        assert_eq!(navs.len(), 19, "menus 0 to 17, and menu 1 once more after it left the cache");
        let facts = store.unit_facts("t").unwrap();
        for (id, menu) in kept {
            let (mut back, chrome) = extract::facts_from_cache(&facts[&id]).unwrap();
            back.set_chrome(serde_json::from_slice(&navs[&chrome]).unwrap());
            assert_eq!(back, page(menu));
        }
        assert_eq!(extract::facts_from_cache(&facts[&bare_id]).unwrap().1, 0);
    }
}

//! One request, done the careful way: the private-address guard and robots.txt on every hop, redirects
//! followed by hand (so every hop is checked and counted), the host's pace and the global in-flight cap
//! before every send, the body streamed and cut at the limit, retries with backoff on 5xx / 429 /
//! timeouts / resets. Whatever happens becomes one [`FetchRecord`]: a failure is a record, not an error.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{FixedOffset, Utc};
use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use super::guard::{self, Policy, Refused};
use super::host::{Host, Hosts, RobotsRules};
use crate::config::Settings;
use crate::store::{FetchKind, FetchRecord, Revalidation, Store};

/// Body cap for a link check: enough to see that the page is real, not enough to cost much.
pub const EXTERNAL_BODY_CAP: usize = 64 * 1024;
/// Body cap for robots.txt (RFC 9309 asks parsers to read at least 500 KiB).
pub const ROBOTS_BODY_CAP: usize = 512 * 1024;
/// Body cap for a sitemap file (its decompressed text is capped at `max_body_bytes`).
pub const SITEMAP_BODY_CAP: usize = 10 * 1024 * 1024;
/// First backoff step; doubled on every retry, with jitter.
const BACKOFF_BASE: Duration = Duration::from_millis(300);

/// The start of the error text of a redirect chain longer than `max_redirects`.
pub const TOO_MANY_REDIRECTS: &str = "too many redirects";
/// The start of the error text of a request not sent because its host is unreachable.
pub const HOST_UNREACHABLE: &str = "host unreachable";

/// The headers kept in a record.
const KEPT_HEADERS: &[&str] =
    &["content-type", "content-length", "etag", "last-modified", "location", "retry-after", "server", "date"];

/// What to fetch, for whom.
#[derive(Debug, Clone)]
pub struct Job {
    /// The unit whose crawl asks.
    pub unit_id: String,
    /// The URL (fragment already dropped).
    pub url: Url,
    /// Why it is fetched.
    pub kind: FetchKind,
    /// Link hops from the unit's root.
    pub depth: u32,
    /// The page that linked here.
    pub referrer: Option<String>,
    /// Whether the page that linked here is unchanged since the previous run (so this job may be
    /// reused without a request while it is younger than `revisit_days`).
    pub parent_unchanged: bool,
}

/// What a run may reuse instead of downloading again.
#[derive(Clone, Default)]
pub struct Reuse {
    /// The previous finished run's store: validators (ETag, Last-Modified), bodies and hashes.
    pub prior: Option<Arc<Store>>,
    /// Continue an interrupted run: records already in the current store are reused, not refetched.
    pub resume: bool,
}

/// How a job ended.
#[derive(Debug)]
pub enum Outcome {
    /// A request was made (or refused by the guard); the record says what came back.
    Fetched(FetchRecord),
    /// robots.txt forbids the URL; the record (no status, `error` set) says so.
    Disallowed(FetchRecord),
    /// Nothing was sent: the unit's time budget ran out first.
    NotSent,
    /// A resumed run found the record already stored by the interrupted run; nothing was sent.
    Resumed(FetchRecord),
}

/// The shared machinery of a run: one HTTP client, the hosts, the global in-flight cap.
pub struct Fetcher {
    client: reqwest::Client,
    hosts: Hosts,
    in_flight: Arc<Semaphore>,
    policy: Arc<Policy>,
    settings: Settings,
    agent_token: String,
    store: Arc<Store>,
    reuse: Reuse,
    progress: Arc<super::progress::Progress>,
}

/// A response as read: status, kept headers, the (possibly cut) body.
struct Got {
    status: u16,
    headers: Vec<(String, String)>,
    location: Option<String>,
    retry_after: Option<Duration>,
    body: Vec<u8>,
    truncated: bool,
}

/// What one host's sitemaps gave (read once per run, shared by every unit on the host).
#[derive(Debug, Default)]
pub struct SitemapFound {
    /// Page and attachment URLs listed, at most `max_sitemap_urls`.
    pub urls: Vec<Url>,
    /// The sitemap files read.
    pub files: Vec<String>,
    /// Whether `max_sitemap_files` or `max_sitemap_urls` left some out.
    pub limited: bool,
}

impl Fetcher {
    /// Builds the client (no automatic redirects, guarded DNS, no proxy) for a run.
    pub fn new(settings: &Settings, policy: Policy, store: Arc<Store>) -> Result<Fetcher, reqwest::Error> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.request_timeout)
            .connect_timeout(settings.request_timeout.min(Duration::from_secs(15)))
            .dns_resolver(guard::GuardedResolver::new(policy.clone()))
            // A proxy would make the connection somewhere the guard never sees.
            .no_proxy()
            .build()?;
        let agent_token = settings.user_agent.split(['/', ' ']).next().unwrap_or("zwgk-audit").to_string();
        Ok(Fetcher {
            client,
            hosts: Hosts::new(settings.rate_per_host, settings.max_in_flight_per_host),
            in_flight: Arc::new(Semaphore::new(settings.max_in_flight.max(1))),
            policy,
            settings: settings.clone(),
            agent_token,
            store,
            reuse: Reuse::default(),
            progress: Arc::default(),
        })
    }

    /// The fetcher of an incremental or resumed run.
    pub fn with_reuse(mut self, reuse: Reuse) -> Fetcher {
        self.reuse = reuse;
        self
    }

    /// Whether records already in the current store are reused (a resumed run).
    pub fn resuming(&self) -> bool {
        self.reuse.resume
    }

    /// The run's progress counters.
    pub fn progress(&self) -> Arc<super::progress::Progress> {
        self.progress.clone()
    }

    /// The host of `url` (its politeness, robots rules and reachability).
    pub fn host(&self, url: &Url) -> Arc<Host> {
        self.hosts.get(url)
    }

    /// The crawl's settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The body cap of a job of this kind.
    pub fn body_cap(&self, kind: FetchKind) -> usize {
        match kind {
            FetchKind::External => EXTERNAL_BODY_CAP.min(self.settings.max_body_bytes),
            FetchKind::Robots => ROBOTS_BODY_CAP,
            FetchKind::Sitemap => SITEMAP_BODY_CAP.min(self.settings.max_body_bytes),
            _ => self.settings.max_body_bytes,
        }
    }

    /// The previous run's usable record of `url`: a complete 2xx response.
    fn prior_of(&self, url: &Url) -> Option<FetchRecord> {
        let prior = self.reuse.prior.as_ref()?;
        let record = match prior.latest(url.as_str()) {
            Ok(r) => r?,
            Err(e) => {
                tracing::warn!("cannot read the previous store for {url}: {e}");
                return None;
            }
        };
        (record.is_ok() && !record.truncated && record.sha256.is_some()).then_some(record)
    }

    /// Whether a prior record was confirmed less than `revisit_days` ago.
    fn still_fresh(&self, prior: &FetchRecord) -> bool {
        let days = i64::from(self.settings.revisit_days);
        days > 0 && now_cst().signed_duration_since(prior.fetched_at) < chrono::Duration::days(days)
    }

    /// The previous run's record carried over for `job`.
    fn reused(
        &self,
        job: &Job,
        prior: &FetchRecord,
        how: Revalidation,
        at: chrono::DateTime<FixedOffset>,
    ) -> FetchRecord {
        FetchRecord {
            id: 0,
            unit_id: job.unit_id.clone(),
            url: job.url.to_string(),
            kind: job.kind,
            depth: job.depth,
            referrer: job.referrer.clone(),
            fetched_at: at,
            revalidated: Some(how),
            ..prior.clone()
        }
    }

    /// Fetches one job; `requests` counts every HTTP request sent for it (hops, retries, robots.txt).
    pub async fn fetch(&self, job: &Job, deadline: Instant, requests: &AtomicUsize) -> Outcome {
        let cap = self.body_cap(job.kind);
        let prior = self.prior_of(&job.url);
        if let Some(p) = &prior
            && job.parent_unchanged
            && self.still_fresh(p)
        {
            return Outcome::Fetched(self.reused(job, p, Revalidation::Fresh, p.fetched_at));
        }
        let mut url = job.url.clone();
        for hop in 0..=self.settings.max_redirects {
            if let Err(refused) = guard::check_url(&url, &self.policy) {
                return Outcome::Fetched(self.failure(job, &url, refused.to_string()));
            }
            let host = self.hosts.get(&url);
            if let Some(why) = host.down() {
                return Outcome::Fetched(self.failure(job, &url, format!("{HOST_UNREACHABLE} ({why})")));
            }
            if job.kind != FetchKind::Robots {
                match self.robots(&host, &url, &job.unit_id, requests).await {
                    RobotsRules::Unreachable { reason } => {
                        // A guard refusal stays one (the host was never asked); anything else means no
                        // answer at all.
                        let msg = if reason.starts_with("refused") {
                            reason.clone()
                        } else {
                            format!("{HOST_UNREACHABLE} (robots.txt: {reason})")
                        };
                        return Outcome::Fetched(self.failure(job, &url, msg));
                    }
                    rules if !rules.allowed(&url) => {
                        let why = match rules {
                            RobotsRules::Unavailable { reason } => {
                                format!("robots.txt unavailable ({reason}); treated as disallow-all")
                            }
                            _ => "disallowed by robots.txt".to_string(),
                        };
                        return Outcome::Disallowed(self.failure(job, &url, why));
                    }
                    _ => {}
                }
            }
            // Conditional headers go with the first hop only, and only when the stored response was
            // not reached through a redirect (the validators belong to the final URL).
            let conditional = match &prior {
                Some(p) if hop == 0 && p.final_url == p.url => validators(p),
                _ => Vec::new(),
            };
            let got = match self.send_with_retries(&host, &url, cap, deadline, requests, &conditional).await {
                Ok(got) => got,
                Err(SendError::NotSent) => return Outcome::NotSent,
                Err(SendError::Failed(msg)) => return Outcome::Fetched(self.failure(job, &url, msg)),
            };
            if got.status == 304
                && !conditional.is_empty()
                && let Some(p) = &prior
            {
                return Outcome::Fetched(self.reused(job, p, Revalidation::NotModified, now_cst()));
            }
            let redirect = matches!(got.status, 301 | 302 | 303 | 307 | 308);
            match got.location.as_deref().filter(|_| redirect).map(|l| url.join(l.trim())) {
                Some(Ok(mut next)) if matches!(next.scheme(), "http" | "https") => {
                    next.set_fragment(None);
                    url = next;
                }
                // A redirect nowhere (bad or non-http Location) is reported as the response it is.
                _ => {
                    let mut record = self.record(job, &url, got);
                    // A server that ignores conditionals may still send the same bytes.
                    if let Some(p) = &prior
                        && record.is_ok()
                        && p.sha256 == record.sha256
                        && p.final_url == record.final_url
                    {
                        record.revalidated = Some(Revalidation::SameHash);
                    }
                    return Outcome::Fetched(record);
                }
            }
        }
        let msg = format!("{TOO_MANY_REDIRECTS} (more than {})", self.settings.max_redirects);
        Outcome::Fetched(self.failure(job, &url, msg))
    }

    /// Admits one request a rendering browser makes for `unit_id`: robots.txt must allow it, and it
    /// waits for the host's pace like any request of the crawler (it is counted in `requests`). `false`
    /// when robots.txt refuses it, the address guard refuses it, or the unit's time is up.
    pub async fn admit_browser_request(
        &self,
        url: &Url,
        unit_id: &str,
        deadline: Instant,
        requests: &AtomicUsize,
    ) -> bool {
        if guard::check_url(url, &self.policy).is_err() {
            return false;
        }
        let host = self.hosts.get(url);
        if !self.robots(&host, url, unit_id, requests).await.allowed(url) {
            return false;
        }
        let admitted = host.until_ready(deadline, || async {}).await.is_ok();
        if admitted {
            requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        admitted
    }

    /// The URLs the sitemaps of `root`'s host list: those robots.txt names (`Sitemap:` lines), or
    /// `/sitemap.xml` when robots.txt names none and `probe_sitemap_xml` is set. Sitemap index files are
    /// followed and gzip files inflated, within `max_sitemap_files`, `max_sitemap_urls` and
    /// `max_body_bytes`. Read once per host and run; each file is stored (kind `sitemap`) under the unit
    /// that asked first.
    pub async fn sitemap_urls(&self, root: &Url, unit_id: &str, requests: &AtomicUsize) -> Arc<SitemapFound> {
        let host = self.hosts.get(root);
        host.sitemap
            .get_or_init(|| async {
                let mut queue: std::collections::VecDeque<String> =
                    self.robots(&host, root, unit_id, requests).await.sitemaps().into();
                if queue.is_empty() && self.settings.probe_sitemap_xml {
                    let mut u = root.clone();
                    u.set_path("/sitemap.xml");
                    u.set_query(None);
                    queue.push_back(u.to_string());
                }
                let mut found = SitemapFound::default();
                let mut seen_urls = std::collections::HashSet::new();
                while let Some(next) = queue.pop_front() {
                    if found.files.contains(&next) {
                        continue;
                    }
                    if found.files.len() >= self.settings.max_sitemap_files {
                        found.limited = true;
                        break;
                    }
                    let Ok(url) = Url::parse(next.trim()) else { continue };
                    if !matches!(url.scheme(), "http" | "https") {
                        continue;
                    }
                    found.files.push(next.clone());
                    let record = self.sitemap_record(url, unit_id, requests).await;
                    if !record.is_ok() {
                        continue;
                    }
                    let text = super::sitemap::inflate(&record.body, self.settings.max_body_bytes);
                    let parsed = super::sitemap::parse(&text);
                    queue.extend(parsed.sitemaps);
                    for u in parsed.urls {
                        if found.urls.len() >= self.settings.max_sitemap_urls {
                            found.limited = true;
                            break;
                        }
                        if let Ok(mut u) = Url::parse(&u) {
                            u.set_fragment(None);
                            if matches!(u.scheme(), "http" | "https") && seen_urls.insert(u.to_string()) {
                                found.urls.push(u);
                            }
                        }
                    }
                }
                Arc::new(found)
            })
            .await
            .clone()
    }

    /// One sitemap file, fetched (or, on a resumed run, read from the store) and stored.
    async fn sitemap_record(&self, url: Url, unit_id: &str, requests: &AtomicUsize) -> FetchRecord {
        if self.reuse.resume
            && let Ok(Some(stored)) = self.store.latest(url.as_str())
            && stored.kind == FetchKind::Sitemap
        {
            return stored;
        }
        let job = Job {
            unit_id: unit_id.to_string(),
            url,
            kind: FetchKind::Sitemap,
            depth: 0,
            referrer: None,
            parent_unchanged: false,
        };
        // Shared by every unit on the host, like robots.txt: no one unit's budget cuts it short.
        let far = Instant::now() + Duration::from_secs(7 * 24 * 3600);
        let record = match Box::pin(self.fetch(&job, far, requests)).await {
            Outcome::Fetched(r) | Outcome::Disallowed(r) | Outcome::Resumed(r) => r,
            Outcome::NotSent => self.failure(&job, &job.url, "not sent".into()),
        };
        if let Err(e) = self.store.insert(&record) {
            tracing::error!("cannot store sitemap {}: {e}", job.url);
        }
        record
    }

    /// The robots rules of `host`, fetched (and stored under `unit_id`) the first time anyone asks.
    async fn robots<'h>(
        &self,
        host: &'h Host,
        url: &Url,
        unit_id: &str,
        requests: &AtomicUsize,
    ) -> &'h RobotsRules {
        host.robots(|| async {
            let mut robots_url = url.clone();
            robots_url.set_path("/robots.txt");
            robots_url.set_query(None);
            let job = Job {
                unit_id: unit_id.to_string(),
                url: robots_url,
                kind: FetchKind::Robots,
                depth: 0,
                referrer: None,
                parent_unchanged: false,
            };
            // A resumed run reads the rules the interrupted run stored instead of asking again.
            if self.reuse.resume
                && let Ok(Some(stored)) = self.store.latest(job.url.as_str())
                && stored.kind == FetchKind::Robots
            {
                return self.robots_rules(&stored);
            }
            // robots.txt is shared by every unit on the host, so no unit's budget may cut it short.
            let far = Instant::now() + Duration::from_secs(7 * 24 * 3600);
            let record = match Box::pin(self.fetch(&job, far, requests)).await {
                Outcome::Fetched(r) | Outcome::Disallowed(r) => r,
                Outcome::NotSent | Outcome::Resumed(_) => {
                    unreachable!("robots.txt is fetched without a budget and never resumed")
                }
            };
            let rules = self.robots_rules(&record);
            if let Err(e) = self.store.insert(&record) {
                tracing::error!("cannot store robots.txt of {}: {e}", host.origin);
            }
            rules
        })
        .await
    }

    /// The rules a robots.txt response means. RFC 9309 §2.3.1: 2xx is parsed; 4xx (and a redirect
    /// chain too long) means no rules; 5xx means disallow-all. 429 is treated like a 5xx: the server
    /// is shedding load.
    fn robots_rules(&self, record: &FetchRecord) -> RobotsRules {
        match (record.status, &record.error) {
            (Some(s), _) if (200..300).contains(&s) => RobotsRules::parse(&self.agent_token, &record.body),
            (Some(429), _) => RobotsRules::Unavailable { reason: "HTTP 429".into() },
            (Some(s), _) if s < 500 => RobotsRules::AllowAll,
            (Some(s), _) => RobotsRules::Unavailable { reason: format!("HTTP {s}") },
            (None, Some(e)) if e.starts_with(TOO_MANY_REDIRECTS) => RobotsRules::AllowAll,
            (None, e) => RobotsRules::Unreachable { reason: e.clone().unwrap_or_default() },
        }
    }

    async fn send_with_retries(
        &self,
        host: &Host,
        url: &Url,
        cap: usize,
        deadline: Instant,
        requests: &AtomicUsize,
        conditional: &[(&'static str, String)],
    ) -> Result<Got, SendError> {
        let mut attempt = 0u32;
        loop {
            // The host's own slots first: a slow or hanging host then holds at most
            // `max_in_flight_per_host` of the global ones.
            let slot = tokio::time::timeout_at(deadline, host.slots.clone().acquire_owned())
                .await
                .map_err(|_| SendError::NotSent)?
                .expect("a host's slot semaphore is never closed");
            if host.down().is_some() {
                return Err(SendError::Failed(format!(
                    "{HOST_UNREACHABLE} ({})",
                    host.down().unwrap_or_default()
                )));
            }
            let permit = host
                .until_ready(deadline, || self.in_flight.clone().acquire_owned())
                .await
                .map_err(|_| SendError::NotSent)?
                .expect("the in-flight semaphore is never closed");
            requests.fetch_add(1, Ordering::Relaxed);
            let result = self.send_once(url, cap, conditional).await;
            drop(permit);
            drop(slot);
            // Every attempt counts towards the host's reachability: a network failure, or a gateway or
            // overload answer (a 500 is one page's fault, not the host's).
            let limit = self.settings.host_failure_limit;
            match &result {
                Ok(got) if matches!(got.status, 429 | 502 | 503 | 504) => {
                    host.failed(limit, &format!("HTTP {}", got.status))
                }
                Ok(_) => host.succeeded(),
                Err(e) if refused(e).is_none() => host.failed(limit, &describe(e)),
                Err(_) => {}
            }
            let (retry, wait) = match &result {
                Ok(got) if got.status == 429 || (500..600).contains(&got.status) => {
                    let wait = got
                        .retry_after
                        .map(|w| w.min(self.settings.max_retry_after))
                        .unwrap_or_else(|| backoff(attempt, url));
                    if got.status == 429 || got.status == 503 {
                        // The server asked everyone to slow down, not just this request.
                        host.back_off(wait).await;
                    }
                    (true, wait)
                }
                Ok(_) => (false, Duration::ZERO),
                Err(e) => (is_transient(e), backoff(attempt, url)),
            };
            if !retry
                || attempt >= self.settings.max_retries
                || Instant::now() + wait > deadline
                || host.down().is_some()
            {
                return result.map_err(|e| SendError::Failed(describe(&e)));
            }
            tracing::debug!("retrying {url} in {wait:?} (attempt {})", attempt + 1);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn send_once(
        &self,
        url: &Url,
        cap: usize,
        conditional: &[(&'static str, String)],
    ) -> Result<Got, reqwest::Error> {
        let mut request = self.client.get(url.clone());
        for (name, value) in conditional {
            request = request.header(*name, value);
        }
        let mut resp = request.send().await?;
        let status = resp.status().as_u16();
        let headers = kept_headers(resp.headers());
        let location = header(resp.headers(), "location");
        let retry_after = header(resp.headers(), "retry-after").and_then(|v| parse_retry_after(&v));
        let mut body = Vec::new();
        let mut truncated = false;
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                // A slow-drip body that outlasts `request_timeout` (a total bound, not an idle one): what
                // arrived is kept, cut, rather than thrown away and asked again from a server that drips.
                Err(e) if e.is_timeout() && !body.is_empty() => {
                    truncated = true;
                    break;
                }
                Err(e) => return Err(e),
            };
            let room = cap - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Got { status, headers, location, retry_after, body, truncated })
    }

    fn record(&self, job: &Job, final_url: &Url, got: Got) -> FetchRecord {
        let content_type = got.headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.clone());
        FetchRecord {
            sha256: Some(hex::encode(Sha256::digest(&got.body))),
            status: Some(got.status),
            content_type,
            headers: got.headers,
            body: got.body,
            truncated: got.truncated,
            ..self.failure(job, final_url, String::new())
        }
    }

    fn failure(&self, job: &Job, final_url: &Url, error: String) -> FetchRecord {
        FetchRecord {
            id: 0,
            unit_id: job.unit_id.clone(),
            url: job.url.to_string(),
            final_url: final_url.to_string(),
            kind: job.kind,
            depth: job.depth,
            referrer: job.referrer.clone(),
            status: None,
            error: (!error.is_empty()).then_some(error),
            content_type: None,
            headers: Vec::new(),
            fetched_at: now_cst(),
            sha256: None,
            body: Vec::new(),
            truncated: false,
            revalidated: None,
        }
    }
}

enum SendError {
    NotSent,
    Failed(String),
}

/// Now, in China Standard Time (+08:00), the zone of the audited sites and their inspectors.
pub fn now_cst() -> chrono::DateTime<FixedOffset> {
    Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3600).expect("valid offset"))
}

/// The conditional-request headers a stored response allows: `If-None-Match` from its ETag,
/// `If-Modified-Since` from its Last-Modified.
fn validators(prior: &FetchRecord) -> Vec<(&'static str, String)> {
    let get = |name: &str| prior.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut out = Vec::new();
    if let Some(etag) = get("etag") {
        out.push(("if-none-match", etag));
    }
    if let Some(lm) = get("last-modified") {
        out.push(("if-modified-since", lm));
    }
    out
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn kept_headers(h: &HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS.iter().filter_map(|k| header(h, k).map(|v| (k.to_string(), v))).collect()
}

/// `Retry-After` as seconds or an HTTP date (the caller caps it at `max_retry_after`).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    let wait = if let Ok(secs) = v.parse::<u64>() {
        Duration::from_secs(secs)
    } else {
        let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
        (at.with_timezone(&Utc) - Utc::now()).to_std().unwrap_or(Duration::ZERO)
    };
    Some(wait)
}

/// Exponential backoff with jitter: base·2^attempt, plus up to half of that again.
fn backoff(attempt: u32, url: &Url) -> Duration {
    use std::hash::BuildHasher;
    let step = BACKOFF_BASE * 2u32.saturating_pow(attempt.min(8));
    // RandomState is randomly keyed per instance: a cheap jitter source without a rand dependency.
    let noise = std::collections::hash_map::RandomState::new().hash_one((url.as_str(), Instant::now()));
    let jitter = (noise % 1000) as f64 / 2000.0;
    step + step.mul_f64(jitter)
}

fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cur = err.source();
    }
    None
}

fn refused<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<Refused>() {
            return Some(r);
        }
        cur = err.source();
    }
    None
}

/// Timeouts, resets and connections cut mid-answer are worth retrying; refusals, DNS failures, TLS
/// failures and connection refused are not.
fn is_transient(e: &reqwest::Error) -> bool {
    use std::io::ErrorKind::*;
    if refused(e).is_some() {
        return false;
    }
    if e.is_timeout() {
        return true;
    }
    match io_kind(e) {
        Some(ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof | TimedOut) => true,
        Some(_) => false,
        // hyper's "connection closed before message completed" carries no io::Error.
        None => e.is_body() || (e.is_request() && !e.is_connect()),
    }
}

/// The error and its causes on one line; a guard refusal is reported as such.
fn describe(e: &reqwest::Error) -> String {
    if let Some(r) = refused(e) {
        return r.to_string();
    }
    let mut parts = vec![e.to_string()];
    let mut cur = std::error::Error::source(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    let kind = if e.is_timeout() { "timeout: " } else { "" };
    format!("{kind}{}", parts.join(": "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_and_capped() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("86400"), Some(Duration::from_secs(86400)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_grows() {
        let u = Url::parse("http://h/").unwrap();
        assert!(backoff(0, &u) >= BACKOFF_BASE && backoff(0, &u) < BACKOFF_BASE * 2);
        assert!(backoff(3, &u) >= BACKOFF_BASE * 8);
    }
}

//! One [`Host`] per origin, shared by every unit whose pages live there (lychee's `Host`, grown a
//! robots.txt): it owns the politeness budget of that origin, its robots rules and its backoff state.
//!
//! Politeness is enforced at the moment a request is sent, not when it is queued: the pacer keeps the
//! time of the last send and makes the next one wait until `last + interval`, where the interval is
//! `1 / rate_per_host` (plus a margin of 5 %, at most 10 ms), raised by robots.txt's Crawl-delay and
//! pushed back by 429 / 503 answers. `rate_per_host: unlimited` makes the interval zero: only the
//! in-flight cap bounds the load then. Sends to one host are therefore never closer than the interval, so no one-second
//! window holds more than `ceil(rate)` requests, and there are no bursts after idle periods.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::OnceCell;
use tokio::time::Instant;
use url::Url;

/// The robots.txt verdict for one origin.
#[derive(Debug)]
pub enum RobotsRules {
    /// No usable robots.txt (4xx): everything is allowed.
    AllowAll,
    /// The server answered robots.txt with a 5xx: RFC 9309 says assume complete disallow.
    Unavailable {
        /// Why robots.txt was unavailable.
        reason: String,
    },
    /// No HTTP answer at all (DNS failure, connection refused or reset, timeout, TLS failure, or the
    /// private-address guard refused the host). Nothing is sent to the host (RFC 9309: unreachable
    /// means disallow), and each URL on it is recorded with this error: a dead host is a broken link.
    Unreachable {
        /// The network error of the robots.txt request.
        reason: String,
    },
    /// Parsed rules for our user agent.
    Parsed(Box<texting_robots::Robot>),
}

impl RobotsRules {
    /// Parses a robots.txt body for `agent` (the product token of our User-Agent).
    pub fn parse(agent: &str, body: &[u8]) -> RobotsRules {
        match texting_robots::Robot::new(agent, body) {
            Ok(r) => RobotsRules::Parsed(Box::new(r)),
            // The parser is forgiving; a file it cannot read at all is treated like a missing one.
            Err(_) => RobotsRules::AllowAll,
        }
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &Url) -> bool {
        match self {
            RobotsRules::AllowAll => true,
            RobotsRules::Unavailable { .. } | RobotsRules::Unreachable { .. } => false,
            RobotsRules::Parsed(r) => r.allowed(url.as_str()),
        }
    }

    /// The sitemaps robots.txt names (`Sitemap:` lines), in file order.
    pub fn sitemaps(&self) -> Vec<String> {
        match self {
            RobotsRules::Parsed(r) => r.sitemaps.clone(),
            _ => Vec::new(),
        }
    }

    /// The Crawl-delay for our agent, if any.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            RobotsRules::Parsed(r) => {
                r.delay.filter(|d| d.is_finite() && *d > 0.0).map(|d| Duration::from_secs_f32(d.min(3600.0)))
            }
            _ => None,
        }
    }
}

#[derive(Debug)]
struct Pace {
    /// When the last request to this host was sent.
    last_send: Option<Instant>,
    /// Requests wait at least this long between sends.
    interval: Duration,
    /// No request before this instant (a Retry-After or backoff from a 429 / 5xx).
    blocked_until: Option<Instant>,
}

/// A request was not sent because the unit's time budget would run out first.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("unit time budget exhausted before the request could be sent")]
pub struct OverBudget;

/// One origin (scheme, host, port): its limiter, robots rules and backoff.
#[derive(Debug)]
pub struct Host {
    /// `scheme://host:port`.
    pub origin: String,
    // tokio Mutex: it is held across the sleep that spaces requests, which serialises senders in FIFO
    // order; a std Mutex must never be held across an await.
    pace: tokio::sync::Mutex<Pace>,
    robots: OnceCell<RobotsRules>,
    /// Requests in flight to this host (`max_in_flight_per_host`).
    pub slots: Arc<tokio::sync::Semaphore>,
    /// Consecutive failed requests.
    failures: AtomicU32,
    /// Set once the host is recorded as unreachable: why.
    down: std::sync::OnceLock<String>,
    /// The host's sitemaps, read by the first unit that asks.
    pub(crate) sitemap: OnceCell<Arc<super::fetch::SitemapFound>>,
}

/// Safety margin added to the interval so that scheduling jitter between deciding to send and the
/// bytes reaching the server cannot squeeze one request too many into a one-second window: 5 % of
/// the interval, but never more than [`MAX_MARGIN`]. Jitter is a matter of milliseconds whatever the
/// rate, so a proportional margin alone would waste 25 ms of every 500 ms slot at 2 requests/s and
/// stretch a crawl 5 % past its politeness bound.
const MARGIN: f64 = 0.05;
/// The largest margin added to one interval.
const MAX_MARGIN: Duration = Duration::from_millis(10);

/// The pacing interval for a rate: `1 / rate` plus the margin; zero for an unlimited rate.
fn interval_for(rate_per_host: f64) -> Duration {
    if !rate_per_host.is_finite() {
        return Duration::ZERO;
    }
    let base = Duration::from_secs_f64(1.0 / rate_per_host);
    base + base.mul_f64(MARGIN).min(MAX_MARGIN)
}

impl Host {
    fn new(origin: String, rate_per_host: f64, in_flight: usize) -> Host {
        let interval = interval_for(rate_per_host);
        Host {
            origin,
            pace: tokio::sync::Mutex::new(Pace { last_send: None, interval, blocked_until: None }),
            robots: OnceCell::new(),
            slots: Arc::new(tokio::sync::Semaphore::new(in_flight.max(1))),
            failures: AtomicU32::new(0),
            down: std::sync::OnceLock::new(),
            sitemap: OnceCell::new(),
        }
    }

    /// Counts a failed request (after its retries); the `limit`-th in a row marks the host unreachable.
    pub fn failed(&self, limit: u32, why: &str) {
        let n = self.failures.fetch_add(1, Ordering::SeqCst) + 1;
        if n >= limit && self.down.set(format!("{n} consecutive failed requests, the last: {why}")).is_ok() {
            tracing::warn!(
                "{} is unreachable: {n} consecutive failed requests; nothing more is sent",
                self.origin
            );
        }
    }

    /// A request got an answer: the run of failures is broken.
    pub fn succeeded(&self) {
        self.failures.store(0, Ordering::SeqCst);
    }

    /// Why the host is unreachable, once it has been recorded so.
    pub fn down(&self) -> Option<String> {
        self.down.get().cloned()
    }

    /// Waits for this host's next send slot and claims it. Returns [`OverBudget`] without waiting
    /// when the slot lies after `deadline`.
    ///
    /// `before_send` runs after the wait, while the slot is still held (the fetcher takes its global
    /// in-flight permit there), so the recorded send time is the real one.
    pub async fn until_ready<T, F, Fut>(&self, deadline: Instant, before_send: F) -> Result<T, OverBudget>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        // Many units may queue here behind one busy host; a unit whose budget runs out stops waiting.
        let mut pace = tokio::time::timeout_at(deadline, self.pace.lock()).await.map_err(|_| OverBudget)?;
        let mut slot = Instant::now();
        if let Some(last) = pace.last_send {
            slot = slot.max(last + pace.interval);
        }
        if let Some(b) = pace.blocked_until {
            slot = slot.max(b);
        }
        if slot > deadline {
            return Err(OverBudget);
        }
        // A slot already due is taken at once: tokio's timer rounds a deadline up to its next
        // millisecond tick, so sleeping until "now" would hold this lock, and every other sender to the
        // host, for a tick per request (an unlimited rate would top out near 1,000 requests/s).
        if slot > Instant::now() {
            tokio::time::sleep_until(slot).await;
        }
        let out = before_send().await;
        pace.last_send = Some(Instant::now());
        Ok(out)
    }

    /// Holds every request to this host back until `now + delay` (429, 503, Retry-After).
    pub async fn back_off(&self, delay: Duration) {
        let mut pace = self.pace.lock().await;
        let until = Instant::now() + delay;
        pace.blocked_until = Some(pace.blocked_until.map_or(until, |b| b.max(until)));
    }

    /// Raises the interval between requests (robots.txt Crawl-delay); never lowers it.
    pub async fn raise_interval(&self, interval: Duration) {
        let mut pace = self.pace.lock().await;
        pace.interval = pace.interval.max(interval);
    }

    /// The current interval between requests.
    pub async fn interval(&self) -> Duration {
        self.pace.lock().await.interval
    }

    /// The robots rules, fetching them with `fetch` the first time any unit asks.
    pub async fn robots<F, Fut>(&self, fetch: F) -> &RobotsRules
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = RobotsRules>,
    {
        self.robots
            .get_or_init(|| async {
                let rules = fetch().await;
                if let Some(delay) = rules.crawl_delay() {
                    self.raise_interval(delay).await;
                }
                rules
            })
            .await
    }
}

/// The origin key of a URL: `scheme://host:port`.
pub fn origin_of(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    )
}

/// Every host of a run.
#[derive(Debug)]
pub struct Hosts {
    rate_per_host: f64,
    in_flight_per_host: usize,
    // std Mutex: only a map lookup or insert happens under it, never an await.
    map: std::sync::Mutex<HashMap<String, Arc<Host>>>,
}

impl Hosts {
    /// An empty registry whose hosts start at `rate_per_host` requests per second, with at most
    /// `in_flight_per_host` requests in flight to each.
    pub fn new(rate_per_host: f64, in_flight_per_host: usize) -> Hosts {
        Hosts { rate_per_host, in_flight_per_host, map: std::sync::Mutex::new(HashMap::new()) }
    }

    /// The host of `url`, created on first use.
    pub fn get(&self, url: &Url) -> Arc<Host> {
        let origin = origin_of(url);
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(origin.clone())
            .or_insert_with(|| Arc::new(Host::new(origin, self.rate_per_host, self.in_flight_per_host)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sends_are_spaced_by_the_interval_and_crawl_delay_raises_it() {
        let hosts = Hosts::new(20.0, 4);
        let h = hosts.get(&Url::parse("http://a.example.cn/x").unwrap());
        assert!(
            Arc::ptr_eq(&h, &hosts.get(&Url::parse("http://a.example.cn:80/y").unwrap())),
            "one host per origin"
        );
        let far = Instant::now() + Duration::from_secs(3600);
        let t0 = Instant::now();
        for _ in 0..3 {
            h.until_ready(far, || async {}).await.unwrap();
        }
        assert!(t0.elapsed() >= Duration::from_millis(100), "two intervals of 50 ms");
        h.robots(|| async { RobotsRules::parse("zwgk-audit", b"User-agent: *\nCrawl-delay: 0.3\n") }).await;
        assert!(h.interval().await >= Duration::from_millis(299));
        let t1 = Instant::now();
        h.until_ready(far, || async {}).await.unwrap();
        assert!(t1.elapsed() >= Duration::from_millis(250));
        assert!(h.until_ready(Instant::now(), || async {}).await.is_err(), "slot after the deadline");
    }

    /// With the rate limit off a due slot is taken at once, without a trip through the timer: a
    /// sleep until "now" waits for tokio's next millisecond tick while holding the host's lock, which
    /// capped an unlimited crawl of one host near 1,000 requests/s. Taken at once, the wait completes on
    /// its first poll.
    #[tokio::test]
    async fn an_unlimited_host_sends_without_waiting_for_a_timer_tick() {
        use futures_util::FutureExt;
        let hosts = Hosts::new(f64::INFINITY, 4);
        let h = hosts.get(&Url::parse("http://a.example.cn/x").unwrap());
        let far = Instant::now() + Duration::from_secs(3600);
        for i in 0..200 {
            // Unconstrained: tokio's co-operative budget would otherwise force a yield every 128 sends.
            let sent = tokio::task::unconstrained(h.until_ready(far, || async {})).now_or_never();
            assert!(matches!(sent, Some(Ok(()))), "send {i} had to wait");
        }
    }

    #[test]
    fn interval_margin_is_five_percent_capped_at_ten_ms() {
        assert_eq!(interval_for(100.0), Duration::from_micros(10_500), "5 % of 10 ms");
        assert_eq!(interval_for(2.0), Duration::from_millis(510), "cap: 10 ms, not 25 ms");
        assert_eq!(interval_for(f64::INFINITY), Duration::ZERO, "unlimited: no pacing");
    }

    #[test]
    fn robots_rules_follow_the_file() {
        let r = RobotsRules::parse("zwgk-audit", b"User-agent: *\nDisallow: /private/\nAllow: /private/ok\n");
        assert!(!r.allowed(&Url::parse("http://h/private/x.html").unwrap()));
        assert!(r.allowed(&Url::parse("http://h/private/ok.html").unwrap()));
        assert!(r.allowed(&Url::parse("http://h/public/").unwrap()));
        assert!(
            !RobotsRules::Unavailable { reason: "503".into() }.allowed(&Url::parse("http://h/").unwrap())
        );
    }
}

//! The units file: who is audited and how politely.
//!
//! Raw serde structs (unknown fields rejected) are read first, then validated into one resolved
//! [`UnitsConfig`]: ids unique and well formed, roots absolute http(s) URLs, settings in range.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::yaml::{self, YamlError};

/// The kind of unit, which decides the rubric items it is scored on (CONTRACT.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 街镇、大社区: common + street items.
    Street,
    /// 区直部门: common + department items.
    Department,
    /// 村居: common items only.
    Village,
}

impl UnitKind {
    /// The kind's name as used in YAML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Street => "street",
            UnitKind::Department => "department",
            UnitKind::Village => "village",
        }
    }

    /// The kind in the Chinese of the reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitKind::Street => "街镇、大社区",
            UnitKind::Department => "区直部门",
            UnitKind::Village => "村（居）",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnitsFile {
    #[serde(default)]
    settings: RawSettings,
    units: Vec<RawUnit>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    rate_per_host: Option<RawRate>,
    max_pages_per_unit: Option<usize>,
    max_depth: Option<u32>,
    user_agent: Option<String>,
    max_body_bytes: Option<usize>,
    max_redirects: Option<usize>,
    request_timeout_secs: Option<f64>,
    max_in_flight: Option<usize>,
    max_retries: Option<u32>,
    unit_time_budget_secs: Option<f64>,
    revisit_days: Option<u32>,
    render: Option<RenderMode>,
    max_url_length: Option<usize>,
    max_query_variants_per_path: Option<usize>,
    max_retry_after_secs: Option<f64>,
    host_failure_limit: Option<u32>,
    max_in_flight_per_host: Option<usize>,
    sitemaps: Option<bool>,
    probe_sitemap_xml: Option<bool>,
    max_sitemap_files: Option<usize>,
    max_sitemap_urls: Option<usize>,
    // Operations (history, notifications): see [`OpsSettings`].
    history: Option<String>,
    #[serde(default)]
    notify: Vec<RawNotify>,
    report_url: Option<String>,
}

/// `rate_per_host`: a number of requests per second, or the word `unlimited` (benchmarks and an
/// auditor's own intranet servers: no pacing at all, only `max_in_flight` bounds the load).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRate {
    PerSecond(f64),
    Word(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotify {
    kind: NotifyKind,
    url: String,
    secret: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    id: String,
    name: String,
    kind: UnitKind,
    roots: Vec<String>,
    #[serde(default)]
    domains: Vec<String>,
    render: Option<RenderMode>,
}

/// Whether list pages are rendered in a headless browser (Debian's chromium, cargo feature `js`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RenderMode {
    /// Render a page only when its static HTML is a script shell: no list, no data API, and a script
    /// that writes the page.
    #[default]
    Auto,
    /// Never render.
    Never,
    /// Render every in-scope HTML page (slow: one browser load per page).
    Always,
}

/// Crawl settings from the units file, with defaults filled in.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Requests per second per host: the politeness budget, shared by all units on a host;
    /// `f64::INFINITY` when the units file says `unlimited` (no pacing).
    pub rate_per_host: f64,
    /// Most pages fetched for one unit (attachments and link checks included).
    pub max_pages_per_unit: usize,
    /// Most link hops from a root.
    pub max_depth: u32,
    /// The User-Agent sent, and matched against robots.txt.
    pub user_agent: String,
    /// Largest body kept; a longer one is cut and marked truncated.
    pub max_body_bytes: usize,
    /// Most redirects followed for one request.
    pub max_redirects: usize,
    /// Timeout of one request.
    pub request_timeout: Duration,
    /// Most requests in flight at once, over all hosts.
    pub max_in_flight: usize,
    /// Retries after a 5xx, a timeout or a reset.
    pub max_retries: u32,
    /// Wall-clock budget for one unit's crawl.
    pub unit_time_budget: Duration,
    /// On a later run against the same out folder, a detail page listed unchanged in a list page that
    /// is itself unchanged is not requested again until its last confirmation is this many days old
    /// (0: always revalidate).
    pub revisit_days: u32,
    /// Longest URL queued; a longer link (an ever-growing query string) is skipped with a crawl note.
    pub max_url_length: usize,
    /// Most distinct query strings of one path queued for one unit (calendar and search-result traps:
    /// `?month=…` links that never end); further variants are skipped with a crawl note.
    pub max_query_variants_per_path: usize,
    /// Longest wait a `Retry-After` header may impose before a retry.
    pub max_retry_after: Duration,
    /// Consecutive failed requests (network errors, timeouts, 5xx or 429 after the retries) after which a
    /// host is recorded as unreachable: nothing more is sent to it this run and its remaining URLs
    /// become error records without a request.
    pub host_failure_limit: u32,
    /// Most requests in flight to one host, so a slow or hanging host cannot hold every slot of
    /// `max_in_flight` and slow the other hosts down.
    pub max_in_flight_per_host: usize,
    /// Read the sitemaps that robots.txt names (`Sitemap:` lines) and queue their in-scope URLs.
    pub sitemaps: bool,
    /// Also ask for `/sitemap.xml` on a host whose robots.txt names no sitemap.
    pub probe_sitemap_xml: bool,
    /// Most sitemap files (index files and their children, gzip or plain) read per host.
    pub max_sitemap_files: usize,
    /// Most URLs taken from one host's sitemaps.
    pub max_sitemap_urls: usize,
    /// Rendering of script-built pages for units without their own `render:` (default `auto`; only
    /// builds with the `js` feature render).
    pub render: RenderMode,
    /// Units whose `render:` differs from `render`, by unit id.
    pub render_units: std::collections::BTreeMap<String, RenderMode>,
}

impl Settings {
    /// The rendering mode of one unit.
    pub fn render_for(&self, unit_id: &str) -> RenderMode {
        self.render_units.get(unit_id).copied().unwrap_or(self.render)
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            rate_per_host: 2.0,
            max_pages_per_unit: 3000,
            max_depth: 8,
            user_agent: format!("zwgk-audit/{} (+https://github.com/zwgk-audit)", env!("CARGO_PKG_VERSION")),
            max_body_bytes: 20 * 1024 * 1024,
            max_redirects: 10,
            request_timeout: Duration::from_secs(30),
            max_in_flight: 16,
            max_retries: 2,
            unit_time_budget: Duration::from_secs(4 * 3600),
            revisit_days: 7,
            render: RenderMode::Auto,
            render_units: Default::default(),
            max_url_length: 2048,
            max_query_variants_per_path: 300,
            max_retry_after: Duration::from_secs(60),
            host_failure_limit: 8,
            max_in_flight_per_host: 4,
            sitemaps: true,
            probe_sitemap_xml: false,
            max_sitemap_files: 10,
            max_sitemap_urls: 5000,
        }
    }
}

/// One audited unit (示范点).
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    /// `[a-z0-9-]+`, unique; used in file names.
    pub id: String,
    /// The unit's Chinese name, e.g. 包公街道.
    pub name: String,
    /// street | department | village.
    pub kind: UnitKind,
    /// Entry pages of the unit's 政府信息公开专栏; they also define its scope (host + path prefix).
    pub roots: Vec<Url>,
    /// 试点领域 from 附件2, for departments.
    pub domains: Vec<String>,
}

/// A validated units file.
#[derive(Debug, Clone, Serialize)]
pub struct UnitsConfig {
    /// Crawl settings.
    pub settings: Settings,
    /// The units, in file order.
    pub units: Vec<Unit>,
    /// Settings of nightly operations: history database, notifications.
    pub ops: OpsSettings,
}

/// The group-robot service a digest is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyKind {
    /// 企业微信 group robot.
    Wecom,
    /// 钉钉 group robot.
    Dingtalk,
}

/// One webhook a nightly digest is sent to (`settings.notify`).
#[derive(Debug, Clone, Serialize)]
pub struct NotifyTarget {
    /// Which robot, hence which message format.
    pub kind: NotifyKind,
    /// The webhook URL as the robot's settings page gives it (it carries the robot's key).
    #[serde(skip)]
    pub url: Url,
    /// 钉钉 加签 secret (`SEC…`): requests are signed with HMAC-SHA256 when set.
    #[serde(skip)]
    pub secret: Option<String>,
}

/// Settings of nightly operations, from the units file's `settings`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OpsSettings {
    /// The history database; a relative path is taken relative to the out folder.
    pub history: Option<std::path::PathBuf>,
    /// Webhooks that receive the digest after a nightly run.
    pub notify: Vec<NotifyTarget>,
    /// Where readers open the report (e.g. an intranet URL); the digest shows it instead of the path.
    pub report_url: Option<String>,
}

impl UnitsConfig {
    /// Reads and validates a units file.
    pub fn load(path: &Path) -> Result<UnitsConfig, YamlError> {
        let text = yaml::read(path)?;
        UnitsConfig::parse(path, &text)
    }

    /// Validates units-file text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<UnitsConfig, YamlError> {
        let raw: RawUnitsFile = yaml::parse(path, text)?;
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1);
        let mut settings = resolve_settings(path, &raw.settings, &line_of)?;
        settings.render = raw.settings.render.unwrap_or_default();
        if raw.units.is_empty() {
            return Err(YamlError::at(path, line_of("units"), "no units declared"));
        }
        let mut seen = HashSet::new();
        let mut units = Vec::with_capacity(raw.units.len());
        for u in raw.units {
            let at = line_of(&format!("id: {}", u.id)).or_else(|| line_of(&u.id));
            if u.id.is_empty()
                || !u.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(YamlError::at(path, at, format!("unit id `{}` must match [a-z0-9-]+", u.id)));
            }
            if !seen.insert(u.id.clone()) {
                // Name the duplicate's own line (the id's second declaration), not the first one's.
                let second = text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| {
                        let t = l.trim_start().trim_start_matches("- ").trim();
                        let v = t.strip_prefix("id:").map(|v| v.trim().trim_matches(['"', '\'']));
                        v == Some(u.id.as_str())
                    })
                    .map(|(i, _)| i + 1)
                    .nth(1);
                let first = at.map(|l| format!(" (first declared on line {l})")).unwrap_or_default();
                return Err(YamlError::at(
                    path,
                    second.or(at),
                    format!("duplicate unit id `{}`{first}", u.id),
                ));
            }
            if u.roots.is_empty() {
                return Err(YamlError::at(path, at, format!("unit `{}` has no roots", u.id)));
            }
            let mut roots = Vec::new();
            for r in &u.roots {
                let url = Url::parse(r).map_err(|e| {
                    YamlError::at(path, line_of(r), format!("unit `{}`: root `{r}` is not a URL: {e}", u.id))
                })?;
                if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                    return Err(YamlError::at(
                        path,
                        line_of(r),
                        format!("unit `{}`: root `{r}` must be an http(s) URL", u.id),
                    ));
                }
                roots.push(url);
            }
            if let Some(mode) = u.render {
                settings.render_units.insert(u.id.clone(), mode);
            }
            units.push(Unit { id: u.id, name: u.name, kind: u.kind, roots, domains: u.domains });
        }
        let ops = resolve_ops(path, &raw.settings, &line_of)?;
        Ok(UnitsConfig { settings, units, ops })
    }
}

fn resolve_settings(
    path: &Path,
    raw: &RawSettings,
    line_of: &dyn Fn(&str) -> Option<usize>,
) -> Result<Settings, YamlError> {
    let mut s = Settings::default();
    let bad = |key: &str, why: &str| YamlError::at(path, line_of(key), format!("settings.{key} {why}"));
    match &raw.rate_per_host {
        None => {}
        Some(RawRate::PerSecond(r)) if r.is_finite() && *r > 0.0 && *r <= 1000.0 => s.rate_per_host = *r,
        Some(RawRate::Word(w)) if w == "unlimited" => s.rate_per_host = f64::INFINITY,
        Some(_) => return Err(bad("rate_per_host", "must be a number in (0, 1000] or `unlimited`")),
    }
    if let Some(n) = raw.max_pages_per_unit {
        if n == 0 {
            return Err(bad("max_pages_per_unit", "must be at least 1"));
        }
        s.max_pages_per_unit = n;
    }
    if let Some(d) = raw.max_depth {
        s.max_depth = d;
    }
    if let Some(ua) = &raw.user_agent {
        if ua.trim().is_empty() || ua.chars().any(|c| c.is_control()) {
            return Err(bad("user_agent", "must be a non-empty single line"));
        }
        s.user_agent = ua.clone();
    }
    if let Some(n) = raw.max_body_bytes {
        if n < 1024 {
            return Err(bad("max_body_bytes", "must be at least 1024"));
        }
        s.max_body_bytes = n;
    }
    if let Some(n) = raw.max_redirects {
        s.max_redirects = n;
    }
    if let Some(t) = raw.request_timeout_secs {
        if !(t.is_finite() && t > 0.0 && t <= 3600.0) {
            return Err(bad("request_timeout_secs", "must be in (0, 3600]"));
        }
        s.request_timeout = Duration::from_secs_f64(t);
    }
    if let Some(n) = raw.max_in_flight {
        if n == 0 {
            return Err(bad("max_in_flight", "must be at least 1"));
        }
        s.max_in_flight = n;
    }
    if let Some(n) = raw.max_retries {
        s.max_retries = n;
    }
    if let Some(t) = raw.unit_time_budget_secs {
        if !(t.is_finite() && t > 0.0) {
            return Err(bad("unit_time_budget_secs", "must be positive"));
        }
        s.unit_time_budget = Duration::from_secs_f64(t);
    }
    if let Some(d) = raw.revisit_days {
        s.revisit_days = d;
    }
    if let Some(n) = raw.max_url_length {
        if n < 64 {
            return Err(bad("max_url_length", "must be at least 64"));
        }
        s.max_url_length = n;
    }
    if let Some(n) = raw.max_query_variants_per_path {
        if n == 0 {
            return Err(bad("max_query_variants_per_path", "must be at least 1"));
        }
        s.max_query_variants_per_path = n;
    }
    if let Some(t) = raw.max_retry_after_secs {
        if !(t.is_finite() && (0.0..=3600.0).contains(&t)) {
            return Err(bad("max_retry_after_secs", "must be in [0, 3600]"));
        }
        s.max_retry_after = Duration::from_secs_f64(t);
    }
    if let Some(n) = raw.host_failure_limit {
        if n == 0 {
            return Err(bad("host_failure_limit", "must be at least 1"));
        }
        s.host_failure_limit = n;
    }
    if let Some(n) = raw.max_in_flight_per_host {
        if n == 0 {
            return Err(bad("max_in_flight_per_host", "must be at least 1"));
        }
        s.max_in_flight_per_host = n;
    }
    if let Some(b) = raw.sitemaps {
        s.sitemaps = b;
    }
    if let Some(b) = raw.probe_sitemap_xml {
        s.probe_sitemap_xml = b;
    }
    if let Some(n) = raw.max_sitemap_files {
        s.max_sitemap_files = n;
    }
    if let Some(n) = raw.max_sitemap_urls {
        s.max_sitemap_urls = n;
    }
    Ok(s)
}

fn resolve_ops(
    path: &Path,
    raw: &RawSettings,
    line_of: &dyn Fn(&str) -> Option<usize>,
) -> Result<OpsSettings, YamlError> {
    let mut ops = OpsSettings::default();
    if let Some(h) = &raw.history {
        if h.trim().is_empty() {
            return Err(YamlError::at(path, line_of("history"), "settings.history must not be empty"));
        }
        ops.history = Some(h.into());
    }
    for n in &raw.notify {
        let at = line_of(&n.url);
        let url = Url::parse(&n.url).map_err(|e| {
            YamlError::at(path, at, format!("settings.notify: `{}` is not a URL: {e}", n.url))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(YamlError::at(
                path,
                at,
                format!("settings.notify: `{}` must be an http(s) URL", n.url),
            ));
        }
        if n.secret.is_some() && n.kind != NotifyKind::Dingtalk {
            return Err(YamlError::at(path, at, "settings.notify: `secret` is only used by kind dingtalk"));
        }
        ops.notify.push(NotifyTarget { kind: n.kind, url, secret: n.secret.clone() });
    }
    ops.report_url = raw.report_url.clone();
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str) -> Result<UnitsConfig, YamlError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("units.yaml");
        std::fs::write(&p, text).unwrap();
        UnitsConfig::load(&p)
    }

    #[test]
    fn contract_example_loads_with_defaults() {
        let c = load_str(
            "settings:\n  rate_per_host: 2.0\nunits:\n  - id: baogong\n    name: 包公街道\n    kind: street\n    roots: [\"https://example.gov.cn/bgjd/xxgk/\"]\n    domains: [社会救助]\n",
        )
        .unwrap();
        assert_eq!(c.units[0].kind, UnitKind::Street);
        assert_eq!(c.settings.max_pages_per_unit, 3000);
        assert_eq!(c.units[0].domains, vec!["社会救助".to_string()]);
    }

    #[test]
    fn rate_is_a_number_in_range_or_unlimited() {
        let with = |rate: &str| {
            load_str(&format!(
                "settings:\n  rate_per_host: {rate}\nunits:\n  - id: a\n    name: 甲\n    kind: street\n    roots: [\"https://example.gov.cn/a/\"]\n"
            ))
        };
        assert_eq!(with("2").unwrap().settings.rate_per_host, 2.0);
        assert_eq!(with("0.5").unwrap().settings.rate_per_host, 0.5);
        assert_eq!(with("unlimited").unwrap().settings.rate_per_host, f64::INFINITY);
        for bad in ["0", "-1", "1001", "1e9", "fast"] {
            let e = with(bad).unwrap_err();
            assert!(e.message.contains("rate_per_host") && e.message.contains("unlimited"), "{bad}: {e}");
            assert_eq!(e.line, Some(2), "{bad}: the line is named: {e}");
        }
    }

    #[test]
    fn render_mode_per_unit_overrides_the_settings() {
        let c = load_str(
            "settings:\n  render: never\nunits:\n  - id: a\n    name: A\n    kind: street\n    roots: [\"http://x.cn/a/\"]\n  - id: b\n    name: B\n    kind: street\n    render: always\n    roots: [\"http://x.cn/b/\"]\n",
        )
        .unwrap();
        assert_eq!(c.settings.render_for("a"), RenderMode::Never);
        assert_eq!(c.settings.render_for("b"), RenderMode::Always);
        assert_eq!(Settings::default().render_for("a"), RenderMode::Auto);
        let e = load_str("units:\n  - id: a\n    name: A\n    kind: street\n    render: sometimes\n    roots: [\"http://x.cn/\"]\n")
            .unwrap_err();
        assert!(e.message.contains("sometimes") || e.message.contains("variant"), "{e}");
    }

    #[test]
    fn duplicate_ids_name_the_line() {
        let e = load_str(
            "units:\n  - id: a\n    name: A\n    kind: street\n    roots: [\"http://x.cn/\"]\n  - id: a\n    name: B\n    kind: village\n    roots: [\"http://x.cn/b/\"]\n",
        )
        .unwrap_err();
        assert!(e.message.contains("duplicate"), "{e}");
        // The duplicate's own line, and the first declaration's in the message.
        assert_eq!(e.line, Some(6));
        assert!(e.message.contains("line 2"), "{e}");
    }

    #[test]
    fn unknown_kind_is_an_error_with_line() {
        let e = load_str("units:\n  - id: a\n    name: A\n    kind: city\n    roots: [\"http://x.cn/\"]\n")
            .unwrap_err();
        assert!(e.line.is_some_and(|l| (3..=5).contains(&l)), "{e}");
    }

    #[test]
    fn ops_settings_load_and_validate() {
        let c = load_str(
            "settings:\n  history: hist/h.sqlite\n  report_url: https://intranet/r.html\n  notify:\n    - kind: wecom\n      url: http://127.0.0.1:9/hook\n    - kind: dingtalk\n      url: https://oapi.dingtalk.com/robot/send?access_token=x\n      secret: SEC123\nunits:\n  - id: a\n    name: A\n    kind: street\n    roots: [\"http://x.cn/\"]\n",
        )
        .unwrap();
        assert_eq!(c.ops.history.as_deref(), Some(Path::new("hist/h.sqlite")));
        assert_eq!(c.ops.notify.len(), 2);
        assert_eq!(c.ops.notify[1].secret.as_deref(), Some("SEC123"));
        let e = load_str(
            "settings:\n  notify:\n    - kind: wecom\n      url: ftp://x/hook\nunits:\n  - id: a\n    name: A\n    kind: street\n    roots: [\"http://x.cn/\"]\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        let e = load_str(
            "settings:\n  notify:\n    - kind: slack\n      url: http://x/hook\nunits:\n  - id: a\n    name: A\n    kind: street\n    roots: [\"http://x.cn/\"]\n",
        )
        .unwrap_err();
        assert!(e.line.is_some(), "{e}");
    }

    #[test]
    fn crawl_bounds_load_and_are_checked() {
        let c = load_str(
            "settings:\n  max_url_length: 500\n  max_query_variants_per_path: 20\n  max_retry_after_secs: 5\n  host_failure_limit: 3\n  max_in_flight_per_host: 2\n  sitemaps: false\n  probe_sitemap_xml: true\n  max_sitemap_files: 2\n  max_sitemap_urls: 100\nunits:\n  - id: a\n    name: A\n    kind: street\n    roots: [\"http://x.cn/\"]\n",
        )
        .unwrap();
        let s = &c.settings;
        assert_eq!((s.max_url_length, s.max_query_variants_per_path), (500, 20));
        assert_eq!(
            (s.max_retry_after, s.host_failure_limit, s.max_in_flight_per_host),
            (Duration::from_secs(5), 3, 2)
        );
        assert_eq!(
            (s.sitemaps, s.probe_sitemap_xml, s.max_sitemap_files, s.max_sitemap_urls),
            (false, true, 2, 100)
        );
        for (key, value) in [
            ("max_url_length", "10"),
            ("host_failure_limit", "0"),
            ("max_in_flight_per_host", "0"),
            ("max_retry_after_secs", "-1"),
        ] {
            let e = load_str(&format!(
                "settings:\n  {key}: {value}\nunits:\n  - id: a\n    name: A\n    kind: street\n    roots: [\"http://x.cn/\"]\n"
            ))
            .unwrap_err();
            assert!(e.message.contains(key) && e.line == Some(2), "{key}: {e}");
        }
    }

    #[test]
    fn non_http_root_is_rejected() {
        let e = load_str(
            "units:\n  - id: a\n    name: A\n    kind: street\n    roots: [\"file:///etc/passwd\"]\n",
        )
        .unwrap_err();
        assert!(e.message.contains("http"), "{e}");
    }
}

//! report.html: the self-contained Chinese report (inline CSS, no network, printable).
//!
//! Everything a crawled page said (messages quoting it, excerpts, URLs) is untrusted. The template is
//! registered under a name ending in `.html`, so minijinja escapes every value it prints; an evidence
//! URL is made a link only when it is http(s), so a `javascript:` URL can never become clickable.

use std::path::PathBuf;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::{AuditReport, Renderer, ReportError, UnitReport};
use crate::findings::{Evidence, Finding, Status};
use crate::rubric::fmt_points;
use crate::score::ItemScore;

/// The template's name; its `.html` suffix turns minijinja's auto-escaping on.
const TEMPLATE: &str = "report.html";
/// The bundled template, embedded so the binary works from any directory.
const EMBEDDED: &str = include_str!("../../reports/report.html");

/// Renders [`AuditReport`] as report.html with the bundled template, or with `report.html` from an
/// override directory when one is given and holds it.
#[derive(Debug, Clone, Default)]
pub struct HtmlRenderer {
    /// A directory whose `report.html` replaces the bundled template.
    pub template_dir: Option<PathBuf>,
}

impl HtmlRenderer {
    /// A renderer that prefers the templates in `dir` over the bundled ones.
    pub fn with_template_dir(dir: impl Into<PathBuf>) -> HtmlRenderer {
        HtmlRenderer { template_dir: Some(dir.into()) }
    }

    fn environment(&self) -> Environment<'static> {
        let mut env = Environment::new();
        // A misspelt variable must fail the render, not print an empty cell.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        match &self.template_dir {
            Some(dir) => {
                let from_dir = minijinja::path_loader(dir.clone());
                env.set_loader(move |name| match from_dir(name)? {
                    Some(text) => Ok(Some(text)),
                    None => Ok((name == TEMPLATE).then(|| EMBEDDED.to_string())),
                });
            }
            None => env.add_template(TEMPLATE, EMBEDDED).expect("the bundled template parses"),
        }
        env
    }
}

impl Renderer for HtmlRenderer {
    fn file_name(&self) -> &str {
        TEMPLATE
    }

    fn render(&self, report: &AuditReport) -> Result<String, ReportError> {
        let env = self.environment();
        let fail = |source| ReportError::Template { template: TEMPLATE.to_string(), source };
        let template = env.get_template(TEMPLATE).map_err(fail)?;
        template.render(View::new(report)).map_err(fail)
    }
}

/// What the template sees: the report with Chinese labels and display strings prepared.
#[derive(Serialize)]
struct View<'a> {
    tool_name: &'a str,
    tool_version: &'a str,
    as_of: &'a str,
    generated_at: &'a str,
    notes: &'a [String],
    units: Vec<UnitView<'a>>,
    /// Some unit has a final score (a manual file was merged).
    has_final: bool,
}

#[derive(Serialize)]
struct UnitView<'a> {
    id: &'a str,
    name: &'a str,
    kind_zh: &'static str,
    online_earned: String,
    online_max: String,
    manual_max: String,
    error_max: String,
    onsite_max: String,
    pass: usize,
    partial: usize,
    fail: usize,
    manual: usize,
    onsite: usize,
    error: usize,
    not_applicable: usize,
    pages: u64,
    crawl_errors: u64,
    /// The crawl's figures in one Chinese sentence.
    crawl_line: String,
    /// The bounds the crawl hit, with example URLs.
    crawl_notes: Vec<CrawlNoteView>,
    items: Vec<ItemView<'a>>,
    /// Final score, to-do list and trend (extensions).
    ops: super::ops_view::UnitOpsView<'a>,
    annual_reports: Vec<AnnualYearView<'a>>,
    columns: Vec<ColumnView<'a>>,
    script_pages: Vec<ScriptPageView<'a>>,
}

/// One page whose list only a script shows, and how it was read.
#[derive(Serialize)]
struct ScriptPageView<'a> {
    url: &'a str,
    how: &'static str,
    source: Option<&'a str>,
    entries: usize,
}

impl<'a> ScriptPageView<'a> {
    fn new(p: &'a crate::site::ScriptPage) -> ScriptPageView<'a> {
        ScriptPageView {
            url: &p.url,
            how: if p.via == "rendered" {
                "无头浏览器渲染后读取"
            } else {
                "读取页面脚本调用的数据接口"
            },
            source: p.source.as_deref(),
            entries: p.entries,
        }
    }
}

/// One crawl note as the template shows it.
#[derive(Serialize)]
struct CrawlNoteView {
    message: String,
    setting: String,
    url: String,
    /// Only http(s) URLs become links.
    linkable: bool,
}

/// The crawl summary of a unit in one sentence: requests, downloads, 304s, reuse, bytes, errors, limits.
fn crawl_line(c: &super::CrawlSummary) -> String {
    let n = |k: &str| c.extra.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let mut line = format!(
        "请求 {} 次，完整下载 {} 个（{}），304 未修改 {} 个，沿用上次内容 {} 个，续跑接管 {} 个，抓取错误 {} 个",
        n("requests"),
        n("downloads"),
        fmt_bytes(n("bytes")),
        n("not_modified"),
        n("reused"),
        n("resumed"),
        c.errors
    );
    if n("sitemap_urls") > 0 {
        line.push_str(&format!("，经网站地图发现 {} 个", n("sitemap_urls")));
    }
    if n("robots_disallowed") > 0 {
        line.push_str(&format!("，robots.txt 禁止抓取 {} 个", n("robots_disallowed")));
    }
    let limits: Vec<String> = c
        .extra
        .get("limits_hit")
        .and_then(serde_json::Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let setting = serde_json::from_value::<crate::crawl::notes::Limit>(
                        serde_json::Value::String(k.clone()),
                    )
                    .map(|l| if l.setting().is_empty() { "无法解码的页面" } else { l.setting() })
                    .unwrap_or(k.as_str());
                    format!("{setting} {} 次", v.as_u64().unwrap_or(0))
                })
                .collect()
        })
        .unwrap_or_default();
    if limits.is_empty() {
        line.push_str("；未触及任何抓取限制。");
    } else {
        line.push_str(&format!("；触及抓取限制：{}。", limits.join("，")));
    }
    line
}

fn fmt_bytes(b: u64) -> String {
    match b {
        0..1024 => format!("{b} 字节"),
        1024..1_048_576 => format!("{:.1} KB", b as f64 / 1024.0),
        _ => format!("{:.1} MB", b as f64 / 1_048_576.0),
    }
}

fn crawl_notes(c: &super::CrawlSummary) -> Vec<CrawlNoteView> {
    let Some(notes) = c.extra.get("notes").and_then(serde_json::Value::as_array) else { return Vec::new() };
    notes
        .iter()
        .map(|n| {
            let s = |k: &str| n.get(k).and_then(serde_json::Value::as_str).unwrap_or("").to_string();
            let url = s("url");
            let lower = url.to_ascii_lowercase();
            CrawlNoteView {
                message: s("message"),
                setting: s("setting"),
                linkable: lower.starts_with("http://") || lower.starts_with("https://"),
                url,
            }
        })
        .collect()
}

/// One row of the 年报 table: display strings ready for the template.
#[derive(Serialize)]
struct AnnualYearView<'a> {
    year: i32,
    title: &'a str,
    url: &'a str,
    /// Only http(s) URLs become links.
    linkable: bool,
    published: &'a str,
    format: &'static str,
    on_time: &'static str,
    sections: &'static str,
    arithmetic: &'static str,
    similarity: String,
}

impl<'a> AnnualYearView<'a> {
    fn new(y: &'a super::AnnualReportYear) -> AnnualYearView<'a> {
        let yes_no = |v: Option<bool>, yes: &'static str, no: &'static str, none: &'static str| match v {
            Some(true) => yes,
            Some(false) => no,
            None => none,
        };
        let missing = y.url.is_none();
        let url = y.url.as_deref().unwrap_or("");
        AnnualYearView {
            year: y.year,
            title: y.title.as_deref().unwrap_or("未找到"),
            url,
            linkable: url.starts_with("http://") || url.starts_with("https://"),
            published: y.published.as_deref().unwrap_or("—"),
            format: y.format.map_or("—", |f| f.label()),
            on_time: if missing {
                "缺失"
            } else if y.published.is_none() {
                "未标日期"
            } else {
                yes_no(y.on_time, "按期", "逾期", "—")
            },
            sections: if missing { "—" } else { yes_no(y.sections_ok, "齐全", "缺项", "无法读取") },
            arithmetic: if missing {
                "—"
            } else {
                yes_no(y.arithmetic_ok, "一致", "不一致", "无法读取")
            },
            similarity: y.similarity.map_or_else(|| "—".to_string(), |s| format!("{:.0}%", s * 100.0)),
        }
    }
}

#[derive(Serialize)]
struct ColumnView<'a> {
    name: &'a str,
    url: &'a str,
    linkable: bool,
    /// Indentation in em for the column's level.
    indent: usize,
    level: usize,
    entries: usize,
    newest: &'a str,
    age: String,
    fetched: bool,
}

#[derive(Serialize)]
struct ItemView<'a> {
    id: &'a str,
    number: String,
    /// The section heading when it differs from the previous item's, to print a heading row.
    new_section: Option<&'a str>,
    title: &'a str,
    weight: String,
    methods_zh: String,
    status: &'static str,
    status_zh: &'static str,
    score: String,
    explanation: &'a str,
    findings: Vec<FindingView<'a>>,
    /// The inspector's score, when a manual file was merged.
    manual: Option<super::ops_view::ManualView<'a>>,
}

#[derive(Serialize)]
struct FindingView<'a> {
    check: &'a str,
    status: &'static str,
    status_zh: &'static str,
    message: &'a str,
    evidence: Vec<EvidenceView<'a>>,
}

#[derive(Serialize)]
struct EvidenceView<'a> {
    url: &'a str,
    /// Only http(s) URLs become links.
    linkable: bool,
    fetched_at: &'a str,
    sha256: &'a str,
    sha256_short: String,
    excerpt: &'a str,
}

impl<'a> View<'a> {
    fn new(report: &'a AuditReport) -> View<'a> {
        View {
            tool_name: &report.tool.name,
            tool_version: &report.tool.version,
            as_of: &report.as_of,
            generated_at: &report.generated_at,
            notes: &report.notes,
            units: report.units.iter().map(UnitView::new).collect(),
            has_final: report.units.iter().any(|u| u.score.final_score.is_some()),
        }
    }
}

impl<'a> UnitView<'a> {
    fn new(unit: &'a UnitReport) -> UnitView<'a> {
        let s = &unit.score;
        let mut last_section = "";
        let items = unit
            .items
            .iter()
            .map(|item| {
                let new_section = (item.section != last_section).then_some(item.section.as_str());
                last_section = &item.section;
                ItemView::new(item, new_section)
            })
            .collect();
        UnitView {
            id: &unit.id,
            name: &unit.name,
            kind_zh: unit.kind.label_zh(),
            online_earned: fmt_points(s.online_earned),
            online_max: fmt_points(s.online_max),
            manual_max: fmt_points(s.manual_max),
            error_max: fmt_points(s.error_max),
            onsite_max: fmt_points(s.onsite_max),
            pass: unit.count(Status::Pass),
            partial: unit.count(Status::Partial),
            fail: unit.count(Status::Fail),
            manual: unit.count(Status::Manual),
            onsite: unit.count_onsite(),
            error: unit.count(Status::Error),
            not_applicable: unit.count(Status::NotApplicable),
            pages: unit.crawl.pages,
            crawl_errors: unit.crawl.errors,
            crawl_line: crawl_line(&unit.crawl),
            crawl_notes: crawl_notes(&unit.crawl),
            items,
            ops: super::ops_view::unit_ops_view(unit),
            annual_reports: unit.annual_reports.iter().map(AnnualYearView::new).collect(),
            script_pages: unit.script_pages.iter().map(ScriptPageView::new).collect(),
            columns: unit
                .columns
                .iter()
                .map(|c| {
                    let lower = c.url.trim_start().to_ascii_lowercase();
                    ColumnView {
                        name: &c.name,
                        url: &c.url,
                        linkable: lower.starts_with("http://") || lower.starts_with("https://"),
                        indent: c.level.saturating_sub(1) * 2,
                        level: c.level,
                        entries: c.entries,
                        newest: c.newest.as_deref().unwrap_or("—"),
                        age: c.age_days.map(|a| format!("{a}天")).unwrap_or_else(|| "—".into()),
                        fetched: c.fetched,
                    }
                })
                .collect(),
        }
    }
}

impl<'a> ItemView<'a> {
    fn new(item: &'a ItemScore, new_section: Option<&'a str>) -> ItemView<'a> {
        ItemView {
            id: &item.id,
            number: item_number(&item.id),
            new_section,
            title: &item.title,
            weight: fmt_points(item.weight),
            methods_zh: item.methods.iter().map(|m| m.label_zh()).collect::<Vec<_>>().join("、"),
            status: item.status.as_str(),
            status_zh: item.status.label_zh(),
            score: item.score.map(fmt_points).unwrap_or_else(|| "—".to_string()),
            explanation: &item.explanation,
            findings: item.findings.iter().map(FindingView::new).collect(),
            manual: super::ops_view::manual_view(item.manual.as_ref()),
        }
    }
}

impl<'a> FindingView<'a> {
    fn new(f: &'a Finding) -> FindingView<'a> {
        FindingView {
            check: &f.check,
            status: f.status.as_str(),
            status_zh: f.status.label_zh(),
            message: &f.message,
            evidence: f.evidence.iter().map(EvidenceView::new).collect(),
        }
    }
}

impl<'a> EvidenceView<'a> {
    fn new(e: &'a Evidence) -> EvidenceView<'a> {
        let lower = e.url.trim_start().to_ascii_lowercase();
        EvidenceView {
            url: &e.url,
            linkable: lower.starts_with("http://") || lower.starts_with("https://"),
            fetched_at: &e.fetched_at,
            sha256: &e.sha256,
            sha256_short: e.sha256.chars().take(12).collect(),
            excerpt: &e.excerpt,
        }
    }
}

/// "共性 1", "街镇 3", "部门 5": the document's own numbering within each part.
pub(super) fn item_number(id: &str) -> String {
    let (part, n) = id.split_once('-').unwrap_or((id, ""));
    let part = match part {
        "common" => "共性",
        "street" => "街镇",
        "department" => "部门",
        other => other,
    };
    format!("{part} {}", n.trim_start_matches('0'))
}

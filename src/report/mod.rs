//! Reports: report.json (CONTRACT.md) and the self-contained HTML report.
//!
//! One model, [`AuditReport`], serialises to report.json exactly as the contract writes it; every
//! output format is a [`Renderer`] of that model, so a new format is one new file and all formats show
//! the same facts. [`summary_text`] is the one-screen Chinese summary printed at the end of an audit.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::checks::annual_report_index::AnnualReportYear;
use crate::config::{Unit, UnitKind};
use crate::findings::Status;
use crate::rubric::fmt_points;
use crate::score::{ItemScore, ScoreSummary, UnitScore};

mod html;
mod json;
mod ops_view;

pub use html::HtmlRenderer;
pub use json::JsonRenderer;

/// The tool that wrote the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// Always `zwgk-audit`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Default for Tool {
    fn default() -> Tool {
        Tool { name: env!("CARGO_PKG_NAME").to_string(), version: env!("CARGO_PKG_VERSION").to_string() }
    }
}

/// What the crawl of one unit did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CrawlSummary {
    /// Pages fetched (responses stored).
    pub pages: u64,
    /// Fetches that failed (network faults, HTTP errors).
    pub errors: u64,
    /// Extra crawl facts (extension of the contract), e.g. `{"skipped_robots": 3}`.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One audited unit: an element of report.json's `units`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitReport {
    /// The unit's id from the units file.
    pub id: String,
    /// The unit's Chinese name.
    pub name: String,
    /// street | department | village.
    pub kind: UnitKind,
    /// What the crawl did.
    pub crawl: CrawlSummary,
    /// The provisional score.
    pub score: ScoreSummary,
    /// Every rubric item, in rubric order.
    pub items: Vec<ItemScore>,
    /// The unit's scores in recent runs, oldest first, this run last (extension; see [`crate::history`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trend: Vec<crate::history::TrendPoint>,
    /// What to fix, most points at stake first (extension; see [`crate::todo`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub todo: Vec<crate::todo::TodoEntry>,
    /// The unit's 年报 by year, newest first (extension of the contract); omitted when none was found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annual_reports: Vec<AnnualReportYear>,
    /// The 专栏's column tree, parents before children (extension of the contract).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnNode>,
    /// Pages whose list only a script shows, and how each was read: through the data API the script
    /// calls, or rendered in a headless browser (extension of the contract).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub script_pages: Vec<crate::site::ScriptPage>,
}

/// One column of the unit's column tree as report.json shows it (extension of the contract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnNode {
    /// The name shown in the navigation.
    pub name: String,
    /// The column's URL.
    pub url: String,
    /// The parent column's URL; `null` for a first-level column.
    pub parent: Option<String>,
    /// 1 for a first-level column, 2 for its sub-columns, …
    pub level: usize,
    /// Entries found over all the column's list pages.
    pub entries: usize,
    /// The newest entry's date (or, for a single-page column, its 更新日期), `YYYY-MM-DD`.
    pub newest: Option<String>,
    /// Days from `newest` to the audit date.
    pub age_days: Option<i64>,
    /// List pages read (the column page, its paging pages and list frames).
    pub list_pages: usize,
    /// Whether the column page opened.
    pub fetched: bool,
}

impl ColumnNode {
    /// The tree of a unit's site, parents before children, as of the audit date.
    pub fn tree(site: &crate::site::UnitSite, as_of: chrono::NaiveDate) -> Vec<ColumnNode> {
        let node = |c: &crate::site::Column| {
            let newest = c.newest();
            ColumnNode {
                // Page text: personal numbers masked, as everywhere else in the report.
                name: crate::checks::pii_leak::mask_pii(&c.name),
                url: c.url.clone(),
                parent: c.parent.clone(),
                level: c.level,
                entries: c.entries.len(),
                newest: newest.map(|d| d.format("%Y-%m-%d").to_string()),
                age_days: newest.map(|d| (as_of - d).num_days()),
                list_pages: c.list_pages.len(),
                fetched: c.fetched,
            }
        };
        // Depth first from the first-level columns, in discovery order.
        let mut out = Vec::with_capacity(site.columns.len());
        let mut stack: Vec<&crate::site::Column> =
            site.columns.iter().filter(|c| c.parent.is_none()).rev().collect();
        let mut done = std::collections::HashSet::new();
        while let Some(c) = stack.pop() {
            if !done.insert(c.url.as_str()) {
                continue;
            }
            out.push(node(c));
            stack.extend(site.children(&c.url).into_iter().rev());
        }
        out
    }
}

impl UnitReport {
    /// Assembles a unit's report from its config, its crawl summary and its scored rubric.
    pub fn new(unit: &Unit, crawl: CrawlSummary, scored: UnitScore) -> UnitReport {
        UnitReport {
            id: unit.id.clone(),
            name: unit.name.clone(),
            kind: unit.kind,
            crawl,
            score: scored.score,
            items: scored.items,
            trend: Vec::new(),
            todo: Vec::new(),
            annual_reports: Vec::new(),
            script_pages: Vec::new(),
            columns: Vec::new(),
        }
    }

    /// The same report with the unit's column tree.
    pub fn with_columns(mut self, columns: Vec<ColumnNode>) -> UnitReport {
        self.columns = columns;
        self
    }

    /// How many items have this status.
    pub fn count(&self, status: Status) -> usize {
        self.items.iter().filter(|i| i.status == status).count()
    }

    /// How many items are left to the on-site inspection (实地测评 only; their status is manual).
    pub fn count_onsite(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.status == Status::Manual && !i.methods.contains(&crate::rubric::Method::Online))
            .count()
    }
}

/// The whole report: the root object of report.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    /// The tool that wrote it.
    pub tool: Tool,
    /// The date every timeliness rule took as "today", `YYYY-MM-DD`.
    pub as_of: String,
    /// When the report was written, RFC 3339 in +08:00.
    pub generated_at: String,
    /// The audited units, in units-file order.
    pub units: Vec<UnitReport>,
    /// Notes for the reader in Chinese (extension of the contract), e.g. the rubric's
    /// [`crate::rubric::Rubric::warnings`]; omitted from report.json when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl AuditReport {
    /// A report by this tool, generated now, for audits as of `as_of` (`YYYY-MM-DD`).
    pub fn new(as_of: impl Into<String>, units: Vec<UnitReport>) -> AuditReport {
        AuditReport {
            tool: Tool::default(),
            as_of: as_of.into(),
            generated_at: now_rfc3339(),
            units,
            notes: Vec::new(),
        }
    }
}

/// The current time in Asia/Shanghai (UTC+8, no daylight saving), RFC 3339, e.g.
/// `2021-11-25T02:00:00+08:00`.
pub fn now_rfc3339() -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset");
    chrono::Utc::now().with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A report that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The output directory or a file in it could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The report could not be serialised to JSON.
    #[error("cannot serialise the report to JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The HTML template could not be loaded or rendered.
    #[error("HTML template `{template}`: {source}")]
    Template {
        /// The template's name.
        template: String,
        /// minijinja's error, with the template line when known.
        source: minijinja::Error,
    },
}

/// One output format of the report.
pub trait Renderer {
    /// The file the format is written to inside the output directory, e.g. `report.json`.
    fn file_name(&self) -> &str;
    /// Renders the whole report.
    fn render(&self, report: &AuditReport) -> Result<String, ReportError>;
}

/// Writes report.json and report.html into `out_dir` (created if missing); returns the files written.
pub fn write_reports(out_dir: &Path, report: &AuditReport) -> Result<Vec<PathBuf>, ReportError> {
    let renderers: [&dyn Renderer; 2] = [&JsonRenderer, &HtmlRenderer::default()];
    write_reports_with(out_dir, report, &renderers)
}

/// Writes the report in each of `renderers`' formats into `out_dir`; returns the files written.
///
/// Each file is written to a temporary name first and then renamed, so a reader never sees half a report.
pub fn write_reports_with(
    out_dir: &Path,
    report: &AuditReport,
    renderers: &[&dyn Renderer],
) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(out_dir)
        .map_err(|source| ReportError::Write { path: out_dir.to_path_buf(), source })?;
    let mut written = Vec::with_capacity(renderers.len());
    for renderer in renderers {
        let text = renderer.render(report)?;
        let path = out_dir.join(renderer.file_name());
        let tmp = out_dir.join(format!(".{}.tmp", renderer.file_name()));
        std::fs::write(&tmp, text).map_err(|source| ReportError::Write { path: tmp.clone(), source })?;
        std::fs::rename(&tmp, &path).map_err(|source| ReportError::Write { path: path.clone(), source })?;
        written.push(path);
    }
    Ok(written)
}

/// The one-screen Chinese summary printed at the end of an audit: each unit's provisional score,
/// its items by status, and where the reports are.
pub fn summary_text(report: &AuditReport, out_dir: &Path) -> String {
    let mut out = format!(
        "测评完成（测评基准日 {}，生成于 {}）。以下为网上测评暂定得分，不含实地测评及需人工评判的指标。\n",
        report.as_of, report.generated_at
    );
    for note in &report.notes {
        out.push_str(&format!("注意：{note}\n"));
    }
    if report.units.is_empty() {
        out.push_str("未测评任何单位。\n");
    }
    for unit in &report.units {
        let s = &unit.score;
        out.push_str(&format!(
            "\n{}（{}，{}）\n  网上测评暂定得分：{} / {} 分（自动评判部分）；需人工评判 {} 分，无法判定 {} 分，实地测评 {} 分\n",
            unit.name,
            unit.id,
            unit.kind.label_zh(),
            fmt_points(s.online_earned),
            fmt_points(s.online_max),
            fmt_points(s.manual_max),
            fmt_points(s.error_max),
            fmt_points(s.onsite_max),
        ));
        let onsite = unit.count_onsite();
        out.push_str(&format!(
            "  指标：符合 {}，部分符合 {}，不符合 {}，需人工评判 {}，无法判定 {}，实地测评 {}\n",
            unit.count(Status::Pass),
            unit.count(Status::Partial),
            unit.count(Status::Fail),
            unit.count(Status::Manual) - onsite,
            unit.count(Status::Error),
            onsite,
        ));
        out.push_str(&format!("  抓取页面 {} 个，抓取错误 {} 个\n", unit.crawl.pages, unit.crawl.errors));
    }
    out.push_str(&format!(
        "\n报告已写入 {}：report.json（数据）、report.html（可离线阅读、打印）。\n",
        out_dir.display()
    ));
    out
}

#[cfg(test)]
mod tests;

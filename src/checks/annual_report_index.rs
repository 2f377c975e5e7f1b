//! Every 政府信息公开工作年度报告 a unit's 专栏 shows, by year: the shared input of the 年报 checks and of
//! the per-year table in the reports.
//!
//! An inspector opens the 年报 column and every report title in the 专栏, whatever form it takes: an HTML
//! page, a PDF, DOC, DOCX or WPS attachment linked from a list, or a page whose body is only a link to
//! such an attachment (which then counts as that attachment). For each report this module keeps its
//! URL, publication date, format, and, when its content could be read, the report as the extractors see
//! it and its text.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::decl::KindParams;
use super::{CheckSet, Context, annual_report, annual_report_tables};
use crate::extract::annual_report::report_year;
use crate::extract::annual_report_text::annual_report_from_text;
use crate::extract::{AnnualReport, PageFacts};
use crate::site::UnitSite;

static YEAR_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("static regex"));

/// The form a report is published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// An HTML page with the report in its body.
    Html,
    /// A PDF attachment.
    Pdf,
    /// A Word 97-2003 attachment.
    Doc,
    /// A Word attachment.
    Docx,
    /// A WPS attachment.
    Wps,
    /// An OFD attachment.
    Ofd,
    /// Another attachment type.
    Other,
}

impl ReportFormat {
    /// The format of an attachment URL by its extension.
    pub fn of_url(url: &str) -> ReportFormat {
        let path = url.split(['?', '#']).next().unwrap_or(url).to_ascii_lowercase();
        match path.rsplit('.').next().unwrap_or("") {
            "pdf" => ReportFormat::Pdf,
            "doc" => ReportFormat::Doc,
            "docx" => ReportFormat::Docx,
            "wps" => ReportFormat::Wps,
            "ofd" => ReportFormat::Ofd,
            "html" | "htm" | "shtml" | "jsp" | "php" | "aspx" | "asp" => ReportFormat::Html,
            _ => ReportFormat::Other,
        }
    }

    /// The name shown in reports.
    pub fn label(self) -> &'static str {
        match self {
            ReportFormat::Html => "网页",
            ReportFormat::Pdf => "PDF",
            ReportFormat::Doc => "DOC",
            ReportFormat::Docx => "DOCX",
            ReportFormat::Wps => "WPS",
            ReportFormat::Ofd => "OFD",
            ReportFormat::Other => "附件",
        }
    }
}

/// One report found in the 专栏.
#[derive(Debug, Clone)]
pub struct FoundReport {
    /// The year it covers.
    pub year: i32,
    /// Its title (the list entry's, the page's, or the link's).
    pub title: String,
    /// The report itself: the HTML page, or the attachment it is published as.
    pub url: String,
    /// A fetched page that shows it (the report page, or the page or list linking the attachment).
    pub seen_on: String,
    /// Publication date: the page's, else the list entry's.
    pub published: Option<NaiveDate>,
    /// The form it is published in.
    pub format: ReportFormat,
    /// What the extractors read in it, when its content was readable.
    pub report: Option<AnnualReport>,
    /// Its text, when readable.
    pub text: Option<String>,
    /// Why its content could not be read, in Chinese, when it could not.
    pub unreadable: Option<String>,
}

impl FoundReport {
    /// The URL to cite: the report itself when it was fetched, else the page that showed it.
    pub fn evidence_url<'a>(&'a self, site: &UnitSite) -> &'a str {
        if site.page(&self.url).is_some_and(|p| p.record.is_ok()) { &self.url } else { &self.seen_on }
    }
}

/// Whether a title names a report; its year if so.
pub fn title_year(title: &str, words: &[String]) -> Option<i32> {
    report_year(title).or_else(|| {
        if !words.iter().any(|w| title.contains(w.as_str())) {
            return None;
        }
        YEAR_RE.captures(title).and_then(|c| c[1].parse().ok())
    })
}

/// The attachment a report page is only a wrapper for: the page has no section of its own and no table,
/// and links a document attachment.
fn wrapped_attachment(facts: &PageFacts) -> Option<&crate::extract::Link> {
    let r = facts.annual_report.as_ref();
    let empty = r.is_none_or(|r| r.sections.len() < 2 && r.applications.is_none());
    if !empty {
        return None;
    }
    facts.attachments.iter().find(|a| {
        matches!(
            ReportFormat::of_url(&a.url),
            ReportFormat::Pdf
                | ReportFormat::Doc
                | ReportFormat::Docx
                | ReportFormat::Wps
                | ReportFormat::Ofd
        )
    })
}

/// Reads one candidate: `url` named by `title`, seen on `seen_on` with date `date`.
fn read(
    site: &UnitSite,
    year: i32,
    title: &str,
    url: &str,
    seen_on: &str,
    date: Option<NaiveDate>,
) -> FoundReport {
    let mut found = FoundReport {
        year,
        title: title.to_string(),
        url: url.to_string(),
        seen_on: seen_on.to_string(),
        published: date,
        format: ReportFormat::of_url(url),
        report: None,
        text: None,
        unreadable: None,
    };
    let Some(page) = site.page(url).filter(|p| p.record.is_ok()) else {
        found.unreadable = Some("报告页面或附件未能抓取".into());
        if found.format == ReportFormat::Other {
            found.format = ReportFormat::Html;
        }
        return found;
    };
    if let Some(facts) = &page.facts {
        found.published = facts.fields.publish_date.or(facts.publish_date).or(date);
        if let Some(att) = wrapped_attachment(facts) {
            let inner = read(site, year, title, &att.url, url, found.published);
            return FoundReport { published: found.published, ..inner };
        }
        found.format = ReportFormat::Html;
        // The report's own text starts at its first section: navigation and footer are not the report.
        let start = facts
            .annual_report
            .as_ref()
            .and_then(|r| r.sections.first())
            .and_then(|h| facts.text.find(h.as_str()))
            .unwrap_or(0);
        found.text = Some(facts.text[start..].to_string());
        found.report = facts.annual_report.clone().filter(|r| r.year == year).or_else(|| {
            // A page whose title names the report in other words: read it as a report of that year.
            annual_report_from_text(Some(&format!("{year}年政府信息公开工作年度报告")), &facts.text)
                .map(|r| AnnualReport { applications: None, review: None, proactive: None, ..r })
        });
        return found;
    }
    if found.format == ReportFormat::Other {
        found.format = match crate::attachments::sniff(&page.record.body) {
            crate::attachments::Format::Pdf => ReportFormat::Pdf,
            crate::attachments::Format::Docx => ReportFormat::Docx,
            crate::attachments::Format::Ofd => ReportFormat::Ofd,
            crate::attachments::Format::Doc | crate::attachments::Format::LegacyOffice => ReportFormat::Doc,
            _ => ReportFormat::Other,
        };
    }
    match &page.attachment_text {
        Some(text) => {
            let as_title = format!("{year}年政府信息公开工作年度报告");
            found.report = annual_report_from_text(Some(&as_title), text);
            found.text = Some(text.clone());
        }
        None => {
            found.unreadable = Some(match &page.attachment_note {
                Some(n) => n.label_zh(),
                None => "附件无可读取的文字".into(),
            });
        }
    }
    found
}

/// Every report found, by year; within a year the best copy first (content read, then earliest date).
pub fn find_reports(site: &UnitSite, words: &[String]) -> BTreeMap<i32, Vec<FoundReport>> {
    let mut by_year: BTreeMap<i32, Vec<FoundReport>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |f: FoundReport| {
        if seen.insert(f.url.clone()) {
            by_year.entry(f.year).or_default().push(f);
        }
    };
    for doc in site.titled_docs() {
        let year = title_year(&doc.title, words).or_else(|| {
            site.page(&doc.url)
                .and_then(|p| p.facts.as_ref())
                .and_then(|f| f.annual_report.as_ref())
                .map(|r| r.year)
        });
        if let Some(year) = year {
            add(read(site, year, &doc.title, &doc.url, &doc.seen_on, doc.date));
        }
    }
    // Attachments linked from any page under a report's name (not only from lists).
    for (page, facts) in site.html_pages() {
        for a in &facts.attachments {
            if let Some(year) = title_year(&a.text, words) {
                let date = facts.fields.publish_date.or(facts.publish_date);
                add(read(site, year, &a.text, &a.url, &page.record.url, date));
            }
        }
    }
    for v in by_year.values_mut() {
        // Content that shows neither the format's sections nor table 三 is not judged as a report (a
        // 统计年报 named like one, a cover page): the checks then say it could not be read, never that it
        // failed.
        for f in v.iter_mut() {
            if f.report.as_ref().is_some_and(|r| r.sections.len() < 2 && r.applications.is_none()) {
                f.report = None;
                f.unreadable.get_or_insert_with(|| "未能从其内容中识别出年度报告的章节和表格".into());
            }
        }
        v.sort_by_key(|f| (f.report.is_none(), f.published.is_none(), f.published));
    }
    by_year
}

/// One year of a unit's 年报 as the reports show it (report.json `annual_reports`, an extension of the
/// contract). A year with no report has only `year`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualReportYear {
    /// The year the report covers.
    pub year: i32,
    /// The report's URL (the attachment when it is published as one).
    pub url: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// html | pdf | doc | docx | wps | ofd | other.
    pub format: Option<ReportFormat>,
    /// Published by the deadline; `null` when undated or missing.
    pub on_time: Option<bool>,
    /// The six sections present in order; `null` when the report could not be read.
    pub sections_ok: Option<bool>,
    /// Every identity holds; `null` when the tables could not be read.
    pub arithmetic_ok: Option<bool>,
    /// Similarity (Jaccard index, 0–1) with the previous year's report, when both could be read.
    pub similarity: Option<f64>,
}

/// The per-year table of a unit: every year from the first report found to the year before `--as-of`,
/// judged with the parameters of the first `annual-report` and `annual-report-tables` (similarity)
/// declarations of `checks` (defaults when there are none).
pub fn year_table(checks: &CheckSet, ctx: &Context<'_>) -> Vec<AnnualReportYear> {
    let deadlines = checks.checks.iter().find_map(|c| match &c.params {
        KindParams::AnnualReport(p) => Some(p),
        _ => None,
    });
    let tables = checks
        .checks
        .iter()
        .filter_map(|c| match &c.params {
            KindParams::AnnualReportTables(p) => Some(p),
            _ => None,
        })
        .find(|p| p.aspect == annual_report_tables::Aspect::Similarity)
        .cloned()
        .unwrap_or_default();
    let words = deadlines.map_or_else(|| tables.title_words.clone(), |p| p.title_words.clone());
    let reports = find_reports(ctx.site, &words);
    let last = chrono::Datelike::year(&ctx.as_of) - 1;
    let Some(&first) = reports.keys().next() else { return Vec::new() };
    // Last year's report is not missing before its deadline.
    let not_due = deadlines.is_some_and(|p| ctx.as_of <= p.deadline_for(ctx.site.unit.kind, last));
    let last = if not_due && !reports.contains_key(&last) { last - 1 } else { last };
    (first..=last.max(first))
        .rev()
        .map(|year| {
            let Some(r) = reports.get(&year).and_then(|v| v.first()) else {
                return AnnualReportYear {
                    year,
                    url: None,
                    title: None,
                    published: None,
                    format: None,
                    on_time: None,
                    sections_ok: None,
                    arithmetic_ok: None,
                    similarity: None,
                };
            };
            let prev = reports.get(&(year - 1)).and_then(|v| v.first());
            let (sections_ok, arithmetic_ok) = annual_report_tables::year_status(r, prev);
            let on_time =
                deadlines.and_then(|p| annual_report::on_time(p, ctx.site.unit.kind, year, r.published));
            AnnualReportYear {
                year,
                url: Some(r.url.clone()),
                title: Some(r.title.clone()),
                published: r.published.map(|d| d.format("%Y-%m-%d").to_string()),
                format: Some(r.format),
                on_time,
                sections_ok,
                arithmetic_ok,
                similarity: annual_report_tables::similarity_with_previous(&tables, &reports, year),
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "annual_fixtures_tests.rs"]
mod fixtures_tests;

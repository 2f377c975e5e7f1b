//! `annual-report-tables`: what a 年报 says, read the way an inspector reads it, one `aspect` per
//! declaration.
//!
//! **What it checks.** For each report of [`super::annual_report_index`] (HTML or attachment text), years
//! `as_of − 1` back `history_years`:
//! - `arithmetic` (tolerance 0): per applicant column, 本年新收 + 上年结转 = （七）总计 + 结转下年度继续办理;
//!   the result rows （一）…（六） add up to （七）总计; per row, the applicant columns add up to 总计;
//!   table 四's groups (行政复议, 直接起诉, 复议后起诉) 维持 + 纠正 + 其他 + 尚未审结 = 总计; this year's
//!   上年结转 equals last year's 结转下年度; the numbers quoted in the text (本年新收…件, 行政复议…件) equal
//!   the tables. Each broken identity names its cells and their values.
//! - `sections`: the six sections of the format, present and in order (matched loosely).
//! - `similarity`: the prose compared with last year's report (character shingles, Jaccard index); from
//!   `similarity_threshold` on, a failure showing the longest passages repeated word for word.
//!
//! A report or table that cannot be read is `error` (the tool could not judge), never a failure.
//!
//! **Why.** 国办公开办函〔2019〕60号 and 〔2021〕30号 (the template prints the first identity; 30号 names
//! 内容雷同 as misconduct); rubric item common-27 (数据公开符合逻辑，内容公开杜绝雷同).
//!
//! **Passes.** 新收 14, 上年结转 1, 总计 14, 结转下年 1 (14 + 1 = 14 + 1), results summing to 14.
//!
//! **Fails.** 予以公开 自然人 5 + 商业企业 1 but 总计 printed 7.

use std::collections::BTreeMap;

use std::sync::LazyLock;

use chrono::Datelike;
use regex::Regex;
use serde::Deserialize;

use super::annual_report_index::{FoundReport, find_reports};
use super::annual_report_similarity::{jaccard, prose, repeated_passages};
use super::{Context, Verdict, finding};
use crate::extract::annual_report::section_index;
use crate::extract::{AnnualReport, Review};
use crate::findings::{Finding, Status};

/// Column names of table 三, in the extractor's order.
pub const COLUMNS: [&str; 7] =
    ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"];

/// What of the 年报 a declaration judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aspect {
    /// The identities of tables 三 and 四, last year's carry-over, the numbers quoted in the text.
    #[default]
    Arithmetic,
    /// The six sections of the format, present and in order.
    Sections,
    /// The text compared with last year's report (内容雷同).
    Similarity,
}

/// Parameters of `annual-report-tables`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// What is judged.
    #[serde(default)]
    pub aspect: Aspect,
    /// Earlier years also judged.
    #[serde(default = "default_history")]
    pub history_years: u32,
    /// Words naming a report in a title.
    #[serde(default = "default_words")]
    pub title_words: Vec<String>,
    /// Similarity (Jaccard index of shingles) from which a report counts as copied.
    #[serde(default = "default_threshold")]
    pub similarity_threshold: f64,
    /// Shingle length in characters.
    #[serde(default = "default_shingle")]
    pub shingle: usize,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            aspect: Aspect::Arithmetic,
            history_years: default_history(),
            title_words: default_words(),
            similarity_threshold: default_threshold(),
            shingle: default_shingle(),
        }
    }
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(self.similarity_threshold > 0.0 && self.similarity_threshold <= 1.0) {
            return Err("`similarity_threshold` must be in (0, 1]".into());
        }
        if !(2..=20).contains(&self.shingle) {
            return Err("`shingle` must be between 2 and 20".into());
        }
        if self.history_years > 30 {
            return Err("`history_years` must be at most 30".into());
        }
        Ok(())
    }
}

fn default_history() -> u32 {
    2
}

fn default_words() -> Vec<String> {
    ["年度报告", "年报"].map(String::from).to_vec()
}

fn default_threshold() -> f64 {
    0.8
}

fn default_shingle() -> usize {
    5
}

type Rows = BTreeMap<String, Vec<Option<i64>>>;

fn cell(rows: &Rows, key: &str, col: usize) -> Option<i64> {
    rows.get(key).and_then(|r| r.get(col).copied().flatten())
}

const RESULT_PREFIXES: [&str; 6] =
    ["granted", "partially_granted", "withheld_", "unavailable_", "not_processed_", "other_"];

fn is_result_row(key: &str) -> bool {
    RESULT_PREFIXES.iter().any(|p| if p.ends_with('_') { key.starts_with(p) } else { key == *p })
}

/// The broken identities of one table 三, in Chinese, and whether some cell was unreadable.
pub fn table_errors(rows: &Rows) -> (Vec<String>, bool) {
    let mut errors = Vec::new();
    let mut unreadable = false;
    for (c, name) in COLUMNS.iter().enumerate() {
        let parts = [
            cell(rows, "new_requests", c),
            cell(rows, "carried_over", c),
            cell(rows, "total", c),
            cell(rows, "carried_forward", c),
        ];
        match parts {
            [Some(a), Some(b), Some(t), Some(f)] if a + b != t + f => errors.push(format!(
                "“{name}”列：本年新收({a})+上年结转({b})={}，而办理结果总计({t})+结转下年度({f})={}",
                a + b,
                t + f
            )),
            [Some(_), Some(_), Some(_), Some(_)] => {}
            _ => unreadable = true,
        }
        let results: Vec<Option<i64>> =
            rows.iter().filter(|(k, _)| is_result_row(k)).map(|(_, v)| v.get(c).copied().flatten()).collect();
        match (results.iter().copied().sum::<Option<i64>>(), cell(rows, "total", c)) {
            (Some(sum), Some(t)) if !results.is_empty() && sum != t => {
                errors.push(format!("“{name}”列：各项办理结果合计{sum}，与（七）总计{t}不符"))
            }
            (None, _) | (_, None) => unreadable = true,
            _ => {}
        }
    }
    for (key, values) in rows {
        if values.len() < 7 || values.iter().any(Option::is_none) {
            unreadable = true;
            continue;
        }
        let sum: i64 = values[..6].iter().flatten().sum();
        let total = values[6].unwrap_or_default();
        if sum != total {
            errors.push(format!("“{}”行：各类申请人合计{sum}，与总计{total}不符", row_label(key)));
        }
    }
    (errors, unreadable)
}

/// The Chinese label of a canonical row key.
pub fn row_label(key: &str) -> String {
    let fixed = [
        ("new_requests", "本年新收"),
        ("carried_over", "上年结转"),
        ("granted", "予以公开"),
        ("partially_granted", "部分公开"),
        ("total", "总计"),
        ("carried_forward", "结转下年度继续办理"),
    ];
    if let Some((_, l)) = fixed.iter().find(|(k, _)| *k == key) {
        return (*l).to_string();
    }
    let groups = [
        ("withheld_", "不予公开"),
        ("unavailable_", "无法提供"),
        ("not_processed_", "不予处理"),
        ("other_", "其他处理"),
    ];
    for (prefix, label) in groups {
        if let Some(n) = key.strip_prefix(prefix) {
            return format!("{label}第{n}项");
        }
    }
    key.to_string()
}

/// The broken identities of table 四: per group 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计.
pub fn review_errors(review: &Review) -> (Vec<String>, bool) {
    let groups = [
        ("行政复议", &review.reconsideration),
        ("行政诉讼（未经复议直接起诉）", &review.lawsuit_direct),
        ("行政诉讼（复议后起诉）", &review.lawsuit_after_reconsideration),
    ];
    let mut errors = Vec::new();
    let mut unreadable = false;
    for (name, v) in groups {
        match v.as_slice() {
            [Some(a), Some(b), Some(c), Some(d), Some(t)] if a + b + c + d != *t => errors.push(format!(
                "第四部分“{name}”：结果维持({a})+结果纠正({b})+其他结果({c})+尚未审结({d})={}，与总计({t})不符",
                a + b + c + d
            )),
            [Some(_), Some(_), Some(_), Some(_), Some(_)] => {}
            _ => unreadable = true,
        }
    }
    (errors, unreadable)
}

static QUOTED: LazyLock<[(Regex, &'static str); 5]> = LazyLock::new(|| {
    let re = |s: &str| Regex::new(s).expect("static regex");
    [
        (re(r"本年度?新收(?:到)?(?:政府信息公开)?申请(?:共|合计)?(\d+)件"), "本年新收"),
        (re(r"(?:共|累计)收到(?:政府信息公开)?申请(?:共|合计)?(\d+)件"), "本年新收"),
        (re(r"上年结转(?:政府信息公开)?(?:申请)?(\d+)件"), "上年结转"),
        (re(r"行政复议(?:案件|申请)?(?:共|合计)?(\d+)(?:件|起)"), "行政复议"),
        (re(r"行政诉讼(?:案件)?(?:共|合计)?(\d+)(?:件|起)"), "行政诉讼"),
    ]
});

/// Numbers the text quotes that differ from the tables: “正文称本年新收申请20件，表格为18件”.
pub fn quoted_errors(text: &str, report: &AnnualReport) -> Vec<String> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let apps = report.applications.as_ref();
    let total = |k: &str| apps.and_then(|a| cell(&a.rows, k, 6));
    let review = report.review.as_ref();
    let sum5 = |v: &Vec<Option<i64>>| v.get(4).copied().flatten();
    let mut errors = Vec::new();
    let mut said = std::collections::HashSet::new();
    for (re, what) in QUOTED.iter() {
        let Some(c) = re.captures(&text) else { continue };
        let Ok(n) = c[1].parse::<i64>() else { continue };
        let table = match *what {
            "本年新收" => total("new_requests"),
            "上年结转" => total("carried_over"),
            "行政复议" => review.and_then(|r| sum5(&r.reconsideration)),
            _ => {
                review.and_then(|r| Some(sum5(&r.lawsuit_direct)? + sum5(&r.lawsuit_after_reconsideration)?))
            }
        };
        if let Some(t) = table
            && t != n
            && said.insert(*what)
        {
            errors.push(format!("正文称“{}”，与表格中的{what}总计({t})不符", &c[0]));
        }
    }
    errors
}

/// The reports judged: the best copy of each year from last year back `history_years`.
fn judged(p: &Params, ctx: &Context<'_>) -> (BTreeMap<i32, Vec<FoundReport>>, Vec<i32>) {
    let reports = find_reports(ctx.site, &p.title_words);
    let last = ctx.as_of.year() - 1;
    let years = (0..=p.history_years as i32).map(|k| last - k).filter(|y| reports.contains_key(y)).collect();
    (reports, years)
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let (reports, years) = judged(p, ctx);
    if years.is_empty() {
        let msg = "未找到近年的政府信息公开工作年度报告，无法核对年报内容，需人工核对";
        return Verdict::uncredited(id, Status::Manual, msg, site.root_evidence("专栏首页"));
    }
    let mut findings: Vec<Finding> = Vec::new();
    let mut credits: Vec<f64> = Vec::new();
    for y in years {
        let r = &reports[&y][0];
        let prev = reports.get(&(y - 1)).map(|v| &v[0]);
        let ev = |excerpt: &str| site.evidence(r.evidence_url(site), excerpt).into_iter().collect::<Vec<_>>();
        let title = &r.title;
        let Some(report) = &r.report else {
            let why = r.unreadable.clone().unwrap_or_else(|| "内容无法识别为年度报告".into());
            findings.push(finding(
                id,
                Status::Error,
                format!("《{title}》无法读取（{why}），未能核对，需人工查看"),
                ev(title),
            ));
            continue;
        };
        let (status, credit, msg) = match p.aspect {
            Aspect::Arithmetic => arithmetic(report, r, prev),
            Aspect::Sections => sections_verdict(report),
            Aspect::Similarity => match similarity_verdict(p, r, prev) {
                Some(v) => v,
                None => continue,
            },
        };
        let mut evidence = ev(&msg);
        if p.aspect == Aspect::Similarity
            && let Some(pr) = prev
            && let Some(e) = site.evidence(pr.evidence_url(site), &pr.title)
        {
            evidence.push(e);
        }
        findings.push(finding(id, status, format!("《{title}》{msg}"), evidence));
        credits.extend(credit);
    }
    if credits.is_empty() {
        let status =
            if findings.iter().any(|f| f.status == Status::Error) { Status::Error } else { Status::Manual };
        if findings.is_empty() {
            let msg = "近年的年度报告均无上一年度报告可供比对，需人工核对";
            return Verdict::uncredited(id, Status::Manual, msg, site.root_evidence("专栏首页"));
        }
        return Verdict { status, credit: None, findings };
    }
    Verdict::scored(credits.iter().sum::<f64>() / credits.len() as f64, findings)
}

/// Arithmetic of one report: (status, credit, message without the title).
fn arithmetic(
    report: &AnnualReport,
    r: &FoundReport,
    prev: Option<&FoundReport>,
) -> (Status, Option<f64>, String) {
    let Some(apps) = &report.applications else {
        return (
            Status::Error,
            None,
            "第三部分表格无法读取（可能为图片或非标准表格），未能核对数据，需人工核对".into(),
        );
    };
    let (mut errors, mut unreadable) = table_errors(&apps.rows);
    let mut notes = Vec::new();
    match &report.review {
        Some(review) => {
            let (e, u) = review_errors(review);
            errors.extend(e);
            unreadable |= u;
        }
        None => notes.push("第四部分表格无法读取，未核对"),
    }
    let prev_forward = prev
        .and_then(|p| p.report.as_ref())
        .and_then(|r| r.applications.as_ref())
        .and_then(|a| cell(&a.rows, "carried_forward", 6));
    if let (Some(before), Some(now)) = (prev_forward, cell(&apps.rows, "carried_over", 6))
        && before != now
    {
        errors.push(format!(
            "本年“上年结转”({now})与{}年度报告“结转下年度继续办理”({before})不一致",
            r.year - 1
        ));
    }
    if let Some(text) = &r.text {
        errors.extend(quoted_errors(text, report));
    }
    if unreadable {
        notes.push("部分单元格无法读取，相关关系未核对");
    }
    let note = if notes.is_empty() { String::new() } else { format!("（{}）", notes.join("；")) };
    if errors.is_empty() {
        (Status::Pass, Some(1.0), format!("表格数据逻辑一致{note}"))
    } else {
        (Status::Fail, Some(0.0), format!("：{}{note}", errors.join("；")))
    }
}

/// The six sections of one report.
fn sections_verdict(report: &AnnualReport) -> (Status, Option<f64>, String) {
    let found: Vec<usize> = report.sections.iter().filter_map(|s| section_index(s)).collect();
    let missing: Vec<String> = (0..6)
        .filter(|k| !found.contains(k))
        .map(|k| format!("第{}部分“{}”", CN_NUM[k], SECTION_NAMES[k]))
        .collect();
    if missing.is_empty() {
        return (Status::Pass, Some(1.0), "六个部分齐全、顺序正确".into());
    }
    let credit = found.len() as f64 / 6.0;
    (
        Status::Fail,
        Some(credit),
        format!(
            "缺少{}（或未按规定顺序编排），不符合国办公开办函〔2021〕30号规定的年报格式",
            missing.join("、")
        ),
    )
}

/// The similarity of one report with last year's; `None` when last year's text is not available.
fn similarity_verdict(
    p: &Params,
    r: &FoundReport,
    prev: Option<&FoundReport>,
) -> Option<(Status, Option<f64>, String)> {
    let prev = prev?;
    let (a, b) = (prose(r.text.as_deref()?), prose(prev.text.as_deref()?));
    let sim = jaccard(&a, &b, p.shingle)?;
    let pct = (sim * 100.0).round();
    if sim < p.similarity_threshold {
        // Section 五 repeated word for word is 内容雷同 whatever the rest of the text says.
        if let (Some(now), Some(before)) = (section_five(r), section_five(prev))
            && now.chars().count() >= 20
            && before.contains(&now)
        {
            let shown: String = now.chars().take(80).collect();
            return Some((
                Status::Fail,
                Some(0.0),
                format!(
                    "第五部分“存在的主要问题及改进情况”与《{}》逐字相同（全文相似度{pct}%）：“{shown}{}”",
                    prev.title,
                    if now.chars().count() > 80 { "……" } else { "" }
                ),
            ));
        }
        return Some((
            Status::Pass,
            Some(1.0),
            format!(
                "与《{}》的文字相似度为{pct}%，低于{}%，未见内容雷同",
                prev.title,
                (p.similarity_threshold * 100.0).round()
            ),
        ));
    }
    let passages: Vec<String> = repeated_passages(&a, &b, 20, 3)
        .into_iter()
        .map(|s| {
            let n = s.chars().count();
            let shown: String = s.chars().take(60).collect();
            format!("“{shown}{}”（{n}字）", if n > 60 { "……" } else { "" })
        })
        .collect();
    Some((
        Status::Fail,
        Some(0.0),
        format!(
            "与《{}》的文字相似度为{pct}%，达到内容雷同判定阈值{}%，逐字重复的最长段落：{}",
            prev.title,
            (p.similarity_threshold * 100.0).round(),
            if passages.is_empty() {
                "（无连续20字以上的相同段落）".into()
            } else {
                passages.join("；")
            }
        ),
    ))
}

/// The text of section 五 (from its heading to the next section's), whitespace removed.
fn section_five(r: &FoundReport) -> Option<String> {
    let report = r.report.as_ref()?;
    let text: String = r.text.as_deref()?.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let i = report.sections.iter().position(|h| section_index(h) == Some(4))?;
    let head = compact(&report.sections[i]);
    let start = text.find(&head)? + head.len();
    let end = report
        .sections
        .get(i + 1)
        .and_then(|n| text[start..].find(&compact(n)))
        .map_or(text.len(), |e| start + e);
    Some(text[start..end].to_string())
}

/// Similarity of each year's report with the year before, for the per-year table.
pub fn similarity_with_previous(
    p: &Params,
    reports: &BTreeMap<i32, Vec<FoundReport>>,
    year: i32,
) -> Option<f64> {
    let (a, b) = (reports.get(&year)?.first()?, reports.get(&(year - 1))?.first()?);
    jaccard(&prose(a.text.as_deref()?), &prose(b.text.as_deref()?), p.shingle)
}

/// Whether a report passes the arithmetic and the sections, for the per-year table.
pub fn year_status(r: &FoundReport, prev: Option<&FoundReport>) -> (Option<bool>, Option<bool>) {
    let Some(report) = &r.report else { return (None, None) };
    let sections = Some(sections_verdict(report).0 == Status::Pass);
    let arith = match arithmetic(report, r, prev).0 {
        Status::Pass => Some(true),
        Status::Fail => Some(false),
        _ => None,
    };
    (sections, arith)
}

const CN_NUM: [&str; 6] = ["一", "二", "三", "四", "五", "六"];
const SECTION_NAMES: [&str; 6] = [
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
];

#[cfg(test)]
#[path = "annual_report_tables_tests.rs"]
mod tests;

//! `annual-report-tables`: the 年报's table 三 adds up, follows on from last year, and its text is not
//! copied from last year.
//!
//! **What it checks.** For each 年报 page the extractor read (years `as_of − 1` back `history_years`),
//! with tolerance 0: per applicant column, 本年新收 + 上年结转 = （七）总计 + 结转下年度继续办理; the result
//! rows （一）…（六） add up to （七）总计; per row, the applicant columns add up to 总计; this year's 上年结转
//! equals last year's 结转下年度 (总计 column). With `compare_sections`, section 五 (存在的主要问题及改进情况)
//! must not repeat last year's word for word. An unreadable cell or table is said so (`manual`), never a
//! failure.
//!
//! **Why.** 国办公开办函〔2019〕60号 and 〔2021〕30号 (the template prints the first identity; 30号 names
//! 内容雷同 as misconduct); rubric item common-27 (数据公开符合逻辑，内容公开杜绝雷同).
//!
//! **Passes.** 新收 14, 上年结转 1, 总计 14, 结转下年 1 (14 + 1 = 14 + 1), results summing to 14.
//!
//! **Fails.** 予以公开 自然人 5 + 商业企业 1 but 总计 printed 7.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::extract::{AnnualReport, PageFacts};
use crate::findings::{Finding, Status};
use crate::site::SitePage;

/// Column names of table 三, in the extractor's order.
pub const COLUMNS: [&str; 7] =
    ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"];

/// Parameters of `annual-report-tables`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Earlier years also judged.
    #[serde(default = "default_history")]
    pub history_years: u32,
    /// Compare section 五 with last year's report.
    #[serde(default = "yes")]
    pub compare_sections: bool,
}

fn default_history() -> u32 {
    2
}

fn yes() -> bool {
    true
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

/// The text of section 五 (between the heading starting with 五 and the next heading), whitespace removed.
fn section_five(facts: &PageFacts, report: &AnnualReport) -> Option<String> {
    let text: String = facts.text.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let i = report.sections.iter().position(|s| compact(s).starts_with('五'))?;
    let head = compact(&report.sections[i]);
    let start = text.rfind(&head)? + head.len();
    let end = report
        .sections
        .get(i + 1)
        .and_then(|n| text[start..].find(&compact(n)))
        .map_or(text.len(), |e| start + e);
    Some(text[start..end].to_string())
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let mut by_year: BTreeMap<i32, (&SitePage, &PageFacts, &AnnualReport)> = BTreeMap::new();
    for (page, f) in site.html_pages() {
        if let Some(r) = &f.annual_report {
            by_year.entry(r.year).or_insert((page, f, r));
        }
    }
    let last = ctx.as_of.year() - 1;
    let years: Vec<i32> =
        (0..=p.history_years as i32).map(|k| last - k).filter(|y| by_year.contains_key(y)).collect();
    if years.is_empty() {
        let msg = "未找到可读取的政府信息公开工作年度报告页面，无法核对表格数据，需人工核对";
        return Verdict::uncredited(id, Status::Manual, msg, site.root_evidence("专栏首页"));
    }
    let mut findings: Vec<Finding> = Vec::new();
    let (mut judged, mut consistent) = (0usize, 0usize);
    for y in years {
        let (page, facts, report) = by_year[&y];
        let title = facts.title.clone().unwrap_or_else(|| format!("{y}年度报告"));
        let ev = |excerpt: &str| site.evidence(&page.record.url, excerpt).into_iter().collect::<Vec<_>>();
        let prev = by_year.get(&(y - 1));
        let mut errors = Vec::new();
        let mut unreadable = false;
        match &report.applications {
            None => {
                findings.push(finding(
                    id,
                    Status::Manual,
                    format!("《{title}》第三部分表格无法读取（可能为图片或非标准表格），需人工核对数据"),
                    ev("第三部分 收到和处理政府信息公开申请情况"),
                ));
            }
            Some(apps) => {
                let (e, u) = table_errors(&apps.rows);
                errors.extend(e);
                unreadable = u;
                let prev_forward = prev
                    .and_then(|(_, _, r)| r.applications.as_ref())
                    .and_then(|a| cell(&a.rows, "carried_forward", 6));
                if let (Some(before), Some(now)) = (prev_forward, cell(&apps.rows, "carried_over", 6))
                    && before != now
                {
                    errors.push(format!(
                        "本年“上年结转”({now})与{}年度报告“结转下年度继续办理”({before})不一致",
                        y - 1
                    ));
                }
            }
        }
        if p.compare_sections
            && let Some((_, pf, pr)) = prev
            && let (Some(now), Some(before)) = (section_five(facts, report), section_five(pf, pr))
            && now.chars().count() >= 20
            && now == before
        {
            errors.push(format!("第五部分“存在的主要问题及改进情况”与{}年度报告内容雷同", y - 1));
        }
        if report.applications.is_none() && errors.is_empty() {
            continue;
        }
        judged += 1;
        if errors.is_empty() {
            consistent += 1;
            let note =
                if unreadable { "（部分单元格无法读取，相关关系未核对）" } else { "" };
            findings.push(finding(
                id,
                Status::Pass,
                format!("《{title}》表格数据逻辑一致{note}"),
                ev("第三部分表格"),
            ));
        } else {
            findings.push(finding(
                id,
                Status::Fail,
                format!("《{title}》：{}", errors.join("；")),
                ev(&errors[0]),
            ));
        }
    }
    if judged == 0 {
        return Verdict { status: Status::Manual, credit: None, findings };
    }
    Verdict::scored(consistent as f64 / judged as f64, findings)
}

#[cfg(test)]
#[path = "annual_report_tables_tests.rs"]
mod tests;

//! `annual-report`: every year's 政府信息公开工作年度报告 is there, and each was published by the deadline.
//!
//! **What it checks.** The reports of [`super::annual_report_index`] (HTML pages, PDF/DOC/DOCX/WPS
//! attachments, pages that only link the attachment), by year. Judged: the year Y before `--as-of`, and
//! every year back to the first report found (at least `history_years` back). Each report must be published
//! on or before `deadline` (MM-DD) of the next year (overridable per unit kind). Late → `partial` with both
//! dates; missing → `fail` citing the 年报 column (or the root) where it was looked for, and a year missing
//! between the first report and Y says so; no readable date → `manual`. Before Y's deadline has passed, a
//! missing Y report is not yet due: the check then judges Y−1.
//!
//! **Why.** 《政府信息公开条例》第四十九条 (国务院令第711号): departments publish the report for year Y by
//! Y+1-01-31, governments by Y+1-03-31; rubric item common-27 (全面摸底梳理历年公开年报).
//!
//! **Passes.** As of 2021-11-25: entry “2020年政府信息公开工作年度报告” dated 2021-01-28.
//!
//! **Fails.** No title names 2020 and 年度报告; (partial) the 2020 report is dated 2021-02-10.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::annual_report_index::{FoundReport, find_reports};
use super::{ColumnSpec, Context, Verdict, finding};
use crate::config::UnitKind;
use crate::findings::{Finding, Status};
use crate::site::UnitSite;

/// Parameters of `annual-report`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Deadline in the year after the report year, `MM-DD`.
    #[serde(default = "default_deadline")]
    pub deadline: String,
    /// Per unit kind overrides of `deadline`.
    #[serde(default)]
    pub deadlines: BTreeMap<UnitKind, String>,
    /// Words naming a report in a title.
    #[serde(default = "default_words")]
    pub title_words: Vec<String>,
    /// The 年报 column, cited when the report is missing.
    #[serde(default)]
    pub column: Option<ColumnSpec>,
    /// Credit of a report published late.
    #[serde(default = "default_late_credit")]
    pub late_credit: f64,
    /// Earlier years also judged (rubric: 全面摸底梳理历年公开年报); 0 judges last year only.
    #[serde(default)]
    pub history_years: u32,
}

fn default_deadline() -> String {
    "01-31".into()
}

fn default_words() -> Vec<String> {
    ["年度报告", "年报"].map(String::from).to_vec()
}

fn default_late_credit() -> f64 {
    0.5
}

/// Parses `MM-DD` into (month, day), checking it is a real date in a leap year.
fn parse_md(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.split_once('-')?;
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    NaiveDate::from_ymd_opt(2020, m, d).map(|_| (m, d))
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        for s in std::iter::once(&self.deadline).chain(self.deadlines.values()) {
            if parse_md(s).is_none() {
                return Err(format!("deadline `{s}` must be MM-DD"));
            }
        }
        if self.history_years > 20 {
            return Err("`history_years` must be at most 20".into());
        }
        if !(0.0..=1.0).contains(&self.late_credit) {
            return Err("`late_credit` must be in [0, 1]".into());
        }
        Ok(())
    }

    /// The deadline for year `report_year`'s report of a unit of `kind`.
    pub fn deadline_for(&self, kind: UnitKind, report_year: i32) -> NaiveDate {
        let s = self.deadlines.get(&kind).unwrap_or(&self.deadline);
        let (m, d) = parse_md(s).unwrap_or((1, 31));
        // 02-29 in a common year falls back to 02-28.
        NaiveDate::from_ymd_opt(report_year + 1, m, d)
            .or_else(|| NaiveDate::from_ymd_opt(report_year + 1, m, d - 1))
            .expect("validated deadline")
    }
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let reports = find_reports(site, &p.title_words);
    let mut year = ctx.as_of.year() - 1;
    let mut note = String::new();
    if !reports.contains_key(&year) && ctx.as_of <= p.deadline_for(site.unit.kind, year) {
        note = format!("（{}年度报告尚未到公开期限，改为检查{}年度）", year, year - 1);
        year -= 1;
    }
    // Every year from the first report found (rubric: 全面摸底梳理历年公开年报), at least `history_years`
    // back, to last year.
    let first = reports.keys().next().copied().unwrap_or(year).min(year);
    let oldest = first.min(year - p.history_years as i32);
    let mut findings = Vec::new();
    let mut credits = Vec::new();
    let mut current: Option<(Status, Option<f64>)> = None;
    for y in (oldest..=year).rev() {
        let this_note = if y == year { note.as_str() } else { "" };
        let gap = y > first && y < year && !reports.contains_key(&y);
        let (mut f, credit) = judge_year(id, p, site, reports.get(&y), y, this_note);
        if gap {
            f.message.push_str(&format!("（{first}年度报告已公开，其后年度不应缺失）"));
        }
        if y == year {
            current = Some((f.status, credit));
        }
        findings.push(f);
        credits.extend(credit);
    }
    match current {
        // Last year's report missing: the item fails whatever earlier years show.
        Some((Status::Fail, _)) => return Verdict { status: Status::Fail, credit: Some(0.0), findings },
        // Last year's report undated: only a person can say whether it was on time.
        Some((_, None)) => return Verdict { status: Status::Manual, credit: None, findings },
        _ => {}
    }
    if credits.is_empty() {
        return Verdict { status: Status::Manual, credit: None, findings };
    }
    Verdict::scored(credits.iter().sum::<f64>() / credits.len() as f64, findings)
}

/// Whether a report published on `published` for `year` was on time for a unit of `kind`.
pub fn on_time(p: &Params, kind: UnitKind, year: i32, published: Option<NaiveDate>) -> Option<bool> {
    published.map(|d| d <= p.deadline_for(kind, year))
}

/// Judges one year's report: the finding and its credit (`None` when only a person can tell).
fn judge_year(
    id: &str,
    p: &Params,
    site: &UnitSite,
    found: Option<&Vec<FoundReport>>,
    year: i32,
    note: &str,
) -> (Finding, Option<f64>) {
    let deadline = p.deadline_for(site.unit.kind, year);
    let found = found.map(Vec::as_slice).unwrap_or_default();
    // Earliest dated copy counts; otherwise the first undated one.
    let best = found.iter().filter(|f| f.published.is_some()).min_by_key(|f| f.published).or(found.first());
    let Some(best) = best else {
        let col = p.column.as_ref().and_then(|c| c.find(site));
        let evidence = match col.and_then(|c| site.evidence(&c.url, &c.name)) {
            Some(e) => vec![e],
            None => site.root_evidence("在专栏中查找政府信息公开工作年度报告"),
        };
        let where_ = col.map_or("专栏中".to_string(), |c| format!("“{}”栏目及专栏中", c.name));
        let msg = format!("{where_}未找到{year}年度政府信息公开工作年度报告{note}");
        return (finding(id, Status::Fail, msg, evidence), Some(0.0));
    };
    let excerpt = match best.published {
        Some(d) => format!("{}（{}）", best.title, d),
        None => best.title.clone(),
    };
    let evidence: Vec<_> = site
        .evidence(best.evidence_url(site), &excerpt)
        .or_else(|| site.evidence(&best.seen_on, &excerpt))
        .into_iter()
        .collect();
    let title = &best.title;
    match best.published {
        None => {
            let msg = format!(
                "已找到《{title}》{note}，但页面未标明发布日期，无法判断是否在{deadline}前公开，需人工核对"
            );
            (finding(id, Status::Manual, msg, evidence), None)
        }
        Some(date) if date <= deadline => {
            let msg = format!("《{title}》于{date}发布，在规定期限{deadline}前{note}");
            (finding(id, Status::Pass, msg, evidence), Some(1.0))
        }
        Some(date) => {
            let late = (date - deadline).num_days();
            let msg = format!("《{title}》于{date}发布，晚于规定期限{deadline}（逾期{late}天）{note}");
            (finding(id, Status::Partial, msg, evidence), Some(p.late_credit))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_list, facts_nav};
    use crate::extract::ListEntry;

    const ROOT: &str = "http://gov.test/xxgk/";
    const COL: &str = "http://gov.test/xxgk/gknb/";

    fn site(kind: UnitKind, entries: Vec<ListEntry>) -> UnitSite {
        SiteBuilder::new(ROOT)
            .kind(kind)
            .page(ROOT, facts_nav(ROOT, &[("政府信息公开年报", COL)]))
            .page(COL, facts_list(COL, entries, &[]))
            .build()
    }

    fn params() -> Params {
        Params {
            deadline: "01-31".into(),
            deadlines: BTreeMap::from([(UnitKind::Street, "03-31".to_string())]),
            title_words: default_words(),
            column: Some(ColumnSpec {
                name: "政府信息公开年报".into(), synonyms: vec!["年报".into()]
            }),
            late_credit: 0.5,
            history_years: 0,
        }
    }

    #[test]
    fn table() {
        let e = |t: &str, date: Option<&str>| entry(t, "http://gov.test/xxgk/gknb/2020.html", date);
        let title = "某局2020年政府信息公开工作年度报告";
        let dep = UnitKind::Department;
        let cases = vec![
            ("on time", site(dep, vec![e(title, Some("2021-01-28"))]), "2021-11-25", Status::Pass),
            ("late", site(dep, vec![e(title, Some("2021-02-10"))]), "2021-11-25", Status::Partial),
            (
                "street deadline is later",
                site(UnitKind::Street, vec![e(title, Some("2021-02-10"))]),
                "2021-11-25",
                Status::Pass,
            ),
            ("undated", site(dep, vec![e(title, None)]), "2021-11-25", Status::Manual),
            (
                "only older year",
                site(dep, vec![e("2019年政府信息公开工作年度报告", Some("2020-01-20"))]),
                "2021-11-25",
                Status::Fail,
            ),
            (
                "not yet due: judge the year before",
                site(dep, vec![e("2019年度年报", Some("2020-01-20"))]),
                "2021-01-15",
                Status::Pass,
            ),
            ("nothing", site(dep, vec![]), "2021-11-25", Status::Fail),
        ];
        for (name, site, as_of, want) in cases {
            let v = run("a", &params(), &Context { site: &site, as_of: d(as_of) });
            assert_eq!(v.status, want, "{name}: {v:?}");
            assert!(!v.findings[0].evidence.is_empty(), "{name}");
        }
    }

    #[test]
    fn late_message_names_both_dates() {
        let s = site(
            UnitKind::Department,
            vec![entry("2020年度报告", "http://gov.test/xxgk/gknb/1.html", Some("2021-02-10"))],
        );
        let v = run("a", &params(), &Context { site: &s, as_of: d("2021-11-25") });
        let m = &v.findings[0].message;
        assert!(m.contains("2021-02-10") && m.contains("2021-01-31") && m.contains("10天"), "{m}");
        assert_eq!(v.credit, Some(0.5));
    }

    #[test]
    fn history_years_each_get_a_finding() {
        let e = |y: i32, date: &str| {
            entry(
                &format!("{y}年政府信息公开工作年度报告"),
                &format!("http://gov.test/xxgk/gknb/{y}.html"),
                Some(date),
            )
        };
        let mut p = params();
        p.history_years = 2;
        let ctx_site = site(UnitKind::Department, vec![e(2020, "2021-01-20"), e(2019, "2020-02-20")]);
        let v = run("a", &p, &Context { site: &ctx_site, as_of: d("2021-11-25") });
        let statuses: Vec<Status> = v.findings.iter().map(|f| f.status).collect();
        assert_eq!(statuses, [Status::Pass, Status::Partial, Status::Fail]);
        assert_eq!(v.credit, Some(0.5));
        let missing_current = site(UnitKind::Department, vec![e(2019, "2020-01-20")]);
        let v = run("a", &p, &Context { site: &missing_current, as_of: d("2021-11-25") });
        assert_eq!((v.status, v.credit), (Status::Fail, Some(0.0)));
    }

    #[test]
    fn missing_cites_the_column_page() {
        let s = site(UnitKind::Department, vec![]);
        let v = run("a", &params(), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.findings[0].evidence[0].url, COL);
    }
}

//! `publish-lag`: documents were published within `max_working_days` working days of being written.
//!
//! **What it checks.** For every document page whose metadata gives both a 成文日期 (or 生成日期 /
//! 发文日期) and a 发布日期 (the table's, else the page's publication date), the working days from the
//! day after the written date up to the publication date must not exceed `max_working_days`. Working
//! days are Monday to Friday (the official holiday calendar is not applied yet, which favours the unit
//! only when holidays fall in the window). Credit is the share of documents within the limit.
//!
//! **Why.** 《政府信息公开条例》第二十六条: information is disclosed within 20 working days of being formed
//! or changed; rubric item common-15 (信息发布及时).
//!
//! **Passes.** 成文日期 2021-08-02, 发布日期 2021-08-20: 14 working days.
//!
//! **Fails.** 成文日期 2021-08-02, 发布日期 2021-10-20: 57 working days.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::findings::{Finding, Status};

/// Parameters of `publish-lag`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Most working days between writing and publishing.
    #[serde(default = "default_max")]
    pub max_working_days: i64,
    /// Most late documents listed one by one (the rest are counted).
    #[serde(default = "default_max_listed")]
    pub max_listed: usize,
    /// The official holiday calendar; without it, Monday to Friday are the working days.
    #[serde(default)]
    pub calendar: CalendarSpec,
}

/// The 国务院办公厅 holiday notices as data: days off (single days or `YYYY-MM-DD..YYYY-MM-DD` ranges)
/// and make-up working days (调休) that fall on weekends.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// Public holidays, single days or inclusive ranges.
    #[serde(default)]
    pub days_off: Vec<String>,
    /// Weekend days that are working days.
    #[serde(default)]
    pub workdays: Vec<String>,
}

/// A resolved working-day calendar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calendar {
    off: BTreeSet<NaiveDate>,
    on: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("`{s}` is not a YYYY-MM-DD date"))
}

impl CalendarSpec {
    /// Parses the spec; errors name the bad entry.
    pub fn resolve(&self) -> Result<Calendar, String> {
        let mut cal = Calendar::default();
        for entry in &self.days_off {
            let (a, b) = match entry.split_once("..") {
                Some((a, b)) => (parse_day(a)?, parse_day(b)?),
                None => (parse_day(entry)?, parse_day(entry)?),
            };
            if b < a || (b - a).num_days() > 31 {
                return Err(format!("range `{entry}` must run forwards and span at most a month"));
            }
            let mut d = a;
            while d <= b {
                cal.off.insert(d);
                cal.years.insert(d.year());
                d = d.succ_opt().expect("date in range");
            }
        }
        for entry in &self.workdays {
            let d = parse_day(entry)?;
            cal.years.insert(d.year());
            cal.on.insert(d);
        }
        Ok(cal)
    }
}

impl Calendar {
    /// Working days in (from, to]: Monday–Friday, minus days off, plus make-up workdays.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        let mut n = working_days_between(from, to);
        let after = |d: &&NaiveDate| **d > from && **d <= to;
        let weekend = |d: &NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        n -= self.off.iter().filter(after).filter(|d| !weekend(d) && !self.on.contains(d)).count() as i64;
        n += self.on.iter().filter(after).filter(|d| weekend(d)).count() as i64;
        n
    }

    /// Years in (from, to] that the calendar does not cover (counted as plain Monday–Friday).
    pub fn uncovered_years(&self, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
        let first = from.succ_opt().map_or(from.year(), |d| d.year());
        (first..=to.year()).filter(|y| !self.years.contains(y)).collect()
    }
}

fn default_max() -> i64 {
    20
}

fn default_max_listed() -> usize {
    20
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.max_working_days <= 0 {
            return Err("`max_working_days` must be positive".into());
        }
        self.calendar.resolve().map(|_| ())
    }
}

/// Monday–Friday days in (from, to]; 0 when `to` is not after `from`.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    if to <= from {
        return 0;
    }
    let weeks = (to - from).num_days() / 7;
    let mut n = weeks * 5;
    let mut day = from + chrono::Duration::days(weeks * 7);
    while day < to {
        day = day.succ_opt().expect("date in range");
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            n += 1;
        }
    }
    n
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let mut findings: Vec<Finding> = Vec::new();
    let (mut within, mut total, mut late_listed, mut late_unlisted) = (0usize, 0usize, 0usize, 0usize);
    let mut within_evidence = Vec::new();
    let calendar = p.calendar.resolve().unwrap_or_default();
    for (page, f) in site.document_pages() {
        let (Some(written), Some(published)) =
            (f.fields.written_date, f.fields.publish_date.or(f.publish_date))
        else {
            continue;
        };
        let title = f.title.clone().unwrap_or_else(|| page.record.url.clone());
        let excerpt = format!("成文日期：{written} 发布日期：{published}");
        if published < written {
            findings.push(finding(
                id,
                Status::Manual,
                format!("《{title}》发布日期（{published}）早于成文日期（{written}），日期标注可能有误，需人工核对"),
                site.evidence(&page.record.url, &excerpt).into_iter().collect(),
            ));
            continue;
        }
        total += 1;
        let days = calendar.working_days_between(written, published);
        let uncovered = calendar.uncovered_years(written, published);
        let caveat = if uncovered.is_empty() {
            String::new()
        } else {
            let ys: Vec<String> = uncovered.iter().map(|y| y.to_string()).collect();
            format!("（{}年节假日未录入，按周一至周五计算）", ys.join("、"))
        };
        if days <= p.max_working_days {
            within += 1;
            if within_evidence.len() < 5 {
                within_evidence.extend(site.evidence(&page.record.url, &format!("《{title}》{excerpt}")));
            }
        } else if late_listed < p.max_listed {
            late_listed += 1;
            findings.push(finding(
                id,
                Status::Fail,
                format!(
                    "《{title}》成文日期{written}，发布日期{published}，间隔{days}个工作日{caveat}，超过{}个工作日的公开时限",
                    p.max_working_days
                ),
                site.evidence(&page.record.url, &excerpt).into_iter().collect(),
            ));
        } else {
            late_unlisted += 1;
        }
    }
    if total == 0 {
        let mut v = Verdict::uncredited(
            id,
            Status::Manual,
            "未找到同时标注成文日期和发布日期的文件页面，无法自动判定公开时效，需人工抽查",
            site.root_evidence("专栏首页"),
        );
        v.findings.splice(0..0, findings);
        return v;
    }
    if within > 0 {
        findings.insert(
            0,
            finding(
                id,
                Status::Pass,
                format!(
                    "共检查{total}份标注成文日期和发布日期的文件，{within}份在{}个工作日内公开",
                    p.max_working_days
                ),
                within_evidence,
            ),
        );
    }
    if late_unlisted > 0 {
        let ev = findings
            .iter()
            .rev()
            .find(|f| f.status == Status::Fail)
            .map(|f| f.evidence.clone())
            .unwrap_or_default();
        findings.push(finding(
            id,
            Status::Fail,
            format!("另有{late_unlisted}份文件超过公开时限（未逐一列出）"),
            ev,
        ));
    }
    Verdict::scored(within as f64 / total as f64, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, facts_doc, facts_nav};
    use crate::extract::PageFacts;

    const ROOT: &str = "http://gov.test/xxgk/";

    fn doc(
        n: usize,
        written: Option<&str>,
        field_pub: Option<&str>,
        page_pub: Option<&str>,
    ) -> (String, PageFacts) {
        let url = format!("http://gov.test/xxgk/doc{n}.html");
        let mut f = facts_doc(&url, &format!("文件{n}"), "正文");
        f.fields.written_date = written.map(d);
        f.fields.publish_date = field_pub.map(d);
        f.publish_date = page_pub.map(d);
        (url, f)
    }

    fn site(docs: Vec<(String, PageFacts)>) -> crate::site::UnitSite {
        let mut b = SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[]));
        for (u, f) in docs {
            b = b.page(&u, f);
        }
        b.build()
    }

    #[test]
    fn working_days_count_from_the_day_after() {
        // 2021-08-02 is a Monday.
        let cases = [
            ("2021-08-02", "2021-08-02", 0),
            ("2021-08-02", "2021-08-03", 1),
            ("2021-08-06", "2021-08-09", 1), // Friday → Monday
            ("2021-08-02", "2021-08-30", 20),
            ("2021-08-02", "2021-08-31", 21),
            ("2021-08-07", "2021-08-08", 0), // Saturday → Sunday
        ];
        for (a, b, want) in cases {
            assert_eq!(working_days_between(d(a), d(b)), want, "{a} → {b}");
        }
    }

    #[test]
    fn holiday_calendar_removes_days_off_and_adds_make_up_days() {
        // The 2025 notice: 元旦 01-01; 春节 01-28..02-04 with 01-26 (Sunday) and 02-08 (Saturday) worked.
        let spec = CalendarSpec {
            days_off: vec!["2025-01-01".into(), "2025-01-28..2025-02-04".into()],
            workdays: vec!["2025-01-26".into(), "2025-02-08".into()],
        };
        let cal = spec.resolve().unwrap();
        // The demo's late document: 2024-11-05 → 2025-01-10 is 48 weekdays, 47 working days.
        assert_eq!(working_days_between(d("2024-11-05"), d("2025-01-10")), 48);
        assert_eq!(cal.working_days_between(d("2024-11-05"), d("2025-01-10")), 47);
        // Across 春节: 6 weekdays off, 2 weekend days worked.
        assert_eq!(cal.working_days_between(d("2025-01-24"), d("2025-02-10")), 11 - 6 + 2);
        assert_eq!(cal.uncovered_years(d("2024-11-05"), d("2025-01-10")), [2024]);
        let bad = CalendarSpec { days_off: vec!["2025-02-04..2025-01-28".into()], workdays: vec![] };
        assert!(bad.resolve().is_err());
    }

    #[test]
    fn table() {
        let p = Params { max_working_days: 20, max_listed: 20, calendar: CalendarSpec::default() };
        let cases = vec![
            ("in time", vec![doc(1, Some("2021-08-02"), Some("2021-08-30"), None)], Status::Pass, Some(1.0)),
            (
                "one day late",
                vec![doc(1, Some("2021-08-02"), Some("2021-08-31"), None)],
                Status::Fail,
                Some(0.0),
            ),
            (
                "page date as fallback",
                vec![doc(1, Some("2021-08-02"), None, Some("2021-08-20"))],
                Status::Pass,
                Some(1.0),
            ),
            (
                "half late",
                vec![
                    doc(1, Some("2021-08-02"), Some("2021-08-03"), None),
                    doc(2, Some("2021-01-04"), Some("2021-10-20"), None),
                ],
                Status::Partial,
                Some(0.5),
            ),
            ("no written date", vec![doc(1, None, Some("2021-08-03"), None)], Status::Manual, None),
            (
                "published before written",
                vec![doc(1, Some("2021-08-03"), Some("2021-08-02"), None)],
                Status::Manual,
                None,
            ),
        ];
        for (name, docs, want, credit) in cases {
            let s = site(docs);
            let v = run("l", &p, &Context { site: &s, as_of: d("2021-11-25") });
            assert_eq!((v.status, v.credit), (want, credit), "{name}: {v:?}");
            for f in &v.findings {
                assert!(!f.evidence.is_empty(), "{name}: {f:?}");
            }
        }
    }

    #[test]
    fn late_finding_names_document_dates_and_count() {
        let s = site(vec![doc(7, Some("2021-08-02"), Some("2021-10-20"), None)]);
        let v = run(
            "l",
            &Params { max_working_days: 20, max_listed: 20, calendar: CalendarSpec::default() },
            &Context { site: &s, as_of: d("2021-11-25") },
        );
        let m = &v.findings[0].message;
        assert!(
            m.contains("文件7")
                && m.contains("2021-08-02")
                && m.contains("2021-10-20")
                && m.contains("57个工作日"),
            "{m}"
        );
    }
}

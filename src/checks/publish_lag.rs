//! `publish-lag`: documents were published within `max_working_days` working days of being written.
//!
//! **What it checks.** For every document page whose metadata gives both a 成文日期 (or 生成日期 /
//! 发文日期) and a 发布日期 (the table's, else the page's publication date), the working days from the
//! day after the written date up to the publication date must not exceed `max_working_days`. Working
//! days follow the official calendar ([`crate::calendar`]: holidays and 调休 make-up days by the State
//! Council's yearly notices); a document whose dates fall in a year the calendar does not cover is an
//! `error` finding naming that year, never a guess. Credit is the share of judged documents in time.
//!
//! **Why.** 《政府信息公开条例》第二十六条: information is disclosed within 20 working days of being formed
//! or changed; rubric item common-15 (信息发布及时).
//!
//! **Passes.** 成文日期 2021-08-02, 发布日期 2021-08-20: 14 working days.
//!
//! **Fails.** 成文日期 2021-08-02, 发布日期 2021-10-20: 53 working days (57 weekdays, less the 中秋 and
//! 国庆 holidays, plus three make-up Saturdays and Sundays).

use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::calendar::Calendar;
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
        Ok(())
    }
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let mut findings: Vec<Finding> = Vec::new();
    let (mut within, mut total, mut late_listed, mut late_unlisted) = (0usize, 0usize, 0usize, 0usize);
    let mut within_evidence = Vec::new();
    let calendar = Calendar::official();
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
        let days = match calendar.working_days_between(written, published) {
            Ok(days) => i64::from(days),
            Err(uncovered) => {
                findings.push(finding(
                    id,
                    Status::Error,
                    format!(
                        "《{title}》成文日期{written}，发布日期{published}：工作日历未收录{}年的节假日安排，无法计算工作日，需人工核对",
                        uncovered.year
                    ),
                    site.evidence(&page.record.url, &excerpt).into_iter().collect(),
                ));
                continue;
            }
        };
        total += 1;
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
                    "《{title}》成文日期{written}，发布日期{published}，间隔{days}个工作日，超过{}个工作日的公开时限",
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
    fn holidays_and_make_up_days_count_as_the_calendar_says() {
        // Across 春节 2025: a document written on Friday 01-24 and published on Monday 02-10 took 7 working
        // days (01-26 and 02-08 were make-up days; 01-28..02-04 were off), not the 11 weekdays.
        let s = site(vec![doc(1, Some("2025-01-24"), Some("2025-02-10"), None)]);
        let p = Params { max_working_days: 7, max_listed: 20 };
        assert_eq!(run("l", &p, &Context { site: &s, as_of: d("2025-03-01") }).status, Status::Pass);
        let p = Params { max_working_days: 6, max_listed: 20 };
        let v = run("l", &p, &Context { site: &s, as_of: d("2025-03-01") });
        assert!(v.findings.iter().any(|f| f.message.contains("间隔7个工作日")), "{v:?}");
    }

    #[test]
    fn a_year_the_calendar_lacks_is_an_error_not_a_guess() {
        let s = site(vec![
            doc(1, Some("2027-03-01"), Some("2027-03-05"), None),
            doc(2, Some("2025-03-03"), Some("2025-03-07"), None),
        ]);
        let v = run(
            "l",
            &Params { max_working_days: 20, max_listed: 20 },
            &Context { site: &s, as_of: d("2027-04-01") },
        );
        let err: Vec<_> = v.findings.iter().filter(|f| f.status == Status::Error).collect();
        assert_eq!(err.len(), 1, "{v:?}");
        assert!(err[0].message.contains("2027年") && err[0].message.contains("文件1"), "{}", err[0].message);
        // The covered document is still judged, and the uncovered one does not count against the unit.
        assert_eq!(v.credit, Some(1.0));
    }

    #[test]
    fn table() {
        let p = Params { max_working_days: 20, max_listed: 20 };
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
            &Params { max_working_days: 20, max_listed: 20 },
            &Context { site: &s, as_of: d("2021-11-25") },
        );
        let m = &v.findings[0].message;
        assert!(
            m.contains("文件7")
                && m.contains("2021-08-02")
                && m.contains("2021-10-20")
                && m.contains("53个工作日"),
            "{m}"
        );
    }
}

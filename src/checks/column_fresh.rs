//! `column-fresh`: a column's newest entry is no older than `max_age_days` on the audit date.
//!
//! **What it checks.** For each listed column found in the navigation, the newest dated entry over all
//! fetched list pages must be at most `max_age_days` before `--as-of`. Entries without a date count as
//! not updated. A column that is not in the navigation is left to `column-present` (`manual` here by
//! default, or `fail` with `if_missing: fail`).
//!
//! **Why.** 国办秘函〔2019〕19号 (《政府网站与政务新媒体检查指标》): 动态/要闻 columns are stale after 2 weeks
//! without news, 通知公告 / 政策文件 after 6 months; rubric item common-15 (信息更新及时).
//!
//! **Passes.** 工作动态 with `max_age_days: 14`, newest entry 2021-11-20, audit date 2021-11-25.
//!
//! **Fails.** The same column whose newest entry is dated 2021-09-30, or whose entries carry no date.

use serde::Deserialize;

use super::{ColumnSpec, Context, Verdict, finding};
use crate::findings::{Finding, Status};

/// What to report when the column is not in the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IfMissing {
    /// A person should look (the column may live elsewhere); `column-present` reports the absence.
    #[default]
    Manual,
    /// A missing column is not updated either.
    Fail,
}

/// Parameters of `column-fresh`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The columns judged.
    pub columns: Vec<ColumnSpec>,
    /// Most days between the newest entry and the audit date.
    pub max_age_days: i64,
    /// What a missing column yields.
    #[serde(default)]
    pub if_missing: IfMissing,
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.columns.is_empty() {
            return Err("`columns` must name at least one column".into());
        }
        if self.max_age_days <= 0 {
            return Err("`max_age_days` must be positive".into());
        }
        Ok(())
    }
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let mut findings: Vec<Finding> = Vec::new();
    let (mut earned, mut judged) = (0.0, 0usize);
    for spec in &p.columns {
        let Some(col) = spec.find(site) else {
            let msg = format!("专栏导航中未找到“{}”栏目，无法判定更新情况", spec.name);
            let ev = site.root_evidence(&format!("在此页面的导航中查找“{}”", spec.name));
            match p.if_missing {
                IfMissing::Manual => findings.push(finding(id, Status::Manual, msg, ev)),
                IfMissing::Fail => {
                    judged += 1;
                    findings.push(finding(id, Status::Fail, msg, ev));
                }
            }
            continue;
        };
        if !col.fetched {
            let status = site.page(&col.url).and_then(|pg| pg.record.status);
            if matches!(status, Some(404 | 410)) {
                judged += 1;
                let msg =
                    format!("“{}”栏目链接无法打开（HTTP {}），视为未更新", col.name, status.unwrap_or(0));
                findings.push(finding(id, Status::Fail, msg, site.root_evidence(&col.url)));
            } else {
                let msg = format!("“{}”栏目页面未能读取，无法判定更新情况", col.name);
                findings.push(finding(id, Status::Error, msg, site.root_evidence(&col.url)));
            }
            continue;
        }
        judged += 1;
        let ev = |excerpt: &str| site.evidence(&col.url, excerpt).into_iter().collect::<Vec<_>>();
        let newest = col
            .entries
            .iter()
            .filter_map(|e| e.date.map(|d| (d, e.title.clone())))
            .max_by_key(|(d, _)| *d)
            .or_else(|| {
                // A single-page column (no list) is as fresh as its page's own date (更新日期).
                let f = site
                    .page(&col.url)
                    .and_then(|pg| pg.facts.as_ref())
                    .filter(|_| col.entries.is_empty())?;
                f.publish_date.or(f.fields.publish_date).map(|d| (d, format!("{}（页面日期）", col.name)))
            });
        match newest {
            None if col.entries.is_empty() => findings.push(finding(
                id,
                Status::Fail,
                format!("“{}”栏目无任何信息，视为未更新", col.name),
                ev(&col.name),
            )),
            None => findings.push(finding(
                id,
                Status::Fail,
                format!("“{}”栏目的{}条信息均未标注日期，按未更新处理", col.name, col.entries.len()),
                ev(&col.entries[0].title),
            )),
            Some((date, title)) => {
                let age = (ctx.as_of - date).num_days();
                let excerpt = format!("{date} {title}");
                if age <= p.max_age_days {
                    earned += 1.0;
                    findings.push(finding(
                        id,
                        Status::Pass,
                        format!(
                            "“{}”栏目最近更新于{}（距测评日{}天，要求不超过{}天）",
                            col.name,
                            date,
                            age.max(0),
                            p.max_age_days
                        ),
                        ev(&excerpt),
                    ));
                } else {
                    findings.push(finding(
                        id,
                        Status::Fail,
                        format!(
                            "“{}”栏目最近更新于{}，已{}天未更新（要求不超过{}天）",
                            col.name, date, age, p.max_age_days
                        ),
                        ev(&excerpt),
                    ));
                }
            }
        }
    }
    if judged == 0 {
        let status =
            if findings.iter().any(|f| f.status == Status::Error) { Status::Error } else { Status::Manual };
        return Verdict { status, credit: None, findings };
    }
    Verdict::scored(earned / judged as f64, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_list, facts_nav};
    use crate::extract::ListEntry;

    const ROOT: &str = "http://gov.test/xxgk/";
    const COL: &str = "http://gov.test/xxgk/gzdt/";

    fn site(entries: Vec<ListEntry>) -> crate::site::UnitSite {
        SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("工作动态", COL)]))
            .page(COL, facts_list(COL, entries, &[]))
            .build()
    }

    fn params(if_missing: IfMissing) -> Params {
        Params {
            columns: vec![ColumnSpec { name: "工作动态".into(), synonyms: vec!["政务动态".into()] }],
            max_age_days: 14,
            if_missing,
        }
    }

    #[test]
    fn table() {
        let e = |date: Option<&str>| entry("动态", "http://gov.test/xxgk/gzdt/1.html", date);
        let cases = vec![
            ("fresh", site(vec![e(Some("2021-11-20"))]), IfMissing::Manual, Status::Pass),
            ("exactly 14 days", site(vec![e(Some("2021-11-11"))]), IfMissing::Manual, Status::Pass),
            ("15 days", site(vec![e(Some("2021-11-10"))]), IfMissing::Manual, Status::Fail),
            ("undated", site(vec![e(None)]), IfMissing::Manual, Status::Fail),
            ("empty", site(vec![]), IfMissing::Manual, Status::Fail),
            (
                "missing, manual",
                SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[])).build(),
                IfMissing::Manual,
                Status::Manual,
            ),
            (
                "missing, fail",
                SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[])).build(),
                IfMissing::Fail,
                Status::Fail,
            ),
            (
                "column page timed out",
                SiteBuilder::new(ROOT)
                    .page(ROOT, facts_nav(ROOT, &[("工作动态", COL)]))
                    .failed(COL, None, Some("timeout"))
                    .build(),
                IfMissing::Manual,
                Status::Error,
            ),
        ];
        for (name, site, miss, want) in cases {
            let v = run("f", &params(miss), &Context { site: &site, as_of: d("2021-11-25") });
            assert_eq!(v.status, want, "{name}: {v:?}");
        }
    }

    #[test]
    fn a_single_page_column_is_as_fresh_as_its_page_date() {
        let mut f = crate::checks::testkit::facts_doc(COL, "工作动态", "本栏目介绍");
        f.publish_date = Some(d("2021-11-20"));
        let s = SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[("工作动态", COL)])).page(COL, f).build();
        let v = run("f", &params(IfMissing::Manual), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.status, Status::Pass, "{v:?}");
    }

    #[test]
    fn message_names_the_date_and_age() {
        let s = site(vec![entry("旧", "http://gov.test/xxgk/gzdt/1.html", Some("2021-09-30"))]);
        let v = run("f", &params(IfMissing::Manual), &Context { site: &s, as_of: d("2021-11-25") });
        assert!(
            v.findings[0].message.contains("2021-09-30") && v.findings[0].message.contains("56天"),
            "{:?}",
            v.findings
        );
    }
}

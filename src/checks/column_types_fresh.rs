//! `column-types-fresh`: every column of the tree judged by the update limit of its type, and the stale
//! columns counted against the veto levels.
//!
//! **What it checks.** Each column of the column tree is classified by its name (the first `classes`
//! entry one of whose keywords the name contains: 动态/要闻 → 14 days, 通知公告/政策文件 first-level
//! columns → 6 months, basic information such as 机构, 人事, 规划, 财政, 统计 → 1 year). Its newest date
//! is its newest dated entry, or for a single-page column its 更新日期; entries without a date count as
//! not updated. Each classified column is a finding naming its newest date and age. Stale columns of the
//! classes marked `veto: true` are counted against `veto_stale` (5), and every column, classified or not,
//! list column with nothing new for `long_stale_days` against `veto_long_stale` (10). Credit is the share of fresh
//! classified columns, and 0 when a veto level is reached.
//!
//! **Why.** 国办秘函〔2019〕19号 (《政府网站与政务新媒体检查指标》): 动态、要闻 not updated for 2 weeks and
//! 通知公告、政策文件 for 6 months are 不更新栏目; 5 of them, or 10 columns not updated for a long time,
//! fail the 单项否决; basic columns are held to a year by monitoring vendors' practice; rubric item
//! common-15 (信息更新及时).
//!
//! **Passes.** 工作动态 newest 2021-11-20 and 通知公告 newest 2021-08-01, audit date 2021-11-25.
//!
//! **Fails.** 工作动态 newest 2021-10-01 (55 days); 机构概况 with no 更新日期 and no entries.

use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::findings::{Finding, Status};
use crate::site::Column;

/// A type of column and its update limit.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnClass {
    /// The type's name, used in messages (动态要闻类).
    pub name: String,
    /// Words one of which the column's name contains.
    pub keywords: Vec<String>,
    /// Most days between the newest entry and the audit date.
    pub max_age_days: i64,
    /// Only columns at most this deep (1: first-level columns); deeper ones fall to the next class.
    #[serde(default)]
    pub max_level: Option<usize>,
    /// Whether a stale column of this type counts against `veto_stale`.
    #[serde(default)]
    pub veto: bool,
}

/// Parameters of `column-types-fresh`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The column types, first match wins.
    pub classes: Vec<ColumnClass>,
    /// Stale columns of the veto classes at which the site fails the 单项否决.
    #[serde(default = "default_veto_stale")]
    pub veto_stale: usize,
    /// Days without anything new after which any column is long-stale.
    #[serde(default = "default_long_stale_days")]
    pub long_stale_days: i64,
    /// Long-stale columns at which the site fails the 单项否决.
    #[serde(default = "default_veto_long_stale")]
    pub veto_long_stale: usize,
}

fn default_veto_stale() -> usize {
    5
}
fn default_long_stale_days() -> i64 {
    365
}
fn default_veto_long_stale() -> usize {
    10
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.classes.is_empty() {
            return Err("`classes` must name at least one column type".into());
        }
        for c in &self.classes {
            if c.keywords.is_empty() {
                return Err(format!("class `{}` has no keywords", c.name));
            }
            if c.max_age_days <= 0 {
                return Err(format!("class `{}`: `max_age_days` must be positive", c.name));
            }
        }
        if self.veto_stale == 0 || self.veto_long_stale == 0 || self.long_stale_days <= 0 {
            return Err("veto levels and `long_stale_days` must be positive".into());
        }
        Ok(())
    }

    /// The class of a column, by name and level.
    pub fn class_of(&self, col: &Column) -> Option<&ColumnClass> {
        let name = crate::site::normalize_name(&col.name);
        self.classes.iter().find(|c| {
            c.max_level.is_none_or(|m| col.level <= m) && c.keywords.iter().any(|k| name.contains(k.as_str()))
        })
    }
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let mut findings: Vec<Finding> = Vec::new();
    let (mut classified, mut fresh, mut stale_veto, mut long_stale) = (0usize, 0usize, 0usize, 0usize);
    let blank_params = super::column_blank::Params::default();
    for col in &site.columns {
        // A directory column (sub-columns, no list of its own) is judged through its sub-columns.
        if !col.fetched || (col.entries.is_empty() && !site.children(&col.url).is_empty()) {
            continue;
        }
        let newest = col.newest();
        // A blank or explained column without entries or date is column-blank's business: counting it
        // here too would judge one fault twice.
        if col.entries.is_empty()
            && newest.is_none()
            && super::column_blank::blankness(site, col, &blank_params)
                != super::column_blank::Blankness::Filled
        {
            continue;
        }
        let class = p.class_of(col);
        let age = newest.map(|d| (ctx.as_of - d).num_days());
        let ev = |excerpt: String| site.evidence(&col.url, &excerpt).into_iter().collect::<Vec<_>>();
        let undated = match (col.entries.is_empty(), newest) {
            (_, Some(_)) => None,
            (true, None) => Some("栏目页面未标注更新日期".to_string()),
            (false, None) => Some(format!("栏目的{}条信息均未标注日期", col.entries.len())),
        };
        let is_long = age.is_none_or(|a| a > p.long_stale_days);
        let Some(class) = class else {
            // Unclassified: only the long-stale rule, and only for list columns (a single-page column
            // such as the 公开指南 is not "updated" by new entries).
            if is_long && !col.entries.is_empty() {
                long_stale += 1;
                let msg = match (newest, age) {
                    (Some(d), Some(a)) => {
                        format!("“{}”栏目最近更新于{d}，已{a}天未更新，属长期未更新栏目", col.name)
                    }
                    _ => format!("“{}”{}，按长期未更新处理", col.name, undated.clone().unwrap_or_default()),
                };
                findings.push(finding(id, Status::Fail, msg, ev(col.name.clone())));
            }
            continue;
        };
        classified += 1;
        if is_long {
            long_stale += 1;
        }
        match (newest, age) {
            (Some(d), Some(a)) if a <= class.max_age_days => {
                fresh += 1;
                findings.push(finding(
                    id,
                    Status::Pass,
                    format!(
                        "“{}”（{}，要求{}天内更新）最近更新于{d}，距测评日{}天",
                        col.name,
                        class.name,
                        class.max_age_days,
                        a.max(0)
                    ),
                    ev(format!(
                        "{d} {}",
                        col.entries.first().map_or(col.name.as_str(), |e| e.title.as_str())
                    )),
                ));
            }
            (Some(d), Some(a)) => {
                stale_veto += usize::from(class.veto);
                findings.push(finding(
                    id,
                    Status::Fail,
                    format!(
                        "“{}”（{}，要求{}天内更新）最近更新于{d}，已{a}天未更新",
                        col.name, class.name, class.max_age_days
                    ),
                    ev(format!(
                        "{d} {}",
                        col.entries.first().map_or(col.name.as_str(), |e| e.title.as_str())
                    )),
                ));
            }
            _ => {
                stale_veto += usize::from(class.veto);
                findings.push(finding(
                    id,
                    Status::Fail,
                    format!(
                        "“{}”（{}，要求{}天内更新）{}，按未更新处理",
                        col.name,
                        class.name,
                        class.max_age_days,
                        undated.unwrap_or_default()
                    ),
                    ev(col.name.clone()),
                ));
            }
        }
    }
    if classified == 0 && long_stale == 0 {
        return Verdict::uncredited(
            id,
            Status::Manual,
            "栏目目录中未识别出动态、通知公告、政策文件或基础信息类栏目，无法按栏目类型判定更新情况，需人工核查",
            site.root_evidence("专栏栏目目录"),
        );
    }
    let vetoed = stale_veto >= p.veto_stale || long_stale >= p.veto_long_stale;
    let summary = format!(
        "按栏目类型判定{classified}个栏目，{fresh}个按时更新；动态、通知公告、政策文件类栏目超期未更新{stale_veto}个（单项否决线{}个），一年以上未更新栏目{long_stale}个（单项否决线{}个）{}",
        p.veto_stale,
        p.veto_long_stale,
        if vetoed { "，已达到单项否决线" } else { "" }
    );
    let credit = if vetoed {
        0.0
    } else if classified == 0 {
        1.0 - (long_stale as f64 / p.veto_long_stale as f64).min(1.0)
    } else {
        fresh as f64 / classified as f64
    };
    let status = Status::from_credit(credit);
    findings.insert(0, finding(id, status, summary, site.root_evidence("专栏栏目目录")));
    Verdict::scored(credit, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};
    use crate::extract::PageFacts;

    const ROOT: &str = "http://gov.test/xxgk/";

    fn params() -> Params {
        let class = |name: &str, kw: &[&str], days: i64, max_level: Option<usize>, veto: bool| ColumnClass {
            name: name.into(),
            keywords: kw.iter().map(|s| s.to_string()).collect(),
            max_age_days: days,
            max_level,
            veto,
        };
        Params {
            classes: vec![
                class("动态要闻类", &["动态", "要闻"], 14, None, true),
                class("通知公告、政策文件类", &["通知公告", "政策文件"], 180, Some(1), true),
                class("基础信息类", &["机构", "规划", "财政"], 365, None, false),
            ],
            veto_stale: 5,
            long_stale_days: 365,
            veto_long_stale: 10,
        }
    }

    fn listed(date: Option<&str>) -> PageFacts {
        facts_list("", vec![entry("某信息", "http://gov.test/xxgk/x/1.html", date)], &[])
    }

    fn site(cols: Vec<(&str, PageFacts)>) -> crate::site::UnitSite {
        let nav: Vec<(String, String)> =
            cols.iter().enumerate().map(|(i, (n, _))| (n.to_string(), format!("{ROOT}c{i}/"))).collect();
        let nav_ref: Vec<(&str, &str)> = nav.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut b = SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &nav_ref));
        for (i, (_, f)) in cols.into_iter().enumerate() {
            b = b.page(&format!("{ROOT}c{i}/"), f);
        }
        b.build()
    }

    fn run_on(s: &crate::site::UnitSite) -> Verdict {
        run("t", &params(), &Context { site: s, as_of: d("2021-11-25") })
    }

    #[test]
    fn thresholds_by_type() {
        let mut org = facts_doc(
            "",
            "机构概况",
            "单位地址：某路1号；办公时间：工作日上午9:00至下午5:00；联系电话：0551-1234567",
        );
        org.updated_date = Some(d("2021-01-10"));
        let v = run_on(&site(vec![
            ("工作动态", listed(Some("2021-11-20"))),
            ("通知公告", listed(Some("2021-06-01"))),
            ("机构概况", org),
        ]));
        assert_eq!((v.status, v.credit), (Status::Pass, Some(1.0)), "{v:#?}");
        assert!(
            v.findings.iter().any(|f| f.message.contains("“机构概况”") && f.message.contains("2021-01-10"))
        );

        let v = run_on(&site(vec![
            ("工作动态", listed(Some("2021-10-01"))),
            ("通知公告", listed(Some("2021-06-01"))),
            (
                "机构概况",
                facts_doc(
                    "",
                    "机构概况",
                    "单位地址：某路1号；办公时间：工作日上午9:00至下午5:00；联系电话：0551-1234567",
                ),
            ),
        ]));
        assert_eq!(v.credit, Some(1.0 / 3.0), "{v:#?}");
        let msgs: Vec<&str> = v.findings.iter().map(|f| f.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("“工作动态”") && m.contains("已55天未更新")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("“机构概况”") && m.contains("未标注更新日期")), "{msgs:?}");
    }

    #[test]
    fn undated_entries_are_not_updated() {
        let v = run_on(&site(vec![("政务动态", listed(None))]));
        assert_eq!(v.status, Status::Fail);
        assert!(v.findings[1].message.contains("均未标注日期"), "{:?}", v.findings);
    }

    #[test]
    fn five_stale_news_and_notice_columns_reach_the_veto() {
        let old = || listed(Some("2021-01-01"));
        let fresh = || listed(Some("2021-11-24"));
        let v = run_on(&site(vec![
            ("工作动态", old()),
            ("部门动态", old()),
            ("乡镇动态", old()),
            ("要闻", old()),
            ("通知公告", old()),
            ("社区动态", fresh()),
        ]));
        assert_eq!((v.status, v.credit), (Status::Fail, Some(0.0)), "{:#?}", v.findings[0]);
        assert!(
            v.findings[0].message.contains("超期未更新5个")
                && v.findings[0].message.contains("已达到单项否决线")
        );
    }

    #[test]
    fn a_deeper_notice_column_is_not_held_to_six_months() {
        let parent = format!("{ROOT}gk/");
        let child = format!("{ROOT}gk/tzgg/");
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("公开目录", &parent)]))
            .page(&parent, facts_nav(&parent, &[("通知公告", &child)]))
            .page(
                &child,
                facts_list(&child, vec![entry("某通知", &format!("{child}1.html"), Some("2021-03-01"))], &[]),
            )
            .build();
        let v = run_on(&s);
        // Level 2: only the long-stale rule applies, and 269 days is not long-stale.
        assert_eq!(v.status, Status::Manual, "{v:#?}");
    }

    #[test]
    fn long_stale_unclassified_columns_are_counted() {
        let cols: Vec<(String, PageFacts)> =
            (0..10).map(|i| (format!("专题{i}"), listed(Some("2019-05-01")))).collect();
        let v = run_on(&site(cols.iter().map(|(n, f)| (n.as_str(), f.clone())).collect()));
        assert_eq!(v.credit, Some(0.0));
        assert!(v.findings[0].message.contains("一年以上未更新栏目10个"), "{}", v.findings[0].message);
    }
}

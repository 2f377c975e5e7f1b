//! `pilot-domains`: a department's 试点领域 (附件2, declared as `domains:` in the units file) each have
//! their columns or documents, kept up.
//!
//! **What it checks.** Each declared domain is looked up in the check's `domains` table (by name or
//! alias; a compound name such as “社会救助、养老服务领域” is split at 、 and “领域” dropped). Its own column
//! (by `columns` names) is judged by its newest entry: at most `max_age_days` old earns 1, older ½, an
//! empty column 0. Without its own column, documents titled with one of its `keywords` (anywhere in the
//! 专栏, typically under a general 重点领域信息公开 column) are judged the same way. Nothing at all is 0.
//! The credit is the mean over the known domains. A unit that declares no domain, or only unknown
//! ones, cannot be judged here: `manual`, saying what to declare.
//!
//! **Why.** Rubric item department-03 ("重点领域信息公开"); 附件2 of the seed document lists the 试点领域
//! and their 主管部门. The freshness limit follows the basic-column practice of monitoring vendors (1
//! year, unverified) and is a parameter.
//!
//! **Passes.** `domains: [环境保护]`, a 重点领域信息公开 column with “…环境影响评价文件审批决定的公告”
//! of 2025-02-27, audit date 2025-03-20.
//!
//! **Fails.** `domains: [公共文化服务]` and nothing in the 专栏 about 公共文化, 图书馆, 文化馆 or 非遗.

use chrono::NaiveDate;
use serde::Deserialize;

use super::doc_match::{doc_date, unit_docs};
use super::{ColumnSpec, Context, Verdict, finding};
use crate::findings::{Finding, Status};
use crate::site::TitledDoc;

/// One 试点领域 of 附件2 and how to recognise its information.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// The name as 附件2 prints it (without 领域).
    pub name: String,
    /// Other names a unit may declare.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Names of the domain's own column.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Title words of the domain's documents.
    pub keywords: Vec<String>,
    /// Overrides the check's `max_age_days`.
    #[serde(default)]
    pub max_age_days: Option<i64>,
}

/// Parameters of `pilot-domains`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The 附件2 domains.
    pub domains: Vec<Domain>,
    /// Most days from the newest entry to the audit date.
    #[serde(default = "default_age")]
    pub max_age_days: i64,
}

fn default_age() -> i64 {
    365
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.domains.is_empty() || self.max_age_days <= 0 {
            return Err("`domains` must not be empty and `max_age_days` positive".into());
        }
        if let Some(d) = self.domains.iter().find(|d| d.keywords.is_empty() && d.columns.is_empty()) {
            return Err(format!("domain `{}` needs `keywords` or `columns`", d.name));
        }
        Ok(())
    }
}

/// A declared domain name split into the names of the table: “社会救助、养老服务领域” → 社会救助, 养老服务.
pub fn split_declared(name: &str) -> Vec<String> {
    name.split(['、', '，', ',', '/'])
        .map(|s| s.trim().trim_end_matches("领域").trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn newest(site: &crate::site::UnitSite, docs: &[TitledDoc]) -> Option<(NaiveDate, TitledDoc)> {
    docs.iter().filter_map(|d| doc_date(site, d).map(|n| (n, d.clone()))).max_by_key(|(n, _)| *n)
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let declared: Vec<String> = site.unit.domains.iter().flat_map(|d| split_declared(d)).collect();
    if declared.is_empty() {
        let ev = site.root_evidence("试点领域未声明");
        return Verdict::uncredited(
            id,
            Status::Manual,
            "单位未在测评单位清单（units.yaml）中用 domains 声明试点领域（附件2），无法判定本部门重点领域信息的公开情况；请声明后重新测评，或由测评人员查看",
            ev,
        );
    }
    let docs = unit_docs(site);
    let mut findings: Vec<Finding> = Vec::new();
    let mut credits: Vec<f64> = Vec::new();
    for name in &declared {
        let Some(dom) = p.domains.iter().find(|d| &d.name == name || d.aliases.contains(name)) else {
            let ev = site.root_evidence(name);
            findings.push(finding(
                id,
                Status::Manual,
                format!("“{name}”不是附件2所列试点领域，需人工确认对应栏目"),
                ev,
            ));
            continue;
        };
        let limit = dom.max_age_days.unwrap_or(p.max_age_days);
        let spec = ColumnSpec { name: dom.name.clone(), synonyms: dom.columns.clone() };
        let (source, list, seen_on) = match spec.find(site) {
            Some(c) => {
                let list: Vec<TitledDoc> = c
                    .entries
                    .iter()
                    .map(|e| TitledDoc {
                        title: e.title.clone(),
                        url: e.url.clone(),
                        seen_on: c.url.clone(),
                        date: e.date,
                    })
                    .collect();
                (format!("“{}”栏目", c.name), list, Some(c.url.clone()))
            }
            None => {
                let list: Vec<TitledDoc> = docs
                    .iter()
                    .filter(|d| dom.keywords.iter().any(|k| d.title.contains(k.as_str())))
                    .cloned()
                    .collect();
                ("相关信息".to_string(), list, None)
            }
        };
        if list.is_empty() {
            let ev = match &seen_on {
                Some(u) => site.evidence(u, &source).into_iter().collect(),
                None => site.root_evidence(&format!("在专栏中查找{}领域信息", dom.name)),
            };
            let msg = match seen_on {
                Some(_) => format!("试点领域“{}”：{source}空白", dom.name),
                None => format!("试点领域“{}”：专栏中未设对应栏目，也未找到相关信息", dom.name),
            };
            findings.push(finding(id, Status::Fail, msg, ev));
            credits.push(0.0);
            continue;
        }
        let ev: Vec<_> = list
            .iter()
            .take(3)
            .flat_map(|d| site.doc_evidence(d, &format!("{}：{}", dom.name, d.title)))
            .collect();
        match newest(site, &list) {
            Some((n, d)) if (ctx.as_of - n).num_days() <= limit => {
                let msg =
                    format!("试点领域“{}”：{source}{}条，最新《{}》发布于{n}", dom.name, list.len(), d.title);
                findings.push(finding(id, Status::Pass, msg, ev));
                credits.push(1.0);
            }
            other => {
                let when = other.map_or("均未标注日期".to_string(), |(n, _)| {
                    format!("最新一条发布于{n}，距今{}天，超过{limit}天", (ctx.as_of - n).num_days())
                });
                let msg = format!("试点领域“{}”：{source}{}条，{when}，未及时更新", dom.name, list.len());
                findings.push(finding(id, Status::Partial, msg, ev));
                credits.push(0.5);
            }
        }
    }
    if credits.is_empty() {
        return Verdict { status: Status::Manual, credit: None, findings };
    }
    Verdict::scored(credits.iter().sum::<f64>() / credits.len() as f64, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_list, facts_nav};
    use crate::config::UnitKind;

    fn params() -> Params {
        let dom = |n: &str, cols: &[&str], kw: &[&str]| Domain {
            name: n.into(),
            aliases: vec![],
            columns: cols.iter().map(|s| s.to_string()).collect(),
            keywords: kw.iter().map(|s| s.to_string()).collect(),
            max_age_days: None,
        };
        Params {
            domains: vec![
                dom("环境保护", &["生态环境"], &["环境影响评价", "环评", "排污"]),
                dom("公共文化服务", &["公共文化"], &["公共文化", "图书馆", "非遗"]),
                dom("社会救助", &["社会救助"], &["低保", "救助"]),
                dom("养老服务", &["养老服务"], &["养老"]),
            ],
            max_age_days: 365,
        }
    }

    fn site(
        domains: &[&str],
        nav: &[(&str, &str)],
        lists: &[(&str, Vec<crate::extract::ListEntry>)],
    ) -> crate::site::UnitSite {
        let root = "http://gov.test/public/";
        let mut b = SiteBuilder::new(root).kind(UnitKind::Department).page(root, facts_nav(root, nav));
        for (url, entries) in lists {
            b = b.page(url, facts_list(url, entries.clone(), &[]));
        }
        let mut s = b.build();
        s.unit.domains = domains.iter().map(|s| s.to_string()).collect();
        s
    }

    #[test]
    fn declared_domains_by_column_or_by_title() {
        let zd = "http://gov.test/public/zdly/";
        let jz = "http://gov.test/public/shjz/";
        let eia = entry(
            "关于2025年第一批建设项目环境影响评价文件审批决定的公告",
            "http://gov.test/public/c/1.html",
            Some("2025-02-27"),
        );
        let old = entry("2023年低保资金发放公示", "http://gov.test/public/c/2.html", Some("2023-06-01"));
        let cases: Vec<(&str, crate::site::UnitSite, Status, Option<f64>)> = vec![
            (
                "by title under 重点领域",
                site(&["环境保护"], &[("重点领域信息公开", zd)], &[(zd, vec![eia.clone()])]),
                Status::Pass,
                Some(1.0),
            ),
            (
                "nothing",
                site(&["公共文化服务领域"], &[("重点领域信息公开", zd)], &[(zd, vec![eia.clone()])]),
                Status::Fail,
                Some(0.0),
            ),
            (
                "compound: a stale column and nothing",
                site(&["社会救助、养老服务领域"], &[("社会救助", jz)], &[(jz, vec![old.clone()])]),
                Status::Partial,
                Some(0.25),
            ),
            (
                "an empty own column",
                site(&["社会救助"], &[("社会救助", jz)], &[(jz, vec![])]),
                Status::Fail,
                Some(0.0),
            ),
            (
                "none declared",
                site(&[], &[("重点领域信息公开", zd)], &[(zd, vec![eia.clone()])]),
                Status::Manual,
                None,
            ),
            (
                "unknown",
                site(&["航天"], &[("重点领域信息公开", zd)], &[(zd, vec![eia.clone()])]),
                Status::Manual,
                None,
            ),
        ];
        for (name, s, want, credit) in cases {
            let v = run("p", &params(), &Context { site: &s, as_of: d("2025-03-20") });
            assert_eq!(v.status, want, "{name}: {v:#?}");
            assert_eq!(v.credit.map(|c| (c * 100.0).round()), credit.map(|c| (c * 100.0).round()), "{name}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}: {v:#?}");
        }
        assert_eq!(
            split_declared("国有土地上房屋征收、国土空间规划、征地补偿领域"),
            ["国有土地上房屋征收", "国土空间规划", "征地补偿"]
        );
    }
}

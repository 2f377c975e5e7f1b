//! `topic-entries`: each topic has enough entries, a recent one, and no long silence between them.
//!
//! **What it checks.** A topic (应急预案, 回应关切, 社会救助 …) gathers the documents of the unit whose title
//! has one of its keywords (and none of its `exclude_words`), every entry of its own `columns`, and the
//! documents listed in the check's `body_columns` whose page text names a keyword (a monthly 居务公开
//! report with a 社会救助 section counts for 社会救助). Titles with an `exclude_titles` word never count
//! (the 公开事项清单 names every topic but discloses none). Each topic is then held to `min_entries`
//! entries, its newest entry at most `max_age_days` before `--as-of`, and at most `max_gap_days` between
//! consecutive entries among its newest `min_entries` (each limit optional, set for the check or per
//! topic; an undated entry counts as not updated). A topic meeting every limit earns 1, one with entries
//! that misses a limit ½, one with none 0; the check's credit is the mean.
//!
//! **Why.** Rubric item common-26 asks for 应急预案 to be published and 社会关切 answered; street-01 for
//! 村（居）务公开 of 乡村振兴, 村级财务, 惠农政策, 养老服务, 社会救助, 保障性住房, 农村危房改造, 义务教育 and
//! 医疗卫生. The 基层 limits (≥4 entries, newest ≤90 days, gaps ≤90 days) are a county office's own
//! robot's rule (DOMAIN.md §4), not a national one: they are parameters.
//!
//! **Passes.** 社会救助 with `min_entries: 4`, `max_age_days: 90`, `max_gap_days: 90`: monthly 居务公开
//! reports of 2024-12-09, 2025-01-08, 2025-02-10 and 2025-03-07 each with a 社会救助 section, audit date
//! 2025-03-20.
//!
//! **Fails.** No entry at all; (½) two entries, or the newest from last year.

use chrono::NaiveDate;
use serde::Deserialize;

use super::doc_match::{doc_date, doc_text, unit_docs};
use super::{ColumnSpec, Context, Verdict, finding};
use crate::findings::{Evidence, Finding, Status};
use crate::site::{TitledDoc, UnitSite, canonical_url};

/// One topic and its limits (unset limits fall back to the check's).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// The topic's name, used in messages.
    pub name: String,
    /// Title words (and, in `body_columns`, text words) of the topic's documents.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Titles with one of these do not count for this topic (the 舆情回应制度 is no 回应).
    #[serde(default)]
    pub exclude_words: Vec<String>,
    /// Columns whose every entry counts for the topic.
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
    /// Overrides the check's `min_entries`.
    #[serde(default)]
    pub min_entries: Option<usize>,
    /// Overrides the check's `max_age_days`.
    #[serde(default)]
    pub max_age_days: Option<i64>,
    /// Overrides the check's `max_gap_days`.
    #[serde(default)]
    pub max_gap_days: Option<i64>,
}

/// Parameters of `topic-entries`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The topics.
    pub topics: Vec<Topic>,
    /// Least entries per topic.
    #[serde(default = "one")]
    pub min_entries: usize,
    /// Most days from the newest entry to the audit date.
    #[serde(default)]
    pub max_age_days: Option<i64>,
    /// Most days between consecutive entries among the newest `min_entries`.
    #[serde(default)]
    pub max_gap_days: Option<i64>,
    /// Columns whose listed documents count for a topic when their text names one of its keywords.
    #[serde(default)]
    pub body_columns: Vec<ColumnSpec>,
    /// Titles with one of these never count.
    #[serde(default)]
    pub exclude_titles: Vec<String>,
}

fn one() -> usize {
    1
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.topics.is_empty() {
            return Err("`topics` must name at least one topic".into());
        }
        for t in &self.topics {
            if t.keywords.iter().all(|k| k.trim().is_empty()) && t.columns.is_empty() {
                return Err(format!("topic `{}` needs `keywords` or `columns`", t.name));
            }
            let positive = |v: Option<i64>| v.is_none_or(|v| v > 0);
            if t.min_entries == Some(0) || !positive(t.max_age_days) || !positive(t.max_gap_days) {
                return Err(format!("topic `{}`: limits must be positive", t.name));
            }
        }
        let positive = |v: Option<i64>| v.is_none_or(|v| v > 0);
        if self.min_entries == 0 || !positive(self.max_age_days) || !positive(self.max_gap_days) {
            return Err("`min_entries`, `max_age_days` and `max_gap_days` must be positive".into());
        }
        Ok(())
    }
}

fn has_any(s: &str, words: &[String]) -> bool {
    words.iter().any(|w| !w.is_empty() && s.contains(w.as_str()))
}

/// The documents listed in a column (its entries), as titled documents.
fn column_docs(site: &UnitSite, spec: &ColumnSpec) -> Vec<TitledDoc> {
    spec.find(site)
        .map(|c| {
            c.entries
                .iter()
                .map(|e| TitledDoc {
                    title: e.title.clone(),
                    url: e.url.clone(),
                    seen_on: c.url.clone(),
                    date: e.date,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A topic's entries, newest first (undated last).
fn entries(
    p: &Params,
    t: &Topic,
    site: &UnitSite,
    docs: &[TitledDoc],
) -> Vec<(TitledDoc, Option<NaiveDate>)> {
    let mut found: Vec<TitledDoc> = Vec::new();
    let mut push = |d: TitledDoc| {
        if !has_any(&d.title, &p.exclude_titles)
            && !found.iter().any(|x| canonical_url(&x.url) == canonical_url(&d.url))
        {
            found.push(d);
        }
    };
    for spec in &t.columns {
        column_docs(site, spec).into_iter().for_each(&mut push);
    }
    for d in docs {
        if has_any(&d.title, &t.keywords) && !has_any(&d.title, &t.exclude_words) {
            push(d.clone());
        }
    }
    for spec in &p.body_columns {
        for d in column_docs(site, spec) {
            if has_any(&d.title, &t.exclude_words) {
                continue;
            }
            if doc_text(site, &d.url).is_some_and(|text| has_any(text, &t.keywords)) {
                push(d);
            }
        }
    }
    let mut dated: Vec<(TitledDoc, Option<NaiveDate>)> = found
        .into_iter()
        .map(|d| {
            let date = doc_date(site, &d);
            (d, date)
        })
        .collect();
    dated.sort_by_key(|e| std::cmp::Reverse(e.1));
    dated
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let docs = unit_docs(site);
    let mut findings: Vec<Finding> = Vec::new();
    let mut total = 0.0;
    for t in &p.topics {
        let min = t.min_entries.unwrap_or(p.min_entries);
        let max_age = t.max_age_days.or(p.max_age_days);
        let max_gap = t.max_gap_days.or(p.max_gap_days);
        let list = entries(p, t, site, &docs);
        if list.is_empty() {
            let mut ev: Vec<Evidence> = Vec::new();
            for spec in t.columns.iter().chain(&p.body_columns) {
                if let Some(c) = spec.find(site) {
                    ev.extend(site.evidence(&c.url, &format!("在“{}”栏目中查找“{}”", c.name, t.name)));
                }
            }
            if ev.is_empty() {
                ev = site.root_evidence(&format!("在专栏中查找“{}”", t.name));
            }
            findings.push(finding(id, Status::Fail, format!("“{}”：未找到任何相关信息", t.name), ev));
            continue;
        }
        let mut problems: Vec<String> = Vec::new();
        if list.len() < min {
            problems.push(format!("仅{}条，少于{min}条", list.len()));
        }
        let newest = list[0].1;
        if let Some(limit) = max_age {
            match newest {
                Some(n) if (ctx.as_of - n).num_days() <= limit => {}
                Some(n) => problems
                    .push(format!("最新一条发布于{n}，距今{}天，超过{limit}天", (ctx.as_of - n).num_days())),
                None => problems.push("信息均未标注日期，视为未更新".into()),
            }
        }
        let mut widest: Option<(i64, NaiveDate, NaiveDate)> = None;
        let recent: Vec<NaiveDate> = list.iter().take(min.max(2)).filter_map(|(_, d)| *d).collect();
        for w in recent.windows(2) {
            let gap = (w[0] - w[1]).num_days();
            if widest.is_none_or(|(g, _, _)| gap > g) {
                widest = Some((gap, w[1], w[0]));
            }
        }
        if let (Some(limit), Some((gap, from, to))) = (max_gap, widest)
            && gap > limit
        {
            problems.push(format!("{from}至{to}间隔{gap}天，超过{limit}天"));
        }
        let newest_said =
            newest.map_or("最新一条未标注日期".to_string(), |n| format!("最新一条发布于{n}"));
        let ev: Vec<Evidence> = list
            .iter()
            .take(3)
            .flat_map(|(d, _)| site.doc_evidence(d, &format!("{}：{}", t.name, d.title)))
            .collect();
        let (status, credit, msg) = if problems.is_empty() {
            let gap =
                widest.map_or(String::new(), |(g, _, _)| format!("，最近{}条间隔最长{g}天", recent.len()));
            (
                Status::Pass,
                1.0,
                format!("“{}”：{}条，{newest_said}{gap}，如《{}》", t.name, list.len(), list[0].0.title),
            )
        } else {
            // The age problem already names the newest entry's date.
            let said = if problems.iter().any(|m| m.starts_with("最新一条") || m.starts_with("信息均未"))
            {
                String::new()
            } else {
                format!("{newest_said}；")
            };
            (
                Status::Partial,
                0.5,
                format!(
                    "“{}”：{}条，{said}{}，如《{}》",
                    t.name,
                    list.len(),
                    problems.join("；"),
                    list[0].0.title
                ),
            )
        };
        total += credit;
        findings.push(finding(id, status, msg, ev));
    }
    Verdict::scored(total / p.topics.len() as f64, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};

    const ROOT: &str = "http://gov.test/xxgk/";
    const CJ: &str = "http://gov.test/xxgk/cjwgk/";
    const TZ: &str = "http://gov.test/xxgk/tzgg/";

    fn spec(name: &str) -> ColumnSpec {
        ColumnSpec { name: name.into(), synonyms: vec![] }
    }

    fn topic(name: &str, keywords: &[&str]) -> Topic {
        Topic {
            name: name.into(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            exclude_words: vec!["制度".into()],
            columns: vec![],
            min_entries: None,
            max_age_days: None,
            max_gap_days: None,
        }
    }

    /// 村（居）务公开 reports (date, text) and 通知公告 titles (date, title).
    fn site(reports: &[(&str, &str)], notices: &[(&str, &str)]) -> UnitSite {
        let mut b =
            SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[("村（居）务公开", CJ), ("通知公告", TZ)]));
        let mut cj = vec![entry(
            "某社区公开事项清单（社会救助、养老服务）",
            "http://gov.test/xxgk/cjwgk/q.html",
            Some("2025-03-01"),
        )];
        for (n, (date, text)) in reports.iter().enumerate() {
            let url = format!("http://gov.test/xxgk/cjwgk/{n}.html");
            let title = format!("某社区{date}居务公开");
            cj.push(entry(&title, &url, Some(date)));
            let mut f = facts_doc(&url, &title, text);
            f.publish_date = Some(d(date));
            b = b.page(&url, f);
        }
        let tz: Vec<_> = notices
            .iter()
            .enumerate()
            .map(|(n, (date, title))| {
                entry(title, &format!("http://gov.test/xxgk/tzgg/{n}.html"), Some(date))
            })
            .collect();
        b.page(CJ, facts_list(CJ, cj, &[])).page(TZ, facts_list(TZ, tz, &[])).build()
    }

    fn params() -> Params {
        Params {
            topics: vec![topic("社会救助", &["社会救助", "低保"]), topic("养老服务", &["养老"])],
            min_entries: 4,
            max_age_days: Some(90),
            max_gap_days: Some(90),
            body_columns: vec![spec("村（居）务公开")],
            exclude_titles: vec!["事项清单".into()],
        }
    }

    #[test]
    fn entries_recent_and_regular() {
        let both = "一、社会救助：发放低保金。二、养老服务：走访老人。";
        let aid = "一、社会救助：发放低保金。";
        let monthly =
            [("2024-12-09", both), ("2025-01-08", both), ("2025-02-10", both), ("2025-03-07", both)];
        // (name, reports, notices, as_of, (社会救助, 养老服务) statuses, credit)
        type Case<'a> =
            (&'a str, Vec<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>, &'a str, [Status; 2], f64);
        let cases: Vec<Case> = vec![
            (
                "four monthly reports",
                monthly.to_vec(),
                vec![],
                "2025-03-20",
                [Status::Pass, Status::Pass],
                1.0,
            ),
            (
                "two reports name 养老, four and a 低保 notice name 社会救助",
                vec![("2024-12-09", both), ("2025-01-08", both), ("2025-02-10", aid), ("2025-03-07", aid)],
                vec![("2025-03-05", "2月低保资金发放公示")],
                "2025-03-20",
                [Status::Pass, Status::Partial],
                0.75,
            ),
            ("stale", monthly.to_vec(), vec![], "2025-07-20", [Status::Partial, Status::Partial], 0.5),
            (
                "a gap of 120 days among the newest four",
                vec![("2024-08-01", both), ("2024-11-29", both), ("2025-01-08", both), ("2025-03-07", both)],
                vec![],
                "2025-03-20",
                [Status::Partial, Status::Partial],
                0.5,
            ),
            (
                "only the 事项清单 and a 制度 name the topics",
                vec![],
                vec![("2025-03-05", "某街道社会救助工作制度")],
                "2025-03-20",
                [Status::Fail, Status::Fail],
                0.0,
            ),
        ];
        for (name, reports, notices, as_of, want, credit) in cases {
            let s = site(&reports, &notices);
            let v = run("t", &params(), &Context { site: &s, as_of: d(as_of) });
            let got: Vec<Status> = v.findings.iter().map(|f| f.status).collect();
            assert_eq!(got, want, "{name}: {v:#?}");
            assert!((v.credit.unwrap() - credit).abs() < 1e-9, "{name}: {v:#?}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
        }
        let s = site(
            &[("2024-08-01", both), ("2024-11-29", both), ("2025-01-08", both), ("2025-03-07", both)],
            &[],
        );
        let v = run("t", &params(), &Context { site: &s, as_of: d("2025-03-20") });
        assert!(v.findings[0].message.contains("2024-08-01至2024-11-29间隔120天"), "{v:#?}");
    }

    #[test]
    fn a_topic_column_counts_every_entry_and_an_old_plan_is_stale() {
        let yj = "http://gov.test/xxgk/yjgl/";
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("应急管理", yj)]))
            .page(
                yj,
                facts_list(
                    yj,
                    vec![entry(
                        "某局旅游突发事件处置方案",
                        "http://gov.test/xxgk/yjgl/1.html",
                        Some("2021-05-18"),
                    )],
                    &[],
                ),
            )
            .build();
        let mut t = topic("应急预案", &["应急预案"]);
        t.columns = vec![ColumnSpec { name: "应急预案".into(), synonyms: vec!["应急管理".into()] }];
        t.max_age_days = Some(1095);
        let p = Params {
            topics: vec![t, topic("回应关切", &["回应关切"])],
            min_entries: 1,
            max_age_days: None,
            max_gap_days: None,
            body_columns: vec![],
            exclude_titles: vec![],
        };
        let v = run("t", &p, &Context { site: &s, as_of: d("2025-03-20") });
        assert_eq!(v.findings[0].status, Status::Partial, "{v:#?}");
        assert!(v.findings[0].message.contains("超过1095天"), "{v:#?}");
        assert_eq!(v.findings[1].status, Status::Fail);
        assert_eq!(v.status, Status::Partial);
        assert!((v.credit.unwrap() - 0.25).abs() < 1e-9);
    }
}

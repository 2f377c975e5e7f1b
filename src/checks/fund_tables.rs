//! `fund-tables`: 惠民资金 disclosed in tables down to 项目, 村组 or 户, without personal data.
//!
//! **What it checks.** A fund disclosure is a document of the unit whose title has a `title_words` word
//! (资金, 补贴, 低保, 收支 …). Its page's tables, and its spreadsheet attachments (xls, xlsx, csv), are read
//! for a heading with an amount word (金额, 元 …) and headings naming a level (`levels`: 项目; 村组 /
//! 社区; 户 / 户主 / 姓名). A document whose page or attachment shows a full resident ID or mobile number
//! (masked forms do not count) discloses personal data. Credit: 1 when some disclosure reaches a level
//! in a table; ½ when fund documents exist but only totals are given; 0 when there is none. Personal
//! data in any fund disclosure caps the credit at ½ and is reported (masked) as a fail.
//!
//! **Why.** Rubric item street-05: "资金收支的公开，应公开到具体项目或受益村组、户"; DOMAIN.md §8 (personal
//! data must not be published; name lists in spreadsheets are the usual leak).
//!
//! **Passes.** “2月城乡低保资金发放情况公示” with a table 社区 | 户主姓名 | 身份证号 (340111********1527) |
//! 发放金额（元）.
//!
//! **Fails.** No fund disclosure; (½) “2024年惠民资金使用情况” with one total in the text.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde::de::IntoDeserializer;

use super::doc_match::unit_docs;
use super::{Context, Verdict, finding, pii_leak};
use crate::findings::{Evidence, Finding, Status};
use crate::site::UnitSite;

/// A level of detail and the heading words that show it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// The level's name (项目, 村组, 户).
    pub name: String,
    /// Heading words that show it.
    pub words: Vec<String>,
}

/// Parameters of `fund-tables`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Title words of a fund disclosure.
    pub title_words: Vec<String>,
    /// Title words that make a document something else (a 制度 on funds is no disclosure).
    #[serde(default)]
    pub exclude_words: Vec<String>,
    /// Heading words of an amount column.
    pub amount_words: Vec<String>,
    /// Levels of detail.
    pub levels: Vec<Level>,
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.title_words.is_empty() || self.amount_words.is_empty() || self.levels.is_empty() {
            return Err("`title_words`, `amount_words` and `levels` must not be empty".into());
        }
        if let Some(l) = self.levels.iter().find(|l| l.words.is_empty()) {
            return Err(format!("level `{}` has no words", l.name));
        }
        Ok(())
    }
}

const SHEET_EXTENSIONS: &[&str] = &[".xls", ".xlsx", ".csv", ".et"];

fn has_any(s: &str, words: &[String]) -> bool {
    words.iter().any(|w| !w.is_empty() && s.contains(w.as_str()))
}

/// The levels a table heading row (or a spreadsheet's text) reaches, if it has an amount heading.
fn levels_of(p: &Params, cells: &[String]) -> BTreeSet<String> {
    if !cells.iter().any(|c| has_any(c, &p.amount_words)) {
        return BTreeSet::new();
    }
    p.levels.iter().filter(|l| cells.iter().any(|c| has_any(c, &l.words))).map(|l| l.name.clone()).collect()
}

/// The personal numbers (masked) a text shows, as the privacy check counts them.
fn personal_numbers(text: &str) -> Vec<String> {
    let empty: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let params: Result<pii_leak::Params, serde::de::value::Error> =
        Deserialize::deserialize(empty.into_deserializer());
    let Ok(params) = params else { return Vec::new() };
    pii_leak::find_pii(text, &params).into_iter().map(|h| h.masked).collect()
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site: &UnitSite = ctx.site;
    let funds: Vec<_> = unit_docs(site)
        .into_iter()
        .filter(|d| has_any(&d.title, &p.title_words) && !has_any(&d.title, &p.exclude_words))
        .collect();
    if funds.is_empty() {
        let ev = site.root_evidence("在专栏中查找惠民资金公开信息");
        return Verdict::scored(
            0.0,
            vec![finding(id, Status::Fail, "未发现惠民资金、补贴发放等资金收支公开信息", ev)],
        );
    }
    let mut findings: Vec<Finding> = Vec::new();
    let (mut detailed, mut leaked) = (false, false);
    let mut totals_only: Vec<String> = Vec::new();
    let mut totals_ev: Vec<Evidence> = Vec::new();
    for doc in &funds {
        let Some(page) = site.page(&doc.url) else { continue };
        let mut levels: BTreeSet<String> = BTreeSet::new();
        let mut where_: Vec<&str> = Vec::new();
        let mut leaks: Vec<String> = Vec::new();
        let mut ev: Vec<Evidence> = Vec::new();
        let mut texts: Vec<(&str, &str)> = Vec::new();
        if let Some(f) = &page.facts {
            for row in &f.table_headers {
                let got = levels_of(p, row);
                if !got.is_empty() {
                    where_.push("页面表格");
                }
                levels.extend(got);
            }
            texts.push((page.record.url.as_str(), f.text.as_str()));
            for a in &f.attachments {
                let lower = a.url.to_ascii_lowercase();
                let Some(ap) = site.page(&a.url) else { continue };
                let Some(text) = ap.attachment_text.as_deref() else { continue };
                texts.push((ap.record.url.as_str(), text));
                if SHEET_EXTENSIONS
                    .iter()
                    .any(|x| lower.split(['?', '#']).next().is_some_and(|u| u.ends_with(x)))
                {
                    let head: Vec<String> = text.lines().take(5).map(str::to_string).collect();
                    let got = levels_of(p, &head);
                    if !got.is_empty() {
                        where_.push("附件表格");
                        ev.extend(site.evidence(&ap.record.url, &format!("附件：{}", a.text)));
                    }
                    levels.extend(got);
                }
            }
        } else if let Some(text) = page.attachment_text.as_deref() {
            // The list entry points straight at a spreadsheet or PDF.
            texts.push((page.record.url.as_str(), text));
            let head: Vec<String> = text.lines().take(5).map(str::to_string).collect();
            let got = levels_of(p, &head);
            if !got.is_empty() {
                where_.push("附件表格");
            }
            levels.extend(got);
        } else {
            continue;
        }
        for (url, text) in texts {
            let found = personal_numbers(text);
            if !found.is_empty() {
                ev.extend(site.evidence(url, &format!("含个人信息：{}", found.join("、"))));
                leaks.extend(found);
            }
        }
        let mut cited = site.doc_evidence(doc, &doc.title);
        for e in ev {
            if !cited.iter().any(|c| c.url == e.url) {
                cited.push(e);
            }
        }
        let ev = cited;
        if !leaks.is_empty() {
            leaked = true;
            findings.push(finding(
                id,
                Status::Fail,
                format!(
                    "《{}》公开了未脱敏的个人信息（{}个号码，如{}），应去除或脱敏后公开",
                    doc.title,
                    leaks.len(),
                    leaks[0]
                ),
                ev,
            ));
        } else if levels.is_empty() {
            totals_only.push(format!("《{}》", doc.title));
            totals_ev.extend(ev.into_iter().take(1));
        } else {
            detailed = true;
            where_.dedup();
            // In the order the parameters list them (项目, 村组, 户).
            let levels: Vec<&str> =
                p.levels.iter().filter(|l| levels.contains(&l.name)).map(|l| l.name.as_str()).collect();
            findings.push(finding(
                id,
                Status::Pass,
                format!(
                    "《{}》以{}公开到{}，未见未脱敏的个人信息",
                    doc.title,
                    where_.join("和"),
                    levels.join("、")
                ),
                ev,
            ));
        }
    }
    if !totals_only.is_empty() {
        findings.push(finding(
            id,
            if detailed { Status::Pass } else { Status::Partial },
            format!(
                "{}件资金公开信息未以表格公开到项目、村组或户：{}",
                totals_only.len(),
                totals_only.join("、")
            ),
            totals_ev,
        ));
    }
    if findings.is_empty() {
        let ev: Vec<Evidence> = funds.iter().take(3).flat_map(|d| site.doc_evidence(d, &d.title)).collect();
        return Verdict::uncredited(id, Status::Manual, "资金公开信息的页面均未能读取，需人工查看", ev);
    }
    let mut credit = if detailed { 1.0 } else { 0.5 };
    if leaked {
        credit = f64::min(credit, 0.5);
    }
    Verdict::scored(credit, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};
    use crate::extract::Link;

    const ROOT: &str = "http://gov.test/xxgk/";
    const TZ: &str = "http://gov.test/xxgk/tzgg/";

    fn params() -> Params {
        let level =
            |n: &str, w: &[&str]| Level { name: n.into(), words: w.iter().map(|s| s.to_string()).collect() };
        Params {
            title_words: ["资金", "补贴", "低保", "收支"].map(String::from).to_vec(),
            exclude_words: vec!["制度".into()],
            amount_words: ["金额", "元"].map(String::from).to_vec(),
            levels: vec![
                level("项目", &["项目"]),
                level("村组", &["村", "社区"]),
                level("户", &["户主", "姓名"]),
            ],
        }
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    /// One fund page: its heading rows, its text, an optional spreadsheet attachment text.
    fn site(headers: Vec<Vec<String>>, text: &str, sheet: Option<&str>) -> UnitSite {
        let url = "http://gov.test/xxgk/tzgg/1.html";
        let title = "2月城乡低保资金发放情况公示";
        let mut f = facts_doc(url, title, text);
        f.publish_date = Some(d("2025-03-05"));
        f.table_headers = headers;
        let mut b = SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[("通知公告", TZ)]));
        if let Some(t) = sheet {
            let a = "http://gov.test/xxgk/tzgg/mx.xlsx";
            f.attachments.push(Link { text: "明细表.xlsx".into(), url: a.into() });
            b = b.attachment_text(a, t);
        }
        b.page(url, f).page(TZ, facts_list(TZ, vec![entry(title, url, Some("2025-03-05"))], &[])).build()
    }

    #[test]
    fn levels_tables_and_personal_data() {
        let hh = row(&["序号", "社区", "户主姓名", "身份证号", "发放金额（元）"]);
        let cases: Vec<(&str, UnitSite, Status, f64, &str)> = vec![
            (
                "household table, masked",
                site(vec![hh.clone()], "张** 340111********1527 820", None),
                Status::Pass,
                1.0,
                "村组、户",
            ),
            (
                "spreadsheet by project",
                site(vec![], "明细见附件", Some("项目\t类别\t金额（万元）\n上级补助\t收入\t30")),
                Status::Pass,
                1.0,
                "项目",
            ),
            (
                "a total only",
                site(vec![], "本月共发放低保金4920元。", None),
                Status::Partial,
                0.5,
                "未以表格公开",
            ),
            (
                "a table without amounts",
                site(vec![row(&["序号", "社区", "户主姓名"])], "名单", None),
                Status::Partial,
                0.5,
                "未以表格公开",
            ),
            (
                "household table with a full ID",
                site(vec![hh.clone()], "李建明 340111198506123411 820", None),
                Status::Partial,
                0.5,
                "340111********3411",
            ),
        ];
        for (name, s, want, credit, said) in cases {
            let v = run("f", &params(), &Context { site: &s, as_of: d("2025-03-20") });
            assert_eq!(v.status, want, "{name}: {v:#?}");
            assert!((v.credit.unwrap() - credit).abs() < 1e-9, "{name}");
            assert!(v.findings.iter().any(|f| f.message.contains(said)), "{name}: {v:#?}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
            let all = format!("{v:?}");
            assert!(!all.contains("340111198506123411"), "{name}: a number repeated in full");
        }
        let none = SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[("通知公告", TZ)])).build();
        let v = run("f", &params(), &Context { site: &none, as_of: d("2025-03-20") });
        assert_eq!((v.status, v.credit), (Status::Fail, Some(0.0)));
    }
}

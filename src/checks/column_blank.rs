//! `column-blank`: no column of the 专栏's column tree is blank; the count is held against the veto level.
//!
//! **What it checks.** Every column of the tree (first-level columns, sub-menus, tabs) whose page opened
//! is judged: a column with entries, or with sub-columns, is not blank; a column whose page says only
//! 暂无信息 / 暂无数据, or whose page carries no content of its own beyond the 专栏's menus, is blank,
//! unless the page explains why it has no content (本单位无…, 不涉及, 说明). Each blank column is a
//! finding; a summary finding holds their number against `veto_blank` (5 by the 2019 indicators).
//! Credit falls by 1/`veto_blank` per blank column and is 0 at the veto level.
//!
//! **Why.** 国办秘函〔2019〕19号 (《政府网站与政务新媒体检查指标》): a site with 5 or more blank columns fails
//! the 单项否决; a column that explains why it has no content is not blank (gov.cn 2015 普查 目录说明);
//! rubric item common-13 (目录完整, 无空白栏目).
//!
//! **Passes.** Every column lists entries, or says 本单位无行政收费事项，故本栏目无信息.
//!
//! **Fails.** 规划计划 and 统计信息 show only 暂无信息: two blank columns, credit 1 − 2/5.

use std::collections::HashSet;

use serde::Deserialize;

use super::column_present::{default_blank_words, default_explain_words};
use super::{Context, Verdict, finding};
use crate::findings::{Finding, Status};
use crate::site::{Column, UnitSite};

/// Parameters of `column-blank`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Blank columns at which the site fails the 单项否决.
    #[serde(default = "default_veto")]
    pub veto_blank: usize,
    /// Fewest characters of the page's own text (beyond the entry page's text and the menus) for a
    /// column without entries to count as having content.
    #[serde(default = "default_min_content_chars")]
    pub min_content_chars: usize,
    /// Words that alone make a page blank.
    #[serde(default = "default_blank_words")]
    pub blank_words: Vec<String>,
    /// Words by which a page explains why a column has no content.
    #[serde(default = "default_explain_words")]
    pub explain_words: Vec<String>,
}

fn default_veto() -> usize {
    5
}

fn default_min_content_chars() -> usize {
    20
}

impl Default for Params {
    fn default() -> Params {
        Params {
            veto_blank: default_veto(),
            min_content_chars: default_min_content_chars(),
            blank_words: default_blank_words(),
            explain_words: default_explain_words(),
        }
    }
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.veto_blank == 0 {
            return Err("`veto_blank` must be at least 1".into());
        }
        Ok(())
    }
}

/// How one column of the tree fared.
#[derive(Debug, Clone, PartialEq)]
pub enum Blankness {
    /// Entries, sub-columns or content of its own.
    Filled,
    /// No content, but the page says why.
    Explained,
    /// Only 暂无信息 (the word found).
    SaysNothing(String),
    /// No entries and no text of its own.
    Empty,
    /// The page did not open: not judged here.
    Unread,
}

/// Judges whether a column of the tree is blank.
pub fn blankness(site: &UnitSite, col: &Column, p: &Params) -> Blankness {
    if !col.fetched {
        return Blankness::Unread;
    }
    if !col.entries.is_empty() || !site.children(&col.url).is_empty() {
        return Blankness::Filled;
    }
    let Some(facts) = site.page(&col.url).and_then(|pg| pg.facts.as_ref()) else { return Blankness::Unread };
    let own = own_text(site, col);
    if p.explain_words.iter().any(|w| own.contains(w.as_str())) {
        return Blankness::Explained;
    }
    if let Some(w) = p.blank_words.iter().find(|w| facts.text.contains(w.as_str())) {
        return Blankness::SaysNothing(w.clone());
    }
    // Content that is not text (an 机构图 image, the 指南 as a PDF, a frame) is content: never blank.
    let m = facts.media;
    if !facts.attachments.is_empty()
        || m.images > 0
        || m.videos > 0
        || m.embeds > 0
        || !facts.frames.is_empty()
    {
        return Blankness::Filled;
    }
    if own.chars().filter(|c| !c.is_whitespace()).count() < p.min_content_chars {
        return Blankness::Empty;
    }
    Blankness::Filled
}

/// The column page's own text: its lines that the 专栏's entry pages do not also show, and that are not
/// menu items or the column's own name.
fn own_text(site: &UnitSite, col: &Column) -> String {
    let Some(facts) = site.page(&col.url).and_then(|pg| pg.facts.as_ref()) else { return String::new() };
    let mut common: HashSet<&str> = HashSet::new();
    for root in site.root_pages() {
        if let Some(f) = &root.facts {
            common.extend(f.text.lines().map(str::trim));
        }
    }
    common.extend(facts.nav.iter().map(|l| l.text.as_str()));
    common.extend(facts.breadcrumb.iter().map(String::as_str));
    common.insert(col.name.as_str());
    facts
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !common.contains(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    if site.columns.is_empty() {
        return Verdict::uncredited(
            id,
            Status::Manual,
            "未能从专栏首页识别出栏目目录，无法判定空白栏目，需人工核查",
            site.root_evidence("专栏首页"),
        );
    }
    let mut findings: Vec<Finding> = Vec::new();
    let (mut judged, mut blank, mut unread) = (0usize, 0usize, 0usize);
    for col in &site.columns {
        let state = blankness(site, col, p);
        let why = match &state {
            Blankness::Unread => {
                unread += 1;
                continue;
            }
            Blankness::Filled | Blankness::Explained => {
                judged += 1;
                continue;
            }
            Blankness::SaysNothing(w) => format!("页面仅显示“{w}”"),
            Blankness::Empty => "栏目页面无任何信息条目，也无实质内容".to_string(),
        };
        judged += 1;
        blank += 1;
        let ev = site.evidence(&col.url, &col.name).into_iter().collect();
        findings.push(finding(
            id,
            Status::Fail,
            format!("“{}”为空白栏目：{why}，且未说明原因", col.name),
            ev,
        ));
    }
    if judged == 0 {
        let msg = format!("{unread}个栏目页面均未能读取，无法判定空白栏目");
        return Verdict::uncredited(id, Status::Error, msg, site.root_evidence("专栏首页"));
    }
    let unread_note = if unread > 0 {
        format!("（另有{unread}个栏目页面未能读取，未计入）")
    } else {
        String::new()
    };
    let (status, summary) = if blank == 0 {
        (Status::Pass, format!("栏目目录共{judged}个栏目，未发现空白栏目{unread_note}"))
    } else if blank >= p.veto_blank {
        (
            Status::Fail,
            format!(
                "栏目目录共{judged}个栏目，其中空白栏目{blank}个，达到单项否决线（{}个及以上）{unread_note}",
                p.veto_blank
            ),
        )
    } else {
        (
            Status::Partial,
            format!(
                "栏目目录共{judged}个栏目，其中空白栏目{blank}个（单项否决线为{}个）{unread_note}",
                p.veto_blank
            ),
        )
    };
    findings.insert(0, finding(id, status, summary, site.root_evidence("专栏栏目目录")));
    let credit = 1.0 - (blank as f64 / p.veto_blank as f64).min(1.0);
    Verdict::scored(credit, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};

    const ROOT: &str = "http://gov.test/xxgk/";

    fn params() -> Params {
        Params {
            veto_blank: 5,
            min_content_chars: 20,
            blank_words: default_blank_words(),
            explain_words: default_explain_words(),
        }
    }

    /// A site whose root links `n` columns, each given by its page facts.
    fn site(cols: Vec<(&str, crate::extract::PageFacts)>) -> UnitSite {
        let nav: Vec<(String, String)> =
            cols.iter().enumerate().map(|(i, (n, _))| (n.to_string(), format!("{ROOT}c{i}/"))).collect();
        let nav_ref: Vec<(&str, &str)> = nav.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut b = SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &nav_ref));
        for (i, (_, mut f)) in cols.into_iter().enumerate() {
            f.url = format!("{ROOT}c{i}/");
            b = b.page(&format!("{ROOT}c{i}/"), f);
        }
        b.build()
    }

    fn listed() -> crate::extract::PageFacts {
        facts_list("", vec![entry("某文件", "http://gov.test/xxgk/1.html", Some("2021-06-01"))], &[])
    }

    #[test]
    fn table() {
        let says = || facts_doc("", "规划计划", "暂无信息");
        let explained = || facts_doc("", "行政收费", "说明：本单位无行政事业性收费事项，故本栏目无信息。");
        let empty = || facts_doc("", "统计信息", "");
        let guide = || {
            facts_doc(
                "",
                "公开指南",
                "一、公开的主体和范围。本单位主动公开的政府信息包括机构职能、规范性文件等。",
            )
        };
        #[rustfmt::skip]
        let cases: Vec<(&str, UnitSite, Status, f64, usize)> = vec![
            ("all filled", site(vec![("工作动态", listed()), ("公开指南", guide())]), Status::Pass, 1.0, 0),
            ("explained is not blank", site(vec![("行政收费", explained())]), Status::Pass, 1.0, 0),
            ("one 暂无信息", site(vec![("规划计划", says()), ("工作动态", listed())]), Status::Partial, 0.8, 1),
            ("no content of its own", site(vec![("统计信息", empty())]), Status::Partial, 0.8, 1),
            ("an image or attachment is content", site(vec![("机构设置", {
                let mut f = empty();
                f.media.images = 1;
                f
            }), ("公开指南", {
                let mut f = empty();
                f.attachments = vec![crate::extract::Link { text: "指南.pdf".into(), url: "http://gov.test/xxgk/zn.pdf".into() }];
                f
            })]), Status::Pass, 1.0, 0),
            ("five blank reach the veto", site(vec![
                ("a1", says()), ("a2", says()), ("a3", empty()), ("a4", says()), ("a5", empty())]),
                Status::Fail, 0.0, 5),
        ];
        for (name, s, want, credit, blank) in cases {
            let v = run("b", &params(), &Context { site: &s, as_of: d("2021-11-25") });
            assert_eq!((v.status, v.credit), (want, Some(credit)), "{name}: {v:#?}");
            let fails = v.findings.iter().filter(|f| f.message.contains("为空白栏目")).count();
            assert_eq!(fails, blank, "{name}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
        }
    }

    #[test]
    fn a_directory_column_with_sub_columns_is_not_blank() {
        let parent = format!("{ROOT}fdzdgknr/");
        let child = format!("{ROOT}fdzdgknr/gfxwj/");
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("法定主动公开内容", &parent)]))
            .page(&parent, facts_nav(&parent, &[("规范性文件", &child)]))
            .page(&child, facts_list(&child, vec![entry("文件", &format!("{child}1.html"), None)], &[]))
            .build();
        let v = run("b", &params(), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.status, Status::Pass, "{v:#?}");
    }

    #[test]
    fn an_unread_column_is_not_called_blank() {
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("规划计划", "http://gov.test/xxgk/gh/")]))
            .failed("http://gov.test/xxgk/gh/", Some(503), None)
            .build();
        let v = run("b", &params(), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.status, Status::Error, "{v:#?}");
    }
}

//! `keyword-documents`: documents matching each of a set of keyword groups exist.
//!
//! **What it checks.** For every group (a name and its keywords), some document of the unit has a title
//! (a list entry or a page's own title; with `search_body`, also the page text) containing one of the
//! keywords, and, when given, one of `require_any` and all of `require_all` (e.g. 制度 / 办法 / 规定).
//! With `max_age_days`, only documents dated within that many days of `--as-of`, or whose title names
//! the audit year, count. Credit is the share of groups found; each hit is cited.
//!
//! **Why.** Rubric items common-05…12 ask for eight 政务公开制度 (主动公开, 依申请公开, 保密审查, 政策解读,
//! 舆情回应, 公众参与, 评议考核, 监督检查和责任追究); common-01/02/04 for documents on the 领导小组, the
//! year's 工作要点 and 培训. An inspector finds them by title.
//!
//! **Passes.** Group 保密审查 with `require_any: [制度, 办法]`: entry “某街道政府信息公开保密审查制度”.
//!
//! **Fails.** The only match is a news item “召开保密工作会议” (no 制度 / 办法 in its title).

use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::findings::{Finding, Status};
use crate::site::TitledDoc;

/// One group of keywords: a document for it exists when a title matches.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The group's name, used in messages.
    pub name: String,
    /// Any of these in the title (the name itself is not implied).
    pub keywords: Vec<String>,
    /// Overrides the check-level `require_any`.
    #[serde(default)]
    pub require_any: Option<Vec<String>>,
    /// Overrides the check-level `require_all`.
    #[serde(default)]
    pub require_all: Option<Vec<String>>,
    /// With `search_body`: details that must be stated near the keyword on the same page, each a
    /// name and its words (查阅点 with 地址 and 开放时间). A page naming the keyword without them
    /// earns half the group's credit, and the finding names what is missing.
    #[serde(default)]
    pub details: Vec<Detail>,
}

/// A detail a page must state near a group's keyword.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detail {
    /// The detail's name, used in messages (地址).
    pub name: String,
    /// Any of these words states it (地址, 地点, 位于).
    pub words: Vec<String>,
}

/// How far (in characters, either side) from the keyword a detail may be stated.
const DETAIL_WINDOW: usize = 300;

/// The details of `g` not stated within [`DETAIL_WINDOW`] characters of any keyword occurrence in `text`
/// (the best occurrence counts).
fn missing_details<'g>(text: &str, g: &'g Group) -> Vec<&'g str> {
    if g.details.is_empty() {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut best: Option<Vec<&str>> = None;
    for k in g.keywords.iter().filter(|k| !k.is_empty()) {
        let kc: Vec<char> = k.chars().collect();
        let mut i = 0;
        while i + kc.len() <= chars.len() {
            if chars[i..i + kc.len()] == kc[..] {
                let lo = i.saturating_sub(DETAIL_WINDOW);
                let hi = (i + kc.len() + DETAIL_WINDOW).min(chars.len());
                let window: String = chars[lo..hi].iter().collect();
                let missing: Vec<&str> = g
                    .details
                    .iter()
                    .filter(|d| !d.words.iter().any(|w| window.contains(w.as_str())))
                    .map(|d| d.name.as_str())
                    .collect();
                if best.as_ref().is_none_or(|b| missing.len() < b.len()) {
                    best = Some(missing);
                }
                i += kc.len();
            } else {
                i += 1;
            }
        }
    }
    best.unwrap_or_else(|| g.details.iter().map(|d| d.name.as_str()).collect())
}

/// Parameters of `keyword-documents`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The groups, each needing at least one document.
    pub groups: Vec<Group>,
    /// Default: a title must also contain one of these.
    #[serde(default)]
    pub require_any: Vec<String>,
    /// Default: a title must also contain all of these.
    #[serde(default)]
    pub require_all: Vec<String>,
    /// Also match the visible text of read pages.
    #[serde(default)]
    pub search_body: bool,
    /// Only documents this recent (or whose title names the audit year) count.
    #[serde(default)]
    pub max_age_days: Option<i64>,
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.groups.is_empty() {
            return Err("`groups` must name at least one group".into());
        }
        if let Some(g) = self.groups.iter().find(|g| g.keywords.iter().all(|k| k.trim().is_empty())) {
            return Err(format!("group `{}` has no keywords", g.name));
        }
        if self.max_age_days.is_some_and(|d| d <= 0) {
            return Err("`max_age_days` must be positive".into());
        }
        Ok(())
    }
}

fn matches(text: &str, g: &Group, p: &Params) -> bool {
    let any = g.require_any.as_ref().unwrap_or(&p.require_any);
    let all = g.require_all.as_ref().unwrap_or(&p.require_all);
    g.keywords.iter().any(|k| !k.is_empty() && text.contains(k.as_str()))
        && (any.is_empty() || any.iter().any(|w| text.contains(w.as_str())))
        && all.iter().all(|w| text.contains(w.as_str()))
}

fn recent_enough(doc: &TitledDoc, p: &Params, ctx: &Context<'_>) -> bool {
    let Some(max) = p.max_age_days else { return true };
    let year = chrono::Datelike::year(&ctx.as_of);
    doc.title.contains(&format!("{year}年"))
        || doc.date.is_some_and(|d| (ctx.as_of - d).num_days() <= max && d <= ctx.as_of)
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let docs = site.titled_docs();
    let mut findings: Vec<Finding> = Vec::new();
    let mut found = 0.0f64;
    for g in &p.groups {
        let mut hits: Vec<&TitledDoc> =
            docs.iter().filter(|d| matches(&d.title, g, p) && recent_enough(d, p, ctx)).collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.date));
        if let Some(first) = hits.first().filter(|_| g.details.is_empty()) {
            found += 1.0;
            let mut evidence = Vec::new();
            for h in hits.iter().take(3) {
                let excerpt = match h.date {
                    Some(d) => format!("{}（{}）", h.title, d),
                    None => h.title.clone(),
                };
                evidence.extend(site.doc_evidence(h, &excerpt));
            }
            let more = if hits.len() > 1 { format!("等{}篇", hits.len()) } else { String::new() };
            findings.push(finding(
                id,
                Status::Pass,
                format!("{}：已找到《{}》{}", g.name, first.title, more),
                evidence,
            ));
            continue;
        }
        let pages: Vec<_> = if p.search_body {
            site.html_pages().filter(|(_, f)| matches(&f.text, g, p)).collect()
        } else {
            Vec::new()
        };
        // With details, the page stating most of them counts.
        let best = pages.iter().min_by_key(|(_, f)| missing_details(&f.text, g).len());
        if let Some((page, f)) = best {
            let kw = g.keywords.iter().find(|k| f.text.contains(k.as_str()));
            let excerpt = kw.cloned().unwrap_or_default();
            let missing = missing_details(&f.text, g);
            if !g.details.is_empty() {
                let stated: Vec<&str> =
                    g.details.iter().map(|d| d.name.as_str()).filter(|n| !missing.contains(n)).collect();
                let (status, credit, msg) = if missing.is_empty() {
                    (Status::Pass, 1.0, format!("{}：页面已公布，并载明{}", g.name, stated.join("、")))
                } else {
                    (
                        Status::Partial,
                        0.5,
                        format!("{}：页面提及“{}”，但未见{}", g.name, excerpt, missing.join("、")),
                    )
                };
                found += credit;
                findings.push(finding(
                    id,
                    status,
                    msg,
                    site.evidence(&page.record.url, &excerpt).into_iter().collect(),
                ));
                continue;
            }
            found += 1.0;
            findings.push(finding(
                id,
                Status::Pass,
                format!("{}：页面正文中提及相关内容（未见独立文件标题）", g.name),
                site.evidence(&page.record.url, &excerpt).into_iter().collect(),
            ));
            continue;
        }
        let window = match p.max_age_days {
            Some(days) => format!("近{days}天内"),
            None => String::new(),
        };
        findings.push(finding(
            id,
            Status::Fail,
            format!("{}：{}未找到标题含“{}”的相关文件", g.name, window, g.keywords.join("/")),
            site.root_evidence(&format!("在专栏中查找“{}”", g.name)),
        ));
    }
    Verdict::scored(found / p.groups.len() as f64, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};
    use crate::extract::ListEntry;

    const ROOT: &str = "http://gov.test/xxgk/";
    const COL: &str = "http://gov.test/xxgk/zd/";

    fn site(entries: Vec<ListEntry>) -> crate::site::UnitSite {
        SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("政府信息公开制度", COL)]))
            .page(COL, facts_list(COL, entries, &[]))
            .build()
    }

    fn group(name: &str, kw: &[&str]) -> Group {
        Group {
            name: name.into(),
            keywords: kw.iter().map(|s| s.to_string()).collect(),
            require_any: None,
            require_all: None,
            details: Vec::new(),
        }
    }

    #[test]
    fn details_near_the_keyword() {
        let mut g = group("政府信息公开查阅点", &["查阅点"]);
        g.details = vec![
            Detail { name: "地址".into(), words: vec!["地址".into(), "位于".into()] },
            Detail { name: "开放时间".into(), words: vec!["开放时间".into(), "工作日".into()] },
        ];
        let p = Params {
            groups: vec![g],
            require_any: vec![],
            require_all: vec![],
            search_body: true,
            max_age_days: None,
        };
        let page = |text: &str| {
            SiteBuilder::new(ROOT)
                .page(ROOT, facts_nav(ROOT, &[("公开指南", COL)]))
                .page(COL, facts_doc(COL, "政府信息公开指南", text))
                .build()
        };
        let full =
            page("本街道设政府信息公开查阅点，地址：某路1号便民服务中心，开放时间：工作日9:00-17:00。");
        let v = run("k", &p, &Context { site: &full, as_of: d("2021-11-25") });
        assert_eq!((v.status, v.credit), (Status::Pass, Some(1.0)), "{v:#?}");
        let bare = page("本街道设政府信息公开查阅点。");
        let v = run("k", &p, &Context { site: &bare, as_of: d("2021-11-25") });
        assert_eq!((v.status, v.credit), (Status::Partial, Some(0.5)), "{v:#?}");
        assert!(v.findings[0].message.contains("未见地址、开放时间"), "{}", v.findings[0].message);
    }

    fn params(groups: Vec<Group>) -> Params {
        Params {
            groups,
            require_any: vec!["制度".into(), "办法".into(), "规定".into()],
            require_all: vec![],
            search_body: false,
            max_age_days: None,
        }
    }

    #[test]
    fn table() {
        let e = |t: &str| entry(t, "http://gov.test/xxgk/zd/1.html", Some("2021-03-01"));
        let g = || vec![group("保密审查制度", &["保密审查"])];
        let cases = vec![
            ("title matches", site(vec![e("某街道政府信息公开保密审查制度")]), params(g()), Status::Pass),
            ("办法 also counts", site(vec![e("保密审查办法（试行）")]), params(g()), Status::Pass),
            ("news is not a 制度", site(vec![e("召开保密审查工作会议")]), params(g()), Status::Fail),
            ("nothing", site(vec![]), params(g()), Status::Fail),
            (
                "one of two groups",
                site(vec![e("主动公开制度")]),
                params(vec![group("主动公开", &["主动公开"]), group("依申请公开", &["依申请公开"])]),
                Status::Partial,
            ),
        ];
        for (name, site, p, want) in cases {
            let v = run("k", &p, &Context { site: &site, as_of: d("2021-11-25") });
            assert_eq!(v.status, want, "{name}: {v:?}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
        }
    }

    #[test]
    fn recency_window_and_page_titles() {
        let doc = "http://gov.test/xxgk/gzyd.html";
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[]))
            .page(doc, facts_doc(doc, "2020年政务公开工作要点", ""))
            .build();
        let mut p = params(vec![group("工作要点", &["工作要点"])]);
        p.require_any.clear();
        let ctx = Context { site: &s, as_of: d("2021-11-25") };
        assert_eq!(run("k", &p, &ctx).status, Status::Pass);
        p.max_age_days = Some(365);
        assert_eq!(run("k", &p, &ctx).status, Status::Fail, "an undated 2020 title is not this year's");
    }

    #[test]
    fn body_search_is_opt_in() {
        let s =
            SiteBuilder::new(ROOT).page(ROOT, facts_doc(ROOT, "首页", "本街道建立政务舆情回应制度")).build();
        let mut p = params(vec![group("舆情回应", &["舆情回应"])]);
        let ctx = Context { site: &s, as_of: d("2021-11-25") };
        assert_eq!(run("k", &p, &ctx).status, Status::Fail);
        p.search_body = true;
        assert_eq!(run("k", &p, &ctx).status, Status::Pass);
    }
}

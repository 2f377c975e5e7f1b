//! `search-function`: the 专栏 offers a site search, and the search finds a document known to exist.
//!
//! **What it checks.** The 专栏's entry page carries a search form (a GET form with a text field that
//! looks like a site search). After the crawl, the audit submits that form once with the title of a
//! document the crawl saw ([`plan`]); this check then reads the answer: the title in the result page is a
//! pass; a form without a working answer (404) is a fail. When robots.txt forbids the search address the
//! tool does not ask, and leaves the verification to a person (`manual`), as it does when the result page
//! shows nothing (results loaded by script cannot be seen without a browser).
//!
//! **Why.** 《政府信息公开条例》第二十四条: the platform must offer 检索, 查阅 and 下载; rubric item common-18
//! (专栏 with a search function that works).
//!
//! **Passes.** `…/search/?q=关于印发某某办法的通知` answers a page listing 关于印发某某办法的通知.
//!
//! **Fails.** No search form on the entry page; or the form's address answers 404.

use serde::Deserialize;
use url::Url;

use super::{Context, Verdict, finding};
use crate::extract::{PageFacts, SearchForm};
use crate::findings::Status;
use crate::site::is_skip_error;

/// Parameters of `search-function` (none yet).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

/// A search to submit: the query URL and the title searched for.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchProbe {
    /// The form's action with its hidden fields and the title as the query.
    pub url: Url,
    /// The document title searched for.
    pub title: String,
    /// The form used.
    pub form: SearchForm,
}

/// The probe for a unit, from its entry pages' facts and, when they list nothing, the pages of the
/// columns they link (`facts_of` reads a page's facts). The same facts always give the same probe, so
/// the audit (which submits it) and the check (which reads the answer) agree.
pub fn plan(roots: &[&PageFacts], facts_of: &dyn Fn(&str) -> Option<PageFacts>) -> Option<SearchProbe> {
    let form = roots.iter().flat_map(|f| &f.search_forms).next()?.clone();
    let good = |t: &str| (6..=60).contains(&t.chars().count());
    let title =
        roots.iter().flat_map(|f| &f.list_entries).map(|e| e.title.clone()).find(|t| good(t)).or_else(
            || {
                roots.iter().flat_map(|f| &f.nav).take(10).find_map(|l| {
                    facts_of(&l.url)?.list_entries.iter().map(|e| e.title.clone()).find(|t| good(t))
                })
            },
        )?;
    let mut url = Url::parse(&form.action).ok()?;
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in &form.hidden {
            q.append_pair(k, v);
        }
        q.append_pair(&form.field, &title);
    }
    Some(SearchProbe { url, title, form })
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Runs the check.
pub fn run(id: &str, _p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let roots: Vec<&PageFacts> = site.root_pages().into_iter().filter_map(|p| p.facts.as_ref()).collect();
    let search_link = roots
        .iter()
        .flat_map(|f| &f.links)
        .find(|l| l.text.chars().count() <= 8 && (l.text.contains("检索") || l.text.contains("搜索")));
    if let Some(l) = search_link.filter(|_| roots.iter().all(|f| f.search_forms.is_empty())) {
        return Verdict::uncredited(
            id,
            Status::Manual,
            format!("专栏首页设有“{}”入口（{}），未识别出检索表单，需人工验证检索功能", l.text, l.url),
            site.root_evidence(&l.text),
        );
    }
    if roots.iter().all(|f| f.search_forms.is_empty()) {
        let msg =
            "专栏首页未发现站内检索功能（《政府信息公开条例》第二十四条要求政府信息公开平台具备检索功能）";
        return Verdict::scored(0.0, vec![finding(id, Status::Fail, msg, site.root_evidence("未见检索框"))]);
    }
    let facts_of = |u: &str| site.page(u).and_then(|p| p.facts.clone());
    let Some(probe) = plan(&roots, &facts_of) else {
        return Verdict::uncredited(
            id,
            Status::Manual,
            "专栏首页设有检索框，但未找到可用于验证检索效果的已知文件标题，需人工验证检索功能",
            site.root_evidence("检索框"),
        );
    };
    let form_ev = site.root_evidence(&format!("检索框：{}", probe.form.action));
    let Some(page) = site.page(probe.url.as_str()) else {
        return Verdict::uncredited(
            id,
            Status::Manual,
            format!("专栏首页设有检索框，本次未发起检索请求，需人工以“{}”为关键词验证检索功能", probe.title),
            form_ev,
        );
    };
    let r = &page.record;
    if let Some(e) = r.error.as_deref().filter(|e| is_skip_error(e)) {
        return Verdict::uncredited(
            id,
            Status::Manual,
            format!(
                "专栏首页设有检索框，但检索地址按网站robots.txt规则不允许自动访问（{e}），本工具未发起检索；需人工以“{}”为关键词验证检索功能",
                probe.title
            ),
            form_ev,
        );
    }
    if !r.is_ok() {
        return match r.status {
            Some(s @ (404 | 410)) => Verdict::scored(
                0.0,
                vec![finding(
                    id,
                    Status::Fail,
                    format!("专栏检索功能不可用：以“{}”检索，检索地址返回HTTP {s}", probe.title),
                    site.evidence(probe.url.as_str(), "检索无结果页面").into_iter().chain(form_ev).collect(),
                )],
            ),
            _ => Verdict::uncredited(
                id,
                Status::Error,
                format!(
                    "以“{}”检索时检索地址未能正常应答（{}），无法判定检索功能",
                    probe.title,
                    r.error.clone().or(r.status.map(|s| format!("HTTP {s}"))).unwrap_or_default()
                ),
                form_ev,
            ),
        };
    }
    let want = squash(&probe.title);
    let found = page.facts.as_ref().is_some_and(|f| {
        squash(&f.text).contains(&want) || f.list_entries.iter().any(|e| squash(&e.title).contains(&want))
    });
    if found {
        let ev = site.evidence(probe.url.as_str(), &format!("检索结果：{}", probe.title));
        return Verdict::scored(
            1.0,
            vec![finding(
                id,
                Status::Pass,
                format!("专栏检索功能可用：以已公开文件标题“{}”检索，结果中包含该文件", probe.title),
                ev.into_iter().collect(),
            )],
        );
    }
    Verdict::uncredited(
        id,
        Status::Manual,
        format!(
            "以已公开文件标题“{}”检索，返回页面中未见该文件（检索结果可能由脚本加载），需人工验证检索功能",
            probe.title
        ),
        site.evidence(probe.url.as_str(), "检索结果页").into_iter().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};

    const ROOT: &str = "http://gov.test/xxgk/";
    const TITLE: &str = "关于印发某某街道政务公开工作要点的通知";

    fn root() -> PageFacts {
        let mut f =
            facts_list(ROOT, vec![entry(TITLE, "http://gov.test/xxgk/1.html", Some("2021-06-01"))], &[]);
        f.search_forms = vec![SearchForm {
            action: "http://gov.test/search/".into(),
            field: "q".into(),
            hidden: vec![("siteid".into(), "7".into())],
        }];
        f
    }

    fn probe_url() -> String {
        let roots = [&root()];
        plan(&roots, &|_| None).unwrap().url.to_string()
    }

    #[test]
    fn the_probe_submits_the_form_with_a_known_title() {
        let u = Url::parse(&probe_url()).unwrap();
        let pairs: Vec<(String, String)> = u.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        assert_eq!(pairs, vec![("siteid".into(), "7".into()), ("q".into(), TITLE.into())]);
    }

    #[test]
    fn table() {
        let found = facts_doc("", "检索结果", &format!("共1条 {TITLE} 2021-06-01"));
        let nothing = facts_doc("", "检索结果", "没有找到相关信息");
        let cases: Vec<(&str, SiteBuilder, Status)> = vec![
            ("no form", SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[])), Status::Fail),
            (
                "result found",
                SiteBuilder::new(ROOT).page(ROOT, root()).page(&probe_url(), found),
                Status::Pass,
            ),
            (
                "no result",
                SiteBuilder::new(ROOT).page(ROOT, root()).page(&probe_url(), nothing),
                Status::Manual,
            ),
            (
                "robots",
                SiteBuilder::new(ROOT).page(ROOT, root()).failed(
                    &probe_url(),
                    None,
                    Some("disallowed by robots.txt"),
                ),
                Status::Manual,
            ),
            (
                "404",
                SiteBuilder::new(ROOT).page(ROOT, root()).failed(&probe_url(), Some(404), None),
                Status::Fail,
            ),
            (
                "503",
                SiteBuilder::new(ROOT).page(ROOT, root()).failed(&probe_url(), Some(503), None),
                Status::Error,
            ),
            ("not probed", SiteBuilder::new(ROOT).page(ROOT, root()), Status::Manual),
        ];
        for (name, b, want) in cases {
            let s = b.build();
            let v = run("s", &Params::default(), &Context { site: &s, as_of: d("2021-11-25") });
            assert_eq!(v.status, want, "{name}: {v:#?}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}: {v:#?}");
        }
    }
}

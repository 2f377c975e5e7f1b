//! `links-alive`: the links on the unit's pages lead somewhere.
//!
//! **What it checks.** Every link of every in-scope page whose target was requested during the crawl is
//! judged by that request: HTTP 404 or 410 is a dead link (cited with the page that carries it); 403,
//! 5xx, DNS failures, timeouts, resets and WAF answers are only suspected (a `manual` finding: a person
//! should try the link), never a failure; targets skipped by robots.txt or never requested are not
//! judged. Credit is the share of judged links that are not dead.
//!
//! **Why.** 国办秘函〔2019〕19号 counts 不可用链接 against a site; rubric item common-15 (栏目和链接可用).
//! Monitoring vendors count only confirmed answers, and an auditor must not accuse a unit of a network
//! fault (DESIGN: error, not fail).
//!
//! **Passes.** All 120 links of the 专栏 answered 200 (or redirected to a 200).
//!
//! **Fails.** (partial) 2 of 120 links answered 404: each is a finding citing the page that links it.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::findings::Status;
use crate::store::FetchKind;

/// Parameters of `links-alive`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Report suspected dead links (403, timeouts …) as `manual` findings.
    #[serde(default = "yes")]
    pub report_suspected: bool,
    /// Most dead or suspected links listed one by one.
    #[serde(default = "default_max_listed")]
    pub max_listed: usize,
}

fn yes() -> bool {
    true
}

fn default_max_listed() -> usize {
    30
}

/// What the crawl says about one link target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Answered 2xx (after redirects) or a 3xx that was not followed.
    Alive,
    /// Answered 404 or 410.
    Dead(u16),
    /// Another failure: worth a person's look, not proof.
    Suspected(String),
    /// Not requested, or skipped (robots.txt, private address).
    Unchecked,
}

/// Pages carrying a link, with the link's text there.
type Carriers<'a> = Vec<(&'a str, &'a str)>;

/// Judges one stored response as a link target.
pub fn state_of(status: Option<u16>, error: Option<&str>) -> LinkState {
    match (status, error) {
        (Some(s @ (404 | 410)), _) => LinkState::Dead(s),
        (Some(s), _) if (200..400).contains(&s) => LinkState::Alive,
        (_, Some(e)) if crate::site::is_skip_error(e) => LinkState::Unchecked,
        (Some(s), _) => LinkState::Suspected(format!("HTTP {s}")),
        (None, Some(e)) => LinkState::Suspected(e.to_string()),
        (None, None) => LinkState::Unchecked,
    }
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    // target → (state, carrying pages with the link text)
    let mut targets: BTreeMap<&str, (LinkState, Carriers<'_>)> = BTreeMap::new();
    for (page, facts) in site.html_pages() {
        for link in &facts.links {
            let Some(target) = site.page(&link.url) else { continue };
            if target.record.kind == FetchKind::Robots {
                continue;
            }
            let state = state_of(target.record.status, target.record.error.as_deref());
            if state == LinkState::Unchecked {
                continue;
            }
            let e = targets.entry(link.url.as_str()).or_insert_with(|| (state, Vec::new()));
            if e.1.len() < 3 {
                e.1.push((page.record.url.as_str(), link.text.as_str()));
            }
        }
    }
    let judged = targets.len();
    if judged == 0 {
        return Verdict::uncredited(
            id,
            Status::Manual,
            "未找到可判定的链接抓取记录，无法检查链接可用性",
            site.root_evidence("专栏首页"),
        );
    }
    let mut findings = Vec::new();
    let (mut dead, mut suspected) = (0usize, 0usize);
    for (url, (state, carriers)) in &targets {
        let evidence = |what: &str| {
            carriers
                .iter()
                .filter_map(|(page, text)| site.evidence(page, &format!("链接“{text}” → {url}（{what}）")))
                .collect::<Vec<_>>()
        };
        match state {
            LinkState::Dead(s) => {
                dead += 1;
                if dead <= p.max_listed {
                    let text = carriers.first().map_or("", |c| c.1);
                    findings.push(finding(
                        id,
                        Status::Fail,
                        format!("链接“{text}”（{url}）无法访问：HTTP {s}，为错误链接"),
                        evidence(&format!("HTTP {s}")),
                    ));
                }
            }
            LinkState::Suspected(why) => {
                suspected += 1;
                if p.report_suspected && suspected <= p.max_listed {
                    findings.push(finding(
                        id,
                        Status::Manual,
                        format!("链接 {url} 访问异常（{why}），疑似不可用，可能为网络或防护原因，需人工复核"),
                        evidence(why),
                    ));
                }
            }
            LinkState::Alive | LinkState::Unchecked => {}
        }
    }
    let summary = format!("共检查{judged}个链接：错误链接{dead}个，疑似不可用{suspected}个");
    // Credit counts confirmed answers only: a suspected link is neither alive nor dead.
    let confirmed = judged - suspected;
    if confirmed == 0 {
        findings.insert(0, finding(id, Status::Manual, summary, site.root_evidence("专栏首页及其链接")));
        return Verdict { status: Status::Manual, credit: None, findings };
    }
    let credit = 1.0 - dead as f64 / confirmed as f64;
    findings
        .insert(0, finding(id, Status::from_credit(credit), summary, site.root_evidence("专栏首页及其链接")));
    Verdict::scored(credit, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, facts_doc};
    use crate::extract::Link;

    const ROOT: &str = "http://gov.test/xxgk/";

    fn site(targets: &[(&str, Option<u16>, Option<&str>)]) -> crate::site::UnitSite {
        let mut f = facts_doc(ROOT, "首页", "");
        for (u, _, _) in targets {
            f.links.push(Link { text: format!("到{u}"), url: (*u).into() });
        }
        let mut b = SiteBuilder::new(ROOT).page(ROOT, f);
        for (u, s, e) in targets {
            b = b.fetched_as(u, FetchKind::External, *s, *e);
        }
        b.build()
    }

    #[test]
    fn state_table() {
        let cases = [
            (Some(200), None, LinkState::Alive),
            (Some(301), None, LinkState::Alive),
            (Some(404), None, LinkState::Dead(404)),
            (Some(410), None, LinkState::Dead(410)),
            (Some(403), None, LinkState::Suspected("HTTP 403".into())),
            (Some(521), None, LinkState::Suspected("HTTP 521".into())),
            (None, Some("timeout"), LinkState::Suspected("timeout".into())),
            (None, Some("dns error"), LinkState::Suspected("dns error".into())),
            (None, Some("disallowed by robots.txt"), LinkState::Unchecked),
            (
                None,
                Some("refused: h resolves only to special-purpose addresses (10.0.0.1)"),
                LinkState::Unchecked,
            ),
            (None, Some("connection refused"), LinkState::Suspected("connection refused".into())),
        ];
        for (s, e, want) in cases {
            assert_eq!(state_of(s, e), want, "{s:?} {e:?}");
        }
    }

    #[test]
    fn verdict_table() {
        let p = Params { report_suspected: true, max_listed: 30 };
        let ok = ("http://a.test/1", Some(200), None);
        let dead = ("http://a.test/2", Some(404), None);
        let forbidden = ("http://a.test/3", Some(403), None);
        let timeout = ("http://a.test/4", None, Some("timeout"));
        let cases = vec![
            ("all alive", vec![ok], Status::Pass, 1.0),
            ("one of two dead", vec![ok, dead], Status::Partial, 0.5),
            ("all dead", vec![dead], Status::Fail, 0.0),
            ("403 and timeout are not failures", vec![ok, forbidden, timeout], Status::Pass, 1.0),
            (
                "suspected ones do not dilute the dead",
                vec![ok, dead, forbidden, timeout],
                Status::Partial,
                0.5,
            ),
        ];
        for (name, targets, want, credit) in cases {
            let s = site(&targets);
            let v = run("links", &p, &Context { site: &s, as_of: d("2021-11-25") });
            assert_eq!(v.status, want, "{name}: {v:?}");
            assert!((v.credit.unwrap() - credit).abs() < 1e-9, "{name}");
            assert!(
                v.findings.iter().all(|f| f.status != Status::Fail || f.evidence[0].url == ROOT),
                "{name}"
            );
        }
        let s = site(&[ok, forbidden, timeout]);
        let v = run("links", &p, &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.findings.iter().filter(|f| f.status == Status::Manual).count(), 2);
        let s = site(&[forbidden, timeout]);
        let v = run("links", &p, &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!((v.status, v.credit), (Status::Manual, None), "only suspected links: a person decides");
    }
}

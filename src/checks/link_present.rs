//! `link-present`: the unit's pages link to a named service (a 皖事通 移动专区, an app, a platform).
//!
//! **What it checks.** Some read page of the unit has a link whose text or URL contains one of `words`
//! (皖事通, 皖事公开, 移动专区 …): full credit, citing the page. A page that only names the service in its
//! text earns ½ (readers are told about it but cannot follow it); nothing at all is a fail.
//!
//! **Why.** Rubric item street-06: "推动基层政府依托皖事通平台等渠道，开设皖事公开移动专区". Whether the
//! 移动专区 works inside the app, and whether the 标准目录 is embedded in the business systems, cannot be
//! seen on the website: the item's on-site part stays with a person.
//!
//! **Passes.** A 村（居）务公开 entry “包公街道‘皖事公开’移动专区使用指引” (a link whose text names it).
//!
//! **Fails.** No page names 皖事通 or a 移动专区; (½) “本清单同步推送至皖事通” in the text only.

use foldhash::{HashSet, HashSetExt};
use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::findings::Status;

/// Parameters of `link-present`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// What the link leads to, for messages (皖事通“皖事公开”移动专区).
    pub name: String,
    /// Words of the link's text or URL (case-insensitive for URLs).
    pub words: Vec<String>,
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.words.iter().all(|w| w.trim().is_empty()) {
            return Err("`words` must not be empty".into());
        }
        Ok(())
    }
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let words: Vec<String> =
        p.words.iter().filter(|w| !w.trim().is_empty()).map(|w| w.to_lowercase()).collect();
    let finder = CaselessFinder::new(&words);
    let matches = |s: &str| finder.is_in(s);
    let mut mentioned: Option<String> = None;
    // The menus repeat the same links on every page: a link that did not match on one page will not on
    // the next.
    let mut tried: HashSet<(&str, &str)> = HashSet::new();
    for (page, facts) in site.html_pages() {
        let found = facts.links.iter().find(|l| {
            tried.insert((l.text.as_str(), l.url.as_str())) && (matches(&l.text) || matches(&l.url))
        });
        if let Some(l) = found {
            let ev = site.evidence(&page.record.url, &format!("链接：{}（{}）", l.text, l.url));
            let msg = format!("页面设有{}链接“{}”", p.name, l.text);
            return Verdict::scored(1.0, vec![finding(id, Status::Pass, msg, ev.into_iter().collect())]);
        }
        if mentioned.is_none() && finder.may_be_in(page) && matches(&facts.text) {
            mentioned = Some(page.record.url.clone());
        }
    }
    match mentioned {
        Some(url) => {
            let ev = site.evidence(&url, &format!("提及{}", p.name)).into_iter().collect();
            let msg = format!("页面文字提及{}，但未提供链接或入口", p.name);
            Verdict::scored(0.5, vec![finding(id, Status::Partial, msg, ev)])
        }
        None => {
            let ev = site.root_evidence(&format!("在专栏中查找{}", p.name));
            Verdict::scored(0.0, vec![finding(id, Status::Fail, format!("未发现{}的链接或介绍", p.name), ev)])
        }
    }
}

/// Finds lowercased words in a text as `text.to_lowercase().contains(word)` would, without lowercasing
/// whole pages: words of ideographs and digits have no case and are searched as they are, ASCII words
/// with ASCII case ignored. That is exact when the text holds neither U+212A (Kelvin sign) nor U+0130
/// (İ), the only characters outside ASCII whose lowercase holds an ASCII letter; such texts, and words
/// of other letters, take the lowercasing path.
struct CaselessFinder<'w> {
    words: &'w [String],
    /// Every word is ideographs and digits, or ASCII.
    simple: bool,
    /// The words of ideographs and digits.
    caseless: Vec<&'w str>,
    /// A searcher for each of them (memchr's SIMD `memmem`, several times faster than `str::contains` on
    /// Chinese text).
    finders: Vec<memchr::memmem::Finder<'w>>,
    /// The ASCII words, ASCII case ignored.
    ascii: Option<aho_corasick::AhoCorasick>,
}

impl<'w> CaselessFinder<'w> {
    fn new(words: &'w [String]) -> CaselessFinder<'w> {
        let is_caseless =
            |w: &str| w.chars().all(|c| c.is_ascii_digit() || ('\u{4E00}'..='\u{9FFF}').contains(&c));
        let caseless: Vec<&str> = words.iter().map(String::as_str).filter(|w| is_caseless(w)).collect();
        let ascii: Vec<&str> =
            words.iter().map(String::as_str).filter(|w| !is_caseless(w) && w.is_ascii()).collect();
        let simple = caseless.len() + ascii.len() == words.len();
        let ascii = (!ascii.is_empty()).then(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&ascii)
                .expect("short literal words")
        });
        let finders = caseless.iter().map(|w| memchr::memmem::Finder::new(w.as_bytes())).collect();
        CaselessFinder { words, simple, caseless, finders, ascii }
    }

    /// Whether the lowercased text contains one of the words.
    fn is_in(&self, text: &str) -> bool {
        let has = |c: &str| memchr::memmem::find(text.as_bytes(), c.as_bytes()).is_some();
        if !self.simple || has("\u{212A}") || has("\u{130}") {
            let lower = text.to_lowercase();
            return self.words.iter().any(|w| lower.contains(w.as_str()));
        }
        self.finders.iter().any(|f| f.find(text.as_bytes()).is_some())
            || self.ascii.as_ref().is_some_and(|a| a.is_match(text))
    }

    /// False when the page's text certainly holds none of the words (its sketch rules out every word,
    /// and every word has no case).
    fn may_be_in(&self, page: &crate::site::SitePage) -> bool {
        !(self.simple && self.ascii.is_none()) || page.sketch().may_contain_any(&self.caseless)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, facts_doc, facts_nav};
    use crate::extract::Link;

    #[test]
    fn caseless_finder_agrees_with_lowercasing() {
        let words: Vec<String> = ["皖事通", "wsgk", "2024"].iter().map(|w| w.to_string()).collect();
        let mixed: Vec<String> = ["皖事通", "ｗｓｇｋ专区"].iter().map(|w| w.to_string()).collect();
        let texts = [
            "请登录WSGK.example.cn",
            "请登录 Wsgk",
            "使用皖事通",
            "2024年",
            "ws gk",
            "WSG\u{212A} 开尔文",
            "ＷＳＧＫ专区",
            "İstanbul wsgİ",
            "无关文字",
            "",
        ];
        for ws in [&words, &mixed] {
            let f = CaselessFinder::new(ws);
            for t in texts {
                let want = ws.iter().any(|w| t.to_lowercase().contains(w.as_str()));
                assert_eq!(f.is_in(t), want, "{ws:?} in {t:?}");
            }
        }
        assert!(CaselessFinder::new(&words).is_in("WSG\u{212A}"), "the Kelvin sign lowercases to k");
    }

    #[test]
    fn a_link_a_mention_or_nothing() {
        let root = "http://gov.test/xxgk/";
        let doc = "http://gov.test/xxgk/cjwgk/1.html";
        let p = Params {
            name: "皖事通移动专区".into(),
            words: vec!["皖事通".into(), "移动专区".into(), "wsgk".into()],
        };
        let cases = [
            (
                "link text",
                Some(("“皖事公开”移动专区使用指引", "http://gov.test/xxgk/cjwgk/2.html")),
                "",
                Status::Pass,
            ),
            ("link URL", Some(("扫码进入", "https://WSGK.example.cn/zone")), "", Status::Pass),
            ("text only", None, "本清单同步推送至皖事通。", Status::Partial),
            ("nothing", None, "本清单在公开栏张贴。", Status::Fail),
        ];
        for (name, link, text, want) in cases {
            let mut f = facts_doc(doc, "居务公开", text);
            if let Some((t, u)) = link {
                f.links.push(Link { text: t.into(), url: u.into() });
            }
            let s = SiteBuilder::new(root).page(root, facts_nav(root, &[])).page(doc, f).build();
            let v = run("l", &p, &Context { site: &s, as_of: d("2025-03-20") });
            assert_eq!(v.status, want, "{name}: {v:#?}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
        }
    }
}

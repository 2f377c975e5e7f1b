//! The column navigation of a 专栏: column name → URL.
//!
//! Checks find 政府信息公开指南, 政府信息公开年报, 政策解读 … by name in the menus, so a menu link must be told
//! apart from a list entry, a footer link or a friend link. Two signals, either suffices: the link sits in a
//! container named like a menu (`<nav>`, `.menu`, `.left-nav`, `#sidebar`, tabs), or it belongs to a group of
//! at least three short, undated links (`<ul><li><a>`, `<div><a>`, a table menu) that is mostly links.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use scraper::ElementRef;
use url::Url;

use super::AttrOf;
use super::dates::parse_date;
use super::text::element_text;
use super::{Anchor, Link, clean_text, resolve};

/// Where a link sits on the page, as its nearest named container says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// A container named as navigation (nav, menu).
    Nav,
    /// A container whose name suggests navigation but also holds content (side, left, tab).
    MaybeNav,
    /// Footer, copyright or friend links.
    Footer,
    /// Pagination.
    Paging,
    /// Nothing recognisable.
    Content,
}

/// Words of a class or id (ASCII case ignored) that name a zone, grouped as [`ZONE_GROUPS`] says.
const ZONE_WORDS: &[&str] = &[
    // Footer (per class token: `pad-bottom` is a spacing utility, `bottom` a footer; these words can
    // only match inside one token, having no space).
    "footer",
    "friend",
    "yqlj",
    "copyright",
    "links_",
    // Paging.
    "pagination",
    "pager",
    "pagebar",
    "page_bar",
    "fenye",
    "pagenav",
    "page-nav",
    "paging",
    // Navigation.
    "nav",
    "menu",
    "daohang",
    "lanmu",
    "navbar",
    "sub_nav",
    // Maybe navigation.
    "sidebar",
    "side_",
    "side-",
    "left",
    "tabs",
    "tab_",
    "tab-",
    "lm",
    "catalog",
    "mulu",
];
/// How many of [`ZONE_WORDS`] each zone has, in order: footer, paging, navigation, maybe navigation.
const ZONE_GROUPS: [usize; 4] = [5, 8, 6, 10];

/// All of [`ZONE_WORDS`], found in one pass over a class or id.
static ZONE_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder().ascii_case_insensitive(true).build(ZONE_WORDS).expect("static patterns")
});

/// The zone an element's own tag, class and id name, if any (footer before paging before navigation).
fn zone_of_attrs(tag: &str, class: &str, id: &str) -> Option<Zone> {
    let mut named = [false; 4];
    for s in [class, id] {
        for m in ZONE_FINDER.find_overlapping_iter(s) {
            let mut p = m.pattern().as_usize();
            let mut group = 0;
            while p >= ZONE_GROUPS[group] {
                p -= ZONE_GROUPS[group];
                group += 1;
            }
            named[group] = true;
        }
    }
    let starts =
        |t: &str, w: &str| t.len() >= w.len() && t.as_bytes()[..w.len()].eq_ignore_ascii_case(w.as_bytes());
    let footer_token = |t: &str| starts(t, "foot") || starts(t, "bottom");
    if tag == "footer" || named[0] || [class, id].iter().any(|s| s.split_whitespace().any(footer_token)) {
        return Some(Zone::Footer);
    }
    if named[1] {
        return Some(Zone::Paging);
    }
    if tag == "nav" || named[2] {
        return Some(Zone::Nav);
    }
    if tag == "aside" || named[3] {
        return Some(Zone::MaybeNav);
    }
    None
}

/// The zone of an element: the nearest ancestor with a recognisable tag, class or id decides.
pub fn zone_of(el: ElementRef) -> Zone {
    for anc in el.ancestors().filter_map(ElementRef::wrap).take(40) {
        let v = anc.value();
        let (class, id) = (v.attr_of("class"), v.attr_of("id"));
        if class.is_none() && id.is_none() && !matches!(v.name(), "footer" | "nav" | "aside") {
            // Only the tag could decide (most ancestors: plain li, ul, td, div), and it does not.
            continue;
        }
        if let Some(z) = zone_of_attrs(v.name(), class.unwrap_or(""), id.unwrap_or("")) {
            return z;
        }
    }
    Zone::Content
}

/// Link text for a menu: whitespace between two CJK characters dropped (政府信息<br>公开指南 → 政府信息公开指南).
pub fn nav_text(s: &str) -> String {
    let s = clean_text(s);
    let chars: Vec<char> = s.chars().collect();
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 && i + 1 < chars.len() && cjk(chars[i - 1]) && cjk(chars[i + 1]) {
            continue;
        }
        out.push(c);
    }
    out
}

const MAX_GROUP_NODES: usize = 600;

fn is_short(text: &str) -> bool {
    (2..=16).contains(&text.chars().count())
}

/// Whether a container is a menu: ≥3 distinct links, mostly short, no dates, little text besides the links.
/// `None` when the container has fewer than three links (look further up) or is too large to judge.
fn menu_group(el: ElementRef) -> Option<bool> {
    let mut hrefs = HashSet::new();
    let mut short = 0usize;
    let mut link_chars = 0usize;
    for (i, n) in el.descendants().enumerate() {
        if i > MAX_GROUP_NODES {
            return Some(false);
        }
        let Some(a) = ElementRef::wrap(n) else { continue };
        if a.value().name() != "a" {
            continue;
        }
        let Some(h) = a.value().attr_of("href") else { continue };
        if hrefs.insert(h.trim()) {
            let t = nav_text(&element_text(a));
            link_chars += t.chars().count();
            short += usize::from(is_short(&t));
        }
    }
    if hrefs.len() < 3 {
        return None;
    }
    let text = element_text(el);
    let chars = text.chars().filter(|c| !c.is_whitespace()).count();
    Some(short * 5 >= hrefs.len() * 4 && parse_date(&text).is_none() && chars <= link_chars * 3 / 2 + 20)
}

/// Link words that name no column (更多>>, 详情, more).
fn is_generic(text: &str) -> bool {
    let t = text.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    matches!(
        t.as_str(),
        "更多" | "more" | "详细" | "详情" | "查看" | "查看更多" | "进入" | "点击进入" | "返回" | "返回顶部"
    )
}

/// Whether a link is a content box's heading (`<h3><a>工作动态</a></h3>` above the box's list): the
/// column's entry point.
fn in_box_heading(a: ElementRef) -> bool {
    a.ancestors().filter_map(ElementRef::wrap).take(3).any(|e| {
        let v = e.value();
        let class = v.attr_of("class").unwrap_or("").to_ascii_lowercase();
        matches!(v.name(), "h2" | "h3" | "h4" | "h5" | "h6")
            || class
                .split_whitespace()
                .any(|c| c.contains("tit") || c == "hd" || c.ends_with("-hd") || c.ends_with("_hd"))
    })
}

/// Whether a container is a group of menu links (see the module doc).
pub fn is_menu(el: ElementRef) -> bool {
    menu_group(el) == Some(true)
}

/// The page's column navigation, in page order, deduplicated by (name, URL). `entries` are list-entry URLs.
pub(crate) fn nav(anchors: &[Anchor], entries: &HashSet<String>) -> Vec<Link> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut groups = HashMap::new();
    for &Anchor { el: a, ref url, ref text, zone } in anchors {
        let text = nav_text(text);
        // An image menu item names its column in the link's title or the image's alt.
        let text = if text.is_empty() {
            a.value()
                .attr_of("title")
                .or_else(|| {
                    super::within(a, |v| v.name() == "img" && v.attr_of("alt").is_some())
                        .next()
                        .and_then(|i| i.value().attr_of("alt"))
                })
                .map(nav_text)
                .unwrap_or_default()
        } else {
            text
        };
        if !is_short(&text)
            || entries.contains(url.as_str())
            || text.chars().all(|c| c.is_ascii_digit())
            || is_generic(&text)
        {
            continue;
        }
        let keep = match zone {
            Zone::Nav => true,
            Zone::Footer | Zone::Paging => false,
            _ if in_box_heading(a) => true,
            Zone::MaybeNav | Zone::Content => {
                let mut node = a.parent().and_then(ElementRef::wrap);
                let mut verdict = false;
                for _ in 0..6 {
                    let Some(el) = node else { break };
                    if matches!(el.value().name(), "body" | "html") {
                        break;
                    }
                    let g = *groups.entry(el.id()).or_insert_with(|| menu_group(el));
                    if let Some(v) = g {
                        verdict = v;
                        break;
                    }
                    node = el.parent().and_then(ElementRef::wrap);
                }
                verdict
            }
        };
        if keep && seen.insert((text.clone(), url.to_string())) {
            out.push(Link { text, url: url.to_string() });
        }
    }
    out
}

/// Nesting of the menu: (child URL, parent URL) for every menu link that sits in a sub-list of another
/// menu link (`<li><a>法定主动公开内容</a><ul><li><a>规范性文件</a></li></ul></li>`, or a `<dt>` heading
/// link over `<dd>` links). `nav` is the page's column navigation; only its links are related.
pub(crate) fn nav_parents(base: &Url, anchors: &[Anchor], nav: &[Link]) -> Vec<(String, String)> {
    let in_nav: HashSet<&str> = nav.iter().map(|l| l.url.as_str()).collect();
    let href_of =
        |a: ElementRef| a.value().attr_of("href").and_then(|h| resolve(base, h)).map(|u| u.to_string());
    // The first link of an element, not looking into its nested lists.
    let first_link = |el: ElementRef| -> Option<String> {
        for child in el.children().filter_map(ElementRef::wrap) {
            match child.value().name() {
                "ul" | "ol" | "dl" => continue,
                "a" => return href_of(child),
                _ => {
                    if let Some(a) = super::within(child, super::is_link).next() {
                        return href_of(a);
                    }
                }
            }
        }
        None
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for &Anchor { el: a, ref url, .. } in anchors {
        let child = url.to_string();
        if !in_nav.contains(child.as_str()) {
            continue;
        }
        if out.iter().any(|(c, _)| *c == child) {
            continue;
        }
        let mut parent = None;
        for anc in a.ancestors().filter_map(ElementRef::wrap).take(8) {
            let name = anc.value().name();
            let up = anc.parent().and_then(ElementRef::wrap);
            if matches!(name, "ul" | "ol")
                && let Some(li) = up.filter(|e| matches!(e.value().name(), "li" | "div" | "dd"))
            {
                parent = first_link(li);
            } else if name == "dd" {
                parent = anc
                    .prev_siblings()
                    .filter_map(ElementRef::wrap)
                    .find(|e| e.value().name() == "dt")
                    .and_then(|dt| super::within(dt, super::is_link).next())
                    .and_then(href_of);
            }
            if parent.is_some() {
                break;
            }
        }
        if let Some(p) = parent.filter(|p| *p != child && in_nav.contains(p.as_str())) {
            out.push((child, p));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    #[test]
    fn nested_menus_give_parents() {
        let base = Url::parse("http://gov.example.cn/xxgk/index.html").unwrap();
        let html = r#"<ul class="menu"><li><a href="zn/">政府信息公开指南</a></li>
            <li><a href="fd/">法定主动公开内容</a><ul><li><a href="fd/gf/">规范性文件</a></li><li><a href="fd/jg/">机构职能</a></li></ul></li>
            <li><a href="nb/">政府信息公开年报</a></li></ul>
            <dl class="nav"><dt><a href="zdly/">重点领域</a></dt><dd><a href="zdly/cz/">财政预决算</a></dd><dd><a href="zdly/gh/">规划计划</a></dd></dl>"#;
        let doc = Html::parse_document(html);
        let anchors = crate::extract::anchors(&base, &doc);
        let nav = nav(&anchors, &HashSet::new());
        let got = nav_parents(&base, &anchors, &nav);
        let u = |p: &str| format!("http://gov.example.cn/xxgk/{p}");
        assert_eq!(
            got,
            vec![
                (u("fd/gf/"), u("fd/")),
                (u("fd/jg/"), u("fd/")),
                (u("zdly/cz/"), u("zdly/")),
                (u("zdly/gh/"), u("zdly/")),
            ]
        );
    }

    fn names(html: &str) -> Vec<String> {
        let base = Url::parse("http://gov.example.cn/xxgk/index.html").unwrap();
        let doc = Html::parse_document(html);
        nav(&crate::extract::anchors(&base, &doc), &HashSet::new()).into_iter().map(|l| l.text).collect()
    }

    #[test]
    fn menu_markups() {
        let cases: &[(&str, &[&str])] = &[
            (
                r#"<ul class="menu"><li><a href="zn/">政府信息公开指南</a></li><li><a href="zd/">政府信息公开制度</a></li></ul>"#,
                &["政府信息公开指南", "政府信息公开制度"],
            ),
            (
                r#"<div class="box"><a href="a/">政策解读</a> <a href="b/">工作动态</a> <a href="c/">通知公告</a></div>"#,
                &["政策解读", "工作动态", "通知公告"],
            ),
            (
                r#"<table><tr><td><a href="nb/">政府信息<br>公开年报</a></td></tr><tr><td><a href="zn/">公开指南</a></td></tr><tr><td><a href="ysq/">依申请公开</a></td></tr></table>"#,
                &["政府信息公开年报", "公开指南", "依申请公开"],
            ),
            (r#"<div id="leftnav"><h3><a href="jg/">机构职能</a></h3></div>"#, &["机构职能"]),
            (
                r#"<ul class="menu"><li><a href="zn/"><img src="zn.png" alt="政府信息公开指南"></a></li><li><a href="nb/" title="政府信息公开年报"><img src="nb.png"></a></li></ul>"#,
                &["政府信息公开指南", "政府信息公开年报"],
            ),
            (
                r#"<div class="box"><div class="box-tit"><a href="gzdt/">工作动态</a><a href="gzdt/" class="more">更多</a></div>
                <ul><li><a href="gzdt/1.html">某镇召开防汛工作会议</a><span>2021-06-10</span></li>
                <li><a href="gzdt/2.html">某镇开展安全检查</a><span>2021-06-09</span></li></ul></div>"#,
                &["工作动态"],
            ),
        ];
        for (html, want) in cases {
            assert_eq!(names(html), *want, "{html}");
        }
    }

    #[test]
    fn footer_friend_links_and_dated_lists_are_not_nav() {
        let html = r#"<div class="footer"><a href="/a">关于我们</a><a href="/b">网站地图</a><a href="/c">联系我们</a></div>
            <div class="yqlj"><a href="http://a.gov.cn">某某市政府</a><a href="http://b.gov.cn">某某省政府</a><a href="http://c.gov.cn">中国政府网</a></div>
            <ul><li><a href="1.html">街道开展巡查</a><span>2021-06-10</span></li><li><a href="2.html">社区召开会议</a><span>2021-06-09</span></li>
            <li><a href="3.html">开展安全检查</a><span>2021-06-08</span></li></ul>
            <div class="content"><p>根据<a href="x.html">某某文件</a>的规定，结合实际情况，现将有关事项通知如下，请各单位认真贯彻落实。
            另见<a href="y.html">附件一</a>和<a href="z.html">附件二</a>。</p></div>"#;
        assert!(names(html).is_empty(), "{:?}", names(html));
    }

    #[test]
    fn zones() {
        let doc = Html::parse_document(
            r#"<div class="foot"><a id="f" href="/">x</a></div><div class="page_nav_x"><div class="pagination"><a id="p" href="?page=2">2</a></div></div>"#,
        );
        let sel = |s: &str| doc.select(&Selector::parse(s).unwrap()).next().unwrap();
        assert_eq!(zone_of(sel("#f")), Zone::Footer);
        assert_eq!(zone_of(sel("#p")), Zone::Paging);
        let doc = Html::parse_document(
            r#"<div class="pad-bottom"><ul class="list"><li><a id="e" href="1.html">x</a></li></ul></div>"#,
        );
        let e = doc.select(&Selector::parse("#e").unwrap()).next().unwrap();
        assert_eq!(zone_of(e), Zone::Content);
    }
}

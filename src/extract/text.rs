//! The page as an inspector reads it: visible lines, the document title and the breadcrumb.
//!
//! Several extractors need the page "as read", one line per block (a table cell, a list item, a paragraph), not
//! as a DOM: a metadata label and its value, a 发布时间 label and its date, a heading and the date under it.
//! [`lines`] produces that view once, in one linear pass, for all of them.

use std::sync::LazyLock;

use regex::Regex;
use scraper::node::{Element, Node};
use scraper::{ElementRef, Html};

use super::AttrOf;
use super::{clean_text, has_class, select_where};

/// One visible line of the page: the text of a block-level element (cell, item, paragraph), whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The text.
    pub text: String,
}

/// Elements that start a new line.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "td"
            | "th"
            | "tr"
            | "table"
            | "tbody"
            | "thead"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "br"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "form"
            | "aside"
            | "main"
            | "hr"
            | "center"
            | "blockquote"
            | "pre"
            | "caption"
    )
}

/// Elements whose text is never visible.
fn is_hidden(name: &str) -> bool {
    matches!(name, "script" | "style" | "noscript" | "template" | "head" | "select" | "textarea" | "iframe")
}

/// The visible lines of the page body, in document order; empty lines dropped except one for an empty cell.
pub fn lines(doc: &Html) -> Vec<Line> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut hidden = 0usize;
    // An empty table cell still ends up as an (empty) line, so that a label followed by an empty value cell
    // is not read as labelling whatever text comes next.
    let flush = |buf: &mut String, out: &mut Vec<Line>, keep_empty: bool| {
        let t = if buf.is_empty() { String::new() } else { clean_text(buf) };
        if !t.is_empty() || (keep_empty && out.last().is_some_and(|l: &Line| !l.text.is_empty())) {
            out.push(Line { text: t });
        }
        buf.clear();
    };
    // Iterative depth-first walk: (node, closing) pairs, so deep documents cannot overflow the stack.
    let mut stack = vec![(doc.tree.root(), false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Element(e) if closing => {
                if is_hidden(e.name()) {
                    hidden = hidden.saturating_sub(1);
                } else if hidden == 0 && is_block(e.name()) {
                    flush(&mut buf, &mut out, matches!(e.name(), "td" | "th" | "dd"));
                }
                continue;
            }
            Node::Element(e) if is_hidden(e.name()) => hidden += 1,
            Node::Element(e) if hidden == 0 && is_block(e.name()) => flush(&mut buf, &mut out, false),
            Node::Text(t) if hidden == 0 => buf.push_str(&t[..]),
            _ => {}
        }
        if node.value().is_element() {
            stack.push((node, true));
        }
        let mut child = node.last_child();
        while let Some(c) = child {
            stack.push((c, false));
            child = c.prev_sibling();
        }
    }
    flush(&mut buf, &mut out, false);
    out
}

/// Text of an element, whitespace collapsed, scripts and styles skipped.
pub fn element_text(el: ElementRef) -> String {
    let mut s = String::new();
    // Depth-first with an explicit stack, not descending into hidden elements: linear in the subtree.
    let mut stack: Vec<_> = el.children().collect();
    stack.reverse();
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(t) => s.push_str(t),
            Node::Element(e) if !is_hidden(e.name()) => {
                let from = stack.len();
                stack.extend(node.children());
                stack[from..].reverse();
            }
            _ => {}
        }
    }
    clean_text(&s)
}

/// `.article-title, …, .bt, h1, .title, h2`: where an article's heading may be.
const HEADING_CLASSES: &[&str] = &[
    "article-title",
    "article_title",
    "arti_title",
    "artTitle",
    "news-title",
    "news_title",
    "content-title",
    "content_title",
    "detail-title",
    "detail_title",
    "xxgk_title",
    "tit",
    "bt",
    "title",
];
/// The classes that name an article heading for sure: the first eleven above.
const STRONG_HEADING_CLASSES: &[&str] = HEADING_CLASSES.split_at(11).0;

pub(super) fn is_heading(v: &Element) -> bool {
    matches!(v.name(), "h1" | "h2") || has_class(v, HEADING_CLASSES)
}

pub(super) fn is_strong_heading(v: &Element) -> bool {
    v.name() == "h1" || has_class(v, STRONG_HEADING_CLASSES)
}

/// `meta[name="ArticleTitle"][content], meta[name="articletitle"][content], meta[property="og:title"][content]`.
pub(super) fn is_meta_title(v: &Element) -> bool {
    v.name() == "meta"
        && v.attr_of("content").is_some()
        && (matches!(v.attr_of("name"), Some("ArticleTitle" | "articletitle"))
            || v.attr_of("property") == Some("og:title"))
}

/// Separators between an article title and the site name in `<title>`.
static TITLE_SPLIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*(?:_|\||｜|——|--|\s-\s|—\s|\s—)\s*").expect("static regex"));
static SITE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"政府|网站|门户|人民|局$|委员会|委$|办$|办公室|街道|办事处|镇$|乡$|区$|县$|市$|省$|首页|平台|信息公开|政务公开|中心$|\.gov|网$")
        .expect("static regex")
});

/// `<title>` without site-name suffixes (`关于…的通知_某某区人民政府` → `关于…的通知`).
pub fn clean_title(raw: &str) -> String {
    let mut raw = clean_text(raw);
    // A bare hyphen separates only when what follows is a site name (2020-2021年 must stay whole).
    while let Some((left, right)) = raw.rsplit_once(['-', '－', '—']) {
        let right = right.trim();
        let cjk = right.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        if left.trim().chars().count() >= 2 && cjk && SITE_NAME.is_match(right) && right.chars().count() <= 30
        {
            raw = left.trim().to_string();
        } else {
            break;
        }
    }
    let mut parts: Vec<&str> = TITLE_SPLIT.split(&raw).filter(|p| !p.trim().is_empty()).collect();
    while parts.len() > 1
        && parts.last().is_some_and(|p| SITE_NAME.is_match(p.trim()) && p.chars().count() <= 30)
    {
        parts.pop();
    }
    if parts.len() > 1 {
        // `_` and `|` only ever separate the site's parts: the article is the first. Dashes may belong to the
        // article title itself (——记…): keep it intact up to the last part that is not a site name.
        let first = parts[0];
        let start = raw.find(first).unwrap_or(0);
        let after_first = &raw[start + first.len()..];
        if after_first.trim_start().starts_with(['_', '|', '｜']) {
            return first.trim().to_string();
        }
        let last = parts[parts.len() - 1];
        let end = raw.rfind(last).map(|i| i + last.len()).unwrap_or(raw.len());
        return raw[start..end.max(start)].trim().to_string();
    }
    parts.first().map(|p| p.trim().to_string()).unwrap_or(raw)
}

/// The document's title: the article heading where there is one, else the cleaned `<title>`.
/// `field_title` is the metadata table's 标题 / 名称 value when there is one.
pub fn title(doc: &Html, field_title: Option<&str>) -> Option<String> {
    let raw = super::select_tags(doc, &[("title", &[])]).next().map(element_text).unwrap_or_default();
    let cleaned = clean_title(&raw);
    let meta = select_where(doc, is_meta_title)
        .next()
        .and_then(|m| m.value().attr_of("content"))
        .map(clean_text)
        .filter(|t| t.chars().count() >= 2);
    if let Some(m) = meta {
        return Some(m);
    }
    if let Some(f) = field_title.map(clean_text).filter(|t| t.chars().count() >= 2) {
        return Some(f);
    }
    let headings: Vec<String> = select_where(doc, is_heading)
        .take(50)
        .map(element_text)
        .filter(|t| (2..=200).contains(&t.chars().count()))
        .collect();
    // A heading that the <title> repeats is the article heading; a logo <h1> is not.
    let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let clean_c = compact(&cleaned);
    let matches_title = |h: &String| {
        let h = compact(h);
        h.chars().count() >= 4 && !clean_c.is_empty() && (clean_c.contains(&h) || h.contains(&clean_c))
    };
    // A <title> that is only the site's name says nothing about the page: an article heading does.
    let site_only = SITE_NAME.is_match(&cleaned) && cleaned.chars().count() <= 16;
    if site_only || cleaned.is_empty() {
        let strong = select_where(doc, is_strong_heading)
            .take(20)
            .filter(|h| {
                let attrs = format!(
                    "{} {}",
                    h.value().attr_of("class").unwrap_or(""),
                    h.value().attr_of("id").unwrap_or("")
                );
                !attrs.to_ascii_lowercase().contains("logo")
            })
            .map(element_text)
            .find(|t| (4..=200).contains(&t.chars().count()) && *t != cleaned);
        if let Some(h) = strong {
            return Some(h);
        }
    }
    if let Some(h) = headings.iter().find(|h| matches_title(h)) {
        return Some(h.clone());
    }
    if !cleaned.is_empty() {
        return Some(cleaned);
    }
    headings.into_iter().next()
}

/// `.breadcrumb, .position, …, [class*=breadcrumb], …, [id*=dqwz]`: a breadcrumb bar by its class or id.
pub(super) fn is_crumb_bar(v: &Element) -> bool {
    const CLASSES: &[&str] =
        &["breadcrumb", "position", "crumb", "location", "bread", "dqwz", "weizhi", "lujing", "path"];
    const IN_CLASS: &[&str] = &["breadcrumb", "crumb", "position", "location", "dqwz"];
    const IN_ID: &[&str] = &["position", "location", "crumb", "dqwz"];
    has_class(v, CLASSES)
        || v.attr_of("class").is_some_and(|c| IN_CLASS.iter().any(|w| c.contains(w)))
        || v.attr_of("id").is_some_and(|i| IN_ID.iter().any(|w| i.contains(w)))
}
static CRUMB_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:当前位置|您的位置|您现在的位置|现在的位置|所在位置|当前所在位置|位置)\s*[:：]?\s*")
        .expect("static regex")
});
static CRUMB_SPLIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*(?:>>|&gt;|>|›|»|→|＞|/|\\|》|－|-{1,2}|·)\s*").expect("static regex"));

fn crumb_tokens(el: ElementRef) -> Vec<String> {
    let mut tokens = Vec::new();
    for child in el.descendants().take(2000) {
        let Node::Text(t) = child.value() else { continue };
        let in_link = child
            .ancestors()
            .take_while(|a| a.id() != el.id())
            .any(|a| a.value().as_element().is_some_and(|e| e.name() == "a"));
        let in_script = child
            .ancestors()
            .take_while(|a| a.id() != el.id())
            .any(|a| a.value().as_element().is_some_and(|e| is_hidden(e.name())));
        if in_script {
            continue;
        }
        let t = clean_text(t);
        if in_link {
            if !t.is_empty() {
                tokens.push(t);
            }
        } else {
            tokens.extend(CRUMB_SPLIT.split(&t).map(clean_text));
        }
    }
    // Page tools often share the breadcrumb's bar (字号：大 中 小 | 打印 | 关闭): the trail ends there.
    let tool = |t: &str| ["字号", "打印", "关闭", "分享", "收藏", "字体", "【"].iter().any(|w| t.contains(w));
    tokens
        .into_iter()
        .map(|t| CRUMB_LABEL.replace(&t, "").trim().to_string())
        .take_while(|t| !tool(t))
        .filter(|t| t.chars().count() <= 40 && t.chars().any(|c| c.is_alphanumeric()))
        .collect()
}

/// Breadcrumb labels, outermost first (首页 > 政务公开 > 政府信息公开年报).
pub fn breadcrumb(doc: &Html) -> Vec<String> {
    for el in select_where(doc, is_crumb_bar).take(20) {
        let text = element_text(el);
        if text.is_empty() || text.chars().count() > 300 {
            continue;
        }
        let tokens = crumb_tokens(el);
        if tokens.len() >= 2 || (tokens.len() == 1 && CRUMB_LABEL.is_match(&text)) {
            return tokens;
        }
    }
    // No class: the smallest element whose text starts with 当前位置.
    for node in doc.tree.root().descendants().take(200_000) {
        let Node::Text(t) = node.value() else { continue };
        if !CRUMB_LABEL.is_match(t.trim()) || !t.contains("位置") {
            continue;
        }
        let mut el = node.parent().and_then(ElementRef::wrap);
        for _ in 0..3 {
            let Some(e) = el else { break };
            if crumb_tokens(e).len() >= 2 {
                return crumb_tokens(e);
            }
            el = e.parent().and_then(ElementRef::wrap);
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_blocks_and_join_inline() {
        let doc = Html::parse_document(
            "<body><table><tr><td><b>索 引 号：</b></td><td>0001/2021-1</td></tr></table>\
             <li><span>发布机构：</span>某某局</li><script>var x='no';</script><p>a<br>b</p></body>",
        );
        let t: Vec<String> = lines(&doc).into_iter().map(|l| l.text).collect();
        assert_eq!(t, ["索 引 号：", "0001/2021-1", "发布机构：某某局", "a", "b"]);
        let doc =
            Html::parse_document("<table><tr><td>主题词：</td><td></td><td></td></tr></table><p>正文</p>");
        let t: Vec<String> = lines(&doc).into_iter().map(|l| l.text).collect();
        assert_eq!(t, ["主题词：", "", "正文"]);
    }

    #[test]
    fn title_cleaning() {
        for (raw, want) in [
            ("关于做好2021年防汛工作的通知_某某区人民政府", "关于做好2021年防汛工作的通知"),
            ("政府信息公开年报 - 某某街道办事处 - 某某区政府门户网站", "政府信息公开年报"),
            ("2020-2021年度工作总结", "2020-2021年度工作总结"),
            ("政策解读-某某县人民政府", "政策解读"),
            ("关于2020-2021年度评选的通知-某某区教育局-某某区人民政府", "关于2020-2021年度评选的通知"),
            ("某某局工作动态|某某市人民政府", "某某局工作动态"),
            ("关于批准某决议__2007年第23号公报_中国政府网", "关于批准某决议"),
            ("学习先进——记某某同志 - 某某区人民政府", "学习先进——记某某同志"),
        ] {
            assert_eq!(clean_title(raw), want, "{raw}");
        }
    }

    #[test]
    fn title_prefers_heading_repeated_in_title_over_logo() {
        let doc = Html::parse_document(
            "<title>关于开展安全检查的通知_某某区人民政府</title><body><h1 class=logo>某某区人民政府</h1>\
             <div class=article-title>关于开展安全检查的通知</div></body>",
        );
        assert_eq!(title(&doc, None).as_deref(), Some("关于开展安全检查的通知"));
        let doc = Html::parse_document("<title>工作动态_某某镇</title><body><h1>某某镇人民政府</h1></body>");
        assert_eq!(title(&doc, None).as_deref(), Some("工作动态"));
        assert_eq!(title(&doc, Some("某镇2021年工作要点")).as_deref(), Some("某镇2021年工作要点"));
        let doc = Html::parse_document(
            "<title>某某区人民政府</title><body><h1 class=logo>某某区人民政府</h1><h1>关于开展安全检查的通知</h1></body>",
        );
        assert_eq!(title(&doc, None).as_deref(), Some("关于开展安全检查的通知"));
    }

    #[test]
    fn breadcrumbs() {
        let cases = [
            (
                r#"<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>"#,
                vec!["首页", "政务公开", "政府信息公开年报"],
            ),
            (
                r#"<div class="crumb"><a href="/">首页</a><img src="arr.gif"><a href="/x/">工作动态</a></div>"#,
                vec!["首页", "工作动态"],
            ),
            (
                r#"<table><tr><td>您现在的位置：首页 > 信息公开 > 政策解读</td></tr></table>"#,
                vec!["首页", "信息公开", "政策解读"],
            ),
        ];
        for (html, want) in cases {
            assert_eq!(breadcrumb(&Html::parse_document(html)), want, "{html}");
        }
    }
}

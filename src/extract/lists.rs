//! Entries of a column's document list: title, URL and the date shown beside it.
//!
//! Freshness checks (动态 updated within two weeks, blank columns) read these. CMSs write a list row in many
//! ways: `<li><a>…</a><span>2021-06-10</span></li>`, `<div>` rows, `<table>` rows with a date cell, `<dl><dd>`
//! pairs, the date before the title or in brackets. What they share: a row is the smallest element around one
//! link that also holds a date. Links in menus, footers and friend-link blocks are not entries.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html};
use url::Url;

use super::AttrOf;
use super::dates::{is_bare_date, parse_date};
use super::nav::Zone;
use super::text::element_text;
use super::{Anchor, ListEntry, clean_text};

/// Most nodes looked at around one anchor: bounds the work.
const MAX_ROW_NODES: usize = 300;

/// The entry title of an anchor: its text, or its `title` attribute when the text is truncated or empty.
pub fn anchor_title(a: ElementRef) -> String {
    title_of(a, &element_text(a))
}

/// [`anchor_title`] of a link whose text is at hand.
fn title_of(a: ElementRef, text: &str) -> String {
    let attr = a.value().attr_of("title").map(clean_text).unwrap_or_default();
    let truncated = text.ends_with("...") || text.ends_with('…') || text.ends_with("..");
    if (text.is_empty() || truncated) && attr.chars().count() >= text.chars().count().saturating_sub(3) {
        return attr;
    }
    text.to_string()
}

/// Number of distinct link targets inside `el`, `None` when the element is too large to be one row.
fn link_count(el: ElementRef) -> Option<usize> {
    let mut hrefs = HashSet::new();
    for (i, n) in el.descendants().enumerate() {
        if i > MAX_ROW_NODES {
            return None;
        }
        if let Some(e) = n.value().as_element()
            && e.name() == "a"
            && let Some(h) = e.attr_of("href")
        {
            hrefs.insert(h.trim());
        }
    }
    Some(hrefs.len())
}

/// The date shown in a row outside the link: the row's text without the link's text (visible and full title,
/// so a date inside a title is not taken), when what remains is short enough to be a row's decoration.
fn row_date(row: ElementRef, link_text: &str, title: &str) -> Option<chrono::NaiveDate> {
    let text = element_text(row);
    let mut rest = text.replacen(link_text, " ", 1);
    if !title.is_empty() && title != link_text {
        rest = rest.replacen(title, " ", 1);
    }
    if rest.chars().count() > 120 {
        return None;
    }
    parse_date(&rest)
}

/// Shortest title of an undated entry: shorter link texts are column names, not documents.
const MIN_UNDATED_TITLE: usize = 10;

/// Whether `list` holds a run of at least three `row_tag` rows, each one link that is most of the row's text,
/// with long titles, and is not a menu.
fn is_undated_list(list: ElementRef, row_tag: &str) -> bool {
    if !matches!(row_tag, "li" | "tr" | "dl" | "div" | "dd") {
        return false;
    }
    let mut rows = 0usize;
    for child in
        list.children().filter_map(ElementRef::wrap).filter(|c| c.value().name() == row_tag).take(500)
    {
        if link_count(child) != Some(1) {
            continue;
        }
        let link_text: usize =
            super::within(child, super::is_link).next().map(|a| anchor_title(a).chars().count()).unwrap_or(0);
        let text = element_text(child).chars().count();
        if link_text >= MIN_UNDATED_TITLE && text <= link_text + 30 {
            rows += 1;
        }
    }
    // The menu test reads the whole list: only a list with such rows needs it.
    rows >= 3 && !super::nav::is_menu(list)
}

/// The list entries of the page, in page order, deduplicated by URL; entries that a data script carries
/// (Hanweb's `<script type="text/xml"><record><![CDATA[<li>…</li>]]></record>`) come after the page's own.
pub fn list_entries(base: &Url, doc: &Html) -> Vec<ListEntry> {
    list_entries_of(base, doc, &super::anchors(base, doc))
}

/// [`list_entries`] of a page whose [`anchors`] are at hand.
pub(crate) fn list_entries_of(base: &Url, doc: &Html, anchors: &[Anchor]) -> Vec<ListEntry> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    entries_in(anchors, &mut out, &mut seen);
    if let Some(records) = data_script_records(doc) {
        let records =
            Html::parse_fragment(&super::depth::bounded_attributes(&super::depth::bounded_nesting(&records)));
        entries_in(&super::anchors(base, &records), &mut out, &mut seen);
    }
    out
}

const SCRIPTS: super::Tags = &[("script", &[])];
static CDATA_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<!\[CDATA\[(.*?)\]\]>").expect("static regex"));
/// Most bytes of record HTML read from data scripts.
const MAX_RECORD_BYTES: usize = 2 << 20;

/// The HTML carried by `<record><![CDATA[…]]></record>` data scripts, concatenated, if any.
fn data_script_records(doc: &Html) -> Option<String> {
    let mut html = String::new();
    for s in super::select_tags(doc, SCRIPTS).take(200) {
        let code: String = s.text().collect();
        if !code.contains("<record") {
            continue;
        }
        for c in CDATA_RE.captures_iter(&code) {
            if html.len() + c[1].len() > MAX_RECORD_BYTES {
                break;
            }
            html.push_str(&c[1]);
            html.push('\n');
        }
    }
    if html.is_empty() { None } else { Some(html) }
}

fn entries_in(anchors: &[Anchor], out: &mut Vec<ListEntry>, seen: &mut HashSet<String>) {
    let mut undated = HashMap::new();
    for Anchor { el: a, url, text: link_text, zone } in anchors {
        let a = *a;
        if matches!(zone, Zone::Nav | Zone::Footer | Zone::Paging) {
            continue;
        }
        let mut title = title_of(a, link_text);
        // A date inside the anchor itself (<a>title <span>2021-06-10</span></a>).
        let mut date = None;
        for child in a.children().filter_map(ElementRef::wrap) {
            let t = element_text(child);
            if is_bare_date(&t) {
                date = parse_date(&t);
                title = clean_text(&title.replacen(&t, "", 1));
            }
        }
        if title.chars().count() < 4 || is_bare_date(&title) {
            continue;
        }
        let mut single_link_row = None;
        if date.is_none() {
            let mut node = a.parent().and_then(ElementRef::wrap);
            for _ in 0..4 {
                let Some(row) = node else { break };
                if matches!(row.value().name(), "body" | "html") || link_count(row).is_none_or(|n| n > 1) {
                    break;
                }
                single_link_row = Some(row);
                date = row_date(row, link_text, &title);
                if date.is_some() {
                    break;
                }
                node = row.parent().and_then(ElementRef::wrap);
            }
        }
        if date.is_none() {
            // An undated entry: one row of a run of similar one-link rows with long titles.
            let Some(row) = single_link_row else { continue };
            let Some(list) = row.parent().and_then(ElementRef::wrap) else { continue };
            let ok = *undated.entry(list.id()).or_insert_with(|| is_undated_list(list, row.value().name()));
            if !ok || title.chars().count() < MIN_UNDATED_TITLE || super::is_attachment_url(url) {
                continue;
            }
        }
        if seen.insert(url.to_string()) {
            out.push(ListEntry { title, url: url.to_string(), date });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn entries(html: &str) -> Vec<(String, String, Option<NaiveDate>)> {
        let base = Url::parse("http://gov.example.cn/xxgk/gzdt/index.html").unwrap();
        list_entries(&base, &Html::parse_document(html))
            .into_iter()
            .map(|e| (e.title, e.url, e.date))
            .collect()
    }

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn row_markups() {
        let cases: &[(&str, &str, Option<NaiveDate>)] = &[
            (
                r#"<ul class="list"><li><a href="./202106/t20210610_1.html">某镇召开防汛工作会议</a><span>2021-06-10</span></li></ul>"#,
                "某镇召开防汛工作会议",
                d(2021, 6, 10),
            ),
            (
                r#"<div class="row"><span class="date">[2021/06/11]</span><a href="a.html">关于开展安全检查的通知</a></div>"#,
                "关于开展安全检查的通知",
                d(2021, 6, 11),
            ),
            (
                r#"<table><tr><td>1</td><td><a href="b.html" title="某某街道2020年度政府信息公开工作年度报告">某某街道2020年度政府信息公开…</a></td><td>2021年01月20日</td></tr></table>"#,
                "某某街道2020年度政府信息公开工作年度报告",
                d(2021, 1, 20),
            ),
            (
                r#"<dl><dd><a href="c.html">关于印发工作要点的通知</a></dd><dd>2021.03.05</dd></dl>"#,
                "关于印发工作要点的通知",
                d(2021, 3, 5),
            ),
            (
                r#"<li><a href="e.html">街道开展垃圾分类宣传<span class="time">2021-05-01</span></a></li>"#,
                "街道开展垃圾分类宣传",
                d(2021, 5, 1),
            ),
        ];
        for (html, title, date) in cases {
            let got = entries(html);
            assert_eq!(got.len(), 1, "{html}");
            assert_eq!((got[0].0.as_str(), got[0].2), (*title, *date), "{html}");
        }
    }

    #[test]
    fn list_page_fixture_skips_menus_footer_and_undated_links() {
        let html =
            std::fs::read_to_string(format!("{}/fixtures/extract/list_trs.html", env!("CARGO_MANIFEST_DIR")))
                .expect("fixture");
        let got = entries(&html);
        let titles: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            titles,
            [
                "某某街道2023年度政府信息公开工作年度报告",
                "某某街道2022年度政府信息公开工作年度报告",
                "某某街道2021年度政府信息公开工作年度报告"
            ]
        );
        assert_eq!(got[0].1, "http://gov.example.cn/xxgk/gzdt/202401/t20240118_301.html");
        assert_eq!(got[2].2, d(2022, 1, 28));
    }

    #[test]
    fn undated_lists_need_a_run_of_long_titles() {
        let html = r#"<ul class="list"><li><a href="a.html">某某街道政府信息公开指南（2021年修订）</a></li>
            <li><a href="b.html">某某街道依申请公开政府信息工作规程</a></li>
            <li><a href="c.html">某某街道政府信息公开保密审查制度</a></li></ul>
            <div class="content"><p>详见<a href="d.html">某某街道关于进一步做好政务公开工作的通知</a>。</p></div>
            <ul><li><a href="e/">政策解读</a></li><li><a href="f/">工作动态</a></li><li><a href="g/">通知公告</a></li></ul>"#;
        let got = entries(html);
        let urls: Vec<&str> = got.iter().map(|e| e.1.rsplit('/').next().unwrap()).collect();
        assert_eq!(urls, ["a.html", "b.html", "c.html"]);
        assert!(got.iter().all(|e| e.2.is_none()));
    }

    #[test]
    fn hanweb_data_script_records() {
        let html = r#"<div id="4821"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=2&path=/&columnid=4821"></a>]]></nextgroup>
            <recordset><record><![CDATA[<li><a href="/art/2021/6/10/art_4821_1.html" target="_blank">某镇召开防汛工作会议</a><span>2021-06-10</span></li>]]></record>
            <record><![CDATA[<li><a href="/art/2021/6/9/art_4821_2.html">某镇开展安全生产检查</a><span>2021-06-09</span></li>]]></record></recordset></datastore></script></div>"#;
        let got = entries(html);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].1, "http://gov.example.cn/art/2021/6/10/art_4821_1.html");
        assert_eq!(got[1].2, d(2021, 6, 9));
    }

    #[test]
    fn a_date_inside_a_truncated_title_is_not_the_entry_date() {
        let got = entries(
            r#"<li><a href="a.html" title="2021年6月1日区政府常务会议纪要及工作安排">2021年6月1日区政府常务会议纪要…</a><span>2021-06-15</span></li>"#,
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "2021年6月1日区政府常务会议纪要及工作安排");
        assert_eq!(got[0].2, d(2021, 6, 15));
    }

    #[test]
    fn one_date_shared_by_many_links_is_not_an_entry_date() {
        let got = entries(
            r#"<div>更新于 2021-06-10 <a href="a.html">第一篇文章标题</a><a href="b.html">第二篇文章标题</a></div>"#,
        );
        assert!(got.is_empty(), "{got:?}");
    }
}

//! Dates as government pages write them, and the page's publication date.
//!
//! Pages write one date many ways (2021-11-15, 2021/11/15, 2021.11.15, 2021年11月15日, 二〇二一年十一月十五日,
//! full-width digits, with or without a time) and carry distractors (page-generation meta, footer years, dates the
//! body merely mentions). [`parse_date`] is the one parser the whole crate uses; [`publish_date`] picks the
//! publication date in a fixed order of trust: publication meta tags, then the metadata table, then a labelled
//! date (发布时间：…), then a bare date line right below the heading.

use foldhash::HashSet;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use scraper::Html;

use super::AttrOf;
use super::text::Line;

/// Date pattern for Arabic digits (after full-width normalisation): y-m-d with `-`, `/`, `.`, `年月日`.
static DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?:\s*日)?(?:\D|$)")
        .expect("static regex")
});

/// Date pattern written in Chinese numerals: 二〇二一年十一月十五日.
static CN_DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇零○Ｏ一二三四五六七八九]{4})\s*年\s*([十一二三四五六七八九]{1,3})\s*月\s*([十一二三四五六七八九]{1,3})\s*日")
        .expect("static regex")
});

/// Labels that introduce a publication date in visible text.
static LABELLED_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s|｜【\[（(丨/])(?:发\s*布\s*时\s*间|发\s*布\s*日\s*期|发稿时间|公开日期|发表时间|上传时间|日\s*期|时\s*间)\s*[:：]\s*",
    )
    .expect("static regex")
});

const METAS: super::Tags = &[("meta", &["content"])];

/// Meta names (lower case) that state the publication time. Page-generation times (Maketime, others) are not here.
const PUB_META: &[&str] = &[
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "pubtime",
    "firstpublishedtime",
    "article:published_time",
    "og:release_date",
    "dc.date.issued",
    "dcterms.issued",
];

/// Replaces full-width digits and punctuation by their ASCII forms.
pub fn normalize_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | '—' | '–' => '-',
            '／' => '/',
            '．' => '.',
            _ => c,
        })
        .collect()
}

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | '○' | 'Ｏ' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// 十 / 十一 / 二十 / 二十三 / 三十一 → number.
fn cn_small(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', d] => Some(10 + cn_digit(*d)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', d] => Some(cn_digit(*t)? * 10 + cn_digit(*d)?),
        [d] => cn_digit(*d),
        _ => None,
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Finds the first valid date in `s` (Arabic digits first, then Chinese numerals).
fn find_date(s: &str) -> Option<NaiveDate> {
    let n = normalize_digits(s);
    for c in DATE_RE.captures_iter(&n) {
        if let Some(d) = ymd(&c[1], &c[2], &c[3]) {
            return Some(d);
        }
    }
    for c in CN_DATE_RE.captures_iter(&n) {
        let y: Option<String> =
            c[1].chars().map(|ch| cn_digit(ch).and_then(|v| char::from_digit(v, 10))).collect();
        let (Some(y), Some(m), Some(d)) = (y, cn_small(&c[2]), cn_small(&c[3])) else { continue };
        // The same years as Arabic digits (19xx, 20xx): 〇〇一二年 is no publication date.
        let year = y.parse::<i32>().ok().filter(|y| (1900..2100).contains(y));
        if let Some(date) = year.and_then(|y| NaiveDate::from_ymd_opt(y, m, d)) {
            return Some(date);
        }
    }
    None
}

/// Parses the first date written in `s` (any common Chinese government format, full-width digits included).
/// Returns `None` when no valid calendar date is found (2021-02-30 is not a date).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    find_date(s)
}

/// Whether `s` is a date alone (optionally with a time, brackets or a label-free decoration): a list date cell.
pub fn is_bare_date(s: &str) -> bool {
    static BARE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[\[【（(]?\s*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*[\]】）)]?$")
            .expect("static regex")
    });
    let n = normalize_digits(s.trim());
    n.chars().count() <= 32 && BARE.is_match(&n) && find_date(&n).is_some()
}

/// The publication date from `<meta>` tags (PubDate, publishdate, firstpublishedtime …).
pub fn meta_publish_date(doc: &Html) -> Option<NaiveDate> {
    super::select_tags(doc, METAS).find_map(|m| {
        let v = m.value();
        let name = v.attr_of("name").or_else(|| v.attr_of("property")).or_else(|| v.attr_of("itemprop"))?;
        let name = name.trim().to_ascii_lowercase();
        if PUB_META.contains(&name.as_str()) { parse_date(v.attr_of("content")?) } else { None }
    })
}

/// The page's publication date, in order of trust: publication `<meta>`, the metadata table's 发布日期
/// (`table_date`), a labelled date outside list rows, then an unlabelled date line under the heading.
pub fn publish_date(
    doc: &Html,
    lines: &[Line],
    table_date: Option<NaiveDate>,
    entry_titles: &HashSet<&str>,
    heading: Option<&str>,
) -> Option<NaiveDate> {
    meta_publish_date(doc)
        .or(table_date)
        .or_else(|| labelled_date(lines, entry_titles))
        .or_else(|| date_below_heading(lines, heading))
}

/// Whether a line belongs to a footer (copyright, ICP licence) and must not give a date.
fn is_footer_line(s: &str) -> bool {
    s.contains('©')
        || s.contains("版权")
        || s.contains("Copyright")
        || s.contains("ICP")
        || s.contains("备案")
        || s.contains("主办")
        || s.contains("页面生成")
}

/// A date introduced by a publication label (发布时间：, 发布日期：, 日期：, 时间：) in the page's lines.
/// Lines that belong to a list entry (the entry's title on the line or the line before) are skipped: a list
/// row's date is the entry's, not the page's.
pub fn labelled_date(lines: &[Line], entry_titles: &HashSet<&str>) -> Option<NaiveDate> {
    // The label first: few lines have one, and every line would be searched for the footer words.
    lines.iter().enumerate().find_map(|(i, l)| {
        let m = LABELLED_RE.find(&l.text)?;
        if is_footer_line(&l.text) {
            return None;
        }
        let before = l.text[..m.start()].trim();
        let prev = i.checked_sub(1).and_then(|p| lines.get(p)).map_or("", |p| p.text.as_str());
        if entry_titles.contains(before) || entry_titles.contains(prev) {
            return None;
        }
        let mut rest: String = l.text[m.end()..].chars().take(40).collect();
        if rest.trim().is_empty() {
            // The label in one cell, the date in the next.
            rest = lines.get(i + 1).map(|n| n.text.chars().take(40).collect()).unwrap_or_default();
        }
        let n = normalize_digits(&rest);
        // The date must follow the label directly, not somewhere later in the sentence.
        let start = DATE_RE.find(&n).map(|d| d.start()).or_else(|| CN_DATE_RE.find(&n).map(|d| d.start()))?;
        if n[..start].trim().is_empty() { find_date(&n) } else { None }
    })
}

/// The date a single-page column says it was last updated (更新日期：, 更新时间：, 最后更新：): what an
/// inspector reads on a 机构概况 or 公开指南 page that lists no entries. Footer lines are skipped.
pub fn updated_date(lines: &[Line]) -> Option<NaiveDate> {
    static UPDATED_RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:更\s*新\s*(?:日\s*期|时\s*间)|最后更新|最近更新|修订日期)\s*[:：]?\s*")
            .expect("static regex")
    });
    lines.iter().take(5000).find_map(|l| {
        let m = UPDATED_RE.find(&l.text)?;
        if is_footer_line(&l.text) {
            return None;
        }
        let n = normalize_digits(&l.text[m.end()..].chars().take(40).collect::<String>());
        let start = DATE_RE.find(&n).map(|d| d.start()).or_else(|| CN_DATE_RE.find(&n).map(|d| d.start()))?;
        if n[..start].trim().is_empty() { find_date(&n) } else { None }
    })
}

/// A date opening a short line just below the heading (`<h1>…</h1><span>2021-06-10</span>`, or
/// `2021-06-10 09:30 来源：某局`): the page's own date line, unlabelled.
pub fn date_below_heading(lines: &[Line], heading: Option<&str>) -> Option<NaiveDate> {
    static OPENING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[\[【（(]?\s*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?(?:\s|[\]】）)]|$)")
            .expect("static regex")
    });
    let heading = heading?;
    let pos = lines.iter().take(5000).position(|l| l.text == heading)?;
    lines[pos + 1..]
        .iter()
        .take(4)
        .filter(|l| l.text.chars().count() <= 80 && !is_footer_line(&l.text))
        .find(|l| is_bare_date(&l.text) || OPENING.is_match(&normalize_digits(&l.text)))
        .and_then(|l| parse_date(&l.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_formats() {
        let d = NaiveDate::from_ymd_opt(2021, 11, 15);
        for s in [
            "2021-11-15",
            "2021/11/15",
            "2021.11.15",
            "2021年11月15日",
            "2021年11月15日 10:20",
            "2021-11-15 09:53:00",
            "二〇二一年十一月十五日",
            "２０２１－１１－１５",
            "发布时间：2021-11-15",
            "2021 年 11 月 15 日",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        assert_eq!(parse_date("二〇二〇年三月一日"), NaiveDate::from_ymd_opt(2020, 3, 1));
        assert_eq!(parse_date("二〇一九年十二月三十一日"), NaiveDate::from_ymd_opt(2019, 12, 31));
    }

    #[test]
    fn rejects_invalid_or_partial_dates() {
        for s in
            ["2021-02-30", "2021-13-01", "2021年度报告", "2021", "", "12345-11-15x", "电话：0551-12345678"]
        {
            assert_eq!(parse_date(s), None, "{s}");
        }
        // The first valid date wins over an invalid one before it.
        assert_eq!(parse_date("2021-02-30 或 2021-03-01"), NaiveDate::from_ymd_opt(2021, 3, 1));
    }

    #[test]
    fn bare_dates() {
        for s in ["2021-06-10", "[2021-06-10]", "（2021年06月10日）", "2021-06-10 10:20", "【2021.6.1】"]
        {
            assert!(is_bare_date(s), "{s}");
        }
        for s in ["发布时间：2021-06-10", "2021-06-10 通知", "第2021-06-10号文"] {
            assert!(!is_bare_date(s), "{s}");
        }
    }

    #[test]
    fn updated_dates_of_single_page_columns() {
        let l = |t: &str| Line { text: t.into() };
        let got = |ls: &[&str]| updated_date(&ls.iter().map(|t| l(t)).collect::<Vec<_>>());
        assert_eq!(got(&["机构概况", "更新日期：2024-06-03", "单位地址：某路1号"]), parse_date("2024-06-03"));
        assert_eq!(got(&["更新时间： 2024年6月3日"]), parse_date("2024-06-03"));
        assert_eq!(got(&["最后更新 2024/06/03"]), parse_date("2024-06-03"));
        assert_eq!(got(&["发布日期：2024-06-03"]), None);
        assert_eq!(got(&["本页面更新日期见下方，2024-06-03"]), None);
        assert_eq!(got(&["版权所有 更新日期：2024-06-03"]), None);
    }

    #[test]
    fn labelled_dates() {
        let lines = |xs: &[&str]| xs.iter().map(|t| Line { text: t.to_string() }).collect::<Vec<_>>();
        let none = HashSet::default();
        let l =
            lines(&["办公时间：周一至周五", "来源：某局 发布时间：2021年11月15日 10:20", "时间：2020-01-01"]);
        assert_eq!(labelled_date(&l, &none), NaiveDate::from_ymd_opt(2021, 11, 15));
        let l = lines(&["版权所有 © 2023 发布日期：2023-01-01", "日期：2021-06-10"]);
        assert_eq!(labelled_date(&l, &none), NaiveDate::from_ymd_opt(2021, 6, 10));
        let l = lines(&["发布时间：", "2021-06-12"]);
        assert_eq!(labelled_date(&l, &none), NaiveDate::from_ymd_opt(2021, 6, 12));
        let l = lines(&["会议于发布时间：之后 2021-06-10 召开"]);
        assert_eq!(labelled_date(&l, &none), None);
        let titles: HashSet<&str> = ["某镇召开防汛会议"].into_iter().collect();
        let l = lines(&["某镇召开防汛会议 发布时间：2021-06-10", "某镇召开防汛会议", "发布时间：2021-06-10"]);
        assert_eq!(labelled_date(&l, &titles), None, "a list row's date is not the page's");
    }

    #[test]
    fn unlabelled_date_under_the_heading() {
        let lines = |xs: &[&str]| xs.iter().map(|t| Line { text: t.to_string() }).collect::<Vec<_>>();
        let l = lines(&["首页", "某镇召开会议", "2021-06-10 09:30 来源：某镇", "正文写于2020-01-01"]);
        assert_eq!(date_below_heading(&l, Some("某镇召开会议")), NaiveDate::from_ymd_opt(2021, 6, 10));
        let l = lines(&["某镇召开会议", "会议于2021年6月10日召开"]);
        assert_eq!(date_below_heading(&l, Some("某镇召开会议")), None);
        assert_eq!(date_below_heading(&l, None), None);
    }

    #[test]
    fn meta_pubdate_beats_page_generation_time() {
        let doc = Html::parse_document(
            r#"<head><meta name="Maketime" content="2019-03-22 12:28:37"><meta name="PubDate" content="2016-11-22 09:53"></head>"#,
        );
        assert_eq!(meta_publish_date(&doc), NaiveDate::from_ymd_opt(2016, 11, 22));
        let doc = Html::parse_document(
            r#"<head><meta name="others" content="页面生成时间 2023-10-23 11:23:36"></head>"#,
        );
        assert_eq!(meta_publish_date(&doc), None);
    }
}

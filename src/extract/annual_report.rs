//! The 政府信息公开工作年度报告 (年报): its year, its six sections and table 三.
//!
//! Rubric item common-27 and the 年报 checks (DOMAIN.md §7) need the report's structure: whether the six
//! standard sections are there, and table 三 (申请 received and handled) as numbers so that its identities
//! (一 + 二 = 七 + 四 …) can be verified. Tables come with rowspan/colspan headers and 7 or 8 columns; they are
//! expanded into a grid, columns are found by their header names and rows by their labels, never by position.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html};

use super::text::{Line, element_text};
use super::{AnnualReport, Applications, Proactive, Review};

const TABLES: super::Tags = &[("table", &[])];
static REPORT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*年度?.{0,30}?(?:政府)?信息公开.{0,12}?(?:年度报告|年报)")
        .expect("static regex")
});
static SECTION_NO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[一二三四五六]\s*[、.．]|第[一二三四五六]部分|[1-6]\s*[、．])").expect("static regex")
});
static ITEM_NO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2})\s*[.．、]").expect("static regex"));

/// Keywords of the six standard sections, loosely matched.
const SECTIONS: [&[&str]; 6] = [
    &["总体情况", "概述", "总体"],
    &["主动公开"],
    &["收到和处理", "依申请", "申请情况"],
    &["行政复议", "行政诉讼"],
    &["存在的主要问题", "问题及改进", "改进情况", "主要问题"],
    &["其他需要报告", "其他事项"],
];

/// Applicant columns of table 三, in CONTRACT order.
const COLUMNS: [&str; 7] = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"];

/// Grid bounds: a table larger than this is not a 年报 table.
const MAX_ROWS: usize = 200;
const MAX_COLS: usize = 40;

pub(crate) fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The report when the page is a 年报, as its title says.
pub fn annual_report(doc: &Html, title: Option<&str>, lines: &[Line]) -> Option<AnnualReport> {
    // The page's own title decides: a 年报 list page mentions reports in its entries but is none.
    let year = title.and_then(report_year)?;
    let sections = sections(lines.iter().map(|l| l.text.as_str()));
    let applications = super::select_tags(doc, TABLES).take(200).find(|t| is_table3(*t)).and_then(table3);
    let review = super::select_tags(doc, TABLES).take(200).find(|t| is_table4(*t)).and_then(table4);
    let proactive =
        super::select_tags(doc, TABLES).take(200).find(|t| is_table2(*t)).and_then(|t| table2(&cells(t)));
    Some(AnnualReport { year, sections, applications, review, proactive })
}

/// The year of a 政府信息公开工作年度报告 named by a title, if the title names one.
pub fn report_year(title: &str) -> Option<i32> {
    REPORT_RE.captures(&compact(title)).and_then(|c| c[1].parse().ok())
}

/// Which of the six sections (0-based) a heading is, by its keywords.
pub fn section_index(heading: &str) -> Option<usize> {
    SECTIONS.iter().position(|words| words.iter().any(|w| heading.contains(w)))
}

/// The section headings found, in order: each of the six matched once, after the previous one.
pub(crate) fn sections<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = 0usize;
    for l in lines {
        let t = l.trim();
        if next >= SECTIONS.len() || t.chars().count() > 40 || !SECTION_NO.is_match(t) {
            continue;
        }
        // Allow a section to be missing: look for any later section's keywords.
        if let Some(k) = (next..SECTIONS.len()).find(|&k| SECTIONS[k].iter().any(|w| t.contains(w))) {
            out.push(t.to_string());
            next = k + 1;
        }
    }
    out
}

fn is_table3(t: ElementRef) -> bool {
    let text = compact(&element_text(t));
    text.contains("本年新收") && text.contains("予以公开") && text.chars().count() < 20_000
}

/// Expands a table into a grid of cell texts, honouring rowspan and colspan (bounded).
fn grid(table: ElementRef) -> Vec<Vec<String>> {
    let mut grid: Vec<Vec<Option<String>>> = Vec::new();
    let rows = table.descendants().filter_map(ElementRef::wrap).filter(|e| {
        e.value().name() == "tr"
            && e.ancestors()
                .filter_map(ElementRef::wrap)
                .find(|a| a.value().name() == "table")
                .map(|a| a.id())
                == Some(table.id())
    });
    for (r, tr) in rows.take(MAX_ROWS).enumerate() {
        if grid.len() <= r {
            grid.push(Vec::new());
        }
        let mut c = 0usize;
        for cell in
            tr.children().filter_map(ElementRef::wrap).filter(|e| matches!(e.value().name(), "td" | "th"))
        {
            while grid[r].get(c).is_some_and(|v| v.is_some()) {
                c += 1;
            }
            let span = |n: &str, max: usize| {
                cell.value().attr(n).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, max)
            };
            let (rs, cs) = (span("rowspan", MAX_ROWS), span("colspan", MAX_COLS));
            let text = element_text(cell);
            for dr in 0..rs {
                let rr = r + dr;
                if rr >= MAX_ROWS {
                    break;
                }
                while grid.len() <= rr {
                    grid.push(Vec::new());
                }
                for dc in 0..cs {
                    let cc = c + dc;
                    if cc >= MAX_COLS {
                        break;
                    }
                    if grid[rr].len() <= cc {
                        grid[rr].resize(cc + 1, None);
                    }
                    grid[rr][cc] = Some(text.clone());
                }
            }
            c += cs;
        }
    }
    grid.into_iter().map(|row| row.into_iter().map(Option::unwrap_or_default).collect()).collect()
}

/// A table's rows as their own cells, spans not expanded (table 二: one value cell spans the columns).
fn cells(table: ElementRef) -> Vec<Vec<String>> {
    table
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| {
            e.value().name() == "tr"
                && e.ancestors()
                    .filter_map(ElementRef::wrap)
                    .find(|a| a.value().name() == "table")
                    .map(|a| a.id())
                    == Some(table.id())
        })
        .take(MAX_ROWS)
        .map(|tr| {
            tr.children()
                .filter_map(ElementRef::wrap)
                .filter(|e| matches!(e.value().name(), "td" | "th"))
                .take(MAX_COLS)
                .map(element_text)
                .collect()
        })
        .collect()
}

/// A cell's number; dashes, slashes and blanks are the template's zero. Anything else is unreadable.
pub(crate) fn number(s: &str) -> Option<i64> {
    let s = compact(s).replace([',', '，'], "");
    if s.is_empty() || matches!(s.as_str(), "—" | "-" | "－" | "/" | "／" | "——" | "无" | "0") {
        return Some(0);
    }
    super::dates::normalize_digits(&s).parse().ok()
}

/// The canonical key of a table 三 row from its label cells (outermost first).
/// `group` is the result group of the rows above (a flat table writes （三）不予公开 on its own row, then 1. 2. …),
/// updated here.
pub(crate) fn row_key(parts: &[String], group: &mut Option<&'static str>) -> Option<String> {
    let all = parts.concat();
    let last = parts.last().map(String::as_str).unwrap_or("");
    let simple = [
        ("本年新收", "new_requests"),
        ("上年结转", "carried_over"),
        ("结转下年", "carried_forward"),
        ("部分公开", "partially_granted"),
        ("予以公开", "granted"),
    ];
    if let Some((_, k)) = simple.iter().find(|(w, _)| all.contains(w)) {
        *group = None;
        return Some((*k).to_string());
    }
    if last.contains("总计") {
        *group = None;
        return Some("total".to_string());
    }
    let groups = [
        ("不予公开", "withheld"),
        ("无法提供", "unavailable"),
        ("不予处理", "not_processed"),
        ("其他处理", "other"),
    ];
    if let Some((_, g)) = groups.iter().find(|(w, _)| all.contains(w)) {
        *group = Some(g);
    }
    let g = (*group)?;
    let n = ITEM_NO.captures(last)?;
    Some(format!("{g}_{}", &n[1]))
}

fn is_table2(t: ElementRef) -> bool {
    let text = compact(&element_text(t));
    (text.contains("本年制发") || text.contains("第二十条"))
        && !text.contains("本年新收")
        && text.chars().count() < 5_000
}

/// Row labels of table 二 and their keys; 行政规范性文件 before 规章's shorter word would match it.
pub(crate) const TABLE2_ROWS: [(&str, &str); 6] = [
    ("规范性文件", "normative_documents"),
    ("规章", "regulations"),
    ("行政许可", "licensing"),
    ("行政处罚", "punishment"),
    ("行政强制", "coercion"),
    ("收费", "fees"),
];

/// A table 二 cell: a number (an amount may have decimals), a dash or slash or blank for zero.
pub(crate) fn amount(s: &str) -> Option<f64> {
    let s = compact(s).replace([',', '，'], "");
    if s.is_empty() || matches!(s.as_str(), "—" | "-" | "－" | "/" | "／" | "——" | "无") {
        return Some(0.0);
    }
    super::dates::normalize_digits(&s).parse().ok()
}

/// Table 二 from rows of cells (an HTML grid, or text rows split into cells): each row whose first
/// cell names one of [`TABLE2_ROWS`], with the cells after it.
pub(crate) fn table2(rows: &[Vec<String>]) -> Option<Proactive> {
    let mut out = BTreeMap::new();
    for row in rows {
        let Some(first) = row.iter().map(|c| compact(c)).find(|c| !c.is_empty()) else { continue };
        if first.chars().count() > 12 {
            continue;
        }
        let Some((_, key)) = TABLE2_ROWS.iter().find(|(w, _)| first.contains(w)) else { continue };
        let start = row.iter().position(|c| compact(c) == first).map_or(0, |i| i + 1);
        let values: Vec<Option<f64>> = row[start..].iter().map(|c| amount(c)).collect();
        if !values.is_empty() {
            out.entry((*key).to_string()).or_insert(values);
        }
    }
    if out.is_empty() { None } else { Some(Proactive { rows: out }) }
}

fn is_table4(t: ElementRef) -> bool {
    let text = compact(&element_text(t));
    text.contains("行政复议")
        && text.contains("尚未审结")
        && !text.contains("本年新收")
        && text.chars().count() < 5_000
}

/// Splits the 15 cells of table 四's data row into its three groups.
pub(crate) fn review_from(values: &[Option<i64>]) -> Option<Review> {
    if values.len() != 15 {
        return None;
    }
    Some(Review {
        reconsideration: values[0..5].to_vec(),
        lawsuit_direct: values[5..10].to_vec(),
        lawsuit_after_reconsideration: values[10..15].to_vec(),
    })
}

/// Table 四: the last row of at least 15 cells holding no words, its last 15 cells.
fn table4(table: ElementRef) -> Option<Review> {
    let g = grid(table);
    let row = g.iter().rev().find(|row| {
        row.len() >= 15 && row.iter().all(|c| !c.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)))
    })?;
    let values: Vec<Option<i64>> = row[row.len() - 15..].iter().map(|c| number(c)).collect();
    review_from(&values)
}

fn table3(table: ElementRef) -> Option<Applications> {
    let g = grid(table);
    let first_data = g.iter().position(|row| row.iter().any(|c| c.contains("本年新收")))?;
    // Column index of each applicant column, from the header rows above the first data row.
    let cols: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|name| g[..first_data].iter().rev().find_map(|row| row.iter().position(|c| compact(c) == *name)))
        .collect();
    let width = g.iter().map(Vec::len).max().unwrap_or(0);
    let value_start = cols.iter().flatten().min().copied().unwrap_or(width.saturating_sub(COLUMNS.len()));
    let mut rows = BTreeMap::new();
    let mut group = None;
    for row in &g[first_data..] {
        let mut parts: Vec<String> = Vec::new();
        for c in row.iter().take(value_start) {
            let c = compact(c);
            if !c.is_empty() && parts.last() != Some(&c) {
                parts.push(c);
            }
        }
        let Some(key) = row_key(&parts, &mut group) else { continue };
        let values: Vec<Option<i64>> = if cols.iter().all(Option::is_some) {
            cols.iter().map(|c| c.and_then(|i| row.get(i)).and_then(|v| number(v))).collect()
        } else {
            // No readable header: the last seven cells, in template order.
            let tail = row.len().saturating_sub(COLUMNS.len());
            (0..COLUMNS.len()).map(|i| row.get(tail + i).and_then(|v| number(v))).collect()
        };
        rows.entry(key).or_insert(values);
    }
    if rows.is_empty() { None } else { Some(Applications { rows }) }
}

#[cfg(test)]
mod tests {
    use super::super::text::lines;
    use super::*;

    fn report() -> AnnualReport {
        let html = std::fs::read_to_string(format!(
            "{}/fixtures/extract/annual_report.html",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture");
        let doc = Html::parse_document(&html);
        annual_report(&doc, Some("某某街道2023年度政府信息公开工作年度报告"), &lines(&doc)).expect("a report")
    }

    #[test]
    fn year_and_sections() {
        let r = report();
        assert_eq!(r.year, 2023);
        assert_eq!(
            r.sections,
            [
                "一、总体情况",
                "二、主动公开政府信息情况",
                "三、收到和处理政府信息公开申请情况",
                "四、政府信息公开行政复议、行政诉讼情况",
                "五、存在的主要问题及改进情况",
                "六、其他需要报告的事项"
            ]
        );
    }

    #[test]
    fn table3_with_spans_and_a_subtotal_column() {
        let r = report();
        let rows = r.applications.expect("table 三").rows;
        let v =
            |k: &str| rows.get(k).cloned().unwrap_or_else(|| panic!("row {k} missing: {:?}", rows.keys()));
        let s = |xs: [i64; 7]| xs.map(Some).to_vec();
        assert_eq!(v("new_requests"), s([12, 3, 0, 0, 1, 0, 16]));
        assert_eq!(v("carried_over"), s([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(v("granted"), s([6, 2, 0, 0, 0, 0, 8]));
        assert_eq!(v("partially_granted"), s([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(v("withheld_1"), s([0; 7]));
        assert_eq!(v("withheld_3"), s([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(v("unavailable_1"), s([2, 1, 0, 0, 1, 0, 4]));
        assert_eq!(v("not_processed_5"), s([0; 7]));
        assert_eq!(v("other_2"), vec![Some(0), None, Some(0), Some(0), Some(0), Some(0), Some(0)]);
        assert_eq!(v("total"), s([11, 3, 0, 0, 1, 0, 15]));
        assert_eq!(v("carried_forward"), s([2, 0, 0, 0, 0, 0, 2]));
        assert_eq!(rows.len(), 6 + 8 + 3 + 5 + 3);
    }

    #[test]
    fn section_variants_and_a_missing_section() {
        let doc = Html::parse_document(
            "<h2>第一部分 总体情况</h2><p>（一）主动公开</p><h2>第二部分 主动公开政府信息情况</h2>\
             <h2>第四部分 政府信息公开行政复议、行政诉讼情况</h2><p>五、存在的主要问题及改进情况</p><p>六、其他需要报告的事项</p>",
        );
        let r = annual_report(&doc, Some("某局2020年政府信息公开工作年报"), &lines(&doc)).expect("report");
        assert_eq!(r.year, 2020);
        assert_eq!(r.sections.len(), 5, "{:?}", r.sections);
        assert_eq!(r.sections[2], "第四部分 政府信息公开行政复议、行政诉讼情况");
        assert!(r.applications.is_none());
    }

    #[test]
    fn flat_table_without_spans_or_header() {
        let row = |label: &str, v: &str| {
            format!(
                "<tr><td>{label}</td>{}</tr>",
                v.split(',').map(|x| format!("<td>{x}</td>")).collect::<String>()
            )
        };
        let mut html = String::from("<title>某局2021年度政府信息公开工作年度报告</title><table>");
        html += &row("一、本年新收政府信息公开申请数量", "3,0,0,0,0,0,3");
        html += &row("（一）予以公开", "2,0,0,0,0,0,2");
        html += &row("（三）不予公开", ",,,,,,");
        html += &row("1.属于国家秘密", "1,—,/,0,0,0,1");
        html += &row("2.其他法律行政法规禁止公开", "0,0,0,0,0,0,0");
        html += &row("（七）总计", "3,0,0,0,0,0,3");
        html += "</table>";
        let doc = Html::parse_document(&html);
        let r =
            annual_report(&doc, Some("某局2021年度政府信息公开工作年度报告"), &lines(&doc)).expect("report");
        let rows = r.applications.expect("table").rows;
        assert_eq!(rows["withheld_1"], [1, 0, 0, 0, 0, 0, 1].map(Some).to_vec());
        assert!(rows.contains_key("withheld_2"));
        assert_eq!(rows["total"], [3, 0, 0, 0, 0, 0, 3].map(Some).to_vec());
        assert_eq!(rows.len(), 5, "{:?}", rows.keys());
    }

    #[test]
    fn table2_with_spanned_headings() {
        let doc = Html::parse_document(
            "<table><tr><td colspan=\"4\">第二十条第（一）项</td></tr>\
             <tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>\
             <tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>\
             <tr><td>行政规范性文件</td><td>2</td><td>—</td><td>15</td></tr>\
             <tr><td colspan=\"4\">第二十条第（五）项</td></tr>\
             <tr><td>信息内容</td><td colspan=\"3\">本年处理决定数量</td></tr>\
             <tr><td>行政许可</td><td colspan=\"3\">1,234</td></tr>\
             <tr><td colspan=\"4\">第二十条第（八）项</td></tr>\
             <tr><td>行政事业性收费</td><td colspan=\"3\">3.75</td></tr></table>",
        );
        let r =
            annual_report(&doc, Some("某局2022年政府信息公开工作年度报告"), &lines(&doc)).expect("report");
        let rows = r.proactive.expect("table 二").rows;
        assert_eq!(rows["normative_documents"], [Some(2.0), Some(0.0), Some(15.0)]);
        assert_eq!(rows["licensing"], [Some(1234.0)]);
        assert_eq!(rows["fees"], [Some(3.75)]);
    }

    #[test]
    fn a_list_of_reports_is_not_a_report() {
        let doc = Html::parse_document(
            r#"<title>政府信息公开年报_某某街道</title><ul><li><a href="a.html">某某街道2023年度政府信息公开工作年度报告</a></li></ul>"#,
        );
        assert!(annual_report(&doc, Some("政府信息公开年报"), &lines(&doc)).is_none());
    }

    #[test]
    fn not_a_report() {
        let doc = Html::parse_document("<title>关于2023年度工作总结的通知</title><p>一、总体情况</p>");
        assert!(annual_report(&doc, Some("关于2023年度工作总结的通知"), &lines(&doc)).is_none());
    }
}

//! A 年报 read from plain text: the text of a PDF (`pdftotext -layout`) or DOCX attachment.
//!
//! Many units publish the report only as an attachment, so its tables reach us as lines of text, not as
//! `<table>`s. Two shapes occur: DOCX text has one table row per line with a tab between cells (a merged
//! cell leaves an empty field); PDF layout text has cells separated by runs of spaces, a label cell split
//! over several lines, blank cells (zero) simply missing, and page numbers and form feeds in the middle of a
//! table. Rows are keyed by their labels exactly as for HTML ([`super::annual_report::row_key`]); values
//! are mapped to columns by position, learnt from the rows that have every cell.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::annual_report::{compact, number, report_year, review_from, row_key, sections, table2};
use super::{AnnualReport, Applications, Review};

static PAGE_NO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-—－]\s*\d{1,3}\s*[-—－]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")
        .expect("static regex")
});

static ITEM_GLUED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.*[^\d\s])(\d{1,2}\s*[.．、].*)$").expect("static regex"));

/// Bounds: the text read and the lines looked at.
const MAX_CHARS: usize = 400_000;
const MAX_LINES: usize = 20_000;

/// The report in an attachment's text; `title` is the link text or file name that named it, if any.
///
/// The year comes from the title, else from the first lines of the text; text that names no report year
/// in its first lines is not a report.
pub fn annual_report_from_text(title: Option<&str>, text: &str) -> Option<AnnualReport> {
    let text = cut(text);
    let lines: Vec<&str> =
        text.lines().take(MAX_LINES).map(|l| l.trim_matches(|c| c == '\u{c}' || c == '\r')).collect();
    let year = title.and_then(report_year).or_else(|| {
        // The title is often on two lines: join the first few non-empty ones.
        let head: String = lines.iter().filter(|l| !l.trim().is_empty()).take(4).copied().collect();
        report_year(&head)
    })?;
    let sections = sections(lines.iter().map(|l| l.trim()));
    let applications = table3(&lines);
    let review = table4(&lines);
    let proactive = table2_text(&lines);
    Some(AnnualReport { year, sections, applications, review, proactive })
}

fn cut(text: &str) -> &str {
    match text.char_indices().nth(MAX_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// Whether a field is a value cell: a number, a dash or slash for zero.
fn is_value(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && (number(s).is_some() || super::annual_report::amount(s).is_some())
        && s.chars().all(|c| !('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// One table line cut into its label and its value cells.
struct Row {
    /// The label cells (tabs) or tokens (layout), compacted.
    label: Vec<String>,
    /// Values with twice the char position of their centre (layout text), or their field index (tabs).
    values: Vec<(usize, Option<i64>)>,
    /// Tab-separated: the fields after the label are exactly the cells, blanks included.
    tabbed: bool,
}

fn split_row(line: &str) -> Row {
    if line.contains('\t') {
        // Every cell ends with a tab: the last one ends the row, not a blank cell.
        let line = line.trim_end_matches([' ', '\r']);
        let fields: Vec<&str> = line.strip_suffix('\t').unwrap_or(line).split('\t').collect();
        let last_label = fields.iter().rposition(|f| !f.trim().is_empty() && !is_value(f));
        let start = last_label.map_or(0, |i| i + 1);
        let label = fields[..start].iter().map(|f| compact(f)).filter(|f| !f.is_empty()).collect();
        let values = fields[start..].iter().enumerate().map(|(i, f)| (i, number(f))).collect();
        return Row { label, values, tabbed: true };
    }
    // Layout text: tokens separated by whitespace; trailing value tokens are the cells.
    let mut tokens: Vec<(usize, &str)> = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (pos, (i, c)) in line.char_indices().enumerate() {
        if c.is_whitespace() || c == '\u{3000}' {
            if let Some((p0, b0)) = start.take() {
                tokens.push((2 * p0 + line[b0..i].chars().count(), &line[b0..i]));
            }
        } else if start.is_none() {
            start = Some((pos, i));
        }
    }
    if let Some((p0, b0)) = start {
        tokens.push((2 * p0 + line[b0..].chars().count(), &line[b0..]));
    }
    let first_value = tokens.iter().rposition(|(_, t)| !is_value(t)).map_or(0, |i| i + 1);
    let label = tokens[..first_value].iter().map(|(_, t)| t.to_string()).collect();
    let values = tokens[first_value..].iter().map(|(end, t)| (*end, number(t))).collect();
    Row { label, values, tabbed: false }
}

/// Label parts with an item number glued to its group split off: “（三）不予公开1.属于国家秘密”.
fn label_parts(parts: &[String]) -> Vec<String> {
    let mut out: Vec<String> = parts.to_vec();
    if let Some(last) = out.pop() {
        match ITEM_GLUED.captures(&last) {
            Some(c) => {
                out.push(c[1].to_string());
                out.push(c[2].to_string());
            }
            None => out.push(last),
        }
    }
    out
}

/// Table 三 from text lines: from the first line naming 本年新收 to 结转下年度继续办理.
fn table3(lines: &[&str]) -> Option<Applications> {
    // The table's first row, not a sentence of the text quoting 本年新收.
    let first = lines.iter().position(|l| {
        let c = compact(l);
        c.contains("本年新收") && (c.contains("数量") || !split_row(l).values.is_empty())
    })?;
    let header: String = lines[first.saturating_sub(12)..first].iter().map(|l| compact(l)).collect();
    // Some templates add a 小计 column for 法人或其他组织 after 其他: eight cells, the seventh dropped.
    let width = if header.contains("小计") { 8 } else { 7 };
    let mut parsed: Vec<(String, Row)> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut group = None;
    for line in lines[first..].iter().take(200) {
        let c = compact(line);
        if c.is_empty() || PAGE_NO.is_match(line) {
            continue;
        }
        if (c.contains("行政复议") || c.contains("存在的主要问题")) && !c.contains("结转") {
            break;
        }
        let row = split_row(line);
        if row.values.is_empty() {
            // A row whose cells are all blank (zero) prints as its label alone; it may also be the first
            // line of a split label, in which case the numbers' line below replaces it.
            let mut g = group;
            if let Some(k) = row_key(&label_parts(&row.label), &mut g)
                && !parsed.iter().any(|(p, _)| *p == k)
            {
                group = g;
                let last = k == "carried_forward";
                parsed.push((k, Row { label: row.label.clone(), values: Vec::new(), tabbed: false }));
                if last {
                    break;
                }
            }
            pending.extend(row.label);
            continue;
        }
        // The label cell may be split over lines: the row's own text first, then with the lines above.
        let own = label_parts(&row.label);
        let key = row_key(&own, &mut group).or_else(|| {
            let mut all = pending.clone();
            all.extend(row.label.iter().cloned());
            row_key(&label_parts(&all), &mut group)
        });
        pending.clear();
        if let (Some(k), Some((last, r))) = (&key, parsed.last())
            && k == last
            && r.values.is_empty()
        {
            parsed.pop();
        }
        let done = key.as_deref() == Some("carried_forward");
        if let Some(k) = key {
            parsed.push((k, row));
        }
        if done {
            break;
        }
    }
    // Column positions (twice the centre) from the complete rows of layout text, else from the header.
    let full: Vec<&Row> =
        parsed.iter().map(|(_, r)| r).filter(|r| !r.tabbed && r.values.len() == width).collect();
    let centres: Option<Vec<usize>> = if full.is_empty() {
        header_centres(&lines[first.saturating_sub(12)..first], width)
    } else {
        Some(
            (0..width)
                .map(|i| {
                    let mut v: Vec<usize> = full.iter().map(|r| r.values[i].0).collect();
                    v.sort_unstable();
                    v[v.len() / 2]
                })
                .collect(),
        )
    };
    let mut rows = BTreeMap::new();
    for (key, row) in parsed {
        let cells: Vec<Option<i64>> = if row.values.len() == width || row.tabbed {
            // Tabs keep blank cells: the last `width` fields (blank = zero); fewer fields are unreadable.
            let n = row.values.len();
            if n < width {
                vec![None; width]
            } else {
                row.values[n - width..].iter().map(|(_, v)| *v).collect()
            }
        } else if let Some(centres) = centres.as_ref().filter(|_| row.values.len() < width) {
            place(&row.values, centres).unwrap_or_else(|| vec![None; width])
        } else {
            vec![None; width]
        };
        let mut cells = cells;
        if width == 8 {
            cells.remove(6);
        }
        rows.entry(key).or_insert(cells);
    }
    if rows.is_empty() { None } else { Some(Applications { rows }) }
}

/// Header words of the applicant columns, in order (the eighth, 小计, only in 8-column tables).
const HEADER_WORDS: [&str; 8] = ["自然人", "商业", "科研", "公益", "法律", "其他", "小计", "总计"];

/// Column centres (doubled) from the header lines: each column's word, its first occurrence.
fn header_centres(header: &[&str], width: usize) -> Option<Vec<usize>> {
    let words: Vec<&str> = HEADER_WORDS.iter().copied().filter(|w| width == 8 || *w != "小计").collect();
    let mut out = Vec::new();
    for w in words {
        let found = header.iter().find_map(|line| {
            let i = line.find(w)?;
            let p0 = line[..i].chars().count();
            Some(2 * p0 + w.chars().count())
        })?;
        out.push(found);
    }
    // The header's words must be left to right, as the columns are.
    out.windows(2).all(|w| w[0] < w[1]).then_some(out)
}

/// Places a layout row's values (fewer than the columns: blank cells vanished) into columns.
///
/// `pdftotext -layout` shifts a line whose label is long, so positions are first aligned on the last
/// value, which is 总计 (printed whenever the row is not all zero); then the values go to columns left to
/// right, each to the nearest one that keeps the order (least total distance). Unplaced columns are zero.
fn place(values: &[(usize, Option<i64>)], centres: &[usize]) -> Option<Vec<Option<i64>>> {
    let width = centres.len();
    let Some(&(last, _)) = values.last() else { return Some(vec![Some(0); width]) };
    let shift = last as i64 - centres[width - 1] as i64;
    let pos: Vec<i64> = values.iter().map(|(p, _)| *p as i64 - shift).collect();
    let k = pos.len();
    // best[i][j]: least cost placing values 0..=i with value i in column j.
    let inf = i64::MAX / 4;
    let mut best = vec![vec![inf; width]; k];
    let mut from = vec![vec![0usize; width]; k];
    for j in 0..width {
        best[0][j] = (pos[0] - centres[j] as i64).abs();
    }
    for i in 1..k {
        for j in i..width {
            let cost = (pos[i] - centres[j] as i64).abs();
            if let Some((pj, prev)) = (0..j).map(|pj| (pj, best[i - 1][pj])).min_by_key(|(_, c)| *c)
                && prev < inf
            {
                best[i][j] = prev + cost;
                from[i][j] = pj;
            }
        }
    }
    let mut j = width - 1;
    if best[k - 1][j] >= inf {
        return None;
    }
    let mut cells = vec![Some(0); width];
    for i in (0..k).rev() {
        cells[j] = values[i].1;
        j = from[i][j];
    }
    Some(cells)
}

/// Table 二 from text lines: the lines before table 三 cut into a label and its value cells.
fn table2_text(lines: &[&str]) -> Option<super::Proactive> {
    let end = lines.iter().position(|l| compact(l).contains("本年新收")).unwrap_or(lines.len()).min(400);
    let rows: Vec<Vec<String>> = lines[..end]
        .iter()
        .map(|l| {
            let row = split_row(l);
            let mut cells = vec![row.label.concat()];
            cells.extend(value_cells(l, row.values.len()));
            cells
        })
        .filter(|c| c.len() > 1)
        .collect();
    table2(&rows)
}

/// The last `n` cells of a line as text (tab fields, or whitespace-separated tokens).
fn value_cells(line: &str, n: usize) -> Vec<String> {
    let fields: Vec<&str> = if line.contains('\t') {
        let line = line.trim_end_matches([' ', '\r']);
        line.strip_suffix('\t').unwrap_or(line).split('\t').collect()
    } else {
        line.split_whitespace().collect()
    };
    fields[fields.len().saturating_sub(n)..].iter().map(|s| s.to_string()).collect()
}

/// Table 四 from text lines: the first fifteen value cells after the header naming 尚未审结, before
/// section 五. A table that does not give exactly fifteen cells there is unreadable.
fn table4(lines: &[&str]) -> Option<Review> {
    let end = lines.iter().position(|l| compact(l).contains("存在的主要问题")).unwrap_or(lines.len());
    let start = lines[..end].iter().rposition(|l| compact(l).contains("尚未审结"))?;
    let mut values: Vec<Option<i64>> = Vec::new();
    for line in lines[start + 1..].iter().take(40) {
        let c = compact(line);
        if c.is_empty() || PAGE_NO.is_match(line) {
            continue;
        }
        let row = split_row(line);
        if !row.label.is_empty() {
            if values.is_empty() {
                continue;
            }
            break;
        }
        values.extend(row.values.iter().map(|(_, v)| *v));
        if values.len() >= 15 {
            break;
        }
    }
    review_from(&values)
}

#[cfg(test)]
#[path = "annual_report_text_tests.rs"]
pub(crate) mod tests;

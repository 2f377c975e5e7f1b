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

use super::annual_report::{compact, number, report_year, review_from, row_key, sections};
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
    Some(AnnualReport { year, sections, applications, review })
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
    !s.is_empty() && (number(s).is_some() && s.chars().all(|c| !('\u{4e00}'..='\u{9fff}').contains(&c)))
}

/// One table line cut into its label and its value cells.
struct Row {
    /// The label cells (tabs) or tokens (layout), compacted.
    label: Vec<String>,
    /// Values with the char position where each ends (layout text), or with their field index (tabs).
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
                tokens.push((p0 + line[b0..i].chars().count(), &line[b0..i]));
            }
        } else if start.is_none() {
            start = Some((pos, i));
        }
    }
    if let Some((p0, b0)) = start {
        tokens.push((p0 + line[b0..].chars().count(), &line[b0..]));
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
    let first = lines.iter().position(|l| compact(l).contains("本年新收"))?;
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
                && k != "carried_forward"
                && !parsed.iter().any(|(p, _)| *p == k)
            {
                group = g;
                parsed.push((k, Row { label: row.label.clone(), values: Vec::new(), tabbed: false }));
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
    // Column positions from the complete rows of layout text: the median end of each cell.
    let full: Vec<&Row> =
        parsed.iter().map(|(_, r)| r).filter(|r| !r.tabbed && r.values.len() == width).collect();
    let ends: Vec<usize> = (0..width)
        .map(|i| {
            let mut v: Vec<usize> = full.iter().map(|r| r.values[i].0).collect();
            v.sort_unstable();
            v.get(v.len() / 2).copied().unwrap_or(0)
        })
        .collect();
    let learnt = !full.is_empty();
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
        } else if learnt && row.values.len() < width {
            // Blank cells vanish from layout text: place each value in the nearest column, the rest zero.
            let mut cells = vec![Some(0); width];
            let mut taken = vec![false; width];
            let mut ok = true;
            for (end, v) in &row.values {
                let col = (0..width).min_by_key(|&i| ends[i].abs_diff(*end)).unwrap_or(0);
                if taken[col] || ends[col].abs_diff(*end) > 4 {
                    ok = false;
                }
                taken[col] = true;
                cells[col] = *v;
            }
            if ok { cells } else { vec![None; width] }
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
mod tests;

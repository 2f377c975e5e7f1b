//! report.xlsx: the 评分表, laid out like 附件1 so that a 政务公开办 can print it, check it and sign it.
//!
//! One sheet per unit with the document's columns (序号, 内容, 权重, 测评方式, 得分, 扣分理由, 证据链接),
//! the sections as merged heading rows, a totals row and lines for signatures; printed A4 landscape,
//! one page wide, the column headings repeated on every page. A first sheet, 汇总, ranks the units by
//! their provisional online score. Only the items that apply to a unit's kind are listed.
//!
//! Cells hold crawled text (messages quoting pages, URLs); they are written as strings, never as
//! formulas, so a page title starting with `=` stays text.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet};

use crate::findings::Status;
use crate::report::{AuditReport, UnitReport};
use crate::rubric::{Method, fmt_points};
use crate::score::ItemScore;

/// The file name, next to report.json.
pub const FILE_NAME: &str = "report.xlsx";

/// The summary sheet's name.
pub const SUMMARY_SHEET: &str = "汇总";

/// Evidence URLs listed in one cell at most; the rest are counted and left to report.html.
const MAX_URLS_PER_CELL: usize = 6;

/// The spreadsheet could not be written.
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    /// rust_xlsxwriter refused something.
    #[error("无法生成评分表：{0}")]
    Build(#[from] rust_xlsxwriter::XlsxError),
    /// The file could not be written.
    #[error("无法写入 {}：{source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Writes report.xlsx into `out_dir`; returns its path.
pub fn write(out_dir: &Path, report: &AuditReport) -> Result<PathBuf, XlsxError> {
    let bytes = build(report)?;
    let path = out_dir.join(FILE_NAME);
    let tmp = out_dir.join(format!(".{FILE_NAME}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|source| XlsxError::Write { path: tmp.clone(), source })?;
    std::fs::rename(&tmp, &path).map_err(|source| XlsxError::Write { path: path.clone(), source })?;
    Ok(path)
}

/// The workbook's bytes.
pub fn build(report: &AuditReport) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    let names = sheet_names(&report.units);
    summary_sheet(workbook.add_worksheet(), report, &names, &styles)?;
    for (unit, name) in report.units.iter().zip(&names) {
        unit_sheet(workbook.add_worksheet(), report, unit, name, &styles)?;
    }
    Ok(workbook.save_to_buffer()?)
}

struct Styles {
    title: Format,
    meta: Format,
    head: Format,
    section: Format,
    text: Format,
    center: Format,
    number: Format,
    link: Format,
    total: Format,
    total_number: Format,
    percent: Format,
    sign: Format,
}

impl Styles {
    fn new() -> Styles {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter)
            .set_font_name("宋体")
            .set_font_size(10.5);
        Styles {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_font_name("黑体")
                .set_align(FormatAlign::Center),
            meta: Format::new().set_font_size(10).set_font_name("宋体").set_text_wrap(),
            head: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xD9E1F2)),
            section: cell.clone().set_bold().set_background_color(Color::RGB(0xEEF2F6)),
            text: cell.clone(),
            center: cell.clone().set_align(FormatAlign::Center),
            number: cell.clone().set_align(FormatAlign::Center).set_num_format("0.##"),
            link: cell
                .clone()
                .set_font_color(Color::RGB(0x0550AE))
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            total: cell.clone().set_bold(),
            total_number: cell.clone().set_bold().set_align(FormatAlign::Center).set_num_format("0.##"),
            percent: cell.set_align(FormatAlign::Center).set_num_format("0.0%"),
            sign: Format::new().set_font_size(11).set_font_name("宋体"),
        }
    }
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_names(units: &[UnitReport]) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::from([SUMMARY_SHEET.to_string()]);
    units
        .iter()
        .map(|u| {
            let clean: String = u.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).collect();
            let clean = clean.trim_matches('\'').trim().to_string();
            let base = if clean.is_empty() { u.id.clone() } else { clean };
            let mut name: String = base.chars().take(31).collect();
            let mut n = 2;
            while !used.insert(name.to_lowercase()) {
                let suffix = format!("（{n}）");
                name = base.chars().take(31 - suffix.chars().count()).collect::<String>() + &suffix;
                n += 1;
            }
            name
        })
        .collect()
}

/// Column widths of a unit's sheet, in Excel's units (the width of a `0`).
const UNIT_WIDTHS: [f64; 7] = [6.0, 46.0, 6.0, 10.0, 8.0, 42.0, 40.0];

/// How many lines `text` wraps to in a column `width` wide. Neither Excel nor LibreOffice grows a row
/// for wrapped text written by a library, so the heights are estimated here: a CJK character is about
/// two units wide, an ASCII one about one; long URLs break anywhere.
fn text_lines(text: &str, width: f64) -> usize {
    let usable = (width - 1.0).max(1.0);
    text.split('\n')
        .map(|line| {
            let w: f64 = line.chars().map(|c| if c.is_ascii() { 0.95 } else { 2.0 }).sum();
            ((w / usable).ceil() as usize).max(1)
        })
        .sum()
}

/// Row height in points for `lines` lines of 10.5-point text.
fn row_height(lines: usize) -> f64 {
    (lines.clamp(1, 60) as f64 * 14.0 + 4.0).max(18.0)
}

/// Excel cells hold at most 32,767 characters.
fn cell_text(s: &str) -> String {
    if s.chars().count() > 32_000 {
        s.chars().take(32_000).collect::<String>() + "……"
    } else {
        s.to_string()
    }
}

/// `&` starts a code in print headers and footers.
fn header_text(s: &str) -> String {
    s.replace('&', "&&")
}

fn print_setup(sheet: &mut Worksheet, header_row: u32, left: &str, as_of: &str) -> Result<(), XlsxError> {
    sheet.set_paper_size(9); // A4
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(header_row, header_row)?;
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    sheet.set_header(format!("&L{}&R测评基准日 {}", header_text(left), header_text(as_of)));
    sheet.set_footer("&C第 &P 页，共 &N 页");
    sheet.set_freeze_panes(header_row + 1, 0)?;
    Ok(())
}

fn summary_sheet(
    sheet: &mut Worksheet,
    report: &AuditReport,
    names: &[String],
    s: &Styles,
) -> Result<(), XlsxError> {
    sheet.set_name(SUMMARY_SHEET)?;
    let heads = [
        ("排名", 6.0),
        ("单位", 24.0),
        ("类型", 10.0),
        ("网上测评暂定得分", 12.0),
        ("已自动评判指标满分", 12.0),
        ("得分率", 9.0),
        ("最终得分（含人工及实地评分）", 14.0),
        ("需人工评判（分）", 11.0),
        ("无法判定（分）", 11.0),
        ("实地测评（分）", 11.0),
        ("不符合（项）", 9.0),
        ("部分符合（项）", 9.0),
    ];
    let last = heads.len() as u16 - 1;
    sheet.merge_range(0, 0, 0, last, "政务公开示范点网上测评得分汇总表", &s.title)?;
    sheet.set_row_height(0, 30)?;
    let meta = format!(
        "测评基准日：{}　　生成时间：{}　　测评工具：{} {}\n按网上测评暂定得分排名。暂定得分仅含可自动评判的网上测评指标，不含需人工评判的指标和实地测评指标，最终得分以测评组评定为准。",
        report.as_of, report.generated_at, report.tool.name, report.tool.version
    );
    sheet.merge_range(1, 0, 1, last, &meta, &s.meta)?;
    sheet.set_row_height(1, 36)?;
    for (col, (head, width)) in heads.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *head, &s.head)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    let ranked = ranking(&report.units);
    for (row, (rank, i)) in ranked.iter().enumerate() {
        let u = &report.units[*i];
        let r = row as u32 + 3;
        let sc = &u.score;
        sheet.write_number_with_format(r, 0, *rank as f64, &s.center)?;
        let link = Url::new(format!("internal:'{}'!A1", names[*i].replace('\'', "''"))).set_text(&u.name);
        sheet.write_url_with_format(r, 1, link, &s.link)?;
        sheet.write_string_with_format(r, 2, u.kind.label_zh(), &s.center)?;
        sheet.write_number_with_format(r, 3, sc.online_earned, &s.number)?;
        sheet.write_number_with_format(r, 4, sc.online_max, &s.number)?;
        if sc.online_max > 0.0 {
            sheet.write_number_with_format(r, 5, sc.online_earned / sc.online_max, &s.percent)?;
        } else {
            sheet.write_string_with_format(r, 5, "—", &s.center)?;
        }
        match (sc.final_score, sc.final_max) {
            (Some(total), Some(max)) => sheet.write_string_with_format(
                r,
                6,
                format!("{} / {}", fmt_points(total), fmt_points(max)),
                &s.center,
            )?,
            _ => sheet.write_string_with_format(r, 6, "待测评组评定", &s.center)?,
        };
        sheet.write_number_with_format(r, 7, sc.manual_max, &s.number)?;
        sheet.write_number_with_format(r, 8, sc.error_max, &s.number)?;
        sheet.write_number_with_format(r, 9, sc.onsite_max, &s.number)?;
        sheet.write_number_with_format(r, 10, u.count(Status::Fail) as f64, &s.number)?;
        sheet.write_number_with_format(r, 11, u.count(Status::Partial) as f64, &s.number)?;
    }
    if report.units.is_empty() {
        sheet.merge_range(3, 0, 3, last, "未测评任何单位。", &s.text)?;
    }
    let sign_row = report.units.len().max(1) as u32 + 5;
    sheet.write_string_with_format(sign_row, 1, "测评人员（签字）：", &s.sign)?;
    sheet.write_string_with_format(sign_row, 6, "复核人员（签字）：", &s.sign)?;
    sheet.write_string_with_format(sign_row + 2, 1, "政务公开办（盖章）：", &s.sign)?;
    sheet.write_string_with_format(sign_row + 2, 6, "日期：　　　年　　月　　日", &s.sign)?;
    print_setup(sheet, 2, "网上测评得分汇总", &report.as_of)
}

/// (rank, unit index) by online score, highest first; equal scores share a rank (1, 1, 3).
pub fn ranking(units: &[UnitReport]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| {
        units[b].score.online_earned.total_cmp(&units[a].score.online_earned).then_with(|| a.cmp(&b))
    });
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(order.len());
    for (pos, &i) in order.iter().enumerate() {
        let rank = match out.last() {
            Some(&(r, prev))
                if (units[prev].score.online_earned - units[i].score.online_earned).abs() < 1e-9 =>
            {
                r
            }
            _ => pos + 1,
        };
        out.push((rank, i));
    }
    out
}

fn unit_sheet(
    sheet: &mut Worksheet,
    report: &AuditReport,
    unit: &UnitReport,
    name: &str,
    s: &Styles,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    for (col, width) in UNIT_WIDTHS.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.merge_range(0, 0, 0, 6, &format!("{}政务公开示范点网上测评评分表", unit.name), &s.title)?;
    sheet.set_row_height(0, 30)?;
    let sc = &unit.score;
    let meta = format!(
        "单位：{}（{}）　　测评基准日：{}　　生成时间：{}\n网上测评暂定得分 {} 分（已自动评判指标满分 {} 分）；需人工评判 {} 分，无法判定 {} 分，实地测评 {} 分，须由测评组评定后计入总分。",
        unit.name,
        unit.kind.label_zh(),
        report.as_of,
        report.generated_at,
        fmt_points(sc.online_earned),
        fmt_points(sc.online_max),
        fmt_points(sc.manual_max),
        fmt_points(sc.error_max),
        fmt_points(sc.onsite_max),
    );
    sheet.merge_range(1, 0, 1, 6, &meta, &s.meta)?;
    sheet.set_row_height(1, 36)?;
    for (col, head) in ["序号", "内容", "权重", "测评方式", "得分", "扣分理由", "证据链接"].iter().enumerate()
    {
        sheet.write_string_with_format(2, col as u16, *head, &s.head)?;
    }
    let mut row = 3u32;
    let mut section = "";
    let mut weight_total = 0.0;
    for item in unit.items.iter().filter(|i| i.status != Status::NotApplicable) {
        if item.section != section {
            section = &item.section;
            sheet.merge_range(row, 0, row, 6, &cell_text(section), &s.section)?;
            row += 1;
        }
        weight_total += item.weight;
        item_row(sheet, row, item, s)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, "", &s.total)?;
    sheet.write_string_with_format(row, 1, "合计", &s.total)?;
    sheet.write_number_with_format(row, 2, (weight_total * 100.0).round() / 100.0, &s.total_number)?;
    sheet.write_string_with_format(row, 3, "", &s.total)?;
    let note = match (sc.final_score, sc.final_max) {
        (Some(total), Some(max)) => {
            sheet.write_number_with_format(row, 4, total, &s.total_number)?;
            format!(
                "得分栏合计为最终得分（含测评人员评定的人工及实地评分），满分 {} 分；其中网上测评自动评判得分 {} 分。尚未评分的指标 {} 分。",
                fmt_points(max),
                fmt_points(sc.online_earned),
                fmt_points(sc.unscored_max.unwrap_or(0.0))
            )
        }
        _ => {
            sheet.write_number_with_format(row, 4, sc.online_earned, &s.total_number)?;
            format!(
                "得分栏合计为网上测评暂定得分（已自动评判指标满分 {} 分）；需人工评判 {} 分、无法判定 {} 分、实地测评 {} 分未计入。",
                fmt_points(sc.online_max),
                fmt_points(sc.manual_max),
                fmt_points(sc.error_max),
                fmt_points(sc.onsite_max)
            )
        }
    };
    sheet.merge_range(row, 5, row, 6, &note, &s.total)?;
    sheet.set_row_height(row, row_height(text_lines(&note, UNIT_WIDTHS[5] + UNIT_WIDTHS[6])))?;
    let sign = row + 2;
    sheet.write_string_with_format(sign, 1, "测评人员（签字）：", &s.sign)?;
    sheet.write_string_with_format(sign, 5, "复核人员（签字）：", &s.sign)?;
    sheet.write_string_with_format(sign + 2, 1, "被测评单位确认（签字盖章）：", &s.sign)?;
    sheet.write_string_with_format(sign + 2, 5, "日期：　　　年　　月　　日", &s.sign)?;
    print_setup(sheet, 2, &unit.name, &report.as_of)
}

fn item_row(sheet: &mut Worksheet, row: u32, item: &ItemScore, s: &Styles) -> Result<(), XlsxError> {
    let number = item.id.rsplit('-').next().unwrap_or(&item.id).trim_start_matches('0');
    sheet.write_string_with_format(row, 0, number, &s.center)?;
    sheet.write_string_with_format(row, 1, cell_text(&item.title), &s.text)?;
    sheet.write_number_with_format(row, 2, item.weight, &s.number)?;
    let methods =
        item.methods.iter().map(|m| m.label_zh().trim_end_matches("测评")).collect::<Vec<_>>().join("、");
    sheet.write_string_with_format(row, 3, methods, &s.center)?;
    // An inspector's score, when given, is the item's score (crate::manual).
    match item.manual.as_ref().map(|m| m.score).or(item.score) {
        Some(points) => sheet.write_number_with_format(row, 4, points, &s.number)?,
        None => sheet.write_string_with_format(row, 4, score_placeholder(item), &s.center)?,
    };
    let reason = cell_text(&reason(item));
    sheet.write_string_with_format(row, 5, &reason, &s.text)?;
    let urls = evidence_urls(item);
    let shown: Vec<&str> = urls.iter().take(MAX_URLS_PER_CELL).map(String::as_str).collect();
    let lines = [
        text_lines(&item.title, UNIT_WIDTHS[1]),
        text_lines(&reason, UNIT_WIDTHS[5]),
        text_lines(&shown.join("\n"), UNIT_WIDTHS[6]) + usize::from(urls.len() > MAX_URLS_PER_CELL),
    ];
    sheet.set_row_height(row, row_height(lines.into_iter().max().unwrap_or(1)))?;
    match urls.as_slice() {
        [] => sheet.write_string_with_format(row, 6, "", &s.text)?,
        [one] if one.len() < 2000 && one.starts_with("http") => {
            sheet.write_url_with_format(row, 6, Url::new(one.as_str()), &s.link)?
        }
        many => {
            let mut text = many.iter().take(MAX_URLS_PER_CELL).cloned().collect::<Vec<_>>().join("\n");
            if many.len() > MAX_URLS_PER_CELL {
                text.push_str(&format!("\n等共 {} 个页面，详见 report.html", many.len()));
            }
            sheet.write_string_with_format(row, 6, cell_text(&text), &s.text)?
        }
    };
    Ok(())
}

/// What the 得分 cell says when the tool gives no score.
fn score_placeholder(item: &ItemScore) -> &'static str {
    match item.status {
        Status::Error => "无法判定",
        _ if !item.methods.contains(&Method::Online) => "实地测评",
        _ => "待人工评判",
    }
}

/// 扣分理由: why points were lost (or why the tool left the item to a person).
fn reason(item: &ItemScore) -> String {
    let automatic = automatic_reason(item);
    match &item.manual {
        Some(m) => {
            let who = if m.inspector.is_empty() { String::new() } else { format!("（{}）", m.inspector) };
            let note = if m.note.is_empty() { String::new() } else { format!("：{}", m.note) };
            let manual = format!("人工评分{who} {} 分{note}", fmt_points(m.score));
            if automatic.is_empty() { manual } else { format!("{manual}\n工具意见：{automatic}") }
        }
        None => automatic,
    }
}

fn automatic_reason(item: &ItemScore) -> String {
    match item.status {
        Status::Pass | Status::NotApplicable => String::new(),
        Status::Partial | Status::Fail => {
            let lost: Vec<String> = item
                .findings
                .iter()
                .filter(|f| matches!(f.status, Status::Fail | Status::Partial))
                .enumerate()
                .map(|(i, f)| format!("{}. {}", i + 1, f.message))
                .collect();
            if lost.is_empty() { item.explanation.clone() } else { lost.join("\n") }
        }
        Status::Manual | Status::Error => item.explanation.clone(),
    }
}

/// Evidence URLs of the item, those of failing findings first, each once.
fn evidence_urls(item: &ItemScore) -> Vec<String> {
    let mut findings: Vec<_> = item.findings.iter().collect();
    findings.sort_by_key(|f| match f.status {
        Status::Fail => 0,
        Status::Partial => 1,
        _ => 2,
    });
    let mut urls: Vec<String> = Vec::new();
    for f in findings {
        for e in &f.evidence {
            if !urls.contains(&e.url) {
                urls.push(e.url.clone());
            }
        }
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_count_cjk_as_double_width() {
        assert_eq!(text_lines("", 10.0), 1);
        assert_eq!(text_lines("一二三四", 10.0), 1); // 8 units in 9
        assert_eq!(text_lines("一二三四五", 10.0), 2); // 10 units in 9
        assert_eq!(text_lines("abc\n一二三四五", 10.0), 3);
        assert!(row_height(3) > row_height(1));
        assert_eq!(row_height(500), row_height(60), "bounded");
    }
}

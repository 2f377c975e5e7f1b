//! The header row of each content table: what a table discloses, column by column.
//!
//! Rubric item street-05 asks that 惠民资金 be disclosed down to 项目, 村组 and 户 "in tables": the check
//! reads the column headings (项目名称, 社区, 户主姓名, 发放金额 …) to tell a per-household table from a
//! single total. Tables in the footer and menus are skipped; the 信息公开 metadata table (索引号 …) is
//! kept, checks filter by heading words.

use scraper::{ElementRef, Html};

use super::clean_text;
use super::nav::{Zone, zone_of};

/// At most this many tables are read per page, and this many cells per heading row: bounds the work.
const MAX_TABLES: usize = 50;
const MAX_CELLS: usize = 40;
/// A heading row is looked for among a table's first rows only (a title row may come first).
const HEAD_ROWS: usize = 3;

/// The heading cells of each content table: the first of its first rows with at least two non-empty
/// cells, in page order.
pub fn table_headers(doc: &Html) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for table in super::select_tags(doc, &[("table", &[])]).take(MAX_TABLES) {
        if matches!(zone_of(table), Zone::Footer | Zone::Nav) {
            continue;
        }
        let rows = super::within(table, |v| v.name() == "tr").filter(|r| own_row(table, *r)).take(HEAD_ROWS);
        for row in rows {
            let cells: Vec<String> = super::within(row, |v| matches!(v.name(), "th" | "td"))
                .filter(|c| nearest(*c, "tr").is_some_and(|r| r.id() == row.id()))
                .take(MAX_CELLS)
                .map(|c| clean_text(&c.text().collect::<String>()))
                .filter(|t| !t.is_empty())
                .collect();
            if cells.len() >= 2 {
                // A heading names columns; a first row with a long number (an ID, a phone) is data, and
                // the table has no heading row to report (nor a number to repeat).
                if !cells.iter().any(|c| long_number(c)) {
                    out.push(cells);
                }
                break;
            }
        }
    }
    out
}

/// Whether a cell holds a run of seven or more digits.
fn long_number(cell: &str) -> bool {
    let mut run = 0;
    for c in cell.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 7 {
            return true;
        }
    }
    false
}

/// The nearest enclosing element with this tag name.
fn nearest<'a>(el: ElementRef<'a>, tag: &str) -> Option<ElementRef<'a>> {
    el.ancestors().filter_map(ElementRef::wrap).take(MAX_DEPTH).find(|a| a.value().name() == tag)
}

/// How far up the structure the enclosing row or table is looked for.
const MAX_DEPTH: usize = 40;

/// Whether a row belongs to this table and not to a table nested in one of its cells.
fn own_row(table: ElementRef, row: ElementRef) -> bool {
    nearest(row, "table").is_some_and(|t| t.id() == table.id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_row_with_two_cells_skipping_a_title_row_and_nested_tables() {
        let html = r#"<html><body><div class="content">
<table><tr><td colspan="4">2025年2月低保资金发放情况</td></tr>
<tr><th>序号</th><th>社区</th><th>户主姓名</th><th>发放金额（元）</th></tr>
<tr><td>1</td><td>滨湖社区</td><td>张**</td><td>820</td></tr></table>
<table><tr><td><table><tr><td>内</td><td>层</td></tr></table></td></tr>
<tr><td>项目名称</td><td>金额</td></tr></table>
</div><div class="footer"><table><tr><td>版权</td><td>备案</td></tr></table></div></body></html>"#;
        let got = table_headers(&Html::parse_document(html));
        assert_eq!(got[0], ["序号", "社区", "户主姓名", "发放金额（元）"]);
        assert_eq!(got[1], ["项目名称", "金额"], "the outer table's own rows, not the nested one's");
        assert_eq!(got[2], ["内", "层"]);
        assert_eq!(got.len(), 3, "the footer table is site chrome: {got:?}");
        let data_first = "<table><tr><td>李某</td><td>340111198506123411</td></tr></table>";
        assert!(table_headers(&Html::parse_document(data_first)).is_empty(), "a data row is no heading");
    }
}

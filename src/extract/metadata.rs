//! The 信息公开 metadata table (索引号, 分类, 发布机构, 成文日期, 文号, 有效性 …) of a document page.
//!
//! Every platform names and lays out these labels differently (DOMAIN.md §6): table cells, definition lists,
//! `<li><span>label：</span>value</li>`, divs, labels with spaces inside (索 引 号) and full-width colons. This
//! module reads them off the page's lines (see [`super::text::lines`]) so the markup does not matter. A label
//! with no readable value gives `None`: the checks report a missing element, never a guessed one.

use std::sync::LazyLock;

use regex::Regex;

use super::Fields;
use super::dates::parse_date;
use super::text::Line;

/// Which field a label fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    IndexNo,
    Category,
    Publisher,
    WrittenDate,
    PublishDate,
    DocNo,
    Validity,
    Keywords,
    Title,
}

/// Label spellings per field. Longer spellings come first in the compiled alternation.
const LABELS: &[(Key, &[&str])] = &[
    (Key::IndexNo, &["索引号", "索取号"]),
    (Key::Category, &["信息分类", "组配分类", "主题分类", "所属分类", "信息类别", "分类"]),
    (Key::Publisher, &["发布机构", "发文机关", "发文机构", "发文单位", "发布单位", "公开主体"]),
    (Key::WrittenDate, &["成文日期", "生成日期", "发文日期", "形成日期", "成文时间", "生成时间"]),
    (Key::PublishDate, &["发布日期", "公开日期", "发布时间", "公开时间"]),
    (Key::DocNo, &["发文字号", "发布文号", "文件编号", "文号"]),
    (Key::Validity, &["有效性", "时效性", "效力状态"]),
    (Key::Keywords, &["主题词", "关键词", "关键字"]),
    (Key::Title, &["信息名称", "文件名称", "标题", "名称"]),
];

/// A label spelled with optional spaces between its characters (索 引 号).
fn spaced(label: &str) -> String {
    label.chars().map(|c| regex::escape(&c.to_string())).collect::<Vec<_>>().join(r"\s*")
}

/// Label alternation, longest first, with a capture group per spelling's field resolved afterwards.
static LABEL_ALT: LazyLock<String> = LazyLock::new(|| {
    let mut all: Vec<&str> = LABELS.iter().flat_map(|(_, l)| l.iter().copied()).collect();
    all.sort_by_key(|l| std::cmp::Reverse(l.chars().count()));
    all.iter().map(|l| spaced(l)).collect::<Vec<_>>().join("|")
});

/// A label followed by a colon, at the start of a line or after a separator.
static LABEL_COLON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:^|[\s|｜;；【\[])({})\s*[:：]", *LABEL_ALT)).expect("static regex")
});
/// A line that is only a label (a table header cell, a `<dt>`).
static LABEL_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^(?:【|\[)?({})(?:】|\])?\s*[:：]?$", *LABEL_ALT)).expect("static regex")
});
/// A label then a space then its value, no colon (`<span>索引号</span> <span>…</span>`).
static LABEL_SPACE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^({})\s+(\S.*)$", *LABEL_ALT)).expect("static regex"));

/// Any label anywhere: a line without one is not metadata (one scan, no captures; most lines are prose).
static LABEL_ANY: LazyLock<Regex> = LazyLock::new(|| Regex::new(&LABEL_ALT).expect("static regex"));

/// The label in a match of [`LABEL_COLON`] or [`LABEL_ONLY`]: the match without the separator before it
/// and the brackets and colon after it. Labels begin and end with an ideograph, so the trim is exact, and a
/// plain match (a DFA scan) replaces the captures, which cost several times more per line.
fn label_in(m: &str) -> &str {
    m.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '|' | '｜' | ';' | '；' | '【' | '['))
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | '】' | ']'))
}

fn key_of(label: &str) -> Option<Key> {
    let compact: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    LABELS.iter().find(|(_, ls)| ls.contains(&compact.as_str())).map(|(k, _)| *k)
}

/// Whether a line starts with a metadata label (so it is not another label's value).
fn is_label_line(s: &str) -> bool {
    LABEL_ANY.is_match(s) && LABEL_ONLY.is_match(s) || LABEL_COLON.find(s).is_some_and(|m| m.start() == 0)
}

/// Trims decoration around a value and rejects what cannot be one.
fn clean_value(v: &str) -> Option<String> {
    let v = v.trim().trim_matches(|c: char| c == '|' || c == '｜' || c == '】' || c == '[' || c == ']');
    let v = v.trim();
    if v.is_empty() || v.chars().count() > 200 {
        return None;
    }
    Some(v.to_string())
}

/// The metadata fields plus the table's 标题 / 名称 value (for the page title).
pub struct Metadata {
    /// The CONTRACT `fields`.
    pub fields: Fields,
    /// The 标题 / 名称 / 信息名称 value, when the table has one.
    pub title: Option<String>,
}

/// Reads the metadata table off the page's lines. First occurrence of a field wins.
pub fn metadata(lines: &[Line]) -> Metadata {
    // A field left empty in the table (its label followed by an empty cell or the next label) is recorded as
    // empty, so that a later 有效性 or 文号 (a column header of a list in the body) cannot fill it.
    let mut found: Vec<(Key, Option<String>)> = Vec::new();
    let mut put = |k: Key, v: Option<String>, empty: bool| {
        if (v.is_some() || empty) && !found.iter().any(|(fk, _)| *fk == k) {
            found.push((k, v));
        }
    };
    let next_value = |i: usize| -> Option<String> {
        let next = lines.get(i + 1)?;
        if next.text.is_empty() || is_label_line(&next.text) { None } else { clean_value(&next.text) }
    };
    // The next line is an empty cell or another label: the field is there, and empty.
    let next_is_label =
        |i: usize| lines.get(i + 1).is_some_and(|n| n.text.is_empty() || is_label_line(&n.text));
    for (i, line) in lines.iter().enumerate() {
        let s = line.text.as_str();
        if s.chars().count() > 600 || !LABEL_ANY.is_match(s) {
            continue;
        }
        if LABEL_ONLY.is_match(s) {
            if let Some(k) = key_of(label_in(s)) {
                put(k, next_value(i), next_is_label(i));
            }
            continue;
        }
        let marks: Vec<(usize, usize, Key)> = LABEL_COLON
            .find_iter(s)
            .filter_map(|m| Some((m.start(), m.end(), key_of(label_in(m.as_str()))?)))
            .collect();
        if marks.is_empty() {
            if let Some(c) = LABEL_SPACE.captures(s)
                && let Some(k) = key_of(&c[1])
            {
                put(k, clean_value(&c[2]), false);
            }
            continue;
        }
        // Only lines that begin with a label are metadata; a label in mid-sentence is prose.
        if !s[..marks[0].0].trim().is_empty() && marks.len() < 2 {
            continue;
        }
        for (j, &(_, end, k)) in marks.iter().enumerate() {
            let stop = marks.get(j + 1).map_or(s.len(), |m| m.0);
            let v = clean_value(&s[end..stop]);
            let last = j + 1 == marks.len();
            let v = if v.is_none() && last { next_value(i) } else { v };
            // Empty between two labels of one line, or the line's last label before a label line.
            let empty = !last || next_is_label(i);
            put(k, v, empty);
        }
    }
    let mut fields = Fields::default();
    let mut title = None;
    for (k, v) in found {
        let Some(v) = v else { continue };
        match k {
            Key::IndexNo => fields.index_no = Some(v),
            Key::Category => fields.category = Some(v),
            Key::Publisher => fields.publisher = Some(v),
            Key::WrittenDate => fields.written_date = parse_date(&v),
            Key::PublishDate => fields.publish_date = parse_date(&v),
            Key::DocNo => fields.doc_no = Some(v),
            Key::Validity => fields.validity = Some(v),
            Key::Keywords => fields.keywords = Some(v),
            Key::Title => title = Some(v),
        }
    }
    Metadata { fields, title }
}

#[cfg(test)]
mod tests {
    use super::super::text::lines;
    use super::*;
    use chrono::NaiveDate;
    use scraper::Html;

    fn read(html: &str) -> Metadata {
        metadata(&lines(&Html::parse_document(html)))
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/fixtures/extract/{name}", env!("CARGO_MANIFEST_DIR")))
            .expect("fixture")
    }

    #[test]
    fn the_trimmed_match_is_the_captured_label() {
        let (mut colon, mut only_lines) = (0, 0);
        for (_, spellings) in LABELS {
            for l in *spellings {
                let spaced: String = l.chars().map(|c| format!("{c} ")).collect();
                for label in [l.to_string(), spaced.trim_end().to_string()] {
                    for before in ["", " ", "|", "｜", "；", "【", "[", "正文 "] {
                        for after in ["：", " :", "】：", "]"] {
                            let line = format!("{before}{label}{after}值");
                            for re in [&*LABEL_COLON, &*LABEL_ONLY] {
                                for (m, c) in re.find_iter(&line).zip(re.captures_iter(&line)) {
                                    assert_eq!(label_in(m.as_str()), &c[1], "{line:?}");
                                    colon += 1;
                                }
                            }
                            let only = format!("{before}{label}{after}");
                            if let Some(c) = LABEL_ONLY.captures(&only) {
                                assert_eq!(label_in(&only), &c[1], "{only:?}");
                                only_lines += 1;
                            }
                        }
                    }
                }
            }
        }
        // Every spelling (38), plain and spaced, after each of the eight beginnings and before each of the
        // two plain colons; a line of only the label for three beginnings at least.
        assert!(colon >= 38 * 2 * 8 * 2 && only_lines >= 38 * 2 * 3, "{colon} {only_lines}");
    }

    #[test]
    fn state_council_table_with_spaced_labels() {
        let m = read(&fixture("meta_table_govcn.html"));
        let f = &m.fields;
        assert_eq!(f.index_no.as_deref(), Some("000014349/2020-00123"));
        assert_eq!(f.category.as_deref(), Some("城乡建设、环境保护\\节能与资源综合利用"));
        assert_eq!(f.publisher.as_deref(), Some("某某省人民政府办公厅"));
        assert_eq!(f.written_date, NaiveDate::from_ymd_opt(2020, 3, 2));
        assert_eq!(f.publish_date, NaiveDate::from_ymd_opt(2020, 3, 9));
        assert_eq!(f.doc_no.as_deref(), Some("某政办发〔2020〕8号"));
        assert_eq!(f.keywords, None, "an empty 主题词 cell is not the body's first line");
        assert_eq!(f.validity, None);
        assert_eq!(m.title.as_deref(), Some("某某省人民政府办公厅关于加强节能工作的通知"));
    }

    #[test]
    fn anhui_list_items_and_definition_lists() {
        let m = read(&fixture("meta_list_anhui.html"));
        let f = &m.fields;
        assert_eq!(f.index_no.as_deref(), Some("11341702486344515H/202110-00013"));
        assert_eq!(f.category.as_deref(), Some("通知公告"));
        assert_eq!(f.publisher.as_deref(), Some("某某街道办事处"));
        assert_eq!(f.written_date, NaiveDate::from_ymd_opt(2021, 10, 12));
        assert_eq!(f.doc_no.as_deref(), Some("某街〔2021〕15号"));
        assert_eq!(f.keywords.as_deref(), Some("防汛 安全"));
        assert_eq!(f.validity.as_deref(), Some("有效"));
    }

    #[test]
    fn table_rows_formats() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "<table><tr><th>索引号</th><td>A/2021-1</td><th>文号</th><td>X〔2021〕1号</td></tr></table>",
                "A/2021-1",
                "X〔2021〕1号",
            ),
            ("<p>索引号：B/2021-2　　文号：Y〔2021〕2号</p>", "B/2021-2", "Y〔2021〕2号"),
            (
                "<div><span>索 引 号</span> <span>C/2021-3</span></div><div><span>发布文号</span> <span>Z3号</span></div>",
                "C/2021-3",
                "Z3号",
            ),
        ];
        for (html, idx, no) in cases {
            let f = read(html).fields;
            assert_eq!(f.index_no.as_deref(), Some(*idx), "{html}");
            assert_eq!(f.doc_no.as_deref(), Some(*no), "{html}");
        }
    }

    /// An empty cell of the metadata table stays empty: the 有效性 and 文号 column headers of a list
    /// of files in the body (followed by its first row, `1`) are not its value.
    #[test]
    fn an_empty_field_is_not_filled_from_a_list_in_the_body() {
        let html = "<table><tr><th>发布日期：</th><td>2025-01-03</td><th>文 号：</th><td></td></tr>\
                    <tr><th>有 效 性：</th><td></td><th>主 题 词：</th><td>目录</td></tr></table>\
                    <p>目录如下：</p><table><tr><th>序号</th><th>文件名称</th><th>文号</th><th>有效性</th></tr>\
                    <tr><td>1</td><td>某办法</td><td>包街〔2024〕15号</td><td>有效</td></tr></table>";
        let f = read(html).fields;
        assert_eq!(f.validity, None);
        assert_eq!(f.doc_no, None);
        assert_eq!(f.keywords.as_deref(), Some("目录"));
        assert_eq!(f.publish_date, NaiveDate::from_ymd_opt(2025, 1, 3));
        // Inline, an empty field between two labels of one line.
        let f = read("<p>有效性：　文号：X〔2021〕1号</p><p>有效性</p><p>1</p>").fields;
        assert_eq!(f.validity, None);
        assert_eq!(f.doc_no.as_deref(), Some("X〔2021〕1号"));
    }

    #[test]
    fn prose_mentioning_a_label_is_not_metadata() {
        let f = read("<p>本文的发布机构：经研究决定如下</p><p>请注意文号的写法。</p>").fields;
        assert_eq!(f, Fields::default());
    }
}

//! `metadata-complete`: document pages carry the 公开要素 of their metadata table.
//!
//! **What it checks.** Every in-scope document page that shows a metadata table (at least one field
//! read) must give each `required` field (索引号, 发布机构, 成文日期, 发布日期 by default); pages listed
//! in the `validity_columns` (规范性文件 …) must also state 有效性. Credit is the share of complete pages;
//! each incomplete page is a finding naming the missing fields.
//!
//! **Why.** 《政府信息公开条例》第十二条 (the 目录 gives each item's 索引, 名称, 生成日期 …); rubric item
//! common-15 (公开要素齐全); 有效性 on 规范性文件 is required by 国办发〔2018〕37号 and often missing.
//!
//! **Passes.** A page with 索引号 `11340111MB1234567X/202503-00027`, 发布机构, 成文日期 and 发布日期.
//! In a validity column, a catalogue of its files (`现行有效规范性文件目录`) needs no 有效性 of its own.
//!
//! **Fails.** The same page without 索引号; a 规范性文件 without 有效性.

use std::collections::HashSet;

use serde::Deserialize;

use super::{ColumnSpec, Context, Verdict, finding};
use crate::extract::Fields;
use crate::findings::{Finding, Status};

/// A field of the metadata table (CONTRACT.md `fields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 索引号.
    IndexNo,
    /// 信息分类.
    Category,
    /// 发布机构.
    Publisher,
    /// 成文日期.
    WrittenDate,
    /// 发布日期.
    PublishDate,
    /// 文号.
    DocNo,
    /// 有效性.
    Validity,
    /// 主题词.
    Keywords,
}

impl Field {
    /// The label as a page shows it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Field::IndexNo => "索引号",
            Field::Category => "信息分类",
            Field::Publisher => "发布机构",
            Field::WrittenDate => "成文日期",
            Field::PublishDate => "发布日期",
            Field::DocNo => "文号",
            Field::Validity => "有效性",
            Field::Keywords => "主题词",
        }
    }

    fn present(self, f: &Fields) -> bool {
        let s = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        match self {
            Field::IndexNo => s(&f.index_no),
            Field::Category => s(&f.category),
            Field::Publisher => s(&f.publisher),
            Field::WrittenDate => f.written_date.is_some(),
            Field::PublishDate => f.publish_date.is_some(),
            Field::DocNo => s(&f.doc_no),
            Field::Validity => s(&f.validity),
            Field::Keywords => s(&f.keywords),
        }
    }
}

const ALL: [Field; 8] = [
    Field::IndexNo,
    Field::Category,
    Field::Publisher,
    Field::WrittenDate,
    Field::PublishDate,
    Field::DocNo,
    Field::Validity,
    Field::Keywords,
];

/// Parameters of `metadata-complete`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Fields every document page with a metadata table must give.
    #[serde(default = "default_required")]
    pub required: Vec<Field>,
    /// Columns whose documents must also state 有效性.
    #[serde(default)]
    pub validity_columns: Vec<ColumnSpec>,
    /// Most incomplete pages listed one by one.
    #[serde(default = "default_max_listed")]
    pub max_listed: usize,
    /// Whether a 索引号 that is not "机构代码/年份-流水号" makes a page incomplete.
    #[serde(default = "default_true")]
    pub index_no_format: bool,
    /// Whether to report the share of complete pages per column.
    #[serde(default = "default_true")]
    pub per_column: bool,
}

fn default_true() -> bool {
    true
}

/// Whether a 索引号 has the form 机构代码/年份-流水号 (DOMAIN §6): `11341702486344515H/202110-00013`,
/// `0142768-8/2022-00185`, `000014349/2018-00204`. Whitespace inside is ignored.
pub fn index_no_well_formed(s: &str) -> bool {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^[0-9A-Za-z][0-9A-Za-z\-]{3,29}/(?:19|20)\d{2}(?:\d{2})?-\d{1,8}$")
            .expect("static regex")
    });
    let compact: String = s.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}').collect();
    RE.is_match(&compact)
}

fn default_required() -> Vec<Field> {
    vec![Field::IndexNo, Field::Publisher, Field::WrittenDate, Field::PublishDate]
}

fn default_max_listed() -> usize {
    20
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.required.is_empty() && self.validity_columns.is_empty() {
            return Err("`required` or `validity_columns` must name something to check".into());
        }
        Ok(())
    }
}

/// Whether a title names a catalogue of files (`现行有效规范性文件目录（截至2024年12月31日）`,
/// `…文件清单`): the catalogue states the files' 有效性, it is not itself a 规范性文件 that must carry one.
/// A 规范性文件 that issues a list (`关于印发…清单的通知`) ends otherwise and is still judged.
fn is_file_catalogue(title: &str) -> bool {
    let mut t = title.trim();
    // A closing date in brackets at the end: （截至2024年12月31日）.
    if let Some(open) = t.rfind(['（', '(']).filter(|_| t.ends_with(['）', ')'])) {
        t = t[..open].trim_end();
    }
    t.contains("文件") && (t.ends_with("目录") || t.ends_with("清单"))
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let needs_validity: HashSet<&str> = p
        .validity_columns
        .iter()
        .filter_map(|c| c.find(site))
        .flat_map(|c| c.entries.iter().map(|e| crate::site::canonical_url(&e.url)))
        .collect();
    let mut findings: Vec<Finding> = Vec::new();
    let (mut judged, mut complete, mut listed, mut unlisted) = (0usize, 0usize, 0usize, 0usize);
    let mut complete_evidence = Vec::new();
    // Page (canonical URL) → the column listing it; the shallowest wins, so a column split into tabs
    // (现行有效 / 已废止) is reported as the whole column.
    let mut column_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, c) in site.columns.iter().enumerate() {
        for e in &c.entries {
            let k = crate::site::canonical_url(&e.url);
            if column_of.get(k).is_none_or(|&j| site.columns[j].level > c.level) {
                column_of.insert(k, i);
            }
        }
    }
    // Column index → (judged, complete).
    let mut per_column: std::collections::BTreeMap<usize, (usize, usize)> = Default::default();
    for (page, f) in site.document_pages() {
        if !ALL.iter().any(|field| field.present(&f.fields)) {
            continue;
        }
        // With nothing `required`, only the validity columns' documents are judged (有效性 alone).
        if p.required.is_empty() && !needs_validity.contains(crate::site::canonical_url(&page.record.url)) {
            continue;
        }
        judged += 1;
        let mut missing: Vec<Field> = p.required.iter().copied().filter(|x| !x.present(&f.fields)).collect();
        if needs_validity.contains(crate::site::canonical_url(&page.record.url))
            && !f.title.as_deref().is_some_and(is_file_catalogue)
            && !Field::Validity.present(&f.fields)
            && !missing.contains(&Field::Validity)
        {
            missing.push(Field::Validity);
        }
        let title = f.title.clone().unwrap_or_else(|| page.record.url.clone());
        let malformed = f
            .fields
            .index_no
            .as_deref()
            .filter(|n| p.index_no_format && !n.trim().is_empty() && !index_no_well_formed(n));
        let col = column_of.get(crate::site::canonical_url(&page.record.url)).copied().or_else(|| {
            // A document no fetched list shows: the column its <meta name="ColumnName"> names.
            let name = crate::site::normalize_name(f.meta_column.as_deref()?);
            site.columns.iter().position(|c| crate::site::normalize_name(&c.name) == name)
        });
        if let Some(c) = col {
            let e = per_column.entry(c).or_default();
            e.0 += 1;
            e.1 += usize::from(missing.is_empty() && malformed.is_none());
        }
        if let Some(n) = malformed {
            if listed < p.max_listed {
                listed += 1;
                let also = if missing.is_empty() {
                    String::new()
                } else {
                    format!(
                        "；另缺少公开要素：{}",
                        missing.iter().map(|m| m.label_zh()).collect::<Vec<_>>().join("、")
                    )
                };
                findings.push(finding(
                    id,
                    Status::Fail,
                    format!("《{title}》的索引号“{n}”不符合“机构代码/年份-流水号”的编制格式{also}"),
                    site.evidence(&page.record.url, &format!("索引号：{n}")).into_iter().collect(),
                ));
            } else {
                unlisted += 1;
            }
            continue;
        }
        if missing.is_empty() {
            complete += 1;
            if complete_evidence.len() < 5 {
                complete_evidence
                    .extend(site.evidence(&page.record.url, &format!("《{title}》公开要素齐全")));
            }
            continue;
        }
        let names: Vec<&str> = missing.iter().map(|m| m.label_zh()).collect();
        if listed < p.max_listed {
            listed += 1;
            findings.push(finding(
                id,
                Status::Fail,
                format!("《{title}》缺少公开要素：{}", names.join("、")),
                site.evidence(&page.record.url, &format!("未见{}", names.join("、"))).into_iter().collect(),
            ));
        } else {
            unlisted += 1;
        }
    }
    if judged == 0 {
        return Verdict::uncredited(
            id,
            Status::Manual,
            "未找到带有信息公开元数据（索引号、发布机构等）的文件页面，无法判定公开要素，需人工抽查",
            site.root_evidence("专栏首页"),
        );
    }
    if complete > 0 {
        let msg = format!("共检查{judged}个文件页面，{complete}个公开要素齐全");
        findings.insert(0, finding(id, Status::Pass, msg, complete_evidence));
    }
    if p.per_column {
        for (&c, &(n, ok)) in &per_column {
            let col = &site.columns[c];
            let status = if ok == n {
                Status::Pass
            } else if ok == 0 {
                Status::Fail
            } else {
                Status::Partial
            };
            let share = (ok as f64 * 100.0 / n as f64).round();
            let msg = format!("“{}”栏目：检查{n}个文件页面，{ok}个公开要素齐全（{share}%）", col.name);
            let ev = site.evidence(&col.url, &format!("{}：{n}个文件页面", col.name));
            findings.push(finding(id, status, msg, ev.into_iter().collect()));
        }
    }
    if unlisted > 0 {
        let ev = findings.iter().rev().find(|f| f.status == Status::Fail).map(|f| f.evidence.clone());
        let msg = format!("另有{unlisted}个文件页面公开要素不全（未逐一列出）");
        findings.push(finding(id, Status::Fail, msg, ev.unwrap_or_default()));
    }
    Verdict::scored(complete as f64 / judged as f64, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};
    use crate::extract::PageFacts;

    const ROOT: &str = "http://gov.test/xxgk/";
    const COL: &str = "http://gov.test/xxgk/gfxwj/";

    fn doc(n: u32, index_no: Option<&str>, validity: Option<&str>) -> (String, PageFacts) {
        let url = format!("http://gov.test/xxgk/gfxwj/{n}.html");
        let mut f = facts_doc(&url, &format!("文件{n}"), "正文");
        f.fields = Fields {
            index_no: index_no.map(String::from),
            publisher: Some("某街道办事处".into()),
            written_date: Some(d("2021-08-02")),
            publish_date: Some(d("2021-08-03")),
            validity: validity.map(String::from),
            ..Fields::default()
        };
        (url, f)
    }

    /// A catalogue of the column's files, titled as one, with an empty 有效性.
    fn catalogue(n: u32, index_no: Option<&str>) -> (String, PageFacts) {
        let (url, mut f) = doc(n, index_no, None);
        f.title = Some("某街道现行有效规范性文件目录（截至2024年12月31日）".into());
        (url, f)
    }

    #[test]
    fn catalogues_are_told_from_files_that_issue_a_list() {
        assert!(is_file_catalogue("某街道现行有效规范性文件目录（截至2024年12月31日）"));
        assert!(is_file_catalogue("区民政局行政规范性文件清单"));
        assert!(!is_file_catalogue("关于印发《某街道公开事项清单》的通知"));
        assert!(!is_file_catalogue("某街道政务公开目录"), "a 目录 of no files");
        assert!(!is_file_catalogue("某街道困难群众临时救助实施细则"));
    }

    fn site(docs: Vec<(String, PageFacts)>, listed_in_col: bool) -> crate::site::UnitSite {
        let entries = if listed_in_col {
            docs.iter().map(|(u, _)| entry("文件", u, Some("2021-08-03"))).collect()
        } else {
            vec![]
        };
        let mut b = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("规范性文件", COL)]))
            .page(COL, facts_list(COL, entries, &[]));
        for (u, f) in docs {
            b = b.page(&u, f);
        }
        b.build()
    }

    fn params(validity: bool) -> Params {
        let cols = if validity {
            vec![ColumnSpec { name: "规范性文件".into(), synonyms: vec![] }]
        } else {
            vec![]
        };
        Params {
            required: default_required(),
            validity_columns: cols,
            max_listed: 20,
            index_no_format: true,
            per_column: false,
        }
    }

    #[test]
    fn table() {
        let idx = Some("11340111MB1234567X/202108-00001");
        let cases = vec![
            ("complete", vec![doc(1, idx, None)], false, Status::Pass, Some(1.0)),
            ("no 索引号", vec![doc(1, None, None)], false, Status::Fail, Some(0.0)),
            ("half", vec![doc(1, idx, None), doc(2, None, None)], false, Status::Partial, Some(0.5)),
            ("规范性文件 without 有效性", vec![doc(1, idx, None)], true, Status::Fail, Some(0.0)),
            ("规范性文件 with 有效性", vec![doc(1, idx, Some("有效"))], true, Status::Pass, Some(1.0)),
            ("a catalogue of files needs no 有效性", vec![catalogue(1, idx)], true, Status::Pass, Some(1.0)),
            ("no metadata anywhere", vec![], false, Status::Manual, None),
            ("malformed 索引号", vec![doc(1, Some("2021-0001"), None)], false, Status::Fail, Some(0.0)),
        ];
        for (name, docs, validity, want, credit) in cases {
            let s = site(docs, validity);
            let v = run("m", &params(validity), &Context { site: &s, as_of: d("2021-11-25") });
            assert_eq!((v.status, v.credit), (want, credit), "{name}: {v:?}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
        }
    }

    #[test]
    fn index_no_formats() {
        for ok in [
            "11341702486344515H/202110-00013",
            "0142768-8/2022-00185",
            "000014349/2018-00204",
            "11340111MB1234567X / 202108-00001",
        ] {
            assert!(index_no_well_formed(ok), "{ok}");
        }
        for bad in
            ["2021-0001", "11341702486344515H-202110-00013", "索引号", "11341702486344515H/2021", "abc/21-1"]
        {
            assert!(!index_no_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn share_of_complete_pages_per_column() {
        let idx = Some("11340111MB1234567X/202108-00001");
        let s = site(vec![doc(1, idx, None), doc(2, None, None), doc(3, idx, None)], true);
        let mut p = params(false);
        p.per_column = true;
        let v = run("m", &p, &Context { site: &s, as_of: d("2021-11-25") });
        let col = v
            .findings
            .iter()
            .find(|f| f.message.starts_with("“规范性文件”栏目"))
            .expect("per-column finding");
        assert_eq!(col.message, "“规范性文件”栏目：检查3个文件页面，2个公开要素齐全（67%）");
        assert_eq!(col.status, Status::Partial);
        assert!(col.evidence[0].url.ends_with("/gfxwj/"));
    }

    #[test]
    fn a_page_no_list_shows_counts_for_the_column_its_head_names() {
        let idx = Some("11340111MB1234567X/202108-00001");
        let (u, mut f) = doc(7, idx, None);
        f.meta_column = Some("规范性文件".into());
        let s = site(vec![(u, f)], false);
        let mut p = params(false);
        p.per_column = true;
        let v = run("m", &p, &Context { site: &s, as_of: d("2021-11-25") });
        assert!(
            v.findings
                .iter()
                .any(|f| f.message == "“规范性文件”栏目：检查1个文件页面，1个公开要素齐全（100%）"),
            "{v:#?}"
        );
    }

    #[test]
    fn message_names_the_missing_fields() {
        let s = site(vec![doc(3, None, None)], true);
        let v = run("m", &params(true), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.findings[0].message, "《文件3》缺少公开要素：索引号、有效性");
    }
}

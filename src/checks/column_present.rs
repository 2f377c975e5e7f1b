//! `column-present`: named columns exist in the 专栏's navigation and are not blank.
//!
//! **What it checks.** Each listed column (standard name or a synonym) is linked from the navigation,
//! its page opens, and it lists at least `min_entries` entries. A column with no entries, or whose page
//! says only 暂无信息 / 暂无数据, is blank, unless the page explains why it has no content (本单位无…,
//! 不涉及, 说明). With `min_entries: 0` a single-page column (such as the 公开指南 itself) passes when its
//! page opens and is not blank.
//!
//! **Why.** 国办公开办函〔2019〕61号 sets the standard columns of the 政府信息公开 platform (政府信息公开指南,
//! 政府信息公开制度, 法定主动公开内容, 政府信息公开年报); 国办秘函〔2019〕19号 counts blank columns;
//! rubric items common-13 and common-14.
//!
//! **Passes.** The navigation links 政府信息公开年报 → `…/gknb/`, whose list shows 2020年度报告.
//!
//! **Fails.** No navigation link is named like 公开年报 / 年度报告; or the 公开年报 page says only 暂无信息.

use serde::Deserialize;

use super::{ColumnSpec, Context, Verdict, finding};
use crate::findings::{Finding, Status};
use crate::site::{Column, UnitSite};

/// Parameters of `column-present`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The columns required.
    pub columns: Vec<ColumnSpec>,
    /// Fewest entries a column must list (0: the page itself is the content).
    #[serde(default = "default_min_entries")]
    pub min_entries: usize,
    /// Words that alone make a page blank.
    #[serde(default = "default_blank_words")]
    pub blank_words: Vec<String>,
    /// Words by which a page explains why a column has no content.
    #[serde(default = "default_explain_words")]
    pub explain_words: Vec<String>,
    /// Unit kinds the columns are expected of (empty: every kind); 乡镇/街道 add the 第二十一条 ones.
    #[serde(default)]
    pub unit_kinds: Vec<crate::config::UnitKind>,
}

fn default_min_entries() -> usize {
    1
}

pub(crate) fn default_blank_words() -> Vec<String> {
    ["暂无信息", "暂无数据", "暂无内容", "暂无记录", "没有找到相关信息"].map(String::from).to_vec()
}

pub(crate) fn default_explain_words() -> Vec<String> {
    ["本单位无", "本机关无", "不涉及", "暂不涉及", "无此类信息", "说明"].map(String::from).to_vec()
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.columns.is_empty() {
            return Err("`columns` must name at least one column".into());
        }
        Ok(())
    }
}

/// How one column fared.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ColumnState {
    Present,
    Explained,
    Sparse(usize),
    Blank,
    Broken(Option<u16>),
    Unreachable,
    Missing,
}

/// Judges one column found in the navigation.
fn judge(site: &UnitSite, col: &Column, p: &Params) -> ColumnState {
    let Some(page) = site.page(&col.url) else { return ColumnState::Unreachable };
    if !page.record.is_ok() {
        return match page.record.status {
            Some(s @ (404 | 410)) => ColumnState::Broken(Some(s)),
            _ => ColumnState::Unreachable,
        };
    }
    let text = page.facts.as_ref().map(|f| f.text.as_str()).unwrap_or("");
    let explained = p.explain_words.iter().any(|w| text.contains(w.as_str()));
    let says_blank = p.blank_words.iter().any(|w| text.contains(w.as_str()));
    let n = col.entries.len();
    if n >= p.min_entries.max(1) || (p.min_entries == 0 && !says_blank) {
        ColumnState::Present
    } else if explained {
        ColumnState::Explained
    } else if n == 0 {
        ColumnState::Blank
    } else {
        ColumnState::Sparse(n)
    }
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    if !p.unit_kinds.is_empty() && !p.unit_kinds.contains(&site.unit.kind) {
        return Verdict { status: Status::NotApplicable, credit: None, findings: Vec::new() };
    }
    let mut findings: Vec<Finding> = Vec::new();
    let mut earned = 0.0;
    let mut judged = 0usize;
    for spec in &p.columns {
        let col = spec.find(site);
        let state = col.map_or(ColumnState::Missing, |c| judge(site, c, p));
        let (status, credit, message) = match (state, col) {
            (ColumnState::Missing, _) | (_, None) => (
                Status::Fail,
                0.0,
                format!("专栏导航中未找到“{}”栏目（已查找：{}）", spec.name, spec.names().join("、")),
            ),
            (ColumnState::Present, Some(c)) if c.entries.is_empty() => {
                (Status::Pass, 1.0, format!("已设置“{}”栏目（“{}”），栏目页面有内容", spec.name, c.name))
            }
            (ColumnState::Present, Some(c)) => (
                Status::Pass,
                1.0,
                format!("已设置“{}”栏目（“{}”），列有{}条信息", spec.name, c.name, c.entries.len()),
            ),
            (ColumnState::Explained, Some(c)) => {
                (Status::Pass, 1.0, format!("“{}”栏目暂无信息，但页面已说明原因，不视为空白栏目", c.name))
            }
            (ColumnState::Sparse(n), Some(c)) => (
                Status::Partial,
                n as f64 / p.min_entries as f64,
                format!("“{}”栏目仅有{}条信息，少于要求的{}条", c.name, n, p.min_entries),
            ),
            (ColumnState::Blank, Some(c)) => {
                (Status::Fail, 0.0, format!("“{}”栏目为空白栏目（无任何信息，且未说明原因）", c.name))
            }
            (ColumnState::Broken(s), Some(c)) => (
                Status::Fail,
                0.0,
                format!(
                    "“{}”栏目链接无法打开（HTTP {}）",
                    c.name,
                    s.map(|s| s.to_string()).unwrap_or_default()
                ),
            ),
            (ColumnState::Unreachable, Some(c)) => {
                let why = site
                    .page(&c.url)
                    .and_then(|pg| pg.record.error.clone().or(pg.record.status.map(|s| format!("HTTP {s}"))))
                    .unwrap_or_else(|| "未抓取".into());
                findings.push(finding(
                    id,
                    Status::Error,
                    format!("“{}”栏目页面未能读取（{}），无法判定是否空白", c.name, why),
                    site.root_evidence(&format!("导航链接：{} → {}", c.name, c.url)),
                ));
                continue;
            }
        };
        judged += 1;
        earned += credit;
        let evidence = match (state, col) {
            (ColumnState::Missing, _) | (ColumnState::Broken(_), _) | (_, None) => {
                site.root_evidence(&format!("在此页面的导航中查找“{}”", spec.name))
            }
            (_, Some(c)) => {
                let excerpt =
                    c.entries.first().map_or_else(|| c.name.clone(), |e| format!("{}：{}", c.name, e.title));
                site.evidence(&c.url, &excerpt).into_iter().collect()
            }
        };
        findings.push(finding(id, status, message, evidence));
    }
    if judged == 0 {
        return Verdict { status: Status::Error, credit: None, findings };
    }
    Verdict::scored(earned / judged as f64, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};

    const ROOT: &str = "http://gov.test/xxgk/";

    fn params(min_entries: usize) -> Params {
        Params {
            columns: vec![ColumnSpec {
                name: "政府信息公开年报".into(),
                synonyms: vec!["公开年报".into(), "年度报告".into()],
            }],
            min_entries,
            blank_words: default_blank_words(),
            explain_words: default_explain_words(),
            unit_kinds: Vec::new(),
        }
    }

    fn site_with(name: &str, col_page: Option<crate::extract::PageFacts>, failed: Option<u16>) -> UnitSite {
        let col = "http://gov.test/xxgk/gknb/";
        let mut b = SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[(name, col)]));
        if let Some(f) = col_page {
            b = b.page(col, f);
        }
        if let Some(s) = failed {
            b = b.failed(col, Some(s), None);
        }
        b.build()
    }

    #[test]
    fn table() {
        let col = "http://gov.test/xxgk/gknb/";
        let listed = facts_list(
            col,
            vec![entry("2020年度报告", "http://gov.test/xxgk/gknb/1.html", Some("2021-01-20"))],
            &[],
        );
        let cases: Vec<(&str, UnitSite, usize, Status)> = vec![
            ("listed under a synonym", site_with("公开年报", Some(listed.clone()), None), 1, Status::Pass),
            ("not in nav", site_with("工作动态", Some(listed.clone()), None), 1, Status::Fail),
            (
                "only 暂无信息",
                site_with("公开年报", Some(facts_doc(col, "公开年报", "暂无信息")), None),
                1,
                Status::Fail,
            ),
            (
                "explained",
                site_with("公开年报", Some(facts_doc(col, "公开年报", "说明：本单位无此类信息")), None),
                1,
                Status::Pass,
            ),
            (
                "single page column",
                site_with("公开年报", Some(facts_doc(col, "年报", "正文……")), None),
                0,
                Status::Pass,
            ),
            ("sparse", site_with("公开年报", Some(listed.clone()), None), 2, Status::Partial),
            ("404", site_with("公开年报", None, Some(404)), 1, Status::Fail),
            ("timeout is not the unit's fault", site_with("公开年报", None, Some(503)), 1, Status::Error),
        ];
        let _ = d("2021-01-01");
        for (name, site, min, want) in cases {
            let ctx = Context { site: &site, as_of: d("2021-11-25") };
            let v = run("c", &params(min), &ctx);
            assert_eq!(v.status, want, "{name}: {v:?}");
            for f in &v.findings {
                if matches!(f.status, Status::Pass | Status::Partial | Status::Fail) {
                    assert!(!f.evidence.is_empty(), "{name}: finding without evidence");
                }
            }
        }
    }

    #[test]
    fn credit_is_share_of_columns() {
        let col = "http://gov.test/xxgk/gknb/";
        let site = site_with(
            "公开年报",
            Some(facts_list(col, vec![entry("a", "http://gov.test/xxgk/gknb/1.html", None)], &[])),
            None,
        );
        let mut p = params(1);
        p.columns.push(ColumnSpec {
            name: "政府信息公开指南".into(), synonyms: vec!["公开指南".into()]
        });
        let v = run("c", &p, &Context { site: &site, as_of: d("2021-11-25") });
        assert_eq!(v.credit, Some(0.5));
        assert!(v.findings[1].message.contains("未找到“政府信息公开指南”"), "{}", v.findings[1].message);
    }
}

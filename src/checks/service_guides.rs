//! `service-guides`: 办事指南 / 办事一本通 / “办好一件事” documents, each stating the elements a citizen needs.
//!
//! **What it checks.** A guide is an entry of a `columns` column or a document of the unit whose title
//! has a `title_words` word (办事指南, 一本通, 一件事 …). The text of each guide read (at most `max_guides`)
//! is searched for every element (事项名称, 设定依据, 申请条件, 办理材料, 办理地点, 办理时间, 联系电话), each
//! by its words. A guide's credit is the share of elements it states; the check's credit is the mean over
//! the guides read. No guide at all is a fail.
//!
//! **Why.** Rubric item department-04 ("办好一件事", 办事一本通); 《政府网站与政务新媒体检查指标》
//! (国办秘函〔2019〕19号) counts 办事指南 whose 要素 are missing (事项名称, 设定依据, 申请条件, 办理材料,
//! 办理地点, 办理时间, 联系电话 …). Whether the 一本通 is also offered off-line is on-site only.
//!
//! **Passes.** “营业性演出审批办事指南” with all seven headings.
//!
//! **Fails.** No guide; (partial) a guide naming only 办理材料 and 联系电话.

use serde::Deserialize;

use super::doc_match::{doc_text, unit_docs};
use super::{ColumnSpec, Context, Verdict, finding};
use crate::findings::{Finding, Status};
use crate::site::{TitledDoc, canonical_url};

/// An element of a guide and the words that state it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Element {
    /// The element's name.
    pub name: String,
    /// Words stating it.
    pub words: Vec<String>,
}

/// Parameters of `service-guides`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Title words of a guide.
    pub title_words: Vec<String>,
    /// Columns whose entries are guides.
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
    /// The elements every guide states.
    pub elements: Vec<Element>,
    /// At most this many guides are read.
    #[serde(default = "default_max")]
    pub max_guides: usize,
}

fn default_max() -> usize {
    30
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.title_words.is_empty() || self.elements.is_empty() || self.max_guides == 0 {
            return Err("`title_words` and `elements` must not be empty, `max_guides` positive".into());
        }
        if let Some(e) = self.elements.iter().find(|e| e.words.is_empty()) {
            return Err(format!("element `{}` has no words", e.name));
        }
        Ok(())
    }
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let mut guides: Vec<TitledDoc> = Vec::new();
    let mut add = |d: TitledDoc| {
        if !guides.iter().any(|g| canonical_url(&g.url) == canonical_url(&d.url)) {
            guides.push(d);
        }
    };
    for spec in &p.columns {
        if let Some(c) = spec.find(site) {
            for e in &c.entries {
                add(TitledDoc {
                    title: e.title.clone(),
                    url: e.url.clone(),
                    seen_on: c.url.clone(),
                    date: e.date,
                });
            }
        }
    }
    for d in unit_docs(site) {
        if p.title_words.iter().any(|w| d.title.contains(w.as_str())) {
            add(d);
        }
    }
    if guides.is_empty() {
        let ev = site.root_evidence("在专栏中查找办事指南、办事一本通");
        return Verdict::scored(
            0.0,
            vec![finding(id, Status::Fail, "未发现办事指南、办事一本通或“办好一件事”服务信息", ev)],
        );
    }
    let mut findings: Vec<Finding> = Vec::new();
    let mut shares: Vec<f64> = Vec::new();
    for g in guides.iter().take(p.max_guides) {
        let Some(text) = doc_text(site, &g.url) else { continue };
        let missing: Vec<&str> = p
            .elements
            .iter()
            .filter(|e| !e.words.iter().any(|w| text.contains(w.as_str())))
            .map(|e| e.name.as_str())
            .collect();
        let share = 1.0 - missing.len() as f64 / p.elements.len() as f64;
        shares.push(share);
        let ev = site.doc_evidence(g, &g.title);
        if missing.is_empty() {
            findings.push(finding(
                id,
                Status::Pass,
                format!("《{}》要素齐全（{}项）", g.title, p.elements.len()),
                ev,
            ));
        } else {
            let status = if share > 0.0 { Status::Partial } else { Status::Fail };
            findings.push(finding(
                id,
                status,
                format!("《{}》缺少要素：{}", g.title, missing.join("、")),
                ev,
            ));
        }
    }
    if shares.is_empty() {
        let ev = guides.iter().take(3).flat_map(|g| site.doc_evidence(g, &g.title)).collect();
        return Verdict::uncredited(
            id,
            Status::Manual,
            format!("找到{}份办事指南，但页面均未能读取，需人工核实要素", guides.len()),
            ev,
        );
    }
    if guides.len() > p.max_guides {
        let ev = site.doc_evidence(&guides[p.max_guides], &guides[p.max_guides].title);
        findings.push(finding(
            id,
            Status::Pass,
            format!("共{}份办事指南，抽查前{}份", guides.len(), p.max_guides),
            ev,
        ));
    }
    Verdict::scored(shares.iter().sum::<f64>() / shares.len() as f64, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};

    #[test]
    fn elements_of_each_guide() {
        let root = "http://gov.test/xxgk/";
        let col = "http://gov.test/xxgk/bszn/";
        let el = |n: &str, w: &[&str]| Element {
            name: n.into(),
            words: w.iter().map(|s| s.to_string()).collect(),
        };
        let p = Params {
            title_words: vec!["办事指南".into(), "一件事".into()],
            columns: vec![ColumnSpec { name: "办事指南".into(), synonyms: vec![] }],
            elements: vec![
                el("事项名称", &["事项名称"]),
                el("办理材料", &["办理材料", "申请材料"]),
                el("联系电话", &["联系电话", "咨询电话"]),
            ],
            max_guides: 30,
        };
        let full = "事项名称：演出审批 申请材料：申请书 咨询电话：0551-1";
        let half = "事项名称：演出审批";
        let cases: Vec<(&str, Vec<&str>, Status, f64)> = vec![
            ("complete", vec![full], Status::Pass, 1.0),
            (
                "one complete, one with one element of three",
                vec![full, half],
                Status::Partial,
                (1.0 + 1.0 / 3.0) / 2.0,
            ),
            ("none", vec![], Status::Fail, 0.0),
        ];
        for (name, texts, want, credit) in cases {
            let mut b = SiteBuilder::new(root).page(root, facts_nav(root, &[("办事指南", col)]));
            let mut entries = Vec::new();
            for (n, t) in texts.iter().enumerate() {
                let url = format!("http://gov.test/xxgk/bszn/{n}.html");
                entries.push(entry(&format!("第{n}项审批服务"), &url, Some("2024-10-10")));
                b = b.page(&url, facts_doc(&url, "审批服务", t));
            }
            let s = b.page(col, facts_list(col, entries, &[])).build();
            let v = run("g", &p, &Context { site: &s, as_of: d("2025-03-20") });
            assert_eq!(v.status, want, "{name}: {v:#?}");
            assert!((v.credit.unwrap() - credit).abs() < 1e-9, "{name}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
        }
        // A document titled 办好一件事 outside the column counts too; its missing elements are named.
        let doc = "http://gov.test/xxgk/tzgg/9.html";
        let s = SiteBuilder::new(root)
            .page(root, facts_nav(root, &[]))
            .page(doc, facts_doc(doc, "“开办餐饮店一件事”办事指南", "申请材料：营业执照"))
            .build();
        let v = run("g", &p, &Context { site: &s, as_of: d("2025-03-20") });
        assert_eq!(v.status, Status::Partial);
        assert!(v.findings[0].message.contains("缺少要素：事项名称、联系电话"), "{v:#?}");
    }
}

//! `columns-linked`: a column (村（居）务公开) sits inside the 政务公开 专栏 and its content is linked with
//! the unit's 政务公开 documents.
//!
//! **What it checks.** The column must be in the 专栏's column tree (reached from its menu): ½. Its entry
//! pages must link to a document of the unit outside the column, or a document outside it must link to
//! one of its entries (the 居务公开 report that points to the street's 低保 公示): ½.
//!
//! **Why.** Rubric items street-08 ("村（居）务公开与政务公开有效衔接") and street-01 ("县、乡级政务公开与
//! 村（居）务公开有效衔接、相同事项的公开内容对应一致"). The 公开栏 in the 代办中心 is on-site only.
//!
//! **Passes.** 村（居）务公开 in the 专栏 menu; “滨湖社区2025年2月居务公开” links the street's 低保 公示.
//!
//! **Fails.** No 村（居）务公开 column; (½) a column whose entries link nothing of the 专栏.

use serde::Deserialize;

use super::doc_match::unit_docs;
use super::{ColumnSpec, Context, Verdict, finding};
use crate::findings::Status;
use crate::site::canonical_url;

/// Parameters of `columns-linked`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The column.
    pub column: ColumnSpec,
    /// What it must be linked with, for messages (政务公开).
    #[serde(default = "default_other")]
    pub other: String,
}

fn default_other() -> String {
    "政务公开".into()
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let Some(col) = p.column.find(site) else {
        let ev = site.root_evidence(&format!("在专栏导航中查找“{}”", p.column.name));
        let msg = format!("专栏中未设“{}”栏目，无法体现与{}的衔接", p.column.name, p.other);
        return Verdict::scored(0.0, vec![finding(id, Status::Fail, msg, ev)]);
    };
    let mut findings = Vec::new();
    let ev = site.evidence(&col.url, &col.name).into_iter().collect();
    findings.push(finding(
        id,
        Status::Pass,
        format!("“{}”栏目设在{}专栏中，可从专栏导航进入", col.name, p.other),
        ev,
    ));
    let inside: Vec<&str> = col.entries.iter().map(|e| canonical_url(&e.url)).collect();
    let outside: Vec<_> =
        unit_docs(site).into_iter().filter(|d| !inside.contains(&canonical_url(&d.url))).collect();
    let mut link: Option<(String, String, String)> = None;
    'find: for e in &col.entries {
        let Some(f) = site.page(&e.url).and_then(|pg| pg.facts.as_ref()) else { continue };
        for l in &f.links {
            if let Some(d) = outside.iter().find(|d| canonical_url(&d.url) == canonical_url(&l.url)) {
                link = Some((e.url.clone(), e.title.clone(), d.title.clone()));
                break 'find;
            }
        }
    }
    if link.is_none() {
        'back: for d in &outside {
            let Some(f) = site.page(&d.url).and_then(|pg| pg.facts.as_ref()) else { continue };
            for l in &f.links {
                if let Some(e) = col.entries.iter().find(|e| canonical_url(&e.url) == canonical_url(&l.url)) {
                    link = Some((d.url.clone(), d.title.clone(), e.title.clone()));
                    break 'back;
                }
            }
        }
    }
    let credit = match link {
        Some((url, from, to)) => {
            let ev = site.evidence(&url, &format!("《{from}》链接《{to}》")).into_iter().collect();
            findings.push(finding(
                id,
                Status::Pass,
                format!("《{from}》链接了《{to}》，{}与“{}”相互衔接", p.other, col.name),
                ev,
            ));
            1.0
        }
        None => {
            let ev = site.evidence(&col.url, &col.name).into_iter().collect();
            let msg = format!(
                "“{}”栏目的信息与{}专栏的其他信息之间未见相互链接（相同事项未对应衔接）",
                col.name, p.other
            );
            findings.push(finding(id, Status::Partial, msg, ev));
            0.5
        }
    };
    Verdict::scored(credit, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};
    use crate::extract::Link;

    #[test]
    fn column_in_the_menu_and_a_link_across() {
        let root = "http://gov.test/xxgk/";
        let cj = "http://gov.test/xxgk/cjwgk/";
        let tz = "http://gov.test/xxgk/tzgg/";
        let (r, n) = ("http://gov.test/xxgk/cjwgk/1.html", "http://gov.test/xxgk/tzgg/1.html");
        let p = Params {
            column: ColumnSpec {
                name: "村（居）务公开".into(), synonyms: vec!["居务公开".into()]
            },
            other: "政务公开".into(),
        };
        let build = |linked: bool, with_column: bool| {
            let mut report = facts_doc(r, "滨湖社区2月居务公开", "低保发放情况见街道公示。");
            if linked {
                report.links.push(Link { text: "公示".into(), url: n.into() });
            }
            let nav: Vec<(&str, &str)> = if with_column {
                vec![("村（居）务公开", cj), ("通知公告", tz)]
            } else {
                vec![("通知公告", tz)]
            };
            SiteBuilder::new(root)
                .page(root, facts_nav(root, &nav))
                .page(cj, facts_list(cj, vec![entry("滨湖社区2月居务公开", r, Some("2025-03-10"))], &[]))
                .page(tz, facts_list(tz, vec![entry("2月低保资金发放公示", n, Some("2025-03-05"))], &[]))
                .page(r, report)
                .page(n, facts_doc(n, "2月低保资金发放公示", "名单"))
                .build()
        };
        for (name, linked, with_column, want) in [
            ("linked", true, true, Status::Pass),
            ("not linked", false, true, Status::Partial),
            ("no column", true, false, Status::Fail),
        ] {
            let s = build(linked, with_column);
            let v = run("c", &p, &Context { site: &s, as_of: d("2025-03-20") });
            assert_eq!(v.status, want, "{name}: {v:#?}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
        }
    }
}

//! Shared by the kinds that tie one document to another (a 解读 to its policy, a 反馈 to its 意见征集)
//! and that date documents: book-title names (《…》), their normalisation, and a document's date.
//!
//! Not a check kind: helpers only.

use chrono::NaiveDate;

use crate::site::{TitledDoc, UnitSite};

/// Words a consultation draft carries in its name that its final version does not.
const DRAFT_MARKS: &[&str] =
    &["（征求意见稿）", "(征求意见稿)", "征求意见稿", "（草案）", "(草案)", "草案", "（试行）", "(试行)"];

/// The names written between 《 and 》 in a title, normalised (see [`normalize_book`]), longest first.
pub fn book_names(title: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = title;
    while let Some(i) = rest.find('《') {
        let after = &rest[i + '《'.len_utf8()..];
        let Some(j) = after.find('》') else { break };
        let name = normalize_book(&after[..j]);
        if name.chars().count() >= 4 && !out.contains(&name) {
            out.push(name);
        }
        rest = &after[j + '》'.len_utf8()..];
    }
    out.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    out
}

/// A document name without draft marks, brackets' width differences and spaces: the 征求意见稿 and the
/// final text, or a 解读 and its document, then compare equal.
pub fn normalize_book(name: &str) -> String {
    let mut s: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    for m in DRAFT_MARKS {
        s = s.replace(m, "");
    }
    s.replace('(', "（").replace(')', "）")
}

/// Whether two titles name the same document: a shared 《…》 name.
pub fn same_book(a: &str, b: &str) -> bool {
    if !a.contains('《') || !b.contains('《') {
        return false;
    }
    let nb = book_names(b);
    book_names(a).iter().any(|n| nb.contains(n))
}

/// A document's date: the metadata table's 发布日期, else the page's publication date, else the date its
/// list entry showed.
pub fn doc_date(site: &UnitSite, doc: &TitledDoc) -> Option<NaiveDate> {
    site.page(&doc.url)
        .and_then(|p| p.facts.as_ref())
        .and_then(|f| f.fields.publish_date.or(f.publish_date))
        .or(doc.date)
}

/// The visible text of a document's page, when it was fetched and read (HTML or attachment text).
pub fn doc_text<'s>(site: &'s UnitSite, url: &str) -> Option<&'s str> {
    let p = site.page(url)?;
    match (&p.facts, &p.attachment_text) {
        (Some(f), _) => Some(f.text.as_str()),
        (None, Some(t)) => Some(t.as_str()),
        _ => None,
    }
}

/// Documents of the unit, one per URL (the first title seen for it), with list pages left out.
pub fn unit_docs(site: &UnitSite) -> Vec<TitledDoc> {
    let mut seen = std::collections::HashSet::new();
    site.titled_docs()
        .iter()
        .filter(|d| site.is_in_scope(&d.url))
        .filter(|d| !site.is_list_page(&d.url))
        .filter(|d| seen.insert(crate::site::canonical_url(&d.url).to_string()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_draft_and_final() {
        assert_eq!(
            book_names("关于《某街道公共收益管理办法（试行）（征求意见稿）》公开征求意见的公告"),
            ["某街道公共收益管理办法"]
        );
        assert!(same_book(
            "关于《某街道公共收益管理办法（征求意见稿）》意见采纳情况的反馈",
            "关于《某街道公共收益管理办法(征求意见稿)》公开征求意见的公告"
        ));
        assert!(same_book("一图读懂《某区助餐办法》", "关于印发《某区助餐办法》的通知"));
        assert!(!same_book("《某区助餐办法》解读", "关于印发《某区网格办法》的通知"));
        assert!(book_names("无书名号的标题").is_empty());
        assert!(book_names("《办法》").is_empty(), "a name this short is no evidence");
    }
}

//! Tests of the site model (`src/site.rs`), kept beside the check kinds' tests and test kit.

use super::*;
use crate::checks::testkit::{SiteBuilder, entry, facts_list, facts_nav};

const ROOT: &str = "http://gov.test/bgjd/xxgk/";

fn sample() -> UnitSite {
    SiteBuilder::new(ROOT)
        .page(
            ROOT,
            facts_nav(
                ROOT,
                &[
                    ("首页", ROOT),
                    ("政府信息公开指南", "http://gov.test/bgjd/xxgk/gkzn/"),
                    ("工作动态", "http://gov.test/bgjd/xxgk/gzdt/"),
                    ("省政府", "http://other.test/"),
                ],
            ),
        )
        .page(
            "http://gov.test/bgjd/xxgk/gzdt/",
            facts_list(
                "http://gov.test/bgjd/xxgk/gzdt/",
                vec![entry("旧闻", "http://gov.test/bgjd/xxgk/gzdt/a.html", Some("2021-01-02"))],
                &["http://gov.test/bgjd/xxgk/gzdt/index_1.html"],
            ),
        )
        .page(
            "http://gov.test/bgjd/xxgk/gzdt/index_1.html",
            facts_list(
                "http://gov.test/bgjd/xxgk/gzdt/index_1.html",
                vec![
                    entry("新闻", "http://gov.test/bgjd/xxgk/gzdt/b.html", Some("2021-11-02")),
                    entry("无日期", "http://gov.test/bgjd/xxgk/gzdt/c.html", None),
                    entry("旧闻", "http://gov.test/bgjd/xxgk/gzdt/a.html", Some("2021-01-02")),
                ],
                &["http://gov.test/bgjd/xxgk/gzdt/"],
            ),
        )
        .build()
}

#[test]
fn columns_come_from_in_scope_nav_links_only() {
    let site = sample();
    let names: Vec<&str> = site.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["政府信息公开指南", "工作动态"]);
    assert!(!site.columns[0].fetched);
    assert!(site.columns[1].fetched);
}

#[test]
fn entries_span_paging_deduped_newest_first() {
    let site = sample();
    let col = &site.columns[1];
    let titles: Vec<&str> = col.entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["新闻", "旧闻", "无日期"]);
    assert_eq!(col.list_pages.len(), 2);
}

#[test]
fn find_column_prefers_exact_then_contains() {
    let site = sample();
    let found = site.find_column(&["公开指南".to_string()]).map(|c| c.name.as_str());
    assert_eq!(found, Some("政府信息公开指南"));
    assert!(site.find_column(&["政府信息公开年报".to_string()]).is_none());
}

#[test]
fn scope_is_host_and_root_directory() {
    let site = sample();
    assert!(site.is_in_scope("http://gov.test/bgjd/xxgk/a/b.html"));
    assert!(!site.is_in_scope("http://gov.test/other/"));
    assert!(!site.is_in_scope("https://gov.test/bgjd/xxgk/"));
}

#[test]
fn evidence_needs_a_fetched_body() {
    let site = sample();
    assert!(site.evidence(ROOT, "x").is_some());
    assert!(site.evidence("http://gov.test/bgjd/xxgk/gkzn/", "x").is_none());
}

#[test]
fn build_reads_html_records_and_sniffs_untyped_bodies() {
    let unit = SiteBuilder::new(ROOT).unit();
    let mut rec = crate::checks::testkit::record(ROOT, Some(200), None);
    rec.content_type = None;
    rec.body = "<html><head><title>信息公开</title></head><body>正文</body></html>".into();
    let mut pdf = crate::checks::testkit::record("http://gov.test/bgjd/xxgk/a.pdf", Some(200), None);
    pdf.content_type = Some("application/pdf".into());
    pdf.body = b"%PDF-1.4".to_vec();
    let site = UnitSite::build(&unit, vec![rec, pdf]);
    assert_eq!(site.pages[0].facts.as_ref().and_then(|f| f.title.as_deref()), Some("信息公开"));
    assert!(site.pages[1].facts.is_none());
    assert!(site.root_failure().is_none());
}

#[test]
fn index_file_and_directory_urls_are_one_page() {
    assert_eq!(canonical_url("http://a.cn/x/index.html"), "http://a.cn/x/");
    assert_eq!(canonical_url("http://a.cn/x/myindex.html"), "http://a.cn/x/myindex.html");
    use crate::site::slash_twin;
    assert_eq!(slash_twin("http://a.cn/x/").as_deref(), Some("http://a.cn/x"));
    assert_eq!(slash_twin("http://a.cn/x").as_deref(), Some("http://a.cn/x/"));
    assert_eq!(slash_twin("http://a.cn/"), None);
    assert_eq!(slash_twin("http://a.cn/x/a.html"), None);
    assert_eq!(slash_twin("http://a.cn/x?p=1"), None);
    let root_index = "http://gov.test/bgjd/xxgk/index.html";
    let site = SiteBuilder::new(ROOT)
        .page(
            ROOT,
            facts_nav(
                ROOT,
                &[
                    ("信息公开", root_index),
                    ("工作动态", "http://gov.test/bgjd/xxgk/gzdt/"),
                    ("工作动态", "http://gov.test/bgjd/xxgk/gzdt/index.html"),
                ],
            ),
        )
        .page("http://gov.test/bgjd/xxgk/gzdt/index.html", facts_list("x", vec![], &[]))
        .build();
    let names: Vec<&str> = site.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["工作动态"], "the root under another URL is not a column");
    assert!(site.columns[0].fetched);
    assert!(site.page(root_index).is_some());
}

#[test]
fn unreadable_root_explains_itself() {
    let site = SiteBuilder::new(ROOT).failed(ROOT, None, Some("dns error")).build();
    let why = site.root_failure().unwrap();
    assert!(why.contains("dns error"), "{why}");
}

/// The column tree: sub-menus of a column page, a breadcrumb naming the parent, a URL under another
/// column's directory, a list in an iframe, and a single-page column's 更新日期.
#[test]
fn column_tree_from_sub_menus_breadcrumbs_paths_and_frames() {
    let u = |p: &str| format!("{ROOT}{p}");
    let mut zdly = facts_nav(&u("zdly/"), &[("财政预决算", &u("zdly/czyjs/")), ("疫情防控", &u("yqfk/"))]);
    zdly.breadcrumb = vec!["首页".into(), "重点领域".into()];
    let mut yqfk = facts_nav(&u("yqfk/"), &[]);
    yqfk.breadcrumb = vec!["首页".into(), "重点领域".into(), "疫情防控".into()];
    yqfk.frames = vec![u("yqfk/list.html")];
    let mut jg = crate::checks::testkit::facts_doc(&u("fdzdgknr/jgzn/"), "机构职能", "职能……");
    jg.updated_date = Some(crate::checks::testkit::d("2021-03-01"));
    let site = SiteBuilder::new(ROOT)
        .page(
            ROOT,
            facts_nav(
                ROOT,
                &[
                    ("重点领域", &u("zdly/")),
                    ("法定主动公开内容", &u("fdzdgknr/")),
                    ("机构职能", &u("fdzdgknr/jgzn/")),
                ],
            ),
        )
        .page(&u("zdly/"), zdly)
        .page(&u("yqfk/"), yqfk)
        .page(
            &u("yqfk/list.html"),
            facts_list(
                &u("yqfk/list.html"),
                vec![entry("防控通告", &u("yqfk/1.html"), Some("2021-05-01"))],
                &[],
            ),
        )
        .page(&u("fdzdgknr/"), facts_nav(&u("fdzdgknr/"), &[]))
        .page(&u("fdzdgknr/jgzn/"), jg)
        .build();
    let col = |name: &str| site.columns.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name}"));
    // A sub-menu of a column page.
    assert_eq!(
        (col("财政预决算").level, col("财政预决算").parent.as_deref()),
        (2, Some(u("zdly/").as_str()))
    );
    // Linked from 重点领域 and its breadcrumb agrees; its list is in an iframe.
    assert_eq!(col("疫情防控").parent.as_deref(), Some(u("zdly/").as_str()));
    assert_eq!(col("疫情防控").entries.len(), 1);
    assert_eq!(col("疫情防控").newest(), Some(crate::checks::testkit::d("2021-05-01")));
    // Linked from the entry page, but its URL sits under 法定主动公开内容.
    assert_eq!(
        (col("机构职能").level, col("机构职能").parent.as_deref()),
        (2, Some(u("fdzdgknr/").as_str()))
    );
    assert_eq!(col("机构职能").newest(), Some(crate::checks::testkit::d("2021-03-01")));
    assert_eq!(site.children(&u("zdly/")).len(), 2);
    assert_eq!(col("重点领域").level, 1);
}

/// An attachment whose bytes hash to a known text is not read again; one read now is handed back to
/// keep, unless its result would not last (a missing tool, a timeout).
#[test]
fn attachment_texts_are_reused_by_hash_and_new_ones_handed_back() {
    use crate::attachments::{AttachmentNote, AttachmentText, Format};
    use crate::checks::testkit::record;
    let unit = SiteBuilder::new(ROOT).unit();
    use sha2::Digest;
    let attachment = |url: &str, body: &[u8]| {
        let mut r = record(url, Some(200), None);
        r.kind = FetchKind::Attachment;
        r.content_type = Some("application/octet-stream".into());
        r.body = body.to_vec();
        // Not what the text is looked up by: the same (wrong) hash for both files here.
        r.sha256 = Some("0".repeat(64));
        r
    };
    let (seen, unseen) = (b"a file read on an earlier run".as_slice(), b"a file never seen".as_slice());
    let hash = |b: &[u8]| hex::encode(sha2::Sha256::digest(b));
    let known = AttachmentText { format: Format::Pdf, text: "已读过的文本".into(), note: None };
    let mut texts =
        AttachmentTexts::known([(hash(seen), serde_json::to_vec(&known).unwrap())].into_iter().collect());
    let a = "http://gov.test/bgjd/xxgk/a.pdf";
    let b = "http://gov.test/bgjd/xxgk/b.bin";
    let site = UnitSite::build_with_facts(
        &unit,
        vec![attachment(a, seen), attachment(b, unseen)],
        HashMap::new(),
        HashMap::new(),
        &mut texts,
    );
    assert_eq!(site.page(a).unwrap().attachment_text.as_deref(), Some("已读过的文本"), "the kept text");
    assert_eq!(site.page(b).unwrap().attachment_note, Some(AttachmentNote::Unsupported), "read now");
    let read: Vec<&str> = texts.read.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(read, [hash(unseen)], "only what was read now is handed back, by the hash of its bytes");
    // A text holding a personal number is read, but not handed back to be kept.
    let mut fresh = AttachmentTexts::default();
    let mut docx = attachment("http://gov.test/bgjd/xxgk/c.docx", b"");
    docx.body = {
        // A DOCX whose text carries a resident ID number.
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(
            &mut z,
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>身份证号340111198506123411</w:t></w:r></w:p></w:body></w:document>"#
                .as_bytes(),
        )
        .unwrap();
        z.finish().unwrap().into_inner()
    };
    let with_id = UnitSite::build_with_facts(&unit, vec![docx], HashMap::new(), HashMap::new(), &mut fresh);
    assert!(with_id.pages[0].attachment_text.as_deref().unwrap().contains("340111198506123411"));
    assert!(fresh.read.is_empty(), "a text with a personal number is not kept");
    let back: AttachmentText = serde_json::from_slice(&texts.read[0].1).unwrap();
    assert_eq!(back.note, Some(AttachmentNote::Unsupported));
    // Results another run might not repeat are not kept.
    for note in [
        AttachmentNote::Timeout,
        AttachmentNote::ToolMissing("pdftotext".into()),
        AttachmentNote::LocalError("No space left on device".into()),
    ] {
        let got = AttachmentText { format: Format::Pdf, text: String::new(), note: Some(note) };
        assert!(!got.is_lasting(), "{got:?}");
    }
}

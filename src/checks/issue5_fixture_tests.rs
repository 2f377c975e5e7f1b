//! The issue-5 kinds on whole fixture pages (real GBK bytes, real markup) through the extractors, not on
//! hand-set facts: what an audit of such a page would find.

use encoding_rs::GBK;
use url::Url;

use super::testkit::{SiteBuilder, d, entry, facts_list, facts_nav};
use super::{Context, consultations, fund_tables};
use crate::extract::extract_page;
use crate::findings::Status;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/extract/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

#[test]
fn a_gbk_subsidy_table_by_village_group_and_household_with_masked_ids_passes() {
    let bytes = fixture("fund_table_gbk.html");
    let (html, _, bad) = GBK.decode(&bytes);
    assert!(!bad, "the fixture is valid GBK");
    let url = "http://gov.test/zwgk/cwgk/202502/t20250206_1.html";
    let facts = extract_page(&Url::parse(url).unwrap(), &html);
    assert_eq!(
        facts.table_headers.len(),
        1,
        "the layout table of the footer is chrome: {:?}",
        facts.table_headers
    );
    assert_eq!(
        facts.table_headers[0],
        ["序号", "村（居）", "村民组", "户主姓名", "身份证号码", "补贴金额（元）"]
    );
    let title = facts.title.clone().unwrap();
    assert!(title.contains("补贴资金发放公示"), "{title}");
    let root = "http://gov.test/zwgk/";
    let col = "http://gov.test/zwgk/cwgk/";
    let s = SiteBuilder::new(root)
        .page(root, facts_nav(root, &[("村务公开", col)]))
        .page(col, facts_list(col, vec![entry(&title, url, Some("2025-02-06"))], &[]))
        .page(url, facts)
        .build();
    let p: fund_tables::Params = crate::yaml::parse(
        std::path::Path::new("p.yaml"),
        "title_words: [资金, 补贴]\namount_words: [金额, 元]\nlevels:\n  - {name: 项目, words: [项目]}\n  - {name: 村组, words: [村, 组]}\n  - {name: 户, words: [户主, 姓名]}\n",
    )
    .unwrap();
    let v = fund_tables::run("f", &p, &Context { site: &s, as_of: d("2025-03-20") });
    assert_eq!(v.status, Status::Pass, "{v:#?}");
    assert!(v.findings[0].message.contains("公开到村组、户"), "{v:#?}");
}

#[test]
fn a_deadline_only_window_counts_from_the_publication_date() {
    let html = String::from_utf8(fixture("consultation_deadline.html")).unwrap();
    let url = "http://gov.test/zwgk/tzgg/202410/t20241028_9.html";
    let facts = extract_page(&Url::parse(url).unwrap(), &html);
    assert_eq!(facts.publish_date, Some(d("2024-10-28")));
    let w = consultations::window(&facts.text, facts.publish_date).expect("a window");
    assert_eq!((w.start, w.end), (d("2024-10-28"), d("2024-11-14")));
    let title = facts.title.clone().unwrap();
    let root = "http://gov.test/zwgk/";
    let col = "http://gov.test/zwgk/tzgg/";
    let s = SiteBuilder::new(root)
        .page(root, facts_nav(root, &[("通知公告", col)]))
        .page(col, facts_list(col, vec![entry(&title, url, Some("2024-10-28"))], &[]))
        .page(url, facts)
        .build();
    let p: consultations::Params =
        crate::yaml::parse(std::path::Path::new("p.yaml"), "min_working_days: 7\n").unwrap();
    let v = consultations::run("c", &p, &Context { site: &s, as_of: d("2025-03-20") });
    // 14 working days is long enough; no 采纳情况 after it closed: half the credit.
    assert_eq!(v.status, Status::Partial, "{v:#?}");
    assert!(v.findings[0].message.contains("共14个工作日"), "{v:#?}");
    assert!(v.findings[0].message.contains("未找到意见采纳情况反馈"), "{v:#?}");
}

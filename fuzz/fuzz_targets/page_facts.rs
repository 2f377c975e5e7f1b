//! The whole page-facts extraction a crawled response goes through: bytes → decoding (BOM, HTTP charset,
//! `<meta charset>`, detection) → every extractor → the `inspect` JSON.
//!
//! Input: byte 0 picks the Content-Type header, byte 1 the page URL, the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use url::Url;
use zwgk_audit::crawl::decode::decode;
use zwgk_audit::extract::extract_page;

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("text/html"),
    Some("text/html; charset=utf-8"),
    Some("text/html; charset=GBK"),
    Some("text/html;charset=gb2312"),
    Some("text/html; charset=\"big5\""),
    Some("text/plain"),
    Some("text/html; charset=utf-16le"),
];

const URLS: &[&str] = &[
    "https://www.example.gov.cn/xxgk/index.html",
    "http://127.0.0.1:8080/bgjd/xxgk/gzdt/",
    "https://zwgk.example.gov.cn/public/column/4974?type=4&action=list&nav=3&sub=&catId=6719431",
    "http://example.gov.cn/content/1/2002/post_1.html#top",
];

fuzz_target!(|data: &[u8]| {
    let [ct, u, body @ ..] = data else { return };
    let content_type = CONTENT_TYPES[*ct as usize % CONTENT_TYPES.len()];
    let url = Url::parse(URLS[*u as usize % URLS.len()]).expect("static URL");
    let decoded = decode(body, content_type);
    let facts = extract_page(&url, &decoded.text);
    for link in facts.links.iter().chain(&facts.attachments).chain(&facts.nav) {
        assert!(Url::parse(&link.url).is_ok(), "link URL does not parse: {:?}", link.url);
    }
    for entry in &facts.list_entries {
        assert!(Url::parse(&entry.url).is_ok(), "entry URL does not parse: {:?}", entry.url);
    }
    serde_json::to_string(&facts).expect("facts serialise");
});

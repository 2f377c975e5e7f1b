//! The plain-page parser against html5ever: whenever `extract::plain_html::parse` takes a page, its tree
//! must be the one html5ever builds, node for node.
//!
//! Input: a page as UTF-8 (other bytes are skipped: pages reach the parsers decoded).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zwgk_audit::extract::{parse_with_html5ever, plain_html};

fuzz_target!(|data: &[u8]| {
    let Ok(html) = std::str::from_utf8(data) else { return };
    if let Some(plain) = plain_html::parse(html, 16) {
        let reference = parse_with_html5ever(html);
        if let Some(diff) = plain_html::first_difference(&plain, &reference) {
            panic!("plain_html and html5ever differ: {diff}");
        }
    }
});

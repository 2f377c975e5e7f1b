//! The 信息公开 metadata-table reader over the page's visible lines (one input line = one line of the page).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zwgk_audit::extract::metadata::metadata;
use zwgk_audit::extract::text::Line;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let lines: Vec<Line> = s.split('\n').map(|t| Line { text: t.to_string() }).collect();
    let m = metadata(&lines);
    let f = &m.fields;
    for v in [&f.index_no, &f.category, &f.publisher, &f.doc_no, &f.validity, &f.keywords, &m.title]
        .into_iter()
        .flatten()
    {
        assert!(!v.trim().is_empty(), "an empty value was kept: {v:?}");
    }
});

//! The 年报 reader over an attachment's plain text (`pdftotext -layout` output, DOCX text with tabs): the
//! first line stands for the title (link text or file name), the rest for the text, as `inspect` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zwgk_audit::extract::annual_report_text::annual_report_from_text;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let (title, text) = s.split_once('\n').unwrap_or(("", s));
    let title = Some(title).filter(|t| !t.is_empty());
    if let Some(report) = annual_report_from_text(title, text) {
        if let Some(a) = &report.applications {
            assert!(a.rows.values().all(|r| r.len() == 7), "a table 三 row without 7 cells: {a:?}");
        }
        serde_json::to_string(&report).expect("report serialises");
    }
    // The whole text as its own title (no separate title line).
    let _ = annual_report_from_text(None, s);
});

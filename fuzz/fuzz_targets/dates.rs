//! The one date parser of the crate, the list-cell date test and digit normalisation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zwgk_audit::extract::dates::{is_bare_date, normalize_digits, parse_date};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let date = parse_date(s);
    let bare = is_bare_date(s);
    // A bare date is a date.
    assert!(!bare || date.is_some(), "is_bare_date without a parsable date: {s:?}");
    let n = normalize_digits(s);
    assert_eq!(n.chars().count(), s.chars().count(), "normalisation changed the character count");
    if let Some(d) = date {
        // A date the parser returned reads back as itself in the canonical form.
        let canonical = d.format("%Y-%m-%d").to_string();
        assert_eq!(parse_date(&canonical), Some(d), "{s:?} gave {canonical}, which does not parse back");
    }
});

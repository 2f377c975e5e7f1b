//! The check-declaration loader (schema, kind-selected params, validation) and the rubric loader, both on
//! the same text: each must give a value or a `YamlError` that names a line inside the text.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use zwgk_audit::checks::CheckSet;
use zwgk_audit::rubric::Rubric;

/// Lines as YAML counts them (LF, CR and CRLF each end one; `str::lines` takes a lone CR for text), plus
/// one for an error at the very end.
fn yaml_lines(text: &str) -> usize {
    text.replace("\r\n", "\n").chars().filter(|&c| c == '\n' || c == '\r').count() + 2
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("checks/fuzz.yaml");
    let lines = yaml_lines(text);
    if let Err(e) = CheckSet::parse_file(path, text) {
        assert!(e.line.is_none_or(|l| l <= lines), "line {:?} beyond the text's {lines} lines: {e}", e.line);
    }
    if let Err(e) = Rubric::parse(Path::new("checks/rubric.yaml"), text) {
        assert!(e.line.is_none_or(|l| l <= lines), "line {:?} beyond the text's {lines} lines: {e}", e.line);
    }
});

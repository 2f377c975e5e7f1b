//! The units-file loader: YAML → validated units and settings, or a `YamlError` naming a line in the text.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use zwgk_audit::config::UnitsConfig;

/// Lines as YAML counts them (LF, CR and CRLF each end one; `str::lines` takes a lone CR for text), plus
/// one for an error at the very end.
fn yaml_lines(text: &str) -> usize {
    text.replace("\r\n", "\n").chars().filter(|&c| c == '\n' || c == '\r').count() + 2
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines = yaml_lines(text);
    match UnitsConfig::parse(Path::new("units.yaml"), text) {
        Ok(config) => assert!(!config.units.is_empty(), "a units file without units was accepted"),
        Err(e) => {
            assert!(
                e.line.is_none_or(|l| l <= lines),
                "line {:?} beyond the text's {lines} lines: {e}",
                e.line
            )
        }
    }
});

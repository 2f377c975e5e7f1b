//! Reading YAML files into typed structs, with errors that name the file and the line.
//!
//! Every YAML input (the units file, the rubric, the check declarations) goes through [`load`], so
//! they share the same resource budget (no alias bombs, no unbounded nesting) and the same error form.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// A YAML file that could not be read or does not fit its schema.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct YamlError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// What is wrong, in English (the parser's words).
    pub message: String,
}

impl YamlError {
    /// An error about a file at a known line, raised by validation after parsing.
    pub fn at(path: &Path, line: Option<usize>, message: impl Into<String>) -> YamlError {
        YamlError { path: path.to_path_buf(), line, message: message.into() }
    }
}

/// The largest YAML file read: the real ones are a few hundred kilobytes at most, and a bigger one is a
/// mistake or an attack, refused before it is read into memory.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// The parser's resource budget, shared by every YAML input. saphyr's defaults are meant for any
/// document; configuration needs far less, and a tighter budget fails a hostile file sooner.
fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 500_000;
    budget.max_nodes = 250_000;
    budget.max_depth = 64;
    budget.max_documents = 1;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_recorded_anchor_events = 100_000;
    budget.max_recorded_anchor_bytes = 4 * 1024 * 1024;
    budget.max_total_scalar_bytes = MAX_FILE_BYTES as usize;
    budget.max_merge_keys = 1_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// Reads a YAML file as text, refusing one larger than [`MAX_FILE_BYTES`] before reading it.
pub fn read(path: &Path) -> Result<String, YamlError> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).map_err(|e| YamlError::at(path, None, format!("cannot read: {e}")))?;
    let mut text = String::new();
    // Read one byte past the limit, so a file that grows while read is caught too.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| YamlError::at(path, None, format!("cannot read: {e}")))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(YamlError::at(
            path,
            None,
            format!("file is larger than {} MiB; refused", MAX_FILE_BYTES / (1024 * 1024)),
        ));
    }
    Ok(text)
}

/// Parses YAML text that came from `path` into `T`.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options::<T>(text, options()).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize);
        // The first line of saphyr's message is the summary; the rest is a source snippet.
        let full = e.to_string();
        let first = full.lines().next().unwrap_or("invalid YAML").to_string();
        let message = first
            .strip_prefix("error: ")
            .map(|s| match s.split_once(": ") {
                Some((pos, rest)) if pos.starts_with("line ") => rest.to_string(),
                _ => s.to_string(),
            })
            .unwrap_or(first);
        YamlError { path: path.to_path_buf(), line, message }
    })
}

/// Reads and parses a YAML file into `T`.
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<T, YamlError> {
    let text = read(path)?;
    parse(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        name: String,
        count: u32,
    }

    #[test]
    fn error_names_file_and_line() {
        let err = parse::<Doc>(Path::new("x.yaml"), "name: a\ncount: many\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        let shown = err.to_string();
        assert!(shown.starts_with("x.yaml:2: "), "{shown}");
    }

    /// A "billion laughs" document: each level a list of ten aliases of the level below.
    fn billion_laughs(levels: usize) -> String {
        let mut s = String::from("a0: &a0 [lol]\n");
        for i in 1..=levels {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        s
    }

    #[test]
    fn an_alias_bomb_breaches_the_budget_quickly() {
        // `IgnoredAny` accepts any shape, so only the budget can stop the expansion (10^9 nodes).
        let started = std::time::Instant::now();
        let err = parse::<serde::de::IgnoredAny>(Path::new("bomb.yaml"), &billion_laughs(9)).unwrap_err();
        assert!(err.message.contains("budget"), "{err}");
        assert!(err.to_string().starts_with("bomb.yaml"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse::<serde::de::IgnoredAny>(Path::new("deep.yaml"), &text).unwrap_err();
        assert!(err.to_string().starts_with("deep.yaml"), "{err}");
        let text =
            format!("x:\n{}", (1..=200).map(|i| format!("{}- \n", " ".repeat(2 * i))).collect::<String>());
        assert!(parse::<serde::de::IgnoredAny>(Path::new("deep.yaml"), &text).is_err());
    }

    #[test]
    fn a_small_alias_use_still_parses() {
        let text = "base: &b {name: a, count: 1}\nother: *b\n";
        assert!(parse::<serde::de::IgnoredAny>(Path::new("ok.yaml"), text).is_ok());
    }

    #[test]
    fn an_oversized_file_is_refused_before_parsing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        std::fs::write(&path, "#".repeat(MAX_FILE_BYTES as usize + 10)).unwrap();
        let err = read(&path).unwrap_err();
        assert!(err.to_string().contains("big.yaml") && err.message.contains("larger"), "{err}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let err = parse::<Doc>(Path::new("y.yaml"), "name: a\ncount: 1\ncolour: red\n").unwrap_err();
        assert!(err.message.contains("colour"), "{}", err.message);
    }
}

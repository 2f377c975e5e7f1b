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

/// Parses YAML text that came from `path` into `T`.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
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
    let text =
        std::fs::read_to_string(path).map_err(|e| YamlError::at(path, None, format!("cannot read: {e}")))?;
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

    #[test]
    fn unknown_field_is_rejected() {
        let err = parse::<Doc>(Path::new("y.yaml"), "name: a\ncount: 1\ncolour: red\n").unwrap_err();
        assert!(err.message.contains("colour"), "{}", err.message);
    }
}

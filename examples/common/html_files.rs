//! The HTML files of a folder tree, shared by the examples that read whole sites.

use std::path::{Path, PathBuf};

/// Appends the HTML files under `dir` (`.html`, `.htm`, `.shtml`) to `out`, sorted by path.
pub fn html_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            html_files(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "html" || e == "htm" || e == "shtml") {
            out.push(p);
        }
    }
    Ok(())
}

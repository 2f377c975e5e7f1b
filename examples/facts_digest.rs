//! Prints, for every HTML file under the given folders, the SHA-256 of what the extractors read from it
//! (the facts as JSON, a NUL byte and the visible text), one line per file in path order:
//!
//! ```sh
//! cargo run --release --example facts_digest -- fixtures /path/to/bench/site > new.txt
//! ```
//!
//! Run it with two builds and `diff` the outputs: a change meant only to make extraction faster must
//! leave every line as it was. `FULL=1` prints the facts themselves instead of their hash. Each file is
//! read as the page `http://127.0.0.1/<path under its folder>`, its charset found as the crawler finds
//! it (a `text/html` header without one, then the markup).

use std::io::Write;
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use url::Url;
use zwgk_audit::crawl::decode::decode;
use zwgk_audit::extract::extract_page;

#[path = "common/html_files.rs"]
mod html_files;
use html_files::html_files;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dirs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        return Err("usage: facts_digest DIR [DIR ...]".into());
    }
    let full = std::env::var_os("FULL").is_some();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let started = std::time::Instant::now();
    let mut count = 0usize;
    for dir in &dirs {
        let mut files = Vec::new();
        html_files(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
        for file in files {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let rel = file.strip_prefix(dir)?.to_string_lossy().replace('\\', "/");
            let url = Url::parse("http://127.0.0.1/")?.join(&rel)?;
            let facts = extract_page(&url, &decode(&bytes, Some("text/html")).text);
            let mut kept = serde_json::to_vec(&facts)?;
            kept.push(0);
            kept.extend_from_slice(facts.text.as_bytes());
            if full {
                writeln!(out, "{}\t{}", file.display(), String::from_utf8_lossy(&kept))?;
            } else {
                writeln!(out, "{}\t{:x}", file.display(), Sha256::digest(&kept))?;
            }
            count += 1;
        }
    }
    out.flush()?;
    eprintln!("{count} files in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

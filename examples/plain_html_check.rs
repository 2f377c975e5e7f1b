//! Checks the plain-page parser against html5ever on every HTML file under the given folders:
//!
//! ```sh
//! cargo run --release --example plain_html_check -- fixtures /path/to/bench/site
//! ```
//!
//! For each page (decoded as the crawler decodes it, its nesting bounded as before any parse) it prints
//! nothing when `extract::plain_html::parse` gives up or builds html5ever's tree, and the first
//! difference otherwise; then how many pages the parser took and the time each parser spent on those.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use zwgk_audit::crawl::decode::decode;
use zwgk_audit::extract::{depth, parse_with_html5ever, plain_html, presized_nodes};

#[path = "common/html_files.rs"]
mod html_files;
use html_files::html_files;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dirs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        return Err("usage: plain_html_check DIR [DIR ...]".into());
    }
    let (mut pages, mut taken, mut differing) = (0usize, 0usize, 0usize);
    let (mut plain_time, mut html5ever_time) = (Duration::ZERO, Duration::ZERO);
    for dir in &dirs {
        let mut files = Vec::new();
        html_files(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
        for file in files {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let text = decode(&bytes, Some("text/html")).text;
            let html = depth::bounded_nesting(&text);
            pages += 1;
            let started = Instant::now();
            let plain = plain_html::parse(&html, presized_nodes(&html));
            let plain_spent = started.elapsed();
            let Some(plain) = plain else {
                if std::env::var_os("GAVE_UP").is_some() {
                    println!("gave up: {}", file.display());
                }
                continue;
            };
            taken += 1;
            let started = Instant::now();
            let reference = parse_with_html5ever(&html);
            html5ever_time += started.elapsed();
            plain_time += plain_spent;
            if let Some(diff) = plain_html::first_difference(&plain, &reference) {
                differing += 1;
                println!("{}: {diff}", file.display());
            }
        }
    }
    println!(
        "{pages} pages, {taken} parsed by plain_html ({differing} differing from html5ever); on those, plain_html {:.1} ms, html5ever {:.1} ms",
        plain_time.as_secs_f64() * 1e3,
        html5ever_time.as_secs_f64() * 1e3
    );
    Ok(())
}

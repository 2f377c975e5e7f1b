//! Command-line definitions (clap) only; behaviour lives in the library modules.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Audits 政府信息公开专栏 the way an inspector does during 网上测评.
#[derive(Debug, Parser)]
#[command(name = "zwgk-audit", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of CONTRACT.md.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the bundled demo site on 127.0.0.1 and audit it end to end (no network needed).
    Demo {
        /// Where to write the reports.
        #[arg(long, default_value = "out")]
        out: PathBuf,
    },
    /// Crawl every unit, run the checks, score, and write the reports.
    Audit {
        /// The units file (YAML).
        #[arg(long)]
        units: PathBuf,
        /// The directory of check declarations and rubric.yaml.
        #[arg(long)]
        checks: Option<PathBuf>,
        /// Where to write the reports and the evidence store.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// "Today" for every timeliness rule (YYYY-MM-DD); default: the date in Asia/Shanghai.
        #[arg(long)]
        as_of: Option<String>,
        /// Allow connections to loopback, private and link-local addresses.
        #[arg(long)]
        allow_private: bool,
    },
    /// Print, as JSON, what the extractors see in one page (a file or a URL).
    Inspect {
        /// A file path or an http(s) URL.
        file_or_url: String,
        /// The URL the page was served from (resolves relative links of a file).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Validate the units file, the rubric and the check declarations.
    CheckConfig {
        /// The units file (YAML).
        #[arg(long)]
        units: Option<PathBuf>,
        /// The directory of check declarations and rubric.yaml.
        #[arg(long)]
        checks: Option<PathBuf>,
    },
}

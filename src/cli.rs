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
        /// Audit only shard K of N (K from 0): units are assigned by host, so every unit of a host
        /// lands in the same shard; combine the shards' outputs with `merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// The history database (default: `settings.history`, else history.sqlite in --out).
        #[arg(long)]
        history: Option<PathBuf>,
        /// Inspectors' manual and on-site scores to merge (YAML or CSV: unit, item, score, note, inspector).
        #[arg(long)]
        manual: Option<PathBuf>,
        /// Nightly mode: exit 3 when a unit lost points or gained a new fail since the previous run,
        /// and send the digest to `settings.notify`.
        #[arg(long)]
        nightly: bool,
    },
    /// List the runs recorded in the history database.
    History {
        /// The history database (default: history.sqlite in --out, or as the units file's settings say).
        #[arg(long)]
        history: Option<PathBuf>,
        /// The out folder of the audits.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// The units file, for its `settings.history`.
        #[arg(long)]
        units: Option<PathBuf>,
    },
    /// Show what changed between two runs (default: the last two), new failures first.
    Diff {
        /// The earlier run's number.
        run_a: Option<i64>,
        /// The later run's number.
        run_b: Option<i64>,
        /// The history database (default: history.sqlite in --out, or as the units file's settings say).
        #[arg(long)]
        history: Option<PathBuf>,
        /// The out folder of the audits.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// The units file, for its `settings.history`.
        #[arg(long)]
        units: Option<PathBuf>,
    },
    /// Merge inspectors' manual and on-site scores into an existing report.json and report the final score.
    Score {
        /// The report.json of the run.
        #[arg(long, default_value = "out/report.json")]
        report: PathBuf,
        /// The manual scores (YAML or CSV).
        #[arg(long)]
        manual: PathBuf,
        /// Where to write the re-scored reports (default: the report's folder).
        #[arg(long)]
        out: Option<PathBuf>,
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
    /// Write one evidence pack (zip: HTML report, cited responses as WARC 1.1, manifest.json) per unit.
    Pack {
        /// The unit to pack (repeatable); default: every unit of the report.
        #[arg(long)]
        unit: Vec<String>,
        /// The audit's output folder (report.json and evidence.sqlite).
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Where to write the packs; default: the audit's output folder.
        #[arg(long)]
        dest: Option<PathBuf>,
    },
    /// Recompute every hash of an evidence pack; exit 1 and name the file on any mismatch.
    Verify {
        /// The pack (zip).
        pack: PathBuf,
    },
    /// Combine the outputs of `audit --shard` runs into one report.
    Merge {
        /// The shards' output folders.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Where to write the combined report.
        #[arg(long)]
        out: PathBuf,
    },
}

//! Operations around an audit: history, nightly alarms, manual scores, the to-do list, notifications.
//!
//! [`run`] is what `zwgk-audit audit` does: validate the manual file (before any crawling, so a typo
//! costs seconds, not a night), run the pipeline ([`crate::audit::assemble`]), add each unit's to-do list
//! and the inspectors' scores, record the run in the history database, add each unit's score trend,
//! write the reports, compare with the previous run and, in nightly mode, send the digest.
//! [`rescore`] is `zwgk-audit score`: merge a manual file into an existing report.json.

use std::path::{Path, PathBuf};

use crate::audit::{self, AuditError, AuditOptions, AuditOutcome};
use crate::config::UnitsConfig;
use crate::diff::RunDiff;
use crate::history::{self, History, HistoryError};
use crate::manual::{Catalog, ManualError, ManualScores};
use crate::notify::{self, Delivery};
use crate::report::{self, AuditReport, ReportError};
use crate::todo;

/// How many runs the HTML trend chart shows.
pub const TREND_RUNS: usize = 12;

/// Options beyond the audit's own.
#[derive(Debug, Clone, Default)]
pub struct OpsOptions {
    /// `--history`: the history database (else `settings.history`, else `history.sqlite` in the out folder).
    pub history: Option<PathBuf>,
    /// `--manual`: inspectors' scores to merge.
    pub manual: Option<PathBuf>,
    /// `--nightly`: compare with the previous run, alarm on regressions, send the digest.
    pub nightly: bool,
}

/// Why the operations around an audit failed.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The audit itself failed.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// The manual file is invalid (exit 2).
    #[error(transparent)]
    Manual(#[from] ManualError),
    /// The history database could not be used.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The checks directory could not be hashed.
    #[error("cannot read the checks directory {}: {source}", path.display())]
    Checks {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// report.json could not be read.
    #[error("cannot read {}: {message}", path.display())]
    ReadReport {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Reports could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// A finished audit with its operations.
#[derive(Debug)]
pub struct OpsOutcome {
    /// The audit (its report carries the trend, to-do lists and manual scores).
    pub audit: AuditOutcome,
    /// The history database used.
    pub history_path: PathBuf,
    /// This run's number in the history.
    pub run_id: i64,
    /// The comparison with the previous run, when there was one.
    pub diff: Option<RunDiff>,
    /// Deliveries of the nightly digest.
    pub deliveries: Vec<Delivery>,
    /// The one-screen summary, with the final scores, the to-do list (one unit) and the comparison.
    pub summary: String,
}

impl OpsOutcome {
    /// Some unit lost points or gained a new failure since the previous run.
    pub fn regressed(&self) -> bool {
        self.diff.as_ref().is_some_and(RunDiff::regressed)
    }
}

/// The history database: `--history`, else `settings.history` (relative to the out folder), else
/// `history.sqlite` in the out folder.
pub fn history_path(flag: Option<&Path>, config: Option<&UnitsConfig>, out: &Path) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    match config.and_then(|c| c.ops.history.as_ref()) {
        Some(p) if p.is_absolute() => p.clone(),
        Some(p) => out.join(p),
        None => out.join("history.sqlite"),
    }
}

/// Runs an audit with its operations (see the module doc).
pub async fn run(
    config: &UnitsConfig,
    options: &AuditOptions,
    ops: &OpsOptions,
) -> Result<OpsOutcome, OpsError> {
    let (rubric, checks) = audit::load_checks(&options.checks_dir).map_err(AuditError::from)?;
    let manual = match &ops.manual {
        Some(path) => Some(ManualScores::load(path, &Catalog::from_config(config, &rubric))?),
        None => None,
    };
    let checks_sha = history::checks_sha256(&options.checks_dir)
        .map_err(|source| OpsError::Checks { path: options.checks_dir.clone(), source })?;
    let history_path = history_path(ops.history.as_deref(), Some(config), &options.out_dir);
    // Opened before crawling: an unusable history file should stop the run before a night's work.
    let mut history = History::open(&history_path)?;

    // Each unit's past, for 整改: read before this run is recorded.
    let mut pasts = std::collections::HashMap::new();
    for unit in &config.units {
        pasts.insert(unit.id.clone(), history.unit_past(&unit.id)?);
    }
    let mut report = audit::assemble_with(config, options, Some(&pasts)).await?;
    let kinds = todo::kinds_of(&checks);
    for unit in &mut report.units {
        unit.todo = todo::build(unit, &kinds);
    }
    if let Some(m) = &manual {
        m.apply(&mut report);
    }
    let unit_ids: Vec<&str> = config.units.iter().map(|u| u.id.as_str()).collect();
    let previous = history.previous_run_of(&unit_ids, None)?;
    let run_id = history.record(&report, &checks_sha, Some(&options.out_dir.join("report.json")))?;
    for unit in &mut report.units {
        unit.trend = history.trend(&unit.id, TREND_RUNS)?;
    }
    let outcome = match audit::finish(report, &options.out_dir) {
        Ok(o) => o,
        Err(e) => {
            // No report, no run: history must not list a run nobody can open.
            if let Err(forget) = history.forget(run_id) {
                tracing::warn!("run #{run_id} stays in the history without a report: {forget}");
            }
            return Err(e.into());
        }
    };
    let diff = match previous {
        Some(p) => Some(RunDiff::between(&history.load(p)?, &history.load(run_id)?)),
        None => None,
    };

    let mut deliveries = Vec::new();
    if ops.nightly && !config.ops.notify.is_empty() {
        let location = config
            .ops
            .report_url
            .clone()
            .unwrap_or_else(|| options.out_dir.join("report.html").display().to_string());
        let markdown = notify::digest_markdown(&outcome.report, diff.as_ref(), &location);
        deliveries = notify::send_all(&config.ops.notify, &notify::title(&outcome.report), &markdown).await;
    }

    let summary = summary(&outcome, &history_path, run_id, diff.as_ref(), ops.nightly, &deliveries);
    Ok(OpsOutcome { audit: outcome, history_path, run_id, diff, deliveries, summary })
}

fn summary(
    outcome: &AuditOutcome,
    history_path: &Path,
    run_id: i64,
    diff: Option<&RunDiff>,
    nightly: bool,
    deliveries: &[Delivery],
) -> String {
    let report = &outcome.report;
    let mut out = outcome.summary.clone();
    let finals = crate::manual::summary_text(report);
    if !finals.is_empty() {
        out.push_str("\n最终得分（含人工及实地评分）：\n");
        out.push_str(&finals);
    }
    if let [unit] = report.units.as_slice() {
        out.push('\n');
        out.push_str(&todo::render_text(unit));
    }
    out.push_str(&format!("\n本次测评已记入历史记录 #{run_id}（{}）。\n", history_path.display()));
    match diff {
        Some(d) if nightly => {
            out.push('\n');
            out.push_str(&d.render_zh());
        }
        Some(d) if d.regressed() => {
            out.push_str(&format!(
                "与上次测评（#{}）相比有单位失分或新增不符合项，详见 `zwgk-audit diff`。\n",
                d.before.id
            ));
        }
        Some(d) => {
            out.push_str(&format!("与上次测评（#{}）相比，没有单位失分或新增不符合项。\n", d.before.id))
        }
        None => out.push_str("这是历史记录中的首次测评，暂无对比。\n"),
    }
    for d in deliveries {
        let who = match d.kind {
            crate::config::NotifyKind::Wecom => "企业微信",
            crate::config::NotifyKind::Dingtalk => "钉钉",
        };
        match &d.result {
            Ok(()) => out.push_str(&format!("已向{who}群机器人（{}）推送测评摘要。\n", d.host)),
            Err(e) => out.push_str(&format!(
                "向{who}群机器人（{}）推送测评摘要失败：{e}。测评结果不受影响。\n",
                d.host
            )),
        }
    }
    out
}

/// `zwgk-audit score`: merges a manual file into an existing report.json and writes report.json and
/// report.html into `out` (default: the report's own folder). Returns the report, the files written and
/// the summary of final scores.
pub fn rescore(
    report_path: &Path,
    manual_path: &Path,
    out: Option<&Path>,
) -> Result<(AuditReport, Vec<PathBuf>, String), OpsError> {
    let read_err = |message: String| OpsError::ReadReport { path: report_path.to_path_buf(), message };
    let bytes = std::fs::read(report_path).map_err(|e| read_err(e.to_string()))?;
    let mut report: AuditReport = serde_json::from_slice(&bytes).map_err(|e| read_err(e.to_string()))?;
    let manual = ManualScores::load(manual_path, &Catalog::from_report(&report))?;
    manual.apply(&mut report);
    let out_dir = match out {
        Some(o) => o.to_path_buf(),
        None => report_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    let mut written = report::write_reports(&out_dir, &report)?;
    written.push(crate::xlsx::write(&out_dir, &report).map_err(AuditError::from)?);
    let mut summary = format!("已合并人工及实地评分：{}\n", manual_path.display());
    summary.push_str(&crate::manual::summary_text(&report));
    summary.push_str(&format!("报告已写入 {}。\n", out_dir.display()));
    Ok((report, written, summary))
}

#[cfg(test)]
pub(crate) mod testkit;

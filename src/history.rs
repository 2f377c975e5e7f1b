//! The history database: every run's scores, item statuses and findings, in one SQLite file.
//!
//! A 政务公开办 audits every unit every night; what it needs from the night is what got worse. This
//! module keeps each finished [`AuditReport`] (when, as of which date, with which checks: a SHA-256 of
//! the checks directory's YAML, rubric included), lists the runs, compares any two ([`crate::diff`])
//! and gives each unit's score trend for the HTML chart.
//!
//! The schema is versioned with `PRAGMA user_version` and migrated forward in [`History::open`]; a file
//! written by a newer version is refused rather than misread.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::findings::Status;
use crate::report::AuditReport;

/// The schema version this build writes.
const SCHEMA_VERSION: i64 = 1;

const MIGRATION_1: &str = "
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    generated_at  TEXT NOT NULL,
    as_of         TEXT NOT NULL,
    checks_sha256 TEXT NOT NULL,
    tool_version  TEXT NOT NULL,
    report_path   TEXT
);
CREATE TABLE unit_scores (
    run_id        INTEGER NOT NULL REFERENCES runs(id),
    unit_id       TEXT NOT NULL,
    unit_name     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    online_earned REAL NOT NULL,
    online_max    REAL NOT NULL,
    manual_max    REAL NOT NULL,
    error_max     REAL NOT NULL,
    onsite_max    REAL NOT NULL,
    final_score   REAL,
    PRIMARY KEY (run_id, unit_id)
);
CREATE TABLE item_results (
    run_id       INTEGER NOT NULL REFERENCES runs(id),
    unit_id      TEXT NOT NULL,
    item_id      TEXT NOT NULL,
    title        TEXT NOT NULL,
    weight       REAL NOT NULL,
    status       TEXT NOT NULL,
    score        REAL,
    manual_score REAL,
    PRIMARY KEY (run_id, unit_id, item_id)
);
CREATE TABLE findings (
    run_id   INTEGER NOT NULL REFERENCES runs(id),
    unit_id  TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    check_id TEXT NOT NULL,
    status   TEXT NOT NULL,
    message  TEXT NOT NULL,
    url      TEXT
);
CREATE INDEX findings_run_unit ON findings (run_id, unit_id);
";

/// A history database that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// SQLite failed.
    #[error("history database {}: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The file was written by a newer zwgk-audit.
    #[error("history database {}: schema version {found} is newer than this build's {SCHEMA_VERSION}", path.display())]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
    },
    /// A run id that is not in the database.
    #[error("history database {}: no run #{id}", path.display())]
    NoSuchRun {
        /// The database file.
        path: PathBuf,
        /// The run asked for.
        id: i64,
    },
    /// Fewer runs than a comparison needs.
    #[error("history database {}: {found} run(s) recorded, a comparison needs two", path.display())]
    TooFewRuns {
        /// The database file.
        path: PathBuf,
        /// Runs recorded.
        found: usize,
    },
}

/// One recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The run's number, increasing.
    pub id: i64,
    /// When its report was written (RFC 3339, +08:00).
    pub generated_at: String,
    /// Its `--as-of` date.
    pub as_of: String,
    /// SHA-256 of the checks directory's YAML files (rubric included).
    pub checks_sha256: String,
    /// The zwgk-audit version that ran it.
    pub tool_version: String,
    /// Where its report.json was written.
    pub report_path: Option<String>,
}

/// A unit's score in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitRun {
    /// The unit's id.
    pub unit_id: String,
    /// The unit's name.
    pub unit_name: String,
    /// Points earned online (provisional).
    pub online_earned: f64,
    /// Weight of the items evaluated automatically.
    pub online_max: f64,
    /// The final score, when manual scores were merged.
    pub final_score: Option<f64>,
}

/// An item's result in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemRun {
    /// The rubric item id.
    pub item_id: String,
    /// Its text.
    pub title: String,
    /// Its weight.
    pub weight: f64,
    /// Its status.
    pub status: Status,
    /// Its automatic score.
    pub score: Option<f64>,
}

/// A finding as history keeps it: enough to tell whether it is new, and where to look.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingRun {
    /// The rubric item it counted for.
    pub item_id: String,
    /// The check that produced it.
    pub check: String,
    /// Its status.
    pub status: Status,
    /// Its message (personal data already masked by the checks).
    pub message: String,
    /// The first evidence URL.
    pub url: Option<String>,
}

/// Everything recorded about one unit in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSnapshot {
    /// Scores.
    pub unit: UnitRun,
    /// Every item, in rubric order.
    pub items: Vec<ItemRun>,
    /// Every finding.
    pub findings: Vec<FindingRun>,
}

/// One run, loaded back.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSnapshot {
    /// The run.
    pub info: RunInfo,
    /// Its units, in report order.
    pub units: Vec<UnitSnapshot>,
}

/// One unit's past in the history: the runs that audited it and the problems they found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitPast {
    /// Runs that audited the unit, oldest first.
    pub runs: Vec<RunInfo>,
    /// (run number, finding) for every fail or partial finding of the unit, oldest run first.
    pub failures: Vec<(i64, FindingRun)>,
}

/// A point of a unit's score trend (report.json `units[].trend`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The run's number.
    pub run: i64,
    /// The run's `--as-of` date.
    pub as_of: String,
    /// When the run's report was written.
    pub generated_at: String,
    /// Points earned online.
    pub online_earned: f64,
    /// Weight of the items evaluated automatically.
    pub online_max: f64,
}

/// The history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let err = |source| HistoryError::Sqlite { path: path.to_path_buf(), source };
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(err)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
        if version > SCHEMA_VERSION {
            return Err(HistoryError::TooNew { path: path.to_path_buf(), found: version });
        }
        if version < 1 {
            conn.execute_batch(&format!("BEGIN; {MIGRATION_1} PRAGMA user_version = 1; COMMIT;"))
                .map_err(err)?;
        }
        Ok(History { conn, path: path.to_path_buf() })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> HistoryError + '_ {
        |source| HistoryError::Sqlite { path: self.path.clone(), source }
    }

    /// Records a finished report as a new run; returns its number.
    pub fn record(
        &mut self,
        report: &AuditReport,
        checks_sha256: &str,
        report_path: Option<&Path>,
    ) -> Result<i64, HistoryError> {
        let path = self.path.clone();
        let err = move |source| HistoryError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "INSERT INTO runs (generated_at, as_of, checks_sha256, tool_version, report_path) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                report.generated_at,
                report.as_of,
                checks_sha256,
                report.tool.version,
                report_path.map(|p| p.display().to_string())
            ],
        )
        .map_err(&err)?;
        let run = tx.last_insert_rowid();
        for u in &report.units {
            let s = &u.score;
            tx.execute(
                "INSERT INTO unit_scores VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    run,
                    u.id,
                    u.name,
                    u.kind.as_str(),
                    s.online_earned,
                    s.online_max,
                    s.manual_max,
                    s.error_max,
                    s.onsite_max,
                    s.final_score
                ],
            )
            .map_err(&err)?;
            for it in &u.items {
                tx.execute(
                    "INSERT INTO item_results VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        run,
                        u.id,
                        it.id,
                        it.title,
                        it.weight,
                        it.status.as_str(),
                        it.score,
                        it.manual.as_ref().map(|m| m.score)
                    ],
                )
                .map_err(&err)?;
                for f in &it.findings {
                    tx.execute(
                        "INSERT INTO findings VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![
                            run,
                            u.id,
                            it.id,
                            f.check,
                            f.status.as_str(),
                            f.message,
                            f.evidence.first().map(|e| e.url.as_str())
                        ],
                    )
                    .map_err(&err)?;
                }
            }
        }
        tx.commit().map_err(&err)?;
        Ok(run)
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, generated_at, as_of, checks_sha256, tool_version, report_path FROM runs ORDER BY id",
            )
            .map_err(self.err())?;
        let rows = stmt.query_map([], run_info).map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// The run before `id` (the latest run when `id` is `None`).
    pub fn previous_run(&self, id: Option<i64>) -> Result<Option<i64>, HistoryError> {
        self.conn
            .query_row("SELECT max(id) FROM runs WHERE id < ?1", [id.unwrap_or(i64::MAX)], |r| r.get(0))
            .map_err(self.err())
    }

    /// The latest run before `before` (all runs when `None`) that audited any of `units`: the run a
    /// nightly run compares itself with, even when other units files share the database.
    pub fn previous_run_of(&self, units: &[&str], before: Option<i64>) -> Result<Option<i64>, HistoryError> {
        let mut latest = None;
        for unit in units {
            let id: Option<i64> = self
                .conn
                .query_row(
                    "SELECT max(run_id) FROM unit_scores WHERE unit_id = ?1 AND run_id < ?2",
                    params![unit, before.unwrap_or(i64::MAX)],
                    |r| r.get(0),
                )
                .map_err(self.err())?;
            latest = latest.max(id);
        }
        Ok(latest)
    }

    /// Removes a run (one whose reports could not be written), so that history only holds runs that
    /// produced a report.
    pub fn forget(&mut self, id: i64) -> Result<(), HistoryError> {
        let path = self.path.clone();
        let err = move |source| HistoryError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(&err)?;
        for table in ["findings", "item_results", "unit_scores"] {
            tx.execute(&format!("DELETE FROM {table} WHERE run_id = ?1"), [id]).map_err(&err)?;
        }
        tx.execute("DELETE FROM runs WHERE id = ?1", [id]).map_err(&err)?;
        tx.commit().map_err(&err)
    }

    /// The two runs `diff` compares by default: the last two.
    pub fn last_two(&self) -> Result<(i64, i64), HistoryError> {
        let runs = self.runs()?;
        match runs.as_slice() {
            [.., a, b] => Ok((a.id, b.id)),
            _ => Err(HistoryError::TooFewRuns { path: self.path.clone(), found: runs.len() }),
        }
    }

    /// Loads one run with its units, items and findings.
    pub fn load(&self, id: i64) -> Result<RunSnapshot, HistoryError> {
        let info = self
            .conn
            .query_row(
                "SELECT id, generated_at, as_of, checks_sha256, tool_version, report_path FROM runs WHERE id = ?1",
                [id],
                run_info,
            )
            .optional()
            .map_err(self.err())?
            .ok_or_else(|| HistoryError::NoSuchRun { path: self.path.clone(), id })?;
        let mut units_stmt = self
            .conn
            .prepare(
                "SELECT unit_id, unit_name, online_earned, online_max, final_score FROM unit_scores
                 WHERE run_id = ?1 ORDER BY rowid",
            )
            .map_err(self.err())?;
        let units: Vec<UnitRun> = units_stmt
            .query_map([id], |r| {
                Ok(UnitRun {
                    unit_id: r.get(0)?,
                    unit_name: r.get(1)?,
                    online_earned: r.get(2)?,
                    online_max: r.get(3)?,
                    final_score: r.get(4)?,
                })
            })
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err())?;
        let mut items_stmt = self
            .conn
            .prepare(
                "SELECT item_id, title, weight, status, score FROM item_results
                 WHERE run_id = ?1 AND unit_id = ?2 ORDER BY rowid",
            )
            .map_err(self.err())?;
        let mut findings_stmt = self
            .conn
            .prepare(
                "SELECT item_id, check_id, status, message, url FROM findings
                 WHERE run_id = ?1 AND unit_id = ?2 ORDER BY rowid",
            )
            .map_err(self.err())?;
        let mut out = Vec::with_capacity(units.len());
        for unit in units {
            let items = items_stmt
                .query_map(params![id, unit.unit_id], |r| {
                    Ok(ItemRun {
                        item_id: r.get(0)?,
                        title: r.get(1)?,
                        weight: r.get(2)?,
                        status: parse_status(&r.get::<_, String>(3)?),
                        score: r.get(4)?,
                    })
                })
                .map_err(self.err())?
                .collect::<Result<_, _>>()
                .map_err(self.err())?;
            let findings = findings_stmt
                .query_map(params![id, unit.unit_id], |r| {
                    Ok(FindingRun {
                        item_id: r.get(0)?,
                        check: r.get(1)?,
                        status: parse_status(&r.get::<_, String>(2)?),
                        message: r.get(3)?,
                        url: r.get(4)?,
                    })
                })
                .map_err(self.err())?
                .collect::<Result<_, _>>()
                .map_err(self.err())?;
            out.push(UnitSnapshot { unit, items, findings });
        }
        Ok(RunSnapshot { info, units: out })
    }

    /// What the history knows of one unit's past, for 整改 (rubric items street-02, department-02): the
    /// runs that audited it, oldest first, and every fail or partial finding they recorded for it.
    pub fn unit_past(&self, unit_id: &str) -> Result<UnitPast, HistoryError> {
        let mut runs_stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.generated_at, r.as_of, r.checks_sha256, r.tool_version, r.report_path
                 FROM runs r JOIN unit_scores u ON u.run_id = r.id WHERE u.unit_id = ?1 ORDER BY r.id",
            )
            .map_err(self.err())?;
        let runs: Vec<RunInfo> = runs_stmt
            .query_map([unit_id], run_info)
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err())?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT run_id, item_id, check_id, status, message, url FROM findings
                 WHERE unit_id = ?1 AND status IN ('fail', 'partial') ORDER BY run_id, rowid",
            )
            .map_err(self.err())?;
        let failures: Vec<(i64, FindingRun)> = stmt
            .query_map([unit_id], |r| {
                Ok((
                    r.get(0)?,
                    FindingRun {
                        item_id: r.get(1)?,
                        check: r.get(2)?,
                        status: parse_status(&r.get::<_, String>(3)?),
                        message: r.get(4)?,
                        url: r.get(5)?,
                    },
                ))
            })
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err())?;
        Ok(UnitPast { runs, failures })
    }

    /// A unit's scores over its last `limit` runs, oldest first.
    pub fn trend(&self, unit_id: &str, limit: usize) -> Result<Vec<TrendPoint>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.as_of, r.generated_at, u.online_earned, u.online_max
                 FROM unit_scores u JOIN runs r ON r.id = u.run_id
                 WHERE u.unit_id = ?1 ORDER BY r.id DESC LIMIT ?2",
            )
            .map_err(self.err())?;
        let mut points: Vec<TrendPoint> = stmt
            .query_map(params![unit_id, limit as i64], |r| {
                Ok(TrendPoint {
                    run: r.get(0)?,
                    as_of: r.get(1)?,
                    generated_at: r.get(2)?,
                    online_earned: r.get(3)?,
                    online_max: r.get(4)?,
                })
            })
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err())?;
        points.reverse();
        Ok(points)
    }

    /// Units scored in a run, with their scores (for `history`'s listing).
    pub fn unit_scores(&self, run: i64) -> Result<Vec<UnitRun>, HistoryError> {
        Ok(self.load(run)?.units.into_iter().map(|u| u.unit).collect())
    }
}

fn run_info(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunInfo> {
    Ok(RunInfo {
        id: r.get(0)?,
        generated_at: r.get(1)?,
        as_of: r.get(2)?,
        checks_sha256: r.get(3)?,
        tool_version: r.get(4)?,
        report_path: r.get(5)?,
    })
}

fn parse_status(s: &str) -> Status {
    serde_json::from_value(serde_json::Value::String(s.to_string())).unwrap_or(Status::Error)
}

/// SHA-256 over the checks directory's YAML files (rubric included), in file-name order, each
/// contributing its name and bytes: two runs with the same hash judged by the same rules.
pub fn checks_sha256(dir: &Path) -> std::io::Result<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let bytes = std::fs::read(&f)?;
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(hex::encode(h.finalize()))
}

/// The listing of `zwgk-audit history`, in Chinese.
pub fn render_runs(history: &History) -> Result<String, HistoryError> {
    let runs = history.runs()?;
    if runs.is_empty() {
        return Ok("历史记录中尚无测评记录。\n".to_string());
    }
    let mut out = format!("共 {} 次测评记录：\n", runs.len());
    for r in &runs {
        let units = history.unit_scores(r.id)?;
        let scores = units
            .iter()
            .map(|u| {
                let mut s = format!(
                    "{} {}/{}",
                    u.unit_name,
                    crate::rubric::fmt_points(u.online_earned),
                    crate::rubric::fmt_points(u.online_max)
                );
                if let Some(f) = u.final_score {
                    s.push_str(&format!("（最终 {}）", crate::rubric::fmt_points(f)));
                }
                s
            })
            .collect::<Vec<_>>()
            .join("；");
        out.push_str(&format!(
            "#{}  生成于 {}  测评基准日 {}  检查规则 {}  {} 个单位：{}\n",
            r.id,
            r.generated_at,
            r.as_of,
            r.checks_sha256.chars().take(12).collect::<String>(),
            units.len(),
            scores
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

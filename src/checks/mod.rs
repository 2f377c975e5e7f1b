//! Checks declared in YAML under `checks/`: an id, the rubric items it informs, a `kind` (a primitive
//! implemented here, one file per kind) and that kind's parameters. Adding a rule that uses an existing
//! kind needs no Rust.

use std::path::Path;

use chrono::NaiveDate;

use crate::findings::CheckResult;
use crate::site::UnitSite;
use crate::yaml::YamlError;

/// What a check sees: one unit's site and the audit date.
pub struct Context<'a> {
    /// The unit's crawled site.
    pub site: &'a UnitSite,
    /// "Today" for every timeliness rule (`--as-of`).
    pub as_of: NaiveDate,
}

/// All checks declared under a directory.
#[derive(Debug, Clone, Default)]
pub struct CheckSet {
    /// Ids of the declared checks, in file and declaration order.
    pub ids: Vec<String>,
}

impl CheckSet {
    /// Loads every `*.yaml` under `dir` except `rubric.yaml`.
    pub fn load_dir(dir: &Path) -> Result<CheckSet, YamlError> {
        let _ = dir;
        todo!("checks helper")
    }

    /// Rubric item ids referenced by the checks (for cross-validation against the rubric).
    pub fn referenced_items(&self) -> Vec<(String, String)> {
        todo!("checks helper")
    }

    /// Runs every check against one unit.
    pub fn run(&self, ctx: &Context<'_>) -> Vec<CheckResult> {
        let _ = ctx;
        todo!("checks helper")
    }
}

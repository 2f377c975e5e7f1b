//! Checks declared in YAML under `checks/`: an id, the rubric items it informs, a `kind` (a primitive
//! implemented here, one file per kind) and that kind's parameters. Adding a rule that uses an existing
//! kind needs no Rust.
//!
//! The kinds, one file each: [`column_present`], [`column_fresh`], [`keyword_documents`],
//! [`annual_report`], [`annual_report_tables`], [`publish_lag`], [`metadata_complete`],
//! [`interpretation_formats`], [`pii_leak`], [`links_alive`], [`column_blank`], [`column_types_fresh`],
//! [`search_function`], [`consultations`], [`topic_entries`], [`fund_tables`], [`link_present`],
//! [`columns_linked`], [`pilot_domains`], [`service_guides`]. `decl.rs` reads the declarations;
//! `doc_match.rs` holds what several kinds share (《name》 matching, document dates).
//!
//! The engine guarantees four rules whatever a kind does: no message or excerpt repeats a resident ID
//! or mobile number in full (they are masked); a `pass`, `partial` or `fail`
//! finding without evidence is turned into `manual`; a unit whose roots could not be read gets
//! `error` from every check, never `fail`; and a "not found" is tempered when some of the unit's pages
//! went unanswered (a note, or `error` when more than a fifth did).

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::findings::{CheckResult, Evidence, Finding, Status};
use crate::site::{Column, UnitSite};
use crate::yaml::{self, YamlError};

pub mod annual_report;
pub mod annual_report_index;
pub mod annual_report_similarity;
pub mod annual_report_tables;
pub mod column_blank;
pub mod column_fresh;
pub mod column_present;
pub mod column_types_fresh;
pub mod columns_linked;
pub mod consultations;
mod decl;
pub mod doc_match;
pub mod fund_tables;
pub mod interpretation_formats;
pub mod keyword_documents;
pub mod link_present;
pub mod links_alive;
pub mod metadata_complete;
pub mod pii_leak;
pub mod pilot_domains;
pub mod publish_lag;
pub mod rectification;
pub mod search_function;
pub mod service_guides;
#[cfg(test)]
pub(crate) mod testkit;
pub mod topic_entries;

pub use decl::{CheckDecl, CheckKind, KindParams};

/// What a check sees: one unit's site and the audit date.
pub struct Context<'a> {
    /// The unit's crawled site.
    pub site: &'a UnitSite,
    /// "Today" for every timeliness rule (`--as-of`).
    pub as_of: NaiveDate,
}

/// A column to look for: its standard name and the other names it goes by.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// The standard name, used in messages.
    pub name: String,
    /// Other names seen on real sites.
    #[serde(default)]
    pub synonyms: Vec<String>,
}

impl ColumnSpec {
    /// The name followed by the synonyms, in matching order.
    pub fn names(&self) -> Vec<String> {
        std::iter::once(self.name.clone()).chain(self.synonyms.iter().cloned()).collect()
    }

    /// The column of the site that matches this spec.
    pub fn find<'s>(&self, site: &'s UnitSite) -> Option<&'s Column> {
        site.find_column(&self.names())
    }
}

/// What a kind returns: the check's status, its credit and its findings.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Overall status.
    pub status: Status,
    /// Credit in [0, 1]; `None` for manual, error and not_applicable.
    pub credit: Option<f64>,
    /// Findings, each with evidence.
    pub findings: Vec<Finding>,
}

impl Verdict {
    /// A verdict whose status follows from the credit.
    pub fn scored(credit: f64, findings: Vec<Finding>) -> Verdict {
        let credit = credit.clamp(0.0, 1.0);
        Verdict { status: Status::from_credit(credit), credit: Some(credit), findings }
    }

    /// A verdict without credit (manual or error) with one explaining finding.
    pub fn uncredited(
        check: &str,
        status: Status,
        message: impl Into<String>,
        evidence: Vec<Evidence>,
    ) -> Verdict {
        Verdict { status, credit: None, findings: vec![finding(check, status, message, evidence)] }
    }
}

/// A finding.
pub fn finding(check: &str, status: Status, message: impl Into<String>, evidence: Vec<Evidence>) -> Finding {
    Finding { check: check.to_string(), status, message: message.into(), evidence }
}

/// All checks declared under a directory.
#[derive(Debug, Clone, Default)]
pub struct CheckSet {
    /// Ids of the declared checks, in file and declaration order.
    pub ids: Vec<String>,
    /// The declarations, in the same order.
    pub checks: Vec<CheckDecl>,
    /// The file each declaration came from, in the same order.
    pub files: Vec<std::path::PathBuf>,
}

impl CheckSet {
    /// Loads every `*.yaml` under `dir` except `rubric.yaml`, in file-name order.
    pub fn load_dir(dir: &Path) -> Result<CheckSet, YamlError> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| YamlError::at(dir, None, format!("cannot read checks directory: {e}")))?;
        let mut files: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "yaml" || x == "yml")
                    && p.file_name().is_some_and(|n| n != "rubric.yaml" && n != "rubric.yml")
            })
            .collect();
        files.sort();
        let mut set = CheckSet::default();
        let mut seen: HashMap<String, String> = HashMap::new();
        for path in files {
            let text = yaml::read(&path)?;
            for c in CheckSet::parse_file(&path, &text)? {
                let here = format!("{}:{}", path.display(), c.line);
                if let Some(first) = seen.insert(c.id.clone(), here) {
                    return Err(YamlError::at(
                        &path,
                        Some(c.line),
                        format!("duplicate check id `{}` (first declared at {first})", c.id),
                    ));
                }
                set.ids.push(c.id.clone());
                set.files.push(path.clone());
                set.checks.push(c);
            }
        }
        Ok(set)
    }

    /// Parses and validates the declarations of one checks file whose text came from `path` (ids are not
    /// yet checked for uniqueness across files: [`CheckSet::load_dir`] does that).
    pub fn parse_file(path: &Path, text: &str) -> Result<Vec<CheckDecl>, YamlError> {
        let file: decl::ChecksFile = yaml::parse(path, text)?;
        for c in &file.checks {
            validate(path, c)?;
        }
        Ok(file.checks)
    }

    /// (check id, rubric item id) for every item a check names, for cross-validation with the rubric.
    pub fn referenced_items(&self) -> Vec<(String, String)> {
        self.checks.iter().flat_map(|c| c.items.iter().map(|i| (c.id.clone(), i.clone()))).collect()
    }

    /// The file and line where a check is declared.
    pub fn location(&self, check: &str) -> Option<(&Path, usize)> {
        let i = self.checks.iter().position(|c| c.id == check)?;
        Some((self.files.get(i)?.as_path(), self.checks[i].line))
    }

    /// Runs every check against one unit.
    pub fn run(&self, ctx: &Context<'_>) -> Vec<CheckResult> {
        self.run_with(ctx, None)
    }

    /// Runs every check against one unit, with the unit's past from the history database when there is
    /// one: the `rectification` checks run last, over the other checks' results, in declaration order.
    pub fn run_with(&self, ctx: &Context<'_>, past: Option<&crate::history::UnitPast>) -> Vec<CheckResult> {
        let is_rectification = |c: &CheckDecl| matches!(c.params, KindParams::Rectification(_));
        // The checks of a unit share its site model and nothing else: they run on every core (when
        // the units fill the cores already, this costs little; for the last unit judged, or an audit
        // of one unit, the cores would otherwise wait).
        let slots: Vec<std::sync::OnceLock<CheckResult>> =
            self.checks.iter().map(|_| std::sync::OnceLock::new()).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(self.checks.len());
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(c) = self.checks.get(i) else { break };
                        if !is_rectification(c) {
                            let _ = slots[i].set(run_check(c, ctx));
                        }
                    }
                });
            }
        });
        let mut results: Vec<Option<CheckResult>> = slots.into_iter().map(|s| s.into_inner()).collect();
        let others: Vec<CheckResult> = results.iter().flatten().cloned().collect();
        for (slot, c) in results.iter_mut().zip(&self.checks) {
            if slot.is_none() {
                *slot = Some(run_check_with(c, ctx, past.map(|p| (p, others.as_slice()))));
            }
        }
        results.into_iter().flatten().collect()
    }
}

fn validate(path: &Path, c: &CheckDecl) -> Result<(), YamlError> {
    let bad = |m: String| Err(YamlError::at(path, Some(c.line), m));
    if c.id.is_empty() || !c.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return bad(format!("check id `{}` must match [a-z0-9-]+", c.id));
    }
    if c.items.is_empty() {
        return bad(format!("check `{}` names no rubric items", c.id));
    }
    if !(c.weight.is_finite() && c.weight > 0.0) {
        return bad(format!("check `{}`: weight must be a positive number", c.id));
    }
    c.params.validate().or_else(|m| bad(format!("check `{}`: {m}", c.id)))
}

/// Kinds whose failures say "not found": an incomplete crawl can cause them.
fn judges_absence(kind: CheckKind) -> bool {
    matches!(
        kind,
        CheckKind::ColumnPresent
            | CheckKind::KeywordDocuments
            | CheckKind::AnnualReport
            | CheckKind::InterpretationFormats
            | CheckKind::Consultations
            | CheckKind::TopicEntries
            | CheckKind::FundTables
            | CheckKind::LinkPresent
            | CheckKind::ColumnsLinked
            | CheckKind::PilotDomains
            | CheckKind::ServiceGuides
    )
}

/// Share of the unit's page requests that went unanswered above which "not found" is not asserted.
const MAX_UNREAD_SHARE: f64 = 0.2;

/// "Not found" is only as good as the crawl: when some of the unit's pages could not be read, failures
/// say so; when many could not, the check cannot judge (`error`), since the missing thing may sit on an
/// unread page.
fn temper_absence(mut v: Verdict, site: &UnitSite) -> Verdict {
    let (unread, total) = site.fetch_failures();
    if unread == 0 || !v.findings.iter().any(|f| f.status == Status::Fail) {
        return v;
    }
    if total > 0 && unread as f64 / total as f64 > MAX_UNREAD_SHARE {
        for f in v.findings.iter_mut().filter(|f| f.status == Status::Fail) {
            f.status = Status::Error;
            f.message.push_str(&format!("（本单位有{unread}/{total}个页面未能抓取，无法确认确实缺失）"));
        }
        v.status = Status::Error;
        v.credit = None;
    } else {
        for f in v.findings.iter_mut().filter(|f| f.status == Status::Fail) {
            f.message.push_str(&format!("（注意：本单位有{unread}个页面未能抓取，可能影响判定）"));
        }
    }
    v
}

/// Runs one declared check, enforcing the engine's guarantees.
pub fn run_check(c: &CheckDecl, ctx: &Context<'_>) -> CheckResult {
    run_check_with(c, ctx, None)
}

/// [`run_check`], with the unit's past and this run's other results for `rectification`.
fn run_check_with(
    c: &CheckDecl,
    ctx: &Context<'_>,
    past: Option<(&crate::history::UnitPast, &[CheckResult])>,
) -> CheckResult {
    let verdict = match ctx.site.root_failure() {
        Some(why) => Verdict::uncredited(&c.id, Status::Error, why, Vec::new()),
        None => match &c.params {
            KindParams::ColumnPresent(p) => column_present::run(&c.id, p, ctx),
            KindParams::ColumnFresh(p) => column_fresh::run(&c.id, p, ctx),
            KindParams::KeywordDocuments(p) => keyword_documents::run(&c.id, p, ctx),
            KindParams::AnnualReport(p) => annual_report::run(&c.id, p, ctx),
            KindParams::PublishLag(p) => publish_lag::run(&c.id, p, ctx),
            KindParams::InterpretationFormats(p) => interpretation_formats::run(&c.id, p, ctx),
            KindParams::PiiLeak(p) => pii_leak::run(&c.id, p, ctx),
            KindParams::LinksAlive(p) => links_alive::run(&c.id, p, ctx),
            KindParams::MetadataComplete(p) => metadata_complete::run(&c.id, p, ctx),
            KindParams::AnnualReportTables(p) => annual_report_tables::run(&c.id, p, ctx),
            KindParams::ColumnBlank(p) => column_blank::run(&c.id, p, ctx),
            KindParams::ColumnTypesFresh(p) => column_types_fresh::run(&c.id, p, ctx),
            KindParams::SearchFunction(p) => search_function::run(&c.id, p, ctx),
            KindParams::Consultations(p) => consultations::run(&c.id, p, ctx),
            KindParams::TopicEntries(p) => topic_entries::run(&c.id, p, ctx),
            KindParams::FundTables(p) => fund_tables::run(&c.id, p, ctx),
            KindParams::LinkPresent(p) => link_present::run(&c.id, p, ctx),
            KindParams::ColumnsLinked(p) => columns_linked::run(&c.id, p, ctx),
            KindParams::PilotDomains(p) => pilot_domains::run(&c.id, p, ctx),
            KindParams::ServiceGuides(p) => service_guides::run(&c.id, p, ctx),
            KindParams::Rectification(p) => match past {
                Some((past, current)) => rectification::run_with(&c.id, p, ctx, past, current),
                None => rectification::run(&c.id, p, ctx),
            },
        },
    };
    let verdict = if judges_absence(c.kind) { temper_absence(verdict, ctx.site) } else { verdict };
    let findings = verdict
        .findings
        .into_iter()
        .map(|mut f| {
            f.message = pii_leak::mask_pii(&f.message);
            for e in &mut f.evidence {
                e.excerpt = pii_leak::mask_pii(&e.excerpt);
            }
            if matches!(f.status, Status::Pass | Status::Partial | Status::Fail) && f.evidence.is_empty() {
                f.status = Status::Manual;
                f.message.push_str("（缺少可引用的页面证据，需人工核实）");
            }
            f
        })
        .collect();
    CheckResult {
        check: c.id.clone(),
        items: c.items.clone(),
        weight: c.weight,
        status: verdict.status,
        credit: verdict.credit,
        findings,
    }
}

#[cfg(test)]
mod issue5_fixture_tests;
#[cfg(test)]
mod tests;

//! The closed vocabulary of verdicts shared by checks, scoring and reports.
//!
//! A verdict is never a bool: an auditor must be able to say "could not judge" (`Error`) and
//! "a person must look" (`Manual`) as distinctly as pass and fail.

use serde::{Deserialize, Serialize};

/// The status of a finding, a check or a rubric item (CONTRACT.md `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The requirement is met.
    Pass,
    /// Partly met: some credit.
    Partial,
    /// Not met, with evidence that shows it.
    Fail,
    /// Only a person can judge this (or this part).
    Manual,
    /// The tool could not judge (network fault, unreadable page). Never reported as `Fail`.
    Error,
    /// The item does not apply to this unit's kind.
    NotApplicable,
}

impl Status {
    /// The status word as it appears in report.json.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Partial => "partial",
            Status::Fail => "fail",
            Status::Manual => "manual",
            Status::Error => "error",
            Status::NotApplicable => "not_applicable",
        }
    }

    /// The status in the Chinese of the reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Pass => "符合",
            Status::Partial => "部分符合",
            Status::Fail => "不符合",
            Status::Manual => "需人工评判",
            Status::Error => "无法判定",
            Status::NotApplicable => "不适用",
        }
    }

    /// The status a credit in [0, 1] earns.
    pub fn from_credit(credit: f64) -> Status {
        if credit >= 1.0 - 1e-9 {
            Status::Pass
        } else if credit <= 1e-9 {
            Status::Fail
        } else {
            Status::Partial
        }
    }
}

/// One fetched response cited as evidence: what was seen, where and when, with its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The URL that was requested (and fetched) by the crawler.
    pub url: String,
    /// When it was fetched, RFC 3339 with offset.
    pub fetched_at: String,
    /// SHA-256 of the raw response body, lowercase hex.
    pub sha256: String,
    /// A short excerpt of what the page said; personal data in it is always masked.
    pub excerpt: String,
}

/// One statement a check makes about a unit, with the evidence that backs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The id of the YAML check that produced it.
    pub check: String,
    /// pass | partial | fail | manual | error.
    pub status: Status,
    /// What was found, in Chinese.
    pub message: String,
    /// Fetched responses that back the finding; at least one for pass, partial and fail.
    pub evidence: Vec<Evidence>,
}

/// The outcome of running one check against one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check's id.
    pub check: String,
    /// The rubric items this check informs.
    pub items: Vec<String>,
    /// The check's weight within each item (default 1).
    pub weight: f64,
    /// The check's overall status.
    pub status: Status,
    /// Fraction of credit in [0, 1]; `None` when status is manual, error or not_applicable.
    pub credit: Option<f64>,
    /// The findings, each with its own status and evidence.
    pub findings: Vec<Finding>,
}

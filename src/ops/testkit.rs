//! Reports built from the real rubric and hand-made check results, for the operations' tests.

use std::path::PathBuf;

use crate::config::{Unit, UnitKind};
use crate::findings::{CheckResult, Evidence, Finding, Status};
use crate::report::{AuditReport, CrawlSummary, UnitReport};
use crate::rubric::Rubric;
use crate::score::score_unit;

/// The bundled rubric.
pub fn rubric() -> Rubric {
    Rubric::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("checks/rubric.yaml")).unwrap()
}

/// A unit of this id, name and kind.
pub fn unit(id: &str, name: &str, kind: UnitKind) -> Unit {
    Unit {
        id: id.into(),
        name: name.into(),
        kind,
        roots: vec![format!("https://example.gov.cn/{id}/xxgk/").parse().unwrap()],
        domains: vec![],
    }
}

/// A decided check result for one item, with one finding citing `url`.
pub fn result(check: &str, item: &str, status: Status, message: &str, url: &str) -> CheckResult {
    let credit = match status {
        Status::Pass => Some(1.0),
        Status::Partial => Some(0.5),
        Status::Fail => Some(0.0),
        _ => None,
    };
    CheckResult {
        check: check.into(),
        items: vec![item.into()],
        weight: 1.0,
        status,
        credit,
        findings: vec![Finding {
            check: check.into(),
            status,
            message: message.into(),
            evidence: vec![Evidence {
                url: url.into(),
                fetched_at: "2025-03-20T02:00:00+08:00".into(),
                sha256: "ab".repeat(32),
                excerpt: "摘录".into(),
            }],
        }],
    }
}

/// A unit's report scored from `results`.
pub fn unit_report(u: &Unit, results: &[CheckResult]) -> UnitReport {
    UnitReport::new(
        u,
        CrawlSummary { pages: 10, errors: 0, extra: Default::default() },
        score_unit(&rubric(), u.kind, results),
    )
}

/// A report of these units as of `as_of`.
pub fn report(as_of: &str, units: Vec<UnitReport>) -> AuditReport {
    AuditReport::new(as_of, units)
}

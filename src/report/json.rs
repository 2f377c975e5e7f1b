//! report.json: the stable, machine-readable form of the report (CONTRACT.md).

use super::{AuditReport, Renderer, ReportError};

/// Renders [`AuditReport`] as pretty-printed report.json.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn file_name(&self) -> &str {
        "report.json"
    }

    fn render(&self, report: &AuditReport) -> Result<String, ReportError> {
        let mut text = serde_json::to_string_pretty(report)?;
        text.push('\n');
        Ok(text)
    }
}

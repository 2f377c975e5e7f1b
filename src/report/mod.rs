//! Reports: report.json (CONTRACT.md) and the self-contained Chinese HTML report.

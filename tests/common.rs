//! Shared helpers of the end-to-end tests: audit the demo fixture site over real HTTP on 127.0.0.1.
#![allow(dead_code)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use zwgk_audit::audit::{self, AuditOptions};
use zwgk_audit::config::UnitsConfig;
use zwgk_audit::demo::DemoFixture;

/// An audit of the demo site: the parsed report.json, the out folder and the site's base URL.
pub struct DemoAudit {
    pub report: Value,
    pub out: tempfile::TempDir,
    pub base: String,
    pub summary: String,
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Serves `fixtures/demo/site`, audits it at the fixture's date with a fast rate limit, returns the report.
pub async fn audit_demo() -> DemoAudit {
    let fixture = DemoFixture::locate().expect("demo fixture");
    let server = fixture.serve().await.expect("serve fixture");
    let text = fixture.units_yaml(server.addr.port()).expect("units.yaml");
    let mut config = UnitsConfig::parse(&fixture.dir.join("units.yaml"), &text).expect("valid units");
    // The politeness limit is tested on its own; here it would only slow the suite down.
    config.settings.rate_per_host = 200.0;
    let out = tempfile::tempdir().expect("tempdir");
    let options = AuditOptions {
        checks_dir: repo().join("checks"),
        out_dir: out.path().to_path_buf(),
        as_of: fixture.as_of,
        allow_private: true,
    };
    let outcome = audit::run(&config, &options).await.expect("audit runs");
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).expect("report.json"))
            .expect("report.json is JSON");
    DemoAudit { report, out, base: server.base_url(), summary: outcome.summary }
}

/// URLs (requested or final) of every request in the evidence store that got an HTTP response.
pub fn fetched_urls(store: &Path) -> HashSet<String> {
    store_urls(store, "status IS NOT NULL")
}

/// URLs (requested or final) of the store's records matching an SQL condition.
pub fn store_urls(store: &Path, condition: &str) -> HashSet<String> {
    let conn = rusqlite::Connection::open(store).expect("open store");
    let mut stmt = conn
        .prepare(&format!("SELECT url, final_url FROM responses WHERE {condition}"))
        .expect("responses table");
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .expect("query")
        .map(|r| r.expect("row"));
    rows.flat_map(|(a, b)| [a, b]).collect()
}

/// The unit object with this id.
pub fn unit<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["id"] == id)
        .unwrap_or_else(|| panic!("unit {id}"))
}

/// The item object with this id in a unit.
pub fn item<'a>(unit: &'a Value, id: &str) -> &'a Value {
    unit["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("item {id}"))
}

/// Findings of a unit produced by one check id.
pub fn findings_of<'a>(unit: &'a Value, check: &str) -> Vec<&'a Value> {
    unit["items"]
        .as_array()
        .expect("items")
        .iter()
        .flat_map(|i| i["findings"].as_array().expect("findings"))
        .filter(|f| f["check"] == check)
        .collect()
}

/// Asserts that report.json follows CONTRACT.md, and that every cited URL was actually fetched.
pub fn assert_contract(report: &Value, fetched: &HashSet<String>) {
    assert_eq!(report["tool"]["name"], "zwgk-audit");
    assert!(report["tool"]["version"].is_string());
    assert!(chrono::NaiveDate::parse_from_str(report["as_of"].as_str().unwrap(), "%Y-%m-%d").is_ok());
    assert!(chrono::DateTime::parse_from_rfc3339(report["generated_at"].as_str().unwrap()).is_ok());
    let statuses = ["pass", "partial", "fail", "manual", "error", "not_applicable"];
    for u in report["units"].as_array().unwrap() {
        for key in ["id", "name", "kind"] {
            assert!(u[key].is_string(), "unit.{key}");
        }
        assert!(u["crawl"]["pages"].is_u64() && u["crawl"]["errors"].is_u64());
        for key in ["online_earned", "online_max", "manual_max", "error_max", "onsite_max"] {
            assert!(u["score"][key].is_number(), "score.{key} in {}", u["id"]);
        }
        for it in u["items"].as_array().unwrap() {
            let id = it["id"].as_str().unwrap();
            let status = it["status"].as_str().unwrap();
            assert!(statuses.contains(&status), "{id}: status {status}");
            assert!(it["title"].is_string() && it["weight"].is_number() && it["methods"].is_array(), "{id}");
            match status {
                "manual" | "error" | "not_applicable" => {
                    assert!(it["score"].is_null(), "{id}: score must be null")
                }
                _ => {
                    let s = it["score"].as_f64().unwrap();
                    assert!(s >= 0.0 && s <= it["weight"].as_f64().unwrap() + 1e-9, "{id}: score {s}");
                }
            }
            for f in it["findings"].as_array().unwrap() {
                let fs = f["status"].as_str().unwrap();
                assert!(statuses.contains(&fs));
                assert!(f["check"].is_string() && f["message"].is_string());
                if matches!(fs, "pass" | "partial" | "fail") {
                    let ev = f["evidence"].as_array().unwrap();
                    assert!(!ev.is_empty(), "{id}/{}: a {fs} finding without evidence", f["check"]);
                    for e in ev {
                        let url = e["url"].as_str().unwrap();
                        assert!(fetched.contains(url), "{id}: evidence {url} was never fetched");
                        let sha = e["sha256"].as_str().unwrap();
                        assert!(
                            sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                            "{url}: sha256"
                        );
                        assert!(
                            chrono::DateTime::parse_from_rfc3339(e["fetched_at"].as_str().unwrap()).is_ok()
                        );
                        assert!(e["excerpt"].is_string());
                    }
                }
            }
        }
    }
}

/// The browser binary, or `None` when the tests are explicitly skipped.
pub fn chromium() -> Option<PathBuf> {
    if std::env::var_os("ZWGK_SKIP_BROWSER_TESTS").is_some() {
        eprintln!("skipped: ZWGK_SKIP_BROWSER_TESTS is set");
        return None;
    }
    let candidates =
        [std::env::var("ZWGK_CHROMIUM").unwrap_or_default(), "chromium".into(), "chromium-browser".into()];
    for c in candidates.iter().filter(|c| !c.is_empty()) {
        if Command::new(c)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            return Some(PathBuf::from(c));
        }
    }
    panic!(
        "headless Chromium not found: apt-get install -y chromium fonts-wqy-zenhei (or set ZWGK_SKIP_BROWSER_TESTS=1)"
    );
}

/// Output of one headless run.
pub struct Run {
    /// What Chromium printed on stdout (e.g. the DOM with --dump-dom).
    pub stdout: String,
    /// Chromium's log, console messages included (with --enable-logging=stderr).
    pub stderr: String,
}

/// Runs headless Chromium offline on `url` with `extra` arguments, with a fresh profile and a timeout.
pub fn headless(browser: &Path, profile: &Path, extra: &[String], url: &str) -> Run {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let run = Run { stdout: out.join().unwrap(), stderr: err.join().unwrap() };
            assert!(status.success(), "chromium failed ({status}):\n{}", run.stderr);
            return run;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

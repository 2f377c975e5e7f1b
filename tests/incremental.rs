//! Incremental and resumable runs (issue 6, points 2 and 3), against the demo fixture site served on
//! 127.0.0.1 by a static server that sends ETag / Last-Modified and answers conditional requests
//! with 304, as real servers do.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use zwgk_audit::audit::{self, AuditOptions};
use zwgk_audit::config::UnitsConfig;
use zwgk_audit::demo::{DemoFixture, serve_dir};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn sum(report: &Value, key: &str) -> u64 {
    report["units"].as_array().unwrap().iter().map(|u| u["crawl"][key].as_u64().unwrap()).sum()
}

fn read_report(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
}

/// report.json with what legitimately differs between two audits of the same site removed:
/// every `generated_at` (the report's and the trend's), every evidence `fetched_at` (the time of the request or revalidation), and the
/// crawl summary's traffic figures (`requests`, `downloads`, `bytes`, `not_modified`, `reused`,
/// `resumed`). Everything else (scores, statuses, messages, evidence URLs and SHA-256) must match.
fn normalised(mut report: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("fetched_at");
                map.remove("generated_at");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    for u in report["units"].as_array_mut().unwrap() {
        let crawl = u["crawl"].as_object_mut().unwrap();
        for key in ["requests", "downloads", "bytes", "not_modified", "reused", "resumed"] {
            assert!(crawl.remove(key).is_some(), "crawl summary lacks {key}");
        }
    }
    strip(&mut report);
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_run_on_an_unchanged_site_downloads_at_least_90_percent_less() {
    let fixture = DemoFixture::locate().unwrap();
    let site = tempfile::tempdir().unwrap();
    copy_dir(&fixture.dir.join("site"), site.path());
    let server = serve_dir(site.path().to_path_buf()).await.unwrap();
    let text = fixture.units_yaml(server.addr.port()).unwrap();
    let mut config = UnitsConfig::parse(&fixture.dir.join("units.yaml"), &text).unwrap();
    config.settings.rate_per_host = 200.0;
    let out = tempfile::tempdir().unwrap();
    let options = AuditOptions {
        checks_dir: common::repo().join("checks"),
        out_dir: out.path().to_path_buf(),
        as_of: fixture.as_of,
        allow_private: true,
    };

    let first = audit::run(&config, &options).await.unwrap();
    let first_report = read_report(out.path());
    let second = audit::run(&config, &options).await.unwrap();
    let second_report = read_report(out.path());

    let (d1, d2) = (sum(&first_report, "downloads"), sum(&second_report, "downloads"));
    let (r1, r2) = (sum(&first_report, "requests"), sum(&second_report, "requests"));
    eprintln!("first run: {r1} requests, {d1} downloads; second run: {r2} requests, {d2} downloads");
    eprintln!("{}{}", first.summary, second.summary);
    assert!(d1 >= 100, "first run downloaded only {d1}");
    assert!(d2 * 10 <= d1, "second run: {d2} full downloads against {d1}");
    assert_eq!(sum(&first_report, "reused"), 0);
    assert!(sum(&second_report, "not_modified") >= 2, "roots revalidated with 304");
    assert!(sum(&second_report, "reused") + d2 >= sum(&first_report, "downloads"));
    assert!(second.summary.contains("完整下载") && second.summary.contains("304"), "{}", second.summary);
    // The second report says the same, backed by the same bytes (same SHA-256).
    assert_same(&normalised(first_report.clone()), &normalised(second_report.clone()), "");
    // Nothing lost: the first run's store is kept beside the second.
    assert!(out.path().join("evidence.prev.sqlite").exists());
    let conn = rusqlite::Connection::open(out.path().join("evidence.sqlite")).unwrap();
    let stored: Vec<(String, Option<String>, Option<String>)> = conn
        .prepare("SELECT url, revalidated, sha256 FROM responses WHERE kind = 'page' AND status = 200")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(stored.iter().all(|(_, how, _)| how.is_some()), "every page reused or revalidated");

    // A third run after one list page changed: that page is downloaded again, and so are the detail
    // pages it lists (their list is no longer unchanged), while the rest is still reused.
    let list = site.path().join("bgjd/xxgk/gzdt/index.html");
    let mut html = std::fs::read(&list).unwrap();
    html.extend_from_slice(b"\n<!-- edited -->\n");
    std::fs::write(&list, html).unwrap();
    audit::run(&config, &options).await.unwrap();
    let third = read_report(out.path());
    let d3 = sum(&third, "downloads");
    assert!(d3 >= 1 && d3 < d1 / 2, "third run: {d3} downloads");
    let conn = rusqlite::Connection::open(out.path().join("evidence.sqlite")).unwrap();
    let how: Option<String> = conn
        .query_row(
            "SELECT revalidated FROM responses WHERE url LIKE '%/bgjd/xxgk/gzdt/index.html' OR url LIKE '%/bgjd/xxgk/gzdt/' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(how, None, "the edited list page is downloaded, not reused");
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zwgk-audit"))
}

fn stored_responses(store: &Path) -> i64 {
    let Ok(conn) = rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT COUNT(*) FROM responses", [], |r| r.get(0)).unwrap_or(0)
}

fn audit_cmd(units: &Path, out: &Path, as_of: &str) -> Command {
    let mut cmd = bin();
    cmd.arg("audit")
        .arg("--units")
        .arg(units)
        .arg("--checks")
        .arg(common::repo().join("checks"))
        .arg("--out")
        .arg(out)
        .args(["--as-of", as_of, "--allow-private"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_halfway_then_rerun_gives_the_same_report() {
    let fixture = DemoFixture::locate().unwrap();
    let server = fixture.serve().await.unwrap();
    // Slow enough (25 requests a second on the one shared host) to be killed mid-crawl.
    let text =
        fixture.units_yaml(server.addr.port()).unwrap().replace("rate_per_host: 50.0", "rate_per_host: 25.0");
    assert!(text.contains("rate_per_host: 25.0"));
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.yaml");
    std::fs::write(&units, text).unwrap();
    let as_of = fixture.as_of.format("%Y-%m-%d").to_string();

    // The uninterrupted run.
    let whole = dir.path().join("whole");
    let status = audit_cmd(&units, &whole, &as_of).status().unwrap();
    assert!(status.success());
    let total = stored_responses(&whole.join("evidence.sqlite"));
    assert!(total >= 100, "{total}");

    // The killed run: SIGKILL once about half of the responses are stored.
    let killed = dir.path().join("killed");
    let store = killed.join("evidence.sqlite");
    let mut child = audit_cmd(&units, &killed, &as_of).spawn().unwrap();
    let mut at_kill = 0;
    for _ in 0..6000 {
        at_kill = stored_responses(&store);
        if at_kill >= total / 2 || child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(!killed.join("report.json").exists(), "the run finished before it was killed");
    let kept = stored_responses(&store);
    assert!(kept >= at_kill && kept < total, "{kept} of {total} stored at the kill");

    // The rerun continues: what was stored is kept and reused, not fetched again.
    let status = audit_cmd(&units, &killed, &as_of).status().unwrap();
    assert!(status.success());
    assert!(!killed.join("evidence.prev.sqlite").exists(), "an interrupted store is continued, not rotated");
    let resumed = read_report(&killed);
    assert!(sum(&resumed, "resumed") as i64 >= kept - 5, "resumed {} of {kept}", sum(&resumed, "resumed"));
    let after = stored_responses(&store);
    eprintln!(
        "whole run: {total} records; killed at {kept}; rerun resumed {} and stored {after} in all",
        sum(&resumed, "resumed")
    );
    assert!(after <= total + 2, "rerun stored {after} against {total} of a whole run");

    assert_same(&normalised(read_report(&whole)), &normalised(resumed), "");
}

/// Asserts two JSON values are equal, naming the first path where they differ.
fn assert_same(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.contains_key("sha256") && x.get("url") != y.get("url") => {
            panic!("reports differ at {path}: {a} against {b}")
        }
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<_> = x.keys().chain(y.keys()).collect();
            for k in keys {
                assert_same(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                assert_same(p, q, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(a, b, "reports differ at {path}: {a} against {b}"),
    }
}

mod crawl_support;

/// A server that ignores conditional requests (no ETag, no Last-Modified, always 200): the SHA-256
/// comparison still sees that nothing changed, and the detail pages the unchanged list names are not
/// requested again within `revisit_days` (and are, with `revisit_days: 0`).
#[tokio::test]
async fn without_validators_the_hash_decides_and_listed_pages_wait_for_revisit_days() {
    use crawl_support::{Reply, Server, fast_settings, temp_store};
    use zwgk_audit::crawl::fetch::Reuse;
    use zwgk_audit::crawl::{CrawlOptions, CrawlTarget, crawl_reusing};
    use zwgk_audit::store::Revalidation;

    let server = Server::start(|path, _| match path {
        "/a/" => Reply::html(
            "<html><head><title>通知公告</title></head><body><ul class=\"list\">\
             <li><a href=\"/a/t1.html\">关于开展2025年政务公开培训的通知</a><span>2025-03-01</span></li>\
             <li><a href=\"/a/t2.html\">关于调整政务公开工作领导小组成员的通知</a><span>2025-02-18</span></li>\
             <li><a href=\"/a/t3.html\">关于做好2025年政务公开工作的通知</a><span>2025-01-08</span></li>\
             </ul></body></html>",
        ),
        p if p.starts_with("/a/t") => Reply::html(format!("<html><head><title>{p}</title></head><body>正文</body></html>")),
        _ => Reply::status(404),
    })
    .await;
    let targets = || vec![CrawlTarget { unit_id: "u".into(), roots: vec![server.url("/a/")] }];
    let options = CrawlOptions { allow_private: true };
    let settings = fast_settings();

    let (_d1, first) = temp_store();
    let s1 =
        crawl_reusing(targets(), &settings, &options, &[], Reuse::default(), first.clone()).await.unwrap();
    assert_eq!(s1[0].downloads, 4, "{:?}", s1[0]);

    let (_d2, second) = temp_store();
    let reuse = Reuse { prior: Some(first.clone()), resume: false };
    let s2 = crawl_reusing(targets(), &settings, &options, &[], reuse, second.clone()).await.unwrap();
    assert_eq!((s2[0].downloads, s2[0].reused, s2[0].not_modified), (1, 3, 0), "{:?}", s2[0]);
    assert_eq!(server.hits_of("/a/"), 2);
    assert_eq!(server.hits_of("/a/t1.html"), 1, "a listed, unchanged page waits for revisit_days");
    let records = second.records("u").unwrap();
    let how = |suffix: &str| records.iter().find(|r| r.url.ends_with(suffix)).unwrap().revalidated;
    assert_eq!(how("/a/"), Some(Revalidation::SameHash));
    assert_eq!(how("/a/t1.html"), Some(Revalidation::Fresh));
    let old = first.records("u").unwrap();
    let t1 = |rs: &[zwgk_audit::store::FetchRecord]| {
        rs.iter().find(|r| r.url.ends_with("t1.html")).cloned().unwrap()
    };
    assert_eq!(t1(&records).sha256, t1(&old).sha256);
    assert_eq!(t1(&records).body, t1(&old).body);
    assert_eq!(
        t1(&records).fetched_at,
        t1(&old).fetched_at,
        "not requested: the last confirmation time is kept"
    );

    let (_d3, third) = temp_store();
    let reuse = Reuse { prior: Some(second.clone()), resume: false };
    let every_time = zwgk_audit::config::Settings { revisit_days: 0, ..fast_settings() };
    let s3 = crawl_reusing(targets(), &every_time, &options, &[], reuse, third.clone()).await.unwrap();
    assert_eq!(server.hits_of("/a/t1.html"), 2, "revisit_days: 0 asks every time");
    assert_eq!((s3[0].downloads, s3[0].reused), (4, 0), "{:?}", s3[0]);
    assert!(
        third
            .records("u")
            .unwrap()
            .iter()
            .filter(|r| r.url.contains("/a/"))
            .all(|r| r.revalidated == Some(Revalidation::SameHash))
    );
}

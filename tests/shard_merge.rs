//! `audit --shard K/N` and `merge`, through the binary, on the demo site served under two host names
//! (127.0.0.1 and localhost), so that its two units can land in different shards.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use zwgk_audit::config::UnitsConfig;
use zwgk_audit::demo::DemoFixture;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zwgk-audit"))
}

fn units_yaml(port: u16, second_host: &str) -> String {
    format!(
        "settings:\n  rate_per_host: 200\n  max_pages_per_unit: 300\nunits:\n  - id: baogong\n    name: 包公街道\n    kind: street\n    roots: [\"http://127.0.0.1:{port}/bgjd/xxgk/\"]\n  - id: shengtai\n    name: 区生态环境分局\n    kind: department\n    roots: [\"http://{second_host}:{port}/sthjj/public/\"]\n"
    )
}

fn audit(units: &Path, out: &Path, shard: Option<&str>) -> std::process::Output {
    let mut cmd = bin();
    cmd.args(["audit", "--allow-private", "--as-of", "2025-03-20", "--units"])
        .arg(units)
        .arg("--out")
        .arg(out);
    cmd.arg("--checks").arg(common::repo().join("checks"));
    if let Some(s) = shard {
        cmd.args(["--shard", s]);
    }
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

fn report(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap()
}

fn ids(report: &Value) -> Vec<String> {
    report["units"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()).collect()
}

/// Item statuses and scores of every unit: what must not change when a run is sharded.
fn verdicts(report: &Value) -> Vec<(String, String, String, Value)> {
    report["units"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|u| {
            u["items"].as_array().unwrap().iter().map(move |i| {
                (
                    u["id"].as_str().unwrap().to_string(),
                    i["id"].as_str().unwrap().to_string(),
                    i["status"].as_str().unwrap().to_string(),
                    i["score"].clone(),
                )
            })
        })
        .collect()
}

fn rows(store: &Path) -> i64 {
    let conn = rusqlite::Connection::open(store).unwrap();
    conn.query_row("SELECT COUNT(*) FROM responses", [], |r| r.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn shards_split_by_host_and_merge_into_the_unsharded_report() {
    let fixture = DemoFixture::locate().unwrap();
    let server = fixture.serve().await.unwrap();
    let port = server.addr.port();
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.yaml");
    std::fs::write(&units, units_yaml(port, "localhost")).unwrap();

    // The smallest N that puts the two hosts in different shards (the assignment is a fixed hash).
    let config = UnitsConfig::load(&units).unwrap();
    let n = (2..10)
        .find(|&n| {
            let s = zwgk_audit::shard::assign(&config.units, n);
            s[0] != s[1]
        })
        .expect("two hosts split for some N < 10");
    let shards = zwgk_audit::shard::assign(&config.units, n);

    let mut outs: Vec<PathBuf> = Vec::new();
    for k in 0..n {
        let out = dir.path().join(format!("shard-{k}"));
        let run = audit(&units, &out, Some(&format!("{k}/{n}")));
        let r = report(&out);
        let expected: Vec<&str> = ["baogong", "shengtai"]
            .into_iter()
            .zip(&shards)
            .filter(|(_, s)| **s == k)
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids(&r), expected, "shard {k}/{n}");
        let shard_file: Value =
            serde_json::from_slice(&std::fs::read(out.join("shard.json")).unwrap()).unwrap();
        assert_eq!(shard_file["shard"]["index"], k);
        assert!(String::from_utf8_lossy(&run.stdout).contains(&format!("分片 {k}/{n}")));
        outs.push(out);
    }

    // Merging all shards gives the units in units-file order, with the verdicts an unsharded run gives.
    let merged = dir.path().join("merged");
    let run = bin().arg("merge").args(&outs).arg("--out").arg(&merged).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let m = report(&merged);
    assert_eq!(ids(&m), ["baogong", "shengtai"]);
    let whole = dir.path().join("whole");
    audit(&units, &whole, None);
    assert_eq!(verdicts(&m), verdicts(&report(&whole)));
    let html = std::fs::read_to_string(merged.join("report.html")).unwrap();
    assert!(html.contains("包公街道") && html.contains("区生态环境分局"));
    assert!(merged.join("report.xlsx").is_file());
    let shard_rows: i64 = outs
        .iter()
        .filter(|o| o.join("evidence.sqlite").is_file())
        .map(|o| rows(&o.join("evidence.sqlite")))
        .sum();
    assert_eq!(rows(&merged.join("evidence.sqlite")), shard_rows);

    // The merged folder is a full audit output: packs are made from it and verify.
    let pack = bin().args(["pack", "--unit", "shengtai", "--out"]).arg(&merged).output().unwrap();
    assert_eq!(pack.status.code(), Some(0), "{}", String::from_utf8_lossy(&pack.stderr));
    let verify = bin().arg("verify").arg(merged.join("evidence-pack-shengtai.zip")).output().unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", String::from_utf8_lossy(&verify.stderr));

    // A missing shard is refused, naming it; so is a shard given twice.
    let partial =
        bin().arg("merge").args(&outs[1..]).arg("--out").arg(dir.path().join("partial")).output().unwrap();
    let stderr = String::from_utf8_lossy(&partial.stderr);
    assert_eq!(partial.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("0/{n}")), "{stderr}");
    let twice = bin()
        .arg("merge")
        .args(&outs)
        .arg(&outs[0])
        .arg("--out")
        .arg(dir.path().join("twice"))
        .output()
        .unwrap();
    assert_eq!(twice.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn units_on_one_host_never_split_and_an_empty_shard_still_reports() {
    let fixture = DemoFixture::locate().unwrap();
    let server = fixture.serve().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.yaml");
    std::fs::write(&units, units_yaml(server.addr.port(), "127.0.0.1")).unwrap();
    let mut outs = Vec::new();
    let mut sizes = Vec::new();
    for k in 0..2 {
        let out = dir.path().join(format!("s{k}"));
        audit(&units, &out, Some(&format!("{k}/2")));
        sizes.push(ids(&report(&out)).len());
        outs.push(out);
    }
    sizes.sort();
    assert_eq!(sizes, [0, 2], "both units of the one host in one shard");
    let merged = dir.path().join("m");
    let run = bin().arg("merge").args(&outs).arg("--out").arg(&merged).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(ids(&report(&merged)), ["baogong", "shengtai"]);
}

#[test]
fn bad_shard_spec_is_invalid_usage() {
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.yaml");
    std::fs::write(&units, units_yaml(1, "localhost")).unwrap();
    let out = bin().args(["audit", "--shard", "2/2", "--units"]).arg(&units).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("K/N"));
}

/// Plain audits of disjoint units (no shard.json) merge too; different audit dates or a unit in two
/// outputs are refused.
#[test]
fn plain_outputs_merge_but_not_across_dates_or_twice() {
    use zwgk_audit::config::UnitKind;
    use zwgk_audit::report::{AuditReport, CrawlSummary, UnitReport};
    let unit = |id: &str| UnitReport {
        id: id.into(),
        name: format!("{id}街道"),
        kind: UnitKind::Street,
        crawl: CrawlSummary::default(),
        score: Default::default(),
        items: vec![],
        trend: vec![],
        todo: vec![],
        annual_reports: vec![],
        columns: vec![],
        script_pages: vec![],
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, as_of: &str, ids: &[&str]| {
        let d = dir.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        let r = AuditReport::new(as_of, ids.iter().map(|i| unit(i)).collect());
        std::fs::write(d.join("report.json"), serde_json::to_vec(&r).unwrap()).unwrap();
        d
    };
    let a = write("a", "2025-03-20", &["a1", "a2"]);
    let b = write("b", "2025-03-20", &["b1"]);
    let c = write("c", "2025-03-21", &["c1"]);
    let dup = write("dup", "2025-03-20", &["a2"]);
    let out = dir.path().join("out");
    let merged = zwgk_audit::shard::merge(&[a.clone(), b.clone()], &out).unwrap();
    assert_eq!(ids(&report(&out)), ["a1", "a2", "b1"]);
    assert_eq!(merged.responses, 0);
    let err = zwgk_audit::shard::merge(&[a.clone(), c], &out).unwrap_err().to_string();
    assert!(err.contains("2025-03-21"), "{err}");
    let err = zwgk_audit::shard::merge(&[a.clone(), dup], &out).unwrap_err().to_string();
    assert!(err.contains("a2"), "{err}");
    let err = zwgk_audit::shard::merge(&[a.clone(), b], &a).unwrap_err().to_string();
    assert!(err.contains("--out"), "{err}");
}

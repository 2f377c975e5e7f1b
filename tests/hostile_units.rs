//! Hostile units files: duplicate ids, and roots that resolve to loopback, private, link-local or
//! otherwise special addresses (spelt in every way a URL parser accepts). Duplicates are refused with
//! the file and line (exit 2); private roots are refused per record without `--allow-private`, no
//! request reaches them, and the audit exits 1 (nothing reachable). Nothing stored earlier is lost.

mod common;
#[path = "crawl_support.rs"]
mod crawl_support;

use std::path::Path;
use std::process::{Command, Output};

use crawl_support::{Reply, Server};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zwgk-audit"))
}

fn units(body: &str) -> String {
    format!("settings:\n  rate_per_host: 200.0\n  max_retries: 0\n  request_timeout_secs: 2\nunits:\n{body}")
}

fn unit(id: &str, root: &str) -> String {
    format!("  - id: {id}\n    name: 某街道\n    kind: street\n    roots: [\"{root}\"]\n")
}

async fn audit(units: &Path, out: &Path, allow_private: bool) -> Output {
    let mut cmd = bin();
    cmd.args(["audit", "--as-of", "2025-03-20", "--checks"])
        .arg(common::repo().join("checks"))
        .arg("--units")
        .arg(units)
        .arg("--out")
        .arg(out);
    if allow_private {
        cmd.arg("--allow-private");
    }
    tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
}

fn sha256_of(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

fn count_rows(store: &Path) -> i64 {
    let conn = rusqlite::Connection::open(store).unwrap();
    conn.query_row("SELECT count(*) FROM responses", [], |r| r.get(0)).unwrap()
}

async fn site() -> Server {
    Server::start(|path, _| match path {
        "/robots.txt" => Reply::status(404),
        "/xxgk/" => Reply::html(
            "<html><head><title>专栏</title></head><body><a href=\"/xxgk/a.html\">通知公告</a></body></html>",
        ),
        _ => {
            Reply::html("<html><head><title>页</title></head><body><p>发布日期：2025-03-01</p></body></html>")
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicate_ids_are_refused_with_file_and_line_and_the_previous_audit_survives() {
    let server = site().await;
    let root = server.url("/xxgk/").to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let good = dir.path().join("good.yaml");
    std::fs::write(&good, units(&unit("a", &root))).unwrap();
    let first = audit(&good, &out, true).await;
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let store = out.join("evidence.sqlite");
    let (store_hash, report_hash, rows) =
        (sha256_of(&store), sha256_of(&out.join("report.json")), count_rows(&store));
    assert!(rows > 0);

    for (name, body) in [
        ("dup.yaml", format!("{}{}", unit("a", &root), unit("a", &root))),
        (
            "dup-far.yaml",
            format!("{}{}{}", unit("a", &root), unit("b", &root), unit("a", "http://x.gov.cn/")),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, units(&body)).unwrap();
        let check = bin().arg("check-config").arg("--units").arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert_eq!(check.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(name) && stderr.contains("duplicate") && stderr.contains("`a`"), "{stderr}");
        let line = stderr.split(&format!("{name}:")).nth(1).and_then(|s| s.split(':').next()).unwrap_or("");
        assert!(line.parse::<usize>().is_ok_and(|l| l > 6), "the second `a` is named by its line: {stderr}");

        let again = audit(&path, &out, true).await;
        assert_eq!(again.status.code(), Some(2), "{}", String::from_utf8_lossy(&again.stderr));
        assert_eq!(sha256_of(&store), store_hash, "the store is untouched by a refused units file");
        assert_eq!(sha256_of(&out.join("report.json")), report_hash, "the report is untouched");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn private_roots_are_refused_without_allow_private_and_nothing_stored_is_lost() {
    let server = site().await;
    let port = server.addr.port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // A first, legitimate audit (private addresses allowed, as for the demo) fills the store.
    let good = dir.path().join("good.yaml");
    std::fs::write(&good, units(&unit("a", server.url("/xxgk/").as_ref()))).unwrap();
    let first = audit(&good, &out, true).await;
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let store = out.join("evidence.sqlite");
    let rows = count_rows(&store);
    let report_hash = sha256_of(&out.join("report.json"));
    let hits = server.hits().len();

    let spellings = [
        format!("http://127.0.0.1:{port}/xxgk/"),
        format!("http://localhost:{port}/xxgk/"),
        format!("http://LOCALHOST.:{port}/xxgk/"),
        format!("http://[::1]:{port}/xxgk/"),
        format!("http://[::ffff:127.0.0.1]:{port}/xxgk/"),
        format!("http://2130706433:{port}/xxgk/"),
        format!("http://0x7f.0.0.1:{port}/xxgk/"),
        format!("http://0177.0.0.1:{port}/xxgk/"),
        format!("http://127.1:{port}/xxgk/"),
        format!("http://0.0.0.0:{port}/xxgk/"),
        format!("http://user:pw@127.0.0.1:{port}/xxgk/"),
        "http://10.0.0.1/xxgk/".into(),
        "http://192.168.1.1/xxgk/".into(),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://[fe80::1]/xxgk/".into(),
        "http://100.64.0.1/xxgk/".into(),
    ];
    let body: String = spellings.iter().enumerate().map(|(i, r)| unit(&format!("p{i}"), r)).collect();
    let hostile = dir.path().join("private.yaml");
    std::fs::write(&hostile, units(&body)).unwrap();
    let run = audit(&hostile, &out, false).await;
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "nothing reachable: exit 1\n{stderr}");
    assert_eq!(server.hits().len(), hits, "a private root was requested: {:?}", &server.hits()[hits..]);

    // The earlier audit's store is still the one report.json cites, with all its records; the refused
    // run's records are kept beside it, each root refused.
    let kept: i64 = rusqlite::Connection::open(&store)
        .unwrap()
        .query_row("SELECT count(*) FROM responses", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, rows, "the first audit's records survive in evidence.sqlite");
    assert_eq!(sha256_of(&out.join("report.json")), report_hash, "report.json is untouched");
    let conn = rusqlite::Connection::open(out.join("evidence.failed.sqlite")).unwrap();
    for (i, root) in spellings.iter().enumerate() {
        let errors: Vec<String> = conn
            .prepare("SELECT coalesce(error, 'status ' || status) FROM responses WHERE unit_id = ?1")
            .unwrap()
            .query_map([format!("p{i}")], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(
            // A name the resolver here does not know (`localhost.`) fails before any connection.
            !errors.is_empty() && errors.iter().all(|e| e.starts_with("refused") || e.contains("dns error")),
            "{root}: {errors:?}\n{stderr}"
        );
    }
    drop(conn);

    // Failing again, and again, never rotates the good store away.
    for _ in 0..2 {
        let run = audit(&hostile, &out, false).await;
        assert_eq!(run.status.code(), Some(1));
    }
    assert_eq!(count_rows(&store), rows, "the last good evidence survives repeated failed runs");
    assert_eq!(server.hits().len(), hits);
}

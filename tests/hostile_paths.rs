//! Hostile paths: links with `..`, `%2e%2e`, odd characters and very long URLs, a traversal attempt on
//! the fixture server, and a report whose unit id would steer `pack` out of its folder. No file may be
//! written outside `--out` / `--dest`, and none may be served from outside the site's root.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// Every file and directory under `dir`, as paths relative to it (symlinks are not followed).
fn tree(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            assert!(!kind.is_symlink(), "a symlink was written: {}", entry.path().display());
            found.insert(entry.path().strip_prefix(dir).unwrap().to_path_buf());
            if kind.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    found
}

/// One raw HTTP/1.1 request (the path is sent byte for byte, unnormalised); returns the response.
fn raw_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-ROOT";

#[tokio::test(flavor = "multi_thread")]
async fn the_fixture_server_serves_nothing_outside_its_root() {
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("site");
    std::fs::create_dir_all(root.join("a")).unwrap();
    std::fs::write(root.join("a").join("index.html"), "<p>inside</p>").unwrap();
    std::fs::write(base.path().join("secret.txt"), SECRET).unwrap();
    let server = zwgk_audit::demo::serve_dir(root).await.unwrap();
    let addr = server.addr;
    let attempts = [
        "/../secret.txt",
        "/a/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/a/%2e%2e/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/a/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/a/%252e%252e/%252e%252e/secret.txt",
        "//secret.txt",
        "/a/....//....//secret.txt",
        "/%00/../secret.txt",
        "/a/index.html%00.txt",
        "/a/../../secret.txt?x=/../secret.txt",
    ];
    let replies = tokio::task::spawn_blocking(move || {
        let mut replies: Vec<(String, String)> =
            attempts.iter().map(|p| (p.to_string(), raw_get(addr, p))).collect();
        replies.push(("/a/".into(), raw_get(addr, "/a/")));
        replies
    })
    .await
    .unwrap();
    for (path, reply) in &replies[..replies.len() - 1] {
        assert!(!reply.contains(SECRET), "{path} served a file outside the root:\n{reply}");
    }
    assert!(replies.last().unwrap().1.contains("inside"), "the server works at all");
}

/// A 专栏 whose links try every way out of the folder the crawler and the reports write to.
fn hostile_links() -> Vec<String> {
    let long = "x".repeat(20_000);
    vec![
        "../../../../../../etc/passwd".into(),
        "/xxgk/../../../../tmp/escape.html".into(),
        "%2e%2e/%2e%2e/%2e%2e/escape.html".into(),
        "..%2f..%2f..%2fescape.html".into(),
        "..\\..\\..\\escape.html".into(),
        "/xxgk/a%00b.html".into(),
        "/xxgk/%E5%B9%B4%E6%8A%A5 2024 (终).pdf".into(),
        "/xxgk/con:aux|nul*?<>.html".into(),
        "/xxgk/%ff%fe%fd.html".into(),
        "/xxgk/\u{202e}lmth.exe".into(),
        format!("/xxgk/{long}.html"),
        format!("/xxgk/long.html?q={long}"),
        "file:///etc/passwd".into(),
        "//evil.invalid/escape.html".into(),
        "/xxgk/ok.html".into(),
    ]
}

fn write_site(root: &Path) {
    let dir = root.join("xxgk");
    std::fs::create_dir_all(&dir).unwrap();
    let links: String = hostile_links()
        .iter()
        .map(|h| format!("<a href=\"{}\">政府信息公开年报</a>\n", h.replace('"', "&quot;")))
        .collect();
    std::fs::write(
        dir.join("index.html"),
        format!("<!DOCTYPE html><html><head><meta charset=utf-8><title>专栏</title></head><body>{links}</body></html>"),
    )
    .unwrap();
    std::fs::write(dir.join("ok.html"), "<!DOCTYPE html><title>好</title><p>发布日期：2025-03-01</p>")
        .unwrap();
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zwgk-audit"))
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_urls_and_unit_ids_write_nothing_outside_out_and_dest() {
    let base = tempfile::tempdir().unwrap();
    let site = base.path().join("site");
    write_site(&site);
    let server = zwgk_audit::demo::serve_dir(site.clone()).await.unwrap();
    let units = base.path().join("units.yaml");
    std::fs::write(
        &units,
        format!(
            "settings:\n  rate_per_host: 200.0\n  max_depth: 3\nunits:\n  - id: paths\n    name: 路径街道\n    kind: street\n    roots: [\"http://127.0.0.1:{}/xxgk/\"]\n",
            server.addr.port()
        ),
    )
    .unwrap();
    let out = base.path().join("out");
    let dest = base.path().join("dest");
    std::fs::create_dir_all(&dest).unwrap();
    let before = tree(base.path());

    let units2 = units.clone();
    let out2 = out.clone();
    let audit = tokio::task::spawn_blocking(move || {
        bin()
            .args(["audit", "--allow-private", "--as-of", "2025-03-20", "--units"])
            .arg(&units2)
            .arg("--checks")
            .arg(common::repo().join("checks"))
            .arg("--out")
            .arg(&out2)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(audit.status.code(), Some(0), "{}", String::from_utf8_lossy(&audit.stderr));
    assert!(common::fetched_urls(&out.join("evidence.sqlite")).iter().any(|u| u.ends_with("/xxgk/ok.html")));

    // A report.json from elsewhere (a shard, a colleague's machine) whose unit id tries to escape `dest`
    // and to plant a zip entry outside the folder it is unpacked into.
    let report_path = out.join("report.json");
    let report = std::fs::read_to_string(&report_path).unwrap();
    std::fs::write(
        &report_path,
        report
            .replace("\"id\": \"paths\"", "\"id\": \"../../escaped\"")
            .replace("\"id\":\"paths\"", "\"id\":\"../../escaped\""),
    )
    .unwrap();
    assert!(
        std::fs::read_to_string(&report_path).unwrap().contains("../../escaped"),
        "the report was tampered"
    );
    let packed = bin().arg("pack").arg("--out").arg(&out).arg("--dest").arg(&dest).output().unwrap();
    let stderr = String::from_utf8_lossy(&packed.stderr);

    // Nothing appeared outside `out` and `dest` (the site and units file were there before).
    let after = tree(base.path());
    let outside: Vec<_> =
        after.difference(&before).filter(|p| !p.starts_with("out") && !p.starts_with("dest")).collect();
    assert!(outside.is_empty(), "files written outside --out/--dest: {outside:?}\n{stderr}");
    assert!(!base.path().parent().unwrap().join("escaped").exists());
    for p in tree(&out).iter().chain(tree(&dest).iter()) {
        assert!(p.components().all(|c| matches!(c, Component::Normal(_))), "odd path {p:?}");
        assert!(p.as_os_str().len() < 255, "over-long file name {p:?}");
    }
    // Whatever pack made of the id, every zip entry name is a plain relative path.
    for p in tree(&dest) {
        let f = std::fs::File::open(dest.join(&p)).unwrap();
        let Ok(mut zip) = zip::ZipArchive::new(f) else { continue };
        for i in 0..zip.len() {
            let name = zip.by_index(i).unwrap().name().unwrap().to_string();
            assert!(
                !name.starts_with('/')
                    && !name.contains('\\')
                    && !name.split('/').any(|s| s == ".." || s.is_empty()),
                "zip entry {name:?} in {p:?}"
            );
        }
    }
}

//! Hostile pages: deeply nested markup and bodies far over the size limit. Extraction must neither
//! overflow the stack nor take long, and a crawl that meets such pages must stay bounded in time and
//! memory (the body-size limit cuts the big one) while still auditing the rest of the site.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use url::Url;
use zwgk_audit::extract::extract_page;

/// `depth` nested elements of `tag`, with a link and a date at the bottom.
fn nested(tag: &str, depth: usize) -> String {
    let mut s = String::with_capacity(depth * (2 * tag.len() + 5) + 200);
    s.push_str("<!DOCTYPE html><html><head><title>深</title></head><body>");
    for _ in 0..depth {
        s.push_str(&format!("<{tag}>"));
    }
    s.push_str("<a href=\"/a.html\">通知公告</a> 2025-03-01 发布日期：2025-03-01");
    for _ in 0..depth {
        s.push_str(&format!("</{tag}>"));
    }
    s.push_str("</body></html>");
    s
}

/// Runs `f` on a thread with a small stack (256 KiB, far less than the 2 MiB of a tokio worker), so
/// recursion proportional to the nesting depth would overflow here first.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(256 * 1024).spawn(f).unwrap().join().expect("no stack overflow")
}

#[test]
fn deeply_nested_markup_is_extracted_on_a_small_stack_in_bounded_time() {
    for (tag, depth) in
        [("div", 100_000), ("table", 20_000), ("span", 100_000), ("li", 50_000), ("a", 50_000)]
    {
        let html = nested(tag, depth);
        let started = Instant::now();
        let facts = on_small_stack(move || {
            extract_page(&Url::parse("http://127.0.0.1/xxgk/index.html").unwrap(), &html)
        });
        let took = started.elapsed();
        assert!(took < Duration::from_secs(5), "{depth} nested <{tag}>: {took:?}");
        let shown = format!("{facts:?}");
        assert!(shown.len() < 10 * 1024 * 1024, "facts of a nested page stay small");
    }
}

/// A tag of 300,000 attributes (2 MB), alone and after text that the plain-page parser leaves to
/// html5ever: html5ever compares each attribute with every earlier one, so unbounded this took minutes.
#[test]
fn a_tag_of_very_many_attributes_is_extracted_in_bounded_time() {
    let attrs: String = (0..300_000).map(|i| format!(" a{i}")).collect();
    for before in ["", "<table>text in a table</table>"] {
        let html = format!(
            "<!DOCTYPE html><html><head><title>属性</title></head><body>{before}<div{attrs}>\
             <a href=\"/a.html\">通知公告</a></div></body></html>"
        );
        let started = Instant::now();
        let facts = extract_page(&Url::parse("http://127.0.0.1/xxgk/index.html").unwrap(), &html);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(5), "after {before:?}: {took:?}");
        assert!(facts.links.iter().any(|l| l.url == "http://127.0.0.1/a.html"), "the link inside is kept");
    }
}

/// Peak resident memory (KiB) of a child process, sampled until it exits; with its exit code and time.
fn run_sampling_rss(mut cmd: Command, limit: Duration) -> (Option<i32>, u64, Duration, String) {
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("start zwgk-audit");
    let stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file) {
            for line in s.lines() {
                if let Some(v) = line.strip_prefix("VmHWM:") {
                    let kib: u64 = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
                    peak = peak.max(kib);
                }
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), peak, started.elapsed(), err.join().unwrap());
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("zwgk-audit did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crawl_through_huge_and_deep_pages_stays_bounded_and_keeps_the_rest() {
    let site = tempfile::tempdir().unwrap();
    let root = site.path().join("xxgk");
    write(
        &root.join("index.html"),
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>信息公开</title></head><body>\
         <a href=\"big.html\">政府信息公开指南</a> <a href=\"deep.html\">通知公告</a> \
         <a href=\"big.txt\">附件.txt</a> <a href=\"ok.html\">工作动态</a></body></html>",
    );
    // 50 MB pages: one HTML whose markup never ends, one plain text attachment.
    let mut big = String::from("<!DOCTYPE html><html><head><title>大</title></head><body>");
    while big.len() < 50 * 1024 * 1024 {
        big.push_str("<p>政府信息公开 2025-03-01 <a href=\"ok.html\">链接</a></p>\n");
    }
    write(&root.join("big.html"), &big);
    write(&root.join("big.txt"), vec![b'a'; 50 * 1024 * 1024]);
    drop(big);
    write(&root.join("deep.html"), nested("div", 100_000));
    write(
        &root.join("ok.html"),
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>工作动态</title></head><body><p>发布日期：2025-03-01</p></body></html>",
    );
    let server = zwgk_audit::demo::serve_dir(site.path().to_path_buf()).await.unwrap();
    let units = site.path().join("units.yaml");
    write(
        &units,
        format!(
            "settings:\n  rate_per_host: 200.0\n  max_body_bytes: 4194304\nunits:\n  - id: big\n    name: 大页面街道\n    kind: street\n    roots: [\"http://127.0.0.1:{}/xxgk/\"]\n",
            server.addr.port()
        ),
    );
    let out = site.path().join("out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zwgk-audit"));
    cmd.args(["audit", "--allow-private", "--as-of", "2025-03-20", "--units"])
        .arg(&units)
        .arg("--checks")
        .arg(common::repo().join("checks"))
        .arg("--out")
        .arg(&out);
    // The binary runs in its own process, so the server must keep answering from this runtime.
    let (code, peak_kib, took, stderr) =
        tokio::task::spawn_blocking(move || run_sampling_rss(cmd, Duration::from_secs(120))).await.unwrap();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(took < Duration::from_secs(60), "audit took {took:?}");
    // Two 50 MB bodies must not be held whole: the 4 MiB body limit bounds each response.
    assert!(peak_kib < 400 * 1024, "peak RSS {} MiB", peak_kib / 1024);

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let unit = common::unit(&report, "big");
    assert!(unit["crawl"]["pages"].as_u64().unwrap() >= 2, "{}", unit["crawl"]);
    // The small page was stored and read; the big ones were cut, not stored whole.
    let conn = rusqlite::Connection::open(out.join("evidence.sqlite")).unwrap();
    let longest: i64 =
        conn.query_row("SELECT max(length(body)) FROM responses", [], |r| r.get(0)).unwrap_or(0);
    assert!(longest <= 4 * 1024 * 1024, "a stored body of {longest} bytes exceeds the limit");
    assert!(common::fetched_urls(&out.join("evidence.sqlite")).iter().any(|u| u.ends_with("/ok.html")));
}

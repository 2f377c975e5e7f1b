//! Issue 6 point 8 end to end: lists that exist only after a page's script runs, served on 127.0.0.1.
//!
//! - 通知公告: a GBK shell whose jQuery call loads the entries from a JSON API (two pages). It is read
//!   through that API, politely (robots.txt, the host's pace), without a browser, in every build.
//! - 工作动态: a shell whose script asks an endpoint robots.txt disallows: it is never requested.
//! - 政策文件: a list written by an inline script from data in the page, with no API: only rendering
//!   reads it (cargo feature `js`, Debian's chromium). While rendering, the page's request to another
//!   origin and its image are refused; its same-origin data request goes through the server.

mod common;
mod crawl_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use common::unit;
use crawl_support::{Reply, Server};
use serde_json::{Value, json};
use zwgk_audit::audit::{self, AuditOptions};
use zwgk_audit::config::UnitsConfig;

fn gbk_page(html: &str) -> Reply {
    let mut r = Reply::html(encoding_rs::GBK.encode(html).0.into_owned());
    r.headers = vec![("content-type".into(), "text/html; charset=GBK".into())];
    r
}

fn json_reply(v: &Value) -> Reply {
    Reply {
        status: 200,
        headers: vec![("content-type".into(), "application/json;charset=utf-8".into())],
        body: v.to_string().into_bytes(),
    }
}

const NAV: &str = r#"<div class="nav"><a href="/xxgk/tzgg/">通知公告</a> <a href="/xxgk/gzdt/">工作动态</a> <a href="/xxgk/zcwj/">政策文件</a></div>"#;

/// The notices the API serves: (title, path, date).
const NOTICES: [(&str, &str, &str); 5] = [
    ("关于做好2025年防汛工作的通知", "/xxgk/tzgg/202506/t20250612_5.html", "2025-06-12 09:00:00"),
    ("关于开展夏季消防安全检查的通知", "/xxgk/tzgg/202506/t20250603_4.html", "2025-06-03 10:30:00"),
    ("关于调整社区服务中心办公时间的公告", "/xxgk/tzgg/202505/t20250520_3.html", "2025-05-20 08:00:00"),
    ("关于公布2025年民生实事项目的通知", "/xxgk/tzgg/202504/t20250415_2.html", "2025-04-15 16:00:00"),
    ("关于开展人居环境整治的通知", "/xxgk/tzgg/202503/t20250310_1.html", "2025-03-10 11:00:00"),
];

/// The policy files the 政策文件 page writes with its own script: (title, path, date).
const POLICIES: [(&str, &str, &str); 3] = [
    ("庐阳街道居民议事规则", "/xxgk/zcwj/202506/t20250601_3.html", "2025-06-01"),
    ("庐阳街道网格化管理办法", "/xxgk/zcwj/202504/t20250418_2.html", "2025-04-18"),
    ("庐阳街道志愿服务管理规定", "/xxgk/zcwj/202502/t20250226_1.html", "2025-02-26"),
];

fn site(path: &str, port: u16) -> Reply {
    let record = |(t, u, d): &(&str, &str, &str)| json!({"docTitle": t, "docPubUrl": u, "docRelTime": d});
    match path {
        "/robots.txt" => Reply::text("User-agent: *\nDisallow: /private/\n"),
        "/xxgk/" => gbk_page(&format!(
            r#"<html><head><meta charset="gbk"><title>庐阳街道政府信息公开专栏</title></head><body>{NAV}<p>欢迎访问。</p></body></html>"#
        )),
        "/xxgk/tzgg/" => gbk_page(&format!(
            r##"<html><head><meta charset="gbk"><title>通知公告</title></head><body>{NAV}
<ul id="infoList"></ul><div id="pager"></div>
<script src="/js/jquery.min.js"></script>
<script>
$(function () {{
  $.ajax({{ type: "GET", url: "/api/info/list", dataType: "json",
    data: {{ channelId: "tzgg", pageNo: 1, pageSize: 3 }},
    success: function (r) {{
      var html = "";
      $.each(r.data.records, function (i, d) {{ html += '<li><a href="' + d.docPubUrl + '">' + d.docTitle + '</a><span>' + d.docRelTime.substring(0, 10) + '</span></li>'; }});
      $("#infoList").html(html);
    }} }});
}});
</script></body></html>"##
        )),
        "/api/info/list?channelId=tzgg&pageNo=1&pageSize=3" => json_reply(
            &json!({"code": 200, "data": {"totalPage": 2, "records": NOTICES[..3].iter().map(record).collect::<Vec<_>>()}}),
        ),
        "/api/info/list?channelId=tzgg&pageNo=2&pageSize=3" => json_reply(
            &json!({"code": 200, "data": {"totalPage": 2, "records": NOTICES[3..].iter().map(record).collect::<Vec<_>>()}}),
        ),
        "/xxgk/gzdt/" => gbk_page(&format!(
            r#"<html><head><meta charset="gbk"><title>工作动态</title></head><body>{NAV}<ul id="newsList"></ul>
<script>fetch("/private/list.json").then(function (r) {{ return r.json(); }});</script></body></html>"#
        )),
        "/xxgk/zcwj/" => {
            let rows: Vec<String> =
                POLICIES.iter().map(|(t, u, d)| format!(r#"["{t}", "{u}", "{d}"]"#)).collect();
            gbk_page(&format!(
                r#"<html><head><meta charset="gbk"><title>政策文件</title></head><body>{NAV}
<img src="/xxgk/zcwj/logo.png" alt="">
<ul id="docList"></ul>
<script>
var rows = [{rows}];
var html = "";
for (var i = 0; i < rows.length; i++) {{
  html += '<li><a href="' + rows[i][1] + '">' + rows[i][0] + '</a><span>' + rows[i][2] + '</span></li>';
}}
document.getElementById("docList").innerHTML = html;
fetch("/xxgk/zcwj/count.json");
fetch("http://localhost:{port}/beacon");
</script></body></html>"#,
                rows = rows.join(",")
            ))
        }
        "/xxgk/zcwj/count.json" => json_reply(&json!({"views": 12})),
        p if p.starts_with("/xxgk/tzgg/20") || p.starts_with("/xxgk/zcwj/20") => {
            let title = NOTICES.iter().chain(POLICIES.iter()).find(|n| n.1 == p).map_or("文件", |n| n.0);
            gbk_page(&format!(
                r#"<html><head><meta charset="gbk"><title>{title}</title></head><body>{NAV}<div class="article"><h1>{title}</h1><p>发布日期：2025-06-01</p><p>正文。</p></div></body></html>"#
            ))
        }
        _ => Reply::status(404),
    }
}

struct Run {
    report: Value,
    html: String,
    out: tempfile::TempDir,
    server: Server,
}

async fn audit_site(render: &str) -> Run {
    // The 政策文件 page names its own server's port for its cross-origin request (localhost is another
    // origin than 127.0.0.1), so a request the gate let through would reach this server.
    let own_port = Arc::new(AtomicU16::new(0));
    let seen_port = own_port.clone();
    let server = Server::start(move |path, _| site(path, seen_port.load(Ordering::SeqCst))).await;
    let port = server.addr.port();
    own_port.store(port, Ordering::SeqCst);
    let yaml = format!(
        "units:\n  - id: luyang\n    name: 庐阳街道\n    kind: street\n    render: {render}\n    roots: [\"http://127.0.0.1:{port}/xxgk/\"]\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.yaml");
    std::fs::write(&units, &yaml).unwrap();
    let mut config = UnitsConfig::parse(&units, &yaml).expect("units");
    config.settings.rate_per_host = 100.0;
    let out = tempfile::tempdir().unwrap();
    let options = AuditOptions {
        checks_dir: common::repo().join("checks"),
        out_dir: out.path().to_path_buf(),
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        allow_private: true,
    };
    audit::run(&config, &options).await.expect("audit runs");
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    Run { report, html, out, server }
}

fn column<'a>(u: &'a Value, name: &str) -> &'a Value {
    u["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("column {name}: {}", u["columns"]))
}

fn script_page<'a>(u: &'a Value, url: &str) -> Option<&'a Value> {
    u["script_pages"].as_array().and_then(|a| a.iter().find(|p| p["url"] == url))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_from_a_data_api_is_read_without_a_browser() {
    // `render: never` keeps any browser out even in a build with the `js` feature.
    let run = audit_site("never").await;
    let base = format!("http://{}", run.server.addr);
    let u = unit(&run.report, "luyang");

    let tzgg = column(u, "通知公告");
    assert_eq!(tzgg["entries"], 5, "both API pages read: {tzgg}");
    assert_eq!(tzgg["newest"], "2025-06-12");
    assert_eq!(tzgg["list_pages"], 3, "the column page and two API pages: {tzgg}");
    let api1 = format!("{base}/api/info/list?channelId=tzgg&pageNo=1&pageSize=3");
    let page = script_page(u, &format!("{base}/xxgk/tzgg/")).expect("通知公告 listed as a script page");
    assert_eq!(page["via"], "data_api");
    assert_eq!(page["source"], api1.as_str());
    assert_eq!(page["entries"], 5);
    assert!(run.html.contains("读取页面脚本调用的数据接口"), "report.html says how the page was read");

    // Politely: each API page once, the detail pages it lists fetched, the disallowed endpoint never.
    assert_eq!(run.server.hits_of("/api/info/list?channelId=tzgg&pageNo=1&pageSize=3"), 1);
    assert_eq!(run.server.hits_of("/api/info/list?channelId=tzgg&pageNo=2&pageSize=3"), 1);
    for (_, path, _) in NOTICES {
        assert_eq!(run.server.hits_of(path), 1, "{path}");
    }
    assert_eq!(run.server.hits_of("/private/list.json"), 0, "robots.txt disallows it");
    assert_eq!(run.server.hits_of("/js/jquery.min.js"), 0, "scripts are not fetched without a browser");

    // Without rendering, the script-written list stays unread, and the store holds no rendered DOM.
    assert_eq!(column(u, "政策文件")["entries"], 0);
    assert!(script_page(u, &format!("{base}/xxgk/zcwj/")).is_none());
    let rendered = common::store_urls(&run.out.path().join("evidence.sqlite"), "kind = 'rendered'");
    assert!(rendered.is_empty(), "{rendered:?}");
}

#[cfg(feature = "js")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_written_list_is_read_by_rendering() {
    if std::env::var_os("ZWGK_SKIP_BROWSER_TESTS").is_some() {
        eprintln!("ZWGK_SKIP_BROWSER_TESTS set: skipping");
        return;
    }
    let run = audit_site("auto").await;
    let base = format!("http://{}", run.server.addr);
    let u = unit(&run.report, "luyang");

    let conn = rusqlite::Connection::open(run.out.path().join("evidence.sqlite")).unwrap();
    let renders: Vec<(String, Option<u16>, Option<String>)> = conn
        .prepare("SELECT url, status, error FROM responses WHERE kind = 'rendered'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(renders.len(), 1, "one page rendered: {renders:?}");
    let zcwj = column(u, "政策文件");
    assert_eq!(zcwj["entries"], 3, "the rendered DOM's list: {zcwj} {renders:?}");
    assert_eq!(zcwj["newest"], "2025-06-01");
    let page = script_page(u, &format!("{base}/xxgk/zcwj/")).expect("政策文件 listed as rendered");
    assert_eq!(page["via"], "rendered");
    assert_eq!(page["entries"], 3);
    assert!(run.html.contains("无头浏览器渲染后读取"));
    for (_, path, _) in POLICIES {
        assert_eq!(run.server.hits_of(path), 1, "the rendered list's documents are crawled: {path}");
    }
    // The data-API page is still read without rendering it.
    let tzgg = script_page(u, &format!("{base}/xxgk/tzgg/")).expect("通知公告");
    assert_eq!(tzgg["via"], "data_api");

    // What the browser asked: its same-origin data request (once by the crawler, as the page's data
    // endpoint that listed nothing, once by the browser), never the other origin or the image.
    assert_eq!(run.server.hits_of("/xxgk/zcwj/count.json"), 2);
    assert_eq!(run.server.hits_of("/beacon"), 0, "a request to another origin is refused");
    assert_eq!(run.server.hits_of("/xxgk/zcwj/logo.png"), 0, "images are not loaded");

    // The rendered DOM is stored with its own hash, and the evidence cites it.
    let (body, sha): (Vec<u8>, String) = conn
        .query_row(
            "SELECT body, sha256 FROM responses WHERE kind = 'rendered' AND url = ?1",
            [format!("{base}/xxgk/zcwj/")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a rendered record");
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("庐阳街道居民议事规则"), "the DOM holds the written list");
    use sha2::Digest;
    assert_eq!(sha, hex::encode(sha2::Sha256::digest(text.as_bytes())));

    // In the evidence pack the DOM is a `conversion` record, not a response no server sent; it verifies,
    // and the manifest says what such a record is.
    let dest = run.out.path().join("packs/luyang.zip");
    zwgk_audit::pack::pack_unit(run.out.path(), "luyang", &dest).expect("pack");
    let v = zwgk_audit::pack::verify(&dest);
    assert!(v.ok(), "{:?}", v.problems);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&dest).unwrap()).unwrap();
    let read = |zip: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut out).unwrap();
        out
    };
    let manifest: Value = serde_json::from_slice(&read(&mut zip, "manifest.json")).unwrap();
    let dom = manifest["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["sha256"] == sha.as_str())
        .unwrap_or_else(|| panic!("the rendered DOM is cited: {manifest:#}"));
    assert_eq!(dom["warc_record_type"], "conversion");
    assert!(manifest["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("conversion")));
    let records = zwgk_audit::pack::warc::read_gz(&read(&mut zip, "archive/luyang.warc.gz")).unwrap();
    let rec = records
        .iter()
        .map(|r| &r.record)
        .find(|r| r.field("WARC-Record-ID") == dom["warc_record_id"].as_str())
        .expect("the cited record");
    assert_eq!(rec.field("WARC-Type"), Some("conversion"));
    assert_eq!(rec.block, text.as_bytes(), "the DOM itself, with no HTTP head");
    assert!(zwgk_audit::pack::warc::check_digests(rec).is_empty());
    assert_eq!(
        rec.field("WARC-Payload-Digest"),
        Some(zwgk_audit::pack::warc::sha256_label(text.as_bytes()).as_str())
    );
    let responses = records.iter().filter(|r| r.record.field("WARC-Type") == Some("response")).count();
    assert_eq!(
        responses + 1,
        manifest["evidence"].as_array().unwrap().len(),
        "every other citation a response"
    );
}

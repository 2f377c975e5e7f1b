//! Issue 6 point 1 end to end: legacy DOC, WPS and XLS attachments (fixtures/attachments/, real files
//! written by LibreOffice from GBK text) listed by a GBK 专栏 served on 127.0.0.1, crawled, converted
//! through LibreOffice headless and judged: the 年报 in DOC gets its year row and arithmetic, the ID
//! numbers in the WPS and XLS are found (masked) by the privacy check, and `inspect` reads each file.

mod common;

use std::process::Command;

use common::{findings_of, unit};
use serde_json::Value;
use zwgk_audit::audit::{self, AuditOptions};
use zwgk_audit::config::UnitsConfig;

const LEAKED: [&str; 2] = ["340104198506121236", "340122197203084560"];

fn gbk(html: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(html).0.into_owned()
}

/// A street 专栏: a root with a 年报 column listing the DOC, and a 通知公告 column whose notice links the
/// WPS and the XLS. Every page is GBK.
fn write_site(dir: &std::path::Path) {
    let head =
        r#"<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#;
    let nav = r#"<div class="nav"><a href="/xxgk/gknb/">政府信息公开年报</a> <a href="/xxgk/tzgg/">通知公告</a></div>"#;
    let files = dir.join("xxgk");
    for sub in ["gknb", "tzgg", "files"] {
        std::fs::create_dir_all(files.join(sub)).unwrap();
    }
    std::fs::write(
        files.join("index.html"),
        gbk(&format!("{head}<title>庐阳街道政府信息公开专栏</title></head><body>{nav}<p>欢迎访问庐阳街道政府信息公开专栏。</p></body></html>")),
    )
    .unwrap();
    std::fs::write(
        files.join("gknb/index.html"),
        gbk(&format!(
            r#"{head}<title>政府信息公开年报</title></head><body>{nav}<ul class="list">
<li><a href="/xxgk/files/nianbao-2024.doc">庐阳街道2024年政府信息公开工作年度报告</a><span>2025-01-20</span></li>
</ul></body></html>"#
        )),
    )
    .unwrap();
    std::fs::write(
        files.join("tzgg/index.html"),
        gbk(&format!(
            r#"{head}<title>通知公告</title></head><body>{nav}<ul class="list">
<li><a href="/xxgk/tzgg/t20250110_1.html">关于2024年度高龄津贴发放名单的公示</a><span>2025-01-10</span></li>
</ul></body></html>"#
        )),
    )
    .unwrap();
    std::fs::write(
        files.join("tzgg/t20250110_1.html"),
        gbk(&format!(
            r#"{head}<title>关于2024年度高龄津贴发放名单的公示</title></head><body>{nav}<div class="article">
<h1>关于2024年度高龄津贴发放名单的公示</h1><p>发布日期：2025-01-10</p>
<p>附件：<a href="/xxgk/files/mingdan.wps">高龄津贴发放名单.wps</a></p>
<p>附件：<a href="/xxgk/files/huamingce.xls">临时救助对象花名册.xls</a></p></div></body></html>"#
        )),
    )
    .unwrap();
    for name in ["nianbao-2024.doc", "mingdan.wps", "huamingce.xls"] {
        std::fs::copy(common::repo().join("fixtures/attachments").join(name), files.join("files").join(name))
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doc_wps_and_xls_reach_the_checks() {
    let site = tempfile::tempdir().unwrap();
    write_site(site.path());
    let server = zwgk_audit::demo::serve_dir(site.path().to_path_buf()).await.expect("serve");
    let port = server.addr.port();
    let yaml = format!(
        "units:\n  - id: luyang\n    name: 庐阳街道\n    kind: street\n    roots: [\"http://127.0.0.1:{port}/xxgk/index.html\"]\n"
    );
    let units = site.path().join("units.yaml");
    std::fs::write(&units, &yaml).unwrap();
    let mut config = UnitsConfig::parse(&units, &yaml).expect("units");
    config.settings.rate_per_host = 200.0;
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
    let base = server.base_url().trim_end_matches('/').to_string();
    let u = unit(&report, "luyang");

    // The 年报 in DOC: read, dated from the list, its table 三 adds up.
    let years = u["annual_reports"].as_array().expect("annual_reports");
    let y2024 = years.iter().find(|y| y["year"] == 2024).expect("2024 row");
    assert_eq!(y2024["format"], "doc", "{y2024}");
    assert_eq!(y2024["url"], format!("{base}/xxgk/files/nianbao-2024.doc"));
    assert_eq!(y2024["published"], "2025-01-20");
    assert_eq!(y2024["sections_ok"], true, "{y2024}");
    assert_eq!(y2024["arithmetic_ok"], true, "{y2024}");

    // The ID numbers in the WPS and the XLS: each file a failing finding, its number masked.
    let pii = findings_of(u, "no-personal-data");
    let failed: Vec<&Value> = pii.iter().copied().filter(|f| f["status"] == "fail").collect();
    assert!(!failed.is_empty(), "{pii:?}");
    let cited: Vec<String> = failed
        .iter()
        .flat_map(|f| f["evidence"].as_array().unwrap())
        .map(|e| e["url"].as_str().unwrap().to_string())
        .collect();
    for file in ["mingdan.wps", "huamingce.xls"] {
        assert!(cited.contains(&format!("{base}/xxgk/files/{file}")), "{file} not cited: {cited:?}");
    }
    let excerpts: String = failed
        .iter()
        .flat_map(|f| f["evidence"].as_array().unwrap())
        .map(|e| e["excerpt"].as_str().unwrap_or(""))
        .collect();
    assert!(excerpts.contains("3401"), "excerpts show the masked number: {excerpts}");
    // No report file repeats a leaked number in full.
    for name in ["report.json", "report.html"] {
        let text = std::fs::read_to_string(out.path().join(name)).unwrap();
        for id in LEAKED {
            assert!(!text.contains(id), "{name} repeats {id}");
        }
    }
}

#[test]
fn inspect_reads_doc_wps_and_xls() {
    let bin = env!("CARGO_BIN_EXE_zwgk-audit");
    let run = |name: &str| -> Value {
        let path = common::repo().join("fixtures/attachments").join(name);
        let out = Command::new(bin).arg("inspect").arg(&path).output().expect("run inspect");
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let doc = run("nianbao-2024.doc");
    assert_eq!(doc["attachment"]["format"], "doc", "{doc}");
    assert_eq!(doc["attachment"]["note"], Value::Null);
    assert_eq!(doc["title"], "庐阳街道2024年政府信息公开工作年度报告");
    assert_eq!(doc["annual_report"]["year"], 2024);
    assert_eq!(
        doc["annual_report"]["applications"]["rows"]["new_requests"],
        serde_json::json!([11, 1, 0, 0, 0, 0, 12])
    );
    let wps = run("mingdan.wps");
    assert_eq!(wps["attachment"]["format"], "doc", "a WPS file is Word binary: {wps}");
    assert_eq!(wps["title"], "关于2024年度高龄津贴发放名单的公示");
    let xls = run("huamingce.xls");
    assert_eq!(xls["attachment"]["format"], "xls", "{xls}");
    assert!(xls["attachment"]["text_chars"].as_u64().unwrap() > 20, "{xls}");
}

//! Hostile page content reaches the report and stays inert: a site whose titles, link texts and
//! attributes carry script is crawled over real HTTP, audited, and report.html is rendered in headless
//! Chromium. No payload may run (each one would mark the DOM or log to the console), and the payload text
//! must still be visible as text, so the test proves the payloads really reached the report.
//!
//! Set `ZWGK_SKIP_BROWSER_TESTS=1` to skip on a machine that cannot have a browser.

mod common;

use std::path::Path;

use zwgk_audit::audit::{self, AuditOptions};
use zwgk_audit::config::UnitsConfig;

/// What a payload does when it runs: marks `<body>` and logs, so either the DOM or the console shows it.
const RUN: &str = "document.body.setAttribute('data-pwned','1');console.log('PWNED')";

fn payloads() -> Vec<String> {
    vec![
        "<script>document.body.setAttribute('data-pwned','1');console.log('PWNED')</script>".into(),
        format!("\"><img src=x onerror=\"{RUN}\">"),
        format!("'><svg onload=\"{RUN}\">"),
        format!("</title></td></tr></table><script>{RUN}</script>"),
    ]
}

/// Writes a small 专栏 whose every title, link text and attribute is hostile.
fn write_site(root: &Path) {
    let escape =
        |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let p = payloads();
    let dir = root.join("xxgk");
    std::fs::create_dir_all(dir.join("zcjd")).unwrap();
    let nav = format!(
        r#"<ul class="nav">
<li><a href="/xxgk/zcjd/">政策解读{}</a></li>
<li><a href="javascript:{RUN}">政府信息公开指南</a></li>
<li><a href="/xxgk/zcjd/{}.html" title="{}">政府信息公开年报{}</a></li>
<li><a href="/xxgk/zcjd/x.html?q={}">通知公告</a></li>
</ul>"#,
        escape(&p[1]),
        urlencoding(&p[1]),
        escape(&p[2]),
        escape(&p[0]),
        urlencoding(&p[3]),
    );
    std::fs::write(
        dir.join("index.html"),
        format!(
            "<!DOCTYPE html><html><head><meta charset=utf-8><title>{}</title></head><body>{nav}\
             <h1>{}</h1><p>身份证号 110101199003077777 {}</p></body></html>",
            p[0],
            escape(&p[3]),
            escape(&p[1]),
        ),
    )
    .unwrap();
    let mut list = String::new();
    for (i, payload) in p.iter().enumerate() {
        list.push_str(&format!(
            "<li><a href=\"/xxgk/zcjd/{i}.html\">关于{}的解读</a><span>2025-03-0{}</span></li>\n",
            escape(payload),
            i + 1
        ));
        std::fs::write(
            dir.join("zcjd").join(format!("{i}.html")),
            format!(
                "<!DOCTYPE html><html><head><meta charset=utf-8><title>{payload}</title></head><body>{nav}\
                 <table><tr><td>发布日期：</td><td>2025-03-0{}</td></tr><tr><td>索引号：</td><td>{}</td></tr></table>\
                 <p>{}</p><a href=\"dead-{i}.html\">{}</a></body></html>",
                i + 1,
                escape(payload),
                escape(payload),
                escape(payload)
            ),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("zcjd").join("index.html"),
        format!(
            "<!DOCTYPE html><html><head><meta charset=utf-8><title>{}</title></head><body>{nav}<ul>{list}</ul></body></html>",
            p[3]
        ),
    )
    .unwrap();
}

/// Percent-encodes everything but unreserved ASCII.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `--dump-dom` of a file in headless Chromium, with its stderr (console lines), bounded in time.
fn dump_dom(browser: &Path, profile: &Path, page: &Path) -> (String, String) {
    let url = url::Url::from_file_path(page.canonicalize().unwrap()).unwrap().to_string();
    // Give scripts and image error handlers time to run before the DOM is dumped.
    let extra = ["--virtual-time-budget=3000".to_string(), "--dump-dom".to_string()];
    let run = common::headless(browser, profile, &extra, &url);
    (run.stdout, run.stderr)
}

fn assert_inert(dom: &str, stderr: &str, what: &str) {
    let doc = scraper::Html::parse_document(dom);
    let sel = |css: &str| scraper::Selector::parse(css).unwrap();
    assert!(doc.select(&sel("[data-pwned]")).next().is_none(), "{what}: a payload ran (data-pwned set)");
    assert!(!stderr.contains("PWNED"), "{what}: a payload logged to the console");
    assert!(
        doc.select(&sel("img[src=x], svg[onload], [onerror], [onload]")).next().is_none(),
        "{what}: an injected element"
    );
    assert!(
        doc.select(&sel("a[href^=javascript], a[href^=JAVASCRIPT]")).next().is_none(),
        "{what}: a javascript: link"
    );
    for s in doc.select(&sel("script")) {
        let text: String = s.text().collect();
        assert!(!text.contains("pwned"), "{what}: an injected script element");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn script_in_titles_links_and_attributes_never_runs_in_report_html() {
    let Some(browser) = common::chromium() else { return };
    let site = tempfile::tempdir().unwrap();
    write_site(site.path());

    // The sanity check first: the same payloads do run when a page is not escaped, so the browser and
    // the markers work and a silent pass means something.
    let raw = site.path().join("sanity.html");
    std::fs::write(&raw, format!("<!DOCTYPE html><html><body>{}</body></html>", payloads().concat()))
        .unwrap();
    let (dom, stderr) = dump_dom(&browser, &site.path().join("profile-raw"), &raw);
    let doc = scraper::Html::parse_document(&dom);
    assert!(
        doc.select(&scraper::Selector::parse("[data-pwned]").unwrap()).next().is_some()
            || stderr.contains("PWNED"),
        "the payloads must run in the unescaped page itself:\n{stderr}"
    );

    let server = zwgk_audit::demo::serve_dir(site.path().to_path_buf()).await.unwrap();
    let port = server.addr.port();
    let hostile_name = format!("恶意街道{}", payloads()[1]);
    let units = format!(
        "settings:\n  rate_per_host: 200.0\n  max_pages_per_unit: 50\nunits:\n  - id: evil\n    name: '{}'\n    kind: street\n    roots: [\"http://127.0.0.1:{port}/xxgk/\"]\n",
        hostile_name.replace('\'', "''")
    );
    let config = UnitsConfig::parse(Path::new("units.yaml"), &units).expect("valid units");
    let out = tempfile::tempdir().unwrap();
    let options = AuditOptions {
        checks_dir: common::repo().join("checks"),
        out_dir: out.path().to_path_buf(),
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 3, 20).unwrap(),
        allow_private: true,
    };
    audit::run(&config, &options).await.expect("audit runs");
    let html_path = out.path().join("report.html");
    let html = std::fs::read_to_string(&html_path).unwrap();

    let (dom, stderr) = dump_dom(&browser, &out.path().join("profile"), &html_path);
    assert_inert(&dom, &stderr, "report.html");

    // The payloads did reach the report, as text a reader can see.
    let doc = scraper::Html::parse_document(&dom);
    let text: String = doc.root_element().text().collect();
    assert!(text.contains(&hostile_name), "the unit's hostile name is shown as text");
    let shown = payloads().iter().filter(|p| text.contains(p.as_str())).count();
    assert!(shown >= 2, "crawled payloads should appear as text in the report ({shown} did)\n{html}");
}

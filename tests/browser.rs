//! report.html in a real browser: Debian's headless Chromium renders it with no console messages, the
//! evidence links are in the rendered DOM, and it prints to a PDF whose text holds the units' names.
//!
//! Needs `chromium` (and `fonts-wqy-zenhei` for CJK glyphs) and `pdftotext`; `.ci/run` installs them.
//! Set `ZWGK_SKIP_BROWSER_TESTS=1` to skip on a machine that cannot have a browser.

mod common;

use std::path::Path;
use std::process::Command;

/// Console messages the page produced (errors, warnings, logs, uncaught exceptions, blocked loads).
/// With `--enable-logging=stderr` Chromium logs each as a line containing `:CONSOLE`.
fn console_messages(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

fn file_url(path: &Path) -> String {
    url::Url::from_file_path(path.canonicalize().unwrap()).unwrap().to_string()
}

#[test]
fn the_console_check_catches_a_page_that_errs() {
    let Some(browser) = common::chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><p>x</p><script>console.error('坏了'); missingFunction();</script>",
    )
    .unwrap();
    let run =
        common::headless(&browser, &dir.path().join("profile"), &["--dump-dom".into()], &file_url(&page));
    let messages = console_messages(&run.stderr);
    assert!(messages.iter().any(|m| m.contains("missingFunction")), "{}", run.stderr);
    assert!(messages.len() >= 2, "{messages:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn report_renders_without_console_messages_with_its_evidence_links() {
    let Some(browser) = common::chromium() else { return };
    let demo = common::audit_demo().await;
    let html = demo.out.path().join("report.html");
    let run = common::headless(
        &browser,
        &demo.out.path().join("profile"),
        &["--dump-dom".into()],
        &file_url(&html),
    );
    assert_eq!(
        console_messages(&run.stderr),
        Vec::<&str>::new(),
        "console messages while rendering report.html"
    );

    let dom = scraper::Html::parse_document(&run.stdout);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let title = dom.select(&select("title")).next().expect("title").text().collect::<String>();
    assert!(title.contains("政务公开网上测评报告"), "{title}");
    let links: std::collections::HashSet<String> = dom
        .select(&select(".evidence a[href]"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    let mut cited = std::collections::HashSet::new();
    for unit in demo.report["units"].as_array().unwrap() {
        for item in unit["items"].as_array().unwrap() {
            for f in item["findings"].as_array().unwrap() {
                for e in f["evidence"].as_array().unwrap() {
                    cited.insert(e["url"].as_str().unwrap().to_string());
                }
            }
        }
    }
    assert!(cited.len() > 20, "the demo cites many pages");
    let missing: Vec<_> = cited.iter().filter(|u| !links.contains(*u)).collect();
    assert!(missing.is_empty(), "evidence not linked in the rendered DOM: {missing:?}");
    // Each unit's section is rendered with its items.
    assert!(dom.select(&select("section#unit-baogong tr#baogong-common-01")).next().is_some());
    assert!(dom.select(&select("section#unit-shengtai")).next().is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn report_prints_to_pdf_with_chinese_text() {
    let Some(browser) = common::chromium() else { return };
    let demo = common::audit_demo().await;
    let html = demo.out.path().join("report.html");
    let pdf = demo.out.path().join("report.pdf");
    let run = common::headless(
        &browser,
        &demo.out.path().join("profile"),
        &[format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer".into()],
        &file_url(&html),
    );
    assert_eq!(console_messages(&run.stderr), Vec::<&str>::new());
    let bytes = std::fs::read(&pdf).expect("a PDF was written");
    assert!(bytes.starts_with(b"%PDF-") && bytes.len() > 10_000, "{} bytes", bytes.len());
    let text = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    // pdftotext may break a line anywhere; compare without whitespace.
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for needle in ["包公街道", "区生态环境分局", "政务公开网上测评报告", "网上测评暂定得分"]
    {
        assert!(flat.contains(needle), "{needle} not in the printed PDF");
    }
    // Every unit starts on a new page when printed (`.unit { break-before: page }`): at least 3 pages.
    assert!(text.matches('\u{c}').count() >= 2, "expected several pages");

    // Chromium's PDF (pages of tables, an embedded subset CJK font with its ToUnicode map, link
    // annotations) read in one batch with the demo's GB-CMap PDFs gives each file the very text and
    // note it gives read alone.
    use zwgk_audit::attachments::{Limits, extract_text, pdf_batch, pdf_texts};
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/site/mzj/xxgk/czyjs");
    let demo_pdfs: Vec<Vec<u8>> = ["202502/P020250212563412908765.pdf", "202409/P020240910452301987654.pdf"]
        .iter()
        .map(|p| std::fs::read(site.join(p)).unwrap())
        .collect();
    let bodies: Vec<&[u8]> = vec![&demo_pdfs[0], &bytes, &demo_pdfs[1], &bytes];
    let limits = Limits::default();
    let together = pdf_batch(&bodies, &limits).expect("the four files go through in one batch");
    assert_eq!(pdf_texts(&bodies, &limits), together);
    for (body, got) in bodies.iter().zip(&together) {
        assert_eq!(got, &extract_text(body, &limits));
    }
    let flat: String = together[1].text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(flat.contains("网上测评暂定得分"), "{}", together[1].text);
}

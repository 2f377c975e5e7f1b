//! Tests of the report model's JSON shape, the HTML renderer's escaping, and the summary.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use super::*;
use crate::config::Unit;
use crate::findings::{CheckResult, Evidence, Finding};
use crate::rubric::Rubric;
use crate::score::score_unit;

const XSS_SCRIPT: &str = "<script>alert(1)</script>";
const XSS_ATTR: &str = "\"><img src=x onerror=alert(2)>";

fn rubric() -> Rubric {
    Rubric::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("checks/rubric.yaml")).unwrap()
}

fn unit(id: &str, kind: UnitKind) -> Unit {
    Unit {
        id: id.into(),
        name: "包公街道".into(),
        kind,
        roots: vec!["https://example.gov.cn/bgjd/xxgk/".parse().unwrap()],
        domains: vec![],
    }
}

fn result(
    check: &str,
    item: &str,
    status: Status,
    credit: Option<f64>,
    message: &str,
    url: &str,
) -> CheckResult {
    CheckResult {
        check: check.into(),
        items: vec![item.into()],
        weight: 1.0,
        status,
        credit,
        findings: vec![Finding {
            check: check.into(),
            status,
            message: message.into(),
            evidence: vec![Evidence {
                url: url.into(),
                fetched_at: "2021-11-25T01:59:00+08:00".into(),
                sha256: "0123456789abcdef".repeat(4),
                excerpt: format!("摘录 {XSS_SCRIPT} {XSS_ATTR}"),
            }],
        }],
    }
}

fn sample() -> AuditReport {
    let r = rubric();
    let results = vec![
        result(
            "annual-report-arithmetic",
            "common-27",
            Status::Partial,
            Some(0.5),
            "年报数据不一致",
            "https://example.gov.cn/bgjd/xxgk/t1.html",
        ),
        result(
            "pii-leak",
            "common-17",
            Status::Fail,
            Some(0.0),
            &format!("页面含身份证号 {XSS_SCRIPT}{XSS_ATTR}"),
            &format!("https://example.gov.cn/x?q={XSS_ATTR}{XSS_SCRIPT}"),
        ),
        result("links-alive", "common-15", Status::Error, None, "页面无法访问", "javascript:alert(3)"),
    ];
    let scored = score_unit(&r, UnitKind::Street, &results);
    let crawl = CrawlSummary { pages: 412, errors: 3, ..Default::default() };
    let mut report = AuditReport::new(
        "2021-11-25",
        vec![UnitReport::new(&unit("baogong", UnitKind::Street), crawl, scored)],
    );
    report.generated_at = "2021-11-25T02:00:00+08:00".into();
    report
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().expect("an object").keys().map(String::as_str).collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

#[test]
fn report_json_has_exactly_the_contract_keys() {
    let report = sample();
    let text = JsonRenderer.render(&report).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(keys(&v), set(&["tool", "as_of", "generated_at", "units"]));
    assert_eq!(v["tool"], serde_json::json!({"name": "zwgk-audit", "version": env!("CARGO_PKG_VERSION")}));
    assert_eq!(v["as_of"], "2021-11-25");
    let u = &v["units"][0];
    assert_eq!(keys(u), set(&["id", "name", "kind", "crawl", "score", "items"]));
    assert_eq!(u["kind"], "street");
    assert_eq!(u["crawl"], serde_json::json!({"pages": 412, "errors": 3}));
    assert_eq!(
        keys(&u["score"]),
        set(&["online_earned", "online_max", "manual_max", "error_max", "onsite_max"])
    );
    assert_eq!(u["score"]["online_earned"], 2.5);
    assert_eq!(u["score"]["online_max"], 7.0);
    assert_eq!(u["score"]["error_max"], 2.0);
    assert_eq!(u["score"]["onsite_max"], 19.0);
    let items = u["items"].as_array().unwrap();
    assert_eq!(items.len(), 40);
    for item in items {
        // Contract keys plus the documented extras (section, explanation).
        assert_eq!(
            keys(item),
            set(&[
                "id",
                "title",
                "weight",
                "methods",
                "status",
                "score",
                "findings",
                "section",
                "explanation"
            ])
        );
        let status = item["status"].as_str().unwrap();
        assert!(["pass", "partial", "fail", "manual", "error", "not_applicable"].contains(&status));
        if ["manual", "error", "not_applicable"].contains(&status) {
            assert!(item["score"].is_null(), "{item}");
        } else {
            assert!(item["score"].is_number(), "{item}");
        }
    }
    let c27 = items.iter().find(|i| i["id"] == "common-27").unwrap();
    assert_eq!(c27["status"], "partial");
    assert_eq!(c27["score"], 2.5);
    assert_eq!(c27["weight"], 5.0);
    assert_eq!(c27["methods"], serde_json::json!(["online"]));
    let f = &c27["findings"][0];
    assert_eq!(keys(f), set(&["check", "status", "message", "evidence"]));
    assert_eq!(f["check"], "annual-report-arithmetic");
    assert_eq!(keys(&f["evidence"][0]), set(&["url", "fetched_at", "sha256", "excerpt"]));
    let c16 = items.iter().find(|i| i["id"] == "common-16").unwrap();
    assert_eq!(c16["methods"], serde_json::json!(["online", "onsite"]));
    let c15 = items.iter().find(|i| i["id"] == "common-15").unwrap();
    assert_eq!(c15["status"], "error");
}

#[test]
fn report_json_round_trips() {
    let report = sample();
    let back: AuditReport = serde_json::from_str(&JsonRenderer.render(&report).unwrap()).unwrap();
    assert_eq!(back, report);
    let mut extended = report.clone();
    extended.units[0].crawl.extra.insert("skipped_robots".into(), 4.into());
    let text = JsonRenderer.render(&extended).unwrap();
    assert!(text.contains("\"skipped_robots\": 4"), "{text}");
    assert_eq!(serde_json::from_str::<AuditReport>(&text).unwrap(), extended);
}

#[test]
fn generated_at_is_rfc3339_in_shanghai_time() {
    let now = now_rfc3339();
    assert!(now.ends_with("+08:00"), "{now}");
    assert!(chrono::DateTime::parse_from_rfc3339(&now).is_ok(), "{now}");
}

#[test]
fn html_escapes_everything_that_came_from_crawled_pages() {
    let html = HtmlRenderer::default().render(&sample()).unwrap();
    assert!(!html.contains("<script"), "a script tag came through");
    assert!(!html.contains("<img"), "an img tag came through");
    assert!(!html.contains(XSS_ATTR) && !html.contains(XSS_SCRIPT), "a payload came through verbatim");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"), "script not escaped as expected");
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), "attribute payload not escaped");
    // The hostile URL is still a link, with its payload escaped inside the attribute.
    assert!(
        html.contains("<a href=\"https:&#x2f;&#x2f;example.gov.cn&#x2f;x?q=&quot;&gt;&lt;img"),
        "no escaped link"
    );
    // A javascript: URL is never clickable.
    assert!(!html.contains("href=\"javascript"), "javascript: URL became a link");
    assert!(html.contains("<code>javascript:alert(3)</code>"));
}

#[test]
fn html_report_shows_header_summary_and_every_item() {
    let html = HtmlRenderer::default().render(&sample()).unwrap();
    for needle in [
        "测评基准日：2021-11-25",
        "2021-11-25T02:00:00+08:00",
        concat!("zwgk-audit ", env!("CARGO_PKG_VERSION")),
        "暂定得分",
        "<td class=\"num\">2.5 / 7</td>",
        "<td class=\"num\">412</td>",
        "(三)公开渠道多样(8分)",
        "部分符合",
        "无法判定",
        "0123456789ab…",
        "抓取于 2021-11-25T01:59:00+08:00",
        "@media print",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    assert_eq!(html.matches("<tr class=\"").count() - html.matches("<tr class=\"section\"").count(), 40);
    assert!(!html.contains("http://") || !html.contains("<link"), "no external resources");
    assert!(!html.contains("<script"));
}

#[test]
fn notes_appear_in_html_and_json_only_when_present() {
    let mut report = sample();
    report.notes = rubric().warnings();
    let html = HtmlRenderer::default().render(&report).unwrap();
    assert!(html.contains("<li>标题“一、示范点建设共性指标(70分)”声明70分"), "notes missing");
    let v: Value = serde_json::from_str(&JsonRenderer.render(&report).unwrap()).unwrap();
    assert_eq!(v["notes"].as_array().unwrap().len(), 2);
    assert!(!HtmlRenderer::default().render(&sample()).unwrap().contains("class=\"notes\""));
}

#[test]
fn override_directory_replaces_the_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.html"),
        "<p>{{ units[0].name }}|{{ units[0].items[16].findings[0].message }}</p>",
    )
    .unwrap();
    let html = HtmlRenderer::with_template_dir(dir.path()).render(&sample()).unwrap();
    assert!(html.starts_with("<p>包公街道|页面含身份证号 &lt;script&gt;"), "{html}");
    // A directory without the template falls back to the bundled one.
    let empty = tempfile::tempdir().unwrap();
    let html = HtmlRenderer::with_template_dir(empty.path()).render(&sample()).unwrap();
    assert!(html.contains("政务公开网上测评报告"));
}

#[test]
fn a_broken_override_template_is_an_error_naming_the_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("report.html"), "{{ no_such_variable.x }}").unwrap();
    let e = HtmlRenderer::with_template_dir(dir.path()).render(&sample()).unwrap_err();
    assert!(e.to_string().contains("report.html"), "{e}");
}

#[test]
fn write_reports_writes_json_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let written = write_reports(&out, &sample()).unwrap();
    assert_eq!(written, vec![out.join("report.json"), out.join("report.html")]);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&written[0]).unwrap()).unwrap();
    assert_eq!(json["units"][0]["id"], "baogong");
    assert!(std::fs::read_to_string(&written[1]).unwrap().contains("包公街道"));
    let leftovers: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}

#[test]
fn summary_text_gives_scores_counts_and_where_the_reports_are() {
    let text = summary_text(&sample(), Path::new("out"));
    assert!(text.contains("包公街道（baogong，街镇、大社区）"), "{text}");
    assert!(text.contains("网上测评暂定得分：2.5 / 7 分"), "{text}");
    // Street: 35 items: 2 decided, 1 error, 3 on site only (common-03, street-03, street-04).
    assert!(
        text.contains("指标：符合 0，部分符合 1，不符合 1，需人工评判 29，无法判定 1，实地测评 3"),
        "{text}"
    );
    assert!(text.contains("需人工评判 72 分，无法判定 2 分，实地测评 19 分"), "{text}");
    assert!(text.contains("抓取页面 412 个，抓取错误 3 个"), "{text}");
    assert!(text.contains("报告已写入 out"), "{text}");
    assert!(text.lines().count() < 25, "{text}");
    let mut noted = sample();
    noted.notes = rubric().warnings();
    let text = summary_text(&noted, Path::new("out"));
    assert!(text.contains("注意：标题“一、示范点建设共性指标(70分)”声明70分"), "{text}");
}

#[test]
fn the_contract_example_parses() {
    let text = r#"{
      "tool": {"name": "zwgk-audit", "version": "0.1.0"},
      "as_of": "2021-11-25",
      "generated_at": "2021-11-25T02:00:00+08:00",
      "units": [{
        "id": "baogong", "name": "包公街道", "kind": "street",
        "crawl": {"pages": 412, "errors": 3},
        "score": {"online_earned": 41.5, "online_max": 76.0, "manual_max": 10.0, "error_max": 0.0, "onsite_max": 14.0},
        "items": [{
          "id": "common-27", "title": "…", "weight": 5.0, "methods": ["online"],
          "status": "partial", "score": 2.5,
          "findings": [{
            "check": "annual-report-arithmetic", "status": "fail",
            "message": "2020年度报告 第三部分 办理结果总计(41) ≠ 本年新收(40)+上年结转(3)−结转下年(1)",
            "evidence": [{"url": "https://example.gov.cn/t20210128_1.html", "fetched_at": "2021-11-25T01:00:00+08:00", "sha256": "ab", "excerpt": "…"}]
          }]
        }]
      }]
    }"#;
    let report: AuditReport = serde_json::from_str(text).unwrap();
    assert_eq!(report.units[0].items[0].status, Status::Partial);
    assert_eq!(report.units[0].score.online_max, 76.0);
    assert!(report.notes.is_empty());
}

#[test]
fn the_annual_report_years_appear_in_html_and_json() {
    use crate::checks::annual_report_index::{AnnualReportYear, ReportFormat};
    let mut report = sample();
    let missing = AnnualReportYear {
        year: 2023,
        url: None,
        title: None,
        published: None,
        format: None,
        on_time: None,
        sections_ok: None,
        arithmetic_ok: None,
        similarity: None,
    };
    report.units[0].annual_reports = vec![
        AnnualReportYear {
            year: 2024,
            url: Some("https://example.gov.cn/bgjd/nb/2024.pdf".into()),
            title: Some(format!("2024年报{XSS_SCRIPT}")),
            published: Some("2025-02-10".into()),
            format: Some(ReportFormat::Pdf),
            on_time: Some(false),
            sections_ok: Some(true),
            arithmetic_ok: Some(false),
            similarity: Some(0.873),
        },
        missing,
    ];
    let html = HtmlRenderer::default().render(&report).unwrap();
    let table = &html[html.find("政府信息公开工作年度报告（历年）").expect("the table")..];
    for want in ["2025-02-10", "PDF", "逾期", "齐全", "不一致", "87%", "未找到", "缺失"] {
        assert!(table.contains(want), "{want} missing");
    }
    assert!(!html.contains(XSS_SCRIPT), "titles are escaped");
    let json: Value = serde_json::from_str(&JsonRenderer.render(&report).unwrap()).unwrap();
    let years = &json["units"][0]["annual_reports"];
    assert_eq!(years[0]["format"], "pdf");
    assert_eq!(years[0]["on_time"], false);
    assert_eq!(years[1]["url"], Value::Null);
    // No report found: the field is left out, as before.
    let plain = serde_json::to_value(sample()).unwrap();
    assert!(plain["units"][0].get("annual_reports").is_none());
}

#[test]
fn column_tree_is_drawn_and_escaped() {
    let mut report = sample();
    let node = |name: &str, url: &str, level: usize, parent: Option<&str>| super::ColumnNode {
        name: name.into(),
        url: url.into(),
        parent: parent.map(String::from),
        level,
        entries: 12,
        newest: Some("2021-11-20".into()),
        age_days: Some(5),
        list_pages: 2,
        fetched: true,
    };
    report.units[0].columns = vec![
        node("法定主动公开内容", "https://example.gov.cn/fd/", 1, None),
        node(XSS_SCRIPT, "javascript:alert(4)", 2, Some("https://example.gov.cn/fd/")),
    ];
    let html = HtmlRenderer::default().render(&report).unwrap();
    assert!(html.contains("栏目目录（共 2 个栏目）"), "no column tree");
    assert!(html.contains("法定主动公开内容") && html.contains("2021-11-20") && html.contains("5天"));
    assert!(!html.contains("<script") && !html.contains("href=\"javascript"), "hostile column came through");
    assert!(html.contains("padding-left: 2em"), "level 2 not indented");
    let json: Value = serde_json::from_str(&JsonRenderer.render(&report).unwrap()).unwrap();
    let cols = json["units"][0]["columns"].as_array().unwrap();
    assert_eq!(
        keys(&cols[0]),
        set(&["name", "url", "parent", "level", "entries", "newest", "age_days", "list_pages", "fetched"])
    );
    assert_eq!(cols[1]["parent"], "https://example.gov.cn/fd/");
}

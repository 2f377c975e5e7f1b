//! report.xlsx, the 评分表: read back with calamine and checked against report.json; its print setup
//! checked in the sheet XML.

mod common;

use std::io::Read;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => zwgk_audit::rubric::fmt_points(*f),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn zip_entry(path: &std::path::Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn scoring_sheet_matches_report_json_and_prints_a4_landscape() {
    let demo = common::audit_demo().await;
    let path = demo.out.path().join("report.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).expect("report.xlsx written next to report.json");
    assert_eq!(
        book.sheet_names(),
        ["汇总", "包公街道", "区生态环境分局", "长青街道", "区文化和旅游局", "区民政局"]
    );

    // 汇总: ranked by provisional online score, highest first, with report.json's figures.
    let summary = book.worksheet_range("汇总").unwrap();
    let rows: Vec<&[Data]> = summary.rows().collect();
    assert_eq!(text(&rows[0][0]), "政务公开示范点网上测评得分汇总表");
    assert_eq!(text(&rows[2][0]), "排名");
    assert_eq!(text(&rows[2][3]), "网上测评暂定得分");
    let mut expected: Vec<(String, f64)> = demo.report["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].as_str().unwrap().to_string(), u["score"]["online_earned"].as_f64().unwrap()))
        .collect();
    expected.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (i, (name, score)) in expected.iter().enumerate() {
        let row = rows[3 + i];
        assert_eq!(number(&row[0]), (i + 1) as f64, "rank");
        assert_eq!(&text(&row[1]), name);
        assert!((number(&row[3]) - score).abs() < 1e-9, "{name}: {} vs {score}", number(&row[3]));
    }

    // A unit's sheet: 附件1's columns, sections as merged rows, every applicable item, a totals row.
    let unit = common::unit(&demo.report, "shengtai");
    let sheet = book.worksheet_range("区生态环境分局").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(text).collect()).collect();
    assert!(rows[0][0].contains("区生态环境分局") && rows[0][0].contains("评分表"));
    assert_eq!(rows[2], ["序号", "内容", "权重", "测评方式", "得分", "扣分理由", "证据链接"]);
    let items: Vec<&Value> =
        unit["items"].as_array().unwrap().iter().filter(|i| i["status"] != "not_applicable").collect();
    let mut row = 3;
    let mut last_section = String::new();
    for item in &items {
        let section = item["section"].as_str().unwrap();
        if section != last_section {
            assert_eq!(rows[row][0], section, "section heading row");
            last_section = section.to_string();
            row += 1;
        }
        let r = &rows[row];
        assert_eq!(r[1], item["title"].as_str().unwrap());
        assert_eq!(r[2], zwgk_audit::rubric::fmt_points(item["weight"].as_f64().unwrap()));
        match item["score"].as_f64() {
            Some(s) => assert_eq!(r[4], zwgk_audit::rubric::fmt_points(s), "{}", item["id"]),
            None => assert!(["待人工评判", "实地测评", "无法判定"].contains(&r[4].as_str()), "{}", r[4]),
        }
        if item["status"] == "fail" {
            assert!(!r[5].is_empty(), "{}: a fail needs a reason", item["id"]);
            let first_url = item["findings"][0]["evidence"][0]["url"].as_str().unwrap();
            assert!(r[6].contains(first_url), "{}: evidence link {first_url} not in `{}`", item["id"], r[6]);
        }
        if item["status"] == "pass" {
            assert!(r[5].is_empty());
        }
        row += 1;
    }
    assert_eq!(rows[row][1], "合计");
    assert_eq!(
        rows[row][4],
        zwgk_audit::rubric::fmt_points(unit["score"]["online_earned"].as_f64().unwrap())
    );
    assert!(rows.iter().any(|r| r.iter().any(|c| c.contains("测评人员（签字）"))));

    // Print setup, as Excel stores it.
    let sheet_xml = zip_entry(&path, "xl/worksheets/sheet3.xml");
    assert!(
        sheet_xml.contains(r#"paperSize="9""#) && sheet_xml.contains(r#"orientation="landscape""#),
        "A4 landscape"
    );
    assert!(
        sheet_xml.contains(r#"fitToPage="1""#) && sheet_xml.contains(r#"fitToHeight="0""#),
        "one page wide"
    );
    assert!(sheet_xml.contains("<mergeCells"), "merged section rows");
    assert!(sheet_xml.contains(r#"customHeight="1""#), "row heights set for the wrapped text");
    let workbook_xml = zip_entry(&path, "xl/workbook.xml");
    assert!(
        workbook_xml.contains("_xlnm.Print_Titles") && workbook_xml.contains("区生态环境分局!$3:$3"),
        "header row repeated"
    );
}

#[test]
fn crawled_text_stays_text_and_sheet_names_stay_legal() {
    use zwgk_audit::config::UnitKind;
    use zwgk_audit::findings::{Evidence, Finding, Status};
    use zwgk_audit::report::{AuditReport, CrawlSummary, UnitReport};
    use zwgk_audit::score::{ItemScore, ScoreSummary};
    let item = ItemScore {
        id: "common-03".into(),
        title: "=HYPERLINK(\"http://evil\")".into(),
        weight: 2.0,
        methods: vec![zwgk_audit::rubric::Method::Online],
        status: Status::Fail,
        score: Some(0.0),
        findings: vec![Finding {
            check: "c".into(),
            status: Status::Fail,
            message: "=1+1".into(),
            evidence: vec![Evidence {
                url: "http://gov.test/a".into(),
                fetched_at: "2025-03-20T10:00:00+08:00".into(),
                sha256: "0".repeat(64),
                excerpt: String::new(),
            }],
        }],
        section: "（一）测试".into(),
        explanation: String::new(),
        manual: None,
    };
    let unit = |id: &str, name: &str, earned: f64| UnitReport {
        id: id.into(),
        name: name.into(),
        kind: UnitKind::Village,
        crawl: CrawlSummary::default(),
        score: ScoreSummary { online_earned: earned, online_max: 2.0, ..Default::default() },
        items: vec![item.clone()],
        trend: vec![],
        todo: vec![],
        annual_reports: vec![],
        columns: vec![],
        script_pages: vec![],
    };
    let long = "某某市某某区某某街道某某社区居民委员会政务公开示范点单位名称很长很长";
    let report = AuditReport::new(
        "2025-03-20",
        vec![unit("a", "A/B:C*?", 1.0), unit("b", long, 2.0), unit("c", long, 1.0), unit("d", "汇总", 0.0)],
    );
    let dir = tempfile::tempdir().unwrap();
    let path = zwgk_audit::xlsx::write(dir.path(), &report).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 5);
    assert_eq!(names[1], "ABC");
    assert!(names.iter().all(|n| n.chars().count() <= 31));
    assert_ne!(names[2], names[3], "duplicate names made unique");
    assert_ne!(names[4], "汇总");
    let sheet = book.worksheet_range(&names[1]).unwrap();
    let r: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(text(&r[4][1]), "=HYPERLINK(\"http://evil\")", "a title is a string, not a formula");
    assert_eq!(text(&r[4][5]), "1. =1+1");
    assert!(book.worksheet_formula(&names[1]).unwrap().used_cells().all(|(_, _, f)| f.is_empty()));
    // Ranking: b (2) first, then a and c tied at 1 share rank 2, then d.
    let summary = book.worksheet_range("汇总").unwrap();
    let ranks: Vec<(String, String)> =
        summary.rows().skip(3).take(4).map(|r| (text(&r[0]), text(&r[1]))).collect();
    assert_eq!(ranks[0].0, "1");
    assert_eq!((ranks[1].0.as_str(), ranks[2].0.as_str(), ranks[3].0.as_str()), ("2", "2", "4"));
}

/// After `zwgk-audit score` merges inspectors' scores, report.xlsx shows them: the item's 得分 is the
/// inspector's, the reason names the inspector, the totals row and 汇总 give the final score.
#[tokio::test(flavor = "multi_thread")]
async fn inspectors_scores_reach_the_sheet() {
    let demo = common::audit_demo().await;
    let out = demo.out.path();
    let manual = out.join("manual.csv");
    std::fs::write(
        &manual,
        "unit,item,score,note,inspector\nbaogong,common-03,1.5,现场查阅会议记录,测评一组\n",
    )
    .unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_zwgk-audit"))
        .args(["score", "--report"])
        .arg(out.join("report.json"))
        .arg("--manual")
        .arg(&manual)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let report: Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let unit = common::unit(&report, "baogong");
    let final_score = unit["score"]["final"].as_f64().expect("final score");

    let mut book: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    let sheet = book.worksheet_range("包公街道").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(text).collect()).collect();
    let title = common::item(unit, "common-03")["title"].as_str().unwrap().to_string();
    let row = rows.iter().find(|r| r[1] == title).expect("common-03 row");
    assert_eq!(row[4], "1.5");
    assert!(row[5].contains("测评一组") && row[5].contains("现场查阅会议记录"), "{}", row[5]);
    let total = rows.iter().find(|r| r[1] == "合计").unwrap();
    assert_eq!(total[4], zwgk_audit::rubric::fmt_points(final_score));
    assert!(total[5].contains("最终得分"));
    let summary = book.worksheet_range("汇总").unwrap();
    let cells: Vec<String> = summary.rows().flat_map(|r| r.iter().map(text).collect::<Vec<_>>()).collect();
    assert!(
        cells.iter().any(|c| c.starts_with(&format!("{} / ", zwgk_audit::rubric::fmt_points(final_score)))),
        "{cells:?}"
    );
}

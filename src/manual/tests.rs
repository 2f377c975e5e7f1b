use super::*;
use crate::config::UnitKind;
use crate::findings::Status::*;
use crate::ops::testkit::{report, result, rubric, unit, unit_report};

fn sample() -> AuditReport {
    let bg = unit("baogong", "包公街道", UnitKind::Street);
    let st = unit("shengtai", "区生态环境分局", UnitKind::Department);
    report(
        "2025-03-20",
        vec![
            unit_report(
                &bg,
                &[
                    result("sys", "common-11", Pass, "已找到", "http://x/bg/1.html"),
                    result("pii", "common-17", Partial, "附件含手机号 139****2345", "http://x/bg/a.pdf"),
                ],
            ),
            unit_report(&st, &[]),
        ],
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn yaml_scores_merge_into_the_final_score() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = sample();
    let p = write(
        dir.path(),
        "manual.yaml",
        "scores:\n  - unit: baogong\n    item: common-03\n    score: 2\n    note: 现场查阅，台账齐全\n    inspector: 测评一组\n  - {unit: baogong, item: street-04, score: 12.5, note: 实地查看公开栏, inspector: 测评一组}\n  - {unit: baogong, item: common-17, score: 2}\n"
            .as_bytes(),
    );
    let m = ManualScores::load(&p, &Catalog::from_report(&r)).unwrap();
    assert_eq!(m.entries.len(), 3);
    assert_eq!(m.entries[0].line, 2);
    assert_eq!(m.entries[1].line, 7);
    m.apply(&mut r);
    let bg = &r.units[0];
    let c03 = bg.items.iter().find(|i| i.id == "common-03").unwrap();
    assert_eq!(c03.status, Manual, "the contract's status is left as the tool found it");
    assert_eq!(c03.score, None);
    assert_eq!(c03.manual.as_ref().unwrap().note, "现场查阅，台账齐全");
    // Automatic: common-11 1 point; the manual rows 2 + 12.5 + 2 (replacing common-17's automatic 1).
    assert_eq!(bg.score.final_score, Some(17.5));
    assert_eq!(bg.score.final_max, Some(100.0));
    assert_eq!(bg.score.unscored_max, Some(80.0));
    // A unit without rows still gets its final figures.
    assert_eq!(r.units[1].score.final_score, Some(0.0));
    assert_eq!(r.units[1].score.final_max, Some(100.0));
    // report.json: score.final and items[].manual, beside the unchanged contract fields.
    let json: serde_json::Value = serde_json::to_value(&r).unwrap();
    assert_eq!(json["units"][0]["score"]["final"], 17.5);
    assert_eq!(json["units"][0]["score"]["online_earned"], 2.0);
    let item = json["units"][0]["items"].as_array().unwrap().iter().find(|i| i["id"] == "street-04").unwrap();
    assert_eq!(
        item["manual"],
        serde_json::json!({"score": 12.5, "note": "实地查看公开栏", "inspector": "测评一组"})
    );
    assert!(item["score"].is_null());
    let text = summary_text(&r);
    assert!(
        text.contains("包公街道：最终得分 17.5 / 100 分（网上测评暂定得分 2 分；人工及实地评分 3 项；尚有"),
        "{text}"
    );
}

#[test]
fn csv_in_utf8_with_bom_or_gbk_and_quoted_notes() {
    let dir = tempfile::tempdir().unwrap();
    let r = sample();
    let csv = "unit,item,score,note,inspector\r\nbaogong,common-03,1.5,\"台账不全，扣0.5分\",测评一组\r\n\r\nbaogong,common-04,2,\"引用\"\"公开指南\"\"\",\r\n";
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(csv.as_bytes());
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    for (name, bytes) in [("utf8.csv", utf8), ("gbk.csv", gbk.into_owned())] {
        let p = write(dir.path(), name, &bytes);
        let m = ManualScores::load(&p, &Catalog::from_report(&r)).unwrap();
        assert_eq!(m.entries.len(), 2, "{name}");
        assert_eq!(m.entries[0].score.note, "台账不全，扣0.5分", "{name}");
        assert_eq!(m.entries[0].score.inspector, "测评一组");
        assert_eq!(m.entries[1].score.note, "引用\"公开指南\"");
        assert_eq!(m.entries[1].line, 4, "{name}: blank lines still count");
    }
    // Columns in another order, without note and inspector.
    let p = write(dir.path(), "min.csv", b"score,item,unit\n1,common-04,baogong\n");
    let m = ManualScores::load(&p, &Catalog::from_report(&r)).unwrap();
    assert_eq!((m.entries[0].unit.as_str(), m.entries[0].score.score), ("baogong", 1.0));
}

#[test]
fn invalid_rows_are_refused_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::from_report(&sample());
    let head = "unit,item,score,note,inspector\n";
    #[rustfmt::skip]
    let cases: Vec<(&str, String, usize, &str)> = vec![
        ("above weight", format!("{head}baogong,common-03,1,,\nbaogong,common-04,2.5,,\n"), 3, "超过该指标权重 2 分"),
        ("negative", format!("{head}baogong,common-03,-1,,\n"), 2, "不能为负数"),
        ("unknown unit", format!("{head}baogong,common-03,1,,\nxinzhan,common-03,1,,\n"), 3, "单位“xinzhan”不在本次测评的单位名单中"),
        ("unknown item", format!("{head}baogong,common-99,1,,\n"), 2, "指标“common-99”不是评分细则中的指标"),
        ("not applicable", format!("{head}shengtai,street-01,1,,\n"), 2, "不适用于单位 shengtai"),
        ("duplicate", format!("{head}baogong,common-03,1,,\nbaogong,common-03,2,,\n"), 3, "已在第 2 行评分"),
        ("not a number", format!("{head}baogong,common-03,两分,,\n"), 2, "得分“两分”不是数字"),
        ("unknown column", "unit,item,score,remark\n".to_string(), 1, "未知的列“remark”"),
        ("missing column", "unit,item\n".to_string(), 1, "表头须包含"),
        ("open quote", format!("{head}baogong,common-03,1,\"note,\n"), 2, "引号未闭合"),
    ];
    for (name, text, line, needle) in cases {
        let p = write(dir.path(), "bad.csv", text.as_bytes());
        let e = ManualScores::load(&p, &catalog).unwrap_err();
        assert_eq!(e.line, Some(line), "{name}: {e}");
        assert!(e.message.contains(needle), "{name}: {e}");
        assert!(e.to_string().starts_with(&format!("{}:{line}: ", p.display())), "{name}: {e}");
    }
    let p = write(dir.path(), "bad.yaml", b"scores:\n  - {unit: baogong, item: common-03, score: 1}\n  - unit: baogong\n    item: common-05\n    score: 3\n");
    let e = ManualScores::load(&p, &catalog).unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("超过该指标权重 1 分"), "{e}");
    let p = write(dir.path(), "typo.yaml", b"scores:\n  - unit: baogong\n    item: common-05\n    scor: 1\n");
    let e = ManualScores::load(&p, &catalog).unwrap_err();
    assert!(e.line.is_some() && e.message.contains("YAML"), "{e}");
}

#[test]
fn catalog_from_units_file_matches_catalog_from_report() {
    let dir = tempfile::tempdir().unwrap();
    let units = write(
        dir.path(),
        "units.yaml",
        "units:\n  - {id: baogong, name: 包公街道, kind: street, roots: [\"http://x.cn/bg/\"]}\n  - {id: shengtai, name: 区生态环境分局, kind: department, roots: [\"http://x.cn/st/\"]}\n".as_bytes(),
    );
    let config = UnitsConfig::load(&units).unwrap();
    let catalog = Catalog::from_config(&config, &rubric());
    let p = write(dir.path(), "m.csv", b"unit,item,score\nshengtai,department-03,15\nshengtai,street-01,1\n");
    let e = ManualScores::load(&p, &catalog).unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
}

#[test]
fn rescore_rewrites_an_existing_report() {
    let dir = tempfile::tempdir().unwrap();
    let r = sample();
    crate::report::write_reports(dir.path(), &r).unwrap();
    let p = write(
        dir.path(),
        "m.csv",
        "unit,item,score,note,inspector\nbaogong,common-03,2,现场核实,测评一组\n".as_bytes(),
    );
    let out = dir.path().join("final");
    let (merged, written, summary) =
        crate::ops::rescore(&dir.path().join("report.json"), &p, Some(&out)).unwrap();
    assert_eq!(written.len(), 3, "report.json, report.html and report.xlsx");
    assert!(out.join("report.xlsx").is_file());
    assert_eq!(merged.units[0].score.final_score, Some(4.0));
    let back: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(back["units"][0]["score"]["final"], 4.0);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("最终得分 <strong>4</strong> / 100 分"), "final score missing in HTML");
    assert!(html.contains("测评人员评分：<strong>2</strong> 分（测评一组）：现场核实"));
    assert!(html.contains("<th>最终得分</th>"));
    assert!(summary.contains("最终得分 4 / 100 分"), "{summary}");
    // Re-scoring the re-scored report with another file replaces, not adds.
    let p2 = write(dir.path(), "m2.csv", b"unit,item,score\nbaogong,common-04,1\n");
    let (again, _, _) = crate::ops::rescore(&out.join("report.json"), &p2, None).unwrap();
    assert_eq!(again.units[0].score.final_score, Some(3.0));
    assert!(again.units[0].items.iter().find(|i| i.id == "common-03").unwrap().manual.is_none());
    // An invalid file changes nothing.
    let bad = write(dir.path(), "bad.csv", b"unit,item,score\nbaogong,common-03,9\n");
    assert!(matches!(
        crate::ops::rescore(&out.join("report.json"), &bad, None),
        Err(crate::ops::OpsError::Manual(_))
    ));
}

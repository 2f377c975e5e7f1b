use super::*;
use crate::config::UnitKind;
use crate::diff::RunDiff;
use crate::findings::Status::*;
use crate::ops::testkit::{report, result, unit, unit_report};

fn night_one() -> AuditReport {
    let bg = unit("baogong", "包公街道", UnitKind::Street);
    let st = unit("shengtai", "区生态环境分局", UnitKind::Department);
    report(
        "2025-03-19",
        vec![
            unit_report(
                &bg,
                &[
                    result("sys-review", "common-11", Pass, "已找到评议考核制度", "http://x/bg/gkzd/t1.html"),
                    result("pii", "common-17", Pass, "未发现个人信息", "http://x/bg/"),
                    result("fresh", "common-15", Fail, "工作动态最新信息为2024-12-01", "http://x/bg/gzdt/"),
                ],
            ),
            unit_report(
                &st,
                &[result(
                    "pii",
                    "common-17",
                    Fail,
                    "页面公开了身份证号 340111********3411",
                    "http://x/st/t9.html",
                )],
            ),
        ],
    )
}

fn night_two() -> AuditReport {
    let bg = unit("baogong", "包公街道", UnitKind::Street);
    let st = unit("shengtai", "区生态环境分局", UnitKind::Department);
    report(
        "2025-03-20",
        vec![
            unit_report(
                &bg,
                &[
                    result("sys-review", "common-11", Fail, "未找到评议考核制度", "http://x/bg/gkzd/"),
                    result("pii", "common-17", Partial, "附件含手机号 139****2345", "http://x/bg/a.pdf"),
                    result("fresh", "common-15", Pass, "工作动态最新信息为2025-03-18", "http://x/bg/gzdt/"),
                ],
            ),
            unit_report(
                &st,
                &[result(
                    "pii",
                    "common-17",
                    Fail,
                    "页面公开了身份证号 340111********3411",
                    "http://x/st/t9.html",
                )],
            ),
        ],
    )
}

#[test]
fn schema_is_created_versioned_and_newer_files_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/history.sqlite");
    drop(History::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    drop(conn);
    // Reopening migrates nothing twice.
    let h = History::open(&path).unwrap();
    assert!(h.runs().unwrap().is_empty());
    drop(h);
    Connection::open(&path).unwrap().execute_batch("PRAGMA user_version = 99").unwrap();
    assert!(matches!(History::open(&path), Err(HistoryError::TooNew { found: 99, .. })));
}

#[test]
fn runs_round_trip_with_items_findings_and_trend() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite");
    let mut h = History::open(&path).unwrap();
    assert!(matches!(h.last_two(), Err(HistoryError::TooFewRuns { found: 0, .. })));
    let a = h.record(&night_one(), "aa", None).unwrap();
    let b = h.record(&night_two(), "aa", Some(Path::new("out/report.json"))).unwrap();
    drop(h);
    // A second process reading the same file sees both runs.
    let h = History::open(&path).unwrap();
    let runs = h.runs().unwrap();
    assert_eq!(runs.iter().map(|r| r.id).collect::<Vec<_>>(), [a, b]);
    assert_eq!(runs[1].report_path.as_deref(), Some("out/report.json"));
    assert_eq!(h.last_two().unwrap(), (a, b));
    assert_eq!(h.previous_run(None).unwrap(), Some(b));
    assert_eq!(h.previous_run(Some(a)).unwrap(), None);
    let snap = h.load(b).unwrap();
    assert_eq!(snap.info.as_of, "2025-03-20");
    let bg = &snap.units[0];
    assert_eq!(bg.unit.unit_name, "包公街道");
    assert_eq!(bg.items.len(), 40);
    let c11 = bg.items.iter().find(|i| i.item_id == "common-11").unwrap();
    assert_eq!((c11.status, c11.score), (Fail, Some(0.0)));
    assert!(bg.findings.iter().any(|f| f.check == "pii" && f.message.contains("139****2345")));
    assert!(matches!(h.load(99), Err(HistoryError::NoSuchRun { id: 99, .. })));
    assert_eq!(h.previous_run_of(&["shengtai"], None).unwrap(), Some(b));
    assert_eq!(h.previous_run_of(&["baogong", "xinzhan"], Some(b)).unwrap(), Some(a));
    assert_eq!(h.previous_run_of(&["xinzhan"], None).unwrap(), None);
    let trend = h.trend("baogong", 12).unwrap();
    assert_eq!(trend.iter().map(|p| p.as_of.as_str()).collect::<Vec<_>>(), ["2025-03-19", "2025-03-20"]);
    assert_eq!(h.trend("baogong", 1).unwrap().len(), 1, "the limit keeps the latest runs");
    assert_eq!(h.trend("baogong", 1).unwrap()[0].run, b);
    let listing = render_runs(&h).unwrap();
    assert!(listing.starts_with("共 2 次测评记录"), "{listing}");
    assert!(listing.contains(&format!("#{b}  生成于")) && listing.contains("包公街道"), "{listing}");
}

#[test]
fn a_forgotten_run_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.sqlite")).unwrap();
    let a = h.record(&night_one(), "aa", None).unwrap();
    let b = h.record(&night_two(), "aa", None).unwrap();
    h.forget(b).unwrap();
    assert_eq!(h.runs().unwrap().iter().map(|r| r.id).collect::<Vec<_>>(), [a]);
    assert_eq!(h.trend("baogong", 12).unwrap().len(), 1);
    for table in ["unit_scores", "item_results", "findings"] {
        let n: i64 = h
            .conn
            .query_row(&format!("SELECT count(*) FROM {table} WHERE run_id = ?1"), [b], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
}

#[test]
fn diff_puts_new_failures_first_and_flags_the_regression() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.sqlite")).unwrap();
    let a = h.record(&night_one(), "aa", None).unwrap();
    let b = h.record(&night_two(), "bb", None).unwrap();
    let d = RunDiff::between(&h.load(a).unwrap(), &h.load(b).unwrap());
    assert!(d.regressed());
    let bg = &d.units[0];
    assert!(bg.regressed());
    let order: Vec<&str> = bg.items.iter().map(|c| c.item_id.as_str()).collect();
    assert_eq!(order, ["common-11", "common-17", "common-15"], "new fail, lost points, then gains");
    assert!(bg.new_problems[0].status == Fail && bg.new_problems[0].item_id == "common-11");
    assert!(bg.resolved.iter().any(|f| f.item_id == "common-15"));
    // 区生态环境分局 kept the same failure: no change, no alarm.
    assert!(d.units[1].is_empty() && !d.units[1].regressed());
    let text = d.render_zh();
    assert!(text.contains("注意：两次测评所用的检查规则"), "{text}");
    assert!(text.contains("结论：1 个单位失分或新增不符合项：包公街道。"), "{text}");
    let pos = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} missing in {text}"));
    assert!(pos("新增不符合：") < pos("[common-11]"));
    assert!(pos("[common-11]") < pos("得分下降：") && pos("得分下降：") < pos("得分提高或已整改："));
    assert!(text.contains("符合 → 不符合（1 → 0 分）"), "{text}");
    assert!(
        text.contains("区生态环境分局（shengtai）：网上测评暂定得分 0 → 0 分（持平），指标和问题均无变化。"),
        "{text}"
    );
    // The other way round nothing got worse except what improved back: common-15 fails again.
    let back = RunDiff::between(&h.load(b).unwrap(), &h.load(a).unwrap());
    assert!(back.units[0].items.iter().any(|c| c.item_id == "common-15" && c.is_new_failure()));
    // The same run against itself: nothing.
    let same = RunDiff::between(&h.load(a).unwrap(), &h.load(a).unwrap());
    assert!(!same.regressed() && same.units.iter().all(|u| u.is_empty()));
    assert!(same.render_zh().contains("结论：没有单位失分或新增不符合项。"));
}

#[test]
fn an_item_that_could_not_be_judged_is_a_status_change_not_lost_points() {
    let bg = unit("baogong", "包公街道", UnitKind::Street);
    let night = |status| {
        report(
            "2025-03-20",
            vec![unit_report(&bg, &[result("fresh", "common-15", status, "工作动态", "http://x/")])],
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.sqlite")).unwrap();
    let a = h.record(&night(Pass), "x", None).unwrap();
    let b = h.record(&night(Error), "x", None).unwrap();
    let d = RunDiff::between(&h.load(a).unwrap(), &h.load(b).unwrap());
    let text = d.render_zh();
    assert!(text.contains("  状态变化（含本次无法判定的指标）：\n    [common-15] "), "{text}");
    assert!(text.contains("符合 → 无法判定（2 → — 分）"), "{text}");
    assert!(!text.contains("得分下降："), "{text}");
    // The provisional score still fell: the nightly alarm rings, as a site that stopped answering should.
    assert!(d.regressed());
}

#[test]
fn checks_hash_follows_the_yaml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rubric.yaml"), "items: []\n").unwrap();
    std::fs::write(dir.path().join("a.yaml"), "checks: []\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let one = checks_sha256(dir.path()).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "still ignored").unwrap();
    assert_eq!(checks_sha256(dir.path()).unwrap(), one);
    std::fs::write(dir.path().join("rubric.yaml"), "items: [] # weights changed\n").unwrap();
    assert_ne!(checks_sha256(dir.path()).unwrap(), one);
    assert_eq!(one.len(), 64);
}

#[test]
fn a_site_served_on_another_port_is_not_all_new_problems() {
    let st = unit("shengtai", "区生态环境分局", UnitKind::Department);
    let night = |port: u16| {
        let url = format!("http://127.0.0.1:{port}/sthjj/public/content/post_10299.html");
        report(
            "2025-03-20",
            vec![unit_report(
                &st,
                &[result(
                    "links",
                    "common-15",
                    Fail,
                    &format!("链接“通知”（{url}）无法访问：HTTP 404"),
                    &url,
                )],
            )],
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.sqlite")).unwrap();
    let a = h.record(&night(40001), "x", None).unwrap();
    let b = h.record(&night(40002), "x", None).unwrap();
    let d = RunDiff::between(&h.load(a).unwrap(), &h.load(b).unwrap());
    assert!(d.units[0].is_empty() && !d.regressed(), "{}", d.render_zh());
}

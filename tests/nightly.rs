//! Nightly operations end to end, through the binary, against a copy of the demo site served on
//! 127.0.0.1: two audits with a change to the site in between, `diff`, `history`, the nightly exit code,
//! the digest to a stand-in webhook; and a unit's self-check with inspectors' manual scores.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use zwgk_audit::demo::{DemoFixture, serve_dir};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs the binary with these arguments (in the repository, off the async runtime).
async fn zwgk(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_zwgk-audit"))
            .args(&args)
            .current_dir(common::repo())
            .env("ZWGK_LOG", "warn")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn audit_args(units: &Path, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut a = args(&["audit", "--units"]);
    a.push(units.display().to_string());
    a.push("--out".into());
    a.push(out.display().to_string());
    a.push("--checks".into());
    a.push(common::repo().join("checks").display().to_string());
    a.extend(args(&["--as-of", "2025-03-20", "--allow-private"]));
    a.extend(args(extra));
    a
}

/// The demo's units file for a server on `port`, faster, with extra settings lines.
fn units_file(dir: &Path, port: u16, only: Option<&str>, settings: &str) -> PathBuf {
    let fixture = DemoFixture::locate().unwrap();
    let mut yaml = fixture.units_yaml(port).unwrap().replace("rate_per_host: 50.0", "rate_per_host: 200.0");
    yaml = yaml.replace("settings:\n", &format!("settings:\n{settings}"));
    if let Some(id) = only {
        // Keep one unit: cut the other unit's block.
        let start = yaml.find("  - id: ").unwrap();
        let blocks: Vec<&str> = yaml[start..].split("  - id: ").filter(|b| !b.is_empty()).collect();
        let keep = blocks.iter().find(|b| b.starts_with(id)).unwrap();
        yaml = format!("{}  - id: {keep}", &yaml[..start]);
    }
    let path = dir.join("units.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

/// Removes the 评议考核制度 (rubric item common-11) from 包公街道's 制度 column: its list entry and its page.
fn remove_review_system(site: &Path) {
    let index = site.join("bgjd/xxgk/gkzd/index.html");
    let bytes = std::fs::read(&index).unwrap();
    // GBK keeps ASCII bytes as they are: drop the one line linking the document.
    let needle = b"t20240412_1256.html";
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let kept: Vec<&[u8]> =
        lines.iter().copied().filter(|l| !l.windows(needle.len()).any(|w| w == needle)).collect();
    assert_eq!(lines.len() - kept.len(), 1, "exactly one line links the document");
    std::fs::write(&index, kept.join(&b'\n')).unwrap();
    std::fs::remove_file(site.join("bgjd/xxgk/gkzd/202404/t20240412_1256.html")).unwrap();
}

type Received = Arc<Mutex<Vec<Value>>>;

/// A stand-in for a 企业微信 robot on 127.0.0.1 that records every message.
async fn wecom_robot() -> (std::net::SocketAddr, Received) {
    let received: Received = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().fallback(move |body: axum::body::Bytes| {
        let sink = sink.clone();
        async move {
            sink.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(Value::Null));
            r#"{"errcode":0,"errmsg":"ok"}"#
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, received)
}

fn report_json(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nights_with_a_site_change_diff_names_the_item_and_nightly_exits_3() {
    let site = tempfile::tempdir().unwrap();
    copy_dir(&DemoFixture::locate().unwrap().dir.join("site"), site.path());
    let server = serve_dir(site.path().to_path_buf()).await.unwrap();
    let (robot, received) = wecom_robot().await;
    let work = tempfile::tempdir().unwrap();
    let settings = format!(
        "  history: db/history.sqlite\n  report_url: https://zwgk.example.gov.cn/audit/report.html\n  notify:\n    - kind: wecom\n      url: http://{robot}/cgi-bin/webhook/send?key=test\n"
    );
    let units = units_file(work.path(), server.addr.port(), None, &settings);
    let out = work.path().join("out");
    let history = out.join("db/history.sqlite");

    // Night 1: the first run has nothing to compare with.
    let first = zwgk(audit_args(&units, &out, &["--nightly"])).await;
    assert_eq!(first.status.code(), Some(0), "{}\n{}", text(&first.stdout), text(&first.stderr));
    assert!(text(&first.stdout).contains("这是历史记录中的首次测评"), "{}", text(&first.stdout));
    assert!(history.is_file(), "settings.history is relative to the out folder");
    // Night 2: the same site: no alarm.
    let second = zwgk(audit_args(&units, &out, &["--nightly"])).await;
    let stdout = text(&second.stdout);
    assert_eq!(second.status.code(), Some(0), "{stdout}\n{}", text(&second.stderr));
    assert!(stdout.contains("结论：没有单位失分或新增不符合项。"), "{stdout}");

    // The unit takes its 评议考核制度 down.
    remove_review_system(site.path());
    let third = zwgk(audit_args(&units, &out, &["--nightly"])).await;
    let stdout = text(&third.stdout);
    assert_eq!(third.status.code(), Some(3), "nightly mode must alarm:\n{stdout}\n{}", text(&third.stderr));
    assert!(stdout.contains("结论：1 个单位失分或新增不符合项：包公街道。"), "{stdout}");

    // `diff` defaults to the last two runs and names the item, new failures first, in Chinese.
    let diff = zwgk(args(&["diff", "--history", &history.display().to_string()])).await;
    let d = text(&diff.stdout);
    assert_eq!(diff.status.code(), Some(0), "{d}\n{}", text(&diff.stderr));
    assert!(d.starts_with("测评记录对比：#2（测评基准日 2025-03-20"), "{d}");
    assert!(d.contains("包公街道（baogong）：网上测评暂定得分"), "{d}");
    let new_fail = d.find("  新增不符合：").expect("a new failure section");
    let item = d.find("    [common-11] ").expect("common-11 named");
    assert!(new_fail < item, "{d}");
    assert!(d[item..].lines().next().unwrap().contains("符合 → 不符合（1 → 0 分）"), "{d}");
    assert!(d.contains("区生态环境分局（shengtai）：网上测评暂定得分"), "{d}");
    assert!(d.contains("（持平），指标和问题均无变化。"), "{d}");
    // Runs 1 and 2 (same site) differ in nothing.
    let same = zwgk(args(&["diff", "1", "2", "--history", &history.display().to_string()])).await;
    assert!(text(&same.stdout).contains("结论：没有单位失分或新增不符合项。"), "{}", text(&same.stdout));
    // `history` finds the database through the units file's settings.
    let list = zwgk(args(&[
        "history",
        "--units",
        &units.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]))
    .await;
    let l = text(&list.stdout);
    assert_eq!(list.status.code(), Some(0), "{l}\n{}", text(&list.stderr));
    assert!(l.starts_with("共 3 次测评记录") && l.contains("#3  生成于"), "{l}");
    let missing =
        zwgk(args(&["diff", "--history", &work.path().join("none.sqlite").display().to_string()])).await;
    assert_eq!(missing.status.code(), Some(1));

    // The report carries each unit's trend over the three runs, drawn as an inline SVG.
    let report = report_json(&out);
    let bg = common::unit(&report, "baogong");
    let trend = bg["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 3);
    assert!(trend[2]["online_earned"].as_f64().unwrap() < trend[1]["online_earned"].as_f64().unwrap());
    assert_eq!(common::item(bg, "common-11")["status"], "fail");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<polyline points=").count(), 5, "one chart per unit (five demo units)");
    assert!(!html.contains("<script"), "the chart needs no script");

    // Each nightly run sent the digest; the last one names the new failure and the report's URL.
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "{got:?}");
    let content = got[2]["markdown"]["content"].as_str().unwrap();
    assert_eq!(got[2]["msgtype"], "markdown");
    assert!(content.contains("新增不符合：common-11"), "{content}");
    assert!(content.contains("报告：https://zwgk.example.gov.cn/audit/report.html"), "{content}");
    assert!(text(&third.stdout).contains("已向企业微信群机器人（127.0.0.1）推送测评摘要。"));

    // Without --nightly a regression is reported but the exit code stays the contract's 0, and no
    // digest is sent: the unit restores the document (no alarm), then takes it down again.
    let pristine = DemoFixture::locate().unwrap().dir.join("site/bgjd/xxgk/gkzd");
    std::fs::copy(pristine.join("index.html"), site.path().join("bgjd/xxgk/gkzd/index.html")).unwrap();
    let page = "202404/t20240412_1256.html";
    std::fs::copy(pristine.join(page), site.path().join("bgjd/xxgk/gkzd").join(page)).unwrap();
    let restored = zwgk(audit_args(&units, &out, &[])).await;
    assert_eq!(restored.status.code(), Some(0));
    assert!(
        text(&restored.stdout).contains("与上次测评（#3）相比，没有单位失分或新增不符合项。"),
        "{}",
        text(&restored.stdout)
    );
    let fixed = zwgk(args(&["diff", "--history", &history.display().to_string()])).await;
    let f = text(&fixed.stdout);
    let gains = f.find("  得分提高或已整改：").expect(&f);
    assert!(
        f[gains..]
            .lines()
            .any(|l| l.starts_with("    [common-11] ") && l.contains("不符合 → 符合（0 → 1 分）")),
        "{f}"
    );
    remove_review_system(site.path());
    let plain = zwgk(audit_args(&units, &out, &[])).await;
    assert_eq!(plain.status.code(), Some(0), "exit 3 is for --nightly only");
    assert!(
        text(&plain.stdout).contains("与上次测评（#4）相比有单位失分或新增不符合项"),
        "{}",
        text(&plain.stdout)
    );
    assert_eq!(received.lock().unwrap().len(), 3, "only nightly runs send the digest");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_check_of_one_unit_with_manual_scores() {
    let fixture = DemoFixture::locate().unwrap();
    let server = fixture.serve().await.unwrap();
    let work = tempfile::tempdir().unwrap();
    // A webhook nobody answers: a failed delivery must not fail the run (and only --nightly sends).
    let units = units_file(
        work.path(),
        server.addr.port(),
        Some("shengtai"),
        "  notify:\n    - kind: dingtalk\n      url: http://127.0.0.1:9/robot/send?access_token=x\n      secret: SECx\n",
    );
    let out = work.path().join("out");

    // An invalid manual file stops the run before any crawling, naming file and line (exit 2).
    let bad = work.path().join("manual-bad.csv");
    std::fs::write(&bad, "unit,item,score,note,inspector\nshengtai,common-03,2,现场核实,测评一组\nshengtai,department-02,11,,测评一组\n").unwrap();
    let refused = zwgk(audit_args(&units, &out, &["--manual", &bad.display().to_string()])).await;
    assert_eq!(refused.status.code(), Some(2));
    let err = text(&refused.stderr);
    assert!(err.contains(&format!("{}:3: ", bad.display())) && err.contains("超过该指标权重 10 分"), "{err}");
    assert!(!out.join("report.json").exists(), "nothing was audited");

    let manual = work.path().join("manual.yaml");
    std::fs::write(
        &manual,
        "scores:\n  - {unit: shengtai, item: common-03, score: 2, note: 现场查阅台账齐全, inspector: 测评一组}\n  - {unit: shengtai, item: department-02, score: 8, note: 实地查看, inspector: 测评一组}\n",
    )
    .unwrap();
    let run = zwgk(audit_args(&units, &out, &["--manual", &manual.display().to_string(), "--nightly"])).await;
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}\n{}", text(&run.stderr));
    // The to-do list, most points at stake first, with where and how to fix.
    let todo_at = stdout.find("区生态环境分局自查整改清单（按可挽回分值排序").expect(&stdout);
    assert!(stdout[todo_at..].contains("   位置：http://127.0.0.1:"), "{stdout}");
    assert!(stdout[todo_at..].contains("   整改建议："), "{stdout}");
    assert!(stdout.contains("推送测评摘要失败") && stdout.contains("测评结果不受影响"), "{stdout}");
    assert!(!stdout.contains("access_token"), "the webhook's key is never printed");
    let report = report_json(&out);
    let st = &report["units"][0];
    let todo = st["todo"].as_array().unwrap();
    assert!(todo.len() >= 3, "{todo:#?}");
    let stakes: Vec<f64> = todo.iter().map(|t| t["points_at_stake"].as_f64().unwrap()).collect();
    assert!(stakes.windows(2).all(|w| w[0] >= w[1]), "{stakes:?}");
    for t in todo {
        assert!(matches!(t["status"].as_str().unwrap(), "fail" | "partial"));
        assert!(!t["fix"].as_str().unwrap().is_empty());
        assert!(!t["problems"].as_array().unwrap().is_empty(), "{t}");
        for p in t["problems"].as_array().unwrap() {
            // Personal data stays masked in the to-do list too.
            assert!(!regex_like_id(p["message"].as_str().unwrap()), "{p}");
        }
    }
    // The leaked ID numbers are among the things to fix.
    assert!(todo.iter().any(|t| t["item"] == "common-17"), "{todo:#?}");
    // Final score beside the provisional online score.
    let online = st["score"]["online_earned"].as_f64().unwrap();
    assert_eq!(st["score"]["final"].as_f64().unwrap(), online + 10.0);
    assert_eq!(st["score"]["final_max"], 100.0);
    assert_eq!(common::item(st, "department-02")["manual"]["inspector"], "测评一组");
    assert!(stdout.contains("区生态环境分局：最终得分 "), "{stdout}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("自查整改清单") && html.contains("最终得分 <strong>"),
        "HTML lacks the to-do list or final score"
    );

    // `score` re-scores the finished run with another file; a bad file is refused with exit 2.
    let again = work.path().join("manual2.csv");
    std::fs::write(&again, "unit,item,score\nshengtai,common-03,1\n").unwrap();
    let rescored = zwgk(args(&[
        "score",
        "--report",
        &out.join("report.json").display().to_string(),
        "--manual",
        &again.display().to_string(),
    ]))
    .await;
    assert_eq!(rescored.status.code(), Some(0), "{}", text(&rescored.stderr));
    assert_eq!(report_json(&out)["units"][0]["score"]["final"].as_f64().unwrap(), online + 1.0);
    let refused = zwgk(args(&[
        "score",
        "--report",
        &out.join("report.json").display().to_string(),
        "--manual",
        &bad.display().to_string(),
    ]))
    .await;
    assert_eq!(refused.status.code(), Some(2));
}

/// An unmasked 18-digit resident ID number.
fn regex_like_id(s: &str) -> bool {
    let digits: Vec<char> = s.chars().collect();
    digits
        .windows(18)
        .any(|w| w[..17].iter().all(|c| c.is_ascii_digit()) && (w[17].is_ascii_digit() || w[17] == 'X'))
}

use std::sync::{Arc, Mutex};

use axum::http::{StatusCode, Uri};

use super::*;
use crate::config::UnitKind;
use crate::findings::Status::*;
use crate::history::History;
use crate::ops::testkit::{report, result, unit, unit_report};

#[test]
fn hmac_and_base64_match_the_rfc_vectors() {
    // RFC 4231 test case 2.
    assert_eq!(
        hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // RFC 4231 test case 6: a key longer than the block is hashed first.
    assert_eq!(
        hex::encode(hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First")),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
    // RFC 4648 §10.
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(plain.as_bytes()), encoded);
    }
    assert_eq!(
        dingtalk_sign(1_700_000_000_000, "SEC1"),
        base64(&hmac_sha256(b"SEC1", b"1700000000000\nSEC1"))
    );
}

/// Two nights of two units: 包公街道 loses common-11, 区生态环境分局 is unchanged.
fn two_nights() -> (AuditReport, RunDiff) {
    let bg = unit("baogong", "包公街道", UnitKind::Street);
    let st = unit("shengtai", "区生态环境分局", UnitKind::Department);
    let night = |c11| {
        report(
            "2025-03-20",
            vec![
                unit_report(&bg, &[result("sys", "common-11", c11, "评议考核制度", "http://x/bg/")]),
                unit_report(&st, &[result("fresh", "common-15", Pass, "工作动态已更新", "http://x/st/")]),
            ],
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.sqlite")).unwrap();
    let a = h.record(&night(Pass), "x", None).unwrap();
    let second = night(Fail);
    let b = h.record(&second, "x", None).unwrap();
    (second, RunDiff::between(&h.load(a).unwrap(), &h.load(b).unwrap()))
}

#[test]
fn digest_names_units_scores_new_failures_and_the_report() {
    let (r, d) = two_nights();
    let md = digest_markdown(&r, Some(&d), "https://zwgk.example.gov.cn/reports/2025-03-20/report.html");
    assert!(md.starts_with("### 政务公开网上测评夜间巡检（2025-03-20）\n"), "{md}");
    assert!(md.contains("> **1 个单位失分或新增不符合项**：包公街道"), "{md}");
    assert!(md.contains("- **包公街道**：网上测评暂定得分 0 / 1 分（较上次 −1）"), "{md}");
    assert!(md.contains("  - 新增不符合：common-11"), "{md}");
    assert!(md.contains("- **区生态环境分局**：网上测评暂定得分 2 / 2 分（与上次持平）"), "{md}");
    assert!(md.ends_with("报告：https://zwgk.example.gov.cn/reports/2025-03-20/report.html\n"));
    let first = digest_markdown(&r, None, "out/report.html");
    assert!(first.contains("首次测评"));
}

#[test]
fn bodies_follow_the_robots_formats_and_limits() {
    let long = "政".repeat(3000); // 9000 bytes
    let w = body(NotifyKind::Wecom, "标题", &long);
    assert_eq!(w["msgtype"], "markdown");
    let content = w["markdown"]["content"].as_str().unwrap();
    assert!(content.len() <= WECOM_MAX_BYTES && content.ends_with("（内容过长，详见报告）"));
    assert_eq!(w["markdown"].as_object().unwrap().len(), 1);
    let d = body(NotifyKind::Dingtalk, "标题", &long);
    assert_eq!(d["markdown"]["title"], "标题");
    assert_eq!(d["markdown"]["text"], long.as_str(), "钉钉 takes up to 20000 bytes");
}

/// What the stand-in webhook received: (path and query, body).
type Received = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

/// A local stand-in for the robots' webhook on 127.0.0.1: records each POST and answers with `status`
/// and `answer`.
async fn webhook(
    status: StatusCode,
    answer: &'static str,
) -> (std::net::SocketAddr, Received, tokio::task::JoinHandle<()>) {
    let received: Received = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, body: axum::body::Bytes| {
        let sink = sink.clone();
        async move {
            let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
            sink.lock()
                .unwrap()
                .push((uri.path_and_query().map(|p| p.to_string()).unwrap_or_default(), json));
            (status, answer)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, received, task)
}

fn target(kind: NotifyKind, url: String, secret: Option<&str>) -> NotifyTarget {
    NotifyTarget { kind, url: url.parse().unwrap(), secret: secret.map(str::to_string) }
}

#[tokio::test]
async fn delivers_to_wecom_and_signed_dingtalk_over_http() {
    let (addr, received, _task) = webhook(StatusCode::OK, r#"{"errcode":0,"errmsg":"ok"}"#).await;
    let targets = [
        target(NotifyKind::Wecom, format!("http://{addr}/cgi-bin/webhook/send?key=KEY1"), None),
        target(NotifyKind::Dingtalk, format!("http://{addr}/robot/send?access_token=TOKEN"), Some("SECabc")),
    ];
    let (r, d) = two_nights();
    let md = digest_markdown(&r, Some(&d), "out/report.html");
    let before = chrono::Utc::now().timestamp_millis();
    let deliveries = send_all(&targets, &title(&r), &md).await;
    assert!(deliveries.iter().all(|d| d.result.is_ok()), "{deliveries:?}");
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].0, "/cgi-bin/webhook/send?key=KEY1");
    assert_eq!(got[0].1, serde_json::json!({"msgtype": "markdown", "markdown": {"content": md}}));
    // 钉钉: the signature checks out the way the robot checks it.
    let url = url::Url::parse(&format!("http://x{}", got[1].0)).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["access_token"], "TOKEN");
    let ts: i64 = q["timestamp"].parse().unwrap();
    assert!(ts >= before && ts - before < 60_000, "timestamp in ms, now");
    assert_eq!(q["sign"], base64(&hmac_sha256(b"SECabc", format!("{ts}\nSECabc").as_bytes())));
    assert_eq!(got[1].1["msgtype"], "markdown");
    assert_eq!(got[1].1["markdown"]["title"], "政务公开网上测评夜间巡检（2025-03-20）");
    assert_eq!(got[1].1["markdown"]["text"], md.as_str());
}

#[tokio::test]
async fn failed_deliveries_are_reported_not_raised() {
    let (refusing, _, _t1) = webhook(StatusCode::OK, r#"{"errcode":310000,"errmsg":"sign not match"}"#).await;
    let (broken, _, _t2) = webhook(StatusCode::INTERNAL_SERVER_ERROR, "oops").await;
    // A port nothing listens on: bind one, then close it.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let targets = [
        target(NotifyKind::Dingtalk, format!("http://{refusing}/robot/send?access_token=T"), Some("SECx")),
        target(NotifyKind::Wecom, format!("http://{broken}/send?key=K"), None),
        target(NotifyKind::Wecom, format!("http://{closed}/send?key=SECRETKEY"), None),
    ];
    let deliveries = send_all(&targets, "t", "m").await;
    let errors: Vec<String> = deliveries.iter().map(|d| d.result.clone().unwrap_err()).collect();
    assert!(errors[0].contains("errcode 310000"), "{errors:?}");
    assert!(errors[1].contains("HTTP 500"), "{errors:?}");
    assert!(errors[2].contains("request failed"), "{errors:?}");
    assert!(!errors[2].contains("SECRETKEY"), "the webhook key must not be logged: {errors:?}");
    assert_eq!(deliveries[2].host, "127.0.0.1");
}

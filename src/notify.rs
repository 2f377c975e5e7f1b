//! The nightly digest, sent to 企业微信 or 钉钉 group robots.
//!
//! After a nightly run, each webhook of `settings.notify` receives one markdown message: every unit's
//! score and its change since the previous run, new failures, and where the report is. Message formats
//! are the robots' documented ones:
//! - 企业微信: `{"msgtype":"markdown","markdown":{"content":"…"}}` (content at most 4096 bytes);
//! - 钉钉: `{"msgtype":"markdown","markdown":{"title":"…","text":"…"}}`, and with a 加签 secret the URL gets
//!   `&timestamp=…&sign=…` where sign = urlencode(base64(HMAC-SHA256(secret, "{timestamp}\n{secret}"))).
//!
//! A delivery that fails (connection refused, HTTP error, `errcode` ≠ 0) is logged and reported back;
//! it never fails the audit. The webhook is configured by the operator, not found by crawling, so the
//! crawler's private-address guard does not apply to it (an intranet relay is a normal setup).

use std::time::Duration;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::config::{NotifyKind, NotifyTarget};
use crate::diff::RunDiff;
use crate::report::AuditReport;
use crate::rubric::fmt_points;

/// 企业微信's limit on markdown content, in bytes.
const WECOM_MAX_BYTES: usize = 4096;
/// 钉钉's limit on a message, in bytes (documented as 20000).
const DINGTALK_MAX_BYTES: usize = 20000;

/// How one delivery went.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Which robot.
    pub kind: NotifyKind,
    /// The webhook's host (the URL itself carries the robot's key and is never logged).
    pub host: String,
    /// `Ok(())`, or why it failed.
    pub result: Result<(), String>,
}

/// The digest's title.
pub fn title(report: &AuditReport) -> String {
    format!("政务公开网上测评夜间巡检（{}）", report.as_of)
}

/// The digest in markdown: units, scores and their change, new failures, the report's location.
pub fn digest_markdown(report: &AuditReport, diff: Option<&RunDiff>, report_location: &str) -> String {
    let mut out = format!("### {}\n", title(report));
    match diff {
        Some(d) if d.regressed() => {
            let names: Vec<&str> =
                d.units.iter().filter(|u| u.regressed()).map(|u| u.unit_name.as_str()).collect();
            out.push_str(&format!(
                "> **{} 个单位失分或新增不符合项**：{}\n\n",
                names.len(),
                names.join("、")
            ));
        }
        Some(_) => out.push_str("> 与上次测评相比，没有单位失分或新增不符合项。\n\n"),
        None => out.push_str("> 首次测评，暂无对比。\n\n"),
    }
    for u in &report.units {
        let ud = diff.and_then(|d| d.units.iter().find(|x| x.unit_id == u.id));
        let mut line = format!(
            "- **{}**：网上测评暂定得分 {} / {} 分",
            u.name,
            fmt_points(u.score.online_earned),
            fmt_points(u.score.online_max)
        );
        if let Some((a, b)) = ud.and_then(|x| x.score_before.zip(x.score_after)) {
            let delta = b - a;
            if delta.abs() >= 0.005 {
                let sign = if delta > 0.0 { "+" } else { "−" };
                line.push_str(&format!("（较上次 {sign}{}）", fmt_points(delta.abs())));
            } else {
                line.push_str("（与上次持平）");
            }
        }
        if let Some(f) = u.score.final_score {
            line.push_str(&format!("，最终得分 {} 分", fmt_points(f)));
        }
        out.push_str(&line);
        out.push('\n');
        if let Some(ud) = ud {
            for c in ud.items.iter().filter(|c| c.is_new_failure()) {
                out.push_str(&format!(
                    "  - 新增不符合：{} {}\n",
                    c.item_id,
                    crate::diff::short(&c.title, 30)
                ));
            }
        }
    }
    out.push_str(&format!("\n报告：{report_location}\n"));
    out
}

/// The JSON body a robot of `kind` expects for a markdown message.
pub fn body(kind: NotifyKind, title: &str, markdown: &str) -> serde_json::Value {
    match kind {
        NotifyKind::Wecom => {
            json!({"msgtype": "markdown", "markdown": {"content": truncate(markdown, WECOM_MAX_BYTES)}})
        }
        NotifyKind::Dingtalk => {
            json!({"msgtype": "markdown", "markdown": {"title": title, "text": truncate(markdown, DINGTALK_MAX_BYTES)}})
        }
    }
}

/// Cuts text to at most `max` bytes at a character boundary, marking the cut.
fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mark = "\n……（内容过长，详见报告）";
    let mut end = max - mark.len();
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{mark}", &s[..end])
}

/// Sends the digest to every target; failures are logged and returned, never raised.
pub async fn send_all(targets: &[NotifyTarget], title: &str, markdown: &str) -> Vec<Delivery> {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .user_agent(concat!("zwgk-audit/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("notification client could not be built: {e}");
            return targets
                .iter()
                .map(|t| Delivery { kind: t.kind, host: host(t), result: Err(e.to_string()) })
                .collect();
        }
    };
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        let result = send_one(&client, t, title, markdown).await;
        if let Err(e) = &result {
            tracing::warn!(kind = ?t.kind, host = %host(t), "notification not delivered: {e}");
        }
        out.push(Delivery { kind: t.kind, host: host(t), result });
    }
    out
}

fn host(t: &NotifyTarget) -> String {
    t.url.host_str().unwrap_or("").to_string()
}

async fn send_one(
    client: &reqwest::Client,
    t: &NotifyTarget,
    title: &str,
    markdown: &str,
) -> Result<(), String> {
    let mut url = t.url.clone();
    if let (NotifyKind::Dingtalk, Some(secret)) = (t.kind, &t.secret) {
        let timestamp = chrono::Utc::now().timestamp_millis();
        url.query_pairs_mut()
            .append_pair("timestamp", &timestamp.to_string())
            .append_pair("sign", &dingtalk_sign(timestamp, secret));
    }
    let resp = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(body(t.kind, title, markdown).to_string())
        .send()
        .await
        .map_err(|e| format!("request failed: {}", without_url(&e)))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| format!("reading the answer failed: {}", without_url(&e)))?;
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    // Both robots answer {"errcode":0,"errmsg":"ok"}; anything else is a refusal (bad key, bad sign …).
    match serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("errcode").and_then(|c| c.as_i64()))
    {
        Some(0) => Ok(()),
        Some(code) => Err(format!("robot answered errcode {code}: {}", crate::diff::short(&text, 200))),
        None => Err(format!("unexpected answer: {}", crate::diff::short(&text, 200))),
    }
}

/// A reqwest error's text without the URL, which carries the robot's key.
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "<webhook>");
    }
    s
}

/// 钉钉 加签: base64(HMAC-SHA256(key = secret, message = "{timestamp}\n{secret}")); the caller's
/// `append_pair` URL-encodes it.
pub fn dingtalk_sign(timestamp_ms: i64, secret: &str) -> String {
    let message = format!("{timestamp_ms}\n{secret}");
    base64(&hmac_sha256(secret.as_bytes(), message.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104) over sha2.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Standard base64 with padding (RFC 4648).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;

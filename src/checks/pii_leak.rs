//! `pii-leak`: no resident ID number or mobile number is exposed in the unit's pages or attachments.
//!
//! **What it checks.** The visible text of every in-scope page (and of text attachments that were read)
//! is cut into runs of ASCII letters and digits. A run of exactly 18 characters, 17 digits and a check
//! character, with a valid birth date and a valid GB 11643 check digit, is a resident ID; a run of 11
//! digits `1[3-9]…` is a mobile number, unless the few characters before it announce a published
//! contact line (联系电话, 咨询电话, 监督电话 …). Masked forms (3401**********0012) split into short runs and
//! never match; 统一社会信用代码 and 索引号 contain letters or separators and do not either. Every
//! message and excerpt shows numbers masked (340104********0012, 138****5678).
//!
//! **Why.** 《个人信息保护法》and 《政府信息公开条例》第十五条 (personal privacy is not disclosed); rubric
//! item common-17. 公示 name lists (低保, 补贴) in pages and xls/pdf attachments are the usual leak.
//!
//! **Passes.** A 低保 公示 listing 张*，340104********0012.
//!
//! **Fails.** The same list with the full 18-digit number.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::findings::{Evidence, Status};

/// Parameters of `pii-leak`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Look for resident ID numbers.
    #[serde(default = "yes")]
    pub ids: bool,
    /// Look for mobile numbers.
    #[serde(default = "yes")]
    pub mobiles: bool,
    /// Words before a mobile number that make it a deliberately published contact line.
    #[serde(default = "default_contact_words")]
    pub contact_words: Vec<String>,
}

fn yes() -> bool {
    true
}

fn default_contact_words() -> Vec<String> {
    ["联系电话", "咨询电话", "监督电话", "举报电话", "投诉电话", "值班电话", "服务电话", "热线", "联系人"]
        .map(String::from)
        .to_vec()
}

/// What kind of personal number was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiiKind {
    /// 居民身份证号码.
    ResidentId,
    /// 手机号码.
    Mobile,
}

/// One personal number found in a text: kind, byte range, and its masked form.
#[derive(Debug, Clone, PartialEq)]
pub struct PiiHit {
    /// The kind.
    pub kind: PiiKind,
    /// Byte range in the text.
    pub range: std::ops::Range<usize>,
    /// The number masked for display.
    pub masked: String,
}

static TOKEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9A-Za-z]+").expect("static regex"));
static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9]+").expect("static regex"));
static LONG_DIGITS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9]{7,}[0-9Xx]?").expect("static regex"));

/// Whether an 18-character string is a valid resident ID (birth date and GB 11643 check digit).
pub fn is_resident_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (y, m, d) = (&s[6..10], &s[10..12], &s[12..14]);
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else { return false };
    if !(1900..=2100).contains(&y) || chrono::NaiveDate::from_ymd_opt(y, m, d).is_none() {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17].iter().zip(W).map(|(c, w)| u32::from(c - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    b[17].to_ascii_uppercase() == check
}

/// Masks a number: IDs keep 6 + 4 characters, mobiles 3 + 4, anything else its ends.
pub fn mask(s: &str, kind: Option<PiiKind>) -> String {
    let n = s.chars().count();
    let (head, tail) = match kind {
        Some(PiiKind::ResidentId) => (6, 4),
        Some(PiiKind::Mobile) => (3, 4),
        None => (n.min(14) / 4, n.min(14) / 4),
    };
    let chars: Vec<char> = s.chars().collect();
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// Masks every long digit run of a text (found or not), so that excerpts never repeat a number.
pub fn mask_all(text: &str) -> String {
    LONG_DIGITS
        .replace_all(text, |c: &regex::Captures<'_>| {
            let s = &c[0];
            let kind = if is_resident_id(s) {
                Some(PiiKind::ResidentId)
            } else if s.len() == 11 {
                Some(PiiKind::Mobile)
            } else {
                None
            };
            mask(s, kind)
        })
        .into_owned()
}

/// Masks every valid resident ID and every mobile-like number in a text (contact lines included):
/// the engine passes every message and excerpt through it, so no output repeats a number in full.
pub fn mask_pii(text: &str) -> String {
    let p = Params { ids: true, mobiles: true, contact_words: Vec::new() };
    let hits = find_pii(text, &p);
    if hits.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for h in hits {
        out.push_str(&text[at..h.range.start]);
        out.push_str(&h.masked);
        at = h.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Finds resident IDs and (unless announced as contact lines) mobile numbers in a text.
pub fn find_pii(text: &str, p: &Params) -> Vec<PiiHit> {
    let mut hits = Vec::new();
    if p.ids {
        // Letter-and-digit runs: a 统一社会信用代码 or 索引号 has letters or separators inside.
        for m in TOKEN.find_iter(text).filter(|m| m.as_str().len() == 18 && is_resident_id(m.as_str())) {
            let masked = mask(m.as_str(), Some(PiiKind::ResidentId));
            hits.push(PiiHit { kind: PiiKind::ResidentId, range: m.range(), masked });
        }
    }
    if p.mobiles {
        // Digit runs: a mobile number glued to letters (Tel13812345678) still counts.
        for m in DIGITS.find_iter(text) {
            let s = m.as_str();
            if s.len() != 11 || !s.starts_with('1') || !(b'3'..=b'9').contains(&s.as_bytes()[1]) {
                continue;
            }
            let before: String =
                text[..m.start()].chars().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect();
            if !p.contact_words.iter().any(|w| before.contains(w.as_str())) {
                let masked = mask(s, Some(PiiKind::Mobile));
                hits.push(PiiHit { kind: PiiKind::Mobile, range: m.range(), masked });
            }
        }
    }
    hits.sort_by_key(|h| h.range.start);
    hits
}

/// A masked excerpt around a hit.
fn excerpt(text: &str, range: &std::ops::Range<usize>) -> String {
    let start = text[..range.start].char_indices().rev().nth(19).map_or(0, |(i, _)| i);
    let end = text[range.end..].char_indices().nth(20).map_or(text.len(), |(i, _)| range.end + i);
    mask_all(&crate::extract::clean_text(&text[start..end]))
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let mut findings = Vec::new();
    let mut scanned: Vec<Evidence> = site.root_evidence("专栏首页（已检查）");
    let (mut pages, mut attachments) = (0usize, 0usize);
    // Attachments count when they are the unit's: in its scope or linked from one of its pages.
    let linked: std::collections::HashSet<&str> =
        site.html_pages().flat_map(|(_, f)| f.links.iter().map(|l| l.url.as_str())).collect();
    let texts = site.pages.iter().filter_map(|pg| {
        if let Some(f) = pg.facts.as_ref().filter(|_| site.is_in_scope(&pg.record.url)) {
            Some((
                pg,
                f.title.as_deref().map_or_else(|| pg.record.url.clone(), mask_all),
                f.text.as_str(),
                false,
            ))
        } else {
            let ours = site.is_in_scope(&pg.record.url) || linked.contains(pg.record.url.as_str());
            let text = pg.attachment_text.as_deref().filter(|_| ours)?;
            Some((pg, format!("附件 {}", pg.record.url), text, true))
        }
    });
    for (pg, title, text, is_attachment) in texts {
        if is_attachment {
            attachments += 1;
        } else {
            pages += 1;
        }
        let hits = find_pii(text, p);
        if hits.is_empty() {
            if scanned.len() < 20
                && let Some(ev) = site.evidence(&pg.record.url, "已检查，未发现个人信息")
                && !scanned.iter().any(|e| e.url == ev.url)
            {
                scanned.push(ev);
            }
            continue;
        }
        let ids: Vec<&PiiHit> = hits.iter().filter(|h| h.kind == PiiKind::ResidentId).collect();
        let mobiles: Vec<&PiiHit> = hits.iter().filter(|h| h.kind == PiiKind::Mobile).collect();
        let mut parts = Vec::new();
        if let Some(h) = ids.first() {
            parts.push(format!("{}个居民身份证号码（如{}）", ids.len(), h.masked));
        }
        if let Some(h) = mobiles.first() {
            parts.push(format!("{}个手机号码（如{}）", mobiles.len(), h.masked));
        }
        let evidence = site.evidence(&pg.record.url, &excerpt(text, &hits[0].range)).into_iter().collect();
        findings.push(finding(
            id,
            Status::Fail,
            format!("《{}》公开了{}，涉嫌泄露个人隐私，请立即处理", title, parts.join("、")),
            evidence,
        ));
    }
    // Attachments of the unit whose text could not be read: a person must look at them.
    let unread: Vec<&crate::site::SitePage> = site
        .pages
        .iter()
        .filter(|pg| pg.attachment_text.is_none() && pg.attachment_note.is_some())
        .filter(|pg| site.is_in_scope(&pg.record.url) || linked.contains(pg.record.url.as_str()))
        .collect();
    if !unread.is_empty() {
        let evidence = unread
            .iter()
            .take(20)
            .filter_map(|pg| {
                let note = pg.attachment_note.as_ref().map(|n| n.label_zh()).unwrap_or_default();
                site.evidence(&pg.record.url, &note)
            })
            .collect();
        findings.push(finding(
            id,
            Status::Manual,
            format!(
                "{}个附件无法读取文字（扫描件、加密或暂不支持的格式），请人工查看是否含有个人信息",
                unread.len()
            ),
            evidence,
        ));
    }
    if findings.iter().all(|f| f.status != Status::Fail) {
        findings.insert(
            0,
            finding(
                id,
                Status::Pass,
                format!("已检查{pages}个页面和{attachments}个附件的文字，未发现居民身份证号码或手机号码"),
                scanned,
            ),
        );
        return Verdict::scored(1.0, findings);
    }
    Verdict::scored(0.0, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, facts_doc};

    // A syntactically valid test ID (check digit computed by GB 11643).
    const ID: &str = "11010519491231002X";

    fn p() -> Params {
        Params { ids: true, mobiles: true, contact_words: default_contact_words() }
    }

    #[test]
    fn resident_id_validation() {
        let cases = [
            (ID, true),
            ("11010519491231002x", true),
            ("110105194912310021", false), // wrong check digit
            ("110105194913310028", false), // month 13
            ("91340100MA2N0XXX1X", false), // credit code
            ("1101051949123100", false),   // too short
        ];
        for (s, want) in cases {
            assert_eq!(is_resident_id(s), want, "{s}");
        }
    }

    #[test]
    fn finding_table() {
        let cases: [(&str, Vec<PiiKind>); 10] = [
            ("低保对象：张三，身份证号11010519491231002X。", vec![PiiKind::ResidentId]),
            ("身份证号110105**********2X，已脱敏", vec![]),
            ("统一社会信用代码：91340100MA2N0XXX1X", vec![]),
            ("索引号：11340111MB1234567X/202110-00012", vec![]),
            ("户主手机13812345678", vec![PiiKind::Mobile]),
            ("Tel13812345678", vec![PiiKind::Mobile]),
            ("联系人：王喆 13812345678", vec![]),
            ("联系电话：13812345678", vec![]),
            ("编号2013812345678901", vec![]),
            ("号码123456789012345678", vec![]),
        ];
        for (text, want) in cases {
            let got: Vec<PiiKind> = find_pii(text, &p()).into_iter().map(|h| h.kind).collect();
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn mask_pii_keeps_urls_and_dates() {
        let t = format!("见 http://a.cn/t20250120_1445.html 2025-01-20 {ID} 联系电话13812345678");
        let m = mask_pii(&t);
        assert_eq!(m, "见 http://a.cn/t20250120_1445.html 2025-01-20 110105********002X 联系电话138****5678");
    }

    #[test]
    fn masking_never_repeats_the_number() {
        assert_eq!(mask(ID, Some(PiiKind::ResidentId)), "110105********002X");
        assert_eq!(mask("13812345678", Some(PiiKind::Mobile)), "138****5678");
        let e = mask_all("张三 11010519491231002X 李四 13812345678 其他 1234567890123");
        assert!(!e.contains(ID) && !e.contains("13812345678") && !e.contains("1234567890123"), "{e}");
    }

    #[test]
    fn leak_fails_with_masked_message_and_excerpt() {
        let root = "http://gov.test/xxgk/";
        let doc = "http://gov.test/xxgk/gs.html";
        let s = SiteBuilder::new(root)
            .page(root, facts_doc(root, "首页", "欢迎"))
            .page(doc, facts_doc(doc, "低保公示", &format!("张三 {ID} 户主手机 13912345678")))
            .attachment_text("http://gov.test/xxgk/名单.csv", &format!("姓名,身份证\n李四,{ID}\n"))
            .build();
        let v = run("pii", &p(), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.findings.len(), 2, "{v:?}");
        let shown = format!("{v:?}");
        assert!(!shown.contains(ID) && !shown.contains("13912345678"), "{shown}");
        assert!(v.findings[0].message.contains("110105********002X"), "{}", v.findings[0].message);
        assert!(v.findings[0].evidence[0].excerpt.contains("139****5678"));
    }

    #[test]
    fn another_units_attachment_is_not_scanned() {
        let root = "http://gov.test/xxgk/";
        let s = SiteBuilder::new(root)
            .page(root, facts_doc(root, "首页", "欢迎"))
            .attachment_text("http://gov.test/other/名单.csv", &format!("李四,{ID}\n"))
            .build();
        let v = run("pii", &p(), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.status, Status::Pass, "{v:?}");
    }

    #[test]
    fn clean_site_passes_with_scanned_pages_as_evidence() {
        let root = "http://gov.test/xxgk/";
        let s = SiteBuilder::new(root).page(root, facts_doc(root, "首页", "联系电话：13812345678")).build();
        let v = run("pii", &p(), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.status, Status::Pass);
        assert_eq!(v.findings[0].evidence[0].url, root);
    }
}

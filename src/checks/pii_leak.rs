//! `pii-leak`: no personal number and no secrecy marking is exposed in the unit's pages or attachments.
//!
//! **What it checks.** The visible text of every in-scope page, and the text of every attachment of the
//! unit that could be read (txt, csv, pdf, docx, xlsx …), is cut into digit groups. A group, or up to six
//! groups separated only by spaces, line breaks, table-cell breaks or a hyphen (`3401 1119 8506 1234 11`,
//! `139-6501-2345`, an ID wrapped across two lines of a PDF or split over two cells), is
//! - a resident ID (居民身份证号码) when it has 17 digits and a check character, a valid birth date and a
//!   valid GB 11643 check character;
//! - a mobile number when it has 11 digits `1[3-9]…`, unless the few characters before it announce a
//!   published contact line (联系电话, 咨询电话, 监督电话 …);
//! - a bank card number when it has 16 to 19 digits, passes the Luhn check and starts with a card prefix
//!   (BIN); outside the UnionPay range (62…) a card word (银行卡, 卡号, 账号, 一卡通 …) must precede it.
//!
//! A 统一社会信用代码, 纳税人识别号 or 项目编号 announced as such, and a 索引号 (`…/2024-00043`), is not a
//! personal number; masked forms (`3401**********1234`, `139****5678`) have their digits broken by `*` and
//! never match. With `markings`, the same texts are searched for secrecy markings (密级：秘密,
//! `机密★1年`, 内部资料 注意保存, 此件不公开): patterns in the YAML, so that the word 秘密 in running
//! text (保密审查, 涉密信息) is not a marking. Every message and excerpt shows numbers masked
//! (340104********0012, 138****5678, 6222**********0128).
//!
//! **Why.** 《个人信息保护法》, 《政府信息公开条例》第十五条 (personal privacy is not disclosed) and 《保守国家
//! 秘密法》(no 涉密 or 内部 document on a public site); rubric item common-17. 公示 name lists (低保, 补贴
//! 一卡通) in pages and xls/pdf attachments are the usual leak.
//!
//! **Passes.** A 低保 公示 listing 张*，340104********0012.
//!
//! **Fails.** The same list with the full 18-digit number; a page headed 秘密★1年.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::findings::{Evidence, Status};
use crate::site::{SitePage, UnitSite};

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
    /// Look for bank card numbers.
    #[serde(default = "yes")]
    pub bank_cards: bool,
    /// Words before a mobile number that make it a deliberately published contact line.
    #[serde(default = "default_contact_words")]
    pub contact_words: Vec<String>,
    /// Labels before an 18-digit or card-length number that make it a code, not a personal number
    /// (统一社会信用代码, 索引号, 项目编号 …); a label naming an ID after them (身份证) wins.
    #[serde(default = "default_code_labels")]
    pub code_labels: Vec<String>,
    /// Prefixes (BIN ranges) of bank card numbers.
    #[serde(default = "default_card_prefixes")]
    pub card_prefixes: Vec<String>,
    /// Prefixes that make a Luhn-valid number a card number with no card word before it (62: UnionPay).
    #[serde(default = "default_card_prefixes_alone")]
    pub card_prefixes_alone: Vec<String>,
    /// Words one of which must precede a card number whose prefix is not in `card_prefixes_alone`.
    #[serde(default = "default_card_words")]
    pub card_words: Vec<String>,
    /// Secrecy markings to look for: a name and a regular expression.
    #[serde(default)]
    pub markings: Vec<Marking>,
}

/// A secrecy marking: its name for messages and the pattern that finds it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marking {
    /// The marking's name (密级标志).
    pub name: String,
    /// A regular expression (Rust `regex` syntax) matching the marking as printed.
    pub pattern: String,
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !self.ids && !self.mobiles && !self.bank_cards && self.markings.is_empty() {
            return Err(
                "nothing to look for: set `ids`, `mobiles` or `bank_cards`, or give `markings`".into()
            );
        }
        for p in self.card_prefixes.iter().chain(&self.card_prefixes_alone) {
            if p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("card prefix `{p}` must be 1 to 6 digits"));
            }
        }
        for m in &self.markings {
            compile_marking(m)?;
        }
        Ok(())
    }

    /// Everything on and no exception: what the engine masks every message with.
    fn masking() -> Params {
        Params {
            ids: true,
            mobiles: true,
            bank_cards: true,
            contact_words: Vec::new(),
            code_labels: Vec::new(),
            card_prefixes: default_card_prefixes(),
            card_prefixes_alone: default_card_prefixes(),
            card_words: Vec::new(),
            markings: Vec::new(),
        }
    }
}

fn compile_marking(m: &Marking) -> Result<Regex, String> {
    if m.name.trim().is_empty() {
        return Err("a marking needs a `name`".into());
    }
    regex::RegexBuilder::new(&m.pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("marking `{}`: invalid pattern: {e}", m.name))
}

fn yes() -> bool {
    true
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| s.to_string()).collect()
}

fn default_contact_words() -> Vec<String> {
    strings(&[
        "联系电话",
        "咨询电话",
        "监督电话",
        "举报电话",
        "投诉电话",
        "值班电话",
        "服务电话",
        "热线",
        "联系人",
    ])
}

fn default_code_labels() -> Vec<String> {
    strings(&[
        "信用代码",
        "组织机构代码",
        "纳税人识别号",
        "税号",
        "注册号",
        "索引号",
        "项目编号",
        "合同编号",
        "流水号",
        "订单号",
        "登记编号",
        "证书编号",
    ])
}

fn default_card_prefixes() -> Vec<String> {
    strings(&["62", "4", "5", "35", "37", "60", "9558", "9559", "95599"])
}

fn default_card_prefixes_alone() -> Vec<String> {
    strings(&["62"])
}

fn default_card_words() -> Vec<String> {
    strings(&["银行卡", "卡号", "账号", "帐号", "账户", "帐户", "开户", "一卡通", "社保卡", "存折", "折号"])
}

/// Words that name a resident ID: after a code label, they make the number an ID again.
const ID_LABELS: &[&str] = &["身份证", "证件号", "身份号码"];

/// What kind of personal number was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiiKind {
    /// 居民身份证号码.
    ResidentId,
    /// 手机号码.
    Mobile,
    /// 银行卡号.
    BankCard,
}

impl PiiKind {
    fn label_zh(self) -> &'static str {
        match self {
            PiiKind::ResidentId => "居民身份证号码",
            PiiKind::Mobile => "手机号码",
            PiiKind::BankCard => "银行卡号",
        }
    }

    /// Characters kept visible at the start and at the end of a masked number.
    fn kept(self) -> (usize, usize) {
        match self {
            PiiKind::ResidentId => (6, 4),
            PiiKind::Mobile => (3, 4),
            PiiKind::BankCard => (4, 4),
        }
    }
}

/// One personal number found in a text: kind, byte range (separators inside it included), and its
/// masked form (digits only).
#[derive(Debug, Clone, PartialEq)]
pub struct PiiHit {
    /// The kind.
    pub kind: PiiKind,
    /// Byte range in the text, from the first digit to the last character of the number.
    pub range: std::ops::Range<usize>,
    /// The number masked for display, without its separators.
    pub masked: String,
}

/// The digit groups of a text (`[0-9]+[Xx]?`, leftmost and longest), scanned byte by byte: a text has
/// hundreds of them (dates, figures), and a regex search per group costs several times more.
fn digit_groups(text: &str) -> Vec<Group> {
    let b = text.as_bytes();
    let mut groups = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i < b.len() && matches!(b[i], b'X' | b'x') {
            i += 1;
        }
        groups.push(Group { start, end: i });
    }
    groups
}

/// What follows the code part of a 索引号 (`113401110030123456/2024-00043`).
static INDEX_NO_TAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[/／][0-9]{4,6}[-－_][0-9]").expect("static regex"));
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

/// Whether a digit string passes the Luhn check (ISO/IEC 7812).
pub fn luhn(s: &str) -> bool {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = s
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Masks a number: IDs keep 6 + 4 characters, mobiles 3 + 4, cards 4 + 4, anything else its ends.
pub fn mask(s: &str, kind: Option<PiiKind>) -> String {
    let n = s.chars().count();
    let (head, tail) = match kind {
        Some(k) => k.kept(),
        None => (n.min(14) / 4, n.min(14) / 4),
    };
    let (head, tail) = if head + tail >= n { (0, 0) } else { (head, tail) };
    let chars: Vec<char> = s.chars().collect();
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// Masks every long digit run of a text, and every personal number split by separators, so that
/// excerpts never repeat a number.
pub fn mask_all(text: &str) -> String {
    let text = mask_pii(text);
    LONG_DIGITS
        .replace_all(&text, |c: &regex::Captures<'_>| {
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

/// Masks every personal number of a text (contact lines and labelled codes included), keeping the
/// separators inside a split number: the engine passes every message and excerpt through it, so no
/// output repeats a number in full.
pub fn mask_pii(text: &str) -> String {
    let hits = find_pii(text, &Params::masking());
    if hits.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for h in hits {
        out.push_str(&text[at..h.range.start]);
        out.push_str(&mask_in_place(&text[h.range.clone()], h.kind));
        at = h.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Masks the digits of a (possibly split) number, keeping its separators.
fn mask_in_place(s: &str, kind: PiiKind) -> String {
    let n = s.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    let (head, tail) = kind.kept();
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if !c.is_ascii_alphanumeric() {
                return c;
            }
            seen += 1;
            if seen <= head || seen > n - tail { c } else { '*' }
        })
        .collect()
}

/// A digit group of a text: a maximal run of digits, with an ID's trailing X.
struct Group {
    start: usize,
    end: usize,
}

/// Characters that may separate the parts of one number (spaces, line and cell breaks, a hyphen).
fn joinable(sep: &str) -> bool {
    let n = sep.chars().count();
    n > 0
        && n <= 3
        && sep.chars().filter(|c| *c == '-').count() <= 1
        && sep.chars().all(|c| c == '-' || c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}')
}

/// Characters before `at` (at most `n`).
fn before(text: &str, at: usize, n: usize) -> &str {
    let start = text[..at].char_indices().rev().nth(n.saturating_sub(1)).map_or(0, |(i, _)| i);
    &text[start..at]
}

fn is_mask_char(c: Option<char>) -> bool {
    matches!(c, Some('*' | '＊' | '×' | '●' | '○'))
}

/// Whether the number starting at `start` is announced as a code (统一社会信用代码, 索引号 …): a code
/// label in the 20 characters before it, with no ID label after that label.
fn labelled_code(text: &str, start: usize, p: &Params) -> bool {
    let window = before(text, start, 20);
    let Some(code_at) =
        p.code_labels.iter().filter(|l| !l.is_empty()).filter_map(|l| window.rfind(l.as_str())).max()
    else {
        return false;
    };
    !ID_LABELS.iter().any(|l| window[code_at..].contains(l))
}

/// The kind of the digits `s` (separators removed), if it is a personal number of an enabled kind.
fn classify(
    s: &str,
    groups: &[&str],
    seps: &[&str],
    text: &str,
    start: usize,
    p: &Params,
) -> Option<PiiKind> {
    let joined = groups.len() > 1;
    let line_break = seps.iter().any(|s| s.contains('\n') || s.contains('\t'));
    // Cells of a table of figures sit on separate lines: across lines, only a number wrapped once
    // after a long first part (a PDF line end) is joined for mobiles and cards.
    let wrapped = groups.len() == 2 && groups[0].len() >= 6;
    let one_line = !line_break;
    if p.ids && s.len() == 18 && is_resident_id(s) && !labelled_code(text, start, p) {
        return Some(PiiKind::ResidentId);
    }
    let digits = s.bytes().all(|b| b.is_ascii_digit());
    if p.bank_cards
        && digits
        && (16..=19).contains(&s.len())
        && luhn(s)
        && (!joined
            || wrapped
            || (one_line && groups[..groups.len() - 1].iter().all(|g| g.len() == 4 || g.len() == 6)))
        && !labelled_code(text, start, p)
    {
        let prefixed = |list: &[String]| list.iter().any(|x| s.starts_with(x.as_str()));
        let worded = || {
            let window = before(text, start, 24);
            p.card_words.iter().any(|w| !w.is_empty() && window.contains(w.as_str()))
        };
        if prefixed(&p.card_prefixes) && (prefixed(&p.card_prefixes_alone) || worded()) {
            return Some(PiiKind::BankCard);
        }
    }
    if p.mobiles
        && digits
        && s.len() == 11
        && s.starts_with('1')
        && (b'3'..=b'9').contains(&s.as_bytes()[1])
        && (!joined || wrapped || (one_line && groups[0].len() >= 3))
    {
        let window = before(text, start, 12);
        if !p.contact_words.iter().any(|w| !w.is_empty() && window.contains(w.as_str())) {
            return Some(PiiKind::Mobile);
        }
    }
    None
}

/// Finds resident IDs, mobile numbers (unless announced as contact lines) and bank card numbers in a
/// text, whole or split by spaces, line breaks, cell breaks or a hyphen.
pub fn find_pii(text: &str, p: &Params) -> Vec<PiiHit> {
    let groups = digit_groups(text);
    let letter = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
    let mut hits = Vec::new();
    let mut parts: Vec<&str> = Vec::new();
    let mut seps: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let g = &groups[i];
        let prev = text[..g.start].chars().next_back();
        if is_mask_char(prev) {
            i += 1;
            continue;
        }
        // Up to six groups, each joined to the previous by a separator, at most 19 characters.
        let mut best: Option<(usize, PiiKind)> = None;
        parts.clear();
        seps.clear();
        let mut len = 0;
        for (j, h) in groups.iter().enumerate().skip(i).take(6) {
            if j > i {
                let sep = &text[groups[j - 1].end..h.start];
                if !joinable(sep) || parts.last().is_some_and(|p| p.ends_with(['X', 'x'])) {
                    break;
                }
                seps.push(sep);
            }
            let part = &text[h.start..h.end];
            len += part.len();
            if len > 19 {
                break;
            }
            parts.push(part);
            // Only 11 (a mobile), 16 to 19 (a card) and 18 (an ID) characters can be a personal number.
            if len != 11 && !(16..=19).contains(&len) {
                continue;
            }
            let next = text[h.end..].chars().next();
            let tail = &text[h.end..];
            if is_mask_char(next)
                || letter(next)
                || (tail.starts_with(['/', '／']) && INDEX_NO_TAIL.is_match(tail))
            {
                continue;
            }
            let s: String = parts.concat();
            let glued_left = letter(prev);
            let kind = classify(&s, &parts, &seps, text, g.start, p)
                .filter(|k| !glued_left || (*k == PiiKind::Mobile && j == i));
            if let Some(k) = kind
                && best.is_none_or(|(bj, _)| j > bj)
            {
                best = Some((j, k));
            }
        }
        match best {
            Some((j, kind)) => {
                let range = g.start..groups[j].end;
                let digits: String =
                    text[range.clone()].chars().filter(char::is_ascii_alphanumeric).collect();
                hits.push(PiiHit { kind, range, masked: mask(&digits, Some(kind)) });
                i = j + 1;
            }
            None => i += 1,
        }
    }
    hits
}

/// A secrecy marking found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkingHit {
    /// The marking's name.
    pub name: String,
    /// Byte range of the marking as printed.
    pub range: std::ops::Range<usize>,
}

/// Finds the secrecy markings of `markings` in a text.
pub fn find_markings(text: &str, markings: &[(String, Regex)]) -> Vec<MarkingHit> {
    let mut hits: Vec<MarkingHit> = markings
        .iter()
        .flat_map(|(name, re)| {
            re.find_iter(text).map(|m| MarkingHit { name: name.clone(), range: m.range() })
        })
        .collect();
    hits.sort_by_key(|h| h.range.start);
    hits
}

/// A masked excerpt around a range of a text.
fn excerpt(text: &str, range: &std::ops::Range<usize>) -> String {
    let start = text[..range.start].char_indices().rev().nth(19).map_or(0, |(i, _)| i);
    let end = text[range.end..].char_indices().nth(20).map_or(text.len(), |(i, _)| range.end + i);
    // Masked before cleaning: cleaning joins the lines a split number spans.
    crate::extract::clean_text(&mask_all(&text[start..end]))
}

/// A text of the unit the checks scan: a page's visible text or an attachment's text.
pub(crate) struct UnitText<'s> {
    /// The stored response.
    pub page: &'s SitePage,
    /// How messages name it (a page's masked title, or 附件 and its URL).
    pub name: String,
    /// The text.
    pub text: &'s str,
    /// Whether it is an attachment.
    pub attachment: bool,
}

/// The attachments that belong to the unit: in its scope or linked from one of its pages.
fn linked_urls(site: &UnitSite) -> foldhash::HashSet<&str> {
    site.html_pages().flat_map(|(_, f)| f.links.iter().map(|l| l.url.as_str())).collect()
}

/// Every text of the unit: in-scope pages that were read, and the unit's attachments whose text was read
/// (`linked`: [`linked_urls`]).
fn unit_texts<'s>(site: &'s UnitSite, linked: &foldhash::HashSet<&str>) -> Vec<UnitText<'s>> {
    site.pages
        .iter()
        .filter_map(|pg| {
            if let Some(f) = pg.facts.as_ref().filter(|_| site.is_in_scope(&pg.record.url)) {
                let name = f.title.as_deref().map_or_else(|| pg.record.url.clone(), mask_all);
                Some(UnitText {
                    page: pg,
                    name: format!("《{name}》"),
                    text: f.text.as_str(),
                    attachment: false,
                })
            } else {
                let ours = site.is_in_scope(&pg.record.url) || linked.contains(pg.record.url.as_str());
                let text = pg.attachment_text.as_deref().filter(|_| ours)?;
                Some(UnitText {
                    page: pg,
                    name: format!("附件（{}）", pg.record.url),
                    text,
                    attachment: true,
                })
            }
        })
        .collect()
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let markings: Vec<(String, Regex)> =
        p.markings.iter().filter_map(|m| compile_marking(m).ok().map(|re| (m.name.clone(), re))).collect();
    let numbers = p.ids || p.mobiles || p.bank_cards;
    let mut findings = Vec::new();
    let mut scanned: Vec<Evidence> = site.root_evidence("专栏首页（已检查）");
    let (mut pages, mut attachments) = (0usize, 0usize);
    // The unit's links, to tell its attachments: read once for the texts and for the unread files below.
    let linked = linked_urls(site);
    for t in unit_texts(site, &linked) {
        if t.attachment {
            attachments += 1;
        } else {
            pages += 1;
        }
        let hits = if numbers { find_pii(t.text, p) } else { Vec::new() };
        let marks = find_markings(t.text, &markings);
        if hits.is_empty() && marks.is_empty() {
            if scanned.len() < 20
                && let Some(ev) = site.evidence(&t.page.record.url, "已检查，未发现")
                && !scanned.iter().any(|e| e.url == ev.url)
            {
                scanned.push(ev);
            }
            continue;
        }
        if !hits.is_empty() {
            let parts: Vec<String> = [PiiKind::ResidentId, PiiKind::Mobile, PiiKind::BankCard]
                .into_iter()
                .filter_map(|k| {
                    let of: Vec<&PiiHit> = hits.iter().filter(|h| h.kind == k).collect();
                    of.first().map(|h| format!("{}个{}（如{}）", of.len(), k.label_zh(), h.masked))
                })
                .collect();
            let evidence =
                site.evidence(&t.page.record.url, &excerpt(t.text, &hits[0].range)).into_iter().collect();
            findings.push(finding(
                id,
                Status::Fail,
                format!("{}公开了{}，涉嫌泄露个人隐私，请立即处理", t.name, parts.join("、")),
                evidence,
            ));
        }
        if let Some(m) = marks.first() {
            let shown = crate::extract::clean_text(&t.text[m.range.clone()]);
            let evidence =
                site.evidence(&t.page.record.url, &excerpt(t.text, &m.range)).into_iter().collect();
            findings.push(finding(
                id,
                Status::Fail,
                format!(
                    "{}标有{}“{}”，涉密或内部资料不得在互联网公开，请立即核查并撤下",
                    t.name,
                    m.name,
                    mask_all(&shown)
                ),
                evidence,
            ));
        }
    }
    // Attachments of the unit whose text could not be read: a person must look at them.
    let unread: Vec<&SitePage> = site
        .pages
        .iter()
        .filter(|pg| pg.attachment_text.is_none() && pg.attachment_note.is_some())
        .filter(|pg| site.is_in_scope(&pg.record.url) || linked.contains(pg.record.url.as_str()))
        .collect();
    let sought = what_is_sought(p);
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
                "{}个附件无法读取文字（扫描件、加密或暂不支持的格式），本工具无法检查其内容，请人工打开查看是否含有{sought}",
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
                format!("已检查{pages}个页面和{attachments}个附件的文字，未发现{sought}"),
                scanned,
            ),
        );
        return Verdict::scored(1.0, findings);
    }
    Verdict::scored(0.0, findings)
}

/// What the check looks for, in Chinese.
fn what_is_sought(p: &Params) -> String {
    let mut parts = Vec::new();
    if p.ids {
        parts.push("居民身份证号码");
    }
    if p.mobiles {
        parts.push("手机号码");
    }
    if p.bank_cards {
        parts.push("银行卡号");
    }
    let mut s = parts.join("、");
    if !p.markings.is_empty() {
        if !s.is_empty() {
            s.push('或');
        }
        s.push_str("密级、内部资料等标志");
    }
    s
}

#[cfg(test)]
#[path = "pii_leak_tests.rs"]
mod tests;

//! `consultations`: 意见征集 entries, their windows, and a 意见采纳情况 / 反馈 for each closed one.
//!
//! **What it checks.** A consultation is a document of the unit whose title has a consultation word
//! (征求意见, 意见征集 …) and no feedback word. Its window is read from its page ("征求意见时间：2024年10月15日
//! 至2024年10月29日", or a deadline alone, counted from the publication date) and must last at least
//! `min_working_days` working days (both ends included, official calendar), or `major.min_days`
//! calendar days when the title has a `major.words` word (规划, 重大 …). A consultation whose window has
//! closed before `--as-of` needs a feedback document (a title with 采纳情况, 意见反馈 …) that links to
//! it or names the same 《document》. Each consultation earns half for its window and half for its
//! feedback (a part that cannot be judged is left out); the check's credit is the mean. No consultation
//! at all is a fail: the rubric asks that decisions be put to the public.
//!
//! **Why.** Rubric item common-24 (决策公开: 公开征求公众意见); 国办发〔2018〕37号 (规范性文件: 征求意见
//! 一般不少于7个工作日) and 《重大行政决策程序暂行条例》(国务院令第713号) 第十五条 (一般不少于30日), as
//! recalled, unverified: both limits are parameters. 国办发〔2016〕80号 asks for 意见采纳情况 to be published.
//!
//! **Passes.** “关于《…办法（征求意见稿）》公开征求意见的公告”, 10 working days, and
//! “关于《…办法（征求意见稿）》意见采纳情况的反馈” linking it.
//!
//! **Fails.** No consultation; (partial) a closed consultation without feedback, or a four-day window.

use std::sync::LazyLock;

use chrono::{Duration, NaiveDate};
use regex::Regex;
use serde::Deserialize;

use super::doc_match::{doc_date, doc_text, same_book, unit_docs};
use super::{Context, Verdict, finding};
use crate::calendar::Calendar;
use crate::extract::dates::{normalize_digits, parse_date};
use crate::findings::{Evidence, Finding, Status};
use crate::site::{TitledDoc, UnitSite};

/// A longer window for major decisions.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Major {
    /// Title words that make a consultation a major decision (规划, 重大).
    pub words: Vec<String>,
    /// Least calendar days of its window, both ends included.
    pub min_days: i64,
}

/// Parameters of `consultations`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Title words of a consultation.
    #[serde(default = "default_consultation_words")]
    pub consultation_words: Vec<String>,
    /// Title words of a feedback document.
    #[serde(default = "default_feedback_words")]
    pub feedback_words: Vec<String>,
    /// Least working days of a window, both ends included.
    #[serde(default = "default_min_working_days")]
    pub min_working_days: u32,
    /// Major decisions and their longer window.
    #[serde(default)]
    pub major: Option<Major>,
    /// Days after publication a consultation without a readable window is taken to be closed.
    #[serde(default = "default_assumed_days")]
    pub assumed_window_days: i64,
}

fn default_consultation_words() -> Vec<String> {
    ["征求意见", "意见征集", "征集意见", "公开征求", "征求社会意见", "听证"].map(String::from).to_vec()
}

fn default_feedback_words() -> Vec<String> {
    ["采纳情况", "意见反馈", "反馈情况", "意见采纳", "采纳意见", "意见的反馈", "征求意见情况"]
        .map(String::from)
        .to_vec()
}

fn default_min_working_days() -> u32 {
    7
}

fn default_assumed_days() -> i64 {
    30
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.consultation_words.iter().all(|w| w.trim().is_empty()) {
            return Err("`consultation_words` must not be empty".into());
        }
        if self.feedback_words.iter().all(|w| w.trim().is_empty()) {
            return Err("`feedback_words` must not be empty".into());
        }
        if self.min_working_days == 0 || self.assumed_window_days <= 0 {
            return Err("`min_working_days` and `assumed_window_days` must be positive".into());
        }
        if let Some(m) = &self.major
            && (m.min_days <= 0 || m.words.is_empty())
        {
            return Err("`major` needs `words` and a positive `min_days`".into());
        }
        Ok(())
    }
}

/// A consultation window as the page states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First day (the publication date when the page gives only a deadline).
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

static DATE: &str =
    r"((?:19|20)\d{2}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?|\d{1,2}\s*月\s*\d{1,2}\s*日)";
static RANGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"{DATE}\s*(?:[（(][^）)]{{0,6}}[）)])?\s*(?:起)?\s*(?:至|到|—|-|－|~|～)\s*{DATE}"))
        .expect("static regex")
});
static DEADLINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:截止|截至|截止日期|截止时间)[^0-9]{{0,8}}{DATE}|{DATE}[^0-9]{{0,4}}(?:前|截止)"))
        .expect("static regex")
});
/// Words that introduce the window; the window is looked for after the first of them.
const WINDOW_WORDS: &[&str] = &[
    "征求意见时间",
    "征求意见期限",
    "征求意见期",
    "征集时间",
    "意见征集时间",
    "反馈时间",
    "征求意见截止",
    "公示期",
];

fn date_in(s: &str, year: Option<i32>) -> Option<NaiveDate> {
    parse_date(s).or_else(|| {
        let y = year?;
        parse_date(&format!("{y}年{}", s.trim()))
    })
}

/// The window a consultation page states, if any. `published` stands in for a missing start.
pub fn window(text: &str, published: Option<NaiveDate>) -> Option<Window> {
    let text = normalize_digits(text);
    let from = WINDOW_WORDS.iter().filter_map(|w| text.find(w)).min().unwrap_or(0);
    let scope = &text[from..];
    if let Some(c) = RANGE_RE.captures(scope) {
        let start = date_in(&c[1], published.map(|p| chrono::Datelike::year(&p)))?;
        let end = date_in(&c[2], Some(chrono::Datelike::year(&start)))?;
        if end >= start {
            return Some(Window { start, end });
        }
    }
    let c = DEADLINE_RE.captures(scope)?;
    let raw = c.get(1).or_else(|| c.get(2))?.as_str();
    let start = published?;
    let end = date_in(raw, Some(chrono::Datelike::year(&start)))?;
    (end >= start).then_some(Window { start, end })
}

fn has_any(s: &str, words: &[String]) -> bool {
    words.iter().any(|w| !w.is_empty() && s.contains(w.as_str()))
}

/// The feedback document for a consultation: a feedback title that links to it or names its document.
fn feedback_for<'d>(site: &UnitSite, c: &TitledDoc, feedback: &'d [TitledDoc]) -> Option<&'d TitledDoc> {
    let canon = crate::site::canonical_url(&c.url);
    feedback.iter().find(|f| {
        let links = site
            .page(&f.url)
            .and_then(|p| p.facts.as_ref())
            .is_some_and(|fa| fa.links.iter().any(|l| crate::site::canonical_url(&l.url) == canon));
        links || same_book(&f.title, &c.title)
    })
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let docs = unit_docs(site);
    let (feedback, consultations): (Vec<TitledDoc>, Vec<TitledDoc>) = docs
        .into_iter()
        .filter(|d| has_any(&d.title, &p.consultation_words) || has_any(&d.title, &p.feedback_words))
        .partition(|d| has_any(&d.title, &p.feedback_words));
    if consultations.is_empty() {
        let ev = site.root_evidence("在专栏中查找公开征求意见的公告");
        let msg = if feedback.is_empty() {
            "未发现公开征求意见（意见征集）的公告，也未发现意见采纳情况反馈".to_string()
        } else {
            format!("未发现公开征求意见的公告（仅见反馈《{}》）", feedback[0].title)
        };
        return Verdict::scored(0.0, vec![finding(id, Status::Fail, msg, ev)]);
    }
    let calendar = Calendar::official();
    let mut findings: Vec<Finding> = Vec::new();
    let mut credits: Vec<f64> = Vec::new();
    for c in &consultations {
        let published = doc_date(site, c);
        let text = doc_text(site, &c.url).unwrap_or("");
        let win = window(text, published);
        let mut ev: Vec<Evidence> = site.doc_evidence(c, &c.title);
        let (mut earned, mut judged) = (0.0, 0.0);
        let mut notes: Vec<String> = Vec::new();
        let mut failed = false;
        // The window.
        let major = p.major.as_ref().filter(|m| has_any(&c.title, &m.words));
        match win {
            Some(w) => {
                judged += 0.5;
                let (ok, said) = match major {
                    Some(m) => {
                        let days = (w.end - w.start).num_days() + 1;
                        (days >= m.min_days, format!("{days}天（重大决策事项不少于{}天）", m.min_days))
                    }
                    None => match calendar.working_days_between(w.start - Duration::days(1), w.end) {
                        Ok(n) => (
                            n >= p.min_working_days,
                            format!("{n}个工作日（不少于{}个工作日）", p.min_working_days),
                        ),
                        Err(e) => {
                            judged -= 0.5;
                            notes.push(format!("征求意见期{}至{}：{e}，未判定期限", w.start, w.end));
                            (true, String::new())
                        }
                    },
                };
                if !said.is_empty() {
                    if ok {
                        earned += 0.5;
                        notes.push(format!("征求意见期{}至{}，共{said}", w.start, w.end));
                    } else {
                        failed = true;
                        notes.push(format!("征求意见期{}至{}仅{said}，期限过短", w.start, w.end));
                    }
                }
            }
            None => notes.push("页面未写明征求意见起止时间，期限需人工核实".into()),
        }
        // The feedback, once the window has closed.
        let end = win.map(|w| w.end).or_else(|| published.map(|d| d + Duration::days(p.assumed_window_days)));
        let closed = end.is_some_and(|e| e < ctx.as_of);
        match (closed, feedback_for(site, c, &feedback)) {
            (_, Some(f)) => {
                judged += 0.5;
                earned += 0.5;
                notes.push(format!("已公开意见采纳情况《{}》", f.title));
                ev.extend(site.doc_evidence(f, &f.title));
            }
            (true, None) => {
                judged += 0.5;
                failed = true;
                notes.push("征求意见已结束，未找到意见采纳情况反馈".into());
            }
            (false, None) => notes.push("征求意见尚未结束（或结束日期不明），暂不要求反馈".into()),
        }
        let status = if judged == 0.0 {
            Status::Manual
        } else if failed {
            if earned > 0.0 { Status::Partial } else { Status::Fail }
        } else {
            Status::Pass
        };
        if judged > 0.0 {
            credits.push(earned / judged);
        }
        findings.push(finding(id, status, format!("《{}》：{}", c.title, notes.join("；")), ev));
    }
    if credits.is_empty() {
        return Verdict { status: Status::Manual, credit: None, findings };
    }
    let credit = credits.iter().sum::<f64>() / credits.len() as f64;
    Verdict::scored(credit, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};
    use crate::extract::Link;

    #[test]
    fn windows_as_pages_write_them() {
        let pub_ = Some(d("2024-10-15"));
        let cases = [
            ("征求意见时间：2024年10月15日至2024年10月29日。", Some(("2024-10-15", "2024-10-29"))),
            ("征求意见时间为2024年10月15日至10月29日", Some(("2024-10-15", "2024-10-29"))),
            ("征求意见期限：2024-11-12—2024-12-11", Some(("2024-11-12", "2024-12-11"))),
            ("公众可在2024年11月5日前将意见发送至…", Some(("2024-10-15", "2024-11-05"))),
            ("意见反馈截止时间：2024年11月14日", Some(("2024-10-15", "2024-11-14"))),
            ("欢迎提出宝贵意见。", None),
        ];
        for (text, want) in cases {
            let got = window(text, pub_).map(|w| (w.start, w.end));
            assert_eq!(got, want.map(|(a, b)| (d(a), d(b))), "{text}");
        }
    }

    const ROOT: &str = "http://gov.test/xxgk/";
    const COL: &str = "http://gov.test/xxgk/tzgg/";

    fn params() -> Params {
        Params {
            consultation_words: default_consultation_words(),
            feedback_words: default_feedback_words(),
            min_working_days: 7,
            major: Some(Major { words: vec!["规划".into()], min_days: 30 }),
            assumed_window_days: 30,
        }
    }

    fn page(url: &str, title: &str, date: &str, text: &str, links: &[&str]) -> crate::extract::PageFacts {
        let mut f = facts_doc(url, title, text);
        f.publish_date = Some(d(date));
        f.links = links.iter().map(|u| Link { text: "原文".into(), url: (*u).into() }).collect();
        f
    }

    /// (consultation text, feedback present?, as_of) → status and credit.
    #[test]
    fn window_and_feedback_table() {
        const C_URL: &str = "http://gov.test/xxgk/tzgg/1.html";
        let c_url = C_URL;
        let linked: &[&str] = &[C_URL];
        let f_url = "http://gov.test/xxgk/tzgg/2.html";
        let c_title = "关于《某街道公共收益管理办法（征求意见稿）》公开征求意见的公告";
        type Feedback<'a> = Option<(&'a str, &'a [&'a str])>;
        let cases: Vec<(&str, &str, Feedback, &str, Status, f64)> = vec![
            (
                "good",
                "征求意见时间：2024年10月15日至2024年10月29日。",
                Some(("意见采纳情况的反馈", linked)),
                "2025-03-20",
                Status::Pass,
                1.0,
            ),
            (
                "feedback by title only",
                "征求意见时间：2024年10月15日至2024年10月29日。",
                Some(("关于《某街道公共收益管理办法》征求意见采纳情况的说明", &[][..])),
                "2025-03-20",
                Status::Pass,
                1.0,
            ),
            (
                "no feedback",
                "征求意见时间：2024年10月15日至2024年10月29日。",
                None,
                "2025-03-20",
                Status::Partial,
                0.5,
            ),
            (
                "short and no feedback",
                "征求意见时间：2024年10月15日至2024年10月18日。",
                None,
                "2025-03-20",
                Status::Fail,
                0.0,
            ),
            (
                "still open",
                "征求意见时间：2024年10月15日至2024年10月29日。",
                None,
                "2024-10-20",
                Status::Pass,
                1.0,
            ),
            ("no window stated, closed", "欢迎提出意见。", None, "2025-03-20", Status::Fail, 0.0),
        ];
        for (name, text, fb, as_of, want, credit) in cases {
            let mut entries = vec![entry(c_title, c_url, Some("2024-10-15"))];
            let mut b = SiteBuilder::new(ROOT)
                .page(ROOT, facts_nav(ROOT, &[("通知公告", COL)]))
                .page(c_url, page(c_url, c_title, "2024-10-15", text, &[]));
            if let Some((title, links)) = fb {
                let t = if title.starts_with("关于") {
                    title.to_string()
                } else {
                    format!("关于《某街道公共收益管理办法（征求意见稿）》{title}")
                };
                entries.push(entry(&t, f_url, Some("2024-11-04")));
                b = b.page(f_url, page(f_url, &t, "2024-11-04", "收到意见6条，采纳4条。", links));
            }
            let s = b.page(COL, facts_list(COL, entries, &[])).build();
            let v = run("c", &params(), &Context { site: &s, as_of: d(as_of) });
            assert_eq!(v.status, want, "{name}: {v:#?}");
            assert!((v.credit.unwrap() - credit).abs() < 1e-9, "{name}: {v:#?}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
        }
    }

    #[test]
    fn major_decisions_need_thirty_days_and_none_at_all_fails() {
        let url = "http://gov.test/xxgk/tzgg/3.html";
        let title = "关于《某区生态环境保护规划（征求意见稿）》公开征求意见的公告";
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("通知公告", COL)]))
            .page(COL, facts_list(COL, vec![entry(title, url, Some("2024-11-12"))], &[]))
            .page(url, page(url, title, "2024-11-12", "征求意见时间：2024年11月12日至2024年11月26日。", &[]))
            .build();
        let v = run("c", &params(), &Context { site: &s, as_of: d("2024-11-20") });
        assert_eq!(v.status, Status::Fail, "15 days for a 规划: {v:#?}");
        assert!(v.findings[0].message.contains("15天") && v.findings[0].message.contains("30天"), "{v:#?}");
        let empty = SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[("通知公告", COL)])).build();
        let v = run("c", &params(), &Context { site: &empty, as_of: d("2024-11-20") });
        assert_eq!((v.status, v.credit), (Status::Fail, Some(0.0)));
        assert!(v.findings[0].message.contains("未发现公开征求意见"));
    }
}

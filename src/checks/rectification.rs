//! `rectification`: the problems earlier runs found are fixed now (整改).
//!
//! **What it checks.** The history database keeps every run's fail and partial findings. For each
//! problem an earlier run found for the unit (within `window_days` of `--as-of`; the latest occurrence
//! of each problem counts), this run's findings of the same check decide: a fail or partial finding on
//! the same page (path and query; the host may change) and about the same subject (a message's text
//! before its first `：`) means the problem is still open; none means it was fixed, provided the page
//! was fetched again in this run, or the problem was about the 专栏 as a whole (its entry page) and the
//! check judged it again. The evidence of a fix is the page now passing, with its hash; a problem on a
//! page this run did not fetch, or whose check could not run, is not claimed either way. Credit is the
//! share of fixed problems. Without any earlier run the check is `manual`, and says so.
//!
//! **Why.** Rubric items street-02 and department-02: 落实区反馈的年度考评与过程监测发现的需要完善事项的
//! 整改完善. The district's monitoring is this tool's nightly runs; a problem they found that is gone
//! now is the rectification the item asks for.
//!
//! **Passes.** Run #1 found a full ID number on `…/gs.html`; this run fetched `…/gs.html` and found none.
//!
//! **Fails.** Run #1 found the 2024 年报 missing; this run still does.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::findings::{CheckResult, Evidence, Finding, Status};
use crate::history::{FindingRun, RunInfo, UnitPast};

/// Parameters of `rectification`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Earlier runs considered: those whose `--as-of` is at most this many days before this run's.
    #[serde(default = "default_window")]
    pub window_days: i64,
    /// Most fixed, and most open, problems listed one by one.
    #[serde(default = "default_listed")]
    pub max_listed: usize,
    /// Checks whose problems concern the past and cannot be undone (a document published late stays
    /// late): not counted as problems to fix.
    #[serde(default)]
    pub past_only_checks: Vec<String>,
    /// 整改时限: a problem still open fewer than this many days after it was first found is within its
    /// deadline and not held against the unit (the night after a run is no time to fix anything).
    #[serde(default = "default_deadline")]
    pub deadline_days: i64,
}

fn default_deadline() -> i64 {
    15
}

fn default_window() -> i64 {
    400
}

fn default_listed() -> usize {
    10
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.window_days <= 0 {
            return Err("`window_days` must be positive".into());
        }
        if self.max_listed == 0 {
            return Err("`max_listed` must be at least 1".into());
        }
        if self.deadline_days < 0 || self.deadline_days > self.window_days {
            return Err("`deadline_days` must be between 0 and `window_days`".into());
        }
        Ok(())
    }
}

/// Without history: nothing to compare, a person must check against the district's list.
pub fn run(id: &str, _p: &Params, ctx: &Context<'_>) -> Verdict {
    Verdict::uncredited(
        id,
        Status::Manual,
        "尚无本单位的历史测评记录，无法比较整改情况：需人工对照区反馈的考评和监测问题清单逐项核对整改",
        ctx.site.root_evidence("专栏首页"),
    )
}

/// The part of a URL that identifies a page across runs: path and query (the host and port may change).
fn page_key(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        },
        Err(_) => url.to_string(),
    }
}

/// What a message is about: its text before the first `：` (a group or column name), when short.
fn subject(message: &str) -> &str {
    match message.split_once('：') {
        Some((head, _)) if head.chars().count() <= 40 => head,
        _ => "",
    }
}

/// A problem's identity across runs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Key {
    check: String,
    page: String,
    subject: String,
}

fn key_of(check: &str, url: Option<&str>, message: &str) -> Key {
    Key {
        check: check.to_string(),
        page: url.map(page_key).unwrap_or_default(),
        subject: subject(message).to_string(),
    }
}

/// With history: compares the earlier runs' problems with this run's results of the other checks.
pub fn run_with(
    id: &str,
    p: &Params,
    ctx: &Context<'_>,
    past: &UnitPast,
    current: &[CheckResult],
) -> Verdict {
    let site = ctx.site;
    let as_of = |r: &RunInfo| chrono::NaiveDate::parse_from_str(&r.as_of, "%Y-%m-%d").ok();
    let runs: HashMap<i64, &RunInfo> = past
        .runs
        .iter()
        .filter(|r| as_of(r).is_some_and(|d| d <= ctx.as_of && (ctx.as_of - d).num_days() <= p.window_days))
        .map(|r| (r.id, r))
        .collect();
    if runs.is_empty() {
        let mut v = run(id, p, ctx);
        if !past.runs.is_empty() {
            v.findings[0].message = format!(
                "历史记录中没有本单位近{}天内的测评，无法比较整改情况：需人工对照区反馈的考评和监测问题清单逐项核对整改",
                p.window_days
            );
        }
        return v;
    }
    // Each earlier problem with the run that first found it (runs are in order).
    let mut problems: BTreeMap<Key, (i64, &FindingRun)> = BTreeMap::new();
    let counted = |f: &FindingRun| f.check != id && !p.past_only_checks.contains(&f.check);
    for (run, f) in past.failures.iter().filter(|(r, f)| runs.contains_key(r) && counted(f)) {
        problems.entry(key_of(&f.check, f.url.as_deref(), &f.message)).or_insert((*run, f));
    }
    let by_check: HashMap<&str, &CheckResult> = current.iter().map(|r| (r.check.as_str(), r)).collect();
    let roots: HashSet<String> = site.unit.roots.iter().map(|r| page_key(r.as_str())).collect();
    let mut fixed: Vec<Finding> = Vec::new();
    let mut open: Vec<Finding> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for (key, (run, f)) in &problems {
        let first = runs.get(run);
        let when = first.map_or_else(String::new, |r| format!("历史测评#{}（测评日期{}）", r.id, r.as_of));
        let age = first.and_then(|r| as_of(r)).map_or(i64::MAX, |d| (ctx.as_of - d).num_days());
        let Some(cur) = by_check.get(key.check.as_str()).filter(|c| c.status != Status::Error) else {
            unknown.push(format!("{}（{when}首次发现；本次该项检查未能完成）", f.message));
            continue;
        };
        let still: Vec<&Finding> = cur
            .findings
            .iter()
            .filter(|g| matches!(g.status, Status::Fail | Status::Partial))
            .filter(|g| key_of(&g.check, g.evidence.first().map(|e| e.url.as_str()), &g.message) == *key)
            .collect();
        if let Some(g) = still.first() {
            if age < p.deadline_days {
                pending.push(format!("{}（{when}首次发现）", f.message));
            } else {
                open.push(finding(
                    id,
                    Status::Fail,
                    format!(
                        "逾期未整改：{}（{when}首次发现，超过整改时限{}天，本次测评仍存在）",
                        f.message, p.deadline_days
                    ),
                    g.evidence.clone(),
                ));
            }
            continue;
        }
        // Fixed only where this run looked again: the page was fetched, or the problem concerned the
        // 专栏 as a whole and the check judged it again.
        let page_now = site.pages.iter().find(|pg| page_key(&pg.record.url) == key.page);
        let evidence: Option<Evidence> = match page_now {
            Some(pg) => {
                let excerpt = match pg.record.status {
                    Some(s) if (200..300).contains(&s) => format!("本次测评该页面已通过“{}”检查", key.check),
                    Some(s) => format!("该页面已撤下（HTTP {s}）"),
                    None => String::new(),
                };
                if excerpt.is_empty() { None } else { site.evidence(&pg.record.url, &excerpt) }
            }
            None if roots.contains(&key.page) || key.page.is_empty() => {
                cur.findings.iter().flat_map(|g| g.evidence.first()).next().cloned()
            }
            None => None,
        };
        match evidence {
            Some(e) => fixed.push(finding(
                id,
                Status::Pass,
                format!("已整改：{}（{when}首次发现，本次复查已不存在）", f.message),
                vec![e],
            )),
            None => unknown.push(format!("{}（{when}首次发现；本次未抓取到该页面，无法确认）", f.message)),
        }
    }
    // Named by the earliest run compared, so that the message stays the same from night to night.
    let earliest = runs.values().min_by_key(|r| r.id);
    let since = earliest.map_or_else(String::new, |r| format!("历史测评#{}（{}）以来", r.id, r.as_of));
    let decided = fixed.len() + open.len();
    let mut findings = Vec::new();
    let credit = if decided == 0 { 1.0 } else { fixed.len() as f64 / decided as f64 };
    if problems.is_empty() {
        findings.push(finding(
            id,
            Status::Pass,
            format!("{since}未发现需要整改的问题"),
            site.root_evidence("专栏首页"),
        ));
        return Verdict::scored(1.0, findings);
    }
    if decided == 0 {
        let (what, list) = if pending.is_empty() {
            ("本次均无法复查（页面未抓取或检查未能完成）".to_string(), &unknown)
        } else {
            (format!("尚在整改时限（{}天）内、未见整改，暂不评判", p.deadline_days), &pending)
        };
        let v = Verdict::uncredited(
            id,
            Status::Manual,
            format!(
                "{since}发现的{}个问题{what}，需人工核对整改情况：{}",
                problems.len(),
                list.iter().take(3).cloned().collect::<Vec<_>>().join("；")
            ),
            site.root_evidence("专栏首页"),
        );
        return v;
    }
    let mut summary =
        format!("{since}发现的{}个问题：已整改{}个，逾期未整改{}个", problems.len(), fixed.len(), open.len());
    if !pending.is_empty() {
        summary.push_str(&format!("，{}个尚在整改时限（{}天）内", pending.len(), p.deadline_days));
    }
    if !unknown.is_empty() {
        summary.push_str(&format!("，另有{}个本次无法复查（{}）", unknown.len(), unknown[0]));
    }
    let status = Status::from_credit(credit);
    let mut evidence: Vec<Evidence> =
        fixed.iter().chain(&open).flat_map(|f| f.evidence.first().cloned()).take(5).collect();
    if evidence.is_empty() {
        evidence = site.root_evidence("专栏首页");
    }
    findings.push(finding(id, status, summary, evidence));
    findings.extend(open.into_iter().take(p.max_listed));
    findings.extend(fixed.into_iter().take(p.max_listed));
    Verdict::scored(credit, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, facts_doc};

    const ROOT: &str = "http://gov.test/xxgk/";
    const GS: &str = "http://gov.test/xxgk/gs.html";

    fn past(failures: Vec<(i64, &str, &str, &str)>) -> UnitPast {
        let run = |id: i64, as_of: &str| RunInfo {
            id,
            generated_at: format!("{as_of}T02:00:00+08:00"),
            as_of: as_of.into(),
            checks_sha256: "x".into(),
            tool_version: "0".into(),
            report_path: None,
        };
        UnitPast {
            runs: vec![run(1, "2025-02-20"), run(2, "2025-03-01")],
            failures: failures
                .into_iter()
                .map(|(r, check, msg, url)| {
                    let f = FindingRun {
                        item_id: "common-17".into(),
                        check: check.into(),
                        status: Status::Fail,
                        message: msg.into(),
                        url: Some(url.replace("gov.test", "gov.test:8080")),
                    };
                    (r, f)
                })
                .collect(),
        }
    }

    fn result(check: &str, findings: Vec<Finding>) -> CheckResult {
        let status =
            if findings.iter().any(|f| f.status == Status::Fail) { Status::Fail } else { Status::Pass };
        CheckResult { check: check.into(), items: vec![], weight: 1.0, status, credit: Some(1.0), findings }
    }

    fn ev(site: &crate::site::UnitSite, url: &str) -> Vec<Evidence> {
        site.evidence(url, "x").into_iter().collect()
    }

    fn p() -> Params {
        Params { window_days: 400, max_listed: 10, past_only_checks: vec!["late".into()], deadline_days: 15 }
    }

    #[test]
    fn fixed_open_and_unknown_problems() {
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_doc(ROOT, "首页", ""))
            .page(GS, facts_doc(GS, "低保公示", "张*，340104********0012"))
            .build();
        let h = past(vec![
            (1, "no-personal-data", "《低保公示》公开了1个居民身份证号码（如340104********0012）", GS),
            (2, "leading-group", "政务公开领导小组（工作机构）：未找到标题含“领导小组”的相关文件", ROOT),
            (2, "annual-work-plan", "政务公开工作总结：2025年度内未找到相关文件", ROOT),
            (2, "links", "失效链接", "http://gov.test/xxgk/gone.html"),
            (1, "rectify", "未整改：旧问题", ROOT),
            (1, "late", "《某文件》成文后47个工作日才公开", GS),
        ]);
        let current = vec![
            result("no-personal-data", vec![finding("no-personal-data", Status::Pass, "未发现", ev(&s, GS))]),
            result(
                "leading-group",
                vec![finding(
                    "leading-group",
                    Status::Pass,
                    "政务公开领导小组（工作机构）：已找到",
                    ev(&s, ROOT),
                )],
            ),
            result(
                "annual-work-plan",
                vec![finding(
                    "annual-work-plan",
                    Status::Fail,
                    "政务公开工作总结：2025年度内未找到相关文件",
                    ev(&s, ROOT),
                )],
            ),
            result("links", vec![]),
        ];
        let v = run_with("rectify", &p(), &Context { site: &s, as_of: d("2025-03-20") }, &h, &current);
        // 2 fixed (the leak page fetched again, the 专栏-wide group), 1 open, 1 unknown (page not fetched);
        // the rectification check's own earlier findings are not problems.
        assert_eq!(v.credit, Some(2.0 / 3.0), "{v:#?}");
        assert_eq!(v.status, Status::Partial);
        let summary = &v.findings[0].message;
        assert!(
            summary.contains(
                "历史测评#1（2025-02-20）以来发现的4个问题：已整改2个，逾期未整改1个，另有1个本次无法复查"
            ),
            "{summary}"
        );
        let fixed_leak =
            v.findings.iter().find(|f| f.status == Status::Pass && f.message.contains("低保公示")).unwrap();
        assert!(
            fixed_leak.message.contains("历史测评#1（测评日期2025-02-20）首次发现"),
            "{}",
            fixed_leak.message
        );
        assert_eq!(fixed_leak.evidence[0].url, GS, "the page now passing, fetched in this run");
        assert!(!fixed_leak.evidence[0].sha256.is_empty());
        let open = v
            .findings
            .iter()
            .find(|f| f.status == Status::Fail && f.message.starts_with("逾期未整改"))
            .unwrap();
        assert!(open.message.contains("政务公开工作总结") && open.message.contains("#2"), "{}", open.message);
    }

    #[test]
    fn every_problem_fixed_is_a_pass() {
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_doc(ROOT, "首页", ""))
            .page(GS, facts_doc(GS, "低保公示", "张*，340104********0012"))
            .build();
        let h = past(vec![(
            1,
            "no-personal-data",
            "《低保公示》公开了1个居民身份证号码（如340104********0012）",
            GS,
        )]);
        let current = vec![result(
            "no-personal-data",
            vec![finding("no-personal-data", Status::Pass, "未发现", ev(&s, GS))],
        )];
        let v = run_with("r", &p(), &Context { site: &s, as_of: d("2025-03-20") }, &h, &current);
        assert_eq!((v.status, v.credit), (Status::Pass, Some(1.0)), "{v:#?}");
        assert!(v.findings[0].message.contains("发现的1个问题：已整改1个，逾期未整改0个"));
    }

    /// A problem still open within its 整改时限 is not held against the unit: with nothing else to judge,
    /// the item waits for a person (and the night after a run does not raise a "new failure").
    #[test]
    fn open_problems_within_the_deadline_are_not_judged() {
        let s = SiteBuilder::new(ROOT).page(ROOT, facts_doc(ROOT, "首页", "")).build();
        let h = past(vec![(2, "annual-work-plan", "政务公开工作总结：未找到相关文件", ROOT)]);
        let current = vec![result(
            "annual-work-plan",
            vec![finding("annual-work-plan", Status::Fail, "政务公开工作总结：未找到相关文件", ev(&s, ROOT))],
        )];
        let v = run_with("r", &p(), &Context { site: &s, as_of: d("2025-03-05") }, &h, &current);
        assert_eq!(v.status, Status::Manual, "{v:#?}");
        assert!(v.findings[0].message.contains("尚在整改时限（15天）内"), "{}", v.findings[0].message);
        let v = run_with("r", &p(), &Context { site: &s, as_of: d("2025-03-20") }, &h, &current);
        assert_eq!(v.status, Status::Fail, "19 days after: overdue");
        assert!(v.findings.iter().any(|f| f.message.starts_with("逾期未整改：政务公开工作总结")));
    }

    #[test]
    fn no_history_is_manual_and_no_problems_is_a_pass() {
        let s = SiteBuilder::new(ROOT).page(ROOT, facts_doc(ROOT, "首页", "")).build();
        let ctx = Context { site: &s, as_of: d("2025-03-20") };
        let v = run_with("r", &p(), &ctx, &UnitPast::default(), &[]);
        assert_eq!(v.status, Status::Manual);
        assert!(v.findings[0].message.contains("尚无本单位的历史测评记录"));
        let v = run_with("r", &p(), &ctx, &past(vec![]), &[]);
        assert_eq!((v.status, v.credit), (Status::Pass, Some(1.0)));
        assert!(v.findings[0].message.contains("历史测评#1（2025-02-20）以来未发现需要整改的问题"));
        // Runs older than the window are not compared.
        let v = run_with("r", &Params { window_days: 10, ..p() }, &ctx, &past(vec![]), &[]);
        assert_eq!(v.status, Status::Manual, "{v:?}");
        assert!(v.findings[0].message.contains("近10天内"));
    }
}

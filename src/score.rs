//! Rubric → item statuses and scores → the unit's provisional online score.
//!
//! Scoring is where an audit could accuse a unit unfairly, so the rules are strict and few:
//! - an item with no automated check, or whose checks all leave it to a person, is `manual`;
//! - a check that could not run (`error`) is never counted as a failure: if the checks that did run
//!   cannot decide the item on their own, the item is `error` and earns no score either way;
//! - otherwise the decided checks' credits combine ([`Combine`]) into the item's credit, which gives
//!   its status ([`Status::from_credit`]) and its score (weight × credit);
//! - 实地测评-only items are outside the online score: `manual`, counted in `onsite_max`.

use serde::{Deserialize, Serialize};

use crate::config::UnitKind;
use crate::findings::{CheckResult, Finding, Status};
use crate::rubric::{Combine, Method, Rubric, RubricItem, fmt_points};

/// The unit's score object of report.json (CONTRACT.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreSummary {
    /// Points earned on the online items evaluated automatically.
    pub online_earned: f64,
    /// Weight of the online items evaluated automatically (pass, partial or fail).
    pub online_max: f64,
    /// Weight of the online items left to a person (status manual).
    pub manual_max: f64,
    /// Weight of the online items that could not be judged (status error).
    pub error_max: f64,
    /// Weight of the 实地测评-only items.
    pub onsite_max: f64,
    /// The final score out of [`ScoreSummary::final_max`] once inspectors' manual and on-site scores are
    /// merged (extension, `score.final`; see [`crate::manual`]); absent before.
    #[serde(rename = "final", default, skip_serializing_if = "Option::is_none")]
    pub final_score: Option<f64>,
    /// Weight of every applicable item: the final score's maximum (100 for streets and departments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_max: Option<f64>,
    /// Weight of the applicable items still without any score (neither automatic nor manual).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unscored_max: Option<f64>,
}

/// One rubric item as scored for one unit: an element of report.json's `items`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    /// The rubric item id, e.g. `common-27`.
    pub id: String,
    /// The item's full text as the rubric prints it.
    pub title: String,
    /// Points.
    pub weight: f64,
    /// 测评方式 from the rubric.
    pub methods: Vec<Method>,
    /// pass | partial | fail | manual | error | not_applicable.
    pub status: Status,
    /// weight × credit; `None` when status is manual, error or not_applicable.
    pub score: Option<f64>,
    /// All findings of the item's checks, failures first.
    pub findings: Vec<Finding>,
    /// The section heading the item sits under (extra field).
    #[serde(default)]
    pub section: String,
    /// How the points were reached, in Chinese (extra field).
    #[serde(default)]
    pub explanation: String,
    /// The inspector's score from a manual file (extension; see [`crate::manual`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<crate::manual::ManualScore>,
}

/// A unit's scored rubric: every item in rubric order, and the score summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitScore {
    /// The score object of report.json.
    pub score: ScoreSummary,
    /// Every rubric item, in rubric order (not applicable ones included).
    pub items: Vec<ItemScore>,
}

impl UnitScore {
    /// How many items have this status.
    pub fn count(&self, status: Status) -> usize {
        self.items.iter().filter(|i| i.status == status).count()
    }
}

/// Scores a unit of `kind` on every item of `rubric` from its check results.
pub fn score_unit(rubric: &Rubric, kind: UnitKind, results: &[CheckResult]) -> UnitScore {
    let items: Vec<ItemScore> = rubric.items.iter().map(|item| score_item(item, kind, results)).collect();
    let mut sum = ScoreSummary::default();
    for (item, scored) in rubric.items.iter().zip(&items) {
        if !item.applies_to(kind) {
            continue;
        }
        if item.is_onsite_only() {
            sum.onsite_max += item.weight;
            continue;
        }
        match scored.status {
            Status::Pass | Status::Partial | Status::Fail => {
                sum.online_max += item.weight;
                sum.online_earned += scored.score.unwrap_or(0.0);
            }
            Status::Manual => sum.manual_max += item.weight,
            Status::Error => sum.error_max += item.weight,
            Status::NotApplicable => {}
        }
    }
    sum.online_earned = round2(sum.online_earned);
    sum.online_max = round2(sum.online_max);
    sum.manual_max = round2(sum.manual_max);
    sum.error_max = round2(sum.error_max);
    sum.onsite_max = round2(sum.onsite_max);
    UnitScore { score: sum, items }
}

/// A decided check's credit, weight and status.
struct Decided {
    credit: f64,
    weight: f64,
    status: Status,
}

fn score_item(item: &RubricItem, kind: UnitKind, results: &[CheckResult]) -> ItemScore {
    let mut scored = ItemScore {
        id: item.id.clone(),
        title: item.text.clone(),
        weight: item.weight,
        methods: item.methods.clone(),
        status: Status::NotApplicable,
        score: None,
        findings: Vec::new(),
        section: item.section.clone(),
        explanation: String::new(),
        manual: None,
    };
    let w = fmt_points(item.weight);
    if !item.applies_to(kind) {
        scored.explanation = format!("本项不适用于{}，不计分。", kind.label_zh());
        return scored;
    }
    let checks: Vec<&CheckResult> = results.iter().filter(|r| r.items.contains(&item.id)).collect();
    scored.findings = checks.iter().flat_map(|r| r.findings.iter().cloned()).collect();
    scored.findings.sort_by_key(|f| failure_rank(f.status));
    let reason = item.manual_reason.as_deref().map(|r| format!("评判要点：{r}")).unwrap_or_default();

    let onsite = item.onsite_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if item.is_onsite_only() {
        scored.status = Status::Manual;
        scored.explanation = match onsite {
            Some(r) => format!(
                "本项为实地测评指标（满分{w}分），不计入网上测评得分，待现场测评时评定。实地核查：{r}"
            ),
            None => {
                format!("本项为实地测评指标（满分{w}分），不计入网上测评得分，待现场测评时评定。{reason}")
            }
        };
        return scored;
    }
    let onsite_note = match onsite {
        Some(r) if item.is_online_and_onsite() => {
            format!("本项另有实地测评内容，待现场测评时评定。实地核查：{r}")
        }
        _ if item.is_online_and_onsite() => "本项另有实地测评内容，待现场测评时评定。".to_string(),
        _ => String::new(),
    };

    let decided: Vec<Decided> = checks
        .iter()
        .filter_map(|r| {
            let default = match r.status {
                Status::Pass => 1.0,
                Status::Partial => 0.5,
                Status::Fail => 0.0,
                _ => return None,
            };
            let credit = r.credit.filter(|c| c.is_finite()).unwrap_or(default).clamp(0.0, 1.0);
            Some(Decided { credit, weight: check_weight(r.weight), status: r.status })
        })
        .collect();
    let errors: Vec<f64> =
        checks.iter().filter(|r| r.status == Status::Error).map(|r| check_weight(r.weight)).collect();
    let manual = checks.iter().filter(|r| r.status == Status::Manual).count();

    if decided.is_empty() {
        if !errors.is_empty() {
            scored.status = Status::Error;
            scored.explanation = format!(
                "{}项检查未能完成（网站无法访问或页面无法读取），本项暂无法判定，不作扣分（满分{w}分）。{onsite_note}",
                errors.len()
            );
        } else {
            scored.status = Status::Manual;
            let what: Vec<&str> = checks
                .iter()
                .flat_map(|r| r.findings.iter().filter(|f| f.status == Status::Manual))
                .map(|f| f.message.as_str())
                .take(2)
                .collect();
            let why = match (manual, what.is_empty()) {
                (0, _) => "本项暂无自动检查，需人工评判".to_string(),
                (_, true) => format!("本项的{manual}项检查均需人工核查"),
                (_, false) => format!("本项的{manual}项检查均需人工核查（{}）", what.join("；")),
            };
            scored.explanation = format!("{why}，不计入网上测评暂定得分（满分{w}分）。{onsite_note}{reason}");
        }
        return scored;
    }

    // An errored check could have earned anything: the item is decided only if its result would be
    // the same whether the errored checks had earned nothing or full credit.
    let lo = combine(item.combine, &decided, &errors, 0.0);
    let hi = combine(item.combine, &decided, &errors, 1.0);
    let counts = count_words(&decided);
    if (hi - lo).abs() > 1e-9 {
        scored.status = Status::Error;
        scored.explanation = format!(
            "{}项检查已完成（{counts}），另有{}项检查未能完成（网站无法访问或页面无法读取），\
             已完成的检查不足以确定得分，本项暂无法判定，不作扣分（满分{w}分）。{onsite_note}",
            decided.len(),
            errors.len()
        );
        return scored;
    }
    let credit = lo;
    let points = round2(item.weight * credit);
    scored.status = Status::from_credit(credit);
    scored.score = Some(points);
    let rule = match item.combine {
        _ if decided.len() == 1 => "得分率",
        Combine::Min => "取最低得分率",
        Combine::Mean if has_unequal_weights(&decided) => "加权平均得分率",
        Combine::Mean => "平均得分率",
    };
    let mut text = format!(
        "{}项检查：{counts}，{rule}{}%，得{}分（满分{w}分）。",
        decided.len(),
        (credit * 100.0).round(),
        fmt_points(points)
    );
    if !errors.is_empty() {
        text.push_str(&format!("另有{}项检查未能完成，不影响本项结论。", errors.len()));
    }
    // Say what a person must look at, and why the tool could not: the manual findings state it.
    let what: Vec<&str> = checks
        .iter()
        .flat_map(|r| r.findings.iter().filter(|f| f.status == Status::Manual).map(|f| f.message.as_str()))
        .take(2)
        .collect();
    match (manual, what.is_empty()) {
        (0, true) => {}
        (0, false) => text.push_str(&format!("需人工核查：{}。", what.join("；"))),
        (_, true) => text.push_str(&format!("另有{manual}项检查需人工核查，未计入得分。")),
        (_, false) => {
            text.push_str(&format!("另有{manual}项检查需人工核查，未计入得分：{}。", what.join("；")))
        }
    }
    text.push_str(&onsite_note);
    scored.explanation = text;
    scored
}

/// Combines the decided credits with every errored check assumed to have earned `assumed`.
fn combine(how: Combine, decided: &[Decided], errors: &[f64], assumed: f64) -> f64 {
    let all = decided.iter().map(|d| (d.credit, d.weight)).chain(errors.iter().map(|w| (assumed, *w)));
    match how {
        Combine::Min => all.filter(|(_, w)| *w > 0.0).map(|(c, _)| c).fold(1.0, f64::min),
        Combine::Mean => {
            let (num, den) = all.fold((0.0, 0.0), |(n, d), (c, w)| (n + c * w, d + w));
            if den > 0.0 {
                num / den
            } else {
                // Every check weighs nothing: fall back to a plain mean of the decided checks.
                decided.iter().map(|d| d.credit).sum::<f64>() / decided.len() as f64
            }
        }
    }
}

/// A check's weight within its item; a missing or nonsensical weight counts as 1.
fn check_weight(weight: f64) -> f64 {
    if weight.is_finite() && weight >= 0.0 { weight } else { 1.0 }
}

fn has_unequal_weights(decided: &[Decided]) -> bool {
    decided.windows(2).any(|p| (p[0].weight - p[1].weight).abs() > 1e-9)
}

/// "2项符合、1项部分符合" (zero counts left out).
fn count_words(decided: &[Decided]) -> String {
    [Status::Pass, Status::Partial, Status::Fail]
        .into_iter()
        .filter_map(|s| {
            let n = decided.iter().filter(|d| d.status == s).count();
            (n > 0).then(|| format!("{n}项{}", s.label_zh()))
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// Findings order within an item: what needs fixing first.
fn failure_rank(status: Status) -> u8 {
    match status {
        Status::Fail => 0,
        Status::Partial => 1,
        Status::Error => 2,
        Status::Manual => 3,
        Status::Pass => 4,
        Status::NotApplicable => 5,
    }
}

/// Rounds points to two decimals, as reports show them.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Evidence;
    use std::path::PathBuf;

    fn rubric() -> Rubric {
        Rubric::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("checks/rubric.yaml")).unwrap()
    }

    fn finding(check: &str, status: Status) -> Finding {
        Finding {
            check: check.into(),
            status,
            message: format!("{check} {}", status.as_str()),
            evidence: vec![Evidence {
                url: format!("https://example.gov.cn/{check}.html"),
                fetched_at: "2021-11-25T02:00:00+08:00".into(),
                sha256: "ab".repeat(32),
                excerpt: "摘录".into(),
            }],
        }
    }

    fn check(id: &str, item: &str, weight: f64, status: Status, credit: Option<f64>) -> CheckResult {
        CheckResult {
            check: id.into(),
            items: vec![item.into()],
            weight,
            status,
            credit,
            findings: vec![finding(id, status)],
        }
    }

    use Status::*;
    const S: UnitKind = UnitKind::Street;
    const D: UnitKind = UnitKind::Department;

    /// name, item, unit kind, check results, expected status, expected score.
    type Case = (&'static str, &'static str, UnitKind, Vec<CheckResult>, Status, Option<f64>);

    #[test]
    fn item_status_and_score_table() {
        #[rustfmt::skip]
        let cases: Vec<Case> = vec![
            ("no check", "common-01", S, vec![], Manual, None),
            ("all manual", "common-01", S, vec![check("a", "common-01", 1.0, Manual, None)], Manual, None),
            ("not applicable check only", "common-01", S,
                vec![check("a", "common-01", 1.0, NotApplicable, None)], Manual, None),
            ("one pass", "common-27", S, vec![check("a", "common-27", 1.0, Pass, Some(1.0))], Pass, Some(5.0)),
            ("one fail", "common-27", D, vec![check("a", "common-27", 1.0, Fail, Some(0.0))], Fail, Some(0.0)),
            ("mean 2 pass 1 half", "common-02", S, vec![
                check("a", "common-02", 1.0, Pass, Some(1.0)),
                check("b", "common-02", 1.0, Pass, Some(1.0)),
                check("c", "common-02", 1.0, Partial, Some(0.5))], Partial, Some(1.67)),
            ("weighted mean", "common-27", S, vec![
                check("a", "common-27", 3.0, Pass, Some(1.0)),
                check("b", "common-27", 1.0, Fail, Some(0.0))], Partial, Some(3.75)),
            ("partial without credit counts half", "common-24", S,
                vec![check("a", "common-24", 1.0, Partial, None)], Partial, Some(2.0)),
            ("credit above 1 is clamped", "common-24", S,
                vec![check("a", "common-24", 1.0, Pass, Some(3.0))], Pass, Some(4.0)),
            ("only error", "common-15", S, vec![check("a", "common-15", 1.0, Error, None)], Error, None),
            ("error and pass under mean", "common-15", S, vec![
                check("a", "common-15", 1.0, Pass, Some(1.0)),
                check("b", "common-15", 1.0, Error, None)], Error, None),
            ("error and fail under mean is never fail", "common-15", S, vec![
                check("a", "common-15", 1.0, Fail, Some(0.0)),
                check("b", "common-15", 1.0, Error, None)], Error, None),
            ("error with zero weight leaves the item decided", "common-15", S, vec![
                check("a", "common-15", 1.0, Pass, Some(1.0)),
                check("b", "common-15", 0.0, Error, None)], Pass, Some(2.0)),
            ("min: a proven leak decides despite an error", "common-17", S, vec![
                check("a", "common-17", 1.0, Fail, Some(0.0)),
                check("b", "common-17", 1.0, Error, None)], Fail, Some(0.0)),
            ("min: pass and error is undecided", "common-17", S, vec![
                check("a", "common-17", 1.0, Pass, Some(1.0)),
                check("b", "common-17", 1.0, Error, None)], Error, None),
            ("min: weakest check decides", "common-17", S, vec![
                check("a", "common-17", 1.0, Pass, Some(1.0)),
                check("b", "common-17", 1.0, Partial, Some(0.25))], Partial, Some(0.5)),
            ("manual check beside a decided one is left out", "common-24", S, vec![
                check("a", "common-24", 1.0, Pass, Some(1.0)),
                check("b", "common-24", 1.0, Manual, None)], Pass, Some(4.0)),
            ("street item for a department", "street-01", D,
                vec![check("a", "street-01", 1.0, Pass, Some(1.0))], NotApplicable, None),
            ("department item for a village", "department-03", UnitKind::Village, vec![], NotApplicable, None),
            ("onsite only, even with a passing check", "common-03", S,
                vec![check("a", "common-03", 1.0, Pass, Some(1.0))], Manual, None),
            ("online and onsite, online part passes", "common-16", S,
                vec![check("a", "common-16", 1.0, Pass, Some(1.0))], Pass, Some(2.0)),
            ("check of another item is ignored", "common-01", S,
                vec![check("a", "common-02", 1.0, Fail, Some(0.0))], Manual, None),
        ];
        let r = rubric();
        for (name, id, kind, results, status, score) in cases {
            let unit = score_unit(&r, kind, &results);
            let item = unit.items.iter().find(|i| i.id == id).unwrap();
            assert_eq!((item.status, item.score), (status, score), "{name}: {}", item.explanation);
            assert!(!item.explanation.is_empty(), "{name}");
        }
    }

    #[test]
    fn explanations_say_how_points_were_reached() {
        let r = rubric();
        let results = vec![
            check("a", "common-02", 1.0, Pass, Some(1.0)),
            check("b", "common-02", 1.0, Pass, Some(1.0)),
            check("c", "common-02", 1.0, Partial, Some(0.5)),
            check("d", "common-16", 1.0, Pass, Some(1.0)),
            check("e", "common-15", 1.0, Fail, Some(0.0)),
            check("f", "common-15", 1.0, Error, None),
        ];
        let unit = score_unit(&r, S, &results);
        let get = |id: &str| unit.items.iter().find(|i| i.id == id).unwrap().explanation.clone();
        assert!(
            get("common-02").starts_with("3项检查：2项符合、1项部分符合，平均得分率83%，得1.67分（满分2分）")
        );
        assert!(get("common-16").contains("实地测评内容"), "{}", get("common-16"));
        assert!(get("common-15").contains("不作扣分"), "{}", get("common-15"));
        assert!(get("common-03").contains("实地测评指标"), "{}", get("common-03"));
        assert!(get("common-01").contains("本项暂无自动检查，需人工评判"), "{}", get("common-01"));
        assert!(get("street-01").contains("实地"), "{}", get("street-01"));
    }

    #[test]
    fn unit_summary_adds_weights_by_status() {
        let r = rubric();
        let results = vec![
            check("a", "common-27", 1.0, Partial, Some(0.5)),  // 5 → 2.5
            check("b", "common-25", 1.0, Pass, Some(1.0)),     // 5 → 5
            check("c", "common-15", 1.0, Error, None),         // 2 → error
            check("d", "department-03", 1.0, Fail, Some(0.0)), // 15 → 0
            check("e", "street-01", 1.0, Pass, Some(1.0)),     // not applicable
        ];
        let unit = score_unit(&r, D, &results);
        assert_eq!(unit.items.len(), 40);
        let ids: Vec<&str> = unit.items.iter().map(|i| i.id.as_str()).collect();
        let expected: Vec<&str> = r.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, expected);
        let s = &unit.score;
        assert_eq!(s.online_earned, 7.5);
        assert_eq!(s.online_max, 25.0);
        assert_eq!(s.error_max, 2.0);
        // Department online items: 60 − 2 (common-03) + 40 − 5 (department-05) = 93.
        assert_eq!(s.manual_max, 93.0 - 25.0 - 2.0);
        assert_eq!(s.onsite_max, 7.0);
        assert_eq!(unit.count(NotApplicable), 8);
        assert_eq!(unit.count(Pass) + unit.count(Partial) + unit.count(Fail), 3);

        let street = score_unit(&r, S, &[]);
        assert_eq!(street.score.onsite_max, 2.0 + 2.0 + 15.0); // common-03, street-03, street-04
        assert_eq!(street.score.manual_max, 100.0 - 19.0);
        assert_eq!(street.score.online_max, 0.0);
        let village = score_unit(&r, UnitKind::Village, &[]);
        assert_eq!(village.score.manual_max + village.score.onsite_max, 60.0);
        assert_eq!(village.count(NotApplicable), 13);
    }

    #[test]
    fn findings_come_failures_first_from_every_check_of_the_item() {
        let r = rubric();
        let mut two = check("a", "common-13", 1.0, Partial, Some(0.5));
        two.findings = vec![finding("a", Pass), finding("a", Fail)];
        let results = vec![check("p", "common-13", 1.0, Pass, Some(1.0)), two];
        let unit = score_unit(&r, S, &results);
        let item = unit.items.iter().find(|i| i.id == "common-13").unwrap();
        let statuses: Vec<Status> = item.findings.iter().map(|f| f.status).collect();
        assert_eq!(statuses, vec![Fail, Pass, Pass]);
        assert_eq!(item.findings[0].check, "a");
    }

    #[test]
    fn a_check_informing_two_items_counts_in_both() {
        let r = rubric();
        let mut c = check("a", "common-13", 1.0, Fail, Some(0.0));
        c.items.push("common-18".into());
        let unit = score_unit(&r, S, &[c]);
        for id in ["common-13", "common-18"] {
            let item = unit.items.iter().find(|i| i.id == id).unwrap();
            assert_eq!(item.status, Fail, "{id}");
            assert_eq!(item.findings.len(), 1, "{id}");
        }
    }
}

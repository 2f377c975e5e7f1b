//! What changed between two recorded runs, per unit: items and findings, new failures first.
//!
//! [`RunDiff::regressed`] is the nightly alarm: a unit lost points, an item became `fail`, or a new
//! `fail` finding appeared. Findings are matched by (item, check, status, message), URL origins aside; only findings that
//! name a problem (fail, partial, error) are compared, so a passing check rewording its message is not
//! reported as a change.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::findings::Status;
use crate::history::{FindingRun, ItemRun, RunInfo, RunSnapshot, UnitSnapshot};
use crate::rubric::fmt_points;

/// An item whose status or score changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemChange {
    /// The rubric item id.
    pub item_id: String,
    /// Its text.
    pub title: String,
    /// Status in the earlier run.
    pub before: Status,
    /// Status in the later run.
    pub after: Status,
    /// Score in the earlier run.
    pub score_before: Option<f64>,
    /// Score in the later run.
    pub score_after: Option<f64>,
}

impl ItemChange {
    /// The item became `fail`.
    pub fn is_new_failure(&self) -> bool {
        self.after == Status::Fail && self.before != Status::Fail
    }

    /// Points lost (positive) or gained (negative) on the item, counting a missing score as 0.
    pub fn points_lost(&self) -> f64 {
        self.score_before.unwrap_or(0.0) - self.score_after.unwrap_or(0.0)
    }

    fn rank(&self) -> u8 {
        if self.is_new_failure() {
            0
        } else if matches!(self.after, Status::Error | Status::Manual | Status::NotApplicable) {
            // Not judged this time (a site that did not answer, a check left to a person): a change
            // to look at, never "lost points" in the report's words.
            2
        } else if self.points_lost() > 1e-9 {
            1
        } else if self.points_lost() < -1e-9 || self.after == Status::Pass {
            3
        } else {
            2
        }
    }
}

/// One unit's changes.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitDiff {
    /// The unit's id.
    pub unit_id: String,
    /// The unit's name.
    pub unit_name: String,
    /// Online score in the earlier run (`None`: the unit was not audited then).
    pub score_before: Option<f64>,
    /// Online score in the later run (`None`: the unit was not audited then).
    pub score_after: Option<f64>,
    /// Items that changed, new failures first, then lost points, then other changes, then gains.
    pub items: Vec<ItemChange>,
    /// Problem findings in the later run that the earlier one did not have (fail first).
    pub new_problems: Vec<FindingRun>,
    /// Problem findings of the earlier run that are gone.
    pub resolved: Vec<FindingRun>,
}

impl UnitDiff {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
            && self.new_problems.is_empty()
            && self.resolved.is_empty()
            && self.score_before.is_some() == self.score_after.is_some()
    }

    /// The unit lost points or gained a new failure.
    pub fn regressed(&self) -> bool {
        let lost = matches!((self.score_before, self.score_after), (Some(a), Some(b)) if b < a - 0.005);
        lost || self.items.iter().any(ItemChange::is_new_failure)
            || self.new_problems.iter().any(|f| f.status == Status::Fail)
    }
}

/// The comparison of two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDiff {
    /// The earlier run.
    pub before: RunInfo,
    /// The later run.
    pub after: RunInfo,
    /// Every unit of either run, in the later run's order, then units only the earlier run had.
    pub units: Vec<UnitDiff>,
}

impl RunDiff {
    /// Compares two runs.
    pub fn between(a: &RunSnapshot, b: &RunSnapshot) -> RunDiff {
        let before: HashMap<&str, &UnitSnapshot> =
            a.units.iter().map(|u| (u.unit.unit_id.as_str(), u)).collect();
        let mut units: Vec<UnitDiff> = b
            .units
            .iter()
            .map(|u| unit_diff(before.get(u.unit.unit_id.as_str()).copied(), Some(u)))
            .collect();
        for u in &a.units {
            if !b.units.iter().any(|x| x.unit.unit_id == u.unit.unit_id) {
                units.push(unit_diff(Some(u), None));
            }
        }
        RunDiff { before: a.info.clone(), after: b.info.clone(), units }
    }

    /// Some unit lost points or gained a new failure: the nightly alarm.
    pub fn regressed(&self) -> bool {
        self.units.iter().any(UnitDiff::regressed)
    }

    /// The comparison in Chinese, as `zwgk-audit diff` prints it.
    pub fn render_zh(&self) -> String {
        let (a, b) = (&self.before, &self.after);
        let mut out = format!(
            "测评记录对比：#{}（测评基准日 {}，生成于 {}）→ #{}（测评基准日 {}，生成于 {}）\n",
            a.id, a.as_of, a.generated_at, b.id, b.as_of, b.generated_at
        );
        if a.checks_sha256 != b.checks_sha256 {
            out.push_str("注意：两次测评所用的检查规则或评分细则不同，部分变化可能源于规则调整。\n");
        }
        let regressed: Vec<&str> =
            self.units.iter().filter(|u| u.regressed()).map(|u| u.unit_name.as_str()).collect();
        if regressed.is_empty() {
            out.push_str("结论：没有单位失分或新增不符合项。\n");
        } else {
            out.push_str(&format!(
                "结论：{} 个单位失分或新增不符合项：{}。\n",
                regressed.len(),
                regressed.join("、")
            ));
        }
        for u in &self.units {
            out.push('\n');
            out.push_str(&render_unit(u));
        }
        out
    }
}

fn render_unit(u: &UnitDiff) -> String {
    let mut out = format!("{}（{}）", u.unit_name, u.unit_id);
    match (u.score_before, u.score_after) {
        (None, Some(b)) => return format!("{out}：本次新增测评，网上测评暂定得分 {} 分。\n", fmt_points(b)),
        (Some(a), None) => return format!("{out}：本次未测评（上次得分 {} 分）。\n", fmt_points(a)),
        (Some(a), Some(b)) => {
            let delta = b - a;
            let change = if delta.abs() < 0.005 {
                "持平".to_string()
            } else if delta > 0.0 {
                format!("提高 {} 分", fmt_points(delta))
            } else {
                format!("下降 {} 分", fmt_points(-delta))
            };
            out.push_str(&format!("：网上测评暂定得分 {} → {} 分（{change}）", fmt_points(a), fmt_points(b)));
        }
        (None, None) => {}
    }
    if u.is_empty() {
        out.push_str("，指标和问题均无变化。\n");
        return out;
    }
    out.push('\n');
    let groups = [
        (0, "新增不符合"),
        (1, "得分下降"),
        (2, "状态变化（含本次无法判定的指标）"),
        (3, "得分提高或已整改"),
    ];
    for (rank, label) in groups {
        let changes: Vec<&ItemChange> = u.items.iter().filter(|c| c.rank() == rank).collect();
        if changes.is_empty() {
            continue;
        }
        out.push_str(&format!("  {label}：\n"));
        for c in changes {
            out.push_str(&format!(
                "    [{}] {}：{} → {}（{} → {} 分）\n",
                c.item_id,
                short(&c.title, 40),
                c.before.label_zh(),
                c.after.label_zh(),
                c.score_before.map(fmt_points).unwrap_or_else(|| "—".into()),
                c.score_after.map(fmt_points).unwrap_or_else(|| "—".into()),
            ));
        }
    }
    for (label, list) in [("新发现的问题", &u.new_problems), ("已消除的问题", &u.resolved)] {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("  {label}：\n"));
        for f in list {
            out.push_str(&format!("    [{}] {}：{}", f.item_id, f.status.label_zh(), f.message));
            if let Some(url) = &f.url {
                out.push_str(&format!("（{url}）"));
            }
            out.push_str(&format!(" [{}]\n", f.check));
        }
    }
    out
}

/// The first `n` characters of a text, with an ellipsis when cut.
pub fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// A finding's identity across runs: item, check, status and message, with every URL's origin
/// (scheme, host, port) removed, so that a site moved to another host or port (the demo binds a free
/// port on every run) is not reported as all-new problems.
fn key(f: &FindingRun) -> (String, String, Status, String) {
    static ORIGIN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)https?://[^/\s）)」”]+").expect("valid regex"));
    (f.item_id.clone(), f.check.clone(), f.status, ORIGIN.replace_all(&f.message, "").into_owned())
}

fn is_problem(f: &FindingRun) -> bool {
    matches!(f.status, Status::Fail | Status::Partial | Status::Error)
}

fn unit_diff(a: Option<&UnitSnapshot>, b: Option<&UnitSnapshot>) -> UnitDiff {
    let any = b.or(a).expect("one side exists");
    let mut items = Vec::new();
    if let (Some(a), Some(b)) = (a, b) {
        let before: HashMap<&str, &ItemRun> = a.items.iter().map(|i| (i.item_id.as_str(), i)).collect();
        for it in &b.items {
            let Some(old) = before.get(it.item_id.as_str()) else { continue };
            let score_changed = match (old.score, it.score) {
                (Some(x), Some(y)) => (x - y).abs() > 0.005,
                (None, None) => false,
                _ => true,
            };
            if old.status != it.status || score_changed {
                items.push(ItemChange {
                    item_id: it.item_id.clone(),
                    title: it.title.clone(),
                    before: old.status,
                    after: it.status,
                    score_before: old.score,
                    score_after: it.score,
                });
            }
        }
        // Stable: rubric order within each rank.
        items.sort_by_key(ItemChange::rank);
    }
    let problems = |s: Option<&UnitSnapshot>| -> Vec<FindingRun> {
        s.map(|s| s.findings.iter().filter(|f| is_problem(f)).cloned().collect()).unwrap_or_default()
    };
    let (pa, pb) = (problems(a), problems(b));
    let (mut new_problems, mut resolved) = (Vec::new(), Vec::new());
    if a.is_some() && b.is_some() {
        let (ka, kb): (HashSet<_>, HashSet<_>) = (pa.iter().map(key).collect(), pb.iter().map(key).collect());
        new_problems = pb.iter().filter(|f| !ka.contains(&key(f))).cloned().collect();
        resolved = pa.iter().filter(|f| !kb.contains(&key(f))).cloned().collect();
        new_problems.sort_by_key(|f| (f.status != Status::Fail, f.item_id.clone()));
        new_problems.dedup();
        resolved.dedup();
    }
    UnitDiff {
        unit_id: any.unit.unit_id.clone(),
        unit_name: any.unit.unit_name.clone(),
        score_before: a.map(|u| u.unit.online_earned),
        score_after: b.map(|u| u.unit.online_earned),
        items,
        new_problems,
        resolved,
    }
}

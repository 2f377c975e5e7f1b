//! What report.html shows of the operations' extensions: the final score, inspectors' scores, the
//! to-do list and the score trend (an inline SVG polyline: no script, no network).
//!
//! Only numbers reach the SVG's attributes; every text (labels, messages, URLs) goes through the
//! template's auto-escaping like the rest of the report.

use serde::Serialize;

use crate::history::TrendPoint;
use crate::manual::ManualScore;
use crate::report::UnitReport;
use crate::rubric::fmt_points;
use crate::todo::TodoEntry;

/// Chart size in CSS pixels.
const WIDTH: f64 = 240.0;
const HEIGHT: f64 = 64.0;
const PAD: f64 = 6.0;

/// A unit's operations view.
#[derive(Serialize)]
pub(super) struct UnitOpsView<'a> {
    final_score: Option<String>,
    final_max: Option<String>,
    unscored_max: Option<String>,
    todo: Vec<TodoView<'a>>,
    todo_total: String,
    trend: Option<TrendView>,
}

#[derive(Serialize)]
struct TodoView<'a> {
    item: &'a str,
    number: String,
    title: &'a str,
    status: &'static str,
    status_zh: &'static str,
    stake: String,
    problems: Vec<ProblemView<'a>>,
    fix: &'a str,
}

#[derive(Serialize)]
struct ProblemView<'a> {
    message: &'a str,
    url: Option<&'a str>,
    linkable: bool,
}

#[derive(Serialize)]
struct TrendView {
    width: f64,
    height: f64,
    polyline: String,
    dots: Vec<DotView>,
    first: String,
    last: String,
}

#[derive(Serialize)]
struct DotView {
    x: String,
    y: String,
    label: String,
}

/// An inspector's score as the item row shows it.
#[derive(Serialize)]
pub(super) struct ManualView<'a> {
    score: String,
    note: &'a str,
    inspector: &'a str,
}

pub(super) fn manual_view(m: Option<&ManualScore>) -> Option<ManualView<'_>> {
    m.map(|m| ManualView { score: fmt_points(m.score), note: &m.note, inspector: &m.inspector })
}

pub(super) fn unit_ops_view(unit: &UnitReport) -> UnitOpsView<'_> {
    let s = &unit.score;
    UnitOpsView {
        final_score: s.final_score.map(fmt_points),
        final_max: s.final_max.map(fmt_points),
        unscored_max: s.unscored_max.map(fmt_points),
        todo: unit.todo.iter().map(todo_view).collect(),
        todo_total: fmt_points(crate::score::round2(unit.todo.iter().map(|t| t.points_at_stake).sum())),
        trend: trend_view(&unit.trend),
    }
}

fn todo_view(t: &TodoEntry) -> TodoView<'_> {
    TodoView {
        item: &t.item,
        number: super::html::item_number(&t.item),
        title: &t.title,
        status: t.status.as_str(),
        status_zh: t.status.label_zh(),
        stake: fmt_points(t.points_at_stake),
        problems: t
            .problems
            .iter()
            .map(|p| {
                let lower = p.url.as_deref().unwrap_or("").trim_start().to_ascii_lowercase();
                ProblemView {
                    message: &p.message,
                    url: p.url.as_deref(),
                    linkable: lower.starts_with("http://") || lower.starts_with("https://"),
                }
            })
            .collect(),
        fix: &t.fix,
    }
}

/// The trend as SVG coordinates: x evenly spaced by run, y the online score on a scale from 0 to the
/// largest `online_max` seen (so a unit whose automatically judged part grew is not drawn as falling).
fn trend_view(points: &[TrendPoint]) -> Option<TrendView> {
    let (first, last) = (points.first()?, points.last()?);
    let top = points.iter().map(|p| p.online_max.max(p.online_earned)).fold(0.0_f64, f64::max).max(1.0);
    let step = if points.len() > 1 { (WIDTH - 2.0 * PAD) / (points.len() - 1) as f64 } else { 0.0 };
    let coords: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = if points.len() > 1 { PAD + step * i as f64 } else { WIDTH / 2.0 };
            let y = HEIGHT - PAD - (p.online_earned / top).clamp(0.0, 1.0) * (HEIGHT - 2.0 * PAD);
            (x, y)
        })
        .collect();
    let label = |p: &TrendPoint| {
        format!("#{} {}：{} / {} 分", p.run, p.as_of, fmt_points(p.online_earned), fmt_points(p.online_max))
    };
    Some(TrendView {
        width: WIDTH,
        height: HEIGHT,
        polyline: coords.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" "),
        dots: points
            .iter()
            .zip(&coords)
            .map(|(p, (x, y))| DotView { x: format!("{x:.1}"), y: format!("{y:.1}"), label: label(p) })
            .collect(),
        first: label(first),
        last: label(last),
    })
}

#[cfg(test)]
mod tests {
    use crate::config::UnitKind;
    use crate::findings::Status;
    use crate::history::TrendPoint;
    use crate::ops::testkit::{report, result, unit, unit_report};
    use crate::report::{HtmlRenderer, Renderer};

    #[test]
    fn todo_and_trend_are_escaped_and_drawn_without_script() {
        let u = unit("bg", "包公街道", UnitKind::Street);
        let mut ur = unit_report(
            &u,
            &[result(
                "pii",
                "common-17",
                Status::Fail,
                "页面含 <script>alert(1)</script>",
                "javascript:alert(2)",
            )],
        );
        ur.todo = crate::todo::build(&ur, &[("pii".to_string(), "pii-leak".to_string())].into());
        ur.trend = (1..=3)
            .map(|run| TrendPoint {
                run,
                as_of: format!("2025-03-{:02}", 17 + run),
                generated_at: String::new(),
                online_earned: [10.0, 8.0, 9.0][run as usize - 1],
                online_max: 10.0,
            })
            .collect();
        let html = HtmlRenderer::default().render(&report("2025-03-20", vec![ur])).unwrap();
        assert!(html.contains("自查整改清单（按可挽回分值排序，共 1 项，合计 2 分）"));
        assert!(html.contains("<a href=\"#bg-common-17\">共性 17</a>"), "the to-do entry links its item row");
        assert!(!html.contains("<script>alert(1)"), "messages are escaped");
        assert!(!html.contains("href=\"javascript:"), "only http(s) locations become links");
        // x evenly spaced from 6 to 234, y from the score on a 0..10 scale (64 px high, 6 px padding).
        assert!(html.contains("<polyline points=\"6.0,6.0 120.0,16.4 234.0,11.2\"/>"), "chart points");
        assert!(html.contains("#3 2025-03-20：9 &#x2f; 10 分"));
    }
}

//! The self-check to-do list: what a unit should fix before the inspection, most points first.
//!
//! A unit's staff run the audit on their own 专栏 and want to know what to do, not how the tool
//! scores. Each entry is one rubric item that lost points (`fail` or `partial`): the points at stake
//! (weight − score), what is missing or wrong (the failed and partial findings' messages), where (their
//! first evidence URL), and what would fix it (by the kind of check that found it).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::checks::CheckSet;
use crate::findings::Status;
use crate::report::UnitReport;
use crate::rubric::fmt_points;
use crate::score::round2;

/// One problem of a to-do entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TodoProblem {
    /// What is missing or wrong (a finding's message; personal data already masked).
    pub message: String,
    /// Where: the page that shows it, when there is one.
    pub url: Option<String>,
}

/// One item to fix (report.json `units[].todo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TodoEntry {
    /// The rubric item id.
    pub item: String,
    /// The item's text.
    pub title: String,
    /// fail or partial.
    pub status: Status,
    /// Points the unit would gain by fixing it.
    pub points_at_stake: f64,
    /// What is missing or wrong, and where.
    pub problems: Vec<TodoProblem>,
    /// What would fix it, in plain Chinese.
    pub fix: String,
}

/// Check id → check kind name, for the fix advice.
pub fn kinds_of(checks: &CheckSet) -> HashMap<String, String> {
    checks.checks.iter().map(|c| (c.id.clone(), c.kind.as_str().to_string())).collect()
}

/// The to-do list of one unit, most points at stake first (rubric order among equals).
pub fn build(unit: &UnitReport, kinds: &HashMap<String, String>) -> Vec<TodoEntry> {
    let mut out: Vec<TodoEntry> = unit
        .items
        .iter()
        .filter(|i| matches!(i.status, Status::Fail | Status::Partial))
        .map(|i| {
            let stake = round2(i.weight - i.score.unwrap_or(0.0));
            let bad: Vec<_> =
                i.findings.iter().filter(|f| matches!(f.status, Status::Fail | Status::Partial)).collect();
            let problems = bad
                .iter()
                .map(|f| TodoProblem {
                    message: f.message.clone(),
                    url: f.evidence.first().map(|e| e.url.clone()),
                })
                .collect();
            let mut fixes: Vec<&'static str> = Vec::new();
            for f in &bad {
                let advice = fix_for(kinds.get(&f.check).map(String::as_str).unwrap_or(""));
                if !fixes.contains(&advice) {
                    fixes.push(advice);
                }
            }
            if fixes.is_empty() {
                fixes.push(fix_for(""));
            }
            TodoEntry {
                item: i.id.clone(),
                title: i.title.clone(),
                status: i.status,
                points_at_stake: stake,
                problems,
                fix: fixes.join(""),
            }
        })
        .filter(|e| e.points_at_stake > 0.0)
        .collect();
    out.sort_by(|a, b| b.points_at_stake.total_cmp(&a.points_at_stake));
    out
}

/// What fixes a problem found by a check of this kind.
fn fix_for(kind: &str) -> &'static str {
    match kind {
        "column-present" => {
            "在政府信息公开专栏导航中设置该栏目（使用规定的栏目名称），并发布相应信息；确无可公开信息的，应在栏目内说明原因，不应仅显示“暂无信息”。"
        }
        "column-fresh" => "及时更新该栏目，发布最新信息并准确标注发布日期，保持规定的更新频率。",
        "keyword-documents" => {
            "制定或整理所缺的文件、信息，并在专栏相应栏目公开，标题写明其名称（如“××制度”“××工作要点”“××公报”），便于查找。"
        }
        "annual-report" => {
            "按照《政府信息公开条例》规定，于每年1月31日前在专栏公开上一年度政府信息公开工作年度报告。"
        }
        "annual-report-tables" => {
            "核对年度报告各表格数据，确保合计正确、与上年度结转数据衔接，并结合本年度实际撰写，避免照搬往年内容。"
        }
        "publish-lag" => {
            "文件应自成文之日起20个工作日内公开；今后发布时严格把握时限，并如实标注成文日期和发布日期。"
        }
        "interpretation-formats" => {
            "对每件重要政策文件采用文字、图解、视频、动画等多种形式解读，解读页面链接原文件，并与文件同步（3个工作日内）发布；补齐未解读文件的解读。"
        }
        "consultations" => {
            "涉及群众切身利益的决策应公开征求意见，并写明起止时间（规范性文件一般不少于7个工作日，重大决策一般不少于30日）；征求意见结束后公开意见采纳情况，并链接征求意见公告。"
        }
        "topic-entries" => {
            "围绕各事项持续发布信息，标注发布日期，保持每项信息数量、最新日期和更新间隔符合要求（基层公开：每项不少于4条，最新和相邻两条间隔均不超过90天）。"
        }
        "fund-tables" => {
            "以表格公开惠民资金的收支和发放情况，细化到具体项目、受益村组或户，姓名、身份证号码、手机号码等个人信息应脱敏。"
        }
        "link-present" => "在专栏中设置皖事通“皖事公开”移动专区等渠道的链接或入口，并说明使用方式。",
        "columns-linked" => {
            "在政务公开专栏中设置村（居）务公开栏目，并将村（居）务公开内容与街道政务公开的相同事项相互链接、对应一致。"
        }
        "pilot-domains" => {
            "按附件2本部门试点领域设置重点领域信息公开栏目，持续发布该领域信息；并在测评单位清单中声明试点领域。"
        }
        "service-guides" => {
            "按“办好一件事”要求编制办事指南或办事一本通，写明事项名称、设定依据、申请条件、办理材料、办理地点、办理时间和联系电话。"
        }
        "pii-leak" => {
            "立即撤下或遮盖页面及附件中的居民身份证号码、手机号码、银行卡号等个人信息，经脱敏处理后重新发布；标有密级或内部资料标志的文件应立即撤下并按保密规定报告；建立发布前保密审查机制。"
        }
        "links-alive" => "修复或删除失效链接，确保专栏内链接均可正常访问。",
        "metadata-complete" => {
            "在文件页面补齐索引号、发布机构、成文日期、发布日期等公开要素，规范性文件还应标注有效性。"
        }
        "column-blank" => {
            "为空白栏目补充应公开的信息；确无可公开信息的，在栏目页面说明原因，或按目录规范调整栏目设置。"
        }
        "column-types-fresh" => {
            "按栏目类型及时更新：动态要闻类2周内、通知公告和政策文件类6个月内、机构人事等基础信息类1年内更新，并准确标注日期。"
        }
        "search-function" => {
            "在专栏提供站内检索功能，确保以已公开文件的标题能够检索到该文件；检索页面不应被robots.txt禁止访问。"
        }
        "rectification" => {
            "对照历次测评发现的问题逐项整改（见上列页面），整改后在原页面或栏目体现整改结果，并保留整改台账。"
        }
        _ => "对照评分细则该项要求逐条整改，并保留整改依据。",
    }
}

/// The to-do list as the one-screen summary prints it for a single unit.
pub fn render_text(unit: &UnitReport) -> String {
    if unit.todo.is_empty() {
        return format!("{}：网上测评自动评判的指标均已得满分，暂无待整改事项。\n", unit.name);
    }
    let total: f64 = unit.todo.iter().map(|t| t.points_at_stake).sum();
    let mut out = format!(
        "{}自查整改清单（按可挽回分值排序，共 {} 项，合计 {} 分）：\n",
        unit.name,
        unit.todo.len(),
        fmt_points(round2(total))
    );
    for (n, t) in unit.todo.iter().enumerate() {
        out.push_str(&format!(
            "{}. [{}] {}（{}，可挽回 {} 分）\n",
            n + 1,
            t.item,
            crate::diff::short(&t.title, 50),
            t.status.label_zh(),
            fmt_points(t.points_at_stake)
        ));
        for p in &t.problems {
            out.push_str(&format!("   问题：{}\n", p.message));
            if let Some(url) = &p.url {
                out.push_str(&format!("   位置：{url}\n"));
            }
        }
        out.push_str(&format!("   整改建议：{}\n", t.fix));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::UnitKind;
    use crate::findings::{Evidence, Finding};
    use crate::score::{ItemScore, ScoreSummary};

    fn item(id: &str, weight: f64, status: Status, score: Option<f64>, findings: Vec<Finding>) -> ItemScore {
        ItemScore {
            id: id.into(),
            title: format!("{id} 的要求"),
            weight,
            methods: vec![],
            status,
            score,
            findings,
            section: String::new(),
            explanation: String::new(),
            manual: None,
        }
    }

    fn finding(check: &str, status: Status, msg: &str, url: &str) -> Finding {
        Finding {
            check: check.into(),
            status,
            message: msg.into(),
            evidence: vec![Evidence {
                url: url.into(),
                fetched_at: "2025-03-20T02:00:00+08:00".into(),
                sha256: "0".repeat(64),
                excerpt: String::new(),
            }],
        }
    }

    #[test]
    fn ordered_by_points_at_stake_with_location_and_fix() {
        let unit = UnitReport {
            id: "u".into(),
            name: "某街道".into(),
            kind: UnitKind::Street,
            crawl: Default::default(),
            score: ScoreSummary::default(),
            items: vec![
                item(
                    "common-05",
                    1.0,
                    Status::Fail,
                    Some(0.0),
                    vec![finding("sys", Status::Fail, "未找到主动公开制度", "http://x/gkzd/")],
                ),
                item(
                    "common-17",
                    5.0,
                    Status::Partial,
                    Some(2.0),
                    vec![
                        finding("pii", Status::Pass, "附件无泄露", "http://x/a.pdf"),
                        finding(
                            "pii",
                            Status::Fail,
                            "页面公开了身份证号 340111********3411",
                            "http://x/t1.html",
                        ),
                    ],
                ),
                item("common-01", 2.0, Status::Pass, Some(2.0), vec![]),
                item("common-02", 2.0, Status::Manual, None, vec![]),
                item("common-15", 2.0, Status::Error, None, vec![]),
            ],
            trend: vec![],
            todo: vec![],
            annual_reports: vec![],
            columns: vec![],
            script_pages: vec![],
        };
        let kinds: HashMap<String, String> = [
            ("sys".to_string(), "keyword-documents".to_string()),
            ("pii".to_string(), "pii-leak".to_string()),
        ]
        .into();
        let todo = build(&unit, &kinds);
        assert_eq!(todo.iter().map(|t| t.item.as_str()).collect::<Vec<_>>(), ["common-17", "common-05"]);
        assert_eq!(todo[0].points_at_stake, 3.0);
        assert_eq!(todo[0].problems.len(), 1, "passing findings are not problems");
        assert_eq!(todo[0].problems[0].url.as_deref(), Some("http://x/t1.html"));
        assert!(todo[0].fix.contains("脱敏"), "{}", todo[0].fix);
        assert!(todo[1].fix.contains("标题写明其名称"), "{}", todo[1].fix);
        let unit = UnitReport { todo, ..unit };
        let text = render_text(&unit);
        assert!(text.starts_with("某街道自查整改清单（按可挽回分值排序，共 2 项，合计 4 分）"), "{text}");
        assert!(text.find("common-17").unwrap() < text.find("common-05").unwrap());
        assert!(text.contains("位置：http://x/t1.html"));
        assert!(!text.contains("340111199"), "no unmasked ID");
    }

    #[test]
    fn every_declared_kind_has_its_own_advice() {
        let generic = fix_for("");
        for kind in crate::checks::CheckKind::ALL {
            assert_ne!(fix_for(kind.as_str()), generic, "{}", kind.as_str());
        }
    }
}

//! Inspectors' manual and on-site (实地测评) scores, merged into a report to reach the final score.
//!
//! The tool leaves some items to people: items it marks `manual` and the 实地测评 items. Inspectors fill
//! in a plain file, one row per unit and item, in YAML:
//!
//! ```yaml
//! scores:
//!   - {unit: baogong, item: common-03, score: 2, note: 现场查阅台账齐全, inspector: 测评组一}
//! ```
//!
//! or CSV (UTF-8, or GBK as Excel saves it on Chinese Windows), with a header row naming the columns
//! `unit,item,score,note,inspector` (note and inspector optional). Every row is checked before anything is
//! merged: unknown units or items, items that do not apply to the unit, negative scores, scores above the
//! item's weight and duplicate rows are errors naming the file and line.
//!
//! A manual score replaces the automatic one of the same item (the inspector's judgement prevails); the
//! item's contract fields (`status`, `score`) are left as the tool found them and the inspector's score is
//! carried beside them in `manual`. The unit's `score.final` is then the sum over applicable items of the
//! manual score, else the automatic score, else nothing, out of `score.final_max`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::config::UnitsConfig;
use crate::findings::Status;
use crate::report::AuditReport;
use crate::rubric::{Rubric, fmt_points};
use crate::score::round2;

/// An inspector's score of one item (report.json `items[].manual`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManualScore {
    /// Points given, within [0, weight].
    pub score: f64,
    /// Why, in the inspector's words.
    #[serde(default)]
    pub note: String,
    /// Who scored it (an inspector or a group, as the file names them).
    #[serde(default)]
    pub inspector: String,
}

/// One row of a manual file.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualEntry {
    /// The unit id.
    pub unit: String,
    /// The rubric item id.
    pub item: String,
    /// The score and its note.
    pub score: ManualScore,
    /// The row's 1-based line in the file.
    pub line: usize,
}

/// A manual file that cannot be used: the file, the line and what is wrong (in Chinese, for inspectors).
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ManualError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

fn error(path: &Path, line: Option<usize>, message: impl Into<String>) -> ManualError {
    ManualError { path: path.to_path_buf(), line, message: message.into() }
}

/// What each unit can be scored on: unit id → item id → (weight, applies).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    units: HashMap<String, HashMap<String, (f64, bool)>>,
}

impl Catalog {
    /// From a units file and the rubric (to validate before an audit starts).
    pub fn from_config(config: &UnitsConfig, rubric: &Rubric) -> Catalog {
        let units = config
            .units
            .iter()
            .map(|u| {
                let items =
                    rubric.items.iter().map(|i| (i.id.clone(), (i.weight, i.applies_to(u.kind)))).collect();
                (u.id.clone(), items)
            })
            .collect();
        Catalog { units }
    }

    /// From a finished report (for `zwgk-audit score`).
    pub fn from_report(report: &AuditReport) -> Catalog {
        let units = report
            .units
            .iter()
            .map(|u| {
                let items = u
                    .items
                    .iter()
                    .map(|i| (i.id.clone(), (i.weight, i.status != Status::NotApplicable)))
                    .collect();
                (u.id.clone(), items)
            })
            .collect();
        Catalog { units }
    }
}

/// A validated manual file.
#[derive(Debug, Clone, Default)]
pub struct ManualScores {
    /// Its rows, in file order.
    pub entries: Vec<ManualEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scores: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    unit: Spanned<String>,
    item: String,
    score: f64,
    #[serde(default)]
    note: String,
    #[serde(default)]
    inspector: String,
}

impl ManualScores {
    /// Reads a manual file (CSV when it ends in `.csv`, YAML otherwise) and validates it against `catalog`.
    pub fn load(path: &Path, catalog: &Catalog) -> Result<ManualScores, ManualError> {
        let bytes = std::fs::read(path).map_err(|e| error(path, None, format!("无法读取评分文件：{e}")))?;
        let text = decode(&bytes);
        let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let entries = if is_csv { parse_csv(path, &text)? } else { parse_yaml(path, &text)? };
        let scores = ManualScores { entries };
        scores.validate(path, catalog)?;
        Ok(scores)
    }

    fn validate(&self, path: &Path, catalog: &Catalog) -> Result<(), ManualError> {
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for e in &self.entries {
            let at = Some(e.line);
            let Some(items) = catalog.units.get(&e.unit) else {
                return Err(error(path, at, format!("单位“{}”不在本次测评的单位名单中", e.unit)));
            };
            let Some(&(weight, applies)) = items.get(&e.item) else {
                return Err(error(path, at, format!("指标“{}”不是评分细则中的指标", e.item)));
            };
            if !applies {
                return Err(error(path, at, format!("指标 {} 不适用于单位 {}，不能评分", e.item, e.unit)));
            }
            if !e.score.score.is_finite() || e.score.score < 0.0 {
                return Err(error(path, at, format!("单位 {} 指标 {} 的得分不能为负数", e.unit, e.item)));
            }
            if e.score.score > weight + 1e-9 {
                return Err(error(
                    path,
                    at,
                    format!(
                        "单位 {} 指标 {} 的得分 {} 超过该指标权重 {} 分",
                        e.unit,
                        e.item,
                        fmt_points(e.score.score),
                        fmt_points(weight)
                    ),
                ));
            }
            if let Some(first) = seen.insert((&e.unit, &e.item), e.line) {
                return Err(error(
                    path,
                    at,
                    format!("单位 {} 指标 {} 已在第 {first} 行评分，不能重复评分", e.unit, e.item),
                ));
            }
        }
        Ok(())
    }

    /// Merges the scores into `report`: each item's `manual`, each unit's `score.final`, `final_max` and
    /// `unscored_max`. Units without any manual row still get their final figures (with everything the
    /// tool could not score left unscored).
    pub fn apply(&self, report: &mut AuditReport) {
        for unit in &mut report.units {
            for item in &mut unit.items {
                item.manual = self
                    .entries
                    .iter()
                    .find(|e| e.unit == unit.id && e.item == item.id)
                    .map(|e| e.score.clone());
            }
            let (mut earned, mut max, mut unscored) = (0.0, 0.0, 0.0);
            for item in unit.items.iter().filter(|i| i.status != Status::NotApplicable) {
                max += item.weight;
                match (&item.manual, item.score) {
                    (Some(m), _) => earned += m.score,
                    (None, Some(s)) => earned += s,
                    (None, None) => unscored += item.weight,
                }
            }
            unit.score.final_score = Some(round2(earned));
            unit.score.final_max = Some(round2(max));
            unit.score.unscored_max = Some(round2(unscored));
        }
    }
}

/// UTF-8 (a BOM dropped), else GBK, as Excel writes CSV on Chinese Windows.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GBK.decode(bytes).0.into_owned(),
    }
}

fn parse_yaml(path: &Path, text: &str) -> Result<Vec<ManualEntry>, ManualError> {
    let raw: RawFile = crate::yaml::parse(path, text)
        .map_err(|e| error(path, e.line, format!("YAML 格式有误：{}", e.message)))?;
    Ok(raw
        .scores
        .into_iter()
        .map(|r| ManualEntry {
            line: r.unit.referenced.line() as usize,
            unit: r.unit.value.trim().to_string(),
            item: r.item.trim().to_string(),
            score: ManualScore { score: r.score, note: r.note, inspector: r.inspector },
        })
        .collect())
}

fn parse_csv(path: &Path, text: &str) -> Result<Vec<ManualEntry>, ManualError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((header_at, header)) = lines.next() else {
        return Err(error(path, None, "评分文件为空"));
    };
    let header: Vec<String> = split_csv(header)
        .map_err(|m| error(path, Some(header_at + 1), m))?
        .into_iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let known: HashSet<&str> = ["unit", "item", "score", "note", "inspector"].into();
    if let Some(h) = header.iter().find(|h| !known.contains(h.as_str())) {
        return Err(error(
            path,
            Some(header_at + 1),
            format!("未知的列“{h}”（可用的列：unit,item,score,note,inspector）"),
        ));
    }
    let (Some(cu), Some(ci), Some(cs)) = (col("unit"), col("item"), col("score")) else {
        return Err(error(path, Some(header_at + 1), "表头须包含 unit、item、score 三列"));
    };
    let (cn, cp) = (col("note"), col("inspector"));
    let mut out = Vec::new();
    for (i, line) in lines {
        let at = Some(i + 1);
        let cells = split_csv(line).map_err(|m| error(path, at, m))?;
        if cells.len() > header.len() {
            return Err(error(
                path,
                at,
                format!("本行有 {} 列，多于表头的 {} 列", cells.len(), header.len()),
            ));
        }
        let cell =
            |c: Option<usize>| c.and_then(|c| cells.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let raw_score = cell(Some(cs));
        let score: f64 =
            raw_score.parse().map_err(|_| error(path, at, format!("得分“{raw_score}”不是数字")))?;
        out.push(ManualEntry {
            unit: cell(Some(cu)),
            item: cell(Some(ci)),
            score: ManualScore { score, note: cell(cn), inspector: cell(cp) },
            line: i + 1,
        });
    }
    Ok(out)
}

/// Splits one CSV line (RFC 4180 quoting, no line breaks inside a field).
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cur.push(c),
            (false, '"') if cur.trim().is_empty() && !was_quoted => {
                cur.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                cells.push(std::mem::take(&mut cur));
                was_quoted = false;
            }
            (false, c) => cur.push(c),
        }
    }
    if quoted {
        return Err("引号未闭合".to_string());
    }
    cells.push(cur);
    Ok(cells)
}

/// The final-score lines of the one-screen summary (empty when no manual file was merged).
pub fn summary_text(report: &AuditReport) -> String {
    let mut out = String::new();
    for u in &report.units {
        let (Some(f), Some(max)) = (u.score.final_score, u.score.final_max) else { continue };
        let manual = u.items.iter().filter(|i| i.manual.is_some()).count();
        out.push_str(&format!(
            "{}：最终得分 {} / {} 分（网上测评暂定得分 {} 分；人工及实地评分 {} 项",
            u.name,
            fmt_points(f),
            fmt_points(max),
            fmt_points(u.score.online_earned),
            manual
        ));
        let unscored = u.score.unscored_max.unwrap_or(0.0);
        if unscored > 0.0 {
            out.push_str(&format!("；尚有 {} 分的指标未评分", fmt_points(unscored)));
        }
        out.push_str("）\n");
    }
    out
}

#[cfg(test)]
mod tests;

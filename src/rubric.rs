//! The scoring rubric, 附件1 of the seed document, as declared in `checks/rubric.yaml`.
//!
//! The rubric is a source document, not ours to fix: items keep the weights the document prints,
//! the headings keep the totals they declare, and every disagreement between the two is reported by
//! [`Rubric::warnings`] instead of being corrected.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::UnitKind;
use crate::yaml::{self, YamlError};

/// 测评方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 网上测评.
    Online,
    /// 实地测评.
    Onsite,
}

impl Method {
    /// The method in the Chinese of the reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Method::Online => "网上测评",
            Method::Onsite => "实地测评",
        }
    }
}

/// How the credits of an item's automated checks combine into the item's credit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Mean of the decided checks' credits, weighted by each check's weight.
    #[default]
    Mean,
    /// The weakest decided check decides.
    Min,
}

/// One rubric item.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricItem {
    /// `common-01` … `department-05`.
    pub id: String,
    /// Its section heading as the document prints it.
    pub section: String,
    /// The full Chinese text of the item.
    pub text: String,
    /// Points.
    pub weight: f64,
    /// 测评方式.
    pub methods: Vec<Method>,
    /// Unit kinds scored on it.
    pub applies_to: Vec<UnitKind>,
    /// How its checks' credits combine.
    #[serde(default)]
    pub combine: Combine,
    /// What a person must look at when no automated check decides the item, and why the tool cannot
    /// (Chinese).
    #[serde(default)]
    pub manual_reason: Option<String>,
    /// For items judged on site (实地测评): what the inspector checks there, and why no website shows it
    /// (Chinese). Required exactly when `methods` names `onsite`: the only reason an item may stay
    /// `manual` once every online part has a check.
    #[serde(default)]
    pub onsite_reason: Option<String>,
}

impl RubricItem {
    /// Whether a unit of this kind is scored on the item.
    pub fn applies_to(&self, kind: UnitKind) -> bool {
        self.applies_to.contains(&kind)
    }

    /// Whether the item has an online part (网上测评), alone or with an on-site part.
    pub fn is_online(&self) -> bool {
        self.methods.contains(&Method::Online)
    }

    /// Whether the item is judged on site only (实地测评), outside the online score.
    pub fn is_onsite_only(&self) -> bool {
        !self.is_online() && self.methods.contains(&Method::Onsite)
    }

    /// Whether the item is judged both online and on site.
    pub fn is_online_and_onsite(&self) -> bool {
        self.is_online() && self.methods.contains(&Method::Onsite)
    }

    /// The 测评方式 as the document writes it, e.g. "网上测评、实地测评".
    pub fn methods_zh(&self) -> String {
        self.methods.iter().map(|m| m.label_zh()).collect::<Vec<_>>().join("、")
    }
}

/// The points a heading of the document declares, kept so that differences can be reported.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredTotal {
    /// The heading as printed, e.g. "一、示范点建设共性指标(70分)".
    pub heading: String,
    /// The points it declares.
    pub points: f64,
    /// Items covered: those whose id starts with one of these; when empty, those whose `section` is
    /// the heading itself.
    #[serde(default)]
    pub prefixes: Vec<String>,
}

impl DeclaredTotal {
    /// Whether the heading covers the item.
    pub fn covers(&self, item: &RubricItem) -> bool {
        if self.prefixes.is_empty() {
            item.section == self.heading
        } else {
            self.prefixes.iter().any(|p| item.id.starts_with(p.as_str()))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRubric {
    title: String,
    #[serde(default)]
    declared_totals: Vec<DeclaredTotal>,
    items: Vec<RubricItem>,
}

/// The whole rubric.
#[derive(Debug, Clone)]
pub struct Rubric {
    /// The document's title.
    pub title: String,
    /// Items in document order.
    pub items: Vec<RubricItem>,
    /// The totals the document's headings declare, in document order.
    pub declared_totals: Vec<DeclaredTotal>,
}

/// The name the bundled rubric's errors would carry.
const BUNDLED_PATH: &str = "checks/rubric.yaml";
/// `checks/rubric.yaml`, embedded at build time.
const BUNDLED: &str = include_str!("../checks/rubric.yaml");

/// Every item id the contract defines (CONTRACT.md "Rubric item ids"), in document order.
pub fn contract_ids() -> Vec<String> {
    let mut ids = Vec::with_capacity(40);
    ids.extend((1..=27).map(|n| format!("common-{n:02}")));
    ids.extend((1..=8).map(|n| format!("street-{n:02}")));
    ids.extend((1..=5).map(|n| format!("department-{n:02}")));
    ids
}

/// The unit kinds the contract scores on an item, from its id prefix.
fn contract_kinds(id: &str) -> Vec<UnitKind> {
    if id.starts_with("common-") {
        vec![UnitKind::Street, UnitKind::Department, UnitKind::Village]
    } else if id.starts_with("street-") {
        vec![UnitKind::Street]
    } else {
        vec![UnitKind::Department]
    }
}

impl Rubric {
    /// Loads and validates `rubric.yaml`.
    pub fn load(path: &Path) -> Result<Rubric, YamlError> {
        let text = crate::yaml::read(path)?;
        Rubric::parse(path, &text)
    }

    /// The rubric bundled in the binary (`checks/rubric.yaml` at build time), for runs without a
    /// checks directory.
    pub fn bundled() -> Rubric {
        Rubric::parse(Path::new(BUNDLED_PATH), BUNDLED).expect("the bundled rubric.yaml is valid")
    }

    /// Parses and validates rubric YAML that came from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Rubric, YamlError> {
        let raw: RawRubric = yaml::parse(path, text)?;
        // serde gives no spans after parsing; find the line of the n-th occurrence of a needle.
        let line_of = |needle: &str, nth: usize| {
            text.lines().enumerate().filter(|(_, l)| l.contains(needle)).nth(nth).map(|(i, _)| i + 1)
        };
        let known: HashSet<String> = contract_ids().into_iter().collect();
        let mut seen: HashSet<&str> = HashSet::new();
        for item in &raw.items {
            let needle = format!("id: {}", item.id);
            let at = line_of(&needle, 0);
            let bad = |why: String| YamlError::at(path, at, format!("item `{}` {why}", item.id));
            if !known.contains(&item.id) {
                return Err(bad(
                    "is not a rubric id of the contract (common-01…27, street-01…08, department-01…05)"
                        .into(),
                ));
            }
            if !seen.insert(&item.id) {
                return Err(YamlError::at(
                    path,
                    line_of(&needle, 1),
                    format!("duplicate item id `{}`", item.id),
                ));
            }
            if !(item.weight.is_finite() && item.weight > 0.0) {
                return Err(bad(format!("has weight {}, which must be a positive number", item.weight)));
            }
            if item.methods.is_empty() {
                return Err(bad("declares no methods (online, onsite)".into()));
            }
            if item.text.trim().is_empty() || item.section.trim().is_empty() {
                return Err(bad("needs a non-empty section and text".into()));
            }
            let onsite = item.methods.contains(&Method::Onsite);
            match item.onsite_reason.as_deref().map(str::trim) {
                Some("") | None if onsite => {
                    return Err(bad("is judged on site (onsite) and needs an `onsite_reason`".into()));
                }
                Some(_) if !onsite => {
                    return Err(bad("has an `onsite_reason` but is not judged on site (methods)".into()));
                }
                _ => {}
            }
            let mut declared = item.applies_to.clone();
            declared.sort();
            declared.dedup();
            let mut expected = contract_kinds(&item.id);
            expected.sort();
            if declared != expected {
                let names: Vec<&str> = expected.iter().map(|k| k.as_str()).collect();
                return Err(bad(format!("must apply to [{}] (CONTRACT.md)", names.join(", "))));
            }
        }
        for total in &raw.declared_totals {
            if !(total.points.is_finite() && total.points > 0.0) {
                let at = line_of(&total.heading, 0);
                return Err(YamlError::at(
                    path,
                    at,
                    format!("declared total of `{}` must be positive", total.heading),
                ));
            }
        }
        Ok(Rubric { title: raw.title, items: raw.items, declared_totals: raw.declared_totals })
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&RubricItem> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The items a unit of this kind is scored on, in document order.
    pub fn items_for(&self, kind: UnitKind) -> impl Iterator<Item = &RubricItem> {
        self.items.iter().filter(move |i| i.applies_to(kind))
    }

    /// Every disagreement between the document's declared totals and its items, every contract id the
    /// rubric lacks, and every section number printed twice (Chinese, one sentence each).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for total in &self.declared_totals {
            // Compare per unit kind: a unit is scored on the street or the department items, not both.
            let mut sums: Vec<(f64, Vec<&str>)> = Vec::new();
            for kind in [UnitKind::Street, UnitKind::Department, UnitKind::Village] {
                let covered: Vec<&RubricItem> = self.items_for(kind).filter(|i| total.covers(i)).collect();
                if covered.is_empty() {
                    continue;
                }
                let sum: f64 = covered.iter().map(|i| i.weight).sum();
                match sums.iter_mut().find(|(s, _)| (s - sum).abs() < 1e-9) {
                    Some((_, kinds)) => kinds.push(kind.label_zh()),
                    None => sums.push((sum, vec![kind.label_zh()])),
                }
            }
            if sums.is_empty() {
                out.push(format!(
                    "标题“{}”声明{}分，但评分细则中没有属于该标题的指标。",
                    total.heading,
                    fmt_points(total.points)
                ));
            }
            for (sum, kinds) in sums {
                if (sum - total.points).abs() > 1e-9 {
                    out.push(format!(
                        "标题“{}”声明{}分，其下各项指标权重合计{}分（适用于{}），相差{}分；计分以各项指标权重为准，未对原文作更正。",
                        total.heading,
                        fmt_points(total.points),
                        fmt_points(sum),
                        kinds.join("、"),
                        fmt_points((total.points - sum).abs()),
                    ));
                }
            }
        }
        let present: HashSet<&str> = self.items.iter().map(|i| i.id.as_str()).collect();
        for id in contract_ids() {
            if !present.contains(id.as_str()) {
                out.push(format!("评分细则缺少指标 {id}，该项不会出现在报告中。"));
            }
        }
        out.extend(self.duplicate_section_numbers());
        out
    }

    /// Section headings sharing a number ("(三)") within one part of the document.
    fn duplicate_section_numbers(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen: Vec<(String, &str)> = Vec::new();
        let mut last_part = "";
        let mut last_section = "";
        for item in &self.items {
            let part = item.id.split('-').next().unwrap_or("");
            if part != last_part {
                seen.clear();
                last_part = part;
            }
            if item.section == last_section {
                continue;
            }
            last_section = &item.section;
            let Some(number) = section_number(&item.section) else { continue };
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == number) {
                out.push(format!(
                    "标题“{first}”与“{}”使用了相同的序号“({number})”，按原文保留。",
                    item.section
                ));
            }
            seen.push((number, &item.section));
        }
        out
    }
}

/// The number inside a section heading's leading parentheses, ASCII or full-width.
fn section_number(heading: &str) -> Option<String> {
    let rest = heading.strip_prefix('(').or_else(|| heading.strip_prefix('（'))?;
    let end = rest.find([')', '）'])?;
    Some(rest[..end].to_string())
}

/// Points as a report writes them: "2", "1.5", "1.67".
pub fn fmt_points(points: f64) -> String {
    let rounded = (points * 100.0).round() / 100.0;
    let s = format!("{rounded:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn bundled() -> Rubric {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("checks/rubric.yaml");
        Rubric::load(&path).unwrap_or_else(|e| panic!("{e}"))
    }

    fn sum(r: &Rubric, prefix: &str) -> f64 {
        r.items.iter().filter(|i| i.id.starts_with(prefix)).map(|i| i.weight).sum()
    }

    #[test]
    fn bundled_rubric_has_all_40_items_in_contract_order() {
        let r = bundled();
        let ids: Vec<String> = r.items.iter().map(|i| i.id.clone()).collect();
        assert_eq!(ids, contract_ids());
        assert_eq!(sum(&r, "common-"), 60.0);
        assert_eq!(sum(&r, "street-"), 40.0);
        assert_eq!(sum(&r, "department-"), 40.0);
    }

    #[test]
    fn bundled_rubric_keeps_the_seed_weights_and_methods() {
        let r = bundled();
        let weight = |id: &str| r.item(id).unwrap().weight;
        assert_eq!(weight("common-03"), 2.0);
        assert_eq!(weight("common-05"), 1.0);
        assert_eq!(weight("common-24"), 4.0);
        assert_eq!(weight("common-27"), 5.0);
        assert_eq!(weight("street-04"), 15.0);
        assert_eq!(weight("department-03"), 15.0);
        assert!(r.item("common-03").unwrap().is_onsite_only());
        assert!(r.item("common-16").unwrap().is_online_and_onsite());
        assert_eq!(r.item("street-02").unwrap().methods, vec![Method::Online]);
        assert!(r.item("department-05").unwrap().is_onsite_only());
        let c13 = r.item("common-13").unwrap();
        assert_eq!(c13.section, "(三)信息公开规范(10分)");
        assert!(c13.text.starts_with("在《安徽省政府信息公开基本目录规范》的基础上"), "{}", c13.text);
        assert_eq!(r.item("common-18").unwrap().section, "(三)公开渠道多样(8分)");
        assert_eq!(r.items_for(UnitKind::Village).count(), 27);
        assert_eq!(r.items_for(UnitKind::Street).count(), 35);
        assert_eq!(r.items_for(UnitKind::Department).count(), 32);
        assert!(r.items.iter().all(|i| i.manual_reason.is_some()));
    }

    #[test]
    fn warnings_report_70_vs_60_and_the_repeated_section_number_only() {
        let w = bundled().warnings();
        assert_eq!(w.len(), 2, "{w:#?}");
        assert!(w[0].contains("一、示范点建设共性指标(70分)") && w[0].contains("声明70分"), "{}", w[0]);
        assert!(w[0].contains("合计60分") && w[0].contains("相差10分"), "{}", w[0]);
        assert!(
            w[1].contains("(三)信息公开规范(10分)") && w[1].contains("(三)公开渠道多样(8分)"),
            "{}",
            w[1]
        );
    }

    const ONE: &str = "title: t\nitems:\n  - id: common-01\n    section: s\n    text: x\n    weight: 2\n    methods: [online]\n    applies_to: [street, department, village]\n";

    #[test]
    fn duplicate_ids_name_the_second_line() {
        let text = format!("{ONE}{}", &ONE["title: t\nitems:\n".len()..]);
        let e = Rubric::parse(Path::new("r.yaml"), &text).unwrap_err();
        assert_eq!(e.line, Some(9), "{e}");
        assert!(e.to_string().starts_with("r.yaml:9: duplicate item id `common-01`"), "{e}");
    }

    #[test]
    fn invalid_items_are_rejected_with_file_and_line() {
        let cases = [
            (ONE.replace("common-01", "common-28"), "not a rubric id"),
            (ONE.replace("weight: 2", "weight: 0"), "positive"),
            (ONE.replace("weight: 2", "weight: -1"), "positive"),
            (ONE.replace("[online]", "[]"), "no methods"),
            (ONE.replace("[street, department, village]", "[street]"), "must apply to"),
        ];
        for (text, why) in cases {
            let e = Rubric::parse(Path::new("r.yaml"), &text).unwrap_err();
            assert!(e.message.contains(why), "{why}: {e}");
            assert_eq!(e.line, Some(3), "{e}");
        }
        let e = Rubric::parse(Path::new("r.yaml"), &ONE.replace("weight: 2", "weight: 2\n    colour: red"))
            .unwrap_err();
        assert!(e.message.contains("colour"), "{e}");
    }

    #[test]
    fn bundled_copy_matches_the_file() {
        let (a, b) = (Rubric::bundled(), bundled());
        assert_eq!(a.items.len(), 40);
        assert!(
            a.items
                .iter()
                .zip(&b.items)
                .all(|(x, y)| x.id == y.id && x.text == y.text && x.weight == y.weight)
        );
    }

    #[test]
    fn points_are_formatted_without_trailing_zeros() {
        assert_eq!(fmt_points(2.0), "2");
        assert_eq!(fmt_points(1.5), "1.5");
        assert_eq!(fmt_points(5.0 / 3.0), "1.67");
    }
}

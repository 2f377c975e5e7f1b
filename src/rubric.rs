//! The scoring rubric, 附件1 of the seed document, as declared in `checks/rubric.yaml`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::UnitKind;
use crate::yaml::YamlError;

/// 测评方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 网上测评.
    Online,
    /// 实地测评.
    Onsite,
}

/// One rubric item.
#[derive(Debug, Clone, Serialize)]
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
}

/// The whole rubric.
#[derive(Debug, Clone)]
pub struct Rubric {
    /// Items in document order.
    pub items: Vec<RubricItem>,
}

impl Rubric {
    /// Loads `rubric.yaml`.
    pub fn load(path: &Path) -> Result<Rubric, YamlError> {
        let _ = path;
        todo!("rubric helper")
    }
}

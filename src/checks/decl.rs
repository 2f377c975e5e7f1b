//! The YAML schema of a check declaration and its loading with exact line numbers.
//!
//! A declaration is read by hand (not derived) so that `params` can be deserialised with a seed
//! chosen by the already-read `kind`: an unknown or ill-typed parameter is then reported at its own
//! line, which a flattened tagged enum cannot do. `kind` must therefore come before `params`.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::{
    annual_report, annual_report_tables, column_blank, column_fresh, column_present, column_types_fresh,
    columns_linked, consultations, fund_tables, interpretation_formats, keyword_documents, link_present,
    links_alive, metadata_complete, pii_leak, pilot_domains, publish_lag, rectification, search_function,
    service_guides, topic_entries,
};

/// The closed set of check kinds implemented in Rust (one file each under `src/checks/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// A named column exists in the navigation and is not blank.
    ColumnPresent,
    /// A column's newest entry is recent enough.
    ColumnFresh,
    /// Documents matching keyword groups exist.
    KeywordDocuments,
    /// Last year's 政府信息公开工作年度报告 exists and was published on time.
    AnnualReport,
    /// Documents were published within N working days of being written.
    PublishLag,
    /// 政策解读 come in varied forms.
    InterpretationFormats,
    /// No resident ID or mobile number is exposed.
    PiiLeak,
    /// Links from the unit's pages work.
    LinksAlive,
    /// Document pages carry their 公开要素.
    MetadataComplete,
    /// The 年报's table 三 adds up and its text is not copied.
    AnnualReportTables,
    /// No column of the column tree is blank; blank columns held against the veto level.
    ColumnBlank,
    /// Every column judged by the update limit of its type; stale columns held against the veto levels.
    ColumnTypesFresh,
    /// The 专栏's search finds a document known to exist.
    SearchFunction,
    /// 意见征集 entries have long enough windows and, once closed, their feedback.
    Consultations,
    /// Each topic has enough, recent and regular entries.
    TopicEntries,
    /// 惠民资金 are disclosed in tables down to 项目/村组/户 without personal data.
    FundTables,
    /// The unit's pages link to a named service.
    LinkPresent,
    /// A column sits in the 专栏 and its entries are linked with the unit's other documents.
    ColumnsLinked,
    /// The unit's declared 试点领域 have columns or documents, kept up.
    PilotDomains,
    /// 办事指南 state every element.
    ServiceGuides,
    /// Problems found by earlier runs (the history) are fixed now (整改).
    Rectification,
}

impl CheckKind {
    /// What the kind checks, in one Chinese sentence, for reports.
    pub fn summary_zh(self) -> &'static str {
        match self {
            CheckKind::ColumnPresent => "栏目设置：专栏导航中设有规定栏目，且栏目不空白",
            CheckKind::ColumnFresh => "栏目更新：栏目最新信息的日期不早于规定天数",
            CheckKind::KeywordDocuments => {
                "文件查找：按标题、正文和附件查找规定的制度、方案、通知等文件（制度须为本单位文件）"
            }
            CheckKind::AnnualReport => "年度报告：历年政府信息公开工作年度报告齐全，并按期公开",
            CheckKind::PublishLag => "公开时效：成文日期至发布日期不超过规定的工作日数（默认20个）",
            CheckKind::InterpretationFormats => "政策解读形式：文字、图解、视频、动画等多样化解读",
            CheckKind::PiiLeak => {
                "个人隐私和保密：页面和附件未公开身份证号码、手机号码、银行卡号，无密级或内部资料标志"
            }
            CheckKind::LinksAlive => "链接可用：页面链接可以正常访问",
            CheckKind::MetadataComplete => "公开要素：文件页面索引号、发布机构、成文日期、发布日期等要素齐全",
            CheckKind::AnnualReportTables => {
                "年报内容：六个部分齐全，表格数据逻辑一致、与上年衔接，内容不雷同"
            }
            CheckKind::ColumnBlank => "空白栏目：栏目目录中各栏目均有内容，空白栏目不达单项否决线（5个）",
            CheckKind::ColumnTypesFresh => {
                "栏目更新时限：动态要闻2周、通知公告和政策文件6个月、基础信息1年内更新，不达单项否决线"
            }
            CheckKind::SearchFunction => "检索功能：专栏设有检索功能，以已公开文件标题检索能够查到该文件",
            CheckKind::Consultations => {
                "意见征集：公开征求意见的期限符合规定，征求意见结束后公开意见采纳情况"
            }
            CheckKind::TopicEntries => "专题信息：各事项均有信息，数量、最新日期和更新间隔符合要求",
            CheckKind::FundTables => "惠民资金：以表格公开到项目、村组或户，且不含未脱敏的个人信息",
            CheckKind::LinkPresent => "入口链接：页面设有指定平台（如皖事通移动专区）的链接",
            CheckKind::ColumnsLinked => "栏目衔接：栏目设在专栏中，且其信息与专栏其他信息相互链接",
            CheckKind::PilotDomains => "试点领域：单位声明的试点领域均有栏目或信息，且及时更新",
            CheckKind::ServiceGuides => "办事指南：办事指南、办事一本通要素齐全",
            CheckKind::Rectification => {
                "整改落实：历史测评发现的问题在本次测评中已不再出现，并有通过检查的页面为证"
            }
        }
    }

    /// Every kind, in declaration order.
    pub const ALL: [CheckKind; 21] = [
        CheckKind::ColumnPresent,
        CheckKind::ColumnFresh,
        CheckKind::KeywordDocuments,
        CheckKind::AnnualReport,
        CheckKind::PublishLag,
        CheckKind::InterpretationFormats,
        CheckKind::PiiLeak,
        CheckKind::LinksAlive,
        CheckKind::MetadataComplete,
        CheckKind::AnnualReportTables,
        CheckKind::ColumnBlank,
        CheckKind::ColumnTypesFresh,
        CheckKind::SearchFunction,
        CheckKind::Consultations,
        CheckKind::TopicEntries,
        CheckKind::FundTables,
        CheckKind::LinkPresent,
        CheckKind::ColumnsLinked,
        CheckKind::PilotDomains,
        CheckKind::ServiceGuides,
        CheckKind::Rectification,
    ];
}

impl CheckKind {
    /// The kind's name as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::ColumnPresent => "column-present",
            CheckKind::ColumnFresh => "column-fresh",
            CheckKind::KeywordDocuments => "keyword-documents",
            CheckKind::AnnualReport => "annual-report",
            CheckKind::PublishLag => "publish-lag",
            CheckKind::InterpretationFormats => "interpretation-formats",
            CheckKind::PiiLeak => "pii-leak",
            CheckKind::LinksAlive => "links-alive",
            CheckKind::MetadataComplete => "metadata-complete",
            CheckKind::AnnualReportTables => "annual-report-tables",
            CheckKind::ColumnBlank => "column-blank",
            CheckKind::ColumnTypesFresh => "column-types-fresh",
            CheckKind::SearchFunction => "search-function",
            CheckKind::Consultations => "consultations",
            CheckKind::TopicEntries => "topic-entries",
            CheckKind::FundTables => "fund-tables",
            CheckKind::LinkPresent => "link-present",
            CheckKind::ColumnsLinked => "columns-linked",
            CheckKind::PilotDomains => "pilot-domains",
            CheckKind::ServiceGuides => "service-guides",
            CheckKind::Rectification => "rectification",
        }
    }
}

/// A kind's parameters, typed by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum KindParams {
    /// `column-present`.
    ColumnPresent(column_present::Params),
    /// `column-fresh`.
    ColumnFresh(column_fresh::Params),
    /// `keyword-documents`.
    KeywordDocuments(keyword_documents::Params),
    /// `annual-report`.
    AnnualReport(annual_report::Params),
    /// `publish-lag`.
    PublishLag(publish_lag::Params),
    /// `interpretation-formats`.
    InterpretationFormats(interpretation_formats::Params),
    /// `pii-leak`.
    PiiLeak(pii_leak::Params),
    /// `links-alive`.
    LinksAlive(links_alive::Params),
    /// `metadata-complete`.
    MetadataComplete(metadata_complete::Params),
    /// `annual-report-tables`.
    AnnualReportTables(annual_report_tables::Params),
    /// `column-blank`.
    ColumnBlank(column_blank::Params),
    /// `column-types-fresh`.
    ColumnTypesFresh(column_types_fresh::Params),
    /// `search-function`.
    SearchFunction(search_function::Params),
    /// `consultations`.
    Consultations(consultations::Params),
    /// `topic-entries`.
    TopicEntries(topic_entries::Params),
    /// `fund-tables`.
    FundTables(fund_tables::Params),
    /// `link-present`.
    LinkPresent(link_present::Params),
    /// `columns-linked`.
    ColumnsLinked(columns_linked::Params),
    /// `pilot-domains`.
    PilotDomains(pilot_domains::Params),
    /// `service-guides`.
    ServiceGuides(service_guides::Params),
    /// `rectification`.
    Rectification(rectification::Params),
}

impl KindParams {
    /// Semantic validation after parsing (non-empty lists, sane thresholds); the message is English.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            KindParams::ColumnPresent(p) => p.validate(),
            KindParams::ColumnFresh(p) => p.validate(),
            KindParams::KeywordDocuments(p) => p.validate(),
            KindParams::AnnualReport(p) => p.validate(),
            KindParams::PublishLag(p) => p.validate(),
            KindParams::InterpretationFormats(p) => p.validate(),
            KindParams::MetadataComplete(p) => p.validate(),
            KindParams::AnnualReportTables(p) => p.validate(),
            KindParams::ColumnBlank(p) => p.validate(),
            KindParams::ColumnTypesFresh(p) => p.validate(),
            KindParams::Consultations(p) => p.validate(),
            KindParams::TopicEntries(p) => p.validate(),
            KindParams::FundTables(p) => p.validate(),
            KindParams::LinkPresent(p) => p.validate(),
            KindParams::PilotDomains(p) => p.validate(),
            KindParams::ServiceGuides(p) => p.validate(),
            KindParams::PiiLeak(p) => p.validate(),
            KindParams::Rectification(p) => p.validate(),
            KindParams::ColumnsLinked(_) | KindParams::LinksAlive(_) | KindParams::SearchFunction(_) => {
                Ok(())
            }
        }
    }
}

/// One declared check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckDecl {
    /// Unique id, `[a-z0-9-]+`.
    pub id: String,
    /// Rubric items it informs (e.g. `common-13`).
    pub items: Vec<String>,
    /// The kind.
    pub kind: CheckKind,
    /// Weight within each item (default 1).
    pub weight: f64,
    /// The kind's parameters.
    pub params: KindParams,
    /// 1-based line of the declaration's `id`.
    pub line: usize,
}

/// A checks file: `checks:` and a list of declarations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChecksFile {
    pub(crate) checks: Vec<CheckDecl>,
}

struct ParamsSeed(CheckKind);

impl<'de> DeserializeSeed<'de> for ParamsSeed {
    type Value = KindParams;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KindParams, D::Error> {
        Ok(match self.0 {
            CheckKind::ColumnPresent => KindParams::ColumnPresent(Deserialize::deserialize(d)?),
            CheckKind::ColumnFresh => KindParams::ColumnFresh(Deserialize::deserialize(d)?),
            CheckKind::KeywordDocuments => KindParams::KeywordDocuments(Deserialize::deserialize(d)?),
            CheckKind::AnnualReport => KindParams::AnnualReport(Deserialize::deserialize(d)?),
            CheckKind::PublishLag => KindParams::PublishLag(Deserialize::deserialize(d)?),
            CheckKind::InterpretationFormats => {
                KindParams::InterpretationFormats(Deserialize::deserialize(d)?)
            }
            CheckKind::PiiLeak => KindParams::PiiLeak(Deserialize::deserialize(d)?),
            CheckKind::LinksAlive => KindParams::LinksAlive(Deserialize::deserialize(d)?),
            CheckKind::MetadataComplete => KindParams::MetadataComplete(Deserialize::deserialize(d)?),
            CheckKind::AnnualReportTables => KindParams::AnnualReportTables(Deserialize::deserialize(d)?),
            CheckKind::ColumnBlank => KindParams::ColumnBlank(Deserialize::deserialize(d)?),
            CheckKind::ColumnTypesFresh => KindParams::ColumnTypesFresh(Deserialize::deserialize(d)?),
            CheckKind::SearchFunction => KindParams::SearchFunction(Deserialize::deserialize(d)?),
            CheckKind::Consultations => KindParams::Consultations(Deserialize::deserialize(d)?),
            CheckKind::TopicEntries => KindParams::TopicEntries(Deserialize::deserialize(d)?),
            CheckKind::FundTables => KindParams::FundTables(Deserialize::deserialize(d)?),
            CheckKind::LinkPresent => KindParams::LinkPresent(Deserialize::deserialize(d)?),
            CheckKind::ColumnsLinked => KindParams::ColumnsLinked(Deserialize::deserialize(d)?),
            CheckKind::PilotDomains => KindParams::PilotDomains(Deserialize::deserialize(d)?),
            CheckKind::ServiceGuides => KindParams::ServiceGuides(Deserialize::deserialize(d)?),
            CheckKind::Rectification => KindParams::Rectification(Deserialize::deserialize(d)?),
        })
    }
}

/// Parameters of a kind when `params:` is omitted: valid only if every parameter has a default.
fn default_params<E: de::Error>(kind: CheckKind) -> Result<KindParams, E> {
    let empty: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    ParamsSeed(kind).deserialize(empty.into_deserializer()).map_err(|e: de::value::Error| {
        E::custom(format!("missing `params` for kind `{}`: {e}", kind.as_str()))
    })
}

impl<'de> Deserialize<'de> for CheckDecl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CheckDecl, D::Error> {
        d.deserialize_map(DeclVisitor)
    }
}

struct DeclVisitor;

const FIELDS: &[&str] = &["id", "items", "kind", "weight", "params"];

impl<'de> Visitor<'de> for DeclVisitor {
    type Value = CheckDecl;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a check declaration {id, items, kind, weight, params}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CheckDecl, A::Error> {
        let mut id: Option<Spanned<String>> = None;
        let mut items: Option<Vec<String>> = None;
        let mut kind: Option<CheckKind> = None;
        let mut weight: Option<f64> = None;
        let mut params: Option<KindParams> = None;
        while let Some(key) = map.next_key::<String>()? {
            let dup = || de::Error::custom(format!("duplicate field `{key}`"));
            match key.as_str() {
                "id" if id.is_some() => return Err(dup()),
                "id" => id = Some(map.next_value()?),
                "items" if items.is_some() => return Err(dup()),
                "items" => items = Some(map.next_value()?),
                "kind" if kind.is_some() => return Err(dup()),
                "kind" => kind = Some(map.next_value()?),
                "weight" if weight.is_some() => return Err(dup()),
                "weight" => weight = Some(map.next_value()?),
                "params" if params.is_some() => return Err(dup()),
                "params" => {
                    let Some(k) = kind else {
                        return Err(de::Error::custom("`kind` must come before `params`"));
                    };
                    params = Some(map.next_value_seed(ParamsSeed(k))?);
                }
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        let kind = kind.ok_or_else(|| de::Error::missing_field("kind"))?;
        let items = items.ok_or_else(|| de::Error::missing_field("items"))?;
        let params = match params {
            Some(p) => p,
            None => default_params(kind)?,
        };
        Ok(CheckDecl {
            id: id.value,
            items,
            kind,
            weight: weight.unwrap_or(1.0),
            params,
            line: id.referenced.line() as usize,
        })
    }
}

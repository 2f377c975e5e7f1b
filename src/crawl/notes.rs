//! Crawl notes: every bound the crawl ran into (a named setting of the units file), counted per unit and
//! shown with a few example URLs in report.json (`crawl.limits_hit`, `crawl.notes`) and report.html.
//!
//! A note says what the crawler did not read, or read only in part, and why; it is not a finding against
//! the unit. The messages are Chinese, for the reports.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::Settings;

/// Most example notes kept per kind and unit (the count in `limits_hit` is complete).
pub const MAX_NOTES_PER_KIND: usize = 5;

/// Which bound was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// `max_depth`: a link lay deeper than allowed.
    Depth,
    /// `max_pages_per_unit`: the unit's page budget ran out.
    Pages,
    /// `unit_time_budget_secs`: the unit's time ran out.
    Time,
    /// `max_url_length`: an ever-growing URL.
    UrlLength,
    /// `max_query_variants_per_path`: a calendar or search-result trap.
    QueryVariants,
    /// `max_body_bytes`: a body (or its decompressed form) was cut.
    BodySize,
    /// `request_timeout_secs`: a body still dripping when the total time ran out was cut.
    SlowResponse,
    /// `max_redirects`: a redirect chain or loop.
    Redirects,
    /// `host_failure_limit`: a host stopped answering.
    HostUnreachable,
    /// A page whose bytes are invalid in every encoding tried (decoded with replacement characters).
    EncodingErrors,
    /// `max_sitemap_files` / `max_sitemap_urls`: a sitemap listed more than was read.
    Sitemap,
}

impl Limit {
    /// The setting that bounds it (empty for invalid encodings, which no setting bounds: decoding is
    /// linear in a body that `max_body_bytes` already bounds).
    pub fn setting(self) -> &'static str {
        match self {
            Limit::Depth => "max_depth",
            Limit::Pages => "max_pages_per_unit",
            Limit::Time => "unit_time_budget_secs",
            Limit::UrlLength => "max_url_length",
            Limit::QueryVariants => "max_query_variants_per_path",
            Limit::BodySize => "max_body_bytes",
            Limit::SlowResponse => "request_timeout_secs",
            Limit::Redirects => "max_redirects",
            Limit::HostUnreachable => "host_failure_limit",
            Limit::EncodingErrors => "",
            Limit::Sitemap => "max_sitemap_urls",
        }
    }

    /// What happened, in the reports' Chinese, with the setting's value.
    pub fn message_zh(self, s: &Settings) -> String {
        match self {
            Limit::Depth => format!("链接层级超过 max_depth（{}），更深的页面未抓取", s.max_depth),
            Limit::Pages => {
                format!("抓取页面数达到 max_pages_per_unit（{}），其余页面未抓取", s.max_pages_per_unit)
            }
            Limit::Time => format!(
                "抓取用时达到 unit_time_budget_secs（{} 秒），其余页面未抓取",
                s.unit_time_budget.as_secs_f64()
            ),
            Limit::UrlLength => format!(
                "网址长度超过 max_url_length（{} 个字符），疑似不断增长的查询串，未抓取",
                s.max_url_length
            ),
            Limit::QueryVariants => format!(
                "同一路径的不同查询参数超过 max_query_variants_per_path（{} 个），疑似日历或搜索结果陷阱，其余未抓取",
                s.max_query_variants_per_path
            ),
            Limit::BodySize => {
                format!(
                    "响应内容超过 max_body_bytes（{} 字节），只保存了前 {} 字节",
                    s.max_body_bytes, s.max_body_bytes
                )
            }
            Limit::SlowResponse => format!(
                "响应在 request_timeout_secs（{} 秒）内未传输完毕，只保存了已收到的部分",
                s.request_timeout.as_secs_f64()
            ),
            Limit::Redirects => {
                format!("重定向超过 max_redirects（{} 次），疑似重定向循环，页面无法读取", s.max_redirects)
            }
            Limit::HostUnreachable => format!(
                "站点无法访问（连续 {} 次请求失败，或 robots.txt 无法获取），本次不再向其发送请求，相关页面记为无法判定",
                s.host_failure_limit
            ),
            Limit::EncodingErrors => {
                "页面含有任何编码都无法解读的字节，已用替换字符解码，个别文字可能缺失".to_string()
            }
            Limit::Sitemap => format!(
                "网站地图所列内容超过 max_sitemap_files（{} 个文件）或 max_sitemap_urls（{} 个网址），其余未读取",
                s.max_sitemap_files, s.max_sitemap_urls
            ),
        }
    }
}

/// One note: which bound, where, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlNote {
    /// The bound.
    pub kind: Limit,
    /// The setting that bounds it (empty when none does).
    pub setting: String,
    /// The URL (or host) it concerns.
    pub url: String,
    /// What happened, in Chinese.
    pub message: String,
}

/// A unit's notes: every hit counted, the first few of each kind kept as examples.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// Hits per kind.
    pub counts: BTreeMap<Limit, usize>,
    /// Examples, at most [`MAX_NOTES_PER_KIND`] per kind, in the order they happened.
    pub examples: Vec<CrawlNote>,
}

impl Notes {
    /// Records a hit of `kind` at `url`.
    pub fn hit(&mut self, kind: Limit, url: &str, settings: &Settings) {
        let n = self.counts.entry(kind).or_insert(0);
        *n += 1;
        if *n <= MAX_NOTES_PER_KIND {
            self.examples.push(CrawlNote {
                kind,
                setting: kind.setting().to_string(),
                url: url.chars().take(300).collect(),
                message: kind.message_zh(settings),
            });
        }
    }

    /// Whether `kind` was hit.
    pub fn has(&self, kind: Limit) -> bool {
        self.counts.contains_key(&kind)
    }
}

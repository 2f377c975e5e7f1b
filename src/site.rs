//! A unit's crawl assembled into what an inspector browses: pages with their facts, and the 专栏's
//! columns (name, URL, entries across all list pages) found from the navigation.

use crate::config::Unit;
use crate::extract::{ListEntry, PageFacts};
use crate::findings::Evidence;
use crate::store::FetchRecord;

/// One stored response and, for HTML pages, what the extractors saw in it.
#[derive(Debug, Clone)]
pub struct SitePage {
    /// The stored response.
    pub record: FetchRecord,
    /// Extracted facts, for successfully fetched HTML pages.
    pub facts: Option<PageFacts>,
}

/// A column (栏目) of the unit's 专栏, as found in its navigation.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The name shown in the navigation.
    pub name: String,
    /// The column's URL.
    pub url: String,
    /// Entries over all fetched pages of the column's list, newest first when dated.
    pub entries: Vec<ListEntry>,
    /// The list pages read (the column URL and its paging pages that were fetched).
    pub list_pages: Vec<String>,
    /// Whether the column page itself was fetched successfully.
    pub fetched: bool,
}

/// Everything known about one unit's site after the crawl.
#[derive(Debug, Clone)]
pub struct UnitSite {
    /// The unit.
    pub unit: Unit,
    /// Every stored response of the unit's crawl.
    pub pages: Vec<SitePage>,
    /// The columns found in the navigation.
    pub columns: Vec<Column>,
}

impl UnitSite {
    /// Decodes and extracts every stored HTML page and assembles the columns.
    pub fn build(unit: &Unit, records: Vec<FetchRecord>) -> UnitSite {
        let _ = (unit, records);
        todo!("checks helper")
    }

    /// The stored page for a URL (requested or final).
    pub fn page(&self, url: &str) -> Option<&SitePage> {
        self.pages.iter().find(|p| p.record.url == url || p.record.final_url == url)
    }

    /// Evidence citing a fetched page, with an excerpt; `None` if the URL was never fetched.
    pub fn evidence(&self, url: &str, excerpt: &str) -> Option<Evidence> {
        let p = self.page(url)?;
        Some(Evidence {
            url: p.record.url.clone(),
            fetched_at: p.record.fetched_at.to_rfc3339(),
            sha256: p.record.sha256.clone()?,
            excerpt: excerpt.to_string(),
        })
    }
}

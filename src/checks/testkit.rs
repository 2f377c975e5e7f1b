//! Hand-built sites for the check kinds' table-driven tests: pages with facts set directly, so a test
//! states exactly what the extractors are assumed to have seen.

use chrono::{DateTime, NaiveDate};
use url::Url;

use crate::config::{Unit, UnitKind};
use crate::extract::{Link, ListEntry, PageFacts};
use crate::site::{SitePage, UnitSite};
use crate::store::{FetchKind, FetchRecord};

/// A date from `YYYY-MM-DD`.
pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// A stored response for `url` with the given status/error, as a page fetch.
pub fn record(url: &str, status: Option<u16>, error: Option<&str>) -> FetchRecord {
    FetchRecord {
        id: 0,
        unit_id: "t".into(),
        url: url.into(),
        final_url: url.into(),
        kind: FetchKind::Page,
        depth: 0,
        referrer: None,
        status,
        error: error.map(str::to_string),
        content_type: Some("text/html; charset=utf-8".into()),
        headers: Vec::new(),
        fetched_at: DateTime::parse_from_rfc3339("2021-11-25T02:00:00+08:00").expect("time"),
        sha256: status.map(|_| format!("{:064x}", url.len())),
        body: b"<html></html>".to_vec(),
        truncated: false,
        revalidated: None,
    }
}

/// A list entry.
pub fn entry(title: &str, url: &str, date: Option<&str>) -> ListEntry {
    ListEntry { title: title.into(), url: url.into(), date: date.map(d) }
}

/// Facts of a page with a navigation.
pub fn facts_nav(url: &str, nav: &[(&str, &str)]) -> PageFacts {
    PageFacts {
        url: url.into(),
        nav: nav.iter().map(|(t, u)| Link { text: (*t).into(), url: (*u).into() }).collect(),
        ..PageFacts::default()
    }
}

/// Facts of a list page with entries and paging.
pub fn facts_list(url: &str, entries: Vec<ListEntry>, paging: &[&str]) -> PageFacts {
    PageFacts {
        url: url.into(),
        list_entries: entries,
        paging: paging.iter().map(|p| (*p).to_string()).collect(),
        ..PageFacts::default()
    }
}

/// Facts of a document page with a title and text.
pub fn facts_doc(url: &str, title: &str, text: &str) -> PageFacts {
    PageFacts { url: url.into(), title: Some(title.into()), text: text.into(), ..PageFacts::default() }
}

/// Builds a [`UnitSite`] page by page.
pub struct SiteBuilder {
    unit: Unit,
    pages: Vec<SitePage>,
}

impl SiteBuilder {
    /// A street unit with one root.
    pub fn new(root: &str) -> SiteBuilder {
        SiteBuilder {
            unit: Unit {
                id: "t".into(),
                name: "测试街道".into(),
                kind: UnitKind::Street,
                roots: vec![Url::parse(root).expect("root")],
                domains: Vec::new(),
            },
            pages: Vec::new(),
        }
    }

    /// The unit being built.
    pub fn unit(&self) -> Unit {
        self.unit.clone()
    }

    /// Sets the unit kind.
    pub fn kind(mut self, kind: UnitKind) -> SiteBuilder {
        self.unit.kind = kind;
        self
    }

    /// A page fetched with 200 and read into `facts`.
    pub fn page(mut self, url: &str, facts: PageFacts) -> SiteBuilder {
        self.pages.push(SitePage::new(record(url, Some(200), None), Some(facts), None, None));
        self
    }

    /// A request that failed (an HTTP status without a usable body, or a transport error).
    pub fn failed(mut self, url: &str, status: Option<u16>, error: Option<&str>) -> SiteBuilder {
        let mut rec = record(url, status, error);
        rec.body.clear();
        self.pages.push(SitePage::new(rec, None, None, None));
        self
    }

    /// A request of the given kind (for links checks: external or attachment).
    pub fn fetched_as(
        mut self,
        url: &str,
        kind: FetchKind,
        status: Option<u16>,
        error: Option<&str>,
    ) -> SiteBuilder {
        let mut rec = record(url, status, error);
        rec.kind = kind;
        self.pages.push(SitePage::new(rec, None, None, None));
        self
    }

    /// A text attachment whose content was decoded.
    pub fn attachment_text(mut self, url: &str, text: &str) -> SiteBuilder {
        let mut rec = record(url, Some(200), None);
        rec.kind = FetchKind::Attachment;
        self.pages.push(SitePage::new(rec, None, Some(text.into()), None));
        self
    }

    /// The site.
    pub fn build(self) -> UnitSite {
        UnitSite::from_pages(&self.unit, self.pages)
    }
}

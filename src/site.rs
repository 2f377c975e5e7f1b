//! A unit's crawl assembled into what an inspector browses: pages with their facts, and the 专栏's
//! columns (name, URL, entries across all list pages) found from the navigation.
//!
//! Checks never look at raw records: they ask this model for a column by name, the unit's document
//! pages, or evidence for a URL, so that every check cites pages in the same way.

use std::collections::VecDeque;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use chrono::NaiveDate;
use url::Url;

use crate::config::Unit;
use crate::crawl::decode::decode;
use crate::extract::{ListEntry, PageFacts, extract_page};
use crate::findings::Evidence;
use crate::sketch::TextSketch;
use crate::store::{FetchKind, FetchRecord};

/// One stored response and, for HTML pages, what the extractors saw in it.
#[derive(Debug, Clone)]
pub struct SitePage {
    /// The stored response.
    pub record: FetchRecord,
    /// Extracted facts, for successfully fetched HTML pages.
    pub facts: Option<PageFacts>,
    /// Text of an attachment (txt and csv decoded; pdf, docx, xlsx and ofd extracted), for the checks.
    pub attachment_text: Option<String>,
    /// Why an attachment's text is missing or incomplete (scanned, encrypted, unsupported format …).
    pub attachment_note: Option<crate::attachments::AttachmentNote>,
    /// The sketch of the page's text or the attachment's text, made when a check first asks
    /// ([`SitePage::sketch`]).
    pub sketch: std::sync::OnceLock<TextSketch>,
}

impl SitePage {
    /// A page as the site model holds it.
    pub fn new(
        record: FetchRecord,
        facts: Option<PageFacts>,
        attachment_text: Option<String>,
        attachment_note: Option<crate::attachments::AttachmentNote>,
    ) -> SitePage {
        SitePage { record, facts, attachment_text, attachment_note, sketch: std::sync::OnceLock::new() }
    }

    /// Which words may occur in the texts the checks search on this page: the visible text of an HTML
    /// page and the text of an attachment (see [`TextSketch`]).
    pub fn sketch(&self) -> &TextSketch {
        self.sketch.get_or_init(|| {
            let page = self.facts.as_ref().map(|f| f.text.as_str());
            TextSketch::of_all(page.into_iter().chain(self.attachment_text.as_deref()))
        })
    }
}

/// A column (栏目) of the unit's 专栏: a node of the column tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The name shown in the navigation.
    pub name: String,
    /// The column's URL.
    pub url: String,
    /// Entries over all fetched pages of the column's list, newest first when dated.
    pub entries: Vec<ListEntry>,
    /// The list pages read (the column URL, its paging pages and its list frames that were fetched).
    pub list_pages: Vec<String>,
    /// Whether the column page itself was fetched successfully.
    pub fetched: bool,
    /// The URL of the parent column; `None` for a first-level column.
    pub parent: Option<String>,
    /// 1 for a first-level column (linked from the 专栏's entry page), 2 for its sub-columns, …
    pub level: usize,
    /// The date the column's own page says it was updated (更新日期) or, failing that, its page date:
    /// what a single-page column (机构概况, 公开指南) is judged by.
    pub page_date: Option<NaiveDate>,
}

impl Column {
    /// The newest dated entry's date, or for a column without entries its page date (更新日期).
    pub fn newest(&self) -> Option<NaiveDate> {
        match self.entries.iter().filter_map(|e| e.date).max() {
            Some(d) => Some(d),
            None if self.entries.is_empty() => self.page_date,
            None => None,
        }
    }
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
    /// URL (requested, final, and canonical forms) → index in `pages`; built once by `from_pages`.
    index: HashMap<String, usize>,
    /// Canonical URLs of the columns' list pages; built once by `from_pages`.
    list_urls: HashSet<String>,
    /// Each root's scope as the start of a serialized URL (`http://host:port/dir/`): a stored URL, which
    /// `Url` serialized, that starts with one is in scope without being parsed again.
    scope_prefixes: Vec<String>,
    /// [`UnitSite::titled_docs`], once asked.
    titled: std::sync::OnceLock<Vec<TitledDoc>>,
    /// [`UnitSite::linker_of`], once asked: link URL → index in `pages` of the first page linking it.
    linkers: std::sync::OnceLock<HashMap<String, usize>>,
    /// Pages whose content exists only after their scripts run: read through their data API or
    /// rendered in a headless browser.
    pub script_pages: Vec<ScriptPage>,
}

/// A page the static HTML did not show in full (report.json `script_pages`, an extension).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScriptPage {
    /// The page.
    pub url: String,
    /// How it was read: `data_api` (the endpoint its script calls) or `rendered` (headless browser).
    pub via: String,
    /// The endpoint, for `data_api`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// List entries read that way.
    pub entries: usize,
}

/// Most columns in one unit's tree (a bound against sites whose every page has its own menu).
const MAX_COLUMNS: usize = 400;
/// Deepest column level followed from menus.
const MAX_LEVEL: usize = 4;

/// A URL with a trailing directory index file removed: on TRS-like sites `…/gzdt/index.html` and
/// `…/gzdt/` are the same page.
pub fn canonical_url(url: &str) -> &str {
    const INDEX_FILES: &[&str] = &[
        "index.html",
        "index.htm",
        "index.shtml",
        "index.jsp",
        "index.php",
        "default.html",
        "default.htm",
        "default.aspx",
    ];
    for f in INDEX_FILES {
        if let Some(dir) = url.strip_suffix(f)
            && dir.ends_with('/')
        {
            return dir;
        }
    }
    url
}

/// The same URL with its trailing slash dropped, or added to a last path segment without an extension;
/// `None` for a site's root, a query or a file name.
pub fn slash_twin(url: &str) -> Option<String> {
    if url.contains('?') || url.contains('#') {
        return None;
    }
    let (_, rest) = url.split_once("://")?;
    let path = &rest[rest.find('/')?..];
    if path.len() <= 1 {
        return None;
    }
    match url.strip_suffix('/') {
        Some(bare) => Some(bare.to_string()),
        None if !path.rsplit('/').next().unwrap_or("").contains('.') => Some(format!("{url}/")),
        None => None,
    }
}

/// Whether a response body is HTML, by content type or, failing that, by sniffing its first bytes.
/// How much of a body tells HTML from other text ([`is_html`]); pages whose facts the crawl kept come to
/// the site model with only this much of their body ([`crate::store::Store::records_for_site`]).
pub const HTML_SNIFF_BYTES: usize = 1024;

fn is_html(record: &FetchRecord) -> bool {
    if let Some(ct) = &record.content_type {
        let ct = ct.to_ascii_lowercase();
        if ct.contains("html") {
            return true;
        }
        if !ct.starts_with("text/plain") && !ct.contains("octet-stream") && !ct.is_empty() {
            return false;
        }
    }
    let head = &record.body[..record.body.len().min(HTML_SNIFF_BYTES)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body")
}

/// Whether an attachment is plain text whose content can be scanned (txt, csv).
fn is_text_attachment(record: &FetchRecord) -> bool {
    let ct = record.content_type.as_deref().unwrap_or("").to_ascii_lowercase();
    let path = record.url.to_ascii_lowercase();
    ct.starts_with("text/plain")
        || ct.starts_with("text/csv")
        || path.ends_with(".txt")
        || path.ends_with(".csv")
}

/// Whether a fetch error means the crawler chose not to ask (robots.txt, the private-address guard),
/// which says nothing about the site.
pub fn is_skip_error(error: &str) -> bool {
    error.contains("robots") || error.starts_with("refused:") || error.contains("special-purpose")
}

/// The directory of a root: its path up to and including the last `/`.
fn scope_dir(root: &Url) -> &str {
    match root.path().rfind('/') {
        Some(i) => &root.path()[..=i],
        None => "/",
    }
}

/// Normalises a name for matching: whitespace and common separators removed.
pub fn normalize_name(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '·' && *c != '>').collect()
}

/// Attachment texts by the SHA-256 of the attachment's bytes: those known before a unit's site is
/// built (kept by an earlier run, [`crate::store::Store::unit_attachment_texts`]) and those read while
/// building it, to keep.
#[derive(Debug, Default)]
pub struct AttachmentTexts {
    known: HashMap<String, Vec<u8>>,
    /// Texts read while building, to keep: (SHA-256, JSON of the [`crate::attachments::AttachmentText`]);
    /// none that holds a personal number.
    pub read: Vec<(String, Vec<u8>)>,
    /// Texts read ahead of their pages ([`AttachmentTexts::read_pdfs`]), by SHA-256, until handed out.
    fresh: HashMap<String, crate::attachments::AttachmentText>,
}

impl AttachmentTexts {
    /// Texts known already: SHA-256 → JSON, as the store keeps them.
    pub fn known(known: HashMap<String, Vec<u8>>) -> AttachmentTexts {
        AttachmentTexts { known, read: Vec::new(), fresh: HashMap::new() }
    }

    /// The text of an attachment: the known one for the SHA-256 of `body`, else read from it (and kept in
    /// `read` when another run would read the same). The hash is taken here, of the bytes about to be
    /// read, not from the record: text is only ever reused for the very same bytes.
    fn get_or_read(&mut self, body: &[u8]) -> crate::attachments::AttachmentText {
        use crate::attachments::AttachmentText;
        let h = sha256_hex(body);
        if let Some(got) = self.fresh.remove(&h) {
            return got;
        }
        if let Some(got) =
            self.known.get(&h).and_then(|json| serde_json::from_slice::<AttachmentText>(json).ok())
        {
            return got;
        }
        let got = crate::attachments::extract_text(body, &Default::default());
        self.keep(h, &got);
        got
    }

    /// Reads at once the PDFs among `bodies` whose text is not known
    /// ([`crate::attachments::pdf_texts`]: one process for many files), for
    /// [`AttachmentTexts::get_or_read`] to hand out.
    fn read_pdfs<'a>(&mut self, bodies: impl Iterator<Item = &'a [u8]>) {
        let mut todo: Vec<(String, &[u8])> = Vec::new();
        let mut queued = HashSet::new();
        for body in bodies.filter(|b| crate::attachments::is_pdf(b)) {
            let h = sha256_hex(body);
            if !self.known.contains_key(&h) && queued.insert(h.clone()) {
                todo.push((h, body));
            }
        }
        if todo.len() < 2 {
            return;
        }
        let bodies: Vec<&[u8]> = todo.iter().map(|(_, b)| *b).collect();
        let got = crate::attachments::pdf_texts(&bodies, &Default::default());
        for ((h, _), got) in todo.into_iter().zip(got) {
            self.keep(h.clone(), &got);
            self.fresh.insert(h, got);
        }
    }

    /// Notes a text just read: known from now on if another read would give the same, and handed back
    /// to be kept unless it holds a personal number.
    fn keep(&mut self, h: String, got: &crate::attachments::AttachmentText) {
        if got.is_lasting()
            && let Ok(json) = serde_json::to_vec(got)
        {
            // A text with a personal number (or any long digit run) is not handed back to be kept: the
            // store holds such numbers only in the raw responses, as published, never in a copy of
            // ours. That file is read again on the next run.
            if crate::checks::pii_leak::mask_all(&got.text) == got.text {
                self.read.push((h.clone(), json.clone()));
            }
            self.known.insert(h, json);
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

impl UnitSite {
    /// Decodes and extracts every stored HTML page and assembles the columns.
    pub fn build(unit: &Unit, records: Vec<FetchRecord>) -> UnitSite {
        UnitSite::build_with_facts(
            unit,
            records,
            HashMap::new(),
            HashMap::new(),
            &mut AttachmentTexts::default(),
        )
    }

    /// [`UnitSite::build`], taking the facts the crawl already extracted (record id → the bytes of
    /// [`crate::extract::facts_to_cache`]) instead of parsing those pages again.
    ///
    /// Attachments are read through `texts`: a text already known for the same bytes is reused, and
    /// what is read now is added to `texts.read`.
    pub fn build_with_facts(
        unit: &Unit,
        records: Vec<FetchRecord>,
        mut cached: HashMap<i64, Vec<u8>>,
        chromes: HashMap<i64, Vec<u8>>,
        texts: &mut AttachmentTexts,
    ) -> UnitSite {
        // The navigations the kept facts refer to, each parsed once.
        let mut parsed: HashMap<i64, Option<crate::extract::Chrome>> = HashMap::new();
        let mut chrome_of = |id: i64| -> Option<crate::extract::Chrome> {
            parsed
                .entry(id)
                .or_insert_with(|| chromes.get(&id).and_then(|b| serde_json::from_slice(b).ok()))
                .clone()
        };
        // A page rendered in a headless browser is judged by its DOM: the rendered record stands in for
        // the static one (its hash is the DOM's, which is what was read).
        let rendered: HashSet<String> = records
            .iter()
            .filter(|r| r.kind == FetchKind::Rendered && r.is_ok())
            .map(|r| r.url.clone())
            .collect();
        let records = records.into_iter().filter_map(|mut r| match r.kind {
            FetchKind::Page if rendered.contains(&r.url) => None,
            FetchKind::Rendered if r.is_ok() => {
                r.kind = FetchKind::Page;
                Some(r)
            }
            FetchKind::Rendered => None,
            _ => Some(r),
        });
        let records: Vec<FetchRecord> = records.collect();
        texts.read_pdfs(
            records
                .iter()
                .filter(|r| r.kind == FetchKind::Attachment && r.is_ok() && !is_text_attachment(r))
                .map(|r| r.body.as_slice()),
        );
        let pages: Vec<SitePage> = records
            .into_iter()
            .map(|mut record| {
                let mut facts = None;
                let mut attachment_text = None;
                let mut attachment_note = None;
                if record.is_ok() && !record.body.is_empty() {
                    let decoded = || decode(&record.body, record.content_type.as_deref()).text;
                    if record.kind == FetchKind::Page && is_html(&record) {
                        let base = Url::parse(&record.final_url).or_else(|_| Url::parse(&record.url));
                        // Facts this process kept always read back (`facts_from_cache` of
                        // `facts_to_cache`); were they not, only the start of the body would be here to
                        // extract from (`Store::records_for_site`).
                        let kept = cached.remove(&record.id).and_then(|b| {
                            let (mut f, chrome) = crate::extract::facts_from_cache(&b)?;
                            if chrome != 0 {
                                f.set_chrome(chrome_of(chrome)?);
                            }
                            Some(f)
                        });
                        if let Ok(base) = base {
                            let mut f = kept.unwrap_or_else(|| extract_page(&base, &decoded()));
                            // A list loaded by script: its data endpoints are pages of its list.
                            if f.list_entries.is_empty() {
                                f.paging.extend(f.data_apis.iter().cloned());
                            }
                            facts = Some(f);
                        }
                    } else if record.kind == FetchKind::Data {
                        let api = Url::parse(&record.final_url).or_else(|_| Url::parse(&record.url));
                        if let Ok(api) = api {
                            let got = crate::extract::data_api::records(&api, &decoded());
                            facts = Some(PageFacts {
                                url: record.final_url.clone(),
                                list_entries: got.entries,
                                paging: got.pages,
                                ..PageFacts::default()
                            });
                        }
                    } else if record.kind == FetchKind::Attachment && is_text_attachment(&record) {
                        attachment_text = Some(decoded());
                    } else if record.kind == FetchKind::Attachment {
                        let got = texts.get_or_read(&record.body);
                        attachment_note = got.note;
                        attachment_text = Some(got.text).filter(|t| !t.trim().is_empty());
                    }
                    if record.truncated && record.kind == FetchKind::Attachment {
                        attachment_note = Some(crate::attachments::AttachmentNote::TooLarge);
                    }
                }
                if facts.is_some() {
                    // The facts hold everything the checks read of an HTML page; its bytes stay in the
                    // store (evidence packs read them from there), not in every unit's model in memory.
                    record.body = Vec::new();
                }
                SitePage::new(record, facts, attachment_text, attachment_note)
            })
            .collect();
        let mut site = UnitSite::from_pages(unit, pages);
        site.script_pages = site.find_script_pages(&rendered);
        site
    }

    /// The pages read through a data API or rendered, with the entries each gave.
    fn find_script_pages(&self, rendered: &HashSet<String>) -> Vec<ScriptPage> {
        let mut out = Vec::new();
        for p in &self.pages {
            let Some(f) = &p.facts else { continue };
            if p.record.kind != FetchKind::Page {
                continue;
            }
            if rendered.contains(&p.record.url) {
                out.push(ScriptPage {
                    url: p.record.url.clone(),
                    via: "rendered".into(),
                    source: None,
                    entries: f.list_entries.len(),
                });
                continue;
            }
            if !f.list_entries.is_empty() {
                continue;
            }
            for api in &f.data_apis {
                let Some(data) = self.page(api).filter(|d| d.record.kind == FetchKind::Data) else {
                    continue;
                };
                // The endpoint's entries over its own further pages.
                let mut queue = VecDeque::from([data]);
                let (mut seen, mut entries) = (HashSet::new(), HashSet::new());
                while let Some(d) = queue.pop_front() {
                    if !seen.insert(d.record.url.clone()) {
                        continue;
                    }
                    let Some(df) = &d.facts else { continue };
                    entries.extend(df.list_entries.iter().map(|e| e.url.clone()));
                    queue.extend(df.paging.iter().filter_map(|u| self.page(u)));
                }
                // An endpoint that lists nothing (a visit counter, a widget) is not the page's list.
                if !entries.is_empty() {
                    out.push(ScriptPage {
                        url: p.record.url.clone(),
                        via: "data_api".into(),
                        source: Some(api.clone()),
                        entries: entries.len(),
                    });
                }
            }
        }
        out
    }

    /// Assembles the columns over pages already read (used by `build` and by tests).
    pub fn from_pages(unit: &Unit, pages: Vec<SitePage>) -> UnitSite {
        let mut index: HashMap<String, usize> = HashMap::new();
        // Exact URLs first, then canonical forms where no exact URL claims them; within each pass a
        // successful response wins over a failed one for the same URL.
        for canonical in [false, true] {
            for (i, p) in pages.iter().enumerate() {
                let r = &p.record;
                let keys = if canonical {
                    [canonical_url(&r.url), canonical_url(&r.final_url)]
                } else {
                    [r.url.as_str(), r.final_url.as_str()]
                };
                for k in keys {
                    let take = match index.get(k) {
                        None => true,
                        Some(&j) => !canonical && !pages[j].record.is_ok() && r.is_ok(),
                    };
                    if take {
                        index.insert(k.to_string(), i);
                    }
                }
            }
        }
        let mut site = UnitSite {
            unit: unit.clone(),
            pages,
            columns: Vec::new(),
            index,
            list_urls: HashSet::new(),
            scope_prefixes: unit
                .roots
                .iter()
                .map(|r| format!("{}{}", r.origin().ascii_serialization(), scope_dir(r)))
                .collect(),
            titled: std::sync::OnceLock::new(),
            linkers: std::sync::OnceLock::new(),
            script_pages: Vec::new(),
        };
        site.columns = site.assemble_columns();
        site.list_urls = site
            .columns
            .iter()
            .flat_map(|c| std::iter::once(&c.url).chain(&c.list_pages))
            .map(|u| canonical_url(u).to_string())
            .collect();
        site
    }

    /// Builds the column tree: first-level columns from the roots' navigation, sub-columns from the
    /// menus, tabs and box headings of each column's page (breadth first), then columns named only in
    /// other pages' navigation; parents are then corrected from each column page's breadcrumb and, for
    /// columns still without one, from the URL path (…/fdzdgknr/gfxwj/ sits under …/fdzdgknr/).
    fn assemble_columns(&self) -> Vec<Column> {
        let root_urls: HashSet<&str> = self.unit.roots.iter().map(|u| canonical_url(u.as_str())).collect();
        let mut seen: HashSet<String> = HashSet::new();
        let mut columns: Vec<Column> = Vec::new();
        let mut parents: Vec<Option<usize>> = Vec::new();
        let mut queue: VecDeque<(String, Option<usize>)> =
            self.unit.roots.iter().map(|r| (r.to_string(), None)).collect();
        let mut add_from = |page_url: &str,
                            parent: Option<usize>,
                            columns: &mut Vec<Column>,
                            parents: &mut Vec<Option<usize>>|
         -> Vec<usize> {
            let mut added = Vec::new();
            let Some(facts) = self.page(page_url).and_then(|p| p.facts.as_ref()) else { return added };
            for link in &facts.nav {
                if columns.len() >= MAX_COLUMNS {
                    break;
                }
                if root_urls.contains(canonical_url(&link.url))
                    || !self.is_in_scope(&link.url)
                    || link.text.trim().is_empty()
                    || !seen.insert(canonical_url(&link.url).to_string())
                {
                    continue;
                }
                let mut col = self.column_for(link.text.trim(), &link.url);
                col.level = parent.map_or(1, |p| columns[p].level + 1);
                columns.push(col);
                parents.push(parent);
                added.push(columns.len() - 1);
            }
            added
        };
        while let Some((url, parent)) = queue.pop_front() {
            if parent.is_some_and(|p| columns[p].level >= MAX_LEVEL) {
                continue;
            }
            for i in add_from(&url, parent, &mut columns, &mut parents) {
                queue.push_back((columns[i].url.clone(), Some(i)));
            }
        }
        // Columns named only in other pages' menus (a document page's side menu).
        let others: Vec<String> = self
            .pages
            .iter()
            .filter(|p| p.facts.is_some() && self.is_in_scope(&p.record.url))
            .map(|p| p.record.url.clone())
            .collect();
        for url in others {
            add_from(&url, None, &mut columns, &mut parents);
        }
        self.correct_parents(&mut columns, &mut parents);
        for i in 0..columns.len() {
            let mut level = 1;
            let mut p = parents[i];
            while let Some(j) = p {
                level += 1;
                p = parents[j];
                if level > columns.len() {
                    break;
                }
            }
            columns[i].level = level;
            columns[i].parent = parents[i].map(|j| columns[j].url.clone());
        }
        columns
    }

    /// Sets a column's parent from its page's breadcrumb (首页 > 信息公开 > 法定主动公开内容 > 规范性文件),
    /// else from the URL path, never making a cycle.
    fn correct_parents(&self, columns: &mut [Column], parents: &mut [Option<usize>]) {
        let names: Vec<String> = columns.iter().map(|c| normalize_name(&c.name)).collect();
        // Menu nesting seen on the entry pages first, then on the column pages.
        let by_url: HashMap<String, usize> =
            columns.iter().enumerate().map(|(i, c)| (canonical_url(&c.url).to_string(), i)).collect();
        let mut nested: HashMap<usize, usize> = HashMap::new();
        let menu_pages =
            self.root_pages().into_iter().chain(columns.iter().filter_map(|c| self.page(&c.url)));
        for page in menu_pages {
            for (child, parent) in page.facts.iter().flat_map(|f| &f.nav_parents) {
                if let (Some(&c), Some(&p)) =
                    (by_url.get(canonical_url(child)), by_url.get(canonical_url(parent)))
                {
                    nested.entry(c).or_insert(p);
                }
            }
        }
        let is_ancestor = |parents: &[Option<usize>], anc: usize, of: usize| {
            let mut p = Some(of);
            let mut steps = 0;
            while let Some(j) = p {
                if j == anc {
                    return true;
                }
                p = parents[j];
                steps += 1;
                if steps > parents.len() {
                    return true;
                }
            }
            false
        };
        for i in 0..columns.len() {
            let crumb: Vec<String> = self
                .page(&columns[i].url)
                .and_then(|p| p.facts.as_ref())
                .map(|f| f.breadcrumb.iter().map(|t| normalize_name(t)).collect())
                .unwrap_or_default();
            let from_crumb = match crumb.as_slice() {
                [.., up, last] if *last == names[i] => names.iter().position(|n| n == up),
                _ => None,
            };
            let from_path = || {
                if parents[i].is_some() {
                    return None;
                }
                let url = canonical_url(&columns[i].url);
                (0..columns.len())
                    .filter(|&j| j != i)
                    .filter(|&j| {
                        let dir = canonical_url(&columns[j].url);
                        dir.ends_with('/') && url.len() > dir.len() && url.starts_with(dir)
                    })
                    .max_by_key(|&j| canonical_url(&columns[j].url).len())
            };
            let from_menu = nested.get(&i).copied();
            if let Some(j) = from_crumb.filter(|&j| j != i).or(from_menu).or_else(from_path)
                && !is_ancestor(parents, i, j)
            {
                parents[i] = Some(j);
            }
        }
    }

    /// Reads a column's list: its page and every fetched paging page, transitively.
    fn column_for(&self, name: &str, url: &str) -> Column {
        let fetched = self.page(url).is_some_and(|p| p.record.is_ok());
        let mut queue = VecDeque::from([url.to_string()]);
        let mut visited = HashSet::new();
        let mut list_pages = Vec::new();
        let mut entries: Vec<ListEntry> = Vec::new();
        let mut entry_urls = HashSet::new();
        while let Some(u) = queue.pop_front() {
            if !visited.insert(canonical_url(&u).to_string()) {
                continue;
            }
            let Some(facts) = self.page(&u).and_then(|p| p.facts.as_ref()) else { continue };
            // The column page's frames (a list shown in an iframe) are part of its list.
            if list_pages.is_empty() {
                queue.extend(facts.frames.iter().filter(|f| self.is_in_scope(f)).cloned());
            }
            list_pages.push(u);
            for e in &facts.list_entries {
                if entry_urls.insert(e.url.clone()) {
                    entries.push(e.clone());
                }
            }
            queue.extend(facts.paging.iter().filter(|p| !visited.contains(canonical_url(p))).cloned());
        }
        // Newest first; undated entries last, in list order (sort is stable).
        entries.sort_by_key(|e| std::cmp::Reverse(e.date));
        let page_date = self
            .page(url)
            .and_then(|p| p.facts.as_ref())
            .and_then(|f| f.updated_date.or(f.publish_date).or(f.fields.publish_date));
        Column {
            name: name.to_string(),
            url: url.to_string(),
            entries,
            list_pages,
            fetched,
            parent: None,
            level: 1,
            page_date,
        }
    }

    /// The columns whose parent is the column at `url`, in discovery order.
    pub fn children(&self, url: &str) -> Vec<&Column> {
        self.columns.iter().filter(|c| c.parent.as_deref() == Some(url)).collect()
    }

    /// The stored page for a URL (requested or final).
    pub fn page(&self, url: &str) -> Option<&SitePage> {
        let i = self
            .index
            .get(url)
            .or_else(|| self.index.get(canonical_url(url)))
            // The crawler fetches `…/xxgk` and `…/xxgk/` once (crawl::frontier::seen_key).
            .or_else(|| slash_twin(canonical_url(url)).and_then(|t| self.index.get(canonical_url(&t))))?;
        self.pages.get(*i)
    }

    /// Evidence citing a fetched page, with an excerpt; `None` if the URL was never fetched.
    pub fn evidence(&self, url: &str, excerpt: &str) -> Option<Evidence> {
        let p = self.page(url)?;
        Some(Evidence {
            url: p.record.url.clone(),
            fetched_at: p.record.fetched_at.to_rfc3339(),
            sha256: p.record.sha256.clone()?,
            excerpt: excerpt.chars().take(200).collect(),
        })
    }

    /// Whether a URL lies in the unit's scope: same host as a root and under the root's directory.
    pub fn is_in_scope(&self, url: &str) -> bool {
        // Checks read this for every page, many times over: the serialized form needs no parse.
        if self.scope_prefixes.iter().any(|p| url.starts_with(p.as_str())) {
            return true;
        }
        let Ok(u) = Url::parse(url) else { return false };
        self.unit.roots.iter().any(|root| {
            u.scheme() == root.scheme()
                && u.host_str() == root.host_str()
                && u.port_or_known_default() == root.port_or_known_default()
                && u.path().starts_with(scope_dir(root))
        })
    }

    /// The stored pages of the unit's roots (those that were requested at all).
    pub fn root_pages(&self) -> Vec<&SitePage> {
        self.unit.roots.iter().filter_map(|r| self.page(r.as_str())).collect()
    }

    /// Whether at least one root page was fetched and read: without it nothing can be judged.
    pub fn root_readable(&self) -> bool {
        self.root_pages().iter().any(|p| p.facts.is_some())
    }

    /// Evidence for every root page that was fetched (where a missing thing was looked for).
    pub fn root_evidence(&self, excerpt: &str) -> Vec<Evidence> {
        self.root_pages().iter().filter_map(|p| self.evidence(&p.record.url, excerpt)).collect()
    }

    /// Why the unit cannot be judged, if its roots were not readable (for `Status::Error` findings).
    pub fn root_failure(&self) -> Option<String> {
        if self.root_readable() {
            return None;
        }
        let why: Vec<String> = self
            .unit
            .roots
            .iter()
            .map(|r| match self.page(r.as_str()) {
                None => format!("{r}（未抓取）"),
                Some(p) => match (&p.record.status, &p.record.error) {
                    (_, Some(e)) => format!("{r}（{e}）"),
                    (Some(s), None) => format!("{r}（HTTP {s}）"),
                    (None, None) => format!("{r}（无响应）"),
                },
            })
            .collect();
        Some(format!("专栏首页无法访问，无法判定：{}", why.join("；")))
    }

    /// The unit's page requests that got no usable answer for reasons other than "not there" (no
    /// response, 5xx, 403/429 and WAF codes), and all its page requests: (unread, total).
    pub fn fetch_failures(&self) -> (usize, usize) {
        let mine =
            self.pages.iter().filter(|p| p.record.kind == FetchKind::Page && self.is_in_scope(&p.record.url));
        let (mut unread, mut total) = (0, 0);
        for p in mine {
            total += 1;
            let r = &p.record;
            let skipped = r.error.as_deref().is_some_and(is_skip_error);
            if !r.is_ok() && !skipped && !matches!(r.status, Some(301..=308 | 404 | 410)) {
                unread += 1;
            }
        }
        (unread, total)
    }

    /// The first read page, in crawl order, that links `url` (an attachment's page gives it a title,
    /// a date and a column).
    pub fn linker_of(&self, url: &str) -> Option<(&SitePage, &PageFacts)> {
        // Many checks ask, each about many attachments: the map is built once.
        let linkers = self.linkers.get_or_init(|| {
            let mut m = HashMap::new();
            for (i, p) in self.pages.iter().enumerate() {
                let Some(f) = p.facts.as_ref().filter(|_| self.is_in_scope(&p.record.url)) else { continue };
                for l in &f.links {
                    if !m.contains_key(l.url.as_str()) {
                        m.insert(l.url.clone(), i);
                    }
                }
            }
            m
        });
        let p = &self.pages[*linkers.get(url)?];
        Some((p, p.facts.as_ref()?))
    }

    /// In-scope HTML pages that were read, in crawl order.
    pub fn html_pages(&self) -> impl Iterator<Item = (&SitePage, &PageFacts)> {
        self.pages
            .iter()
            .filter(|p| self.is_in_scope(&p.record.url))
            .filter_map(|p| p.facts.as_ref().map(|f| (p, f)))
    }

    /// Document pages: read in-scope pages that are not list pages and carry a date or metadata.
    pub fn document_pages(&self) -> impl Iterator<Item = (&SitePage, &PageFacts)> {
        self.html_pages().filter(move |(p, f)| {
            !self.is_list_page(&p.record.url)
                && (f.publish_date.is_some()
                    || f.fields.written_date.is_some()
                    || f.fields.publish_date.is_some()
                    || f.fields.index_no.is_some())
        })
    }

    /// The first column matching one of `names`: exact names first (in the order given), then a
    /// column whose name contains one of them (公开指南 finds 政府信息公开指南).
    pub fn find_column(&self, names: &[String]) -> Option<&Column> {
        let normalized: Vec<String> =
            names.iter().map(|n| normalize_name(n)).filter(|n| !n.is_empty()).collect();
        let col_names: Vec<String> = self.columns.iter().map(|c| normalize_name(&c.name)).collect();
        for n in &normalized {
            if let Some(i) = col_names.iter().position(|c| c == n) {
                return Some(&self.columns[i]);
            }
        }
        for n in &normalized {
            if let Some(i) = col_names.iter().position(|c| c.contains(n.as_str())) {
                return Some(&self.columns[i]);
            }
        }
        None
    }

    /// Every document known by title: list entries (on column and other list pages) and the titles of
    /// read pages, deduplicated by (URL, title), with the page each was seen on.
    pub fn titled_docs(&self) -> &[TitledDoc] {
        // Many checks ask, each about every page: assembled once.
        self.titled.get_or_init(|| self.assemble_titled_docs())
    }

    fn assemble_titled_docs(&self) -> Vec<TitledDoc> {
        let mut out: Vec<TitledDoc> = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut push = |out: &mut Vec<TitledDoc>, d: TitledDoc| {
            if seen.insert((d.url.clone(), d.title.clone())) {
                out.push(d);
            }
        };
        for (p, f) in self.html_pages() {
            for e in &f.list_entries {
                let d = TitledDoc {
                    title: e.title.clone(),
                    url: e.url.clone(),
                    seen_on: p.record.url.clone(),
                    date: e.date,
                };
                push(&mut out, d);
            }
            if let Some(t) = &f.title
                && !self.is_list_page(&p.record.url)
            {
                let date = f.fields.publish_date.or(f.publish_date);
                let d = TitledDoc {
                    title: t.clone(),
                    url: p.record.url.clone(),
                    seen_on: p.record.url.clone(),
                    date,
                };
                push(&mut out, d);
            }
        }
        out
    }

    /// Whether a read page is a list page (a column's page or paging page, or one listing entries).
    pub fn is_list_page(&self, url: &str) -> bool {
        self.list_urls.contains(canonical_url(url))
            || self.page(url).and_then(|p| p.facts.as_ref()).is_some_and(|f| f.list_entries.len() >= 3)
    }

    /// Evidence for a document: its own page when fetched, else the list page it was seen on.
    pub fn doc_evidence(&self, doc: &TitledDoc, excerpt: &str) -> Vec<Evidence> {
        self.evidence(&doc.url, excerpt)
            .or_else(|| self.evidence(&doc.seen_on, excerpt))
            .into_iter()
            .collect()
    }
}

/// A document known by its title, from a list entry or a page's own title.
#[derive(Debug, Clone, PartialEq)]
pub struct TitledDoc {
    /// The title.
    pub title: String,
    /// The document's URL.
    pub url: String,
    /// The fetched page on which the title was seen (the list page, or the document itself).
    pub seen_on: String,
    /// The date shown with the entry, or the page's publication date.
    pub date: Option<chrono::NaiveDate>,
}

#[cfg(test)]
#[path = "checks/site_tests.rs"]
mod tests;

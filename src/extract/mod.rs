//! Pure functions from (URL, decoded HTML) to the facts an inspector reads off a page.
//!
//! No network, no clock: every pattern seen on a real government CMS gets a fixture and a test here.
//! [`extract_page`] runs them all; `zwgk-audit inspect` prints its result as JSON (CONTRACT.md).
//!
//! - [`text`]: the page as visible lines; title; breadcrumb.
//! - [`dates`]: [`dates::parse_date`] for every date format, and the publication date's order of trust.
//! - [`metadata`]: the 信息公开 metadata table (索引号, 分类, 发布机构 …) into [`Fields`].
//! - [`lists`]: a column's document list ([`ListEntry`]), including Hanweb data-script records.
//! - [`nav`]: the column navigation, told apart from entries, footers and friend links.
//! - [`paging`]: the list's other pages, from links and from JavaScript pagers (bounded).
//! - [`data_api`]: lists a page's script loads from a JSON, XML or HTML data endpoint.
//! - [`media`]: content image, video and player counts.
//! - [`tables`]: the heading row of each content table.
//! - [`annual_report`]: a 年报's year, sections and tables 三 and 四 from HTML.
//! - [`annual_report_text`]: the same from an attachment's plain text (PDF, DOCX).

pub mod annual_report;
pub mod annual_report_text;
pub mod data_api;
pub mod dates;
pub mod depth;
pub mod lists;
pub mod media;
pub mod metadata;
pub mod nav;
pub mod paging;
pub mod plain_html;
pub mod tables;
pub mod text;

use chrono::NaiveDate;
use scraper::node::Element;
use scraper::{ElementRef, Html};
use serde::{Deserialize, Serialize};
use url::Url;

/// A link: its visible text and absolute URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Visible text, whitespace collapsed (the `title` attribute when the text is empty).
    pub text: String,
    /// Absolute URL (fragment removed).
    pub url: String,
}

/// One entry of a list page (a column's document list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// The entry's title.
    pub title: String,
    /// Absolute URL of the entry.
    pub url: String,
    /// The date shown beside the entry, if any.
    pub date: Option<NaiveDate>,
}

/// The 信息公开 metadata table of a document page (CONTRACT.md `fields`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    /// 索引号.
    pub index_no: Option<String>,
    /// 信息分类 / 组配分类 / 主题分类 / 分类.
    pub category: Option<String>,
    /// 发布机构 / 发文机关 / 发文机构.
    pub publisher: Option<String>,
    /// 成文日期 / 生成日期 / 发文日期.
    pub written_date: Option<NaiveDate>,
    /// 发布日期 as the table states it.
    pub publish_date: Option<NaiveDate>,
    /// 文号 / 发文字号 / 发布文号.
    pub doc_no: Option<String>,
    /// 有效性.
    pub validity: Option<String>,
    /// 主题词 / 关键词.
    pub keywords: Option<String>,
}

/// A site-search form: where it sends the query and under which field name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchForm {
    /// The form's absolute action URL.
    pub action: String,
    /// The name of the text field that takes the query.
    pub field: String,
    /// Hidden fields sent with the query (site id, channel …), in page order.
    pub hidden: Vec<(String, String)>,
}

/// Counts of media on a page: what 政策解读 in varied forms needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// Content images (`<img>`), icons and spacers excluded where recognisable.
    pub images: u32,
    /// `<video>` elements and links to video files.
    pub videos: u32,
    /// Embedded players: `<iframe>`, `<embed>`, `<object>` of video/flash/H5 content.
    pub embeds: u32,
}

/// A 政府信息公开工作年度报告 as read from a page (CONTRACT.md `annual_report`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualReport {
    /// The year the report covers.
    pub year: i32,
    /// Section headings found, in order.
    pub sections: Vec<String>,
    /// Table 三, when it could be read.
    pub applications: Option<Applications>,
    /// Table 四 (行政复议、行政诉讼), when it could be read.
    pub review: Option<Review>,
    /// Table 二 (主动公开政府信息情况), when it could be read.
    pub proactive: Option<Proactive>,
}

/// Table 二 of a 年报: row key → its cells, as printed (amounts of fees are in 万元, so not integers):
/// `regulations` and `normative_documents` (规章, 行政规范性文件: 本年制发, 本年废止, 现行有效),
/// `licensing`, `punishment`, `coercion` (行政许可, 行政处罚, 行政强制: 本年处理决定数量), `fees`
/// (行政事业性收费: 本年收费金额). An unreadable cell is `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proactive {
    /// Rows by key.
    pub rows: std::collections::BTreeMap<String, Vec<Option<f64>>>,
}

/// Table 四 of a 年报: three groups of five cells each, in template order
/// 结果维持, 结果纠正, 其他结果, 尚未审结, 总计; an unreadable cell is `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// 行政复议.
    pub reconsideration: Vec<Option<i64>>,
    /// 行政诉讼, 未经复议直接起诉.
    pub lawsuit_direct: Vec<Option<i64>>,
    /// 行政诉讼, 复议后起诉.
    pub lawsuit_after_reconsideration: Vec<Option<i64>>,
}

/// Table 三 of a 年报: canonical row key → 7 cells (自然人 … 总计); an unreadable cell is `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applications {
    /// Rows by canonical key (new_requests, carried_over, granted, …).
    pub rows: std::collections::BTreeMap<String, Vec<Option<i64>>>,
}

/// Everything the extractors see in one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageFacts {
    /// The page URL (absolute).
    pub url: String,
    /// The document's title (the article heading where there is one, else `<title>`).
    pub title: Option<String>,
    /// The page's publication date; never a date it merely mentions.
    pub publish_date: Option<NaiveDate>,
    /// The 信息公开 metadata table.
    pub fields: Fields,
    /// Breadcrumb labels, outermost first (首页 > … > current column).
    pub breadcrumb: Vec<String>,
    /// The column navigation: column name → URL, in page order.
    pub nav: Vec<Link>,
    /// Every `<a href>` (and `<iframe src>`) of the page, absolute, in page order, deduplicated.
    pub links: Vec<Link>,
    /// Entries of the page's document list, if it is a list page.
    pub list_entries: Vec<ListEntry>,
    /// Links to attachments (pdf, doc, docx, xls, xlsx, wps, zip …).
    pub attachments: Vec<Link>,
    /// Image, video and embed counts of the content.
    pub media: Media,
    /// Absolute URLs of the other pages of this list (pagination, including JS-written paging).
    pub paging: Vec<String>,
    /// The date a page says it was last updated (更新日期：…), for single-page columns.
    pub updated_date: Option<NaiveDate>,
    /// Menu nesting: (child column URL, parent column URL) for menu links in a sub-list of another.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nav_parents: Vec<(String, String)>,
    /// The column a document page names in its head (`<meta name="ColumnName">`, as TRS and gov.cn
    /// pages carry): ties a document to its column when no fetched list shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta_column: Option<String>,
    /// Site-search forms (GET forms with a text field), for the search-function probe.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub search_forms: Vec<SearchForm>,
    /// Absolute URLs of the page's `<iframe src>` and `<frame src>`: a column may show its list in one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frames: Vec<String>,
    /// Data endpoints the page's inline scripts request (a list loaded by script from JSON, XML or an
    /// HTML fragment), on the page's own host; see [`data_api`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_apis: Vec<String>,
    /// The heading cells of each content table, in page order (for 惠民资金 tables).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub table_headers: Vec<Vec<String>>,
    /// Present when the page is a 政府信息公开工作年度报告.
    pub annual_report: Option<AnnualReport>,
    /// Present when the input was an attachment (PDF, DOC, WPS, DOCX, XLS, XLSX, OFD) read as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentInfo>,
    /// Visible text of the page body (scripts and styles removed), for keyword and privacy checks.
    #[serde(skip)]
    pub text: String,
}

/// How an attachment was read (`inspect` of an attachment).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    /// The format its bytes say (`pdf`, `doc`, `xls`, `docx` …); a WPS file reads as `doc`.
    pub format: String,
    /// Characters of text extracted.
    pub text_chars: usize,
    /// Why the text is missing or incomplete, in the reports' Chinese; `null` when it was read in full.
    pub note: Option<String>,
}

/// The navigation of a page: its menu, the menu's nesting and its search forms. Nearly every page of a
/// unit has the same, and it is close to half of a page's facts: the crawl keeps each distinct one once
/// ([`crate::store::Store::put_chrome`]) and the page's kept facts refer to it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Chrome {
    /// [`PageFacts::nav`].
    pub nav: Vec<Link>,
    /// [`PageFacts::nav_parents`].
    pub nav_parents: Vec<(String, String)>,
    /// [`PageFacts::search_forms`].
    pub search_forms: Vec<SearchForm>,
}

impl Chrome {
    /// Whether the page has no navigation at all.
    pub fn is_empty(&self) -> bool {
        self.nav.is_empty() && self.nav_parents.is_empty() && self.search_forms.is_empty()
    }
}

impl PageFacts {
    /// Moves the page's navigation out of its facts.
    pub fn take_chrome(&mut self) -> Chrome {
        Chrome {
            nav: std::mem::take(&mut self.nav),
            nav_parents: std::mem::take(&mut self.nav_parents),
            search_forms: std::mem::take(&mut self.search_forms),
        }
    }

    /// Puts a navigation taken by [`PageFacts::take_chrome`] back.
    pub fn set_chrome(&mut self, chrome: Chrome) {
        self.nav = chrome.nav;
        self.nav_parents = chrome.nav_parents;
        self.search_forms = chrome.search_forms;
    }
}

/// A page's facts as the crawl keeps them for the site model ([`crate::store::Store::put_facts`]): every
/// field, the body text included, so that a page is parsed once per run; `chrome` is the id of the
/// navigation kept apart ([`Chrome`]; 0 for none). The fields are JSON, then a NUL byte (which JSON text
/// never holds unescaped), the chrome id in 8 bytes, and the text, the largest part, as it is: neither
/// escaped on the way in nor unescaped on the way out.
pub fn facts_to_cache(facts: &PageFacts, chrome: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(facts.text.len() + 4096);
    serde_json::to_writer(&mut out, facts).expect("page facts serialise");
    out.push(0);
    out.extend_from_slice(&chrome.to_le_bytes());
    out.extend_from_slice(facts.text.as_bytes());
    out
}

/// The facts [`facts_to_cache`] kept, with the id of their navigation; `None` if the bytes are not such
/// facts.
pub fn facts_from_cache(bytes: &[u8]) -> Option<(PageFacts, i64)> {
    let nul = memchr::memchr(0, bytes)?;
    let mut facts: PageFacts = serde_json::from_slice(&bytes[..nul]).ok()?;
    let rest = &bytes[nul + 1..];
    let chrome = i64::from_le_bytes(rest.get(..8)?.try_into().ok()?);
    facts.text = std::str::from_utf8(&rest[8..]).ok()?.to_string();
    Some((facts, chrome))
}

/// File extensions that mark a link as an attachment.
pub const ATTACHMENT_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "zip", "rar", "7z", "ofd", "ppt", "pptx", "txt", "csv",
];

/// Whether a URL's path ends in an attachment extension.
pub fn is_attachment_url(url: &Url) -> bool {
    is_attachment_path(url.path())
}

/// The links among `links` that lead to attachments.
fn attachments_of(links: &[Link]) -> Vec<Link> {
    links.iter().filter(|l| is_attachment_path(serialized_path(&l.url))).cloned().collect()
}

/// The path of a URL as `Url` serializes it (`scheme://host[:port]/path[?query]`), without parsing it
/// again: what [`Url::path`] gives for such a string.
fn serialized_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.find('/').map_or("", |i| &rest[i..]);
    rest.split(['?', '#']).next().unwrap_or("")
}

/// Whether a path ends in an attachment extension.
fn is_attachment_path(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, ext)| {
        ext.len() <= 4 && ATTACHMENT_EXTENSIONS.iter().any(|a| a.eq_ignore_ascii_case(ext))
    })
}

/// A selector of tag names, each with the attributes it must carry (`a[href], iframe[src]`).
pub(crate) type Tags = &'static [(&'static str, &'static [&'static str])];

/// The elements `doc.select` gives for the [`Tags`] selector, the same ones in the same order.
pub(crate) fn select_tags<'a>(doc: &'a Html, tags: Tags) -> impl Iterator<Item = ElementRef<'a>> + 'a {
    select_where(doc, move |v| {
        let name = v.name();
        tags.iter().any(|(t, attrs)| *t == name && attrs.iter().all(|a| v.attr(a).is_some()))
    })
}

/// The elements of `doc` that `keep` accepts, in the order `doc.select` gives matches: every element of
/// the document's arena that is still attached, as scraper's `Select` walks it. Matching a general
/// selector against every node costs more than some extractors; a predicate on names and attributes
/// does not.
pub(crate) fn select_where<'a>(
    doc: &'a Html,
    keep: impl Fn(&Element) -> bool + 'a,
) -> impl Iterator<Item = ElementRef<'a>> + 'a {
    doc.tree.nodes().filter_map(ElementRef::wrap).filter(move |e| e.parent().is_some() && keep(e.value()))
}

/// The elements under `el`, `el` first, that `keep` accepts: what `el.select` gives.
pub(crate) fn within<'a>(
    el: ElementRef<'a>,
    keep: impl Fn(&Element) -> bool + 'a,
) -> impl Iterator<Item = ElementRef<'a>> + 'a {
    el.descendants().filter_map(ElementRef::wrap).filter(move |e| keep(e.value()))
}

/// Whether the element has one of `names` among its classes (`.a, .b` in a selector): its `class`
/// attribute split at ASCII whitespace, compared case-sensitively, as scraper matches classes.
pub(crate) fn has_class(v: &Element, names: &[&str]) -> bool {
    v.attrs()
        .any(|(attr, value)| attr == "class" && value.split_ascii_whitespace().any(|c| names.contains(&c)))
}

/// `a[href]`: a link.
pub(crate) fn is_link(v: &Element) -> bool {
    v.name() == "a" && v.attr_of("href").is_some()
}

/// Most links of one page that the list, paging and navigation extractors look at: bounds their work.
const MAX_ANCHORS: usize = 5000;

/// A link of the page (`a[href]` whose target resolves), with what the list, paging and navigation
/// extractors each ask of every link, worked out once per page.
pub(crate) struct Anchor<'a> {
    pub el: ElementRef<'a>,
    pub url: Url,
    /// [`text::element_text`] of the link.
    pub text: String,
    pub zone: nav::Zone,
}

/// The page's first [`MAX_ANCHORS`] `a[href]` in document order, those whose target resolves.
pub(crate) fn anchors<'a>(base: &Url, doc: &'a Html) -> Vec<Anchor<'a>> {
    select_where(doc, is_link)
        .take(MAX_ANCHORS)
        .filter_map(|el| {
            let url = resolve(base, el.value().attr_of("href")?)?;
            Some(Anchor { el, url, text: text::element_text(el), zone: nav::zone_of(el) })
        })
        .collect()
}

/// Parses a page into the tree [`Html::parse_document`] builds (its parse errors aside, which nothing
/// reads): by [`plain_html`] when the page is within its subset, else by html5ever, its tags' attributes
/// bounded first ([`depth::bounded_attributes`]). The node vector is sized from the markup
/// ([`presized_nodes`]): grown from empty, it is copied several times over.
pub fn parse_document(html: &str) -> Html {
    plain_html::parse(html, presized_nodes(html))
        .unwrap_or_else(|| parse_with_html5ever(&depth::bounded_attributes(html)))
}

/// [`parse_document`] by html5ever alone (sized likewise).
pub fn parse_with_html5ever(html: &str) -> Html {
    use html5ever::tendril::TendrilSink;
    let doc = Html {
        errors: Vec::new(),
        quirks_mode: html5ever::tree_builder::QuirksMode::NoQuirks,
        tree: ego_tree::Tree::with_capacity(scraper::Node::Document, presized_nodes(html)),
    };
    html5ever::driver::parse_document(scraper::HtmlTreeSink::new(doc), Default::default()).one(html)
}

/// Most tree nodes reserved before a parse: a page of ordinary markup has a few thousand; a page of
/// nothing but `<` has none, and must not reserve millions.
const MAX_PRESIZED_NODES: usize = 1 << 15;

/// Nodes to reserve for a page: one element per `<` and as many text nodes again, at most
/// [`MAX_PRESIZED_NODES`] (beyond it the vector grows as the parse goes).
pub fn presized_nodes(html: &str) -> usize {
    let tags = memchr::memchr_iter(b'<', html.as_bytes()).take(MAX_PRESIZED_NODES / 2).count();
    2 * tags + 2
}

/// [`Element::attr`] without its cost: scraper interns the name it is asked for on every call (a hash
/// lookup), then builds, compares and drops a qualified name; an element has a handful of attributes, which a
/// scan compares by name directly. The same attribute: no prefix, no namespace, that local name.
pub(crate) trait AttrOf {
    /// The value of attribute `name`.
    fn attr_of(&self, name: &str) -> Option<&str>;
}

impl AttrOf for Element {
    fn attr_of(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(q, _)| q.prefix.is_none() && q.ns == html5ever::ns!() && &*q.local == name)
            .map(|(_, v)| &**v)
    }
}

/// Runs every extractor on one page.
pub fn extract_page(url: &Url, html: &str) -> PageFacts {
    let doc = parse_document(&depth::bounded_nesting(html));
    let base = base_url(url, &doc);
    let links = links(&base, &doc);
    let attachments = attachments_of(&links);
    let lines = text::lines(&doc);
    let meta = metadata::metadata(&lines);
    let title = text::title(&doc, meta.title.as_deref());
    let anchors = anchors(&base, &doc);
    let list_entries = lists::list_entries_of(&base, &doc, &anchors);
    let entry_titles = list_entries.iter().map(|e| e.title.as_str()).collect();
    let publish_date =
        dates::publish_date(&doc, &lines, meta.fields.publish_date, &entry_titles, title.as_deref());
    let entry_urls = list_entries.iter().map(|e| e.url.clone()).collect();
    let nav = nav::nav(&anchors, &entry_urls);
    let nav_parents = nav::nav_parents(&base, &anchors, &nav);
    PageFacts {
        url: url.to_string(),
        title: title.clone(),
        publish_date,
        fields: meta.fields,
        breadcrumb: text::breadcrumb(&doc),
        nav,
        nav_parents,
        links,
        list_entries,
        attachments,
        media: media::media(&doc),
        paging: paging::paging(url, &base, &doc, &anchors),
        updated_date: dates::updated_date(&lines),
        frames: frames(&base, &doc),
        data_apis: data_api::endpoints(url, &base, &doc),
        search_forms: search_forms(&base, &doc),
        meta_column: meta_column(&doc),
        table_headers: tables::table_headers(&doc),
        annual_report: annual_report::annual_report(&doc, title.as_deref(), &lines),
        attachment: None,
        text: body_text(&doc),
    }
}

/// The URL relative links resolve against: `<base href>` when present and valid, else the page URL.
pub fn base_url(url: &Url, doc: &Html) -> Url {
    select_tags(doc, &[("base", &["href"])])
        .next()
        .and_then(|b| b.value().attr_of("href"))
        .and_then(|h| url.join(h.trim()).ok())
        .unwrap_or_else(|| url.clone())
}

/// Collapses runs of whitespace (including full-width spaces and &nbsp;) into one space and trims.
pub fn clean_text(s: &str) -> String {
    let s = s.trim_matches(is_space);
    if s.is_empty() {
        return String::new();
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    // Runs of text between spaces are copied whole; only the bytes that can begin a whitespace character
    // are decoded (ideographs, whose lead bytes are E4 to E9, never are).
    let mut push_run = |run: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(run);
    };
    let (mut run_start, mut i) = (0, 0);
    while i < b.len() {
        if !may_begin_space(b[i]) {
            i += 1;
            continue;
        }
        // A candidate byte is ASCII or a lead byte, so it starts a character.
        let c = s[i..].chars().next().expect("at a character boundary");
        if is_space(c) {
            if run_start < i {
                push_run(&s[run_start..i]);
            }
            run_start = i + c.len_utf8();
        }
        i += c.len_utf8();
    }
    if run_start < b.len() {
        push_run(&s[run_start..]);
    }
    out
}

/// What [`clean_text`] collapses.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}'
}

/// Whether a byte of UTF-8 may begin a whitespace character: ASCII 9 to 13 and space, and the lead bytes
/// of U+0085 and U+00A0 (C2), U+1680 (E1), U+2000 to U+205F (E2) and U+3000 (E3). A test checks every
/// character that [`char::is_whitespace`] accepts.
fn may_begin_space(b: u8) -> bool {
    matches!(b, 9..=13 | b' ' | 0xC2 | 0xE1 | 0xE2 | 0xE3)
}

/// Resolves an href against the base; only http(s) targets are kept, fragments dropped.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let lower = href.get(..11).unwrap_or(href).to_ascii_lowercase();
    if lower.starts_with("javascript:") || lower.starts_with("mailto:") || lower.starts_with("tel:") {
        return None;
    }
    // The extractors of one page resolve the same hrefs (the links, the shared anchors, the menu's
    // nesting, media, frames): each href is joined once per page and base.
    RESOLVED.with_borrow_mut(|(cached_base, map)| {
        if cached_base.as_str() != base.as_str() || map.len() >= MAX_RESOLVED {
            cached_base.clear();
            cached_base.push_str(base.as_str());
            map.clear();
        }
        if let Some(u) = map.get(href) {
            return u.clone();
        }
        let u = join(base, href);
        map.insert(href.to_string(), u.clone());
        u
    })
}

/// Hrefs remembered per page by [`resolve`] (a bound for pages with very many links).
const MAX_RESOLVED: usize = 4096;

thread_local! {
    /// [`resolve`]'s results for the page being extracted on this thread: its base, then href → URL.
    static RESOLVED: std::cell::RefCell<(String, foldhash::HashMap<String, Option<Url>>)> =
        std::cell::RefCell::default();
}

fn join(base: &Url, href: &str) -> Option<Url> {
    let mut u = base.join(href).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    u.set_fragment(None);
    strip_session_ids(&mut u);
    Some(u)
}

/// Whether a query parameter name is a session id (`JSESSIONID`, `PHPSESSID`, `ASPSESSIONIDxxxx`, …).
fn is_session_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "jsessionid" | "phpsessid" | "sessionid" | "session_id" | "sessid" | "cfid" | "cftoken"
    ) || n.starts_with("aspsessionid")
}

/// Drops session ids from a URL, so one page reached under many sessions is one page: a `;jsessionid=…`
/// path parameter (Java servers) and session-id query parameters. Other parameters keep their order.
pub fn strip_session_ids(u: &mut Url) {
    let path = u.path();
    if let Some(i) = path.to_ascii_lowercase().find(";jsessionid=") {
        let rest = &path[i + 1..];
        let end = rest.find('/').map_or(path.len(), |j| i + 1 + j);
        let cleaned = format!("{}{}", &path[..i], &path[end..]);
        u.set_path(&cleaned);
    }
    if let Some(q) = u.query()
        && q.split('&').any(|kv| is_session_param(kv.split('=').next().unwrap_or("")))
    {
        let kept: String = q
            .split('&')
            .filter(|kv| !kv.is_empty() && !is_session_param(kv.split('=').next().unwrap_or("")))
            .collect::<Vec<&str>>()
            .join("&");
        u.set_query(if kept.is_empty() { None } else { Some(&kept) });
    }
}

fn links(base: &Url, doc: &Html) -> Vec<Link> {
    const SEL: Tags = &[("a", &["href"]), ("iframe", &["src"]), ("frame", &["src"])];
    let mut seen = foldhash::HashSet::default();
    let mut out = Vec::new();
    for el in select_tags(doc, SEL) {
        let v = el.value();
        let Some(href) = v.attr_of("href").or_else(|| v.attr_of("src")) else { continue };
        let Some(u) = resolve(base, href) else { continue };
        let mut text = clean_text(&el.text().collect::<String>());
        if text.is_empty() {
            text = v.attr_of("title").map(clean_text).unwrap_or_default();
        }
        if seen.insert(u.to_string()) {
            out.push(Link { text, url: u.to_string() });
        }
    }
    out
}

/// `<meta name="ColumnName" content="…">` (any case), trimmed; `None` when absent or empty.
fn meta_column(doc: &Html) -> Option<String> {
    const SEL: Tags = &[("meta", &["name", "content"])];
    select_tags(doc, SEL).find_map(|m| {
        let v = m.value();
        let name = v.attr_of("name")?.trim().to_ascii_lowercase();
        if name != "columnname" {
            return None;
        }
        Some(clean_text(v.attr_of("content")?)).filter(|c| !c.is_empty())
    })
}

/// GET forms with one text field that look like a site search (by their action, field name, class,
/// placeholder or button: search, 检索, 搜索, query, keyword …).
fn search_forms(base: &Url, doc: &Html) -> Vec<SearchForm> {
    const FORM: Tags = &[("form", &[])];
    const WORDS: &[&str] = &["search", "检索", "搜索", "query", "keyword", "sword", "searchword", "查询"];
    let mut out = Vec::new();
    for form in select_tags(doc, FORM).take(20) {
        let v = form.value();
        if v.attr_of("method").is_some_and(|m| !m.trim().eq_ignore_ascii_case("get")) {
            continue;
        }
        let action = v.attr_of("action").unwrap_or("");
        let Some(action_url) =
            (if action.trim().is_empty() { Some(base.clone()) } else { resolve(base, action) })
        else {
            continue;
        };
        let mut field = None;
        let mut hidden = Vec::new();
        let mut hay =
            format!("{} {} {}", action, v.attr_of("class").unwrap_or(""), v.attr_of("id").unwrap_or(""));
        for input in within(form, |v| matches!(v.name(), "input" | "button")) {
            let iv = input.value();
            let ty = iv.attr_of("type").unwrap_or("text").to_ascii_lowercase();
            let name = iv.attr_of("name").unwrap_or("");
            hay.push_str(&format!(
                " {name} {} {} {}",
                iv.attr_of("placeholder").unwrap_or(""),
                iv.attr_of("value").unwrap_or(""),
                input.text().collect::<String>()
            ));
            match ty.as_str() {
                "hidden" if !name.is_empty() => {
                    hidden.push((name.to_string(), iv.attr_of("value").unwrap_or("").to_string()))
                }
                "text" | "search" if field.is_none() && !name.is_empty() && iv.name() == "input" => {
                    field = Some(name.to_string())
                }
                _ => {}
            }
        }
        let hay = hay.to_lowercase();
        if let Some(field) = field
            && WORDS.iter().any(|w| hay.contains(w))
        {
            out.push(SearchForm { action: action_url.to_string(), field, hidden });
        }
    }
    out
}

/// The `<iframe src>` and `<frame src>` targets of a page, absolute, in page order, deduplicated.
fn frames(base: &Url, doc: &Html) -> Vec<String> {
    const SEL: Tags = &[("iframe", &["src"]), ("frame", &["src"])];
    let mut out: Vec<String> = Vec::new();
    for el in select_tags(doc, SEL).take(50) {
        if let Some(u) = el.value().attr_of("src").and_then(|s| resolve(base, s))
            && !out.contains(&u.to_string())
        {
            out.push(u.to_string());
        }
    }
    out
}

fn body_text(doc: &Html) -> String {
    use scraper::node::Node;
    let mut out = String::new();
    for node in doc.root_element().descendants() {
        if let Node::Text(t) = node.value() {
            let parent_is_code = node
                .parent()
                .and_then(|p| p.value().as_element())
                .is_some_and(|e| matches!(e.name(), "script" | "style" | "noscript" | "template"));
            if !parent_is_code {
                out.push_str(t);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Selector;

    #[test]
    fn clean_text_knows_every_space() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32).filter(|&c| is_space(c)) {
            let mut buf = [0u8; 4];
            assert!(may_begin_space(c.encode_utf8(&mut buf).as_bytes()[0]), "U+{:04X}", c as u32);
            assert_eq!(clean_text(&format!("甲{c}{c}乙 丙{c}")), "甲 乙 丙", "U+{:04X}", c as u32);
        }
        for (raw, want) in [
            ("", ""),
            (" \u{3000}\u{a0} ", ""),
            ("\n  政府信息公开\u{3000}指南 \t", "政府信息公开 指南"),
            ("a\u{2028}b\u{85}c、。d", "a b c、。d"),
            ("单", "单"),
        ] {
            assert_eq!(clean_text(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn select_tags_gives_what_select_gives() {
        // Markup the tree builder rearranges: misnested formatting (adoption agency), content fostered out
        // of a table, SVG elements with HTML names, a template, attributes in other namespaces.
        let html = r##"<html><head><base href="/x/"><title>T</title><meta name="a" content="b"><meta content="c"></head>
            <body><p><b><a href="1">x<p>y</a></b></p>
            <table><a href="2">fostered</a><tr><td><a>no href</a><iframe src="f"></iframe></td></tr></table>
            <svg><a href="3"/><a xlink:href="4"/><title>svg title</title><embed/></svg>
            <template><a href="5">in template</a></template>
            <object></object><embed src="e"><source src="s"><video></video><img src="i"><form><input></form>
            <frameset><frame src="fr"></frameset><A HREF="6">upper</A></body></html>"##;
        let doc = Html::parse_document(html);
        let cases: &[(&str, Tags)] = &[
            ("a[href]", &[("a", &["href"])]),
            (
                "a[href], iframe[src], frame[src]",
                &[("a", &["href"]), ("iframe", &["src"]), ("frame", &["src"])],
            ),
            ("meta[name][content]", &[("meta", &["name", "content"])]),
            ("meta[content]", &[("meta", &["content"])]),
            ("iframe[src], embed, object", &[("iframe", &["src"]), ("embed", &[]), ("object", &[])]),
            (
                "a[href], source[src], embed[src]",
                &[("a", &["href"]), ("source", &["src"]), ("embed", &["src"])],
            ),
            ("title", &[("title", &[])]),
            ("base[href]", &[("base", &["href"])]),
            ("table", &[("table", &[])]),
            ("form", &[("form", &[])]),
        ];
        for (css, tags) in cases {
            let want: Vec<_> = doc.select(&Selector::parse(css).unwrap()).map(|e| e.id()).collect();
            let got: Vec<_> = select_tags(&doc, tags).map(|e| e.id()).collect();
            assert!(!want.is_empty(), "{css} finds something here");
            assert_eq!(got, want, "{css}");
        }
    }

    /// The predicates that stand for general selectors pick what the selectors pick, in the same order,
    /// with or without a doctype (scraper matches classes case-sensitively either way).
    #[test]
    fn select_where_gives_what_select_gives() {
        let body = r##"<head><meta name="ArticleTitle" content="a"><meta name="ARTICLETITLE" content="b">
            <meta name="articletitle"><meta property="og:title" content="c"><meta property="OG:title" content="d">
            <script src="x.js"></script><script>var a = 1;</script><SCRIPT>b()</SCRIPT></head>
            <body><div class="Title">no</div><div class=" news_title	big ">yes</div><h1>h</h1><H2>h2</H2><h3>no</h3>
            <p class="titles">no</p><span class="tit">t</span><div class="bt
            x">bt</div><div class="artTitle">a</div><div class="arttitle">no</div><h1 class="logo">logo</h1>
            <svg><h1>svg</h1><g class="title"></g></svg>
            <div class="mybreadcrumbs">c</div><div class="Breadcrumb">no</div><div class="path">p</div>
            <div class="paths">no</div><div id="toplocation">l</div><div id="Position">no</div><ul class="weizhi"></ul>
            <div class="x" id="crumb-bar">c</div><span class="dqwz1">d</span>
            <div onclick="go(2)">n</div><a href="javascript:go(3)">3</a><a href="JavaScript:go(4)">4</a>
            <a href="JAVASCRIPT:go(5)">5</a><a href=" javascript:go(6)">6</a><a onclick="x()">7</a>
            <table><tr><th>h</th><td>d<table><tr><td>inner</td></tr></table></td></tr></table>
            <form><input name="q"><button>b</button><select><option>o</option></select></form>
            <a href="1"><img src="i.png"><img alt="alt" src="j.png"><img alt src="k.png"></a></body>"##;
        type Case = (&'static str, fn(&Element) -> bool);
        let cases: &[Case] = &[
            (
                r#"meta[name="ArticleTitle"][content], meta[name="articletitle"][content], meta[property="og:title"][content]"#,
                text::is_meta_title,
            ),
            (
                ".article-title, .article_title, .arti_title, .artTitle, .news-title, .news_title, .content-title, \
                 .content_title, .detail-title, .detail_title, .xxgk_title, .tit, .bt, h1, .title, h2",
                text::is_heading,
            ),
            (
                ".article-title, .article_title, .arti_title, .artTitle, .news-title, .news_title, .content-title, \
                 .content_title, .detail-title, .detail_title, .xxgk_title, h1",
                text::is_strong_heading,
            ),
            (
                ".breadcrumb, .position, .crumb, .location, .bread, .dqwz, .weizhi, .lujing, .path, \
                 [class*=breadcrumb], [class*=crumb], [class*=position], [class*=location], [class*=dqwz], \
                 [id*=position], [id*=location], [id*=crumb], [id*=dqwz]",
                text::is_crumb_bar,
            ),
            ("[onclick], a[href^='javascript'], a[href^='JavaScript']", paging::is_scripted),
            ("script:not([src])", data_api::is_inline_script),
            ("a[href]", is_link),
            ("tr", |v| v.name() == "tr"),
            ("th, td", |v| matches!(v.name(), "th" | "td")),
            ("input, button", |v| matches!(v.name(), "input" | "button")),
            ("img[alt]", |v| v.name() == "img" && v.attr_of("alt").is_some()),
        ];
        for doctype in ["<!DOCTYPE html>", ""] {
            let doc = Html::parse_document(&format!("{doctype}<html>{body}</html>"));
            for (css, keep) in cases {
                let sel = Selector::parse(css).unwrap();
                let want: Vec<_> = doc.select(&sel).map(|e| e.id()).collect();
                assert!(want.len() >= 2, "{css} finds several elements here");
                assert_eq!(select_where(&doc, keep).map(|e| e.id()).collect::<Vec<_>>(), want, "{css}");
                // Within one element, as `el.select` gives.
                let root = doc.root_element();
                let want: Vec<_> = root.select(&sel).map(|e| e.id()).collect();
                assert_eq!(within(root, keep).map(|e| e.id()).collect::<Vec<_>>(), want, "{css} within");
            }
        }
    }

    #[test]
    fn links_resolve_against_base_href_and_drop_scripts() {
        let url = Url::parse("http://gov.example.cn/a/b/index.html").unwrap();
        let html = r#"<html><head><base href="http://gov.example.cn/x/"></head><body>
            <a href="c.html">C</a><a href="javascript:void(0)">no</a><a href="d.pdf#p2">附件</a>
            <a href="c.html">C again</a></body></html>"#;
        let f = extract_page(&url, html);
        let urls: Vec<_> = f.links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["http://gov.example.cn/x/c.html", "http://gov.example.cn/x/d.pdf"]);
        assert_eq!(f.attachments.len(), 1);
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/fixtures/extract/{name}", env!("CARGO_MANIFEST_DIR")))
            .expect("fixture")
    }

    #[test]
    fn detail_page_ignores_distractor_dates() {
        let url = Url::parse("http://gov.example.cn/xxgk/gzdt/202111/t20211115_90.html").unwrap();
        let f = extract_page(&url, &fixture("detail_distractors.html"));
        assert_eq!(f.title.as_deref(), Some("某某区召开2021年安全生产工作会议"));
        assert_eq!(f.publish_date, NaiveDate::from_ymd_opt(2021, 11, 15));
        assert_eq!(f.breadcrumb, ["首页", "信息公开", "工作动态"]);
        assert_eq!(f.media, Media { images: 1, videos: 1, embeds: 0 });
        assert_eq!(f.attachments.len(), 1);
        assert_eq!(f.fields, Fields::default());
        assert!(f.annual_report.is_none());
    }

    #[test]
    fn metadata_table_date_is_the_publish_date_without_meta() {
        let url = Url::parse("http://www.example.gov.cn/zhengce/content/2020-03/09/content_1.htm").unwrap();
        let f = extract_page(&url, &fixture("meta_table_govcn.html"));
        assert_eq!(f.publish_date, NaiveDate::from_ymd_opt(2020, 3, 9));
        assert_eq!(f.title.as_deref(), Some("某某省人民政府办公厅关于加强节能工作的通知"));
    }

    #[test]
    fn lonsun_list_page() {
        let url =
            Url::parse("http://xian.example.gov.cn/public/column/6596?type=4&catId=104&action=list").unwrap();
        let f = extract_page(&url, &fixture("list_lonsun.html"));
        assert_eq!(f.title.as_deref(), Some("政策解读"));
        let entries: Vec<(&str, Option<NaiveDate>)> =
            f.list_entries.iter().map(|e| (e.title.as_str(), e.date)).collect();
        assert_eq!(
            entries,
            [
                ("《某某县2021年稳就业实施方案》政策解读", NaiveDate::from_ymd_opt(2021, 6, 8)),
                ("图解：某某县优化营商环境十条措施", NaiveDate::from_ymd_opt(2021, 5, 27)),
            ]
        );
        let nav: Vec<&str> = f.nav.iter().map(|l| l.text.as_str()).collect();
        for name in
            ["政府信息公开指南", "政府信息公开制度", "政府信息公开年报", "政策解读", "文字解读", "图文解读"]
        {
            assert!(nav.contains(&name), "{name} missing from {nav:?}");
        }
        assert!(!nav.contains(&"网站地图"), "{nav:?}");
        assert_eq!(f.publish_date, None, "a list page has no publish date of its own");
        assert_eq!(f.fields, Fields::default());
        assert_eq!(f.media.images, 0, "the logo is not content");
        assert_eq!(
            f.paging,
            [
                "http://xian.example.gov.cn/public/column/6596?type=4&catId=104&action=list&pageIndex=2",
                "http://xian.example.gov.cn/public/column/6596?type=4&catId=104&action=list&pageIndex=3",
            ]
        );
    }

    #[test]
    fn hostile_inputs_do_not_panic_and_stay_fast() {
        let url = Url::parse("http://x.cn/a/index.html").unwrap();
        let deep = "<div>".repeat(5000) + "索引号：" + &"</div>".repeat(5000);
        let many: String = (0..20_000)
            .map(|i| format!("<li><a href='{i}.html'>第{i}条新闻标题</a><span>2021-06-10</span></li>"))
            .collect();
        let odd = "<table><tr><td rowspan=99999 colspan=99999>本年新收 予以公开</td></tr></table>\u{0}\u{feff}𝕏 发布时间：２０２１年１３月４０日 ";
        for html in [
            deep.as_str(),
            many.as_str(),
            odd,
            "",
            "<",
            "<a href='http://[::1'>x</a>",
            "<script>createPageHTML(1e9,0,'i','html')</script>",
        ] {
            let start = std::time::Instant::now();
            let f = extract_page(&url, html);
            assert!(start.elapsed().as_secs() < 20, "too slow");
            assert!(f.paging.len() <= paging::MAX_PAGES);
        }
        assert_eq!(extract_page(&url, &many).list_entries.len(), 5000);
    }

    #[test]
    fn urls_are_normalised() {
        let base = Url::parse("https://gov.example.cn/xxgk/a/index.html").unwrap();
        let r = |h: &str| resolve(&base, h).map(|u| u.to_string());
        assert_eq!(
            r("//cdn.example.cn/x.pdf").as_deref(),
            Some("https://cdn.example.cn/x.pdf"),
            "protocol-relative"
        );
        assert_eq!(r("../b/list.html#top").as_deref(), Some("https://gov.example.cn/xxgk/b/list.html"));
        assert_eq!(
            r("http://gov.example.cn:80/xxgk/").as_deref(),
            Some("http://gov.example.cn/xxgk/"),
            "default port"
        );
        assert_eq!(
            r("detail.jsp;jsessionid=A1B2C3?id=5&PHPSESSID=zz&page=2").as_deref(),
            Some("https://gov.example.cn/xxgk/a/detail.jsp?id=5&page=2")
        );
        assert_eq!(r("/x/;jsessionid=ABC").as_deref(), Some("https://gov.example.cn/x/"));
        assert_eq!(r("list?ASPSESSIONIDQQ=1").as_deref(), Some("https://gov.example.cn/xxgk/a/list"));
        assert_eq!(
            r("list?sid=7").as_deref(),
            Some("https://gov.example.cn/xxgk/a/list?sid=7"),
            "a site id stays"
        );
    }

    #[test]
    fn text_skips_scripts() {
        let url = Url::parse("http://x.cn/").unwrap();
        let f = extract_page(&url, "<body><p>正文</p><script>var secret=1;</script></body>");
        assert!(f.text.contains("正文"));
        assert!(!f.text.contains("secret"));
    }

    /// The site model reads the crawl's facts back instead of parsing again: they must come back whole,
    /// for every page of the demo site and of the extractor fixtures (年报 tables with fractional fees,
    /// metadata tables, lists, GBK pages).
    #[test]
    fn cached_facts_come_back_whole() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut stack = vec![root.join("demo/site"), root.join("extract"), root.join("annual")];
        let (mut pages, mut with_report) = (0, 0);
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixture dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if !path.extension().is_some_and(|e| e == "html" || e == "htm") {
                    continue;
                }
                let bytes = std::fs::read(&path).expect("fixture");
                let text = crate::crawl::decode::decode(&bytes, None).text;
                let rel =
                    path.strip_prefix(&root).expect("under fixtures").to_string_lossy().replace('\\', "/");
                let url = Url::parse(&format!("http://127.0.0.1:8080/{rel}")).expect("url");
                let facts = extract_page(&url, &text);
                let back = facts_from_cache(&facts_to_cache(&facts, 0)).expect("reads back");
                assert_eq!(back, (facts.clone(), 0), "{rel}");
                // Kept apart, the navigation comes back whole through its id.
                let mut without = facts.clone();
                let chrome = without.take_chrome();
                let (mut back, id) = facts_from_cache(&facts_to_cache(&without, 7)).expect("reads back");
                assert_eq!(id, 7);
                let chrome_back: Chrome =
                    serde_json::from_slice(&serde_json::to_vec(&chrome).expect("serialises"))
                        .expect("parses");
                back.set_chrome(chrome_back);
                assert_eq!(back, facts, "{rel}");
                pages += 1;
                with_report +=
                    usize::from(facts.annual_report.as_ref().is_some_and(|r| r.proactive.is_some()));
            }
        }
        assert!(pages > 200, "{pages} pages");
        assert!(with_report > 0, "a 年报 with table 二 among them");
        // Not facts (then the page is parsed instead): fields that are not PageFacts, no id and text, an id
        // cut short, a text that is not UTF-8.
        let kept = facts_to_cache(&PageFacts { text: "正文".into(), ..PageFacts::default() }, 3);
        assert!(facts_from_cache(&kept).is_some_and(|(f, c)| f.text == "正文" && c == 3));
        let nul = memchr::memchr(0, &kept).expect("a NUL");
        let (no_text, short_id) = (&kept[..nul], &kept[..nul + 5]);
        let bad_text = [&kept[..], b"\xff"].concat();
        for bad in [&b"{\"url\": 5}\0\0\0\0\0\0\0\0\0text"[..], no_text, short_id, &bad_text] {
            assert!(facts_from_cache(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }

    /// The tree is sized from the markup, never beyond the bound, and the parse gives what scraper's gives.
    #[test]
    fn the_tree_is_presized_within_bounds() {
        assert_eq!(presized_nodes("<p>a</p>"), 6);
        assert_eq!(presized_nodes(&"<".repeat(10_000_000)), MAX_PRESIZED_NODES + 2);
        let html =
            "<html><head><title>t</title></head><body><ul><li><a href='/x'>x</a></li></ul>a < b</body>";
        assert_eq!(parse_document(html).html(), Html::parse_document(html).html());
        let hostile = "<".repeat(1_000_000);
        assert_eq!(parse_document(&hostile).html(), Html::parse_document(&hostile).html());
    }

    /// `attachments_of` reads the path off the serialized URL; it must be the path `Url` parses.
    #[test]
    fn serialized_path_is_the_parsed_path() {
        for u in [
            "http://gov.cn/a/b.pdf",
            "https://gov.cn:8443/a/b.PDF?x=1.doc",
            "http://gov.cn",
            "http://gov.cn/",
            "http://user:pw@gov.cn/x/y.docx?a=b#c",
            "http://127.0.0.1:8080/%E9%99%84%E4%BB%B6.xlsx",
            "http://[::1]:80/q.wps",
            "http://gov.cn/a.b/c",
            "http://gov.cn/a?b/c.pdf",
        ] {
            let parsed = Url::parse(u).unwrap();
            assert_eq!(serialized_path(parsed.as_str()), parsed.path(), "{u}");
            assert_eq!(
                is_attachment_path(serialized_path(parsed.as_str())),
                is_attachment_url(&parsed),
                "{u}"
            );
        }
    }
}

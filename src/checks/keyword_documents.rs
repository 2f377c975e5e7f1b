//! `keyword-documents`: documents matching each of a set of keyword groups exist.
//!
//! **What it checks.** For every group (a name and its keywords), some document of the unit has a title
//! (a list entry or a page's own title; with `search_body`, also the page text) containing one of the
//! keywords, and, when given, one of `require_any` and all of `require_all` (e.g. 制度 / 办法 / 规定).
//! With `max_age_days`, only documents dated within that many days of `--as-of`, or whose title names
//! the audit year, count. Credit is the share of groups found; each hit is cited.
//!
//! **Why.** Rubric items common-05…12 ask for eight 政务公开制度 (主动公开, 依申请公开, 保密审查, 政策解读,
//! 舆情回应, 公众参与, 评议考核, 监督检查和责任追究); common-01/02/04 for documents on the 领导小组, the
//! year's 工作要点 and 培训. An inspector finds them by title.
//!
//! **Passes.** Group 保密审查 with `require_any: [制度, 办法]`: entry “某街道政府信息公开保密审查制度”.
//!
//! **Fails.** The only match is a news item “召开保密工作会议” (no 制度 / 办法 in its title).

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use foldhash::{HashSet, HashSetExt};
use memchr::memmem::Finder;
use regex::Regex;
use serde::Deserialize;

use super::{Context, Verdict, finding};
use crate::findings::{Finding, Status};
use crate::site::{TitledDoc, UnitSite, canonical_url};

/// One group of keywords: a document for it exists when a title matches.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The group's name, used in messages.
    pub name: String,
    /// Any of these in the title (the name itself is not implied).
    pub keywords: Vec<String>,
    /// Overrides the check-level `require_any`.
    #[serde(default)]
    pub require_any: Option<Vec<String>>,
    /// Overrides the check-level `require_all`.
    #[serde(default)]
    pub require_all: Option<Vec<String>>,
    /// With `search_body`: details that must be stated near the keyword on the same page, each a
    /// name and its words (查阅点 with 地址 and 开放时间). A page naming the keyword without them
    /// earns half the group's credit, and the finding names what is missing.
    #[serde(default)]
    pub details: Vec<Detail>,
    /// Overrides the check-level `title_years`.
    #[serde(default)]
    pub title_years: Option<Vec<i32>>,
}

/// A detail a page must state near a group's keyword.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detail {
    /// The detail's name, used in messages (地址).
    pub name: String,
    /// Any of these words states it (地址, 地点, 位于).
    pub words: Vec<String>,
}

/// How far (in characters, either side) from the keyword a detail may be stated.
const DETAIL_WINDOW: usize = 300;

/// The text from `chars` characters before the match `at..end` to `chars` characters after it (fewer at the
/// ends of the text).
fn window(text: &str, at: usize, end: usize, chars: usize) -> &str {
    let lo = match chars {
        0 => at,
        n => text[..at].char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i),
    };
    let hi = text[end..].char_indices().nth(chars).map_or(text.len(), |(i, _)| end + i);
    &text[lo..hi]
}

/// The details of `g` not stated within [`DETAIL_WINDOW`] characters of any keyword occurrence in `text`
/// (the best occurrence counts: the first of equally good ones, keyword by keyword).
fn missing_details<'g>(text: &str, g: &'g Group, keywords: &Keywords) -> Vec<&'g str> {
    if g.details.is_empty() {
        return Vec::new();
    }
    let mut best: Option<Vec<&str>> = None;
    for (at, end) in keywords.occurrences(text, usize::MAX) {
        let near = window(text, at, end, DETAIL_WINDOW);
        let missing: Vec<&str> = g
            .details
            .iter()
            .filter(|d| !d.words.iter().any(|w| near.contains(w.as_str())))
            .map(|d| d.name.as_str())
            .collect();
        if best.as_ref().is_none_or(|b| missing.len() < b.len()) {
            let all_stated = missing.is_empty();
            best = Some(missing);
            if all_stated {
                break;
            }
        }
    }
    best.unwrap_or_else(|| g.details.iter().map(|d| d.name.as_str()).collect())
}

/// Parameters of `keyword-documents`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The groups, each needing at least one document.
    pub groups: Vec<Group>,
    /// Default: a title must also contain one of these.
    #[serde(default)]
    pub require_any: Vec<String>,
    /// Default: a title must also contain all of these.
    #[serde(default)]
    pub require_all: Vec<String>,
    /// Also match the visible text of read pages (when no title matches).
    #[serde(default)]
    pub search_body: bool,
    /// Also match the text of the unit's attachments (when neither a title nor a page text matches).
    #[serde(default)]
    pub search_attachments: bool,
    /// Only documents this recent (or whose title names the audit year) count.
    #[serde(default)]
    pub max_age_days: Option<i64>,
    /// Only documents of the year of `--as-of` count: a title naming a year must name an allowed one
    /// (`title_years`), else the document must be dated in that year, on or before `--as-of`.
    #[serde(default)]
    pub in_year: bool,
    /// With `in_year`: the years a title may name, as offsets from the `--as-of` year (default `[0]`;
    /// `[0, -1]` also takes last year's 工作总结 published this year).
    #[serde(default)]
    pub title_years: Option<Vec<i32>>,
    /// Only the unit's own documents count: in its scope, not a news item (by column or title), and,
    /// where the page names its 发布机构, issued by the unit. A news report on a 制度 is not the 制度.
    #[serde(default)]
    pub own_documents: bool,
    /// The `require_any` word must follow the keyword closely (within [`FOLLOW_WINDOW`] characters:
    /// 保密审查制度, 保密审查工作办法), and a page or attachment found by its text must itself be titled
    /// as one (制度汇编): a notice on a draft 办法 that asks for opinions is not a 公众参与制度.
    #[serde(default)]
    pub rule_follows_keyword: bool,
    /// With `own_documents`: columns whose entries are news, not documents.
    #[serde(default = "default_news_columns")]
    pub news_columns: Vec<String>,
    /// With `own_documents`: title words that make an entry a news item.
    #[serde(default = "default_news_words")]
    pub news_words: Vec<String>,
}

fn default_news_columns() -> Vec<String> {
    ["工作动态", "新闻", "动态", "要闻", "图片", "视频", "媒体"].map(String::from).to_vec()
}

fn default_news_words() -> Vec<String> {
    [
        "召开",
        "举办",
        "举行",
        "开展",
        "组织学习",
        "学习贯彻",
        "参加",
        "座谈会",
        "培训会",
        "专题会",
        "部署会",
        "推进会",
    ]
    .map(String::from)
    .to_vec()
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.groups.is_empty() {
            return Err("`groups` must name at least one group".into());
        }
        if let Some(g) = self.groups.iter().find(|g| g.keywords.iter().all(|k| k.trim().is_empty())) {
            return Err(format!("group `{}` has no keywords", g.name));
        }
        if self.max_age_days.is_some_and(|d| d <= 0) {
            return Err("`max_age_days` must be positive".into());
        }
        let offsets =
            self.title_years.iter().chain(self.groups.iter().filter_map(|g| g.title_years.as_ref()));
        for o in offsets {
            if !self.in_year {
                return Err("`title_years` needs `in_year: true`".into());
            }
            if o.is_empty() || o.iter().any(|y| !(-5..=1).contains(y)) {
                return Err("`title_years` must list offsets between -5 and 1".into());
            }
        }
        Ok(())
    }
}

/// How far after a keyword (in characters) a rule word may stand with `rule_follows_keyword`.
const FOLLOW_WINDOW: usize = 12;

/// The first keyword occurrence in `text` (keyword by keyword, see [`Keywords::occurrences`]) for
/// which `fits` holds, trying at most [`MAX_OCCURRENCES`] occurrences of each keyword.
fn first_fitting(
    text: &str,
    keywords: &Keywords,
    mut fits: impl FnMut(usize, usize) -> bool,
) -> Option<usize> {
    keywords.occurrences(text, MAX_OCCURRENCES).find(|&(at, end)| fits(at, end)).map(|(at, _)| at)
}

/// Where a keyword of the group is followed within [`FOLLOW_WINDOW`] characters by one of `any`.
fn rule_follows(text: &str, keywords: &Keywords, any: &[String]) -> Option<usize> {
    first_fitting(text, keywords, |_, end| {
        let hi = text[end..].char_indices().nth(FOLLOW_WINDOW).map_or(text.len(), |(i, _)| end + i);
        any.iter().any(|w| text[end..hi].contains(w.as_str()))
    })
}

/// False when a text with this sketch certainly matches `g` neither by [`text_match`] nor by [`matches`]:
/// every way of matching needs a keyword, one of the `require_any` words (when there are any) and all the
/// `require_all` words to occur in the text.
fn may_match(sketch: &crate::sketch::TextSketch, g: &Group, p: &Params) -> bool {
    let any = g.require_any.as_ref().unwrap_or(&p.require_any);
    let all = g.require_all.as_ref().unwrap_or(&p.require_all);
    sketch.may_contain_any(&g.keywords)
        && (any.is_empty() || sketch.may_contain_any(any))
        && all.iter().all(|w| sketch.may_contain(w))
}

/// A group's (non-empty) keywords, each with its own substring searcher: memchr's SIMD `memmem`,
/// several times faster on Chinese text than one automaton over all of them, whose prefilter keeps
/// stopping at characters as common as 公 or 政.
struct Keywords {
    finders: Vec<Finder<'static>>,
}

impl Keywords {
    fn of(g: &Group) -> Keywords {
        let finders = g.keywords.iter().filter(|k| !k.is_empty());
        Keywords { finders: finders.map(|k| Finder::new(k.as_bytes()).into_owned()).collect() }
    }

    /// Whether any keyword occurs in `text`.
    fn is_in(&self, text: &str) -> bool {
        self.finders.iter().any(|f| f.find(text.as_bytes()).is_some())
    }

    /// The keywords' occurrences as byte ranges: every occurrence of the first keyword from left to
    /// right, then of the second, and so on; at most `each` of every keyword.
    fn occurrences<'a>(&'a self, text: &'a str, each: usize) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.finders.iter().flat_map(move |f| {
            let len = f.needle().len();
            f.find_iter(text.as_bytes()).take(each).map(move |at| (at, at + len))
        })
    }
}

/// Whether a title (or, in [`run_details`], a text) matches `g` anywhere: a keyword, one of the
/// `require_any` words and all the `require_all` words (with `rule_follows_keyword`, a rule word just
/// after the keyword).
fn matches(text: &str, g: &Group, p: &Params, keywords: &Keywords) -> bool {
    let any = g.require_any.as_ref().unwrap_or(&p.require_any);
    let all = g.require_all.as_ref().unwrap_or(&p.require_all);
    if p.rule_follows_keyword && !any.is_empty() {
        return rule_follows(text, keywords, any).is_some() && all.iter().all(|w| text.contains(w.as_str()));
    }
    keywords.is_in(text)
        && (any.is_empty() || any.iter().any(|w| text.contains(w.as_str())))
        && all.iter().all(|w| text.contains(w.as_str()))
}

/// With `rule_follows_keyword`, a page found by its text must itself be titled as a rule document.
fn titled_as_rule(title: &str, g: &Group, p: &Params) -> bool {
    let any = g.require_any.as_ref().unwrap_or(&p.require_any);
    !p.rule_follows_keyword || any.is_empty() || any.iter().any(|w| title.contains(w.as_str()))
}

/// How far (in characters, either side) from a keyword in a long text the required words may stand.
const TEXT_WINDOW: usize = 30;
/// Keyword occurrences tried per keyword in one text (a bound for very long texts).
const MAX_OCCURRENCES: usize = 200;

/// Where a long text (a page body, an attachment) matches a group: a keyword occurrence with the
/// required words within [`TEXT_WINDOW`] characters (保密审查 … 制度 in one phrase, not anywhere on the
/// page). Returns the byte offset of the keyword.
fn text_match(text: &str, g: &Group, p: &Params, keywords: &Keywords) -> Option<usize> {
    let any = g.require_any.as_ref().unwrap_or(&p.require_any);
    let all = g.require_all.as_ref().unwrap_or(&p.require_all);
    if p.rule_follows_keyword && !any.is_empty() && all.is_empty() {
        return rule_follows(text, keywords, any);
    }
    if any.is_empty() && all.is_empty() {
        return keywords.occurrences(text, 1).next().map(|(at, _)| at);
    }
    first_fitting(text, keywords, |at, end| {
        let near = window(text, at, end, TEXT_WINDOW);
        (any.is_empty() || any.iter().any(|w| near.contains(w.as_str())))
            && all.iter().all(|w| near.contains(w.as_str()))
    })
}

fn recent_enough(title: &str, date: Option<NaiveDate>, p: &Params, as_of: NaiveDate) -> bool {
    let Some(max) = p.max_age_days else { return true };
    let year = as_of.year();
    title.contains(&format!("{year}年")) || date.is_some_and(|d| (as_of - d).num_days() <= max && d <= as_of)
}

static YEAR_IN_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)[0-9]{2})\s*年").expect("static regex"));

/// Whether a document belongs to the year of `--as-of` (see [`Params::in_year`]).
fn in_period(title: &str, date: Option<NaiveDate>, g: &Group, p: &Params, as_of: NaiveDate) -> bool {
    if !recent_enough(title, date, p, as_of) {
        return false;
    }
    if !p.in_year {
        return true;
    }
    let offsets = g.title_years.as_ref().or(p.title_years.as_ref()).map_or(&[0][..], Vec::as_slice);
    let named: Vec<i32> =
        YEAR_IN_TITLE.captures_iter(title).filter_map(|c| c[1].parse::<i32>().ok()).collect();
    if !named.is_empty() {
        return named.iter().any(|y| offsets.contains(&(y - as_of.year())));
    }
    date.is_some_and(|d| d.year() == as_of.year() && d <= as_of)
}

/// Whether a 发布机构 names the unit itself (区生态环境分局 is issued as 合肥市包河区生态环境分局; 包公街道 as
/// 包公街道办事处).
fn same_issuer(publisher: &str, unit_name: &str) -> bool {
    let norm = |s: &str| crate::site::normalize_name(s);
    let (publisher, name) = (norm(publisher), norm(unit_name));
    let core = name.trim_start_matches(['区', '市', '县']);
    publisher.chars().count() >= 2 && (publisher.contains(core) || core.contains(publisher.as_str()))
}

/// Why a document is not one of the unit's own, if it is not (see [`Params::own_documents`]).
fn not_own(site: &UnitSite, url: &str, seen_on: &str, title: &str, p: &Params) -> Option<&'static str> {
    if !site.is_in_scope(url) {
        return Some("不是本单位专栏中的文件");
    }
    if p.news_words.iter().any(|w| !w.is_empty() && title.contains(w.as_str())) {
        return Some("是新闻报道，不是制度文件本身");
    }
    let facts = site.page(url).and_then(|pg| pg.facts.as_ref());
    let listed_in = site
        .columns
        .iter()
        .find(|c| {
            c.list_pages
                .iter()
                .chain(std::iter::once(&c.url))
                .any(|u| canonical_url(u) == canonical_url(seen_on))
        })
        .map(|c| c.name.clone());
    let column = listed_in
        .or_else(|| facts.and_then(|f| f.meta_column.clone()))
        .or_else(|| facts.and_then(|f| f.breadcrumb.last().cloned()));
    if column.is_some_and(|c| p.news_columns.iter().any(|n| !n.is_empty() && c.contains(n.as_str()))) {
        return Some("登在新闻栏目中，是新闻报道，不是制度文件本身");
    }
    if let Some(publisher) =
        facts.and_then(|f| f.fields.publisher.as_deref()).filter(|s| !s.trim().is_empty())
        && !same_issuer(publisher, &site.unit.name)
    {
        return Some("由其他单位发布");
    }
    None
}

/// Where a hit was found.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Title,
    Body,
    Attachment,
}

/// A document that counts for a group, borrowed from the site. A body or attachment hit keeps the text
/// and the keyword's offset: only the hits shown get an excerpt.
struct Hit<'a> {
    title: &'a str,
    url: &'a str,
    seen_on: &'a str,
    date: Option<NaiveDate>,
    source: Source,
    found_at: Option<(&'a str, usize)>,
}

/// A short excerpt of a text around a byte offset.
fn around(text: &str, at: usize) -> String {
    let lo = text[..at].char_indices().rev().nth(15).map_or(0, |(i, _)| i);
    let hi = text[at..].char_indices().nth(40).map_or(text.len(), |(i, _)| at + i);
    crate::extract::clean_text(&text[lo..hi])
}

/// Runs the check.
pub fn run<'s>(id: &str, p: &'s Params, ctx: &Context<'s>) -> Verdict {
    let site = ctx.site;
    let docs = site.titled_docs();
    let mut findings: Vec<Finding> = Vec::new();
    let mut found = 0.0f64;
    for g in &p.groups {
        if !g.details.is_empty() {
            let (credit, f) = run_details(id, g, p, ctx);
            found += credit;
            findings.push(f);
            continue;
        }
        let keywords = Keywords::of(g);
        let mut hits: Vec<Hit> = Vec::new();
        let mut hit_urls: HashSet<&str> = HashSet::new();
        // Documents that match but do not count, with the reason: the first two are shown when nothing
        // else counts.
        let mut rejected: Vec<(&str, &str, &'static str)> = Vec::new();
        let mut reject = |title, url, why| {
            if rejected.len() < 2 {
                rejected.push((title, url, why));
            }
        };
        let mut consider = |hit: Hit<'s>, hits: &mut Vec<Hit<'s>>| {
            if p.own_documents
                && let Some(why) = not_own(site, hit.url, hit.seen_on, hit.title, p)
            {
                reject(hit.title, hit.url, why);
            } else if !in_period(hit.title, hit.date, g, p, ctx.as_of) {
                reject(hit.title, hit.url, "不是本年度的文件");
            } else if hit_urls.insert(hit.url) {
                hits.push(hit);
            }
        };
        // Every match needs a keyword: the keyword search rules most titles out first.
        for d in docs.iter().filter(|d| matches(&d.title, g, p, &keywords)) {
            let hit = Hit {
                title: &d.title,
                url: &d.url,
                seen_on: &d.seen_on,
                date: d.date,
                source: Source::Title,
                found_at: None,
            };
            consider(hit, &mut hits);
        }
        if hits.is_empty() && p.search_body {
            for (page, f) in site.html_pages() {
                if p.own_documents && site.is_list_page(&page.record.url) {
                    continue;
                }
                if !titled_as_rule(f.title.as_deref().unwrap_or_default(), g, p) {
                    continue;
                }
                if !may_match(page.sketch(), g, p) {
                    continue;
                }
                if let Some(at) = text_match(&f.text, g, p, &keywords) {
                    let hit = Hit {
                        title: f.title.as_deref().unwrap_or(&page.record.url),
                        url: &page.record.url,
                        seen_on: &page.record.url,
                        date: f.fields.publish_date.or(f.publish_date),
                        source: Source::Body,
                        found_at: Some((&f.text, at)),
                    };
                    consider(hit, &mut hits);
                }
            }
        }
        if hits.is_empty() && p.search_attachments {
            for a in site.pages.iter().filter(|pg| pg.attachment_text.is_some()) {
                let url = a.record.url.as_str();
                // The page that links the attachment gives it a title, a date and a column.
                let Some((linker, lf)) = site.linker_of(url) else {
                    continue;
                };
                let text = a.attachment_text.as_deref().unwrap_or_default();
                if !titled_as_rule(lf.title.as_deref().unwrap_or_default(), g, p) {
                    continue;
                }
                if !may_match(a.sketch(), g, p) {
                    continue;
                }
                if let Some(at) = text_match(text, g, p, &keywords) {
                    let title = lf.title.as_deref().unwrap_or(url);
                    let date = lf.fields.publish_date.or(lf.publish_date);
                    // Scope and issuer are judged on the page that publishes the attachment.
                    if p.own_documents
                        && let Some(why) = not_own(site, &linker.record.url, &linker.record.url, title, p)
                    {
                        reject(title, url, why);
                        continue;
                    }
                    let hit = Hit {
                        title,
                        url,
                        seen_on: &linker.record.url,
                        date,
                        source: Source::Attachment,
                        found_at: Some((text, at)),
                    };
                    if in_period(hit.title, hit.date, g, p, ctx.as_of) {
                        if hit_urls.insert(hit.url) {
                            hits.push(hit);
                        }
                    } else {
                        reject(hit.title, hit.url, "不是本年度的文件");
                    }
                }
            }
        }
        hits.sort_by_key(|h| std::cmp::Reverse(h.date));
        if let Some(first) = hits.first() {
            found += 1.0;
            let mut evidence = Vec::new();
            for h in hits.iter().take(3) {
                let mut excerpt = match h.date {
                    Some(d) => format!("{}（{}）", h.title, d),
                    None => h.title.to_string(),
                };
                let around = h.found_at.map(|(text, at)| around(text, at)).unwrap_or_default();
                if !around.is_empty() {
                    excerpt = format!("{excerpt}：{around}");
                }
                let doc = TitledDoc {
                    title: h.title.to_string(),
                    url: h.url.to_string(),
                    seen_on: h.seen_on.to_string(),
                    date: h.date,
                };
                evidence.extend(site.doc_evidence(&doc, &excerpt));
            }
            let more = if hits.len() > 1 { format!("等{}篇", hits.len()) } else { String::new() };
            let message = match first.source {
                Source::Title => format!("{}：已找到《{}》{}", g.name, first.title, more),
                Source::Body if p.own_documents => {
                    format!("{}：本单位《{}》正文中载有相关内容{}", g.name, first.title, more)
                }
                Source::Body => {
                    format!("{}：《{}》页面中载有相关内容（未见以此为标题的文件）", g.name, first.title)
                }
                Source::Attachment => format!("{}：《{}》的附件中载有相关内容{}", g.name, first.title, more),
            };
            findings.push(finding(id, Status::Pass, message, evidence));
            continue;
        }
        let window = match (p.in_year, p.max_age_days) {
            (true, _) => format!("{}年度内", ctx.as_of.year()),
            (false, Some(days)) => format!("近{days}天内"),
            (false, None) => String::new(),
        };
        let mut message = format!("{}：{}未找到标题含“{}”的相关文件", g.name, window, g.keywords.join("/"));
        let mut evidence = site.root_evidence(&format!("在专栏中查找“{}”", g.name));
        for (title, url, why) in rejected.iter().take(2) {
            message.push_str(&format!("；《{title}》{why}，不予计入"));
            evidence.extend(site.evidence(url, title));
        }
        findings.push(finding(id, Status::Fail, message, evidence));
    }
    Verdict::scored(found / p.groups.len() as f64, findings)
}

/// A group with `details` (查阅点 with 地址 and 开放时间): the page stating most of them counts; a page
/// naming the keyword without them earns half.
fn run_details(id: &str, g: &Group, p: &Params, ctx: &Context<'_>) -> (f64, Finding) {
    let site = ctx.site;
    let keywords = Keywords::of(g);
    // The first page stating the most details (all of them ends the search).
    let mut best: Option<(&crate::site::SitePage, &crate::extract::PageFacts, Vec<&str>)> = None;
    let pages = site
        .html_pages()
        .take_while(|_| p.search_body)
        .filter(|(page, f)| may_match(page.sketch(), g, p) && matches(&f.text, g, p, &keywords));
    for (page, f) in pages {
        let missing = missing_details(&f.text, g, &keywords);
        if best.as_ref().is_none_or(|(_, _, b)| missing.len() < b.len()) {
            let all_stated = missing.is_empty();
            best = Some((page, f, missing));
            if all_stated {
                break;
            }
        }
    }
    let Some((page, f, missing)) = best else {
        let f = finding(
            id,
            Status::Fail,
            format!("{}：未找到载有“{}”的页面", g.name, g.keywords.join("/")),
            site.root_evidence(&format!("在专栏中查找“{}”", g.name)),
        );
        return (0.0, f);
    };
    let kw = g.keywords.iter().find(|k| f.text.contains(k.as_str()));
    let excerpt = kw.cloned().unwrap_or_default();
    let stated: Vec<&str> =
        g.details.iter().map(|d| d.name.as_str()).filter(|n| !missing.contains(n)).collect();
    let (status, credit, msg) = if missing.is_empty() {
        (Status::Pass, 1.0, format!("{}：页面已公布，并载明{}", g.name, stated.join("、")))
    } else {
        (Status::Partial, 0.5, format!("{}：页面提及“{}”，但未见{}", g.name, excerpt, missing.join("、")))
    };
    (credit, finding(id, status, msg, site.evidence(&page.record.url, &excerpt).into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};
    use crate::extract::{ListEntry, PageFacts};

    const ROOT: &str = "http://gov.test/xxgk/";
    const COL: &str = "http://gov.test/xxgk/zd/";

    fn site(entries: Vec<ListEntry>) -> crate::site::UnitSite {
        SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("政府信息公开制度", COL)]))
            .page(COL, facts_list(COL, entries, &[]))
            .build()
    }

    fn group(name: &str, kw: &[&str]) -> Group {
        Group {
            name: name.into(),
            keywords: kw.iter().map(|s| s.to_string()).collect(),
            require_any: None,
            require_all: None,
            details: Vec::new(),
            title_years: None,
        }
    }

    #[test]
    fn keywords_are_tried_in_turn_within_the_bound() {
        let mut g = group("保密审查制度", &["保密审查", "保密工作"]);
        g.require_any = Some(vec!["制度".into()]);
        let p = Params { require_any: vec![], ..params(vec![g.clone()]) };
        let keywords = Keywords::of(&g);
        // The first keyword with 制度 near it wins over an earlier occurrence of the second one.
        let filler = "。".repeat(40);
        let text = format!("保密工作制度{filler}保密审查工作{filler}保密审查制度");
        let at = text_match(&text, &g, &p, &keywords).expect("a fitting occurrence");
        assert_eq!(&text[at..], "保密审查制度");
        // More than MAX_OCCURRENCES unfitting occurrences of one keyword do not hide another keyword …
        let many = format!("保密审查{filler}").repeat(MAX_OCCURRENCES + 5);
        let other = format!("{many}保密工作制度");
        let at = text_match(&other, &g, &p, &keywords).expect("the other keyword is still tried");
        assert_eq!(&other[at..], "保密工作制度");
        // … but bound the tries of their own keyword.
        let alone = group("保密审查制度", &["保密审查"]);
        let g2 = Group { require_any: Some(vec!["制度".into()]), ..alone };
        let late = format!("{many}保密审查制度");
        assert_eq!(text_match(&late, &g2, &p, &Keywords::of(&g2)), None);
        let few = format!("{}保密审查制度", format!("保密审查{filler}").repeat(MAX_OCCURRENCES - 1));
        assert!(text_match(&few, &g2, &p, &Keywords::of(&g2)).is_some(), "the last try fits");
        // Without required words, the first listed keyword that occurs is the hit.
        let listed = group("公报", &["政府公报", "公报"]);
        let p0 = Params { require_any: vec![], ..params(vec![listed.clone()]) };
        let text = "区公报目录；本区政府公报";
        let at = text_match(text, &listed, &p0, &Keywords::of(&listed)).expect("found");
        assert_eq!(&text[at..], "政府公报");
        assert!(!Keywords::of(&listed).is_in("公开目录") && Keywords::of(&listed).is_in("公报"));
    }

    #[test]
    fn the_sketch_rules_out_only_texts_that_cannot_match() {
        let mut g = group("保密审查制度", &["保密审查"]);
        g.require_all = Some(vec!["街道".into()]);
        let texts = [
            "某街道保密审查制度全文",
            "某街道保密审查工作办法",
            "保密审查制度（无单位）",
            "某街道制度汇编",
            "某街道保密 审查制度",
            "",
        ];
        for follows in [false, true] {
            let p = Params { rule_follows_keyword: follows, ..params(vec![g.clone()]) };
            let keywords = Keywords::of(&g);
            for t in texts {
                let sketch = crate::sketch::TextSketch::of(t);
                let found = text_match(t, &g, &p, &keywords).is_some() || matches(t, &g, &p, &keywords);
                assert!(!found || may_match(&sketch, &g, &p), "{t:?} matches, so it may");
                assert_eq!(may_match(&sketch, &g, &p), found, "{t:?}: short texts are ruled out exactly");
            }
        }
    }

    #[test]
    fn details_near_the_keyword() {
        let mut g = group("政府信息公开查阅点", &["查阅点"]);
        g.details = vec![
            Detail { name: "地址".into(), words: vec!["地址".into(), "位于".into()] },
            Detail { name: "开放时间".into(), words: vec!["开放时间".into(), "工作日".into()] },
        ];
        let p = Params {
            groups: vec![g],
            require_any: vec![],
            require_all: vec![],
            search_body: true,
            max_age_days: None,
            ..params(vec![])
        };
        let page = |text: &str| {
            SiteBuilder::new(ROOT)
                .page(ROOT, facts_nav(ROOT, &[("公开指南", COL)]))
                .page(COL, facts_doc(COL, "政府信息公开指南", text))
                .build()
        };
        let full =
            page("本街道设政府信息公开查阅点，地址：某路1号便民服务中心，开放时间：工作日9:00-17:00。");
        let v = run("k", &p, &Context { site: &full, as_of: d("2021-11-25") });
        assert_eq!((v.status, v.credit), (Status::Pass, Some(1.0)), "{v:#?}");
        let bare = page("本街道设政府信息公开查阅点。");
        let v = run("k", &p, &Context { site: &bare, as_of: d("2021-11-25") });
        assert_eq!((v.status, v.credit), (Status::Partial, Some(0.5)), "{v:#?}");
        assert!(v.findings[0].message.contains("未见地址、开放时间"), "{}", v.findings[0].message);
    }

    fn params(groups: Vec<Group>) -> Params {
        Params {
            groups,
            require_any: vec!["制度".into(), "办法".into(), "规定".into()],
            require_all: vec![],
            search_body: false,
            search_attachments: false,
            max_age_days: None,
            in_year: false,
            title_years: None,
            own_documents: false,
            rule_follows_keyword: false,
            news_columns: default_news_columns(),
            news_words: default_news_words(),
        }
    }

    #[test]
    fn table() {
        let e = |t: &str| entry(t, "http://gov.test/xxgk/zd/1.html", Some("2021-03-01"));
        let g = || vec![group("保密审查制度", &["保密审查"])];
        let cases = vec![
            ("title matches", site(vec![e("某街道政府信息公开保密审查制度")]), params(g()), Status::Pass),
            ("办法 also counts", site(vec![e("保密审查办法（试行）")]), params(g()), Status::Pass),
            ("news is not a 制度", site(vec![e("召开保密审查工作会议")]), params(g()), Status::Fail),
            ("nothing", site(vec![]), params(g()), Status::Fail),
            (
                "one of two groups",
                site(vec![e("主动公开制度")]),
                params(vec![group("主动公开", &["主动公开"]), group("依申请公开", &["依申请公开"])]),
                Status::Partial,
            ),
        ];
        for (name, site, p, want) in cases {
            let v = run("k", &p, &Context { site: &site, as_of: d("2021-11-25") });
            assert_eq!(v.status, want, "{name}: {v:?}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
        }
    }

    #[test]
    fn recency_window_and_page_titles() {
        let doc = "http://gov.test/xxgk/gzyd.html";
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[]))
            .page(doc, facts_doc(doc, "2020年政务公开工作要点", ""))
            .build();
        let mut p = params(vec![group("工作要点", &["工作要点"])]);
        p.require_any.clear();
        let ctx = Context { site: &s, as_of: d("2021-11-25") };
        assert_eq!(run("k", &p, &ctx).status, Status::Pass);
        p.max_age_days = Some(365);
        assert_eq!(run("k", &p, &ctx).status, Status::Fail, "an undated 2020 title is not this year's");
    }

    #[test]
    fn body_search_is_opt_in() {
        let s =
            SiteBuilder::new(ROOT).page(ROOT, facts_doc(ROOT, "首页", "本街道建立政务舆情回应制度")).build();
        let mut p = params(vec![group("舆情回应", &["舆情回应"])]);
        let ctx = Context { site: &s, as_of: d("2021-11-25") };
        assert_eq!(run("k", &p, &ctx).status, Status::Fail);
        p.search_body = true;
        assert_eq!(run("k", &p, &ctx).status, Status::Pass);
    }

    fn own(groups: Vec<Group>) -> Params {
        let mut p = params(groups);
        p.own_documents = true;
        p.rule_follows_keyword = true;
        p.search_body = true;
        p.search_attachments = true;
        p
    }

    fn doc_by(url: &str, title: &str, text: &str, publisher: Option<&str>, date: &str) -> PageFacts {
        let mut f = facts_doc(url, title, text);
        f.fields.publisher = publisher.map(String::from);
        f.fields.publish_date = Some(d(date));
        f
    }

    /// A 制度 counts only as the unit's own document: not a news item about it (by title or by column),
    /// not another body's document, not a page outside the unit's scope.
    #[test]
    fn a_rule_is_the_units_own_document() {
        let news_col = "http://gov.test/xxgk/gzdt/";
        let zd = "http://gov.test/xxgk/zd/1.html";
        let news = "http://gov.test/xxgk/gzdt/2.html";
        let city = "http://gov.test/xxgk/zd/3.html";
        let g = || vec![group("保密审查制度", &["保密审查"])];
        let ctx_site = |pages: Vec<(&str, &str, PageFacts)>,
                        nav: &[(&str, &str)],
                        list: Vec<ListEntry>,
                        list_url: &str| {
            let mut b = SiteBuilder::new(ROOT)
                .page(ROOT, facts_nav(ROOT, nav))
                .page(list_url, facts_list(list_url, list, &[]));
            for (url, _, f) in pages {
                b = b.page(url, f);
            }
            b.build()
        };
        // The unit's own 制度 in its 制度 column, issued by it.
        let s = ctx_site(
            vec![(
                zd,
                "",
                doc_by(
                    zd,
                    "测试街道政府信息公开保密审查制度",
                    "第一条……",
                    Some("测试街道办事处"),
                    "2021-03-01",
                ),
            )],
            &[("政府信息公开制度", COL)],
            vec![entry("测试街道政府信息公开保密审查制度", zd, Some("2021-03-01"))],
            COL,
        );
        let v = run("k", &own(g()), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.status, Status::Pass, "{v:?}");
        // A news item titled with a meeting about the 制度.
        let s = ctx_site(
            vec![(
                news,
                "",
                doc_by(
                    news,
                    "街道召开保密审查制度学习会",
                    "会议学习了保密审查制度。",
                    Some("测试街道办事处"),
                    "2021-05-01",
                ),
            )],
            &[("工作动态", news_col)],
            vec![entry("街道召开保密审查制度学习会", news, Some("2021-05-01"))],
            news_col,
        );
        let v = run("k", &own(g()), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.status, Status::Fail, "{v:?}");
        assert!(v.findings[0].message.contains("是新闻报道"), "{}", v.findings[0].message);
        assert!(v.findings[0].evidence.iter().any(|e| e.url == news), "the rejected item is cited");
        // The same 制度 title, but listed in the news column: a report on it, not the 制度.
        let s = ctx_site(
            vec![(news, "", doc_by(news, "保密审查制度", "全文见……", Some("测试街道办事处"), "2021-05-01"))],
            &[("工作动态", news_col)],
            vec![entry("保密审查制度", news, Some("2021-05-01"))],
            news_col,
        );
        assert_eq!(run("k", &own(g()), &Context { site: &s, as_of: d("2021-11-25") }).status, Status::Fail);
        // Another body's 制度 reposted in the unit's column.
        let s = ctx_site(
            vec![(
                city,
                "",
                doc_by(city, "某市政务信息发布保密审查办法", "……", Some("某市人民政府办公室"), "2021-03-01"),
            )],
            &[("政府信息公开制度", COL)],
            vec![entry("某市政务信息发布保密审查办法", city, Some("2021-03-01"))],
            COL,
        );
        let v = run("k", &own(g()), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.status, Status::Fail, "{v:?}");
        assert!(v.findings[0].message.contains("由其他单位发布"), "{}", v.findings[0].message);
        // Without `own_documents` the same page counts (as the old behaviour did).
        assert_eq!(
            run("k", &params(g()), &Context { site: &s, as_of: d("2021-11-25") }).status,
            Status::Pass
        );
        // A notice asking for opinions on a draft 办法 names 征求意见 and 办法, but is no 公众参与制度.
        let notice = "http://gov.test/xxgk/zd/4.html";
        let title = "关于《测试街道助餐服务管理办法（征求意见稿）》公开征求意见的公告";
        let s = ctx_site(
            vec![(notice, "", doc_by(notice, title, "现公开征求意见。", Some("测试街道"), "2021-03-01"))],
            &[("政府信息公开制度", COL)],
            vec![entry(title, notice, Some("2021-03-01"))],
            COL,
        );
        let cz = || vec![group("公众参与制度", &["公众参与", "征求意见"])];
        assert_eq!(run("k", &own(cz()), &Context { site: &s, as_of: d("2021-11-25") }).status, Status::Fail);
        let s = ctx_site(
            vec![(
                notice,
                "",
                doc_by(notice, "测试街道重大行政决策公众参与制度", "……", Some("测试街道"), "2021-03-01"),
            )],
            &[("政府信息公开制度", COL)],
            vec![entry("测试街道重大行政决策公众参与制度", notice, Some("2021-03-01"))],
            COL,
        );
        assert_eq!(run("k", &own(cz()), &Context { site: &s, as_of: d("2021-11-25") }).status, Status::Pass);
        // Out of the unit's scope.
        let far = "http://gov.test/other/zd.html";
        let s = ctx_site(
            vec![],
            &[("政府信息公开制度", COL)],
            vec![entry("保密审查制度", far, Some("2021-03-01"))],
            COL,
        );
        assert_eq!(run("k", &own(g()), &Context { site: &s, as_of: d("2021-11-25") }).status, Status::Fail);
    }

    /// A 制度 collected in one document (制度汇编) is found in its text; the words must stand together.
    #[test]
    fn rules_in_a_documents_text_and_attachment() {
        let hb = "http://gov.test/xxgk/zd/hb.html";
        let pdf = "http://gov.test/xxgk/zd/hb.pdf";
        let g = || vec![group("保密审查制度", &["保密审查"]), group("评议考核制度", &["评议考核"])];
        let mut f = doc_by(
            hb,
            "测试街道政务公开工作制度汇编",
            "第一章 主动公开制度 …… 第三章 保密审查制度。其他未尽事项按照街道党工委和办事处的有关工作安排执行，由党政办公室负责解释。评议考核的说明另见附件。",
            Some("测试街道"),
            "2021-02-01",
        );
        f.links = vec![crate::extract::Link { text: "附件".into(), url: pdf.into() }];
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("政府信息公开制度", COL)]))
            .page(
                COL,
                facts_list(COL, vec![entry("测试街道政务公开工作制度汇编", hb, Some("2021-02-01"))], &[]),
            )
            .page(hb, f)
            .attachment_text(pdf, "附：测试街道政务公开评议考核办法\n第一条 ……")
            .build();
        let v = run("k", &own(g()), &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!((v.status, v.credit), (Status::Pass, Some(1.0)), "{v:#?}");
        assert!(v.findings[0].message.contains("正文中载有相关内容"), "{}", v.findings[0].message);
        assert_eq!(v.findings[0].evidence[0].url, hb);
        assert!(v.findings[0].evidence[0].excerpt.contains("保密审查制度"), "{:?}", v.findings[0].evidence);
        assert!(v.findings[1].message.contains("附件中载有相关内容"), "{}", v.findings[1].message);
        assert_eq!(v.findings[1].evidence[0].url, pdf);
        // "评议考核" far from any 制度 word in the page text alone does not count.
        let mut p = own(g());
        p.search_attachments = false;
        let v = run("k", &p, &Context { site: &s, as_of: d("2021-11-25") });
        assert_eq!(v.findings[1].status, Status::Fail, "{v:#?}");
    }

    /// `in_year`: the year of --as-of, by the title's year or else by the date; last year's 总结 counts
    /// where the group allows the previous year in titles.
    #[test]
    fn documents_of_the_audit_year() {
        let a = "http://gov.test/xxgk/a.html";
        let b = "http://gov.test/xxgk/b.html";
        let mut yd = group("工作要点", &["工作要点"]);
        yd.title_years = None;
        let mut zj = group("工作总结", &["工作总结"]);
        zj.title_years = Some(vec![0, -1]);
        let mut p = params(vec![yd, zj]);
        p.require_any.clear();
        p.in_year = true;
        let ctx_at = |s: &crate::site::UnitSite| run("k", &p, &Context { site: s, as_of: d("2025-03-20") });
        let good = site(vec![
            entry("2025年政务公开工作要点", a, Some("2025-02-25")),
            entry("2024年政务公开工作总结", b, Some("2025-01-15")),
        ]);
        assert_eq!(ctx_at(&good).status, Status::Pass);
        let old = site(vec![
            entry("2024年政务公开工作要点", a, Some("2025-01-05")),
            entry("2023年政务公开工作总结", b, Some("2024-01-15")),
        ]);
        let v = ctx_at(&old);
        assert_eq!(v.status, Status::Fail, "{v:#?}");
        assert!(
            v.findings[0].message.contains("2025年度内")
                && v.findings[0].message.contains("不是本年度的文件")
        );
        // No year in the title: the date decides; a date after --as-of does not count.
        let undated_title = site(vec![entry("政务公开工作要点", a, Some("2025-02-01"))]);
        assert_eq!(ctx_at(&undated_title).findings[0].status, Status::Pass);
        let future = site(vec![entry("政务公开工作要点", a, Some("2025-04-01"))]);
        assert_eq!(ctx_at(&future).findings[0].status, Status::Fail);
        let mut bad = p.clone();
        bad.in_year = false;
        assert!(bad.validate().unwrap_err().contains("in_year"));
    }
}

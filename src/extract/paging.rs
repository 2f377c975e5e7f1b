//! The other pages of a list: pagination links and paging written by JavaScript.
//!
//! A column's older entries sit on later pages; the crawler must reach them to judge a column's history. Many
//! CMSs write the pager with a script instead of links: TRS WCM's `createPageHTML(total, current, "index",
//! "html")` stands for index.html, index_1.html … index_{total-1}.html; others set a page-count variable
//! (`var countPage = 5`, `pageCount: 5`, `totalPage`) read by a generic pager. Both are recognised by shape,
//! not by one function name. The count is capped so a hostile page cannot explode the crawl frontier.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::LazyLock;

use regex::Regex;
use scraper::Html;
use url::Url;

use super::AttrOf;
use super::nav::{Zone, zone_of};
use super::text::element_text;
use super::{Anchor, resolve};

/// Most pages one list may announce.
pub const MAX_PAGES: usize = 200;

const SCRIPT_SEL: super::Tags = &[("script", &[])];

/// A pager call: name containing "page", then (total, current, "prefix", "ext").
static CALL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?-u:\b)\w*page\w*\s*\(\s*['"]?(\w+)['"]?\s*,\s*['"]?(\w+)['"]?\s*,\s*['"]([\w.\-]+)['"]\s*,\s*['"]?\.?(s?html?|jsp|php|aspx?)['"]?"#,
    )
    .expect("static regex")
});
/// Numeric assignments (`var countPage = 5`, `pageCount: 5`, `totalPage="5"`).
static VAR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?-u:\b)([A-Za-z_]\w*)\s*[:=]\s*['"]?(\d{1,6})['"]?\s*[,;}\n]"#).expect("static regex")
});
/// Variable names that mean "number of pages".
static COUNT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:count_?page|page_?count|total_?pages?|page_?total|pages?_?num|max_?page|page_?size_?total|totalpagenum|pagecounts?)$")
        .expect("static regex")
});
/// A string literal in a script that ends with a page parameter, ready for the number (`"/list?pageIndex="`).
static PREFIX_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)['"]([^'"\s]{0,300}[?&](?:page|pageno|page_no|pageindex|page_index|pagenum|currentpage|curpage|pn)=)['"]"#)
        .expect("static regex")
});
/// A navigation written as a script: `location.href = 'index_' + (n - 1) + '.html'`, `window.location='list?page='+p`,
/// `location.assign("…" + i)`: the literal before the page expression, the expression, the literal after.
static LOCATION_TPL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)location(?:\.href)?\s*(?:=|\.assign\s*\(|\.replace\s*\()\s*['"]([^'"\s]{0,300})['"]\s*\+\s*([^;+'"\n]{1,60})\s*(?:\+\s*['"]([^'"\s]{0,40})['"])?\s*[;)\n]"#,
    )
    .expect("static regex")
});
/// A literal navigation in an attribute: `onclick="location.href='index_2.html'"`, `href="javascript:window.location='…'"`.
static LOCATION_LIT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)location(?:\.href)?\s*(?:=|\.assign\s*\(|\.replace\s*\()\s*['"]([^'"\s]{1,300})['"]"#)
        .expect("static regex")
});
/// `[onclick], a[href^='javascript'], a[href^='JavaScript']`: an element that navigates by script.
pub(super) fn is_scripted(v: &scraper::node::Element) -> bool {
    v.attr_of("onclick").is_some()
        || (v.name() == "a"
            && v.attr_of("href").is_some_and(|h| h.starts_with("javascript") || h.starts_with("JavaScript")))
}

/// Query parameters that carry a page number.
static PAGE_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:page|pageno|page_no|pageindex|page_index|pagenum|currentpage|curpage|cur_page|pn|p|start_page)$")
        .expect("static regex")
});

fn is_pager_word(t: &str) -> bool {
    matches!(
        t,
        "下一页"
            | "下页"
            | "尾页"
            | "末页"
            | "最后一页"
            | "上一页"
            | "上页"
            | ">"
            | ">>"
            | "»"
            | "›"
    )
}

/// The numeric page parameter of a URL on the same path as the page, if any.
fn page_param(page: &Url, u: &Url) -> Option<(String, u32)> {
    if u.path() != page.path() || u.host() != page.host() {
        return None;
    }
    u.query_pairs().find_map(|(k, v)| {
        if PAGE_PARAM.is_match(&k) { v.parse().ok().map(|n| (k.into_owned(), n)) } else { None }
    })
}

fn with_param(u: &Url, key: &str, n: usize) -> Url {
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(
            |(k, v)| {
                if k == key { (k.into_owned(), n.to_string()) } else { (k.into_owned(), v.into_owned()) }
            },
        )
        .collect();
    let mut out = u.clone();
    out.query_pairs_mut().clear().extend_pairs(pairs);
    out
}

/// TRS-style static pages relative to the list page: prefix.ext, prefix_1.ext … prefix_{total-1}.ext.
fn trs_pages(base: &Url, total: usize, prefix: &str, ext: &str) -> Vec<Url> {
    (0..total.min(MAX_PAGES))
        .filter_map(|i| {
            let name = if i == 0 { format!("{prefix}.{ext}") } else { format!("{prefix}_{i}.{ext}") };
            base.join(&name).ok()
        })
        .collect()
}

/// Absolute URLs of the list's other pages, in a stable order, at most [`MAX_PAGES`], never the page itself.
pub(crate) fn paging(page: &Url, base: &Url, doc: &Html, anchors: &[Anchor]) -> Vec<String> {
    let mut urls: Vec<Url> = Vec::new();
    let mut param_template: Option<(Url, String)> = None;
    for Anchor { url: u, text, zone, .. } in anchors {
        let in_pager = *zone == Zone::Paging;
        let digits = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
        let param = page_param(page, u);
        if let Some((k, _)) = &param {
            param_template.get_or_insert((u.clone(), k.clone()));
        }
        let numbered_sibling = digits && same_dir_numbered(page, u);
        if is_pager_word(text)
            || (in_pager && (digits || text == "首页"))
            || param.is_some()
            || numbered_sibling
        {
            urls.push(u.clone());
        }
    }
    // Pager buttons that navigate by script: a literal target on a numbered or pager-word element.
    for el in super::select_where(doc, is_scripted).take(2000) {
        let v = el.value();
        let code = v.attr_of("onclick").or_else(|| v.attr_of("href")).unwrap_or("");
        let text = element_text(el);
        let digits = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
        if !(digits || is_pager_word(&text) || text == "首页" || zone_of(el) == Zone::Paging) {
            continue;
        }
        if let Some(c) = LOCATION_LIT_RE.captures(code)
            && let Some(u) = resolve(base, &c[1])
        {
            urls.push(u);
        }
    }
    let mut vars: HashMap<String, usize> = HashMap::new();
    let mut from_call = false;
    let mut script_prefix: Option<String> = None;
    let mut location_tpl: Option<(String, String, bool)> = None;
    let mut laypage_pages: Option<usize> = None;
    for s in super::select_tags(doc, SCRIPT_SEL).take(200) {
        let code: String = s.text().collect::<String>().chars().take(200_000).collect();
        let mut local: HashMap<String, usize> = HashMap::new();
        for c in VAR_RE.captures_iter(&code) {
            if let Ok(n) = c[2].parse::<usize>() {
                vars.entry(c[1].to_ascii_lowercase()).or_insert(n);
                local.entry(c[1].to_ascii_lowercase()).or_insert(n);
            }
        }
        // layui's laypage: `count` is the number of entries, `limit` the entries per page.
        if code.contains("laypage")
            && let (Some(&count), Some(&limit)) = (local.get("count"), local.get("limit"))
            && limit > 0
        {
            laypage_pages = Some(count.div_ceil(limit));
        }
        if location_tpl.is_none() {
            location_tpl = LOCATION_TPL_RE.captures(&code).map(|c| {
                let expr = c[2].replace(' ', "");
                (
                    c[1].to_string(),
                    c.get(3).map_or(String::new(), |m| m.as_str().to_string()),
                    expr.contains("-1"),
                )
            });
        }
        if script_prefix.is_none() {
            script_prefix = PREFIX_RE.captures(&code).map(|c| c[1].to_string());
        }
        for c in CALL_RE.captures_iter(&code) {
            let num =
                |s: &str| s.parse::<usize>().ok().or_else(|| vars.get(&s.to_ascii_lowercase()).copied());
            if let Some(total) = num(&c[1]) {
                urls.extend(trs_pages(base, total, &c[3], &c[4]));
                from_call = true;
            }
        }
    }
    // A page-count variable alone: the pager's URLs follow the page's own paging links, or the page's own page
    // parameter, or a URL prefix in the script ending in a page parameter (`…&pageIndex=`), else TRS naming.
    let count = if from_call {
        None
    } else {
        vars.iter().filter(|(k, _)| COUNT_NAME.is_match(k)).map(|(_, v)| *v).max().or(laypage_pages)
    };
    if let Some(total) = count {
        let total = total.min(MAX_PAGES);
        // Page 1 is the page itself unless its URL already names a page.
        let first = if page_param(page, page).is_some() { 1 } else { 2 };
        let own = page_param(page, page).map(|(k, _)| (page.clone(), k));
        if let Some((tpl, key)) = param_template.or(own) {
            urls.extend((first..=total).map(|n| with_param(&tpl, &key, n)));
        } else if let Some((prefix, suffix, zero_based)) = location_tpl.as_ref() {
            // `index_` + (n-1) + `.html` numbers pages from 0 (TRS: index.html is page 0); `?page=` + n
            // from 1, where page 1 is this page.
            let numbers: Vec<usize> = if *zero_based || prefix.ends_with('_') {
                (1..total).collect()
            } else {
                (first..=total).collect()
            };
            urls.extend(numbers.into_iter().filter_map(|n| base.join(&format!("{prefix}{n}{suffix}")).ok()));
        } else if let Some(prefix) = script_prefix.as_deref() {
            urls.extend((first..=total).filter_map(|n| base.join(&format!("{prefix}{n}")).ok()));
        } else if is_index(page) {
            let ext = page.path().rsplit_once('.').map_or("html", |(_, e)| e);
            let ext = if ext.contains('/') { "html" } else { ext };
            urls.extend(trs_pages(base, total, "index", ext));
        }
    }
    let mut seen = HashSet::new();
    seen.insert(page.to_string());
    urls.into_iter().map(|u| u.to_string()).filter(|u| seen.insert(u.clone())).take(MAX_PAGES).collect()
}

/// `index_3.html` next to `index.html`: a numbered page in the list page's own directory.
fn same_dir_numbered(page: &Url, u: &Url) -> bool {
    static NUMBERED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\w+_\d{1,4}\.\w+$").expect("static regex"));
    let dir = |x: &Url| x.path().rsplit_once('/').map(|(d, _)| d.to_string());
    let file = u.path().rsplit('/').next().unwrap_or("");
    u.host() == page.host() && dir(u) == dir(page) && NUMBERED.is_match(file)
}

fn is_index(u: &Url) -> bool {
    let last = u.path().rsplit('/').next().unwrap_or("");
    last.starts_with("index.") || last.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(url: &str, html: &str) -> Vec<String> {
        let u = Url::parse(url).unwrap();
        let doc = Html::parse_document(html);
        paging(&u, &u, &doc, &crate::extract::anchors(&u, &doc))
    }

    #[test]
    fn trs_create_page_html() {
        let got = pages(
            "http://g.cn/col/gzdt/index.html",
            r#"<script>createPageHTML(4, 0, "index", "html");</script>"#,
        );
        assert_eq!(
            got,
            [
                "http://g.cn/col/gzdt/index_1.html",
                "http://g.cn/col/gzdt/index_2.html",
                "http://g.cn/col/gzdt/index_3.html"
            ]
        );
        // Another function name, arguments as variables, single quotes.
        let got = pages(
            "http://g.cn/a/",
            "<script>var countPage = 3; var currentPage = 0; writePageBar(countPage, currentPage, 'list', 'shtml');</script>",
        );
        assert_eq!(
            got,
            ["http://g.cn/a/list.shtml", "http://g.cn/a/list_1.shtml", "http://g.cn/a/list_2.shtml"]
        );
    }

    #[test]
    fn page_count_variable_with_query_links() {
        let got = pages(
            "http://g.cn/public/column/1?type=4&catId=7&action=list",
            r#"<div class="pagination"><a href="?type=4&catId=7&action=list&pageIndex=2">2</a></div>
               <script>var pager = {pageCount: 3, pageSize: 15};</script>"#,
        );
        assert_eq!(
            got,
            [
                "http://g.cn/public/column/1?type=4&catId=7&action=list&pageIndex=2",
                "http://g.cn/public/column/1?type=4&catId=7&action=list&pageIndex=3"
            ]
        );
    }

    #[test]
    fn location_href_paging() {
        // A pager function that navigates by script, with a page-count variable.
        let got = pages(
            "http://g.cn/col/col12/index.html",
            "<script>var totalPage = 4; function goPage(n){ if(n<=1){location.href='index.html';} else { window.location.href = 'index_' + (n - 1) + '.html'; } }</script>",
        );
        assert_eq!(
            got,
            [
                "http://g.cn/col/col12/index_1.html",
                "http://g.cn/col/col12/index_2.html",
                "http://g.cn/col/col12/index_3.html"
            ]
        );
        let got = pages(
            "http://g.cn/xxgk/list.jsp",
            r#"<script>var pageCount = "3"; function jump(p){ location.href = "list.jsp?cat=7&pageNo=" + p; }</script>"#,
        );
        assert_eq!(
            got,
            ["http://g.cn/xxgk/list.jsp?cat=7&pageNo=2", "http://g.cn/xxgk/list.jsp?cat=7&pageNo=3"]
        );
        // Buttons with a literal target.
        let got = pages(
            "http://g.cn/a/index.html",
            r#"<span onclick="location.href='index_1.html'">2</span><span onclick="window.location='index_5.html'">尾页</span>
               <span onclick="location.href='/other/x.html'">阅读全文</span>"#,
        );
        assert_eq!(got, ["http://g.cn/a/index_1.html", "http://g.cn/a/index_5.html"]);
        // layui laypage: 45 entries at 15 a page are 3 pages.
        let got = pages(
            "http://g.cn/b/",
            "<script>laypage.render({elem: 'pager', count: 45, limit: 15, jump: function(obj, first){ if(!first){ location.href = '?page=' + obj.curr; } }});</script>",
        );
        assert_eq!(got, ["http://g.cn/b/?page=2", "http://g.cn/b/?page=3"]);
    }

    #[test]
    fn links_and_bounds() {
        let got = pages(
            "http://g.cn/list/index.html",
            r#"<a href="index_1.html">下一页</a><a href="index_9.html">尾页</a><a href="other.html">其他文章标题</a>"#,
        );
        assert_eq!(got, ["http://g.cn/list/index_1.html", "http://g.cn/list/index_9.html"]);
        let got = pages(
            "http://g.cn/list/index.html",
            r#"<div class="page"><a href="index_1.html">2</a><a href="index_2.html">3</a></div><a href="/other/x_1.html">4</a>"#,
        );
        assert_eq!(got, ["http://g.cn/list/index_1.html", "http://g.cn/list/index_2.html"]);
        let got = pages(
            "http://g.cn/l/index.html",
            r#"<script>createPageHTML(99999999, 0, "index", "html");</script>"#,
        );
        assert_eq!(got.len(), MAX_PAGES - 1);
    }
}

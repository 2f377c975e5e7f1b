//! Lists that a page's script loads from a data API.
//!
//! Some platforms ship a list page as an empty shell whose script asks the server for the entries: jQuery
//! `$.ajax({url: "/api/list", data: {columnId: 12, pageNo: 1}})`, `$.getJSON("…json")`, `fetch("…")`, `.load("list_1.html")`,
//! Hanweb's `dataproxy.jsp`. The crawler reads such a list as the page would: it finds the endpoint in the
//! page's inline script ([`endpoints`]), asks it through the same polite fetcher, and turns what comes back
//! (JSON, JSONP, XML with records, or an HTML fragment) into list entries ([`records`]). Only endpoints on
//! the page's own host are taken, only with GET, and only literal URLs (no script is run).

use foldhash::{HashSet, HashSetExt};
use std::sync::LazyLock;

use regex::Regex;
use scraper::Html;
use serde_json::Value;
use url::Url;

use super::AttrOf;
use super::dates::parse_date;
use super::paging::MAX_PAGES;
use super::{ListEntry, clean_text};

/// Most endpoints taken from one page.
pub const MAX_ENDPOINTS: usize = 4;
/// Most records read from one response.
const MAX_RECORDS: usize = 2000;
/// Most bytes of script looked at per page.
const MAX_SCRIPT_BYTES: usize = 400_000;

/// `script:not([src])`: a script written in the page.
pub(super) fn is_inline_script(v: &scraper::node::Element) -> bool {
    v.name() == "script" && v.attr_of("src").is_none()
}

/// A call that requests a URL: `$.ajax({url: "…"`, `url: '…'`, `$.get("…"`, `$.getJSON("…"`, `$.post("…"`,
/// `fetch("…"`, `axios.get("…"`, `.load("…"`, `xhr.open("GET", "…"`.
static CALL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x)
        (?: (?-u:\b)url\s*:\s*
          | \$\.(?:get|getJSON|post|ajax)\s*\(\s*
          | (?-u:\b)fetch\s*\(\s*
          | (?-u:\b)axios(?:\.get|\.post)?\s*\(\s*
          | \.load\s*\(\s*
          | \.open\s*\(\s*['"](?i:get|post)['"]\s*,\s*
        )
        (['"])([^'"\s]{1,400})['"]"#,
    )
    .expect("static regex")
});
/// The `data: {…}` object literal of an ajax call (flat, literal values only).
static DATA_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)data\s*:\s*\{([^{}]{0,2000})\}").expect("static regex"));
/// One `key: value` pair of a flat object literal, the value a string or number literal.
static PAIR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]?([A-Za-z_][\w]*)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?))"#)
        .expect("static regex")
});

/// Path endings that are not data: scripts, styles, images, the page's own kind of static page is allowed
/// (an HTML fragment loaded into the list).
fn is_asset(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [".js", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".woff", ".woff2", ".ttf", ".mp4"]
        .iter()
        .any(|e| p.ends_with(e))
}

/// The data endpoints the page's inline scripts request, absolute, on the page's own host, at most
/// [`MAX_ENDPOINTS`], in script order. A flat `data: {…}` object in the same call becomes the query.
pub fn endpoints(page: &Url, base: &Url, doc: &Html) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut budget = MAX_SCRIPT_BYTES;
    for s in super::select_where(doc, is_inline_script).take(200) {
        let code: String = s.text().collect();
        if code.len() > budget {
            break;
        }
        budget -= code.len();
        for c in CALL_RE.captures_iter(&code) {
            let literal = &c[2];
            let after = code[c.get(0).map_or(0, |m| m.end())..].trim_start();
            // A URL built by concatenation is not guessed.
            if literal.starts_with("javascript:") || literal.starts_with('#') || after.starts_with('+') {
                continue;
            }
            let Ok(mut u) = base.join(literal) else { continue };
            if u.host_str() != page.host_str()
                || !matches!(u.scheme(), "http" | "https")
                || is_asset(u.path())
            {
                continue;
            }
            // The call's `data: {…}` (within the same statement) becomes query parameters.
            let rest = &code[c.get(0).map_or(0, |m| m.end())..];
            let statement = &rest[..rest.find(';').unwrap_or(rest.len()).min(2000)];
            if let Some(d) = DATA_RE.captures(statement) {
                let pairs: Vec<(String, String)> = PAIR_RE
                    .captures_iter(&d[1])
                    .map(|p| {
                        let v = p.get(2).or(p.get(3)).or(p.get(4)).map_or("", |m| m.as_str());
                        (p[1].to_string(), v.to_string())
                    })
                    .collect();
                if !pairs.is_empty() {
                    u.query_pairs_mut().extend_pairs(pairs);
                }
            }
            u.set_fragment(None);
            if u.as_str() != page.as_str() && seen.insert(u.to_string()) {
                out.push(u.to_string());
                if out.len() >= MAX_ENDPOINTS {
                    return out;
                }
            }
        }
    }
    out
}

/// What a data response holds: list entries and the URLs of the API's further pages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records {
    /// The entries, in response order, deduplicated by URL.
    pub entries: Vec<ListEntry>,
    /// Further pages of the same API (from a total-pages field and a page parameter), at most
    /// [`MAX_PAGES`].
    pub pages: Vec<String>,
}

/// Reads a data response: JSON (or JSONP), XML (records as fields or as CDATA HTML rows), or an HTML
/// fragment. `api` is the endpoint's URL; relative entry URLs resolve against it.
pub fn records(api: &Url, body: &str) -> Records {
    let trimmed = body.trim_start_matches('\u{feff}').trim();
    if let Some(json) = json_of(trimmed) {
        return json_records(api, &json);
    }
    let html = if trimmed.starts_with("<?xml") || trimmed.starts_with("<datastore") {
        xml_as_html(trimmed)
    } else {
        trimmed.to_string()
    };
    let doc = super::parse_document(&super::depth::bounded_nesting(&html));
    let mut entries = super::lists::list_entries(api, &doc);
    entries.truncate(MAX_RECORDS);
    Records { entries, pages: Vec::new() }
}

/// The JSON value of a JSON or JSONP body (`callback({…})`).
fn json_of(body: &str) -> Option<Value> {
    if body.starts_with('{') || body.starts_with('[') {
        return serde_json::from_str(body).ok();
    }
    let open = body.find('(')?;
    let name = &body[..open];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
    {
        return None;
    }
    let inner = body[open + 1..].trim_end().trim_end_matches(';').trim_end().strip_suffix(')')?;
    serde_json::from_str(inner).ok()
}

/// XML records to HTML the list extractor reads: CDATA sections are HTML rows (Hanweb's `<record>`);
/// otherwise each element with title, URL and date children becomes a `<li>`.
fn xml_as_html(xml: &str) -> String {
    static CDATA: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?s)<!\[CDATA\[(.*?)\]\]>").expect("static regex"));
    let rows: Vec<&str> = CDATA.captures_iter(xml).map(|c| c.get(1).map_or("", |m| m.as_str())).collect();
    if rows.iter().any(|r| r.contains("<a")) {
        return format!("<ul>{}</ul>", rows.join(""));
    }
    let mut html = String::from("<ul>");
    for item in xml_items(xml).into_iter().take(MAX_RECORDS) {
        let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
        html.push_str(&format!(
            "<li><a href=\"{}\">{}</a><span>{}</span></li>",
            esc(&item.1),
            esc(&item.0),
            esc(&item.2)
        ));
    }
    html.push_str("</ul>");
    html
}

/// (title, url, date) of each XML element whose leaf children name a title and a URL.
fn xml_items(xml: &str) -> Vec<(String, String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Vec<(String, String)>> = vec![Vec::new()];
    let mut text = String::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                stack.push(Vec::new());
                text.clear();
                if stack.len() > 64 {
                    break;
                }
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) => text.push_str(&t.into_inner()),
            Ok(Event::End(e)) => {
                let name = e.local_name().into_inner().to_string();
                let fields = stack.pop().unwrap_or_default();
                if fields.is_empty() {
                    if let Some(parent) = stack.last_mut() {
                        parent.push((name, text.trim().to_string()));
                    }
                } else {
                    let map =
                        serde_json::Map::from_iter(fields.into_iter().map(|(k, v)| (k, Value::String(v))));
                    if let Some((t, u, d)) = fields_of(&map) {
                        out.push((t, u, d.map(|d| d.to_string()).unwrap_or_default()));
                    }
                }
                text.clear();
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        if out.len() >= MAX_RECORDS {
            break;
        }
    }
    out
}

/// Keys (lowercase, without `_` and `-`) that name a record's title, URL and date on common platforms.
const TITLE_KEYS: &[&str] = &[
    "title",
    "doctitle",
    "name",
    "filename",
    "infotitle",
    "vctitle",
    "articletitle",
    "subject",
    "bt",
    "wjbt",
    "showtitle",
    "maintitle",
];
const URL_KEYS: &[&str] = &[
    "url",
    "link",
    "href",
    "docpuburl",
    "puburl",
    "vcurl",
    "linkurl",
    "detailurl",
    "path",
    "pageurl",
    "fileurl",
    "articleurl",
    "docurl",
    "infourl",
];
const DATE_KEYS: &[&str] = &[
    "date",
    "pubdate",
    "publishdate",
    "docreltime",
    "reltime",
    "releasedate",
    "createtime",
    "createdate",
    "publishtime",
    "pubtime",
    "time",
    "fbrq",
    "fwrq",
    "cwrq",
    "docpubtime",
    "writetime",
    "inputdate",
    "updatetime",
    "displaydate",
    "showtime",
];
/// Keys of a total-pages count.
const PAGES_KEYS: &[&str] =
    &["totalpage", "totalpages", "pagecount", "pagetotal", "pages", "countpage", "totalpagenum"];
/// Query parameters that carry a page number.
const PAGE_PARAMS: &[&str] = &["page", "pageno", "pageindex", "pagenum", "currentpage", "curpage", "pn", "p"];

fn norm_key(k: &str) -> String {
    k.chars().filter(|c| *c != '_' && *c != '-').collect::<String>().to_ascii_lowercase()
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The (title, url, date) of one record object, when it has a title and a URL.
fn fields_of(obj: &serde_json::Map<String, Value>) -> Option<(String, String, Option<chrono::NaiveDate>)> {
    let find = |keys: &[&str]| {
        keys.iter().find_map(|want| {
            obj.iter()
                .find(|(k, _)| norm_key(k) == *want)
                .and_then(|(_, v)| scalar(v))
                .filter(|s| !s.trim().is_empty())
        })
    };
    let title = clean_text(&strip_tags(&find(TITLE_KEYS)?));
    let url = find(URL_KEYS)?;
    let date = find(DATE_KEYS).and_then(|d| date_of(&d));
    (!title.is_empty()).then_some((title, url.trim().to_string(), date))
}

/// A date from a record field: text in any form [`parse_date`] reads, or epoch milliseconds/seconds.
fn date_of(s: &str) -> Option<chrono::NaiveDate> {
    let t = s.trim();
    if t.len() >= 10 && t.len() <= 13 && t.chars().all(|c| c.is_ascii_digit()) {
        let n: i64 = t.parse().ok()?;
        let secs = if t.len() == 13 { n / 1000 } else { n };
        let at = chrono::DateTime::from_timestamp(secs, 0)?;
        // Chinese platforms stamp in Beijing time.
        return Some((at + chrono::Duration::hours(8)).date_naive());
    }
    parse_date(t)
}

fn strip_tags(s: &str) -> String {
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]{0,200}>").expect("static regex"));
    TAG.replace_all(s, "").into_owned()
}

/// Entries of the JSON array of records with the most title-and-URL objects, and further API pages.
fn json_records(api: &Url, json: &Value) -> Records {
    let mut best: Vec<ListEntry> = Vec::new();
    let mut total_pages: Option<usize> = None;
    let mut stack = vec![(json, 0usize)];
    let mut visited = 0usize;
    while let Some((v, depth)) = stack.pop() {
        visited += 1;
        if visited > 100_000 || depth > 32 {
            break;
        }
        match v {
            Value::Array(items) => {
                let mut entries = Vec::new();
                let mut seen = HashSet::new();
                for item in items.iter().take(MAX_RECORDS) {
                    let Value::Object(obj) = item else { continue };
                    let Some((title, url, date)) = fields_of(obj) else { continue };
                    let Ok(abs) = api.join(&url) else { continue };
                    if matches!(abs.scheme(), "http" | "https") && seen.insert(abs.to_string()) {
                        entries.push(ListEntry { title, url: abs.to_string(), date });
                    }
                }
                if entries.len() > best.len() {
                    best = entries;
                }
                stack.extend(items.iter().map(|i| (i, depth + 1)));
            }
            Value::Object(obj) => {
                for (k, val) in obj {
                    if PAGES_KEYS.contains(&norm_key(k).as_str()) {
                        let n = val.as_u64().or_else(|| val.as_str().and_then(|s| s.trim().parse().ok()));
                        if let Some(n) = n {
                            total_pages = Some(total_pages.unwrap_or(0).max(n as usize));
                        }
                    }
                    stack.push((val, depth + 1));
                }
            }
            _ => {}
        }
    }
    Records { entries: best, pages: next_pages(api, total_pages.unwrap_or(0)) }
}

/// The API's pages 2…total when its URL carries page number 1 (or 0) in a page parameter.
fn next_pages(api: &Url, total: usize) -> Vec<String> {
    let Some((key, current)) = api
        .query_pairs()
        .find(|(k, _)| PAGE_PARAMS.contains(&k.to_ascii_lowercase().as_str()))
        .and_then(|(k, v)| Some((k.into_owned(), v.parse::<usize>().ok()?)))
    else {
        return Vec::new();
    };
    if current > 1 || total <= 1 {
        return Vec::new();
    }
    let last = total.min(MAX_PAGES) - (1 - current.min(1));
    ((current + 1)..=last)
        .map(|n| {
            let pairs: Vec<(String, String)> = api
                .query_pairs()
                .map(|(k, v)| {
                    if k == key.as_str() {
                        (k.into_owned(), n.to_string())
                    } else {
                        (k.into_owned(), v.into_owned())
                    }
                })
                .collect();
            let mut u = api.clone();
            u.query_pairs_mut().clear().extend_pairs(pairs);
            u.to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn found(page: &str, html: &str) -> Vec<String> {
        let p = u(page);
        endpoints(&p, &p, &Html::parse_document(html))
    }

    #[test]
    fn ajax_calls_with_data_become_get_urls() {
        let got = found(
            "http://g.cn/xxgk/tzgg/index.html",
            r##"<div id="list"></div><script src="/js/jquery.js"></script><script>
            $(function(){ $.ajax({ type: "get", url: "/api/article/list", dataType: "json",
              data: { columnId: 1024, pageNo: 1, pageSize: 15, title: '' },
              success: function(r){ render(r.data.list); } }); });
            $.getJSON('../data/gzdt.json', function(d){});
            fetch("https://other.example.com/track");
            $("#x").load("/static/banner.png");
            </script>"##,
        );
        assert_eq!(
            got,
            [
                "http://g.cn/api/article/list?columnId=1024&pageNo=1&pageSize=15&title=",
                "http://g.cn/xxgk/data/gzdt.json"
            ]
        );
    }

    #[test]
    fn built_urls_and_scripts_from_files_are_not_guessed() {
        assert!(found("http://g.cn/a/", r#"<script>$.get("/api/list?page=" + n);</script>"#).is_empty());
        assert!(found("http://g.cn/a/", r#"<script src="/api/list.js"></script>"#).is_empty());
    }

    #[test]
    fn json_records_with_platform_field_names() {
        let api = u("http://g.cn/api/article/list?columnId=7&pageNo=1");
        let body = r#"{"code":0,"data":{"totalPage":3,"list":[
            {"DOCTITLE":"关于做好<em>防汛</em>工作的通知","DOCPUBURL":"/xxgk/tzgg/202506/t20250610_12.html","DOCRELTIME":"2025-06-10 09:30:00"},
            {"DOCTITLE":"第二条","DOCPUBURL":"http://g.cn/xxgk/tzgg/202505/t20250502_9.html","DOCRELTIME":1746144000000},
            {"DOCTITLE":"没有链接的行"}],
            "nav":[{"name":"首页"}]}}"#;
        let got = records(&api, body);
        assert_eq!(got.entries.len(), 2, "{got:?}");
        assert_eq!(got.entries[0].title, "关于做好防汛工作的通知");
        assert_eq!(got.entries[0].url, "http://g.cn/xxgk/tzgg/202506/t20250610_12.html");
        assert_eq!(got.entries[0].date, chrono::NaiveDate::from_ymd_opt(2025, 6, 10));
        assert_eq!(
            got.entries[1].date,
            chrono::NaiveDate::from_ymd_opt(2025, 5, 2),
            "epoch ms, Beijing time"
        );
        assert_eq!(
            got.pages,
            [
                "http://g.cn/api/article/list?columnId=7&pageNo=2",
                "http://g.cn/api/article/list?columnId=7&pageNo=3"
            ]
        );
        // A later page does not announce pages again.
        assert!(records(&u("http://g.cn/api/article/list?columnId=7&pageNo=2"), body).pages.is_empty());
    }

    #[test]
    fn jsonp_xml_and_html_fragments() {
        let api = u("http://g.cn/api/list.do");
        let jsonp =
            r#"cb_123([{"title":"某街道召开安全生产会议","url":"a/1.html","pubDate":"2025年3月1日"}]);"#;
        let got = records(&api, jsonp);
        assert_eq!(got.entries[0].url, "http://g.cn/api/a/1.html");
        assert_eq!(got.entries[0].date, chrono::NaiveDate::from_ymd_opt(2025, 3, 1));

        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><result><totalrecord>2</totalrecord><items>
            <item><title>关于公布行政执法事项清单的通知</title><link>/col/col8/art_1.html</link><date>2025-04-08</date></item>
            <item><title>关于开展消防检查的通知</title><link>/col/col8/art_2.html</link><date>2025-04-01</date></item>
            </items></result>"#;
        let got = records(&api, xml);
        assert_eq!(got.entries.len(), 2, "{got:?}");
        assert_eq!(got.entries[1].url, "http://g.cn/col/col8/art_2.html");
        assert_eq!(got.entries[1].date, chrono::NaiveDate::from_ymd_opt(2025, 4, 1));

        let hanweb = r#"<datastore><totalrecord>1</totalrecord><recordset>
            <record><![CDATA[<li><a href="/art/2025/4/9/art_8_3.html" title="某镇开展防汛演练">某镇开展防汛演练</a><span>2025-04-09</span></li>]]></record>
            </recordset></datastore>"#;
        let got = records(&u("http://g.cn/module/web/jpage/dataproxy.jsp?startrecord=1"), hanweb);
        assert_eq!(got.entries.len(), 1, "{got:?}");
        assert_eq!(got.entries[0].url, "http://g.cn/art/2025/4/9/art_8_3.html");

        let fragment = r#"<ul><li><a href="t20250301_5.html">关于调整公交线路的公告</a><span>2025-03-01</span></li></ul>"#;
        let got = records(&u("http://g.cn/xxgk/gg/list_1.html"), fragment);
        assert_eq!(got.entries[0].url, "http://g.cn/xxgk/gg/t20250301_5.html");
    }
}

//! Sitemaps (sitemaps.org 0.9): `<urlset>` files list pages, `<sitemapindex>` files list other sitemaps;
//! either may be gzip-compressed. A plain-text sitemap (one URL per line) is read too.
//!
//! Pure functions, bounded: inflating stops at the cap however small the compressed file is (a gzip bomb
//! costs at most `cap` bytes), and the `<loc>` scan is linear in the text.

use std::io::Read;
use std::sync::LazyLock;

use regex::Regex;

/// What one sitemap file lists.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// `<loc>` of `<sitemap>` entries (an index file): further sitemaps.
    pub sitemaps: Vec<String>,
    /// `<loc>` of `<url>` entries: pages and attachments.
    pub urls: Vec<String>,
}

/// The body as text: gunzipped when it is gzip (by its magic bytes), at most `cap` bytes either way.
pub fn inflate(body: &[u8], cap: usize) -> String {
    let bytes = if body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        // A corrupt or cut stream yields what inflated before the fault.
        let _ = flate2::read::MultiGzDecoder::new(body).take(cap as u64).read_to_end(&mut out);
        out
    } else {
        body[..body.len().min(cap)].to_vec()
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The locations a sitemap file lists.
pub fn parse(text: &str) -> Parsed {
    static LOC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)<(?:[a-z][\w.-]*:)?loc\s*>\s*(?:<!\[CDATA\[)?\s*(.*?)\s*(?:\]\]>)?\s*</(?:[a-z][\w.-]*:)?loc\s*>")
            .expect("static regex")
    });
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let is_xml = head.trim_start().starts_with('<');
    let mut out = Parsed::default();
    if !is_xml {
        out.urls = text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("http://") || l.starts_with("https://"))
            .map(str::to_string)
            .collect();
        return out;
    }
    let index = head.to_ascii_lowercase().contains("sitemapindex");
    for c in LOC.captures_iter(text) {
        let loc = unescape(&c[1]);
        if loc.is_empty() {
            continue;
        }
        if index { out.sitemaps.push(loc) } else { out.urls.push(loc) }
    }
    out
}

/// The five predefined XML entities.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlset_index_and_text() {
        let p = parse(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://g.cn/xxgk/a.html</loc><lastmod>2024-01-01</lastmod></url>
  <url><loc> http://g.cn/xxgk/list?a=1&amp;b=2 </loc></url>
  <url><loc><![CDATA[http://g.cn/xxgk/c.pdf]]></loc></url>
</urlset>"#,
        );
        assert_eq!(
            p.urls,
            ["http://g.cn/xxgk/a.html", "http://g.cn/xxgk/list?a=1&b=2", "http://g.cn/xxgk/c.pdf"]
        );
        assert!(p.sitemaps.is_empty());
        let p = parse(
            "<sitemapindex><sitemap><loc>http://g.cn/s1.xml.gz</loc></sitemap><sitemap><loc>http://g.cn/s2.xml</loc></sitemap></sitemapindex>",
        );
        assert_eq!(p.sitemaps, ["http://g.cn/s1.xml.gz", "http://g.cn/s2.xml"]);
        let p = parse("http://g.cn/a.html\n\n  https://g.cn/b.html \nnot a url\n");
        assert_eq!(p.urls, ["http://g.cn/a.html", "https://g.cn/b.html"]);
    }

    #[test]
    fn gzip_is_inflated_within_the_cap() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b'a'; 50 << 20]).unwrap();
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 200 * 1024, "{} bytes", bomb.len());
        let text = inflate(&bomb, 1 << 20);
        assert_eq!(text.len(), 1 << 20, "inflating stops at the cap");
        assert_eq!(inflate(b"<urlset/>", 1 << 20), "<urlset/>");
        assert_eq!(inflate(&[0x1f, 0x8b, 0, 1, 2], 100), "", "a corrupt stream gives nothing, no panic");
    }
}

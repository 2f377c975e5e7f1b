//! A bound on element nesting, applied before parsing.
//!
//! html5ever's tree builder scans the stack of open elements for most start tags, so a page of N
//! nested elements costs O(N²): 100,000 nested `<div>`s took minutes. Browsers bound the depth
//! instead (Chromium's parser stops nesting at 512 and adds deeper elements as siblings). This does
//! the same, cheaply, on the text: past [`MAX_DEPTH`] open elements, further start and end tags are
//! dropped and their text kept. Elements whose end tag is optional or absent (`p`, `li`, `td`, `br` …)
//! are not counted, so ordinary pages never reach the bound and are passed through untouched.

use std::borrow::Cow;

/// The deepest element nesting kept (Chromium's limit).
pub const MAX_DEPTH: usize = 512;

/// Elements that are void or whose end tag may be omitted: they do not count towards the depth.
const UNCOUNTED: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "param", "keygen", "p", "li", "dt", "dd", "td", "th", "tr", "tbody", "thead", "tfoot", "option",
    "optgroup", "rb", "rp", "rt", "rtc", "colgroup", "caption", "script", "style", "textarea", "title",
    "xmp",
];

/// One tag found in the text: its byte range, whether it closes, and whether it counts.
struct Tag {
    start: usize,
    end: usize,
    closing: bool,
    counted: bool,
}

/// The next tag at or after `from`, skipping comments; `None` at the end of the text.
fn next_tag(b: &[u8], mut from: usize) -> Option<Tag> {
    loop {
        let start = from + memchr::memchr(b'<', b.get(from..)?)?;
        if b[start..].starts_with(b"<!--") {
            let close = memchr::memmem::find(&b[start + 4..], b"-->")?;
            from = start + 4 + close + 3;
            continue;
        }
        let closing = b.get(start + 1) == Some(&b'/');
        let name_at = start + 1 + closing as usize;
        if !b.get(name_at).is_some_and(|c| c.is_ascii_alphabetic()) {
            from = start + 1;
            continue;
        }
        let end = start + memchr::memchr(b'>', &b[start..])? + 1;
        let name_end = b[name_at..end]
            .iter()
            .position(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'/')
            .map_or(end, |p| name_at + p);
        // The name, lowercased into a small buffer (no allocation per tag); a longer one is no
        // element of UNCOUNTED and no raw-text element.
        let raw = &b[name_at..name_end];
        let mut buf = [0u8; 16];
        let name: &[u8] = if raw.len() <= buf.len() {
            buf[..raw.len()].copy_from_slice(raw);
            buf[..raw.len()].make_ascii_lowercase();
            &buf[..raw.len()]
        } else {
            raw
        };
        let self_closing = !closing && b[..end - 1].ends_with(b"/");
        // Raw-text elements hold no tags: a `<script>` or `<style>` is skipped whole, uncounted.
        if !closing && matches!(name, b"script" | b"style" | b"textarea" | b"title" | b"xmp") {
            let mut close = Vec::with_capacity(name.len() + 2);
            close.extend_from_slice(b"</");
            close.extend_from_slice(name);
            // The first `</name`, any case: only a `<` can start it.
            let skip = memchr::memchr_iter(b'<', &b[end..])
                .map(|p| end + p)
                .find(|&p| b.get(p..p + close.len()).is_some_and(|w| w.eq_ignore_ascii_case(&close)))
                .unwrap_or(b.len());
            return Some(Tag { start, end: skip, closing: false, counted: false });
        }
        let counted = !self_closing && !UNCOUNTED.iter().any(|u| u.as_bytes() == name);
        return Some(Tag { start, end, closing, counted });
    }
}

/// `html` with start and end tags beyond [`MAX_DEPTH`] nested elements removed; borrowed when the page
/// never nests that deep (every ordinary page).
pub fn bounded_nesting(html: &str) -> Cow<'_, str> {
    let b = html.as_bytes();
    // Each open element takes a `<`: a page with no more than MAX_DEPTH of them cannot pass the bound
    // (most pages; counting them is a fraction of reading the tags).
    if memchr::memchr_iter(b'<', b).nth(MAX_DEPTH).is_none() {
        return Cow::Borrowed(html);
    }
    let mut depth = 0usize;
    let mut at = 0;
    let mut out: Option<String> = None;
    let mut copied = 0;
    while let Some(tag) = next_tag(b, at) {
        at = tag.end.max(tag.start + 1);
        if !tag.counted {
            continue;
        }
        if tag.closing {
            let drop = depth > MAX_DEPTH;
            depth = depth.saturating_sub(1);
            if !drop {
                continue;
            }
        } else {
            depth += 1;
            if depth <= MAX_DEPTH {
                continue;
            }
        }
        // Drop this tag: copy what came before it.
        let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
        o.push_str(&html[copied..tag.start]);
        copied = tag.end;
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[copied..]);
            Cow::Owned(o)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_pass_through_untouched() {
        let html = "<!DOCTYPE html><html><body><p>a<p>b<ul><li>x<li>y</ul><br><img src=a.png/>\
                    <script>if (a<b) {}</script><!-- <div> --><div><a href=x>t</a></div></body></html>";
        assert!(matches!(bounded_nesting(html), Cow::Borrowed(_)));
    }

    /// Right at the bound, whether the page is counted or scanned: MAX_DEPTH unclosed elements are kept,
    /// one more is dropped.
    #[test]
    fn the_bound_holds_on_short_and_long_pages() {
        for (n, extra) in [(MAX_DEPTH, ""), (MAX_DEPTH, "<br>"), (MAX_DEPTH + 1, "")] {
            let html = format!("{}text{extra}", "<div>".repeat(n));
            let out = bounded_nesting(&html);
            assert_eq!(out.matches("<div>").count(), MAX_DEPTH, "{n} divs {extra}");
            assert_eq!(matches!(out, Cow::Borrowed(_)), n == MAX_DEPTH, "{n} divs {extra}");
        }
    }

    #[test]
    fn nesting_past_the_bound_is_flattened_keeping_the_text() {
        let n = 2_000;
        let html = format!("{}<a href=\"/x\">深处</a>{}", "<div>".repeat(n), "</div>".repeat(n));
        let out = bounded_nesting(&html);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        assert!(out.contains("深处"));
    }
}

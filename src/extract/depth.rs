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

/// The most attributes html5ever is given on one tag. Its tokenizer compares each attribute of a tag with
/// every earlier one, so a tag of n attributes costs n² (100,000 of them took 5.5 s, and a 20 MB body
/// can hold millions); no page needs more than a few dozen.
pub const MAX_ATTRIBUTES: usize = 256;

/// `html` with the attributes of any tag past the [`MAX_ATTRIBUTES`]th removed, for html5ever; borrowed
/// when no tag has that many (every ordinary page).
///
/// It must see every tag html5ever will tokenize, so it reads the text as html5ever's tokenizer does:
/// quoted attribute values, comments (with their odd endings), doctypes and bogus comments, the raw text
/// of `script` (with its escaped states), `style`, `textarea`, `title` and the like, `plaintext`. What
/// is raw text depends on the tree builder only inside `svg`, `math`, `select`, `frameset` and
/// `template`; it stops at the first of those, bounding only the tags before it.
pub fn bounded_attributes(html: &str) -> Cow<'_, str> {
    let b = html.as_bytes();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut pos = 0;
    while let Some(i) = memchr::memchr(b'<', &b[pos..]) {
        let lt = pos + i;
        match b.get(lt + 1) {
            Some(c) if c.is_ascii_alphabetic() => {
                let Some(tag) = tag_extent(b, lt + 1) else { break };
                if let Some(cut) = tag.cut {
                    cuts.push((cut, tag.close));
                }
                pos = tag.close + 1;
                let name = &b[lt + 1..tag.name_end];
                let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
                if ["svg", "math", "select", "frameset", "template", "plaintext"].iter().any(|n| is(n)) {
                    break;
                }
                if is("script") {
                    match script_end(b, pos) {
                        Some(end) => pos = end,
                        None => break,
                    }
                } else if ["style", "xmp", "iframe", "noembed", "noframes", "noscript", "title", "textarea"]
                    .iter()
                    .any(|n| is(n))
                {
                    match raw_end(b, pos, name) {
                        Some(end) => pos = end,
                        None => break,
                    }
                }
            }
            Some(b'/') if b.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) => {
                // End tags are tokenized with their attributes too.
                let Some(tag) = tag_extent(b, lt + 2) else { break };
                if let Some(cut) = tag.cut {
                    cuts.push((cut, tag.close));
                }
                pos = tag.close + 1;
            }
            Some(b'!') if b[lt..].starts_with(b"<!--") => {
                let body = lt + 4;
                pos = if b[body..].starts_with(b">") {
                    body + 1
                } else if b[body..].starts_with(b"->") {
                    body + 2
                } else {
                    let dashes = memchr::memmem::find(&b[body..], b"-->").map(|p| body + p + 3);
                    let bang = memchr::memmem::find(&b[body..], b"--!>").map(|p| body + p + 4);
                    match (dashes, bang) {
                        (Some(d), Some(e)) => d.min(e),
                        (Some(d), None) => d,
                        (None, Some(e)) => e,
                        (None, None) => break,
                    }
                };
            }
            // Doctypes, bogus comments (`<!…>`, `<?…>`, `</…>` not naming a tag): to the first `>`.
            Some(b'!' | b'?' | b'/') => match memchr::memchr(b'>', &b[lt + 2..]) {
                Some(p) => pos = lt + 2 + p + 1,
                None => break,
            },
            _ => pos = lt + 1,
        }
    }
    if cuts.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    for (from, to) in cuts {
        out.push_str(&html[copied..from]);
        copied = to;
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// A tag as html5ever's tokenizer delimits it: where its name ends, where its `>` is, and where its
/// attributes past the [`MAX_ATTRIBUTES`]th begin, if it has more.
struct TagExtent {
    name_end: usize,
    close: usize,
    cut: Option<usize>,
}

/// Whitespace to html5ever's tokenizer (a CR becomes an LF before it).
const fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

/// Reads the tag whose name starts at `at`; `None` if the text ends inside it (html5ever drops it).
fn tag_extent(b: &[u8], at: usize) -> Option<TagExtent> {
    let mut i = at;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name_end = i;
    let (mut count, mut cut) = (0usize, None);
    loop {
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if *b.get(i)? == b'>' {
            return Some(TagExtent { name_end, close: i, cut });
        }
        if count == MAX_ATTRIBUTES && cut.is_none() {
            cut = Some(i);
        }
        count += 1;
        // The name: its first character is taken whatever it is.
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if *b.get(i)? != b'=' {
            continue;
        }
        i += 1;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match *b.get(i)? {
            q @ (b'"' | b'\'') => i += 2 + memchr::memchr(q, &b[i + 1..])?,
            b'>' => {}
            _ => {
                while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                    i += 1;
                }
            }
        }
    }
}

/// Where the raw text of a `name` element that starts at `from` ends: the `<` of its end tag (`</name`
/// followed by whitespace, `/` or `>`).
fn raw_end(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    loop {
        let p = at + memchr::memmem::find(&b[at..], b"</")?;
        if closes(b, p + 2, name) {
            return Some(p);
        }
        at = p + 2;
    }
}

/// Whether `name` (any case) followed by whitespace, `/` or `>` is at `at`.
fn closes(b: &[u8], at: usize, name: &[u8]) -> bool {
    b.get(at..at + name.len()).is_some_and(|n| n.eq_ignore_ascii_case(name))
        && b.get(at + name.len()).is_some_and(|&c| is_space(c) || c == b'/' || c == b'>')
}

/// Where a script's text that starts at `from` ends, following html5ever's script states: `<!--` escapes
/// it, `<script` inside the escape escapes it twice (where `</script` does not end it), `-->` undoes both.
fn script_end(b: &[u8], from: usize) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let mut state = State::Data;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'<' if state == State::Data && b[i..].starts_with(b"<!--") => {
                state = State::Escaped;
                // The two dashes also begin a `-->`.
                i += 2;
                continue;
            }
            b'<' if b.get(i + 1) == Some(&b'/') && closes(b, i + 2, b"script") => {
                if state != State::DoubleEscaped {
                    return Some(i);
                }
                state = State::Escaped;
            }
            b'<' if state == State::Escaped && closes(b, i + 1, b"script") => state = State::DoubleEscaped,
            b'-' if state != State::Data && b[i..].starts_with(b"-->") => state = State::Data,
            _ => {}
        }
        i += 1;
    }
    None
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

    /// The attributes html5ever keeps on the first element named `name`.
    fn attributes_of(html: &str, name: &str) -> usize {
        let doc = scraper::Html::parse_document(html);
        let el = doc.tree.nodes().find_map(|n| n.value().as_element().filter(|e| e.name() == name).cloned());
        el.map_or(0, |e| e.attrs().count())
    }

    fn many(n: usize) -> String {
        (0..n).map(|i| format!(" a{i}=\"{i}\"")).collect()
    }

    #[test]
    fn ordinary_tags_keep_every_attribute() {
        let html = format!(
            "<!DOCTYPE html><!-- c --><div{}>x</div><script>if (a<b) x = '<a {}>';</script><p class=\"a\">",
            many(MAX_ATTRIBUTES),
            many(MAX_ATTRIBUTES * 2)
        );
        assert!(matches!(bounded_attributes(&html), Cow::Borrowed(_)));
    }

    #[test]
    fn a_tag_keeps_its_first_attributes_up_to_the_bound() {
        let html = format!("<p>before</p><div id=d{} class=\"c\" />text</div  {}>", many(3_000), many(1_000));
        let out = bounded_attributes(&html);
        assert_eq!(attributes_of(&out, "div"), MAX_ATTRIBUTES);
        assert!(out.contains("<div id=d a0=\"0\""), "the first attributes stay");
        assert!(out.contains(">text</div"));
        assert!(!out.contains("a999=\"999\""), "the end tag's attributes are bounded too");
        assert!(out.contains("<p>before</p>"));
    }

    /// Quotes inside comments, scripts and raw text are not attribute values: the tag after them is seen.
    #[test]
    fn what_is_not_a_tag_does_not_hide_one() {
        let monster = format!("<div{}>x</div>", many(1_000));
        for (before, after) in [
            ("<!-- <a x=\" -->", "\""),
            ("<!-->", "-->"),
            ("<!--->", "-->"),
            ("<!-- a --!>", "-->"),
            ("<script>var s = \"<a x='\";</script>", "'"),
            ("<script><!-- <script> </script> <a x=' --></script>", "'"),
            ("<style>a[x='<a y=\"'] {}</style>", "\""),
            ("<title><a x=\"</title>", "\""),
            ("<textarea><a x=\"</textarea >", "\""),
            ("<!DOCTYPE html>", ""),
            ("<?php echo '<a x=\"'; ?>", "\""),
            ("</ <a x=\">", "\""),
        ] {
            let html = format!("{before}{monster}{after}");
            let out = bounded_attributes(&html);
            assert_eq!(attributes_of(&out, "div"), MAX_ATTRIBUTES, "after {before:?}");
        }
    }

    /// Random markup with a tag of many attributes somewhere: after bounding, html5ever finds no element
    /// with more than the bound.
    #[test]
    fn random_pages_leave_html5ever_no_tag_past_the_bound() {
        const PIECES: &[&str] = &[
            "<!--",
            "-->",
            "--!>",
            "<!-->",
            "<!--->",
            "<script>",
            "</script>",
            "<script >",
            "</script >",
            "<style>",
            "</style>",
            "<title>",
            "</title>",
            "<textarea>",
            "</textarea>",
            "<noscript>",
            "</noscript>",
            "<iframe>",
            "</iframe>",
            "<xmp>",
            "</xmp>",
            "<a x=\"",
            "<a x='",
            "\"",
            "'",
            ">",
            "<",
            "</",
            "</>",
            "<!DOCTYPE html>",
            "<!x",
            "<?",
            "text",
            " ",
            "\n",
            "\r",
            "=",
            "/",
            "<div>",
            "</div>",
            "<p a=1>",
            "<b c=\"d\">",
            "-",
            "!",
            "<!--<script>",
            "</ x>",
            "<br/>",
            "<SCRIPT>",
            "</Script>",
        ];
        let monster = format!("<div{}>", many(MAX_ATTRIBUTES + 50));
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3_000 {
            let len = (next() % 12) as usize;
            let at = (next() % (len as u64 + 1)) as usize;
            let mut html = String::new();
            for k in 0..=len {
                if k == at {
                    html.push_str(&monster);
                }
                html.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
            let doc = scraper::Html::parse_document(&bounded_attributes(&html));
            for node in doc.tree.nodes() {
                if let Some(e) = node.value().as_element() {
                    assert!(e.attrs().count() <= MAX_ATTRIBUTES, "{html:?}");
                }
            }
        }
    }

    #[test]
    fn foreign_content_stops_the_bounding() {
        let html = format!("<div{}>a</div><svg><style><div{}></style></svg>", many(500), many(500));
        let out = bounded_attributes(&html);
        assert_eq!(out.matches(" a499=").count(), 1, "the tag before <svg> is bounded, the one in it not");
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

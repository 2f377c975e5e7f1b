//! Turning response bytes into text: BOM, then HTTP charset, then `<meta charset>` / `http-equiv`,
//! then detection (chardetng with the `.cn` hint).
//!
//! A declared label is trusted only if the bytes decode under it without error: government servers
//! often send `charset=utf-8` in front of GBK pages. `gb2312` resolves to GBK (WHATWG), as browsers do.

use encoding_rs::Encoding;

/// How the encoding was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecodeSource {
    /// A byte-order mark.
    Bom,
    /// The HTTP `Content-Type` charset.
    Header,
    /// `<meta charset>` or `<meta http-equiv="Content-Type">` in the first bytes of the document.
    Meta,
    /// Statistical detection.
    Detected,
}

/// Text decoded from a body, with the encoding used and how it was chosen.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, as UTF-8.
    pub text: String,
    /// The encoding's WHATWG name, e.g. `GBK`, `UTF-8`.
    pub encoding: &'static str,
    /// How the encoding was chosen.
    pub source: DecodeSource,
    /// Whether malformed sequences were replaced with U+FFFD.
    pub had_errors: bool,
}

/// Decodes a body given the HTTP `Content-Type` header value (if any).
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            source: DecodeSource::Bom,
            had_errors,
        };
    }
    let header = content_type.and_then(charset_param).and_then(|l| Encoding::for_label(l.as_bytes()));
    if let Some(d) = try_clean(bytes, header, DecodeSource::Header) {
        return d;
    }
    let meta = meta_charset(bytes).and_then(|l| Encoding::for_label(l.as_bytes()));
    if let Some(d) = try_clean(bytes, meta, DecodeSource::Meta) {
        return d;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let enc = det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded { text: text.into_owned(), encoding: enc.name(), source: DecodeSource::Detected, had_errors }
}

fn try_clean(bytes: &[u8], enc: Option<&'static Encoding>, source: DecodeSource) -> Option<Decoded> {
    let enc = enc?;
    // UTF-16 labels in a meta tag are a lie by definition (the prescan read ASCII); ignore them.
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return None;
    }
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    (!had_errors).then(|| Decoded { text: text.into_owned(), encoding: enc.name(), source, had_errors })
}

/// The `charset` parameter of a Content-Type value.
pub fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// The charset declared by a `<meta>` tag in the first 4096 bytes, as an ASCII prescan (HTML spec
/// §13.2.3.2, simplified): `<meta charset=X>` or `<meta http-equiv=content-type content="…charset=X">`.
pub fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut i = 0;
    while let Some(pos) = find(&lower[i..], b"<meta") {
        let start = i + pos;
        let end = find(&lower[start..], b">").map(|e| start + e).unwrap_or(lower.len());
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = skip_ws(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = skip_ws(rest);
                let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
                let label: Vec<u8> = rest
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
                    .copied()
                    .collect();
                if !label.is_empty() {
                    return Some(String::from_utf8_lossy(&label).into_owned());
                }
            }
        }
        i = end.max(start + 5);
        if i >= lower.len() {
            break;
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn skip_ws(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    #[test]
    fn gb2312_meta_decodes_as_gbk() {
        let bytes = gbk(
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>政府信息公开指南 镕堃</body></html>",
        );
        let d = decode(&bytes, Some("text/html"));
        assert_eq!(d.encoding, "GBK");
        assert_eq!(d.source, DecodeSource::Meta);
        assert!(d.text.contains("政府信息公开指南 镕堃"));
    }

    #[test]
    fn lying_utf8_header_falls_back() {
        let bytes = gbk(
            "<html><body><p>关于印发包河区政务公开工作要点的通知，各街道、各部门：现将工作要点印发给你们，请认真贯彻落实。</p></body></html>",
        );
        let d = decode(&bytes, Some("text/html; charset=utf-8"));
        assert_eq!(d.encoding, "GBK");
        assert_eq!(d.source, DecodeSource::Detected);
        assert!(d.text.contains("工作要点"));
    }

    #[test]
    fn header_charset_wins_when_it_decodes() {
        let d = decode("<p>公开</p>".as_bytes(), Some("text/html; charset=\"UTF-8\""));
        assert_eq!((d.encoding, d.source), ("UTF-8", DecodeSource::Header));
    }

    #[test]
    fn utf8_bom() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("年报".as_bytes());
        let d = decode(&b, None);
        assert_eq!((d.text.as_str(), d.source), ("年报", DecodeSource::Bom));
    }
}

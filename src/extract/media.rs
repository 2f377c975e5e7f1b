//! Counts of content images, videos and embedded players on a page.
//!
//! Rubric item common-25 asks for 政策解读 in varied forms (图解, 视频, H5): the check needs to know whether a
//! 解读 page carries pictures or a video. Site chrome must not count: logos, icons, spacers, share buttons and
//! images in headers, footers and menus are skipped.

use scraper::{ElementRef, Html};

use super::AttrOf;
use super::nav::{Zone, zone_of};
use super::{Media, Tags, select_tags};

const IMG_SEL: Tags = &[("img", &[])];
const VIDEO_SEL: Tags = &[("video", &[])];
const LINKED_VIDEO_SEL: Tags = &[("a", &["href"]), ("source", &["src"]), ("embed", &["src"])];
const EMBED_SEL: Tags = &[("iframe", &["src"]), ("embed", &[]), ("object", &[])];

const VIDEO_EXT: &[&str] =
    &[".mp4", ".flv", ".m3u8", ".webm", ".mov", ".avi", ".wmv", ".mkv", ".f4v", ".rmvb"];
const CHROME_WORDS: &[&str] = &[
    "logo", "icon", "ico_", "ico-", "spacer", "blank", "pixel", "arrow", "button", "btn", "share", "banner",
    "bg", "dot", "line", "jiantou", "qrcode", "ewm", "erweima", "wza", "jiucuo", "conac", "dzjg", "police",
    "beian",
];
const PLAYER_WORDS: &[&str] = &[
    "video", "player", "vod", "live", "v.qq.com", "youku", "bilibili", "ixigua", "mp4", "swf", "h5", "media",
    "shipin",
];

fn attr_lc(el: ElementRef, names: &[&str]) -> String {
    names.iter().filter_map(|n| el.value().attr(n)).collect::<Vec<_>>().join(" ").to_ascii_lowercase()
}

fn small_dimension(el: ElementRef) -> bool {
    ["width", "height"].iter().any(|n| {
        el.value()
            .attr(n)
            .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
            .is_some_and(|v| v <= 40)
    })
}

fn is_video_url(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    let path = s.split(['?', '#']).next().unwrap_or("");
    VIDEO_EXT.iter().any(|e| path.ends_with(e))
}

/// How far up a page's structure we look for an enclosing element: bounds the work on deeply nested pages.
const MAX_ANCESTORS: usize = 60;

fn inside_video(el: ElementRef) -> bool {
    el.ancestors().filter_map(ElementRef::wrap).take(MAX_ANCESTORS).any(|a| a.value().name() == "video")
}

fn in_chrome(el: ElementRef) -> bool {
    matches!(zone_of(el), Zone::Footer | Zone::Nav)
        || el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| matches!(a.value().name(), "header" | "footer" | "nav"))
}

/// Image, video and embed counts of the page's content.
pub fn media(doc: &Html) -> Media {
    let mut m = Media::default();
    for img in select_tags(doc, IMG_SEL).take(10_000) {
        let desc = attr_lc(img, &["src", "class", "id", "alt"]);
        let src = img.value().attr_of("src").or_else(|| img.value().attr_of("data-src")).unwrap_or("");
        if src.trim().is_empty()
            || src.starts_with("data:")
            || small_dimension(img)
            || CHROME_WORDS.iter().any(|w| desc.contains(w))
            || in_chrome(img)
        {
            continue;
        }
        m.images = m.images.saturating_add(1);
    }
    m.videos = u32::try_from(select_tags(doc, VIDEO_SEL).take(10_000).count()).unwrap_or(u32::MAX);
    for el in select_tags(doc, LINKED_VIDEO_SEL).take(10_000) {
        let target = el.value().attr_of("href").or_else(|| el.value().attr_of("src")).unwrap_or("");
        if is_video_url(target) && !inside_video(el) {
            m.videos = m.videos.saturating_add(1);
        }
    }
    for el in select_tags(doc, EMBED_SEL).take(10_000) {
        let desc = attr_lc(el, &["src", "data", "type", "class", "id"]);
        let is_player = el.value().name() != "iframe" || PLAYER_WORDS.iter().any(|w| desc.contains(w));
        let video_file_embed =
            el.value().name() == "embed" && is_video_url(el.value().attr_of("src").unwrap_or(""));
        if is_player && !video_file_embed && !desc.trim().is_empty() {
            m.embeds = m.embeds.saturating_add(1);
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(html: &str) -> (u32, u32, u32) {
        let m = media(&Html::parse_document(html));
        (m.images, m.videos, m.embeds)
    }

    #[test]
    fn counts() {
        let cases: &[(&str, (u32, u32, u32))] = &[
            (
                r#"<div class="content"><img src="/up/2021/tujie.jpg"><img src="/up/b.png" width="800"></div>"#,
                (2, 0, 0),
            ),
            (
                r#"<div class="header"><img src="/images/logo.png"></div><img src="/i/spacer.gif"><img src="x.gif" width="1" height="1"><footer><img src="/ga.png"></footer>"#,
                (0, 0, 0),
            ),
            (
                r#"<video controls><source src="/v/jiedu.mp4" type="video/mp4"></video><a href="/v/b.MP4?x=1">视频解读</a>"#,
                (0, 2, 0),
            ),
            (
                r#"<iframe src="https://v.qq.com/txp/iframe/player.html?vid=x"></iframe><iframe src="/map.html"></iframe><embed src="/f/a.swf"><object data="/h5/index.html"></object>"#,
                (0, 0, 3),
            ),
        ];
        for (html, want) in cases {
            assert_eq!(count(html), *want, "{html}");
        }
    }
}

//! `zwgk-audit inspect`: what the extractors see in one page, as JSON; an attachment (PDF, DOC, WPS, DOCX,
//! XLS, XLSX, OFD) is read as text, and its `annual_report` is printed when it is a 年报.

use std::path::Path;

use url::Url;

use crate::crawl::decode;
use crate::extract::{self, PageFacts};

/// Why a page could not be inspected.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A URL argument was not valid.
    #[error("invalid URL {0}")]
    Url(String),
    /// Fetching a URL failed.
    #[error("cannot fetch {url}: {message}")]
    Fetch {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
}

/// Extracts facts from a local file, as if served from `base_url` (default: a `file://` URL).
pub fn inspect_file(path: &Path, base_url: Option<&str>) -> Result<PageFacts, InspectError> {
    let bytes = std::fs::read(path)
        .map_err(|source| InspectError::Read { path: path.display().to_string(), source })?;
    let url = match base_url {
        Some(b) => Url::parse(b).map_err(|_| InspectError::Url(b.to_string()))?,
        None => {
            let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            Url::from_file_path(&abs).map_err(|_| InspectError::Url(abs.display().to_string()))?
        }
    };
    let name = path.file_stem().and_then(|s| s.to_str());
    Ok(facts_of(&url, &bytes, None, name))
}

/// The facts of a response body: an attachment (PDF, DOC/WPS, DOCX, XLS, XLSX, OFD) is read as text and, when it is a 年报,
/// as one; anything else is decoded and extracted as an HTML page. `name` is the file name, which may
/// name the report's year.
fn facts_of(url: &Url, bytes: &[u8], content_type: Option<&str>, name: Option<&str>) -> PageFacts {
    use crate::attachments::{Format, Limits, extract_text, sniff};
    let format = sniff(bytes);
    if matches!(format, Format::Pdf | Format::Docx | Format::Ofd | Format::Doc | Format::Xls | Format::Xlsx) {
        let got = extract_text(bytes, &Limits::default());
        let attachment = Some(extract::AttachmentInfo {
            format: serde_json::to_value(format)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            text_chars: got.text.chars().count(),
            note: got.note.as_ref().map(|n| n.label_zh()),
        });
        let title = got.text.lines().map(str::trim).find(|l| !l.is_empty()).map(String::from);
        let named = name.filter(|n| extract::annual_report::report_year(n).is_some());
        let annual_report =
            extract::annual_report_text::annual_report_from_text(named.or(title.as_deref()), &got.text);
        return PageFacts {
            url: url.to_string(),
            title,
            annual_report,
            attachment,
            text: got.text,
            ..PageFacts::default()
        };
    }
    let decoded = decode::decode(bytes, content_type);
    extract::extract_page(url, &decoded.text)
}

/// Fetches a URL (one plain GET, public addresses only) and extracts its facts.
pub async fn inspect_url(url: &str) -> Result<PageFacts, InspectError> {
    let parsed = Url::parse(url).map_err(|_| InspectError::Url(url.to_string()))?;
    let fail = |message: String| InspectError::Fetch { url: url.to_string(), message };
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .user_agent(concat!("zwgk-audit/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let resp = client.get(parsed.clone()).send().await.map_err(|e| fail(e.to_string()))?;
    let final_url = resp.url().clone();
    let ct =
        resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(String::from);
    let bytes = resp.bytes().await.map_err(|e| fail(e.to_string()))?;
    let name = final_url.path_segments().and_then(|mut s| s.next_back()).map(String::from);
    Ok(facts_of(&final_url, &bytes, ct.as_deref(), name.as_deref()))
}

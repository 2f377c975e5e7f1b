//! `zwgk-audit inspect`: what the extractors see in one page, as JSON.

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
    let decoded = decode::decode(&bytes, None);
    Ok(extract::extract_page(&url, &decoded.text))
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
    let decoded = decode::decode(&bytes, ct.as_deref());
    Ok(extract::extract_page(&final_url, &decoded.text))
}

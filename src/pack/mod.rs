//! Evidence packs: one zip per unit that an inspection group can keep after the unit edits its site.
//!
//! A pack holds the unit's HTML report (already masked: it never repeats personal data unmasked), every
//! response that one of the unit's findings cites, as a WARC 1.1 file that standard web-archive tools
//! read, and `manifest.json` listing each cited URL with its fetch time, HTTP status and SHA-256 (the
//! same hash report.json prints). Nothing else goes in: no response that no finding cites, no
//! robots.txt, no request headers beyond the request line and `Host`, nothing about the auditor.
//!
//! [`verify`] recomputes every hash: the manifest's file hashes, each WARC record's block and payload
//! digests, and each manifest entry against its WARC record's payload. Hashes and fetch times are
//! recorded by the tool itself: they show that a pack is intact, not independently when it was fetched.
//!
//! Layout of a pack:
//! ```text
//! manifest.json
//! report.html
//! archive/<unit>.warc.gz     one gzip member per record, stored uncompressed in the zip (as WACZ does)
//! ```

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::report::{AuditReport, HtmlRenderer, Renderer};
use crate::store::{FetchKind, FetchRecord, Store};

pub mod warc;

mod verify;
pub use verify::{Problem, Verification, verify};

/// The `format` value of manifest.json.
pub const MANIFEST_FORMAT: &str = "zwgk-audit-evidence-pack/1";

/// A pack could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// report.json is missing or unreadable.
    #[error("无法读取 {}：{reason}", path.display())]
    Report {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The evidence store is missing.
    #[error("找不到证据库 {}（审计输出目录中应有 evidence.sqlite）", .0.display())]
    NoStore(PathBuf),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// No unit has this id.
    #[error("报告中没有单位 `{id}`；报告中的单位：{known}")]
    UnknownUnit {
        /// The id asked for.
        id: String,
        /// The ids in the report.
        known: String,
    },
    /// A cited response is in the store but its bytes no longer hash to what the report says.
    #[error("证据库中 {url} 的内容与报告记载的 SHA-256 不符（报告 {expected}，证据库 {actual}）")]
    Tampered {
        /// The URL.
        url: String,
        /// The hash in report.json.
        expected: String,
        /// The hash of the stored bytes.
        actual: String,
    },
    /// The HTML report could not be rendered.
    #[error(transparent)]
    Render(#[from] crate::report::ReportError),
    /// Writing the zip failed.
    #[error("无法写入 {}：{reason}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// manifest.json.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// `zwgk-audit <version>`.
    pub tool: String,
    /// The unit.
    pub unit: ManifestUnit,
    /// The audit's `as_of`.
    pub as_of: String,
    /// When the audit's report was generated.
    pub report_generated_at: String,
    /// When the pack was written (RFC 3339, +08:00).
    pub packed_at: String,
    /// Every file of the pack except manifest.json, with its SHA-256.
    pub files: Vec<ManifestFile>,
    /// Every cited response.
    pub evidence: Vec<ManifestEvidence>,
    /// Cited URLs whose response could not be found in the store (none in a normal run).
    pub missing: Vec<MissingEvidence>,
    /// What the hashes prove and what they do not, in Chinese.
    pub notes: Vec<String>,
}

/// The unit a pack is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestUnit {
    /// Its id.
    pub id: String,
    /// Its Chinese name.
    pub name: String,
}

/// One file in the pack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Path inside the zip.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// One cited response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestEvidence {
    /// The URL as report.json cites it (the one requested).
    pub url: String,
    /// The URL that answered, after redirects (the WARC records' target).
    pub final_url: String,
    /// When it was fetched, as report.json says.
    pub fetched_at: String,
    /// HTTP status.
    pub status: Option<u16>,
    /// Content type as served.
    pub content_type: Option<String>,
    /// SHA-256 of the payload (the response body), lowercase hex: report.json's evidence `sha256`.
    pub sha256: String,
    /// Whether the body was cut at the crawler's size limit.
    pub truncated: bool,
    /// The WARC file holding it.
    pub warc_file: String,
    /// The id of its record: a `response`, or for a page read in a headless browser a `conversion` (the
    /// DOM after the page's scripts ran, which no server sent as such).
    pub warc_record_id: String,
    /// That record's `WARC-Type`: `response` or `conversion`.
    #[serde(default = "response_type")]
    pub warc_record_type: String,
    /// Which items and checks cite it.
    pub cited_by: Vec<Citation>,
}

fn response_type() -> String {
    "response".to_string()
}

/// An item and check citing a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// The rubric item id.
    pub item: String,
    /// The check id.
    pub check: String,
}

/// A cited response that the store does not hold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MissingEvidence {
    /// The URL.
    pub url: String,
    /// The hash report.json gives.
    pub sha256: String,
}

/// What [`pack_unit`] wrote.
#[derive(Debug, Clone)]
pub struct PackSummary {
    /// The zip.
    pub path: PathBuf,
    /// Responses archived.
    pub responses: usize,
    /// Cited responses not found in the store.
    pub missing: usize,
}

/// Reads report.json of an audit's out folder.
pub fn read_report(out_dir: &Path) -> Result<AuditReport, PackError> {
    let path = out_dir.join("report.json");
    let bad = |reason: String| PackError::Report { path: path.clone(), reason };
    let text = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
    serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))
}

/// The default file name of a unit's pack.
pub fn pack_file_name(unit_id: &str) -> String {
    format!("evidence-pack-{}.zip", file_safe(unit_id))
}

/// A unit id made safe as one file name component. The units file only allows `[a-z0-9-]+`, but the id
/// `pack` sees comes from report.json, which may come from another machine: a `/`, `\`, `..` or control
/// character must not steer a pack or a zip entry out of its folder.
fn file_safe(id: &str) -> String {
    let safe: String = id
        .chars()
        .take(100)
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    if safe.is_empty() { "_".into() } else { safe }
}

/// Writes the evidence pack of one unit of the audit in `out_dir` to `dest` (a zip file path).
pub fn pack_unit(out_dir: &Path, unit_id: &str, dest: &Path) -> Result<PackSummary, PackError> {
    let report = read_report(out_dir)?;
    let unit = report.units.iter().find(|u| u.id == unit_id).ok_or_else(|| PackError::UnknownUnit {
        id: unit_id.to_string(),
        known: report.units.iter().map(|u| u.id.as_str()).collect::<Vec<_>>().join(", "),
    })?;
    let store_path = out_dir.join("evidence.sqlite");
    if !store_path.is_file() {
        return Err(PackError::NoStore(store_path));
    }
    let store = Store::open(&store_path)?;

    // Cited responses, each once, in the order the report first cites them.
    let mut cited: Vec<((String, String), Vec<Citation>)> = Vec::new();
    for item in &unit.items {
        for finding in &item.findings {
            for ev in &finding.evidence {
                let key = (ev.url.clone(), ev.sha256.clone());
                let citation = Citation { item: item.id.clone(), check: finding.check.clone() };
                match cited.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, by)) if !by.contains(&citation) => by.push(citation),
                    Some(_) => {}
                    None => cited.push((key, vec![citation])),
                }
            }
        }
    }

    let records = store.records_without_bodies(unit_id)?;
    let warc_name = format!("archive/{}.warc.gz", file_safe(unit_id));
    let packed_at = crate::report::now_rfc3339();
    // The WARC goes to a temporary file as it is written, one body in memory at a time: a unit may cite
    // hundreds of attachments.
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    }
    let warc_tmp = dest.with_extension("warc.gz.tmp");
    let result =
        write_warc_and_zip(&store, &records, cited, &report, unit, &warc_name, &warc_tmp, dest, packed_at);
    let _ = std::fs::remove_file(&warc_tmp);
    result
}

/// Writes the WARC to `warc_tmp`, then the zip at `dest` with the HTML, the manifest and that WARC.
#[allow(clippy::too_many_arguments)]
fn write_warc_and_zip(
    store: &Store,
    records: &[FetchRecord],
    cited: Vec<((String, String), Vec<Citation>)>,
    report: &AuditReport,
    unit: &crate::report::UnitReport,
    warc_name: &str,
    warc_tmp: &Path,
    dest: &Path,
    packed_at: String,
) -> Result<PackSummary, PackError> {
    let unit_id = unit.id.as_str();
    let file = std::fs::File::create(warc_tmp).map_err(|e| write_err(warc_tmp, e))?;
    let mut warc_file = HashingWriter::new(std::io::BufWriter::new(file));
    let info_id = record_id(&[unit_id, "warcinfo", &packed_at]);
    warcinfo(&info_id, warc_name, report).write_gz(&mut warc_file).map_err(|e| write_err(warc_tmp, e))?;
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for ((url, sha), cited_by) in cited {
        let Some(meta) = records.iter().find(|r| r.url == url && r.sha256.as_deref() == Some(sha.as_str()))
        else {
            missing.push(MissingEvidence { url, sha256: sha });
            continue;
        };
        let body = store.body(meta.id)?.unwrap_or_default();
        let actual = hex::encode(Sha256::digest(&body));
        if actual != sha {
            return Err(PackError::Tampered { url, expected: sha, actual });
        }
        let record = FetchRecord { body, ..meta.clone() };
        let response = if record.kind == FetchKind::Rendered {
            let dom = conversion(&record, &info_id);
            dom.write_gz(&mut warc_file).map_err(|e| write_err(warc_tmp, e))?;
            dom
        } else {
            let (request, response) = exchange(&record, &info_id);
            request.write_gz(&mut warc_file).map_err(|e| write_err(warc_tmp, e))?;
            response.write_gz(&mut warc_file).map_err(|e| write_err(warc_tmp, e))?;
            response
        };
        evidence.push(ManifestEvidence {
            url,
            final_url: record.final_url.clone(),
            fetched_at: record.fetched_at.to_rfc3339(),
            status: record.status,
            content_type: record.content_type.clone(),
            sha256: sha,
            truncated: record.truncated,
            warc_file: warc_name.to_string(),
            warc_record_id: response.field("WARC-Record-ID").unwrap_or_default().to_string(),
            warc_record_type: response.field("WARC-Type").unwrap_or("response").to_string(),
            cited_by,
        });
    }

    let single = AuditReport { units: vec![unit.clone()], ..report.clone() };
    let html = HtmlRenderer::default().render(&single)?.into_bytes();
    let warc_entry = warc_file.finish(warc_name).map_err(|e| write_err(warc_tmp, e))?;
    let files = vec![file_entry("report.html", &html), warc_entry];
    let mut manifest = Manifest {
        format: MANIFEST_FORMAT.to_string(),
        tool: format!("{} {}", report.tool.name, report.tool.version),
        unit: ManifestUnit { id: unit.id.clone(), name: unit.name.clone() },
        as_of: report.as_of.clone(),
        report_generated_at: report.generated_at.clone(),
        packed_at,
        files,
        evidence,
        missing,
        notes: vec![
            "本证据包所含网页均为测评工具抓取时的原始响应（WARC 1.1 格式），每条记录附 SHA-256 校验值，可用 zwgk-audit verify 或通用网页存档工具核验。".to_string(),
            "抓取时间与校验值由测评工具自行记录，可证明证据包内容未被改动，但不构成第三方时间证明；如需，可另行申请可信时间戳或电子数据存证。".to_string(),
            "响应头仅保存测评所需的主要字段，请求记录仅含请求行和 Host；响应内容为解除传输压缩后的原文。".to_string(),
        ],
    };
    if manifest.evidence.iter().any(|e| e.warc_record_type == "conversion") {
        manifest.notes[0] = "本证据包所含网页为测评工具抓取时的原始响应（WARC 1.1 格式），每条记录附 SHA-256 校验值，可用 zwgk-audit verify 或通用网页存档工具核验；其中类型为 conversion 的记录例外，见下条。".to_string();
        manifest.notes.push(
            "类型为 conversion 的记录是测评工具在无头浏览器中打开网页、执行其脚本后得到的页面内容（DOM），由网页脚本生成的栏目列表只能这样读取；它不是服务器发送的原始响应，校验值为该页面内容的 SHA-256。".to_string(),
        );
    }
    let mut manifest_json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    manifest_json.push(b'\n');

    let summary = PackSummary {
        path: dest.to_path_buf(),
        responses: manifest.evidence.len(),
        missing: manifest.missing.len(),
    };
    write_zip(
        dest,
        &[
            ("manifest.json", Entry::Bytes(&manifest_json)),
            ("report.html", Entry::Bytes(&html)),
            (warc_name, Entry::File(warc_tmp)),
        ],
    )?;
    Ok(summary)
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> PackError {
    PackError::Write { path: path.to_path_buf(), reason: e.to_string() }
}

fn file_entry(path: &str, bytes: &[u8]) -> ManifestFile {
    ManifestFile {
        path: path.to_string(),
        bytes: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(bytes)),
    }
}

/// What goes into a zip entry: bytes (deflated) or a file (stored as is).
enum Entry<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

/// A writer that hashes and counts what passes through it.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> HashingWriter<W> {
        HashingWriter { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// Flushes, and returns the manifest entry of what was written.
    fn finish(mut self, path: &str) -> std::io::Result<ManifestFile> {
        self.inner.flush()?;
        Ok(ManifestFile {
            path: path.to_string(),
            bytes: self.bytes,
            sha256: hex::encode(self.hasher.finalize()),
        })
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the zip to a temporary name, then renames it, so a half-written pack never has the real name.
fn write_zip(dest: &Path, entries: &[(&str, Entry<'_>)]) -> Result<(), PackError> {
    let tmp = dest.with_extension("zip.tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| write_err(&tmp, e))?;
    let mut zip = zip::ZipWriter::new(file);
    for (name, entry) in entries {
        // The WARC is already gzipped per record; stored as is, its records keep their offsets (WACZ).
        let method = match entry {
            Entry::Bytes(_) => zip::CompressionMethod::Deflated,
            Entry::File(_) => zip::CompressionMethod::Stored,
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip_time());
        zip.start_file(*name, options).map_err(|e| write_err(&tmp, e))?;
        match entry {
            Entry::Bytes(bytes) => zip.write_all(bytes).map_err(|e| write_err(&tmp, e))?,
            Entry::File(path) => {
                let mut f = std::fs::File::open(path).map_err(|e| write_err(path, e))?;
                std::io::copy(&mut f, &mut zip).map_err(|e| write_err(&tmp, e))?;
            }
        }
    }
    zip.finish().map_err(|e| write_err(&tmp, e))?;
    std::fs::rename(&tmp, dest).map_err(|e| write_err(dest, e))
}

/// Now in Beijing time, as zip stores it (local time, two-second precision).
fn zip_time() -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let now = Utc::now().with_timezone(&crate::audit::beijing());
    zip::DateTime::from_date_and_time(
        now.year().clamp(1980, 2107) as u16,
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .unwrap_or_default()
}

/// A deterministic `<urn:uuid:…>` (RFC 9562 version 8) from the parts that identify a record.
fn record_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let mut b: [u8; 16] = h.finalize()[..16].try_into().expect("16 bytes");
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!("<urn:uuid:{}-{}-{}-{}-{}>", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..])
}

fn warc_date(record: &FetchRecord) -> String {
    record.fetched_at.with_timezone(&Utc).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn warcinfo(id: &str, file_name: &str, report: &AuditReport) -> warc::Record {
    let block = format!(
        "software: {} {}\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\nrobots: obey\r\ndescription: responses cited as evidence by a zwgk-audit report as of {}; response headers are those the crawler kept, bodies are after content decoding\r\n",
        report.tool.name, report.tool.version, report.as_of
    )
    .into_bytes();
    let date = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    with_digests(
        vec![
            ("WARC-Type", "warcinfo".to_string()),
            ("WARC-Record-ID", id.to_string()),
            ("WARC-Date", date),
            ("WARC-Filename", file_name.rsplit('/').next().unwrap_or(file_name).to_string()),
            ("Content-Type", "application/warc-fields".to_string()),
        ],
        block,
        None,
    )
}

/// The request and response records of one stored fetch.
fn exchange(record: &FetchRecord, info_id: &str) -> (warc::Record, warc::Record) {
    let key = [record.unit_id.as_str(), &record.url, &record.fetched_at.to_rfc3339()];
    let request_id = record_id(&[key[0], key[1], key[2], "request"]);
    let response_id = record_id(&[key[0], key[1], key[2], "response"]);
    let target = url::Url::parse(&record.final_url).ok();
    let (path, host) = match &target {
        Some(u) => {
            let mut path = u.path().to_string();
            if let Some(q) = u.query() {
                path.push('?');
                path.push_str(q);
            }
            let host = match u.port() {
                Some(p) => format!("{}:{p}", u.host_str().unwrap_or_default()),
                None => u.host_str().unwrap_or_default().to_string(),
            };
            (path, host)
        }
        None => ("/".to_string(), String::new()),
    };
    let request_block = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes();
    let status = record.status.unwrap_or(0);
    let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    for (k, v) in record.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("content-length")) {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", record.body.len()));
    let mut response_block = head.into_bytes();
    response_block.extend_from_slice(&record.body);

    let date = warc_date(record);
    let common = |kind: &str, id: &str, other: &str, msgtype: &str| {
        vec![
            ("WARC-Type", kind.to_string()),
            ("WARC-Record-ID", id.to_string()),
            ("WARC-Date", date.clone()),
            ("WARC-Target-URI", record.final_url.clone()),
            ("WARC-Warcinfo-ID", info_id.to_string()),
            ("WARC-Concurrent-To", other.to_string()),
            ("Content-Type", format!("application/http;msgtype={msgtype}")),
        ]
    };
    let request = with_digests(common("request", &request_id, &response_id, "request"), request_block, None);
    let mut fields = common("response", &response_id, &request_id, "response");
    if record.truncated {
        fields.push(("WARC-Truncated", "length".to_string()));
    }
    if record.url != record.final_url {
        fields.push(("X-Requested-URI", record.url.clone()));
    }
    let payload_at = response_block.len() - record.body.len();
    let response = with_digests(fields, response_block, Some(payload_at));
    (request, response)
}

/// The record of a page read in a headless browser: a `conversion` record (WARC 1.1: content transformed
/// from an earlier record, here by running the page's scripts), holding the DOM with no HTTP head, since no
/// server sent it. Its payload is the whole block, so its payload digest is the DOM's SHA-256, the hash
/// report.json cites.
fn conversion(record: &FetchRecord, info_id: &str) -> warc::Record {
    let id = record_id(&[&record.unit_id, &record.url, &record.fetched_at.to_rfc3339(), "conversion"]);
    let content_type = record.content_type.clone().unwrap_or_else(|| "text/html; charset=utf-8".to_string());
    let fields = vec![
        ("WARC-Type", "conversion".to_string()),
        ("WARC-Record-ID", id),
        ("WARC-Date", warc_date(record)),
        ("WARC-Target-URI", record.final_url.clone()),
        ("WARC-Warcinfo-ID", info_id.to_string()),
        ("Content-Type", content_type),
        ("X-Converted-By", "headless Chromium: the DOM after the page's scripts ran".to_string()),
    ];
    with_digests(fields, record.body.clone(), Some(0))
}

/// Adds the block digests (and payload digests when the payload starts at `payload_at`).
fn with_digests(fields: Vec<(&str, String)>, block: Vec<u8>, payload_at: Option<usize>) -> warc::Record {
    let mut fields: Vec<(String, String)> = fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    fields.push(("WARC-Block-Digest".into(), warc::sha256_label(&block)));
    if let Some(at) = payload_at {
        fields.push(("WARC-Payload-Digest".into(), warc::sha256_label(&block[at..])));
    }
    fields.push((warc::SHA1_BLOCK_FIELD.into(), warc::sha1_label(&block)));
    if let Some(at) = payload_at {
        fields.push((warc::SHA1_PAYLOAD_FIELD.into(), warc::sha1_label(&block[at..])));
    }
    warc::Record::new(fields, block)
}

/// Largest entry `verify` reads: a pack's WARC holds cited pages and attachments, each capped by the crawler.
const MAX_ENTRY_BYTES: u64 = 2 << 30;

/// Reads every entry of a zip into memory, by name; a damaged entry is reported by name.
pub(crate) fn read_zip(path: &Path) -> Result<BTreeMap<String, Result<Vec<u8>, String>>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                out.insert(format!("#{i}"), Err(e.to_string()));
                continue;
            }
        };
        let name = entry.name().map(|n| n.to_string()).unwrap_or_else(|_| format!("#{i}"));
        if entry.size() > MAX_ENTRY_BYTES {
            out.insert(name, Err(format!("larger than {MAX_ENTRY_BYTES} bytes; not read")));
            continue;
        }
        let mut bytes = Vec::new();
        let read = (&mut entry).take(MAX_ENTRY_BYTES + 1).read_to_end(&mut bytes);
        let read = match read {
            Ok(_) if bytes.len() as u64 > MAX_ENTRY_BYTES => {
                Err(format!("larger than {MAX_ENTRY_BYTES} bytes"))
            }
            Ok(_) => Ok(bytes),
            Err(e) => Err(e.to_string()),
        };
        out.insert(name, read);
    }
    Ok(out)
}

//! `verify`: recompute every hash of an evidence pack and name whatever does not match.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::warc::{self, ReadRecord};
use super::{MANIFEST_FORMAT, Manifest};

/// One mismatch or defect, naming the file (and the record) it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The file inside the pack (or the pack itself).
    pub file: String,
    /// The WARC record, `<urn:uuid:…>` and its target URI, when the problem is in one.
    pub record: Option<String>,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.record {
            Some(r) => write!(f, "{}，记录 {}：{}", self.file, r, self.message),
            None => write!(f, "{}：{}", self.file, self.message),
        }
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, Default)]
pub struct Verification {
    /// Hashes recomputed and found equal.
    pub checked: usize,
    /// WARC records read.
    pub records: usize,
    /// Evidence entries of the manifest matched to their records.
    pub evidence: usize,
    /// Everything that did not match.
    pub problems: Vec<Problem>,
}

impl Verification {
    /// Whether the pack is intact.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, file: &str, record: Option<String>, message: impl Into<String>) {
        self.problems.push(Problem { file: file.to_string(), record, message: message.into() });
    }
}

/// Verifies the pack at `path`.
pub fn verify(path: &Path) -> Verification {
    let mut v = Verification::default();
    let pack = path.display().to_string();
    let entries = match super::read_zip(path) {
        Ok(e) => e,
        Err(e) => {
            v.problem(&pack, None, format!("无法作为 zip 文件读取：{e}"));
            return v;
        }
    };
    let mut files: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for (name, read) in &entries {
        match read {
            Ok(bytes) => {
                files.insert(name, bytes);
            }
            Err(e) => v.problem(name, None, format!("文件已损坏，无法读出（{e}）")),
        }
    }
    let Some(manifest_bytes) = files.get("manifest.json") else {
        if !entries.contains_key("manifest.json") {
            v.problem(&pack, None, "缺少 manifest.json");
        }
        return v;
    };
    let manifest: Manifest = match serde_json::from_slice(manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            v.problem("manifest.json", None, format!("无法解析：{e}"));
            return v;
        }
    };
    if manifest.format != MANIFEST_FORMAT {
        v.problem("manifest.json", None, format!("未知的证据包格式 `{}`", manifest.format));
    }

    // Every file the manifest lists, by hash; and no file it does not list.
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    for f in &manifest.files {
        match files.get(f.path.as_str()) {
            Some(bytes) => {
                let actual = hex::encode(Sha256::digest(bytes));
                if actual == f.sha256 && bytes.len() as u64 == f.bytes {
                    v.checked += 1;
                } else {
                    v.problem(
                        &f.path,
                        None,
                        format!(
                            "SHA-256 与清单不符：清单 {}（{} 字节），实际 {}（{} 字节）",
                            f.sha256,
                            f.bytes,
                            actual,
                            bytes.len()
                        ),
                    );
                }
            }
            None if entries.contains_key(&f.path) => {}
            None => v.problem(&f.path, None, "清单列出的文件在证据包中不存在"),
        }
    }
    for name in entries.keys().filter(|n| n.as_str() != "manifest.json" && !listed.contains(n.as_str())) {
        v.problem(name, None, "证据包中有清单未列出的文件");
    }

    // Every WARC record's digests, and every manifest entry against its response record.
    let mut responses: BTreeMap<(String, String), ReadRecord> = BTreeMap::new();
    for f in manifest.files.iter().filter(|f| f.path.ends_with(".warc.gz")) {
        let Some(bytes) = files.get(f.path.as_str()) else { continue };
        let records = match warc::read_gz(bytes) {
            Ok(r) => r,
            Err(e) => {
                v.problem(
                    &f.path,
                    Some(format!("第 {} 条（偏移 {}）", e.index + 1, e.offset)),
                    format!("WARC 记录无法读取：{}", e.problem),
                );
                continue;
            }
        };
        for r in records {
            v.records += 1;
            let problems = warc::check_digests(&r.record);
            if problems.is_empty() {
                v.checked += 1;
            }
            for p in problems {
                v.problem(&f.path, Some(describe(&r)), format!("校验值不符：{p}"));
            }
            if matches!(r.record.field("WARC-Type"), Some("response" | "conversion")) {
                let id = r.record.field("WARC-Record-ID").unwrap_or_default().to_string();
                responses.insert((f.path.clone(), id), r);
            }
        }
    }
    let mut matched = BTreeSet::new();
    for e in &manifest.evidence {
        let key = (e.warc_file.clone(), e.warc_record_id.clone());
        let Some(r) = responses.get(&key) else {
            v.problem(
                &e.warc_file,
                Some(e.warc_record_id.clone()),
                format!("清单所列证据 {} 的响应记录不存在", e.url),
            );
            continue;
        };
        matched.insert(key);
        // A conversion record (a rendered DOM) has no HTTP head: its payload is its whole block.
        let payload = if r.record.field("WARC-Type") == Some("conversion") {
            &r.record.block[..]
        } else {
            warc::http_payload(&r.record.block).unwrap_or_default()
        };
        let actual = hex::encode(Sha256::digest(payload));
        if actual != e.sha256 {
            v.problem(
                &e.warc_file,
                Some(describe(r)),
                format!("清单记载 {} 的 SHA-256 为 {}，WARC 记录中的网页内容为 {}", e.url, e.sha256, actual),
            );
        } else if r.record.field("WARC-Target-URI") != Some(e.final_url.as_str()) {
            v.problem(
                &e.warc_file,
                Some(describe(r)),
                format!("记录的目标地址与清单所列 {} 不一致", e.final_url),
            );
        } else if !same_instant(r.record.field("WARC-Date"), &e.fetched_at) {
            v.problem(
                &e.warc_file,
                Some(describe(r)),
                format!(
                    "记录的抓取时间 {} 与清单所列 {} 不一致",
                    r.record.field("WARC-Date").unwrap_or("（无）"),
                    e.fetched_at
                ),
            );
        } else {
            v.checked += 1;
            v.evidence += 1;
        }
    }
    for (key, r) in &responses {
        if !matched.contains(key) {
            v.problem(&key.0, Some(describe(r)), "WARC 中有清单未列出的响应记录");
        }
    }
    v
}

/// Whether a WARC-Date and an RFC 3339 time name the same instant.
fn same_instant(warc_date: Option<&str>, rfc3339: &str) -> bool {
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
    matches!((warc_date.and_then(parse), parse(rfc3339)), (Some(a), Some(b)) if a == b)
}

fn describe(r: &ReadRecord) -> String {
    let id = r.record.field("WARC-Record-ID").unwrap_or("（无记录编号）");
    match r.record.field("WARC-Target-URI") {
        Some(uri) => format!("{id}（{uri}）"),
        None => id.to_string(),
    }
}

//! Scale out: `audit --shard K/N` audits one shard of the units, `merge` combines the shards' outputs.
//!
//! Units are independent, so any batch scheduler (a Kubernetes indexed Job, a Slurm array, a CI
//! matrix) can run one shard per machine. What must not be split is a host: politeness is a budget per
//! host, and two machines crawling one 集约化 platform would each spend the whole budget. So units are
//! grouped first: two units whose roots share a host name are in one group (transitively), and a group
//! goes to shard `first_8_bytes(SHA-256(its smallest host)) mod N`. The hash is fixed (not Rust's
//! randomly keyed hasher), so every machine computes the same assignment from the same units file.
//!
//! Each shard's output folder gets `shard.json` (which shard, which units, a fingerprint of the units
//! file's units), so `merge` can refuse an incomplete or mismatched set of shards.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{self, AuditError};
use crate::config::{Unit, UnitsConfig};
use crate::report::{self, AuditReport};

/// The file describing a shard's output.
pub const SHARD_FILE: &str = "shard.json";

/// Shard K of N, K counted from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSpec {
    /// K, from 0.
    pub index: usize,
    /// N.
    pub count: usize,
}

impl ShardSpec {
    /// Parses `K/N` with 0 ≤ K < N.
    pub fn parse(s: &str) -> Result<ShardSpec, String> {
        let bad = || format!("--shard `{s}` 应为 K/N，其中 N ≥ 1、0 ≤ K < N（K 从 0 起算），例如 0/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(ShardSpec { index, count })
    }
}

/// The host names of a unit's roots, lower-cased.
fn hosts(unit: &Unit) -> Vec<String> {
    unit.roots.iter().filter_map(|r| r.host_str()).map(|h| h.to_ascii_lowercase()).collect()
}

/// A stable 64-bit hash of a host name: the first 8 bytes of its SHA-256, big-endian.
pub fn host_hash(host: &str) -> u64 {
    let digest = Sha256::digest(host.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// The shard (0..count) of every unit, in units order. Units sharing a host, directly or through other
/// units, always get the same shard.
pub fn assign(units: &[Unit], count: usize) -> Vec<usize> {
    // Union-find over units, joined through the hosts they share.
    let mut parent: Vec<usize> = (0..units.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first_with_host: HashMap<String, usize> = HashMap::new();
    for (i, unit) in units.iter().enumerate() {
        for host in hosts(unit) {
            let j = *first_with_host.entry(host).or_insert(i);
            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
            parent[a.max(b)] = a.min(b);
        }
    }
    // A group's key is its smallest host name: independent of the order units are listed in.
    let mut key: HashMap<usize, String> = HashMap::new();
    for (i, unit) in units.iter().enumerate() {
        let root = find(&mut parent, i);
        for host in hosts(unit) {
            let k = key.entry(root).or_insert_with(|| host.clone());
            if host < *k {
                *k = host;
            }
        }
    }
    (0..units.len())
        .map(|i| {
            let root = find(&mut parent, i);
            (host_hash(&key[&root]) % count as u64) as usize
        })
        .collect()
}

/// A fingerprint of the units (ids and roots, in order): shards of one run share it.
pub fn units_fingerprint(units: &[Unit]) -> String {
    let mut h = Sha256::new();
    for u in units {
        h.update(u.id.as_bytes());
        for r in &u.roots {
            h.update([0u8]);
            h.update(r.as_str().as_bytes());
        }
        h.update([0xffu8]);
    }
    hex::encode(h.finalize())
}

/// shard.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    /// Which shard.
    pub shard: ShardSpec,
    /// [`units_fingerprint`] of the whole units file.
    pub units_fingerprint: String,
    /// The units of this shard with their position in the units file.
    pub units: Vec<ShardUnit>,
}

/// A unit of a shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardUnit {
    /// The unit id.
    pub id: String,
    /// Its position in the units file, from 0.
    pub position: usize,
}

/// Keeps only the units of shard `spec` in `config`; returns what shard.json will say.
pub fn select(config: &mut UnitsConfig, spec: ShardSpec) -> ShardFile {
    let fingerprint = units_fingerprint(&config.units);
    let shards = assign(&config.units, spec.count);
    let mut kept = Vec::new();
    let mut units = Vec::new();
    for (position, (unit, shard)) in config.units.drain(..).zip(shards).enumerate() {
        if shard == spec.index {
            units.push(ShardUnit { id: unit.id.clone(), position });
            kept.push(unit);
        }
    }
    config.units = kept;
    ShardFile { shard: spec, units_fingerprint: fingerprint, units }
}

/// Writes the empty report of a shard that received no unit (so that `merge` sees every shard); returns
/// the line to print.
pub fn write_empty(out: &Path, as_of: chrono::NaiveDate, spec: ShardSpec) -> Result<String, AuditError> {
    let report = AuditReport::new(as_of.format("%Y-%m-%d").to_string(), Vec::new());
    audit::finish(report, out)?;
    Ok(format!(
        "分片 {}/{} 未分到任何单位（单位按网站主机分配），已写入空报告 {}，供 merge 合并。",
        spec.index,
        spec.count,
        out.display()
    ))
}

/// Writes shard.json into a shard's output folder.
pub fn write_shard_file(out: &Path, file: &ShardFile) -> Result<(), AuditError> {
    let path = out.join(SHARD_FILE);
    let text = serde_json::to_string_pretty(file).expect("shard file serialises") + "\n";
    std::fs::write(&path, text).map_err(|source| AuditError::OutDir { path, source })
}

/// Shards that cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A shard's report or shard.json is missing or unreadable.
    #[error("无法读取 {}：{reason}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The shards do not belong together or are incomplete.
    #[error("{0}")]
    Mismatch(String),
    /// Writing the merged output failed.
    #[error(transparent)]
    Report(#[from] report::ReportError),
    /// Merging the evidence stores failed.
    #[error("合并证据库 {}：{source}", path.display())]
    Store {
        /// The merged store.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The spreadsheet could not be written.
    #[error(transparent)]
    Xlsx(#[from] crate::xlsx::XlsxError),
}

/// What [`merge`] produced.
#[derive(Debug)]
pub struct MergeOutcome {
    /// The merged report.
    pub report: AuditReport,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Responses copied into the merged evidence store.
    pub responses: usize,
}

/// Merges the output folders of shards (or of any audits of disjoint units on the same date) into
/// `out`: report.json, report.html and report.xlsx regenerated, the evidence stores merged into one.
pub fn merge(shards: &[PathBuf], out: &Path) -> Result<MergeOutcome, MergeError> {
    let mut reports = Vec::new();
    let mut shard_files = Vec::new();
    for dir in shards {
        let path = dir.join("report.json");
        let text = std::fs::read(&path)
            .map_err(|e| MergeError::Read { path: path.clone(), reason: e.to_string() })?;
        let report: AuditReport = serde_json::from_slice(&text)
            .map_err(|e| MergeError::Read { path: path.clone(), reason: e.to_string() })?;
        let shard_path = dir.join(SHARD_FILE);
        let shard = match std::fs::read(&shard_path) {
            Ok(t) => Some(
                serde_json::from_slice::<ShardFile>(&t)
                    .map_err(|e| MergeError::Read { path: shard_path.clone(), reason: e.to_string() })?,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(MergeError::Read { path: shard_path, reason: e.to_string() }),
        };
        reports.push(report);
        shard_files.push(shard);
    }
    let out_canon = std::fs::canonicalize(out).ok();
    if shards.iter().any(|d| out_canon.is_some() && std::fs::canonicalize(d).ok() == out_canon) {
        return Err(MergeError::Mismatch("--out 不能是待合并的分片目录之一".into()));
    }
    check_shards(shards, &shard_files)?;
    let as_of = &reports[0].as_of;
    if let Some((dir, r)) = shards.iter().zip(&reports).find(|(_, r)| &r.as_of != as_of) {
        return Err(MergeError::Mismatch(format!(
            "{} 的测评基准日为 {}，与 {} 的 {} 不一致，不能合并",
            dir.display(),
            r.as_of,
            shards[0].display(),
            as_of
        )));
    }

    // Units in units-file order when the shards say it, else in the order given.
    let positions: HashMap<String, usize> = shard_files
        .iter()
        .flatten()
        .flat_map(|s| s.units.iter().map(|u| (u.id.clone(), u.position)))
        .collect();
    // Sort key: (position in the units file if known, else after them; then the order given).
    let mut units: Vec<((usize, usize), report::UnitReport)> = Vec::new();
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    let mut notes: Vec<String> = Vec::new();
    for (dir, r) in shards.iter().zip(&reports) {
        for u in &r.units {
            if let Some(other) = seen.insert(u.id.clone(), dir) {
                return Err(MergeError::Mismatch(format!(
                    "单位 `{}` 同时出现在 {} 和 {} 中，不能合并",
                    u.id,
                    other.display(),
                    dir.display()
                )));
            }
            let position = positions.get(&u.id).copied().unwrap_or(usize::MAX);
            units.push(((position, units.len()), u.clone()));
        }
        for n in &r.notes {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
    }
    units.sort_by_key(|(p, _)| *p);
    let mut report = AuditReport::new(as_of.clone(), units.into_iter().map(|(_, u)| u).collect());
    report.notes = notes;

    let mut written = report::write_reports(out, &report)?;
    written.push(crate::xlsx::write(out, &report)?);
    let store_path = out.join("evidence.sqlite");
    let responses = merge_stores(shards, &reports, &store_path)
        .map_err(|source| MergeError::Store { path: store_path.clone(), source })?;
    written.push(store_path);
    Ok(MergeOutcome { report, written, responses })
}

/// When shard.json files are present, they must all be there, from one units file, each shard once.
fn check_shards(dirs: &[PathBuf], files: &[Option<ShardFile>]) -> Result<(), MergeError> {
    let present: Vec<(&PathBuf, &ShardFile)> =
        dirs.iter().zip(files).filter_map(|(d, f)| f.as_ref().map(|f| (d, f))).collect();
    if present.is_empty() {
        return Ok(());
    }
    if present.len() != dirs.len() {
        let plain: Vec<String> = dirs
            .iter()
            .zip(files)
            .filter(|(_, f)| f.is_none())
            .map(|(d, _)| d.display().to_string())
            .collect();
        return Err(MergeError::Mismatch(format!(
            "{} 不是分片输出（缺少 shard.json），不能与分片混合合并",
            plain.join("、")
        )));
    }
    let (first_dir, first) = present[0];
    let n = first.shard.count;
    let mut have = vec![None; n];
    for (dir, f) in &present {
        if f.shard.count != n || f.units_fingerprint != first.units_fingerprint {
            return Err(MergeError::Mismatch(format!(
                "{} 与 {} 不是同一单位清单的分片（分片数或单位清单不同），不能合并",
                dir.display(),
                first_dir.display()
            )));
        }
        if let Some(other) = have[f.shard.index].replace(*dir) {
            return Err(MergeError::Mismatch(format!(
                "分片 {}/{n} 重复：{} 和 {}",
                f.shard.index,
                other.display(),
                dir.display()
            )));
        }
    }
    let missing: Vec<String> =
        have.iter().enumerate().filter(|(_, d)| d.is_none()).map(|(i, _)| format!("{i}/{n}")).collect();
    if !missing.is_empty() {
        return Err(MergeError::Mismatch(format!(
            "缺少分片 {}，合并结果将不完整，已停止",
            missing.join("、")
        )));
    }
    Ok(())
}

/// Copies every shard's responses and runs into one fresh store at `path`; returns responses copied.
fn merge_stores(shards: &[PathBuf], reports: &[AuditReport], path: &Path) -> Result<usize, rusqlite::Error> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    // Creates the schema at the current version.
    drop(crate::store::Store::open(path).map_err(|e| e.source)?);
    let conn = rusqlite::Connection::open(path)?;
    let cols = "unit_id, url, final_url, kind, depth, referrer, status, error, content_type, headers, \
                fetched_at, sha256, body, truncated";
    let mut copied = 0;
    for (dir, report) in shards.iter().zip(reports) {
        let shard_store = dir.join("evidence.sqlite");
        if !shard_store.is_file() || report.units.is_empty() {
            continue;
        }
        // Only the units this shard reported: a store left over from an earlier, different split
        // must not bring other units' pages in.
        let units = serde_json::to_string(&report.units.iter().map(|u| u.id.as_str()).collect::<Vec<_>>())
            .expect("ids serialise");
        conn.execute("ATTACH DATABASE ?1 AS shard", [shard_store.display().to_string()])?;
        copied += conn.execute(
            &format!(
                "INSERT INTO responses ({cols}) SELECT {cols} FROM shard.responses
                 WHERE unit_id IN (SELECT value FROM json_each(?1)) ORDER BY id"
            ),
            [units],
        )?;
        conn.execute("INSERT INTO runs (started_at, finished_at) SELECT started_at, finished_at FROM shard.runs ORDER BY id", [])?;
        conn.execute("DETACH DATABASE shard", [])?;
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::UnitKind;

    fn unit(id: &str, roots: &[&str]) -> Unit {
        Unit {
            id: id.into(),
            name: id.into(),
            kind: UnitKind::Street,
            roots: roots.iter().map(|r| url::Url::parse(r).unwrap()).collect(),
            domains: vec![],
        }
    }

    #[test]
    fn spec_parses_k_of_n_from_zero() {
        assert_eq!(ShardSpec::parse("0/4"), Ok(ShardSpec { index: 0, count: 4 }));
        assert_eq!(ShardSpec::parse("3/4"), Ok(ShardSpec { index: 3, count: 4 }));
        for bad in ["4/4", "1/0", "x/2", "2", "-1/3"] {
            assert!(ShardSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn host_hash_is_fixed_across_builds() {
        // SHA-256("gov.test") begins with these 8 bytes; a randomly keyed hasher would not be stable.
        assert_eq!(
            host_hash("gov.test"),
            u64::from_be_bytes(Sha256::digest(b"gov.test")[..8].try_into().unwrap())
        );
        assert_eq!(host_hash("a.gov.cn"), host_hash("a.gov.cn"));
    }

    #[test]
    fn units_sharing_a_host_share_a_shard_even_transitively() {
        let units = vec![
            unit("a", &["http://one.gov.cn/a/"]),
            unit("b", &["http://one.gov.cn/b/", "http://two.gov.cn/b/"]),
            unit("c", &["https://TWO.gov.cn:8443/c/"]),
            unit("d", &["http://three.gov.cn/"]),
        ];
        for n in 1..12 {
            let s = assign(&units, n);
            assert_eq!(s[0], s[1], "n={n}");
            assert_eq!(s[1], s[2], "n={n}");
            assert!(s.iter().all(|&k| k < n));
        }
        // The group's key is its smallest host whatever the order the units are listed in.
        let reversed: Vec<Unit> = units.iter().rev().cloned().collect();
        for n in 1..12 {
            let mut r = assign(&reversed, n);
            r.reverse();
            assert_eq!(assign(&units, n), r, "n={n}");
        }
    }

    #[test]
    fn every_unit_lands_in_exactly_one_shard() {
        let units: Vec<Unit> =
            (0..40).map(|i| unit(&format!("u{i}"), &[&format!("http://h{}.gov.cn/x/", i % 13)])).collect();
        let n = 5;
        let mut seen = Vec::new();
        for k in 0..n {
            let mut config =
                UnitsConfig { settings: Default::default(), ops: Default::default(), units: units.clone() };
            let file = select(&mut config, ShardSpec { index: k, count: n });
            assert_eq!(file.units.len(), config.units.len());
            seen.extend(file.units.into_iter().map(|u| u.position));
        }
        seen.sort();
        assert_eq!(seen, (0..40).collect::<Vec<_>>());
        // 13 hosts over 5 shards: more than one shard is used.
        let used: std::collections::HashSet<usize> = assign(&units, n).into_iter().collect();
        assert!(used.len() > 1);
    }
}

//! In-process cost per page: decoding plus extraction of single pages (GBK TRS-like and UTF-8
//! div-style, list and detail), and a whole unit's site model plus every check of `checks/`, over the
//! demo fixture site (`fixtures/demo/site`, hand-written government markup in both encodings).
//!
//! `cargo bench --bench pipeline`; `benches/run.sh` runs it after the whole-run benchmark. Throughput is
//! in pages, so criterion prints pages per second beside the time per iteration.
//!
//! The time measured is the CPU time of the benchmark process (`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`,
//! in nanoseconds), not wall time: CPU time holds on a machine busy with other work, where wall time
//! would count the waits for a core. The process's, not the thread's: a unit's checks run on every
//! core. Programs the work starts (pdftotext for the demo's PDFs while building a site) are not
//! counted. Elsewhere it falls back to wall time.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate};
use criterion::{Bencher, Criterion, Throughput, criterion_group, criterion_main};
use sha2::{Digest, Sha256};
use url::Url;
use zwgk_audit::checks::{CheckSet, Context};
use zwgk_audit::config::{Unit, UnitKind};
use zwgk_audit::crawl::decode::decode;
use zwgk_audit::extract::extract_page;
use zwgk_audit::site::UnitSite;
use zwgk_audit::store::{FetchKind, FetchRecord};

const BASE: &str = "http://127.0.0.1:8080";
/// The demo's fixed audit date (fixtures/demo/demo.yaml).
const AS_OF: &str = "2025-03-20";

/// CPU time of this process's threads so far, if the kernel tells. (Not `/proc/self/schedstat`: on an
/// idle machine the kernel updates that only at scheduler ticks, so short samples read zero.)
fn process_cpu() -> Option<Duration> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the call only writes it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

/// Times `f` by the process's CPU time (wall time where that is unknown).
fn cpu_iter<O>(b: &mut Bencher<'_>, mut f: impl FnMut() -> O) {
    b.iter_custom(|iters| {
        let (cpu0, wall0) = (process_cpu(), Instant::now());
        for _ in 0..iters {
            std::hint::black_box(f());
        }
        match (cpu0, process_cpu()) {
            (Some(a), Some(b)) => b - a,
            _ => wall0.elapsed(),
        }
    })
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn site_dir() -> PathBuf {
    repo().join("fixtures/demo/site")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(site_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every HTML file under `dir`, as (site-relative path, bytes).
fn html_files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("site dir").flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            html_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "html") {
            let rel = p.strip_prefix(site_dir()).expect("under site").to_string_lossy().into_owned();
            out.push((rel, std::fs::read(&p).expect("read")));
        }
    }
}

/// A stored 200 response, as the crawler would have stored it; GBK pages come with the header
/// `text/html` only (no charset), so the decoder has to find `charset=gb2312` in the markup.
fn record(unit: &str, rel: &str, body: Vec<u8>, depth: u32) -> FetchRecord {
    let url = format!("{BASE}/{rel}");
    FetchRecord {
        id: 0,
        unit_id: unit.into(),
        final_url: url.clone(),
        url,
        kind: FetchKind::Page,
        depth,
        referrer: None,
        status: Some(200),
        error: None,
        content_type: Some("text/html".into()),
        headers: Vec::new(),
        fetched_at: DateTime::parse_from_rfc3339("2025-03-20T02:00:00+08:00").expect("time"),
        sha256: Some(hex::encode(Sha256::digest(&body))),
        body,
        truncated: false,
        revalidated: None,
    }
}

fn unit(id: &str, name: &str, kind: UnitKind, root: &str) -> Unit {
    Unit {
        id: id.into(),
        name: name.into(),
        kind,
        roots: vec![Url::parse(&format!("{BASE}/{root}")).expect("root")],
        domains: Vec::new(),
    }
}

/// One unit's HTML pages as records (the root first, at depth 0).
fn unit_records(id: &str, dir: &str) -> Vec<FetchRecord> {
    let mut files = Vec::new();
    html_files(&site_dir().join(dir), &mut files);
    let mut records: Vec<FetchRecord> = files
        .into_iter()
        .map(|(rel, body)| {
            let depth = if rel == format!("{dir}index.html") { 0 } else { 1 };
            let rel = if depth == 0 { dir.to_string() } else { rel };
            record(id, &rel, body, depth)
        })
        .collect();
    records.sort_by(|a, b| (a.depth, &a.url).cmp(&(b.depth, &b.url)));
    records
}

fn extraction(c: &mut Criterion) {
    let pages = [
        ("gbk-trs-list", "bgjd/xxgk/gzdt/index.html"),
        ("gbk-trs-detail", "bgjd/xxgk/gzdt/202503/t20250314_1319.html"),
        ("utf8-div-list", "sthjj/public/column/zcwj/index.html"),
        ("utf8-div-detail", "sthjj/public/content/post_10101.html"),
    ];
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Elements(1));
    for (name, rel) in pages {
        let body = read(rel);
        let url = Url::parse(&format!("{BASE}/{rel}")).expect("url");
        // Guard against measuring an empty result: each page must yield what it is there for.
        let facts = extract_page(&url, &decode(&body, Some("text/html")).text);
        assert!(!facts.links.is_empty(), "{rel}: no links extracted");
        if name.ends_with("list") {
            assert!(facts.list_entries.len() >= 2, "{rel}: list entries missing");
        } else {
            assert!(facts.fields.index_no.is_some(), "{rel}: metadata table (索引号) missing");
        }
        group.bench_function(name, |b| {
            cpu_iter(b, || extract_page(&url, &decode(std::hint::black_box(&body), Some("text/html")).text))
        });
    }
    group.finish();
}

fn site_and_checks(c: &mut Criterion) {
    let checks = CheckSet::load_dir(&repo().join("checks")).expect("checks/ loads");
    let as_of = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").expect("date");
    let units = [
        (unit("baogong", "包公街道", UnitKind::Street, "bgjd/xxgk/"), "bgjd/xxgk/"),
        (unit("shengtai", "区生态环境分局", UnitKind::Department, "sthjj/public/"), "sthjj/public/"),
    ];
    let mut group = c.benchmark_group("site");
    group.sample_size(20);
    for (u, dir) in &units {
        let records = unit_records(&u.id, dir);
        let n = records.len() as u64;
        let site = UnitSite::build(u, records.clone());
        assert!(site.columns.len() >= 5, "{}: only {} columns found", u.id, site.columns.len());
        group.throughput(Throughput::Elements(n));
        // Decoding and extracting every page, and assembling the column tree.
        group.bench_function(format!("build/{}-{n}-pages", u.id), |b| {
            cpu_iter(b, || UnitSite::build(u, records.clone()))
        });
        // Every check of checks/ over the assembled site.
        let ctx = Context { site: &site, as_of };
        assert!(!checks.run(&ctx).is_empty());
        group.bench_function(format!("checks/{}-{n}-pages", u.id), |b| cpu_iter(b, || checks.run(&ctx)));
    }
    group.finish();
}

criterion_group!(benches, extraction, site_and_checks);
criterion_main!(benches);

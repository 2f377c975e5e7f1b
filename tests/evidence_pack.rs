//! Evidence packs of the demo audit: what goes in, that `verify` passes on a fresh pack, and that it
//! fails, naming the file and the record, when one byte is changed.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use zwgk_audit::pack::{self, warc};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zwgk-audit"))
}

/// The entries of a zip: name, bytes and whether they were stored uncompressed.
fn read_entries(path: &Path) -> Vec<(String, Vec<u8>, bool)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).unwrap();
            let stored = e.compression() == zip::CompressionMethod::Stored;
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (e.name().unwrap().to_string(), bytes, stored)
        })
        .collect()
}

/// Rewrites a pack with one entry changed by `edit`, keeping everything else as it was.
fn rewrite(from: &Path, to: &Path, name: &str, edit: impl Fn(Vec<u8>) -> Vec<u8>) {
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for (n, bytes, stored) in read_entries(from) {
        let method = if stored { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
        out.start_file(n.as_str(), zip::write::SimpleFileOptions::default().compression_method(method))
            .unwrap();
        let bytes = if n == name { edit(bytes) } else { bytes };
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
}

fn entry(path: &Path, name: &str) -> Vec<u8> {
    read_entries(path).into_iter().find(|(n, _, _)| n == name).unwrap_or_else(|| panic!("{name}")).1
}

/// (url, sha256) of every evidence the unit's findings cite.
fn cited(unit: &Value) -> BTreeSet<(String, String)> {
    unit["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["findings"].as_array().unwrap())
        .flat_map(|f| f["evidence"].as_array().unwrap())
        .map(|e| (e["url"].as_str().unwrap().to_string(), e["sha256"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn fresh_pack_holds_every_cited_response_and_verifies() {
    let demo = common::audit_demo().await;
    let out = demo.out.path();
    let dest = out.join("packs/baogong.zip");
    let summary = pack::pack_unit(out, "baogong", &dest).expect("pack");
    let unit = common::unit(&demo.report, "baogong");
    let cited = cited(unit);
    assert!(cited.len() > 10, "the demo cites many pages");
    assert_eq!(summary.responses, cited.len());
    assert_eq!(summary.missing, 0);
    let left: Vec<_> =
        std::fs::read_dir(out.join("packs")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["baogong.zip"], "no temporary file left beside the pack");

    let names: Vec<String> = read_entries(&dest).into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(names, ["manifest.json", "report.html", "archive/baogong.warc.gz"]);
    let manifest: Value = serde_json::from_slice(&entry(&dest, "manifest.json")).unwrap();
    let listed: BTreeSet<(String, String)> = manifest["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["url"].as_str().unwrap().to_string(), e["sha256"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(listed, cited, "the manifest lists exactly the cited responses, with report.json's hashes");
    for e in manifest["evidence"].as_array().unwrap() {
        assert!(
            e["status"].is_u64()
                && chrono::DateTime::parse_from_rfc3339(e["fetched_at"].as_str().unwrap()).is_ok()
        );
    }

    // The HTML is the unit's report only.
    let html = String::from_utf8(entry(&dest, "report.html")).unwrap();
    assert!(html.contains("包公街道") && !html.contains("区生态环境分局（"), "one unit's report");

    // The WARC: a warcinfo record, then a request and a response per cited response, linked both ways.
    let records = warc::read_gz(&entry(&dest, "archive/baogong.warc.gz")).expect("strictly readable");
    assert_eq!(records[0].record.field("WARC-Type"), Some("warcinfo"));
    assert_eq!(records.len(), 1 + 2 * cited.len());
    for pair in records[1..].chunks(2) {
        let (req, resp) = (&pair[0].record, &pair[1].record);
        assert_eq!(req.field("WARC-Type"), Some("request"));
        assert_eq!(resp.field("WARC-Type"), Some("response"));
        assert_eq!(req.field("WARC-Concurrent-To"), resp.field("WARC-Record-ID"));
        assert_eq!(resp.field("WARC-Concurrent-To"), req.field("WARC-Record-ID"));
        assert_eq!(req.field("WARC-Target-URI"), resp.field("WARC-Target-URI"));
        for r in [req, resp] {
            assert!(warc::check_digests(r).is_empty(), "{:?}", warc::check_digests(r));
            assert!(r.field("WARC-Date").unwrap().ends_with('Z'));
            assert!(r.field(warc::SHA1_BLOCK_FIELD).unwrap().starts_with("sha1:"));
        }
        assert!(resp.block.starts_with(b"HTTP/1.1 "));
        assert!(resp.field("WARC-Payload-Digest").unwrap().starts_with("sha256:"));
    }

    let v = pack::verify(&dest);
    assert!(v.ok(), "{:?}", v.problems);
    assert_eq!(v.evidence, cited.len());
    assert_eq!(v.records, records.len());

    // The command line says the same, with exit code 0.
    let run = bin().arg("verify").arg(&dest).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stdout).contains("校验通过"));
}

#[tokio::test(flavor = "multi_thread")]
async fn one_changed_byte_of_a_record_fails_verify_naming_file_and_record() {
    let demo = common::audit_demo().await;
    let out = demo.out.path();
    let good = out.join("good.zip");
    pack::pack_unit(out, "shengtai", &good).unwrap();
    let warc_name = "archive/shengtai.warc.gz";

    // Change one byte of the 3rd record's body and re-gzip the members, as a forger would: every gzip
    // CRC is right, only the digests can tell.
    let bad = out.join("bad.zip");
    let mut target_uri = String::new();
    rewrite(&good, &bad, warc_name, |bytes| {
        let mut file = Vec::new();
        for mut r in warc::read_gz(&bytes).unwrap() {
            if r.index == 2 {
                let last = r.record.block.len() - 1;
                r.record.block[last] ^= 0x01;
            }
            r.record.write_gz(&mut file).unwrap();
        }
        file
    });
    for r in warc::read_gz(&entry(&good, warc_name)).unwrap().into_iter().filter(|r| r.index == 2) {
        target_uri = r.record.field("WARC-Target-URI").unwrap().to_string();
    }
    assert!(!target_uri.is_empty());
    let v = pack::verify(&bad);
    assert!(!v.ok());
    let in_record: Vec<_> = v.problems.iter().filter(|p| p.file == warc_name && p.record.is_some()).collect();
    assert!(
        in_record
            .iter()
            .any(|p| p.record.as_deref().unwrap().contains(&target_uri)
                && p.message.contains("WARC-Block-Digest")),
        "{:?}",
        v.problems
    );
    // The manifest's hash of the WARC file no longer matches either.
    assert!(v.problems.iter().any(|p| p.file == warc_name && p.record.is_none()), "{:?}", v.problems);

    let run = bin().arg("verify").arg(&bad).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(warc_name) && stderr.contains(&target_uri), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn flipped_bytes_in_the_zip_or_the_html_are_named() {
    let demo = common::audit_demo().await;
    let out = demo.out.path();
    let good = out.join("good.zip");
    pack::pack_unit(out, "baogong", &good).unwrap();

    // A raw byte flipped inside the stored WARC, in the zip file itself.
    let mut raw = std::fs::read(&good).unwrap();
    let warc = entry(&good, "archive/baogong.warc.gz");
    let at = raw.windows(64).position(|w| w == &warc[1000..1064]).expect("WARC stored as is") + 10;
    raw[at] ^= 0x20;
    let flipped = out.join("flipped.zip");
    std::fs::write(&flipped, raw).unwrap();
    let v = pack::verify(&flipped);
    assert!(v.problems.iter().any(|p| p.file == "archive/baogong.warc.gz"), "{:?}", v.problems);

    // The HTML edited (one character), the manifest left as it was.
    let edited = out.join("edited.zip");
    rewrite(&good, &edited, "report.html", |html| {
        String::from_utf8(html).unwrap().replacen("包公街道", "包公街坊", 1).into_bytes()
    });
    let v = pack::verify(&edited);
    assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
    assert_eq!(v.problems[0].file, "report.html");
    assert!(v.problems[0].message.contains("SHA-256"));

    // The manifest edited to claim another fetch time: the WARC record's date contradicts it.
    let redated = out.join("redated.zip");
    rewrite(&good, &redated, "manifest.json", |m| {
        let mut m: Value = serde_json::from_slice(&m).unwrap();
        m["evidence"][0]["fetched_at"] = "2025-03-01T09:00:00+08:00".into();
        serde_json::to_vec_pretty(&m).unwrap()
    });
    let v = pack::verify(&redated);
    assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
    assert!(v.problems[0].message.contains("抓取时间"), "{}", v.problems[0]);
}

/// warcio (the web-archive library behind pywb) reads the WARC and checks every digest. `.ci/run`
/// installs it; on a machine without it the test says so and is skipped unless CI is set.
#[tokio::test(flavor = "multi_thread")]
async fn warcio_reads_the_pack_and_every_digest_passes() {
    let has_warcio = Command::new("python3")
        .args(["-c", "import warcio"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has_warcio {
        assert!(std::env::var_os("CI").is_none(), "CI must install warcio (python3 -m pip install warcio)");
        eprintln!("skipped: warcio is not installed (python3 -m pip install warcio)");
        return;
    }
    let demo = common::audit_demo().await;
    let out = demo.out.path();
    let dest = out.join("p.zip");
    let summary = pack::pack_unit(out, "shengtai", &dest).unwrap();
    let warc_path = out.join("shengtai.warc.gz");
    std::fs::write(&warc_path, entry(&dest, "archive/shengtai.warc.gz")).unwrap();
    let script = r#"
import sys, hashlib
from warcio.archiveiterator import ArchiveIterator
types = {}
with open(sys.argv[1], 'rb') as f:
    it = ArchiveIterator(f, check_digests=True)
    for r in it:
        t = r.rec_type
        body = r.content_stream().read()
        if r.digest_checker.passed is not True:
            print('DIGEST', t, r.rec_headers.get_header('WARC-Record-ID'), r.digest_checker.problems)
            sys.exit(1)
        if t == 'response':
            assert r.http_headers.get_statuscode(), 'status'
            assert hashlib.sha256(body).hexdigest() == r.rec_headers.get_header('WARC-Payload-Digest').split(':')[1]
        types[t] = types.get(t, 0) + 1
print(types.get('warcinfo', 0), types.get('request', 0), types.get('response', 0))
"#;
    let run = Command::new("python3").arg("-c").arg(script).arg(&warc_path).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(stdout.trim(), format!("1 {0} {0}", summary.responses));
}

#[test]
fn packing_an_unknown_unit_names_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let report = zwgk_audit::report::AuditReport::new("2025-03-20", vec![]);
    std::fs::write(dir.path().join("report.json"), serde_json::to_vec(&report).unwrap()).unwrap();
    let run = bin().args(["pack", "--unit", "nosuch", "--out"]).arg(dir.path()).output().unwrap();
    assert_eq!(run.status.code(), Some(2), "an unknown unit is invalid usage");
    assert!(String::from_utf8_lossy(&run.stderr).contains("nosuch"));
}

/// The planted leak of the demo (post_10318 and its CSV): the WARC keeps the cited pages as they were
/// published, ID numbers included, as evidence must; the pack's own files never repeat them unmasked.
#[tokio::test(flavor = "multi_thread")]
async fn pack_adds_no_personal_data_beyond_the_cited_pages() {
    let demo = common::audit_demo().await;
    let out = demo.out.path();
    let dest = out.join("shengtai.zip");
    pack::pack_unit(out, "shengtai", &dest).unwrap();
    let ids = ["340111198506123411", "340104199003074524"];
    let mobiles = ["13965012345", "18655123456"];
    let warc_text: Vec<u8> = warc::read_gz(&entry(&dest, "archive/shengtai.warc.gz"))
        .unwrap()
        .into_iter()
        .flat_map(|r| r.record.block)
        .collect();
    let warc_text = String::from_utf8_lossy(&warc_text);
    assert!(warc_text.contains(ids[0]), "the cited page is archived as published");
    for name in ["report.html", "manifest.json"] {
        let text = String::from_utf8(entry(&dest, name)).unwrap();
        for secret in ids.iter().chain(&mobiles) {
            assert!(!text.contains(secret), "{name} repeats {secret} unmasked");
        }
    }
    assert!(String::from_utf8(entry(&dest, "report.html")).unwrap().contains("340111********3411"));
}

/// A store whose bytes no longer hash to what report.json says is refused: a pack is never made from
/// altered evidence.
#[tokio::test(flavor = "multi_thread")]
async fn a_store_altered_after_the_audit_is_refused() {
    let demo = common::audit_demo().await;
    let out = demo.out.path();
    let unit = common::unit(&demo.report, "baogong");
    let url = cited(unit).into_iter().next().unwrap().0;
    let conn = rusqlite::Connection::open(out.join("evidence.sqlite")).unwrap();
    let changed = conn
        .execute(
            "UPDATE responses SET body = CAST(body || X'20' AS BLOB) WHERE unit_id = 'baogong' AND url = ?1",
            [&url],
        )
        .unwrap();
    assert!(changed >= 1);
    drop(conn);
    let err = pack::pack_unit(out, "baogong", &out.join("p.zip")).unwrap_err().to_string();
    assert!(err.contains(&url) && err.contains("SHA-256"), "{err}");
    assert!(!out.join("p.zip").exists());
}

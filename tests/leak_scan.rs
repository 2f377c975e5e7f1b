//! No output of the tool repeats a leaked personal number: an audit of a site that leaks resident ID
//! numbers, mobile numbers and bank card numbers (in GBK pages, split across table cells and spaces,
//! in a list entry's title, in CSV and XLSX attachments) is run twice through the real binary over
//! HTTP on 127.0.0.1, then packed, listed and compared; every file of the output folder (reports, XLSX,
//! evidence packs with their zip and gzip members, the history database, the captured logs) is searched
//! for the numbers. The only place they may appear is where the raw responses are stored as fetched:
//! the evidence store's `responses.body` and the WARC `response` records of the packs (evidence must
//! hold the page as published; `verify` re-hashes it).

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use zwgk_audit::pack::warc;

const ID_A: &str = "340111198506123411";
const ID_B: &str = "340104199003074524";
/// Split over two table cells in the page.
const ID_SPLIT: &str = "340102197708230513";
const ID_IN_TITLE: &str = "11010519491231002X";
const MOBILE_A: &str = "13965012345";
const MOBILE_B: &str = "18655123456";
const CARD: &str = "6222021234567890128";
const CARD_SPACED: &str = "6222 0212 3456 7890 128";
const CARD_CSV: &str = "6217001234567893";

fn secrets() -> Vec<&'static str> {
    vec![ID_A, ID_B, ID_IN_TITLE, MOBILE_A, MOBILE_B, CARD, CARD_CSV]
}

fn gbk(s: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::GBK.encode(s);
    assert!(!bad, "fixture text must be GBK-encodable");
    bytes.into_owned()
}

fn page(title: &str, body: &str) -> Vec<u8> {
    gbk(&format!(
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
         <title>{title}</title></head><body><div class=\"nav\"><a href=\"/jd/xxgk/tzgg/\">通知公告</a></div>\
         <h1>{title}</h1>{body}<div class=\"foot\">联系电话：0551-63351234</div></body></html>"
    ))
}

/// The leaking site: a 专栏 with one 通知公告 column of four documents and two attachments.
fn write_site(root: &Path) {
    let w = |rel: &str, bytes: Vec<u8>| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    let entry = |href: &str, title: &str, date: &str| {
        format!("<li><a href=\"{href}\" title=\"{title}\">{title}</a><span>{date}</span></li>")
    };
    let title_with_id = format!("关于张某（{ID_IN_TITLE}）申请困难补助的公示");
    w(
        "jd/xxgk/index.html",
        page("某街道政府信息公开", "<ul class=\"menu\"><li><a href=\"./tzgg/\">通知公告</a></li></ul>"),
    );
    let list = [
        entry("./202503/t20250305_1.html", "2025年2月低保资金发放情况公示", "2025-03-05"),
        entry("./202503/t20250306_2.html", &title_with_id, "2025-03-06"),
        entry("./202503/t20250307_3.html", "惠民补贴一卡通发放名单", "2025-03-07"),
        entry("./202503/t20250310_4.html", "街道维稳工作方案", "2025-03-10"),
    ]
    .join("");
    w("jd/xxgk/tzgg/index.html", page("通知公告", &format!("<ul class=\"list\">{list}</ul>")));
    w(
        "jd/xxgk/tzgg/202503/t20250305_1.html",
        page(
            "2025年2月低保资金发放情况公示",
            &format!(
                "<p>发布日期：2025-03-05</p><table><tr><th>姓名</th><th>身份证号</th><th>手机</th></tr>\
                 <tr><td>张三</td><td>{ID_A}</td><td>{MOBILE_A}</td></tr>\
                 <tr><td>李四</td><td>{}</td><td>{}</td><td>{MOBILE_B}</td></tr>\
                 <tr><td>王五</td><td>340104********0012</td><td>139****5678</td></tr></table>\
                 <p>附件：<a href=\"./名单.csv\">名单</a> <a href=\"./名册.xlsx\">名册</a></p>",
                &ID_SPLIT[..6],
                &ID_SPLIT[6..],
            ),
        ),
    );
    w(
        "jd/xxgk/tzgg/202503/t20250306_2.html",
        page(&title_with_id, "<p>发布日期：2025-03-06</p><p>经审核，同意给予困难补助。</p>"),
    );
    w(
        "jd/xxgk/tzgg/202503/t20250307_3.html",
        page(
            "惠民补贴一卡通发放名单",
            &format!("<p>发布日期：2025-03-07</p><p>户主：赵六　银行卡号：{CARD_SPACED}　金额：500元</p>"),
        ),
    );
    w(
        "jd/xxgk/tzgg/202503/t20250310_4.html",
        page("街道维稳工作方案", "<p>秘密★1年</p><p>发布日期：2025-03-10</p><p>方案正文。</p>"),
    );
    let csv = format!("姓名,身份证号,手机,一卡通账号\r\n张三,{ID_B},{MOBILE_A},{CARD_CSV}\r\n");
    w("jd/xxgk/tzgg/202503/名单.csv", csv.into_bytes());
    let xlsx_path = root.join("jd/xxgk/tzgg/202503/名册.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, v) in ["姓名", "身份证号", "银行卡号"].iter().enumerate() {
        sheet.write_string(0, c as u16, *v).unwrap();
    }
    for (c, v) in ["李四", ID_B, CARD].iter().enumerate() {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    book.save(&xlsx_path).unwrap();
}

/// Runs the binary; its stdout and stderr are kept in `logs/` of the out folder (they are output too).
fn run_bin(out: &Path, name: &str, args: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_zwgk-audit"))
        .args(args)
        .env("ZWGK_LOG", "info")
        .output()
        .expect("run zwgk-audit");
    let logs = out.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join(format!("{name}.stdout.log")), &output.stdout).unwrap();
    std::fs::write(logs.join(format!("{name}.stderr.log")), &output.stderr).unwrap();
    output
}

/// Every file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out.sort();
    out
}

/// Which secrets a byte string repeats in full (also with its whitespace removed: a number split over
/// lines or cells).
fn repeated(bytes: &[u8]) -> Vec<&'static str> {
    let text = String::from_utf8_lossy(bytes);
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut found: Vec<&'static str> =
        secrets().into_iter().chain([ID_SPLIT]).filter(|s| squeezed.contains(s)).collect();
    if text.contains(CARD_SPACED) {
        found.push(CARD_SPACED);
    }
    found
}

/// What a scan found: (where, which secret).
type Hits = Vec<(String, &'static str)>;

fn scan_bytes(name: &str, bytes: &[u8], hits: &mut Hits, allowed: &mut Hits) {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".zip") || lower.ends_with(".xlsx") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip readable");
        for i in 0..zip.len() {
            let mut member = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            member.read_to_end(&mut data).unwrap();
            let inner = format!("{name}!{}", member.name().unwrap_or_default());
            drop(member);
            scan_bytes(&inner, &data, hits, allowed);
        }
    } else if lower.ends_with(".warc.gz") {
        for r in warc::read_gz(bytes).expect("warc readable") {
            let kind = r.record.fields.iter().find(|(k, _)| k == "WARC-Type").map(|(_, v)| v.clone());
            let where_ = format!("{name}#{}({})", r.index, kind.clone().unwrap_or_default());
            let header: String = r.record.fields.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
            for s in repeated(header.as_bytes()) {
                hits.push((format!("{where_} header"), s));
            }
            for s in repeated(&r.record.block) {
                // A response record is the raw response as fetched: the stored evidence itself.
                if kind.as_deref() == Some("response") {
                    allowed.push((where_.clone(), s));
                } else {
                    hits.push((where_.clone(), s));
                }
            }
        }
    } else if lower.ends_with(".gz") {
        let mut data = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut data).expect("gzip readable");
        scan_bytes(name.trim_end_matches(".gz"), &data, hits, allowed);
    } else {
        for s in repeated(bytes) {
            hits.push((name.to_string(), s));
        }
    }
}

/// Every value of every table of an SQLite file, except the raw response bodies of the evidence store.
fn scan_sqlite(path: &Path, hits: &mut Hits, allowed: &mut Hits) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let cols: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for (i, col) in cols.iter().enumerate() {
                let bytes: Vec<u8> = match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => b.to_vec(),
                    rusqlite::types::ValueRef::Integer(n) => n.to_string().into_bytes(),
                    _ => continue,
                };
                let where_ = format!("{}:{t}.{col}", path.display());
                for s in repeated(&bytes) {
                    if t == "responses" && col == "body" {
                        allowed.push((where_.clone(), s));
                    } else {
                        hits.push((where_.clone(), s));
                    }
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_output_file_repeats_a_leaked_number() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    write_site(&site);
    let server = zwgk_audit::demo::serve_dir(site).await.unwrap();
    let units = dir.path().join("units.yaml");
    std::fs::write(
        &units,
        format!(
            "settings:\n  rate_per_host: 100.0\nunits:\n  - id: leaky\n    name: 某街道\n    kind: street\n    roots: [\"{}jd/xxgk/\"]\n",
            server.base_url()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (o, u, checks) = (out.clone(), units.clone(), common::repo().join("checks"));
    tokio::task::spawn_blocking(move || {
        let (out_s, units_s, checks_s) =
            (o.display().to_string(), u.display().to_string(), checks.display().to_string());
        let audit = |name: &str, extra: &[&str]| {
            let mut args = vec![
                "audit",
                "--units",
                units_s.as_str(),
                "--checks",
                checks_s.as_str(),
                "--out",
                out_s.as_str(),
                "--as-of",
                "2025-03-20",
                "--allow-private",
            ];
            args.extend_from_slice(extra);
            let r = run_bin(&o, name, &args);
            assert!(matches!(r.status.code(), Some(0 | 3)), "{name}: {}", String::from_utf8_lossy(&r.stderr));
        };
        audit("audit1", &[]);
        audit("audit2", &["--nightly"]);
        for (name, args) in [
            ("pack", vec!["pack", "--out", out_s.as_str()]),
            ("history", vec!["history", "--out", out_s.as_str()]),
            ("diff", vec!["diff", "--out", out_s.as_str()]),
        ] {
            let r = run_bin(&o, name, &args);
            assert_eq!(r.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&r.stderr));
        }
    })
    .await
    .unwrap();

    // The audit saw the leaks (else a clean scan would prove nothing).
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let unit = common::unit(&report, "leaky");
    let item = common::item(unit, "common-17");
    assert_eq!(item["status"], "fail", "{item:#}");
    let messages: Vec<&str> =
        item["findings"].as_array().unwrap().iter().filter_map(|f| f["message"].as_str()).collect();
    let all = messages.join("\n");
    for want in ["居民身份证号码", "手机号码", "银行卡号", "密级星标", "附件（"] {
        assert!(all.contains(want), "common-17 names {want}:\n{all}");
    }
    assert!(all.contains("340111********3411") && all.contains("6222***********0128"), "{all}");

    let mut hits: Hits = Vec::new();
    let mut allowed: Hits = Vec::new();
    let mut scanned = 0;
    for f in files(&out) {
        let name = f.display().to_string();
        let base = f.file_name().unwrap().to_string_lossy().to_string();
        scanned += 1;
        if base.ends_with(".sqlite") {
            scan_sqlite(&f, &mut hits, &mut allowed);
            if !base.starts_with("evidence") {
                // The history holds no raw response: its bytes, free pages included, must be clean too.
                scan_bytes(&name, &std::fs::read(&f).unwrap(), &mut hits, &mut allowed);
            }
        } else if base.starts_with("evidence") && (base.ends_with("-wal") || base.ends_with("-shm")) {
            // Journal pages of the evidence store: raw responses, like the store's body column.
            continue;
        } else {
            scan_bytes(&name, &std::fs::read(&f).unwrap(), &mut hits, &mut allowed);
        }
    }
    let names: Vec<String> =
        files(&out).iter().map(|f| f.file_name().unwrap().to_string_lossy().to_string()).collect();
    for want in [
        "report.json",
        "report.html",
        "report.xlsx",
        "history.sqlite",
        "evidence.sqlite",
        "audit1.stdout.log",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} was written: {names:?}");
    }
    assert!(names.iter().any(|n| n.ends_with(".zip")), "an evidence pack was written: {names:?}");
    assert!(scanned >= 12, "{scanned} files scanned");
    assert!(hits.is_empty(), "personal numbers repeated in full:\n{hits:#?}");
    // The exception is real: the raw responses do hold the numbers, as published, in the store and in the
    // packs' WARC response records (so the scan did open the zip and its gzip members).
    for s in [ID_A, MOBILE_A, CARD, ID_B] {
        assert!(
            allowed.iter().any(|(w, x)| *x == s && w.contains("responses.body")),
            "{s} in the store: {allowed:?}"
        );
        assert!(
            allowed.iter().any(|(w, x)| *x == s && w.contains("(response)")),
            "{s} in a WARC: {allowed:?}"
        );
    }
    eprintln!("scanned {scanned} files; the numbers appear only in {} raw-response places", allowed.len());
}

//! The 年报 checks on a whole department site built from real bytes: the HTML pages of
//! `fixtures/annual/` (one encoded to GBK here), a two-page PDF read back through `pdftotext -layout`, a
//! scanned PDF without text, and a DOCX zip. See `fixtures/annual/README.md` for what each year breaks.

use std::io::Write;

use super::*;
use crate::checks::annual_report_tables::{self as tables, Aspect};
use crate::checks::testkit::{SiteBuilder, d, record};
use crate::checks::{Context, annual_report};
use crate::config::UnitKind;
use crate::extract::annual_report_text::tests::LABELS;
use crate::findings::Status;
use crate::store::{FetchKind, FetchRecord};

const ROOT: &str = "http://gov.test/xxgk/";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/annual/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("fixture")
}

fn page(url: &str, body: Vec<u8>, content_type: &str) -> FetchRecord {
    let mut r = record(url, Some(200), None);
    r.body = body;
    r.content_type = Some(content_type.into());
    r
}

fn attachment(url: &str, body: Vec<u8>, content_type: &str) -> FetchRecord {
    let mut r = page(url, body, content_type);
    r.kind = FetchKind::Attachment;
    r
}

/// A PDF whose pages show each `(x, y, text)` at its place, in STSong-Light through the UniGB-UCS2-H
/// CMap (every glyph 1000 units wide), as 公文 PDFs converted from OFD are.
pub(crate) fn pdf(pages: &[Vec<(f32, f32, String)>]) -> Vec<u8> {
    let n = pages.len();
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} >>",
            (0..n).map(|i| format!("{} 0 R", 6 + 2 * i)).collect::<Vec<_>>().join(" ")
        ),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>"
            .into(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 >>"
            .into(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
            .into(),
    ];
    for (i, items) in pages.iter().enumerate() {
        let mut content = String::new();
        for (x, y, text) in items {
            let hex: String = text.encode_utf16().map(|u| format!("{u:04X}")).collect();
            content.push_str(&format!("BT /F1 9 Tf 1 0 0 1 {x} {y} Tm <{hex}> Tj ET\n"));
        }
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            7 + 2 * i
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()));
    }
    crate::attachments::pdf_file(&objects, "")
}

/// A DOCX whose body is `paragraphs` and, after the paragraph at `table_at`, `rows` as a table.
pub(crate) fn docx(blocks: &[Block]) -> Vec<u8> {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let para = |s: &str| format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", esc(s));
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::P(s) => body += &para(s),
            Block::Table(rows) => {
                body += "<w:tbl>";
                for row in rows {
                    body += "<w:tr>";
                    for cell in row {
                        body += &format!("<w:tc>{}</w:tc>", para(cell));
                    }
                    body += "</w:tr>";
                }
                body += "</w:tbl>";
            }
        }
    }
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("[Content_Types].xml", opts).unwrap();
        w.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
        w.start_file("word/document.xml", opts).unwrap();
        w.write_all(xml.as_bytes()).unwrap();
        w.finish().unwrap();
    }
    buf.into_inner()
}

/// A DOCX body block.
pub(crate) enum Block {
    P(String),
    Table(Vec<Vec<String>>),
}

/// Prose shared by the 2023 DOCX and, copied, the 2024 HTML page.
const PROSE_2023: [&str; 5] = [
    "本年度，我局坚持以公开为常态、不公开为例外，围绕优化营商环境和民生领域监管，全面推进政务公开标准化规范化建设。",
    "我局通过政府信息公开专栏主动公开机构职能、行政许可、行政处罚等信息，做到应公开尽公开，及时回应企业和群众关切。",
    "本年度未发生因政府信息公开引起的行政复议和行政诉讼。",
    "一是部分栏目信息更新不够及时，基层所信息报送存在滞后现象；二是政策解读形式较为单一，图解、视频等形式运用不多。",
    "下一步，我局将加强信息发布审核和考核通报，丰富政策解读形式，不断提升政务公开工作质量。",
];

fn values_2023(key: &str) -> [i64; 7] {
    match key {
        "new_requests" => [4, 0, 0, 0, 1, 0, 5],
        "granted" => [3, 0, 0, 0, 1, 0, 4],
        "not_processed_2" => [1, 0, 0, 0, 0, 0, 1],
        "total" => [4, 0, 0, 0, 1, 0, 5],
        _ => [0; 7],
    }
}

/// 2022: 予以公开 printed with 总计 5 for 3 + 1; 行政复议 1 + 0 + 0 + 0 printed as 2.
fn values_2022(key: &str) -> [i64; 7] {
    match key {
        "new_requests" => [5, 1, 0, 0, 0, 0, 6],
        "granted" => [3, 1, 0, 0, 0, 0, 5],
        "partially_granted" => [1, 0, 0, 0, 0, 0, 1],
        "unavailable_1" => [1, 0, 0, 0, 0, 0, 1],
        "total" => [5, 1, 0, 0, 0, 0, 6],
        _ => [0; 7],
    }
}

fn docx_2023() -> Vec<u8> {
    let p = |s: &str| Block::P(s.to_string());
    let mut table = vec![
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "申请人情况"]
            .map(String::from)
            .to_vec(),
        ["", "", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
            .map(String::from)
            .to_vec(),
    ];
    for (label, key) in LABELS {
        // The group cell (三、本年度办理结果 / （三）不予公开) is merged: printed once, empty below.
        let (a, b) = label.split_once(' ').unwrap_or((label, ""));
        let mut row = vec![a.to_string(), b.to_string()];
        row.extend(values_2023(key).iter().map(|v| if *v == 0 { String::new() } else { v.to_string() }));
        table.push(row);
    }
    docx(&[
        p("某某区市场监督管理局2023年政府信息公开工作年度报告"),
        p("一、总体情况"),
        p(PROSE_2023[0]),
        p("二、主动公开政府信息情况"),
        p(PROSE_2023[1]),
        p("三、收到和处理政府信息公开申请情况"),
        Block::Table(table),
        p("四、政府信息公开行政复议、行政诉讼情况"),
        Block::Table(vec![
            ["行政复议", "", "", "", "", "行政诉讼"].map(String::from).to_vec(),
            ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"]
                .map(String::from)
                .to_vec(),
            [
                "结果维持",
                "结果纠正",
                "其他结果",
                "尚未审结",
                "总计",
                "结果维持",
                "结果纠正",
                "其他结果",
                "尚未审结",
                "总计",
            ]
            .map(String::from)
            .to_vec(),
            (0..15).map(|_| "—".to_string()).collect(),
        ]),
        p(PROSE_2023[2]),
        p("五、存在的主要问题及改进情况"),
        p(PROSE_2023[3]),
        p(PROSE_2023[4]),
        p("六、其他需要报告的事项"),
        p("本年度未收取信息处理费。"),
    ])
}

/// The 2022 report as a two-page PDF: cells at fixed x positions, zero cells left blank, the page
/// number of page 1 at its foot, table 三 continuing on page 2.
fn pdf_2022() -> Vec<u8> {
    let mut pages: Vec<Vec<(f32, f32, String)>> = vec![Vec::new(), Vec::new()];
    let mut y = 800.0;
    let mut pg = 0;
    let line =
        |pages: &mut Vec<Vec<(f32, f32, String)>>, pg: usize, y: &mut f32, items: Vec<(f32, String)>| {
            for (x, t) in items {
                pages[pg].push((x, *y, t));
            }
            *y -= 14.0;
        };
    let text = |s: &str| vec![(40.0, s.to_string())];
    for s in [
        "某某区市场监督管理局2022年政府信息公开工作年度报告",
        "一、总体情况",
        "2022年，我局聚焦食品安全和特种设备安全，全年本年新收政府信息公开申请7件，均在法定期限内答复。",
        "二、主动公开政府信息情况",
        "全年主动公开行政许可和行政处罚信息，重点公开抽查检查结果和产品质量监督抽查结果。",
        "三、收到和处理政府信息公开申请情况",
    ] {
        line(&mut pages, pg, &mut y, text(s));
    }
    let xs: Vec<f32> = (0..7).map(|i| 300.0 + 36.0 * i as f32).collect();
    let header = ["自然人", "商业", "科研", "公益", "法律", "其他", "总计"];
    line(&mut pages, pg, &mut y, xs.iter().zip(header).map(|(x, h)| (*x, h.to_string())).collect());
    for (i, (label, key)) in LABELS.iter().enumerate() {
        if i == 12 {
            line(&mut pages, pg, &mut y, vec![(290.0, "- 1 -".to_string())]);
            pg = 1;
            y = 800.0;
        }
        let mut items: Vec<(f32, String)> = vec![(40.0, label.chars().take(26).collect())];
        for (c, v) in values_2022(key).iter().enumerate() {
            if *v != 0 {
                items.push((xs[c] + 9.0, v.to_string()));
            }
        }
        line(&mut pages, pg, &mut y, items);
    }
    for s in [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议 行政诉讼",
        "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计",
    ] {
        line(&mut pages, pg, &mut y, text(s));
    }
    let review = [1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    line(
        &mut pages,
        pg,
        &mut y,
        review.iter().enumerate().map(|(i, v)| (40.0 + 30.0 * i as f32, v.to_string())).collect(),
    );
    for s in [
        "五、存在的主要问题及改进情况",
        "信息公开工作人员变动较多，业务培训覆盖面不足，明年将分批开展全员培训并纳入年度考核。",
        "六、其他需要报告的事项",
        "本年度未收取信息处理费。",
    ] {
        line(&mut pages, pg, &mut y, text(s));
    }
    pdf(&pages)
}

fn gbk(s: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(s);
    assert!(!unmappable, "fixture text must be GBK");
    bytes.into_owned()
}

fn site() -> crate::site::UnitSite {
    let html = "text/html; charset=utf-8";
    let u = |p: &str| format!("{ROOT}{p}");
    let records = vec![
        page(ROOT, fixture("index.html").into_bytes(), html),
        page(&u("gknb/"), fixture("gknb/index.html").into_bytes(), html),
        page(&u("2019.html"), fixture("2019.html").into_bytes(), html),
        page(&u("2021.html"), gbk(&fixture("2021.html")), "text/html"),
        page(&u("2023.html"), fixture("2023.html").into_bytes(), html),
        page(&u("2024.html"), fixture("2024.html").into_bytes(), html),
        attachment(&u("files/2018nb.pdf"), pdf(&[Vec::new()]), "application/pdf"),
        attachment(&u("files/2022nb.pdf"), pdf_2022(), "application/pdf"),
        attachment(&u("files/2023nb.docx"), docx_2023(), "application/octet-stream"),
    ];
    let unit = SiteBuilder::new(ROOT).kind(UnitKind::Department).unit();
    crate::site::UnitSite::build(&unit, records)
}

const AS_OF: &str = "2025-03-20";

fn words() -> Vec<String> {
    ["年度报告", "年报"].map(String::from).to_vec()
}

#[test]
fn every_report_is_found_with_its_form_and_date() {
    let s = site();
    let found = find_reports(&s, &words());
    let got: Vec<(i32, ReportFormat, Option<String>, bool)> = found
        .iter()
        .map(|(y, v)| (*y, v[0].format, v[0].published.map(|d| d.to_string()), v[0].report.is_some()))
        .collect();
    let want = [
        (2018, ReportFormat::Pdf, Some("2019-01-28"), false),
        (2019, ReportFormat::Html, Some("2020-01-15"), true),
        (2021, ReportFormat::Html, Some("2022-01-20"), true),
        (2022, ReportFormat::Pdf, Some("2023-03-10"), true),
        (2023, ReportFormat::Docx, Some("2024-01-25"), true),
        (2024, ReportFormat::Html, Some("2025-01-20"), true),
    ]
    .map(|(y, f, d, r)| (y, f, d.map(String::from), r));
    assert_eq!(got, want);
    // The wrapper page counts as its attachment.
    assert_eq!(found[&2023][0].url, format!("{ROOT}files/2023nb.docx"));
    assert!(
        found[&2018][0].unreadable.as_deref().unwrap_or("").contains("扫描"),
        "{:?}",
        found[&2018][0].unreadable
    );
}

#[test]
fn pdf_and_docx_tables_are_read_in_full() {
    let s = site();
    let found = find_reports(&s, &words());
    for (year, values) in [(2022, values_2022 as fn(&str) -> [i64; 7]), (2023, values_2023)] {
        let r = found[&year][0].report.as_ref().expect("read");
        let rows = &r.applications.as_ref().unwrap_or_else(|| panic!("{year}: table 三")).rows;
        for (_, key) in LABELS {
            assert_eq!(rows.get(key), Some(&values(key).map(Some).to_vec()), "{year} {key}");
        }
        assert_eq!(r.sections.len(), 6, "{year}: {:?}", r.sections);
        assert!(r.review.is_some(), "{year}: table 四");
    }
}

#[test]
fn on_time_and_every_year() {
    let s = site();
    let p = annual_report::Params {
        deadline: "01-31".into(),
        deadlines: Default::default(),
        title_words: words(),
        column: None,
        late_credit: 0.5,
        history_years: 2,
    };
    let v = annual_report::run("annual-report-on-time", &p, &Context { site: &s, as_of: d(AS_OF) });
    let by_year =
        |y: &str| v.findings.iter().find(|f| f.message.contains(y)).unwrap_or_else(|| panic!("{y}: {v:?}"));
    assert_eq!(by_year("2024年").status, Status::Pass);
    let late = by_year("2022年");
    assert_eq!(late.status, Status::Partial);
    assert!(late.message.contains("2023-03-10") && late.message.contains("2023-01-31"), "{}", late.message);
    let gap = by_year("2020年度");
    assert_eq!(gap.status, Status::Fail);
    assert!(gap.message.contains("2018年度报告已公开"), "{}", gap.message);
    assert_eq!(v.findings.len(), 7, "2024 back to the first report, 2018");
    assert_eq!(v.status, Status::Partial);
}

fn tables(aspect: Aspect) -> crate::checks::Verdict {
    let s = site();
    let p = tables::Params { aspect, history_years: 10, ..tables::Params::default() };
    tables::run("t", &p, &Context { site: &s, as_of: d(AS_OF) })
}

fn message_of(v: &crate::checks::Verdict, year: &str) -> (Status, String) {
    let head = format!("《某某区市场监督管理局{year}");
    let f =
        v.findings.iter().find(|f| f.message.starts_with(&head)).unwrap_or_else(|| panic!("{year}: {v:?}"));
    (f.status, f.message.clone())
}

#[test]
fn arithmetic_names_the_cells() {
    let v = tables(Aspect::Arithmetic);
    let (st, m) = message_of(&v, "2022");
    assert_eq!(st, Status::Fail);
    for want in [
        "“予以公开”行：各类申请人合计4，与总计5不符",
        "“总计”列：各项办理结果合计7，与（七）总计6不符",
        "第四部分“行政复议”：结果维持(1)+结果纠正(0)+其他结果(0)+尚未审结(0)=1，与总计(2)不符",
        "正文称“本年新收政府信息公开申请7件”，与表格中的本年新收总计(6)不符",
    ] {
        assert!(m.contains(want), "missing {want} in {m}");
    }
    let (st, m) = message_of(&v, "2023");
    assert_eq!(st, Status::Pass, "the consistent report passes every identity: {m}");
    assert!(!m.contains("未核对"), "{m}");
    let (st, m) = message_of(&v, "2024");
    assert_eq!(st, Status::Fail);
    assert!(m.contains("本年“上年结转”(1)与2023年度报告“结转下年度继续办理”(0)不一致"), "{m}");
    let (st, m) = message_of(&v, "2018");
    assert_eq!(st, Status::Error, "a scanned report is not a failure: {m}");
    assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{v:?}");
    let urls: Vec<&str> = v.findings.iter().map(|f| f.evidence[0].url.as_str()).collect();
    assert!(urls.contains(&format!("{ROOT}files/2022nb.pdf").as_str()), "{urls:?}");
}

#[test]
fn sections_missing_in_the_gbk_page() {
    let v = tables(Aspect::Sections);
    let (st, m) = message_of(&v, "2021");
    assert_eq!(st, Status::Fail);
    assert!(m.contains("第五部分“存在的主要问题及改进情况”、第六部分“其他需要报告的事项”"), "{m}");
    assert_eq!(message_of(&v, "2023").0, Status::Pass);
    assert_eq!(message_of(&v, "2019").0, Status::Pass);
}

#[test]
fn copied_report_shows_the_repeated_passages() {
    let v = tables(Aspect::Similarity);
    let (st, m) = message_of(&v, "2024");
    assert_eq!(st, Status::Fail, "{m}");
    assert!(m.contains("逐字重复") && m.contains("全面推进政务公开标准化规范化建设"), "{m}");
    let (st, m) = message_of(&v, "2023");
    assert_eq!(st, Status::Pass, "2023 against 2022: {m}");
}

#[test]
fn the_year_table() {
    let s = site();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("checks");
    let checks = crate::checks::CheckSet::load_dir(&dir).expect("checks");
    let rows = year_table(&checks, &Context { site: &s, as_of: d(AS_OF) });
    let years: Vec<i32> = rows.iter().map(|r| r.year).collect();
    assert_eq!(years, [2024, 2023, 2022, 2021, 2020, 2019, 2018]);
    let row = |y: i32| rows.iter().find(|r| r.year == y).expect("row");
    assert_eq!(row(2020).url, None);
    assert_eq!((row(2022).on_time, row(2022).arithmetic_ok), (Some(false), Some(false)));
    assert_eq!(row(2022).format, Some(ReportFormat::Pdf));
    assert_eq!(
        (row(2023).on_time, row(2023).sections_ok, row(2023).arithmetic_ok),
        (Some(true), Some(true), Some(true))
    );
    assert_eq!(row(2021).sections_ok, Some(false));
    assert!(row(2024).similarity.unwrap() > 0.8, "{:?}", row(2024));
    assert!(row(2023).similarity.unwrap() < 0.5, "{:?}", row(2023));
    assert_eq!(row(2018).arithmetic_ok, None);
}

#[test]
fn inspect_reads_pdf_and_docx_attachments() {
    let dir = std::env::temp_dir().join(format!("zwgk-nb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes, year) in [("a.pdf", pdf_2022(), 2022), ("b.docx", docx_2023(), 2023)] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let facts = crate::inspect::inspect_file(&path, Some("http://gov.test/f")).expect("inspect");
        let r = facts.annual_report.unwrap_or_else(|| panic!("{name}: no report"));
        assert_eq!(r.year, year);
        let t = |k: &str| r.applications.as_ref().unwrap().rows[k][6];
        assert_eq!(
            (t("new_requests"), t("total")),
            (Some(6 - (year - 2022) as i64), Some(6 - (year - 2022) as i64))
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

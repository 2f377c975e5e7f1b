//! Attachment extraction on real files built here: zip archives written with the zip crate, and PDFs
//! written object by object in the forms government PDFs take (a GB predefined CMap with a non-embedded
//! font, as 公文 PDFs converted from OFD have).

use std::io::Write;

use super::*;

fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    buf.into_inner()
}

/// A PDF whose one page shows `text` in STSong-Light through the UniGB-UCS2-H CMap (no ToUnicode map,
/// no embedded font): poppler needs poppler-data's Adobe-GB1 tables to read it.
fn gb_pdf(lines: &[&str], encrypt: bool) -> Vec<u8> {
    gb_pdf_pages(&[lines], encrypt)
}

/// [`gb_pdf`] with a page for each list of lines.
fn gb_pdf_pages(pages: &[&[&str]], encrypt: bool) -> Vec<u8> {
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        String::new(), // the page tree, once the pages are numbered
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>"
            .to_string(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 >>"
            .to_string(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
            .to_string(),
    ];
    let mut kids = Vec::new();
    for lines in pages {
        let mut content = String::from("BT /F1 12 Tf 14 TL 72 760 Td\n");
        for line in *lines {
            let hex: String = line.encode_utf16().map(|u| format!("{u:04X}")).collect();
            content.push_str(&format!("<{hex}> Tj T*\n"));
        }
        content.push_str("ET");
        let page = objects.len() + 1;
        kids.push(format!("{page} 0 R"));
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            page + 1
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()));
    }
    objects[1] = format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), kids.len());
    if encrypt {
        // A standard security handler whose user password is not empty: readers cannot open it.
        objects.push(
            "<< /Filter /Standard /V 1 /R 2 /O <1F2E3D4C5B6A798897A6B5C4D3E2F1000112233445566778899AABBCCDDEEFF0> /U <0A1B2C3D4E5F60718293A4B5C6D7E8F90011223344556677889900AABBCCDDEE> /P -44 >>"
                .to_string(),
        );
    }
    let trailer = if encrypt {
        format!(
            " /Encrypt {} 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]",
            objects.len()
        )
    } else {
        " /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]".to_string()
    };
    pdf_file(&objects, &trailer)
}

fn pdftotext_installed() {
    let ok = Command::new("pdftotext").arg("-v").output().is_ok();
    assert!(ok, "pdftotext is required: apt-get install poppler-utils poppler-data (see .ci/run)");
}

#[test]
fn docx_joins_runs_and_splits_cells() {
    let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>申请人：张三，身份证号：3401</w:t></w:r><w:r><w:t>0419900307</w:t></w:r><w:r><w:t>001X</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>受理日期</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>2025年3月5日</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><w:t xml:space="preserve">A &amp; B</w:t></w:r></w:p>
</w:body></w:document>"#;
    let bytes = zip_of(&[("[Content_Types].xml", "<Types/>"), ("word/document.xml", doc)]);
    let got = extract_text(&bytes, &Limits::default());
    assert_eq!(got.format, Format::Docx);
    assert_eq!(got.note, None);
    assert!(got.text.contains("身份证号：34010419900307001X"), "{}", got.text);
    assert!(got.text.contains("受理日期\t2025年3月5日"), "{}", got.text);
    assert!(got.text.contains("A & B"), "{}", got.text);
}

#[test]
fn xlsx_resolves_shared_and_inline_strings() {
    let shared = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>姓名</t></si><si><r><t>联系</t></r><r><t>电话</t></r></si><si><t>李四</t></si></sst>"#;
    let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>金额</t></is></c></row>
<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>13912345678</v></c><c r="C2"><v>1200.5</v></c></row>
</sheetData></worksheet>"#;
    let bytes = zip_of(&[
        ("xl/workbook.xml", "<workbook/>"),
        ("xl/sharedStrings.xml", shared),
        ("xl/worksheets/sheet1.xml", sheet),
    ]);
    let got = extract_text(&bytes, &Limits::default());
    assert_eq!(got.format, Format::Xlsx);
    assert!(got.text.contains("姓名\t联系电话\t金额\n李四\t13912345678\t1200.5"), "{:?}", got.text);
}

#[test]
fn ofd_text_codes_in_page_order() {
    let page = |t: &str| {
        format!(
            r#"<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer><ofd:TextObject><ofd:TextCode X="0" Y="0">{t}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>"#
        )
    };
    let (p1, p10, p2) = (page("第一页"), page("第十一页"), page("第二页"));
    let bytes = zip_of(&[
        ("OFD.xml", "<ofd:OFD/>"),
        ("Doc_0/Pages/Page_10/Content.xml", &p10),
        ("Doc_0/Pages/Page_0/Content.xml", &p1),
        ("Doc_0/Pages/Page_1/Content.xml", &p2),
    ]);
    let got = extract_text(&bytes, &Limits::default());
    assert_eq!(got.format, Format::Ofd);
    assert_eq!(got.text, "第一页\n第二页\n第十一页\n");
}

#[test]
fn gb_cmap_pdf_is_read_through_pdftotext() {
    pdftotext_installed();
    let pdf = gb_pdf(&["政府信息公开工作年度报告", "本年新收政府信息公开申请218件"], false);
    let got = extract_text(&pdf, &Limits::default());
    assert_eq!(got.format, Format::Pdf);
    assert_eq!(got.note, None, "{:?}", got.text);
    assert!(got.text.contains("政府信息公开工作年度报告"), "{:?}", got.text);
    assert!(got.text.contains("本年新收政府信息公开申请218件"), "{:?}", got.text);
}

/// pdftotext that outlives the limit is stopped and noted, and the note is not kept for a later run;
/// no pdftotext runs fast enough to beat a 1 ms limit (its start alone takes milliseconds).
#[test]
fn pdftotext_past_the_time_limit_is_a_timeout_not_kept() {
    pdftotext_installed();
    let pdf = gb_pdf(&["政府信息公开工作年度报告"], false);
    let got = extract_text(&pdf, &Limits { timeout: Duration::from_millis(1), ..Limits::default() });
    assert_eq!(got.note, Some(AttachmentNote::Timeout), "{got:?}");
    assert!(!got.is_lasting());
    let got = extract_text(&pdf, &Limits::default());
    assert_eq!(got.note, None, "the same file within the limit");
    assert!(got.is_lasting());
}

#[test]
fn encrypted_pdf_is_a_note_not_a_crash() {
    pdftotext_installed();
    let got = extract_text(&gb_pdf(&["机密"], true), &Limits::default());
    assert_eq!(got.note, Some(AttachmentNote::Encrypted), "{got:?}");
    assert!(got.text.is_empty());
}

#[test]
fn pdf_without_text_is_flagged_as_scanned() {
    pdftotext_installed();
    let got = extract_text(&gb_pdf(&[], false), &Limits::default());
    assert_eq!(got.note, Some(AttachmentNote::NoTextLayer), "{got:?}");
}

#[test]
fn corrupt_and_unknown_files_are_notes() {
    pdftotext_installed();
    let truncated = gb_pdf(&["政府"], false)[..60].to_vec();
    let got = extract_text(&truncated, &Limits::default());
    assert!(
        matches!(got.note, Some(AttachmentNote::Corrupt(_)) | Some(AttachmentNote::NoTextLayer)),
        "{got:?}"
    );
    let legacy = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
    assert_eq!(extract_text(&legacy, &Limits::default()).note, Some(AttachmentNote::Unsupported));
    assert_eq!(extract_text(b"PK\x03\x04garbage", &Limits::default()).format, Format::Zip);
    assert_eq!(extract_text(b"hello", &Limits::default()).format, Format::Unknown);
    let not_docx = zip_of(&[("word/document.xml", "<w:document><w:p><w:t>unclosed")]);
    let got = extract_text(&not_docx, &Limits::default());
    assert!(got.note.is_none() || matches!(got.note, Some(AttachmentNote::Corrupt(_))), "{got:?}");
}

#[test]
fn decompression_bombs_stop_at_the_entry_limit() {
    let huge = format!(
        "<w:document><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>",
        "0".repeat(200_000)
    );
    let bytes = zip_of(&[("word/document.xml", &huge)]);
    assert!(bytes.len() < 10_000, "deflate squeezes the repeated text: {}", bytes.len());
    let limits = Limits { max_entry_bytes: 50_000, ..Limits::default() };
    let got = extract_text(&bytes, &limits);
    assert_eq!(got.note, Some(AttachmentNote::TooLarge));
    assert!(got.text.len() <= 50_000);
}

#[test]
fn text_is_cut_at_the_limit_on_a_char_boundary() {
    let doc = format!(
        "<w:document><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>",
        "政务公开".repeat(1000)
    );
    let bytes = zip_of(&[("word/document.xml", &doc)]);
    let limits = Limits { max_text_bytes: 1001, ..Limits::default() };
    let got = extract_text(&bytes, &limits);
    assert_eq!(got.note, Some(AttachmentNote::TooLarge));
    assert!(got.text.len() <= 1001 && got.text.starts_with("政务公开"));
}

/// A fixture of `fixtures/attachments/` (built by its build.py with LibreOffice from GBK HTML).
fn office_fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/attachments/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn soffice_installed() {
    let ok = Command::new("soffice").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    assert!(
        ok.is_ok_and(|s| s.success()),
        "soffice is required: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui (see .ci/run)"
    );
}

#[test]
fn doc_annual_report_comes_out_with_its_table_rows() {
    soffice_installed();
    let bytes = office_fixture("nianbao-2024.doc");
    assert_eq!(sniff(&bytes), Format::Doc);
    let got = extract_text(&bytes, &Limits::default());
    assert_eq!(got.format, Format::Doc);
    assert_eq!(got.note, None, "{got:?}");
    assert!(got.text.contains("庐阳街道2024年政府信息公开工作年度报告"), "{}", got.text);
    // Cells of one table row stay on one line, split by tabs, as in a DOCX.
    assert!(got.text.contains("一、本年新收政府信息公开申请数量\t11\t1\t0\t0\t0\t0\t12"), "{}", got.text);
    let report =
        crate::extract::annual_report_text::annual_report_from_text(None, &got.text).expect("read as a 年报");
    assert_eq!(report.year, 2024);
    let rows = &report.applications.expect("table 三").rows;
    assert_eq!(rows["new_requests"], [11, 1, 0, 0, 0, 0, 12].map(Some));
    assert_eq!(rows["carried_forward"], [3, 0, 0, 0, 0, 0, 3].map(Some));
}

#[test]
fn wps_is_read_as_the_word_binary_it_is() {
    soffice_installed();
    let bytes = office_fixture("mingdan.wps");
    let got = extract_text(&bytes, &Limits::default());
    assert_eq!(got.format, Format::Doc);
    assert_eq!(got.note, None, "{got:?}");
    assert!(got.text.contains("2\t李某某\t3401**********4560"), "{}", got.text);
    assert!(got.text.contains("340104198506121236\t13955112233"), "{}", got.text);
}

#[test]
fn xls_sheets_come_out_as_tab_separated_rows() {
    soffice_installed();
    let bytes = office_fixture("huamingce.xls");
    assert_eq!(sniff(&bytes), Format::Xls);
    let got = extract_text(&bytes, &Limits::default());
    assert_eq!(got.note, None, "{got:?}");
    assert!(got.text.contains("序号\t姓名\t身份证号码\t联系电话\t救助金额"), "{}", got.text);
    assert!(got.text.contains("张某某\t340122197203084560\t13712345678\t3000"), "{}", got.text);
}

#[test]
fn damaged_doc_missing_tool_and_encryption_are_notes() {
    soffice_installed();
    // The header and the directory (at the end of the file) survive, the first half of the streams does
    // not: LibreOffice cannot load it.
    let mut damaged = office_fixture("nianbao-2024.doc");
    let half = damaged.len() / 2;
    damaged[512..half].fill(0);
    assert_eq!(sniff(&damaged), Format::Doc);
    let got = extract_text(&damaged, &Limits::default());
    assert!(matches!(got.note, Some(AttachmentNote::Corrupt(_))), "{got:?}");
    assert!(got.text.is_empty());

    let limits = Limits { soffice: "zwgk-no-such-soffice", ..Limits::default() };
    let got = extract_text(&office_fixture("mingdan.wps"), &limits);
    assert!(
        matches!(&got.note, Some(AttachmentNote::ToolMissing(t)) if t.contains("libreoffice")),
        "{got:?}"
    );

    // A password-protected DOCX is an OLE2 file holding an `EncryptedPackage` stream.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(512, 0);
    ole.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(extract_text(&ole, &Limits::default()).note, Some(AttachmentNote::Encrypted));
}

#[test]
fn conversion_timeout_is_a_note_and_ends_every_libreoffice_process() {
    soffice_installed();
    let limits = Limits { timeout: Duration::from_millis(300), ..Limits::default() };
    let started = Instant::now();
    let got = extract_text(&office_fixture("nianbao-2024.doc"), &limits);
    assert_eq!(got.note, Some(AttachmentNote::Timeout), "{got:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    // No process of a finished conversion may still run: a conversion removes its directory when it
    // returns, so a LibreOffice process whose profile directory is gone outlived its conversion (other
    // tests may be converting right now, in directories that still exist).
    std::thread::sleep(Duration::from_millis(200));
    let marker = format!("zwgk-office-{}-", std::process::id());
    let survivors: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| {
            let Some(at) = c.find("UserInstallation=file://") else { return false };
            let path = c[at + "UserInstallation=file://".len()..].split(' ').next().unwrap_or("");
            path.contains(&marker) && !std::path::Path::new(path).exists()
        })
        .collect();
    assert!(survivors.is_empty(), "{survivors:?}");
}

/// PDFs read in batches give each file exactly what reading it alone gives: texts over several pages,
/// a page without text, a file twice, an encrypted and a truncated file (read alone, with their
/// notes), a damaged file that fails its batch, and a file that is no PDF at all.
#[test]
fn pdfs_read_together_give_what_each_gives_alone() {
    pdftotext_installed();
    let report = gb_pdf_pages(
        &[
            &["政府信息公开工作年度报告", "一、总体情况"],
            &[],
            &["本年新收政府信息公开申请218件", "联系电话：0551-12345678"],
        ],
        false,
    );
    let notice = gb_pdf(&["关于印发某某办法的通知", "各乡镇人民政府、区直各单位："], false);
    let blank = gb_pdf(&[], false);
    let encrypted = gb_pdf(&["机密"], true);
    let damaged = gb_pdf(&["政府"], false)[..60].to_vec();
    let docx = zip_of(&[("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")]);
    // Whole as far as its end shows, so batched, and then refused by pdfunite: its batch is read again a
    // file at a time.
    let hollow =
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 9 0 R >>\n%%EOF\n".to_vec();
    let clean: Vec<&[u8]> = vec![&report, &notice, &blank, &notice];
    let all: Vec<&[u8]> = vec![&report, &encrypted, &notice, &docx, &damaged, &blank, &hollow, &report];
    let limits = Limits::default();
    for bodies in [&clean, &all] {
        let together = pdf_texts(bodies, &limits);
        assert_eq!(together.len(), bodies.len());
        for (body, got) in bodies.iter().zip(&together) {
            assert_eq!(got, &extract_text(body, &limits));
        }
    }
    let together = pdf_texts(&all, &limits);
    assert!(together[0].text.contains("本年新收政府信息公开申请218件"), "{:?}", together[0]);
    assert_eq!(together[1].note, Some(AttachmentNote::Encrypted));
    assert_eq!(together[3].format, Format::Docx);
    assert_eq!(together[5].note, Some(AttachmentNote::NoTextLayer));
    assert!(batchable(&hollow) && pdf_batch(&[&notice, &hollow], &limits).is_none());
    assert!(matches!(together[6].note, Some(AttachmentNote::Corrupt(_) | AttachmentNote::NoTextLayer)));
    // The clean files go through in one batch; a damaged file fails its batch (then every file of it
    // is read alone, as above).
    let one = pdf_batch(&clean, &limits).expect("one pdfunite and one pdftotext");
    assert_eq!(one[0], extract_text(&report, &limits));
    assert!(pdf_batch(&[&report, &damaged], &limits).is_none());
}

/// A batch's output is cut at its marker pages only, and only when it opens and closes with one.
#[test]
fn batch_output_is_cut_at_the_markers() {
    let m = "ZWGKFILEBREAK01";
    let out = format!("  {m}\n\x0cA\n\x0cB\x0cC\n\x0c{m}\n\x0c\x0c{m}\n\x0c");
    let parts = split_at_markers(out.as_bytes(), m.as_bytes()).unwrap();
    assert_eq!(parts, [b"A\n\x0cB\x0cC\n\x0c".to_vec(), b"\x0c".to_vec()]);
    assert_eq!(split_at_markers(format!("A\x0c{m}\x0c").as_bytes(), m.as_bytes()), None, "text before");
    assert_eq!(split_at_markers(format!("{m}\x0cA\x0c").as_bytes(), m.as_bytes()), None, "no closing marker");
    assert_eq!(split_at_markers(format!("{m}\x0c{m}\x0cA").as_bytes(), m.as_bytes()), None, "a page unended");
    assert_eq!(split_at_markers(format!("{m}\x0c{m}\x0c").as_bytes(), m.as_bytes()), Some(vec![vec![]]));
}

/// What pdfunite would refuse, or carry over from the first file only, and files cut short are never
/// batched.
#[test]
fn pdfs_with_encryption_layers_or_forms_are_read_alone() {
    let plain = gb_pdf(&["关于印发某某办法的通知"], false);
    assert!(batchable(&plain));
    assert!(!batchable(&gb_pdf(&["机密"], true)));
    let with_catalog = |extra: &str| {
        let text = String::from_utf8_lossy(&plain).into_owned();
        let catalog = "<< /Type /Catalog /Pages 2 0 R";
        text.replacen(catalog, &format!("{catalog} {extra}"), 1).into_bytes()
    };
    assert!(!batchable(&with_catalog("/OCProperties << /OCGs [] /D << /OFF [] >> >>")));
    assert!(!batchable(&with_catalog("/AcroForm << /Fields [] /NeedAppearances true >>")));
    let mut large = plain.clone();
    large.resize(BATCH_FILE_BYTES + 1, b' ');
    assert!(!batchable(&large));
    assert!(!batchable(&plain[..plain.len() - 40]), "cut short");
    let mut padded = plain.clone();
    padded.extend_from_slice(b"\r\n\n");
    assert!(batchable(&padded), "line ends after %%EOF");
}

/// A batch whose text reaches its cap is read again a file at a time, so that each file is cut at its
/// own limit and noted as too large, as it is when read alone.
#[test]
fn a_batch_over_its_text_cap_is_read_file_by_file() {
    pdftotext_installed();
    let a = gb_pdf(&["政府信息公开工作年度报告", "本年新收政府信息公开申请218件"], false);
    let b = gb_pdf(&["关于印发某某办法的通知"], false);
    let limits = Limits { max_text_bytes: 20, ..Limits::default() };
    assert!(pdf_batch(&[&a, &b], &limits).is_none(), "the markers alone pass the cap");
    let together = pdf_texts(&[&a, &b], &limits);
    for (body, got) in [&a, &b].iter().zip(&together) {
        assert_eq!(got, &extract_text(body, &limits));
        assert_eq!(got.note, Some(AttachmentNote::TooLarge));
        assert!(got.text.len() <= 20);
    }
}

/// A PDF as LibreOffice exports it (PDF 1.6, compressed streams, embedded subset fonts, a table over
/// several pages) reads the same in a batch as alone.
#[test]
fn a_libreoffice_pdf_reads_the_same_in_a_batch() {
    pdftotext_installed();
    let rows: String = (0..150)
        .map(|i| {
            format!("<tr><td>{i}</td><td>行政许可事项{i}</td><td>{}</td><td>依申请公开</td></tr>", i * 7)
        })
        .collect();
    let html = format!(
        "<html><head><meta charset=\"utf-8\"></head><body><h1>2024年政府信息公开工作年度报告</h1>\
         <p>本年度共收到申请218件。</p><table border=\"1\">{rows}</table></body></html>"
    );
    let limits = Limits::default();
    let pdf = office::convert(html.as_bytes(), "pdf", &limits)
        .expect("LibreOffice (see .ci/run) prints HTML to PDF");
    assert!(pdf.starts_with(b"%PDF-1."), "{:?}", &pdf[..pdf.len().min(16)]);
    let notice = gb_pdf(&["关于印发某某办法的通知"], false);
    let bodies: Vec<&[u8]> = vec![&notice, &pdf, &notice];
    let together = pdf_batch(&bodies, &limits).expect("one batch");
    for (body, got) in bodies.iter().zip(&together) {
        assert_eq!(got, &extract_text(body, &limits));
    }
    // pdftotext puts a space between ideographs and digits; compare without spaces.
    let flat: String = together[1].text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(flat.contains("行政许可事项149") && flat.contains("共收到申请218件"), "{}", together[1].text);
    assert!(
        together[1].text.lines().filter(|l| l.contains("行政许可事项")).count() == 150,
        "every row, over several pages"
    );
}

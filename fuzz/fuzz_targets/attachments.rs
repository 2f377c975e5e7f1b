//! Attachment text extraction: DOCX, XLSX and OFD (zip archives of XML) and format sniffing (OLE kinds
//! included). PDF goes to `pdftotext` and legacy DOC/XLS to LibreOffice in a subprocess; they are left out
//! (a process per input would make the fuzzer crawl).
//!
//! Byte 0 picks the mode. Mode 0: the rest is the file, as downloaded. Modes 1-3: the rest is XML, packed
//! here into a well-formed archive (stored, so the fuzzer's mutations reach the XML readers instead of
//! dying on zip checksums): 1 = DOCX `word/document.xml`; 2 = XLSX, the XML split at the first NUL byte
//! into `xl/sharedStrings.xml` and `xl/worksheets/sheet1.xml`; 3 = OFD page `Content.xml`.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use zip::write::SimpleFileOptions;
use zwgk_audit::attachments::{Format, Limits, extract_text, sniff};

fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in entries {
        w.start_file(*name, opts).expect("start entry");
        w.write_all(body).expect("write entry");
    }
    w.finish().expect("finish archive").into_inner()
}

fn limits() -> Limits {
    // Small caps, so the cap paths are reached with small inputs too.
    Limits { max_text_bytes: 64 * 1024, max_entry_bytes: 1024 * 1024, max_entries: 64, ..Limits::default() }
}

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else { return };
    let (bytes, expect) = match mode % 4 {
        0 => {
            // PDF and legacy DOC/XLS go to subprocesses (pdftotext, LibreOffice): sniffed, not extracted.
            if matches!(sniff(rest), Format::Pdf | Format::Doc | Format::Xls) {
                return;
            }
            (rest.to_vec(), None)
        }
        1 => (archive(&[("word/document.xml", rest)]), Some(Format::Docx)),
        2 => {
            let cut = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            let (shared, sheet) = (&rest[..cut], rest.get(cut + 1..).unwrap_or_default());
            let workbook = b"<workbook><sheets><sheet name=\"1\" sheetId=\"1\"/></sheets></workbook>";
            let entries: [(&str, &[u8]); 3] = [
                ("xl/workbook.xml", workbook),
                ("xl/sharedStrings.xml", shared),
                ("xl/worksheets/sheet1.xml", sheet),
            ];
            (archive(&entries), Some(Format::Xlsx))
        }
        _ => {
            let ofd = b"<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"/>";
            let entries: [(&str, &[u8]); 2] = [("OFD.xml", ofd), ("Doc_0/Pages/Page_0/Content.xml", rest)];
            (archive(&entries), Some(Format::Ofd))
        }
    };
    let limits = limits();
    let got = extract_text(&bytes, &limits);
    if let Some(format) = expect {
        assert_eq!(got.format, format);
    }
    assert!(got.text.len() <= limits.max_text_bytes, "text over the cap: {} bytes", got.text.len());
});

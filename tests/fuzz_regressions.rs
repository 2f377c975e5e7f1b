//! Inputs that broke a parser, found while fuzzing (see docs/FUZZING.md); one test per cause, named after
//! what broke.
//!
//! Memory is the failure these inputs cause, so this test binary counts, per thread, the bytes its heap
//! holds and their peak: a test resets the count, runs one extraction and asserts the peak stayed bounded.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

use zwgk_audit::attachments::{AttachmentNote, Format, Limits, extract_text};

/// The system allocator, counting the current thread's live bytes and their peak.
struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn add(n: usize) {
    // `try_with`: a thread being torn down has no counters left; its allocations are not counted.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + n;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn sub(n: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(n)));
}

// SAFETY: every call goes straight to the system allocator with the caller's layout; the counters are
// const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        sub(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        sub(layout.size());
        add(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the most heap bytes this thread held meanwhile, above what it
/// held before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, PEAK.with(Cell::get) - base)
}

/// A zip archive of (name, body) entries, deflated as office files are.
fn deflated(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in entries {
        w.start_file(*name, opts).expect("entry");
        w.write_all(body).expect("write");
    }
    w.finish().expect("zip").into_inner()
}

const MIB: usize = 1024 * 1024;

/// Limits with a 1 MiB text cap and the default per-entry cap (64 MiB).
fn one_mib_text() -> Limits {
    Limits { max_text_bytes: MIB, ..Limits::default() }
}

/// XLSX: one sheet of 200,000 cells that all show the same 1 KiB shared string (a 4 MiB sheet that
/// deflates to a few KiB) made 200 MB of text before the text cap was looked at, which happened only
/// after each whole sheet.
#[test]
fn xlsx_cells_repeating_a_shared_string_stop_at_the_text_cap() {
    let shared = format!("<sst><si><t>{}</t></si></sst>", "公开".repeat(171));
    let mut sheet = String::from("<worksheet><sheetData>");
    for r in 0..2_000 {
        sheet += &format!("<row r=\"{}\">", r + 1);
        for _ in 0..100 {
            sheet += "<c t=\"s\"><v>0</v></c>";
        }
        sheet += "</row>";
    }
    sheet += "</sheetData></worksheet>";
    let file = deflated(&[
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/sharedStrings.xml", shared.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ]);
    assert!(file.len() < 64 * 1024, "the archive is small: {} bytes", file.len());
    let limits = one_mib_text();
    let (got, peak) = peak_of(|| extract_text(&file, &limits));
    assert_eq!(got.format, Format::Xlsx);
    assert_eq!(got.note, Some(AttachmentNote::TooLarge));
    assert!(got.text.len() <= MIB && got.text.starts_with("公开公开"), "text of {} bytes", got.text.len());
    // The sheet's XML (4 MiB) and a text buffer around the cap; not the 200 MB the cells expand to.
    assert!(peak < 24 * MIB, "extraction held {} MiB at its peak", peak / MIB);
}

/// OFD: 20 pages of 4 MiB of text each were all read into one string (80 MiB) before the text cap cut
/// it; the cap now stops reading pages.
#[test]
fn ofd_with_many_large_pages_stops_at_the_text_cap() {
    let page = format!(
        "<ofd:Page xmlns:ofd=\"http://www.ofdspec.org/2016\"><ofd:TextCode>{}</ofd:TextCode></ofd:Page>",
        "A".repeat(4 * MIB)
    );
    let mut names = vec!["OFD.xml".to_string()];
    names.extend((0..20).map(|i| format!("Doc_0/Pages/Page_{i}/Content.xml")));
    let entries: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), if n == "OFD.xml" { &b"<ofd:OFD/>"[..] } else { page.as_bytes() }))
        .collect();
    let file = deflated(&entries);
    let limits = one_mib_text();
    let (got, peak) = peak_of(|| extract_text(&file, &limits));
    assert_eq!(got.format, Format::Ofd);
    assert_eq!(got.note, Some(AttachmentNote::TooLarge));
    assert!(got.text.len() <= MIB && got.text.starts_with("AAAA"), "text of {} bytes", got.text.len());
    // One page's XML and its text (4 MiB each) and the output; not 20 pages' worth.
    assert!(peak < 48 * MIB, "extraction held {} MiB at its peak", peak / MIB);
}

/// Dates: a year in Chinese numerals was taken whatever it was (〇〇一二年三月一日 gave the year 12), while
/// Arabic years must be 19xx or 20xx; the fuzzer's round trip (a parsed date must parse back from its
/// `YYYY-MM-DD` form) caught it.
#[test]
fn chinese_numeral_years_outside_19xx_and_20xx_are_no_date() {
    use zwgk_audit::extract::dates::parse_date;
    assert_eq!(parse_date("〇〇一二年三月一日"), None);
    assert_eq!(parse_date("三一〇〇年一月一日"), None);
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(parse_date("二〇二一年十一月十五日"), d(2021, 11, 15));
    assert_eq!(parse_date("一九九九年十二月三十一日"), d(1999, 12, 31));
    // The text goes on to a valid date: that one is found.
    assert_eq!(parse_date("〇〇一二年三月一日 二〇一二年三月一日"), d(2012, 3, 1));
}

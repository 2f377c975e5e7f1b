//! Text out of attachments: 年报, policy files and name lists are often PDF, DOCX or XLSX files, and the
//! checks (keywords, privacy, annual-report tables) must see their text as they see a page's.
//!
//! Formats are sniffed by their bytes, never by the URL's extension. PDF goes through `pdftotext`
//! (poppler-utils with poppler-data, for the GB CMaps of 公文 PDFs) in a subprocess with a timeout and an
//! output cap, which isolates hostile files; a site's small PDFs go through one pdftotext a batch at a
//! time ([`pdf_texts`]), each file still getting exactly its own text and note; DOCX, XLSX and OFD are zip archives of XML read here with a
//! cap on every decompressed entry. Legacy DOC, WPS, XLS and ET files are turned into DOCX or XLSX by
//! LibreOffice headless ([`office`]) and then read the same way. What cannot be read becomes an
//! [`AttachmentNote`], never a crash.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

/// An attachment's format, as its bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `%PDF`.
    Pdf,
    /// Office Open XML word processing (zip with `word/document.xml`).
    Docx,
    /// Office Open XML spreadsheet (zip with `xl/workbook.xml`).
    Xlsx,
    /// GB/T 33190 OFD (zip with `OFD.xml`).
    Ofd,
    /// Another zip archive.
    Zip,
    /// Word 97–2003 binary (OLE2 with a `WordDocument` stream): .doc, and .wps as Kingsoft WPS saves it.
    Doc,
    /// Excel 97–2003 binary (OLE2 with a `Workbook` stream): .xls, and Kingsoft's .et.
    Xls,
    /// Another OLE compound file (PowerPoint, a password-protected DOCX …).
    LegacyOffice,
    /// Anything else.
    Unknown,
}

/// Why an attachment's text is missing or incomplete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "note", content = "detail")]
pub enum AttachmentNote {
    /// The file is password-protected.
    Encrypted,
    /// A PDF without a text layer (a scan): a person must read it.
    NoTextLayer,
    /// The file is damaged or not what it claims to be.
    Corrupt(String),
    /// A format this build does not read (archives, PowerPoint, pre-2005 WPS).
    Unsupported,
    /// Decompressed content or extracted text went over the limit; the text is cut.
    TooLarge,
    /// The external tool is not installed.
    ToolMissing(String),
    /// Extraction took longer than the limit.
    Timeout,
    /// Reading failed on this machine (temporary files, starting or waiting for the tool, the tool
    /// killed by a signal): nothing is known about the file.
    LocalError(String),
}

impl AttachmentNote {
    /// The note in the Chinese of the reports.
    pub fn label_zh(&self) -> String {
        match self {
            AttachmentNote::Encrypted => "附件已加密，无法读取内容".into(),
            AttachmentNote::NoTextLayer => "附件为扫描图像，无文字层，需人工查看".into(),
            AttachmentNote::Corrupt(_) => "附件文件损坏或格式与扩展名不符，无法读取".into(),
            AttachmentNote::Unsupported => "暂不支持读取该格式附件的文字，需人工查看".into(),
            AttachmentNote::TooLarge => "附件内容过大，仅读取了前一部分".into(),
            AttachmentNote::ToolMissing(t) => format!("未安装读取该附件所需的工具（{t}）"),
            AttachmentNote::Timeout => "读取附件超时".into(),
            AttachmentNote::LocalError(_) => {
                "本机读取附件时出错，未能读出内容（不表明附件有问题），可重新测评".into()
            }
        }
    }
}

/// The text of one attachment and anything that limited it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentText {
    /// The sniffed format.
    pub format: Format,
    /// Extracted text; lines for paragraphs and table rows, tabs between table cells.
    pub text: String,
    /// Why the text is missing or incomplete, if it is.
    pub note: Option<AttachmentNote>,
}

impl AttachmentText {
    /// Whether the same bytes would give the same result on another run: not when the tool was
    /// missing, ran out of time or failed on this machine (the store keeps only results that last, keyed by
    /// the bytes' hash).
    pub fn is_lasting(&self) -> bool {
        !matches!(
            self.note,
            Some(AttachmentNote::ToolMissing(_) | AttachmentNote::Timeout | AttachmentNote::LocalError(_))
        )
    }
}

/// Limits on attachment extraction.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most bytes of text kept.
    pub max_text_bytes: usize,
    /// Most bytes decompressed from one zip entry.
    pub max_entry_bytes: u64,
    /// Most entries read from one archive.
    pub max_entries: usize,
    /// Longest an external tool may run.
    pub timeout: Duration,
    /// The LibreOffice program that converts legacy DOC, WPS and XLS files.
    pub soffice: &'static str,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_text_bytes: 8 * 1024 * 1024,
            max_entry_bytes: 64 * 1024 * 1024,
            max_entries: 2000,
            timeout: Duration::from_secs(30),
            soffice: "soffice",
        }
    }
}

/// Whether the bytes are a PDF (`%PDF-` within the first KiB, as readers accept).
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.len() >= 5 && find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some()
}

/// Sniffs the format from the first bytes (and, for zips, the entry names).
pub fn sniff(bytes: &[u8]) -> Format {
    if is_pdf(bytes) {
        return Format::Pdf;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return match office::ole_kind(bytes) {
            office::OleKind::Word => Format::Doc,
            office::OleKind::Excel => Format::Xls,
            office::OleKind::EncryptedOoxml | office::OleKind::Other => Format::LegacyOffice,
        };
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let Ok(zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else { return Format::Zip };
        let names = entry_names(&zip);
        let has = |name: &str| names.iter().any(|n| n.eq_ignore_ascii_case(name));
        return if has("word/document.xml") {
            Format::Docx
        } else if has("xl/workbook.xml") {
            Format::Xlsx
        } else if has("OFD.xml") {
            Format::Ofd
        } else {
            Format::Zip
        };
    }
    Format::Unknown
}

/// Extracts the text of an attachment.
pub fn extract_text(bytes: &[u8], limits: &Limits) -> AttachmentText {
    let format = sniff(bytes);
    if matches!(format, Format::Doc | Format::Xls) {
        // A LibreOffice conversion costs seconds; the same file is often attached to several pages.
        return office::cached(bytes, limits, || extract_as(format, bytes, limits));
    }
    extract_as(format, bytes, limits)
}

fn extract_as(format: Format, bytes: &[u8], limits: &Limits) -> AttachmentText {
    let result = match format {
        Format::Pdf => pdf_text(bytes, limits),
        Format::Docx => docx_text(bytes, limits),
        Format::Xlsx => xlsx_text(bytes, limits),
        Format::Ofd => ofd_text(bytes, limits),
        Format::Doc => office::convert(bytes, "docx", limits).and_then(|docx| docx_text(&docx, limits)),
        Format::Xls => office::convert(bytes, "xlsx", limits).and_then(|xlsx| xlsx_text(&xlsx, limits)),
        Format::LegacyOffice if office::ole_kind(bytes) == office::OleKind::EncryptedOoxml => {
            Err(AttachmentNote::Encrypted)
        }
        Format::Zip | Format::LegacyOffice | Format::Unknown => Err(AttachmentNote::Unsupported),
    };
    finish(format, result, limits)
}

/// An extraction's result as the attachment's text: cut to the limit, a PDF without text noted.
fn finish(format: Format, result: Extracted, limits: &Limits) -> AttachmentText {
    match result {
        Ok((mut text, mut note)) => {
            if text.len() > limits.max_text_bytes {
                let mut cut = limits.max_text_bytes;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                note = Some(AttachmentNote::TooLarge);
            }
            if format == Format::Pdf && note.is_none() && text.trim().is_empty() {
                note = Some(AttachmentNote::NoTextLayer);
            }
            AttachmentText { format, text, note }
        }
        Err(note) => AttachmentText { format, text: String::new(), note: Some(note) },
    }
}

type Extracted = Result<(String, Option<AttachmentNote>), AttachmentNote>;

/// PDF through `pdftotext -layout` (layout keeps table columns apart on one line).
fn pdf_text(bytes: &[u8], limits: &Limits) -> Extracted {
    let dir = TempDir::new()?;
    let input = dir.0.join("in.pdf");
    std::fs::write(&input, bytes).map_err(|e| AttachmentNote::LocalError(e.to_string()))?;
    let cap = limits.max_text_bytes as u64 + 1;
    let run = run_tool(&mut pdftotext(&input), PDFTOTEXT, limits.timeout, cap)?;
    if !run.status.success() {
        // pdftotext exits 1 on a bad or encrypted file; it says which on stderr (quiet mode keeps it short).
        let probe = pdfinfo_says_encrypted(&input, limits.timeout);
        return Err(if probe {
            AttachmentNote::Encrypted
        } else {
            AttachmentNote::Corrupt(run.stderr.trim().to_string())
        });
    }
    Ok(pdf_output(run.out, cap))
}

const PDFTOTEXT: &str = "pdftotext (poppler-utils)";

/// The text of pdftotext's output for one file, of which at most `cap` bytes were kept: reaching the
/// cap means there was more.
fn pdf_output(mut out: Vec<u8>, cap: u64) -> (String, Option<AttachmentNote>) {
    let too_large = out.len() as u64 >= cap;
    out.truncate(cap as usize);
    let text = String::from_utf8_lossy(&out).replace('\u{c}', "\n");
    (text, too_large.then_some(AttachmentNote::TooLarge))
}

fn pdftotext(input: &std::path::Path) -> Command {
    let mut cmd = Command::new("pdftotext");
    cmd.args(["-layout", "-enc", "UTF-8", "-q"]).arg(input).arg("-");
    cmd
}

/// The texts of many PDFs, each as [`extract_text`] gives it. Starting pdftotext costs more than
/// reading a small PDF (about 18 ms a file, most of it loading the program and poppler-data's GB
/// CMap), so small PDFs are read a batch at a time: `pdfunite` joins them, with a page of a marker
/// text between two files, and one pdftotext reads the whole; its output is cut at the markers
/// (pdftotext ends every page with a form feed and lays out each page on its own, so a file's part
/// is byte for byte what pdftotext gives for that file alone). A file that is large, encrypted, or
/// has layers or a form ([`batchable`]) is read alone; a batch that fails in any way (a damaged file, a
/// timeout, output over the cap, markers not where they belong) is read again a file at a time, so
/// every file still gets its own note.
pub fn pdf_texts(bodies: &[&[u8]], limits: &Limits) -> Vec<AttachmentText> {
    let mut out: Vec<Option<AttachmentText>> = vec![None; bodies.len()];
    let batchable: Vec<usize> =
        (0..bodies.len()).filter(|&i| is_pdf(bodies[i]) && batchable(bodies[i])).collect();
    let mut chunk: Vec<usize> = Vec::new();
    let mut chunk_bytes = 0;
    let flush = |chunk: &mut Vec<usize>, out: &mut Vec<Option<AttachmentText>>| {
        if chunk.len() > 1 {
            let files: Vec<&[u8]> = chunk.iter().map(|&i| bodies[i]).collect();
            if let Some(texts) = pdf_batch(&files, limits) {
                for (&i, got) in chunk.iter().zip(texts) {
                    out[i] = Some(got);
                }
            }
        }
        chunk.clear();
    };
    for i in batchable {
        if chunk.len() == BATCH_FILES || chunk_bytes + bodies[i].len() > BATCH_BYTES {
            flush(&mut chunk, &mut out);
            chunk_bytes = 0;
        }
        chunk.push(i);
        chunk_bytes += bodies[i].len();
    }
    flush(&mut chunk, &mut out);
    out.into_iter().zip(bodies).map(|(got, body)| got.unwrap_or_else(|| extract_text(body, limits))).collect()
}

/// Whether a PDF may be read in a batch: not too large, complete, and nothing in it that pdfunite would refuse or
/// carry over from the first file of a batch only. pdfunite refuses encrypted files; it takes the
/// catalog's optional-content settings (layers hidden by default) and form dictionary (which can make a
/// reader draw field values anew) from the first file, and the first file of a batch is a marker page.
/// The names are looked for in the file's bytes: in a compressed object stream they are not seen.
fn batchable(bytes: &[u8]) -> bool {
    // A file cut short (no `%%EOF` near its end) is read alone too: readers repair damage each their own
    // way, and a batch is only as good as its worst file.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    bytes.len() <= BATCH_FILE_BYTES
        && find(tail, b"%%EOF").is_some()
        && [&b"/Encrypt"[..], b"/OCProperties", b"/AcroForm"].iter().all(|key| find(bytes, key).is_none())
}

/// Most files in one pdftotext batch.
const BATCH_FILES: usize = 32;
/// Most bytes of PDF in one batch.
const BATCH_BYTES: usize = 32 * 1024 * 1024;
/// Larger PDFs are read alone (their own reading outweighs starting a process).
const BATCH_FILE_BYTES: usize = 8 * 1024 * 1024;

/// One pdfunite and one pdftotext over `files` (PDFs): each file's text as [`extract_text`] gives it,
/// or `None` if the batch did not go through cleanly ([`pdf_texts`] then reads each file alone).
pub fn pdf_batch(files: &[&[u8]], limits: &Limits) -> Option<Vec<AttachmentText>> {
    let dir = TempDir::new().ok()?;
    let marker = format!("ZWGKFILEBREAK{:016x}{:08x}", batch_nonce(), files.len());
    let sep = dir.0.join("sep.pdf");
    std::fs::write(&sep, marker_pdf(&marker)).ok()?;
    let mut unite = Command::new("pdfunite");
    unite.arg(&sep);
    for (i, bytes) in files.iter().enumerate() {
        let path = dir.0.join(format!("{i}.pdf"));
        std::fs::write(&path, bytes).ok()?;
        unite.arg(&path).arg(&sep);
    }
    let merged = dir.0.join("all.pdf");
    unite.arg(&merged);
    if !run_tool(&mut unite, "pdfunite (poppler-utils)", limits.timeout, 4096).ok()?.status.success() {
        return None;
    }
    let cap = limits.max_text_bytes as u64 + 1;
    let total_cap = (cap * files.len() as u64).min(BATCH_TEXT_BYTES);
    let run = run_tool(&mut pdftotext(&merged), PDFTOTEXT, limits.timeout, total_cap).ok()?;
    if !run.status.success() || run.out.len() as u64 >= total_cap {
        return None;
    }
    let parts = split_at_markers(&run.out, marker.as_bytes())?;
    (parts.len() == files.len())
        .then(|| parts.into_iter().map(|p| finish(Format::Pdf, Ok(pdf_output(p, cap)), limits)).collect())
}

/// Most bytes of text one batch may give (more, and its files are read one at a time, each up to
/// [`Limits::max_text_bytes`]). Twice that limit's default: a batch holds no more text in memory than two
/// files read alone could, while the text of 32 ordinary files (tens of KB each) passes.
const BATCH_TEXT_BYTES: u64 = 16 * 1024 * 1024;

/// The files' parts of a batch's output: pages between marker pages, each page with its form feed.
/// `None` unless the output opens and closes with a marker page.
fn split_at_markers(out: &[u8], marker: &[u8]) -> Option<Vec<Vec<u8>>> {
    let pieces: Vec<&[u8]> = out.split(|&b| b == 0x0c).collect();
    let (last, pages) = pieces.split_last()?;
    if !last.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for page in pages {
        if page.trim_ascii() == marker {
            parts.extend(current.take());
            current = Some(Vec::new());
        } else {
            let part = current.as_mut()?;
            part.extend_from_slice(page);
            part.push(0x0c);
        }
    }
    // After the closing marker, nothing.
    (current.as_deref() == Some(&[][..])).then_some(parts)
}

/// A one-page PDF showing `marker` (ASCII) in Helvetica.
fn marker_pdf(marker: &str) -> Vec<u8> {
    let content = format!("BT /F1 10 Tf 72 720 Td ({marker}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    pdf_file(&objects, "")
}

/// A PDF file of `objects` (numbered from 1, the first the catalog) with its cross-reference table;
/// `trailer` adds entries to the trailer dictionary.
pub(crate) fn pdf_file(objects: &[String], trailer: &str) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{trailer} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A number no PDF can be expected to print: the marker of one batch.
fn batch_nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(unique());
    h.write_u32(std::process::id());
    h.finish()
}

/// A temporary directory of this process, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, AttachmentNote> {
        let dir = std::env::temp_dir().join(format!("zwgk-pdf-{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&dir).map_err(|e| AttachmentNote::LocalError(e.to_string()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What one run of an external tool gave: its exit status, the first `cap` bytes of its output and
/// the start of what it said on stderr.
struct ToolRun {
    status: std::process::ExitStatus,
    out: Vec<u8>,
    stderr: String,
}

/// Runs `cmd` with no input, keeping at most `cap` bytes of its output, for at most `timeout`.
fn run_tool(cmd: &mut Command, tool: &str, timeout: Duration, cap: u64) -> Result<ToolRun, AttachmentNote> {
    let child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AttachmentNote::ToolMissing(tool.into()));
        }
        Err(e) => return Err(AttachmentNote::LocalError(e.to_string())),
    };
    // Read stdout on a thread so a large output cannot block the child while we wait for it.
    let mut stdout = child.stdout.take().expect("piped");
    let (closed_tx, closed_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.by_ref().take(cap).read_to_end(&mut buf);
        // Drain the rest so the child never blocks on a full pipe.
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        let _ = closed_tx.send(());
        buf
    });
    let started = Instant::now();
    // The child closes its output when it exits: wait for that instead of polling (a poll every
    // 10 ms added about 5 ms to each file). The loop then confirms the exit and keeps the timeout.
    let _ = closed_rx.recv_timeout(timeout);
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = reader.join();
                return Err(AttachmentNote::Timeout);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(1)),
            Err(e) => return Err(AttachmentNote::LocalError(e.to_string())),
        }
    };
    let out = reader.join().unwrap_or_default();
    if status.code().is_none() {
        let name = tool.split(' ').next().unwrap_or(tool);
        return Err(AttachmentNote::LocalError(format!("{name} {status}")));
    }
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.by_ref().take(4096).read_to_string(&mut stderr);
    }
    Ok(ToolRun { status, out, stderr })
}

fn pdfinfo_says_encrypted(path: &std::path::Path, timeout: Duration) -> bool {
    let Ok(mut child) =
        Command::new("pdfinfo").arg(path).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()
    else {
        return false;
    };
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => return false,
        }
    }
    let mut all = String::new();
    for pipe in [
        child.stdout.take().map(|p| Box::new(p) as Box<dyn Read>),
        child.stderr.take().map(|p| Box::new(p) as Box<dyn Read>),
    ]
    .into_iter()
    .flatten()
    {
        let _ = pipe.take(8192).read_to_string(&mut all);
    }
    all.contains("Incorrect password")
        || all.lines().any(|l| l.starts_with("Encrypted:") && l.contains("yes"))
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Reads one zip entry into a string, refusing to decompress more than the limit.
fn zip_entry(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
) -> Result<Option<String>, AttachmentNote> {
    let mut file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(zip::result::ZipError::UnsupportedArchive(m))
            if m.contains("ncrypt") || m.contains("assword") =>
        {
            return Err(AttachmentNote::Encrypted);
        }
        Err(e) => return Err(AttachmentNote::Corrupt(e.to_string())),
    };
    if file.encrypted() {
        return Err(AttachmentNote::Encrypted);
    }
    let mut buf = Vec::new();
    file.by_ref()
        .take(limits.max_entry_bytes + 1)
        .read_to_end(&mut buf)
        .map_err(|e| AttachmentNote::Corrupt(e.to_string()))?;
    if buf.len() as u64 > limits.max_entry_bytes {
        return Err(AttachmentNote::TooLarge);
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

fn open_zip<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<zip::ZipArchive<std::io::Cursor<&'a [u8]>>, AttachmentNote> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| AttachmentNote::Corrupt(e.to_string()))?;
    if zip.len() > limits.max_entries {
        return Err(AttachmentNote::TooLarge);
    }
    Ok(zip)
}

/// The local name of an XML tag (`w:t` → `t`).
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// DOCX: text runs joined per paragraph (an ID split across runs comes out whole), cells split by tabs.
fn docx_text(bytes: &[u8], limits: &Limits) -> Extracted {
    let mut zip = open_zip(bytes, limits)?;
    let xml = zip_entry(&mut zip, "word/document.xml", limits)?
        .ok_or(AttachmentNote::Corrupt("no word/document.xml".into()))?;
    let mut out = String::new();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => in_text = local(e.name().as_ref()) == "t",
            Ok(Event::Empty(e)) => match local(e.name().as_ref()) {
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => out.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_text => push_entity(&mut out, r.as_ref()),
            Ok(Event::End(e)) => match local(e.name().as_ref()) {
                "t" => in_text = false,
                "p" => out.push('\n'),
                "tc" => {
                    if out.ends_with('\n') {
                        out.pop();
                    }
                    out.push('\t');
                }
                "tr" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(AttachmentNote::Corrupt(e.to_string())),
            _ => {}
        }
        if out.len() > limits.max_text_bytes {
            return Ok((out, Some(AttachmentNote::TooLarge)));
        }
    }
    Ok((out, None))
}

/// The character an XML entity reference stands for (`amp`, `lt`, `#x4E2D` …).
fn push_entity(out: &mut String, name: &str) {
    let c = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        n => n
            .strip_prefix("#x")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32),
    };
    if let Some(c) = c {
        out.push(c);
    }
}

/// Text of every element with one of `names` (local names), one string per element.
fn element_texts(xml: &str, names: &[&str]) -> Result<Vec<String>, AttachmentNote> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if names.contains(&local(e.name().as_ref())) => current = Some(String::new()),
            Ok(Event::Text(t)) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(c) = current.as_mut() {
                    push_entity(c, r.as_ref());
                }
            }
            Ok(Event::End(e)) if names.contains(&local(e.name().as_ref())) => {
                if let Some(c) = current.take() {
                    out.push(c);
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(AttachmentNote::Corrupt(e.to_string())),
            _ => {}
        }
    }
    Ok(out)
}

/// XLSX: every sheet, rows as lines, cells split by tabs, shared strings resolved.
fn xlsx_text(bytes: &[u8], limits: &Limits) -> Extracted {
    let mut zip = open_zip(bytes, limits)?;
    let shared = match zip_entry(&mut zip, "xl/sharedStrings.xml", limits)? {
        Some(xml) => shared_strings(&xml)?,
        None => Vec::new(),
    };
    let mut sheets: Vec<String> = entry_names(&zip)
        .into_iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet") && n.ends_with(".xml"))
        .collect();
    sheets.sort_by_key(|n| {
        n.trim_start_matches("xl/worksheets/sheet")
            .trim_end_matches(".xml")
            .parse::<u32>()
            .unwrap_or(u32::MAX)
    });
    let mut out = String::new();
    for name in sheets {
        let Some(xml) = zip_entry(&mut zip, &name, limits)? else { continue };
        sheet_text(&xml, &shared, &mut out, limits.max_text_bytes)?;
        out.push('\n');
        if out.len() > limits.max_text_bytes {
            return Ok((out, Some(AttachmentNote::TooLarge)));
        }
    }
    Ok((out, None))
}

fn shared_strings(xml: &str) -> Result<Vec<String>, AttachmentNote> {
    // Each <si> holds either one <t> or rich-text runs <r><t>…</t></r>: concatenate its <t>s.
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let (mut in_si, mut in_t) = (false, false);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match local(e.name().as_ref()) {
                "si" => {
                    in_si = true;
                    out.push(String::new());
                }
                "t" => in_t = in_si,
                _ => {}
            },
            Ok(Event::Text(t)) if in_t => {
                if let Some(s) = out.last_mut() {
                    s.push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(r)) if in_t => {
                if let Some(s) = out.last_mut() {
                    push_entity(s, r.as_ref());
                }
            }
            Ok(Event::End(e)) => match local(e.name().as_ref()) {
                "si" => in_si = false,
                "t" => in_t = false,
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(AttachmentNote::Corrupt(e.to_string())),
            _ => {}
        }
    }
    Ok(out)
}

/// Appends a sheet's rows to `out`, stopping once `out` is longer than `max_text` bytes: cells that repeat
/// one long shared string multiply a small file into unbounded text.
fn sheet_text(xml: &str, shared: &[String], out: &mut String, max_text: usize) -> Result<(), AttachmentNote> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut cell_type: Option<String> = None;
    let mut in_value = false;
    let mut value = String::new();
    let mut first_in_row = true;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match local(e.name().as_ref()) {
                "row" => first_in_row = true,
                "c" => {
                    cell_type = e.try_get_attribute("t").ok().flatten().map(|a| a.value.into_owned());
                    value.clear();
                }
                "v" | "t" => in_value = true,
                _ => {}
            },
            Ok(Event::Text(t)) if in_value => value.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_value => push_entity(&mut value, r.as_ref()),
            Ok(Event::End(e)) => match local(e.name().as_ref()) {
                "v" | "t" => in_value = false,
                "c" => {
                    let shown = match cell_type.as_deref() {
                        Some("s") => value
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| shared.get(i))
                            .cloned()
                            .unwrap_or_default(),
                        _ => value.clone(),
                    };
                    if !first_in_row {
                        out.push('\t');
                    }
                    first_in_row = false;
                    out.push_str(&shown);
                    if out.len() > max_text {
                        return Ok(());
                    }
                }
                "row" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(AttachmentNote::Corrupt(e.to_string())),
            _ => {}
        }
    }
    Ok(())
}

/// OFD: the `TextCode` elements of every page, in page order.
fn ofd_text(bytes: &[u8], limits: &Limits) -> Extracted {
    let mut zip = open_zip(bytes, limits)?;
    let mut pages: Vec<String> = entry_names(&zip)
        .into_iter()
        .filter(|n| n.contains("/Pages/") && n.ends_with("Content.xml"))
        .collect();
    pages.sort_by_key(|n| {
        let digits: String =
            n.split("/Pages/").nth(1).unwrap_or("").chars().filter(char::is_ascii_digit).collect();
        digits.parse::<u32>().unwrap_or(u32::MAX)
    });
    let mut out = String::new();
    for name in pages {
        let Some(xml) = zip_entry(&mut zip, &name, limits)? else { continue };
        for t in element_texts(&xml, &["TextCode"])? {
            out.push_str(&t);
        }
        out.push('\n');
        // Each page is capped, but not their number times their size: stop at the text cap.
        if out.len() > limits.max_text_bytes {
            return Ok((out, Some(AttachmentNote::TooLarge)));
        }
    }
    Ok((out, None))
}

/// The archive's entry names (names that are not valid text are skipped).
fn entry_names(zip: &zip::ZipArchive<std::io::Cursor<&[u8]>>) -> Vec<String> {
    zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

mod office;

#[cfg(test)]
mod tests;

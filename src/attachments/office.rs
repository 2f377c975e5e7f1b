//! Legacy office files (Word 97–2003 `.doc`, the `.wps` files Kingsoft WPS Office writes, Excel 97–2003
//! `.xls` and Kingsoft `.et`) through LibreOffice headless.
//!
//! Kingsoft WPS has saved `.wps` and `.et` as OLE2 compound files with Word's and Excel's binary streams
//! since WPS 2005, so one converter reads both families. LibreOffice turns the file into DOCX or XLSX,
//! which the zip readers of the parent module then read: a 年报 table in a DOC comes out with the same
//! tabs and lines as one in a DOCX. Each conversion runs in its own process group with a private
//! profile directory, a proxy that goes nowhere and external links blocked, under a timeout; whatever
//! goes wrong becomes an [`AttachmentNote`].

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::{AttachmentNote, AttachmentText, Limits};

/// Most conversions remembered per process.
const CACHE_ENTRIES: usize = 512;

/// The text of a converted file, remembered by the file's SHA-256 (and the limits it was read under)
/// for the life of the process. Only results that last are remembered ([`AttachmentText::is_lasting`]):
/// a busy machine may do better next time.
pub fn cached(bytes: &[u8], limits: &Limits, extract: impl FnOnce() -> AttachmentText) -> AttachmentText {
    use sha2::Digest;
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    type Key = ([u8; 32], usize, u64, u128, &'static str);
    static CACHE: LazyLock<Mutex<HashMap<Key, AttachmentText>>> = LazyLock::new(Default::default);
    let key: Key = (
        sha2::Sha256::digest(bytes).into(),
        limits.max_text_bytes,
        limits.max_entry_bytes,
        limits.timeout.as_millis(),
        limits.soffice,
    );
    if let Some(hit) = CACHE.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let got = extract();
    if got.is_lasting() {
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, got.clone());
    }
    got
}

/// What an OLE2 compound file holds, as its stream names say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OleKind {
    /// A `WordDocument` stream: .doc, or .wps from Kingsoft WPS.
    Word,
    /// A `Workbook` or `Book` stream: .xls, or .et from Kingsoft.
    Excel,
    /// An `EncryptedPackage` stream: a password-protected DOCX or XLSX.
    EncryptedOoxml,
    /// Anything else (PowerPoint, Outlook messages, Works …).
    Other,
}

/// The OLE2 stream names are stored as UTF-16LE in the directory sectors; finding one in the file is
/// enough to pick the converter (LibreOffice checks the content again).
pub fn ole_kind(bytes: &[u8]) -> OleKind {
    let has = |name: &str| {
        let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        super::find(bytes, &needle).is_some()
    };
    if has("EncryptedPackage") {
        OleKind::EncryptedOoxml
    } else if has("WordDocument") {
        OleKind::Word
    } else if has("Workbook") || has("Book\0") {
        OleKind::Excel
    } else {
        OleKind::Other
    }
}

/// The user profile LibreOffice starts with: no proxy that reaches anything, linked content from
/// outside the document blocked, no update check, no macros.
const REGISTRY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetProxyType" oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPProxyName" oor:op="fuse"><value>127.0.0.1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPProxyPort" oor:op="fuse"><value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPSProxyName" oor:op="fuse"><value>127.0.0.1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPSProxyPort" oor:op="fuse"><value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetFTPProxyName" oor:op="fuse"><value>127.0.0.1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetFTPProxyPort" oor:op="fuse"><value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetNoProxy" oor:op="fuse"><value></value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments"><prop oor:name="AutoCheckEnabled" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"#;

/// Converts a legacy file to its Office Open XML twin (`docx` or `xlsx`) and returns the new file's
/// bytes.
pub fn convert(bytes: &[u8], target: &str, limits: &Limits) -> Result<Vec<u8>, AttachmentNote> {
    let dir = std::env::temp_dir().join(format!("zwgk-office-{}-{}", std::process::id(), super::unique()));
    let result = convert_in(&dir, bytes, target, limits);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn convert_in(dir: &Path, bytes: &[u8], target: &str, limits: &Limits) -> Result<Vec<u8>, AttachmentNote> {
    let io = |e: std::io::Error| AttachmentNote::LocalError(format!("temporary files: {e}"));
    let profile = dir.join("profile");
    std::fs::create_dir_all(profile.join("user")).map_err(io)?;
    std::fs::write(profile.join("user/registrymodifications.xcu"), REGISTRY).map_err(io)?;
    let out = dir.join("out");
    std::fs::create_dir_all(&out).map_err(io)?;
    let source = if target == "xlsx" { "in.xls" } else { "in.doc" };
    let input = dir.join(source);
    std::fs::write(&input, bytes).map_err(io)?;
    let profile_url = url::Url::from_directory_path(&profile)
        .map_err(|_| AttachmentNote::LocalError("temporary profile path".into()))?;
    let blackhole = "http://127.0.0.1:9";
    let child = Command::new(limits.soffice)
        .arg(format!("-env:UserInstallation={profile_url}"))
        .args(["--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo"])
        .args(["--convert-to", target, "--outdir"])
        .arg(&out)
        .arg(&input)
        .current_dir(dir)
        .env("HOME", dir)
        .env("TMPDIR", dir)
        .env("http_proxy", blackhole)
        .env("https_proxy", blackhole)
        .env("ftp_proxy", blackhole)
        .env("all_proxy", blackhole)
        .env_remove("no_proxy")
        .env_remove("DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Its own process group: soffice starts oosplash and soffice.bin, and a timeout must end all of them.
        .process_group(0)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AttachmentNote::ToolMissing(format!(
                "{} (libreoffice-writer-nogui, libreoffice-calc-nogui)",
                limits.soffice
            )));
        }
        Err(e) => return Err(AttachmentNote::LocalError(e.to_string())),
    };
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() > limits.timeout => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(AttachmentNote::Timeout);
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(e) => return Err(AttachmentNote::LocalError(e.to_string())),
        }
    };
    // Nothing of the group may outlive the conversion (a stray soffice.bin would hold the profile).
    kill_group(child.id());
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.by_ref().take(4096).read_to_string(&mut stderr);
    }
    let converted = out.join(format!("in.{target}"));
    match std::fs::read(&converted) {
        Ok(b) if !b.is_empty() => Ok(b),
        _ => {
            let said: Vec<&str> =
                stderr.lines().map(str::trim).filter(|l| !l.is_empty() && !l.contains("javaldx")).collect();
            let said = if said.is_empty() { format!("exit {status}") } else { said.join("; ") };
            Err(AttachmentNote::Corrupt(format!("LibreOffice could not read the file ({said})")))
        }
    }
}

/// Sends SIGKILL to the process group `pgid` (the group leader's pid), ignoring a group already gone.
fn kill_group(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid) {
        // SAFETY: kill(2) with a negative pid signals a process group; it touches no memory of ours.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

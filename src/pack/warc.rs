//! WARC 1.1 (ISO 28500:2017) records, written and read by hand.
//!
//! Why not the `warc` crate's writer: it gzips a whole file as one stream, while web-archive tools
//! (pywb, warcio, CDX indexers) expect one gzip member per record so that a record can be read from its
//! offset alone. Writing a record is a few lines: a header block, the content block, two CRLFs, each
//! record through its own `GzEncoder`.
//!
//! Digests: `WARC-Block-Digest` and `WARC-Payload-Digest` carry SHA-256 in lowercase hex, the hash
//! report.json and manifest.json use, so a person can compare them by eye. Many older tools index SHA-1
//! in base32; the standard allows one digest field of each kind, so SHA-1 goes into the extension fields
//! [`SHA1_BLOCK_FIELD`] and [`SHA1_PAYLOAD_FIELD`], which readers that do not know them ignore.
//!
//! The reader is strict on purpose: it is what `verify` trusts, so it refuses anything a conforming
//! writer would not produce (a missing mandatory field, a wrong Content-Length, missing record
//! terminators, two records in one gzip member).

use std::io::{Read, Write};

use flate2::Compression;
use flate2::write::GzEncoder;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The extension field holding the SHA-1 (base32) of the block.
pub const SHA1_BLOCK_FIELD: &str = "X-Block-Digest-SHA1";
/// The extension field holding the SHA-1 (base32) of the payload.
pub const SHA1_PAYLOAD_FIELD: &str = "X-Payload-Digest-SHA1";

/// One WARC record: its named fields in order (without `Content-Length`, which is computed) and its
/// content block.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Named fields, e.g. `("WARC-Type", "response")`.
    pub fields: Vec<(String, String)>,
    /// The content block.
    pub block: Vec<u8>,
}

impl Record {
    /// A record with these fields and block.
    pub fn new(fields: Vec<(String, String)>, block: Vec<u8>) -> Record {
        Record { fields, block }
    }

    /// The first value of a field, matched case-insensitively as the standard says.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The record serialised: version line, fields, `Content-Length`, blank line, block, CRLF CRLF.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.block.len() + 512);
        out.extend_from_slice(b"WARC/1.1\r\n");
        for (k, v) in &self.fields {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", self.block.len()).as_bytes());
        out.extend_from_slice(&self.block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    /// Appends the record to `out` as one gzip member.
    pub fn write_gz(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut gz = GzEncoder::new(out, Compression::default());
        gz.write_all(&self.to_bytes())?;
        gz.finish()?;
        Ok(())
    }
}

/// `sha256:<hex>` of some bytes.
pub fn sha256_label(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// `sha1:<BASE32>` of some bytes, the form CDX indexes use.
pub fn sha1_label(bytes: &[u8]) -> String {
    format!("sha1:{}", base32(&Sha1::digest(bytes)))
}

/// RFC 4648 base32 (upper case, padded).
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let symbols = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < symbols {
                out.push(ALPHABET[((n >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A record could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("第 {} 条记录（字节偏移 {offset}）：{problem}", .index + 1)]
pub struct ReadError {
    /// Position of the record in the file, from 0.
    pub index: usize,
    /// Offset of its gzip member in the (compressed) file.
    pub offset: usize,
    /// What is wrong.
    pub problem: String,
}

/// A record read back, with where it was.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRecord {
    /// Position in the file, from 0.
    pub index: usize,
    /// Offset of its gzip member in the file.
    pub offset: usize,
    /// The record.
    pub record: Record,
}

/// Reads every record of a `.warc.gz` made of one gzip member per record, strictly.
pub fn read_gz(file: &[u8]) -> Result<Vec<ReadRecord>, ReadError> {
    let mut records = Vec::new();
    let mut rest = file;
    while !rest.is_empty() {
        let index = records.len();
        let offset = file.len() - rest.len();
        let err = |problem: String| ReadError { index, offset, problem };
        let mut decoder = flate2::bufread::GzDecoder::new(rest);
        let mut raw = Vec::new();
        decoder.read_to_end(&mut raw).map_err(|e| err(format!("gzip 数据段无法解压（{e}）")))?;
        rest = decoder.into_inner();
        let record = parse_record(&raw).map_err(err)?;
        records.push(ReadRecord { index, offset, record });
    }
    Ok(records)
}

/// Parses exactly one uncompressed record (and nothing after it).
pub fn parse_record(raw: &[u8]) -> Result<Record, String> {
    let head_end = find(raw, b"\r\n\r\n").ok_or("头部之后缺少空行")?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| "头部不是 UTF-8 文本")?;
    let mut lines = head.split("\r\n");
    let version = lines.next().unwrap_or_default();
    if version != "WARC/1.1" && version != "WARC/1.0" {
        return Err(format!("未知的版本行 `{version}`"));
    }
    let mut fields = Vec::new();
    let mut length = None;
    for line in lines {
        let (k, v) = line.split_once(':').ok_or_else(|| format!("字段行格式错误 `{line}`"))?;
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || k.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err(format!("字段名格式错误 `{k}`"));
        }
        if k.eq_ignore_ascii_case("Content-Length") {
            length = Some(v.parse::<usize>().map_err(|_| format!("Content-Length 无效 `{v}`"))?);
        } else {
            fields.push((k.to_string(), v.to_string()));
        }
    }
    let length = length.ok_or("缺少 Content-Length")?;
    let record = Record { fields, block: Vec::new() };
    for mandatory in ["WARC-Record-ID", "WARC-Date", "WARC-Type"] {
        if record.field(mandatory).is_none() {
            return Err(format!("缺少必备字段 {mandatory}"));
        }
    }
    let body = &raw[head_end + 4..];
    if body.len() != length + 4 {
        return Err(format!("Content-Length 为 {length} 字节，记录实有 {} 字节（含结束符）", body.len()));
    }
    if &body[length..] != b"\r\n\r\n" {
        return Err("记录未以 CRLF CRLF 结束".into());
    }
    Ok(Record { block: body[..length].to_vec(), ..record })
}

/// The HTTP payload of an `application/http` block: what follows the first blank line.
pub fn http_payload(block: &[u8]) -> Option<&[u8]> {
    find(block, b"\r\n\r\n").map(|i| &block[i + 4..])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Checks a record's digests (standard SHA-256 fields and the SHA-1 extension fields); returns the
/// problems found, empty when every digest present matches. A response or request record without a
/// block digest is a problem: a pack must not hold anything unverifiable.
pub fn check_digests(record: &Record) -> Vec<String> {
    let mut problems = Vec::new();
    if record.field("WARC-Block-Digest").is_none() {
        problems.push("缺少 WARC-Block-Digest".to_string());
    }
    let mut checks = vec![("WARC-Block-Digest", &record.block[..]), (SHA1_BLOCK_FIELD, &record.block[..])];
    if record.field("Content-Type").is_some_and(|t| t.starts_with("application/http")) {
        match http_payload(&record.block) {
            Some(payload) => {
                checks.push(("WARC-Payload-Digest", payload));
                checks.push((SHA1_PAYLOAD_FIELD, payload));
            }
            None => problems.push("HTTP 报文缺少头部结束标记".to_string()),
        }
    } else {
        // Any other record (a `conversion` holding a rendered DOM): the payload is the whole block.
        checks.push(("WARC-Payload-Digest", &record.block[..]));
        checks.push((SHA1_PAYLOAD_FIELD, &record.block[..]));
    }
    for (field, bytes) in checks {
        problems.extend(compare_digest(record, field, bytes));
    }
    problems
}

/// The problem with one digest field, if it is present and does not match `bytes`.
fn compare_digest(record: &Record, field: &str, bytes: &[u8]) -> Option<String> {
    let stated = record.field(field)?;
    let actual = match stated.split_once(':').map(|(a, _)| a.to_ascii_lowercase()).as_deref() {
        Some("sha256") => sha256_label(bytes),
        Some("sha1") => sha1_label(bytes),
        _ => return Some(format!("{field} `{stated}` 使用了未知的摘要算法")),
    };
    (!stated.eq_ignore_ascii_case(&actual)).then(|| format!("{field} 记载为 {stated}，内容实际为 {actual}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "MY======"),
            ("fo", "MZXQ===="),
            ("foo", "MZXW6==="),
            ("foob", "MZXW6YQ="),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI======"),
        ] {
            assert_eq!(base32(input.as_bytes()), expected, "{input}");
        }
        // SHA-1 of the empty string, as CDX files print it.
        assert_eq!(sha1_label(b""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    }

    fn sample() -> Record {
        let block = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi".to_vec();
        let payload = b"hi";
        Record::new(
            vec![
                ("WARC-Type".into(), "response".into()),
                ("WARC-Record-ID".into(), "<urn:uuid:00000000-0000-8000-8000-000000000000>".into()),
                ("WARC-Date".into(), "2025-03-20T02:00:00Z".into()),
                ("Content-Type".into(), "application/http;msgtype=response".into()),
                ("WARC-Block-Digest".into(), sha256_label(&block)),
                ("WARC-Payload-Digest".into(), sha256_label(payload)),
                (SHA1_BLOCK_FIELD.into(), sha1_label(&block)),
                (SHA1_PAYLOAD_FIELD.into(), sha1_label(payload)),
            ],
            block,
        )
    }

    #[test]
    fn records_round_trip_one_gzip_member_each() {
        let mut file = Vec::new();
        sample().write_gz(&mut file).unwrap();
        let first_len = file.len();
        sample().write_gz(&mut file).unwrap();
        let read = read_gz(&file).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].offset, first_len);
        assert_eq!(read[0].record, sample());
        assert!(check_digests(&read[0].record).is_empty());
    }

    #[test]
    fn a_changed_byte_breaks_the_digests() {
        let mut r = sample();
        *r.block.last_mut().unwrap() = b'H';
        let problems = check_digests(&r);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("WARC-Block-Digest"));
    }

    #[test]
    fn strict_reader_refuses_what_a_writer_would_not_produce() {
        let good = sample().to_bytes();
        assert!(parse_record(&good).is_ok());
        let text = String::from_utf8(good.clone()).unwrap();
        let n = sample().block.len();
        let short = text
            .replace(&format!("Content-Length: {n}\r\n\r\n"), &format!("Content-Length: {}\r\n\r\n", n - 1));
        assert_ne!(short, text);
        assert!(parse_record(short.as_bytes()).unwrap_err().contains("Content-Length"));
        let no_id = text.replace("WARC-Record-ID", "WARC-Recrod-ID");
        assert!(parse_record(no_id.as_bytes()).unwrap_err().contains("WARC-Record-ID"));
        let two = [good.clone(), good.clone()].concat();
        assert!(parse_record(&two).is_err());
        let unterminated = &good[..good.len() - 2];
        assert!(parse_record(unterminated).is_err());
    }
}

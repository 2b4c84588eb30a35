//! Batch decryption and signature checks over JSON Lines: one result line per input line, in
//! input order, streamed through worker threads with a fixed pool of reused buffers.

// The per-record path reuses the one-shot pieces of `input` and `userdata` (same errors, kinds
// and hints) but borrows its fields, decodes into reused buffers and passes the plaintext
// through untouched; whenever a record fails, the one-shot function words the error, so both
// paths always agree.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::crypto;
use super::error::{Error, Result};
use super::input;
use super::model::Watermark;
use super::userdata::{self, Decrypted};

/// Input bytes a worker gets at once; big enough that hand-offs cost nothing per record.
const CHUNK_BYTES: usize = 512 * 1024;
/// Caps the lines of a chunk too, so a file of tiny bad lines cannot blow up one output buffer.
const CHUNK_LINES: usize = 4096;
/// A longer line is reported and skipped without being held in memory.
pub const MAX_LINE: usize = 4 * 1024 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Kinds a record can fail with, in the order the summary lists them.
pub const FAILURE_KINDS: [&str; 4] = ["input", "decrypt", "watermark", "signature"];

/// What each record goes through.
#[derive(Debug, Clone, Copy)]
pub enum Mode<'a> {
    /// Decrypt `encryptedData`; `appid` is the watermark to expect when a line names none.
    Decrypt { appid: Option<&'a str> },
    /// Check `signature == sha1(rawData ‖ session_key)`.
    Verify,
}

#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub mode: Mode<'a>,
    /// Refuse mangled base64 instead of repairing it.
    pub strict: bool,
    /// Worker threads (at least one).
    pub jobs: usize,
    /// The session_key of lines that carry none (a log of captures plus one key).
    pub session_key: Option<&'a str>,
}

/// Counts of a run (or of one chunk of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Records processed (blank lines excluded).
    pub records: u64,
    pub ok: u64,
    /// Failures per kind, indexed like [`FAILURE_KINDS`].
    pub failed: [u64; 4],
    /// Blank lines: skipped, without an output line, but counted in line numbers.
    pub blank: u64,
    /// Input bytes consumed.
    pub bytes: u64,
}

impl Tally {
    pub fn failures(&self) -> u64 {
        self.failed.iter().sum()
    }

    fn add(&mut self, other: &Tally) {
        self.records += other.records;
        self.ok += other.ok;
        self.blank += other.blank;
        self.bytes += other.bytes;
        for (a, b) in self.failed.iter_mut().zip(other.failed) {
            *a += b;
        }
    }

    fn count(&mut self, verdict: Verdict) {
        self.records += 1;
        match verdict {
            Ok(()) => self.ok += 1,
            Err(kind) => {
                let i = FAILURE_KINDS.iter().position(|k| *k == kind).unwrap_or(0);
                self.failed[i] += 1;
            }
        }
    }
}

/// Why a run stopped early: the input could not be read, or the output not written.
#[derive(Debug)]
pub enum StreamError {
    Read(io::Error),
    Write(io::Error),
}

/// A record's verdict: `Err` names the failure kind.
pub type Verdict = std::result::Result<(), &'static str>;

/// Buffers one worker reuses for every record, so the steady state allocates nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    data: Vec<u8>,
    text: Vec<u8>,
    warnings: Vec<String>,
}

/// A JSON string field, borrowed from the line unless it holds escapes.
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(
                self,
                v: &'de str,
            ) -> std::result::Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(StrVisitor)
    }
}

#[derive(Deserialize)]
struct DecryptRecord<'a> {
    #[serde(borrow)]
    session_key: Option<Str<'a>>,
    #[serde(borrow)]
    iv: Option<Str<'a>>,
    #[serde(borrow, rename = "encryptedData", alias = "encrypted_data")]
    encrypted_data: Option<Str<'a>>,
    #[serde(borrow)]
    appid: Option<Str<'a>>,
    #[serde(borrow)]
    id: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct VerifyRecord<'a> {
    // rawData is JSON inside a JSON string, so it always holds escapes: take it raw and
    // unescape it into a reused buffer instead of letting serde allocate a String.
    #[serde(borrow, rename = "rawData", alias = "raw_data")]
    raw_data: Option<&'a RawValue>,
    #[serde(borrow)]
    signature: Option<Str<'a>>,
    #[serde(borrow)]
    session_key: Option<Str<'a>>,
    #[serde(borrow)]
    id: Option<&'a RawValue>,
}

/// Salvages the `id` of a line whose other fields did not parse, to echo it anyway.
#[derive(Deserialize)]
struct IdOnly<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
}

/// The watermark of a plaintext, read without building a tree or allocating (see
/// [`super::model::WatermarkOnly`], which accepts exactly the same documents).
#[derive(Deserialize)]
struct PlainWatermark<'a> {
    #[serde(borrow)]
    watermark: Option<WatermarkRef<'a>>,
}

#[derive(Deserialize)]
struct WatermarkRef<'a> {
    #[serde(borrow, default)]
    appid: Option<Str<'a>>,
    #[serde(default)]
    timestamp: i64,
}

const DECRYPT_FIELDS_HINT: &str = "each line is a JSON object with session_key, iv and encryptedData (or encrypted_data), \
optionally appid and id";
const VERIFY_FIELDS_HINT: &str = "each line is a JSON object with rawData (or raw_data), signature and session_key, \
optionally id";

/// Decrypts one JSON Lines record and appends its result line (with `\n`) to `out`.
pub fn decrypt_record(
    line: &[u8],
    line_no: u64,
    default_appid: Option<&str>,
    strict: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Verdict {
    decrypt_record_keyed(line, line_no, default_appid, None, strict, scratch, out)
}

/// As [`decrypt_record`], with `default_key` for a line without a session_key.
pub fn decrypt_record_keyed(
    line: &[u8],
    line_no: u64,
    default_appid: Option<&str>,
    default_key: Option<&str>,
    strict: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Verdict {
    scratch.warnings.clear();
    let rec: DecryptRecord = match parse_record(line) {
        Ok(rec) => rec,
        Err(e) => {
            let err = record_error(line, &e, DECRYPT_FIELDS_HINT);
            return write_failure(out, line_no, salvage_id(line), &err, &[], None);
        }
    };
    let id = rec.id;
    let key = rec
        .session_key
        .as_ref()
        .map(|k| k.0.as_ref())
        .or(default_key);
    let (Some(key), Some(iv), Some(data)) = (key, &rec.iv, &rec.encrypted_data) else {
        let missing = [
            ("session_key", key.is_none()),
            ("iv", rec.iv.is_none()),
            ("encryptedData", rec.encrypted_data.is_none()),
        ];
        let err = missing_field(&missing, DECRYPT_FIELDS_HINT);
        return write_failure(out, line_no, id, &err, &[], None);
    };
    let warnings = &mut scratch.warnings;
    let plain = match open_record(key, &iv.0, &data.0, strict, warnings, &mut scratch.data) {
        Ok(plain) => plain,
        Err(err) => return write_failure(out, line_no, id, &err, warnings, None),
    };
    let warnings = &*warnings;
    let parsed = match serde_json::from_str::<PlainWatermark>(plain) {
        Ok(p) => p,
        Err(_) => {
            // Let the one-shot reader word the error, so both paths say the same thing.
            let err = match userdata::read_watermark(plain.as_bytes()) {
                Err(err) => err,
                Ok(_) => Error::Decrypt {
                    message: "decrypted plaintext is not valid JSON".into(),
                    hint: String::new(),
                },
            };
            return write_failure(out, line_no, id, &err, warnings, None);
        }
    };
    let expected = rec
        .appid
        .as_ref()
        .map(|a| a.0.as_ref())
        .filter(|a| !a.is_empty())
        .or(default_appid);
    let found = parsed
        .watermark
        .as_ref()
        .map(|w| w.appid.as_ref().map_or("", |a| a.0.as_ref()));
    let verdict = match (expected, found) {
        (Some(want), Some(got)) if want == got => "match",
        (Some(want), _) => {
            let err = watermark_error(parsed.watermark.as_ref(), want);
            return write_failure(out, line_no, id, &err, warnings, Some(plain.as_bytes()));
        }
        (None, Some(_)) => "unchecked",
        (None, None) => "none",
    };
    begin_line(out, line_no, id);
    out.extend_from_slice(b",\"ok\":true,\"watermark\":\"");
    out.extend_from_slice(verdict.as_bytes());
    out.push(b'"');
    write_warnings(out, warnings);
    write_data(out, plain.as_bytes());
    out.extend_from_slice(b"}\n");
    Ok(())
}

/// Decodes the three base64 fields (the ciphertext into `data`) and decrypts in place.
fn open_record<'d>(
    key: &str,
    iv: &str,
    encrypted: &str,
    strict: bool,
    warnings: &mut Vec<String>,
    data: &'d mut Vec<u8>,
) -> Result<&'d str> {
    let key = key16("session_key", key, strict, warnings)?;
    let iv = key16("iv", iv, strict, warnings)?;
    let len = decode_field("encryptedData", encrypted, strict, warnings, data)?;
    input::check_ciphertext_len("encryptedData", len)?;
    userdata::open(&key, &iv, &mut data[..len])
}

/// Decodes base64 into `buf` (which only ever grows, so it is never cleared or zeroed again)
/// and returns the decoded length. Canonical base64 decodes straight away; anything else goes
/// through [`input::decode_base64_field`], which repairs, warns or words the error. The
/// standard engine insists on canonical padding, so whatever it accepts the core accepts too.
fn decode_field(
    field: &str,
    text: &str,
    strict: bool,
    warnings: &mut Vec<String>,
    buf: &mut Vec<u8>,
) -> Result<usize> {
    let need = text.len().div_ceil(4) * 3;
    if buf.len() < need {
        buf.resize(need, 0);
    }
    if let Ok(len) = STANDARD.decode_slice(text, &mut buf[..]) {
        return Ok(len);
    }
    input::decode_base64_field(field, text, strict, warnings, buf)?;
    Ok(buf.len())
}

/// [`input::decode_key16`] without a heap buffer; on a wrong length the one-shot function
/// words the error.
fn key16(field: &str, text: &str, strict: bool, warnings: &mut Vec<String>) -> Result<[u8; 16]> {
    let mut out = [0u8; 18];
    if let Ok(16) = STANDARD.decode_slice(text, &mut out[..]) {
        let mut key = [0u8; 16];
        key.copy_from_slice(&out[..16]);
        return Ok(key);
    }
    input::decode_key16(field, text, strict, warnings)
}

fn watermark_error(found: Option<&WatermarkRef>, expected: &str) -> Error {
    let decrypted = Decrypted {
        plaintext: String::new(),
        watermark: found.map(|w| Watermark {
            appid: w
                .appid
                .as_ref()
                .map_or_else(String::new, |a| a.0.to_string()),
            timestamp: w.timestamp,
        }),
        watermark_matches: Some(false),
    };
    match decrypted.check_watermark(Some(expected)) {
        Err(err) => err,
        Ok(()) => Error::Watermark {
            found: String::new(),
            expected: expected.to_string(),
        },
    }
}

/// Checks one JSON Lines record's signature and appends its result line to `out`.
pub fn verify_record(
    line: &[u8],
    line_no: u64,
    strict: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Verdict {
    verify_record_keyed(line, line_no, None, strict, scratch, out)
}

/// As [`verify_record`], with `default_key` for a line without a session_key.
pub fn verify_record_keyed(
    line: &[u8],
    line_no: u64,
    default_key: Option<&str>,
    strict: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Verdict {
    scratch.warnings.clear();
    let rec: VerifyRecord = match parse_record(line) {
        Ok(rec) => rec,
        Err(e) => {
            let err = record_error(line, &e, VERIFY_FIELDS_HINT);
            return write_failure(out, line_no, salvage_id(line), &err, &[], None);
        }
    };
    let id = rec.id;
    let key = rec
        .session_key
        .as_ref()
        .map(|k| k.0.as_ref())
        .or(default_key);
    let (Some(raw), Some(signature), Some(key)) = (rec.raw_data, &rec.signature, key) else {
        let missing = [
            ("rawData", rec.raw_data.is_none()),
            ("signature", rec.signature.is_none()),
            ("session_key", key.is_none()),
        ];
        let err = missing_field(&missing, VERIFY_FIELDS_HINT);
        return write_failure(out, line_no, id, &err, &[], None);
    };
    match check_signature(raw, &signature.0, key, strict, scratch) {
        Ok(()) => {
            begin_line(out, line_no, id);
            out.extend_from_slice(b",\"ok\":true");
            write_warnings(out, &scratch.warnings);
            out.extend_from_slice(b"}\n");
            Ok(())
        }
        Err(err) => write_failure(out, line_no, id, &err, &scratch.warnings, None),
    }
}

fn check_signature(
    raw: &RawValue,
    signature: &str,
    key: &str,
    strict: bool,
    scratch: &mut Scratch,
) -> Result<()> {
    if unescape_json_string(raw.get(), &mut scratch.text).is_none() {
        return Err(Error::input(
            "rawData",
            if raw.get().starts_with('"') {
                "holds an escape that is not valid UTF-16 (a lone surrogate)"
            } else {
                "is not a string"
            },
            "rawData must be the exact string the client got; once parsed into an object the signed bytes are lost",
        ));
    }
    let given = signature.trim();
    let mut given_lower = [0u8; 40];
    let hex40 = given.len() == 40 && given.bytes().all(|b| b.is_ascii_hexdigit());
    if hex40 {
        for (d, s) in given_lower.iter_mut().zip(given.bytes()) {
            *d = s.to_ascii_lowercase();
        }
    }
    let before = scratch.warnings.len();
    let key_ok = hex40 && key16("session_key", key, strict, &mut scratch.warnings).is_ok();
    if key_ok {
        // The repaired text is what gets hashed, as in `userdata::canonical_session_key`.
        let key_text = if scratch.warnings.len() == before {
            Cow::Borrowed(key)
        } else {
            input::normalize_base64(key).0
        };
        let expected = crypto::sign_raw_data(&scratch.text, key_text.as_bytes());
        if crypto::ct_eq(&expected, &given_lower) {
            return Ok(());
        }
    }
    // Any failure: the one-shot check words it (and diagnoses a mismatch).
    scratch.warnings.truncate(before);
    let raw_text = String::from_utf8_lossy(&scratch.text);
    let check =
        userdata::verify_signature(&raw_text, signature, key, strict, &mut scratch.warnings)?;
    check.verdict(&raw_text, key)
}

/// Unescapes a JSON string literal (quotes included, already validated as JSON) into `out`.
/// `None` for anything but a string, and for a lone surrogate.
pub fn unescape_json_string(literal: &str, out: &mut Vec<u8>) -> Option<()> {
    out.clear();
    let body = literal
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))?
        .as_bytes();
    // rawData has an escape every few bytes (`\"` around each key): scanning eight bytes at a
    // time in a register beats calling a search function once per escape.
    let mut at = 0;
    while let Some(word) = body.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        match first_backslash(word) {
            None => {
                out.extend_from_slice(&body[at..at + 8]);
                at += 8;
            }
            Some(k) => {
                out.extend_from_slice(&body[at..at + k]);
                // `\"` is nearly every escape rawData has.
                if body.get(at + k + 1) == Some(&b'"') {
                    out.push(b'"');
                    at += k + 2;
                } else {
                    at = unescape_one(body, at + k, out)?;
                }
            }
        }
    }
    while at < body.len() {
        if body[at] == b'\\' {
            at = unescape_one(body, at, out)?;
        } else {
            out.push(body[at]);
            at += 1;
        }
    }
    Some(())
}

/// Index of the first `\` among the eight bytes of `word` (little-endian), if any. The
/// classic zero-byte test: exact for the lowest match, which is the only one used.
fn first_backslash(word: u64) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(b'\\'));
    let found = x.wrapping_sub(ONES) & !x & HIGHS;
    (found != 0).then(|| (found.trailing_zeros() / 8) as usize)
}

/// Appends the character of the escape at `at` and returns the index after it.
fn unescape_one(body: &[u8], at: usize, out: &mut Vec<u8>) -> Option<usize> {
    let byte = match *body.get(at + 1)? {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'u' => {
            let hi = hex4(body, at + 2)?;
            let (code, end) = if (0xD800..0xDC00).contains(&hi) {
                if body.get(at + 6..at + 8) != Some(b"\\u".as_slice()) {
                    return None;
                }
                let lo = hex4(body, at + 8)?;
                if !(0xDC00..0xE000).contains(&lo) {
                    return None;
                }
                (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), at + 12)
            } else {
                (hi, at + 6)
            };
            let mut utf8 = [0u8; 4];
            out.extend_from_slice(char::from_u32(code)?.encode_utf8(&mut utf8).as_bytes());
            return Some(end);
        }
        _ => return None,
    };
    out.push(byte);
    Some(at + 2)
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let mut v = 0u32;
    for &d in digits {
        v = v * 16 + char::from(d).to_digit(16)?;
    }
    Some(v)
}

/// Only objects are records: serde would otherwise take `[...]` as the fields in order.
fn parse_record<'a, T: Deserialize<'a>>(
    line: &'a [u8],
) -> std::result::Result<T, Option<serde_json::Error>> {
    // One UTF-8 check of the whole line is cheaper than serde's check of each string.
    let text = std::str::from_utf8(line).map_err(|_| None)?;
    if !text.trim_ascii_start().starts_with('{') {
        return Err(None);
    }
    serde_json::from_str(text).map_err(Some)
}

/// The error for a line serde could not take: not UTF-8, not JSON, or fields of the wrong type.
fn record_error(line: &[u8], e: &Option<serde_json::Error>, hint: &str) -> Error {
    if let Err(bad) = std::str::from_utf8(line) {
        return Error::input(
            "record",
            format!(
                "is not UTF-8 (invalid byte at offset {})",
                bad.valid_up_to()
            ),
            "save the input as UTF-8 (JSON Lines are UTF-8 by definition)",
        );
    }
    let Some(e) = e else {
        let what = if serde_json::from_slice::<&RawValue>(line).is_ok() {
            "is JSON but not an object"
        } else {
            "is not a JSON object"
        };
        return Error::input("record", what, hint);
    };
    let text = e.to_string();
    // serde says "at line 1 column N": every record is line 1 of itself, so keep the column.
    let reason = text
        .rfind(" at line ")
        .map_or(text.as_str(), |i| &text[..i]);
    let message = if e.is_data() {
        format!("is not a valid record: {reason} (column {})", e.column())
    } else {
        format!("is not valid JSON: {reason} at column {}", e.column())
    };
    Error::input("record", message, hint)
}

fn missing_field(fields: &[(&str, bool)], hint: &str) -> Error {
    let missing: Vec<&str> = fields.iter().filter(|f| f.1).map(|f| f.0).collect();
    Error::input(
        "record",
        format!(
            "missing field{} {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ),
        hint,
    )
}

fn salvage_id(line: &[u8]) -> Option<&RawValue> {
    if !line.trim_ascii_start().starts_with(b"{") {
        return None;
    }
    serde_json::from_slice::<IdOnly>(line)
        .ok()
        .and_then(|r| r.id)
}

fn begin_line(out: &mut Vec<u8>, line_no: u64, id: Option<&RawValue>) {
    out.extend_from_slice(b"{\"line\":");
    push_u64(out, line_no);
    out.extend_from_slice(b",\"id\":");
    out.extend_from_slice(id.map_or("null", RawValue::get).as_bytes());
}

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

fn write_warnings(out: &mut Vec<u8>, warnings: &[String]) {
    if !warnings.is_empty() {
        out.extend_from_slice(b",\"warnings\":");
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, warnings);
    }
}

/// The plaintext is already validated JSON: copied as is, except that any line break (only
/// possible as whitespace between tokens) becomes a space to keep one result per line.
fn write_data(out: &mut Vec<u8>, plain: &[u8]) {
    out.extend_from_slice(b",\"data\":");
    let start = out.len();
    out.extend_from_slice(plain);
    if memchr::memchr2(b'\n', b'\r', plain).is_some() {
        for b in &mut out[start..] {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
    }
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    kind: &'static str,
    message: String,
    hint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    found: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    given: Option<&'a str>,
}

/// The `error` object of a failed line, shaped like the one-shot `--json` error document.
pub fn error_json(err: &Error) -> serde_json::Value {
    serde_json::to_value(error_fields(err)).unwrap_or(serde_json::Value::Null)
}

fn error_fields(err: &Error) -> ErrorJson<'_> {
    let mut e = ErrorJson {
        kind: err.kind(),
        message: err.to_string(),
        hint: err.hint(),
        field: None,
        found: None,
        expected: None,
        given: None,
    };
    match err {
        Error::Input { field, .. } => e.field = Some(field),
        Error::Watermark { found, expected } => {
            e.found = Some(found);
            e.expected = Some(expected);
        }
        Error::Signature {
            expected, given, ..
        } => {
            e.expected = Some(expected);
            e.given = Some(given);
        }
        _ => {}
    }
    e
}

fn write_failure(
    out: &mut Vec<u8>,
    line_no: u64,
    id: Option<&RawValue>,
    err: &Error,
    warnings: &[String],
    data: Option<&[u8]>,
) -> Verdict {
    begin_line(out, line_no, id);
    out.extend_from_slice(b",\"ok\":false,\"error\":");
    let _ = serde_json::to_writer(&mut *out, &error_fields(err));
    write_warnings(out, warnings);
    if let Some(plain) = data {
        write_data(out, plain);
    }
    out.extend_from_slice(b"}\n");
    Err(err.kind())
}

fn oversized_line(out: &mut Vec<u8>, line_no: u64, len: u64) -> Verdict {
    let err = Error::input(
        "record",
        format!(
            "line is {len} bytes, longer than the {} MiB limit",
            MAX_LINE >> 20
        ),
        "a real record is a few KB: the file is probably not JSON Lines (one object per line)",
    );
    write_failure(out, line_no, None, &err, &[], None)
}

/// A chunk of whole lines on its way from the reader through a worker to the writer.
struct Chunk {
    seq: u64,
    first_line: u64,
    input: Vec<u8>,
    output: Vec<u8>,
    /// Set when the chunk stands for one line too long to hold (its length).
    oversized: Option<u64>,
    tally: Tally,
}

/// Processes every line of a chunk into its output buffer.
fn process_chunk(chunk: &mut Chunk, opts: &Options, scratch: &mut Scratch) {
    chunk.output.clear();
    let mut tally = Tally {
        bytes: chunk.input.len() as u64 + chunk.oversized.unwrap_or(0),
        ..Tally::default()
    };
    if let Some(len) = chunk.oversized {
        tally.count(oversized_line(&mut chunk.output, chunk.first_line, len));
        chunk.tally = tally;
        return;
    }
    let input = &chunk.input;
    let mut line_no = chunk.first_line;
    let mut start = 0;
    while start < input.len() {
        let end = memchr::memchr(b'\n', &input[start..]).map_or(input.len(), |i| start + i);
        let line = &input[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            tally.blank += 1;
        } else {
            let verdict = match opts.mode {
                Mode::Decrypt { appid } => decrypt_record_keyed(
                    line,
                    line_no,
                    appid,
                    opts.session_key,
                    opts.strict,
                    scratch,
                    &mut chunk.output,
                ),
                Mode::Verify => verify_record_keyed(
                    line,
                    line_no,
                    opts.session_key,
                    opts.strict,
                    scratch,
                    &mut chunk.output,
                ),
            };
            tally.count(verdict);
        }
        line_no += 1;
        start = end + 1;
    }
    chunk.tally = tally;
}

/// Cuts the input into chunks of whole lines.
struct LineReader<R> {
    src: R,
    carry: Vec<u8>,
    eof: bool,
    next_line: u64,
    first: bool,
}

impl<R: Read> LineReader<R> {
    /// Fills `buf` with the next whole lines; returns the line count and, for a line too
    /// long to hold, its length. `Ok(None)` at the end of the input.
    fn next_chunk(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<(u64, Option<u64>)>> {
        buf.clear();
        buf.append(&mut self.carry);
        let mut scanned = 0;
        loop {
            while buf.len() < CHUNK_BYTES && !self.eof {
                self.read_more(buf, CHUNK_BYTES - buf.len())?;
            }
            if self.first {
                // A BOM (Windows editors write one) only ever starts the first line.
                if buf.starts_with(BOM) {
                    buf.drain(..BOM.len());
                }
                self.first = false;
            }
            let mut lines = 0;
            let mut cut = 0;
            for pos in memchr::memchr_iter(b'\n', &buf[scanned..]) {
                lines += 1;
                cut = scanned + pos + 1;
                if lines == CHUNK_LINES {
                    break;
                }
            }
            if lines > 0 {
                self.carry.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                return Ok(Some((lines as u64, None)));
            }
            if self.eof {
                return Ok(if buf.is_empty() {
                    None
                } else {
                    Some((1, None))
                });
            }
            if buf.len() > MAX_LINE {
                let len = buf.len() as u64 + self.skip_line(buf)?;
                buf.clear();
                return Ok(Some((1, Some(len))));
            }
            scanned = buf.len();
            self.read_more(buf, CHUNK_BYTES)?;
        }
    }

    /// Appends up to `want` bytes. `read_to_end` reads into the spare capacity without
    /// zeroing it first (files and stdin read into uninitialised memory).
    fn read_more(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
        buf.reserve(want);
        let n = (&mut self.src).take(want as u64).read_to_end(buf)?;
        if n < want {
            self.eof = true;
        }
        Ok(())
    }

    /// Discards the rest of an overlong line; what follows its newline is kept for the next
    /// chunk. Returns how many bytes were discarded.
    fn skip_line(&mut self, buf: &mut Vec<u8>) -> io::Result<u64> {
        let mut skipped = 0u64;
        loop {
            buf.clear();
            self.read_more(buf, CHUNK_BYTES)?;
            if let Some(pos) = memchr::memchr(b'\n', buf) {
                self.carry.extend_from_slice(&buf[pos + 1..]);
                return Ok(skipped + pos as u64 + 1);
            }
            skipped += buf.len() as u64;
            if self.eof {
                return Ok(skipped);
            }
        }
    }
}

/// Streams JSON Lines from `input` to `output`, one result line per record, in input order.
/// Memory stays bounded by a fixed pool of chunk buffers whatever the input size. `progress`
/// is called after each chunk is written, with the running tally.
pub fn run<R: Read + Send, W: Write>(
    input: R,
    output: &mut W,
    opts: &Options,
    progress: &mut dyn FnMut(&Tally),
) -> std::result::Result<Tally, StreamError> {
    let jobs = opts.jobs.max(1);
    let pool_size = 2 * jobs + 2;
    let (pool_tx, pool_rx) = sync_channel::<Chunk>(pool_size);
    for _ in 0..pool_size {
        let chunk = Chunk {
            seq: 0,
            first_line: 0,
            input: Vec::with_capacity(CHUNK_BYTES + 1024),
            output: Vec::with_capacity(CHUNK_BYTES),
            oversized: None,
            tally: Tally::default(),
        };
        if pool_tx.send(chunk).is_err() {
            unreachable!("the pool channel holds pool_size chunks");
        }
    }
    let (work_tx, work_rx) = sync_channel::<Chunk>(pool_size);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<Chunk>(pool_size);

    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_chunks(input, pool_rx, work_tx));
        for _ in 0..jobs {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || work(&work_rx, &done_tx, opts));
        }
        drop(work_rx);
        drop(done_tx);
        let written = write_in_order(output, done_rx, pool_tx, progress);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reader thread panicked")));
        let tally = written.map_err(StreamError::Write)?;
        read.map_err(StreamError::Read)?;
        Ok(tally)
    })
}

fn read_chunks<R: Read>(
    input: R,
    pool: Receiver<Chunk>,
    work: SyncSender<Chunk>,
) -> io::Result<()> {
    let mut reader = LineReader {
        src: input,
        carry: Vec::new(),
        eof: false,
        next_line: 1,
        first: true,
    };
    let mut seq = 0;
    // A closed channel means the writer stopped (e.g. a closed pipe): stop quietly.
    while let Ok(mut chunk) = pool.recv() {
        let Some((lines, oversized)) = reader.next_chunk(&mut chunk.input)? else {
            break;
        };
        chunk.seq = seq;
        chunk.first_line = reader.next_line;
        chunk.oversized = oversized;
        reader.next_line += lines;
        seq += 1;
        if work.send(chunk).is_err() {
            break;
        }
    }
    Ok(())
}

fn work(queue: &Mutex<Receiver<Chunk>>, done: &SyncSender<Chunk>, opts: &Options) {
    let mut scratch = Scratch::default();
    loop {
        let next = match queue.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(mut chunk) = next else { return };
        process_chunk(&mut chunk, opts, &mut scratch);
        if done.send(chunk).is_err() {
            return;
        }
    }
}

fn write_in_order<W: Write>(
    output: &mut W,
    done: Receiver<Chunk>,
    pool: SyncSender<Chunk>,
    progress: &mut dyn FnMut(&Tally),
) -> io::Result<Tally> {
    let mut waiting: BTreeMap<u64, Chunk> = BTreeMap::new();
    let mut next = 0;
    let mut total = Tally::default();
    for chunk in done {
        waiting.insert(chunk.seq, chunk);
        while let Some(mut chunk) = waiting.remove(&next) {
            output.write_all(&chunk.output)?;
            total.add(&chunk.tally);
            progress(&total);
            next += 1;
            // One huge line must not keep its buffer's size for the rest of the run.
            chunk.input.shrink_to(4 * CHUNK_BYTES);
            chunk.output.shrink_to(4 * CHUNK_BYTES);
            // Once the reader is done the pool has no taker, and that is fine.
            let _ = pool.send(chunk);
        }
    }
    output.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_agrees_with_serde() {
        for s in [
            r#""""#,
            r#""plain""#,
            r#""{\"nickName\":\"Band\",\"url\":\"http:\/\/x\/0\"}""#,
            r#""tab\tnl\ncr\rbs\\q\"b\bf\f""#,
            r#""\u00e9\u4e2d\ud83d\ude00 ok""#,
            "\"日本語 🙂\"",
            r#""\\\\\\\"12345678\\/abcdefgh\u00e9ijklmnop\"""#,
            r#""12345678""#,
            r#""1234567\"""#,
        ] {
            let mut out = Vec::new();
            unescape_json_string(s, &mut out).unwrap();
            let expected: String = serde_json::from_str(s).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{s}");
        }
        let mut out = Vec::new();
        assert!(unescape_json_string(r#""\ud83d""#, &mut out).is_none());
        assert!(unescape_json_string("{}", &mut out).is_none());
    }

    proptest::proptest! {
        #[test]
        fn unescape_round_trips_any_string(text in "(?s).{0,80}") {
            let mut out = Vec::new();
            let plain = serde_json::to_string(&text).unwrap();
            proptest::prop_assert!(unescape_json_string(&plain, &mut out).is_some());
            proptest::prop_assert_eq!(&out, text.as_bytes());
            // Every character as \uXXXX, surrogate pairs included.
            let mut escaped = String::from("\"");
            for unit in text.encode_utf16() {
                escaped += &format!("\\u{unit:04x}");
            }
            escaped.push('"');
            proptest::prop_assert!(unescape_json_string(&escaped, &mut out).is_some());
            proptest::prop_assert_eq!(&out, text.as_bytes());
        }
    }

    fn record(plain: &str, key: &[u8; 16], iv: &[u8; 16]) -> String {
        let ct = crypto::encrypt(key, iv, plain.as_bytes());
        serde_json::json!({
            "session_key": STANDARD.encode(key),
            "iv": STANDARD.encode(iv),
            "encryptedData": STANDARD.encode(ct),
            "id": {"n": 1},
        })
        .to_string()
    }

    #[test]
    fn decrypt_line_passes_plaintext_through() {
        let plain = r#"{"nickName":"小明🙂","watermark":{"appid":"wxA","timestamp":1}}"#;
        let line = record(plain, &[1; 16], &[2; 16]);
        let mut out = Vec::new();
        let v = decrypt_record(
            line.as_bytes(),
            7,
            Some("wxA"),
            false,
            &mut Scratch::default(),
            &mut out,
        );
        assert_eq!(v, Ok(()));
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            format!(
                "{{\"line\":7,\"id\":{{\"n\":1}},\"ok\":true,\"watermark\":\"match\",\"data\":{plain}}}\n"
            )
        );
    }

    #[test]
    fn watermark_mismatch_agrees_with_one_shot() {
        let plain = r#"{"watermark":{"appid":"wxA","timestamp":1}}"#;
        let line = record(plain, &[1; 16], &[2; 16]);
        let mut out = Vec::new();
        let v = decrypt_record(
            line.as_bytes(),
            1,
            Some("wxB"),
            false,
            &mut Scratch::default(),
            &mut out,
        );
        assert_eq!(v, Err("watermark"));
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let one_shot = Decrypted {
            plaintext: plain.into(),
            watermark: Some(Watermark {
                appid: "wxA".into(),
                timestamp: 1,
            }),
            watermark_matches: Some(false),
        }
        .check_watermark(Some("wxB"))
        .unwrap_err();
        assert_eq!(doc["error"], error_json(&one_shot));
        assert_eq!(doc["data"]["watermark"]["appid"], "wxA");
    }

    #[test]
    fn reader_cuts_whole_lines_and_skips_overlong_ones() {
        let mut input = Vec::new();
        input.extend_from_slice(BOM);
        input.extend_from_slice(b"a\n");
        let long = MAX_LINE + 2 * CHUNK_BYTES;
        input.extend(std::iter::repeat_n(b'x', long));
        input.extend_from_slice(b"\nb\nc");
        let mut reader = LineReader {
            src: &input[..],
            carry: Vec::new(),
            eof: false,
            next_line: 1,
            first: true,
        };
        let mut buf = Vec::new();
        assert_eq!(reader.next_chunk(&mut buf).unwrap(), Some((1, None)));
        assert_eq!(buf, b"a\n");
        assert_eq!(
            reader.next_chunk(&mut buf).unwrap(),
            Some((1, Some(long as u64 + 1)))
        );
        assert_eq!(reader.next_chunk(&mut buf).unwrap(), Some((1, None)));
        assert_eq!(buf, b"b\n");
        assert_eq!(reader.next_chunk(&mut buf).unwrap(), Some((1, None)));
        assert_eq!(buf, b"c");
        assert_eq!(reader.next_chunk(&mut buf).unwrap(), None);
    }
}

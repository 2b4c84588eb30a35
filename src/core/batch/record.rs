//! One JSON Lines record: its schema, borrowed from the line, and its check (decrypt or verify).
//! Errors are worded by the one-shot functions of `input` and `userdata`, so both paths agree.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::value::RawValue;

use super::json_line::{begin_line, write_data, write_failure, write_warnings};
use super::scan::{Field, Kind, field, plain_watermark, scan};
use super::unescape::unescape_json_string;
use super::{Scratch, Verdict};
use crate::core::crypto;
use crate::core::error::{Error, Result};
use crate::core::input;
use crate::core::userdata;

/// A JSON string field, borrowed from the line unless it holds escapes.
struct Str<'a>(Cow<'a, str>);

impl Str<'_> {
    fn get(&self) -> &str {
        &self.0
    }
}

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
    // Never read, but parsed, so a timestamp that is not a number fails as in the one-shot path.
    #[serde(default, rename = "timestamp")]
    _timestamp: i64,
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
    decrypt_line(
        line,
        line_no,
        &Defaults::new(default_appid, default_key, strict, true),
        scratch,
        out,
    )
}

/// [`decrypt_record_keyed`] through serde alone, without the fast scanners of the line and of
/// the plaintext: the reference the differential tests and the batch_line fuzzer compare the
/// fast path with.
#[doc(hidden)]
pub fn decrypt_record_reference(
    line: &[u8],
    line_no: u64,
    default_appid: Option<&str>,
    default_key: Option<&str>,
    strict: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Verdict {
    decrypt_line(
        line,
        line_no,
        &Defaults::new(default_appid, default_key, strict, false),
        scratch,
        out,
    )
}

/// What applies to every line of a run.
struct Defaults<'a> {
    appid: Option<&'a str>,
    key: Option<&'a str>,
    strict: bool,
    /// Off only for the serde-only reference path.
    fast: bool,
}

impl<'a> Defaults<'a> {
    fn new(appid: Option<&'a str>, key: Option<&'a str>, strict: bool, fast: bool) -> Self {
        Defaults {
            appid,
            key,
            strict,
            fast,
        }
    }
}

/// The fields of a decrypt record, from the fast scanner or from serde.
struct DecryptFields<'a> {
    session_key: Option<&'a str>,
    iv: Option<&'a str>,
    encrypted_data: Option<&'a str>,
    appid: Option<&'a str>,
    id: Option<&'a str>,
}

/// Slots of the fast scanner, in the order of [`DecryptFields`].
const DECRYPT_SCAN: [Field; 5] = [
    field(&[b"session_key"], Kind::Str),
    field(&[b"iv"], Kind::Str),
    field(&[b"encryptedData", b"encrypted_data"], Kind::Str),
    field(&[b"appid"], Kind::Str),
    field(&[b"id"], Kind::Scalar),
];

fn decrypt_line(
    line: &[u8],
    line_no: u64,
    defaults: &Defaults,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Verdict {
    scratch.warnings.clear();
    if defaults.fast
        && let Ok(text) = simdutf8::basic::from_utf8(line)
    {
        let mut f = [None; 5];
        if scan(text, &DECRYPT_SCAN, &mut f, &mut scratch.text).is_some() {
            let [session_key, iv, encrypted_data, appid, id] = f;
            let rec = DecryptFields {
                session_key,
                iv,
                encrypted_data,
                appid,
                id,
            };
            return decrypt_fields(&rec, line_no, defaults, scratch, out);
        }
    }
    let rec: DecryptRecord = match parse_or_report(line, line_no, DECRYPT_FIELDS_HINT, out) {
        Ok(rec) => rec,
        Err(verdict) => return verdict,
    };
    let fields = DecryptFields {
        session_key: rec.session_key.as_ref().map(Str::get),
        iv: rec.iv.as_ref().map(Str::get),
        encrypted_data: rec.encrypted_data.as_ref().map(Str::get),
        appid: rec.appid.as_ref().map(Str::get),
        id: rec.id.map(RawValue::get),
    };
    decrypt_fields(&fields, line_no, defaults, scratch, out)
}

fn decrypt_fields(
    rec: &DecryptFields,
    line_no: u64,
    defaults: &Defaults,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Verdict {
    let id = rec.id;
    let key = rec.session_key.or(defaults.key);
    let (Some(key), Some(iv), Some(data)) = (key, rec.iv, rec.encrypted_data) else {
        let missing = [
            ("session_key", key.is_none()),
            ("iv", rec.iv.is_none()),
            ("encryptedData", rec.encrypted_data.is_none()),
        ];
        let err = missing_field(&missing, DECRYPT_FIELDS_HINT);
        return write_failure(out, line_no, id, &err, &[], None);
    };
    let warnings = &mut scratch.warnings;
    let strict = defaults.strict;
    let plain = match open_record(key, iv, data, strict, warnings, &mut scratch.data) {
        Ok(plain) => plain,
        Err(err) => return write_failure(out, line_no, id, &err, warnings, None),
    };
    let warnings = &*warnings;
    let fast = if defaults.fast {
        plain_watermark(plain)
    } else {
        None
    };
    let found = match fast {
        Some(found) => found.map(Cow::Borrowed),
        None => match serde_json::from_str::<PlainWatermark>(plain) {
            Ok(p) => p
                .watermark
                .map(|w| w.appid.map_or(Cow::Borrowed(""), |a| a.0)),
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
        },
    };
    let found = found.as_deref();
    let expected = rec.appid.filter(|a| !a.is_empty()).or(defaults.appid);
    let verdict = match (expected, found) {
        (Some(want), Some(got)) if want == got => "match",
        (Some(want), _) => {
            let err = userdata::watermark_mismatch(found, want);
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
    if let Some(len) = decode_canonical(text.as_bytes(), buf) {
        return Ok(len);
    }
    if let Ok(len) = STANDARD.decode_slice(text, &mut buf[..]) {
        return Ok(len);
    }
    input::decode_base64_field(field, text, strict, warnings, buf)?;
    Ok(buf.len())
}

/// Canonical padded base64, as the standard engine accepts it: all but the last quantum
/// through base64-simd (several times the base64 crate's speed on a ciphertext:
/// `decrypt/batch_record` in benches/core.rs), which without padding accepts exactly whole
/// quanta of the alphabet; the last quantum, which holds the padding and the bits canonical
/// base64 must leave zero, through the standard engine. `None` leaves the text to it whole.
fn decode_canonical(text: &[u8], buf: &mut [u8]) -> Option<usize> {
    let split = text.len().checked_sub(4)?;
    if split % 4 != 0 {
        return None;
    }
    let (body, last) = text.split_at(split);
    let head = buf.get_mut(..split / 4 * 3)?;
    let head = base64_simd::STANDARD_NO_PAD
        .decode(body, base64_simd::Out::from_slice(head))
        .ok()?
        .len();
    let tail = STANDARD.decode_slice(last, buf.get_mut(head..)?).ok()?;
    Some(head + tail)
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
    verify_line(line, line_no, default_key, strict, true, scratch, out)
}

/// [`verify_record_keyed`] through serde alone, without the fast scanner: the reference the
/// differential tests and the batch_line fuzzer compare the fast path with.
#[doc(hidden)]
pub fn verify_record_reference(
    line: &[u8],
    line_no: u64,
    default_key: Option<&str>,
    strict: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Verdict {
    verify_line(line, line_no, default_key, strict, false, scratch, out)
}

/// rawData as serde gave it (any JSON value), or already unescaped into `Scratch::text`.
#[derive(Clone, Copy)]
enum RawData<'a> {
    Literal(&'a str),
    Unescaped,
}

/// Slots of the fast scanner: rawData, signature, session_key, id.
const VERIFY_SCAN: [Field; 4] = [
    field(&[b"rawData", b"raw_data"], Kind::Unescape),
    field(&[b"signature"], Kind::Str),
    field(&[b"session_key"], Kind::Str),
    field(&[b"id"], Kind::Scalar),
];

fn verify_line(
    line: &[u8],
    line_no: u64,
    default_key: Option<&str>,
    strict: bool,
    fast: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Verdict {
    scratch.warnings.clear();
    if fast && let Ok(text) = simdutf8::basic::from_utf8(line) {
        let mut f = [None; 4];
        if scan(text, &VERIFY_SCAN, &mut f, &mut scratch.text).is_some() {
            let [raw, signature, session_key, id] = f;
            let raw = raw.map(|_| RawData::Unescaped);
            let key = session_key.or(default_key);
            return verify_fields(raw, signature, key, id, line_no, strict, scratch, out);
        }
    }
    let rec: VerifyRecord = match parse_or_report(line, line_no, VERIFY_FIELDS_HINT, out) {
        Ok(rec) => rec,
        Err(verdict) => return verdict,
    };
    let raw = rec.raw_data.map(|r| RawData::Literal(r.get()));
    let key = rec.session_key.as_ref().map(Str::get).or(default_key);
    let signature = rec.signature.as_ref().map(Str::get);
    let id = rec.id.map(RawValue::get);
    verify_fields(raw, signature, key, id, line_no, strict, scratch, out)
}

#[allow(clippy::too_many_arguments)]
fn verify_fields(
    raw: Option<RawData>,
    signature: Option<&str>,
    key: Option<&str>,
    id: Option<&str>,
    line_no: u64,
    strict: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Verdict {
    let (Some(raw), Some(signature), Some(key)) = (raw, signature, key) else {
        let missing = [
            ("rawData", raw.is_none()),
            ("signature", signature.is_none()),
            ("session_key", key.is_none()),
        ];
        let err = missing_field(&missing, VERIFY_FIELDS_HINT);
        return write_failure(out, line_no, id, &err, &[], None);
    };
    match check_signature(raw, signature, key, strict, scratch) {
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
    raw: RawData,
    signature: &str,
    key: &str,
    strict: bool,
    scratch: &mut Scratch,
) -> Result<()> {
    if let RawData::Literal(raw) = raw
        && unescape_json_string(raw, &mut scratch.text).is_none()
    {
        return Err(Error::input(
            "rawData",
            if raw.starts_with('"') {
                "holds an escape that is not valid UTF-16 (a lone surrogate)"
            } else {
                "is not a string"
            },
            "rawData must be the exact string the client got; once parsed into an object the signed bytes are lost",
        ));
    }
    let given = signature.trim();
    let mut given_lower = [0u8; 40];
    // Without a branch per byte: digits and letters come in random order, and a branch on
    // each mispredicted on about every other byte (`verify/batch_record` in benches/core.rs).
    let hex40 = given.len() == 40 && given.bytes().fold(true, |ok, b| ok & b.is_ascii_hexdigit());
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
    let raw_text = String::from_utf8_lossy(&scratch.text);
    if key_ok {
        let given = std::str::from_utf8(&given_lower).unwrap_or_default();
        return Err(userdata::signature_mismatch(&raw_text, key, given));
    }
    // A malformed signature or key: the one-shot check words it, without hashing anything.
    scratch.warnings.truncate(before);
    userdata::verify_signature(&raw_text, signature, key, strict, &mut scratch.warnings).map(drop)
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

/// The record of a line, or the line's error written to `out` (with the id, when one can be
/// salvaged) and its verdict: the first step of both record kinds.
fn parse_or_report<'a, T: Deserialize<'a>>(
    line: &'a [u8],
    line_no: u64,
    hint: &str,
    out: &mut Vec<u8>,
) -> std::result::Result<T, Verdict> {
    parse_record(line).map_err(|e| {
        let err = record_error(line, &e, hint);
        write_failure(
            out,
            line_no,
            salvage_id(line).map(RawValue::get),
            &err,
            &[],
            None,
        )
    })
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
        let json = serde_json::from_slice::<&RawValue>(line).is_ok();
        if json && line.trim_ascii_start().starts_with(b"[") {
            // A whole export on one line: the records are its elements.
            return Error::input(
                "record",
                "is a JSON array, not an object (a list of records?)",
                "give one record per line: `jq -c '.[]' FILE` splits a list into JSON Lines",
            );
        }
        let what = if json {
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
    // A log of captures without keys is the common case: say how to give them one.
    let hint = if missing.contains(&"session_key") {
        format!(
            "{hint}; for lines that carry no session_key, give one with --session-key KEY or --session OPENID|last"
        )
    } else {
        hint.to_string()
    };
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

pub(crate) fn salvage_id(line: &[u8]) -> Option<&RawValue> {
    if !line.trim_ascii_start().starts_with(b"{") {
        return None;
    }
    serde_json::from_slice::<IdOnly>(line)
        .ok()
        .and_then(|r| r.id)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    proptest::proptest! {
        /// The split decode accepts exactly what the standard engine accepts, with the same bytes.
        #[test]
        fn canonical_decode_agrees_with_the_standard_engine(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..80),
            edits in proptest::collection::vec((0usize..200, "[A-Za-z0-9+/=_ -]"), 0..3),
        ) {
            let mut text = STANDARD.encode(&bytes).into_bytes();
            for (at, c) in edits {
                if !text.is_empty() {
                    let at = at % text.len();
                    text[at] = c.as_bytes()[0];
                }
            }
            let mut buf = vec![0u8; text.len() / 4 * 3 + 3];
            let fast = decode_canonical(&text, &mut buf).map(|n| buf[..n].to_vec());
            let standard = STANDARD.decode(&text).ok();
            if text.len() >= 4 {
                proptest::prop_assert_eq!(fast, standard);
            } else {
                proptest::prop_assert_eq!(fast, None);
            }
        }
    }

    /// serde's reading of a plaintext's watermark: `None` where it fails.
    fn serde_watermark(plain: &str) -> Option<Option<String>> {
        let p = serde_json::from_str::<PlainWatermark>(plain).ok()?;
        Some(
            p.watermark
                .map(|w| w.appid.map_or(String::new(), |a| a.0.into_owned())),
        )
    }

    #[test]
    fn plaintext_scanner_agrees_with_serde_on_payloads_and_their_mutations() {
        let payloads = [
            r#"{"nickName":"小明🙂","gender":1,"watermark":{"appid":"wxA","timestamp":1700000000}}"#,
            r#"{"openId":"o","unionId":null,"n":-0.5e-3,"a":[1,[],{},true,false,null,"x\"\u00e9\ud800"],"watermark":{"timestamp":-1,"appid":"wxA","x":{"y":[]}}}"#,
            r#" { "watermark" : { "appid" : null } , "z" : {"k":[[[["deep"]]]]} } "#,
            r#"{"watermark":{}}"#,
            r#"{}"#,
            r#"{"phoneNumber":"+86 138","countryCode":"86","watermark":{"appid":"wx\u0041","timestamp":1}}"#,
            r#"{"watermark":{"appid":"wxA","timestamp":123456789012345678}}"#,
            r#"{"watermark":{"appid":"wxA","timestamp":1234567890123456789}}"#,
            r#"{"watermark":{"appid":"wxA","timestamp":99999999999999999999}}"#,
            r#"{"watermark":{"appid":"wxA","timestamp":1.0}}"#,
            r#"{"watermark":{"appid":"wxA","timestamp":"1"}}"#,
            r#"{"watermark":{"appid":"wxA","appid":"wxB"}}"#,
            r#"{"watermark":{"appid":1}}"#,
            r#"{"watermark":null}"#,
            r#"{"watermark":["wxA",1]}"#,
            r#"{"watermark":{"appid":"wxA"},"watermark":{"appid":"wxA"}}"#,
            r#"[{"appid":"wxA"}]"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":01}"#,
            r#"{"a":1,}"#,
            r#"{"a":[1,]}"#,
            "{\"a\":\"\t\"}",
            "{\"a\":1}\u{c}",
            r#"{"a":1} {}"#,
        ];
        // Deep nesting, beyond the scanner's limit and beyond serde's.
        let deep = |n: usize| format!("{{\"a\":{}1{}}}", "[".repeat(n), "]".repeat(n));
        let mut cases: Vec<String> = payloads.iter().map(|p| p.to_string()).collect();
        cases.extend([deep(10), deep(20), deep(200)]);
        let first = cases.len();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for p in &payloads {
            for _ in 0..300 {
                let mut bytes = p.as_bytes().to_vec();
                for _ in 0..1 + next() % 3 {
                    let at = (next() as usize) % (bytes.len() + 1);
                    let special = b"\"\\{}[],: 0-.eEnu\x01";
                    let c = special[(next() as usize) % special.len()];
                    match next() % 3 {
                        0 if at < bytes.len() => drop(bytes.remove(at)),
                        1 => bytes.insert(at, c),
                        _ => bytes.truncate(at),
                    }
                }
                if let Ok(text) = String::from_utf8(bytes) {
                    cases.push(text);
                }
            }
        }
        for (n, plain) in cases.iter().enumerate() {
            let fast = plain_watermark(plain);
            if let Some(found) = fast {
                assert_eq!(
                    Some(found.map(str::to_owned)),
                    serde_watermark(plain),
                    "{plain}"
                );
            }
            if n < 5 {
                assert!(fast.is_some(), "the scanner takes real payloads: {plain}");
            }
        }
        assert!(cases.len() > first + 5000);
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

    /// Found by the batch_line fuzzer: an id holding a line break (whitespace inside its JSON)
    /// was copied raw, so a library caller got two lines for one record.
    #[test]
    fn an_id_with_a_line_break_still_gives_one_result_line() {
        for line in [&b"{\"id\":[\n]}"[..], b"{\"id\":{\"a\":\r\n1},\"iv\":1}"] {
            for verify in [false, true] {
                let mut out = Vec::new();
                let mut scratch = Scratch::default();
                let _ = if verify {
                    verify_record(line, 1, false, &mut scratch, &mut out)
                } else {
                    decrypt_record(line, 1, None, false, &mut scratch, &mut out)
                };
                let text = String::from_utf8(out).unwrap();
                assert_eq!(text.matches('\n').count(), 1, "{text:?}");
                assert!(text.ends_with('\n') && !text.contains('\r'), "{text:?}");
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(v["ok"], false, "{text}");
            }
        }
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
        let one_shot = userdata::decrypt_user_data(
            &STANDARD.encode([1; 16]),
            &STANDARD.encode([2; 16]),
            &STANDARD.encode(crypto::encrypt(&[1; 16], &[2; 16], plain.as_bytes())),
            Some("wxB"),
            false,
            &mut Vec::new(),
        )
        .unwrap()
        .watermark_verdict
        .result()
        .unwrap_err();
        assert_eq!(
            doc["error"],
            serde_json::Value::Object(one_shot.fields(crate::core::errcode::Lang::En))
        );
        assert_eq!(doc["data"]["watermark"]["appid"], "wxA");
    }
}

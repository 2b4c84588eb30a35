//! What users paste in: base64 that URL handling, PHP or a log viewer mangled on its way, and
//! the JSON object a client captured from `wx.getUserInfo`.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::error::{Error, Result};

/// One thing the normaliser had to fix, named so the user can find where it broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    SurroundingWhitespace,
    SurroundingQuotes,
    EscapedSlashes(usize),
    PercentEncoded(usize),
    LineBreaks(usize),
    SpacesForPlus(usize),
    UrlSafeAlphabet(usize),
    MissingPadding(usize),
}

impl Repair {
    /// What was wrong and where it likely happened, for a warning line.
    pub fn describe(&self) -> String {
        match *self {
            Repair::SurroundingWhitespace => "surrounding whitespace removed".into(),
            Repair::SurroundingQuotes => {
                "surrounding quotes removed: it was copied with its JSON quotes".into()
            }
            Repair::EscapedSlashes(n) => {
                format!("{n} '\\/' read as '/': it was copied from JSON text (PHP escapes slashes)")
            }
            Repair::PercentEncoded(n) => format!(
                "{n} percent-escape{} (%2B, %2F, %3D) decoded: it was URL-encoded and never decoded",
                plural(n)
            ),
            Repair::LineBreaks(n) => format!(
                "{n} line break{} removed: it was wrapped (MIME-style base64)",
                plural(n)
            ),
            Repair::SpacesForPlus(n) => format!(
                "{n} space{} read as '+': it was URL-decoded on its way (send it URL-encoded or in a JSON body)",
                plural(n)
            ),
            Repair::UrlSafeAlphabet(n) => format!(
                "{n} URL-safe character{} ('-', '_') read as '+', '/': it was re-encoded with the URL-safe alphabet",
                plural(n)
            ),
            Repair::MissingPadding(n) => {
                format!("{n} missing '=' padding added: something stripped the padding")
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The longest base64 value accepted per field (session_key, iv, encryptedData): a real
/// encryptedData is under 100 KB; a longer value is refused with exit 3 before any repair.
pub const MAX_BASE64_LEN: usize = 4 * 1024 * 1024;

/// Repairs the mangling seen in the wild and reports each fix; a value that needs no repair is
/// returned borrowed. Idempotent, in linear time: see [`normalize_pass`]. A pass can leave
/// whitespace at an edge (`abcd\t\\n` loses its escaped line break), so at most three more
/// passes (each linear) trim it; they find nothing else to repair.
pub fn normalize_base64(text: &str) -> (Cow<'_, str>, Vec<Repair>) {
    let (first, mut repairs) = normalize_pass(text);
    let Cow::Owned(mut current) = first else {
        return (first, repairs);
    };
    for _ in 0..3 {
        let (next, more) = normalize_pass(&current);
        match next {
            Cow::Borrowed(_) => break,
            Cow::Owned(changed) => {
                repairs.extend(more);
                current = changed;
            }
        }
    }
    (Cow::Owned(current), repairs)
}

/// One linear pass that finishes every repair inside the text: the output buffer is used as a
/// stack, and whenever its tail forms something a repair rewrites (`\/`, `\n`, `%2F`, ...),
/// the tail is rewritten at once, so a repair that exposes another (`\\\/`, `\%2F`) is
/// finished without a further pass over the whole text (a pass per backslash was quadratic).
fn normalize_pass(text: &str) -> (Cow<'_, str>, Vec<Repair>) {
    let mut repairs = Vec::new();
    if is_canonical_shape(text) {
        return (Cow::Borrowed(text), repairs);
    }
    let mut s = trim_edges(text);
    if s.len() != text.len() {
        repairs.push(Repair::SurroundingWhitespace);
    }
    let mut quotes = false;
    while s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        s = trim_edges(&s[1..s.len() - 1]);
        quotes = true;
    }
    if quotes {
        repairs.push(Repair::SurroundingQuotes);
    }
    let mut out = String::with_capacity(s.len() + 2);
    let mut n = Counts::default();
    for c in s.chars() {
        match c {
            '\r' | '\n' => n.breaks += 1,
            ' ' => {
                out.push('+');
                n.spaces += 1;
            }
            '-' => {
                out.push('+');
                n.url_safe += 1;
            }
            '_' => {
                out.push('/');
                n.url_safe += 1;
                reduce_tail(&mut out, &mut n);
            }
            // Keep any other character (including non-ASCII) so the decoder can name it.
            _ => {
                out.push(c);
                reduce_tail(&mut out, &mut n);
            }
        }
    }
    for (count, repair) in [
        (n.slashes, Repair::EscapedSlashes(n.slashes)),
        (n.percents, Repair::PercentEncoded(n.percents)),
        (n.breaks, Repair::LineBreaks(n.breaks)),
        (n.spaces, Repair::SpacesForPlus(n.spaces)),
        (n.url_safe, Repair::UrlSafeAlphabet(n.url_safe)),
    ] {
        if count > 0 {
            repairs.push(repair);
        }
    }
    let data_len = out.trim_end_matches('=').len();
    let missing = (4 - data_len % 4) % 4;
    let have_pad = out.len() - data_len;
    // A remainder of 1 can never be valid base64: leave it for the decoder to report.
    if data_len % 4 != 1 && have_pad < missing && data_len > 0 {
        for _ in have_pad..missing {
            out.push('=');
        }
        repairs.push(Repair::MissingPadding(missing - have_pad));
    }
    if repairs.is_empty() {
        (Cow::Borrowed(text), repairs)
    } else {
        (Cow::Owned(out), repairs)
    }
}

#[derive(Default)]
struct Counts {
    slashes: usize,
    percents: usize,
    breaks: usize,
    spaces: usize,
    url_safe: usize,
}

/// Rewrites the end of `out` while it ends in something a repair rewrites. Each rewrite
/// shortens `out`, so the work over the whole text stays linear.
fn reduce_tail(out: &mut String, n: &mut Counts) {
    loop {
        let b = out.as_bytes();
        let len = b.len();
        if len >= 3 && b[len - 3] == b'%' {
            let decoded = match (b[len - 2], b[len - 1].to_ascii_uppercase()) {
                (b'2', b'B') => Some('+'),
                (b'2', b'F') => Some('/'),
                (b'3', b'D') => Some('='),
                _ => None,
            };
            if let Some(d) = decoded {
                out.truncate(len - 3);
                out.push(d);
                n.percents += 1;
                continue;
            }
        }
        if len >= 2 && b[len - 2] == b'\\' {
            match b[len - 1] {
                b'/' => {
                    out.truncate(len - 2);
                    out.push('/');
                    n.slashes += 1;
                    continue;
                }
                b'n' | b'r' => {
                    out.truncate(len - 2);
                    n.breaks += 1;
                    continue;
                }
                _ => {}
            }
        }
        return;
    }
}

/// Trims whitespace around a value, except spaces that are really a URL-decoded '+': a leading
/// '+' (1 in 64 values) turns into a space, and trimming it would corrupt the value. Edge spaces
/// are kept (to become '+') when only keeping them gives a possible base64 length.
fn trim_edges(text: &str) -> &str {
    let outer = text.trim_matches(|c: char| c.is_whitespace() && c != ' ');
    let inner = outer.trim_matches(|c: char| c.is_whitespace());
    if inner.len() == outer.len() {
        return inner;
    }
    let possible = |t: &str| {
        let data = t.trim_end_matches('=').len();
        let padded = t.len() != data;
        data % 4 != 1 && (!padded || t.len().is_multiple_of(4))
    };
    if !possible(inner) && possible(outer) {
        outer
    } else {
        inner
    }
}

/// Cheap pre-check for the common case: only standard alphabet, padded to a multiple of four.
fn is_canonical_shape(text: &str) -> bool {
    let b = text.as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(4) {
        return false;
    }
    let data = text.trim_end_matches('=');
    b.len() - data.len() <= 2
        && data
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

/// Decodes a base64 field, repairing what can be repaired. Repairs become warnings
/// (`field: what`), or an error when `strict`. The fast path does no copying.
pub fn decode_base64_field(
    field: &str,
    text: &str,
    strict: bool,
    warnings: &mut Vec<String>,
    out: &mut Vec<u8>,
) -> Result<()> {
    decode_base64_expecting(field, text, strict, warnings, out, |_| true)
}

/// As [`decode_base64_field`], knowing which decoded lengths are plausible (16 for a key, a
/// multiple of 16 for a ciphertext). That settles the one real ambiguity: a space at the edge
/// is either copy/paste noise or a URL-decoded '+', and only one reading has a plausible length.
pub fn decode_base64_expecting(
    field: &str,
    text: &str,
    strict: bool,
    warnings: &mut Vec<String>,
    out: &mut Vec<u8>,
    plausible: fn(usize) -> bool,
) -> Result<()> {
    out.clear();
    if text.is_empty() {
        return Err(Error::input(
            field,
            "is empty",
            format!("pass the {field} value exactly as the client received it"),
        ));
    }
    if text.len() > MAX_BASE64_LEN {
        return Err(Error::input(
            field,
            format!(
                "is {} bytes, longer than the {} MiB limit",
                text.len(),
                MAX_BASE64_LEN >> 20
            ),
            "a real value is at most a few hundred KB: this is not the field the client got, or several were joined",
        ));
    }
    // The standard decoder accepts only canonical base64, so trying it first is the cheap check.
    if STANDARD.decode_vec(text, out).is_ok() {
        return Ok(());
    }
    out.clear();
    if crate::core::secret::looks_masked(text) {
        return Err(crate::core::secret::masked_error(field));
    }
    let (mut fixed, mut repairs) = normalize_base64(text);
    let decoded = STANDARD.decode_vec(fixed.as_bytes(), out);
    if (decoded.is_err() || !plausible(out.len())) && (text.starts_with(' ') || text.ends_with(' '))
    {
        let spaces_as_plus = text.replace(' ', "+");
        let (alt, alt_repairs) = normalize_base64(&spaces_as_plus);
        let mut alt_out = Vec::new();
        if STANDARD.decode_vec(alt.as_bytes(), &mut alt_out).is_ok() && plausible(alt_out.len()) {
            let spaces = text.matches(' ').count();
            *out = alt_out;
            fixed = Cow::Owned(alt.into_owned());
            repairs = alt_repairs;
            repairs.insert(0, Repair::SpacesForPlus(spaces));
        }
    }
    if strict && let Some(first) = repairs.first() {
        return Err(Error::input(
            field,
            format!("not canonical base64: {}", first.describe()),
            "--strict refuses repaired input; drop --strict to let wxlogin repair it",
        ));
    }
    out.clear();
    match STANDARD.decode_vec(fixed.as_bytes(), out) {
        Ok(()) => {
            warnings.extend(repairs.iter().map(|r| format!("{field}: {}", r.describe())));
            Ok(())
        }
        Err(err) => Err(base64_error(field, &fixed, err)),
    }
}

fn base64_error(field: &str, text: &str, err: base64::DecodeError) -> Error {
    use base64::DecodeError::*;
    let (message, hint) = match err {
        InvalidByte(pos, byte) => {
            let shown = text
                .get(pos..)
                .and_then(|t| t.chars().next())
                .unwrap_or(byte as char);
            (
                format!("not valid base64: character {shown:?} at position {pos}"),
                "copy the value exactly as the client sent it; it may be another field or carry extra text",
            )
        }
        InvalidLength(len) => (
            format!("not valid base64: {len} characters is an impossible length"),
            "the value was cut short, e.g. by a log line limit or a copy/paste",
        ),
        InvalidLastSymbol { offset: pos, .. } => (
            format!("not valid base64: bad final symbol at position {pos}"),
            "the value was truncated or altered at its end",
        ),
        InvalidPadding => (
            "not valid base64: bad '=' padding".to_string(),
            "the value was truncated or altered at its end",
        ),
    };
    Error::input(field, message, hint)
}

/// Decodes a field that must be exactly 16 bytes (session_key, iv).
pub fn decode_key16(
    field: &str,
    text: &str,
    strict: bool,
    warnings: &mut Vec<String>,
) -> Result<[u8; 16]> {
    let mut buf = Vec::with_capacity(18);
    decode_base64_expecting(field, text, strict, warnings, &mut buf, |n| n == 16)?;
    <[u8; 16]>::try_from(buf.as_slice()).map_err(|_| {
        Error::input(
            field,
            format!("decodes to {} bytes, expected 16", buf.len()),
            format!(
                "{field} must be 24 base64 characters ending in '=='; this one is truncated or is another value (an openid? an access_token?)"
            ),
        )
    })
}

/// The ciphertext must be a non-empty multiple of the AES block.
pub fn check_ciphertext_len(field: &str, len: usize) -> Result<()> {
    if len == 0 || !len.is_multiple_of(16) {
        return Err(Error::input(
            field,
            format!("decodes to {len} bytes, not a non-empty multiple of 16"),
            "the value was truncated or corrupted on its way (a log line limit, URL decoding, a copy/paste)",
        ));
    }
    Ok(())
}

/// The fields of a `wx.getUserInfo` / `getPhoneNumber` result a client captured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capture {
    pub raw_data: Option<String>,
    pub signature: Option<String>,
    pub encrypted_data: Option<String>,
    pub iv: Option<String>,
}

/// Parses a captured result object: fields at the top level or under `detail` (a button
/// event), in camelCase as WeChat gives them or snake_case as backends often log them.
pub fn parse_capture(source: &str, text: &str) -> Result<Capture> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::input(
            "--from",
            format!("{source} is not valid JSON: {e}"),
            "give the JSON object the client got from wx.getUserInfo or getPhoneNumber",
        )
    })?;
    let Value::Object(top) = &value else {
        return Err(Error::input(
            "--from",
            format!("{source} holds JSON but not an object"),
            "give the JSON object the client got from wx.getUserInfo or getPhoneNumber",
        ));
    };
    let nested = top.get("detail").and_then(Value::as_object);
    let pick = |names: &[&str]| -> Result<Option<String>> {
        for obj in [Some(top), nested].into_iter().flatten() {
            for name in names {
                match obj.get(*name) {
                    None | Some(Value::Null) => {}
                    Some(Value::String(s)) => return Ok(Some(s.clone())),
                    Some(_) => {
                        return Err(Error::input(
                            *name,
                            format!("in {source} is not a string"),
                            if *name == "rawData" || *name == "raw_data" {
                                "rawData must be the exact string the client got; once parsed into an object the signed bytes are lost"
                            } else {
                                "capture the value as the string the client got"
                            },
                        ));
                    }
                }
            }
        }
        Ok(None)
    };
    Ok(Capture {
        raw_data: pick(&["rawData", "raw_data"])?,
        signature: pick(&["signature"])?,
        encrypted_data: pick(&["encryptedData", "encrypted_data"])?,
        iv: pick(&["iv"])?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> (Result<Vec<u8>>, Vec<String>) {
        let mut w = Vec::new();
        let mut out = Vec::new();
        let r = decode_base64_field("iv", text, false, &mut w, &mut out).map(|()| out);
        (r, w)
    }

    #[test]
    fn canonical_input_is_untouched() {
        let (r, w) = decode("r7BXXKkLb8qrSNn05n0qiA==");
        assert_eq!(r.unwrap().len(), 16);
        assert!(w.is_empty());
    }

    #[test]
    fn repairs_each_corruption_and_names_it() {
        for (mangled, needle) in [
            ("r7BXXKkLb8qrSNn05n0qiA", "padding"),
            (" r7BXXKkLb8qrSNn05n0qiA==\n", "whitespace"),
            ("\"r7BXXKkLb8qrSNn05n0qiA==\"", "quotes"),
            ("tiihtNczf5v6AKRyjwEUhQ%3D%3D", "percent"),
            ("aGVsbG8_d29ybGQ-Pz8_", "URL-safe"),
            ("aGVsbG8\\/d29ybGQ+Pz8\\/", "JSON"),
            ("aGVsbG8/d29ybGQ Pz8/", "space"),
            ("aGVsbG8/d29y\nbGQ+Pz8/", "line break"),
        ] {
            let (r, w) = decode(mangled);
            assert!(r.is_ok(), "{mangled}: {r:?}");
            assert!(
                w.iter().any(|x| x.contains(needle)),
                "{mangled}: {w:?} lacks {needle}"
            );
        }
    }

    #[test]
    fn an_edge_space_that_was_a_plus_is_read_as_plus() {
        let mut w = Vec::new();
        let key = decode_key16("session_key", " iihtNczf5v6AKRyjwEUhQ==", false, &mut w).unwrap();
        let expected = decode_key16(
            "session_key",
            "+iihtNczf5v6AKRyjwEUhQ==",
            false,
            &mut Vec::new(),
        );
        assert_eq!(Ok(key), expected);
        assert!(w[0].contains("read as '+'"), "{w:?}");
        // A stray space around an otherwise valid key is just trimmed.
        let mut w = Vec::new();
        assert!(decode_key16("session_key", " tiihtNczf5v6AKRyjwEUhQ== ", false, &mut w).is_ok());
        assert!(w[0].contains("whitespace"), "{w:?}");
    }

    #[test]
    fn strict_refuses_repairs() {
        let mut w = Vec::new();
        let mut out = Vec::new();
        let e = decode_base64_field("iv", "r7BXXKkLb8qrSNn05n0qiA", true, &mut w, &mut out);
        assert_eq!(e.unwrap_err().exit_code(), 3);
    }

    #[test]
    fn names_the_bad_character() {
        let (r, _) = decode("r7BXXKkLb8q!SNn05n0qiA==");
        let e = r.unwrap_err();
        assert!(e.to_string().contains("'!'"), "{e}");
        assert!(e.to_string().starts_with("iv:"));
    }

    #[test]
    fn non_ascii_never_panics() {
        for s in [
            "é",
            "日本語",
            "a%",
            "%2",
            "=",
            "====",
            "\\",
            "a\\",
            "🙂🙂🙂🙂",
        ] {
            let _ = decode(s);
            let (once, _) = normalize_base64(s);
            let (twice, again) = normalize_base64(&once);
            assert_eq!(once, twice, "{s}");
            assert!(again.is_empty() || once != s, "{s}");
        }
    }

    /// Issue 11: each pass used to strip one backslash of a run, so a long run took a pass per
    /// backslash (quadratic). A 1 MiB run must be repaired in one go, to the same fixed point.
    #[test]
    fn a_one_mib_backslash_run_is_repaired_in_linear_time() {
        let run = "\\".repeat(1 << 20);
        let text = format!("AAAA{run}/AAAA{run}/AAAAAA==");
        let (fixed, repairs) = normalize_base64(&text);
        assert_eq!(fixed, "AAAA/AAAA/AAAAAA==");
        assert_eq!(repairs, vec![Repair::EscapedSlashes(2 << 20)]);
        let (again, more) = normalize_base64(&fixed);
        assert_eq!((again, more.len()), (fixed.clone(), 0));
        // Runs before a percent-encoded or URL-safe slash, and escaped line breaks, likewise.
        let text = format!("AAAA{run}%2FAAAA{run}_AAAA\\n\\r\\nAA==");
        assert_eq!(normalize_base64(&text).0, "AAAA/AAAA/AAAAAA==");
        // An escaped line break that leaves whitespace at the end: still one fixed point.
        for text in ["abcd\t\\n", "'abcd\t\\n'", "\"x\t\\r\""] {
            let (once, _) = normalize_base64(text);
            let (twice, again) = normalize_base64(&once);
            assert_eq!((&once, again.len()), (&twice, 0), "{text:?}");
        }
        let mut out = Vec::new();
        let too_long = "A".repeat(MAX_BASE64_LEN + 4);
        let e = decode_base64_field("encryptedData", &too_long, false, &mut Vec::new(), &mut out)
            .unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(e.to_string().contains("4 MiB limit"), "{e}");
    }

    proptest::proptest! {
        /// Every repairable character, in any order: one call reaches the fixed point.
        #[test]
        fn normalising_is_idempotent_on_runs_of_repairable_characters(
            text in r#"[\\/_ \-%2BbFfDd3=\t\r\n"'nrA]{0,48}"#
        ) {
            let (once, _) = normalize_base64(&text);
            let (twice, again) = normalize_base64(&once);
            proptest::prop_assert_eq!(&once, &twice);
            proptest::prop_assert!(again.is_empty() || once == text);
        }
    }

    #[test]
    fn capture_from_detail_and_snake_case() {
        let c = parse_capture(
            "t",
            r#"{"detail":{"encryptedData":"AA==","iv":"BB=="},"raw_data":"{}"}"#,
        )
        .unwrap();
        assert_eq!(c.encrypted_data.as_deref(), Some("AA=="));
        assert_eq!(c.raw_data.as_deref(), Some("{}"));
        assert!(parse_capture("t", "[1]").is_err());
        assert!(parse_capture("t", r#"{"rawData":{"a":1}}"#).is_err());
    }
}

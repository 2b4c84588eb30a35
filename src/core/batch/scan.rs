//! One-pass readers of the flat records batch lines nearly always are and of their plaintexts'
//! watermark; outside the strict subset they are sure of they say `None`, and serde reads it.

// Hand-written for speed: `decrypt/batch_record` and `verify/batch_record` in benches/core.rs
// and bench/run.sh measure it (serde scanning every string, then unescaping rawData again, was
// about a third of a verify record's time; serde reading the plaintext a fifth of decrypt's).

use super::unescape::decode_escape;

/// How a known field's value is taken.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// A string without escapes or control characters, borrowed without its quotes (serde's
    /// `visit_borrowed_str`).
    Str,
    /// A string, unescaped into the text buffer (rawData). Lone surrogates are left to serde.
    Unescape,
    /// A string without escapes, a number, `true` or `false`, as written; `null` is `None`,
    /// as serde gives for an `Option<&RawValue>`.
    Scalar,
}

/// A known field: its names (serde's name and aliases, which share one slot) and kind.
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) names: &'static [&'static [u8]],
    pub(crate) kind: Kind,
}

pub(crate) const fn field(names: &'static [&'static [u8]], kind: Kind) -> Field {
    Field { names, kind }
}

/// Reads `line` as a flat JSON object into `found` (one slot per field; a `Kind::Unescape`
/// field reads `Some("")` and its text is in `text`). `None` when the line is outside the
/// subset: a key with an escape, a field given twice (aliases included), a value that is an
/// object, an array, a string with escapes (except for `Kind::Unescape`) or `null` where a
/// string is expected, whitespace that is not JSON's, or anything that is not JSON. Unknown
/// keys with scalar values are skipped, as serde skips them.
pub(crate) fn scan<'a>(
    line: &'a str,
    fields: &[Field],
    found: &mut [Option<&'a str>],
    text: &mut Vec<u8>,
) -> Option<()> {
    let b = line.as_bytes();
    let mut seen = 0u32;
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let key_end = plain_string_end(b, i + 1)?;
            let key = b.get(i + 1..key_end)?;
            i = skip_ws(b, key_end + 1);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = skip_ws(b, i + 1);
            match fields.iter().position(|f| f.names.contains(&key)) {
                Some(slot) => {
                    if seen & (1 << slot) != 0 {
                        return None;
                    }
                    seen |= 1 << slot;
                    let (value, end) = match fields[slot].kind {
                        Kind::Str => {
                            if b.get(i) != Some(&b'"') {
                                return None;
                            }
                            let end = plain_string_end(b, i + 1)?;
                            (line.get(i + 1..end), end + 1)
                        }
                        Kind::Unescape => {
                            if b.get(i) != Some(&b'"') {
                                return None;
                            }
                            (Some(""), unescape_string(b, i + 1, text)?)
                        }
                        Kind::Scalar => {
                            let end = scalar_end(b, i)?;
                            let raw = line.get(i..end)?;
                            ((raw != "null").then_some(raw), end)
                        }
                    };
                    *found.get_mut(slot)? = value;
                    i = end;
                }
                None => i = scalar_end(b, i)?,
            }
            i = skip_ws(b, i);
            match b.get(i) {
                Some(b',') => i = skip_ws(b, i + 1),
                Some(b'}') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_ws(b, i) == b.len()).then_some(())
}

/// JSON's whitespace only: serde refuses a form feed or a vertical tab.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Index of the first `"`, `\` or control character among the eight bytes of `word`
/// (little-endian). Each zero-byte test is exact for its lowest match (a borrow only carries
/// past a byte that matched), so the lowest of their union is exact too.
fn first_special(word: u64) -> Option<usize> {
    let quote = word ^ (ONES * u64::from(b'"'));
    let slash = word ^ (ONES * u64::from(b'\\'));
    let found = (quote.wrapping_sub(ONES) & !quote)
        | (slash.wrapping_sub(ONES) & !slash)
        | (word.wrapping_sub(ONES * 0x20) & !word);
    let found = found & HIGHS;
    (found != 0).then(|| (found.trailing_zeros() / 8) as usize)
}

/// The index of the first special byte at or after `at`, or `b.len()`.
fn next_special(b: &[u8], mut at: usize) -> usize {
    while let Some(word) = b.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().unwrap_or([b'"'; 8]));
        if let Some(k) = first_special(word) {
            return at + k;
        }
        at += 8;
    }
    while at < b.len() && !matches!(b[at], b'"' | b'\\' | 0..0x20) {
        at += 1;
    }
    at
}

/// The index of the closing quote of a string whose body starts at `at`, if the body has no
/// escape and no control character.
fn plain_string_end(b: &[u8], at: usize) -> Option<usize> {
    // A ciphertext is hundreds of bytes: memchr's vector search, then a control-character
    // check the compiler vectorises, beat a word at a time (`decrypt/batch_record`).
    // Keys and keys' values are short: a few words first.
    for word in 0..4 {
        let Some(bytes) = b.get(at + 8 * word..at + 8 * word + 8) else {
            break;
        };
        if let Some(k) = first_special(u64::from_le_bytes(bytes.try_into().unwrap_or([b'"'; 8]))) {
            let end = at + 8 * word + k;
            return (b[end] == b'"').then_some(end);
        }
    }
    let body = b.get(at..)?;
    let len = memchr::memchr2(b'"', b'\\', body)?;
    let control = body[..len].iter().fold(0xff, |m: u8, &c| m.min(c)) < 0x20;
    (body[len] == b'"' && !control).then_some(at + len)
}

/// Unescapes the string whose body starts at `at` into `out` (as `unescape_json_string` does)
/// and returns the index after its closing quote.
fn unescape_string(b: &[u8], mut at: usize, out: &mut Vec<u8>) -> Option<usize> {
    // Unescaping never lengthens text, so the rest of the line bounds the output; a word of
    // slack lets each word be copied before looking at it. The buffer only grows, so it is
    // zeroed only where it grows.
    let need = b.len() - at + 8;
    if out.len() < need {
        out.resize(need, 0);
    }
    let mut w = 0;
    loop {
        while let Some(word) = b.get(at..at + 8) {
            out.get_mut(w..w + 8)?.copy_from_slice(word);
            let word = u64::from_le_bytes(word.try_into().unwrap_or([b'"'; 8]));
            match first_special(word) {
                None => {
                    at += 8;
                    w += 8;
                }
                Some(k) => {
                    at += k;
                    w += k;
                    break;
                }
            }
        }
        let c = *b.get(at)?;
        match c {
            b'"' => {
                out.truncate(w);
                return Some(at + 1);
            }
            // `\"` is nearly every escape rawData has.
            b'\\' if b.get(at + 1) == Some(&b'"') => {
                *out.get_mut(w)? = b'"';
                w += 1;
                at += 2;
            }
            b'\\' => {
                let (c, next) = decode_escape(b, at)?;
                w += c.encode_utf8(out.get_mut(w..w + 4)?).len();
                at = next;
            }
            0..0x20 => return None,
            // The last few bytes of the line, one at a time.
            _ => {
                *out.get_mut(w)? = c;
                w += 1;
                at += 1;
            }
        }
    }
}

/// The watermark of a decrypted plaintext, as serde reads `record::PlainWatermark`: `None`
/// for the outer `None` of "not in the subset, ask serde", then whether the payload has a
/// watermark and its appid (`""` for none or `null`). Every other value is validated as serde
/// validates what it skips, nested up to [`MAX_DEPTH`].
pub(crate) fn plain_watermark(plain: &str) -> Option<Option<&str>> {
    let b = plain.as_bytes();
    let mut watermark = None;
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = members(b, i, |b, key, at| {
        if key != b"watermark" {
            return value_end(b, at, 1);
        }
        if watermark.is_some() || b.get(at) != Some(&b'{') {
            return None;
        }
        let (mut appid, mut timestamp) = (None, false);
        let end = members(b, at, |b, key, at| match key {
            b"appid" if appid.is_none() => {
                let end = scalar_end(b, at)?;
                appid = Some(match b.get(at)? {
                    b'"' => plain.get(at + 1..end - 1)?,
                    b'n' => "",
                    _ => return None,
                });
                Some(end)
            }
            // An integer short enough to fit an i64 whatever its digits.
            b"timestamp" if !timestamp => {
                timestamp = true;
                let end = number_end(b, at)?;
                let text = b.get(at..end)?;
                let digits = text.strip_prefix(b"-").unwrap_or(text);
                (digits.len() <= 18 && digits.iter().all(u8::is_ascii_digit)).then_some(end)
            }
            b"appid" | b"timestamp" => None,
            _ => value_end(b, at, 2),
        })?;
        watermark = Some(appid.unwrap_or(""));
        Some(end)
    })?;
    (skip_ws(b, i) == b.len()).then_some(watermark)
}

/// serde stops at 128 levels; real payloads have two or three.
const MAX_DEPTH: u32 = 16;

/// Walks the members of the object at `at` (its `{`), handing each plain key and the index
/// of its value to `member`, which returns the index after the value. Returns the index after
/// the `}`.
fn members(
    b: &[u8],
    at: usize,
    mut member: impl FnMut(&[u8], &[u8], usize) -> Option<usize>,
) -> Option<usize> {
    let mut i = skip_ws(b, at + 1);
    if b.get(i) == Some(&b'}') {
        return Some(i + 1);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key = i + 1;
        let key_end = plain_string_end(b, key)?;
        i = skip_ws(b, key_end + 1);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, member(b, b.get(key..key_end)?, skip_ws(b, i + 1))?);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b'}' => return Some(i + 1),
            _ => return None,
        }
    }
}

/// The index after any JSON value at `at`, validated as serde validates a value it skips
/// (escapes checked, lone surrogates allowed).
fn value_end(b: &[u8], at: usize, depth: u32) -> Option<usize> {
    match *b.get(at)? {
        b'"' => string_end(b, at + 1),
        b'{' if depth < MAX_DEPTH => members(b, at, |b, _, at| value_end(b, at, depth + 1)),
        b'[' if depth < MAX_DEPTH => {
            let mut i = skip_ws(b, at + 1);
            if b.get(i) == Some(&b']') {
                return Some(i + 1);
            }
            loop {
                i = skip_ws(b, value_end(b, i, depth + 1)?);
                match b.get(i)? {
                    b',' => i = skip_ws(b, i + 1),
                    b']' => return Some(i + 1),
                    _ => return None,
                }
            }
        }
        b'{' | b'[' => None,
        _ => scalar_end(b, at),
    }
}

/// The index after the closing quote of a string whose body starts at `at`, escapes allowed.
fn string_end(b: &[u8], mut at: usize) -> Option<usize> {
    loop {
        at = next_special(b, at);
        match b.get(at)? {
            b'"' => return Some(at + 1),
            b'\\' => match b.get(at + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => at += 2,
                b'u' if b.get(at + 2..at + 6)?.iter().all(u8::is_ascii_hexdigit) => at += 6,
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// The index after a scalar value starting at `at`: a plain string, a number, or a literal.
fn scalar_end(b: &[u8], at: usize) -> Option<usize> {
    match *b.get(at)? {
        b'"' => Some(plain_string_end(b, at + 1)? + 1),
        b'n' => literal(b, at, b"null"),
        b't' => literal(b, at, b"true"),
        b'f' => literal(b, at, b"false"),
        b'-' | b'0'..=b'9' => number_end(b, at),
        _ => None,
    }
}

fn literal(b: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    (b.get(at..at + word.len())? == word).then_some(at + word.len())
}

/// JSON's number grammar; a leading zero followed by a digit ends the number at the zero, and
/// the caller then refuses the digit after it, as serde does.
fn number_end(b: &[u8], mut at: usize) -> Option<usize> {
    if b.get(at) == Some(&b'-') {
        at += 1;
    }
    match b.get(at)? {
        b'0' => at += 1,
        b'1'..=b'9' => at = digits(b, at),
        _ => return None,
    }
    if b.get(at) == Some(&b'.') {
        let end = digits(b, at + 1);
        if end == at + 1 {
            return None;
        }
        at = end;
    }
    if let Some(b'e' | b'E') = b.get(at) {
        at += 1;
        if let Some(b'+' | b'-') = b.get(at) {
            at += 1;
        }
        let end = digits(b, at);
        if end == at {
            return None;
        }
        at = end;
    }
    Some(at)
}

fn digits(b: &[u8], mut at: usize) -> usize {
    while b.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: [Field; 3] = [
        field(&[b"a", b"alias"], Kind::Str),
        field(&[b"raw"], Kind::Unescape),
        field(&[b"id"], Kind::Scalar),
    ];

    fn run(line: &str) -> Option<(Vec<Option<String>>, Vec<u8>)> {
        let mut found = [None; 3];
        let mut text = Vec::new();
        scan(line, &FIELDS, &mut found, &mut text)?;
        Some((found.iter().map(|f| f.map(str::to_owned)).collect(), text))
    }

    proptest::proptest! {
        #[test]
        fn raw_strings_unescape_as_the_one_shot_unescaper_does(text in "(?s).{0,80}", pad in 0usize..9) {
            let literal = serde_json::to_string(&text).unwrap();
            let mut expected = Vec::new();
            super::super::unescape_json_string(&literal, &mut expected).unwrap();
            // Every alignment of the string against the eight-byte words, and a used buffer.
            let line = format!("{{{}\"raw\":{literal}}}", " ".repeat(pad));
            let mut found = [None; 3];
            let mut text_buf = b"left over from a longer record before".repeat(4);
            proptest::prop_assert!(scan(&line, &FIELDS, &mut found, &mut text_buf).is_some());
            proptest::prop_assert_eq!(&text_buf, &expected);
            proptest::prop_assert_eq!(&text_buf, text.as_bytes());
        }
    }

    #[test]
    fn first_special_finds_the_lowest_match_only() {
        for k in 0..8 {
            for special in [b'"', b'\\', 0, 0x1f] {
                let mut bytes = [b'x'; 8];
                bytes[k] = special;
                for (j, b) in bytes.iter_mut().enumerate().skip(k + 1) {
                    *b = [b'"', b'!', 0x80, 0xff, b'\\', 0x21, 0x1f, b'#'][j];
                }
                assert_eq!(first_special(u64::from_le_bytes(bytes)), Some(k));
            }
        }
        let clean = u64::from_le_bytes([b'!', b'#', b'[', b']', 0x80, 0xff, 0x20, b'~']);
        assert_eq!(first_special(clean), None);
    }

    #[test]
    fn takes_flat_records_and_refuses_the_rest() {
        let (found, text) =
            run(r#" {"id": -1.5e+3, "alias":"x/y", "raw":"{\"k\":\"\u00e9\"}", "z":true }"#)
                .unwrap();
        assert_eq!(found[0].as_deref(), Some("x/y"));
        assert_eq!(found[2].as_deref(), Some("-1.5e+3"));
        assert_eq!(text, "{\"k\":\"é\"}".as_bytes());
        assert_eq!(run(r#"{"id":null}"#).unwrap().0[2], None);
        assert!(run("{}").is_some());
        for bad in [
            r#"{"a":"1","alias":"2"}"#,
            r#"{"id":1,"id":2}"#,
            r#"{"a":"\/"}"#,
            r#"{"a":null}"#,
            r#"{"id":{}}"#,
            r#"{"z":[]}"#,
            r#"{"\u0061":"1"}"#,
            r#"{"raw":"\ud800"}"#,
            r#"{"id":01}"#,
            r#"{"id":1.}"#,
            r#"{"id":1,}"#,
            "{\"a\":\"\t\"}",
            "\x0c{}",
            "{} x",
            "{\"a\":\"1\"",
            "[]",
        ] {
            assert!(run(bad).is_none(), "{bad}");
        }
    }
}

//! A JSON string unescaper for rawData, which holds an escape every few bytes. Hand-written
//! for speed: `verify/batch_record` in benches/core.rs (and bench/run.sh) measures it.

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
    let (c, next) = decode_escape(body, at)?;
    let mut utf8 = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
    Some(next)
}

/// The character of the escape at `at` (a `\`) and the index after it; `None` for an
/// escape JSON does not have and for a lone surrogate.
pub(crate) fn decode_escape(body: &[u8], at: usize) -> Option<(char, usize)> {
    let c = match *body.get(at + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
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
            return Some((char::from_u32(code)?, end));
        }
        _ => return None,
    };
    Some((c, at + 2))
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let mut v = 0u32;
    for &d in digits {
        v = v * 16 + char::from(d).to_digit(16)?;
    }
    Some(v)
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
}

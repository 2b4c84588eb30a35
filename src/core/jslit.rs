//! What DevTools' console copies of an object (a JavaScript literal: unquoted keys, single
//! quotes, trailing commas) turned into JSON, in one linear pass; JSON itself passes unchanged.

/// Converts a JavaScript object or array literal to JSON text, or says where it cannot.
///
/// Handles the three things that separate a console copy from JSON: identifier keys get quotes,
/// single-quoted strings become double-quoted ones (escapes kept, so the string's value, e.g. a
/// signed `rawData`, is exactly the same), and a comma before `}` or `]` is dropped. `undefined`
/// becomes `null`. Anything else is copied as is, for serde_json to judge.
pub fn to_json(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    // Where a comma was held back until the next token shows it was not trailing.
    let mut pending_comma = false;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b',' => {
                if pending_comma {
                    return Err(format!("two commas in a row at byte {i}"));
                }
                pending_comma = true;
                i += 1;
                continue;
            }
            b'}' | b']' => {
                // A trailing comma: drop it.
                pending_comma = false;
                out.push(c as char);
                i += 1;
                continue;
            }
            _ => {}
        }
        if pending_comma {
            out.push(',');
            pending_comma = false;
        }
        match c {
            b'"' | b'\'' => i = string(text, i, &mut out)?,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&bytes[i + 2..], b"*/")
                    .map(|n| i + 2 + n + 2)
                    .ok_or_else(|| format!("unterminated comment at byte {i}"))?;
            }
            c if c == b'_' || c == b'$' || c.is_ascii_alphabetic() => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i] == b'_' || bytes[i] == b'$' || bytes[i].is_ascii_alphanumeric())
                {
                    i += 1;
                }
                let word = &text[start..i];
                if next_significant(bytes, i) == Some(b':') {
                    out.push('"');
                    out.push_str(word);
                    out.push('"');
                } else if word == "undefined" {
                    out.push_str("null");
                } else {
                    out.push_str(word);
                }
            }
            _ => {
                // Copy one UTF-8 character whole.
                let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
                out.push(ch);
                i += ch.len_utf8().max(1);
            }
        }
    }
    if pending_comma {
        return Err("a comma at the end, after the last value".into());
    }
    Ok(out)
}

fn next_significant(bytes: &[u8], mut i: usize) -> Option<u8> {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    bytes.get(i).copied()
}

/// Copies the string literal starting at `start` as a JSON string; returns the index after it.
fn string(text: &str, start: usize, out: &mut String) -> Result<usize, String> {
    let bytes = text.as_bytes();
    let quote = bytes[start];
    out.push('"');
    let mut i = start + 1;
    let mut run = i;
    while i < bytes.len() {
        match bytes[i] {
            b if b == quote => {
                out.push_str(&text[run..i]);
                out.push('"');
                return Ok(i + 1);
            }
            b'\\' => {
                out.push_str(&text[run..i]);
                let Some(&e) = bytes.get(i + 1) else { break };
                match e {
                    // Not escapes in JSON: the character itself.
                    b'\'' => out.push('\''),
                    b'x' => {
                        let hex = text
                            .get(i + 2..i + 4)
                            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                            .ok_or_else(|| format!("bad \\x escape at byte {i}"))?;
                        out.push_str("\\u00");
                        out.push_str(hex);
                        i += 2;
                    }
                    b'\n' => {} // a line continuation
                    _ => {
                        out.push('\\');
                        // Copy the escaped character whole (it may be multi-byte).
                        let ch = text[i + 1..].chars().next().unwrap_or('\\');
                        out.push(ch);
                        i += ch.len_utf8() - 1;
                    }
                }
                i += 2;
                run = i;
            }
            b'"' => {
                // A double quote inside a single-quoted string.
                out.push_str(&text[run..i]);
                out.push_str("\\\"");
                i += 1;
                run = i;
            }
            _ => i += 1,
        }
    }
    Err(format!("unterminated string starting at byte {start}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn parse(text: &str) -> Value {
        let converted = to_json(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        serde_json::from_str(&converted).unwrap_or_else(|e| panic!("{converted}: {e}"))
    }

    #[test]
    fn json_is_unchanged_in_value() {
        let text = r#"{"a": [1, 2.5e3, true, null], "b": "x\"y\\z\u00e9", "c": {}}"#;
        assert_eq!(parse(text), serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn a_console_copy_becomes_json() {
        let text = "{\n  errMsg: 'getUserInfo:ok',\n  rawData: '{\"nickName\":\"Band\",\"city\":\"\\u5e7f\"}',\n  \
                    iv: 'r7BXXKkLb8qrSNn05n0qiA==',\n  userInfo: {nickName: 'Band', gender: 1,},\n  cloudID: undefined,\n}";
        assert_eq!(
            parse(text),
            json!({
                "errMsg": "getUserInfo:ok",
                "rawData": "{\"nickName\":\"Band\",\"city\":\"\u{5e7f}\"}",
                "iv": "r7BXXKkLb8qrSNn05n0qiA==",
                "userInfo": {"nickName": "Band", "gender": 1},
                "cloudID": null,
            })
        );
    }

    #[test]
    fn escapes_keep_their_value() {
        assert_eq!(
            parse(r"{a: 'it\'s', b: '\x41', c: 'a/b', d: 'é\n'}")["a"],
            "it's"
        );
        assert_eq!(parse(r"{b: '\x41'}")["b"], "A");
        assert_eq!(parse("{d: '日本\\t'}")["d"], "日本\t");
        assert_eq!(parse("[1, 2,]"), json!([1, 2]));
        assert_eq!(
            parse("{a: 1 /* note */, // c\n b: 2}"),
            json!({"a": 1, "b": 2})
        );
    }

    #[test]
    fn broken_input_is_an_error_not_a_panic() {
        for bad in [
            "{a: 'x",
            "{a: 1,,}",
            "{a: '\\x4'}",
            "{a: 1}, ",
            "/* x",
            "'\\",
            "é'",
            "{'\\é",
        ] {
            let _ = to_json(bad);
        }
        assert!(to_json("{a: 'x").is_err());
        assert!(to_json("{a: 1,,}").is_err());
    }

    #[test]
    fn linear_on_large_input() {
        let big = format!("{{a: '{}'}}", "x".repeat(1 << 20));
        assert_eq!(parse(&big)["a"].as_str().unwrap().len(), 1 << 20);
    }
}

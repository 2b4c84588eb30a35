//! The two server-side checks of `wx.getUserInfo` / `getPhoneNumber` results: decrypting
//! `encryptedData` with its watermark check, and verifying the `rawData` signature. Each
//! failure is diagnosed (wrong key, wrong iv, re-serialised rawData, another app's payload).

use serde_json::Value;

use super::crypto::{self, DecryptFailure};
use super::error::{Error, Result};
use super::input;
use super::model::{Watermark, WatermarkOnly};

const WRONG_KEY_HINT: &str = "the session_key is not the one this payload was encrypted with: a later wx.login \
rotated it, or it belongs to another user; exchange the client's latest code again \
(`wxlogin check-session` tells whether a stored key is still current)";

/// A decrypted payload and the one verdict on its watermark.
#[derive(Debug, Clone, PartialEq)]
pub struct Decrypted {
    /// The plaintext exactly as decrypted (UTF-8 JSON).
    pub plaintext: String,
    pub watermark: Option<Watermark>,
    pub watermark_verdict: WatermarkVerdict,
}

/// What the watermark says against the expected appid; decided once, in [`decrypt_user_data`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatermarkVerdict {
    Match,
    /// The payload was made for another app.
    Mismatch {
        found: String,
        expected: String,
    },
    /// An appid was expected but the payload has no watermark.
    Missing {
        expected: String,
    },
    /// No appid was given to compare with.
    Unchecked,
}

impl WatermarkVerdict {
    /// Compares a payload's watermark appid (`None`: no watermark) with the expected one.
    pub fn of(found: Option<&str>, expected: Option<&str>) -> WatermarkVerdict {
        match (expected, found) {
            (None, _) => WatermarkVerdict::Unchecked,
            (Some(want), Some(got)) if want == got => WatermarkVerdict::Match,
            (Some(want), Some(got)) => WatermarkVerdict::Mismatch {
                found: got.to_string(),
                expected: want.to_string(),
            },
            (Some(want), None) => WatermarkVerdict::Missing {
                expected: want.to_string(),
            },
        }
    }

    /// `Some(true|false)` when checked, `None` when no appid was given (`watermark.matches`).
    pub fn matches(&self) -> Option<bool> {
        match self {
            WatermarkVerdict::Match => Some(true),
            WatermarkVerdict::Mismatch { .. } | WatermarkVerdict::Missing { .. } => Some(false),
            WatermarkVerdict::Unchecked => None,
        }
    }

    /// The verdict as an error: a mismatch or a missing watermark fails.
    pub fn result(&self) -> Result<()> {
        match self {
            WatermarkVerdict::Match | WatermarkVerdict::Unchecked => Ok(()),
            WatermarkVerdict::Mismatch { found, expected } => {
                Err(watermark_mismatch(Some(found), expected))
            }
            WatermarkVerdict::Missing { expected } => Err(watermark_mismatch(None, expected)),
        }
    }
}

/// The watermark error both one-shot and batch report; `found` is `None` without a watermark.
pub fn watermark_mismatch(found: Option<&str>, expected: &str) -> Error {
    Error::Watermark {
        found: found.map_or_else(
            || "(none: the payload has no watermark)".to_string(),
            str::to_string,
        ),
        expected: expected.to_string(),
    }
}

/// The signature error both one-shot and batch report, with the likeliest cause diagnosed.
pub fn signature_mismatch(raw_data: &str, session_key: &str, given: &str) -> Error {
    let key = input::normalize_base64(session_key).0;
    let expected = crypto::sign_raw_data(raw_data.as_bytes(), key.as_bytes());
    Error::Signature {
        expected: String::from_utf8_lossy(&expected).into_owned(),
        given: given.to_string(),
        hint: diagnose_mismatch(raw_data, &key, given),
    }
}

/// Decrypts `encryptedData` with `session_key` and `iv` (all base64 text as the client got
/// them), repairing mangled base64 unless `strict`; each repair is added to `warnings`.
pub fn decrypt_user_data(
    session_key: &str,
    iv: &str,
    encrypted_data: &str,
    expected_appid: Option<&str>,
    strict: bool,
    warnings: &mut Vec<String>,
) -> Result<Decrypted> {
    let key = input::decode_key16("session_key", session_key, strict, warnings)?;
    let iv = input::decode_key16("iv", iv, strict, warnings)?;
    let mut buf = Vec::with_capacity(encrypted_data.len());
    input::decode_base64_field("encryptedData", encrypted_data, strict, warnings, &mut buf)?;
    input::check_ciphertext_len("encryptedData", buf.len())?;
    let plain = open(&key, &iv, &mut buf)?;
    let plaintext = plain.to_string();
    let watermark = read_watermark(plain.as_bytes())?;
    let watermark_verdict =
        WatermarkVerdict::of(watermark.as_ref().map(|w| w.appid.as_str()), expected_appid);
    Ok(Decrypted {
        plaintext,
        watermark,
        watermark_verdict,
    })
}

/// Decrypts in place and insists on UTF-8 JSON; every failure says which input was wrong.
pub fn open<'a>(key: &[u8; 16], iv: &[u8; 16], buf: &'a mut [u8]) -> Result<&'a str> {
    let plain = match crypto::decrypt_in_place(key, iv, buf) {
        Ok(p) => p,
        Err(DecryptFailure::Length) => {
            return Err(Error::input(
                "encryptedData",
                "is not a non-empty multiple of 16 bytes",
                "the value was truncated or corrupted on its way",
            ));
        }
        Err(DecryptFailure::Padding) => {
            return Err(Error::Decrypt {
                message: "decryption failed: invalid PKCS#7 padding (wrong session_key)".into(),
                hint: WRONG_KEY_HINT.into(),
            });
        }
    };
    // simdutf8: about a tenth of batch decrypt's time went to std's check (`decrypt/batch_record`).
    match simdutf8::basic::from_utf8(plain) {
        Ok(text) if looks_like_json_object(text) => Ok(text),
        _ if plain.len() > 16 && looks_like_json_tail(&plain[16..]) => Err(Error::Decrypt {
            message: "decryption failed: the first 16 bytes are garbage but the rest is readable (wrong iv)"
                .into(),
            hint: "the session_key is right but the iv is not the one sent with this encryptedData; \
                   take both from the same wx.getUserInfo / getPhoneNumber result"
                .into(),
        }),
        _ => Err(Error::Decrypt {
            message: "decryption failed: the padding is valid by chance but the plaintext is not UTF-8 JSON (wrong session_key)"
                .into(),
            hint: WRONG_KEY_HINT.into(),
        }),
    }
}

fn looks_like_json_object(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('{') && text.trim_end().ends_with('}')
}

fn looks_like_json_tail(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_end().ends_with('}') && t.contains("\":"),
        Err(_) => false,
    }
}

/// Reads the watermark through a one-field struct: the rest of the plaintext is validated as
/// JSON but never built into a tree.
pub fn read_watermark(plaintext: &[u8]) -> Result<Option<Watermark>> {
    match serde_json::from_slice::<WatermarkOnly>(plaintext) {
        Ok(w) => Ok(w.watermark),
        Err(e) => Err(Error::Decrypt {
            message: format!("decrypted plaintext is not valid JSON: {e}"),
            hint: WRONG_KEY_HINT.into(),
        }),
    }
}

/// A matching signature: the one `rawData` and the key produce, lower-case hex.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureCheck {
    pub expected: String,
    pub given: String,
}

/// Checks `signature == hex(sha1(rawData ‖ session_key))`. The signature must be 40 hex
/// digits; the session_key is normalised first (its repaired text is what gets hashed). A
/// mismatch is `Err(Error::Signature)` with its likeliest cause already diagnosed.
pub fn verify_signature(
    raw_data: &str,
    signature: &str,
    session_key: &str,
    strict: bool,
    warnings: &mut Vec<String>,
) -> Result<SignatureCheck> {
    let given = signature.trim();
    if given.len() != 40 || !given.bytes().all(|b| b.is_ascii_hexdigit()) {
        let count = given.chars().count();
        let what = match given.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
            // The length is right: name what is wrong instead.
            Some((at, c)) if count == 40 => {
                format!("must be 40 hex digits, but {c:?} at position {at} is not a hex digit")
            }
            _ => format!("must be 40 hex digits, got {count} characters"),
        };
        return Err(Error::input(
            "signature",
            what,
            "pass the `signature` field of the wx.getUserInfo result (a hex sha1), not encryptedData or iv",
        ));
    }
    let key_text = canonical_session_key(session_key, strict, warnings)?;
    let expected = crypto::sign_raw_data(raw_data.as_bytes(), key_text.as_bytes());
    let given_lower = given.to_ascii_lowercase();
    if !crypto::ct_eq(&expected, given_lower.as_bytes()) {
        return Err(Error::Signature {
            expected: String::from_utf8_lossy(&expected).into_owned(),
            hint: diagnose_mismatch(raw_data, &key_text, &given_lower),
            given: given_lower,
        });
    }
    Ok(SignatureCheck {
        expected: String::from_utf8_lossy(&expected).into_owned(),
        given: given_lower,
    })
}

/// Validates a session_key (16 bytes once decoded) and returns the text to hash: the input
/// itself when canonical, its repaired form otherwise.
pub fn canonical_session_key(
    text: &str,
    strict: bool,
    warnings: &mut Vec<String>,
) -> Result<String> {
    input::decode_key16("session_key", text, strict, warnings)?;
    Ok(input::normalize_base64(text).0.into_owned())
}

/// Finds out which change to rawData explains a mismatch, by re-signing the usual variants
/// (`key` is the canonical key text).
fn diagnose_mismatch(raw_data: &str, key: &str, given: &str) -> String {
    let signs_as = |candidate: &str| {
        crypto::ct_eq(
            &crypto::sign_raw_data(candidate.as_bytes(), key.as_bytes()),
            given.as_bytes(),
        )
    };
    let trimmed = raw_data.trim();
    if trimmed != raw_data && signs_as(trimmed) {
        return "rawData gained surrounding whitespace or a newline on its way; pass it byte for byte".into();
    }
    if let Ok(value) = serde_json::from_str::<Value>(raw_data) {
        let compact = value.to_string();
        if compact != raw_data && signs_as(&compact) {
            return "rawData was re-serialised (whitespace or unicode escaping changed): the signed form is the \
                    compact string wx.getUserInfo returned; send that string, not a re-encoded object"
                .into();
        }
        let escaped = compact.replace('/', "\\/");
        if escaped != raw_data && signs_as(&escaped) {
            return "rawData lost its escaped slashes ('\\/'); pass the exact string the client got".into();
        }
        let ascii = escape_non_ascii(&compact);
        if ascii != raw_data && signs_as(&ascii) {
            return "rawData's non-ASCII characters were unescaped; pass the exact string the client got".into();
        }
        let both = ascii.replace('/', "\\/");
        if both != raw_data && signs_as(&both) {
            return "rawData lost its escapes: the signed string had both \\uXXXX escapes and '\\/' (PHP's json_encode form); pass the exact string the client got".into();
        }
    }
    "rawData must be the exact string wx.getUserInfo returned (a JSON re-serialisation changes whitespace, \
     key order or unicode escaping); otherwise the session_key is not the current one: a later wx.login rotated it"
        .into()
}

fn escape_non_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatch_diagnoses_reserialised_raw_data() {
        let key = "HyVFkGl5F5OQWJZZaNzBBg==";
        let original = r#"{"nickName":"Band","gender":1}"#;
        let sig =
            String::from_utf8(crypto::sign_raw_data(original.as_bytes(), key.as_bytes()).to_vec())
                .unwrap();
        let pretty = "{\n  \"nickName\": \"Band\",\n  \"gender\": 1\n}";
        let err = verify_signature(pretty, &sig, key, false, &mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), "signature");
        assert!(err.hint().contains("re-serialised"), "{err:?}");
        assert_eq!(err, signature_mismatch(pretty, key, &sig));
    }

    #[test]
    fn signature_must_be_hex40() {
        let e = verify_signature(
            "{}",
            "xyz",
            "HyVFkGl5F5OQWJZZaNzBBg==",
            false,
            &mut Vec::new(),
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 3);
    }
}

//! The one policy for hiding secrets: which parameter and field names hold one, how a value is
//! masked (`mask`), and how URLs, queries, JSON and foreign text are redacted for display.

use std::borrow::Cow;

use serde_json::Value;

/// Parameters and JSON fields whose values are credentials, wherever they appear.
pub const SECRET_NAMES: &[&str] = &[
    "secret",
    "access_token",
    "session_key",
    "signature",
    "corpsecret",
    "component_appsecret",
    "component_verify_ticket",
    "component_access_token",
];

/// Names of app secrets: hidden whole, since even part of one narrows a guess.
const WHOLE: &[&str] = &["secret", "corpsecret", "component_appsecret"];

/// What stands in for a value that is hidden whole.
pub const HIDDEN: &str = "…";

/// Masks a secret-like value: its first and last four characters when long enough that eight
/// visible characters leave most of it hidden (enough to tell two keys apart); else hidden whole.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 16 {
        return HIDDEN.to_string();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

pub fn is_secret_name(name: &str) -> bool {
    SECRET_NAMES.contains(&name)
}

/// The value of a named parameter or field as it may be shown: app secrets hidden whole,
/// other credentials masked, anything else unchanged.
pub fn shown<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
    if WHOLE.contains(&name) {
        Cow::Borrowed(HIDDEN)
    } else if is_secret_name(name) {
        Cow::Owned(mask(value))
    } else {
        Cow::Borrowed(value)
    }
}

/// A query string with credential values redacted; every other pair stays exactly as sent.
pub fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => {
                let name = decode(k);
                if is_secret_name(&name) {
                    format!("{k}={}", shown(&name, &decode(v)))
                } else {
                    pair.to_string()
                }
            }
            None => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A URL for display, its query redacted.
pub fn redact_url(url: &reqwest::Url) -> String {
    let Some(query) = url.query() else {
        return url.to_string();
    };
    let mut bare = url.clone();
    bare.set_query(None);
    format!("{bare}?{}", redact_query(query))
}

/// Redacts credential fields at any depth of a JSON value, in place.
pub fn redact_json(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_secret_name(k) {
                    if let Value::String(s) = val {
                        *s = shown(k, s).into_owned();
                    }
                } else {
                    redact_json(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// Removes every known secret value and anything shaped like `secret=…` or `access_token=…`
/// from text that came from elsewhere (errmsg, error chains). One pass over the text: a server
/// can send an errmsg of a megabyte of `secret=&`, and each name costs only its own length.
pub fn redact_text(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if secret.len() >= 4 {
            out = out.replace(secret, HIDDEN);
        }
    }
    let bytes = out.as_bytes();
    let mut shown = String::with_capacity(out.len());
    let mut copied = 0;
    let mut at = 0;
    while let Some(eq) = memchr::memchr(b'=', &bytes[at..]).map(|i| at + i) {
        at = eq + 1;
        let head = &bytes[..eq];
        let named = SECRET_NAMES.iter().any(|name| {
            head.len() >= name.len()
                && head[head.len() - name.len()..].eq_ignore_ascii_case(name.as_bytes())
        });
        if !named {
            continue;
        }
        let end = out[at..]
            .find(|c: char| matches!(c, '&' | '"' | '\'' | '#' | ',' | ';') || c.is_whitespace())
            .map_or(out.len(), |i| at + i);
        shown.push_str(&out[copied..at]);
        shown.push_str(HIDDEN);
        copied = end;
        at = end;
    }
    shown.push_str(&out[copied..]);
    shown
}

/// One query component percent-decoded as a form does (`+` is a space), lossy on bad UTF-8.
fn decode(text: &str) -> String {
    // As the value of a pair, so that an `=` in it (base64 padding) stays part of it.
    let pair = format!("_={text}");
    form_urlencoded::parse(pair.as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_secrets_are_hidden_whole_and_other_credentials_masked() {
        let q = redact_query(
            "appid=wx1&secret=0123456789abcdef0123&js_code=abc&access_token=ACCESSTOKEN_LONG_VALUE",
        );
        assert_eq!(q, "appid=wx1&secret=…&js_code=abc&access_token=ACCE…ALUE");
        let mut v = serde_json::json!({"appid":"wx1","secret":"0123456789abcdef0123","nested":{"session_key":"tiihtNczf5v6AKRyjwEUhQ=="}});
        redact_json(&mut v);
        assert_eq!(v["secret"], "…");
        assert_eq!(v["nested"]["session_key"], "tiih…hQ==");
        assert_eq!(mask("tiihtNczf5v6AKRyjwEUhQ=="), "tiih…hQ==");
        assert_eq!(mask("short"), "…");
    }

    /// Each `name=` found used to lower-case the whole rest of the text again: a 1 MiB errmsg
    /// of `secret=&` took five seconds, 8 MiB would take minutes. Now one pass.
    #[test]
    fn redacting_text_of_many_secret_names_takes_one_pass() {
        let n = 1 << 20;
        let text = "Secret=x&".repeat(n);
        let shown = redact_text(&text, &[]);
        assert_eq!(shown, format!("Secret={HIDDEN}&").repeat(n));
        let mixed = redact_text("a=1,ACCESS_TOKEN=t0k;corpsecret=c s=secret=z", &[]);
        assert_eq!(mixed, "a=1,ACCESS_TOKEN=…;corpsecret=… s=secret=…");
    }

    #[test]
    fn redaction_hides_secrets_in_urls_and_text() {
        let url = reqwest::Url::parse(
            "https://h/sns/jscode2session?appid=wx1&secret=0123456789abcdef0123456789abcdef&js_code=c",
        )
        .unwrap();
        let shown = redact_url(&url);
        assert!(!shown.contains("0123"), "{shown}");
        assert!(shown.contains("appid=wx1") && shown.contains("js_code=c"));
        let text = redact_text(
            "error for url (https://h/x?appid=a&secret=S3CR3T&access_token=TOKEN123): boom SPECIAL",
            &["SPECIAL"],
        );
        assert!(
            !text.contains("S3CR3T") && !text.contains("TOKEN123") && !text.contains("SPECIAL")
        );
        assert!(text.contains("appid=a"));
    }
}

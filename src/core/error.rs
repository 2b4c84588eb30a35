//! The one error type of the core: every failure carries a one-line message, a hint with the
//! likely cause, a stable `kind` for JSON output and the exit code it maps to.

use serde_json::{Map, Value, json};
use thiserror::Error;

use super::errcode::Lang;
use super::platform::Platform;
use super::text;

/// The most of a message or hint shown, in bytes: an error may echo a value of megabytes (a
/// flow's unknown `wx`, a server's errmsg), and one line must stay readable.
const MAX_SHOWN: usize = 1024;

/// Exit codes, documented in the README and in `--help`.
pub mod exit {
    pub const OK: u8 = 0;
    /// A negative verdict: signature mismatch, decryption failure, watermark mismatch.
    pub const VERDICT: u8 = 1;
    pub const USAGE: u8 = 2;
    /// Malformed base64, wrong key/iv length, unreadable file, invalid JSON.
    pub const INPUT: u8 = 3;
    /// WeChat (or the mock) answered with an errcode.
    pub const API: u8 = 4;
    /// Connection refused, timeout, TLS, non-JSON answer.
    pub const TRANSPORT: u8 = 5;
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// The user gave something we cannot use (exit 3).
    #[error("{field}: {message}")]
    Input {
        field: String,
        message: String,
        hint: String,
    },
    /// The key opened the blocks but the padding or plaintext is wrong: almost always the wrong key.
    #[error("{message}")]
    Decrypt { message: String, hint: String },
    #[error("watermark appid is {found}, expected {expected}")]
    Watermark { found: String, expected: String },
    #[error("signature mismatch: expected {expected}, given {given}")]
    Signature {
        expected: String,
        given: String,
        hint: String,
    },
    /// WeChat answered with a non-zero errcode (exit 4). Its meaning and hint are looked up
    /// when it is rendered, in the language asked for then.
    #[error("{}", self.message_in(Lang::En))]
    Api {
        errcode: i64,
        errmsg: String,
        note: ApiNote,
        /// Whose table explains the code (Douyin's numbers mean other things).
        platform: Platform,
    },
    /// The request never produced a WeChat answer (exit 5).
    #[error("{message}")]
    Transport { message: String, hint: String },
    /// A command-line combination clap cannot express (exit 2).
    #[error("{message}")]
    Usage { message: String, hint: String },
}

/// What the circumstances of an API error add to the errcode table's hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiNote {
    /// The table's fix alone.
    None,
    /// errcode -1 on every attempt.
    GaveUp { attempts: u32 },
    /// 40163 on the retry of a busy (-1) jscode2session: the busy answer had spent the code.
    CodeSpentByBusyAnswer,
    /// A hint the caller knows better than the table (e.g. a mock's misconfigured app).
    Hint(String),
}

impl Error {
    /// An API error with the table's meaning and fix.
    pub fn api(errcode: i64, errmsg: impl Into<String>) -> Self {
        Error::Api {
            errcode,
            errmsg: errmsg.into(),
            note: ApiNote::None,
            platform: Platform::Wechat,
        }
    }

    /// An API error with its `note` replaced (what the circumstances add to the table's fix);
    /// any other error as it is.
    pub fn with_api_note(mut self, note: ApiNote) -> Self {
        if let Error::Api { note: n, .. } = &mut self {
            *n = note;
        }
        self
    }

    /// An API error to be explained from `platform`'s errcode table; any other error as it is.
    pub fn with_api_platform(mut self, platform: Platform) -> Self {
        if let Error::Api { platform: p, .. } = &mut self {
            *p = platform;
        }
        self
    }

    pub fn input(
        field: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Error::Input {
            field: field.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn transport(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Transport {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// Stable machine-readable name, used as `error.kind` in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Input { .. } => "input",
            Error::Decrypt { .. } => "decrypt",
            Error::Watermark { .. } => "watermark",
            Error::Signature { .. } => "signature",
            Error::Api { .. } => "api",
            Error::Transport { .. } => "transport",
            Error::Usage { .. } => "usage",
        }
    }

    /// The hint in English; [`Error::hint_in`] for another language.
    pub fn hint(&self) -> String {
        self.hint_in(Lang::En)
    }

    /// The one-line message in `lang` (only an API error's meaning is translated).
    pub fn message_in(&self, lang: Lang) -> String {
        match self {
            Error::Api {
                errcode,
                errmsg,
                platform,
                ..
            } => {
                let meaning = platform.explain(*errcode, lang).0;
                let name = platform.display();
                let field = platform.errcode_field();
                let errmsg = text::elide_middle(errmsg, MAX_SHOWN);
                format!("{name} answered {field} {errcode} ({meaning}): {errmsg}")
            }
            other => text::elide_middle(&other.to_string(), MAX_SHOWN).into_owned(),
        }
    }

    pub fn hint_in(&self, lang: Lang) -> String {
        let hint = self.hint_whole(lang);
        text::elide_middle(&hint, MAX_SHOWN).into_owned()
    }

    fn hint_whole(&self, lang: Lang) -> String {
        match self {
            Error::Input { hint, .. }
            | Error::Decrypt { hint, .. }
            | Error::Signature { hint, .. }
            | Error::Transport { hint, .. }
            | Error::Usage { hint, .. } => hint.clone(),
            Error::Api {
                errcode,
                note,
                platform,
                ..
            } => api_hint(*platform, *errcode, note, lang),
            Error::Watermark { found, expected } if expected.starts_with("ww") => format!(
                "{expected} looks like a WeCom corpid: WeCom user data carries the mini program's \
                 appid in its watermark, not the corpid; pass --appid {found} if that is your \
                 mini program"
            ),
            // No watermark says nothing about the app: it is not "another app's" payload.
            Error::Watermark { found, .. } if found.starts_with("(none") => {
                "the payload carries no watermark, so its app cannot be checked: it was not made \
                 by WeChat's client as is (a test fixture, another SDK, or tampered); drop --appid to accept it unchecked"
                    .to_string()
            }
            Error::Watermark { .. } => {
                "the payload belongs to another mini program (another appid), \
                 or the server is configured with the wrong appid"
                    .to_string()
            }
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input { .. } => exit::INPUT,
            Error::Decrypt { .. } | Error::Watermark { .. } | Error::Signature { .. } => {
                exit::VERDICT
            }
            Error::Api { .. } => exit::API,
            Error::Transport { .. } => exit::TRANSPORT,
            Error::Usage { .. } => exit::USAGE,
        }
    }
}

fn api_hint(platform: Platform, code: i64, note: &ApiNote, lang: Lang) -> String {
    let fix = platform.explain(code, lang).1;
    match (note, lang) {
        (ApiNote::None, _) => fix,
        (ApiNote::Hint(hint), _) => hint.clone(),
        (ApiNote::GaveUp { attempts }, Lang::En) => {
            format!("{fix} (gave up after {attempts} attempts)")
        }
        (ApiNote::GaveUp { attempts }, Lang::Zh) => format!("{fix}（重试 {attempts} 次后放弃）"),
        (ApiNote::CodeSpentByBusyAnswer, Lang::En) => format!(
            "{fix} (this answer came on the retry of a \"system busy\" (-1) answer: \
             the busy answer had already consumed the code)"
        ),
        (ApiNote::CodeSpentByBusyAnswer, Lang::Zh) => {
            format!("{fix}（该结果来自对“系统繁忙”(-1) 的重试：繁忙的那次请求已经用掉了 code）")
        }
    }
}

impl Error {
    /// The JSON fields of this error (`kind`, `message`, `hint` and what each kind adds), the
    /// one shape of `error` in a one-shot `--json` document and in a batch line alike.
    pub fn fields(&self, lang: Lang) -> Map<String, Value> {
        let mut e = Map::new();
        e.insert("kind".into(), json!(self.kind()));
        e.insert("message".into(), json!(self.message_in(lang)));
        e.insert("hint".into(), json!(self.hint_in(lang)));
        match self {
            Error::Input { field, .. } => {
                e.insert("field".into(), json!(field));
            }
            Error::Api {
                errcode,
                errmsg,
                platform,
                ..
            } => {
                e.insert("errcode".into(), json!(errcode));
                e.insert("errmsg".into(), json!(errmsg));
                e.insert("meaning".into(), json!(platform.explain(*errcode, lang).0));
                if *platform != Platform::Wechat {
                    e.insert("platform".into(), json!(platform.name()));
                }
            }
            Error::Signature {
                expected, given, ..
            } => {
                e.insert("expected".into(), json!(expected));
                e.insert("given".into(), json!(given));
            }
            Error::Watermark { found, expected } => {
                e.insert("found".into(), json!(found));
                e.insert("expected".into(), json!(expected));
            }
            Error::Decrypt { .. } | Error::Transport { .. } | Error::Usage { .. } => {}
        }
        e
    }
}

/// A short reason for an I/O error, without Rust's `(os error 2)` noise: the one wording of
/// I/O failures in messages.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_error_is_localised_when_rendered_not_when_made() {
        let err = Error::api(40029, "invalid code, rid: 1-2-3");
        let en = err.fields(Lang::En);
        let zh = err.fields(Lang::Zh);
        assert_eq!(en["meaning"], "invalid code");
        assert_eq!(zh["meaning"], "code 无效");
        assert_ne!(en["hint"], zh["hint"]);
        assert_eq!(zh["errcode"], 40029);
        assert_eq!(zh["errmsg"], "invalid code, rid: 1-2-3");
        assert!(
            zh["message"]
                .as_str()
                .unwrap_or_default()
                .contains("code 无效")
        );
        assert_eq!(err.to_string(), en["message"]);
    }

    #[test]
    fn every_kind_keeps_its_json_field_names() {
        let w = Error::Watermark {
            found: "wxA".into(),
            expected: "wxB".into(),
        }
        .fields(Lang::En);
        assert_eq!(
            (w["found"].clone(), w["expected"].clone()),
            ("wxA".into(), "wxB".into())
        );
        let s = Error::Signature {
            expected: "e".into(),
            given: "g".into(),
            hint: "h".into(),
        }
        .fields(Lang::En);
        assert_eq!(
            (s["kind"].clone(), s["given"].clone()),
            ("signature".into(), "g".into())
        );
        assert_eq!(Error::input("iv", "m", "h").fields(Lang::En)["field"], "iv");
    }
}

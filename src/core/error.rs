//! The one error type of the core: every failure carries a one-line message, a hint with the
//! likely cause, a stable `kind` for JSON output and the exit code it maps to.

use thiserror::Error;

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
    /// WeChat answered with a non-zero errcode (exit 4).
    #[error("WeChat answered errcode {errcode} ({meaning}): {errmsg}")]
    Api {
        errcode: i64,
        errmsg: String,
        meaning: String,
        hint: String,
    },
    /// The request never produced a WeChat answer (exit 5).
    #[error("{message}")]
    Transport { message: String, hint: String },
    /// A command-line combination clap cannot express (exit 2).
    #[error("{message}")]
    Usage { message: String, hint: String },
}

impl Error {
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

    pub fn hint(&self) -> String {
        match self {
            Error::Input { hint, .. }
            | Error::Decrypt { hint, .. }
            | Error::Signature { hint, .. }
            | Error::Api { hint, .. }
            | Error::Transport { hint, .. }
            | Error::Usage { hint, .. } => hint.clone(),
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

pub type Result<T, E = Error> = std::result::Result<T, E>;

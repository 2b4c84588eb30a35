//! Secrets as types: an appsecret, session_key or access_token can only be printed masked,
//! so a stray `{}` or `{:?}` cannot leak one. `expose()` is the one explicit way out.

use std::fmt;

use super::redact::mask;

#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The real value, for the wire and for crypto; never for display.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `tiih…hQ==`: enough to tell two keys apart, not enough to use one.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// As `shown`, by the redaction policy of the parameter `name` holds: an appsecret
    /// (`"secret"`) is hidden whole, as in trace URLs and the mock's journal.
    pub fn shown_as(&self, name: &str, reveal: bool) -> String {
        if reveal {
            self.0.clone()
        } else {
            super::redact::shown(name, &self.0).into_owned()
        }
    }

    /// The value as the user asked to see it: in full with `--reveal`, masked otherwise.
    pub fn shown(&self, reveal: bool) -> String {
        if reveal {
            self.0.clone()
        } else {
            self.masked()
        }
    }
}

/// Whether `value` is a masked display (`tiih…hQ==`, or `tiih...hQ==` after a terminal or
/// chat turned the ellipsis into dots) rather than a real key or secret.
pub fn looks_masked(value: &str) -> bool {
    let value = value.trim().trim_matches(|c| c == '\'' || c == '"');
    if value.contains('…') {
        return true;
    }
    // Real keys and secrets are base64 or hex: they never hold "...".
    value.len() == 11 && value.get(4..7) == Some("...")
}

/// The error for a masked value given where the real one is needed. Only a session_key has a
/// stored copy to point at; an appsecret or a token has to be given again.
pub fn masked_error(field: &str) -> crate::core::Error {
    let hint = if field.contains("session_key") || field.contains("session-key") {
        "use `--session OPENID` (or `--session last`) for a session_key code2session saved, or run the command that printed it with --reveal"
    } else if field.contains("access") {
        "give the token itself (`wxlogin --reveal token` prints one), or leave --access-token out and let wxlogin fetch one"
    } else {
        "give the value itself: the appsecret is in the console (Development → Development settings), best passed with --secret-file or --secret-stdin; or run the command that printed it with --reveal"
    };
    crate::core::Error::input(
        field,
        "this is wxlogin's masked display of a secret, not the secret itself",
        hint,
    )
}

/// Lets clap parse a secret flag straight into a `Secret`, so even `{:?}` of the parsed
/// arguments stays masked.
impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret::new(s))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_session_key_like_the_design_says() {
        let s = Secret::new("tiihtNczf5v6AKRyjwEUhQ==");
        assert!(!format!("{s:?}{s}").contains("tNczf5v6"));
        assert_eq!(s.shown(true), "tiihtNczf5v6AKRyjwEUhQ==");
    }

    #[test]
    fn recognises_its_own_masking() {
        for masked in [
            "tiih…hQ==",
            "'tiih…hQ=='",
            "…",
            "tiih...hQ==",
            " dcbf…f7d3\n",
        ] {
            assert!(looks_masked(masked), "{masked}");
        }
        assert!(looks_masked(&mask("4f9e21c0ffee0a1b2c3d4e5f60718293")));
        for real in [
            "tiihtNczf5v6AKRyjwEUhQ==",
            "4f9e21c0ffee0a1b2c3d4e5f60718293",
            "",
        ] {
            assert!(!looks_masked(real), "{real}");
        }
        assert_eq!(masked_error("session_key").exit_code(), 3);
    }
}

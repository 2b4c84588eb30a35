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

    /// The value as the user asked to see it: in full with `--reveal`, masked otherwise.
    pub fn shown(&self, reveal: bool) -> String {
        if reveal {
            self.0.clone()
        } else {
            self.masked()
        }
    }
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
}

//! An openid or unionid as the mock keeps it: inline when it fits (every generated one does,
//! and most a client names), on the heap otherwise; 32 bytes instead of 24 plus an allocation.

use std::fmt;
use std::ops::Deref;

/// Room for a generated id (28 characters) and then some.
const INLINE: usize = 30;

#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Id {
    Inline(u8, [u8; INLINE]),
    Heap(Box<str>),
}

impl Id {
    pub(crate) fn new(text: &str) -> Id {
        if text.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..text.len()].copy_from_slice(text.as_bytes());
            Id::Inline(text.len() as u8, buf)
        } else {
            Id::Heap(text.into())
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Always a whole copy of a `&str` (see `new`), so valid UTF-8.
            Id::Inline(len, buf) => std::str::from_utf8(&buf[..usize::from(*len)]).unwrap_or(""),
            Id::Heap(text) => text,
        }
    }
}

impl From<&str> for Id {
    fn from(text: &str) -> Id {
        Id::new(text)
    }
}

impl From<String> for Id {
    fn from(text: String) -> Id {
        Id::new(&text)
    }
}

impl Deref for Id {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_inline_long_ones_boxed_and_both_read_back() {
        assert_eq!(std::mem::size_of::<Id>(), 32);
        let generated = "oAbCdEfGhIjKlMnOpQrStUvWxYz0";
        assert!(matches!(Id::new(generated), Id::Inline(..)));
        assert_eq!(Id::new(generated).as_str(), generated);
        let long = "o".repeat(31);
        assert!(matches!(Id::new(&long), Id::Heap(_)));
        assert_eq!(Id::new(&long), long.as_str());
        assert_eq!(Id::new("").as_str(), "");
        assert_eq!(Id::new("名字🦊").to_string(), "名字🦊");
    }
}

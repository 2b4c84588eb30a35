//! Whole-file reads of sources someone else controls, stopped one byte past a stated size, so
//! `/dev/zero`, a runaway pipe or a wrong path ends at once instead of filling memory.

use std::io::Read;
use std::path::Path;

/// Reads `reader` to its end, or to one byte past `max`: then `None` (never more is read).
pub fn read_at_most(reader: impl Read, max: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() <= max).then_some(bytes))
}

/// A file as text, as `std::fs::read_to_string` reads it (same errors: not found, not UTF-8 is
/// `InvalidData`), or `None` when it holds more than `max` bytes.
pub fn read_text_at_most(path: &Path, max: usize) -> std::io::Result<Option<String>> {
    let Some(bytes) = read_at_most(std::fs::File::open(path)?, max)? else {
        return Ok(None);
    };
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// `WHAT holds more than N MiB` (or KiB): the one wording of a read stopped at its limit.
pub fn more_than(what: impl std::fmt::Display, max: usize) -> String {
    if max >= 1 << 20 && max.is_multiple_of(1 << 20) {
        format!("{what} holds more than {} MiB", max >> 20)
    } else {
        format!("{what} holds more than {} KiB", max >> 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_source_stops_one_byte_past_the_limit() {
        assert_eq!(read_at_most(std::io::repeat(0), 10).unwrap(), None);
        assert_eq!(
            read_at_most(&b"0123456789"[..], 10).unwrap().as_deref(),
            Some(&b"0123456789"[..])
        );
        assert_eq!(more_than("f", 1 << 20), "f holds more than 1 MiB");
        assert_eq!(more_than("f", 64 << 10), "f holds more than 64 KiB");
        #[cfg(unix)]
        assert!(
            read_text_at_most(Path::new("/dev/zero"), 1 << 20)
                .unwrap()
                .is_none()
        );
    }
}

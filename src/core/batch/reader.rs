//! Cuts a byte stream into chunks of whole lines, skipping a line too long to hold.

use std::io::{self, Read};

use super::{BOM, CHUNK_BYTES, CHUNK_LINES, MAX_LINE};

/// Cuts the input into chunks of whole lines.
pub(crate) struct LineReader<R> {
    src: R,
    carry: Vec<u8>,
    eof: bool,
    pub(crate) next_line: u64,
    first: bool,
}

impl<R: Read> LineReader<R> {
    pub(crate) fn new(src: R) -> Self {
        LineReader {
            src,
            carry: Vec::new(),
            eof: false,
            next_line: 1,
            first: true,
        }
    }

    /// Fills `buf` with the next whole lines; returns the line count and, for a line too
    /// long to hold, its length. `Ok(None)` at the end of the input.
    pub(crate) fn next_chunk(
        &mut self,
        buf: &mut Vec<u8>,
    ) -> io::Result<Option<(u64, Option<u64>)>> {
        buf.clear();
        buf.append(&mut self.carry);
        let mut scanned = 0;
        loop {
            while buf.len() < CHUNK_BYTES && !self.eof {
                self.read_more(buf, CHUNK_BYTES - buf.len())?;
            }
            if self.first {
                // A BOM (Windows editors write one) only ever starts the first line.
                if buf.starts_with(BOM) {
                    buf.drain(..BOM.len());
                }
                self.first = false;
            }
            let mut lines = 0;
            let mut cut = 0;
            for pos in memchr::memchr_iter(b'\n', &buf[scanned..]) {
                lines += 1;
                cut = scanned + pos + 1;
                if lines == CHUNK_LINES {
                    break;
                }
            }
            if lines > 0 {
                self.carry.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                return Ok(Some((lines as u64, None)));
            }
            if self.eof {
                return Ok(if buf.is_empty() {
                    None
                } else {
                    Some((1, None))
                });
            }
            if buf.len() > MAX_LINE {
                let len = buf.len() as u64 + self.skip_line(buf)?;
                buf.clear();
                return Ok(Some((1, Some(len))));
            }
            scanned = buf.len();
            self.read_more(buf, CHUNK_BYTES)?;
        }
    }

    /// Appends up to `want` bytes. `read_to_end` reads into the spare capacity without
    /// zeroing it first (files and stdin read into uninitialised memory).
    fn read_more(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
        buf.reserve(want);
        let n = (&mut self.src).take(want as u64).read_to_end(buf)?;
        if n < want {
            self.eof = true;
        }
        Ok(())
    }

    /// Discards the rest of an overlong line; what follows its newline is kept for the next
    /// chunk. Returns how many bytes were discarded.
    fn skip_line(&mut self, buf: &mut Vec<u8>) -> io::Result<u64> {
        let mut skipped = 0u64;
        loop {
            buf.clear();
            self.read_more(buf, CHUNK_BYTES)?;
            if let Some(pos) = memchr::memchr(b'\n', buf) {
                self.carry.extend_from_slice(&buf[pos + 1..]);
                return Ok(skipped + pos as u64 + 1);
            }
            skipped += buf.len() as u64;
            if self.eof {
                return Ok(skipped);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_cuts_whole_lines_and_skips_overlong_ones() {
        let mut input = Vec::new();
        input.extend_from_slice(BOM);
        input.extend_from_slice(b"a\n");
        let long = MAX_LINE + 2 * CHUNK_BYTES;
        input.extend(std::iter::repeat_n(b'x', long));
        input.extend_from_slice(b"\nb\nc");
        let mut reader = LineReader::new(&input[..]);
        let mut buf = Vec::new();
        assert_eq!(reader.next_chunk(&mut buf).unwrap(), Some((1, None)));
        assert_eq!(buf, b"a\n");
        assert_eq!(
            reader.next_chunk(&mut buf).unwrap(),
            Some((1, Some(long as u64 + 1)))
        );
        assert_eq!(reader.next_chunk(&mut buf).unwrap(), Some((1, None)));
        assert_eq!(buf, b"b\n");
        assert_eq!(reader.next_chunk(&mut buf).unwrap(), Some((1, None)));
        assert_eq!(buf, b"c");
        assert_eq!(reader.next_chunk(&mut buf).unwrap(), None);
    }
}

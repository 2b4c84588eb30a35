//! Batch decryption and signature checks over JSON Lines: one result line per input line, in
//! input order, streamed through worker threads with a fixed pool of reused buffers.

mod json_line;
mod pipeline;
mod reader;
mod record;
mod scan;
mod unescape;

pub use pipeline::run;
pub use record::{
    decrypt_record, decrypt_record_keyed, decrypt_record_reference, verify_record,
    verify_record_keyed, verify_record_reference,
};
pub use unescape::unescape_json_string;

use std::io;

/// Input bytes a worker gets at once; big enough that hand-offs cost nothing per record.
pub(crate) const CHUNK_BYTES: usize = 512 * 1024;
/// Caps the lines of a chunk too, so a file of tiny bad lines cannot blow up one output buffer.
pub(crate) const CHUNK_LINES: usize = 4096;
/// A longer line is reported as an error line and skipped; it is held in memory only up to
/// this size plus one chunk, never whole.
pub const MAX_LINE: usize = 4 * 1024 * 1024;
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Kinds a record can fail with, in the order the summary lists them.
/// `internal` counts records lost to a bug (a panic while checking them).
pub const FAILURE_KINDS: [&str; 5] = ["input", "decrypt", "watermark", "signature", "internal"];

/// What each record goes through.
#[derive(Debug, Clone, Copy)]
pub enum Mode<'a> {
    /// Decrypt `encryptedData`; `appid` is the watermark to expect when a line names none.
    Decrypt { appid: Option<&'a str> },
    /// Check `signature == sha1(rawData ‖ session_key)`.
    Verify,
}

#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub mode: Mode<'a>,
    /// Refuse mangled base64 instead of repairing it.
    pub strict: bool,
    /// Worker threads (at least one).
    pub jobs: usize,
    /// The session_key of lines that carry none (a log of captures plus one key).
    pub session_key: Option<&'a str>,
}

/// Counts of a run (or of one chunk of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Records processed (blank lines excluded).
    pub records: u64,
    pub ok: u64,
    /// Failures per kind, indexed like [`FAILURE_KINDS`].
    pub failed: [u64; 5],
    /// Blank lines: skipped, without an output line, but counted in line numbers.
    pub blank: u64,
    /// Input bytes consumed.
    pub bytes: u64,
}

impl Tally {
    pub fn failures(&self) -> u64 {
        self.failed.iter().sum()
    }

    pub(crate) fn add(&mut self, other: &Tally) {
        self.records += other.records;
        self.ok += other.ok;
        self.blank += other.blank;
        self.bytes += other.bytes;
        for (a, b) in self.failed.iter_mut().zip(other.failed) {
            *a += b;
        }
    }

    pub(crate) fn count(&mut self, verdict: Verdict) {
        self.records += 1;
        match verdict {
            Ok(()) => self.ok += 1,
            Err(kind) => {
                let i = FAILURE_KINDS.iter().position(|k| *k == kind).unwrap_or(0);
                self.failed[i] += 1;
            }
        }
    }
}

/// Why a run stopped early: the input could not be read, or the output not written.
#[derive(Debug)]
pub enum StreamError {
    Read(io::Error),
    Write(io::Error),
}

/// A record's verdict: `Err` names the failure kind.
pub type Verdict = std::result::Result<(), &'static str>;

/// Buffers one worker reuses for every record, so the steady state allocates nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) data: Vec<u8>,
    pub(crate) text: Vec<u8>,
    pub(crate) warnings: Vec<String>,
}

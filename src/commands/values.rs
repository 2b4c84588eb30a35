//! Command-line values given as text, `@path` or `-` (stdin, which only one value may take),
//! read into the strings the core works on.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::core::error::io_reason;
use crate::core::{Error, Result};

static STDIN_TAKEN: AtomicBool = AtomicBool::new(false);

/// The most a value read from a file or stdin may hold: twice the longest base64 field, room
/// for a `--from` capture around one. A longer source (or an endless one, `@/dev/zero`) is
/// refused with exit 3 after reading one byte past this, never read whole.
pub const MAX_VALUE_BYTES: usize = 2 * crate::core::input::MAX_BASE64_LEN;

/// Reads a value given as text, `@path` or `-` (stdin, usable once). One trailing newline of a
/// file or of stdin is dropped, as a shell's `$(cat file)` would.
pub fn read_value(field: &str, arg: &str) -> Result<String> {
    if arg == "-" {
        read_stdin(field)
    } else if let Some(path) = arg.strip_prefix('@') {
        read_file(field, path)
    } else {
        Ok(arg.to_string())
    }
}

/// Reads stdin whole (once per run), one trailing newline dropped.
pub fn read_stdin(field: &str) -> Result<String> {
    if STDIN_TAKEN.swap(true, Ordering::SeqCst) {
        return Err(Error::input(
            field,
            "stdin ('-') is already used by another value",
            "give at most one value as '-', and the others as text or @file",
        ));
    }
    let bytes = read_capped(field, "stdin", std::io::stdin().lock()).map_err(|e| {
        Error::input(
            field,
            format!("cannot read stdin: {}", io_reason(&e)),
            "pipe the value in",
        )
    })??;
    Ok(drop_final_newline(utf8(field, "stdin", bytes)?))
}

/// Reads a file whole, one trailing newline dropped.
pub fn read_file(field: &str, path: &str) -> Result<String> {
    let bytes = std::fs::File::open(path)
        .and_then(|f| read_capped(field, path, f))
        .map_err(|e| {
            Error::input(
                field,
                format!("cannot read {path}: {}", io_reason(&e)),
                "after '@' give the path of a readable file",
            )
        })??;
    Ok(drop_final_newline(utf8(field, path, bytes)?))
}

/// Reads at most [`MAX_VALUE_BYTES`]; one byte more is the error (so an endless source ends).
fn read_capped(field: &str, source: &str, reader: impl Read) -> std::io::Result<Result<Vec<u8>>> {
    Ok(
        crate::core::capped::read_at_most(reader, MAX_VALUE_BYTES)?.ok_or_else(|| {
            Error::input(
                field,
                crate::core::capped::more_than(source, MAX_VALUE_BYTES),
                "a real value is at most a few hundred KB: give the file of that one value",
            )
        }),
    )
}

fn utf8(field: &str, source: &str, bytes: Vec<u8>) -> Result<String> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        Error::input(
            field,
            format!(
                "{source} is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            "give the value as text; binary data must be base64-encoded",
        )
    })
}

fn drop_final_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

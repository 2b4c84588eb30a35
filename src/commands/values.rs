//! Command-line values given as text, `@path` or `-` (stdin, which only one value may take),
//! read into the strings the core works on.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::core::error::io_reason;
use crate::core::{Error, Result};

static STDIN_TAKEN: AtomicBool = AtomicBool::new(false);

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
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
        Error::input(
            field,
            format!("cannot read stdin: {}", io_reason(&e)),
            "pipe the value in",
        )
    })?;
    Ok(drop_final_newline(utf8(field, "stdin", bytes)?))
}

/// Reads a file whole, one trailing newline dropped.
pub fn read_file(field: &str, path: &str) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::input(
            field,
            format!("cannot read {path}: {}", io_reason(&e)),
            "after '@' give the path of a readable file",
        )
    })?;
    Ok(drop_final_newline(utf8(field, path, bytes)?))
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

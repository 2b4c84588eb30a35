//! The JSON Lines writer of result lines. Hand-written so the plaintext passes through
//! untouched and nothing allocates per record: `decrypt/batch_record` in benches/core.rs.

use super::{MAX_LINE, Verdict};
use crate::core::errcode::Lang;
use crate::core::error::Error;

/// `id` is the record's raw JSON value as written (validated, trimmed).
pub(crate) fn begin_line(out: &mut Vec<u8>, line_no: u64, id: Option<&str>) {
    out.extend_from_slice(b"{\"line\":");
    out.extend_from_slice(itoa::Buffer::new().format(line_no).as_bytes());
    out.extend_from_slice(b",\"id\":");
    copy_on_one_line(out, id.unwrap_or("null").as_bytes());
}

/// Copies validated JSON, except that a line break (only possible as whitespace between
/// tokens: the reader splits on `\n`, but a caller of the library may not) becomes a space, to
/// keep one result per line.
fn copy_on_one_line(out: &mut Vec<u8>, json: &[u8]) {
    let start = out.len();
    out.extend_from_slice(json);
    if memchr::memchr2(b'\n', b'\r', json).is_some() {
        for b in &mut out[start..] {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
    }
}

pub(crate) fn write_warnings(out: &mut Vec<u8>, warnings: &[String]) {
    if !warnings.is_empty() {
        out.extend_from_slice(b",\"warnings\":");
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, warnings);
    }
}

/// The plaintext is already validated JSON.
pub(crate) fn write_data(out: &mut Vec<u8>, plain: &[u8]) {
    out.extend_from_slice(b",\"data\":");
    copy_on_one_line(out, plain);
}

pub(crate) fn write_failure(
    out: &mut Vec<u8>,
    line_no: u64,
    id: Option<&str>,
    err: &Error,
    warnings: &[String],
    data: Option<&[u8]>,
) -> Verdict {
    begin_line(out, line_no, id);
    out.extend_from_slice(b",\"ok\":false,\"error\":");
    // Batch errors are never API errors, the only ones with translated parts.
    let _ = serde_json::to_writer(&mut *out, &err.fields(Lang::En));
    write_warnings(out, warnings);
    if let Some(plain) = data {
        write_data(out, plain);
    }
    out.extend_from_slice(b"}\n");
    Err(err.kind())
}

pub(crate) fn oversized_line(out: &mut Vec<u8>, line_no: u64, len: u64) -> Verdict {
    let err = Error::input(
        "record",
        format!(
            "line is {len} bytes, longer than the {} MiB limit",
            MAX_LINE >> 20
        ),
        "a real record is a few KB: the file is probably not JSON Lines (one object per line)",
    );
    write_failure(out, line_no, None, &err, &[], None)
}

/// The line of a record whose check panicked: a bug, reported instead of losing the record.
pub(crate) fn internal_error_line(out: &mut Vec<u8>, line_no: u64) -> Verdict {
    begin_line(out, line_no, None);
    out.extend_from_slice(
        b",\"ok\":false,\"error\":{\"kind\":\"internal\",\"message\":\"checking this record panicked (a bug in wxlogin)\",\"hint\":\"please report it with the line (its secrets removed); the other records are unaffected\"}}\n",
    );
    Err("internal")
}

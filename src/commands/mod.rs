//! One module per subcommand: read the arguments, call the core, render the outcome. Each
//! `run` returns the exit code, or an error for `app` to render.

pub mod batch;
pub mod check_session;
pub mod code2session;
pub mod completions;
pub mod decrypt;
pub mod demo;
pub mod explain;
pub mod man;
pub mod mock_server;
pub mod net;
pub mod phone;
pub mod sessions;
pub mod simulate;
pub mod stored;
pub mod token;
pub mod values;
pub mod variants;
pub mod verify;

/// What a command returns: an exit code, or an error to render.
pub type Outcome = crate::core::Result<u8>;

/// Reads and parses a `--from` capture file (a path, or `-` for stdin).
pub fn read_capture(path: &str) -> crate::core::Result<crate::core::input::Capture> {
    let text = if path == "-" {
        values::read_stdin("--from")?
    } else {
        values::read_file("--from", path)?
    };
    let text = capture_json(path, &text)?;
    crate::core::input::parse_capture(path, &text)
}

/// A capture as JSON: JSON as it is, or the JavaScript literal DevTools' console copies,
/// converted. An array of captures is refused: those are what `--batch` reads.
fn capture_json(path: &str, text: &str) -> crate::core::Result<String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    let is_json = serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok();
    if trimmed.starts_with('[') {
        // jq reads JSON only: a console copy of a list has to be copied as JSON first.
        let hint = if is_json {
            "for many captures use --batch with one JSON object per line (e.g. `jq -c '.[]' FILE | wxlogin decrypt --batch -`)"
        } else {
            "for many captures use --batch with one JSON object per line; this list is a console copy, \
             not JSON, so copy it as JSON in DevTools (`copy(JSON.stringify(list))`), then \
             `jq -c '.[]' FILE | wxlogin decrypt --batch -`"
        };
        return Err(crate::core::Error::input(
            "--from",
            format!("{path} holds a list of captures; --from takes one"),
            hint,
        ));
    }
    if is_json {
        return Ok(trimmed.to_string());
    }
    // Not JSON: try it as a console copy; if that fails too, let the JSON error speak.
    Ok(crate::core::jslit::to_json(trimmed).unwrap_or_else(|_| trimmed.to_string()))
}

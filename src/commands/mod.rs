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
pub mod simulate;
pub mod token;
pub mod verify;

/// What a command returns: an exit code, or an error to render.
pub type Outcome = crate::core::Result<u8>;

/// Reads and parses a `--from` capture file (a path, or `-` for stdin).
pub fn read_capture(path: &str) -> crate::core::Result<crate::core::input::Capture> {
    let arg = if path == "-" {
        "-".to_string()
    } else {
        format!("@{path}")
    };
    let text = crate::core::input::read_value("--from", &arg)?;
    crate::core::input::parse_capture(path, &text)
}

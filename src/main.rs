//! The `wxlogin` binary: parse, run, exit with the code the run returned. The command-line
//! modules live here, private to the binary; the library is only `core` and `mock`.

mod app;
mod cli;
mod commands;
mod config;
mod output;
mod runtime;
mod scenario;
mod sessions;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::error::ErrorKind;
use wxlogin::{core, mock};

use crate::core::{Error, exit};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // Looked for among the raw arguments, since clap may have failed on any of them.
    let json = args.iter().any(|a| a == "--json");
    match cli::Cli::parse_args(&args) {
        Ok(cli) => ExitCode::from(app::run(cli)),
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            output::print_safe(&err.render().to_string());
            ExitCode::SUCCESS
        }
        Err(err) => {
            let rendered = err.render().to_string();
            // clap's message up to its usage block, folded onto one line.
            let message = rendered
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let message = message
                .strip_prefix("error: ")
                .unwrap_or(&message)
                .to_string();
            if json {
                let usage = Error::usage(message, "see `wxlogin --help`");
                output::Ctx::plain(true).report_error(&usage);
            } else if err.kind() == ErrorKind::InvalidUtf8 {
                // clap's own rendering of this one names no argument; say what to do instead.
                output::eprintln_safe(&format!(
                    "wxlogin: error: {message} — arguments must be UTF-8 text; see `wxlogin --help`"
                ));
            } else {
                let _ = err.print();
            }
            ExitCode::from(exit::USAGE)
        }
    }
}

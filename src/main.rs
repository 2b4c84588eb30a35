//! The `wxlogin` binary: parse, run, exit with the code the run returned.

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use wxlogin::core::{Error, exit};
use wxlogin::output;

fn main() -> ExitCode {
    match wxlogin::cli::Cli::try_parse() {
        Ok(cli) => ExitCode::from(wxlogin::app::run(cli)),
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            output::print_safe(&err.render().to_string());
            ExitCode::SUCCESS
        }
        Err(err) if std::env::args().any(|a| a == "--json") => {
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
            let usage = Error::usage(message, "see `wxlogin --help`");
            output::Ctx::plain(true).report_error(&usage);
            ExitCode::from(exit::USAGE)
        }
        Err(err) => {
            let _ = err.print();
            ExitCode::from(exit::USAGE)
        }
    }
}

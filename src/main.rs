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
            let message = err.kind().to_string();
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

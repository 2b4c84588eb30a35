//! From parsed arguments to an exit code: build the output context, run the command, render
//! any error once, in the form the user asked for.

use crate::cli::{Cli, Command};
use crate::commands;
use crate::output::Ctx;

/// Runs one invocation and returns its exit code (see `cli::EXIT_CODES`).
pub fn run(cli: Cli) -> u8 {
    let ctx = Ctx::from_cli(&cli.global);
    let result = match cli.command {
        Command::Code2session(args) => commands::code2session::run(&ctx, args),
        Command::VerifySignature(args) => commands::verify::run(&ctx, args),
        Command::Decrypt(args) => commands::decrypt::run(&ctx, args),
        Command::MockServer(args) => commands::mock_server::run(&ctx, args),
        Command::Demo(args) => commands::demo::run(&ctx, args),
        Command::Simulate(args) => commands::simulate::run(&ctx, args),
        Command::Token(args) => commands::token::run(&ctx, args),
        Command::CheckSession(args) => commands::check_session::run(&ctx, args),
        Command::Phone(args) => commands::phone::run(&ctx, args),
        Command::Explain(args) => commands::explain::run(&ctx, args),
        Command::Completions(args) => commands::completions::run(&ctx, args),
        Command::Sessions(args) => commands::sessions::run(&ctx, args),
        Command::Man(args) => commands::man::run(&ctx, args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            ctx.report_error(&err);
            err.exit_code()
        }
    }
}

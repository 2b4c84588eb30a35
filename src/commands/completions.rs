//! `wxlogin completions SHELL`: the completion script, generated from the one CLI definition.

use clap::CommandFactory;

use super::Outcome;
use crate::cli::{Cli, CompletionsArgs};
use crate::core::exit;
use crate::output::{Ctx, print_safe};

/// The completion script for a shell, exactly as `completions/` holds it.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "wxlogin", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

pub fn run(_ctx: &Ctx, args: CompletionsArgs) -> Outcome {
    print_safe(&script(args.shell));
    Ok(exit::OK)
}

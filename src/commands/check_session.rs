//! `wxlogin check-session` (not built yet).

use super::Outcome;
use crate::cli::CheckSessionArgs;
use crate::core::Error;
use crate::output::Ctx;

pub fn run(_ctx: &Ctx, _args: CheckSessionArgs) -> Outcome {
    Err(Error::usage(
        "not implemented yet",
        "see the project's open issues",
    ))
}

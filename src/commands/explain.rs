//! `wxlogin explain` (not built yet).

use super::Outcome;
use crate::cli::ExplainArgs;
use crate::core::Error;
use crate::output::Ctx;

pub fn run(_ctx: &Ctx, _args: ExplainArgs) -> Outcome {
    Err(Error::usage(
        "not implemented yet",
        "see the project's open issues",
    ))
}

//! `wxlogin simulate` (not built yet).

use super::Outcome;
use crate::cli::SimulateArgs;
use crate::core::Error;
use crate::output::Ctx;

pub fn run(_ctx: &Ctx, _args: SimulateArgs) -> Outcome {
    Err(Error::usage(
        "not implemented yet",
        "see the project's open issues",
    ))
}

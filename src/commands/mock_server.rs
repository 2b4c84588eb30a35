//! `wxlogin mock-server` (not built yet).

use super::Outcome;
use crate::cli::MockServerArgs;
use crate::core::Error;
use crate::output::Ctx;

pub fn run(_ctx: &Ctx, _args: MockServerArgs) -> Outcome {
    Err(Error::usage(
        "not implemented yet",
        "see the project's open issues",
    ))
}

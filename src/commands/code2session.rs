//! `wxlogin code2session` (not built yet).

use super::Outcome;
use crate::cli::Code2SessionArgs;
use crate::core::Error;
use crate::output::Ctx;

pub fn run(_ctx: &Ctx, _args: Code2SessionArgs) -> Outcome {
    Err(Error::usage(
        "not implemented yet",
        "see the project's open issues",
    ))
}

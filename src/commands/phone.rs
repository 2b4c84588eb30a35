//! `wxlogin phone` (not built yet).

use super::Outcome;
use crate::cli::PhoneArgs;
use crate::core::Error;
use crate::output::Ctx;

pub fn run(_ctx: &Ctx, _args: PhoneArgs) -> Outcome {
    Err(Error::usage(
        "not implemented yet",
        "see the project's open issues",
    ))
}

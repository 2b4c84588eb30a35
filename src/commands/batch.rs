//! `--batch` for decrypt and verify-signature (not built yet).

use super::Outcome;
use crate::cli::{DecryptArgs, VerifyArgs};
use crate::core::Error;
use crate::output::Ctx;

pub fn decrypt(_ctx: &Ctx, _source: &str, _args: &DecryptArgs) -> Outcome {
    Err(Error::usage(
        "--batch is not implemented yet",
        "see the project's open issues",
    ))
}

pub fn verify(_ctx: &Ctx, _source: &str, _args: &VerifyArgs) -> Outcome {
    Err(Error::usage(
        "--batch is not implemented yet",
        "see the project's open issues",
    ))
}

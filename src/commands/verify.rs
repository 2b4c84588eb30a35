//! `wxlogin verify-signature`: does `signature == sha1(rawData ‖ session_key)`?

use colored::Colorize;
use serde_json::json;

use super::Outcome;
use super::values::read_value;
use crate::cli::VerifyArgs;
use crate::core::exit;
use crate::core::userdata;
use crate::output::{Ctx, println_safe};

pub fn run(ctx: &Ctx, args: VerifyArgs) -> Outcome {
    if let Some(source) = &args.batch.batch {
        return super::batch::verify(ctx, source, &args);
    }
    let (raw_data, signature) = match &args.from {
        Some(path) => {
            let capture = super::read_capture(path)?;
            let missing = |field: &str| {
                crate::core::Error::input(
                    "--from",
                    format!("{path} has no {field} (looked at the top level and under \"detail\")"),
                    "capture the whole wx.getUserInfo result object (withCredentials: true)",
                )
            };
            (
                capture.raw_data.ok_or_else(|| missing("rawData"))?,
                capture.signature.ok_or_else(|| missing("signature"))?,
            )
        }
        None => (
            read_value("rawData", args.raw_data.as_deref().unwrap_or_default())?,
            read_value("signature", args.signature.as_deref().unwrap_or_default())?,
        ),
    };
    let (key, _) =
        super::stored::session_key(args.session_key.as_deref(), args.session.as_deref())?
            .unwrap_or_default();
    let mut warnings = Vec::new();
    let result =
        userdata::verify_signature(&raw_data, &signature, &key, args.strict, &mut warnings);
    ctx.warn_all(&warnings);
    let check = result?;
    if ctx.json {
        ctx.emit_json(json!({"ok": true, "signature": check.given, "expected": check.expected}));
    } else {
        println_safe(&format!(
            "{} signature matches ({})",
            ctx.paint_out("✓", |s| s.green().bold()),
            check.given
        ));
    }
    Ok(exit::OK)
}

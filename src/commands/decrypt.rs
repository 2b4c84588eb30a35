//! `wxlogin decrypt`: open encryptedData with a session_key and iv, show the plaintext and
//! what its watermark says.

use colored::Colorize;
use serde_json::{Value, json};

use super::Outcome;
use super::values::read_value;
use crate::cli::DecryptArgs;
use crate::core::clock::unix_now;
use crate::core::userdata::{self, Decrypted};
use crate::core::{Error, exit};
use crate::output::{Ctx, describe_timestamp, print_safe, println_safe};

pub fn run(ctx: &Ctx, args: DecryptArgs) -> Outcome {
    if let Some(source) = &args.batch.batch {
        return super::batch::decrypt(ctx, source, &args);
    }
    let (iv, data) = match &args.from {
        Some(path) => {
            let capture = super::read_capture(path)?;
            (
                capture.iv.ok_or_else(|| missing_in_capture(path, "iv"))?,
                capture
                    .encrypted_data
                    .ok_or_else(|| missing_in_capture(path, "encryptedData"))?,
            )
        }
        None => (
            read_value("iv", args.iv.as_deref().unwrap_or_default())?,
            read_value(
                "encryptedData",
                args.encrypted_data.as_deref().unwrap_or_default(),
            )?,
        ),
    };
    let (key, stored) =
        super::stored::session_key(args.session_key.as_deref(), args.session.as_deref())?
            .unwrap_or_default();
    // A stored session knows its app: its watermark is the one to expect.
    let expected_from = if args.appid.is_none() && stored.is_some() {
        "--appid, from the session"
    } else {
        "--appid"
    };
    let appid = args.appid.clone().or(stored.map(|s| s.appid));
    let mut warnings = Vec::new();
    let result = userdata::decrypt_user_data(
        &key,
        &iv,
        &data,
        appid.as_deref(),
        args.strict,
        &mut warnings,
    );
    ctx.warn_all(&warnings);
    let decrypted = result?;
    let verdict = decrypted.watermark_verdict.result();
    if ctx.json {
        let mut doc = json!({
            "ok": verdict.is_ok(),
            "data": parse_plaintext(&decrypted.plaintext),
            "watermark": watermark_json(&decrypted),
        });
        if let Err(err) = &verdict {
            doc["error"] = crate::output::error_document(err, ctx.lang)["error"].clone();
        }
        ctx.emit_json(doc);
        return Ok(verdict.map_or_else(|e| e.exit_code(), |()| exit::OK));
    }
    if args.raw {
        print_safe(&decrypted.plaintext);
    } else {
        let pretty = serde_json::to_string_pretty(&parse_plaintext(&decrypted.plaintext))
            .unwrap_or_else(|_| decrypted.plaintext.clone());
        println_safe(&pretty);
    }
    ctx.note(&watermark_line(ctx, &decrypted, expected_from));
    match verdict {
        Ok(()) => Ok(exit::OK),
        Err(err) => Err(err),
    }
}

fn missing_in_capture(path: &str, field: &str) -> Error {
    Error::input(
        "--from",
        format!("{path} has no {field} (looked at the top level and under \"detail\")"),
        "capture the whole wx.getUserInfo / getPhoneNumber result object",
    )
}

/// The plaintext as JSON, keeping its key order; it was already checked to be JSON.
fn parse_plaintext(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn watermark_json(d: &Decrypted) -> Value {
    match &d.watermark {
        Some(w) => {
            json!({"appid": w.appid, "timestamp": w.timestamp, "matches": d.watermark_verdict.matches()})
        }
        None => json!({"appid": null, "timestamp": null, "matches": d.watermark_verdict.matches()}),
    }
}

/// `expected_from` says where the expected appid came from: `--appid` or a stored session.
fn watermark_line(ctx: &Ctx, d: &Decrypted, expected_from: &str) -> String {
    let Some(w) = &d.watermark else {
        return ctx.paint_err("watermark: none in this payload", |s| s.yellow());
    };
    let verdict = match d.watermark_verdict.matches() {
        Some(true) => ctx.paint_err(&format!("matches {expected_from}"), |s| s.green()),
        Some(false) => ctx.paint_err(&format!("does NOT match {expected_from}"), |s| {
            s.red().bold()
        }),
        None => "not checked: pass --appid to check it".to_string(),
    };
    format!(
        "watermark: appid {} ({verdict}) · made {}",
        w.appid,
        describe_timestamp(w.timestamp, unix_now())
    )
}

//! `wxlogin phone`: exchange the getPhoneNumber button's code for the phone number
//! (`/wxa/business/getuserphonenumber`).

use colored::Colorize;
use serde_json::{Value, json};

use super::Outcome;
use super::net;
use crate::cli::PhoneArgs;
use crate::core::clock::unix_now;
use crate::core::{Error, exit};
use crate::output::{Ctx, describe_timestamp, println_safe};
use crate::runtime::block_on;

pub fn run(ctx: &Ctx, args: PhoneArgs) -> Outcome {
    let code = args.code.trim().to_string();
    if code.is_empty() {
        return Err(Error::input(
            "--code",
            "is empty",
            "pass e.detail.code from the getPhoneNumber button's event (usable once)",
        ));
    }
    let (mut settings, client) = net::connect(ctx, &args.api)?;
    let source = net::token_source(
        ctx,
        &mut settings,
        args.access_token.as_ref().map(|t| t.expose()),
        &args.credentials,
    )?;
    let info = block_on(async {
        let token = net::access_token(&client, source).await?;
        client.phone_number(&token, &code).await
    })?
    .map_err(phone_code_hint)?;
    if ctx.json {
        ctx.emit_json(json!({"ok": true, "phone_info": info}));
        return Ok(exit::OK);
    }
    let label = |name: &str| ctx.paint_out(&format!("{name:<16}"), |s| s.bold());
    for field in ["phoneNumber", "purePhoneNumber", "countryCode"] {
        let value = match info.get(field) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => "—".to_string(),
            Some(other) => other.to_string(),
        };
        println_safe(&format!("{} {value}", label(field)));
    }
    if let Some(w) = info.get("watermark") {
        let appid = w.get("appid").and_then(Value::as_str).unwrap_or("—");
        let made = w
            .get("timestamp")
            .and_then(Value::as_i64)
            .map_or("—".to_string(), |t| describe_timestamp(t, unix_now()));
        println_safe(&format!(
            "{} appid {appid} · made {made}",
            label("watermark")
        ));
    }
    Ok(exit::OK)
}

/// The errcode table's code advice is about wx.login codes; a phone code comes from the button.
fn phone_code_hint(err: Error) -> Error {
    let hint = match &err {
        Error::Api { errcode: 40163, .. } => {
            "a phone code works once: something already exchanged it (your backend, a retry); \
             have the user tap the getPhoneNumber button again and exchange the new e.detail.code exactly once \
             (wx.login codes are not phone codes)"
        }
        Error::Api { errcode: 40029, .. } => {
            "the phone code is unknown or expired (5 minutes): have the user tap the getPhoneNumber button \
             again and exchange e.detail.code at once; a wx.login code is not a phone code"
        }
        _ => return err,
    };
    err.with_api_note(crate::core::ApiNote::Hint(hint.to_string()))
}

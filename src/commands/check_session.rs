//! `wxlogin check-session`: is the session_key a server stored still the user's current one?
//! WeChat answers through `/wxa/checksession`; 87009 means a later wx.login rotated it.

use colored::Colorize;
use serde_json::json;

use super::Outcome;
use super::net;
use crate::cli::CheckSessionArgs;
use crate::core::userdata::canonical_session_key;
use crate::core::{Error, Secret, exit};
use crate::output::{Ctx, error_document, println_safe};
use crate::runtime::block_on;

/// WeChat's answer when the signature, hence the key, is not the current one.
const STALE: i64 = 87009;

pub fn run(ctx: &Ctx, args: CheckSessionArgs) -> Outcome {
    let (text, stored) =
        super::stored::session_key(args.session_key.as_deref(), args.session.as_deref())?
            .unwrap_or_default();
    let openid = match (&args.openid, &stored) {
        (Some(openid), _) => openid.trim().to_string(),
        (None, Some(stored)) => stored.openid.clone(),
        (None, None) => String::new(),
    };
    if openid.is_empty() {
        return Err(Error::input(
            "--openid",
            "is empty",
            "pass the openid code2session returned for this user",
        ));
    }
    let mut warnings = Vec::new();
    // The signature is over the key's text: repair mangled base64 first, or every check says 87009.
    let canonical = canonical_session_key(&text, false, &mut warnings);
    ctx.warn_all(&warnings);
    let session_key = Secret::new(canonical?);
    // A stored session knows its app and server: they are the defaults to ask.
    let mut api = args.api.clone();
    let mut credentials = args.credentials.clone();
    if let Some(stored) = &stored {
        api.base_url.get_or_insert_with(|| stored.base_url.clone());
        credentials
            .appid
            .get_or_insert_with(|| stored.appid.clone());
    }
    let (mut settings, client) = net::connect(ctx, &api)?;
    let source = net::token_source(
        ctx,
        &mut settings,
        args.access_token.as_ref().map(|t| t.expose()),
        &credentials,
    )?;
    let verdict = block_on(async {
        let token = net::access_token(&client, source).await?;
        client.check_session(&token, &openid, &session_key).await
    })?;
    let shown_key = session_key.shown(ctx.reveal);
    match verdict {
        Ok(()) => {
            if ctx.json {
                ctx.emit_json(json!({"ok": true, "current": true, "openid": openid}));
            } else {
                println_safe(&format!(
                    "{} still current: session_key {shown_key} is the current one for openid {openid}",
                    ctx.paint_out("✓", |s| s.green().bold()),
                ));
            }
            Ok(exit::OK)
        }
        Err(err @ Error::Api { errcode: STALE, .. }) => {
            if ctx.json {
                let mut doc = error_document(&err, ctx.lang);
                doc["current"] = json!(false);
                doc["openid"] = json!(openid);
                ctx.emit_json(doc);
            } else {
                println_safe(&format!(
                    "{} stale: {STALE} — session_key {shown_key} is no longer the current one for openid {openid}",
                    ctx.paint_out("✗", |s| s.red().bold()),
                ));
                ctx.note(&format!("hint: {}", err.hint()));
            }
            Ok(exit::API)
        }
        Err(err) => Err(err),
    }
}

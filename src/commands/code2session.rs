//! `wxlogin code2session`: exchange a wx.login code for openid and session_key, and say what
//! to run next with them.

use colored::Colorize;
use serde_json::json;

use super::net::{self, shell_quote};
use super::{Outcome, variants};
use crate::cli::Code2SessionArgs;
use crate::core::exit;
use crate::core::platform::Platform;
use crate::output::{Ctx, println_safe};
use crate::runtime::block_on;

pub fn run(ctx: &Ctx, args: Code2SessionArgs) -> Outcome {
    if let Some(outcome) = variants::dispatch(ctx, &args) {
        return outcome;
    }
    let platform = variants::platform_of(&args)?;
    let code = variants::code_of(&args, platform)?;
    let (mut settings, client) = variants::connect(ctx, &args.api, platform)?;
    let creds = settings.credentials(&args.credentials)?;
    net::flush(ctx, &mut settings);
    let session = block_on(client.code2session(&creds.appid, &creds.secret, &code))?
        .map_err(|e| e.with_api_platform(platform))?;
    let key = session.session_key.shown(ctx.reveal);
    let saved = if args.no_save {
        None
    } else {
        // The code is spent either way: a store that cannot be written must not hide the answer.
        save(&creds.appid, &session, client.base_url())
            .map_err(|e| {
                ctx.warn(&format!(
                    "session not saved: {}",
                    crate::output::one_line(&e, ctx.lang)
                ))
            })
            .ok()
    };
    if ctx.json {
        let mut doc = json!({
            "ok": true,
            "openid": session.openid,
            "session_key": key,
            "unionid": session.unionid,
            "session_key_masked": !ctx.reveal,
            "saved": saved.as_ref().map(|p| p.display().to_string()),
        });
        if platform != Platform::Wechat {
            doc["platform"] = json!(platform.name());
        }
        ctx.emit_json(doc);
        return Ok(exit::OK);
    }
    let label = |name: &str| ctx.paint_out(&format!("{name:<12}"), |s| s.bold());
    println_safe(&format!("{} {}", label("openid"), session.openid));
    println_safe(&format!(
        "{} {}",
        label("unionid"),
        session.unionid.as_deref().unwrap_or(
            "— (none: the app is not bound to an open-platform account, or the user has no unionid yet)"
        )
    ));
    let masked_note = if ctx.reveal {
        String::new()
    } else {
        ctx.paint_out("  (masked: --reveal shows it)", |s| s.dimmed())
    };
    println_safe(&format!("{} {key}{masked_note}", label("session_key")));
    let openid = shell_quote(&session.openid);
    let appid = shell_quote(&creds.appid);
    // The saved session stands for the key, so the lines work as printed; without it only a
    // revealed key can.
    let (with_key, footer) = match &saved {
        Some(path) => (
            format!("--session {openid}"),
            format!("\n(saved to {}; `wxlogin sessions` lists the saved ones)", path.display()),
        ),
        None if ctx.reveal => (
            format!("--session-key {}", shell_quote(&key)),
            String::new(),
        ),
        None if args.no_save => (
            format!("--session-key {}", shell_quote(&key)),
            "\n(not saved, and the key is masked in these lines: run without --no-save, or with --reveal)".to_string(),
        ),
        // The store failed (warned above): this code is spent, so say what saves the next one.
        None => (
            format!("--session-key {}", shell_quote(&key)),
            "\n(not saved: see the warning above; the key is masked in these lines and this code is spent: \
             fix the sessions store, or pass --reveal, before exchanging the next code)"
                .to_string(),
        ),
    };
    let check = if saved.is_some() {
        with_key.clone()
    } else {
        format!("--openid {openid} {with_key}")
    };
    let next = format!(
        "\nnext, with what wx.getUserInfo / getPhoneNumber gave the client:\n  \
         wxlogin decrypt {with_key} --iv IV --encrypted-data DATA --appid {appid}\n  \
         wxlogin verify-signature {with_key} --raw-data RAW_DATA --signature SIGNATURE\n\
         later, to ask whether this key is still the user's current one:\n  \
         wxlogin check-session {check}{footer}"
    );
    ctx.note(&match platform {
        Platform::Qq => next.replace("wx.getUserInfo", "qq.getUserInfo"),
        _ => next,
    });
    Ok(exit::OK)
}

/// Keeps the exchange in the sessions store; returns where.
fn save(
    appid: &str,
    session: &crate::core::model::Session,
    base_url: &str,
) -> crate::core::Result<std::path::PathBuf> {
    let store = crate::sessions::open()?;
    store.add(crate::sessions::StoredSession {
        appid: appid.to_string(),
        openid: session.openid.clone(),
        unionid: session.unionid.clone(),
        session_key: session.session_key.expose().to_string(),
        platform: "miniprogram".to_string(),
        base_url: base_url.to_string(),
        time: crate::core::clock::unix_now(),
    })?;
    Ok(store.path)
}

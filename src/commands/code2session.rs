//! `wxlogin code2session`: exchange a wx.login code for openid and session_key, and say what
//! to run next with them.

use colored::Colorize;
use serde_json::json;

use super::net::{self, shell_quote};
use super::{Outcome, variants};
use crate::cli::Code2SessionArgs;
use crate::core::exit;
use crate::core::platform::Platform;
use crate::core::variants::explain_for;
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
        .map_err(|e| explain_for(e, platform))?;
    let key = session.session_key.shown(ctx.reveal);
    if ctx.json {
        let mut doc = json!({
            "ok": true,
            "openid": session.openid,
            "session_key": key,
            "unionid": session.unionid,
            "session_key_masked": !ctx.reveal,
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
    let key = shell_quote(&key);
    let appid = shell_quote(&creds.appid);
    let next = format!(
        "\nnext, with what wx.getUserInfo / getPhoneNumber gave the client:\n  \
         wxlogin decrypt --session-key {key} --iv IV --encrypted-data DATA --appid {appid}\n  \
         wxlogin verify-signature --session-key {key} --raw-data RAW_DATA --signature SIGNATURE\n\
         later, to ask whether this key is still the user's current one:\n  \
         wxlogin check-session --openid {} --session-key {key}{}",
        shell_quote(&session.openid),
        if ctx.reveal {
            ""
        } else {
            "\n(the key is masked in these lines: run with --reveal to get it)"
        }
    );
    ctx.note(&match platform {
        Platform::Qq => next.replace("wx.getUserInfo", "qq.getUserInfo"),
        _ => next,
    });
    Ok(exit::OK)
}

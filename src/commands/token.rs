//! `wxlogin token`: an access token from `/cgi-bin/token`, or `/cgi-bin/stable_token` with
//! `--stable`.

use colored::Colorize;
use serde_json::json;

use super::Outcome;
use super::net;
use crate::cli::TokenArgs;
use crate::core::exit;
use crate::output::{Ctx, println_safe};
use crate::runtime::block_on;

pub fn run(ctx: &Ctx, args: TokenArgs) -> Outcome {
    let (mut settings, client) = net::connect(ctx, &args.api)?;
    let creds = settings.credentials(&args.credentials)?;
    net::flush(ctx, &mut settings);
    if !args.stable {
        ctx.warn(
            "GET /cgi-bin/token replaces the app's current token (the old one dies 5 minutes later), \
             which can break a server caching it; --stable leaves it valid",
        );
    }
    let token = block_on(async {
        if args.stable {
            client
                .stable_token(&creds.appid, &creds.secret, args.force_refresh)
                .await
        } else {
            client.access_token(&creds.appid, &creds.secret).await
        }
    })??;
    let shown = token.access_token.shown(ctx.reveal);
    if ctx.json {
        ctx.emit_json(json!({
            "ok": true,
            "access_token": shown,
            "expires_in": token.expires_in,
            "stable": args.stable,
            "access_token_masked": !ctx.reveal,
        }));
        return Ok(exit::OK);
    }
    let label = |name: &str| ctx.paint_out(&format!("{name:<13}"), |s| s.bold());
    let masked_note = if ctx.reveal {
        String::new()
    } else {
        ctx.paint_out("  (masked: --reveal shows it)", |s| s.dimmed())
    };
    println_safe(&format!("{} {shown}{masked_note}", label("access_token")));
    println_safe(&format!(
        "{} {} s{}",
        label("expires_in"),
        token.expires_in,
        describe_lifetime(token.expires_in)
    ));
    Ok(exit::OK)
}

fn describe_lifetime(secs: i64) -> String {
    match secs {
        s if s >= 3600 && s % 3600 == 0 => format!(" ({} h)", s / 3600),
        s if s >= 60 => format!(" ({} min)", s / 60),
        _ => String::new(),
    }
}

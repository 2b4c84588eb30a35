//! `wxlogin code2session` for the rest of the family: third-party platform (component), WeCom,
//! Douyin, and the platform's API host for QQ; rendering alike for all of them.

use colored::Colorize;
use serde_json::json;

use super::Outcome;
use super::net::{self, shell_quote};
use super::values::read_value;
use crate::cli::{ApiArgs, Code2SessionArgs};
use crate::config::Settings;
use crate::core::api::{Client, DEFAULT_BASE_URL};
use crate::core::platform::Platform;
use crate::core::variants::DouyinCode;
use crate::core::{Error, Result, Secret, exit};
use crate::output::{Ctx, println_safe};
use crate::runtime::block_on;

/// The platform the arguments select: `--wecom` and `--anonymous-code` imply theirs.
pub fn platform_of(args: &Code2SessionArgs) -> Result<Platform> {
    let v = &args.variant;
    let given = Platform::from(v.platform);
    let implied = if v.wecom {
        Some(Platform::Wecom)
    } else if v.anonymous_code.is_some() {
        Some(Platform::Douyin)
    } else if v.component_appid.is_some() {
        Some(Platform::Wechat)
    } else {
        None
    };
    match implied {
        Some(p) if given != Platform::Wechat && given != p => Err(Error::usage(
            format!("--platform {given} does not go with this variant ({p})"),
            "--wecom is WeCom, --anonymous-code Douyin, --component-appid WeChat's third-party platform",
        )),
        Some(p) => Ok(p),
        None => Ok(given),
    }
}

/// Handles the variants that are not WeChat's own jscode2session; `None` leaves the call to
/// the plain path (WeChat and QQ).
pub fn dispatch(ctx: &Ctx, args: &Code2SessionArgs) -> Option<Outcome> {
    let platform = match platform_of(args) {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    let v = &args.variant;
    let outcome = if v.component_appid.is_some() {
        component(ctx, args)
    } else {
        match platform {
            Platform::Wecom => wecom(ctx, args),
            Platform::Douyin => douyin(ctx, args),
            Platform::Wechat | Platform::Qq => return None,
        }
    };
    Some(outcome.map_err(|e| e.with_api_platform(platform)))
}

/// As `net::connect`, with the platform's host when neither a flag, the environment nor the
/// profile names a base URL.
pub fn connect(ctx: &Ctx, api: &ApiArgs, platform: Platform) -> Result<(Settings, Client)> {
    let mut api = api.clone();
    if platform != Platform::Wechat && api.base_url.as_deref().is_none_or(str::is_empty) {
        let mut probe = Settings::load(ctx.profile.as_deref())?;
        if probe.base_url(None) == DEFAULT_BASE_URL {
            api.base_url = Some(platform.base_url().to_string());
        }
    }
    net::connect(ctx, &api)
}

/// The code to exchange, not empty.
pub fn code_of(args: &Code2SessionArgs, platform: Platform) -> Result<String> {
    let given = match &args.variant.anonymous_code {
        Some(c) if !c.trim().is_empty() => Some(c.as_str()),
        _ => args.code.as_deref(),
    };
    let code = given.map(str::trim).unwrap_or_default();
    if code.is_empty() {
        return Err(Error::input(
            "--code",
            "is empty",
            format!(
                "pass the code {} gave the client (valid 5 minutes, usable once)",
                platform.login_call()
            ),
        ));
    }
    Ok(code.to_string())
}

fn secret_value(flag: &str, arg: &str) -> Result<Secret> {
    let text = read_value(flag, arg)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::input(flag, "is empty", "give the value, @path or -"));
    }
    Ok(Secret::new(text))
}

fn component(ctx: &Ctx, args: &Code2SessionArgs) -> Outcome {
    let v = &args.variant;
    let component_appid = v.component_appid.as_deref().unwrap_or_default().trim();
    if component_appid.is_empty() {
        return Err(Error::input(
            "--component-appid",
            "is empty",
            "give the third-party platform's appid",
        ));
    }
    let code = code_of(args, Platform::Wechat)?;
    let (mut settings, client) = connect(ctx, &args.api, Platform::Wechat)?;
    let appid = settings.appid(&args.credentials)?;
    net::flush(ctx, &mut settings);
    let token = match (&v.component_token, &v.component_secret, &v.component_ticket) {
        (Some(token), _, _) => Ok(secret_value("--component-token", token)?),
        (None, Some(secret), Some(ticket)) => Err((
            secret_value("--component-secret", secret)?,
            secret_value("--component-ticket", ticket)?,
        )),
        _ => {
            return Err(Error::usage(
                "--component-appid needs --component-token, or --component-secret with --component-ticket",
                "the token comes from POST /cgi-bin/component/api_component_token; the ticket is the one WeChat pushes to the platform's callback (the mock serves it at /mock/component_verify_ticket)",
            ));
        }
    };
    let session = block_on(async {
        let token = match token {
            Ok(token) => token,
            Err((secret, ticket)) => {
                client
                    .component_token(component_appid, &secret, &ticket)
                    .await?
                    .access_token
            }
        };
        client
            .component_code2session(&appid, &code, component_appid, &token)
            .await
    })??;
    let key = session.session_key.shown(ctx.reveal);
    if ctx.json {
        ctx.emit_json(json!({
            "ok": true,
            "platform": "wechat",
            "component_appid": component_appid,
            "appid": appid,
            "openid": session.openid,
            "session_key": key,
            "unionid": session.unionid,
            "session_key_masked": !ctx.reveal,
        }));
        return Ok(exit::OK);
    }
    print_fields(
        ctx,
        &[
            ("appid", Some(appid.clone())),
            ("component", Some(component_appid.to_string())),
            ("openid", Some(session.openid.clone())),
            ("unionid", session.unionid.clone()),
        ],
        &key,
    );
    next_steps(ctx, &key, &appid, Some(&session.openid));
    Ok(exit::OK)
}

fn wecom(ctx: &Ctx, args: &Code2SessionArgs) -> Outcome {
    let corpid = args
        .variant
        .corpid
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            Error::usage(
                "WeCom needs --corpid (or WXLOGIN_CORPID)",
                "the corp id starts with 'ww' (WeCom admin console, My Company); the corpsecret comes like an appsecret: --secret-file, --secret-stdin, WXLOGIN_SECRET, profile",
            )
        })?
        .to_string();
    let code = code_of(args, Platform::Wecom)?;
    let (mut settings, client) = connect(ctx, &args.api, Platform::Wecom)?;
    let corpsecret = settings.secret(&args.credentials)?;
    net::flush(ctx, &mut settings);
    let session = block_on(async {
        let token = client.wecom_token(&corpid, &corpsecret).await?;
        client.wecom_code2session(&token.access_token, &code).await
    })??;
    let key = session.session_key.shown(ctx.reveal);
    if ctx.json {
        ctx.emit_json(json!({
            "ok": true,
            "platform": "wecom",
            "corpid": session.corpid,
            "userid": session.userid,
            "session_key": key,
            "session_key_masked": !ctx.reveal,
        }));
        return Ok(exit::OK);
    }
    print_fields(
        ctx,
        &[
            ("corpid", Some(session.corpid.clone())),
            ("userid", Some(session.userid.clone())),
        ],
        &key,
    );
    let appid = args
        .credentials
        .appid
        .clone()
        .filter(|a| !a.is_empty() && !a.starts_with("ww"))
        .unwrap_or_else(|| "MINI_PROGRAM_APPID".to_string());
    next_steps(ctx, &key, &appid, None);
    ctx.note("(WeCom user data carries the mini program's appid in its watermark, not the corpid)");
    Ok(exit::OK)
}

fn douyin(ctx: &Ctx, args: &Code2SessionArgs) -> Outcome {
    let code = code_of(args, Platform::Douyin)?;
    let (mut settings, client) = connect(ctx, &args.api, Platform::Douyin)?;
    let creds = settings.credentials(&args.credentials)?;
    net::flush(ctx, &mut settings);
    let kind = if args.variant.anonymous_code.is_some() {
        DouyinCode::Anonymous(&code)
    } else {
        DouyinCode::Code(&code)
    };
    let session = block_on(client.douyin_code2session(&creds.appid, &creds.secret, kind))??;
    let key = session
        .session_key
        .as_ref()
        .map(|k| k.shown(ctx.reveal))
        .unwrap_or_default();
    if ctx.json {
        ctx.emit_json(json!({
            "ok": true,
            "platform": "douyin",
            "openid": session.openid,
            "anonymous_openid": session.anonymous_openid,
            "unionid": session.unionid,
            "session_key": key,
            "session_key_masked": !ctx.reveal,
            "log_id": session.log_id,
        }));
        return Ok(exit::OK);
    }
    print_fields(
        ctx,
        &[
            ("openid", session.openid.clone()),
            ("anon openid", session.anonymous_openid.clone()),
            ("unionid", session.unionid.clone()),
            ("log_id", session.log_id.clone()),
        ],
        &key,
    );
    if !key.is_empty() {
        next_steps(ctx, &key, &creds.appid, None);
    }
    Ok(exit::OK)
}

fn print_fields(ctx: &Ctx, fields: &[(&str, Option<String>)], key: &str) {
    let label = |name: &str| ctx.paint_out(&format!("{name:<12}"), |s| s.bold());
    for (name, value) in fields {
        println_safe(&format!(
            "{} {}",
            label(name),
            value.as_deref().unwrap_or("—")
        ));
    }
    let masked_note = if ctx.reveal || key.is_empty() {
        String::new()
    } else {
        ctx.paint_out("  (masked: --reveal shows it)", |s| s.dimmed())
    };
    println_safe(&format!(
        "{} {}{masked_note}",
        label("session_key"),
        if key.is_empty() { "—" } else { key }
    ));
}

fn next_steps(ctx: &Ctx, key: &str, appid: &str, openid: Option<&str>) {
    let key = shell_quote(key);
    let appid = shell_quote(appid);
    let check = openid.map_or(String::new(), |o| {
        format!(
            "\nlater, to ask whether this key is still the user's current one:\n  \
             wxlogin check-session --openid {} --session-key {key}",
            shell_quote(o)
        )
    });
    ctx.note(&format!(
        "\nnext, with what the client's getUserInfo / getPhoneNumber gave:\n  \
         wxlogin decrypt --session-key {key} --iv IV --encrypted-data DATA --appid {appid}\n  \
         wxlogin verify-signature --session-key {key} --raw-data RAW_DATA --signature SIGNATURE{check}{}",
        if ctx.reveal {
            ""
        } else {
            "\n(the key is masked in these lines: run with --reveal to get it)"
        }
    ));
}

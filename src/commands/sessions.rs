//! `wxlogin sessions`: what code2session saved (keys masked unless --reveal), and `forget` to
//! remove it.

use colored::Colorize;
use serde_json::json;

use super::Outcome;
use crate::cli::{SessionsAction, SessionsArgs};
use crate::core::clock::unix_now;
use crate::core::{Error, exit};
use crate::output::{Ctx, describe_age, println_safe};
use crate::sessions::{self, StoredSession};

pub fn run(ctx: &Ctx, args: SessionsArgs) -> Outcome {
    let store = sessions::open()?;
    let now = unix_now();
    match args.action.unwrap_or(SessionsAction::List) {
        SessionsAction::List => {
            let all = store.load(now)?;
            list(ctx, &store.path, &all, now);
            Ok(exit::OK)
        }
        SessionsAction::Forget { all: true, .. } => {
            let removed = store.forget_all()?;
            forgotten(ctx, removed, None);
            Ok(exit::OK)
        }
        SessionsAction::Forget { openid, .. } => {
            let openid = openid.unwrap_or_default();
            let openid = openid.trim();
            let removed = store.forget(openid, now)?;
            if removed == 0 {
                return Err(Error::input(
                    "openid",
                    format!("no stored session for openid {openid}"),
                    "`wxlogin sessions` lists the stored ones",
                ));
            }
            forgotten(ctx, removed, Some(openid));
            Ok(exit::OK)
        }
    }
}

fn list(ctx: &Ctx, path: &std::path::Path, all: &[StoredSession], now: i64) {
    if ctx.json {
        let items: Vec<_> = all
            .iter()
            .map(|s| {
                json!({
                    "appid": s.appid,
                    "openid": s.openid,
                    "unionid": s.unionid,
                    "session_key": s.key().shown(ctx.reveal),
                    "session_key_masked": !ctx.reveal,
                    "platform": s.platform,
                    "base_url": s.base_url,
                    "time": s.time,
                })
            })
            .collect();
        ctx.emit_json(json!({"ok": true, "path": path.display().to_string(), "sessions": items}));
        return;
    }
    if all.is_empty() {
        ctx.note(&format!(
            "no stored sessions (in {}): code2session saves each exchange, kept 7 days",
            path.display()
        ));
        return;
    }
    for s in all {
        let age = describe_age(now.saturating_sub(s.time));
        println_safe(&format!(
            "{}  {}  session_key {}  {}  {age}",
            ctx.paint_out(&s.openid, |t| t.bold()),
            s.appid,
            s.key().shown(ctx.reveal),
            s.base_url,
        ));
    }
    ctx.note(&format!(
        "{} stored in {} · use one with `--session OPENID` (or `--session last`)",
        all.len(),
        path.display()
    ));
}

fn forgotten(ctx: &Ctx, removed: usize, openid: Option<&str>) {
    if ctx.json {
        ctx.emit_json(json!({"ok": true, "removed": removed}));
        return;
    }
    let whose = openid.map_or(String::new(), |o| format!(" of {o}"));
    println_safe(&format!(
        "forgot {removed} session{}{whose}",
        if removed == 1 { "" } else { "s" }
    ));
}

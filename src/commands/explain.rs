//! `wxlogin explain`: the meaning and likely fix of a WeChat errcode (or of WXBizDataCrypt's
//! local codes), in English or Chinese. Unknown codes are shown honestly, not as failures.

use colored::Colorize;
use serde_json::{Value, json};

use super::Outcome;
use crate::cli::ExplainArgs;
use crate::core::errcode::{self, Lang};
use crate::core::platform::Platform;
use crate::core::{Error, exit};
use crate::output::{Ctx, println_safe};

pub fn run(ctx: &Ctx, args: ExplainArgs) -> Outcome {
    let platform = Platform::from(args.platform);
    let (code, errmsg) = parse(&args.errcode)?;
    let (meaning, hint) = platform.explain(code, ctx.lang);
    let known = platform.lookup(code).is_some();
    let rid = errmsg.as_deref().and_then(errcode::rid);
    if ctx.json {
        let mut doc = json!({
            "ok": true,
            "errcode": code,
            "meaning": meaning,
            "hint": hint,
            "known": known,
        });
        if platform != Platform::Wechat {
            doc["platform"] = json!(platform.name());
        }
        if let Some(rid) = rid {
            doc["rid"] = json!(rid);
        }
        if let Some(errmsg) = &errmsg {
            doc["errmsg"] = json!(errmsg);
        }
        ctx.emit_json(doc);
        return Ok(exit::OK);
    }
    let (fix_label, rid_label) = match ctx.lang {
        Lang::En => ("fix: ", "rid: "),
        Lang::Zh => ("处理：", "rid："),
    };
    let title = match platform {
        Platform::Wechat => format!("errcode {code}"),
        p => format!("{} {} {code}", p.display(), p.errcode_field()),
    };
    // For a code outside the table, WeChat's own words are the best meaning there is.
    let meaning = match errmsg.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(errmsg) if !known => format!("{errmsg} ({meaning})"),
        _ => meaning,
    };
    println_safe(&format!(
        "{}: {meaning}",
        ctx.paint_out(&title, |s| s.bold())
    ));
    println_safe(&format!("{}{hint}", ctx.paint_out(fix_label, |s| s.bold())));
    if let Some(rid) = rid {
        println_safe(&format!(
            "{}{rid}  (WeChat's rid lookup tool takes it)",
            ctx.paint_out(rid_label, |s| s.bold())
        ));
    }
    Ok(exit::OK)
}

/// A number (`40029`, `-41003`), or a whole WeChat answer pasted from a log.
fn parse(arg: &str) -> crate::core::Result<(i64, Option<String>)> {
    let text = arg.trim();
    if let Ok(code) = text.parse::<i64>() {
        return Ok((code, None));
    }
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) {
        let code = match map.get("errcode").or_else(|| map.get("err_no")) {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        if let Some(code) = code {
            let errmsg = map
                .get("errmsg")
                .or_else(|| map.get("err_tips"))
                .and_then(Value::as_str)
                .map(str::to_string);
            return Ok((code, errmsg));
        }
    }
    Err(Error::input(
        "ERRCODE",
        format!("{text:?} is not an errcode"),
        "give the number (e.g. 40029, -1, -41003) or the whole answer, e.g. '{\"errcode\":40029,\"errmsg\":\"...\"}'",
    ))
}

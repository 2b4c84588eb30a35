//! One `[[steps]]` entry of a flow file, checked by its kind: a sleep, a wx action, or an
//! HTTP request to the backend; every complaint names the step's line and field.

use std::time::Duration;

use toml::Spanned;

use super::raw::RawStep;
use super::{
    Action, Body, Expectation, HttpStep, Locator, Method, Step, Wx, toml_to_json, verb_name,
};
use crate::core::platform::Platform;
use crate::core::{Error, Result};
use crate::scenario::template::{self, CaptureSource};

/// Builds the located error of one step: (offset, field, message).
type Err<'a> = dyn Fn(usize, &str, &str) -> Error + 'a;

/// One `[[steps]]` entry: exactly one action, then the checks of its kind.
pub(super) fn parse_step(
    at: &Locator<'_>,
    number: usize,
    start: usize,
    mut raw: RawStep,
    backend: &Option<String>,
    platform: Platform,
) -> Result<Step> {
    let line = at.line(start);
    let err =
        |offset: usize, field: &str, message: &str| at.error(offset, Some(number), field, message);
    let err: &Err<'_> = &err;
    let verbs: Vec<&str> = [
        ("wx", raw.wx.is_some()),
        ("post", raw.post.is_some()),
        ("get", raw.get.is_some()),
        ("put", raw.put.is_some()),
        ("delete", raw.delete.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, present)| present.then_some(k))
    .collect();
    let action_count = verbs.len() + usize::from(raw.sleep.is_some());
    if action_count == 0 {
        return Err(err(
            start,
            "wx",
            "a step needs one action: wx = \"login\" | \"userinfo\" | \"phonenumber\" | \"checksession\", \
             post/get/put/delete = URL, or sleep = SECONDS",
        ));
    }
    if action_count > 1 {
        let names: Vec<&str> = verbs
            .iter()
            .copied()
            .chain(raw.sleep.as_ref().map(|_| "sleep"))
            .collect();
        return Err(err(
            start,
            names[1],
            &format!(
                "a step has one action, this one has {}",
                names.join(" and ")
            ),
        ));
    }
    let name = raw.name.take();
    let alias = match raw.alias.take() {
        Some(a) if raw.wx.is_none() => {
            return Err(err(
                a.span().start,
                "as",
                "names the results of a wx step (wx = \"login\" ... as = \"first\"), not of this one",
            ));
        }
        Some(a) => Some(parse_alias(&err, a)?),
        None => None,
    };
    let action = if let Some(sleep) = raw.sleep.take() {
        parse_sleep(&err, sleep, &raw)?
    } else if let Some(wx) = raw.wx.take() {
        Action::Wx(parse_wx(&err, wx, raw, platform)?)
    } else {
        let (verb, url) = verbs_of(&mut raw);
        Action::Http(parse_http(&err, start, verb, url, raw, backend)?)
    };
    Ok(Step {
        number,
        line,
        name,
        alias,
        action,
    })
}

/// `sleep = SECONDS`: nothing else belongs on it.
fn parse_sleep(err: &Err<'_>, sleep: Spanned<f64>, raw: &RawStep) -> Result<Action> {
    if let Some((field, offset)) = first_present(&http_only_fields(raw, None)).or_else(|| {
        wx_fields(raw)
            .iter()
            .find_map(|(f, _, o)| o.map(|o| (*f, o)))
    }) {
        return Err(err(offset, field, "does not belong on a sleep step"));
    }
    let secs = *sleep.get_ref();
    if !(secs.is_finite() && (0.0..=900.0).contains(&secs)) {
        return Err(err(
            sleep.span().start,
            "sleep",
            "must be seconds between 0 and 900",
        ));
    }
    Ok(Action::Sleep(Duration::from_secs_f64(secs)))
}

/// `wx = "login" | "userinfo" | "phonenumber" | "checksession"` and the fields of each.
fn parse_wx(err: &Err<'_>, wx: Spanned<String>, raw: RawStep, platform: Platform) -> Result<Wx> {
    let kind = wx.get_ref().clone();
    if let Some((field, offset)) = first_present(&http_only_fields(&raw, Some(&kind))) {
        return Err(err(
            offset,
            field,
            &format!("belongs on an HTTP step (post/get/put/delete), not on wx = \"{kind}\""),
        ));
    }
    for (field, owner, offset) in wx_fields(&raw) {
        if let Some(offset) = offset
            && owner != kind
        {
            return Err(err(
                offset,
                field,
                &format!("belongs on wx = \"{owner}\", not on wx = \"{kind}\""),
            ));
        }
    }
    let action = match kind.as_str() {
        "login" => parse_login(err, raw, platform)?,
        "userinfo" => {
            let user_info = match raw.user_info {
                Some(u) => match u.get_ref() {
                    toml::Value::Table(_) => Some(toml_to_json(u.get_ref())),
                    _ => {
                        return Err(err(
                            u.span().start,
                            "userInfo",
                            "must be a table of user fields, e.g. { nickName = \"Band\" }",
                        ));
                    }
                },
                None => None,
            };
            Wx::UserInfo { user_info }
        }
        "phonenumber" => Wx::PhoneNumber {
            phone_number: raw.phone_number.map(Spanned::into_inner),
        },
        "checksession" => {
            let mut expect = Vec::new();
            if let Some(table) = raw.expect {
                for (k, v) in table.into_inner() {
                    let name = k.get_ref().as_str();
                    match (name, v.get_ref()) {
                        ("valid" | "backend_current", toml::Value::Boolean(b)) => {
                            expect.push(Expectation::Flag {
                                name: name.to_string(),
                                value: *b,
                            })
                        }
                        _ => {
                            return Err(err(
                                k.span().start,
                                "expect",
                                &format!(
                                    "a checksession step expects `valid` or `backend_current` \
                                     = true/false, not `{name}`"
                                ),
                            ));
                        }
                    }
                }
            }
            Wx::CheckSession { expect }
        }
        other => {
            return Err(err(
                wx.span().start,
                "wx",
                &format!(
                    "\"{other}\" is not a wx action: login, userinfo, phonenumber or checksession"
                ),
            ));
        }
    };
    Ok(action)
}

/// `wx = "login"`: `openid` picks a user, except in WeCom (`userid` picks a corp member);
/// `anonymous = true` is Douyin's anonymous login, which has no user.
fn parse_login(err: &Err<'_>, raw: RawStep, platform: Platform) -> Result<Wx> {
    let only = |field: &str, offset: usize, wanted: Platform| {
        err(
            offset,
            field,
            &format!(
                "is for platform = \"{}\" ({}), and this flow plays {}",
                wanted.name(),
                wanted.login_call(),
                platform.name()
            ),
        )
    };
    if let Some(u) = &raw.userid
        && platform != Platform::Wecom
    {
        return Err(only("userid", u.span().start, Platform::Wecom));
    }
    if let Some(a) = &raw.anonymous
        && platform != Platform::Douyin
    {
        return Err(only("anonymous", a.span().start, Platform::Douyin));
    }
    if let Some(o) = &raw.openid
        && platform == Platform::Wecom
    {
        return Err(err(
            o.span().start,
            "openid",
            "a WeCom login (wx.qy.login) names a corp member with `userid`, not an `openid`",
        ));
    }
    let anonymous = raw.anonymous.as_ref().is_some_and(|a| *a.get_ref());
    if anonymous && let Some(o) = &raw.openid {
        return Err(err(
            o.span().start,
            "openid",
            "an anonymous tt.login has no user: leave out `openid` or `anonymous`",
        ));
    }
    let userid = match raw.userid {
        Some(u) => {
            let id = u.get_ref().trim();
            if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(err(
                    u.span().start,
                    "userid",
                    "a WeCom userid is 1 to 64 printable ASCII characters",
                ));
            }
            Some(id.to_string())
        }
        None => None,
    };
    Ok(Wx::Login {
        openid: raw.openid.map(Spanned::into_inner),
        userid,
        anonymous,
    })
}

/// `post`/`get`/`put`/`delete = URL` with its body, headers, captures and expectations.
fn parse_http(
    err: &Err<'_>,
    start: usize,
    verb: &'static str,
    url: Spanned<String>,
    raw: RawStep,
    backend: &Option<String>,
) -> Result<HttpStep> {
    if let Some((field, _, offset)) = wx_fields(&raw).iter().find(|(_, _, o)| o.is_some())
        && let Some(offset) = offset
    {
        return Err(err(
            *offset,
            field,
            "belongs on a wx step, not on an HTTP step",
        ));
    }
    let method = match verb {
        "post" => Method::Post,
        "get" => Method::Get,
        "put" => Method::Put,
        _ => Method::Delete,
    };
    let url_text = url.get_ref().trim().to_string();
    if let Err(e) = template::placeholders(&url_text) {
        return Err(err(url.span().start, verb, &e));
    }
    let absolute = url_text.starts_with("http://") || url_text.starts_with("https://");
    let templated_base = url_text.starts_with("{{");
    if !absolute && !templated_base {
        if !url_text.starts_with('/') {
            return Err(err(
                url.span().start,
                verb,
                &format!("\"{url_text}\" is neither an absolute URL nor a path starting with '/'"),
            ));
        }
        if backend.is_none() {
            return Err(err(
                url.span().start,
                verb,
                &format!(
                    "\"{url_text}\" is relative but the flow has no `backend = \"http://...\"`"
                ),
            ));
        }
    }
    if raw.json.is_some() && raw.form.is_some() {
        let offset = raw.form.as_ref().map_or(start, |f| f.span().start);
        return Err(err(offset, "form", "a step sends json or form, not both"));
    }
    if method == Method::Get
        && let Some((field, offset)) = [
            ("json", raw.json.as_ref().map(|s| s.span().start)),
            ("form", raw.form.as_ref().map(|s| s.span().start)),
        ]
        .into_iter()
        .find_map(|(f, o)| o.map(|o| (f, o)))
    {
        return Err(err(
            offset,
            field,
            "a GET has no body: put the values in the URL's query (\"/api/x?code={{code}}\")",
        ));
    }
    let field_offsets: Vec<(&'static str, usize)> = [
        (verb_name(method), Some(url.span().start)),
        ("json", raw.json.as_ref().map(|s| s.span().start)),
        ("form", raw.form.as_ref().map(|s| s.span().start)),
        ("headers", raw.headers.as_ref().map(|s| s.span().start)),
        ("expect", raw.expect.as_ref().map(|s| s.span().start)),
    ]
    .into_iter()
    .filter_map(|(f, o)| o.map(|o| (f, o)))
    .collect();
    let body = if let Some(json) = raw.json {
        Body::Json(toml_to_json(json.get_ref()))
    } else if let Some(form) = raw.form {
        let mut fields = Vec::new();
        for (k, v) in form.into_inner() {
            match v.get_ref() {
                toml::Value::Table(_) | toml::Value::Array(_) => {
                    return Err(err(
                        v.span().start,
                        "form",
                        &format!("`{}` must be a string, number or boolean", k.get_ref()),
                    ));
                }
                other => fields.push((k.into_inner(), toml_to_json(other))),
            }
        }
        Body::Form(fields)
    } else {
        Body::None
    };
    let mut headers = Vec::new();
    if let Some(table) = raw.headers {
        for (k, v) in table.into_inner() {
            let name = k.get_ref();
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(err(
                    k.span().start,
                    "headers",
                    &format!("\"{name}\" is not a valid header name"),
                ));
            }
            match v.get_ref() {
                toml::Value::String(s) => headers.push((name.clone(), s.clone())),
                toml::Value::Integer(n) => headers.push((name.clone(), n.to_string())),
                _ => {
                    return Err(err(
                        v.span().start,
                        "headers",
                        &format!("header `{name}` must be a string"),
                    ));
                }
            }
        }
    }
    let mut captures = Vec::new();
    if let Some(table) = raw.capture {
        for (k, v) in table.into_inner() {
            let spec = match v.get_ref() {
                toml::Value::String(s) => s,
                _ => {
                    return Err(err(
                        v.span().start,
                        "capture",
                        &format!(
                            "`{}` must be a JSON pointer string such as \"/session_id\"",
                            k.get_ref()
                        ),
                    ));
                }
            };
            let source = CaptureSource::parse(spec).map_err(|m| {
                err(
                    v.span().start,
                    "capture",
                    &format!("`{}`: {m}", k.get_ref()),
                )
            })?;
            if template::placeholders(&format!("{{{{{}}}}}", k.get_ref())).is_err() {
                return Err(err(
                    k.span().start,
                    "capture",
                    &format!("\"{}\" cannot be a variable name", k.get_ref()),
                ));
            }
            captures.push((k.into_inner(), source));
        }
    }
    let mut expect = Vec::new();
    if let Some(table) = raw.expect {
        for (k, v) in table.into_inner() {
            let key = k.get_ref().as_str();
            if key == "status" {
                let statuses = match v.get_ref() {
                    toml::Value::Integer(n) => vec![*n],
                    toml::Value::Array(items) => {
                        items.iter().map(|i| i.as_integer().unwrap_or(0)).collect()
                    }
                    _ => vec![0],
                };
                if statuses.is_empty() || statuses.iter().any(|s| !(100..=599).contains(s)) {
                    return Err(err(
                        v.span().start,
                        "expect",
                        "status must be an HTTP status (100..599) or a list of them",
                    ));
                }
                expect.insert(
                    0,
                    Expectation::Status(statuses.into_iter().map(|s| s as u16).collect()),
                );
            } else if key.starts_with('/') || key.is_empty() {
                let value = toml_to_json(v.get_ref());
                let mut names = Vec::new();
                if let Err(m) = template::placeholders_in_value(&value, &mut names) {
                    return Err(err(v.span().start, "expect", &m));
                }
                expect.push(Expectation::Pointer {
                    pointer: key.to_string(),
                    value,
                });
            } else {
                return Err(err(
                    k.span().start,
                    "expect",
                    &format!(
                        "key \"{key}\" is neither `status` nor a JSON pointer into the body (\"/{key}\")"
                    ),
                ));
            }
        }
    }
    Ok(HttpStep {
        method,
        url: url_text,
        body,
        headers,
        captures,
        expect,
        field_offsets,
    })
}

/// The HTTP verb a step has (exactly one, checked before) and its URL.
fn verbs_of(raw: &mut RawStep) -> (&'static str, Spanned<String>) {
    if let Some(u) = raw.post.take() {
        ("post", u)
    } else if let Some(u) = raw.get.take() {
        ("get", u)
    } else if let Some(u) = raw.put.take() {
        ("put", u)
    } else {
        (
            "delete",
            raw.delete
                .take()
                .unwrap_or_else(|| Spanned::new(0..0, String::new())),
        )
    }
}

/// `as = "NAME"`: a plain variable name, since `{{NAME.code}}` is built from it.
fn parse_alias(err: &Err<'_>, alias: Spanned<String>) -> Result<String> {
    let name = alias.get_ref().trim();
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !plain || super::BUILTINS.contains(&name) {
        return Err(err(
            alias.span().start,
            "as",
            &format!(
                "\"{name}\" cannot name a step's results: use letters, digits, '_' or '-' \
                 (and not appid, appsecret, backend or mock)"
            ),
        ));
    }
    Ok(name.to_string())
}

fn first_present<'a>(fields: &[(&'a str, Option<usize>)]) -> Option<(&'a str, usize)> {
    fields.iter().find_map(|(f, o)| o.map(|o| (*f, o)))
}

/// The fields only an HTTP step takes, with their offsets when present (a checksession's
/// `expect` is its own).
fn http_only_fields(raw: &RawStep, wx: Option<&str>) -> [(&'static str, Option<usize>); 5] {
    [
        ("json", raw.json.as_ref().map(|s| s.span().start)),
        ("form", raw.form.as_ref().map(|s| s.span().start)),
        ("headers", raw.headers.as_ref().map(|s| s.span().start)),
        ("capture", raw.capture.as_ref().map(|s| s.span().start)),
        (
            "expect",
            raw.expect
                .as_ref()
                .filter(|_| wx != Some("checksession"))
                .map(|s| s.span().start),
        ),
    ]
}

/// The fields of one wx action each: (field, the wx action it belongs to, offset if present).
fn wx_fields(raw: &RawStep) -> [(&'static str, &'static str, Option<usize>); 5] {
    [
        (
            "openid",
            "login",
            raw.openid.as_ref().map(|s| s.span().start),
        ),
        (
            "userid",
            "login",
            raw.userid.as_ref().map(|s| s.span().start),
        ),
        (
            "anonymous",
            "login",
            raw.anonymous.as_ref().map(|s| s.span().start),
        ),
        (
            "userInfo",
            "userinfo",
            raw.user_info.as_ref().map(|s| s.span().start),
        ),
        (
            "phoneNumber",
            "phonenumber",
            raw.phone_number.as_ref().map(|s| s.span().start),
        ),
    ]
}

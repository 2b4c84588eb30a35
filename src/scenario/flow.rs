//! The flow file of `wxlogin simulate`: a TOML list of what the mini program does, checked
//! whole before anything runs, so a typo is reported with its line and field (exit 3).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::template::{self, CaptureSource};
use crate::core::{Error, Result, Secret};

/// Placeholders every step may use, before any step ran.
pub const BUILTINS: &[&str] = &["appid", "appsecret", "backend", "mock"];

const HINT: &str = "see \"Flow files\" in the README: backend, appid, then [[steps]] with wx = \"login\" | \
                    \"userinfo\" | \"phonenumber\" | \"checksession\", or post/get/put/delete = URL";

/// A checked flow, ready to run.
#[derive(Debug, Clone)]
pub struct Flow {
    /// Base for relative step URLs.
    pub backend: Option<String>,
    pub appid: String,
    /// The app's secret for the embedded mock (and to spot a client that sends it).
    pub secret: Option<Secret>,
    /// Bound on each backend request.
    pub timeout: Duration,
    /// Code lifetime of the embedded mock, to replay expiry without waiting five minutes.
    pub code_ttl: Option<u64>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// 1-based, as shown to people.
    pub number: usize,
    /// Line of the step's `[[steps]]` header in the flow file.
    pub line: usize,
    pub name: Option<String>,
    pub action: Action,
}

#[derive(Debug, Clone)]
pub enum Action {
    Wx(Wx),
    Http(HttpStep),
    /// Waits, to let codes expire.
    Sleep(Duration),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Wx {
    /// `wx.login`: a fresh code; rotates the user's session_key.
    Login { openid: Option<String> },
    /// `wx.getUserInfo({withCredentials: true})`.
    UserInfo { user_info: Option<Value> },
    /// The getPhoneNumber button.
    PhoneNumber { phone_number: Option<String> },
    /// `wx.checkSession`, plus whether the backend holds the current key.
    CheckSession { expect: Vec<Expectation> },
}

impl Wx {
    pub fn label(&self) -> &'static str {
        match self {
            Wx::Login { .. } => "wx.login",
            Wx::UserInfo { .. } => "wx.getUserInfo",
            Wx::PhoneNumber { .. } => "getPhoneNumber",
            Wx::CheckSession { .. } => "wx.checkSession",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    None,
    Json(Value),
    /// `application/x-www-form-urlencoded`, values rendered as text.
    Form(Vec<(String, Value)>),
}

#[derive(Debug, Clone)]
pub struct HttpStep {
    pub method: Method,
    /// As written (may hold placeholders); relative to `backend` unless absolute.
    pub url: String,
    pub body: Body,
    pub headers: Vec<(String, String)>,
    pub captures: Vec<(String, CaptureSource)>,
    pub expect: Vec<Expectation>,
    /// Byte offsets of the step's fields in the flow file, to locate later complaints.
    field_offsets: Vec<(&'static str, usize)>,
}

/// One thing a step's outcome must show.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// The response status is one of these (default: any 2xx).
    Status(Vec<u16>),
    /// The value at this JSON pointer of the body equals this (after templating).
    Pointer { pointer: String, value: Value },
    /// For `checksession`: a named flag equals this.
    Flag { name: String, value: bool },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlow {
    backend: Option<Spanned<String>>,
    appid: Option<Spanned<String>>,
    secret: Option<Spanned<String>>,
    timeout: Option<Spanned<f64>>,
    code_ttl: Option<Spanned<i64>>,
    steps: Option<Spanned<Vec<Spanned<RawStep>>>>,
}

type SpannedMap = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    name: Option<String>,
    wx: Option<Spanned<String>>,
    post: Option<Spanned<String>>,
    get: Option<Spanned<String>>,
    put: Option<Spanned<String>>,
    delete: Option<Spanned<String>>,
    sleep: Option<Spanned<f64>>,
    json: Option<Spanned<toml::Value>>,
    form: Option<Spanned<SpannedMap>>,
    headers: Option<Spanned<SpannedMap>>,
    capture: Option<Spanned<SpannedMap>>,
    expect: Option<Spanned<SpannedMap>>,
    openid: Option<Spanned<String>>,
    #[serde(rename = "userInfo")]
    user_info: Option<Spanned<toml::Value>>,
    #[serde(rename = "phoneNumber")]
    phone_number: Option<Spanned<String>>,
}

/// Reads and checks a flow file; every problem is an input error naming the line and field.
/// `backend`, when given, replaces the file's `backend` (the `--backend` flag).
pub fn parse(file: &str, source: &str, backend: Option<&str>) -> Result<Flow> {
    let mut raw: RawFlow = toml::from_str(source).map_err(|e| toml_error(file, source, &e))?;
    let at = Locator { file, source };
    if let Some(url) = backend {
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || reqwest::Url::parse(url).is_err()
        {
            return Err(Error::input(
                "--backend",
                format!("\"{url}\" is not an http:// or https:// URL"),
                "give the backend's base URL, e.g. http://127.0.0.1:8000",
            ));
        }
        raw.backend = Some(Spanned::new(0..0, url.to_string()));
    }
    let appid = match raw.appid {
        Some(a) if !a.get_ref().trim().is_empty() => a.into_inner().trim().to_string(),
        Some(a) => return Err(at.error(a.span().start, None, "appid", "is empty")),
        None => {
            return Err(at.error(
                0,
                None,
                "appid",
                "is missing: say which mini program the flow plays (appid = \"wx...\")",
            ));
        }
    };
    let backend = match raw.backend {
        Some(b) => {
            let url = b.get_ref().trim().trim_end_matches('/').to_string();
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || reqwest::Url::parse(&url).is_err()
            {
                return Err(at.error(
                    b.span().start,
                    None,
                    "backend",
                    &format!("\"{}\" is not an http:// or https:// URL", b.get_ref()),
                ));
            }
            Some(url)
        }
        None => None,
    };
    let timeout = match raw.timeout {
        Some(t) if t.get_ref().is_finite() && *t.get_ref() > 0.0 && *t.get_ref() <= 300.0 => {
            Duration::from_secs_f64(*t.get_ref())
        }
        Some(t) => {
            return Err(at.error(
                t.span().start,
                None,
                "timeout",
                "must be seconds between 0 and 300",
            ));
        }
        None => Duration::from_secs(10),
    };
    let code_ttl = match raw.code_ttl {
        Some(t) if (1..=86_400).contains(t.get_ref()) => Some(*t.get_ref() as u64),
        Some(t) => {
            return Err(at.error(
                t.span().start,
                None,
                "code_ttl",
                "must be seconds between 1 and 86400",
            ));
        }
        None => None,
    };
    let secret = raw.secret.map(|s| Secret::new(s.into_inner()));
    let Some(raw_steps) = raw.steps else {
        return Err(at.error(source.len(), None, "steps", "the flow has no [[steps]]"));
    };
    if raw_steps.get_ref().is_empty() {
        return Err(at.error(
            raw_steps.span().start,
            None,
            "steps",
            "the flow has no [[steps]]",
        ));
    }
    let mut defined: Vec<String> = BUILTINS.iter().map(|s| s.to_string()).collect();
    let mut steps = Vec::new();
    for (i, raw_step) in raw_steps.into_inner().into_iter().enumerate() {
        let number = i + 1;
        let span = raw_step.span();
        let step = parse_step(&at, number, span.start, raw_step.into_inner(), &backend)?;
        check_placeholders(&at, &step, &defined, span.start)?;
        if let Action::Wx(wx) = &step.action
            && !matches!(wx, Wx::Login { .. })
            && !defined.iter().any(|d| d == "openid")
        {
            return Err(at.error(
                span.start,
                Some(number),
                "wx",
                &format!(
                    "{} needs a user: put a wx = \"login\" step before it",
                    wx.label()
                ),
            ));
        }
        defined.extend(defines(&step));
        steps.push(step);
    }
    Ok(Flow {
        backend,
        appid,
        secret,
        timeout,
        code_ttl,
        steps,
    })
}

struct Locator<'a> {
    file: &'a str,
    source: &'a str,
}

impl Locator<'_> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.source.len());
        self.source.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn error(&self, offset: usize, step: Option<usize>, field: &str, message: &str) -> Error {
        let place = match step {
            Some(n) => format!("step {n}, `{field}`"),
            None => format!("`{field}`"),
        };
        Error::input(
            format!("{} line {} ({place})", self.file, self.line(offset)),
            message,
            HINT,
        )
    }
}

fn parse_step(
    at: &Locator<'_>,
    number: usize,
    start: usize,
    raw: RawStep,
    backend: &Option<String>,
) -> Result<Step> {
    let line = at.line(start);
    let err =
        |offset: usize, field: &str, message: &str| at.error(offset, Some(number), field, message);
    let verbs: Vec<(&str, &Spanned<String>)> = [
        ("wx", &raw.wx),
        ("post", &raw.post),
        ("get", &raw.get),
        ("put", &raw.put),
        ("delete", &raw.delete),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
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
            .map(|(k, _)| *k)
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
    let http_only: [(&str, Option<usize>); 5] = [
        ("json", raw.json.as_ref().map(|s| s.span().start)),
        ("form", raw.form.as_ref().map(|s| s.span().start)),
        ("headers", raw.headers.as_ref().map(|s| s.span().start)),
        ("capture", raw.capture.as_ref().map(|s| s.span().start)),
        (
            "expect",
            raw.expect
                .as_ref()
                .filter(|_| {
                    raw.wx
                        .as_ref()
                        .is_none_or(|w| w.get_ref() != "checksession")
                })
                .map(|s| s.span().start),
        ),
    ];
    let wx_fields: [(&str, &str, Option<usize>); 3] = [
        (
            "openid",
            "login",
            raw.openid.as_ref().map(|s| s.span().start),
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
    ];
    if let Some(sleep) = raw.sleep {
        if let Some((field, offset)) = first_present(&http_only)
            .or_else(|| wx_fields.iter().find_map(|(f, _, o)| o.map(|o| (*f, o))))
        {
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
        return Ok(Step {
            number,
            line,
            name: raw.name,
            action: Action::Sleep(Duration::from_secs_f64(secs)),
        });
    }
    if let Some(wx) = &raw.wx {
        let kind = wx.get_ref().as_str();
        if let Some((field, offset)) = first_present(&http_only) {
            return Err(err(
                offset,
                field,
                &format!("belongs on an HTTP step (post/get/put/delete), not on wx = \"{kind}\""),
            ));
        }
        for (field, owner, offset) in wx_fields {
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
        let action = match kind {
            "login" => Wx::Login {
                openid: raw.openid.map(Spanned::into_inner),
            },
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
        return Ok(Step {
            number,
            line,
            name: raw.name,
            action: Action::Wx(action),
        });
    }
    if let Some((field, _, offset)) = wx_fields.iter().find(|(_, _, o)| o.is_some())
        && let Some(offset) = offset
    {
        return Err(err(
            *offset,
            field,
            "belongs on a wx step, not on an HTTP step",
        ));
    }
    let (verb, url) = verbs[0];
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
    Ok(Step {
        number,
        line,
        name: raw.name,
        action: Action::Http(HttpStep {
            method,
            url: url_text,
            body,
            headers,
            captures,
            expect,
            field_offsets,
        }),
    })
}

fn first_present<'a>(fields: &[(&'a str, Option<usize>)]) -> Option<(&'a str, usize)> {
    fields.iter().find_map(|(f, o)| o.map(|o| (*f, o)))
}

/// The names a step makes available to later steps.
pub fn defines(step: &Step) -> Vec<String> {
    let names: &[&str] = match &step.action {
        Action::Wx(Wx::Login { .. }) => &["code", "openid"],
        Action::Wx(Wx::UserInfo { .. }) => {
            &["userinfo", "rawData", "signature", "encryptedData", "iv"]
        }
        Action::Wx(Wx::PhoneNumber { .. }) => &[
            "phone",
            "phone_code",
            "phone_encryptedData",
            "phone_iv",
            "encryptedData",
            "iv",
        ],
        Action::Wx(Wx::CheckSession { .. }) => &["session_valid"],
        Action::Http(http) => {
            return http.captures.iter().map(|(n, _)| n.clone()).collect();
        }
        Action::Sleep(_) => &[],
    };
    names.iter().map(|s| s.to_string()).collect()
}

fn check_placeholders(
    at: &Locator<'_>,
    step: &Step,
    defined: &[String],
    start: usize,
) -> Result<()> {
    let Action::Http(http) = &step.action else {
        return Ok(());
    };
    let verb = verb_name(http.method);
    let mut sources: Vec<(&'static str, Value)> = vec![(verb, Value::String(http.url.clone()))];
    match &http.body {
        Body::Json(v) => sources.push(("json", v.clone())),
        Body::Form(fields) => sources.extend(fields.iter().map(|(_, v)| ("form", v.clone()))),
        Body::None => {}
    }
    sources.extend(
        http.headers
            .iter()
            .map(|(_, v)| ("headers", Value::String(v.clone()))),
    );
    for e in &http.expect {
        if let Expectation::Pointer { value, .. } = e {
            sources.push(("expect", value.clone()));
        }
    }
    for (field, value) in &sources {
        let start = http
            .field_offsets
            .iter()
            .find(|(f, _)| f == field)
            .map_or(start, |(_, o)| *o);
        let mut names = Vec::new();
        template::placeholders_in_value(value, &mut names)
            .map_err(|m| at.error(start, Some(step.number), field, &m))?;
        if let Some(name) = names.iter().find(|n| !defined.iter().any(|d| d == *n)) {
            let hint = match defined.iter().find(|d| strsim::levenshtein(d, name) <= 2) {
                Some(close) => format!(": did you mean {{{{{close}}}}}?"),
                None => producer_of(name).to_string(),
            };
            return Err(at.error(
                start,
                Some(step.number),
                field,
                &format!("{{{{{name}}}}} is not defined by an earlier step{hint}"),
            ));
        }
    }
    Ok(())
}

fn verb_name(method: Method) -> &'static str {
    match method {
        Method::Get => "get",
        Method::Post => "post",
        Method::Put => "put",
        Method::Delete => "delete",
    }
}

fn producer_of(name: &str) -> &'static str {
    match name {
        "code" | "openid" => " (a wx = \"login\" step makes it)",
        "userinfo" | "rawData" | "signature" | "encryptedData" | "iv" => {
            " (a wx = \"userinfo\" step makes it)"
        }
        "phone" | "phone_code" | "phone_encryptedData" | "phone_iv" => {
            " (a wx = \"phonenumber\" step makes it)"
        }
        _ => " (capture it from an earlier response: capture = { NAME = \"/pointer\" })",
    }
}

/// TOML values as JSON; datetimes become their text.
pub fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(n) => Value::from(*n),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// A TOML syntax or shape error, located: line, and the key on that line when there is one.
fn toml_error(file: &str, source: &str, e: &toml::de::Error) -> Error {
    let mut offset = e.span().map_or(0, |s| s.start).min(source.len());
    // The text is sliced at this offset: never inside a character.
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let at = Locator { file, source };
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_text = source[line_start..].lines().next().unwrap_or("");
    let key = line_text
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let step = source[..offset].matches("[[steps]]").count();
    let message = e.message().trim().replace('\n', " ");
    let field = key.unwrap_or_else(|| "syntax".to_string());
    at.error(offset, (step > 0).then_some(step), &field, &message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
backend = "http://127.0.0.1:8000"
appid = "wx1234567890abcdef"

[[steps]]
wx = "login"

[[steps]]
post = "/api/fetch_code"
json = { code = "{{code}}" }
capture = { session_id = "/session_id" }

[[steps]]
wx = "userinfo"

[[steps]]
post = "/api/login"
json = { data = "{{userinfo}}", session_id = "{{session_id}}" }
expect = { status = 200, "/status" = "OK" }

[[steps]]
get = "/api/me"
headers = { Authentication = "{{session_id}}" }
expect = { status = 200 }
"#;

    fn bad(src: &str) -> Error {
        parse("f.toml", src, None).unwrap_err()
    }

    #[test]
    fn parses_the_issue_example() {
        let flow = parse("f.toml", GOOD, None).unwrap();
        assert_eq!(flow.steps.len(), 5);
        assert_eq!(flow.steps[1].line, 8);
        let Action::Http(h) = &flow.steps[3].action else {
            panic!()
        };
        assert_eq!(h.method, Method::Post);
        assert_eq!(h.expect[0], Expectation::Status(vec![200]));
        assert_eq!(
            h.expect[1],
            Expectation::Pointer {
                pointer: "/status".into(),
                value: Value::from("OK")
            }
        );
    }

    #[test]
    fn undefined_placeholder_names_line_and_producer() {
        let src = GOOD.replace("{{session_id}}\" }\nexpect", "{{sesion_id}}\" }\nexpect");
        let e = bad(&src);
        let text = e.to_string();
        assert!(text.contains("line 18 (step 4, `json`)"), "{text}");
        assert!(text.contains("did you mean {{session_id}}?"), "{text}");
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn unknown_field_and_bad_values_are_located() {
        let e = bad(&GOOD.replace("capture = {", "captur = {"));
        assert!(e.to_string().contains("line 11 (step 2, `captur`)"), "{e}");
        let e = bad(&GOOD.replace("wx = \"userinfo\"", "wx = \"userinfos\""));
        assert!(e.to_string().contains("line 14 (step 3, `wx`)"), "{e}");
        let e = bad(&GOOD.replace("status = 200, \"/status\"", "satus = 200, \"/status\""));
        assert!(e.to_string().contains("line 19 (step 4, `expect`)"), "{e}");
        let e = bad(&GOOD.replace("get = \"/api/me\"", "get = \"/api/me\"\npost = \"/x\""));
        assert!(e.to_string().contains("has post and get"), "{e}");
        let e = bad(&GOOD.replace("appid = \"wx1234567890abcdef\"", ""));
        assert!(e.to_string().contains("`appid`"), "{e}");
        let e = bad("appid = \"wx\"\n[[steps]]\nwx = \"login\"\njson = {}\n");
        assert!(e.to_string().contains("line 4 (step 1, `json`)"), "{e}");
        let e = bad("appid = \"wx\"\nsteps = [\n");
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn relative_urls_need_a_backend() {
        let e = bad(&GOOD.replace("backend = \"http://127.0.0.1:8000\"", ""));
        assert!(e.to_string().contains("no `backend"), "{e}");
    }
}

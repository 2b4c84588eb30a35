//! The flow file of `wxlogin simulate`: a TOML list of what the mini program does, checked
//! whole before anything runs, so a typo is reported with its line and field (exit 3).

mod raw;
mod step;

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;
use toml::Spanned;

use raw::RawFlow;

use super::template::{self, CaptureSource};
use crate::core::platform::Platform;
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
    /// Which mini program platform the flow plays (its login call, its exchange path).
    pub platform: Platform,
    /// WeCom: the corp whose members log in, and its app's secret for the embedded mock.
    pub corpid: Option<String>,
    pub corpsecret: Option<Secret>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// 1-based, as shown to people.
    pub number: usize,
    /// Line of the step's `[[steps]]` header in the flow file.
    pub line: usize,
    pub name: Option<String>,
    /// A wx step's `as`: its results are also `{{ALIAS.NAME}}`, whatever later steps do.
    pub alias: Option<String>,
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
    /// `wx.login` (or the platform's call): a fresh code; rotates the user's session_key.
    /// WeCom names a corp member by `userid`; Douyin's anonymous login gives an
    /// `anonymousCode` and no user.
    Login {
        openid: Option<String>,
        userid: Option<String>,
        anonymous: bool,
    },
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

/// Reads and checks a flow file; every problem is an input error naming the line and field.
/// `backend` and `platform`, when given, replace the file's (the `--backend` and `--platform`
/// flags).
pub fn parse(
    file: &str,
    source: &str,
    backend: Option<&str>,
    platform: Option<Platform>,
) -> Result<Flow> {
    let mut raw: RawFlow = toml::from_str(source).map_err(|e| toml_error(file, source, &e))?;
    let at = Locator::new(file, source);
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
    let platform = match (platform, raw.platform) {
        (Some(p), _) => p,
        (None, Some(p)) => Platform::from_name(p.get_ref()).ok_or_else(|| {
            at.error(
                p.span().start,
                None,
                "platform",
                &format!(
                    "\"{}\" is not one of wechat, qq, wecom, douyin",
                    p.get_ref()
                ),
            )
        })?,
        (None, None) => Platform::Wechat,
    };
    // A corp only means something to WeCom: another platform (perhaps given by --platform)
    // leaves it aside.
    let (corpid, corpsecret) = if platform == Platform::Wecom {
        let corpid = match raw.corpid {
            Some(c) if c.get_ref().trim().is_empty() => {
                return Err(at.error(c.span().start, None, "corpid", "is empty"));
            }
            Some(c) => Some(c.into_inner().trim().to_string()),
            None => None,
        };
        (corpid, raw.corpsecret.map(|s| Secret::new(s.into_inner())))
    } else {
        (None, None)
    };
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
    let mut defined = Defined::default();
    for name in BUILTINS {
        defined.add(name.to_string());
    }
    let mut steps = Vec::new();
    for (i, raw_step) in raw_steps.into_inner().into_iter().enumerate() {
        let number = i + 1;
        let span = raw_step.span();
        let step = step::parse_step(
            &at,
            number,
            span.start,
            raw_step.into_inner(),
            &backend,
            platform,
        )?;
        check_placeholders(&at, &step, &defined, span.start)?;
        if let Action::Wx(wx) = &step.action
            && !matches!(wx, Wx::Login { .. })
            && !defined.has("openid")
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
        for name in defines(&step) {
            defined.add(name);
        }
        steps.push(step);
    }
    Ok(Flow {
        backend,
        appid,
        secret,
        timeout,
        code_ttl,
        platform,
        corpid,
        corpsecret,
        steps,
    })
}

struct Locator<'a> {
    file: &'a str,
    /// Offsets of the file's line breaks, found once: counting them from the start for each
    /// step made a flow of many steps quadratic to read.
    breaks: Vec<usize>,
}

impl<'a> Locator<'a> {
    fn new(file: &'a str, source: &str) -> Locator<'a> {
        Locator {
            file,
            breaks: memchr::memchr_iter(b'\n', source.as_bytes()).collect(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.breaks.partition_point(|&b| b < offset) + 1
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

/// The names a wx action gives its results.
pub fn wx_defines(wx: &Wx) -> &'static [&'static str] {
    match wx {
        Wx::Login {
            anonymous: true, ..
        } => &["code", "anonymous_code", "anonymous_openid"],
        Wx::Login {
            userid: Some(_), ..
        } => &["code", "openid", "userid"],
        Wx::Login { .. } => &["code", "openid"],
        Wx::UserInfo { .. } => &["userinfo", "rawData", "signature", "encryptedData", "iv"],
        Wx::PhoneNumber { .. } => &[
            "phone",
            "phone_code",
            "phone_encryptedData",
            "phone_iv",
            "encryptedData",
            "iv",
        ],
        Wx::CheckSession { .. } => &["session_valid"],
    }
}

/// The names a step makes available to later steps (with `as`, also `ALIAS.NAME`).
pub fn defines(step: &Step) -> Vec<String> {
    match &step.action {
        Action::Wx(wx) => {
            let names = wx_defines(wx).iter().map(|s| s.to_string());
            match &step.alias {
                Some(alias) => names
                    .clone()
                    .chain(names.map(|n| format!("{alias}.{n}")))
                    .collect(),
                None => names.collect(),
            }
        }
        Action::Http(http) => http.captures.iter().map(|(n, _)| n.clone()).collect(),
        Action::Sleep(_) => Vec::new(),
    }
}

/// The names earlier steps define, each once: every login step defines the same few again,
/// and a list searched per step made a flow of many steps quadratic to check.
#[derive(Default)]
struct Defined {
    /// In the order first defined, for the "did you mean" hint.
    order: Vec<String>,
    set: HashSet<String>,
}

impl Defined {
    fn add(&mut self, name: String) {
        if self.set.insert(name.clone()) {
            self.order.push(name);
        }
    }

    fn has(&self, name: &str) -> bool {
        self.set.contains(name)
    }
}

fn check_placeholders(
    at: &Locator<'_>,
    step: &Step,
    defined: &Defined,
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
        if let Some(name) = names.iter().find(|n| !defined.has(n)) {
            let hint = match defined
                .order
                .iter()
                .find(|d| strsim::levenshtein(d, name) <= 2)
            {
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
        "anonymous_code" | "anonymous_openid" => {
            " (a wx = \"login\" step with anonymous = true makes it)"
        }
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
    let at = Locator::new(file, source);
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
        parse("f.toml", src, None, None).unwrap_err()
    }

    #[test]
    fn parses_the_issue_example() {
        let flow = parse("f.toml", GOOD, None, None).unwrap();
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

    #[test]
    fn the_platform_comes_from_the_file_or_the_flag_and_shapes_the_login_step() {
        let src = "appid = \"tt1\"\nplatform = \"Douyin\"\ncorpid = \"ww1\"\n\
                   [[steps]]\nwx = \"login\"\nanonymous = true\n";
        let flow = parse("f.toml", src, None, None).unwrap();
        assert_eq!(flow.platform, Platform::Douyin);
        // A corp means nothing to Douyin.
        assert_eq!(flow.corpid, None);
        assert_eq!(
            wx_defines(match &flow.steps[0].action {
                Action::Wx(wx) => wx,
                _ => panic!(),
            }),
            ["code", "anonymous_code", "anonymous_openid"]
        );
        let e = parse("f.toml", src, None, Some(Platform::Qq)).unwrap_err();
        assert!(
            e.to_string().contains("line 6 (step 1, `anonymous`)"),
            "{e}"
        );
        let wecom = src
            .replace("Douyin", "wecom")
            .replace("anonymous = true", "userid = \"lisi\"");
        let flow = parse("f.toml", &wecom, None, None).unwrap();
        assert_eq!(flow.corpid.as_deref(), Some("ww1"));
        let e = bad(&wecom.replace("userid = \"lisi\"", "openid = \"o1\""));
        assert!(e.to_string().contains("`userid`, not an `openid`"), "{e}");
        let e = bad(&src.replace("Douyin", "weibo"));
        assert!(e.to_string().contains("line 2 (`platform`)"), "{e}");
        // An anonymous login leaves no user for getUserInfo.
        let e = bad(&format!("{src}[[steps]]\nwx = \"userinfo\"\n"));
        assert!(e.to_string().contains("needs a user"), "{e}");
    }

    #[test]
    fn a_named_wx_step_defines_prefixed_names_and_as_belongs_on_wx_steps() {
        let src = "appid = \"wx\"\nbackend = \"http://127.0.0.1:1\"\n[[steps]]\nwx = \"login\"\nas = \"first\"\n\
                   [[steps]]\nwx = \"login\"\n[[steps]]\npost = \"/a\"\njson = { c = \"{{first.code}}\" }\n";
        let flow = parse("f.toml", src, None, None).unwrap();
        assert_eq!(flow.steps[0].alias.as_deref(), Some("first"));
        assert!(defines(&flow.steps[0]).contains(&"first.openid".to_string()));
        let e = bad(&src.replace("as = \"first\"\n", ""));
        assert!(
            e.to_string().contains("{{first.code}} is not defined"),
            "{e}"
        );
        let e = bad(&src.replace("json = {", "as = \"x\"\njson = {"));
        assert!(e.to_string().contains("(step 3, `as`)"), "{e}");
        let e = bad(&src.replace("as = \"first\"", "as = \"appid\""));
        assert!(e.to_string().contains("cannot name"), "{e}");
    }
}

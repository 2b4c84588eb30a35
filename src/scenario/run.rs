//! Runs a flow: plays each wx step on the mock, sends each HTTP step to the backend, reads
//! from the mock's journal what the backend asked WeChat meanwhile, and checks expectations.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::diagnose::{self, Diagnosis};
use super::flow::{Action, Body, Expectation, Flow, HttpStep, Method, Step, Wx};
use super::mocklink::{ClientLogin, MockLink, WeChatCall, short_reason};
pub use super::report::{Check, History, LoginEvent, Response, StepKind, StepReport, Transport};
use super::template::{CaptureSource, Vars, as_text};
use crate::core::clock::unix_ms;
use crate::core::platform::Platform;
use crate::core::redact::mask;
use crate::core::{Error, Result, Secret, exit};

/// The corp member a WeCom login step without `userid` logs in first.
pub const DEFAULT_USERID: &str = "zhangsan";

/// Responses are cut at this size: a backend's login answers are small.
const MAX_BODY: usize = 4 << 20;

/// A whole run.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub steps: Vec<StepReport>,
    pub diagnosis: Option<Diagnosis>,
    pub warnings: Vec<String>,
    pub skipped: usize,
}

impl RunReport {
    pub fn ok(&self) -> bool {
        self.steps.iter().all(|s| s.ok)
    }

    /// 0 when every expectation held; 5 when the backend could not be reached; 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self.steps.iter().find(|s| !s.ok) {
            None => exit::OK,
            Some(s) if s.transport_failure => exit::TRANSPORT,
            Some(_) => exit::VERDICT,
        }
    }
}

/// Settings of a run besides the flow.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The app's secret when known, to spot a client that sends it (and to scrub it).
    pub secret: Option<Secret>,
    /// How long the mock's codes live, to tell an expired code from an unknown one.
    pub code_ttl: Duration,
    pub reveal: bool,
    /// The mock intercepts WeChat's hosts (`--intercept`): the backend goes through its proxy.
    pub intercepting: bool,
}

/// Runs every step in order, stopping at the first that fails; `observe` sees each step as
/// it ends (to print it at once) and each warning as it arises.
pub async fn run_flow(
    flow: &Flow,
    mock: &mut MockLink,
    opts: &RunOptions,
    mut observe: impl FnMut(Event<'_>),
) -> Result<RunReport> {
    let http = reqwest::Client::builder()
        .timeout(flow.timeout)
        .connect_timeout(flow.timeout.min(Duration::from_secs(5)))
        .no_proxy()
        .build()
        .map_err(|e| {
            Error::transport(format!("cannot build an HTTP client: {e}"), "this is a bug")
        })?;
    // Calls made before this run belong to no step.
    mock.new_calls().await?;
    let started_ms = unix_ms();
    let mut runner = Runner {
        flow,
        opts,
        http,
        vars: Vars::default(),
        openid: None,
        userid: None,
        history: History {
            intercepting: opts.intercepting,
            platform: flow.platform,
            ..History::default()
        },
    };
    runner.vars.set("appid", json!(flow.appid));
    runner.vars.set("mock", json!(mock.url()));
    if let Some(b) = &flow.backend {
        runner.vars.set("backend", json!(b));
    }
    if let Some(s) = &opts.secret {
        runner.vars.set("appsecret", json!(s.expose()));
    }
    let mut steps = Vec::new();
    let mut warnings = Vec::new();
    for step in &flow.steps {
        let mut report = runner.step(step, mock, &mut warnings).await?;
        if report.transport == Some(Transport::ReadTimeout) {
            (report.delayed_calls, report.latency_faults) = mock.latency_faults().await;
        }
        for w in &warnings {
            observe(Event::Warning(w));
        }
        warnings
            .drain(..)
            .for_each(|w| runner.history.warnings.push(w));
        report.wechat.extend(mock.new_calls().await?);
        // One mock serves the whole family: an exchange at another platform's path may
        // succeed there, never on the platform the mini program runs on.
        for call in report
            .wechat
            .iter()
            .filter(|c| c.is_foreign_exchange(flow.platform))
        {
            report.checks.push(exchange_check(flow, call));
            report.ok = false;
        }
        for call in &report.wechat {
            runner.history.calls.push((step.number, call.clone()));
        }
        runner.history.tls_failures = mock
            .tls_failures()
            .iter()
            .filter(|f| f.time_ms >= started_ms)
            .cloned()
            .collect();
        observe(Event::Step(&report));
        let ok = report.ok;
        steps.push(report);
        if !ok {
            break;
        }
    }
    let skipped = flow.steps.len() - steps.len();
    let diagnosis = steps
        .last()
        .filter(|s| !s.ok)
        .map(|failed| diagnose::diagnose(flow, opts.code_ttl, &runner.history, failed));
    Ok(RunReport {
        steps,
        diagnosis,
        warnings: runner.history.warnings,
        skipped,
    })
}

/// The failed check of an exchange made where the flow's platform does not take one.
fn exchange_check(flow: &Flow, call: &WeChatCall) -> Check {
    let (method, path) = flow.platform.exchange();
    let at = |host: Option<&str>| host.map_or_else(String::new, |h| format!(" on {h}"));
    Check {
        what: format!("{} code exchange", flow.platform.display()),
        expected: json!(format!(
            "{method} {path}{}",
            at(call.host.is_some().then(|| flow.platform.host()))
        )),
        actual: json!(format!(
            "{} {}{}",
            call.method,
            call.path,
            at(call.host.as_deref())
        )),
        ok: false,
    }
}

/// What a run reports as it goes.
pub enum Event<'a> {
    Step(&'a StepReport),
    Warning(&'a str),
}

struct Runner<'a> {
    flow: &'a Flow,
    opts: &'a RunOptions,
    http: reqwest::Client,
    vars: Vars,
    openid: Option<String>,
    /// WeCom: the corp member logged in last.
    userid: Option<String>,
    history: History,
}

impl Runner<'_> {
    async fn step(
        &mut self,
        step: &Step,
        mock: &mut MockLink,
        warnings: &mut Vec<String>,
    ) -> Result<StepReport> {
        let mut report = StepReport {
            number: step.number,
            line: step.line,
            name: step.name.clone(),
            kind: StepKind::Sleep(Duration::ZERO),
            request: None,
            response: None,
            produced: Vec::new(),
            captures: Vec::new(),
            wechat: Vec::new(),
            checks: Vec::new(),
            error: None,
            transport_failure: false,
            transport: None,
            latency_faults: Vec::new(),
            delayed_calls: Vec::new(),
            ok: true,
        };
        match &step.action {
            Action::Sleep(d) => {
                report.kind = StepKind::Sleep(*d);
                tokio::time::sleep(*d).await;
            }
            Action::Wx(wx) => {
                report.kind = StepKind::Wx(self.flow.platform.client_call(wx.label()));
                self.wx(step.number, wx, step.alias.as_deref(), mock, &mut report)
                    .await?;
                if let Some(alias) = &step.alias {
                    for name in super::flow::wx_defines(wx) {
                        if let Some(v) = self.vars.get(name).cloned() {
                            self.vars.set(&format!("{alias}.{name}"), v);
                        }
                    }
                }
            }
            Action::Http(h) => {
                self.http_step(step.number, h, &mut report, warnings).await;
            }
        }
        report.ok = report.error.is_none() && report.checks.iter().all(|c| c.ok);
        Ok(report)
    }

    async fn wx(
        &mut self,
        number: usize,
        wx: &Wx,
        alias: Option<&str>,
        mock: &MockLink,
        report: &mut StepReport,
    ) -> Result<()> {
        let appid = &self.flow.appid;
        let current_openid = self.openid.clone();
        let need_user = || {
            current_openid.clone().ok_or_else(|| {
                Error::input(
                    "flow",
                    format!("step {number} needs a user but no wx = \"login\" step ran before it"),
                    "start the flow with a wx = \"login\" step",
                )
            })
        };
        match wx {
            Wx::Login {
                openid,
                userid,
                anonymous,
            } => {
                let wanted = openid.clone().or(current_openid.clone());
                let member = match (self.flow.platform, &self.flow.corpid) {
                    (Platform::Wecom, Some(corpid)) => {
                        let userid = userid
                            .clone()
                            .or_else(|| self.userid.clone())
                            .unwrap_or_else(|| DEFAULT_USERID.to_string());
                        Some((corpid.clone(), userid))
                    }
                    _ => None,
                };
                let who = match &member {
                    Some((corpid, userid)) => ClientLogin::Member { corpid, userid },
                    None if *anonymous => ClientLogin::Anonymous,
                    None => ClientLogin::User {
                        openid: wanted.as_deref(),
                    },
                };
                report.request = Some(match &member {
                    Some((corpid, userid)) => {
                        json!({"appid": appid, "corpid": corpid, "userid": userid})
                    }
                    None if *anonymous => json!({"appid": appid, "anonymous": true}),
                    None => json!({"appid": appid, "openid": wanted}),
                });
                let login = mock.login_as(appid, who).await?;
                self.vars.set("code", json!(login.code));
                report.produced = vec![("code".into(), json!(login.code))];
                if *anonymous {
                    self.vars.set("anonymous_code", json!(login.code));
                    self.vars.set("anonymous_openid", json!(login.openid));
                    report
                        .produced
                        .push(("anonymous_openid".into(), json!(login.openid)));
                } else {
                    self.vars.set("openid", json!(login.openid));
                    report.produced.push(("openid".into(), json!(login.openid)));
                }
                if let Some((_, userid)) = member {
                    self.vars.set("userid", json!(userid));
                    report.produced.push(("userid".into(), json!(userid)));
                    self.userid = Some(userid);
                }
                self.history.logins.push(LoginEvent {
                    step: number,
                    code: login.code.clone(),
                    at_ms: unix_ms(),
                    name: alias.map(String::from),
                });
                if !*anonymous {
                    self.openid = Some(login.openid);
                }
            }
            Wx::UserInfo { user_info } => {
                let openid = need_user()?;
                report.request =
                    Some(json!({"appid": appid, "openid": openid, "userInfo": user_info}));
                let v = mock.userinfo(appid, &openid, user_info.as_ref()).await?;
                self.vars.set("userinfo", v.clone());
                for k in ["rawData", "signature", "encryptedData", "iv"] {
                    let field = v.get(k).cloned().unwrap_or(Value::Null);
                    self.vars.set(k, field.clone());
                    report.produced.push((k.to_string(), field));
                }
                self.history.userinfos.push(number);
            }
            Wx::PhoneNumber { phone_number } => {
                let openid = need_user()?;
                report.request =
                    Some(json!({"appid": appid, "openid": openid, "phoneNumber": phone_number}));
                let v = mock
                    .phonenumber(appid, &openid, phone_number.as_deref())
                    .await?;
                let field = |k: &str| v.get(k).cloned().unwrap_or(Value::Null);
                self.vars.set("phone", v.clone());
                self.vars.set("phone_code", field("code"));
                self.vars.set("phone_encryptedData", field("encryptedData"));
                self.vars.set("phone_iv", field("iv"));
                self.vars.set("encryptedData", field("encryptedData"));
                self.vars.set("iv", field("iv"));
                report.produced = vec![
                    ("phone_code".into(), field("code")),
                    ("encryptedData".into(), field("encryptedData")),
                    ("iv".into(), field("iv")),
                ];
                self.history.userinfos.push(number);
            }
            Wx::CheckSession { expect } => {
                need_user()?;
                let valid = self.history.session_valid();
                let current = self.history.backend_current();
                self.vars.set("session_valid", json!(valid));
                report.produced = vec![
                    ("valid".into(), json!(valid)),
                    ("backend_current".into(), json!(current)),
                ];
                for e in expect {
                    if let Expectation::Flag { name, value } = e {
                        let actual = if name == "valid" { valid } else { current };
                        report.checks.push(Check {
                            what: name.clone(),
                            expected: json!(value),
                            actual: json!(actual),
                            ok: actual == *value,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    async fn http_step(
        &mut self,
        number: usize,
        h: &HttpStep,
        report: &mut StepReport,
        warnings: &mut Vec<String>,
    ) {
        let url = match self.vars.render_text(&h.url) {
            Ok(u) => self.absolute(&u),
            Err(e) => {
                report.kind = StepKind::Http {
                    method: h.method,
                    url: h.url.clone(),
                };
                report.error = Some(e);
                return;
            }
        };
        report.kind = StepKind::Http {
            method: h.method,
            url: self.display_url(&url),
        };
        let prepared = match self.prepare(h, &url) {
            Ok(p) => p,
            Err(e) => {
                report.error = Some(e);
                return;
            }
        };
        if let Some(secret) = self.secret_text()
            && prepared.mentions(secret)
        {
            warnings.push(format!(
                "step {number} sends the app's secret to the backend: a mini program must never hold the \
                 appsecret (anyone can unpack the package); only the backend calls jscode2session"
            ));
        }
        let sent = prepared.to_json(h.method, &url).to_string();
        for login in &self.history.logins {
            if sent.contains(&login.code) {
                self.history.carriers.push((number, login.code.clone()));
            }
        }
        report.request = Some(self.scrub(prepared.to_json(h.method, &url)));
        let mut req = match h.method {
            Method::Get => self.http.get(&url),
            Method::Post => self.http.post(&url),
            Method::Put => self.http.put(&url),
            Method::Delete => self.http.delete(&url),
        };
        for (k, v) in &prepared.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        match &prepared.body {
            PreparedBody::Json(v) => req = req.json(v),
            PreparedBody::Form(text) => {
                req = req
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(text.clone())
            }
            PreparedBody::None => {}
        }
        let started = Instant::now();
        let response = match read_response(req).await {
            Ok(r) => r,
            Err(transport) => {
                let reason = match &transport {
                    Transport::Refused => "connection refused (nothing listens there)".to_string(),
                    Transport::ConnectTimeout => format!(
                        "the connection did not complete within {:.0} s",
                        self.flow.timeout.min(Duration::from_secs(5)).as_secs_f64()
                    ),
                    Transport::ReadTimeout => format!(
                        "it accepted the request but sent no answer within {:.0} s (timeout)",
                        self.flow.timeout.as_secs_f64()
                    ),
                    Transport::Other(why) => why.clone(),
                };
                report.error = Some(format!(
                    "the backend did not answer {} {}: {reason}",
                    h.method.as_str(),
                    self.display_url(&url)
                ));
                report.transport_failure = true;
                report.transport = Some(transport);
                return;
            }
        };
        let response = Response {
            elapsed: started.elapsed(),
            ..response
        };
        let has_status = h.expect.iter().any(|e| matches!(e, Expectation::Status(_)));
        if !has_status {
            report.checks.push(Check {
                what: "status".into(),
                expected: json!("2xx"),
                actual: json!(response.status),
                ok: (200..300).contains(&response.status),
            });
        }
        for e in &h.expect {
            report.checks.push(self.check(e, &response));
        }
        for (name, source) in &h.captures {
            match capture(source, &response) {
                Some(v) => {
                    self.vars.set(name, v.clone());
                    report.captures.push((name.clone(), v));
                }
                None => {
                    report.error.get_or_insert_with(|| {
                        format!(
                            "capture `{name}`: {} is not in the response",
                            source.describe()
                        )
                    });
                }
            }
        }
        report.response = Some(Response {
            body: self.scrub(response.body.clone()),
            ..response
        });
    }

    fn check(&self, e: &Expectation, response: &Response) -> Check {
        match e {
            Expectation::Status(list) => Check {
                what: "status".into(),
                expected: if list.len() == 1 {
                    json!(list[0])
                } else {
                    json!(list)
                },
                actual: json!(response.status),
                ok: list.contains(&response.status),
            },
            Expectation::Pointer { pointer, value } => {
                let expected = self
                    .vars
                    .render_value(value)
                    .unwrap_or_else(|e| Value::String(format!("({e})")));
                let actual = response.body.pointer(pointer).cloned();
                let ok = actual.as_ref().is_some_and(|a| same_value(a, &expected));
                Check {
                    what: pointer.clone(),
                    expected,
                    actual: actual.unwrap_or(json!("(missing)")),
                    ok,
                }
            }
            Expectation::Flag { name, value } => Check {
                what: name.clone(),
                expected: json!(value),
                actual: Value::Null,
                ok: false,
            },
        }
    }

    fn prepare(&self, h: &HttpStep, url: &str) -> std::result::Result<Prepared, String> {
        let mut headers = Vec::new();
        for (k, v) in &h.headers {
            headers.push((k.clone(), self.vars.render_text(v)?));
        }
        let body = match &h.body {
            Body::None => PreparedBody::None,
            Body::Json(v) => PreparedBody::Json(self.vars.render_value(v)?),
            Body::Form(fields) => {
                let mut form = form_urlencoded::Serializer::new(String::new());
                for (k, v) in fields {
                    form.append_pair(k, &as_text(&self.vars.render_value(v)?));
                }
                PreparedBody::Form(form.finish())
            }
        };
        if reqwest::Url::parse(url).is_err() {
            return Err(format!("\"{url}\" is not a URL after templating"));
        }
        Ok(Prepared { headers, body })
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with("http://") || url.starts_with("https://") {
            return url.to_string();
        }
        format!("{}{url}", self.flow.backend.as_deref().unwrap_or(""))
    }

    /// Relative to the backend when it is there, to keep lines short.
    fn display_url(&self, url: &str) -> String {
        let shown = match &self.flow.backend {
            Some(b) if url.starts_with(b.as_str()) && url.len() > b.len() => {
                url[b.len()..].to_string()
            }
            _ => url.to_string(),
        };
        match self.secret_text() {
            Some(s) if !self.opts.reveal => shown.replace(s, &mask(s)),
            _ => shown,
        }
    }

    fn secret_text(&self) -> Option<&str> {
        self.opts
            .secret
            .as_ref()
            .map(Secret::expose)
            .filter(|s| s.len() >= 8)
    }

    /// Replaces the app's secret wherever it appears, unless `--reveal`.
    fn scrub(&self, value: Value) -> Value {
        match self.secret_text() {
            Some(s) if !self.opts.reveal => scrub_value(value, s),
            _ => value,
        }
    }
}

struct Prepared {
    headers: Vec<(String, String)>,
    body: PreparedBody,
}

enum PreparedBody {
    None,
    Json(Value),
    Form(String),
}

impl Prepared {
    fn mentions(&self, secret: &str) -> bool {
        let in_body = match &self.body {
            PreparedBody::None => false,
            PreparedBody::Json(v) => v.to_string().contains(secret),
            PreparedBody::Form(t) => {
                t.contains(secret)
                    || form_urlencoded::parse(t.as_bytes()).any(|(_, v)| v.contains(secret))
            }
        };
        in_body || self.headers.iter().any(|(_, v)| v.contains(secret))
    }

    fn to_json(&self, method: Method, url: &str) -> Value {
        let mut req = Map::new();
        req.insert("method".into(), json!(method.as_str()));
        req.insert("url".into(), json!(url));
        if !self.headers.is_empty() {
            let headers: Map<String, Value> = self
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            req.insert("headers".into(), Value::Object(headers));
        }
        match &self.body {
            PreparedBody::None => {}
            PreparedBody::Json(v) => {
                req.insert("json".into(), v.clone());
            }
            PreparedBody::Form(t) => {
                req.insert("form".into(), json!(t));
            }
        }
        Value::Object(req)
    }
}

/// How a request to the backend failed: refused, a connection or an answer that timed out.
fn transport_of(e: &reqwest::Error) -> Transport {
    match (e.is_connect(), e.is_timeout()) {
        (true, true) => Transport::ConnectTimeout,
        (true, false) => Transport::Refused,
        (false, true) => Transport::ReadTimeout,
        (false, false) => Transport::Other(short_reason(e)),
    }
}

async fn read_response(req: reqwest::RequestBuilder) -> std::result::Result<Response, Transport> {
    let mut resp = req.send().await.map_err(|e| transport_of(&e))?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_of(&e))? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_BODY {
            bytes.truncate(MAX_BODY);
            break;
        }
    }
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Ok(Response {
        status,
        elapsed: Duration::ZERO,
        body,
        headers,
    })
}

fn capture(source: &CaptureSource, response: &Response) -> Option<Value> {
    match source {
        CaptureSource::Pointer(p) => response.body.pointer(p).cloned(),
        CaptureSource::Header(name) => response
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| json!(v.strip_prefix("Bearer ").unwrap_or(v))),
    }
}

/// JSON equality where 1 and 1.0 are the same number.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn scrub_value(value: Value, secret: &str) -> Value {
    match value {
        Value::String(s) if s.contains(secret) => Value::String(s.replace(secret, &mask(secret))),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| scrub_value(v, secret)).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, scrub_value(v, secret)))
                .collect(),
        ),
        other => other,
    }
}

//! WeChat's HTTP API client (jscode2session, access tokens, check-session, phone number):
//! lenient answer parsing, retries only where a retry is safe, errors that never carry a secret.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, Url};
use serde_json::{Map, Value, json};

use super::errcode::{self, Lang};
use super::error::{Error, Result};
use super::model::Session;
use super::secret::{Secret, mask};

pub const DEFAULT_BASE_URL: &str = "https://api.weixin.qq.com";
pub const USER_AGENT: &str = concat!("wxlogin/", env!("CARGO_PKG_VERSION"));

/// An answer larger than this is not WeChat's: its answers are a few hundred bytes.
const MAX_BODY: usize = 1 << 20;
/// First pause between attempts; doubled on each further retry.
const BACKOFF: Duration = Duration::from_millis(250);

/// Where and how to reach the API.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    pub base_url: String,
    /// Per attempt, connection included.
    pub timeout: Duration,
    /// Further attempts after errcode -1 or a connection that never reached the server.
    pub retries: u32,
    /// Allow plain http to a host that is not loopback.
    pub insecure: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Duration::from_secs(10),
            retries: 2,
            insecure: false,
        }
    }
}

/// An access token and its lifetime in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessToken {
    pub access_token: Secret,
    pub expires_in: i64,
}

/// What the client is doing, for a `-v` trace. Every string is already redacted.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    Sending {
        method: String,
        url: String,
        body: Option<String>,
        attempt: u32,
        attempts: u32,
    },
    Answered {
        status: u16,
        bytes: usize,
        elapsed: Duration,
    },
    Retrying {
        reason: String,
        delay: Duration,
        next_attempt: u32,
        attempts: u32,
    },
}

/// Receives [`Event`]s; the core never prints, the caller decides what to show.
pub type Observer = Arc<dyn Fn(&Event) + Send + Sync>;

/// The WeChat API client. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    timeout: Duration,
    retries: u32,
    lang: Lang,
    observer: Option<Observer>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

/// One API call: everything needed to send it, retry it and redact it.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) query: Vec<(&'static str, &'a str)>,
    pub(crate) body: Option<Value>,
    /// Values that must never appear in a message, whatever echoes them.
    pub(crate) secrets: Vec<&'a str>,
    /// The call spends a single-use code: a request that may have arrived is never resent.
    pub(crate) spends_code: bool,
}

enum Attempt {
    Answer(Map<String, Value>),
    /// Safe to send again (nothing reached WeChat, or it said "busy"); the error if no retry is left.
    Retry(Error),
    Fail(Error),
}

impl Client {
    /// Checks the base URL: http(s) only, no credentials, query or fragment in it, and plain
    /// http only to a loopback host unless `insecure` (the appsecret travels in the query).
    /// A URL refused here is bad input (exit 3).
    pub fn new(cfg: ClientConfig) -> Result<Client> {
        let base = parse_base_url(&cfg.base_url, cfg.insecure)?;
        if cfg.timeout.is_zero() {
            return Err(Error::usage(
                "--timeout must be more than 0 seconds",
                "e.g. --timeout 10",
            ));
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            // A redirect would carry the appsecret (query or stable_token body) to another host.
            .redirect(reqwest::redirect::Policy::none());
        if is_loopback(&base) {
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| {
            Error::transport(
                format!(
                    "cannot set up the HTTP client: {}",
                    root_reason(&e.without_url())
                ),
                "this is a bug or a broken TLS setup; please report it",
            )
        })?;
        Ok(Client {
            http,
            base,
            timeout: cfg.timeout,
            retries: cfg.retries,
            lang: Lang::En,
            observer: None,
        })
    }

    /// The language of errcode meanings and fixes in the errors this client returns.
    pub fn with_lang(mut self, lang: Lang) -> Client {
        self.lang = lang;
        self
    }

    pub fn with_observer(mut self, observer: Observer) -> Client {
        self.observer = Some(observer);
        self
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// `GET /sns/jscode2session` with exactly appid, secret, js_code and grant_type.
    pub async fn code2session(&self, appid: &str, secret: &Secret, code: &str) -> Result<Session> {
        let answer = self
            .call(Call {
                method: Method::GET,
                path: "/sns/jscode2session",
                query: vec![
                    ("appid", appid),
                    ("secret", secret.expose()),
                    ("js_code", code),
                    ("grant_type", "authorization_code"),
                ],
                body: None,
                secrets: vec![secret.expose()],
                spends_code: true,
            })
            .await?;
        session_from(&answer, "jscode2session")
    }

    /// `GET /cgi-bin/token`. Each call replaces the app's previous token (it stays valid five
    /// more minutes), so a server caching one is disturbed: prefer [`Client::stable_token`].
    pub async fn access_token(&self, appid: &str, secret: &Secret) -> Result<AccessToken> {
        let answer = self
            .call(Call {
                method: Method::GET,
                path: "/cgi-bin/token",
                query: vec![
                    ("grant_type", "client_credential"),
                    ("appid", appid),
                    ("secret", secret.expose()),
                ],
                body: None,
                secrets: vec![secret.expose()],
                spends_code: false,
            })
            .await?;
        token_from(&answer)
    }

    /// `POST /cgi-bin/stable_token`: without `force_refresh` it returns the token in force and
    /// leaves it valid, so it is safe to call next to a production server.
    pub async fn stable_token(
        &self,
        appid: &str,
        secret: &Secret,
        force_refresh: bool,
    ) -> Result<AccessToken> {
        let answer = self
            .call(Call {
                method: Method::POST,
                path: "/cgi-bin/stable_token",
                query: vec![],
                body: Some(json!({
                    "grant_type": "client_credential",
                    "appid": appid,
                    "secret": secret.expose(),
                    "force_refresh": force_refresh,
                })),
                secrets: vec![secret.expose()],
                spends_code: false,
            })
            .await?;
        token_from(&answer)
    }

    /// `GET /wxa/checksession`: `Ok` when `session_key` is the user's current key; a stale key
    /// is `Err(Api)` with errcode 87009.
    pub async fn check_session(
        &self,
        access_token: &Secret,
        openid: &str,
        session_key: &Secret,
    ) -> Result<()> {
        let signature = super::crypto::checksession_signature(session_key.expose());
        self.call(Call {
            method: Method::GET,
            path: "/wxa/checksession",
            query: vec![
                ("access_token", access_token.expose()),
                ("openid", openid),
                ("signature", &signature),
                ("sig_method", "hmac_sha256"),
            ],
            body: None,
            secrets: vec![access_token.expose(), session_key.expose()],
            spends_code: false,
        })
        .await
        .map(|_| ())
    }

    /// `GET /wxa/resetusersessionkey`: makes WeChat issue a new session_key for the user.
    pub async fn reset_session_key(
        &self,
        access_token: &Secret,
        openid: &str,
        session_key: &Secret,
    ) -> Result<Session> {
        let signature = super::crypto::checksession_signature(session_key.expose());
        let answer = self
            .call(Call {
                method: Method::GET,
                path: "/wxa/resetusersessionkey",
                query: vec![
                    ("access_token", access_token.expose()),
                    ("openid", openid),
                    ("signature", &signature),
                    ("sig_method", "hmac_sha256"),
                ],
                body: None,
                secrets: vec![access_token.expose(), session_key.expose()],
                // Resending would rotate the key twice; the first answer's key would be lost.
                spends_code: true,
            })
            .await?;
        session_from(&answer, "resetusersessionkey")
    }

    /// `POST /wxa/business/getuserphonenumber`: the `phone_info` object of the answer.
    pub async fn phone_number(&self, access_token: &Secret, code: &str) -> Result<Value> {
        let answer = self
            .call(Call {
                method: Method::POST,
                path: "/wxa/business/getuserphonenumber",
                query: vec![("access_token", access_token.expose())],
                body: Some(json!({ "code": code })),
                secrets: vec![access_token.expose()],
                spends_code: true,
            })
            .await?;
        match answer.get("phone_info") {
            Some(info @ Value::Object(_)) => Ok(info.clone()),
            _ => Err(unexpected_answer("getuserphonenumber", "phone_info")),
        }
    }

    pub(crate) async fn call(&self, call: Call<'_>) -> Result<Map<String, Value>> {
        let url = self.endpoint(call.path, &call.query);
        let shown_url = redact_url(&url);
        let shown_body = call.body.as_ref().map(redact_body);
        let attempts = self.retries.saturating_add(1);
        let mut attempt = 1;
        loop {
            self.observe(|| Event::Sending {
                method: call.method.to_string(),
                url: shown_url.clone(),
                body: shown_body.clone(),
                attempt,
                attempts,
            });
            let error = match self.attempt(&call, &url, attempt).await {
                Attempt::Answer(answer) => return Ok(answer),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry(error) => error,
            };
            if attempt >= attempts {
                return Err(after_attempts(error, attempts));
            }
            let delay = BACKOFF.saturating_mul(1 << (attempt - 1).min(4));
            self.observe(|| Event::Retrying {
                reason: short_reason(&error),
                delay,
                next_attempt: attempt + 1,
                attempts,
            });
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, call: &Call<'_>, url: &Url, attempt: u32) -> Attempt {
        let started = Instant::now();
        let mut request = self.http.request(call.method.clone(), url.clone());
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => return self.failed(e, call),
        };
        let status = response.status();
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > MAX_BODY => {
                    return Attempt::Fail(Error::transport(
                        format!("the answer from {} is larger than 1 MiB", self.host()),
                        WRONG_SERVER_HINT,
                    ));
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return self.failed(e, call),
            }
        }
        self.observe(|| Event::Answered {
            status: status.as_u16(),
            bytes: body.len(),
            elapsed: started.elapsed(),
        });
        self.interpret(status, response.headers(), &body, call, attempt)
    }

    fn interpret(
        &self,
        status: reqwest::StatusCode,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
        call: &Call<'_>,
        attempt: u32,
    ) -> Attempt {
        let host = self.host();
        if status.is_server_error() {
            return Attempt::Fail(Error::transport(
                format!(
                    "HTTP {} from {host}{}",
                    status_text(status),
                    body_kind(body)
                ),
                "the server or a proxy in front of it failed; try again in a moment, and check --base-url if it persists",
            ));
        }
        if status.is_redirection() {
            let to = headers
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| self.base.join(l).ok())
                .map(|u| format!(" to {}", redact_url(&u)))
                .unwrap_or_default();
            return Attempt::Fail(Error::transport(
                format!(
                    "HTTP {} from {host}: redirected{to}, not followed",
                    status_text(status)
                ),
                "a redirect would carry the appsecret elsewhere; point --base-url at the API root itself",
            ));
        }
        let object = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            Ok(_) | Err(_) if !status.is_success() => {
                return Attempt::Fail(Error::transport(
                    format!(
                        "HTTP {} from {host}{}",
                        status_text(status),
                        body_kind(body)
                    ),
                    "is --base-url the API root (e.g. https://api.weixin.qq.com)?",
                ));
            }
            Ok(_) => {
                return Attempt::Fail(Error::transport(
                    format!("the answer from {host} is JSON but not an object"),
                    WRONG_SERVER_HINT,
                ));
            }
            Err(_) => {
                return Attempt::Fail(Error::transport(
                    format!("the answer from {host} is not JSON{}", body_kind(body)),
                    WRONG_SERVER_HINT,
                ));
            }
        };
        let errcode = match read_errcode(object.get("errcode")) {
            Ok(code) => code,
            Err(shown) => {
                return Attempt::Fail(Error::transport(
                    format!("the answer from {host} has an unreadable errcode {shown}"),
                    WRONG_SERVER_HINT,
                ));
            }
        };
        if errcode == 0 && !status.is_success() {
            return Attempt::Fail(Error::transport(
                format!(
                    "HTTP {} from {host}{}",
                    status_text(status),
                    body_kind(body)
                ),
                "is --base-url the API root (e.g. https://api.weixin.qq.com)?",
            ));
        }
        if errcode == 0 {
            return Attempt::Answer(object);
        }
        let errmsg = match object.get("errmsg") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let error = self.api_error(errcode, &redact_text(&errmsg, &call.secrets), call, attempt);
        if errcode == -1 {
            Attempt::Retry(error)
        } else {
            Attempt::Fail(error)
        }
    }

    fn api_error(&self, errcode: i64, errmsg: &str, call: &Call<'_>, attempt: u32) -> Error {
        let (meaning, mut hint) = errcode::explain(errcode, self.lang);
        if errcode == 40163 && call.spends_code && attempt > 1 {
            hint.push_str(match self.lang {
                Lang::En => {
                    " (this answer came on a retry: the first attempt may have used the code)"
                }
                Lang::Zh => "（该结果来自一次重试：第一次请求可能已用掉了 code）",
            });
        }
        Error::Api {
            errcode,
            errmsg: errmsg.to_string(),
            meaning,
            hint,
        }
    }

    /// A request that produced no answer: retried only when it certainly never reached the server.
    fn failed(&self, err: reqwest::Error, call: &Call<'_>) -> Attempt {
        let err = err.without_url();
        let host = self.host();
        let secs = format_secs(self.timeout);
        let root = redact_text(&root_reason(&err), &call.secrets);
        if err.is_connect() {
            let (message, hint, retry) = if err.is_timeout() {
                (
                    format!("no connection to {host} within {secs}"),
                    "check the network, a firewall or proxy, or raise --timeout".to_string(),
                    true,
                )
            } else if err.is_dns() {
                (
                    format!("cannot resolve {host}"),
                    "check the host name in --base-url / WXLOGIN_BASE_URL, and your DNS"
                        .to_string(),
                    true,
                )
            } else if is_refused(&err) {
                (
                    format!("connection refused by {host}"),
                    "nothing listens there: start the server (e.g. `wxlogin mock-server`) or fix --base-url / WXLOGIN_BASE_URL".to_string(),
                    true,
                )
            } else if is_tls(&err) {
                (
                    format!("TLS handshake with {host} failed: {root}"),
                    "the certificate is not trusted or not for this host, or the server speaks plain http (then use http:// for a loopback stand-in); wxlogin always checks certificates (a TLS-intercepting proxy needs its CA in the system store)".to_string(),
                    false,
                )
            } else {
                (
                    format!("cannot connect to {host}: {root}"),
                    "check the network and --base-url".to_string(),
                    true,
                )
            };
            let error = Error::transport(message, hint);
            return if retry {
                Attempt::Retry(error)
            } else {
                Attempt::Fail(error)
            };
        }
        let hint = if call.spends_code {
            "the request may have reached WeChat and used the code, so it was not resent (a retry would only get 40163); get a fresh code with wx.login and try again, or raise --timeout"
        } else {
            "the request was sent but no answer came; try again, or raise --timeout"
        };
        let message = if err.is_timeout() {
            format!("no answer from {host} within {secs}")
        } else {
            format!("the exchange with {host} broke off: {root}")
        };
        Attempt::Fail(Error::transport(message, hint))
    }

    fn endpoint(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}{path}", self.base.path().trim_end_matches('/'));
        url.set_path(&joined);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    fn host(&self) -> String {
        match (self.base.host_str(), self.base.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => self.base.to_string(),
        }
    }

    fn observe(&self, event: impl FnOnce() -> Event) {
        if let Some(observer) = &self.observer {
            observer(&event());
        }
    }
}

const WRONG_SERVER_HINT: &str =
    "something other than WeChat answered (a proxy, a captive portal, a wrong --base-url)";

fn parse_base_url(text: &str, insecure: bool) -> Result<Url> {
    let bad = |message: String, hint: &str| Error::input("base URL", message, hint);
    let url = Url::parse(text.trim()).map_err(|e| {
        bad(
            format!("{:?} is not a URL: {e}", redact_text(text, &[])),
            "give the API root, e.g. https://api.weixin.qq.com or http://127.0.0.1:8080",
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad(
            format!("{} is not an http(s) URL", url.scheme()),
            "give the API root, e.g. https://api.weixin.qq.com or http://127.0.0.1:8080",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "the URL carries a user name or password".to_string(),
            "WeChat's API takes no HTTP credentials; drop the user:password@ part",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            "the URL carries a query or fragment".to_string(),
            "give only the API root; wxlogin adds each API's path and parameters",
        ));
    }
    if url.scheme() == "http" && !insecure && !is_loopback(&url) {
        return Err(bad(
            format!(
                "plain http to {} would send the appsecret across the network unencrypted",
                url.host_str().unwrap_or_default()
            ),
            "use https, a loopback address (127.0.0.1, localhost), or pass --insecure if you mean it",
        ));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let host = host.to_ascii_lowercase();
            host == "localhost" || host.ends_with(".localhost")
        }
    }
}

/// `errcode` absent, null, 0 or "0" is success; a numeric string is read as its number.
pub(crate) fn read_errcode(value: Option<&Value>) -> std::result::Result<i64, String> {
    match value {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .ok_or_else(|| n.to_string()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(0),
        Some(Value::String(s)) => s.trim().parse().map_err(|_| format!("{s:?}")),
        Some(other) => Err(other.to_string()),
    }
}

fn session_from(answer: &Map<String, Value>, api: &str) -> Result<Session> {
    let text = |field: &str| match answer.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let openid = text("openid").ok_or_else(|| unexpected_answer(api, "openid"))?;
    let session_key = text("session_key").ok_or_else(|| unexpected_answer(api, "session_key"))?;
    Ok(Session {
        openid,
        session_key: Secret::new(session_key),
        unionid: text("unionid"),
    })
}

fn token_from(answer: &Map<String, Value>) -> Result<AccessToken> {
    let token = match answer.get("access_token") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(unexpected_answer("token", "access_token")),
    };
    let expires_in = match answer.get("expires_in") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    };
    Ok(AccessToken {
        access_token: Secret::new(token),
        expires_in,
    })
}

fn unexpected_answer(api: &str, field: &str) -> Error {
    Error::transport(
        format!("the {api} answer has errcode 0 but no {field}"),
        WRONG_SERVER_HINT,
    )
}

fn after_attempts(error: Error, attempts: u32) -> Error {
    if attempts < 2 {
        return error;
    }
    match error {
        Error::Api {
            errcode,
            errmsg,
            meaning,
            hint,
        } => Error::Api {
            errcode,
            errmsg,
            meaning,
            hint: format!("{hint} (gave up after {attempts} attempts)"),
        },
        Error::Transport { message, hint } => Error::Transport {
            message: format!("{message} ({attempts} attempts)"),
            hint,
        },
        other => other,
    }
}

fn short_reason(error: &Error) -> String {
    match error {
        Error::Api {
            errcode, meaning, ..
        } => format!("errcode {errcode} ({meaning})"),
        other => other.to_string(),
    }
}

fn status_text(status: reqwest::StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// `(an HTML page, 1234 bytes)`: enough to recognise a proxy's error page without echoing it.
fn body_kind(body: &[u8]) -> String {
    let start = String::from_utf8_lossy(&body[..body.len().min(256)]).to_ascii_lowercase();
    let start = start.trim_start();
    let kind = if body.is_empty() {
        return " (empty body)".to_string();
    } else if start.starts_with("<!doctype html") || start.starts_with("<html") {
        "an HTML page"
    } else if start.starts_with('<') {
        "markup"
    } else if start.starts_with('{') || start.starts_with('[') {
        "broken JSON"
    } else {
        "text"
    };
    format!(" ({kind}, {} bytes)", body.len())
}

fn format_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

/// The innermost cause, which says what happened ("Connection refused"), without Rust's
/// `(os error 111)` noise.
fn root_reason(err: &(dyn std::error::Error + 'static)) -> String {
    let mut reason = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !text.is_empty() {
            reason = text;
        }
        source = inner.source();
    }
    match reason.find(" (os error") {
        Some(i) => reason[..i].to_string(),
        None => reason,
    }
}

/// Every `io::Error` in the chain, including those wrapped inside another: `io::Error::source`
/// skips its own payload, so the wrapped ones are reached through `get_ref`.
fn io_errors<'a>(err: &'a (dyn std::error::Error + 'static)) -> Vec<&'a std::io::Error> {
    let mut found = Vec::new();
    for e in std::iter::successors(Some(err), |e| e.source()) {
        let mut io = e.downcast_ref::<std::io::Error>();
        while let Some(inner) = io {
            found.push(inner);
            io = inner
                .get_ref()
                .and_then(|p| p.downcast_ref::<std::io::Error>());
        }
    }
    found
}

fn is_refused(err: &reqwest::Error) -> bool {
    io_errors(err)
        .iter()
        .any(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
}

fn is_tls(err: &reqwest::Error) -> bool {
    io_errors(err)
        .iter()
        .any(|e| e.kind() == std::io::ErrorKind::InvalidData)
        || std::iter::successors(Some(err as &dyn std::error::Error), |e| e.source()).any(|e| {
            let text = e.to_string().to_ascii_lowercase();
            text.contains("certificate") || text.contains("tls") || text.contains("handshake")
        })
}

/// Query parameters whose values must not be shown in full.
const HIDDEN_PARAMS: &[&str] = &[
    "secret",
    "access_token",
    "session_key",
    "corpsecret",
    "component_appsecret",
    "component_verify_ticket",
    "component_access_token",
];

/// The URL for a trace line: the appsecret hidden whole, tokens masked.
pub fn redact_url(url: &Url) -> String {
    let Some(query) = url.query() else {
        return url.to_string();
    };
    let mut bare = url.clone();
    bare.set_query(None);
    let parts: Vec<String> = query
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((key, _)) if key.ends_with("secret") => format!("{key}=…"),
            Some((key, value)) if HIDDEN_PARAMS.contains(&key) => format!("{key}={}", mask(value)),
            _ => part.to_string(),
        })
        .collect();
    format!("{bare}?{}", parts.join("&"))
}

fn redact_body(body: &Value) -> String {
    let mut shown = body.clone();
    if let Value::Object(map) = &mut shown {
        for (k, v) in map.iter_mut() {
            if k.ends_with("secret") {
                *v = Value::String("…".to_string());
            } else if HIDDEN_PARAMS.contains(&k.as_str())
                && let Value::String(s) = v
            {
                *v = Value::String(mask(s));
            }
        }
    }
    shown.to_string()
}

/// Removes every known secret value and anything shaped like `secret=…` or
/// `access_token=…` from text that came from elsewhere (errmsg, error chains).
pub fn redact_text(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if secret.len() >= 4 {
            out = out.replace(secret, "…");
        }
    }
    for key in HIDDEN_PARAMS {
        let needle = format!("{key}=");
        let mut from = 0;
        while let Some(pos) = out[from..].to_ascii_lowercase().find(&needle) {
            let start = from + pos + needle.len();
            let end = out[start..]
                .find(|c: char| {
                    matches!(c, '&' | '"' | '\'' | '#' | ',' | ';') || c.is_whitespace()
                })
                .map_or(out.len(), |i| start + i);
            out.replace_range(start..end, "…");
            from = start + '…'.len_utf8();
        }
    }
    out
}

/// Runs one future on a fresh current-thread runtime: the network commands' only runtime.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::transport(
                format!("cannot start the async runtime: {e}"),
                "the system is out of threads or file descriptors",
            )
        })?;
    Ok(runtime.block_on(future))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_and_its_futures_can_cross_threads() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: &T) {}
        let client = Client::new(ClientConfig::default()).unwrap();
        send_sync(&client);
        let secret = Secret::new("s");
        let future = client.code2session("wx", &secret, "c");
        send(&future);
        let future = client.phone_number(&secret, "c");
        send(&future);
    }

    #[test]
    fn errcode_is_read_leniently() {
        assert_eq!(read_errcode(None), Ok(0));
        assert_eq!(read_errcode(Some(&json!(0))), Ok(0));
        assert_eq!(read_errcode(Some(&json!("0"))), Ok(0));
        assert_eq!(read_errcode(Some(&json!("40029"))), Ok(40029));
        assert_eq!(read_errcode(Some(&json!(-1))), Ok(-1));
        assert_eq!(read_errcode(Some(&json!(40163.0))), Ok(40163));
        assert!(read_errcode(Some(&json!("busy"))).is_err());
        assert!(read_errcode(Some(&json!([1]))).is_err());
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let cfg = |url: &str, insecure| ClientConfig {
            base_url: url.to_string(),
            insecure,
            ..ClientConfig::default()
        };
        assert!(Client::new(cfg("http://127.0.0.1:8080", false)).is_ok());
        assert!(Client::new(cfg("http://localhost:1", false)).is_ok());
        assert!(Client::new(cfg("http://[::1]:1/", false)).is_ok());
        assert!(Client::new(cfg("https://api.weixin.qq.com", false)).is_ok());
        let err = Client::new(cfg("http://example.com", false)).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert!(Client::new(cfg("http://example.com", true)).is_ok());
        assert!(Client::new(cfg("ftp://example.com", true)).is_err());
        assert!(Client::new(cfg("https://u:p@example.com", false)).is_err());
        assert!(Client::new(cfg("https://example.com/?a=1", false)).is_err());
        assert!(Client::new(cfg("not a url", false)).is_err());
    }

    #[test]
    fn endpoint_keeps_a_base_path_and_encodes_the_query() {
        let client = Client::new(ClientConfig {
            base_url: "http://127.0.0.1:9/prefix/".into(),
            ..ClientConfig::default()
        })
        .unwrap();
        let url = client.endpoint("/sns/jscode2session", &[("js_code", "a+b/c= d")]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/prefix/sns/jscode2session?js_code=a%2Bb%2Fc%3D+d"
        );
    }

    #[test]
    fn redaction_hides_secrets_in_urls_and_text() {
        let url = Url::parse(
            "https://h/sns/jscode2session?appid=wx1&secret=0123456789abcdef0123456789abcdef&js_code=c",
        )
        .unwrap();
        let shown = redact_url(&url);
        assert!(!shown.contains("0123"), "{shown}");
        assert!(shown.contains("appid=wx1") && shown.contains("js_code=c"));
        let text = redact_text(
            "error for url (https://h/x?appid=a&secret=S3CR3T&access_token=TOKEN123): boom SPECIAL",
            &["SPECIAL"],
        );
        assert!(
            !text.contains("S3CR3T") && !text.contains("TOKEN123") && !text.contains("SPECIAL")
        );
        assert!(text.contains("appid=a"));
    }
}

//! One attempt of a call: send it, read the answer, and classify the outcome as an answer, a
//! failure, or something safe to try again; errors are worded here, never carrying a secret.

use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::{Map, Value};

use super::Event;
use super::client::{Call, Client};
use crate::core::errcode::{self, Lang};
use crate::core::error::{ApiNote, Error};
use crate::core::platform::Platform;
use crate::core::redact::{redact_text, redact_url};

/// An answer larger than this is not WeChat's: its answers are a few hundred bytes.
const MAX_BODY: usize = 1 << 20;

pub(super) enum Attempt {
    Answer(Map<String, Value>),
    /// Nothing reached WeChat: safe to send again; the error if no retry is left.
    Retry(Error),
    /// WeChat answered errcode -1 ("system busy, retry later"): resent as the call allows.
    Busy(Error),
    /// HTTP 5xx: resent only when the call is idempotent.
    ServerError(Error),
    Fail(Error),
}

impl Client {
    /// `after_busy`: an earlier attempt of this call was answered errcode -1.
    pub(super) async fn attempt(&self, call: &Call<'_>, url: &Url, after_busy: bool) -> Attempt {
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
        self.interpret(status, response.headers(), &body, call, after_busy)
    }

    fn interpret(
        &self,
        status: reqwest::StatusCode,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
        call: &Call<'_>,
        after_busy: bool,
    ) -> Attempt {
        let host = self.host();
        if status.is_server_error() {
            return Attempt::ServerError(Error::transport(
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
                return Attempt::Fail(not_the_api(status, &host, body));
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
            return Attempt::Fail(not_the_api(status, &host, body));
        }
        if errcode == 0 {
            return Attempt::Answer(object);
        }
        let errmsg = match object.get("errmsg") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let error = api_error(
            errcode,
            &redact_text(&errmsg, &call.secrets),
            call,
            after_busy,
        );
        if errcode == -1 {
            Attempt::Busy(error)
        } else {
            Attempt::Fail(error)
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
        let hint = if call.spends_code() {
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
}

pub(super) const WRONG_SERVER_HINT: &str =
    "something other than WeChat answered (a proxy, a captive portal, a wrong --base-url)";

/// `errcode` absent, null, 0 or "0" is success; a numeric string is read as its number.
pub(crate) fn read_errcode(value: Option<&Value>) -> std::result::Result<i64, String> {
    match value {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_i64()
            // A whole float within i64's range only: `as` would turn 1e308 or u64::MAX into
            // i64::MAX, an errcode the server never sent.
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
                    .map(|f| f as i64)
            })
            .ok_or_else(|| n.to_string()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(0),
        Some(Value::String(s)) => s.trim().parse().map_err(|_| format!("{s:?}")),
        Some(other) => Err(other.to_string()),
    }
}

fn api_error(errcode: i64, errmsg: &str, call: &Call<'_>, after_busy: bool) -> Error {
    let note = if errcode == 40163 && call.spends_code() && after_busy {
        ApiNote::CodeSpentByBusyAnswer
    } else {
        ApiNote::None
    };
    Error::Api {
        errcode,
        errmsg: errmsg.to_string(),
        note,
        platform: Platform::Wechat,
    }
}

pub(super) fn after_attempts(error: Error, attempts: u32) -> Error {
    if attempts < 2 {
        return error;
    }
    match error {
        api @ Error::Api { .. } => api.with_api_note(ApiNote::GaveUp { attempts }),
        Error::Transport { message, hint } => Error::Transport {
            message: format!("{message} ({attempts} attempts)"),
            hint,
        },
        other => other,
    }
}

pub(super) fn short_reason(error: &Error, lang: Lang) -> String {
    match error {
        Error::Api { errcode, .. } => {
            format!("errcode {errcode} ({})", errcode::explain(*errcode, lang).0)
        }
        other => other.to_string(),
    }
}

/// An HTTP error status without a WeChat errcode: most likely not the API root at all.
fn not_the_api(status: reqwest::StatusCode, host: &str, body: &[u8]) -> Error {
    Error::transport(
        format!(
            "HTTP {} from {host}{}",
            status_text(status),
            body_kind(body)
        ),
        "is --base-url the API root (e.g. https://api.weixin.qq.com)?",
    )
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
pub(super) fn root_reason(err: &(dyn std::error::Error + 'static)) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        assert_eq!(
            read_errcode(Some(&json!(u64::MAX))),
            Err("18446744073709551615".to_string())
        );
        assert_eq!(read_errcode(Some(&json!(1e308))), Err("1e+308".to_string()));
    }
}

//! What a run of a flow produced, step by step, and the history the diagnosis reads: written
//! by the runner, read by the diagnosis and the renderers, with no dependency between those.

use std::time::Duration;

use serde_json::Value;

use super::flow::Method;
use super::mocklink::{TlsFailure, WeChatCall};
use crate::core::platform::Platform;

/// What one step did and how it ended.
#[derive(Debug, Clone)]
pub struct StepReport {
    pub number: usize,
    pub line: usize,
    pub name: Option<String>,
    pub kind: StepKind,
    /// What the step sent (an HTTP request, or the wx call's parameters).
    pub request: Option<Value>,
    pub response: Option<Response>,
    /// For wx steps: what the client got (code, openid, rawData...).
    pub produced: Vec<(String, Value)>,
    pub captures: Vec<(String, Value)>,
    pub wechat: Vec<WeChatCall>,
    pub checks: Vec<Check>,
    /// Why the step could not complete (transport, template, capture), if it could not.
    pub error: Option<String>,
    pub transport_failure: bool,
    /// How the backend could not be reached, when it could not.
    pub transport: Option<Transport>,
    /// Latency faults set on the mock when the backend timed out: `(route, latency_ms)`.
    pub latency_faults: Vec<(String, u64)>,
    /// The backend's WeChat calls still held by a latency fault when it timed out (not yet in
    /// the journal, which records a call once answered): `(path, latency_ms)`.
    pub delayed_calls: Vec<(String, u64)>,
    pub ok: bool,
}

/// Why a request to the backend got no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Transport {
    /// Nothing listens there.
    Refused,
    /// The connection itself did not complete in time.
    ConnectTimeout,
    /// Connected and sent, but no answer in time: the backend is busy or waiting itself.
    ReadTimeout,
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    Wx(&'static str),
    Http { method: Method, url: String },
    Sleep(Duration),
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub elapsed: Duration,
    /// The body as JSON, or as a string when it was not JSON.
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

/// One expectation and what was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub what: String,
    pub expected: Value,
    pub actual: Value,
    pub ok: bool,
}

/// A `wx.login` the client did during the run.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginEvent {
    pub step: usize,
    pub code: String,
    /// Unix milliseconds when the mock issued the code.
    pub at_ms: u64,
    /// The step's `as` name, under which its code stays reachable after another login.
    pub name: Option<String>,
}

/// What happened so far, for the diagnosis and for `checksession`.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub logins: Vec<LoginEvent>,
    /// Steps that produced encrypted data (userinfo, phonenumber).
    pub userinfos: Vec<usize>,
    /// WeChat-side calls, with the step during which each happened.
    pub calls: Vec<(usize, WeChatCall)>,
    /// HTTP steps that sent a login's code to the backend: (step, code).
    pub carriers: Vec<(usize, String)>,
    /// TLS handshakes that failed with the mock's proxy during the run.
    pub tls_failures: Vec<TlsFailure>,
    /// The mock intercepts WeChat's hosts: the backend is to reach it through the proxy.
    pub intercepting: bool,
    pub warnings: Vec<String>,
    /// The platform the flow plays: only its exchange path counts as exchanging a code.
    pub platform: Platform,
}

impl History {
    /// The HTTP steps that sent `code` to the backend.
    pub fn carriers_of(&self, code: &str) -> Vec<usize> {
        self.carriers
            .iter()
            .filter(|(_, c)| c == code)
            .map(|(s, _)| *s)
            .collect()
    }

    /// The step whose call exchanged `code` successfully, if one did.
    pub fn exchanged_ok(&self, code: &str) -> Option<usize> {
        self.calls
            .iter()
            .find(|(_, c)| {
                c.is_exchange_for(self.platform) && c.ok() && c.code.as_deref() == Some(code)
            })
            .map(|(s, _)| *s)
    }

    fn reset_since(&self, at_ms: u64) -> bool {
        self.calls
            .iter()
            .any(|(_, c)| c.path == "/wxa/resetusersessionkey" && c.ok() && c.time_ms >= at_ms)
    }

    /// `wx.checkSession` on WeChat's side: a user logged in and no reset since.
    pub fn session_valid(&self) -> bool {
        self.logins
            .last()
            .is_some_and(|l| !self.reset_since(l.at_ms))
    }

    /// Whether the backend exchanged the latest code, so holds the user's current key.
    pub fn backend_current(&self) -> bool {
        self.logins
            .last()
            .is_some_and(|l| self.exchanged_ok(&l.code).is_some() && !self.reset_since(l.at_ms))
    }
}

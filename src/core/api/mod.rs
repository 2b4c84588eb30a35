//! WeChat's HTTP API client (jscode2session, access tokens, check-session, phone number):
//! lenient answer parsing, retries only where a retry is safe, errors that never carry a secret.

mod attempt;
mod client;
mod url;

pub(crate) use attempt::read_errcode;
pub use client::Client;
pub(crate) use client::{Call, Resend, session_from, text, token_from, unexpected_answer};

use std::sync::Arc;
use std::time::Duration;

use super::secret::Secret;

pub const DEFAULT_BASE_URL: &str = "https://api.weixin.qq.com";
pub const USER_AGENT: &str = concat!("wxlogin/", env!("CARGO_PKG_VERSION"));

/// Where and how to reach the API.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    pub base_url: String,
    /// Per attempt, connection included.
    pub timeout: Duration,
    /// Further attempts after a connection that never reached the server, or after errcode -1
    /// or HTTP 5xx on an idempotent call (jscode2session: one at most; never on a call that
    /// spends something single-use).
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

//! The client's part played in process: `wx.login`, `wx.getUserInfo`, the phone button and the
//! journal, through the very functions the `/mock/` control routes use, recorded alike.

use std::sync::Arc;
use std::time::Instant;

use axum::http::Method;
use serde::Serialize;
use serde_json::json;

use super::control::{self, PhoneRequest, UserInfoRequest};
use super::journal::{Copied, JournalEntry, LogLine};
use super::profile::Profile;
use super::reply::Refusal;
use super::state::{User, code_str, now_ms};
use super::{Mock, MockServer};
use crate::core::Result;

/// What `wx.login` gave the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The single-use code the client posts to its backend.
    pub code: String,
    pub openid: String,
    /// Seconds the code stays valid.
    pub expires_in: u64,
}

/// What `wx.getUserInfo({withCredentials: true})` gave the client.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfoCapture {
    /// The exact JSON text that was signed: verify over it, never over a re-serialisation.
    pub raw_data: String,
    /// sha1(rawData + session_key), hex.
    pub signature: String,
    /// AES-128-CBC of the full user info under the session_key, base64.
    pub encrypted_data: String,
    pub iv: String,
    /// The public profile, as `userInfo`.
    pub user_info: Profile,
}

impl MockServer {
    /// `wx.login` for `openid` (a new user when `None`), exactly as `POST /mock/login`: a fresh
    /// code, and the user's session_key rotates at once.
    pub async fn wx_login(&self, appid: &str, openid: Option<&str>) -> Result<Login> {
        let mut body = json!({"appid": appid});
        if let Some(o) = openid {
            body["openid"] = json!(o);
        }
        let ttl = self.mock.state.code_ttl_ms / 1000;
        act(&self.mock, "/mock/login", &body, |mock| {
            let (user, code) = control::login_user(mock, Some(appid), openid, None)?;
            let login = Login {
                code: code_str(&code).to_string(),
                openid: user.openid.to_string(),
                expires_in: ttl,
            };
            Ok((user, login))
        })
    }

    /// `wx.getUserInfo({withCredentials: true})` for a user who logged in, exactly as
    /// `POST /mock/userinfo`: signed and encrypted with the current session_key.
    pub async fn user_info(&self, appid: &str, openid: &str) -> Result<UserInfoCapture> {
        let body = json!({"appid": appid, "openid": openid});
        act(&self.mock, "/mock/userinfo", &body, |mock| {
            let req = UserInfoRequest {
                appid: Some(appid.to_string()),
                openid: Some(openid.to_string()),
                ..UserInfoRequest::default()
            };
            control::user_info(mock, req)
        })
    }

    /// The phone button for a user who logged in, exactly as `POST /mock/phonenumber`: the
    /// single-use code a backend redeems at getuserphonenumber.
    pub async fn phone_code(&self, appid: &str, openid: &str) -> Result<String> {
        let body = json!({"appid": appid, "openid": openid});
        act(&self.mock, "/mock/phonenumber", &body, |mock| {
            let req = PhoneRequest {
                appid: Some(appid.to_string()),
                openid: Some(openid.to_string()),
                ..PhoneRequest::default()
            };
            let (user, capture) = control::phone_number(mock, req)?;
            Ok((user, code_str(&capture.code).to_string()))
        })
    }

    /// The requests seen so far (at most `Limits::journal_size`, [`super::JOURNAL_CAPACITY`]
    /// by default), oldest first, secrets masked, in-process client actions included.
    pub async fn journal(&self) -> Vec<JournalEntry> {
        self.mock.journal.entries(&self.mock.state)
    }
}

/// Runs one client action and records it as its control route would be recorded.
fn act<T>(
    mock: &Mock,
    path: &'static str,
    body: &serde_json::Value,
    action: impl FnOnce(&Mock) -> std::result::Result<(Arc<User>, T), Refusal>,
) -> Result<T> {
    let started = Instant::now();
    let time_ms = now_ms();
    let result = action(mock);
    let (status, errcode, user) = match &result {
        Ok((user, _)) => (200, 0, Some(user.clone())),
        Err(r) => (r.status, r.errcode, None),
    };
    let line = LogLine {
        time_ms,
        method: Method::POST,
        path: path.into(),
        status,
        errcode,
        latency_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        user,
    };
    let body = serde_json::to_vec(body).ok().map(|b| Copied::new(&b));
    mock.record(line, None, None, body);
    result.map(|(_, v)| v).map_err(|r| r.into_error(path))
}

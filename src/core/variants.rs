//! The login exchanges of the WeChat family besides jscode2session: third-party platform
//! (component), WeCom, Douyin. QQ needs nothing here: WeChat's call on another host.

use reqwest::Method;
use serde_json::{Value, json};

use super::api::{
    AccessToken, Call, Client, Resend, read_errcode, session_from, text, token_from,
    unexpected_answer,
};
use super::error::{Error, Result};
use super::model::Session;
use super::platform::Platform;
use super::secret::Secret;

/// What WeCom's `/cgi-bin/miniprogram/jscode2session` returns.
#[derive(Debug, Clone, PartialEq)]
pub struct WecomSession {
    pub corpid: String,
    pub userid: String,
    pub session_key: Secret,
}

/// What Douyin's `/api/apps/v2/jscode2session` returns: `openid` for a code, `anonymous_openid`
/// for an anonymous code (the other is empty).
#[derive(Debug, Clone, PartialEq)]
pub struct DouyinSession {
    pub openid: Option<String>,
    pub anonymous_openid: Option<String>,
    pub unionid: Option<String>,
    pub session_key: Option<Secret>,
    pub log_id: Option<String>,
}

/// Which kind of code `tt.login` gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DouyinCode<'a> {
    Code(&'a str),
    Anonymous(&'a str),
}

impl Client {
    /// `POST /cgi-bin/component/api_component_token` with the platform's appid, secret and the
    /// verify ticket WeChat pushed to its callback.
    pub async fn component_token(
        &self,
        component_appid: &str,
        component_secret: &Secret,
        ticket: &Secret,
    ) -> Result<AccessToken> {
        let answer = self
            .call(Call {
                method: Method::POST,
                path: "/cgi-bin/component/api_component_token",
                query: vec![],
                body: Some(json!({
                    "component_appid": component_appid,
                    "component_appsecret": component_secret.expose(),
                    "component_verify_ticket": ticket.expose(),
                })),
                secrets: vec![component_secret.expose(), ticket.expose()],
                resend: Resend::Idempotent,
            })
            .await?;
        token_from(&answer, "component_access_token", "api_component_token")
    }

    /// `GET /sns/component/jscode2session` with exactly appid, js_code, grant_type,
    /// component_appid and component_access_token (no secret).
    pub async fn component_code2session(
        &self,
        appid: &str,
        code: &str,
        component_appid: &str,
        component_token: &Secret,
    ) -> Result<Session> {
        let answer = self
            .call(Call {
                method: Method::GET,
                path: "/sns/component/jscode2session",
                query: vec![
                    ("appid", appid),
                    ("js_code", code),
                    ("grant_type", "authorization_code"),
                    ("component_appid", component_appid),
                    ("component_access_token", component_token.expose()),
                ],
                body: None,
                secrets: vec![component_token.expose()],
                resend: Resend::OnceOnBusy,
            })
            .await?;
        session_from(&answer, "component jscode2session")
    }

    /// WeCom's `GET /cgi-bin/gettoken?corpid&corpsecret`.
    pub async fn wecom_token(&self, corpid: &str, corpsecret: &Secret) -> Result<AccessToken> {
        let answer = self
            .call(Call {
                method: Method::GET,
                path: "/cgi-bin/gettoken",
                query: vec![("corpid", corpid), ("corpsecret", corpsecret.expose())],
                body: None,
                secrets: vec![corpsecret.expose()],
                resend: Resend::Idempotent,
            })
            .await?;
        token_from(&answer, "access_token", "gettoken")
    }

    /// WeCom's `GET /cgi-bin/miniprogram/jscode2session?access_token&js_code&grant_type`.
    pub async fn wecom_code2session(&self, token: &Secret, code: &str) -> Result<WecomSession> {
        let answer = self
            .call(Call {
                method: Method::GET,
                path: "/cgi-bin/miniprogram/jscode2session",
                query: vec![
                    ("access_token", token.expose()),
                    ("js_code", code),
                    ("grant_type", "authorization_code"),
                ],
                body: None,
                secrets: vec![token.expose()],
                resend: Resend::OnceOnBusy,
            })
            .await?;
        let need = |field| {
            text(&answer, field)
                .ok_or_else(|| unexpected_answer("miniprogram/jscode2session", field))
        };
        Ok(WecomSession {
            corpid: need("corpid")?,
            userid: need("userid")?,
            session_key: Secret::new(need("session_key")?),
        })
    }

    /// Douyin's `POST /api/apps/v2/jscode2session` with a JSON body and nothing in the query.
    /// Douyin answers `err_no`/`err_tips` (number or numeric string), HTTP 200 either way.
    pub async fn douyin_code2session(
        &self,
        appid: &str,
        secret: &Secret,
        code: DouyinCode<'_>,
    ) -> Result<DouyinSession> {
        let body = match code {
            DouyinCode::Code(c) => {
                json!({"appid": appid, "secret": secret.expose(), "code": c})
            }
            DouyinCode::Anonymous(c) => {
                json!({"appid": appid, "secret": secret.expose(), "anonymous_code": c})
            }
        };
        let answer = self
            .call(Call {
                method: Method::POST,
                path: "/api/apps/v2/jscode2session",
                query: vec![],
                body: Some(body),
                secrets: vec![secret.expose()],
                resend: Resend::OnceOnBusy,
            })
            .await?;
        let err_no = read_errcode(answer.get("err_no")).map_err(|shown| {
            Error::transport(
                format!("the Douyin answer has an unreadable err_no {shown}"),
                "something other than Douyin answered (a proxy, a wrong --base-url)",
            )
        })?;
        let log_id = text(&answer, "log_id");
        if err_no != 0 {
            let tips = text(&answer, "err_tips").unwrap_or_default();
            let errmsg = match &log_id {
                Some(id) => format!("{tips}, log_id: {id}"),
                None => tips,
            };
            return Err(Error::Api {
                errcode: err_no,
                errmsg: super::redact::redact_text(&errmsg, &[secret.expose()]),
                note: super::ApiNote::None,
                platform: Platform::Douyin,
            });
        }
        let data = match answer.get("data") {
            Some(Value::Object(map)) => map,
            _ => return Err(unexpected_answer("Douyin jscode2session", "data")),
        };
        let session = DouyinSession {
            openid: text(data, "openid"),
            anonymous_openid: text(data, "anonymous_openid"),
            unionid: text(data, "unionid"),
            session_key: text(data, "session_key").map(Secret::new),
            log_id,
        };
        if session.openid.is_none() && session.anonymous_openid.is_none() {
            return Err(unexpected_answer("Douyin jscode2session", "openid"));
        }
        Ok(session)
    }
}

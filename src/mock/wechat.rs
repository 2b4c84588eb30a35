//! WeChat's server-side login APIs, with WeChat's paths, parameters, JSON shapes and errcodes
//! (HTTP 200 and an errcode, `rid` in errmsg). Extra query parameters are ignored, as WeChat does.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State as Ext;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Mock;
use super::reply::{self, BODY_LIMIT, Note, json, take, wechat_error};
use super::state::{lock, now_ms};
use crate::core::crypto;

type Shared = Ext<Arc<Mock>>;

fn empty_is_none(v: Option<std::borrow::Cow<'_, str>>) -> Option<std::borrow::Cow<'_, str>> {
    v.filter(|s| !s.is_empty())
}

/// Checks appid and secret in WeChat's order, after the caller checked presence.
fn app_for(mock: &Mock, appid: &str, secret: &str) -> Result<usize, i64> {
    // A Douyin app is not WeChat's: WeChat does not know its appid.
    let app = mock
        .state
        .app(appid)
        .filter(|app| !mock.variants.is_douyin_app(*app))
        .ok_or(40013)?;
    if !crypto::ct_eq(mock.state.apps[app].secret.as_bytes(), secret.as_bytes()) {
        return Err(40125);
    }
    Ok(app)
}

#[derive(Serialize)]
struct SessionReply<'a> {
    openid: &'a str,
    session_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    unionid: Option<&'a str>,
}

/// `GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code`
pub(crate) async fn jscode2session(Ext(mock): Shared, uri: Uri) -> Response {
    let [appid, secret, code, grant] = take(
        uri.query().unwrap_or(""),
        ["appid", "secret", "js_code", "grant_type"],
    );
    let (appid, secret, code) = (
        empty_is_none(appid),
        empty_is_none(secret),
        empty_is_none(code),
    );
    let state = &mock.state;
    let (Some(appid), Some(secret), Some(code)) = (appid, secret, code) else {
        return wechat_error(state, missing_errcode(&uri), Note::default());
    };
    let app = match app_for(&mock, &appid, &secret) {
        Ok(app) => app,
        Err(e) => return wechat_error(state, e, Note::default()),
    };
    // A missing grant_type is tolerated (many hand-written clients omit it); a wrong one is not.
    if grant.is_some_and(|g| g != "authorization_code") {
        return wechat_error(state, 40002, Note::default());
    }
    let user = match state.redeem(app, &code) {
        Ok(user) => user,
        Err(e) => return wechat_error(state, e, Note::default()),
    };
    let (key, unionid) = {
        let data = lock(&user.data);
        (data.session_key(), data.unionid().map(String::from))
    };
    let reply = SessionReply {
        openid: &user.openid,
        session_key: std::str::from_utf8(&key).unwrap_or(""),
        unionid: unionid.as_deref(),
    };
    let note = Note {
        user: Some(user.clone()),
        ..Note::default()
    };
    json(StatusCode::OK, &reply, note)
}

/// 41002, 41004 or 41008: the first of appid, secret, js_code that is missing.
fn missing_errcode(uri: &Uri) -> i64 {
    let [appid, secret] = take(uri.query().unwrap_or(""), ["appid", "secret"]);
    if empty_is_none(appid).is_none() {
        41002
    } else if empty_is_none(secret).is_none() {
        41004
    } else {
        41008
    }
}

#[derive(Serialize)]
struct TokenReply<'a> {
    access_token: &'a str,
    expires_in: u64,
}

/// `GET /cgi-bin/token?grant_type=client_credential&appid&secret`
pub(crate) async fn token(Ext(mock): Shared, uri: Uri) -> Response {
    let [grant, appid, secret] = take(uri.query().unwrap_or(""), ["grant_type", "appid", "secret"]);
    match credentials(&mock, grant.as_deref(), appid.as_deref(), secret.as_deref()) {
        Ok(app) => {
            let (token, expires_in) = mock.state.issue_token(app, false, false);
            let reply = TokenReply {
                access_token: &token,
                expires_in,
            };
            json(StatusCode::OK, &reply, Note::default())
        }
        Err(e) => wechat_error(&mock.state, e, Note::default()),
    }
}

fn credentials(
    mock: &Mock,
    grant: Option<&str>,
    appid: Option<&str>,
    secret: Option<&str>,
) -> Result<usize, i64> {
    let appid = appid.filter(|s| !s.is_empty()).ok_or(41002)?;
    let secret = secret.filter(|s| !s.is_empty()).ok_or(41004)?;
    if grant != Some("client_credential") {
        return Err(40002);
    }
    app_for(mock, appid, secret)
}

#[derive(Deserialize)]
struct StableTokenRequest {
    grant_type: Option<String>,
    appid: Option<String>,
    secret: Option<String>,
    #[serde(default)]
    force_refresh: Option<bool>,
}

/// Reads a POST body within the limit; `None` when it is too large or broken off.
async fn body_bytes(body: Body) -> Option<Bytes> {
    axum::body::to_bytes(body, BODY_LIMIT).await.ok()
}

/// `POST /cgi-bin/stable_token` with `{"grant_type","appid","secret","force_refresh"}`
pub(crate) async fn stable_token(Ext(mock): Shared, body: Body) -> Response {
    let Some(bytes) = body_bytes(body).await else {
        return reply::closing(wechat_error(&mock.state, 47001, Note::default()));
    };
    let note = Note::body(&bytes);
    let Ok(req) = serde_json::from_slice::<StableTokenRequest>(&bytes) else {
        return wechat_error(&mock.state, 47001, note);
    };
    match credentials(
        &mock,
        req.grant_type.as_deref(),
        req.appid.as_deref(),
        req.secret.as_deref(),
    ) {
        Ok(app) => {
            let force = req.force_refresh.unwrap_or(false);
            let (token, expires_in) = mock.state.issue_token(app, true, force);
            let reply = TokenReply {
                access_token: &token,
                expires_in,
            };
            json(StatusCode::OK, &reply, note)
        }
        Err(e) => wechat_error(&mock.state, e, note),
    }
}

/// The user named by a signed request, after checking token, openid, sig_method and the
/// hmac of the user's current session_key.
fn signed_user(mock: &Mock, uri: &Uri) -> Result<Arc<super::state::User>, (i64, Note)> {
    let [token, openid, signature, method] = take(
        uri.query().unwrap_or(""),
        ["access_token", "openid", "signature", "sig_method"],
    );
    let state = &mock.state;
    let app = state
        .check_token(token.as_deref())
        .map_err(|e| (e, Note::default()))?;
    let openid = empty_is_none(openid).ok_or((41009, Note::default()))?;
    if method.as_deref() != Some("hmac_sha256") {
        return Err((87008, Note::default()));
    }
    let user = state.user(app, &openid).ok_or((40003, Note::default()))?;
    let note = Note {
        user: Some(user.clone()),
        ..Note::default()
    };
    let expected = {
        let key = lock(&user.data).session_key();
        crypto::checksession_signature(std::str::from_utf8(&key).unwrap_or(""))
    };
    let given = signature.unwrap_or_default();
    if !crypto::ct_eq(expected.as_bytes(), given.as_bytes()) {
        return Err((87009, note));
    }
    Ok(user)
}

/// `GET /wxa/checksession?access_token&openid&signature&sig_method=hmac_sha256`
pub(crate) async fn checksession(Ext(mock): Shared, uri: Uri) -> Response {
    match signed_user(&mock, &uri) {
        Ok(user) => {
            let note = Note {
                user: Some(user),
                ..Note::default()
            };
            json(StatusCode::OK, &json!({"errcode": 0, "errmsg": "ok"}), note)
        }
        Err((e, note)) => wechat_error(&mock.state, e, note),
    }
}

/// `GET /wxa/resetusersessionkey?...`: same checks, then a new key, returned at once.
pub(crate) async fn resetusersessionkey(Ext(mock): Shared, uri: Uri) -> Response {
    match signed_user(&mock, &uri) {
        Ok(user) => {
            let key = mock.state.rotate(&user);
            let body = json!({
                "errcode": 0,
                "errmsg": "ok",
                "openid": user.openid,
                "session_key": std::str::from_utf8(&key).unwrap_or(""),
            });
            let note = Note {
                user: Some(user),
                ..Note::default()
            };
            json(StatusCode::OK, &body, note)
        }
        Err((e, note)) => wechat_error(&mock.state, e, note),
    }
}

#[derive(Deserialize)]
struct PhoneRequest {
    code: Option<String>,
}

/// `POST /wxa/business/getuserphonenumber?access_token=` with `{"code"}` from the phone button.
pub(crate) async fn getuserphonenumber(Ext(mock): Shared, uri: Uri, body: Body) -> Response {
    let state = &mock.state;
    let [token] = take(uri.query().unwrap_or(""), ["access_token"]);
    let app = match state.check_token(token.as_deref()) {
        Ok(app) => app,
        // The body is left unread: the connection cannot carry another request.
        Err(e) => return reply::closing(wechat_error(state, e, Note::default())),
    };
    let Some(bytes) = body_bytes(body).await else {
        return reply::closing(wechat_error(state, 47001, Note::default()));
    };
    let note = Note::body(&bytes);
    let Ok(req) = serde_json::from_slice::<PhoneRequest>(&bytes) else {
        return wechat_error(state, 47001, note);
    };
    let Some(code) = req.code.filter(|c| !c.is_empty()) else {
        return wechat_error(state, 41008, note);
    };
    match state.redeem_phone_code(app, &code) {
        Ok((pure, country)) => {
            let country_code: serde_json::Value = country
                .parse::<i64>()
                .map(Into::into)
                .unwrap_or_else(|_| country.clone().into());
            let body = json!({
                "errcode": 0,
                "errmsg": "ok",
                "phone_info": {
                    "phoneNumber": full_phone_number(&pure, &country),
                    "purePhoneNumber": pure,
                    "countryCode": country_code,
                    "watermark": {
                        "timestamp": now_ms() / 1000,
                        "appid": state.apps[app].appid,
                    },
                },
            });
            json(StatusCode::OK, &body, note)
        }
        Err(e) => wechat_error(state, e, note),
    }
}

/// Mainland numbers come without a prefix; others carry their country code.
pub(crate) fn full_phone_number(pure: &str, country: &str) -> String {
    if country == "86" {
        pure.to_string()
    } else {
        format!("+{country} {pure}")
    }
}

pub(crate) async fn require_get(Ext(mock): Shared) -> Response {
    wechat_error(&mock.state, 43001, Note::default())
}

pub(crate) async fn require_post(Ext(mock): Shared) -> Response {
    wechat_error(&mock.state, 43002, Note::default())
}

/// Unknown paths: 404 with WeChat's "invalid url" errcode, so clients still get JSON.
pub(crate) async fn not_found(Ext(mock): Shared) -> Response {
    let note = Note {
        errcode: 40066,
        ..Note::default()
    };
    let body = json!({
        "errcode": 40066,
        "errmsg": format!("{}, rid: {}", reply::errmsg(40066), mock.state.rid()),
    });
    json(StatusCode::NOT_FOUND, &body, note)
}

//! A tiny axum backend with a WeChat login route, tested end to end against `MockServer`, the
//! way a backend's own `cargo test` would use it. `cargo run --example rust_backend_test` plays
//! the scenario; `cargo test --example rust_backend_test` runs it as tests.

// Test scaffolding: a failed bind or request should fail the test loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use wxlogin::mock::{MockConfig, MockServer};

const APPID: &str = "wx5f3c0e0ab7d1e2f9";
const SECRET: &str = "e3b0c44298fc1c149afbf4c8996fb924";

/// The backend: where WeChat is (the mock in tests), its app, and its own sessions.
#[derive(Clone)]
struct Backend {
    wechat: String,
    http: reqwest::Client,
    /// token -> (openid, session_key)
    sessions: Arc<Mutex<HashMap<String, (String, String)>>>,
}

#[derive(Deserialize)]
struct LoginRequest {
    code: String,
}

/// `POST /login {"code"}`: exchanges the code at jscode2session, keeps the session_key, and
/// answers a token of its own (never the session_key).
async fn login(
    State(b): State<Backend>,
    Json(req): Json<LoginRequest>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("appid", APPID)
        .append_pair("secret", SECRET)
        .append_pair("js_code", &req.code)
        .append_pair("grant_type", "authorization_code")
        .finish();
    let bad_gateway = |e: reqwest::Error| {
        (
            StatusCode::BAD_GATEWAY,
            Json(json!({"error": e.to_string()})),
        )
    };
    let session: Value = b
        .http
        .get(format!("{}/sns/jscode2session?{query}", b.wechat))
        .send()
        .await
        .map_err(bad_gateway)?
        .json()
        .await
        .map_err(bad_gateway)?;
    let (Some(openid), Some(key)) = (session["openid"].as_str(), session["session_key"].as_str())
    else {
        let refused = json!({"error": "login refused", "errcode": session["errcode"]});
        return Err((StatusCode::UNAUTHORIZED, Json(refused)));
    };
    let token = format!("{:032x}", rand::random::<u128>());
    b.sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(token.clone(), (openid.to_string(), key.to_string()));
    Ok(Json(json!({"token": token, "openid": openid})))
}

/// Serves the backend on a free loopback port, talking to WeChat at `wechat`.
async fn start_backend(wechat: &str) -> (String, Backend) {
    let backend = Backend {
        wechat: wechat.to_string(),
        http: reqwest::Client::new(),
        sessions: Arc::default(),
    };
    let app = Router::new()
        .route("/login", post(login))
        .with_state(backend.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, backend)
}

async fn post_login(backend: &str, code: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{backend}/login"))
        .json(&json!({ "code": code }))
        .send()
        .await
        .expect("the backend answers");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("JSON"))
}

/// The scenario: the client logs in, the backend exchanges the code and hands out its token;
/// the same code a second time is refused.
async fn scenario() -> Result<(), String> {
    let mock = MockServer::start(MockConfig::new().app(APPID, SECRET))
        .await
        .map_err(|e| e.to_string())?;
    let (backend, state) = start_backend(mock.url()).await;
    let login = mock
        .wx_login(APPID, None)
        .await
        .map_err(|e| e.to_string())?;
    let (status, answer) = post_login(&backend, &login.code).await;
    check(status == 200, format!("login answered {status}: {answer}"))?;
    check(answer["openid"] == login.openid.as_str(), "wrong openid")?;
    let token = answer["token"].as_str().unwrap_or_default();
    let stored = state
        .sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(token)
        .cloned();
    check(
        stored.is_some_and(|(openid, _)| openid == login.openid),
        "the backend keeps the session under its token",
    )?;
    let (status, answer) = post_login(&backend, &login.code).await;
    check(status == 401, format!("a reused code answered {status}"))?;
    check(answer["errcode"] == 40163, format!("{answer}"))?;
    let exchanges = mock
        .journal()
        .await
        .into_iter()
        .filter(|e| e.path == "/sns/jscode2session")
        .count();
    check(
        exchanges == 2,
        format!("{exchanges} exchanges in the journal"),
    )
}

fn check(ok: bool, what: impl Into<String>) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what.into()) }
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() {
    match scenario().await {
        Ok(()) => println!("ok: the backend's login route works against the mock"),
        Err(e) => {
            eprintln!("failed: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn login_route_exchanges_the_code_once_and_returns_its_own_token() {
        scenario().await.unwrap();
    }

    #[tokio::test]
    async fn login_route_answers_the_openid_of_the_user_who_logged_in() {
        let mock = MockServer::start(MockConfig::new().app(APPID, SECRET))
            .await
            .unwrap();
        let (backend, _) = start_backend(mock.url()).await;
        let login = mock.wx_login(APPID, Some("oAlice")).await.unwrap();
        let (status, answer) = post_login(&backend, &login.code).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["openid"], "oAlice");
        assert_ne!(answer["token"], login.code.as_str());
    }
}

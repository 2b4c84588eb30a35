//! The login variants' memory across a SIGTERM and a restart on the same `--state`: a code
//! issued before exchanges exactly once after, a token issued before still works.

use std::path::Path;

use super::common::mock::MockProc;
use super::common::post_json;
use serde_json::{Value, json};

const APP: &str = "wxa1b2c3d4e5f60101";
const APP_SECRET: &str = "appS3cretValue0101appS3cretValue";
const COMPONENT: &str = "wxc0mp0nent000101";
const COMPONENT_SECRET: &str = "c0mponentS3cretValue00000000ab01";
const CORP: &str = "ww1234567890ab0101";
const CORP_SECRET: &str = "c0rpS3cretValue000000000000000000000000101";
const DOUYIN: &str = "tt1234567890ab0101";
const DOUYIN_SECRET: &str = "d0uyinS3cretValue00000000000ab01";

/// The mock on `state`, with the app and whichever of the family `with` names
/// ("component", "wecom", "douyin").
fn start(state: &Path, with: &[&str]) -> MockProc {
    let mut args: Vec<String> = vec![
        "--app".into(),
        format!("{APP}:{APP_SECRET}"),
        "--state".into(),
        state.display().to_string(),
    ];
    for variant in with {
        let (flag, value) = match *variant {
            "component" => (
                "--component",
                format!("{COMPONENT}:{COMPONENT_SECRET}:{APP}"),
            ),
            "wecom" => ("--wecom", format!("{CORP}:{CORP_SECRET}:{APP}")),
            "douyin" => ("--douyin", format!("{DOUYIN}:{DOUYIN_SECRET}")),
            other => panic!("no variant {other}"),
        };
        args.extend([flag.to_string(), value]);
    }
    MockProc::start(&args)
}

fn restart(mock: &mut MockProc, state: &Path, with: &[&str]) -> MockProc {
    assert_eq!(
        mock.terminate().code(),
        Some(0),
        "graceful shutdown exits 0"
    );
    start(state, with)
}

async fn get(url: String) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

async fn component_token(mock: &MockProc, ticket: &str) -> Value {
    post_json(
        format!("{}/cgi-bin/component/api_component_token", mock.url),
        json!({
            "component_appid": COMPONENT,
            "component_appsecret": COMPONENT_SECRET,
            "component_verify_ticket": ticket,
        }),
    )
    .await
}

async fn component_exchange(mock: &MockProc, token: &str, code: &str) -> Value {
    get(format!(
        "{}/sns/component/jscode2session?appid={APP}&js_code={code}&grant_type=authorization_code&component_appid={COMPONENT}&component_access_token={token}",
        mock.url
    ))
    .await
}

#[tokio::test]
async fn component_ticket_token_and_code_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut mock = start(&state, &["component"]);
    let ticket_url = format!("{}/mock/component_verify_ticket", mock.url);
    let old_ticket = get(ticket_url.clone()).await["component_verify_ticket"]
        .as_str()
        .unwrap()
        .to_string();
    // A push: the ticket before it now answers 61005, the new one gives tokens.
    let pushed = reqwest::Client::new()
        .post(&ticket_url)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let ticket = pushed["component_verify_ticket"]
        .as_str()
        .unwrap()
        .to_string();
    let token = component_token(&mock, &ticket).await["component_access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let login = post_json(format!("{}/mock/login", mock.url), json!({"appid": APP})).await;
    let code = login["code"].as_str().unwrap().to_string();

    let mock = restart(&mut mock, &state, &["component"]);
    let v = component_exchange(&mock, &token, &code).await;
    assert_eq!(v["openid"], login["openid"], "{v}");
    assert!(v["session_key"].is_string(), "{v}");
    let again = component_exchange(&mock, &token, &code).await;
    assert_eq!(again["errcode"], json!(40163), "only once: {again}");

    let now = get(format!("{}/mock/component_verify_ticket", mock.url)).await;
    assert_eq!(now["component_verify_ticket"], json!(ticket));
    let fresh = component_token(&mock, &ticket).await;
    assert!(fresh["component_access_token"].is_string(), "{fresh}");
    let stale = component_token(&mock, &old_ticket).await;
    assert_eq!(stale["errcode"], json!(61005), "{stale}");
}

async fn wecom_token(mock: &MockProc) -> String {
    let v = get(format!(
        "{}/cgi-bin/gettoken?corpid={CORP}&corpsecret={CORP_SECRET}",
        mock.url
    ))
    .await;
    v["access_token"].as_str().unwrap().to_string()
}

async fn wecom_exchange(mock: &MockProc, token: &str, code: &str) -> Value {
    get(format!(
        "{}/cgi-bin/miniprogram/jscode2session?access_token={token}&js_code={code}&grant_type=authorization_code",
        mock.url
    ))
    .await
}

#[tokio::test]
async fn wecom_member_token_and_code_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut mock = start(&state, &["wecom"]);
    let token = wecom_token(&mock).await;
    let member = json!({"appid": APP, "corpid": CORP, "userid": "alice"});
    let login = post_json(format!("{}/mock/login", mock.url), member.clone()).await;
    let code = login["code"].as_str().unwrap().to_string();

    let mock = restart(&mut mock, &state, &["wecom"]);
    let v = wecom_exchange(&mock, &token, &code).await;
    assert_eq!(v["errcode"], json!(0), "{v}");
    assert_eq!(v["userid"], json!("alice"));
    assert_eq!(v["corpid"], json!(CORP));
    let again = wecom_exchange(&mock, &token, &code).await;
    assert_eq!(again["errcode"], json!(40163), "only once: {again}");

    // The member is still the same mock user.
    let next = post_json(format!("{}/mock/login", mock.url), member).await;
    assert_eq!(next["openid"], login["openid"], "{next}");
    let v = wecom_exchange(&mock, &token, next["code"].as_str().unwrap()).await;
    assert_eq!(v["userid"], json!("alice"), "{v}");
}

async fn douyin_exchange(mock: &MockProc, anonymous_code: &str) -> Value {
    post_json(
        format!("{}/api/apps/v2/jscode2session", mock.url),
        json!({"appid": DOUYIN, "secret": DOUYIN_SECRET, "anonymous_code": anonymous_code}),
    )
    .await
}

#[tokio::test]
async fn douyin_anonymous_code_survives_a_restart_and_exchanges_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut mock = start(&state, &["douyin"]);
    let login = json!({"appid": DOUYIN, "anonymous": true});
    let kept = post_json(format!("{}/mock/login", mock.url), login.clone()).await;
    let spent = post_json(format!("{}/mock/login", mock.url), login).await;
    let spent_code = spent["anonymous_code"].as_str().unwrap();
    assert_eq!(douyin_exchange(&mock, spent_code).await["err_no"], json!(0));

    let mock = restart(&mut mock, &state, &["douyin"]);
    let code = kept["anonymous_code"].as_str().unwrap();
    let v = douyin_exchange(&mock, code).await;
    assert_eq!(v["err_no"], json!(0), "{v}");
    assert_eq!(v["data"]["anonymous_openid"], kept["anonymous_openid"]);
    assert!(!v["data"]["session_key"].as_str().unwrap().is_empty());
    let again = douyin_exchange(&mock, code).await;
    assert_eq!(again["err_no"], json!(40019), "only once: {again}");
    let replay = douyin_exchange(&mock, spent_code).await;
    assert_eq!(replay["err_no"], json!(40019), "spent before: {replay}");
}

#[tokio::test]
async fn a_state_file_without_the_variants_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut mock = start(&state, &["douyin"]);
    let login = post_json(format!("{}/mock/login", mock.url), json!({"appid": APP})).await;
    let code = login["code"].as_str().unwrap().to_string();
    assert_eq!(mock.terminate().code(), Some(0));
    // What an earlier version wrote: the same file without the variants' field.
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert!(doc["variants"].is_object(), "written by this version");
    doc.as_object_mut().unwrap().remove("variants");
    std::fs::write(&state, serde_json::to_vec(&doc).unwrap()).unwrap();

    let mock = start(&state, &["douyin"]);
    let v = get(format!(
        "{}/sns/jscode2session?appid={APP}&secret={APP_SECRET}&js_code={code}&grant_type=authorization_code",
        mock.url
    ))
    .await;
    assert_eq!(v["openid"], login["openid"], "{v}");
    let anon = post_json(
        format!("{}/mock/login", mock.url),
        json!({"appid": DOUYIN, "anonymous": true}),
    )
    .await;
    let v = douyin_exchange(&mock, anon["anonymous_code"].as_str().unwrap()).await;
    assert_eq!(v["err_no"], json!(0), "{v}");
}

#[tokio::test]
async fn entries_of_a_corp_no_longer_configured_are_left_out_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut mock = start(&state, &["wecom", "douyin"]);
    let token = wecom_token(&mock).await;
    let member = json!({"appid": APP, "corpid": CORP, "userid": "bob"});
    post_json(format!("{}/mock/login", mock.url), member).await;
    let anon = post_json(
        format!("{}/mock/login", mock.url),
        json!({"appid": DOUYIN, "anonymous": true}),
    )
    .await;

    let mut mock = restart(&mut mock, &state, &["douyin"]);
    let v = douyin_exchange(&mock, anon["anonymous_code"].as_str().unwrap()).await;
    assert_eq!(v["err_no"], json!(0), "the Douyin code is kept: {v}");
    assert_eq!(mock.terminate().code(), Some(0));
    let log = mock.stderr_text();
    let line = log
        .lines()
        .find(|l| l.contains("left out"))
        .unwrap_or_else(|| panic!("no line on what was left out: {log}"));
    assert!(line.contains(&format!("corp {CORP}")), "{line}");
    assert!(line.contains("3 "), "token, member and mapping: {line}");
    for secret in [APP_SECRET, CORP_SECRET, DOUYIN_SECRET, token.as_str()] {
        assert!(!log.contains(secret), "{log}");
    }
    // The next file no longer holds them: with the corp back, its old token is unknown.
    let mock = start(&state, &["wecom", "douyin"]);
    let v = wecom_exchange(&mock, &token, "anycode").await;
    assert_eq!(v["errcode"], json!(40014), "{v}");
}

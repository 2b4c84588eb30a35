//! The mock as a Rust backend's own tests use it, from outside the crate: start, play the
//! client in process, talk to it over HTTP as the backend would, read the journal.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use wxlogin::mock::{JournalEntry, Login, MockConfig, MockServer, UserInfoCapture};

const APPID: &str = "wx00000000000000a1";
const SECRET: &str = "0123456789abcdef0123456789abcdef";

async fn mock() -> MockServer {
    MockServer::start(MockConfig::new().app(APPID, SECRET).seed(5))
        .await
        .expect("the mock starts")
}

async fn exchange(mock: &MockServer, code: &str) -> Value {
    let url = format!(
        "{}/sns/jscode2session?appid={APPID}&secret={SECRET}&js_code={code}&grant_type=authorization_code",
        mock.url()
    );
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

fn sha1_hex(text: &str) -> String {
    use sha1::Digest;
    sha1::Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn wx_login_gives_a_code_the_backend_exchanges_once() {
    let mock = mock().await;
    assert!(
        mock.url().starts_with("http://127.0.0.1:"),
        "{}",
        mock.url()
    );
    let login: Login = mock.wx_login(APPID, Some("oFixedUser")).await.unwrap();
    assert_eq!(login.openid, "oFixedUser");
    let session = exchange(&mock, &login.code).await;
    assert_eq!(session["openid"], "oFixedUser", "{session}");
    assert_eq!(exchange(&mock, &login.code).await["errcode"], 40163);
    let fresh = mock.wx_login(APPID, None).await.unwrap();
    assert_ne!(
        fresh.openid, login.openid,
        "a new user when no openid is given"
    );
}

#[tokio::test]
async fn user_info_is_signed_with_the_current_key_and_a_new_login_rotates_it() {
    let mock = mock().await;
    let login = mock.wx_login(APPID, None).await.unwrap();
    let key = exchange(&mock, &login.code).await["session_key"]
        .as_str()
        .unwrap()
        .to_string();
    let info: UserInfoCapture = mock.user_info(APPID, &login.openid).await.unwrap();
    assert_eq!(info.signature, sha1_hex(&format!("{}{key}", info.raw_data)));
    assert!(!info.encrypted_data.is_empty() && info.iv.len() == 24);
    mock.wx_login(APPID, Some(&login.openid)).await.unwrap();
    let after = mock.user_info(APPID, &login.openid).await.unwrap();
    assert_ne!(
        after.signature,
        sha1_hex(&format!("{}{key}", after.raw_data)),
        "the second wx_login rotated the key"
    );
}

#[tokio::test]
async fn phone_code_is_redeemed_at_getuserphonenumber() {
    let mock = mock().await;
    let login = mock.wx_login(APPID, None).await.unwrap();
    let code = mock.phone_code(APPID, &login.openid).await.unwrap();
    let token: Value = reqwest::get(format!(
        "{}/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={SECRET}",
        mock.url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let token = token["access_token"].as_str().unwrap();
    let phone: Value = reqwest::Client::new()
        .post(format!(
            "{}/wxa/business/getuserphonenumber?access_token={token}",
            mock.url()
        ))
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(phone["errcode"], 0, "{phone}");
    assert_eq!(phone["phone_info"]["watermark"]["appid"], APPID);
}

#[tokio::test]
async fn client_actions_refuse_unknown_apps_and_users_with_wechat_errcodes() {
    let mock = mock().await;
    let err = mock.wx_login("wxunknown", None).await.unwrap_err();
    assert_eq!(err.exit_code(), 4);
    assert!(err.to_string().contains("40013"), "{err}");
    let err = mock.user_info(APPID, "onobody").await.unwrap_err();
    assert!(err.to_string().contains("40003"), "{err}");
    assert!(mock.phone_code(APPID, "onobody").await.is_err());
}

#[tokio::test]
async fn the_journal_lists_in_process_actions_like_their_routes_in_seq_order() {
    let mock = mock().await;
    let login = mock.wx_login(APPID, None).await.unwrap();
    exchange(&mock, &login.code).await;
    let journal: Vec<JournalEntry> = mock.journal().await;
    let paths: Vec<&str> = journal.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["/mock/login", "/sns/jscode2session"]);
    assert_eq!(journal[0].openid.as_deref(), Some(login.openid.as_str()));
    assert_eq!(journal[0].appid.as_deref(), Some(APPID));
    assert_eq!((journal[0].seq, journal[1].seq), (1, 2));
    assert!(journal.iter().all(|e| e.generation == 0));
    let text = serde_json::to_string(&journal).unwrap();
    assert!(!text.contains(SECRET), "the journal masks the secret");
    // Over HTTP, the same entries, and `since` gives only the later ones.
    let later: Value = reqwest::get(format!("{}/mock/journal?since=1", mock.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(later["last_seq"], 2);
    assert_eq!(later["entries"].as_array().unwrap().len(), 1);
    assert_eq!(later["entries"][0]["path"], "/sns/jscode2session");
}

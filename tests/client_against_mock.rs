//! Closing the loop: the real `wxlogin` client commands against the real mock server, the
//! whole handshake including the classic rotation failure.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mock::MockProc;
use common::{run, wx};
use serde_json::json;

const APPID: &str = "wxc105ed100bca1100";
const SECRET: &str = "c105ed100bc0c105ed100bc0c105ed10";

fn start() -> MockProc {
    MockProc::start(&["--app", &format!("{APPID}:{SECRET}")])
}

#[tokio::test(flavor = "multi_thread")]
async fn code2session_decrypt_verify_check_session_against_the_mock() {
    let mock = start();
    let client = || {
        let mut c = wx();
        c.env("WXLOGIN_BASE_URL", &mock.url)
            .env("WXLOGIN_APPID", APPID)
            .env("WXLOGIN_SECRET", SECRET);
        c
    };
    let login =
        common::post_json(format!("{}/mock/login", mock.url), json!({"appid": APPID})).await;
    let code = login["code"].as_str().unwrap();
    let openid = login["openid"].as_str().unwrap();

    let r = run(client().args(["--json", "--reveal", "code2session", "--code", code]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let doc = r.json();
    assert_eq!(doc["openid"], json!(openid));
    let key = doc["session_key"].as_str().unwrap().to_string();

    // The code is spent: WeChat's 40163, exit 4, with meaning and hint.
    let r = run(client().args(["--json", "code2session", "--code", code]));
    assert_eq!(r.code, 4);
    assert_eq!(r.json()["error"]["errcode"], json!(40163));

    let user = common::post_json(
        format!("{}/mock/userinfo", mock.url),
        json!({"appid": APPID, "openid": openid}),
    )
    .await;
    let f = |k: &str| user[k].as_str().unwrap().to_string();
    let r = run(client()
        .args(["--json", "decrypt", "--session-key", &key, "--appid", APPID])
        .args(["--iv", &f("iv"), "--encrypted-data", &f("encryptedData")]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json()["data"]["openId"], json!(openid));
    let r = run(client()
        .args(["verify-signature", "--session-key", &key])
        .args(["--raw-data", &f("rawData"), "--signature", &f("signature")]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(client().args(["check-session", "--openid", openid, "--session-key", &key]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // A second wx.login rotates the key: the stored one is now stale everywhere.
    common::post_json(
        format!("{}/mock/login", mock.url),
        json!({"appid": APPID, "openid": openid}),
    )
    .await;
    let r = run(client().args([
        "--json",
        "check-session",
        "--openid",
        openid,
        "--session-key",
        &key,
    ]));
    assert_eq!(r.code, 4);
    assert_eq!(r.json()["error"]["errcode"], json!(87009));
    let user = common::post_json(
        format!("{}/mock/userinfo", mock.url),
        json!({"appid": APPID, "openid": openid}),
    )
    .await;
    let r = run(client()
        .args(["--json", "decrypt", "--session-key", &key])
        .args(["--iv", user["iv"].as_str().unwrap()])
        .args(["--encrypted-data", user["encryptedData"].as_str().unwrap()]));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json()["error"]["kind"], json!("decrypt"));
}

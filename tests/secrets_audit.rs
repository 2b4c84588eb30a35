//! The secrets audit: every command, on success and on every failure path, in human, `--json`
//! and `-v` modes, with known appsecret, session_key and access_token values. None of them may
//! appear in stdout, stderr, the mock's request log or its journal unless `--reveal` was given.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mock::MockProc;
use common::{Run, run, wx};
use serde_json::{Value, json};

const APPID: &str = "wxa11d17a11d17a11d";
const SECRET: &str = "5ec7e75ec7e75ec7e75ec7e75ec7e7ab";

fn start_mock() -> MockProc {
    MockProc::start(&["--seed", "42", "--app", &format!("{APPID}:{SECRET}")])
}

/// A fresh `wx.login` code for the user.
async fn login(mock: &MockProc, openid: Option<&str>) -> (String, String) {
    let mut body = json!({"appid": APPID});
    if let Some(o) = openid {
        body["openid"] = json!(o);
    }
    let r = common::post_json(&format!("{}/mock/login", mock.url), body).await;
    (
        r["code"].as_str().unwrap().to_string(),
        r["openid"].as_str().unwrap().to_string(),
    )
}

fn api(mock: &MockProc) -> assert_cmd::Command {
    let mut cmd = wx();
    cmd.env("WXLOGIN_BASE_URL", &mock.url)
        .env("WXLOGIN_APPID", APPID)
        .env("WXLOGIN_SECRET", SECRET)
        .env("XDG_CONFIG_HOME", mock.dir.path());
    cmd
}

fn modes() -> [Vec<&'static str>; 4] {
    [vec![], vec!["--json"], vec!["-v"], vec!["-vv", "--json"]]
}

fn assert_clean(what: &str, r: &Run, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !r.stdout.contains(s),
            "{what}: a secret leaked to stdout:\n{}",
            r.stdout
        );
        assert!(
            !r.stderr.contains(s),
            "{what}: a secret leaked to stderr:\n{}",
            r.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_appears_anywhere_without_reveal() {
    let mock = start_mock();

    // Learn the real values once, with --reveal: the positive control that the audit can see them.
    let (code, openid) = login(&mock, None).await;
    let r = run(api(&mock).args(["--json", "--reveal", "code2session", "--code", &code]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let session_key = r.json()["session_key"].as_str().unwrap().to_string();
    assert!(r.stdout.contains(&session_key));
    let r = run(api(&mock).args(["--json", "--reveal", "token"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let access_token = r.json()["access_token"].as_str().unwrap().to_string();
    assert!(access_token.len() > 16);

    let user = common::post_json(
        &format!("{}/mock/userinfo", mock.url),
        json!({"appid": APPID, "openid": openid}),
    )
    .await;
    let phone = common::post_json(
        &format!("{}/mock/phonenumber", mock.url),
        json!({"appid": APPID, "openid": openid}),
    )
    .await;
    let field = |v: &Value, k: &str| v[k].as_str().unwrap().to_string();
    let secrets = [SECRET, session_key.as_str(), access_token.as_str()];

    let mut invocations: Vec<(String, i32, Vec<String>)> = Vec::new();
    let mut add = |what: &str, code: i32, args: &[&str]| {
        invocations.push((
            what.to_string(),
            code,
            args.iter().map(|s| s.to_string()).collect(),
        ))
    };
    let (raw, sig, data, iv) = (
        field(&user, "rawData"),
        field(&user, "signature"),
        field(&user, "encryptedData"),
        field(&user, "iv"),
    );
    add(
        "decrypt ok",
        0,
        &[
            "decrypt",
            "--session-key",
            &session_key,
            "--iv",
            &iv,
            "--encrypted-data",
            &data,
            "--appid",
            APPID,
        ],
    );
    add(
        "decrypt watermark",
        1,
        &[
            "decrypt",
            "--session-key",
            &session_key,
            "--iv",
            &iv,
            "--encrypted-data",
            &data,
            "--appid",
            "wxother",
        ],
    );
    add(
        "decrypt bad data",
        3,
        &[
            "decrypt",
            "--session-key",
            &session_key,
            "--iv",
            &iv,
            "--encrypted-data",
            &data[..30],
        ],
    );
    add(
        "verify ok",
        0,
        &[
            "verify-signature",
            "--raw-data",
            &raw,
            "--signature",
            &sig,
            "--session-key",
            &session_key,
        ],
    );
    add(
        "verify mismatch",
        1,
        &[
            "verify-signature",
            "--raw-data",
            &format!("{raw} "),
            "--signature",
            &sig,
            "--session-key",
            &session_key,
        ],
    );
    add(
        "verify bad key",
        3,
        &[
            "verify-signature",
            "--raw-data",
            &raw,
            "--signature",
            &sig,
            "--session-key",
            &session_key[..20],
        ],
    );
    add(
        "code2session used code",
        4,
        &["code2session", "--code", &code],
    );
    add(
        "code2session unknown code",
        4,
        &["code2session", "--code", "nosuchcode"],
    );
    add("token", 0, &["token"]);
    add("stable token", 0, &["token", "--stable"]);
    add(
        "check-session current",
        0,
        &[
            "check-session",
            "--openid",
            &openid,
            "--session-key",
            &session_key,
        ],
    );
    add(
        "check-session with token",
        0,
        &[
            "check-session",
            "--openid",
            &openid,
            "--session-key",
            &session_key,
            "--access-token",
            &access_token,
        ],
    );
    add(
        "check-session bad token",
        4,
        &[
            "check-session",
            "--openid",
            &openid,
            "--session-key",
            &session_key,
            "--access-token",
            "not-a-token-at-all",
        ],
    );
    add(
        "phone (single use: 0 then 4)",
        -1,
        &["phone", "--code", &field(&phone, "code")],
    );
    add(
        "phone used code",
        4,
        &["phone", "--code", &field(&phone, "code")],
    );
    add("explain", 0, &["explain", "40125"]);

    for (what, code, args) in &invocations {
        for (i, mode) in modes().into_iter().enumerate() {
            let r = run(api(&mock).args(&mode).args(args));
            let expected = match *code {
                -1 if i == 0 => 0,
                -1 => 4,
                c => c,
            };
            assert_eq!(
                r.code, expected,
                "{what} {mode:?}: {}{}",
                r.stdout, r.stderr
            );
            assert_clean(&format!("{what} {mode:?}"), &r, &secrets);
        }
    }

    // Failure paths that never reach the mock: wrong secret, refused, HTML, plain --secret.
    let (fresh, _) = login(&mock, Some(&openid)).await;
    for mode in modes() {
        let r = run(api(&mock)
            .env("WXLOGIN_SECRET", "0000000000000000000000000000beef")
            .args(&mode)
            .args(["code2session", "--code", &fresh]));
        assert_eq!(r.code, 4);
        assert_clean("wrong secret", &r, &secrets);
        let r = run(api(&mock)
            .env_remove("WXLOGIN_SECRET")
            .args(&mode)
            .args(["code2session", "--code", &fresh, "--secret", SECRET])
            .args(["--base-url", "http://127.0.0.1:1", "--retries", "0"]));
        assert_eq!(r.code, 5);
        assert_clean("refused with --secret", &r, &secrets);
    }

    // After a second wx.login the stored key is stale: check-session says 87009, still masked.
    let _ = login(&mock, Some(&openid)).await;
    for mode in modes() {
        let r = run(api(&mock).args(&mode).args([
            "check-session",
            "--openid",
            &openid,
            "--session-key",
            &session_key,
        ]));
        assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
        assert_clean("check-session stale", &r, &secrets);
    }

    // The demo knows every secret of its own mock; it shows none without --reveal.
    for mode in modes() {
        let r = run(wx().args(&mode).args(["demo", "--seed", "3"]));
        assert_eq!(r.code, 0);
        let revealed = run(wx().args(["--json", "--reveal", "demo", "--seed", "3"]));
        let doc = revealed.json();
        let demo_secret = doc["secret"].as_str().unwrap().to_string();
        assert_clean("demo", &r, &[demo_secret.as_str()]);
    }

    // The mock's own journal and request log mask what it saw.
    let journal = reqwest::get(format!("{}/mock/journal", mock.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(journal.contains("jscode2session"), "journal records calls");
    for s in secrets {
        assert!(!journal.contains(s), "journal leaks a secret");
    }
    // SIGTERM, so the buffered request log is flushed on the way out.
    let mut mock = mock;
    mock.terminate();
    let log = mock.stderr_text();
    assert!(
        log.contains("jscode2session"),
        "request log has lines: {log}"
    );
    for s in secrets {
        assert!(!log.contains(s), "mock request log leaks a secret");
    }
}

//! WeChat's "system busy" (-1) can come after the code was already spent. The mock reproduces it
//! with a `"consume": true` fault; the client retries the busy jscode2session once and, when the
//! retry answers 40163, says that the busy answer had consumed the code.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mock::MockProc;
use common::{run, wx};
use serde_json::{Value, json};

const APPID: &str = "wxb05ec0de00000001";
const SECRET: &str = "b05ec0de00000000000000000000b05e";

fn post(url: &str, body: Value) -> Value {
    let out = std::process::Command::new("curl")
        .args(["-sS", "-X", "POST", "-H", "content-type: application/json"])
        .args(["--data", &body.to_string(), url])
        .output()
        .expect("curl runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn get(url: &str) -> Value {
    let out = std::process::Command::new("curl")
        .args(["-sS", url])
        .output()
        .expect("curl runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{url}: {e}"))
}

/// A mock whose next jscode2session answers -1 (after spending the code with `consume`), and
/// `wxlogin --json code2session` of a fresh code against it: the mock, the login, the run.
fn exchange_after_a_busy_answer(consume: bool) -> (MockProc, Value, common::Run) {
    let mock = MockProc::start(&["--app", &format!("{APPID}:{SECRET}")]);
    let login = post(&format!("{}/mock/login", mock.url), json!({"appid": APPID}));
    let set = post(
        &format!("{}/mock/faults", mock.url),
        json!({"route": "jscode2session", "errcode": -1, "consume": consume, "count": 1}),
    );
    // `consume` is shown only when set.
    let shown = set["faults"][0]["consume"].as_bool().unwrap_or(false);
    assert_eq!(shown, consume, "{set}");
    let r = run(wx()
        .env("WXLOGIN_BASE_URL", &mock.url)
        .env("WXLOGIN_APPID", APPID)
        .env("WXLOGIN_SECRET", SECRET)
        .args(["--json", "code2session", "--no-save", "--code"])
        .arg(login["code"].as_str().unwrap()));
    (mock, login, r)
}

#[test]
fn a_busy_answer_that_consumed_the_code_is_named_on_the_retry() {
    let (mock, _, r) = exchange_after_a_busy_answer(true);
    assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
    let error = &r.json()["error"];
    assert_eq!(error["errcode"], json!(40163), "{error}");
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("the busy answer had already consumed the code"),
        "{error}"
    );

    // Exactly two exchanges reached the mock: the busy one (which spent the code) and one retry.
    let journal = get(&format!("{}/mock/journal", mock.url));
    let exchanges: Vec<i64> = journal["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == json!("/sns/jscode2session"))
        .map(|e| e["errcode"].as_i64().unwrap())
        .collect();
    assert_eq!(exchanges, vec![-1, 40163], "{journal}");
}

#[test]
fn without_consume_the_busy_answer_leaves_the_code_for_the_retry() {
    let (_mock, login, r) = exchange_after_a_busy_answer(false);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["openid"], login["openid"]);
}

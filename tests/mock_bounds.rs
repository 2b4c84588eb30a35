//! The mock under sustained load keeps bounded memory: users, codes, tokens and the journal
//! each stay within their limit, what goes is counted in `/mock/stats`, and no code that is
//! still valid is lost or can be spent twice.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::{Value, json};
use wxlogin::mock::{Limits, MockConfig, MockServer, VariantConfig};

const APPID: &str = "wx00000000000000b7";
const SECRET: &str = "0123456789abcdef0123456789abcdef";

async fn mock(limits: Limits) -> MockServer {
    MockServer::start(MockConfig::new().app(APPID, SECRET).seed(9).limits(limits))
        .await
        .expect("the mock starts")
}

fn limits(max_users: usize, max_codes: usize, journal_size: usize) -> Limits {
    Limits {
        max_users,
        max_codes,
        journal_size,
    }
}

async fn post(mock: &MockServer, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", mock.url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn get(mock: &MockServer, path: &str) -> Value {
    reqwest::get(format!("{}{path}", mock.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn login(mock: &MockServer, openid: Option<&str>) -> (u16, Value) {
    let mut body = json!({"appid": APPID});
    if let Some(o) = openid {
        body["openid"] = json!(o);
    }
    post(mock, "/mock/login", body).await
}

async fn exchange(mock: &MockServer, code: &str) -> Value {
    get(
        mock,
        &format!(
            "/sns/jscode2session?appid={APPID}&secret={SECRET}&js_code={code}&grant_type=authorization_code"
        ),
    )
    .await
}

#[tokio::test]
async fn anonymous_users_past_max_users_go_oldest_first_and_their_codes_still_redeem() {
    let mock = mock(limits(3, 100, 100)).await;
    let (_, named) = login(&mock, Some("oNamedUser")).await;
    let mut anonymous = Vec::new();
    for _ in 0..5 {
        let (status, body) = login(&mock, None).await;
        assert_eq!(status, 200, "{body}");
        anonymous.push(body);
    }
    let stats = get(&mock, "/mock/stats").await;
    assert_eq!(stats["users"], 3, "{stats}");
    assert_eq!(stats["evicted"]["anonymous_users"], 3, "{stats}");
    assert_eq!(stats["evicted"]["named_users"], 0, "{stats}");
    assert_eq!(stats["limits"]["max_users"], 3, "{stats}");
    // The named user outlived older anonymous ones; the oldest anonymous user is gone.
    let info = |openid: &Value| json!({"appid": APPID, "openid": openid});
    assert_eq!(
        post(&mock, "/mock/userinfo", info(&named["openid"]))
            .await
            .0,
        200
    );
    assert_eq!(
        post(&mock, "/mock/userinfo", info(&anonymous[0]["openid"]))
            .await
            .0,
        404
    );
    assert_eq!(
        post(&mock, "/mock/userinfo", info(&anonymous[4]["openid"]))
            .await
            .0,
        200
    );
    // A code issued to a user who was let go is still valid: it redeems, once.
    for a in &anonymous {
        let code = a["code"].as_str().unwrap();
        let session = exchange(&mock, code).await;
        assert_eq!(session["openid"], a["openid"], "{session}");
        assert_eq!(exchange(&mock, code).await["errcode"], 40163);
    }
    assert_eq!(
        exchange(&mock, named["code"].as_str().unwrap()).await["openid"],
        "oNamedUser"
    );
}

#[tokio::test]
async fn named_users_go_oldest_first_when_no_anonymous_user_is_left() {
    let mock = mock(limits(2, 100, 100)).await;
    for openid in ["oFirst", "oSecond", "oThird"] {
        assert_eq!(login(&mock, Some(openid)).await.0, 200);
    }
    let stats = get(&mock, "/mock/stats").await;
    assert_eq!(stats["users"], 2, "{stats}");
    assert_eq!(stats["evicted"]["named_users"], 1, "{stats}");
    let info = |openid: &str| json!({"appid": APPID, "openid": openid});
    assert_eq!(post(&mock, "/mock/userinfo", info("oFirst")).await.0, 404);
    assert_eq!(post(&mock, "/mock/userinfo", info("oThird")).await.0, 200);
}

#[tokio::test]
async fn full_of_valid_codes_a_login_is_refused_with_45011_and_no_valid_code_is_lost() {
    let mock = mock(limits(100, 4, 100)).await;
    let mut codes = Vec::new();
    for i in 0..4 {
        let (status, body) = login(&mock, Some(&format!("oUser{i}"))).await;
        assert_eq!(status, 200, "{body}");
        codes.push(body["code"].as_str().unwrap().to_string());
    }
    let (status, refused) = login(&mock, Some("oUser0")).await;
    assert_eq!(
        (status, refused["errcode"].as_i64()),
        (429, Some(45011)),
        "{refused}"
    );
    assert!(
        refused["errmsg"].as_str().unwrap().contains("--max-codes"),
        "{refused}"
    );
    let stats = get(&mock, "/mock/stats").await;
    assert_eq!(stats["evicted"]["refused_logins"], 1, "{stats}");
    assert_eq!(stats["codes"], 4, "{stats}");
    // The refused login changed nothing: every kept code redeems exactly once.
    for code in &codes {
        assert!(exchange(&mock, code).await["session_key"].is_string());
        assert_eq!(exchange(&mock, code).await["errcode"], 40163);
    }
    // Used codes make room for new logins, counted as evicted.
    for i in 0..8 {
        let (status, body) = login(&mock, Some(&format!("oMore{i}"))).await;
        assert_eq!(status, 200, "{body}");
        assert!(exchange(&mock, body["code"].as_str().unwrap()).await["session_key"].is_string());
    }
    let stats = get(&mock, "/mock/stats").await;
    assert!(stats["codes"].as_u64().unwrap() <= 4, "{stats}");
    assert!(
        stats["evicted"]["used_codes"].as_u64().unwrap() >= 8,
        "{stats}"
    );
}

#[tokio::test]
async fn a_used_code_is_evicted_before_any_valid_one() {
    let mock = mock(limits(100, 2, 100)).await;
    let (_, first) = login(&mock, Some("oA")).await;
    let (_, second) = login(&mock, Some("oB")).await;
    let first = first["code"].as_str().unwrap().to_string();
    let second = second["code"].as_str().unwrap().to_string();
    assert!(exchange(&mock, &second).await["session_key"].is_string());
    // Full: the used code (the newer one) goes, not the older valid one.
    let (status, third) = login(&mock, Some("oC")).await;
    assert_eq!(status, 200, "{third}");
    assert_eq!(exchange(&mock, &first).await["openid"], "oA");
    assert_eq!(
        exchange(&mock, third["code"].as_str().unwrap()).await["openid"],
        "oC"
    );
    let stats = get(&mock, "/mock/stats").await;
    assert_eq!(stats["evicted"]["used_codes"], 1, "{stats}");
}

#[tokio::test]
async fn journal_size_bounds_the_journal_and_stats_are_not_journaled() {
    let mock = mock(limits(100, 100, 3)).await;
    for i in 0..5 {
        login(&mock, Some(&format!("oJ{i}"))).await;
    }
    get(&mock, "/mock/stats").await;
    let journal = get(&mock, "/mock/journal").await;
    assert_eq!(journal["capacity"], 3, "{journal}");
    assert_eq!(journal["dropped"], 2, "{journal}");
    assert_eq!(journal["entries"].as_array().unwrap().len(), 3);
    assert_eq!(
        journal["last_seq"], 5,
        "the stats read is not a journal entry"
    );
    let stats = get(&mock, "/mock/stats").await;
    assert_eq!(stats["journal"]["size"], 3, "{stats}");
    assert_eq!(stats["journal"]["capacity"], 3, "{stats}");
    assert_eq!(stats["journal"]["dropped"], 2, "{stats}");
    assert_eq!(stats["generation"], 0, "{stats}");
}

#[tokio::test]
async fn journal_keeps_a_note_not_the_bytes_of_a_large_body() {
    let mock = mock(Limits::default()).await;
    let filler = "x".repeat(20_000);
    let (status, _) = post(
        &mock,
        "/mock/login",
        json!({"appid": APPID, "openid": "oBig", "filler": filler}),
    )
    .await;
    assert_eq!(status, 200);
    let journal = get(&mock, "/mock/journal").await;
    let body = journal["entries"][0]["body"].as_str().unwrap();
    assert!(
        body.ends_with("bytes, longer than the journal keeps)"),
        "{body}"
    );
}

#[tokio::test]
async fn superseded_access_tokens_are_bounded_and_the_latest_stays_valid() {
    let mock = mock(limits(100, 3, 100)).await;
    let mut latest = String::new();
    for _ in 0..10 {
        let t = get(
            &mock,
            &format!("/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={SECRET}"),
        )
        .await;
        latest = t["access_token"].as_str().unwrap().to_string();
    }
    let stats = get(&mock, "/mock/stats").await;
    assert!(stats["tokens"].as_u64().unwrap() <= 3, "{stats}");
    assert!(stats["evicted"]["tokens"].as_u64().unwrap() >= 7, "{stats}");
    let check = get(
        &mock,
        &format!("/wxa/checksession?access_token={latest}&openid=oNobody&signature=x&sig_method=hmac_sha256"),
    )
    .await;
    assert_ne!(check["errcode"], 40001, "{check}");
}

#[tokio::test]
async fn max_flags_reach_the_mock_and_zero_is_a_usage_error() {
    let app = format!("{APPID}:{SECRET}");
    let mut proc = common::mock::MockProc::start(&[
        "--app",
        &app,
        "--max-users",
        "7",
        "--max-codes",
        "9",
        "--journal-size",
        "11",
    ]);
    let stats: Value = reqwest::get(format!("{}/mock/stats", proc.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        stats["limits"],
        json!({"max_users": 7, "max_codes": 9, "journal_size": 11})
    );
    proc.terminate();
    common::wx()
        .args(["mock-server", "--port", "0", "--max-codes", "0"])
        .assert()
        .code(2);
}

async fn family_mock(limits: Limits) -> MockServer {
    let mut cfg = MockConfig::new()
        .app(APPID, SECRET)
        .app("tt00000000000000d1", SECRET)
        .seed(9)
        .limits(limits);
    cfg.variants = VariantConfig {
        wecom: vec![("wwcorp".into(), "corpsecret".into(), APPID.into())],
        douyin: vec![("tt00000000000000d1".into(), SECRET.into())],
        ..VariantConfig::default()
    };
    MockServer::start(cfg).await.expect("the mock starts")
}

#[tokio::test]
async fn wecom_members_stay_within_max_users_and_the_latest_still_exchange() {
    let mock = family_mock(limits(16, 1000, 100)).await;
    let mut last = Value::Null;
    for i in 0..200 {
        let (status, body) = post(
            &mock,
            "/mock/login",
            json!({"corpid": "wwcorp", "userid": format!("member{i}")}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        last = body;
    }
    let stats = get(&mock, "/mock/stats").await;
    let members = stats["family"]["wecom_members"].as_u64().unwrap();
    assert!(members <= 16 + 16 / 16 + 1, "{stats}");
    assert!(
        stats["evicted"]["wecom_members"].as_u64().unwrap() >= 200 - 18,
        "{stats}"
    );
    let token = get(
        &mock,
        "/cgi-bin/gettoken?corpid=wwcorp&corpsecret=corpsecret",
    )
    .await;
    let token = token["access_token"].as_str().unwrap();
    let answer = get(
        &mock,
        &format!(
            "/cgi-bin/miniprogram/jscode2session?access_token={token}&js_code={}&grant_type=authorization_code",
            last["code"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(answer["userid"], "member199", "{answer}");
}

async fn anonymous_login(mock: &MockServer) -> (u16, Value) {
    post(
        mock,
        "/mock/login",
        json!({"appid": "tt00000000000000d1", "anonymous": true}),
    )
    .await
}

#[tokio::test]
async fn douyin_anonymous_codes_stay_within_max_codes_and_a_valid_one_is_never_let_go() {
    let mock = family_mock(limits(100, 8, 100)).await;
    let mut codes = Vec::new();
    for _ in 0..8 {
        let (status, body) = anonymous_login(&mock).await;
        assert_eq!(status, 200, "{body}");
        codes.push(body["anonymous_code"].as_str().unwrap().to_string());
    }
    let (status, body) = anonymous_login(&mock).await;
    assert_eq!(
        (status, body["errcode"].clone()),
        (429, json!(45011)),
        "{body}"
    );
    let exchange = |code: &str| json!({"appid": "tt00000000000000d1", "secret": SECRET, "anonymous_code": code});
    let (_, first) = post(&mock, "/api/apps/v2/jscode2session", exchange(&codes[0])).await;
    assert_eq!(first["err_no"], 0, "{first}");
    let (status, body) = anonymous_login(&mock).await;
    assert_eq!(status, 200, "{body}");
    let stats = get(&mock, "/mock/stats").await;
    assert_eq!(stats["family"]["anonymous_codes"], 8, "{stats}");
    assert_eq!(stats["evicted"]["used_codes"], 1, "{stats}");
    assert_eq!(stats["evicted"]["refused_logins"], 1, "{stats}");
    for code in &codes[1..] {
        let (_, answer) = post(&mock, "/api/apps/v2/jscode2session", exchange(code)).await;
        assert_eq!(answer["err_no"], 0, "{answer}");
    }
}

#[tokio::test]
async fn wecom_access_tokens_stay_within_max_codes_and_the_latest_still_works() {
    let mock = family_mock(limits(100, 8, 100)).await;
    let mut latest = String::new();
    for _ in 0..40 {
        let token = get(
            &mock,
            "/cgi-bin/gettoken?corpid=wwcorp&corpsecret=corpsecret",
        )
        .await;
        latest = token["access_token"].as_str().unwrap().to_string();
    }
    let stats = get(&mock, "/mock/stats").await;
    assert!(stats["family"]["tokens"].as_u64().unwrap() <= 8, "{stats}");
    assert!(
        stats["evicted"]["tokens"].as_u64().unwrap() >= 32,
        "{stats}"
    );
    let (_, login) = post(
        &mock,
        "/mock/login",
        json!({"corpid": "wwcorp", "userid": "member"}),
    )
    .await;
    let answer = get(
        &mock,
        &format!(
            "/cgi-bin/miniprogram/jscode2session?access_token={latest}&js_code={}&grant_type=authorization_code",
            login["code"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(answer["userid"], "member", "{answer}");
}

/// Faults were kept however many were set, so a suite that set one per test on a route it
/// never called grew the mock (and the scan each request makes) without bound. Past 1024 a new
/// one is refused and nothing changes; a value out of range is named, not taken for a missing
/// fault ("give errcode and/or latency_ms" answered a count past u32).
#[tokio::test]
async fn faults_are_bounded_and_a_value_out_of_range_is_named() {
    let m = mock(Limits::default()).await;
    let fault = json!({"route": "resetusersessionkey", "errcode": 40001});
    for _ in 0..1024 {
        assert_eq!(post(&m, "/mock/faults", fault.clone()).await.0, 200);
    }
    let (status, body) = post(&m, "/mock/faults", fault.clone()).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["errmsg"]
            .as_str()
            .unwrap()
            .contains("1024 faults are already set"),
        "{body}"
    );
    let listed = get(&m, "/mock/faults").await;
    assert_eq!(listed["faults"].as_array().unwrap().len(), 1024);

    let (status, _) = post(&m, "/mock/faults", json!({"clear": true})).await;
    assert_eq!(status, 200);
    assert_eq!(post(&m, "/mock/faults", fault).await.0, 200);

    let (status, body) = post(
        &m,
        "/mock/faults",
        json!({"route": "token", "errcode": 40001, "count": u64::MAX}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let errmsg = body["errmsg"].as_str().unwrap();
    assert!(errmsg.contains("18446744073709551615"), "{body}");
    assert!(!errmsg.contains("give errcode"), "{body}");
}

//! Every login variant end to end twice: the binary against our mock server, and the binary
//! against an independent wiremock stub written from each platform's documented shapes.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
/// The variants' memory across a restart on `--state`.
#[path = "variants/state.rs"]
mod state;

use common::mock::MockProc;
use common::{run, wx};
use serde_json::{Value, json};
use tokio::runtime::Runtime;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP: &str = "wxa1b2c3d4e5f60001";
const APP_SECRET: &str = "appS3cretValue0001appS3cretValue";
const OTHER_APP: &str = "wxa1b2c3d4e5f60002";
const COMPONENT: &str = "wxc0mp0nent000001";
const COMPONENT_SECRET: &str = "c0mponentS3cretValue00000000abcd";
const CORP: &str = "ww1234567890abcdef";
const CORP_SECRET: &str = "c0rpS3cretValue000000000000000000000000000";
const DOUYIN: &str = "tt1234567890abcdef";
const DOUYIN_SECRET: &str = "d0uyinS3cretValue00000000000abcd";
const SESSION_KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";

/// Our mock with two WeChat apps (the component authorised for the first only), a WeCom corp
/// bound to the first and a Douyin app.
fn start_mock() -> MockProc {
    MockProc::start(&[
        "--app",
        &format!("{APP}:{APP_SECRET}"),
        "--app",
        &format!("{OTHER_APP}:{APP_SECRET}"),
        "--component",
        &format!("{COMPONENT}:{COMPONENT_SECRET}:{APP}"),
        "--wecom",
        &format!("{CORP}:{CORP_SECRET}:{APP}"),
        "--douyin",
        &format!("{DOUYIN}:{DOUYIN_SECRET}"),
    ])
}

fn post(rt: &Runtime, url: &str, body: Value) -> Value {
    rt.block_on(common::post_json(url, body))
}

/// (Content-Type, body as JSON whatever the type).
fn get(rt: &Runtime, url: &str) -> (String, Value) {
    rt.block_on(async {
        let r = reqwest::get(url).await.unwrap();
        let kind = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = r.bytes().await.unwrap();
        (kind, serde_json::from_slice(&body).unwrap())
    })
}

fn login(rt: &Runtime, mock: &MockProc, body: Value) -> Value {
    post(rt, &format!("{}/mock/login", mock.url), body)
}

fn code_of(v: &Value) -> String {
    v["code"].as_str().unwrap().to_string()
}

fn assert_no_secret(out: &common::Run) {
    for secret in [APP_SECRET, COMPONENT_SECRET, CORP_SECRET, DOUYIN_SECRET] {
        assert!(!out.stdout.contains(secret), "{}", out.stdout);
        assert!(!out.stderr.contains(secret), "{}", out.stderr);
    }
}

#[test]
fn qq_against_the_mock_and_a_stub() {
    let rt = Runtime::new().unwrap();
    let mock = start_mock();
    let code = code_of(&login(&rt, &mock, json!({"appid": APP})));
    let out = run(wx()
        .args([
            "--json",
            "code2session",
            "--platform",
            "qq",
            "--code",
            &code,
        ])
        .args(["--appid", APP, "--base-url", &mock.url])
        .env("WXLOGIN_SECRET", APP_SECRET));
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc = out.json();
    assert_eq!(doc["platform"], "qq");
    assert!(doc["openid"].as_str().unwrap().starts_with('o'));

    let stub = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/sns/jscode2session"))
            .and(query_param("appid", APP))
            .and(query_param("secret", APP_SECRET))
            .and(query_param("js_code", "qqcode"))
            .and(query_param("grant_type", "authorization_code"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"errcode":0,"errmsg":"ok","openid":"oQQ","session_key":"tiihtNczf5v6AKRyjwEUhQ=="}"#,
                "text/plain",
            ))
            .mount(&stub),
    );
    let out = run(wx()
        .args([
            "--json",
            "code2session",
            "--platform",
            "qq",
            "--code",
            "qqcode",
        ])
        .args(["--appid", APP, "--base-url", &stub.uri()])
        .env("WXLOGIN_SECRET", APP_SECRET));
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(out.json()["openid"], "oQQ");
    assert_no_secret(&out);

    let out = run(wx()
        .args([
            "--json",
            "code2session",
            "--platform",
            "qq",
            "--code",
            "other",
        ])
        .args(["--appid", APP, "--base-url", &stub.uri()])
        .env("WXLOGIN_SECRET", APP_SECRET));
    // wiremock answers 404 for what matched nothing: never taken for success.
    assert_ne!(out.code, 0);
}

#[test]
fn component_against_the_mock() {
    let rt = Runtime::new().unwrap();
    let mock = start_mock();
    let (_, ticket) = get(&rt, &format!("{}/mock/component_verify_ticket", mock.url));
    let ticket = ticket["component_verify_ticket"]
        .as_str()
        .unwrap()
        .to_string();
    let exchange = |appid: &str, code: &str, ticket: &str| {
        run(wx()
            .args(["--json", "code2session", "--code", code, "--appid", appid])
            .args([
                "--component-appid",
                COMPONENT,
                "--component-secret",
                COMPONENT_SECRET,
            ])
            .args(["--component-ticket", ticket, "--base-url", &mock.url]))
    };
    let code = code_of(&login(&rt, &mock, json!({"appid": APP})));
    let out = exchange(APP, &code, &ticket);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(out.json()["component_appid"], COMPONENT);
    assert_no_secret(&out);

    let code = code_of(&login(&rt, &mock, json!({"appid": OTHER_APP})));
    let out = exchange(OTHER_APP, &code, &ticket);
    assert_eq!(out.code, 4);
    assert_eq!(out.json()["error"]["errcode"], 61003);

    let out = exchange(APP, &code, "ticket@@@not-the-one");
    assert_eq!(out.json()["error"]["errcode"], 61006);
    // A new ticket pushed: the old one is now expired.
    post(
        &rt,
        &format!("{}/mock/component_verify_ticket", mock.url),
        json!({}),
    );
    let out = exchange(APP, &code, &ticket);
    assert_eq!(out.json()["error"]["errcode"], 61005);

    let out = run(wx()
        .args(["--json", "code2session", "--code", &code, "--appid", APP])
        .args([
            "--component-appid",
            COMPONENT,
            "--component-token",
            "bogus-token",
        ])
        .args(["--base-url", &mock.url]));
    assert_eq!(out.json()["error"]["errcode"], 40001);

    // Content types as WeChat sends them.
    let (kind, _) = get(&rt, &format!("{}/sns/component/jscode2session", mock.url));
    assert_eq!(kind, "text/plain");
    let (kind, _) = get(&rt, &format!("{}/sns/jscode2session", mock.url));
    assert_eq!(kind, "text/plain");
    let (kind, _) = get(&rt, &format!("{}/cgi-bin/token", mock.url));
    assert_eq!(kind, "application/json; encoding=utf-8");
}

#[test]
fn component_against_a_stub() {
    let rt = Runtime::new().unwrap();
    let stub = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("POST"))
            .and(path("/cgi-bin/component/api_component_token"))
            .and(body_json(json!({
                "component_appid": COMPONENT,
                "component_appsecret": COMPONENT_SECRET,
                "component_verify_ticket": "ticket@@@abc",
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"component_access_token": "COMPONENT_TOKEN_1234567890", "expires_in": 7200}),
            ))
            .mount(&stub),
    );
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/sns/component/jscode2session"))
            .and(query_param("appid", APP))
            .and(query_param("js_code", "compcode"))
            .and(query_param("grant_type", "authorization_code"))
            .and(query_param("component_appid", COMPONENT))
            .and(query_param(
                "component_access_token",
                "COMPONENT_TOKEN_1234567890",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"openid":"oCOMP","session_key":"tiihtNczf5v6AKRyjwEUhQ==","unionid":"oUNION"}"#,
                "text/plain",
            ))
            .mount(&stub),
    );
    let out = run(wx()
        .args([
            "-v",
            "--json",
            "code2session",
            "--code",
            "compcode",
            "--appid",
            APP,
        ])
        .args([
            "--component-appid",
            COMPONENT,
            "--component-secret",
            COMPONENT_SECRET,
        ])
        .args([
            "--component-ticket",
            "ticket@@@abc",
            "--base-url",
            &stub.uri(),
        ]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let doc = out.json();
    assert_eq!(doc["openid"], "oCOMP");
    assert_eq!(doc["unionid"], "oUNION");
    assert_no_secret(&out);
    let requests = rt.block_on(stub.received_requests()).unwrap();
    let exchange = requests
        .iter()
        .find(|r| r.url.path() == "/sns/component/jscode2session")
        .unwrap();
    let mut names: Vec<String> = exchange
        .url
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "appid",
            "component_access_token",
            "component_appid",
            "grant_type",
            "js_code"
        ]
    );

    // An errcode as a string, as an older component doc gives it.
    rt.block_on(stub.reset());
    rt.block_on(
        Mock::given(path("/sns/component/jscode2session"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"errcode":"61003","errmsg":"component is not authorized by this account"}"#,
                "text/plain",
            ))
            .mount(&stub),
    );
    let out = run(wx()
        .args(["--json", "code2session", "--code", "c", "--appid", APP])
        .args(["--component-appid", COMPONENT, "--component-token", "T0KEN"])
        .args(["--base-url", &stub.uri()]));
    assert_eq!(out.code, 4);
    let err = &out.json()["error"];
    assert_eq!(err["errcode"], 61003);
    assert!(err["meaning"].as_str().unwrap().contains("not authorised"));
}

#[test]
fn wecom_against_the_mock() {
    let rt = Runtime::new().unwrap();
    let mock = start_mock();
    let exchange = |code: &str| {
        run(wx()
            .args([
                "--json",
                "--reveal",
                "code2session",
                "--wecom",
                "--corpid",
                CORP,
            ])
            .args(["--code", code, "--base-url", &mock.url])
            .env("WXLOGIN_SECRET", CORP_SECRET))
    };
    let login_reply = login(&rt, &mock, json!({"corpid": CORP, "userid": "zhangsan"}));
    let out = exchange(&code_of(&login_reply));
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc = out.json();
    assert_eq!(doc["corpid"], CORP);
    assert_eq!(doc["userid"], "zhangsan");
    let key = doc["session_key"].as_str().unwrap().to_string();

    // User data carries the mini program's appid; decrypting against the corpid is diagnosed.
    let openid = login_reply["openid"].as_str().unwrap();
    let info = post(
        &rt,
        &format!("{}/mock/userinfo", mock.url),
        json!({"appid": APP, "openid": openid}),
    );
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("ui.json");
    std::fs::write(&capture, info.to_string()).unwrap();
    let out = run(wx()
        .args(["--json", "decrypt", "--session-key", &key, "--from"])
        .arg(&capture)
        .args(["--appid", CORP]));
    assert_eq!(out.code, 1);
    let hint = out.json()["error"]["hint"].as_str().unwrap().to_string();
    assert!(hint.contains("corpid") && hint.contains(APP), "{hint}");
    let out = run(wx()
        .args(["--json", "decrypt", "--session-key", &key, "--from"])
        .arg(&capture)
        .args(["--appid", APP]));
    assert_eq!(out.code, 0, "{}", out.stdout);

    // A code of a mini program the corp's app is not bound to.
    let other = login(
        &rt,
        &mock,
        json!({"corpid": CORP, "userid": "lisi", "appid": OTHER_APP}),
    );
    let out = exchange(&code_of(&other));
    assert_eq!(out.code, 4);
    assert_eq!(out.json()["error"]["errcode"], 48002);

    let out = run(wx()
        .args([
            "--json",
            "code2session",
            "--platform",
            "wecom",
            "--corpid",
            CORP,
        ])
        .args(["--code", "x", "--base-url", &mock.url])
        .env("WXLOGIN_SECRET", "wrong"));
    assert_eq!(out.json()["error"]["errcode"], 40001);
    assert!(
        out.json()["error"]["meaning"]
            .as_str()
            .unwrap()
            .contains("corpsecret")
    );
}

#[test]
fn wecom_against_a_stub() {
    let rt = Runtime::new().unwrap();
    let stub = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/cgi-bin/gettoken"))
            .and(query_param("corpid", CORP))
            .and(query_param("corpsecret", CORP_SECRET))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "errcode": 0, "errmsg": "ok", "access_token": "WECOM_TOKEN_abcdef", "expires_in": 7200
            })))
            .mount(&stub),
    );
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/cgi-bin/miniprogram/jscode2session"))
            .and(query_param("access_token", "WECOM_TOKEN_abcdef"))
            .and(query_param("js_code", "qycode"))
            .and(query_param("grant_type", "authorization_code"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "errcode": 0, "errmsg": "ok", "corpid": CORP, "userid": "wangwu", "session_key": SESSION_KEY
            })))
            .mount(&stub),
    );
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("corpsecret");
    std::fs::write(&secret_file, CORP_SECRET).unwrap();
    let out = run(wx()
        .args(["-v", "--json", "code2session", "--wecom", "--corpid", CORP])
        .args(["--code", "qycode", "--secret-file"])
        .arg(&secret_file)
        .args(["--base-url", &stub.uri()]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let doc = out.json();
    assert_eq!(doc["userid"], "wangwu");
    assert_eq!(doc["platform"], "wecom");
    assert_no_secret(&out);

    rt.block_on(stub.reset());
    rt.block_on(
        Mock::given(path("/cgi-bin/gettoken"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "errcode": 60020, "errmsg": "not allow to access from your ip"
            })))
            .mount(&stub),
    );
    let out = run(wx()
        .args([
            "--json",
            "code2session",
            "--wecom",
            "--corpid",
            CORP,
            "--code",
            "c",
        ])
        .args(["--base-url", &stub.uri()])
        .env("WXLOGIN_SECRET", CORP_SECRET));
    assert_eq!(out.code, 4);
    assert!(
        out.json()["error"]["meaning"]
            .as_str()
            .unwrap()
            .contains("trusted IP")
    );
}

#[test]
fn douyin_against_the_mock() {
    let rt = Runtime::new().unwrap();
    let mock = start_mock();
    let exchange = |flag: &str, code: &str, secret: &str| {
        run(wx()
            .args(["--json", "code2session", "--platform", "douyin", flag, code])
            .args(["--appid", DOUYIN, "--base-url", &mock.url])
            .env("WXLOGIN_SECRET", secret))
    };
    let code = code_of(&login(&rt, &mock, json!({"appid": DOUYIN})));
    let out = exchange("--code", &code, DOUYIN_SECRET);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.json()["openid"].as_str().is_some());
    let out = exchange("--code", &code, DOUYIN_SECRET);
    assert_eq!(out.json()["error"]["errcode"], 40018);

    let anon = login(&rt, &mock, json!({"appid": DOUYIN, "anonymous": true}));
    let anon_code = anon["anonymous_code"].as_str().unwrap();
    let out = exchange("--anonymous-code", anon_code, DOUYIN_SECRET);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc = out.json();
    assert_eq!(doc["anonymous_openid"], anon["anonymous_openid"]);
    assert!(doc["openid"].is_null());

    let code = code_of(&login(&rt, &mock, json!({"appid": DOUYIN})));
    let out = exchange("--code", &code, "wrong");
    assert_eq!(out.code, 4);
    let err = &out.json()["error"];
    assert_eq!(err["errcode"], 40017);
    assert!(err["meaning"].as_str().unwrap().contains("Douyin"));

    // Douyin's shape on errors: data with empty strings; err_no as a string on request.
    let raw = post(
        &rt,
        &format!("{}/api/apps/v2/jscode2session", mock.url),
        json!({"appid": DOUYIN, "secret": DOUYIN_SECRET, "code": "nope"}),
    );
    assert_eq!(raw["err_no"], 40018);
    assert_eq!(raw["data"]["openid"], "");
    post(
        &rt,
        &format!("{}/mock/faults", mock.url),
        json!({"route": "/api/apps/v2/jscode2session", "errcode": -1, "errcode_as_string": true}),
    );
    let raw = post(
        &rt,
        &format!("{}/api/apps/v2/jscode2session", mock.url),
        json!({"appid": DOUYIN, "secret": DOUYIN_SECRET, "code": "nope"}),
    );
    assert_eq!(raw["err_no"], "-1");
    assert!(raw["log_id"].is_string());

    // WeChat does not know a Douyin appid: its routes answer 40013, and the code is not spent.
    let code = code_of(&login(&rt, &mock, json!({"appid": DOUYIN})));
    let (_, raw) = get(
        &rt,
        &format!(
            "{}/sns/jscode2session?appid={DOUYIN}&secret={DOUYIN_SECRET}&js_code={code}\
             &grant_type=authorization_code",
            mock.url
        ),
    );
    assert_eq!(raw["errcode"], 40013, "{raw}");
    let (_, raw) = get(
        &rt,
        &format!(
            "{}/cgi-bin/token?grant_type=client_credential&appid={DOUYIN}&secret={DOUYIN_SECRET}",
            mock.url
        ),
    );
    assert_eq!(raw["errcode"], 40013, "{raw}");
    assert_eq!(exchange("--code", &code, DOUYIN_SECRET).code, 0);
}

#[test]
fn douyin_against_a_stub() {
    let rt = Runtime::new().unwrap();
    let stub = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("POST"))
            .and(path("/api/apps/v2/jscode2session"))
            .and(body_json(json!({"appid": DOUYIN, "secret": DOUYIN_SECRET, "code": "ttcode"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "err_no": 0, "err_tips": "success", "log_id": "2024102117013250E8ABC6F2D070B",
                "data": {"session_key": SESSION_KEY, "openid": "36d4bd3c-openid", "anonymous_openid": "", "unionid": "1ad0c1e9-union"}
            })))
            .mount(&stub),
    );
    rt.block_on(
        Mock::given(method("POST"))
            .and(path("/api/apps/v2/jscode2session"))
            .and(body_json(json!({"appid": DOUYIN, "secret": DOUYIN_SECRET, "anonymous_code": "anon1"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "err_no": 0, "err_tips": "success", "log_id": "20241021",
                "data": {"session_key": SESSION_KEY, "openid": "", "anonymous_openid": "anon-openid", "unionid": ""}
            })))
            .mount(&stub),
    );
    rt.block_on(
        Mock::given(method("POST"))
            .and(path("/api/apps/v2/jscode2session"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "err_no": "40018", "err_tips": "bad code", "log_id": "20241021X",
                "data": {"session_key": "", "openid": "", "anonymous_openid": "", "unionid": ""}
            })))
            .mount(&stub),
    );
    let wx_douyin = || {
        let mut cmd = wx();
        cmd.args([
            "--json",
            "code2session",
            "--platform",
            "douyin",
            "--appid",
            DOUYIN,
        ])
        .args(["--base-url", &stub.uri()])
        .env("WXLOGIN_SECRET", DOUYIN_SECRET);
        cmd
    };
    let out = run(wx_douyin().args(["--code", "ttcode"]));
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc = out.json();
    assert_eq!(doc["openid"], "36d4bd3c-openid");
    assert_eq!(doc["unionid"], "1ad0c1e9-union");
    assert_eq!(doc["log_id"], "2024102117013250E8ABC6F2D070B");
    assert_no_secret(&out);

    let out = run(wx_douyin().args(["--code", "anon1", "--anonymous-code"]));
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(out.json()["anonymous_openid"], "anon-openid");

    let out = run(wx_douyin().args(["--code", "spent"]));
    assert_eq!(out.code, 4);
    let err = &out.json()["error"];
    assert_eq!(err["errcode"], 40018);
    assert!(
        err["meaning"]
            .as_str()
            .unwrap()
            .contains("Douyin: invalid code")
    );
    assert!(err["hint"].as_str().unwrap().contains("tt.login"));

    for r in rt.block_on(stub.received_requests()).unwrap() {
        assert_eq!(r.url.query(), None, "Douyin takes nothing in the query");
    }
}

#[test]
fn wechat_errcode_as_a_string_from_the_mock() {
    let rt = Runtime::new().unwrap();
    let mock = start_mock();
    post(
        &rt,
        &format!("{}/mock/faults", mock.url),
        json!({"route": "jscode2session", "errcode_as_string": true}),
    );
    let out = run(wx()
        .args([
            "--json",
            "code2session",
            "--code",
            "unknown",
            "--appid",
            APP,
        ])
        .args(["--base-url", &mock.url])
        .env("WXLOGIN_SECRET", APP_SECRET));
    assert_eq!(out.code, 4);
    assert_eq!(out.json()["error"]["errcode"], 40029);
    let journal = get(&rt, &format!("{}/mock/journal", mock.url)).1;
    assert!(!journal.to_string().contains(APP_SECRET));
}

#[test]
fn explain_covers_each_platforms_codes() {
    let cases: &[(&str, &[i64])] = &[
        ("wechat", &[61003, 61004, 61005, 61006, 61023, 61024, 40029]),
        ("qq", &[40029, 40163, -1]),
        ("wecom", &[40014, 42001, 48002, 60020, 40029, 40082, 40001]),
        ("douyin", &[-1, 40014, 40015, 40017, 40018, 40019]),
    ];
    for (platform, codes) in cases {
        for code in *codes {
            for lang in ["en", "zh"] {
                let out = run(wx()
                    .args(["--json", "--lang", lang, "explain", "--platform", platform])
                    .arg(code.to_string()));
                assert_eq!(out.code, 0);
                let doc = out.json();
                assert_eq!(doc["known"], true, "{platform} {code} {lang}");
            }
        }
    }
    let wechat = run(wx().args(["--json", "explain", "40014"])).json();
    let douyin = run(wx().args(["--json", "explain", "--platform", "douyin", "40014"])).json();
    assert_ne!(wechat["meaning"], douyin["meaning"]);
    let qq = run(wx().args(["explain", "--platform", "qq", "40029"]));
    assert!(qq.stdout.contains("qq.login") && !qq.stdout.contains("wx.login"));
}

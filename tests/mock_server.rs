//! `wxlogin mock-server` driven over HTTP as a backend (and a test) would: every route, every
//! errcode rule, expiry, rotation, one winner per code, restart from --state, malformed input.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, ExitStatus};
use std::time::Duration;

use serde_json::{Value, json};
use wxlogin::core::{crypto, userdata};

mod common;

use common::mock::MockProc;

struct Mock {
    proc_: MockProc,
    url: String,
    /// The demo app (or the first --app), with its secret.
    appid: String,
    secret: String,
    http: reqwest::Client,
}

/// Starts the binary on a free port and reads the URL (and demo app) from its stdout.
fn start(args: &[&str]) -> Mock {
    let mut proc_ = MockProc::start(args);
    let (mut appid, mut secret) = (String::new(), String::new());
    if !args.contains(&"--app") {
        appid = proc_.line().strip_prefix("appid ").unwrap().to_string();
        secret = proc_.line().strip_prefix("secret ").unwrap().to_string();
    } else if let Some(i) = args.iter().position(|a| *a == "--app") {
        let mut parts = args[i + 1].split(':');
        appid = parts.next().unwrap().to_string();
        secret = parts.next().unwrap().to_string();
    }
    Mock {
        url: proc_.url.clone(),
        proc_,
        appid,
        secret,
        http: reqwest::Client::new(),
    }
}

impl Mock {
    async fn get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.json().await.unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    /// `wx.login` for a user (a new one when `openid` is None): (code, openid).
    async fn login(&self, openid: Option<&str>) -> (String, String) {
        let mut body = json!({"appid": self.appid});
        if let Some(o) = openid {
            body["openid"] = json!(o);
        }
        let (status, v) = self.post("/mock/login", body).await;
        assert_eq!(status, 200, "{v}");
        (
            v["code"].as_str().unwrap().to_string(),
            v["openid"].as_str().unwrap().to_string(),
        )
    }

    async fn exchange(&self, code: &str) -> Value {
        self.get(&format!(
            "/sns/jscode2session?appid={}&secret={}&js_code={code}&grant_type=authorization_code",
            self.appid, self.secret
        ))
        .await
    }

    async fn token(&self) -> String {
        let v = self
            .get(&format!(
                "/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
                self.appid, self.secret
            ))
            .await;
        v["access_token"].as_str().unwrap().to_string()
    }

    async fn check_session(&self, token: &str, openid: &str, session_key: &str) -> Value {
        let sig = crypto::checksession_signature(session_key);
        self.get(&format!(
            "/wxa/checksession?access_token={token}&openid={openid}&signature={sig}&sig_method=hmac_sha256"
        ))
        .await
    }

    /// SIGTERM, then the exit status.
    fn terminate(&mut self) -> ExitStatus {
        self.proc_.terminate()
    }

    fn stderr_text(&self) -> String {
        self.proc_.stderr_text()
    }
}

fn errcode(v: &Value) -> i64 {
    v["errcode"].as_i64().unwrap_or(0)
}

fn assert_errcode(v: &Value, code: i64) {
    assert_eq!(errcode(v), code, "{v}");
    let msg = v["errmsg"].as_str().unwrap();
    assert!(msg.contains(", rid: "), "errmsg without rid: {msg}");
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn first_line_is_the_url_then_the_demo_app() {
    let m = start(&[]);
    let port: u16 = m
        .url
        .strip_prefix("http://127.0.0.1:")
        .unwrap()
        .parse()
        .unwrap();
    assert!(port > 0);
    assert!(m.appid.starts_with("wx") && m.appid.len() == 18);
    assert_eq!(m.secret.len(), 32);
}

#[tokio::test]
async fn login_then_jscode2session_gives_openid_session_key_and_unionid() {
    let m = start(&[]);
    let (code, openid) = m.login(None).await;
    assert_eq!(code.len(), 32);
    // Extra parameters (some SDKs add access_token everywhere) are ignored.
    let v = m
        .get(&format!(
            "/sns/jscode2session?access_token=x&appid={}&secret={}&js_code={code}&grant_type=authorization_code&extra=1",
            m.appid, m.secret
        ))
        .await;
    assert_eq!(v["openid"], openid.as_str());
    let key = v["session_key"].as_str().unwrap();
    assert_eq!(
        wxlogin::core::input::decode_key16("k", key, true, &mut Vec::new())
            .unwrap()
            .len(),
        16
    );
    assert!(v["unionid"].as_str().unwrap().starts_with('o'));
    assert!(v.get("errcode").is_none());
}

#[tokio::test]
async fn jscode2session_errcodes_follow_wechat() {
    let m = start(&[
        "--app",
        "wxaaaa:secret-a",
        "--app",
        "wxbbbb:secret-b:unionid",
    ]);
    let (code, _) = m.login(None).await;
    let q = |s: &str| format!("/sns/jscode2session?{s}");
    let full = |appid: &str, secret: &str, code: &str| {
        q(&format!(
            "appid={appid}&secret={secret}&js_code={code}&grant_type=authorization_code"
        ))
    };
    assert_errcode(&m.get(&q("secret=s&js_code=c")).await, 41002);
    assert_errcode(&m.get(&q("appid=&secret=s&js_code=c")).await, 41002);
    assert_errcode(&m.get(&q("appid=wxaaaa&js_code=c")).await, 41004);
    assert_errcode(&m.get(&q("appid=wxaaaa&secret=secret-a")).await, 41008);
    assert_errcode(&m.get(&full("wxnope", "secret-a", &code)).await, 40013);
    assert_errcode(&m.get(&full("wxaaaa", "wrong", &code)).await, 40125);
    let bad_grant = q(&format!(
        "appid=wxaaaa&secret=secret-a&js_code={code}&grant_type=client_credential"
    ));
    assert_errcode(&m.get(&bad_grant).await, 40002);
    assert_errcode(
        &m.get(&full("wxaaaa", "secret-a", "nosuchcode")).await,
        40029,
    );
    let unknown32 = "A".repeat(32);
    assert_errcode(&m.get(&full("wxaaaa", "secret-a", &unknown32)).await, 40029);
    // A code is for the app that issued it.
    assert_errcode(&m.get(&full("wxbbbb", "secret-b", &code)).await, 40029);
    // None of the refusals above used the code up.
    let ok = m.get(&full("wxaaaa", "secret-a", &code)).await;
    assert!(ok["session_key"].is_string(), "{ok}");
    assert!(ok.get("unionid").is_none(), "wxaaaa is not bound: {ok}");
    assert_errcode(&m.get(&full("wxaaaa", "secret-a", &code)).await, 40163);
    // Without grant_type: tolerated.
    let (code, _) = m.login(None).await;
    let v = m
        .get(&q(&format!("appid=wxaaaa&secret=secret-a&js_code={code}")))
        .await;
    assert!(v["openid"].is_string(), "{v}");
    // The bound app's users have a unionid.
    let (status, v) = m.post("/mock/login", json!({"appid": "wxbbbb"})).await;
    assert_eq!(status, 200);
    let v = m
        .get(&full("wxbbbb", "secret-b", v["code"].as_str().unwrap()))
        .await;
    assert!(v["unionid"].is_string(), "{v}");
}

#[tokio::test]
async fn a_code_expires_after_code_ttl() {
    let m = start(&["--code-ttl", "2"]);
    let (code, _) = m.login(None).await;
    let (fresh, _) = m.login(None).await;
    assert!(m.exchange(&fresh).await["openid"].is_string());
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_errcode(&m.exchange(&code).await, 40029);
    // Used and then expired: unknown, like WeChat.
    assert_errcode(&m.exchange(&fresh).await, 40029);
}

#[tokio::test]
async fn sixty_four_concurrent_exchanges_of_one_code_have_exactly_one_winner() {
    let m = start(&[]);
    for _ in 0..5 {
        let (code, _) = m.login(None).await;
        let url = format!(
            "{}/sns/jscode2session?appid={}&secret={}&js_code={code}&grant_type=authorization_code",
            m.url, m.appid, m.secret
        );
        let mut tasks = Vec::new();
        for _ in 0..64 {
            // One client each: 64 separate connections racing for the code.
            let (client, url) = (reqwest::Client::new(), url.clone());
            tasks.push(tokio::spawn(async move {
                let v: Value = client.get(url).send().await.unwrap().json().await.unwrap();
                v
            }));
        }
        let mut wins = 0;
        for t in tasks {
            let v = t.await.unwrap();
            if v["session_key"].is_string() {
                wins += 1;
            } else {
                assert_errcode(&v, 40163);
            }
        }
        assert_eq!(wins, 1);
    }
}

#[tokio::test]
async fn access_tokens_plain_and_stable() {
    let m = start(&[]);
    let base = format!("appid={}&secret={}", m.appid, m.secret);
    let v = m
        .get(&format!(
            "/cgi-bin/token?grant_type=client_credential&{base}"
        ))
        .await;
    assert_eq!(v["expires_in"], 7200);
    assert!(v["access_token"].as_str().unwrap().len() > 32);
    for (query, code) in [
        (format!("/cgi-bin/token?{base}"), 40002),
        (format!("/cgi-bin/token?grant_type=password&{base}"), 40002),
        (
            "/cgi-bin/token?grant_type=client_credential&secret=x".into(),
            41002,
        ),
        (
            format!(
                "/cgi-bin/token?grant_type=client_credential&appid={}",
                m.appid
            ),
            41004,
        ),
        (
            "/cgi-bin/token?grant_type=client_credential&appid=wxno&secret=x".into(),
            40013,
        ),
        (
            format!(
                "/cgi-bin/token?grant_type=client_credential&appid={}&secret=bad",
                m.appid
            ),
            40125,
        ),
    ] {
        assert_errcode(&m.get(&query).await, code);
    }
    let body = json!({"grant_type": "client_credential", "appid": m.appid, "secret": m.secret});
    let (s1, a) = m.post("/cgi-bin/stable_token", body.clone()).await;
    let (_, b) = m.post("/cgi-bin/stable_token", body.clone()).await;
    assert_eq!(s1, 200);
    assert_eq!(a["access_token"], b["access_token"], "stable: same token");
    let mut forced = body.clone();
    forced["force_refresh"] = json!(true);
    let (_, c) = m.post("/cgi-bin/stable_token", forced).await;
    assert_ne!(a["access_token"], c["access_token"]);
    let mut wrong = body.clone();
    wrong["secret"] = json!("nope");
    assert_errcode(&m.post("/cgi-bin/stable_token", wrong).await.1, 40125);
    let raw = m
        .http
        .post(format!("{}/cgi-bin/stable_token", m.url))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    assert_errcode(&raw.json::<Value>().await.unwrap(), 47001);
}

#[tokio::test]
async fn checksession_accepts_the_current_key_and_refuses_a_stale_one() {
    let m = start(&[]);
    let (code, openid) = m.login(None).await;
    let old_key = m.exchange(&code).await["session_key"]
        .as_str()
        .unwrap()
        .to_string();
    let token = m.token().await;
    let ok = m.check_session(&token, &openid, &old_key).await;
    assert_eq!(ok, json!({"errcode": 0, "errmsg": "ok"}));
    // The classic race: a second wx.login rotates the key at once.
    let (code2, _) = m.login(Some(&openid)).await;
    assert_errcode(&m.check_session(&token, &openid, &old_key).await, 87009);
    let new_key = m.exchange(&code2).await["session_key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_key, old_key);
    assert_eq!(
        errcode(&m.check_session(&token, &openid, &new_key).await),
        0
    );
    let sig = crypto::checksession_signature(&new_key);
    let q = |s: String| format!("/wxa/checksession?{s}");
    for (query, code) in [
        (
            q(format!(
                "openid={openid}&signature={sig}&sig_method=hmac_sha256"
            )),
            41001,
        ),
        (
            q(format!(
                "access_token=bogus&openid={openid}&signature={sig}&sig_method=hmac_sha256"
            )),
            40001,
        ),
        (
            q(format!(
                "access_token={token}&signature={sig}&sig_method=hmac_sha256"
            )),
            41009,
        ),
        (
            q(format!(
                "access_token={token}&openid={openid}&signature={sig}&sig_method=md5"
            )),
            87008,
        ),
        (
            q(format!(
                "access_token={token}&openid={openid}&signature={sig}"
            )),
            87008,
        ),
        (
            q(format!(
                "access_token={token}&openid=ounknown&signature={sig}&sig_method=hmac_sha256"
            )),
            40003,
        ),
        (
            q(format!(
                "access_token={token}&openid={openid}&sig_method=hmac_sha256"
            )),
            87009,
        ),
    ] {
        assert_errcode(&m.get(&query).await, code);
    }
}

#[tokio::test]
async fn resetusersessionkey_rotates_and_returns_the_new_key() {
    let m = start(&[]);
    let (code, openid) = m.login(None).await;
    let key = m.exchange(&code).await["session_key"]
        .as_str()
        .unwrap()
        .to_string();
    let token = m.token().await;
    let sig = crypto::checksession_signature(&key);
    let path = format!(
        "/wxa/resetusersessionkey?access_token={token}&openid={openid}&signature={sig}&sig_method=hmac_sha256"
    );
    let v = m.get(&path).await;
    assert_eq!(v["errcode"], 0);
    assert_eq!(v["openid"], openid.as_str());
    let new_key = v["session_key"].as_str().unwrap();
    assert_ne!(new_key, key);
    assert_eq!(errcode(&m.check_session(&token, &openid, new_key).await), 0);
    // The old signature is stale now.
    assert_errcode(&m.get(&path).await, 87009);
}

#[tokio::test]
async fn userinfo_payload_verifies_and_decrypts_with_the_core() {
    let m = start(&[]);
    let (code, openid) = m.login(None).await;
    let key = m.exchange(&code).await["session_key"]
        .as_str()
        .unwrap()
        .to_string();
    let given = json!({"nickName": "阿狸🦊 \"quoted\" /slash", "city": "广州"});
    let (status, p) = m
        .post(
            "/mock/userinfo",
            json!({"appid": m.appid, "openid": openid, "userInfo": given}),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    let raw = p["rawData"].as_str().unwrap();
    assert!(
        !raw.contains("watermark") && !raw.contains("openId"),
        "{raw}"
    );
    assert!(
        raw.contains("阿狸🦊") && raw.contains("/slash"),
        "unescaped like JS: {raw}"
    );
    assert_eq!(serde_json::from_str::<Value>(raw).unwrap(), p["userInfo"]);
    assert_eq!(serde_json::from_str::<Value>(raw).unwrap().to_string(), raw);
    let sig = p["signature"].as_str().unwrap();
    userdata::verify_signature(raw, sig, &key, true, &mut Vec::new()).unwrap();
    let d = userdata::decrypt_user_data(
        &key,
        p["iv"].as_str().unwrap(),
        p["encryptedData"].as_str().unwrap(),
        Some(&m.appid),
        true,
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!(d.watermark_verdict, userdata::WatermarkVerdict::Match);
    d.watermark_verdict.result().unwrap();
    let plain: Value = serde_json::from_str(&d.plaintext).unwrap();
    assert_eq!(plain["openId"], openid.as_str());
    assert_eq!(plain["nickName"], "阿狸🦊 \"quoted\" /slash");
    assert!(plain["unionId"].is_string());
    let age = wxlogin::core::clock::unix_now() - plain["watermark"]["timestamp"].as_i64().unwrap();
    assert!((0..60).contains(&age));
    // The profile sticks: a second call without userInfo keeps the nickname.
    let (_, again) = m
        .post(
            "/mock/userinfo",
            json!({"appid": m.appid, "openid": openid}),
        )
        .await;
    assert_eq!(again["rawData"], p["rawData"]);
    // A payload made for another app fails the watermark check.
    let (_, other) = m
        .post(
            "/mock/userinfo",
            json!({"appid": m.appid, "openid": openid, "watermarkAppid": "wxother"}),
        )
        .await;
    let d = userdata::decrypt_user_data(
        &key,
        other["iv"].as_str().unwrap(),
        other["encryptedData"].as_str().unwrap(),
        Some(&m.appid),
        true,
        &mut Vec::new(),
    )
    .unwrap();
    assert!(d.watermark_verdict.result().is_err());
}

#[tokio::test]
async fn a_second_login_rotates_the_key_and_the_old_payload_no_longer_decrypts() {
    let m = start(&[]);
    let (code, openid) = m.login(None).await;
    let old_key = m.exchange(&code).await["session_key"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, p) = m
        .post(
            "/mock/userinfo",
            json!({"appid": m.appid, "openid": openid}),
        )
        .await;
    let (code2, same) = m.login(Some(&openid)).await;
    assert_eq!(same, openid);
    let new_key = m.exchange(&code2).await["session_key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(old_key, new_key);
    let (iv, data) = (
        p["iv"].as_str().unwrap(),
        p["encryptedData"].as_str().unwrap(),
    );
    let err =
        userdata::decrypt_user_data(&new_key, iv, data, None, true, &mut Vec::new()).unwrap_err();
    assert_eq!(err.kind(), "decrypt", "{err}");
    let sig = p["signature"].as_str().unwrap();
    let raw = p["rawData"].as_str().unwrap();
    let err = userdata::verify_signature(raw, sig, &new_key, true, &mut Vec::new()).unwrap_err();
    assert_eq!(err.kind(), "signature", "{err}");
    // With the key it was made with, it still opens.
    assert!(userdata::decrypt_user_data(&old_key, iv, data, None, true, &mut Vec::new()).is_ok());
}

#[tokio::test]
async fn phone_number_code_and_payload() {
    let m = start(&[]);
    let (code, openid) = m.login(None).await;
    let key = m.exchange(&code).await["session_key"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, p) = m
        .post(
            "/mock/phonenumber",
            json!({"appid": m.appid, "openid": openid, "phoneNumber": "13800138000"}),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    let d = userdata::decrypt_user_data(
        &key,
        p["iv"].as_str().unwrap(),
        p["encryptedData"].as_str().unwrap(),
        Some(&m.appid),
        true,
        &mut Vec::new(),
    )
    .unwrap();
    let plain: wxlogin::core::model::PhoneInfo = serde_json::from_str(&d.plaintext).unwrap();
    assert_eq!(plain.phone_number, "13800138000");
    assert_eq!(plain.country_code, "86");
    let token = m.token().await;
    let phone_code = p["code"].as_str().unwrap();
    let url = format!("/wxa/business/getuserphonenumber?access_token={token}");
    let (_, v) = m.post(&url, json!({"code": phone_code})).await;
    assert_eq!(v["errcode"], 0, "{v}");
    assert_eq!(v["phone_info"]["purePhoneNumber"], "13800138000");
    assert_eq!(v["phone_info"]["countryCode"], 86);
    assert_eq!(v["phone_info"]["watermark"]["appid"], m.appid.as_str());
    assert_errcode(&m.post(&url, json!({"code": phone_code})).await.1, 40163);
    assert_errcode(&m.post(&url, json!({"code": "x"})).await.1, 40029);
    assert_errcode(&m.post(&url, json!({})).await.1, 41008);
    let (_, v) = m
        .post(
            "/wxa/business/getuserphonenumber?access_token=bad",
            json!({"code": phone_code}),
        )
        .await;
    assert_errcode(&v, 40001);
    let (_, v) = m
        .post(
            "/wxa/business/getuserphonenumber",
            json!({"code": phone_code}),
        )
        .await;
    assert_errcode(&v, 41001);
}

#[tokio::test]
async fn control_routes_refuse_bad_requests_with_4xx_json() {
    let m = start(&[]);
    let (s, v) = m.post("/mock/login", json!({})).await;
    assert_eq!((s, errcode(&v)), (400, 41002));
    let (s, v) = m.post("/mock/login", json!({"appid": "wxnope"})).await;
    assert_eq!((s, errcode(&v)), (400, 40013));
    let (s, v) = m
        .post(
            "/mock/login",
            json!({"appid": m.appid, "openid": "has space"}),
        )
        .await;
    assert_eq!((s, errcode(&v)), (400, 40003));
    let (s, v) = m
        .post(
            "/mock/userinfo",
            json!({"appid": m.appid, "openid": "ounknown"}),
        )
        .await;
    assert_eq!((s, errcode(&v)), (404, 40003));
    let (s, _) = m.post("/mock/userinfo", json!({"appid": m.appid})).await;
    assert_eq!(s, 400);
    let (_, openid) = m.login(None).await;
    let (s, v) = m
        .post(
            "/mock/userinfo",
            json!({"appid": m.appid, "openid": openid, "userInfo": {"gender": "x"}}),
        )
        .await;
    assert_eq!((s, errcode(&v)), (400, 47001));
    let (s, _) = m
        .post(
            "/mock/phonenumber",
            json!({"appid": m.appid, "openid": openid, "phoneNumber": "+86 138"}),
        )
        .await;
    assert_eq!(s, 400);
    // A chosen openid and unionid are kept.
    let (s, v) = m
        .post(
            "/mock/login",
            json!({"appid": m.appid, "openid": "oMine", "unionid": "oUnion"}),
        )
        .await;
    assert_eq!(s, 200);
    let x = m.exchange(v["code"].as_str().unwrap()).await;
    assert_eq!(
        (x["openid"].as_str(), x["unionid"].as_str()),
        (Some("oMine"), Some("oUnion"))
    );
}

#[tokio::test]
async fn malformed_requests_never_get_a_5xx() {
    let m = start(&[]);
    // Long, but within what an HTTP client will put in a URL.
    let long = "A".repeat(30_000);
    let get_paths = [
        "/sns/jscode2session?%%%&&==&appid=%zz&secret=%".to_string(),
        "/sns/jscode2session?appid=%ff%fe&secret=%c3%28&js_code=%00".to_string(),
        format!("/sns/jscode2session?appid={long}&secret=s&js_code={long}"),
        "/sns/jscode2session?=&=&&&".to_string(),
        "/wxa/checksession?access_token&openid&signature&sig_method".to_string(),
        "/cgi-bin/token?grant_type=client_credential&appid=%E4%BD%A0&secret=%E5%A5%BD".to_string(),
        "/mock/journal?limit=abc".to_string(),
        "/definitely/not/a/route".to_string(),
    ];
    for p in &get_paths {
        let r = m.http.get(format!("{}{p}", m.url)).send().await.unwrap();
        let status = r.status().as_u16();
        assert!(status < 500, "{status} for {p}");
        if status < 431 {
            let _: Value = r.json().await.unwrap_or_else(|e| panic!("{p}: {e}"));
        }
    }
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"[1,2,3]".to_vec(),
        b"\xff\xfe\x00garbage".to_vec(),
        b"{\"appid\": \"\xff\"}".to_vec(),
        b"{\"appid\": 42}".to_vec(),
        b"{\"appid\": null, \"openid\": {}}".to_vec(),
        vec![b'x'; 2 * 1024 * 1024],
    ];
    for path in [
        "/mock/login",
        "/mock/userinfo",
        "/mock/phonenumber",
        "/mock/faults",
        "/cgi-bin/stable_token",
        "/wxa/business/getuserphonenumber?access_token=x",
    ] {
        for body in &bodies {
            let r = m
                .http
                .post(format!("{}{path}", m.url))
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await;
            // An oversized body may be answered (413) before it is all sent; either is fine.
            let Ok(r) = r else { continue };
            let status = r.status().as_u16();
            assert!(
                status < 500,
                "{status} for {path} with {} bytes",
                body.len()
            );
            let v: Value = r.json().await.unwrap();
            assert!(v["errcode"].as_i64().is_some(), "{path}: {v}");
        }
    }
    // Wrong methods get WeChat's 43001/43002 or a 405.
    let r = m
        .http
        .post(format!("{}/sns/jscode2session", m.url))
        .send()
        .await
        .unwrap();
    assert_errcode(&r.json::<Value>().await.unwrap(), 43001);
    let r = m
        .http
        .get(format!("{}/cgi-bin/stable_token", m.url))
        .send()
        .await
        .unwrap();
    assert_errcode(&r.json::<Value>().await.unwrap(), 43002);
    let r = m
        .http
        .get(format!("{}/mock/login", m.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    // Still serving.
    let (code, _) = m.login(None).await;
    assert!(m.exchange(&code).await["openid"].is_string());
}

#[tokio::test]
async fn faults_answer_an_errcode_for_n_calls_then_clear() {
    let m = start(&[]);
    let (s, v) = m
        .post(
            "/mock/faults",
            json!({"route": "jscode2session", "errcode": -1, "count": 2}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["faults"][0]["count"], 2);
    let (code, _) = m.login(None).await;
    assert_errcode(&m.exchange(&code).await, -1);
    assert_errcode(&m.exchange(&code).await, -1);
    // The faulted calls did not consume the code.
    assert!(m.exchange(&code).await["openid"].is_string());
    m.post(
        "/mock/faults",
        json!({"route": "/cgi-bin/token", "errcode": 45011, "errmsg": "quota", "count": 5}),
    )
    .await;
    let q = format!(
        "/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
        m.appid, m.secret
    );
    let v = m.get(&q).await;
    assert_eq!(v["errcode"], 45011);
    assert!(v["errmsg"].as_str().unwrap().starts_with("quota, rid: "));
    let (_, v) = m.post("/mock/faults", json!({"clear": true})).await;
    assert_eq!(v["faults"], json!([]));
    assert!(m.get(&q).await["access_token"].is_string());
    let started = std::time::Instant::now();
    m.post("/mock/faults", json!({"route": "*", "latency_ms": 300}))
        .await;
    assert!(m.get(&q).await["access_token"].is_string());
    assert!(started.elapsed() >= Duration::from_millis(300));
    for bad in [
        json!({"route": "x"}),
        json!({"errcode": -1, "latency_ms": 10_000_000}),
        json!({"errcode": -1, "count": 0}),
    ] {
        let (s, _) = m.post("/mock/faults", bad.clone()).await;
        assert_eq!(s, 400, "{bad}");
    }
}

#[tokio::test]
async fn journal_and_log_mask_secrets() {
    let m = start(&[]);
    let (code, openid) = m.login(None).await;
    let key = m.exchange(&code).await["session_key"]
        .as_str()
        .unwrap()
        .to_string();
    let token = m.token().await;
    m.check_session(&token, &openid, &key).await;
    m.post(
        "/cgi-bin/stable_token",
        json!({"grant_type": "client_credential", "appid": m.appid, "secret": m.secret}),
    )
    .await;
    let j = m.get("/mock/journal").await;
    let entries = j["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        5,
        "the journal does not list its own reads: {j}"
    );
    let exchange = &entries[1];
    assert_eq!(exchange["path"], "/sns/jscode2session");
    assert_eq!(exchange["code"], code.as_str());
    assert_eq!(exchange["openid"], openid.as_str());
    assert_eq!(exchange["appid"], m.appid.as_str());
    assert_eq!(exchange["errcode"], 0);
    let text = j.to_string();
    let sig = crypto::checksession_signature(&key);
    for secret in [
        m.secret.as_str(),
        key.as_str(),
        token.as_str(),
        sig.as_str(),
    ] {
        assert!(!text.contains(secret), "journal leaks {secret}");
    }
    // The log line reaches stderr through a buffered writer: give it a moment.
    let mut log = String::new();
    for _ in 0..150 {
        log = m.stderr_text();
        if log.contains("/wxa/checksession") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(log.contains("GET  /sns/jscode2session 0 "), "{log}");
    assert!(log.contains("POST /mock/login 0 "), "{log}");
    for secret in [
        m.secret.as_str(),
        key.as_str(),
        token.as_str(),
        sig.as_str(),
    ] {
        assert!(!log.contains(secret), "log leaks {secret}");
    }
    // Bounded: far more requests than the capacity leave exactly the capacity.
    let cap = j["capacity"].as_u64().unwrap() as usize;
    let mut tasks = Vec::new();
    for i in 0..(cap + 50) {
        let (client, url) = (m.http.clone(), format!("{}/nope/{i}", m.url));
        tasks.push(tokio::spawn(async move {
            client.get(url).send().await.map(|_| ())
        }));
        if tasks.len() == 32 {
            for t in tasks.drain(..) {
                t.await.unwrap().unwrap();
            }
        }
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let j = m.get("/mock/journal").await;
    assert_eq!(j["entries"].as_array().unwrap().len(), cap);
    assert!(j["dropped"].as_u64().unwrap() >= 50);
}

#[tokio::test]
async fn reset_forgets_users_codes_and_tokens() {
    let m = start(&[]);
    let (code, openid) = m.login(None).await;
    let token = m.token().await;
    let (s, _) = m.post("/mock/reset", json!({})).await;
    assert_eq!(s, 200);
    let entries = m.get("/mock/journal").await["entries"].clone();
    assert_eq!(
        entries.as_array().unwrap().len(),
        1,
        "only the reset itself: {entries}"
    );
    assert_errcode(&m.exchange(&code).await, 40029);
    assert_errcode(
        &m.check_session(&token, &openid, "AAAAAAAAAAAAAAAAAAAAAA==")
            .await,
        40001,
    );
    let (s, _) = m
        .post(
            "/mock/userinfo",
            json!({"appid": m.appid, "openid": openid}),
        )
        .await;
    assert_eq!(s, 404);
    // The app is still there.
    let (code, _) = m.login(None).await;
    assert!(m.exchange(&code).await["openid"].is_string());
}

#[tokio::test]
async fn seed_makes_apps_codes_and_keys_reproducible() {
    let mut seen = Vec::new();
    for _ in 0..2 {
        let m = start(&["--seed", "42"]);
        let (code, openid) = m.login(None).await;
        let key = m.exchange(&code).await["session_key"].clone();
        seen.push((m.appid.clone(), m.secret.clone(), code, openid, key));
    }
    assert_eq!(seen[0], seen[1]);
    let m = start(&["--seed", "43"]);
    assert_ne!(m.appid, seen[0].0);
}

#[tokio::test]
async fn state_survives_a_restart_after_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mock-state.json");
    let path_arg = path.to_str().unwrap();
    let mut m = start(&["--state", path_arg, "--seed", "5"]);
    let (used, openid) = m.login(None).await;
    assert!(m.exchange(&used).await["session_key"].is_string());
    // A second login rotates the key; the pending code will hand out the new one.
    let (pending, _) = m.login(Some(&openid)).await;
    m.login(Some("oSecond")).await;
    let (_, info) = m
        .post(
            "/mock/userinfo",
            json!({"appid": m.appid, "openid": openid, "userInfo": {"nickName": "持久"}}),
        )
        .await;
    let token = m.token().await;
    let status = m.terminate();
    assert!(status.success(), "SIGTERM must exit 0, got {status}");
    assert!(
        m.stderr_text().contains("state saved"),
        "{}",
        m.stderr_text()
    );
    assert_state_file_is_private(&path);

    let m2 = start(&["--state", path_arg, "--seed", "5"]);
    assert_eq!(
        (m2.appid.as_str(), m2.secret.as_str()),
        (m.appid.as_str(), m.secret.as_str())
    );
    assert_errcode(&m2.exchange(&used).await, 40163);
    let v = m2.exchange(&pending).await;
    assert_eq!(v["openid"], openid.as_str(), "{v}");
    let current = v["session_key"].as_str().unwrap();
    assert_eq!(
        errcode(&m2.check_session(&token, &openid, current).await),
        0
    );
    let (_, again) = m2
        .post(
            "/mock/userinfo",
            json!({"appid": m2.appid, "openid": openid}),
        )
        .await;
    assert_eq!(again["rawData"], info["rawData"]);
    // A seeded restart draws new values: no code collides with one issued before.
    let (fresh, _) = m2.login(None).await;
    assert_ne!(fresh, used);
    assert_ne!(fresh, pending);
    drop(m);
}

fn assert_state_file_is_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "state file holds secrets: {mode:o}");
    }
    let _ = path;
}

#[tokio::test]
async fn a_broken_state_file_is_refused_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "not json").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wxlogin"))
        .args(["mock-server", "--port", "0", "--state"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a mock state file"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[tokio::test]
async fn a_bad_app_spec_is_a_usage_error_that_hides_the_secret() {
    let out = Command::new(env!("CARGO_BIN_EXE_wxlogin"))
        .args([
            "mock-server",
            "--port",
            "0",
            "--app",
            "wxonly-topsecretvalue",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("topsecretvalue"));
}

/// Node's own crypto (no packages) checks the signature, the decryption and the hmac, so the
/// mock is not only checked by the code that shares its crypto.
#[tokio::test]
async fn node_verifies_the_payload_independently() {
    if !common::node_or_skip("the independent crypto check") {
        return;
    }
    let m = start(&[]);
    let (code, openid) = m.login(None).await;
    let key = m.exchange(&code).await["session_key"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, p) = m
        .post(
            "/mock/userinfo",
            json!({"appid": m.appid, "openid": openid, "userInfo": {"nickName": "🍊橘子汽水"}}),
        )
        .await;
    let input = json!({
        "rawData": p["rawData"], "encryptedData": p["encryptedData"], "iv": p["iv"],
        "session_key": key,
    });
    let script = r#"
const c = require('crypto');
const d = JSON.parse(process.env.PAYLOAD);
const signature = c.createHash('sha1').update(d.rawData + d.session_key, 'utf8').digest('hex');
const dec = c.createDecipheriv('aes-128-cbc', Buffer.from(d.session_key, 'base64'), Buffer.from(d.iv, 'base64'));
const plain = Buffer.concat([dec.update(Buffer.from(d.encryptedData, 'base64')), dec.final()]).toString('utf8');
const hmac = c.createHmac('sha256', Buffer.from(d.session_key, 'utf8')).update('').digest('hex');
process.stdout.write(JSON.stringify({signature, plain: JSON.parse(plain), hmac}));
"#;
    let out = Command::new("node")
        .args(["-e", script])
        .env("PAYLOAD", input.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["signature"], p["signature"]);
    assert_eq!(v["plain"]["openId"], openid.as_str());
    assert_eq!(v["plain"]["nickName"], "🍊橘子汽水");
    assert_eq!(v["plain"]["watermark"]["appid"], m.appid.as_str());
    // Node's hmac is what checksession accepts.
    let token = m.token().await;
    let sig = v["hmac"].as_str().unwrap();
    let r = m
        .get(&format!(
            "/wxa/checksession?access_token={token}&openid={}&signature={sig}&sig_method=hmac_sha256",
            pct(&openid)
        ))
        .await;
    assert_eq!(r["errcode"], 0, "{r}");
}

/// The library API the demo and simulate use: start in-process, read state, shut down.
#[tokio::test]
async fn in_process_api_spawn_journal_session_key_shutdown() {
    use wxlogin::mock::{MockConfig, MockServer};
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.json");
    let cfg = MockConfig {
        seed: Some(9),
        state: Some(state.clone()),
        ..MockConfig::default()
    };
    let mock = MockServer::start(cfg).await.unwrap();
    assert!(mock.url().starts_with("http://127.0.0.1:"));
    let (appid, secret) = mock.apps()[0].clone();
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{}/mock/login", mock.url()))
        .json(&json!({"appid": appid}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let openid = login["openid"].as_str().unwrap();
    let before = mock.session_key(&appid, openid).unwrap();
    let v: Value = http
        .get(format!(
            "{}/sns/jscode2session?appid={appid}&secret={secret}&js_code={}&grant_type=authorization_code",
            mock.url(),
            login["code"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["session_key"], before.expose());
    assert!(
        !format!("{before}").contains(before.expose()),
        "Secret masks itself"
    );
    let journal = mock.journal().await;
    assert_eq!(journal.len(), 2);
    assert_eq!(journal[1].openid.as_deref(), Some(openid));
    assert!(!serde_json::to_string(&journal).unwrap().contains(&secret));
    assert!(mock.session_key(&appid, "ounknown").is_none());
    assert_eq!(mock.code_ttl(), Duration::from_secs(300));
    mock.stop().await.unwrap();
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["users"][0]["openid"], openid);
}

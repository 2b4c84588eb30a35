//! Network-side fixes of the first hour: an unknown fault route is refused (against the mock
//! binary), and a spent phone code is not blamed on wx.login (against a wiremock stub).

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod common;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn an_unknown_fault_route_is_refused_with_the_valid_ones() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxlogin"))
        .args(["-q", "mock-server", "--port", "0", "--seed", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Kept open: the mock prints its demo app next, and a closed pipe would stop it.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let _guard = Child(child);
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let http = reqwest::Client::new();
    let post = |body: Value| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let r = http
                .post(format!("{url}/mock/faults"))
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = post(json!({"route": "jscode2sesion", "errcode": -1})).await;
    assert_eq!(status, 400, "{body}");
    let msg = body["errmsg"].as_str().unwrap_or_default();
    for name in ["jscode2session", "stable_token", "getuserphonenumber"] {
        assert!(msg.contains(name), "{body}");
    }
    let listed: Value = http
        .get(format!("{url}/mock/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["faults"], json!([]), "the bad fault was stored");
    for route in ["jscode2session", "/sns/jscode2session", "*"] {
        let (status, body) = post(json!({"route": route, "errcode": -1})).await;
        assert_eq!(status, 200, "{route}: {body}");
    }
}

#[tokio::test]
async fn a_spent_phone_code_points_at_the_button_not_wx_login() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/wxa/business/getuserphonenumber"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"errcode": 40163, "errmsg": "code been used, rid: 1-2-3"})),
        )
        .mount(&server)
        .await;
    let out = common::wx()
        .args([
            "--json",
            "phone",
            "--code",
            "0e3Kp7ll2KvQ4e4n3kml2pQJ1S3Kp7lB",
            "--access-token",
            "ACCESSTOKEN_0123456789_abcdefghijklmnop",
            "--base-url",
            &server.uri(),
        ])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hint = doc["error"]["hint"].as_str().unwrap();
    assert!(!hint.contains("call wx.login"), "{hint}");
    assert!(hint.contains("getPhoneNumber"), "{hint}");
}

//! The WeChat API commands against an independent stub (wiremock), not our own mock server:
//! what goes on the wire, how every answer is read, retries, timeouts, credentials, redaction.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Run;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::runtime::Runtime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const APPID: &str = "wx4f4bc4dec97d474b";
/// Distinctive enough that finding it anywhere in the output can only be a leak.
const SECRET: &str = "c0ffeeS3cretAppSecretValue4f9e21";
const SESSION_KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const OPENID: &str = "oGZUI0egBJY1zhBYw2KhdUfwVJJE";
const TOKEN: &str = "ACCESSTOKEN_0123456789_abcdefghijklmnop";

struct Stub {
    rt: Runtime,
    server: MockServer,
    /// XDG_CONFIG_HOME of every run: the developer's own config can't leak in.
    config: TempDir,
}

impl Stub {
    fn start() -> Stub {
        let rt = Runtime::new().unwrap();
        let server = rt.block_on(MockServer::start());
        Stub {
            rt,
            server,
            config: TempDir::new().unwrap(),
        }
    }

    fn mount(&self, mock: Mock) {
        self.rt.block_on(mock.mount(&self.server));
    }

    fn answer(&self, http_method: &str, api_path: &str, template: ResponseTemplate) {
        self.mount(
            Mock::given(method(http_method))
                .and(path(api_path))
                .respond_with(template),
        );
    }

    fn json(&self, http_method: &str, api_path: &str, body: Value) {
        self.answer(
            http_method,
            api_path,
            ResponseTemplate::new(200).set_body_json(body),
        );
    }

    /// The first `times` requests to `api_path` get `template`; later ones fall through to
    /// what else is mounted.
    fn first(&self, api_path: &str, times: u64, template: ResponseTemplate) {
        self.mount(
            Mock::given(path(api_path))
                .respond_with(template)
                .up_to_n_times(times)
                .with_priority(1),
        );
    }

    /// The first `times` requests to `api_path` answer WeChat's busy `-1`.
    fn busy_first(&self, api_path: &str, times: u64) {
        self.first(
            api_path,
            times,
            ResponseTemplate::new(200).set_body_json(json!({"errcode": -1})),
        );
    }

    fn requests(&self) -> Vec<Request> {
        self.rt
            .block_on(self.server.received_requests())
            .unwrap_or_default()
    }

    fn reset(&self) {
        self.rt.block_on(self.server.reset());
    }

    fn uri(&self) -> String {
        self.server.uri()
    }

    /// `wxlogin` with a clean environment, no terminal on stdin and the stub as base URL.
    fn wx(&self) -> Command {
        let mut cmd = wx_clean(self.config.path());
        cmd.env("WXLOGIN_BASE_URL", self.uri());
        cmd
    }

    /// `wxlogin` with the app's credentials in the environment.
    fn wx_app(&self) -> Command {
        let mut cmd = self.wx();
        cmd.env("WXLOGIN_APPID", APPID)
            .env("WXLOGIN_SECRET", SECRET);
        cmd
    }

    fn write_config(&self, text: &str, mode: u32) -> std::path::PathBuf {
        let dir = self.config.path().join("wxlogin");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config.toml");
        std::fs::write(&file, text).unwrap();
        set_mode(&file, mode);
        file
    }
}

/// The common clean binary, with no proxy from the environment, its own config and state
/// home, plain output and a timeout: a hang is a failure, not a stuck CI job.
fn wx_clean(config_home: &Path) -> Command {
    let mut cmd = common::wx();
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("XDG_CONFIG_HOME", config_home)
        .env("XDG_STATE_HOME", config_home)
        .env("LANG", "C")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(30))
        .write_stdin("");
    cmd
}

#[cfg(unix)]
fn set_mode(file: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_file: &Path, _mode: u32) {}

fn run(cmd: &mut Command, args: &[&str]) -> Run {
    common::run(cmd.args(args))
}

fn session_answer() -> Value {
    json!({"openid": OPENID, "session_key": SESSION_KEY, "unionid": "ocMvos6NjeKLIBqg5Mr9QjxrP1FA"})
}

fn query(req: &Request) -> Vec<(String, String)> {
    req.url.query_pairs().into_owned().collect()
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

// ---------------------------------------------------------------- code2session: the wire

#[test]
fn code2session_sends_exactly_the_four_parameters_url_encoded() {
    let stub = Stub::start();
    stub.json("GET", "/sns/jscode2session", session_answer());
    let out = run(
        &mut stub.wx_app(),
        &["code2session", "--code", "0a1+b/c= d&e"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let reqs = stub.requests();
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(req.method.as_str(), "GET");
    assert_eq!(req.url.path(), "/sns/jscode2session");
    assert_eq!(
        query(req),
        vec![
            ("appid".to_string(), APPID.to_string()),
            ("secret".to_string(), SECRET.to_string()),
            ("js_code".to_string(), "0a1+b/c= d&e".to_string()),
            ("grant_type".to_string(), "authorization_code".to_string()),
        ]
    );
    let raw_query = req.url.query().unwrap();
    assert!(
        raw_query.contains("js_code=0a1%2Bb%2Fc%3D+d%26e"),
        "{raw_query}"
    );
    assert!(!raw_query.contains("access_token"));
    let agent = req.headers.get("user-agent").unwrap().to_str().unwrap();
    assert_eq!(agent, format!("wxlogin/{}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn code2session_shows_openid_unionid_masked_key_and_next_steps() {
    let stub = Stub::start();
    stub.json("GET", "/sns/jscode2session", session_answer());
    let out = run(&mut stub.wx_app(), &["code2session", "--code", "c1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(OPENID));
    assert!(out.stdout.contains("ocMvos6NjeKLIBqg5Mr9QjxrP1FA"));
    assert!(out.stdout.contains("tiih…hQ=="), "{}", out.stdout);
    assert!(!out.all().contains(SESSION_KEY), "{}", out.all());
    // The next lines name the saved session, never a masked key that could not be pasted.
    assert!(
        out.stderr
            .contains(&format!("wxlogin decrypt --session {OPENID} ")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("wxlogin verify-signature"));
    assert!(out.stderr.contains("saved to"));

    let out = run(
        &mut stub.wx_app(),
        &["code2session", "--code", "c2", "--reveal", "--no-save"],
    );
    assert!(out.stdout.contains(SESSION_KEY));
    assert!(
        out.stderr
            .contains(&format!("--session-key {SESSION_KEY} "))
    );
    assert!(!out.all().contains(SECRET));
}

#[test]
fn code2session_json_masks_the_session_key_unless_revealed() {
    let stub = Stub::start();
    stub.json(
        "GET",
        "/sns/jscode2session",
        json!({"openid": OPENID, "session_key": SESSION_KEY}),
    );
    let out = run(
        &mut stub.wx_app(),
        &["--json", "code2session", "--code", "c"],
    );
    assert_eq!(out.code, 0);
    let mut doc = out.json();
    let saved = doc["saved"].take();
    assert!(
        saved.as_str().unwrap().ends_with("wxlogin/sessions.json"),
        "{saved}"
    );
    assert_eq!(
        doc,
        json!({"ok": true, "openid": OPENID, "session_key": "tiih…hQ==", "unionid": null, "session_key_masked": true, "saved": null})
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let out = run(
        &mut stub.wx_app(),
        &["--json", "--reveal", "code2session", "--code", "c"],
    );
    assert_eq!(out.json()["session_key"], SESSION_KEY);
    assert_eq!(out.json()["session_key_masked"], false);
}

#[test]
fn success_is_read_leniently() {
    let stub = Stub::start();
    for answer in [
        json!({"errcode": 0, "errmsg": "ok", "openid": OPENID, "session_key": SESSION_KEY}),
        json!({"errcode": "0", "openid": OPENID, "session_key": SESSION_KEY}),
        json!({"openid": OPENID, "session_key": SESSION_KEY, "expires_in": 7200}),
    ] {
        stub.reset();
        stub.json("GET", "/sns/jscode2session", answer.clone());
        let out = run(
            &mut stub.wx_app(),
            &["--json", "code2session", "--code", "c"],
        );
        assert_eq!(out.code, 0, "{answer}: {}", out.stdout);
        assert_eq!(out.json()["openid"], OPENID);
    }
}

#[test]
fn a_base_url_with_a_path_prefix_is_kept() {
    let stub = Stub::start();
    stub.json("GET", "/gateway/sns/jscode2session", session_answer());
    let base = format!("{}/gateway/", stub.uri());
    let out = run(
        &mut stub.wx_app(),
        &["code2session", "--code", "c", "--base-url", &base],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}

// ---------------------------------------------------------------- errcodes

#[test]
fn every_design_errcode_exits_4_with_the_api_error_document() {
    let stub = Stub::start();
    let codes = [
        40029, 40163, 45011, 40226, 40013, 40125, 41002, 41004, 41008, 40001, 40014, 42001, 48001,
        40164, 40243, 61024, 47001, 87007, 87008, 87009,
    ];
    for code in codes {
        stub.reset();
        let errmsg = format!("some message, rid: 6583f22d-35b1b023-{code}");
        stub.json(
            "GET",
            "/sns/jscode2session",
            json!({"errcode": code, "errmsg": errmsg}),
        );
        let out = run(
            &mut stub.wx_app(),
            &["--json", "code2session", "--code", "c"],
        );
        assert_eq!(out.code, 4, "{code}");
        let doc = out.json();
        assert_eq!(doc["ok"], false);
        let err = &doc["error"];
        assert_eq!(err["kind"], "api", "{code}");
        assert_eq!(err["errcode"], code);
        assert_eq!(err["errmsg"], errmsg, "the rid stays visible");
        let meaning = err["meaning"].as_str().unwrap();
        assert!(
            !meaning.is_empty() && !meaning.contains("errcode table"),
            "{code}: {meaning}"
        );
        assert!(!err["hint"].as_str().unwrap().is_empty());
        assert!(err["message"].as_str().unwrap().contains(&code.to_string()));
        assert_eq!(stub.requests().len(), 1, "{code} is not retried");
    }
}

#[test]
fn errcode_human_line_names_code_meaning_rid_and_fix() {
    let stub = Stub::start();
    stub.json(
        "GET",
        "/sns/jscode2session",
        json!({"errcode": 40029, "errmsg": "invalid code, rid: 6583f22d-35b1b023-4a6d02b6"}),
    );
    let out = run(&mut stub.wx_app(), &["code2session", "--code", "c"]);
    assert_eq!(out.code, 4);
    assert!(out.stdout.is_empty());
    let line = out.stderr.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.contains("errcode 40029"), "{line}");
    assert!(line.contains("6583f22d-35b1b023-4a6d02b6"), "{line}");
    assert!(line.contains("wx.login"), "{line}");

    let out = run(
        &mut stub.wx_app(),
        &["--lang", "zh", "--json", "code2session", "--code", "c"],
    );
    assert_eq!(out.json()["error"]["meaning"], "code 无效");
}

#[test]
fn errcode_given_as_a_string_is_read_as_its_number() {
    let stub = Stub::start();
    stub.json(
        "GET",
        "/sns/jscode2session",
        json!({"errcode": "40029", "errmsg": "invalid code"}),
    );
    let out = run(
        &mut stub.wx_app(),
        &["--json", "code2session", "--code", "c"],
    );
    assert_eq!(out.code, 4);
    assert_eq!(out.json()["error"]["errcode"], 40029);
    assert_eq!(out.json()["error"]["meaning"], "invalid code");
}

#[test]
fn an_unknown_errcode_is_shown_as_it_came() {
    let stub = Stub::start();
    stub.json(
        "GET",
        "/sns/jscode2session",
        json!({"errcode": 99999, "errmsg": "brand new failure"}),
    );
    let out = run(
        &mut stub.wx_app(),
        &["--json", "code2session", "--code", "c"],
    );
    assert_eq!(out.code, 4);
    let err = &out.json()["error"];
    assert_eq!(err["errcode"], 99999);
    assert_eq!(err["errmsg"], "brand new failure");
    assert!(err["meaning"].as_str().unwrap().contains("errcode table"));
}

// ---------------------------------------------------------------- retries and transport

#[test]
fn system_busy_is_retried_then_reported() {
    // token is idempotent: retried up to --retries times.
    let stub = Stub::start();
    stub.json(
        "GET",
        "/cgi-bin/token",
        json!({"errcode": -1, "errmsg": "system error"}),
    );
    let out = run(&mut stub.wx_app(), &["--json", "token"]);
    assert_eq!(out.code, 4);
    assert_eq!(out.json()["error"]["errcode"], -1);
    assert!(
        out.json()["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("gave up after 3 attempts")
    );
    assert_eq!(stub.requests().len(), 3, "default --retries 2");

    stub.reset();
    stub.json("GET", "/cgi-bin/token", json!({"errcode": -1}));
    let out = run(&mut stub.wx_app(), &["token", "--retries", "0"]);
    assert_eq!(out.code, 4);
    assert_eq!(stub.requests().len(), 1);
}

#[test]
fn system_busy_then_success_succeeds() {
    let stub = Stub::start();
    stub.busy_first("/cgi-bin/token", 2);
    stub.json(
        "GET",
        "/cgi-bin/token",
        json!({"access_token": TOKEN, "expires_in": 7200}),
    );
    let out = run(&mut stub.wx_app(), &["token"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(stub.requests().len(), 3);
    assert_eq!(out.stderr.matches("retrying").count(), 2, "{}", out.stderr);
}

/// Issue 11: jscode2session retries a -1 exactly once (WeChat says "retry later"), whatever
/// --retries says, since the busy answer may already have spent the code.
#[test]
fn jscode2session_retries_system_busy_exactly_once() {
    let stub = Stub::start();
    stub.json(
        "GET",
        "/sns/jscode2session",
        json!({"errcode": -1, "errmsg": "system error"}),
    );
    let out = run(
        &mut stub.wx_app(),
        &["--json", "code2session", "--code", "c", "--retries", "5"],
    );
    assert_eq!(out.code, 4);
    assert_eq!(out.json()["error"]["errcode"], -1);
    assert_eq!(stub.requests().len(), 2, "one retry, not five");

    stub.reset();
    stub.busy_first("/sns/jscode2session", 1);
    stub.json("GET", "/sns/jscode2session", session_answer());
    let out = run(&mut stub.wx_app(), &["code2session", "--code", "c"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(stub.requests().len(), 2);
}

/// Issue 11: when the retry of a busy jscode2session answers 40163, the code was spent by the
/// busy attempt, and the error says so.
#[test]
fn a_40163_after_a_busy_jscode2session_says_the_busy_answer_consumed_the_code() {
    let stub = Stub::start();
    stub.busy_first("/sns/jscode2session", 1);
    stub.json(
        "GET",
        "/sns/jscode2session",
        json!({"errcode": 40163, "errmsg": "code been used, rid: 1-2-3"}),
    );
    let out = run(
        &mut stub.wx_app(),
        &["--json", "code2session", "--code", "c"],
    );
    assert_eq!(out.code, 4);
    let err = &out.json()["error"];
    assert_eq!(err["errcode"], 40163);
    assert!(
        err["hint"]
            .as_str()
            .unwrap()
            .contains("the busy answer had already consumed the code"),
        "{err}"
    );
    assert_eq!(stub.requests().len(), 2);
    // Without a busy answer first, a 40163 carries no such note.
    stub.reset();
    stub.json("GET", "/sns/jscode2session", json!({"errcode": 40163}));
    let out = run(
        &mut stub.wx_app(),
        &["--json", "code2session", "--code", "c"],
    );
    assert!(
        !out.json()["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("consumed")
    );
}

/// Issue 11: resetusersessionkey rotates the key and the phone code is single-use: neither is
/// ever resent once WeChat answered, not even on -1 or a 5xx.
#[test]
fn calls_that_spend_something_are_never_resent_after_an_answer() {
    use wxlogin::core::Secret;
    use wxlogin::core::api::{Client, ClientConfig};
    let stub = Stub::start();
    stub.json("GET", "/wxa/resetusersessionkey", json!({"errcode": -1}));
    stub.json(
        "POST",
        "/wxa/business/getuserphonenumber",
        json!({"errcode": -1}),
    );
    let client = Client::new(ClientConfig {
        base_url: stub.uri(),
        retries: 3,
        ..ClientConfig::default()
    })
    .unwrap();
    let token = Secret::new(TOKEN);
    let err = stub
        .rt
        .block_on(client.reset_session_key(&token, OPENID, &Secret::new(SESSION_KEY)))
        .unwrap_err();
    assert_eq!(err.exit_code(), 4, "{err}");
    let err = stub
        .rt
        .block_on(client.phone_number(&token, "phonecode"))
        .unwrap_err();
    assert_eq!(err.exit_code(), 4, "{err}");
    assert_eq!(stub.requests().len(), 2, "one request each");

    stub.reset();
    stub.answer(
        "GET",
        "/wxa/resetusersessionkey",
        ResponseTemplate::new(502).set_body_string("bad gateway"),
    );
    let err = stub
        .rt
        .block_on(client.reset_session_key(&token, OPENID, &Secret::new(SESSION_KEY)))
        .unwrap_err();
    assert_eq!(err.exit_code(), 5, "{err}");
    assert_eq!(stub.requests().len(), 1);
}

/// Issue 11: idempotent calls (token, stable_token, checksession) are retried on a 5xx.
#[test]
fn idempotent_calls_are_retried_on_a_server_error() {
    let stub = Stub::start();
    stub.first(
        "/cgi-bin/stable_token",
        1,
        ResponseTemplate::new(503).set_body_string("busy"),
    );
    stub.json(
        "POST",
        "/cgi-bin/stable_token",
        json!({"access_token": TOKEN, "expires_in": 7200}),
    );
    let out = run(&mut stub.wx_app(), &["token", "--stable"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(stub.requests().len(), 2);

    stub.reset();
    stub.answer(
        "GET",
        "/wxa/checksession",
        ResponseTemplate::new(500).set_body_string("oops"),
    );
    let out = run(
        &mut stub.wx_app(),
        &[
            "check-session",
            "--openid",
            OPENID,
            "--session-key",
            SESSION_KEY,
            "--access-token",
            TOKEN,
            "--retries",
            "1",
        ],
    );
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert_eq!(stub.requests().len(), 2);
}

#[test]
fn refused_connections_are_retried_then_exit_5() {
    let config = TempDir::new().unwrap();
    let base = format!("http://127.0.0.1:{}", closed_port());
    let out = run(
        wx_clean(config.path())
            .env("WXLOGIN_APPID", APPID)
            .env("WXLOGIN_SECRET", SECRET),
        &["-v", "code2session", "--code", "c", "--base-url", &base],
    );
    assert_eq!(out.code, 5);
    assert_eq!(out.stderr.matches("→ GET").count(), 3, "{}", out.stderr);
    assert!(out.stderr.contains("connection refused"), "{}", out.stderr);
    assert!(out.stderr.contains("(3 attempts)"));

    let out = run(
        wx_clean(config.path())
            .env("WXLOGIN_APPID", APPID)
            .env("WXLOGIN_SECRET", SECRET),
        &[
            "-v",
            "--json",
            "code2session",
            "--code",
            "c",
            "--base-url",
            &base,
            "--retries",
            "0",
        ],
    );
    assert_eq!(out.code, 5);
    let err = &out.json()["error"];
    assert_eq!(err["kind"], "transport");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("connection refused")
    );
}

#[test]
fn a_read_timeout_is_not_retried_because_the_code_may_be_spent() {
    let stub = Stub::start();
    stub.answer(
        "GET",
        "/sns/jscode2session",
        ResponseTemplate::new(200)
            .set_body_json(session_answer())
            .set_delay(Duration::from_secs(5)),
    );
    let out = run(
        &mut stub.wx_app(),
        &[
            "--json",
            "code2session",
            "--code",
            "c",
            "--timeout",
            "0.5",
            "--retries",
            "3",
        ],
    );
    assert_eq!(out.code, 5);
    let err = &out.json()["error"];
    assert_eq!(err["kind"], "transport");
    assert!(
        err["message"].as_str().unwrap().contains("within 0.5 s"),
        "{err}"
    );
    assert!(err["hint"].as_str().unwrap().contains("40163"), "{err}");
    assert_eq!(
        stub.requests().len(),
        1,
        "no second request for a spent code"
    );
}

#[test]
fn an_html_answer_is_a_transport_failure() {
    let stub = Stub::start();
    stub.answer(
        "GET",
        "/sns/jscode2session",
        ResponseTemplate::new(200).set_body_raw(
            "<!DOCTYPE html><html><body>Welcome to the hotel wifi</body></html>",
            "text/html",
        ),
    );
    let out = run(
        &mut stub.wx_app(),
        &["--json", "code2session", "--code", "c"],
    );
    assert_eq!(out.code, 5);
    let err = &out.json()["error"];
    assert_eq!(err["kind"], "transport");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("not JSON") && message.contains("HTML"),
        "{message}"
    );
    assert!(
        !message.contains("hotel"),
        "the body is described, not echoed"
    );
}

#[test]
fn http_500_is_a_transport_failure_and_not_retried() {
    let stub = Stub::start();
    stub.answer(
        "GET",
        "/sns/jscode2session",
        ResponseTemplate::new(500).set_body_string("oops"),
    );
    let out = run(&mut stub.wx_app(), &["code2session", "--code", "c"]);
    assert_eq!(out.code, 5);
    assert!(out.stderr.contains("HTTP 500"), "{}", out.stderr);
    assert_eq!(stub.requests().len(), 1);
}

#[test]
fn a_redirect_is_not_followed() {
    let stub = Stub::start();
    stub.answer(
        "GET",
        "/sns/jscode2session",
        ResponseTemplate::new(302).insert_header("location", "https://elsewhere.example/steal"),
    );
    let out = run(&mut stub.wx_app(), &["code2session", "--code", "c"]);
    assert_eq!(out.code, 5);
    assert!(out.stderr.contains("not followed"), "{}", out.stderr);
    assert_eq!(stub.requests().len(), 1);
}

#[test]
fn a_failed_tls_handshake_is_named_and_not_retried() {
    let stub = Stub::start();
    let base = stub.uri().replace("http://", "https://");
    let out = run(
        &mut stub.wx_app(),
        &["--json", "code2session", "--code", "c", "--base-url", &base],
    );
    assert_eq!(out.code, 5);
    let err = &out.json()["error"];
    assert!(
        err["message"].as_str().unwrap().contains("TLS handshake"),
        "{err}"
    );
    assert!(!out.all().contains(SECRET));
    let out = run(
        &mut stub.wx_app(),
        &["code2session", "--code", "c", "--base-url", &base],
    );
    assert!(!out.stderr.contains("retrying"), "{}", out.stderr);
}

#[test]
fn plain_http_off_loopback_is_refused_before_any_request() {
    let config = TempDir::new().unwrap();
    let out = run(
        wx_clean(config.path())
            .env("WXLOGIN_APPID", APPID)
            .env("WXLOGIN_SECRET", SECRET),
        &[
            "code2session",
            "--code",
            "c",
            "--base-url",
            "http://api.example.com",
        ],
    );
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("--insecure"), "{}", out.stderr);
}

#[test]
fn a_nonsense_timeout_is_a_usage_error() {
    let stub = Stub::start();
    for t in ["0", "-1", "NaN"] {
        let out = run(
            &mut stub.wx_app(),
            &["code2session", "--code", "c", "--timeout", t],
        );
        assert_eq!(out.code, 2, "--timeout {t}: {}", out.stderr);
    }
    assert!(stub.requests().is_empty());
}

// ---------------------------------------------------------------- the secret never shows

#[test]
fn the_appsecret_never_appears_on_any_failure_path() {
    let stub = Stub::start();
    let echo = format!("invalid appsecret {SECRET} (secret={SECRET}), rid: 1-2-3");
    let scenarios: Vec<(&str, ResponseTemplate)> = vec![
        (
            "errcode echoing the secret",
            ResponseTemplate::new(200).set_body_json(json!({"errcode": 40125, "errmsg": echo})),
        ),
        (
            "busy",
            ResponseTemplate::new(200).set_body_json(json!({"errcode": -1, "errmsg": echo})),
        ),
        (
            "html echoing the secret",
            ResponseTemplate::new(200).set_body_raw(format!("<html>{echo}</html>"), "text/html"),
        ),
        (
            "text echoing the secret",
            ResponseTemplate::new(200).set_body_string(echo.clone()),
        ),
        (
            "500",
            ResponseTemplate::new(500).set_body_string(echo.clone()),
        ),
        (
            "404",
            ResponseTemplate::new(404).set_body_string(echo.clone()),
        ),
        (
            "redirect",
            ResponseTemplate::new(307)
                .insert_header("location", format!("http://127.0.0.1:1/x?secret={SECRET}")),
        ),
        (
            "timeout",
            ResponseTemplate::new(200)
                .set_body_json(session_answer())
                .set_delay(Duration::from_secs(5)),
        ),
    ];
    let modes: [&[&str]; 4] = [&[], &["-v"], &["-vv", "--json"], &["--lang", "zh", "-v"]];
    for (name, template) in scenarios {
        stub.reset();
        stub.answer("GET", "/sns/jscode2session", template.clone());
        stub.answer("GET", "/cgi-bin/token", template.clone());
        stub.answer("POST", "/cgi-bin/stable_token", template);
        for mode in modes {
            for command in [
                &["code2session", "--code", "c"][..],
                &["token"][..],
                &["token", "--stable"][..],
                &[
                    "check-session",
                    "--openid",
                    OPENID,
                    "--session-key",
                    SESSION_KEY,
                ][..],
            ] {
                let mut args: Vec<&str> = mode.to_vec();
                args.extend_from_slice(command);
                args.extend_from_slice(&["--timeout", "0.5", "--retries", "1"]);
                let out = run(&mut stub.wx_app(), &args);
                assert!(
                    out.code == 4 || out.code == 5,
                    "{name} {args:?}: {}",
                    out.code
                );
                assert!(
                    !out.all().contains(SECRET),
                    "{name} {args:?} leaked:\n{}",
                    out.all()
                );
                assert!(
                    !out.all().contains("c0ffee"),
                    "{name} {args:?} leaked a part:\n{}",
                    out.all()
                );
            }
        }
    }
    // Refused, with the secret passed as a plain flag (which warns, but must not echo it).
    let base = format!("http://127.0.0.1:{}", closed_port());
    for mode in modes {
        let mut args: Vec<&str> = mode.to_vec();
        args.extend_from_slice(&[
            "code2session",
            "--code",
            "c",
            "--appid",
            APPID,
            "--secret",
            SECRET,
            "--base-url",
            &base,
            "--retries",
            "1",
        ]);
        let out = run(&mut wx_clean(stub.config.path()), &args);
        assert_eq!(out.code, 5);
        assert!(
            !out.all().contains(SECRET),
            "refused {args:?} leaked:\n{}",
            out.all()
        );
    }
}

// ---------------------------------------------------------------- credentials

#[test]
fn no_terminal_and_no_secret_fails_at_once() {
    let stub = Stub::start();
    stub.json("GET", "/sns/jscode2session", session_answer());
    let out = run(
        &mut stub.wx(),
        &["--json", "code2session", "--code", "c", "--appid", APPID],
    );
    assert_eq!(out.code, 3);
    let err = &out.json()["error"];
    assert_eq!(err["kind"], "input");
    assert!(err["message"].as_str().unwrap().contains("not a terminal"));
    assert!(err["hint"].as_str().unwrap().contains("--secret-file"));
    assert!(stub.requests().is_empty());

    let out = run(
        stub.wx().env("WXLOGIN_SECRET", SECRET),
        &["code2session", "--code", "c"],
    );
    assert_eq!(out.code, 3, "no appid either");
    assert!(out.stderr.contains("appid"), "{}", out.stderr);
}

#[test]
fn a_plain_secret_flag_works_but_warns() {
    let stub = Stub::start();
    stub.json("GET", "/sns/jscode2session", session_answer());
    let out = run(
        &mut stub.wx(),
        &[
            "code2session",
            "--code",
            "c",
            "--appid",
            APPID,
            "--secret",
            SECRET,
        ],
    );
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("shell history"), "{}", out.stderr);
    let out = run(
        &mut stub.wx(),
        &[
            "--json",
            "code2session",
            "--code",
            "c",
            "--appid",
            APPID,
            "--secret",
            SECRET,
        ],
    );
    let warnings = out.json()["warnings"].to_string();
    assert!(warnings.contains("shell history"), "{warnings}");
    let out = run(
        &mut stub.wx(),
        &[
            "-q",
            "code2session",
            "--code",
            "c",
            "--appid",
            APPID,
            "--secret",
            SECRET,
        ],
    );
    assert!(out.stderr.is_empty(), "-q silences it: {}", out.stderr);
}

#[test]
fn secret_file_and_secret_stdin_are_read_and_trimmed() {
    let stub = Stub::start();
    stub.json("GET", "/sns/jscode2session", session_answer());
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, format!("{SECRET}\r\n")).unwrap();
    set_mode(&file, 0o600);
    let out = run(
        &mut stub.wx(),
        &[
            "code2session",
            "--code",
            "c",
            "--appid",
            APPID,
            "--secret-file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    let out = run(
        stub.wx().write_stdin(format!("{SECRET}\n")),
        &[
            "code2session",
            "--code",
            "c",
            "--appid",
            APPID,
            "--secret-stdin",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let secrets: Vec<String> = stub
        .requests()
        .iter()
        .map(|r| query(r).into_iter().find(|(k, _)| k == "secret").unwrap().1)
        .collect();
    assert_eq!(secrets, vec![SECRET.to_string(), SECRET.to_string()]);

    let out = run(
        &mut stub.wx(),
        &[
            "code2session",
            "--code",
            "c",
            "--appid",
            APPID,
            "--secret-file",
            "/nonexistent/s",
        ],
    );
    assert_eq!(out.code, 3);
    let out = run(
        &mut stub.wx(),
        &[
            "code2session",
            "--code",
            "c",
            "--appid",
            APPID,
            "--secret-stdin",
        ],
    );
    assert_eq!(out.code, 3, "empty stdin is an empty secret");
}

#[cfg(unix)]
#[test]
fn a_readable_secret_file_warns() {
    let stub = Stub::start();
    stub.json("GET", "/sns/jscode2session", session_answer());
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, SECRET).unwrap();
    set_mode(&file, 0o644);
    let out = run(
        &mut stub.wx(),
        &[
            "code2session",
            "--code",
            "c",
            "--appid",
            APPID,
            "--secret-file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("chmod 600"), "{}", out.stderr);
}

#[test]
fn config_profiles_supply_appid_secret_and_base_url() {
    let stub = Stub::start();
    stub.json("GET", "/sns/jscode2session", session_answer());
    stub.write_config(
        &format!(
            "[profile.default]\nappid = \"wxdefault\"\nsecret = \"defaultsecret\"\nbase_url = \"{}\"\n\n\
             [profile.dev]\nappid = \"{APPID}\"\nsecret = \"{SECRET}\"\nbase_url = \"{}\"\n",
            stub.uri(),
            stub.uri()
        ),
        0o600,
    );
    let mut wx = wx_clean(stub.config.path());
    let out = run(&mut wx, &["code2session", "--code", "c"]);
    assert_eq!(out.code, 0, "the default profile: {}", out.stderr);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    let out = run(
        &mut wx_clean(stub.config.path()),
        &["--profile", "dev", "-v", "code2session", "--code", "c"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("profile dev"), "{}", out.stderr);
    let out = run(
        wx_clean(stub.config.path()).env("WXLOGIN_PROFILE", "dev"),
        &["code2session", "--code", "c"],
    );
    assert_eq!(out.code, 0);
    // The environment comes before the profile.
    let out = run(
        wx_clean(stub.config.path()).env("WXLOGIN_SECRET", "fromenv"),
        &["--profile", "dev", "code2session", "--code", "c"],
    );
    assert_eq!(out.code, 0);
    let got: Vec<(String, String)> = stub
        .requests()
        .iter()
        .map(|r| {
            let q = query(r);
            let get = |k: &str| q.iter().find(|(n, _)| n == k).unwrap().1.clone();
            (get("appid"), get("secret"))
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("wxdefault".into(), "defaultsecret".into()),
            (APPID.into(), SECRET.into()),
            (APPID.into(), SECRET.into()),
            (APPID.into(), "fromenv".into()),
        ]
    );
    assert!(!out.all().contains(SECRET));

    let out = run(
        &mut wx_clean(stub.config.path()),
        &["--profile", "prod", "code2session", "--code", "c"],
    );
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("default, dev"), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn a_config_file_readable_by_others_warns() {
    let stub = Stub::start();
    stub.json("GET", "/sns/jscode2session", session_answer());
    stub.write_config(
        &format!(
            "[profile.default]\nappid = \"{APPID}\"\nsecret = \"{SECRET}\"\nbase_url = \"{}\"\n",
            stub.uri()
        ),
        0o644,
    );
    let out = run(
        &mut wx_clean(stub.config.path()),
        &["code2session", "--code", "c"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("readable by group/others"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("chmod 600"));
}

#[test]
fn a_broken_config_names_the_line_without_quoting_it() {
    let stub = Stub::start();
    stub.write_config(
        &format!("[profile.default]\nappid = \"{APPID}\"\nsecret = {SECRET}\n"),
        0o600,
    );
    let out = run(
        &mut wx_clean(stub.config.path()),
        &["code2session", "--code", "c"],
    );
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("line 3"), "{}", out.stderr);
    assert!(!out.all().contains(SECRET), "{}", out.all());
}

// ---------------------------------------------------------------- token

#[test]
fn token_uses_cgi_bin_token_and_warns_that_it_replaces_the_token() {
    let stub = Stub::start();
    stub.json(
        "GET",
        "/cgi-bin/token",
        json!({"access_token": TOKEN, "expires_in": 7200}),
    );
    let out = run(&mut stub.wx_app(), &["token"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("ACCE…mnop"), "{}", out.stdout);
    assert!(out.stdout.contains("7200 s (2 h)"));
    assert!(!out.all().contains(TOKEN));
    assert!(out.stderr.contains("--stable"), "{}", out.stderr);
    let req = &stub.requests()[0];
    assert_eq!(
        query(req),
        vec![
            ("grant_type".to_string(), "client_credential".to_string()),
            ("appid".to_string(), APPID.to_string()),
            ("secret".to_string(), SECRET.to_string()),
        ]
    );
    let out = run(&mut stub.wx_app(), &["--json", "--reveal", "token"]);
    let doc = out.json();
    assert_eq!(doc["access_token"], TOKEN);
    assert_eq!(doc["expires_in"], 7200);
    assert_eq!(doc["stable"], false);
}

#[test]
fn token_stable_posts_json_with_force_refresh() {
    let stub = Stub::start();
    stub.json(
        "POST",
        "/cgi-bin/stable_token",
        json!({"access_token": TOKEN, "expires_in": 7200}),
    );
    let out = run(&mut stub.wx_app(), &["--json", "token", "--stable"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(out.json()["access_token"], "ACCE…mnop");
    assert!(out.json().get("warnings").is_none(), "{}", out.stdout);
    let out = run(
        &mut stub.wx_app(),
        &["token", "--stable", "--force-refresh"],
    );
    assert_eq!(out.code, 0);
    let bodies: Vec<Value> = stub
        .requests()
        .iter()
        .map(|r| r.body_json().unwrap())
        .collect();
    let expected = |force: bool| json!({"grant_type": "client_credential", "appid": APPID, "secret": SECRET, "force_refresh": force});
    assert_eq!(bodies, vec![expected(false), expected(true)]);
    assert!(stub.requests()[0].url.query().is_none());
}

// ---------------------------------------------------------------- check-session

const TIIH_SIGNATURE: &str = "7154f9f8b4b76b92f541cbf0e37d48840fa06e5e42da92a6f80168a1516a4735";

#[test]
fn check_session_answers_still_current() {
    let stub = Stub::start();
    stub.json(
        "POST",
        "/cgi-bin/stable_token",
        json!({"access_token": TOKEN, "expires_in": 7200}),
    );
    stub.json(
        "GET",
        "/wxa/checksession",
        json!({"errcode": 0, "errmsg": "ok"}),
    );
    let out = run(
        &mut stub.wx_app(),
        &[
            "check-session",
            "--openid",
            OPENID,
            "--session-key",
            SESSION_KEY,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("still current"), "{}", out.stdout);
    assert!(!out.all().contains(SESSION_KEY));
    let reqs = stub.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[0].body_json::<Value>().unwrap()["force_refresh"],
        false
    );
    assert_eq!(
        query(&reqs[1]),
        vec![
            ("access_token".to_string(), TOKEN.to_string()),
            ("openid".to_string(), OPENID.to_string()),
            ("signature".to_string(), TIIH_SIGNATURE.to_string()),
            ("sig_method".to_string(), "hmac_sha256".to_string()),
        ]
    );
}

#[test]
fn check_session_repairs_a_mangled_key_before_signing() {
    let stub = Stub::start();
    stub.json(
        "GET",
        "/wxa/checksession",
        json!({"errcode": 0, "errmsg": "ok"}),
    );
    let out = run(
        &mut stub.wx(),
        &[
            "--json",
            "check-session",
            "--openid",
            OPENID,
            "--session-key",
            "tiihtNczf5v6AKRyjwEUhQ",
            "--access-token",
            TOKEN,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(out.json()["current"], true);
    assert!(out.json()["warnings"].to_string().contains("padding"));
    let reqs = stub.requests();
    assert_eq!(reqs.len(), 1, "--access-token skips the token fetch");
    assert!(query(&reqs[0]).contains(&("signature".to_string(), TIIH_SIGNATURE.to_string())));
}

#[test]
fn check_session_says_stale_on_87009() {
    let stub = Stub::start();
    stub.json(
        "GET",
        "/wxa/checksession",
        json!({"errcode": 87009, "errmsg": "invalid signature rid: 1-2-3"}),
    );
    let args = [
        "check-session",
        "--openid",
        OPENID,
        "--session-key",
        SESSION_KEY,
        "--access-token",
        TOKEN,
    ];
    let out = run(&mut stub.wx(), &args);
    assert_eq!(out.code, 4);
    assert!(out.stdout.contains("stale: 87009"), "{}", out.stdout);
    assert!(out.stderr.contains("wx.login"), "{}", out.stderr);
    let mut json_args = vec!["--json"];
    json_args.extend_from_slice(&args);
    let out = run(&mut stub.wx(), &json_args);
    assert_eq!(out.code, 4);
    let doc = out.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["current"], false);
    assert_eq!(doc["error"]["errcode"], 87009);
    assert!(doc["error"]["hint"].as_str().unwrap().contains("wx.login"));
    assert!(!out.all().contains(TOKEN) && !out.all().contains(SESSION_KEY));
}

#[test]
fn check_session_refuses_a_key_that_is_not_one() {
    let stub = Stub::start();
    let out = run(
        &mut stub.wx(),
        &[
            "check-session",
            "--openid",
            OPENID,
            "--session-key",
            "not-a-key!",
            "--access-token",
            TOKEN,
        ],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(stub.requests().is_empty());
}

// ---------------------------------------------------------------- phone

#[test]
fn phone_posts_the_code_and_prints_phone_info() {
    let stub = Stub::start();
    let info = json!({
        "phoneNumber": "13800138000", "purePhoneNumber": "13800138000", "countryCode": 86,
        "watermark": {"timestamp": 1700000000, "appid": APPID}
    });
    stub.json(
        "POST",
        "/cgi-bin/stable_token",
        json!({"access_token": TOKEN, "expires_in": 7200}),
    );
    stub.json(
        "POST",
        "/wxa/business/getuserphonenumber",
        json!({"errcode": 0, "errmsg": "ok", "phone_info": info}),
    );
    let out = run(&mut stub.wx_app(), &["phone", "--code", "phonecode1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("13800138000"));
    assert!(out.stdout.contains(APPID));
    let reqs = stub.requests();
    let call = &reqs[1];
    assert_eq!(
        query(call),
        vec![("access_token".to_string(), TOKEN.to_string())]
    );
    assert_eq!(
        call.body_json::<Value>().unwrap(),
        json!({"code": "phonecode1"})
    );

    let out = run(
        &mut stub.wx(),
        &["--json", "phone", "--code", "c", "--access-token", TOKEN],
    );
    assert_eq!(out.json(), json!({"ok": true, "phone_info": info}));
}

#[test]
fn phone_errcode_exits_4() {
    let stub = Stub::start();
    stub.json(
        "POST",
        "/wxa/business/getuserphonenumber",
        json!({"errcode": 40029, "errmsg": "invalid code"}),
    );
    let out = run(
        &mut stub.wx(),
        &["--json", "phone", "--code", "c", "--access-token", TOKEN],
    );
    assert_eq!(out.code, 4);
    assert_eq!(out.json()["error"]["errcode"], 40029);
}

// ---------------------------------------------------------------- explain

#[test]
fn explain_prints_meaning_and_fix_in_both_languages() {
    let config = TempDir::new().unwrap();
    let out = run(
        &mut wx_clean(config.path()),
        &["--json", "explain", "40163"],
    );
    assert_eq!(out.code, 0);
    let doc = out.json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["errcode"], 40163);
    assert_eq!(doc["known"], true);
    assert_eq!(doc["meaning"], "code been used");
    assert!(doc["hint"].as_str().unwrap().contains("once"));
    let out = run(
        wx_clean(config.path()).env("LANG", "zh_CN.UTF-8"),
        &["explain", "-41003"],
    );
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("解密失败"), "{}", out.stdout);
    let out = run(&mut wx_clean(config.path()), &["explain", "-1"]);
    assert!(out.stdout.contains("system busy"));
}

#[test]
fn explain_shows_unknown_codes_honestly() {
    let config = TempDir::new().unwrap();
    let out = run(
        &mut wx_clean(config.path()),
        &["--json", "explain", "31337"],
    );
    assert_eq!(out.code, 0);
    assert_eq!(out.json()["known"], false);
    let out = run(
        &mut wx_clean(config.path()),
        &[
            "explain",
            r#"{"errcode":"40029","errmsg":"invalid code, rid: 6583f22d-35b1b023-4a6d02b6"}"#,
        ],
    );
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("rid: 6583f22d-35b1b023-4a6d02b6"),
        "{}",
        out.stdout
    );
    let out = run(
        &mut wx_clean(config.path()),
        &["--json", "explain", "forty"],
    );
    assert_eq!(out.code, 3);
    assert_eq!(out.json()["error"]["kind"], "input");
}

// ---------------------------------------------------------------- the library client

#[test]
fn library_client_resets_the_session_key() {
    use wxlogin::core::Secret;
    use wxlogin::core::api::{Client, ClientConfig};
    let stub = Stub::start();
    stub.json(
        "GET",
        "/wxa/resetusersessionkey",
        json!({"errcode": 0, "errmsg": "ok", "openid": OPENID, "session_key": "bmV3a2V5bmV3a2V5bmV3aw=="}),
    );
    let client = Client::new(ClientConfig {
        base_url: stub.uri(),
        ..ClientConfig::default()
    })
    .unwrap();
    let session = stub
        .rt
        .block_on(client.reset_session_key(&Secret::new(TOKEN), OPENID, &Secret::new(SESSION_KEY)))
        .unwrap();
    assert_eq!(session.session_key.expose(), "bmV3a2V5bmV3a2V5bmV3aw==");
    let q = query(&stub.requests()[0]);
    assert!(q.contains(&("signature".to_string(), TIIH_SIGNATURE.to_string())));
    assert!(q.contains(&("sig_method".to_string(), "hmac_sha256".to_string())));
}

#[test]
fn library_client_reports_87009_as_an_api_error() {
    use wxlogin::core::api::{Client, ClientConfig};
    use wxlogin::core::{Error, Secret};
    let stub = Stub::start();
    stub.json(
        "GET",
        "/wxa/checksession",
        json!({"errcode": 87009, "errmsg": "invalid signature"}),
    );
    let client = Client::new(ClientConfig {
        base_url: stub.uri(),
        retries: 0,
        ..ClientConfig::default()
    })
    .unwrap();
    let err = stub
        .rt
        .block_on(client.check_session(&Secret::new(TOKEN), OPENID, &Secret::new(SESSION_KEY)))
        .unwrap_err();
    assert!(matches!(err, Error::Api { errcode: 87009, .. }), "{err:?}");
    assert_eq!(err.exit_code(), 4);
}

//! The sessions store against an independent stub (wiremock): code2session keeps the key,
//! `--session` uses it without showing it, `sessions` lists and forgets, masked values refused.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::runtime::Runtime;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod common;

const APPID: &str = "wx4f4bc4dec97d474b";
const SECRET: &str = "c0ffeeS3cretAppSecretValue4f9e21";
const SESSION_KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const OPENID: &str = "oGZUI0egBJY1zhBYw2KhdUfwVJJE";

struct Env {
    rt: Runtime,
    server: MockServer,
    state: TempDir,
}

impl Env {
    fn start() -> Env {
        let rt = Runtime::new().unwrap();
        let server = rt.block_on(MockServer::start());
        rt.block_on(
            Mock::given(method("GET"))
                .and(path("/sns/jscode2session"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "openid": OPENID, "session_key": SESSION_KEY,
                    "unionid": "ocMvos6NjeKLIBqg5Mr9QjxrP1FA"
                })))
                .mount(&server),
        );
        Env {
            rt,
            server,
            state: TempDir::new().unwrap(),
        }
    }

    fn wx(&self) -> Command {
        let mut cmd = common::wx();
        cmd.env("XDG_STATE_HOME", self.state.path())
            .env("WXLOGIN_BASE_URL", self.server.uri())
            .env("WXLOGIN_APPID", APPID)
            .env("WXLOGIN_SECRET", SECRET)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .write_stdin("");
        cmd
    }

    fn store(&self) -> std::path::PathBuf {
        self.state.path().join("wxlogin/sessions.json")
    }

    fn exchange(&self) -> common::Run {
        common::run(
            self.wx()
                .args(["code2session", "--code", "081kQ3ll2rYlTa4d3Tll2nY3Sx1kQ3lJ"]),
        )
    }
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn code2session_saves_the_session_privately_and_says_where() {
    let env = Env::start();
    let run = env.exchange();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let store = env.store();
    assert!(
        run.stderr.contains(&store.display().to_string()),
        "{}",
        run.stderr
    );
    // The next lines use the stored session, never a (masked) key.
    assert!(
        run.stderr
            .contains(&format!("wxlogin decrypt --session {OPENID}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("check-session --session {OPENID}")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("--session-key"), "{}", run.stderr);
    assert!(!run.stdout.contains(SESSION_KEY) && !run.stderr.contains(SESSION_KEY));
    assert_eq!(mode(&store), 0o600);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&store).unwrap()).unwrap();
    let entry = &saved[0];
    for field in [
        "appid",
        "openid",
        "unionid",
        "session_key",
        "platform",
        "base_url",
        "time",
    ] {
        assert!(entry.get(field).is_some(), "{field} missing: {entry}");
    }
    assert_eq!(entry["session_key"], SESSION_KEY);
    assert_eq!(entry["appid"], APPID);
    // A second exchange of the same user replaces the entry rather than piling up.
    assert_eq!(env.exchange().code, 0);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&store).unwrap()).unwrap();
    assert_eq!(saved.as_array().unwrap().len(), 1);
}

#[test]
fn no_save_keeps_nothing() {
    let env = Env::start();
    let run = common::run(env.wx().args(["code2session", "--code", "c1", "--no-save"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!env.store().exists());
    assert!(run.stderr.contains("not saved"), "{}", run.stderr);
}

#[test]
fn session_flag_decrypts_and_verifies_without_showing_the_key() {
    let env = Env::start();
    assert_eq!(env.exchange().code, 0);
    for which in [OPENID, "last"] {
        let run = common::run(env.wx().args([
            "decrypt",
            "--session",
            which,
            "--iv",
            "r7BXXKkLb8qrSNn05n0qiA==",
            "--encrypted-data",
            "@examples/captures/encrypted.txt",
        ]));
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("oGZUI0egBJY1zhBYw2KhdUfwVJJE"));
        // The stored session's appid is the watermark to expect.
        assert!(run.stderr.contains("matches --appid"), "{}", run.stderr);
        assert!(!run.stderr.contains(SESSION_KEY));
    }
    // The signature vector was made with another key: a mismatch, with the stored key.
    let run = common::run(env.wx().args([
        "verify-signature",
        "--session",
        "last",
        "--raw-data",
        "@examples/captures/rawData.json",
        "--signature",
        "75e81ceda165f4ffa64f4068af58c64b8f54b88c",
    ]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Batch: lines without a key take the stored one.
    let run = common::run(env.wx().args([
        "decrypt",
        "--batch",
        "examples/captures/nokey.jsonl",
        "--session",
        OPENID,
    ]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.matches("\"ok\":true").count(),
        2,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\"watermark\":\"match\""),
        "{}",
        run.stdout
    );
}

#[test]
fn check_session_with_a_stored_session_sends_the_stored_key() {
    let env = Env::start();
    assert_eq!(env.exchange().code, 0);
    env.rt.block_on(
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"access_token": "TOKEN_abcdefghijklmnop", "expires_in": 7200}),
            ))
            .mount(&env.server),
    );
    env.rt.block_on(
        Mock::given(method("GET"))
            .and(path("/wxa/checksession"))
            .and(query_param("openid", OPENID))
            // hmac_sha256(session_key, "") of the stored key, from the published vectors.
            .and(query_param(
                "signature",
                "7154f9f8b4b76b92f541cbf0e37d48840fa06e5e42da92a6f80168a1516a4735",
            ))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"errcode": 0, "errmsg": "ok"})),
            )
            .mount(&env.server),
    );
    let run = common::run(env.wx().args(["check-session", "--session", "last"]));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("still current"), "{}", run.stdout);
    assert!(!run.stdout.contains(SESSION_KEY));
}

#[test]
fn sessions_lists_masked_and_forgets() {
    let env = Env::start();
    assert_eq!(env.exchange().code, 0);
    let run = common::run(env.wx().arg("sessions"));
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains(OPENID) && run.stdout.contains("tiih…hQ=="),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(SESSION_KEY));
    let doc = common::run(env.wx().args(["--json", "sessions"])).json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["sessions"][0]["openid"], OPENID);
    assert_eq!(doc["sessions"][0]["session_key"], "tiih…hQ==");
    assert_eq!(doc["sessions"][0]["platform"], "miniprogram");
    let run = common::run(env.wx().args(["sessions", "forget", "oNobody"]));
    assert_eq!(run.code, 3);
    let run = common::run(env.wx().args(["sessions", "forget", OPENID]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = common::run(env.wx().args(["--json", "sessions"])).json();
    assert_eq!(doc["sessions"].as_array().unwrap().len(), 0);
    assert_eq!(env.exchange().code, 0);
    assert_eq!(
        common::run(env.wx().args(["sessions", "forget", "--all"])).code,
        0
    );
    assert!(!env.store().exists());
}

#[test]
fn an_unknown_session_is_a_clear_input_error() {
    let env = Env::start();
    let run = common::run(env.wx().args([
        "--json",
        "decrypt",
        "--session",
        "oUnknown",
        "--iv",
        "r7BXXKkLb8qrSNn05n0qiA==",
        "--encrypted-data",
        "@examples/captures/encrypted.txt",
    ]));
    assert_eq!(run.code, 3);
    let doc = run.json();
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("oUnknown")
    );
    assert!(
        doc["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("wxlogin sessions")
    );
}

#[test]
fn old_and_excess_sessions_are_dropped() {
    let env = Env::start();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let entries: Vec<Value> = (0..120)
        .map(|i| {
            json!({"appid": APPID, "openid": format!("o{i}"), "unionid": null,
                   "session_key": SESSION_KEY, "platform": "miniprogram",
                   "base_url": "http://127.0.0.1:1", "time": now - 8 * 86_400 + i * 3600 + 1800})
        })
        .collect();
    std::fs::create_dir_all(env.store().parent().unwrap()).unwrap();
    std::fs::write(env.store(), serde_json::to_string(&entries).unwrap()).unwrap();
    let doc = common::run(env.wx().args(["--json", "sessions"])).json();
    let kept = doc["sessions"].as_array().unwrap();
    // Entries 0..=23 are older than 7 days (by half an hour at least); 24..120 are 96.
    assert_eq!(kept.len(), 96, "{kept:?}");
    assert_eq!(kept[0]["openid"], "o24");
    assert_eq!(env.exchange().code, 0);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(env.store()).unwrap()).unwrap();
    assert_eq!(saved.as_array().unwrap().len(), 97);
    assert_eq!(mode(&env.store()), 0o600);
}

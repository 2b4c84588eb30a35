//! What following the README as a new user turned up: hints that point the right way for each
//! kind of masked value and for keyless batch lines.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run, wx};
use serde_json::Value;

fn in_repo() -> assert_cmd::Command {
    let mut cmd = wx();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).write_stdin("");
    cmd
}

#[test]
fn a_masked_appsecret_or_token_is_not_sent_to_the_sessions_store() {
    // Only a session_key has a stored copy: the hint for an appsecret must not point there.
    let r = run(in_repo().args([
        "--json",
        "code2session",
        "--code",
        "c",
        "--appid",
        "wx4f4bc4dec97d474b",
        "--secret",
        "dcbf…f7d3",
        "--base-url",
        "http://127.0.0.1:1",
    ]));
    assert_eq!(r.code, 3, "{}", r.stdout);
    let hint = r.json()["error"]["hint"].as_str().unwrap().to_string();
    assert!(!hint.contains("--session"), "{hint}");
    assert!(hint.contains("--secret-file"), "{hint}");
    let r = run(in_repo().args([
        "--json",
        "check-session",
        "--openid",
        "o1",
        "--session-key",
        "tiihtNczf5v6AKRyjwEUhQ==",
        "--access-token",
        "86_X…F8gH",
        "--base-url",
        "http://127.0.0.1:1",
    ]));
    assert_eq!(r.code, 3, "{}", r.stdout);
    let hint = r.json()["error"]["hint"].as_str().unwrap().to_string();
    assert!(!hint.contains("--session"), "{hint}");
    assert!(hint.contains("token"), "{hint}");
    // A masked session_key still points at the store.
    let r = run(in_repo().args([
        "--json",
        "verify-signature",
        "--session-key",
        "tiih…hQ==",
        "--raw-data",
        "@examples/captures/rawData.json",
        "--signature",
        "75e81ceda165f4ffa64f4068af58c64b8f54b88c",
    ]));
    assert_eq!(r.code, 3);
    let hint = r.json()["error"]["hint"].as_str().unwrap().to_string();
    assert!(hint.contains("--session OPENID"), "{hint}");
}

#[test]
fn a_keyless_batch_line_says_how_to_give_it_a_key() {
    for command in ["decrypt", "verify-signature"] {
        let line = if command == "decrypt" {
            "{\"iv\":\"r7BXXKkLb8qrSNn05n0qiA==\",\"encryptedData\":\"AAAA\"}\n"
        } else {
            "{\"rawData\":\"{}\",\"signature\":\"75e81ceda165f4ffa64f4068af58c64b8f54b88c\"}\n"
        };
        let r = run(in_repo().args([command, "--batch", "-"]).write_stdin(line));
        assert_eq!(r.code, 1, "{}", r.stdout);
        let doc: Value = serde_json::from_str(r.stdout.trim()).unwrap();
        assert_eq!(
            doc["error"]["message"], "record: missing field session_key",
            "{doc}"
        );
        let hint = doc["error"]["hint"].as_str().unwrap();
        assert!(
            hint.contains("--session-key") && hint.contains("--session OPENID"),
            "{hint}"
        );
    }
}

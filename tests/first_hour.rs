//! What a new user runs into first: masked values pasted back, batch with one key and empty
//! input, console copies for --from, and hints that must not mislead.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{run, wx};

const KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";

fn in_repo() -> assert_cmd::Command {
    let mut cmd = wx();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).write_stdin("");
    cmd
}

#[test]
fn a_masked_value_gets_its_own_error_everywhere() {
    for masked in ["tiih…hQ==", "tiih...hQ=="] {
        let r = run(in_repo().args([
            "--json",
            "decrypt",
            "--session-key",
            masked,
            "--iv",
            IV,
            "--encrypted-data",
            "@examples/captures/encrypted.txt",
        ]));
        assert_eq!(r.code, 3);
        let doc = r.json();
        assert!(
            doc["error"]["message"].as_str().unwrap().contains("masked"),
            "{doc}"
        );
        assert!(
            doc["error"]["hint"]
                .as_str()
                .unwrap()
                .contains("--session OPENID"),
            "{doc}"
        );
    }
    let r = run(in_repo().args([
        "verify-signature",
        "--session-key",
        "tiih…hQ==",
        "--raw-data",
        "@examples/captures/rawData.json",
        "--signature",
        "75e81ceda165f4ffa64f4068af58c64b8f54b88c",
    ]));
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("masked display"), "{}", r.stderr);
    // A masked appsecret is refused before anything is sent.
    let r = run(in_repo().args([
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
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("masked display"), "{}", r.stderr);
    // In a batch line too.
    let r = run(in_repo()
        .args(["decrypt", "--batch", "-"])
        .write_stdin(format!(
            "{{\"session_key\":\"tiih…hQ==\",\"iv\":\"{IV}\",\"encryptedData\":\"AAAA\"}}\n"
        )));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("masked display"), "{}", r.stdout);
}

#[test]
fn batch_takes_one_key_for_lines_without_one() {
    let r = run(in_repo().args([
        "decrypt",
        "--batch",
        "examples/captures/nokey.jsonl",
        "--session-key",
        KEY,
        "--appid",
        "wx4f4bc4dec97d474b",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.matches("\"watermark\":\"match\"").count(), 2);
    // A line's own key wins over the default.
    let r = run(in_repo()
        .args(["decrypt", "--batch", "-", "--session-key", KEY])
        .write_stdin(format!(
            "{{\"session_key\":\"7MG7jbTToVVRWRXVA885rg==\",\"iv\":\"{IV}\",\"encryptedData\":\"{}\"}}\n",
            std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/captures/encrypted.txt"
            ))
            .unwrap()
            .trim()
        )));
    assert_eq!(r.code, 1, "{}", r.stdout);
    // Without a default, a keyless line names the missing field.
    let r = run(in_repo().args(["decrypt", "--batch", "examples/captures/nokey.jsonl"]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("session_key"), "{}", r.stdout);
    // verify too.
    let line = format!(
        "{{\"rawData\":{},\"signature\":\"75e81ceda165f4ffa64f4068af58c64b8f54b88c\"}}\n",
        serde_json::to_string(
            std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/captures/rawData.json"
            ))
            .unwrap()
            .trim_end_matches('\n')
        )
        .unwrap()
    );
    let r = run(in_repo()
        .args([
            "verify-signature",
            "--batch",
            "-",
            "--session-key",
            "HyVFkGl5F5OQWJZZaNzBBg==",
        ])
        .write_stdin(line));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // A bad default key is one error, not one per line.
    let r = run(in_repo().args([
        "decrypt",
        "--batch",
        "examples/captures/nokey.jsonl",
        "--session-key",
        "short",
    ]));
    assert_eq!(r.code, 3);
    assert!(r.stdout.is_empty());
}

#[test]
fn an_empty_batch_is_an_error_unless_allowed() {
    for input in ["", "\n\n"] {
        let r = run(in_repo()
            .args(["decrypt", "--batch", "-"])
            .write_stdin(input));
        assert_eq!(r.code, 3, "{}", r.stderr);
        assert!(r.stderr.contains("no records"), "{}", r.stderr);
        let r = run(in_repo()
            .args(["--json", "verify-signature", "--batch", "-"])
            .write_stdin(input));
        assert_eq!(r.code, 3);
        assert!(r.stdout.contains("no records"), "{}", r.stdout);
        let r = run(in_repo()
            .args(["decrypt", "--batch", "-", "--allow-empty"])
            .write_stdin(input));
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
}

#[test]
fn from_takes_a_console_copy_and_refuses_a_list() {
    let r = run(in_repo().args([
        "decrypt",
        "--session-key",
        KEY,
        "--from",
        "examples/captures/console-copy.js",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("oGZUI0egBJY1zhBYw2KhdUfwVJJE"));
    let r = run(in_repo()
        .args([
            "verify-signature",
            "--session-key",
            "HyVFkGl5F5OQWJZZaNzBBg==",
            "--from",
            "-",
        ])
        .write_stdin(format!(
            // A single-quoted JS string holding the exact rawData.
            "{{rawData: '{}', signature: '75e81ceda165f4ffa64f4068af58c64b8f54b88c',}}",
            std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/captures/rawData.json"
            ))
            .unwrap()
            .trim_end()
        )));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(in_repo()
        .args(["decrypt", "--session-key", KEY, "--from", "-"])
        .write_stdin(format!("[{{\"iv\":\"{IV}\",\"encryptedData\":\"AA==\"}}]")));
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("--batch"), "{}", r.stderr);
}

#[test]
fn hints_that_used_to_mislead() {
    // 40 characters that are not hex: name the character, not the length.
    let r = run(in_repo().args([
        "verify-signature",
        "--session-key",
        KEY,
        "--raw-data",
        "{}",
        "--signature",
        "75e81ceda165f4ffa64f4068af58c64b8f54b88z",
    ]));
    assert_eq!(r.code, 3);
    assert!(!r.stderr.contains("got 40 characters"), "{}", r.stderr);
    assert!(r.stderr.contains("'z'"), "{}", r.stderr);
    // explain keeps WeChat's words for a code outside the table.
    let r = run(in_repo().args(["explain", r#"{"errcode":12345,"errmsg":"xyz"}"#]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("xyz"), "{}", r.stdout);
    let doc =
        run(in_repo().args(["--json", "explain", r#"{"errcode":12345,"errmsg":"xyz"}"#])).json();
    assert_eq!(doc["errmsg"], "xyz");
    // demo --reveal does not claim secrets are masked.
    let r = run(in_repo().args(["demo", "--seed", "7", "--reveal"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("secrets are masked"), "{}", r.stdout);
    // Global flags have their own heading in a subcommand's help.
    let r = run(in_repo().args(["decrypt", "--help"]));
    let (own, global) = r.stdout.split_once("Global options:").expect("heading");
    assert!(
        own.contains("--session-key") && !own.contains("--reveal"),
        "{}",
        r.stdout
    );
    assert!(global.contains("--reveal") && global.contains("--json"));
}

#[test]
fn a_payload_without_watermark_is_not_called_another_apps() {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    // Encrypt a plaintext without watermark with the vector's key and iv (AES-128-CBC, PKCS#7).
    let key: [u8; 16] = STANDARD.decode(KEY).unwrap().try_into().unwrap();
    let iv: [u8; 16] = STANDARD.decode(IV).unwrap().try_into().unwrap();
    let data = wxlogin::core::crypto::encrypt(&key, &iv, br#"{"openId":"o1"}"#);
    let r = run(in_repo().args([
        "--json",
        "decrypt",
        "--session-key",
        KEY,
        "--iv",
        IV,
        "--encrypted-data",
        &STANDARD.encode(data),
        "--appid",
        "wx4f4bc4dec97d474b",
    ]));
    assert_eq!(r.code, 1);
    let hint = r.json()["error"]["hint"].as_str().unwrap().to_string();
    assert!(!hint.contains("another mini program"), "{hint}");
    assert!(hint.contains("no watermark"), "{hint}");
}

#[test]
fn escaped_unicode_is_not_called_lost_slashes() {
    // The signed rawData escapes non-ASCII (and has no slash); the server got it unescaped.
    let signed = r#"{"nickName":"\u96e8","gender":0}"#;
    let given = r#"{"nickName":"雨","gender":0}"#;
    let key = "HyVFkGl5F5OQWJZZaNzBBg==";
    let sig = wxlogin::core::crypto::sign_raw_data(signed.as_bytes(), key.as_bytes());
    let sig = String::from_utf8(sig.to_vec()).unwrap();
    let r = run(in_repo().args([
        "verify-signature",
        "--session-key",
        key,
        "--raw-data",
        given,
        "--signature",
        &sig,
    ]));
    assert_eq!(r.code, 1);
    assert!(!r.stderr.contains("slashes"), "{}", r.stderr);
    assert!(
        r.stderr.contains("non-ASCII") || r.stderr.contains("unicode"),
        "{}",
        r.stderr
    );
}

#[test]
fn app_with_an_external_mock_is_not_silently_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("flow.toml");
    std::fs::write(
        &flow,
        "backend = \"http://127.0.0.1:1\"\nappid = \"wx5e1ec0de5e55a001\"\n[[steps]]\nwx = \"login\"\n",
    )
    .unwrap();
    let r = run(in_repo().args([
        "simulate",
        flow.to_str().unwrap(),
        "--mock",
        "http://127.0.0.1:1",
        "--app",
        "wx5e1ec0de5e55a001:5ec2e7000000000000000000000000a1",
    ]));
    assert!(r.stderr.contains("--app does not add apps"), "{}", r.stderr);
}

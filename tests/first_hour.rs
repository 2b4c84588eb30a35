//! What a new user runs into first: masked values pasted back, batch with one key and empty
//! input, console copies for --from, hints that must not mislead, and what following the README
//! from a fresh install turned up (simulate's backend handling, install lines, JSON shapes).

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mock::MockProc;
use common::{run, wx};
use serde_json::{Value, json};

const KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
const APPID: &str = "wx5e1ec0de5e55a001";
const SECRET: &str = "5ec2e7000000000000000000000000a1";

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

#[test]
fn a_masked_appsecret_or_token_is_not_sent_to_the_sessions_store() {
    // The hint of a refused masked value (exit 3).
    let hint = |args: &[&str]| {
        let r = run(in_repo().arg("--json").args(args));
        assert_eq!(r.code, 3, "{}", r.stdout);
        r.json()["error"]["hint"].as_str().unwrap().to_string()
    };
    // Only a session_key has a stored copy: the hint for an appsecret must not point there.
    let h = hint(&[
        "code2session",
        "--code",
        "c",
        "--appid",
        "wx4f4bc4dec97d474b",
        "--secret",
        "dcbf…f7d3",
        "--base-url",
        "http://127.0.0.1:1",
    ]);
    assert!(
        !h.contains("--session") && h.contains("--secret-file"),
        "{h}"
    );
    let h = hint(&[
        "check-session",
        "--openid",
        "o1",
        "--session-key",
        "tiihtNczf5v6AKRyjwEUhQ==",
        "--access-token",
        "86_X…F8gH",
        "--base-url",
        "http://127.0.0.1:1",
    ]);
    assert!(!h.contains("--session") && h.contains("token"), "{h}");
    // A masked session_key still points at the store.
    let h = hint(&[
        "verify-signature",
        "--session-key",
        "tiih…hQ==",
        "--raw-data",
        "@examples/captures/rawData.json",
        "--signature",
        "75e81ceda165f4ffa64f4068af58c64b8f54b88c",
    ]);
    assert!(h.contains("--session OPENID"), "{h}");
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

async fn get_json(url: String) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// A fault of count 1 leaves `faults` as soon as its request arrives; while that request waits
/// out the delay, `GET /mock/faults` lists it under `delaying`, so a watcher (simulate) can tell
/// the client is waiting on WeChat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_held_by_a_spent_latency_fault_is_listed_as_delaying() {
    let mock = MockProc::start(&["--app", &format!("{APPID}:{SECRET}")]);
    let url = mock.url.clone();
    let set = common::post_json(
        format!("{url}/mock/faults"),
        json!({"route": "token", "latency_ms": 3000}),
    )
    .await;
    assert_eq!(set["faults"][0]["count"], 1, "{set}");
    assert!(set.get("delaying").is_none(), "{set}");
    let held = tokio::spawn(get_json(format!(
        "{url}/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={SECRET}"
    )));
    // Poll until the request has arrived (it waits 3 s, far longer than its way there).
    let mut seen = Value::Null;
    for _ in 0..200 {
        seen = get_json(format!("{url}/mock/faults")).await;
        if seen.get("delaying").is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        seen,
        json!({"faults": [], "delaying": [{"route": "/cgi-bin/token", "latency_ms": 3000}]})
    );
    let answer = held.await.unwrap();
    assert!(answer["access_token"].is_string(), "{answer}");
    let after = get_json(format!("{url}/mock/faults")).await;
    assert_eq!(after, json!({"faults": []}));
}

fn simulate(args: &[&str]) -> common::Run {
    run(in_repo()
        .arg("simulate")
        .args(args)
        .env_remove("WXLOGIN_BACKEND")
        .timeout(std::time::Duration::from_secs(60)))
}

/// The example backend, its WeChat call held by a latency fault of count 1 (the default) past
/// the flow's timeout: the diagnosis says it was waiting on WeChat, not busy on its own.
#[test]
fn a_backend_waiting_on_a_delayed_wechat_call_is_told_so() {
    if !common::node_or_skip("the example backend") {
        return;
    }
    let mock = MockProc::start(&["--app", &format!("{APPID}:{SECRET}")]);
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("slow.toml");
    std::fs::write(
        &flow,
        format!(
            "backend = \"http://127.0.0.1:0\"\nappid = \"{APPID}\"\ntimeout = 1\n\
             [[steps]]\nwx = \"login\"\n\
             [[steps]]\npost = \"/api/fetch_code\"\njson = {{ code = \"{{{{code}}}}\" }}\n"
        ),
    )
    .unwrap();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(common::post_json(
            format!("{}/mock/faults", mock.url),
            json!({"route": "jscode2session", "latency_ms": 5000}),
        ));
    let flow = flow.display().to_string();
    let r = simulate(&[
        "--json",
        &flow,
        "--mock",
        &mock.url,
        "--",
        "node",
        "examples/backend/server.js",
    ]);
    assert_eq!(r.code, 5, "{}\n{}", r.stdout, r.stderr);
    let doc = r.json();
    assert_eq!(doc["diagnosis"]["rule"], "backend-unreachable", "{doc}");
    let message = doc["diagnosis"]["message"].as_str().unwrap();
    assert!(message.contains("waiting on WeChat"), "{message}");
    assert!(
        message.contains("its call to /sns/jscode2session was still held"),
        "{message}"
    );
    // The step shows the held call instead of saying there was none.
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(common::post_json(
            format!("{}/mock/faults", mock.url),
            json!({"route": "jscode2session", "latency_ms": 5000}),
        ));
    let r = simulate(&[
        &flow,
        "--mock",
        &mock.url,
        "--",
        "node",
        "examples/backend/server.js",
    ]);
    assert_eq!(r.code, 5, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("held by a latency fault of 5000 ms"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("made no call to WeChat"), "{}", r.stdout);
}

/// What the backend logs is shown when a step fails, but not the appsecret it was given (its
/// HTTP library's errors print whole URLs) nor its terminal colours.
#[test]
fn the_backends_stderr_is_shown_without_the_secret_or_escapes() {
    if !common::node_or_skip("the example backend") {
        return;
    }
    let mock = MockProc::start(&["--app", &format!("{APPID}:{SECRET}")]);
    let script = "printf '\\033[31mGET https://api.weixin.qq.com/sns/jscode2session?secret=%s\\033[0m\\n' \"$WXLOGIN_SECRET\" >&2; \
                  exec node examples/backend/server.js --broken exchange-twice";
    let r = simulate(&[
        "--json",
        "examples/flows/session-id.toml",
        "--backend",
        "http://127.0.0.1:0",
        "--mock",
        &mock.url,
        "--",
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let doc = r.json();
    let lines: Vec<&str> = doc["backend_stderr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let url_line = lines
        .iter()
        .find(|l| l.contains("jscode2session?secret="))
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert!(!url_line.contains('\u{1b}'), "{url_line:?}");
    assert!(!r.stdout.contains(SECRET), "{}", r.stdout);
    // A backend that never comes up is reported with its stderr, masked the same way.
    let r = simulate(&[
        "examples/flows/session-id.toml",
        "--backend",
        "http://127.0.0.1:0",
        "--mock",
        &mock.url,
        "--",
        "sh",
        "-c",
        "echo \"config: secret=$WXLOGIN_SECRET; key $WXLOGIN_SECRET\" >&2; exit 1",
    ]);
    assert_eq!(r.code, 5, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("config: secret="), "{}", r.stderr);
    assert!(!r.stderr.contains(SECRET), "{}", r.stderr);
    // A WeCom backend also gets the corpsecret: masked the same way.
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("wecom.toml");
    let corpsecret = "c0rpS3cretValue000000000000000000000000777";
    std::fs::write(
        &flow,
        format!(
            "appid = \"{APPID}\"\nplatform = \"wecom\"\ncorpid = \"ww5e1ec0de5e55a001\"\n\
             corpsecret = \"{corpsecret}\"\nbackend = \"http://127.0.0.1:0\"\n\
             [[steps]]\nwx = \"login\"\n"
        ),
    )
    .unwrap();
    let r = simulate(&[
        flow.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        "echo \"corp config: $WXLOGIN_CORPID $WXLOGIN_CORPSECRET\" >&2; exit 1",
    ]);
    assert_eq!(r.code, 5, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("corp config: ww5e1ec0de5e55a001"),
        "{}",
        r.stderr
    );
    assert!(!r.all().contains(corpsecret), "{}", r.all());
}

/// The completion install lines of the README work in a home that has none of the folders yet.
#[test]
fn the_readmes_completion_install_lines_work_in_a_fresh_home() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let lines: Vec<&str> = readme
        .lines()
        .filter(|l| l.contains("cp completions/"))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let home = tempfile::tempdir().unwrap();
    for line in &lines {
        let status = std::process::Command::new("bash")
            .args(["-ec", line])
            .env("HOME", home.path())
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "{line}");
    }
    for file in [
        ".local/share/bash-completion/completions/wxlogin",
        ".zfunc/_wxlogin",
        ".config/fish/completions/wxlogin.fish",
    ] {
        assert!(home.path().join(file).is_file(), "{file}");
    }
}

/// The man pages the README and `--help` point at exist where they say; `--help` lists every
/// variable of the README's environment table that a first run meets.
#[test]
fn help_points_at_the_man_pages_and_the_variables() {
    let r = run(wx().arg("--help"));
    assert!(r.stdout.contains("man -l man/wxlogin.1"), "{}", r.stdout);
    assert!(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/man/wxlogin.1")).is_file());
    for var in ["WXLOGIN_BACKEND", "WXLOGIN_PLATFORM", "XDG_STATE_HOME"] {
        assert!(r.stdout.contains(var), "{var}: {}", r.stdout);
    }
}

/// A store that cannot be written must not say `--no-save` was given: the code is spent, and
/// the note says what keeps the next one.
#[test]
fn an_unwritable_sessions_store_is_not_blamed_on_no_save() {
    let mock = MockProc::start(&["--app", &format!("{APPID}:{SECRET}")]);
    let login = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(common::post_json(
            format!("{}/mock/login", mock.url),
            json!({"appid": APPID}),
        ));
    let code = login["code"].as_str().unwrap();
    let r = run(wx()
        .args(["code2session", "--appid", APPID, "--secret", SECRET])
        .args(["--base-url", &mock.url, "--code", code])
        .env_remove("XDG_STATE_HOME")
        .env_remove("HOME"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("session not saved"), "{}", r.stderr);
    assert!(!r.stderr.contains("without --no-save"), "{}", r.stderr);
    assert!(r.stderr.contains("this code is spent"), "{}", r.stderr);
}

/// npm reads `out/x.tgz` as a GitHub repository (`owner/name`): the README's install line must
/// name its tarballs as paths (`./out/...`), as `.ci/packages.sh` does with absolute ones.
#[test]
fn the_readmes_npm_install_names_its_tarballs_as_paths() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let installs: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.split_once("npm install").map(|(_, rest)| rest))
        .collect();
    assert!(!installs.is_empty());
    for rest in installs {
        let command = rest.split('#').next().unwrap_or(rest);
        for word in command.split_whitespace().filter(|w| w.ends_with(".tgz")) {
            assert!(
                word.starts_with("./") || word.starts_with("../") || word.starts_with('/'),
                "npm would look {word} up as a GitHub repository"
            );
        }
    }
}

/// With `--session` and no `--appid`, the expected watermark is the session's app: the note
/// says where the expected appid came from.
#[test]
fn the_watermark_note_names_the_sessions_appid_when_it_was_the_expectation() {
    use std::os::unix::fs::PermissionsExt;
    let state = tempfile::tempdir().unwrap();
    let dir = state.path().join("wxlogin");
    std::fs::create_dir_all(&dir).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let store = dir.join("sessions.json");
    std::fs::write(
        &store,
        json!([{"appid": "wx0the7app0000b02", "openid": "oStored", "unionid": null,
                "session_key": "tiihtNczf5v6AKRyjwEUhQ==", "platform": "miniprogram",
                "base_url": "https://api.weixin.qq.com/", "time": now}])
        .to_string(),
    )
    .unwrap();
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o600)).unwrap();
    let decrypt = |extra: &[&str]| {
        run(in_repo()
            .args(["decrypt", "--session", "oStored"])
            .args(["--from", "examples/captures/capture.json"])
            .args(extra)
            .env("XDG_STATE_HOME", state.path()))
    };
    let r = decrypt(&[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("does NOT match --appid, from the session"),
        "{}",
        r.stderr
    );
    let r = decrypt(&["--appid", "wx4f4bc4dec97d474b"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(matches --appid)"), "{}", r.stderr);
    let r = decrypt(&["--appid", "wx0the7app0000b02"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("(does NOT match --appid)"),
        "{}",
        r.stderr
    );
}

/// A list copied from DevTools' console is a JavaScript literal, which jq cannot read: the
/// hint says to copy it as JSON first.
#[test]
fn a_console_copied_list_of_captures_is_told_to_be_copied_as_json() {
    let r = run(in_repo()
        .args([
            "--json",
            "decrypt",
            "--session-key",
            "tiihtNczf5v6AKRyjwEUhQ==",
        ])
        .args(["--from", "-"])
        .write_stdin("[{iv: 'a', encryptedData: 'b'}, {iv: 'c', encryptedData: 'd',},]"));
    assert_eq!(r.code, 3, "{}", r.stdout);
    let hint = r.json()["error"]["hint"].as_str().unwrap().to_string();
    assert!(hint.contains("JSON.stringify"), "{hint}");
    let r = run(in_repo()
        .args([
            "--json",
            "decrypt",
            "--session-key",
            "tiihtNczf5v6AKRyjwEUhQ==",
        ])
        .args(["--from", "-"])
        .write_stdin("[{\"iv\": \"a\", \"encryptedData\": \"b\"}]"));
    assert_eq!(r.code, 3, "{}", r.stdout);
    let hint = r.json()["error"]["hint"].as_str().unwrap().to_string();
    assert!(
        hint.contains("jq -c") && !hint.contains("JSON.stringify"),
        "{hint}"
    );
}

/// The top-level names a README shape lists (`{"ok", "mock", "steps": [...], ...}`), nested
/// brackets left out.
fn shape_keys(shape: &str) -> Vec<String> {
    let inner = shape
        .trim()
        .strip_prefix('{')
        .unwrap()
        .strip_suffix('}')
        .unwrap();
    let (mut depth, mut keys, mut current, mut quoted) = (0, Vec::new(), String::new(), false);
    for c in inner.chars() {
        match c {
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            '"' if depth == 0 => {
                if quoted {
                    keys.push(std::mem::take(&mut current));
                }
                quoted = !quoted;
            }
            _ if quoted && depth == 0 => current.push(c),
            _ => {}
        }
    }
    keys
}

/// `demo --json` has exactly the top-level names the README lists.
#[test]
fn demo_json_has_the_shape_the_readme_gives() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let at = readme.find("one document (`{\"ok\", \"mock\"").unwrap();
    let rest = &readme[at + "one document (`".len()..];
    let shape = &rest[..rest.find("}`").unwrap() + 1];
    let mut listed = shape_keys(shape);
    listed.sort();
    let r = run(wx().args(["--json", "demo", "--seed", "7"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    let mut keys: Vec<String> = doc.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, listed, "README shape {shape}");
    assert_eq!(doc["secret"], "…");
}

/// With a running mock, the secret its routes check wins over a different one given with
/// `--app`: the backend simulate starts gets the mock's, and a warning says so.
#[test]
fn a_wrong_app_secret_beside_a_running_mock_is_replaced_by_the_mocks() {
    if !common::node_or_skip("the example backend") {
        return;
    }
    let mock = MockProc::start(&["--app", &format!("{APPID}:{SECRET}")]);
    let r = simulate(&[
        "examples/flows/session-id.toml",
        "--backend",
        "http://127.0.0.1:0",
        "--mock",
        &mock.url,
        "--app",
        &format!("{APPID}:00000000000000000000000000000bad"),
        "--",
        "node",
        "examples/backend/server.js",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("is not the running mock's: simulate uses the mock's"),
        "{}",
        r.stderr
    );
}

/// A whole list of captures on one line (an export that is one JSON array) is named as such,
/// with the way to split it, in both batch modes.
#[test]
fn a_batch_line_holding_a_list_says_to_split_it() {
    for command in ["decrypt", "verify-signature"] {
        let r = run(in_repo()
            .args([command, "--batch", "-"])
            .write_stdin("[{\"iv\":\"a\"},{\"iv\":\"b\"}]\n"));
        assert_eq!(r.code, 1, "{}", r.stdout);
        let doc: Value = serde_json::from_str(r.stdout.trim()).unwrap();
        assert_eq!(
            doc["error"]["message"],
            "record: is a JSON array, not an object (a list of records?)"
        );
        assert!(
            doc["error"]["hint"]
                .as_str()
                .unwrap()
                .contains("jq -c '.[]'"),
            "{doc}"
        );
    }
}

/// A backend started through a wrapper (`sh -c`, `npm start`, an autoreloader) is stopped
/// with everything the wrapper started: nothing keeps listening on its port afterwards, where
/// the next run would refuse to start.
#[test]
fn a_wrapped_backend_is_stopped_with_its_children() {
    if !common::node_or_skip("the example backend") {
        return;
    }
    let r = simulate(&[
        "--json",
        "examples/flows/session-id.toml",
        "--backend",
        "http://127.0.0.1:0",
        "--",
        "sh",
        "-c",
        "node examples/backend/server.js; echo the wrapper outlived its server >&2",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let backend = r.json()["backend"].as_str().unwrap().to_string();
    let addr = backend.strip_prefix("http://").unwrap();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "something still listens on {addr} after simulate ended"
    );
}

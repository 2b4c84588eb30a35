//! `wxlogin demo`: the whole handshake against the embedded mock, its classic failure and the
//! fix, for people and as one JSON document, with every secret masked unless `--reveal`.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

fn demo(args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("wxlogin")
        .expect("binary")
        .arg("demo")
        .args(args)
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run demo");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_demo(args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = demo(&all);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(stdout.lines().count(), 1, "one document: {stdout}");
    serde_json::from_str(&stdout).expect("valid JSON")
}

#[test]
fn demo_shows_the_handshake_the_failure_and_the_fix() {
    let (code, stdout, stderr) = demo(&[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    for expected in [
        "embedded mock at http://127.0.0.1:",
        "── the handshake ──",
        "client       your server  WeChat",
        "✓ wx.login()",
        "✓ GET /sns/jscode2session",
        "✓ verify-signature: sha1(rawData + session_key)",
        "✓ decrypt: AES-128-CBC(session_key, iv)",
        "✓ GET /wxa/checksession",
        "── the classic failure",
        "✗ verify-signature with the stored session_key",
        "✗ decrypt with the stored session_key",
        "errcode 87009",
        "diagnosis: the server's session_key is stale",
        "── the fix",
        "✓ verify-signature and decrypt with the new key",
        "✓ the handshake works, and the rotated key was caught",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
    // Every step is one line of the diagram: a number, then the lanes.
    let numbered = stdout
        .lines()
        .filter(|l| l.get(..2).is_some_and(|n| n.trim().parse::<u32>().is_ok()))
        .count();
    assert_eq!(numbered, 19, "{stdout}");
}

#[test]
fn demo_json_is_one_document_with_every_step() {
    let doc = json_demo(&[]);
    assert_eq!(doc["ok"], true);
    let steps = doc["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 19);
    assert!(steps.iter().all(|s| s["ok"] == true));
    let failures: Vec<&Value> = steps
        .iter()
        .filter(|s| s["expected_failure"] == true)
        .collect();
    assert_eq!(failures.len(), 3);
    assert!(failures.iter().all(|s| s["phase"] == "failure"));
    assert!(failures[2]["error"].as_str().unwrap().contains("87009"));
    assert_eq!(steps[0]["from"], "client");
    assert_eq!(steps[2]["action"], "GET /sns/jscode2session");
    assert_eq!(steps[2]["from"], "server");
    assert_eq!(steps[2]["to"], "wechat");
    assert_eq!(doc["diagnosis"]["rule"], "key-rotated");
}

#[test]
fn demo_masks_every_secret_unless_revealed() {
    // With a seed the mock makes the same app and keys, so a revealed run shows what the
    // masked runs must not.
    let revealed = json_demo(&["--seed", "7", "--reveal"]);
    let secret = revealed["secret"].as_str().unwrap().to_string();
    let mut keys: Vec<String> = revealed["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["values"]["session_key"].as_str().map(String::from))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 2, "old and new session_key: {keys:?}");
    assert!(!secret.contains('…') && keys.iter().all(|k| !k.contains('…')));
    let masked = |s: &str| {
        let c: Vec<char> = s.chars().collect();
        format!(
            "{}…{}",
            c[..4].iter().collect::<String>(),
            c[c.len() - 4..].iter().collect::<String>()
        )
    };
    let (code, human, stderr) = demo(&["--seed", "7"]);
    assert_eq!(code, 0, "{stderr}");
    let json = json_demo(&["--seed", "7"]).to_string();
    for text in [&human, &json, &stderr] {
        for value in keys.iter().chain([&secret]) {
            assert!(!text.contains(value.as_str()), "{value} leaked in\n{text}");
        }
        assert!(
            text.is_empty() || text.contains(&masked(&keys[0])),
            "{text}"
        );
    }
    // The appsecret is hidden whole, as in trace URLs and the journal: no part of it shows.
    assert!(!human.contains(&masked(&secret)), "{human}");
    assert!(human.contains("(secret …)"), "{human}");
}

#[test]
fn lang_zh_reaches_the_demos_words_and_its_diagnosis() {
    let (code, stdout, _) = demo(&["--lang", "zh", "--seed", "7"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("── 握手 ──"), "{stdout}");
    assert!(stdout.contains("诊断："), "{stdout}");
    assert!(
        stdout.contains("处理：只在 getUserInfo 之前调用一次 wx.login"),
        "{stdout}"
    );
    assert!(stdout.contains("✓ 握手正常"), "{stdout}");
    assert!(!stdout.contains("diagnosis:"), "{stdout}");
}

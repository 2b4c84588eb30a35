//! `decrypt` and `verify-signature` as a user runs them: WeChat's published vectors, every flag
//! form, every corruption class, every exit code, one JSON document per outcome.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{run, s, vectors, wx};
use serde_json::{Value, json};
use wxlogin::core::crypto;

const APPID: &str = "wx4f4bc4dec97d474b";

fn official() -> (String, String, String, Value) {
    let v = vectors();
    (
        s(&v, "/decrypt_official/session_key").to_string(),
        s(&v, "/decrypt_official/iv").to_string(),
        s(&v, "/decrypt_official/encryptedData").to_string(),
        v["decrypt_official"]["plaintext"].clone(),
    )
}

fn decrypt_args(key: &str, iv: &str, data: &str) -> Vec<String> {
    [
        "decrypt",
        "--session-key",
        key,
        "--iv",
        iv,
        "--encrypted-data",
        data,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Encrypts a plaintext the way WeChat does, for payload shapes no published vector covers.
fn payload(plaintext: &str) -> (String, String, String) {
    let key = [0x5au8; 16];
    let iv = [0xa5u8; 16];
    let ct = crypto::encrypt(&key, &iv, plaintext.as_bytes());
    (
        STANDARD.encode(key),
        STANDARD.encode(iv),
        STANDARD.encode(ct),
    )
}

#[test]
fn official_vector_decrypts_to_the_published_plaintext() {
    let (key, iv, data, plain) = official();
    let r = run(wx()
        .args(decrypt_args(&key, &iv, &data))
        .args(["--appid", APPID]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown: Value = serde_json::from_str(&r.stdout).expect("pretty JSON on stdout");
    assert_eq!(shown, plain);
    // Pretty-printed, key order kept as decrypted.
    assert!(r.stdout.starts_with("{\n  \"openId\""), "{}", r.stdout);
    assert!(r.stderr.contains("matches --appid"), "{}", r.stderr);
    assert!(r.stderr.contains("2016-10-24 13:03:07 UTC"), "{}", r.stderr);
    assert!(r.stderr.contains("years ago"), "{}", r.stderr);
}

#[test]
fn official_vector_json_shape() {
    let (key, iv, data, plain) = official();
    let r = run(wx()
        .arg("--json")
        .args(decrypt_args(&key, &iv, &data))
        .args(["--appid", APPID]));
    assert_eq!(r.code, 0);
    let doc = r.json();
    assert_eq!(doc["ok"], json!(true));
    assert_eq!(doc["data"], plain);
    assert_eq!(
        doc["watermark"],
        json!({"appid": APPID, "timestamp": 1477314187, "matches": true})
    );
    // Without --appid the watermark is shown but not judged.
    let r = run(wx().arg("--json").args(decrypt_args(&key, &iv, &data)));
    assert_eq!(r.code, 0);
    assert_eq!(r.json()["watermark"]["matches"], Value::Null);
}

#[test]
fn raw_prints_the_plaintext_exactly() {
    let (key, iv, data, _) = official();
    let r = run(wx().args(decrypt_args(&key, &iv, &data)).arg("--raw"));
    assert_eq!(r.code, 0);
    let mut buf = STANDARD.decode(&data).unwrap();
    let k: [u8; 16] = STANDARD.decode(&key).unwrap().try_into().unwrap();
    let i: [u8; 16] = STANDARD.decode(&iv).unwrap().try_into().unwrap();
    let expected = crypto::decrypt_in_place(&k, &i, &mut buf).unwrap();
    assert_eq!(r.stdout.as_bytes(), expected);
}

#[test]
fn watermark_of_another_app_fails_with_exit_1() {
    let (key, iv, data, _) = official();
    let r = run(wx()
        .args(decrypt_args(&key, &iv, &data))
        .args(["--appid", "wxotherapp000001"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("another mini program"), "{}", r.stderr);
    let r = run(wx()
        .arg("--json")
        .args(decrypt_args(&key, &iv, &data))
        .args(["--appid", "wxotherapp000001"]));
    assert_eq!(r.code, 1);
    let doc = r.json();
    assert_eq!(doc["ok"], json!(false));
    assert_eq!(doc["error"]["kind"], json!("watermark"));
    assert_eq!(doc["watermark"]["matches"], json!(false));
}

#[test]
fn phone_vector_decrypts() {
    let v = vectors();
    let p = &v["phone_generated"];
    let r = run(wx()
        .arg("--json")
        .args(decrypt_args(
            s(p, "/session_key"),
            s(p, "/iv"),
            s(p, "/encryptedData"),
        ))
        .args(["--appid", APPID]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json()["data"], p["plaintext"]);
}

#[test]
fn wrong_key_vector_is_a_decrypt_failure_with_the_rotation_hint() {
    let v = vectors();
    let w = &v["wrong_key"];
    let args = decrypt_args(s(w, "/session_key"), s(w, "/iv"), s(w, "/encryptedData"));
    let r = run(wx().args(&args));
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr.lines().count(), 1, "one-line error: {}", r.stderr);
    assert!(r.stderr.contains("wx.login"), "{}", r.stderr);
    let r = run(wx().arg("--json").args(&args));
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["error"]["kind"], json!("decrypt"));
}

#[test]
fn wrong_iv_is_named() {
    let (key, _, data, _) = official();
    let r = run(wx().args(decrypt_args(&key, "AAAAAAAAAAAAAAAAAAAAAA==", &data)));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("wrong iv"), "{}", r.stderr);
}

#[test]
fn every_value_form_works_file_stdin_and_capture() {
    let (key, iv, data, plain) = official();
    let dir = tempfile::tempdir().unwrap();
    let kf = dir.path().join("key.txt");
    let df = dir.path().join("data.txt");
    std::fs::write(&kf, format!("{key}\n")).unwrap();
    std::fs::write(&df, format!("{data}\r\n")).unwrap();
    let at = |p: &std::path::Path| format!("@{}", p.display());

    let r = run(wx()
        .arg("--json")
        .args(decrypt_args(&at(&kf), &iv, &at(&df))));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json()["data"], plain);
    assert_eq!(
        r.json()["warnings"],
        Value::Null,
        "a file's final newline is not a repair"
    );

    let r = run(wx()
        .arg("--json")
        .args(decrypt_args(&key, &iv, "-"))
        .write_stdin(data.clone()));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json()["data"], plain);

    for capture in [
        json!({"encryptedData": data, "iv": iv, "errMsg": "getUserInfo:ok"}),
        json!({"type": "getphonenumber", "detail": {"encryptedData": data, "iv": iv}}),
    ] {
        let f = dir.path().join("capture.json");
        std::fs::write(&f, capture.to_string()).unwrap();
        let r = run(wx()
            .args(["--json", "decrypt", "--session-key", &key, "--from"])
            .arg(&f));
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert_eq!(r.json()["data"], plain);
    }
    // The capture may come on stdin.
    let r = run(wx()
        .args(["--json", "decrypt", "--session-key", &key, "--from", "-"])
        .write_stdin(json!({"encryptedData": data, "iv": iv}).to_string()));
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn mangled_base64_is_repaired_with_a_named_warning_and_refused_with_strict() {
    let (key, iv, data, plain) = official();
    let cases = [
        (
            key.clone(),
            iv.clone(),
            data.replace('+', " "),
            "spaces read as '+'",
        ),
        (
            key.clone(),
            iv.clone(),
            data.replace('+', "%2B"),
            "percent-escape",
        ),
        (
            key.replace('=', ""),
            iv.replace('=', ""),
            data.clone(),
            "missing '=' padding",
        ),
        (
            key.clone(),
            iv.clone(),
            data.replace('+', "-").replace('/', "_"),
            "URL-safe",
        ),
        (format!("\"{key}\""), iv.clone(), data.clone(), "quotes"),
        (format!("  {key} "), iv.clone(), data.clone(), "whitespace"),
    ];
    for (k, i, d, needle) in cases {
        let r = run(wx().arg("--json").args(decrypt_args(&k, &i, &d)));
        assert_eq!(r.code, 0, "{needle}: {}", r.stdout);
        let doc = r.json();
        assert_eq!(doc["data"], plain);
        let warnings = doc["warnings"].to_string();
        assert!(warnings.contains(needle), "{needle}: {warnings}");

        let r = run(wx().args(decrypt_args(&k, &i, &d)));
        assert!(
            r.stderr.contains("warning:") && r.stderr.contains(needle),
            "{}",
            r.stderr
        );

        let r = run(wx()
            .arg("--json")
            .args(decrypt_args(&k, &i, &d))
            .arg("--strict"));
        assert_eq!(r.code, 3, "{needle} with --strict: {}", r.stdout);
        assert_eq!(r.json()["error"]["kind"], json!("input"));
    }
}

#[test]
fn wrong_lengths_and_garbage_are_bad_input_naming_the_field() {
    let (key, iv, data, _) = official();
    let cases = [
        (
            "AAAAAAAAAAAAAAAA".to_string(),
            iv.clone(),
            data.clone(),
            "session_key",
        ),
        (
            key.clone(),
            "AAAAAAAAAAAAAAAAAAAA".to_string(),
            data.clone(),
            "iv",
        ),
        (
            key.clone(),
            iv.clone(),
            data[..data.len() - 8].to_string(),
            "encryptedData",
        ),
        (key.clone(), iv.clone(), "QUJD".to_string(), "encryptedData"),
        (key.clone(), iv.clone(), "".to_string(), "encryptedData"),
        (
            key.clone(),
            "r7BX!XKkLb8qrSNn05n0qiA==".to_string(),
            data.clone(),
            "iv",
        ),
        (
            "@/nonexistent/key".to_string(),
            iv.clone(),
            data.clone(),
            "session_key",
        ),
        (
            key.clone(),
            iv.clone(),
            "数据数据".to_string(),
            "encryptedData",
        ),
    ];
    for (k, i, d, field) in cases {
        let r = run(wx().args(decrypt_args(&k, &i, &d)));
        assert_eq!(r.code, 3, "{field}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
        assert!(r.stderr.contains(field), "{field}: {}", r.stderr);
        let r = run(wx().arg("--json").args(decrypt_args(&k, &i, &d)));
        assert_eq!(r.code, 3);
        let doc = r.json();
        assert_eq!(doc["ok"], json!(false));
        assert_eq!(doc["error"]["kind"], json!("input"));
        assert_eq!(doc["error"]["field"], json!(field));
        assert!(doc["error"]["hint"].as_str().is_some_and(|h| !h.is_empty()));
    }
}

#[test]
fn payload_shapes_cjk_emoji_block_multiple_and_large() {
    let block_exact = format!(
        "{{\"nickName\":\"{}\",\"watermark\":{{\"appid\":\"{APPID}\",\"timestamp\":1}}}}",
        "x".repeat(8)
    );
    assert_eq!(
        block_exact.len() % 16,
        0,
        "plaintext is a whole number of blocks"
    );
    let cjk = format!(
        "{{\"nickName\":\"小明🙂👨‍👩‍👧\",\"city\":\"广州\",\"watermark\":{{\"appid\":\"{APPID}\",\"timestamp\":1700000000}}}}"
    );
    let large = format!(
        "{{\"blob\":\"{}\",\"watermark\":{{\"appid\":\"{APPID}\",\"timestamp\":1700000000}}}}",
        "汉字🙂".repeat(50_000)
    );
    for plaintext in [block_exact, cjk, large] {
        let (k, i, d) = payload(&plaintext);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("d");
        std::fs::write(&f, &d).unwrap();
        let r = run(wx()
            .args([
                "decrypt",
                "--raw",
                "--appid",
                APPID,
                "--session-key",
                &k,
                "--iv",
                &i,
            ])
            .arg("--encrypted-data")
            .arg(format!("@{}", f.display())));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout, plaintext);
    }
}

#[test]
fn signature_official_vector_matches() {
    let v = vectors();
    let sv = &v["signature_official"];
    let args = [
        "verify-signature",
        "--raw-data",
        s(sv, "/rawData"),
        "--signature",
        s(sv, "/signature"),
        "--session-key",
        s(sv, "/session_key"),
    ];
    let r = run(wx().args(args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("signature matches"));
    let r = run(wx().arg("--json").args(args));
    assert_eq!(r.code, 0);
    assert_eq!(r.json()["ok"], json!(true));
    // Upper-case hex is the same signature.
    let upper = s(sv, "/signature").to_uppercase();
    let r = run(wx().args([
        "verify-signature",
        "--raw-data",
        s(sv, "/rawData"),
        "--signature",
        &upper,
        "--session-key",
        s(sv, "/session_key"),
    ]));
    assert_eq!(r.code, 0);
}

#[test]
fn signature_mismatch_shows_expected_and_given_and_the_likely_cause() {
    let v = vectors();
    let sv = &v["signature_official"];
    let raw: Value = serde_json::from_str(s(sv, "/rawData")).unwrap();
    let pretty = serde_json::to_string_pretty(&raw).unwrap();
    let r = run(wx().arg("--json").args([
        "verify-signature",
        "--raw-data",
        &pretty,
        "--signature",
        s(sv, "/signature"),
        "--session-key",
        s(sv, "/session_key"),
    ]));
    assert_eq!(r.code, 1);
    let doc = r.json();
    assert_eq!(doc["ok"], json!(false));
    assert_eq!(doc["error"]["kind"], json!("signature"));
    assert_eq!(doc["error"]["given"], json!(s(sv, "/signature")));
    assert_eq!(doc["error"]["expected"].as_str().unwrap().len(), 40);
    assert!(
        doc["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("re-serialised")
    );

    // A rotated key: nothing about rawData explains it.
    let r = run(wx().args([
        "verify-signature",
        "--raw-data",
        s(sv, "/rawData"),
        "--signature",
        s(sv, "/signature"),
        "--session-key",
        "tiihtNczf5v6AKRyjwEUhQ==",
    ]));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("expected") && r.stderr.contains("given"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("wx.login"), "{}", r.stderr);
}

#[test]
fn signature_that_is_not_40_hex_is_bad_input() {
    for bad in [
        "",
        "xyz",
        "75e81ceda165f4ffa64f4068af58c64b8f54b88",
        "zz5e81ceda165f4ffa64f4068af58c64b8f54b88c",
    ] {
        let r = run(wx().arg("--json").args([
            "verify-signature",
            "--raw-data",
            "{}",
            "--signature",
            bad,
            "--session-key",
            "HyVFkGl5F5OQWJZZaNzBBg==",
        ]));
        assert_eq!(r.code, 3, "{bad:?}");
        assert_eq!(r.json()["error"]["field"], json!("signature"));
    }
}

#[test]
fn verify_takes_files_stdin_and_captures() {
    let v = vectors();
    let sv = &v["signature_official"];
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.json");
    std::fs::write(&raw, s(sv, "/rawData")).unwrap();
    let r = run(wx()
        .args(["verify-signature", "--signature", s(sv, "/signature")])
        .args(["--session-key", s(sv, "/session_key"), "--raw-data"])
        .arg(format!("@{}", raw.display())));
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = run(wx()
        .args([
            "verify-signature",
            "--raw-data",
            "-",
            "--signature",
            s(sv, "/signature"),
        ])
        .args(["--session-key", s(sv, "/session_key")])
        .write_stdin(s(sv, "/rawData")));
    assert_eq!(r.code, 0, "{}", r.stderr);

    let cap = dir.path().join("cap.json");
    std::fs::write(
        &cap,
        json!({"detail": {"rawData": s(sv, "/rawData"), "signature": s(sv, "/signature")}})
            .to_string(),
    )
    .unwrap();
    let r = run(wx()
        .args([
            "verify-signature",
            "--session-key",
            s(sv, "/session_key"),
            "--from",
        ])
        .arg(&cap));
    assert_eq!(r.code, 0, "{}", r.stderr);

    // A capture whose rawData was parsed into an object has lost the signed bytes.
    std::fs::write(
        &cap,
        json!({"rawData": {"nickName": "Band"}, "signature": s(sv, "/signature")}).to_string(),
    )
    .unwrap();
    let r = run(wx()
        .args([
            "verify-signature",
            "--session-key",
            s(sv, "/session_key"),
            "--from",
        ])
        .arg(&cap));
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("rawData"), "{}", r.stderr);

    // Invalid JSON capture.
    std::fs::write(&cap, "{\"rawData\": ").unwrap();
    let r = run(wx()
        .arg("--json")
        .args([
            "verify-signature",
            "--session-key",
            s(sv, "/session_key"),
            "--from",
        ])
        .arg(&cap));
    assert_eq!(r.code, 3);
    assert_eq!(r.json()["error"]["kind"], json!("input"));
}

#[test]
fn stdin_can_feed_only_one_value() {
    let r = run(wx().args(decrypt_args("-", "-", "AAAA")).write_stdin("x"));
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("stdin"), "{}", r.stderr);
}

#[test]
fn session_key_never_appears_in_any_output() {
    let (key, iv, data, _) = official();
    let v = vectors();
    let sv = &v["signature_official"];
    let w = &v["wrong_key"];
    let runs: Vec<Vec<String>> = vec![
        decrypt_args(&key, &iv, &data),
        decrypt_args(&key, &iv, &data[..40]),
        decrypt_args(s(w, "/session_key"), s(w, "/iv"), s(w, "/encryptedData")),
        decrypt_args(&key.replace('=', ""), &iv, &data),
        vec![
            "verify-signature".into(),
            "--raw-data".into(),
            "{\"a\":1}".into(),
            "--signature".into(),
            s(sv, "/signature").into(),
            "--session-key".into(),
            s(sv, "/session_key").into(),
        ],
    ];
    for args in runs {
        for json_mode in [false, true] {
            for verbose in [false, true] {
                let mut cmd = wx();
                if json_mode {
                    cmd.arg("--json");
                }
                if verbose {
                    cmd.arg("-v");
                }
                let r = run(cmd.args(&args));
                for secret in [
                    key.as_str(),
                    s(sv, "/session_key"),
                    s(w, "/session_key"),
                    &key.replace('=', ""),
                ] {
                    assert!(!r.stdout.contains(secret), "{args:?} leaked in stdout");
                    assert!(!r.stderr.contains(secret), "{args:?} leaked in stderr");
                }
            }
        }
    }
}

#[test]
fn json_mode_prints_one_document_for_usage_errors_too() {
    let r = run(wx().args(["--json", "decrypt", "--iv", "x"]));
    assert_eq!(r.code, 2);
    assert_eq!(r.json()["error"]["kind"], json!("usage"));
    let r = run(wx().args(["decrypt", "--no-such-flag"]));
    assert_eq!(r.code, 2);
}

#[test]
fn colour_follows_flag_and_no_color() {
    let v = vectors();
    let w = &v["wrong_key"];
    let args = decrypt_args(s(w, "/session_key"), s(w, "/iv"), s(w, "/encryptedData"));
    let r = run(wx().args(["--color", "always"]).args(&args));
    assert!(
        r.stderr.contains("\u{1b}["),
        "colour requested: {:?}",
        r.stderr
    );
    let r = run(wx().args(["--color", "never"]).args(&args));
    assert!(!r.stderr.contains("\u{1b}["));
    // Not a terminal: plain by default.
    let r = run(wx().args(&args));
    assert!(!r.stderr.contains("\u{1b}["));
    let r = run(wx().env("NO_COLOR", "1").args(&args));
    assert!(!r.stderr.contains("\u{1b}["));
}

#[test]
fn help_lists_exit_codes_and_environment() {
    let r = run(wx().arg("--help"));
    assert_eq!(r.code, 0);
    for needle in [
        "Exit codes",
        "3  bad input",
        "5  transport",
        "WXLOGIN_APPID",
        "NO_COLOR",
    ] {
        assert!(r.stdout.contains(needle), "--help lacks {needle}");
    }
}

#[test]
fn quiet_silences_warnings() {
    let (key, iv, data, _) = official();
    let r = run(wx()
        .arg("-q")
        .args(decrypt_args(&key, &iv, &data.replace('+', " "))));
    assert_eq!(r.code, 0);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

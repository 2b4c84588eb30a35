//! A table of hostile inputs for the offline commands: each gets its exact exit code, a
//! one-line error naming the field, and in `--json` mode exactly one JSON document. No panics.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run, s, vectors, wx};
use serde_json::json;

struct Case {
    name: &'static str,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    code: i32,
    /// Text the one-line error must contain (the field it blames).
    names: &'static str,
}

fn cases(dir: &std::path::Path) -> Vec<Case> {
    let v = vectors();
    let key = s(&v, "/decrypt_official/session_key").to_string();
    let iv = s(&v, "/decrypt_official/iv").to_string();
    let data = s(&v, "/decrypt_official/encryptedData").to_string();
    let raw = s(&v, "/signature_official/rawData").to_string();
    let sig = s(&v, "/signature_official/signature").to_string();
    let skey = s(&v, "/signature_official/session_key").to_string();

    let file = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        format!("@{}", p.display())
    };
    let path = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let huge = "A".repeat(4 * 1024 * 1024);
    let dec = |k: &str, i: &str, d: &str| -> Vec<String> {
        [
            "decrypt",
            "--session-key",
            k,
            "--iv",
            i,
            "--encrypted-data",
            d,
        ]
        .iter()
        .map(|x| x.to_string())
        .collect()
    };
    let ver = |r: &str, sg: &str, k: &str| -> Vec<String> {
        [
            "verify-signature",
            "--raw-data",
            r,
            "--signature",
            sg,
            "--session-key",
            k,
        ]
        .iter()
        .map(|x| x.to_string())
        .collect()
    };
    let from = |cmd: &str, k: &str, p: String| -> Vec<String> {
        vec![
            cmd.into(),
            "--session-key".into(),
            k.into(),
            "--from".into(),
            p,
        ]
    };
    let mut bom_crlf = b"\xEF\xBB\xBF".to_vec();
    bom_crlf.extend_from_slice(
        json!({"detail": {"encryptedData": data, "iv": iv}})
            .to_string()
            .as_bytes(),
    );
    bom_crlf.extend_from_slice(b"\r\n");

    vec![
        Case {
            name: "empty key",
            args: dec("", &iv, &data),
            stdin: None,
            code: 3,
            names: "session_key",
        },
        Case {
            name: "empty iv",
            args: dec(&key, "", &data),
            stdin: None,
            code: 3,
            names: "iv",
        },
        Case {
            name: "empty data",
            args: dec(&key, &iv, ""),
            stdin: None,
            code: 3,
            names: "encryptedData",
        },
        Case {
            name: "huge data file",
            args: dec(&key, &iv, &file("huge", huge.as_bytes())),
            stdin: None,
            code: 1,
            names: "session_key",
        },
        Case {
            name: "binary data file",
            args: dec(&key, &iv, &file("bin", &[0, 159, 146, 150, 255, 0, 1])),
            stdin: None,
            code: 3,
            names: "encryptedData",
        },
        Case {
            name: "invalid UTF-8 key on stdin",
            args: dec("-", &iv, &data),
            stdin: Some(vec![0xff, 0xfe, 0x41]),
            code: 3,
            names: "session_key",
        },
        Case {
            name: "key of 15 bytes",
            args: dec("AAAAAAAAAAAAAAAAAAAA", &iv, &data),
            stdin: None,
            code: 3,
            names: "session_key",
        },
        Case {
            name: "key of 32 bytes",
            args: dec(&format!("{}{}", &key[..22], &key), &iv, &data),
            stdin: None,
            code: 3,
            names: "session_key",
        },
        Case {
            name: "iv of 12 bytes",
            args: dec(&key, "AAAAAAAAAAAAAAAA", &data),
            stdin: None,
            code: 3,
            names: "iv",
        },
        Case {
            name: "data not whole blocks",
            args: dec(&key, &iv, &data[..data.len() - 4]),
            stdin: None,
            code: 3,
            names: "encryptedData",
        },
        Case {
            name: "data is an emoji",
            args: dec(&key, &iv, "🙂"),
            stdin: None,
            code: 3,
            names: "encryptedData",
        },
        Case {
            name: "missing file",
            args: dec(&key, &iv, "@/no/such/file"),
            stdin: None,
            code: 3,
            names: "encryptedData",
        },
        Case {
            name: "directory as file",
            args: dec(&key, &iv, &format!("@{}", dir.display())),
            stdin: None,
            code: 3,
            names: "encryptedData",
        },
        Case {
            name: "truncated capture JSON",
            args: from(
                "decrypt",
                &key,
                path("trunc.json", b"{\"encryptedData\": \"CiyL"),
            ),
            stdin: None,
            code: 3,
            names: "--from",
        },
        Case {
            name: "capture without iv",
            args: from(
                "decrypt",
                &key,
                path("noiv.json", br#"{"detail":{"encryptedData":"AAAA"}}"#),
            ),
            stdin: None,
            code: 3,
            names: "iv",
        },
        Case {
            name: "capture is an array",
            args: from("decrypt", &key, path("arr.json", b"[]")),
            stdin: None,
            code: 3,
            names: "--from",
        },
        Case {
            name: "capture binary",
            args: from("decrypt", &key, path("bin.json", &[0xff, 0x00, 0x7b])),
            stdin: None,
            code: 3,
            names: "--from",
        },
        Case {
            name: "capture with BOM and CRLF, nested detail",
            args: from("decrypt", &key, path("bom.json", &bom_crlf)),
            stdin: None,
            code: 0,
            names: "",
        },
        Case {
            name: "capture iv is a number",
            args: from(
                "decrypt",
                &key,
                path("num.json", br#"{"encryptedData":"AAAA","iv":5}"#),
            ),
            stdin: None,
            code: 3,
            names: "iv",
        },
        Case {
            name: "empty signature",
            args: ver(&raw, "", &skey),
            stdin: None,
            code: 3,
            names: "signature",
        },
        Case {
            name: "signature of base64",
            args: ver(&raw, &iv, &skey),
            stdin: None,
            code: 3,
            names: "signature",
        },
        Case {
            name: "verify key too short",
            args: ver(&raw, &sig, "abcd"),
            stdin: None,
            code: 3,
            names: "session_key",
        },
        Case {
            name: "verify huge rawData file",
            args: ver(&file("hugeraw", huge.as_bytes()), &sig, &skey),
            stdin: None,
            code: 1,
            names: "signature",
        },
        Case {
            name: "verify rawData invalid UTF-8",
            args: ver(&file("badraw", &[0x7b, 0xff, 0x7d]), &sig, &skey),
            stdin: None,
            code: 3,
            names: "rawData",
        },
        Case {
            name: "verify rawData with CRLF",
            args: ver(&format!("{raw}\r\n"), &sig, &skey),
            stdin: None,
            code: 1,
            names: "whitespace",
        },
        Case {
            name: "verify capture with rawData object",
            args: from(
                "verify-signature",
                &skey,
                path("obj.json", br#"{"rawData":{},"signature":"x"}"#),
            ),
            stdin: None,
            code: 3,
            names: "rawData",
        },
        Case {
            name: "verify empty capture file",
            args: from("verify-signature", &skey, path("empty.json", b"")),
            stdin: None,
            code: 3,
            names: "--from",
        },
    ]
}

#[test]
fn every_hostile_input_gets_its_exit_code_and_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    for case in cases(dir.path()) {
        for json_mode in [false, true] {
            let mut cmd = wx();
            if json_mode {
                cmd.arg("--json");
            }
            cmd.args(&case.args);
            if let Some(bytes) = &case.stdin {
                cmd.write_stdin(bytes.clone());
            }
            let r = run(&mut cmd);
            assert_eq!(
                r.code, case.code,
                "{} (json={json_mode}): {}{}",
                case.name, r.stdout, r.stderr
            );
            if json_mode {
                let doc = r.json();
                assert_eq!(doc["ok"], json!(case.code == 0), "{}", case.name);
                if case.code != 0 {
                    let text = doc["error"].to_string();
                    assert!(text.contains(case.names), "{}: {text}", case.name);
                }
            } else if case.code != 0 {
                let errors: Vec<&str> = r.stderr.lines().filter(|l| l.contains("error:")).collect();
                assert_eq!(errors.len(), 1, "{}: {}", case.name, r.stderr);
                assert!(
                    errors[0].contains(case.names),
                    "{}: {}",
                    case.name,
                    errors[0]
                );
            }
        }
    }
}

/// The same discipline for the other commands: flags, files and flows that cannot work fail at
/// once, offline, with their exit code and one line naming what was wrong.
#[test]
fn other_commands_reject_hostile_input() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let binary = write("bin.dat", &[0xff, 0xfe, 0x00, 0x41]);
    let secret = write("secret.txt", b"0123456789abcdef0123456789abcdef\r\n");
    let truncated_flow = write("flow.toml", b"appid = \"wx1\"\n[[steps]]\nwx = \"login");
    let bom_crlf_flow = write(
        "bom.toml",
        b"\xEF\xBB\xBFbackend = \"http://127.0.0.1:1\"\r\nappid = \"wx1\"\r\n[[steps]]\r\npost = \"/x\"\r\njson = { code = \"{{cod}}\" }\r\n",
    );
    let batch_missing = dir.path().join("missing.jsonl").display().to_string();
    let off = "http://127.0.0.1:1";
    let binary_at = format!("@{binary}");
    let table: Vec<(&str, Vec<&str>, i32, &str)> = vec![
        (
            "empty code",
            vec![
                "code2session",
                "--code",
                "",
                "--appid",
                "wx1",
                "--secret-file",
                &secret,
                "--base-url",
                off,
            ],
            3,
            "--code",
        ),
        (
            "binary secret file",
            vec![
                "code2session",
                "--code",
                "c",
                "--appid",
                "wx1",
                "--secret-file",
                &binary,
                "--base-url",
                off,
            ],
            3,
            "secret",
        ),
        (
            "missing secret file",
            vec![
                "code2session",
                "--code",
                "c",
                "--appid",
                "wx1",
                "--secret-file",
                "/no/such",
                "--base-url",
                off,
            ],
            3,
            "--secret-file",
        ),
        (
            "base URL not a URL",
            vec![
                "code2session",
                "--code",
                "c",
                "--appid",
                "wx1",
                "--secret-file",
                &secret,
                "--base-url",
                "not a url",
            ],
            3,
            "base URL",
        ),
        (
            "plain http off loopback",
            vec![
                "code2session",
                "--code",
                "c",
                "--appid",
                "wx1",
                "--secret-file",
                &secret,
                "--base-url",
                "http://example.com",
            ],
            3,
            "base URL",
        ),
        (
            "no secret, no terminal",
            vec![
                "code2session",
                "--code",
                "c",
                "--appid",
                "wx1",
                "--base-url",
                off,
            ],
            3,
            "appsecret",
        ),
        (
            "check-session bad key",
            vec![
                "check-session",
                "--openid",
                "o",
                "--session-key",
                "xyz",
                "--access-token",
                "t",
                "--base-url",
                off,
            ],
            3,
            "session_key",
        ),
        (
            "check-session binary key file",
            vec![
                "check-session",
                "--openid",
                "o",
                "--session-key",
                &binary_at,
                "--access-token",
                "t",
                "--base-url",
                off,
            ],
            3,
            "session_key",
        ),
        ("explain not a number", vec!["explain", "abc"], 3, "ERRCODE"),
        (
            "explain huge number",
            vec!["explain", "99999999999999999999999"],
            3,
            "ERRCODE",
        ),
        (
            "explain truncated JSON",
            vec!["explain", "{\"errcode\": 4"],
            3,
            "ERRCODE",
        ),
        (
            "simulate missing flow",
            vec!["simulate", "/no/such/flow.toml"],
            3,
            "FLOW",
        ),
        ("simulate binary flow", vec!["simulate", &binary], 3, "FLOW"),
        (
            "simulate truncated flow",
            vec!["simulate", &truncated_flow],
            3,
            "line",
        ),
        (
            "simulate BOM+CRLF flow with an undefined name",
            vec!["simulate", &bom_crlf_flow],
            3,
            "{{cod}}",
        ),
        (
            "mock-server app without secret",
            vec!["mock-server", "--port", "0", "--app", "nocolon"],
            2,
            "--app",
        ),
        (
            "mock-server binary state",
            vec!["mock-server", "--port", "0", "--state", &binary],
            3,
            "--state",
        ),
        (
            "batch input missing",
            vec!["decrypt", "--batch", &batch_missing],
            3,
            "--batch",
        ),
        (
            "verify batch input missing",
            vec!["verify-signature", "--batch", &batch_missing],
            3,
            "--batch",
        ),
        ("unknown shell", vec!["completions", "nosh"], 2, "nosh"),
    ];
    for (name, args, code, names) in table {
        for json_mode in [false, true] {
            let mut cmd = wx();
            if json_mode {
                cmd.arg("--json");
            }
            let r = run(cmd.args(&args).write_stdin(""));
            assert_eq!(
                r.code, code,
                "{name} (json={json_mode}): {}{}",
                r.stdout, r.stderr
            );
            if json_mode {
                let doc = r.json();
                assert_eq!(doc["ok"], json!(false), "{name}");
                assert!(doc["error"].to_string().contains(names), "{name}: {doc}");
            } else if code != 2 {
                let errors: Vec<&str> = r.stderr.lines().filter(|l| l.contains("error:")).collect();
                assert_eq!(errors.len(), 1, "{name}: {}", r.stderr);
                assert!(errors[0].contains(names), "{name}: {}", errors[0]);
            }
        }
    }
}

/// Batch input that is hostile line by line: every bad line is reported on its own line, every
/// good one processed, in order; a BOM and CRLF line ends are tolerated.
#[test]
fn batch_reports_every_bad_line_and_processes_every_good_one() {
    let v = vectors();
    let good = json!({
        "id": "good",
        "session_key": s(&v, "/decrypt_official/session_key"),
        "iv": s(&v, "/decrypt_official/iv"),
        "encryptedData": s(&v, "/decrypt_official/encryptedData"),
    })
    .to_string();
    let mut input = b"\xEF\xBB\xBF".to_vec();
    let lines: Vec<Vec<u8>> = vec![
        good.clone().into_bytes(),
        b"{\"id\":\"trunc\",\"session_key\":\"ti".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x7b],
        good.clone().into_bytes(),
        b"{\"id\":\"nokey\",\"iv\":\"AAAA\",\"encryptedData\":\"AAAA\"}".to_vec(),
        b"[1,2,3]".to_vec(),
        b"{\"id\":\"short\",\"session_key\":\"AAAA\",\"iv\":\"AAAA\",\"encryptedData\":\"AAAA\"}"
            .to_vec(),
        good.into_bytes(),
    ];
    for line in &lines {
        input.extend_from_slice(line);
        input.extend_from_slice(b"\r\n");
    }
    for json_mode in [false, true] {
        let mut cmd = wx();
        if json_mode {
            cmd.arg("--json");
        }
        let r = run(cmd
            .args(["decrypt", "--batch", "-"])
            .write_stdin(input.clone()));
        assert_eq!(r.code, 1, "{}", r.stderr);
        let results: Vec<serde_json::Value> = r
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
            .collect();
        assert_eq!(results.len(), lines.len(), "one result per input line");
        let ok: Vec<bool> = results.iter().map(|r| r["ok"] == json!(true)).collect();
        assert_eq!(ok, [true, false, false, true, false, false, false, true]);
        for (i, r) in results.iter().enumerate() {
            assert_eq!(r["line"], json!(i + 1), "order kept");
            if r["ok"] == json!(false) {
                assert_eq!(r["error"]["kind"], json!("input"), "{r}");
            }
        }
    }
}

/// Issue 11: `wxlogin explain $'\xff'` used to panic (exit 101) when --json was absent, since
/// argv was read as UTF-8. A non-UTF-8 argument is a usage error: exit 2, one line, no panic.
#[cfg(unix)]
#[test]
fn a_non_utf8_argument_is_a_usage_error_not_a_panic() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let bad = OsStr::from_bytes(b"\xff");
    let out = run(wx().arg("explain").arg(bad));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.contains("UTF-8"), "{}", out.stderr);
    assert!(out.stdout.is_empty());

    let out = run(wx().args(["--json", "explain"]).arg(bad));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let doc = out.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["error"]["kind"], "usage");
}

/// Issue 11: the base64 repair is one linear pass; a 1 MiB run of backslashes before a '/'
/// used to take a pass per backslash. Now it is repaired at once, to the right value.
#[test]
fn a_one_mib_backslash_run_in_a_flag_value_is_handled_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let v = vectors();
    let data = s(&v, "/decrypt_official/encryptedData");
    let slash = data.find('/').expect("the vector has a '/'");
    let run_ = "\\".repeat(1 << 20);
    let mangled = format!("{}{run_}{}", &data[..slash], &data[slash..]);
    let file = dir.path().join("data");
    std::fs::write(&file, &mangled).unwrap();
    let out = run(wx().args([
        "--json",
        "decrypt",
        "--session-key",
        s(&v, "/decrypt_official/session_key"),
        "--iv",
        s(&v, "/decrypt_official/iv"),
        "--encrypted-data",
        &format!("@{}", file.display()),
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = out.json();
    assert_eq!(doc["ok"], true);
    assert!(
        doc["warnings"][0].as_str().unwrap().contains("'\\/'"),
        "{doc}"
    );
}

/// Issue 11: a value file was read whole whatever its size, so `@/dev/zero` (or a huge file)
/// grew memory until the machine gave out. It is read up to the limit and refused with exit 3.
#[test]
fn a_value_from_an_endless_file_is_refused_at_the_read_limit() {
    for field in ["--session-key", "--iv", "--encrypted-data"] {
        let mut args = vec![
            "decrypt",
            "--session-key",
            "AAAAAAAAAAAAAAAAAAAAAA==",
            "--iv",
            "AAAAAAAAAAAAAAAAAAAAAA==",
            "--encrypted-data",
            "AAAAAAAAAAAAAAAAAAAAAA==",
        ];
        let at = args.iter().position(|a| *a == field).unwrap();
        args[at + 1] = "@/dev/zero";
        let out = run(wx().args(&args));
        assert_eq!(out.code, 3, "{field}: {}", out.stderr);
        assert!(out.stderr.contains("more than 8 MiB"), "{}", out.stderr);
        assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    }
    let out = run(wx().args([
        "verify-signature",
        "--session-key",
        "AAAAAAAAAAAAAAAAAAAAAA==",
        "--from",
        "/dev/zero",
    ]));
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("more than 8 MiB"), "{}", out.stderr);
}

/// Every other file read whole (the appsecret file, the config file, the sessions store, a
/// flow file, the mock's `--state`) was read to its end whatever it was, so a link to
/// `/dev/zero` grew memory by gigabytes a second. Each is now read to a limit, or (`--state`,
/// which only a regular file can be) refused by its type: exit 3 and one line naming it.
#[test]
fn a_file_read_whole_is_bounded_when_it_is_an_endless_source() {
    let dir = tempfile::tempdir().unwrap();
    let link = |name: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        path
    };
    let secret = link("secret");
    link("config/wxlogin/config.toml");
    link("state/wxlogin/sessions.json");
    let state = link("mock-state.json");
    let code2session = |cmd: &mut assert_cmd::Command| {
        cmd.args([
            "code2session",
            "--appid",
            "wx1234567890abcdef",
            "--code",
            "0a1b2c",
            "--base-url",
            "http://127.0.0.1:9",
        ]);
    };

    let refused = |out: common::Run, says: &str| {
        assert_eq!(out.code, 3, "{says}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{}", out.stderr);
        assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    };

    let mut cmd = wx();
    code2session(&mut cmd);
    refused(
        run(cmd.arg("--secret-file").arg(&secret)),
        "secret holds more than 64 KiB",
    );

    let mut cmd = wx();
    code2session(cmd.env("XDG_CONFIG_HOME", dir.path().join("config")));
    refused(
        run(cmd.env("WXLOGIN_SECRET", "0123456789abcdef0123456789abcdef")),
        "config.toml holds more than 1 MiB",
    );

    refused(
        run(wx()
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .arg("sessions")),
        "sessions.json holds more than 8 MiB",
    );

    refused(
        run(wx().args(["simulate", "/dev/zero"])),
        "/dev/zero holds more than 1 MiB",
    );

    refused(
        run(wx()
            .args(["mock-server", "--port", "0", "--state"])
            .arg(&state)),
        "mock-state.json is not a regular file",
    );
}

/// An error echoing the value it refuses (a flow's unknown `wx`, a server's errmsg) printed it
/// whole: a 900 KB line for a 900 KB value. Messages and hints are now cut in the middle past
/// 1 KiB, saying how much was left out, in the human line and the `--json` document alike.
#[test]
fn an_error_echoing_a_huge_value_stays_one_short_line() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("flow.toml");
    let value = "x".repeat(900_000);
    std::fs::write(
        &flow,
        format!(
            "backend = \"http://127.0.0.1:9\"\nappid = \"wx1234567890abcdef\"\n\
             [[steps]]\nwx = \"{value}\"\n"
        ),
    )
    .unwrap();
    let out = run(wx().args(["simulate", "--mock-port", "0"]).arg(&flow));
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.len() < 4_096, "{} bytes", out.stderr.len());
    assert!(
        out.stderr.contains("bytes left out]"),
        "{}",
        &out.stderr[..200]
    );
    assert!(out.stderr.contains("is not a wx action"), "{}", out.stderr);

    let out = run(wx()
        .args(["--json", "simulate", "--mock-port", "0"])
        .arg(&flow));
    assert_eq!(out.code, 3);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(message.len() < 2_048, "{} bytes", message.len());
    assert!(message.contains("is not a wx action"), "{message}");
}

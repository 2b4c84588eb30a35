//! `decrypt --batch` and `verify-signature --batch`, run through the real binary: order,
//! every kind of bad line, exit codes, output destinations and the official vectors.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

mod common;

use assert_cmd::Command;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::vectors;
use serde_json::{Value, json};
use wxlogin::core::batch::{self, Scratch};
use wxlogin::core::crypto;

/// Counts the allocations of the current thread, to pin down "no allocation per record".
struct CountingAlloc;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: forwards every call to the system allocator unchanged; it only counts.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

const APPID: &str = "wx4f4bc4dec97d474b";

/// The shared clean binary, with `CI` set so no progress bar is drawn.
fn wxlogin() -> Command {
    let mut cmd = common::wx();
    cmd.env("CI", "1");
    cmd
}

/// Keys and iv derived from `n`, so every record differs and the test is reproducible.
fn key_iv(n: u32) -> ([u8; 16], [u8; 16]) {
    let mut key = [0u8; 16];
    let mut iv = [0u8; 16];
    for i in 0..16 {
        key[i] = (n.wrapping_mul(2654435761).rotate_left(i as u32) ^ i as u32) as u8;
        iv[i] = (n.wrapping_mul(40503).rotate_right(i as u32) + 7 * i as u32) as u8;
    }
    (key, iv)
}

fn plaintext(n: u32, appid: &str) -> String {
    json!({
        "openId": format!("oGZUI0egBJY1zhBYw2Kh{n:08}"),
        "nickName": format!("小明🙂{n}"),
        "gender": n % 3,
        "city": "Guangzhou",
        "avatarUrl": "http://wx.qlogo.cn/mmopen/vi_32/abc/0",
        "watermark": {"timestamp": 1_700_000_000 + n, "appid": appid},
    })
    .to_string()
}

/// A decrypt record for user `n`, with extra fields merged in.
fn record(n: u32, appid: &str, extra: Value) -> Value {
    let (key, iv) = key_iv(n);
    let ct = crypto::encrypt(&key, &iv, plaintext(n, appid).as_bytes());
    let mut rec = json!({
        "id": n,
        "session_key": STANDARD.encode(key),
        "iv": STANDARD.encode(iv),
        "encryptedData": STANDARD.encode(ct),
    });
    if let (Value::Object(r), Value::Object(e)) = (&mut rec, extra) {
        r.extend(e);
    }
    rec
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn batch_input(records: &[String]) -> Vec<u8> {
    let mut input = records.join("\n").into_bytes();
    input.push(b'\n');
    input
}

#[test]
fn order_is_kept_with_one_and_four_jobs() {
    let records: Vec<String> = (1..=3000u32)
        .map(|n| {
            if n.is_multiple_of(97) {
                format!("{{\"id\":{n},\"iv\":\"broken")
            } else {
                record(n, APPID, json!({})).to_string()
            }
        })
        .collect();
    let input = batch_input(&records);
    let mut outputs = Vec::new();
    for jobs in ["1", "4"] {
        let out = wxlogin()
            .args(["decrypt", "--appid", APPID, "--jobs", jobs, "--batch", "-"])
            .write_stdin(input.clone())
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let results = lines(&out);
        assert_eq!(results.len(), 3000);
        for (i, r) in results.iter().enumerate() {
            let n = i as u64 + 1;
            assert_eq!(r["line"], n);
            if n.is_multiple_of(97) {
                assert_eq!(r["ok"], false);
                assert_eq!(r["error"]["kind"], "input");
            } else {
                assert_eq!(r["id"], n, "{r}");
                assert_eq!(r["ok"], true, "{r}");
                assert_eq!(r["data"]["nickName"], format!("小明🙂{n}"));
            }
        }
        outputs.push(out);
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn many_tiny_lines_stay_in_order() {
    // Far more lines than one chunk holds.
    let input: String = (0..20_000).map(|i| format!("{{\"id\":{i}}}\n")).collect();
    let out = wxlogin()
        .args(["decrypt", "--jobs", "2", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let results = lines(&out);
    assert_eq!(results.len(), 20_000);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["line"], i as u64 + 1);
        assert_eq!(r["id"], i as u64);
        assert_eq!(r["ok"], false);
    }
}

#[test]
fn every_bad_line_is_reported_and_the_good_ones_still_decrypt() {
    let v = vectors();
    let wrong = &v["wrong_key"];
    let good = |n| record(n, APPID, json!({})).to_string();
    let mut input: Vec<u8> = Vec::new();
    let mut push = |line: &[u8]| {
        input.extend_from_slice(line);
        input.push(b'\n');
    };
    // 1: a BOM before the first record is not part of it.
    push(&[b"\xEF\xBB\xBF".as_slice(), good(1).as_bytes()].concat());
    push(b"{\"id\":2,\"session_key\":"); // 2: invalid JSON
    push(
        json!({"id": 3, "iv": "AAAAAAAAAAAAAAAAAAAAAA=="})
            .to_string()
            .as_bytes(),
    ); // 3: missing fields
    push(
        record(4, APPID, json!({"encryptedData": "not base64!"}))
            .to_string()
            .as_bytes(),
    ); // 4
    push(
        json!({"id": 5, "session_key": wrong["session_key"], "iv": wrong["iv"],
               "encryptedData": wrong["encryptedData"]})
        .to_string()
        .as_bytes(),
    ); // 5: wrong key
    push(b"{\"id\":6,\"iv\":\"\xff\xfe\"}"); // 6: invalid UTF-8
    push(format!("{}\r", good(7)).as_bytes()); // 7: CRLF
    push(b""); // 8: blank, skipped
    push(good(9).as_bytes());
    push(b"[1,2,3]"); // 10: not an object
    push(
        json!({"id": 11, "session_key": 5, "iv": "x", "encryptedData": "y"})
            .to_string()
            .as_bytes(),
    );
    push(
        record(12, "wxsomeoneelse", json!({}))
            .to_string()
            .as_bytes(),
    ); // 12: watermark
    push(
        record(13, APPID, json!({"iv": "AAAA"}))
            .to_string()
            .as_bytes(),
    ); // 13: short iv
    push(&vec![b'x'; 5 * 1024 * 1024]); // 14: overlong line
    push(good(15).as_bytes());
    let out = wxlogin()
        .args(["decrypt", "--appid", APPID, "--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let results = lines(&out.stdout);
    let by_line = |n: u64| {
        results
            .iter()
            .find(|r| r["line"] == n)
            .unwrap_or_else(|| panic!("no result for line {n}"))
    };
    assert_eq!(results.len(), 14, "the blank line has no result");
    for n in [1, 7, 9, 15] {
        let r = by_line(n);
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["watermark"], "match");
        assert_eq!(r["data"]["watermark"]["appid"], APPID);
    }
    let kind = |n: u64| by_line(n)["error"]["kind"].as_str().unwrap().to_string();
    for (n, k, needle) in [
        (2, "input", "not valid JSON"),
        (3, "input", "missing fields session_key, encryptedData"),
        (4, "input", "encryptedData: not valid base64"),
        (5, "decrypt", "wrong session_key"),
        (6, "input", "not UTF-8"),
        (10, "input", "not an object"),
        (11, "input", "expected a string"),
        (12, "watermark", "expected wx4f4bc4dec97d474b"),
        (13, "input", "iv: decodes to 3 bytes"),
        (14, "input", "longer than the 4 MiB limit"),
    ] {
        assert_eq!(kind(n), k, "line {n}");
        let r = by_line(n);
        assert_eq!(r["ok"], false);
        let message = r["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "line {n}: {message}");
        assert!(!r["error"]["hint"].as_str().unwrap().is_empty(), "line {n}");
    }
    assert_eq!(by_line(5)["id"], 5, "id echoed on failures");
    assert_eq!(
        by_line(11)["id"],
        11,
        "id salvaged from a record of the wrong shape"
    );
    assert_eq!(by_line(12)["data"]["watermark"]["appid"], "wxsomeoneelse");
    // No secret in anything printed.
    let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
    let text = String::from_utf8_lossy(&all);
    assert!(!text.contains(wrong["session_key"].as_str().unwrap()));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("4 ok, 10 failed (input 8, decrypt 1, watermark 1)"),
        "{stderr}"
    );
    assert!(stderr.contains("1 blank line skipped"), "{stderr}");
}

#[test]
fn repaired_base64_warns_and_strict_refuses() {
    let rec = record(1, APPID, json!({}));
    let key = rec["session_key"].as_str().unwrap().to_string();
    let mangled = record(
        1,
        APPID,
        json!({
            "session_key": key.trim_end_matches('='),
            "encryptedData": rec["encryptedData"].as_str().unwrap().replace('+', " "),
        }),
    );
    let input = format!("{mangled}\n");
    let out = wxlogin()
        .args(["decrypt", "--batch", "-"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r = &lines(&out)[0];
    assert_eq!(r["ok"], true);
    assert_eq!(r["watermark"], "unchecked");
    let warnings = r["warnings"].to_string();
    assert!(
        warnings.contains("session_key: 2 missing '=' padding"),
        "{warnings}"
    );
    assert!(
        !rec["encryptedData"].as_str().unwrap().contains('+') || warnings.contains("read as '+'"),
        "{warnings}"
    );
    let out = wxlogin()
        .args(["decrypt", "--strict", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let r = &lines(&out)[0];
    assert_eq!(r["error"]["kind"], "input");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not canonical base64")
    );
}

#[test]
fn exit_codes_zero_one_three() {
    let good = format!("{}\n", record(1, APPID, json!({})));
    wxlogin()
        .args(["decrypt", "--appid", APPID, "--batch", "-"])
        .write_stdin(good.clone())
        .assert()
        .code(0);
    wxlogin()
        .args(["decrypt", "--appid", "wxother", "--batch", "-"])
        .write_stdin(good)
        .assert()
        .code(1);
    let missing = wxlogin()
        .args(["decrypt", "--batch", "/nonexistent/records.jsonl"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such file"));
    let dir = tempfile::tempdir().unwrap();
    wxlogin()
        .args(["verify-signature", "--batch"])
        .arg(dir.path())
        .assert()
        .code(3);
    wxlogin()
        .args(["--json", "decrypt", "--batch", "/nonexistent/records.jsonl"])
        .assert()
        .code(3)
        .stdout(predicates::str::contains("\"kind\":\"input\""));
    // An empty input is bad input (an empty export must not pass CI), unless allowed.
    wxlogin()
        .args(["decrypt", "--batch", "-"])
        .write_stdin("")
        .assert()
        .code(3)
        .stdout("");
    wxlogin()
        .args(["decrypt", "--batch", "-", "--allow-empty"])
        .write_stdin("")
        .assert()
        .code(0)
        .stdout("");
    wxlogin()
        .args(["decrypt", "--jobs", "0", "--batch", "-"])
        .write_stdin("")
        .assert()
        .code(2);
}

#[test]
fn output_file_and_input_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let output = dir.path().join("out.jsonl");
    let mut f = std::fs::File::create(&input).unwrap();
    for n in 1..=50 {
        writeln!(f, "{}", record(n, APPID, json!({}))).unwrap();
    }
    drop(f);
    wxlogin()
        .args(["decrypt", "--appid", APPID, "--batch"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .assert()
        .success()
        .stdout("");
    let results = lines(&std::fs::read(&output).unwrap());
    assert_eq!(results.len(), 50);
    assert!(results.iter().all(|r| r["ok"] == true));
    // Writing the results over the input would destroy it before it is read.
    wxlogin()
        .args(["decrypt", "--batch"])
        .arg(&input)
        .arg("--output")
        .arg(&input)
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&input).unwrap().lines().count(), 50);
}

#[test]
fn ids_are_echoed_whatever_their_type() {
    let ids = [
        json!(7),
        json!("req-7"),
        json!({"user": [1, 2]}),
        Value::Null,
    ];
    let mut input = String::new();
    for id in &ids {
        input += &format!("{}\n", record(1, APPID, json!({"id": id})));
    }
    let mut without_id = record(1, APPID, json!({}));
    without_id.as_object_mut().unwrap().remove("id");
    input += &format!("{without_id}\n");
    let out = wxlogin()
        .args(["decrypt", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let results = lines(&out);
    for (r, id) in results.iter().zip(ids.iter().chain([&Value::Null])) {
        assert_eq!(&r["id"], id);
    }
}

#[test]
fn appid_per_line_overrides_the_flag() {
    let input = [
        record(1, "wxA", json!({"appid": "wxA"})), // line's appid matches
        record(2, "wxB", json!({})),               // falls back to --appid wxB
        record(3, "wxA", json!({"appid": "wxC"})), // line's appid does not match
        record(4, "wxB", json!({"appid": ""})),    // empty: falls back to --appid
        record(5, "wxA", json!({"appid": "wxB"})), // mismatch even though --appid would fit
    ]
    .iter()
    .map(|r| format!("{r}\n"))
    .collect::<String>();
    let out = wxlogin()
        .args(["decrypt", "--appid", "wxB", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let ok: Vec<bool> = lines(&out).iter().map(|r| r["ok"] == true).collect();
    assert_eq!(ok, [true, true, false, true, false]);
}

#[test]
fn official_vector_in_batch_matches_the_one_shot() {
    let v = vectors();
    let d = &v["decrypt_official"];
    // encrypted_data (snake_case) is accepted too.
    let line = json!({"id": "official", "session_key": d["session_key"], "iv": d["iv"],
                      "encrypted_data": d["encryptedData"], "appid": d["appid"]});
    let out = wxlogin()
        .args(["decrypt", "--batch", "-"])
        .write_stdin(format!("{line}\n"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r = &lines(&out)[0];
    assert_eq!(r["line"], 1);
    assert_eq!(r["id"], "official");
    assert_eq!(r["watermark"], "match");
    assert_eq!(r["data"], d["plaintext"]);
    let one_shot = wxlogin()
        .args(["--json", "decrypt", "--session-key"])
        .arg(d["session_key"].as_str().unwrap())
        .arg("--iv")
        .arg(d["iv"].as_str().unwrap())
        .arg("--encrypted-data")
        .arg(d["encryptedData"].as_str().unwrap())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let one: Value = serde_json::from_slice(&one_shot).unwrap();
    assert_eq!(one["data"], r["data"]);
    // The plaintext is passed through byte for byte, key order included.
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("{\"openId\":\"oGZUI0egBJY1zhBYw2KhdUfwVJJE\",\"nickName\":\"Band\""));
}

#[test]
fn verify_batch_match_mismatch_and_bad_signature() {
    let v = vectors();
    let s = &v["signature_official"];
    let raw = s["rawData"].as_str().unwrap();
    let key = s["session_key"].as_str().unwrap();
    let sig = s["signature"].as_str().unwrap();
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(raw).unwrap()).unwrap();
    let input = [
        json!({"id": 1, "rawData": raw, "signature": sig, "session_key": key}),
        json!({"id": 2, "raw_data": raw, "signature": sig.to_uppercase(), "session_key": key}),
        json!({"id": 3, "rawData": pretty, "signature": sig, "session_key": key}),
        json!({"id": 4, "rawData": raw, "signature": "not-hex", "session_key": key}),
        json!({"id": 5, "rawData": raw, "signature": "0".repeat(40), "session_key": key}),
        json!({"id": 6, "rawData": {"nickName": "Band"}, "signature": sig, "session_key": key}),
        json!({"id": 7, "rawData": raw, "signature": sig}),
        json!({"id": 8, "rawData": raw, "signature": sig, "session_key": "short"}),
        json!({"id": 9, "rawData": "{\"nickName\":\"小明🙂\",\"url\":\"a\\/b\"}", "signature":
            String::from_utf8(crypto::sign_raw_data("{\"nickName\":\"小明🙂\",\"url\":\"a\\/b\"}".as_bytes(), key.as_bytes()).to_vec()).unwrap(),
            "session_key": key}),
    ]
    .iter()
    .map(|r| format!("{r}\n"))
    .collect::<String>();
    let out = wxlogin()
        .args(["verify-signature", "--jobs", "2", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let results = lines(&out.stdout);
    assert_eq!(results.len(), 9);
    let verdicts: Vec<(bool, &str)> = results
        .iter()
        .map(|r| (r["ok"] == true, r["error"]["kind"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        verdicts,
        [
            (true, ""),
            (true, ""),
            (false, "signature"),
            (false, "input"),
            (false, "signature"),
            (false, "input"),
            (false, "input"),
            (false, "input"),
            (true, ""),
        ]
    );
    assert!(
        results[2]["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("re-serialised")
    );
    assert_eq!(results[2]["error"]["given"], sig);
    assert!(
        results[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("40 hex digits")
    );
    assert!(
        results[5]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a string")
    );
    assert!(
        results[6]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("session_key")
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("3 ok, 6 failed (input 4, signature 2)"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(key));
}

#[test]
fn summary_is_json_with_json_and_silent_with_quiet() {
    let input = format!("{}\n{{}}\n", record(1, APPID, json!({})));
    let out = wxlogin()
        .args(["--json", "decrypt", "--batch", "-"])
        .write_stdin(input.clone())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let summary: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(summary["summary"]["records"], 2);
    assert_eq!(summary["summary"]["ok"], 1);
    assert_eq!(summary["summary"]["failed"]["input"], 1);
    assert_eq!(lines(&out.stdout).len(), 2);
    wxlogin()
        .args(["-q", "decrypt", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stderr("");
}

#[test]
fn records_that_pass_allocate_nothing_once_buffers_are_warm() {
    let decrypt_lines: Vec<String> = (1..=300)
        .map(|n| record(n, APPID, json!({})).to_string())
        .collect();
    let key = "HyVFkGl5F5OQWJZZaNzBBg==";
    let verify_lines: Vec<String> = (1..=300)
        .map(|n| {
            let raw = json!({"nickName": format!("小明🙂{n}"), "avatarUrl": "http://x/y/0", "gender": 1}).to_string();
            let sig = crypto::sign_raw_data(raw.as_bytes(), key.as_bytes());
            json!({"id": n, "rawData": raw, "signature": String::from_utf8(sig.to_vec()).unwrap(), "session_key": key})
                .to_string()
        })
        .collect();
    let mut scratch = Scratch::default();
    let mut out = Vec::with_capacity(1 << 20);
    // Warm up: the reused buffers grow to their working size.
    for (n, line) in decrypt_lines.iter().enumerate().take(20) {
        assert_eq!(
            batch::decrypt_record(
                line.as_bytes(),
                n as u64,
                Some(APPID),
                false,
                &mut scratch,
                &mut out
            ),
            Ok(())
        );
    }
    for (n, line) in verify_lines.iter().enumerate().take(20) {
        assert_eq!(
            batch::verify_record(line.as_bytes(), n as u64, false, &mut scratch, &mut out),
            Ok(())
        );
    }
    out.clear();
    let before = allocations();
    for (n, line) in decrypt_lines.iter().enumerate().skip(20) {
        assert_eq!(
            batch::decrypt_record(
                line.as_bytes(),
                n as u64,
                Some(APPID),
                false,
                &mut scratch,
                &mut out
            ),
            Ok(())
        );
    }
    assert_eq!(allocations() - before, 0, "decrypt allocated");
    out.clear();
    let before = allocations();
    for (n, line) in verify_lines.iter().enumerate().skip(20) {
        assert_eq!(
            batch::verify_record(line.as_bytes(), n as u64, false, &mut scratch, &mut out),
            Ok(())
        );
    }
    assert_eq!(allocations() - before, 0, "verify allocated");
    // The counter does count: a failure builds its error message.
    let before = allocations();
    let _ = batch::verify_record(b"{}", 1, false, &mut scratch, &mut out);
    assert!(allocations() > before);
}

#[test]
fn one_shot_values_are_refused_with_batch_and_dash_output_is_stdout() {
    wxlogin()
        .args([
            "decrypt",
            "--iv",
            "r7BXXKkLb8qrSNn05n0qiA==",
            "--batch",
            "-",
        ])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--iv cannot be combined with --batch",
        ));
    wxlogin()
        .args(["verify-signature", "--signature", "00", "--batch", "-"])
        .write_stdin("")
        .assert()
        .code(2);
    let out = wxlogin()
        .args(["decrypt", "--output", "-", "--batch", "-"])
        .write_stdin(format!("{}\n", record(1, APPID, json!({}))))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(lines(&out)[0]["ok"], true);
}

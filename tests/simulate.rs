//! `wxlogin simulate` against the example Node backend (examples/backend/server.js), correct
//! and deliberately broken, with `wxlogin mock-server` (or the embedded mock) as WeChat.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

mod common;
/// Flows of QQ, WeCom and Douyin mini programs, against a backend written in the test.
#[cfg(unix)]
#[path = "simulate/platforms.rs"]
mod platforms;

const APPID: &str = "wx5e1ec0de5e55a001";
const SECRET: &str = "5ec2e7000000000000000000000000a1";
const OTHER_APPID: &str = "wx0therapp0000b002";
const OTHER_SECRET: &str = "0the7000000000000000000000000b02";

/// A child process killed when the test ends, however it ends.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Skips a test that needs the Node example backend when node is absent (fails under CI).
macro_rules! need_node {
    () => {
        if !common::node_or_skip("the example backend") {
            return;
        }
    };
}

/// Starts a child and returns it with the URL of its first stdout line (`listening on URL`).
fn start(mut cmd: Command) -> (Proc, String) {
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd.spawn().expect("start child");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("first line");
    // Keep draining, so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    (Proc(child), url)
}

fn start_mock() -> (Proc, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wxlogin"));
    cmd.args(["mock-server", "--port", "0"])
        .arg("--app")
        .arg(format!("{APPID}:{SECRET}"))
        .arg("--app")
        .arg(format!("{OTHER_APPID}:{OTHER_SECRET}"));
    start(cmd)
}

fn start_backend(mock: &str, appid: &str, secret: &str, broken: Option<&str>) -> (Proc, String) {
    let mut cmd = Command::new("node");
    cmd.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/backend/server.js"
    ))
    .env("WX_APPID", appid)
    .env("WX_SECRET", secret)
    .env("WX_BASE_URL", mock)
    .env("PORT", "0")
    .env_remove("BROKEN");
    if let Some(mode) = broken {
        cmd.args(["--broken", mode]);
    }
    start(cmd)
}

fn flow(name: &str) -> String {
    format!("{}/examples/flows/{name}", env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert_eq!(
            self.stdout.lines().count(),
            1,
            "one document: {}",
            self.stdout
        );
        serde_json::from_str(&self.stdout).expect("valid JSON")
    }
}

fn simulate(args: &[&str]) -> Run {
    let out = assert_cmd::Command::cargo_bin("wxlogin")
        .expect("binary")
        .arg("simulate")
        .args(args)
        .env_remove("WXLOGIN_BACKEND")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run simulate");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `flow_file` against a fresh mock and backend (broken in `broken` mode, if given).
fn run_against(flow_file: &str, broken: Option<&str>, json: bool) -> Run {
    let (_mock, mock_url) = start_mock();
    let (_backend, backend_url) = start_backend(&mock_url, APPID, SECRET, broken);
    let path = flow(flow_file);
    let mut args = vec![
        path.as_str(),
        "--mock",
        &mock_url,
        "--backend",
        &backend_url,
    ];
    if json {
        args.push("--json");
    }
    simulate(&args)
}

fn rule(run: &Run) -> String {
    run.json()["diagnosis"]["rule"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn session_id_flow_passes_against_the_correct_backend() {
    need_node!();
    let run = run_against("session-id.toml", None, false);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("GET /sns/jscode2session"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("session_id="), "{}", run.stdout);
    assert!(
        run.stdout.contains("✓ all 6 steps passed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("the backend holds the current session_key"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
}

#[test]
fn json_document_has_every_request_response_and_wechat_call() {
    need_node!();
    let run = run_against("session-id.toml", None, true);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["diagnosis"], Value::Null);
    let steps = doc["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 6);
    assert_eq!(steps[1]["request"]["method"], "POST");
    assert_eq!(steps[1]["response"]["status"], 200);
    let calls = steps[1]["wechat"].as_array().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["path"], "/sns/jscode2session");
    assert_eq!(calls[0]["errcode"], 0);
    assert_eq!(calls[0]["code"], steps[0]["produced"]["code"]);
    // The captured session id is masked in the document.
    let sid = steps[1]["response"]["body"]["session_id"].as_str().unwrap();
    assert_ne!(steps[1]["captures"]["session_id"], sid);
    assert!(!run.stdout.contains(SECRET));
}

#[test]
fn bearer_token_flow_passes() {
    need_node!();
    let run = run_against("bearer-token.toml", None, false);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("token="), "{}", run.stdout);
}

#[test]
fn phone_flow_passes() {
    need_node!();
    let run = run_against("phone.toml", None, true);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    let paths: Vec<&str> = doc["steps"][3]["wechat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["/cgi-bin/token", "/wxa/business/getuserphonenumber"]
    );
}

#[test]
fn code_exchanged_twice_is_diagnosed_as_40163() {
    need_node!();
    let run = run_against("session-id.toml", Some("exchange-twice"), false);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("errcode 40163"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("diagnosis: the backend exchanged the code of step 1 twice"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("✗ step 2 of 6 failed (4 not run)"),
        "{}",
        run.stdout
    );
    let run = run_against("session-id.toml", Some("exchange-twice"), true);
    assert_eq!(run.code, 1);
    assert_eq!(rule(&run), "exchanged-twice");
}

#[test]
fn backend_that_never_exchanges_the_code_is_diagnosed() {
    need_node!();
    let run = run_against("session-id.toml", Some("no-exchange"), true);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(rule(&run), "never-exchanged");
    assert_eq!(run.json()["steps"][3]["response"]["status"], 400);
}

#[test]
fn reserialised_raw_data_is_diagnosed() {
    need_node!();
    let run = run_against("session-id.toml", Some("reserialize"), true);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(rule(&run), "signature-rawdata");
}

#[test]
fn backend_keeping_a_stale_key_is_diagnosed() {
    need_node!();
    let run = run_against("relogin.toml", None, false);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let run = run_against("relogin.toml", Some("stale-key"), true);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(rule(&run), "stale-key");
}

#[test]
fn second_wx_login_before_getuserinfo_is_diagnosed_as_key_rotation() {
    need_node!();
    let run = run_against("second-login.toml", None, false);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("a second wx.login (step 3) rotated the session_key"),
        "{}",
        run.stdout
    );
}

#[test]
fn wrong_secret_and_wrong_appid_are_diagnosed() {
    need_node!();
    let (_mock, mock_url) = start_mock();
    let (_backend, backend_url) =
        start_backend(&mock_url, APPID, "ffffffffffffffffffffffffffffffff", None);
    let path = flow("session-id.toml");
    let run = simulate(&[
        &path,
        "--mock",
        &mock_url,
        "--backend",
        &backend_url,
        "--json",
    ]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(rule(&run), "wrong-secret");
    assert!(!run.stdout.contains("ffffffffffffffffffffffffffffffff"));

    let (_backend, backend_url) = start_backend(&mock_url, OTHER_APPID, OTHER_SECRET, None);
    let run = simulate(&[&path, "--mock", &mock_url, "--backend", &backend_url]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "the backend sent appid {OTHER_APPID} to WeChat in step 2, but the mini program is {APPID}"
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn expired_code_is_diagnosed_with_the_embedded_mock() {
    need_node!();
    // The backend must know the embedded mock's port before simulate starts it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let mock_url = format!("http://127.0.0.1:{port}");
    let (_backend, backend_url) = start_backend(&mock_url, APPID, SECRET, None);
    let path = flow("expired-code.toml");
    let port = port.to_string();
    let run = simulate(&[&path, "--mock-port", &port, "--backend", &backend_url]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with(&format!("mock: {mock_url} (embedded)")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("errcode 40029"), "{}", run.stdout);
    assert!(
        run.stdout.contains("codes expire after 1 s"),
        "{}",
        run.stdout
    );
}

#[test]
fn client_sending_the_appsecret_gets_a_warning() {
    need_node!();
    let run = run_against("secret-in-client.toml", None, false);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("step 2 sends the app's secret to the backend"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
    let run = run_against("secret-in-client.toml", None, true);
    let doc = run.json();
    assert_eq!(doc["warnings"].as_array().map(Vec::len), Some(1));
    assert!(!run.stdout.contains(SECRET));
}

#[test]
fn unreachable_backend_exits_5_with_a_diagnosis_that_says_refused() {
    let (_mock, mock_url) = start_mock();
    let path = flow("session-id.toml");
    let args = [
        path.as_str(),
        "--mock",
        &mock_url,
        "--backend",
        "http://127.0.0.1:1",
    ];
    let run = simulate(&[&args[..], &["--json"]].concat());
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(rule(&run), "backend-unreachable");
    let run = simulate(&args);
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("connection refused"), "{}", run.stdout);
}

#[test]
fn unreachable_mock_exits_5() {
    let path = flow("session-id.toml");
    let run = simulate(&[&path, "--mock", "http://127.0.0.1:1"]);
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("did not answer"), "{}", run.stderr);
}

#[test]
fn bad_flow_file_exits_3_with_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let cases = [
        (
            "appid = \"wx1\"\nbackend = \"http://127.0.0.1:1\"\n[[steps]]\nwx = \"login\"\n[[steps]]\npost = \"/a\"\njson = { code = \"{{cod}}\" }\n",
            "line 7 (step 2, `json`): {{cod}} is not defined",
        ),
        (
            "appid = \"wx1\"\n[[steps]]\nwx = \"logon\"\n",
            "line 3 (step 1, `wx`)",
        ),
        (
            "appid = \"wx1\"\nbackend = \"http://127.0.0.1:1\"\n[[steps]]\nget = \"/a\"\nexpect = { stat = 200 }\n",
            "line 5 (step 1, `expect`)",
        ),
        (
            "appid = \"wx1\"\n[[steps]]\nwx = \"login\"\nbogus = 1\n",
            "line 4 (step 1, `bogus`)",
        ),
        ("appid = \"wx1\"\n[[steps\n", "line 2"),
    ];
    for (text, expected) in cases {
        std::fs::write(&path, text).unwrap();
        let p = path.to_str().unwrap();
        let run = simulate(&[p, "--mock", "http://127.0.0.1:1"]);
        assert_eq!(run.code, 3, "{text}\n{}", run.stderr);
        assert!(run.stderr.contains(expected), "{text}\n{}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        let run = simulate(&[p, "--json"]);
        assert_eq!(run.code, 3);
        let doc = run.json();
        assert_eq!(doc["error"]["kind"], "input");
        assert!(doc["error"]["field"].as_str().unwrap().contains("line"));
    }
    let run = simulate(&["/nonexistent/flow.toml"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
}

/// `simulate FLOW [ARGS] -- node examples/backend/server.js [BACKEND_ARGS]`, the backend on a
/// free port.
fn simulate_with_backend(flow_path: &str, args: &[&str], backend_args: &[&str]) -> Run {
    let mut all = vec![flow_path, "--backend", "http://127.0.0.1:0"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--",
        "node",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/backend/server.js"),
    ]);
    all.extend_from_slice(backend_args);
    simulate(&all)
}

#[test]
fn simulate_starts_the_backend_itself_with_the_mock_in_its_environment() {
    need_node!();
    let path = flow("relogin.toml");
    let run = simulate_with_backend(&path, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("(started: node)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("✓ all 9 steps passed"),
        "{}",
        run.stdout
    );
    // Its stderr is shown only when a step fails.
    assert!(!run.stdout.contains("backend stderr"), "{}", run.stdout);
}

#[test]
fn a_failed_step_shows_the_backends_stderr_and_the_steps_that_carried_the_code() {
    need_node!();
    let path = flow("session-id.toml");
    let run = simulate_with_backend(&path, &[], &["--broken", "exchange-twice"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("exchanged the code of step 1 twice (only step 2 sent it to the backend)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("backend stderr (last"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("deliberately broken: exchange-twice"),
        "{}",
        run.stdout
    );
    let run = simulate_with_backend(&path, &["--json"], &["--broken", "exchange-twice"]);
    let doc = run.json();
    assert_eq!(doc["diagnosis"]["rule"], "exchanged-twice");
    assert!(
        doc["backend_stderr"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("exchange-twice")),
        "{doc}"
    );
}

#[test]
fn a_backend_that_never_listens_is_reported_with_its_stderr() {
    let path = flow("session-id.toml");
    let with_backend = |command: &[&str]| {
        let mut args = vec![
            path.as_str(),
            "--backend",
            "http://127.0.0.1:0",
            "--ready-timeout",
            "300ms",
            "--",
        ];
        args.extend_from_slice(command);
        let run = simulate(&args);
        assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
        run.stderr
    };
    let stderr = with_backend(&[
        "sh",
        "-c",
        "echo 'ImportError: no module named wechatpy' >&2; exit 1",
    ]);
    assert!(stderr.contains("exited (exit status 1)"), "{stderr}");
    assert!(stderr.contains("no module named wechatpy"), "{stderr}");
    let stderr = with_backend(&["sleep", "30"]);
    assert!(
        stderr.contains("did not accept connections within"),
        "{stderr}"
    );
    let run = simulate(&[&path, "--ready-timeout", "soon", "--", "true"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// A port already taken would have the flow run against whatever holds it, and blame the
/// command that was never reached: refused before the command starts.
#[test]
fn a_backend_port_already_taken_is_refused_before_the_command_starts() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", taken.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("started");
    let script = format!("touch {}; sleep 5", marker.display());
    let path = flow("session-id.toml");
    let run = simulate(&[&path, "--backend", &url, "--", "sh", "-c", &script]);
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("already listens on 127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(!marker.exists(), "the command was started");
}

#[test]
fn without_a_command_or_a_known_port_simulate_refuses_at_once_off_a_terminal() {
    let path = flow("session-id.toml");
    let run = simulate(&[&path]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    for hint in ["--mock-port", "--mock URL", "-- CMD"] {
        assert!(run.stderr.contains(hint), "{hint}: {}", run.stderr);
    }
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn a_named_login_keeps_its_code_reachable_after_a_second_login() {
    need_node!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replay.toml");
    std::fs::write(
        &path,
        format!(
            "appid = \"{APPID}\"\nsecret = \"{SECRET}\"\n\
             [[steps]]\nwx = \"login\"\nas = \"first\"\n\
             [[steps]]\npost = \"/api/fetch_code\"\njson = {{ code = \"{{{{code}}}}\" }}\n\
             [[steps]]\nwx = \"login\"\n\
             [[steps]]\npost = \"/api/fetch_code\"\njson = {{ code = \"{{{{first.code}}}}\" }}\n"
        ),
    )
    .unwrap();
    let path = path.display().to_string();
    let run = simulate_with_backend(&path, &["--json"], &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    let steps = doc["steps"].as_array().unwrap();
    assert_eq!(
        steps[3]["request"]["json"]["code"],
        steps[0]["produced"]["code"]
    );
    assert_eq!(doc["diagnosis"]["rule"], "exchanged-twice");
    let message = doc["diagnosis"]["message"].as_str().unwrap();
    assert!(message.contains("by steps 2 and 4"), "{message}");
    let fix = doc["diagnosis"]["fix"].as_str().unwrap();
    assert!(fix.contains("the client posted one code twice"), "{fix}");
}

#[test]
fn an_external_mock_tells_the_secret_and_appid_can_be_overridden() {
    need_node!();
    let (_mock, mock_url) = start_mock();
    // No --app: the secret comes from the mock's GET /mock/apps.
    let (_backend, backend_url) = start_backend(&mock_url, APPID, SECRET, None);
    let path = flow("bearer-token.toml");
    let run = simulate(&[&path, "--mock", &mock_url, "--backend", &backend_url]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("(secret …)"), "{}", run.stdout);
    assert!(!run.stdout.contains("5ec2…00a1"), "{}", run.stdout);
    let run = simulate(&[
        &path,
        "--mock",
        &mock_url,
        "--backend",
        &backend_url,
        "--appid",
        OTHER_APPID,
        "--json",
    ]);
    let doc = run.json();
    assert_eq!(doc["appid"], OTHER_APPID);
    assert_eq!(doc["steps"][0]["request"]["appid"], OTHER_APPID);
    // The backend is configured for APPID: the mock saw it exchange another app's code.
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn an_intercepting_run_whose_backend_never_reaches_the_mock_is_proxy_not_used() {
    need_node!();
    let dir = tempfile::tempdir().unwrap();
    let path = flow("session-id.toml");
    let ca = dir.path().join("ca");
    let ca = ca.display().to_string();
    let run = simulate_with_backend(
        &path,
        &["--intercept", "--ca-dir", &ca, "--json"],
        &["--broken", "no-exchange"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(rule(&run), "proxy-not-used", "{}", run.stdout);
}

#[test]
fn lang_zh_reaches_simulates_verdict_and_diagnosis() {
    need_node!();
    let path = flow("session-id.toml");
    let mut args = vec!["--lang", "zh", "simulate", path.as_str()];
    args.extend_from_slice(&["--backend", "http://127.0.0.1:0", "--", "node"]);
    args.push(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/backend/server.js"
    ));
    args.extend_from_slice(&["--broken", "exchange-twice"]);
    let out = assert_cmd::Command::cargo_bin("wxlogin")
        .unwrap()
        .args(&args)
        .env("NO_COLOR", "1")
        .env_remove("WXLOGIN_BACKEND")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("诊断：同一个 code 被换取了两次"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✗ 第 2 步失败（共 6 步，4 步未运行）"),
        "{stdout}"
    );
    assert!(stdout.contains("后端 stderr（最后"), "{stdout}");
}

/// Each step counted the line breaks from the start of the file to say its line, so a flow of
/// 200,000 steps took minutes to read (40,000: 7 s). The line breaks are now indexed once; the
/// one fault at the very end of a flow near the size limit is still named on its exact line.
#[test]
fn a_flow_of_many_steps_is_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let steps = 40_000;
    let mut flow =
        String::from("backend = \"http://127.0.0.1:9\"\nappid = \"wx5e1ec0de5e55a001\"\n");
    for _ in 0..steps {
        flow.push_str("[[steps]]\nwx = \"login\"\n");
    }
    flow.push_str("[[steps]]\nwx = \"nope\"\n");
    let path = dir.path().join("long.toml");
    std::fs::write(&path, &flow).unwrap();
    let out = common::run(common::wx().arg("simulate").arg(&path));
    assert_eq!(out.code, 3, "{}", out.stderr);
    let line = 2 + 2 * steps + 2;
    assert!(
        out.stderr
            .contains(&format!("line {line} (step {}, `wx`)", steps + 1)),
        "{}",
        out.stderr
    );
}

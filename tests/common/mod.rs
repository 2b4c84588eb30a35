//! Shared test harness: the real binary with a clean environment, and the published vectors.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod mock;

use assert_cmd::Command;
use serde_json::Value;

/// The binary with no WXLOGIN_* variables, no colour preferences and no user config leaking in.
pub fn wx() -> Command {
    let mut cmd = Command::cargo_bin("wxlogin").expect("binary built");
    for var in [
        "WXLOGIN_APPID",
        "WXLOGIN_SECRET",
        "WXLOGIN_BASE_URL",
        "WXLOGIN_PROFILE",
        "NO_COLOR",
        "LANG",
        "LC_ALL",
        "CI",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-wxlogin-test-config");
    // Sessions code2session saves go to a scratch place, never the developer's own store.
    cmd.env(
        "XDG_STATE_HOME",
        std::env::temp_dir().join(format!("wxlogin-test-state-{}", std::process::id())),
    );
    cmd
}

pub fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/wechat.json"
    ))
    .expect("tests/data/wechat.json");
    serde_json::from_str(&text).expect("vectors are JSON")
}

pub fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("vector {pointer}"))
}

/// Output of a finished run: exit code, stdout, stderr.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        let lines: Vec<&str> = self
            .stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "expected exactly one JSON document, got:\n{}",
            self.stdout
        );
        serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }

    /// stdout then stderr, for an assertion on either.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Nothing a panic or backtrace would print.
    pub fn assert_no_panic(&self) {
        for needle in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
            assert!(
                !self.stderr.contains(needle),
                "panic output:\n{}",
                self.stderr
            );
            assert!(
                !self.stdout.contains(needle),
                "panic output:\n{}",
                self.stdout
            );
        }
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("binary runs");
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    r.assert_no_panic();
    r
}

/// Whether a test that needs Node may run. Without `node` it is skipped, except under
/// `CI=true`, where a missing `node` fails the test instead of letting it pass silently.
pub fn node_or_skip(what: &str) -> bool {
    let found = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return true;
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    assert!(
        !ci,
        "CI is set and `node` is missing: {what} needs Node 20 (.ci/run installs it)"
    );
    eprintln!("skipping: `node` is not installed; {what} needs Node 20");
    false
}

/// POSTs `body` as JSON and reads the answer as JSON (the mock's control routes).
pub async fn post_json(url: impl reqwest::IntoUrl, body: serde_json::Value) -> Value {
    reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

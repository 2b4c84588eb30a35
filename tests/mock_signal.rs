//! Test helpers (the pytest fixture, startMock) send SIGTERM as soon as they have read the mock's
//! URL; the mock must already be listening for it then, and stop cleanly (exit 0, state saved).

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn sigterm_right_after_the_url_line_stops_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    for round in 0..20 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wxlogin"))
            .args([
                "-q",
                "mock-server",
                "--port",
                "0",
                "--app",
                "wx0123456789abcdef:s3cret",
            ])
            .arg("--state")
            .arg(&state)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn mock-server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("first line");
        assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(0), "round {round}: {status:?}");
        assert!(state.exists(), "round {round}: state not saved");
    }
}

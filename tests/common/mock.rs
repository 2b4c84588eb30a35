//! `wxlogin mock-server` as a child process on a free port, as the tests start it: the URL read
//! from its first stdout line, stderr kept in a file, the process killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::Duration;

pub struct MockProc {
    pub child: Child,
    pub url: String,
    /// The rest of stdout, after the `listening on` line (the demo app's lines, if any).
    pub stdout: BufReader<ChildStdout>,
    /// Where its stderr (the request log) goes.
    pub stderr: PathBuf,
    /// A scratch directory that lives as long as the mock (its stderr file is in it).
    pub dir: tempfile::TempDir,
}

impl MockProc {
    /// Runs `wxlogin --color never mock-server --port 0 ARGS` and waits for its URL.
    pub fn start<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> MockProc {
        let dir = tempfile::tempdir().unwrap();
        let stderr = dir.path().join("mock.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_wxlogin"))
            .args(["--color", "never", "mock-server", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let url = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "first line {first:?}; stderr: {}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                )
            })
            .to_string();
        MockProc {
            child,
            url,
            stdout,
            stderr,
            dir,
        }
    }

    /// The next stdout line, without its newline.
    pub fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim_end().to_string()
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("mock-server did not stop after SIGTERM");
    }
}

impl Drop for MockProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The README's console examples are outputs the binary gives: each plain ``` block is a
//! transcript whose `$ ` lines run through bash, their output compared line by line.

// A section's examples run in one scene: a scratch home and working directory, one shell's
// environment, and the server the section talks to (an independent stub of WeChat answering the
// published vectors, or `wxlogin mock-server` on a free port). `...` inside a shown line stands
// for any text, a line of `...` for any lines; ports, rids, times of day, latencies, "N minutes
// ago" and the scratch home (shown as /home/you) are the only other differences allowed. The
// README interleaves stdout and stderr, so a shown line may come from either stream.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;
use tokio::runtime::Runtime;
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const README: &str = include_str!("../README.md");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The port the README's mock examples listen on; the tests use a free one in its place.
const README_PORT: &str = "8080";
/// The port of the README's backend (the flow files' `backend`); a free one in the tests.
const README_BACKEND_PORT: &str = "8000";
/// A hang is a failure, never a stuck CI job: how long a line from a server may take at most.
const PATIENCE: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// Reading the README

struct Block {
    /// 1-based line of the opening fence.
    fence: usize,
    /// The nearest heading above it, without its `#`s.
    heading: String,
    /// What follows the opening ``` (`sh`, `toml`, ...; empty for a console transcript).
    info: String,
    /// The last line of text before it (what introduces it).
    intro: String,
    lines: Vec<(usize, String)>,
}

fn blocks() -> Vec<Block> {
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut intro = String::new();
    let mut open: Option<Block> = None;
    for (n, line) in README.lines().enumerate() {
        let fence = line.trim_start();
        if let Some(info) = fence.strip_prefix("```") {
            match open.take() {
                Some(block) => out.push(block),
                None => {
                    open = Some(Block {
                        fence: n + 1,
                        heading: heading.clone(),
                        info: info.trim().to_string(),
                        intro: intro.clone(),
                        lines: Vec::new(),
                    })
                }
            }
            continue;
        }
        match &mut open {
            Some(block) => block.lines.push((n + 1, line.to_string())),
            None if line.starts_with('#') => {
                heading = line.trim_start_matches('#').trim().to_string();
            }
            None if !line.trim().is_empty() => intro = line.to_string(),
            None => {}
        }
    }
    assert!(open.is_none(), "README: a code block is never closed");
    out
}

/// The blocks under headings that start with `heading`.
fn section(heading: &str) -> Vec<Block> {
    let found: Vec<Block> = blocks()
        .into_iter()
        .filter(|b| b.heading.starts_with(heading))
        .collect();
    assert!(!found.is_empty(), "README has no section {heading:?}");
    found
}

struct Cmd {
    line: usize,
    /// As typed, continuation lines included (bash reads the `\` newlines).
    text: String,
    expected: Vec<String>,
    exit: i32,
}

fn commands(block: &Block) -> Vec<Cmd> {
    let mut out: Vec<Cmd> = Vec::new();
    let mut lines = block.lines.iter().peekable();
    while let Some((n, line)) = lines.next() {
        if let Some(command) = line.strip_prefix("$ ") {
            let mut text = command.to_string();
            while text.ends_with('\\') {
                let (_, more) = lines.next().expect("a continued command goes on");
                text.push('\n');
                text.push_str(more);
            }
            out.push(Cmd {
                line: *n,
                text,
                expected: Vec::new(),
                exit: 0,
            });
            continue;
        }
        let Some(cmd) = out.last_mut() else {
            assert!(
                line.trim().is_empty(),
                "README line {n}: output before any `$ ` command"
            );
            continue;
        };
        match line
            .strip_prefix("[exit ")
            .and_then(|l| l.strip_suffix(']'))
        {
            Some(code) => cmd.exit = code.parse().expect("[exit N]"),
            None if !line.trim().is_empty() => cmd.expected.push(line.clone()),
            None => {}
        }
    }
    out
}

fn is_transcript(block: &Block) -> bool {
    block.lines.iter().any(|(_, l)| l.starts_with("$ "))
}

// ---------------------------------------------------------------------------------------------
// Comparing

/// Replaces the digits after each `marker` by `with`.
fn digits_after(line: &str, marker: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(marker) {
        let tail = &rest[at + marker.len()..];
        let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(&rest[..at + marker.len()]);
        if digits > 0 {
            out.push_str(with);
        }
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

/// Replaces each run of digits directly before `unit` by `N`.
fn digits_before(line: &str, unit: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(unit) {
        let head = &rest[..at];
        let kept = head.trim_end_matches(|c: char| c.is_ascii_digit());
        out.push_str(kept);
        if kept.len() < head.len() {
            out.push('N');
        }
        out.push_str(unit);
        rest = &rest[at + unit.len()..];
    }
    out.push_str(rest);
    out
}

/// simulate's "· 57 ms" (the time a backend request took) as "· N ms".
fn latencies(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(" ms") {
        let head = &rest[..at];
        let kept = head.trim_end_matches(|c: char| c.is_ascii_digit());
        if kept.len() < head.len() && kept.ends_with("· ") {
            out.push_str(kept);
            out.push('N');
        } else {
            out.push_str(head);
        }
        out.push_str(" ms");
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    out
}

/// What may differ between two runs: ports, rids (WeChat's, made from the clock), the time of
/// day a log line starts with, latencies, unix times of saved sessions, and how long ago a thing
/// happened; everything else must stay as printed.
fn steady(line: &str) -> String {
    let line = &match line.find("rid: ") {
        Some(at) => {
            let tail = &line[at + 5..];
            let rid = tail.len()
                - tail
                    .trim_start_matches(|c: char| c.is_ascii_hexdigit() || c == '-')
                    .len();
            format!("{}rid: RID{}", &line[..at], &tail[rid..])
        }
        None => line.to_string(),
    };
    let line = &digits_after(line, "127.0.0.1:", "PORT");
    let line = &digits_after(line, "localhost:", "PORT");
    let line = &digits_after(line, "-Dhttps.proxyPort=", "PORT");
    let line = &digits_after(line, "\"time\":", "T");
    let line = &digits_before(line, "µs");
    // simulate's latency of a backend request ("200 · 57 ms"); other milliseconds (a retry's
    // backoff) stay as printed.
    let line = &latencies(line);
    let line = &digits_before(line, " years ago");
    // A session saved seconds or minutes ago, as the run happened to take.
    let mut line = line.to_string();
    for unit in [" seconds ago", " second ago", " minutes ago", " minute ago"] {
        line = digits_before(&line, unit).replace(&format!("N{unit}"), "N time units ago");
    }
    let line = &line;
    // A request log line starts with the time of day, HH:MM:SS.mmm.
    let clock = line.len() >= 13
        && line.bytes().take(12).enumerate().all(|(i, b)| match i {
            2 | 5 => b == b':',
            8 => b == b'.',
            _ => b.is_ascii_digit(),
        })
        && line.as_bytes()[12] == b' ';
    if clock {
        format!("HH:MM:SS.mmm{}", &line[12..])
    } else {
        line.to_string()
    }
}

fn matches(pattern: &str, line: &str) -> bool {
    let (pattern, line) = (steady(pattern), steady(line));
    let mut parts = pattern.split("...");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (n, part) in parts.iter().enumerate() {
        if n + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Every shown line is printed, and nothing else is (blank lines aside). A line that is only
/// `...` stands for any number of lines: then the shown lines are printed in this order, those
/// between two `...` one after the other (the README shows an excerpt).
fn assert_shows(shown: &str, expected: &[String], printed: &str) {
    let mut actual: Vec<&str> = printed.lines().filter(|l| !l.trim().is_empty()).collect();
    if expected.iter().any(|l| l == "...") {
        return assert_excerpt(shown, expected, &actual, printed);
    }
    for want in expected {
        match actual.iter().position(|got| matches(want, got)) {
            Some(at) => {
                actual.remove(at);
            }
            None => {
                panic!("{shown}\nthe README shows\n  {want}\nbut the binary printed\n{printed}")
            }
        }
    }
    assert!(
        actual.is_empty(),
        "{shown}\nprinted lines the README does not show:\n{}",
        actual.join("\n")
    );
}

fn assert_excerpt(shown: &str, expected: &[String], actual: &[&str], printed: &str) {
    let runs: Vec<&[String]> = expected.split(|l| l == "...").collect();
    let mut at = 0;
    for (n, run) in runs.iter().enumerate() {
        let fits = |start: usize| {
            start + run.len() <= actual.len()
                && run.iter().zip(&actual[start..]).all(|(w, g)| matches(w, g))
        };
        let start = if n == 0 {
            // Before the first `...`: from the first line on.
            Some(0).filter(|_| fits(0))
        } else if n + 1 == runs.len() {
            // After the last one: up to the last line.
            actual
                .len()
                .checked_sub(run.len())
                .filter(|s| *s >= at && fits(*s))
        } else {
            (at..=actual.len()).find(|s| fits(*s))
        };
        match start {
            Some(start) => at = start + run.len(),
            None => panic!(
                "{shown}\nthe README shows these lines together, in this order:\n  {}\nbut the binary printed\n{printed}",
                run.join("\n  ")
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running

/// Whether a test that needs `tool` may run: without it the test is skipped, except under
/// `CI=true`, where a missing tool fails the test instead of letting it pass silently.
fn tool_or_skip(tool: &str, what: &str) -> bool {
    if tool == "node" {
        return common::node_or_skip(what);
    }
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    assert!(
        found || !ci,
        "CI is set and `{tool}` is missing: {what} needs it"
    );
    if !found {
        eprintln!("skipping: `{tool}` is not installed; {what} needs it");
    }
    found
}

/// A long-running process of a scene (a mock, a backend): its stdout lines come through a
/// channel, its stderr goes to a file; killed when the scene ends.
struct Background {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: PathBuf,
    /// How many stderr lines an earlier comparison has already taken.
    stderr_seen: usize,
}

impl Background {
    fn line(&self, what: &str) -> String {
        self.lines.recv_timeout(PATIENCE).unwrap_or_else(|_| {
            panic!(
                "{what}: no further stdout line; stderr:\n{}",
                std::fs::read_to_string(&self.stderr).unwrap_or_default()
            )
        })
    }

    fn stderr_all(&self) -> Vec<String> {
        std::fs::read_to_string(&self.stderr)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// What a terminal shows of it next: `count` lines of stdout and stderr together (it writes
    /// its log from a queue, so a line may come a little after the request it is about).
    fn next_lines(&mut self, count: usize, what: &str) -> Vec<String> {
        let mut out = Vec::new();
        for _ in 0..(PATIENCE.as_millis() / 20) {
            while let Ok(line) = self.lines.try_recv() {
                out.push(line);
            }
            let stderr = self.stderr_all();
            if out.len() + stderr.len() - self.stderr_seen >= count {
                out.extend(stderr[self.stderr_seen..].iter().cloned());
                self.stderr_seen = stderr.len();
                return out;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        out.extend(self.stderr_all()[self.stderr_seen..].iter().cloned());
        panic!("{what}: expected {count} lines, got\n{}", out.join("\n"));
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new user's shell: a scratch HOME, a working directory with the repository's `examples/`,
/// the README's `export`s, and the servers the examples talk to.
struct Scene {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    /// Printed text replaced before comparing (the scratch home is /home/you in the README).
    shown_as: Vec<(String, String)>,
    /// The README's ports replaced in commands by the ones the scene's servers listen on.
    ports: Vec<(&'static str, u16)>,
    background: Vec<Background>,
}

impl Scene {
    fn new() -> Scene {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        std::os::unix::fs::symlink(Path::new(ROOT).join("examples"), work.join("examples"))
            .unwrap();
        let bin = Path::new(env!("CARGO_BIN_EXE_wxlogin")).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
        );
        Scene {
            env: vec![
                ("PATH".into(), path),
                ("HOME".into(), home.display().to_string()),
                ("NO_COLOR".into(), "1".into()),
            ],
            shown_as: vec![(home.display().to_string(), "/home/you".into())],
            dir,
            ports: Vec::new(),
            background: Vec::new(),
        }
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// A file of the working directory, readable by its owner only (as a secret must be).
    fn file(&self, name: &str, text: &str) {
        use std::os::unix::fs::PermissionsExt;
        let file = self.work().join(name);
        std::fs::write(&file, text).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    fn setenv(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    /// The command as the scene runs it: the scene's port for the README's.
    fn local(&self, text: &str) -> String {
        let text = text.replace("cargo run --release -- ", "wxlogin ");
        self.ports.iter().fold(text, |text, (shown, port)| {
            text.replace(&format!(":{shown}"), &format!(":{port}"))
                .replace(&format!("PORT={shown}"), &format!("PORT={port}"))
        })
    }

    fn port_of(&self, shown: &str) -> u16 {
        let found = self.ports.iter().find(|(p, _)| *p == shown);
        found
            .map(|(_, port)| *port)
            .unwrap_or_else(|| panic!("no server of the scene stands for port {shown}"))
    }

    fn printed(&self, text: &str) -> String {
        self.shown_as
            .iter()
            .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
    }

    fn bash(&self, text: &str) -> Command {
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(text)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(self.work())
            .stdin(Stdio::null());
        cmd
    }

    fn spawn(&mut self, mut cmd: Command, what: &str) -> &Background {
        let stderr = self
            .dir
            .path()
            .join(format!("stderr-{}.log", self.background.len()));
        // Its own process group, so that what a shell started for it goes with it.
        let mut child = cmd
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        self.background.push(Background {
            child,
            lines,
            stderr,
            stderr_seen: 0,
        });
        self.background.last().unwrap()
    }

    /// Runs every command of a transcript block.
    fn play(&mut self, block: &Block) {
        assert!(
            is_transcript(block),
            "README line {}: no command",
            block.fence
        );
        for cmd in commands(block) {
            self.run(&cmd);
        }
    }

    fn run(&mut self, cmd: &Cmd) {
        let shown = format!("README line {}: $ {}", cmd.line, cmd.text);
        if cmd.text.starts_with("wxlogin mock-server ")
            || cmd.text.starts_with("wxlogin -q mock-server ")
        {
            self.mock_server(cmd, &shown);
            return;
        }
        if let Some(text) = cmd.text.strip_suffix(" &") {
            self.backend(text, cmd, &shown);
            return;
        }
        let text = self.local(&cmd.text);
        let saved = self.dir.path().join("env");
        // As in one shell: what a command exports (or `set -a; . FILE` loads) is there for the
        // next ones.
        let script = format!("{text}\n__rc=$?\nenv -0 > \"$WXLOGIN_README_ENV\"\nexit $__rc");
        let mut bash = self.bash(&script);
        bash.env("WXLOGIN_README_ENV", &saved);
        if text.starts_with("wxlogin simulate ") {
            // The flow files' backend is on port 8000: WXLOGIN_BACKEND, the documented override
            // of the flow's `backend`, gives a free port in its place: port 0 for a backend
            // simulate starts itself, else the one the scene's backend listens on.
            let port = match text.contains(" -- ") {
                true => 0,
                false => self.port_of(README_BACKEND_PORT),
            };
            bash.env("WXLOGIN_BACKEND", format!("http://127.0.0.1:{port}"));
        }
        let out = bash.output().unwrap();
        self.env = std::fs::read(&saved)
            .unwrap()
            .split(|b| *b == 0)
            .filter_map(|kv| std::str::from_utf8(kv).ok()?.split_once('='))
            .filter(|(k, _)| !["_", "SHLVL", "PWD", "OLDPWD", "WXLOGIN_README_ENV"].contains(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let printed = self.printed(&format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
        for needle in ["panicked", "RUST_BACKTRACE"] {
            assert!(!printed.contains(needle), "{shown}\n{printed}");
        }
        assert_eq!(
            out.status.code(),
            Some(cmd.exit),
            "{shown}\nexit status differs; printed:\n{printed}"
        );
        assert_shows(&shown, &cmd.expected, &printed);
    }

    /// `wxlogin mock-server --port 8080 ...`: started on a free port instead, what it prints at
    /// start compared with the README's; later commands reach it through the README's port.
    fn mock_server(&mut self, cmd: &Cmd, shown: &str) {
        let text = cmd
            .text
            .trim_end_matches(" &")
            .replace("\\\n", " ")
            .replace(&format!("--port {README_PORT}"), "--port 0");
        let args: Vec<&str> = text.split_whitespace().skip(1).collect();
        let mut child = Command::new(env!("CARGO_BIN_EXE_wxlogin"));
        child
            .args(&args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(self.work())
            .stdin(Stdio::null());
        self.spawn(child, shown);
        let mock = self.background.last_mut().unwrap();
        let first = mock.line(shown);
        let url = first
            .strip_prefix("listening on http://127.0.0.1:")
            .unwrap_or_else(|| panic!("{shown}: first line {first:?}"));
        self.ports.push((README_PORT, url.parse().expect("a port")));
        let mut printed = vec![first];
        printed.extend(mock.next_lines(cmd.expected.len().saturating_sub(1), shown));
        let printed = self.printed(&printed.join("\n"));
        assert_shows(shown, &cmd.expected, &printed);
    }

    /// `... PORT=8000 node server.js &`: a backend started in the background on a free port
    /// (its first line says which).
    fn backend(&mut self, text: &str, cmd: &Cmd, shown: &str) {
        let port_var = format!("PORT={README_BACKEND_PORT}");
        assert!(
            text.contains(&port_var),
            "{shown}: a backend on port {README_BACKEND_PORT}"
        );
        let text = self.local(text).replace(&port_var, "PORT=0");
        let bash = self.bash(&text);
        self.spawn(bash, shown);
        let backend = self.background.last_mut().unwrap();
        let first = backend.line(shown);
        let port: u16 = first
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{shown}: first line {first:?}"));
        self.ports.push((README_BACKEND_PORT, port));
        assert_shows(shown, &cmd.expected, &self.printed(&first));
    }

    /// The next lines the scene's server prints, compared with a block that shows them.
    fn server_prints(&mut self, block: &Block) {
        let expected: Vec<String> = block.lines.iter().map(|(_, l)| l.clone()).collect();
        let shown = format!("README line {}: what the server prints", block.fence);
        let mock = self.background.last_mut().expect("a server of the scene");
        let printed = mock.next_lines(expected.len(), &shown);
        let printed = self.printed(&printed.join("\n"));
        assert_shows(&shown, &expected, &printed);
    }
}

// ---------------------------------------------------------------------------------------------
// The scenes

/// WeChat's side of the README's `code2session`, `sessions`, `token`, `check-session` and
/// `phone` examples, from the published vectors (tests/data/wechat.json): an independent stub,
/// not our own mock, that answers only the exact requests the README's commands must send.
struct WeChat {
    server: MockServer,
    /// The runtime the stub's server runs on, kept as long as the stub.
    _rt: Runtime,
}

const APPID: &str = "wx4f4bc4dec97d474b";
/// The appsecret a new user keeps in the file `appsecret` (made up; the README never shows it).
const SECRET: &str = "4f9e21c0ffee0a1b2c3d4e5f60718293";
const CODE: &str = "081kQ3ll2rYlTa4d3Tll2nY3Sx1kQ3lJ";
const USED_CODE: &str = "081used";
const PHONE_CODE: &str = "0e3Kp7ll2KvQ4e4n3kml2pQJ1S3Kp7lB";
const TOKEN: &str = "86_XoTqK0m1YhN2bV3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5aB6cD7eF8gH";

impl WeChat {
    fn start() -> WeChat {
        let v = common::vectors();
        let s = |p: &str| common::s(&v, p).to_string();
        let rt = Runtime::new().unwrap();
        let server = rt.block_on(MockServer::start());
        let mount = |mock: Mock| rt.block_on(mock.mount(&server));
        let exchange = || {
            Mock::given(method("GET"))
                .and(path("/sns/jscode2session"))
                .and(query_param("appid", APPID))
                .and(query_param("secret", SECRET))
                .and(query_param("grant_type", "authorization_code"))
        };
        mount(exchange().and(query_param("js_code", CODE)).respond_with(
            ResponseTemplate::new(200).set_body_json(json!({
                "session_key": s("/decrypt_official/session_key"),
                "openid": s("/decrypt_official/plaintext/openId"),
                "unionid": s("/decrypt_official/plaintext/unionId"),
            })),
        ));
        mount(
            exchange()
                .and(query_param("js_code", USED_CODE))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "errcode": 40163,
                    "errmsg": "code been used, rid: 6583f2a1-0c1d2e3f-11aa22bb",
                }))),
        );
        mount(
            Mock::given(method("POST"))
                .and(path("/cgi-bin/stable_token"))
                .and(body_partial_json(json!({
                    "grant_type": "client_credential", "appid": APPID, "secret": SECRET,
                })))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({"access_token": TOKEN, "expires_in": 7200})),
                ),
        );
        let openid = s("/decrypt_official/plaintext/openId");
        for (key, signature) in v["checksession_signatures"].as_object().unwrap() {
            let answer = if key == &s("/decrypt_official/session_key") {
                json!({"errcode": 0, "errmsg": "ok"})
            } else {
                json!({"errcode": 87009, "errmsg": "invalid signature, rid: 6583f2a2-1d2e3f40-22bb33cc"})
            };
            mount(
                Mock::given(method("GET"))
                    .and(path("/wxa/checksession"))
                    .and(query_param("access_token", TOKEN))
                    .and(query_param("openid", openid.as_str()))
                    .and(query_param("signature", signature.as_str().unwrap()))
                    .and(query_param("sig_method", "hmac_sha256"))
                    .respond_with(ResponseTemplate::new(200).set_body_json(answer)),
            );
        }
        mount(
            Mock::given(method("POST"))
                .and(path("/wxa/business/getuserphonenumber"))
                .and(query_param("access_token", TOKEN))
                .and(body_partial_json(json!({"code": PHONE_CODE})))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "errcode": 0,
                    "errmsg": "ok",
                    "phone_info": v["phone_generated"]["plaintext"],
                }))),
        );
        WeChat { server, _rt: rt }
    }
}

// The sections of the README (by the start of their heading) each test plays; a console block
// anywhere else fails every_console_block_of_the_readme_is_played.
const OFFLINE: &[&str] = &[
    "The two commands",
    "`decrypt`",
    "`verify-signature`",
    "Batch mode",
    "`explain`",
];
const AGAINST_WECHAT: &[&str] = &[
    "`code2session`",
    "Sessions: the exchanged key is kept",
    "`token`, `check-session`, `phone`",
];
const VARIANTS: &str = "Login variants";
const MOCK_SERVER: &str = "`mock-server`: a local WeChat";
const INTERCEPT: &str = "`--intercept`";
const SIMULATE: &str = "`simulate`";

#[test]
fn offline_examples_are_what_the_binary_prints() {
    let mut scene = Scene::new();
    let ran: usize = OFFLINE.iter().map(|h| play_section(&mut scene, h)).sum();
    assert!(ran >= 12, "ran only {ran} offline examples");
}

#[test]
fn code2session_sessions_token_examples_against_a_wechat_stub() {
    let wechat = WeChat::start();
    let mut scene = Scene::new();
    scene.file("appsecret", &format!("{SECRET}\n"));
    scene.setenv("WXLOGIN_BASE_URL", &wechat.server.uri());
    // The stub stands where WeChat is: its address is WeChat's in what the README shows.
    scene.shown_as.push((
        format!("{}/", wechat.server.uri()),
        "https://api.weixin.qq.com/".into(),
    ));
    let ran: usize = AGAINST_WECHAT
        .iter()
        .map(|h| play_section(&mut scene, h))
        .sum();
    assert!(ran >= 12, "ran only {ran} examples");
}

/// Plays a section's console blocks in one scene; a block without a command shows what the
/// scene's server prints next.
fn play_section(scene: &mut Scene, heading: &str) -> usize {
    let mut ran = 0;
    for block in section(heading).iter().filter(|b| b.info.is_empty()) {
        if is_transcript(block) {
            scene.play(block);
            ran += commands(block).len();
        } else {
            scene.server_prints(block);
            ran += 1;
        }
    }
    ran
}

#[test]
fn mock_server_examples_and_its_request_log() {
    if !tool_or_skip("curl", "the README's mock-server examples") {
        return;
    }
    let ran = play_section(&mut Scene::new(), MOCK_SERVER);
    assert_eq!(ran, 7, "the mock-server section's examples");
}

#[test]
fn intercept_examples_and_what_the_mock_says_of_an_untrusting_client() {
    if !tool_or_skip("curl", "the README's --intercept examples") {
        return;
    }
    let ran = play_section(&mut Scene::new(), INTERCEPT);
    assert_eq!(ran, 6, "the --intercept section's examples");
}

#[test]
fn login_variant_examples_against_a_mock_of_the_family() {
    if !tool_or_skip("curl", "the README's login variant examples") {
        return;
    }
    let ran = play_section(&mut Scene::new(), VARIANTS);
    assert!(ran >= 19, "ran only {ran} login variant examples");
}

#[test]
fn simulate_examples_with_the_example_backend() {
    if !tool_or_skip("node", "the README's simulate examples")
        || !tool_or_skip("curl", "the README's simulate examples")
    {
        return;
    }
    let ran = play_section(&mut Scene::new(), SIMULATE);
    assert!(ran >= 4, "ran only {ran} simulate examples");
}

#[test]
fn every_console_block_of_the_readme_is_played() {
    let all = blocks();
    for block in &all {
        let commands = block
            .lines
            .iter()
            .any(|(_, l)| l.trim_start().starts_with("$ "));
        if !block.info.is_empty() {
            // A listing (```sh, ```toml ...) shows no output: a `$ ` prompt would be a
            // transcript nobody checks.
            assert!(
                !commands,
                "README line {}: a ```{} block with a `$ ` prompt: make it a plain ``` transcript",
                block.fence, block.info
            );
            continue;
        }
        assert!(
            OFFLINE
                .iter()
                .chain(AGAINST_WECHAT)
                .chain(&[VARIANTS, MOCK_SERVER, INTERCEPT, SIMULATE])
                .any(|h| block.heading.starts_with(h)),
            "README line {}: a console block under \"{}\", a section no test plays \
             (give it a scene in tests/readme.rs, or a language tag if it is no transcript)",
            block.fence,
            block.heading
        );
    }
    let played: Vec<&Block> = all.iter().filter(|b| is_transcript(b)).collect();
    let transcripts = played.len();
    let commands: usize = played.iter().map(|b| commands(b).len()).sum();
    assert!(transcripts >= 24, "only {transcripts} transcripts");
    assert!(commands >= 60, "only {commands} commands");
}

/// The flow files the README shows are the ones in examples/flows/, from their first step on
/// (comments and blank lines aside).
#[test]
fn the_flow_excerpts_are_the_example_files() {
    let steps = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| match l.find(" #") {
                Some(at) => &l[..at],
                None if l.trim_start().starts_with('#') => "",
                None => l,
            })
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .skip_while(|l| l != "[[steps]]")
            .collect()
    };
    let mut checked = 0;
    for block in section("Flow files").iter().filter(|b| b.info == "toml") {
        let Some(name) = block
            .intro
            .split('`')
            .find(|part| part.starts_with("examples/flows/"))
        else {
            continue;
        };
        let file = std::fs::read_to_string(Path::new(ROOT).join(name)).unwrap();
        let shown: Vec<(usize, String)> = block.lines.clone();
        let text: String = shown.iter().map(|(_, l)| format!("{l}\n")).collect();
        assert_eq!(
            steps(&text),
            steps(&file),
            "README line {}: the steps of {name} differ from the file",
            block.fence
        );
        checked += 1;
    }
    assert_eq!(checked, 2, "the README shows two flow files");
}

/// The flow-file reference is a flow simulate accepts: every key in it parses, and its steps
/// run (the backend it names is not there, so the first backend step fails).
#[test]
fn the_flow_reference_is_a_flow_simulate_runs() {
    let blocks = section("Flow files");
    let reference = blocks
        .iter()
        .find(|b| b.info == "toml" && b.lines.iter().any(|(_, l)| l.starts_with("backend =")))
        .expect("the flow-file reference");
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("reference.toml");
    let text: String = reference
        .lines
        .iter()
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    std::fs::write(&flow, text).unwrap();
    let mock = common::mock::MockProc::start(&[
        "--app",
        "wx5e1ec0de5e55a001:5ec2e7000000000000000000000000a1",
    ]);
    let r = common::run(
        common::wx()
            .args(["--color", "never", "simulate"])
            .arg(&flow)
            .args(["--mock", &mock.url, "--backend", "http://127.0.0.1:1"]),
    );
    let shown = format!(
        "README line {}: the flow reference\n{}",
        reference.fence,
        r.all()
    );
    assert_eq!(r.code, 1, "{shown}");
    assert!(r.stdout.contains("(6 steps)"), "{shown}");
    assert!(
        r.stdout.contains("✗ step 4 of 6 failed (2 not run)"),
        "{shown}"
    );
}

#[test]
fn the_matcher_is_strict_outside_the_dots_and_the_normalised_values() {
    assert!(matches("{\"a\":1,...}", "{\"a\":1,\"b\":2}"));
    assert!(!matches("{\"a\":1,...}", "{\"a\":2,\"b\":2}"));
    assert!(matches("made x (10 years ago)", "made x (11 years ago)"));
    assert!(!matches("made x (10 years ago)", "made x (11 months ago)"));
    assert!(!matches("exact", "exact and more"));
    assert!(matches(
        "at http://127.0.0.1:37619 now",
        "at http://127.0.0.1:4001 now"
    ));
    assert!(!matches(
        "at http://127.0.0.1:37619 now",
        "at http://127.0.0.2:4001 now"
    ));
    assert!(matches(
        "87009: x, rid: 6b0f-ab-cd",
        "87009: x, rid: 6c00-01-ff"
    ));
    assert!(!matches(
        "87009: x, rid: 6b0f-ab-cd",
        "87008: x, rid: 6c00-01-ff"
    ));
    // A request log line: the time of day and the latency move, nothing else.
    assert!(matches(
        "22:44:16.353 POST /mock/login 0 52µs openid=oDemoUser",
        "03:01:59.007 POST /mock/login 0 1203µs openid=oDemoUser"
    ));
    assert!(!matches(
        "22:44:16.353 POST /mock/login 0 52µs openid=oDemoUser",
        "03:01:59.007 POST /mock/login 40163 52µs openid=oDemoUser"
    ));
    assert!(!matches(
        "22:44:16.353 POST /mock/login 0 52µs",
        "22:44:16.353 POST /mock/login 0 52ms"
    ));
    assert!(!matches("22:44:16.353 GET", "22:44:16 353 GET"));
    assert!(matches("200 · 72 ms · x", "200 · 1 ms · x"));
    assert!(matches("502 · 66 ms", "502 · 3 ms"));
    assert!(!matches(
        "retrying in 250 ms (attempt 2/2)",
        "retrying in 500 ms (attempt 2/2)"
    ));
    assert!(!matches("200 · 72 ms · x", "200 · 72 s · x"));
    assert!(!matches("200 · 72 ms · x", "201 · 72 ms · x"));
    assert!(matches("now  3 minutes ago", "now  1 minute ago"));
    assert!(matches("now  12 seconds ago", "now  0 seconds ago"));
    assert!(matches("now  12 seconds ago", "now  2 minutes ago"));
    assert!(!matches("now  3 minutes ago", "now  3 hours ago"));
    assert!(!matches("now  3 minutes ago", "now  3 days ago"));
    assert!(!matches("now  3 minutes ago", "later  3 minutes ago"));
    assert!(matches(
        "{\"x\":1,\"time\":1796167591}",
        "{\"x\":1,\"time\":1800000000}"
    ));
    assert!(!matches(
        "{\"x\":1,\"time\":1796167591}",
        "{\"x\":2,\"time\":1796167591}"
    ));
    assert!(!matches("{\"time\":1796167591}", "{\"time\":\"soon\"}"));
}

#[test]
fn a_line_of_dots_leaves_out_lines_and_nothing_else() {
    let lines = |t: &str| t.lines().map(str::to_string).collect::<Vec<_>>();
    let printed = "a\nb\nc\nd\ne";
    let ok = |shown: &str| {
        std::panic::catch_unwind(|| assert_shows("t", &lines(shown), printed)).is_ok()
    };
    assert!(ok("a\nb\nc\nd\ne"));
    assert!(ok("...\nc\nd\n..."));
    assert!(ok("a\n...\ne"));
    assert!(ok("a\nb\n...\nd\ne"));
    assert!(ok("...\ne"));
    assert!(ok("a\n..."));
    // Without dots every line must be shown; with them, order and adjacency still hold.
    assert!(!ok("a\nb\nc\nd"));
    assert!(!ok("...\nc\ne\n..."));
    assert!(!ok("...\nd\nc\n..."));
    assert!(!ok("b\n...\ne"));
    assert!(!ok("a\n...\nd"));
    assert!(!ok("...\nx\n..."));
    assert!(!ok("a\n...\ne\n...\nb"));
}

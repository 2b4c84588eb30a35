//! The backend `simulate -- CMD` starts: spawned with the mock in its environment, waited for
//! until its URL accepts connections, stopped with SIGTERM (then killed), its stderr kept.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::core::{Error, Result};

/// Lines of the backend's stderr kept for a failed step: a traceback fits.
const KEPT_LINES: usize = 40;
/// How long a backend gets between SIGTERM and SIGKILL.
pub const GRACE: Duration = Duration::from_secs(3);
/// The readiness wait when `--ready-timeout` is not given: a cold `npm start` or Django.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A running backend and the tail of its stderr.
pub struct BackendProc {
    child: Child,
    program: String,
    tail: Arc<Mutex<VecDeque<String>>>,
    /// Set when stderr reached its end: what the backend wrote before exiting is all in `tail`.
    drained: Arc<std::sync::atomic::AtomicBool>,
    /// Lines read so far, to tell when the backend has stopped writing.
    lines: Arc<std::sync::atomic::AtomicU64>,
    stopped: bool,
    /// The secrets the backend was given (appsecret, corpsecret), kept out of what is shown
    /// of its stderr.
    secrets: Vec<String>,
}

/// The variables of the backend's environment that hold a secret.
const SECRET_VARS: [&str; 2] = ["WXLOGIN_SECRET", "WXLOGIN_CORPSECRET"];

/// A line of the backend's stderr as simulate shows it: its own log may print the secrets it
/// was given (a failed call's URL) or a session_key, masked like everything else unless
/// `reveal`, and its terminal escapes (a coloured dev-server log) are dropped.
pub fn shown_line(line: &str, secrets: &[&str], reveal: bool) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI `ESC [ ... final`; any other escape is the ESC and the character after it.
            if chars.next_if_eq(&'[').is_some() {
                while chars.next().is_some_and(|c| !('@'..='~').contains(&c)) {}
            } else {
                chars.next();
            }
        } else if !c.is_control() || c == '\t' {
            plain.push(c);
        }
    }
    if reveal {
        return plain;
    }
    crate::core::redact::redact_text(&plain, secrets)
}

impl BackendProc {
    /// Starts `command` (program and arguments) with `env` added to this process's own.
    pub fn spawn(command: &[OsString], env: &[(String, String)]) -> Result<BackendProc> {
        let Some((program, args)) = command.split_first() else {
            return Err(Error::usage(
                "`--` is followed by no command",
                "give the backend's command after `--`, e.g. `-- node examples/backend/server.js`",
            ));
        };
        let shown = program.to_string_lossy().into_owned();
        let mut cmd = Command::new(program);
        cmd.args(args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            // simulate's own stdout is the report (one JSON document with --json).
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // Its own process group, so that what a wrapper starts (`npm start`, `sh -c`, an
        // autoreloader's server) is stopped with it instead of keeping the port.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn().map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                "not found on PATH".to_string()
            } else {
                crate::core::error::io_reason(&e)
            };
            Error::input(
                "CMD",
                format!("cannot start the backend `{shown}`: {why}"),
                "give the backend's command after `--` as you would run it from this directory",
            )
        })?;
        let tail = Arc::new(Mutex::new(VecDeque::with_capacity(KEPT_LINES)));
        let drained = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let lines = Arc::new(std::sync::atomic::AtomicU64::new(0));
        if let Some(stderr) = child.stderr.take() {
            let (tail, drained, lines) = (tail.clone(), drained.clone(), lines.clone());
            // Drained to the end, so the backend never blocks on a full pipe.
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stderr);
                let mut line = Vec::new();
                while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                    let text = String::from_utf8_lossy(&line).trim_end().to_string();
                    line.clear();
                    let mut kept = tail.lock().unwrap_or_else(PoisonError::into_inner);
                    if kept.len() == KEPT_LINES {
                        kept.pop_front();
                    }
                    kept.push_back(text);
                    lines.fetch_add(1, std::sync::atomic::Ordering::Release);
                }
                drained.store(true, std::sync::atomic::Ordering::Release);
            });
        }
        let secrets = env
            .iter()
            .filter(|(k, _)| SECRET_VARS.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
            .collect();
        Ok(BackendProc {
            child,
            program: shown,
            tail,
            drained,
            lines,
            stopped: false,
            secrets,
        })
    }

    pub fn program(&self) -> &str {
        &self.program
    }

    /// The exit status, once the backend has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits until the backend has written nothing to stderr for `quiet` (at most `limit`): the
    /// line it logs for a failed request often lands just after the answer that failed a step.
    pub async fn settle_stderr(&self, quiet: Duration, limit: Duration) {
        let started = Instant::now();
        let read = || self.lines.load(std::sync::atomic::Ordering::Acquire);
        let mut seen = read();
        while started.elapsed() < limit && !self.drained.load(std::sync::atomic::Ordering::Acquire)
        {
            tokio::time::sleep(quiet).await;
            let now = read();
            if now == seen {
                return;
            }
            seen = now;
        }
    }

    /// The last `n` lines the backend wrote to stderr, oldest first.
    pub fn stderr_tail(&self, n: usize) -> Vec<String> {
        let kept = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        kept.iter()
            .skip(kept.len().saturating_sub(n))
            .cloned()
            .collect()
    }

    /// [`BackendProc::stderr_tail`] as simulate shows it ([`shown_line`]).
    pub fn shown_tail(&self, n: usize, reveal: bool) -> Vec<String> {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        self.stderr_tail(n)
            .iter()
            .map(|line| shown_line(line, &secrets, reveal))
            .collect()
    }

    /// Waits until `url`'s host and port accept a connection (or, with `ready_path`, until a
    /// GET of it answers 2xx), failing early when the backend exits.
    pub async fn wait_ready(
        &mut self,
        url: &str,
        ready_path: Option<&str>,
        timeout: Duration,
    ) -> Result<()> {
        let parsed = reqwest::Url::parse(url).map_err(|_| {
            Error::input(
                "--backend",
                format!("\"{url}\" is not a URL"),
                "give http://HOST:PORT",
            )
        })?;
        let host = parsed.host_str().unwrap_or("127.0.0.1").to_string();
        let port = parsed.port_or_known_default().unwrap_or(80);
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| Error::transport(format!("cannot build an HTTP client: {e}"), "a bug"))?;
        let probe = ready_path.map(|p| format!("{}{p}", url.trim_end_matches('/')));
        let started = Instant::now();
        let mut last = String::from("nothing listened there yet");
        loop {
            if let Some(status) = self.exited() {
                // The exit can be seen before the reader has taken the last lines off the pipe
                // (a grandchild holding it open gets a bounded wait).
                let since = Instant::now();
                while !self.drained.load(std::sync::atomic::Ordering::Acquire)
                    && since.elapsed() < Duration::from_secs(1)
                {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                return Err(self.failed_to_start(&format!(
                    "the backend `{}` exited ({}) before {url} accepted connections",
                    self.program,
                    describe(status)
                )));
            }
            let connected = tokio::time::timeout(
                Duration::from_secs(1),
                tokio::net::TcpStream::connect((host.as_str(), port)),
            )
            .await;
            if let Ok(Ok(_)) = connected {
                match &probe {
                    None => return Ok(()),
                    Some(probe) => match http.get(probe).send().await {
                        Ok(r) if r.status().is_success() => return Ok(()),
                        Ok(r) => last = format!("{probe} answered {}", r.status().as_u16()),
                        Err(e) => last = format!("{probe}: {}", super::mocklink::short_reason(&e)),
                    },
                }
            }
            if started.elapsed() >= timeout {
                let what = match ready_path {
                    Some(p) => format!("{url}{p} did not answer 2xx"),
                    None => format!("{url} did not accept connections"),
                };
                return Err(
                    self.failed_to_start(&format!("{what} within {} ({last})", seconds(timeout)))
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Refuses a backend URL where something listens already: simulate would talk to that
    /// instead of the command it starts (an earlier backend still running, another service).
    pub async fn refuse_taken_port(url: &str) -> Result<()> {
        let Ok(parsed) = reqwest::Url::parse(url) else {
            return Ok(());
        };
        let host = parsed.host_str().unwrap_or("127.0.0.1").to_string();
        let port = parsed.port_or_known_default().unwrap_or(80);
        let connected = tokio::time::timeout(
            Duration::from_millis(500),
            tokio::net::TcpStream::connect((host.as_str(), port)),
        )
        .await;
        if let Ok(Ok(_)) = connected {
            return Err(Error::transport(
                format!(
                    "something already listens on {host}:{port} before the backend started: \
                     the flow would run against it, not against the command after `--`"
                ),
                "stop what listens there (an earlier backend still running?), or give the flow's \
                 backend URL another port (port 0 picks a free one, passed to the backend as PORT)",
            ));
        }
        Ok(())
    }

    fn failed_to_start(&self, message: &str) -> Error {
        let tail = self.shown_tail(10, false);
        let shown = if tail.is_empty() {
            " (it wrote nothing to stderr)".to_string()
        } else {
            format!("; its last stderr lines:\n    {}", tail.join("\n    "))
        };
        Error::transport(
            format!("{message}{shown}"),
            "does the backend listen on the port of the flow's `backend` URL (it gets it as PORT)? \
             give --ready-timeout for a slow start, or --ready-path for a route that answers when it is ready",
        )
    }

    /// SIGTERM, then SIGKILL when it is still running after `grace`.
    pub fn stop(&mut self, grace: Duration) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let group = self.group();
        signal_group(group, Signal::Term);
        let until = Instant::now() + grace;
        while Instant::now() < until {
            if self.exited().is_some() && !group_alive(group) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        signal_group(group, Signal::Kill);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The backend's process group (its own: the backend's pid).
    pub fn group(&self) -> Option<i32> {
        i32::try_from(self.child.id()).ok()
    }
}

impl Drop for BackendProc {
    fn drop(&mut self) {
        self.stop(GRACE);
    }
}

#[derive(Clone, Copy)]
pub enum Signal {
    Term,
    Kill,
}

/// Signals every process of the backend's group (`kill(-pgid)`); a group already gone is fine.
#[cfg(unix)]
pub fn signal_group(group: Option<i32>, signal: Signal) {
    let Some(pgid) = group.filter(|g| *g > 1) else {
        return;
    };
    let sig = match signal {
        Signal::Term => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    // SAFETY: kill(2) on the process group this process made for the backend.
    unsafe {
        libc::kill(-pgid, sig);
    }
}

#[cfg(not(unix))]
pub fn signal_group(_group: Option<i32>, _signal: Signal) {}

/// Whether any process of the group is left (a zombie leader counts until it is reaped).
#[cfg(unix)]
fn group_alive(group: Option<i32>) -> bool {
    // SAFETY: kill(2) with signal 0 only checks that the group exists.
    group.is_some_and(|g| g > 1 && unsafe { libc::kill(-g, 0) } == 0)
}

#[cfg(not(unix))]
fn group_alive(_group: Option<i32>) -> bool {
    false
}

fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => "killed by a signal".to_string(),
    }
}

fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// A duration as `--ready-timeout` takes it: `10s`, `500ms`, `2m`, or bare seconds.
pub fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" is not a duration (e.g. 10s, 500ms, 2m)"))?;
    let secs = match unit.trim() {
        "" | "s" | "sec" | "secs" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        other => {
            return Err(format!(
                "unknown unit \"{other}\": use ms, s or m (e.g. 10s)"
            ));
        }
    };
    if !(secs.is_finite() && secs > 0.0 && secs <= 3600.0) {
        return Err(format!("\"{text}\" must be above 0 and at most an hour"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_lines_lose_their_escapes_and_the_secret() {
        let secret = "5ec2e7000000000000000000000000a1";
        let line = format!(
            "\u{1b}[35m\u{1b}[1mGET /sns/jscode2session?appid=wx1&secret={secret}&js_code=c\u{1b}[0m key {secret}"
        );
        let shown = shown_line(&line, &[secret], false);
        assert!(!shown.contains('\u{1b}'), "{shown}");
        assert!(!shown.contains("5ec2e7"), "{shown}");
        assert!(
            shown.starts_with("GET /sns/jscode2session?appid=wx1&secret="),
            "{shown}"
        );
        let revealed = shown_line(&line, &[secret], true);
        assert!(revealed.contains(&format!("secret={secret}")), "{revealed}");
        assert!(!revealed.contains('\u{1b}'), "{revealed}");
    }

    #[test]
    fn durations_take_units_and_refuse_nonsense() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("0s").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn stderr_is_kept_and_a_stubborn_process_is_killed() {
        let cmd: Vec<OsString> = [
            "sh",
            "-c",
            "echo one >&2; echo two >&2; trap '' TERM; exec sleep 30",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        let mut p = BackendProc::spawn(&cmd, &[]).unwrap();
        while p.stderr_tail(5).len() < 2 {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(p.stderr_tail(1), vec!["two".to_string()]);
        p.stop(Duration::from_millis(200));
        assert!(p.exited().is_some());
    }
}

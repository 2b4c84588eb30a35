//! What the mock saw: a bounded ring of raw request records (masked only when read) and the
//! coloured one-line-per-request log, written by its own thread through a buffer.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, Uri};
use colored::{ColoredString, Colorize};
use serde::Serialize;
use serde_json::Value;

use super::reply;
use super::state::{State, User, lock};
use crate::core::redact;

/// How many requests the journal keeps by default (`--journal-size`); older ones go first.
pub const JOURNAL_CAPACITY: usize = super::bounds::DEFAULT_JOURNAL_SIZE;
/// The most of a query or body a journal record keeps: with the record count, this bounds
/// the journal's memory (2048 records hold at most 32 MiB), whatever clients send.
const RECORDED_MAX: usize = 8 * 1024;
/// Lines waiting for the log thread; past this, lines are dropped rather than slow requests.
const LOG_QUEUE: usize = 64 * 1024;
/// How often the log thread writes what came in: soon enough for a person watching.
const LOG_EVERY: Duration = Duration::from_millis(20);

/// Request bytes copied out of the request: inline when short (the usual case, no
/// allocation), shared on the heap otherwise. Never the request's own `Bytes`: those point
/// into the connection's read buffer, and keeping them in the journal would make the server
/// allocate a fresh buffer for every later request on that connection.
#[derive(Clone)]
pub(crate) enum Copied {
    Inline(u8, [u8; INLINE]),
    Shared(Arc<[u8]>),
}

const INLINE: usize = 200;

impl Copied {
    pub(crate) fn new(bytes: &[u8]) -> Copied {
        if bytes.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..bytes.len()].copy_from_slice(bytes);
            Copied::Inline(bytes.len() as u8, buf)
        } else {
            Copied::Shared(Arc::from(bytes))
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Copied::Inline(len, buf) => &buf[..usize::from(*len)],
            Copied::Shared(b) => b,
        }
    }
}

/// One request as it happened, for the journal.
#[derive(Clone)]
pub(crate) struct Record {
    pub line: LogLine,
    /// The intercepted host, for a request that came through `--intercept`'s proxy.
    pub host: Option<&'static str>,
    pub query: Option<Copied>,
    pub body: Option<Copied>,
}

/// What the stderr log shows of a request: no query or body, so no secret.
#[derive(Clone)]
pub(crate) struct LogLine {
    pub time_ms: u64,
    pub method: Method,
    pub path: Cow<'static, str>,
    pub status: u16,
    pub errcode: i64,
    pub latency_us: u64,
    pub user: Option<Arc<User>>,
}

impl Record {
    /// The path as a static string for the mock's own routes (no copy), copied otherwise.
    pub(crate) fn path_of(uri: &Uri) -> Cow<'static, str> {
        let path = uri.path();
        match ROUTES.iter().find(|r| **r == path) {
            Some(route) => Cow::Borrowed(route),
            None => Cow::Owned(path.chars().take(256).collect()),
        }
    }

    pub(crate) fn query_of(uri: &Uri) -> Option<Copied> {
        uri.query().filter(|q| !q.is_empty()).map(|q| {
            let kept = q.len().min(RECORDED_MAX);
            Copied::new(&q.as_bytes()[..kept])
        })
    }

    /// The body, or for one longer than a record keeps, a JSON string saying so.
    pub(crate) fn body_of(body: Option<&Bytes>) -> Option<Copied> {
        body.filter(|b| !b.is_empty()).map(|b| {
            if b.len() <= RECORDED_MAX {
                Copied::new(b)
            } else {
                let note = format!("\"({} bytes, longer than the journal keeps)\"", b.len());
                Copied::new(note.as_bytes())
            }
        })
    }
}

/// Every route the mock serves.
pub(crate) const ROUTES: &[&str] = &[
    "/sns/jscode2session",
    "/cgi-bin/token",
    "/cgi-bin/stable_token",
    "/wxa/checksession",
    "/wxa/resetusersessionkey",
    "/wxa/business/getuserphonenumber",
    "/mock/login",
    "/mock/userinfo",
    "/mock/phonenumber",
    "/mock/faults",
    "/mock/journal",
    "/mock/stats",
    "/mock/reset",
    "/mock/apps",
];

/// A request in the journal, secrets masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalEntry {
    /// Numbers the requests of one mock from 1, never reused, not even after a reset: a reader
    /// asks for what came after the last one it saw.
    pub seq: u64,
    /// How many resets came before this request.
    pub generation: u64,
    /// Unix time in milliseconds.
    pub time_ms: u64,
    pub method: String,
    /// The host a request came through `--intercept` for (`api.weixin.qq.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub path: String,
    /// The query string, secrets masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The JSON body, secrets masked (a string describing it when it was not JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub status: u16,
    pub errcode: i64,
    pub latency_us: u64,
}

pub(crate) struct Journal {
    ring: Mutex<Ring>,
    dropped: AtomicU64,
    capacity: usize,
}

struct Ring {
    records: VecDeque<Stamped>,
    /// The seq of the latest record (0: none yet).
    last_seq: u64,
    generation: u64,
}

struct Stamped {
    seq: u64,
    generation: u64,
    record: Record,
}

/// Where the journal stands: what a reader keeps to ask for what comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub generation: u64,
    pub last_seq: u64,
}

impl Journal {
    /// A journal keeping the last `capacity` requests (at least one).
    pub(crate) fn new(capacity: usize) -> Journal {
        let capacity = capacity.max(1);
        Journal {
            ring: Mutex::new(Ring {
                records: VecDeque::with_capacity(capacity.min(JOURNAL_CAPACITY)),
                last_seq: 0,
                generation: 0,
            }),
            dropped: AtomicU64::new(0),
            capacity,
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records kept now, and where the journal stands.
    pub(crate) fn len_and_cursor(&self) -> (usize, Cursor) {
        let ring = lock(&self.ring);
        let cursor = Cursor {
            generation: ring.generation,
            last_seq: ring.last_seq,
        };
        (ring.records.len(), cursor)
    }

    pub(crate) fn push(&self, record: Record) {
        let mut ring = lock(&self.ring);
        if ring.records.len() >= self.capacity {
            ring.records.pop_front();
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        ring.last_seq += 1;
        let stamped = Stamped {
            seq: ring.last_seq,
            generation: ring.generation,
            record,
        };
        ring.records.push_back(stamped);
    }

    /// Empties the journal for a reset: a new generation, while seq keeps counting.
    pub(crate) fn clear(&self) {
        let mut ring = lock(&self.ring);
        ring.records.clear();
        ring.generation += 1;
        self.dropped.store(0, Ordering::Relaxed);
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The kept records, oldest first, masked.
    pub(crate) fn entries(&self, state: &State) -> Vec<JournalEntry> {
        self.since(state, 0).1
    }

    /// The kept records with a seq above `after`, oldest first, masked, and where the journal
    /// stands as they were taken.
    pub(crate) fn since(&self, state: &State, after: u64) -> (Cursor, Vec<JournalEntry>) {
        // Copied out first: masking and JSON parsing happen without holding the lock.
        let (cursor, records) = {
            let ring = lock(&self.ring);
            let cursor = Cursor {
                generation: ring.generation,
                last_seq: ring.last_seq,
            };
            // Seqs are consecutive in the ring: skip without scanning.
            let first = ring.records.front().map_or(0, |r| r.seq);
            let skip = usize::try_from(after.saturating_add(1).saturating_sub(first))
                .unwrap_or(usize::MAX);
            let records: Vec<(u64, u64, Record)> = ring
                .records
                .iter()
                .skip(skip)
                .map(|s| (s.seq, s.generation, s.record.clone()))
                .collect();
            (cursor, records)
        };
        let entries = records
            .iter()
            .map(|(seq, generation, r)| entry(*seq, *generation, r, state))
            .collect();
        (cursor, entries)
    }
}

fn entry(seq: u64, generation: u64, record: &Record, state: &State) -> JournalEntry {
    let r = &record.line;
    let query = record
        .query
        .as_ref()
        .map(|q| String::from_utf8_lossy(q.bytes()));
    let query = query.as_deref();
    let [q_appid, q_code] = reply::take(query.unwrap_or(""), ["appid", "js_code"]);
    let body: Option<Value> = record.body.as_ref().map(|b| {
        let b = b.bytes();
        match serde_json::from_slice::<Value>(b) {
            Ok(mut v) => {
                mask_value(&mut v);
                v
            }
            Err(_) => Value::String(format!("({} bytes, not JSON)", b.len())),
        }
    });
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .and_then(Value::as_str)
            .map(String::from)
    };
    let user_app = r
        .user
        .as_ref()
        .and_then(|u| state.apps.get(u.app))
        .map(|a| a.appid.clone());
    JournalEntry {
        seq,
        generation,
        time_ms: r.time_ms,
        method: r.method.to_string(),
        host: record.host.map(String::from),
        path: r.path.to_string(),
        query: query.map(mask_query),
        body: body.clone(),
        appid: q_appid
            .map(|c| c.into_owned())
            .or_else(|| field("appid"))
            .or(user_app),
        openid: r
            .user
            .as_ref()
            .map(|u| u.openid.to_string())
            .or_else(|| field("openid")),
        // Douyin's anonymous login exchanges its code as `anonymous_code`.
        code: q_code
            .map(|c| c.into_owned())
            .or_else(|| field("code"))
            .or_else(|| field("anonymous_code")),
        status: r.status,
        errcode: r.errcode,
        latency_us: r.latency_us,
    }
}

/// The query with credential values redacted by the core's one policy.
pub(crate) fn mask_query(query: &str) -> String {
    redact::redact_query(query)
}

fn mask_value(v: &mut Value) {
    redact::redact_json(v);
}

/// The stderr log: requests append their record to a pending list (no wake-up, no syscall)
/// and one thread writes the list out every few milliseconds through a buffer.
pub(crate) struct Logger {
    shared: Arc<LogShared>,
}

struct LogShared {
    pending: Mutex<Vec<LogLine>>,
    /// Held while a batch is taken and written, so batches reach stderr in order.
    writer: Mutex<std::io::BufWriter<std::io::Stderr>>,
    color: bool,
    stop: AtomicBool,
    dropped: AtomicU64,
}

impl Logger {
    pub(crate) fn start(color: bool) -> Logger {
        let shared = Arc::new(LogShared {
            pending: Mutex::new(Vec::with_capacity(1024)),
            writer: Mutex::new(std::io::BufWriter::with_capacity(
                64 * 1024,
                std::io::stderr(),
            )),
            color,
            stop: AtomicBool::new(false),
            dropped: AtomicU64::new(0),
        });
        let worker = shared.clone();
        // Without the thread requests are still answered: the list fills and lines drop.
        let _ = std::thread::Builder::new()
            .name("mock-log".into())
            .spawn(move || {
                while !worker.stop.load(Ordering::Acquire) {
                    std::thread::sleep(LOG_EVERY);
                    worker.write_pending();
                }
            });
        Logger { shared }
    }

    pub(crate) fn log(&self, record: LogLine) {
        let mut pending = lock(&self.shared.pending);
        if pending.len() < LOG_QUEUE {
            pending.push(record);
        } else {
            drop(pending);
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Lines dropped because the log thread was not keeping up.
    pub(crate) fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Writes every pending line now.
    pub(crate) fn flush(&self) {
        self.shared.write_pending();
        let dropped = self.shared.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            let _ = writeln!(
                std::io::stderr(),
                "mock-server: {dropped} log lines dropped (stderr was not keeping up)"
            );
        }
    }
}

impl Drop for Logger {
    fn drop(&mut self) {
        self.shared.write_pending();
        self.shared.stop.store(true, Ordering::Release);
    }
}

impl LogShared {
    fn write_pending(&self) {
        let mut out = lock(&self.writer);
        let batch = std::mem::take(&mut *lock(&self.pending));
        if batch.is_empty() {
            return;
        }
        let mut line = String::with_capacity(128);
        for r in &batch {
            line.clear();
            format_line(&mut line, r, self.color);
            let _ = out.write_all(line.as_bytes());
        }
        let _ = out.flush();
    }
}

/// The mock's own stderr line, outside the request log (a failed save, say).
pub(crate) fn warn(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "mock-server: {text}");
}

/// One line on stderr as given (it names the mock itself); a closed stderr has nobody to tell.
pub(crate) fn eprint_line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// `text` styled, or as is when the log is not coloured.
fn paint(color: bool, text: &str, style: fn(&str) -> ColoredString) -> String {
    if color {
        style(text).to_string()
    } else {
        text.to_string()
    }
}

/// `12:03:07.123 GET  /sns/jscode2session 0 143µs openid=o…`: no query, so no secret.
fn format_line(out: &mut String, r: &LogLine, color: bool) {
    use std::fmt::Write as _;
    let day_ms = r.time_ms % 86_400_000;
    if !color {
        // Straight into the line: the painted path below makes five Strings per line.
        let _ = write!(
            out,
            "{:02}:{:02}:{:02}.{:03} {:<4} {} ",
            day_ms / 3_600_000,
            day_ms / 60_000 % 60,
            day_ms / 1000 % 60,
            day_ms % 1000,
            r.method.as_str(),
            r.path,
        );
        let _ = if r.status >= 400 && r.errcode == 0 {
            write!(out, "{}", r.status)
        } else {
            write!(out, "{}", r.errcode)
        };
        let _ = if r.latency_us >= 10_000 {
            write!(out, " {}ms", r.latency_us / 1000)
        } else {
            write!(out, " {}µs", r.latency_us)
        };
        if let Some(u) = &r.user {
            let _ = write!(out, " openid={}", u.openid);
        }
        out.push('\n');
        return;
    }
    let time = format!(
        "{:02}:{:02}:{:02}.{:03}",
        day_ms / 3_600_000,
        day_ms / 60_000 % 60,
        day_ms / 1000 % 60,
        day_ms % 1000
    );
    let control = r.path.starts_with("/mock/");
    let outcome = if r.status >= 400 && r.errcode == 0 {
        r.status.to_string()
    } else {
        r.errcode.to_string()
    };
    let outcome = if r.errcode == 0 && r.status < 400 {
        paint(color, &outcome, |s| s.green())
    } else {
        paint(color, &outcome, |s| s.red().bold())
    };
    let path = if control {
        paint(color, &r.path, |s| s.cyan())
    } else {
        paint(color, &r.path, |s| s.bold())
    };
    let latency = if r.latency_us >= 10_000 {
        format!("{}ms", r.latency_us / 1000)
    } else {
        format!("{}µs", r.latency_us)
    };
    let _ = write!(
        out,
        "{} {:<4} {} {} {}",
        paint(color, &time, |s| s.dimmed()),
        r.method.as_str(),
        path,
        outcome,
        paint(color, &latency, |s| s.dimmed()),
    );
    if let Some(u) = &r.user {
        let _ = write!(out, " openid={}", u.openid);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain line is the painted one without its colours.
    #[test]
    fn plain_log_line_is_the_coloured_one_uncoloured() {
        for (path, status, errcode, latency_us) in [
            ("/sns/jscode2session", 200, 0, 143),
            ("/mock/login", 400, 0, 12_345),
            ("/nope", 404, 40163, 9_999),
        ] {
            let r = LogLine {
                time_ms: 1_700_000_123_456,
                method: Method::GET,
                path: Cow::Borrowed(path),
                status,
                errcode,
                latency_us,
                user: None,
            };
            let (mut plain, mut painted) = (String::new(), String::new());
            format_line(&mut plain, &r, false);
            format_line(&mut painted, &r, true);
            let stripped = String::from_utf8(strip_ansi(painted.as_bytes())).unwrap();
            assert_eq!(plain, stripped);
            assert!(plain.ends_with('\n'));
        }
    }

    fn strip_ansi(b: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == 0x1b {
                while i < b.len() && b[i] != b'm' {
                    i += 1;
                }
            } else {
                out.push(b[i]);
            }
            i += 1;
        }
        out
    }

    /// The journal hides the appsecret whole, as the client's `-v` trace does (one policy).
    #[test]
    fn masks_credentials_in_queries_and_bodies() {
        let q = "grant_type=client_credential&appid=wx1&secret=0123456789abcdef0123";
        assert!(mask_query(q).ends_with("&appid=wx1&secret=…"));
        let mut body = serde_json::json!([{"session_key": "tiihtNczf5v6AKRyjwEUhQ=="}]);
        mask_value(&mut body);
        assert_eq!(body[0]["session_key"], "tiih…hQ==");
    }
}

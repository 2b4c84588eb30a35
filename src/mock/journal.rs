//! What the mock saw: a bounded ring of raw request records (masked only when read) and the
//! coloured one-line-per-request log, written by its own thread through a buffer.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, Uri};
use colored::Colorize;
use serde::Serialize;
use serde_json::Value;

use super::reply;
use super::state::{State, User, lock};
use crate::core::secret::mask;
use crate::output::paint;

/// How many requests the journal keeps; older ones are dropped first.
pub const JOURNAL_CAPACITY: usize = 2048;
/// Lines waiting for the log thread; past this, lines are dropped rather than slow requests.
const LOG_QUEUE: usize = 16 * 1024;

/// Parameters and body fields whose values are credentials.
const SECRET_NAMES: &[&str] = &["secret", "access_token", "session_key", "signature"];

/// One request as it happened; cheap to clone (shared bytes and pointers).
#[derive(Clone)]
pub(crate) struct Record {
    pub time_ms: u64,
    pub method: Method,
    pub uri: Uri,
    pub status: u16,
    pub errcode: i64,
    pub latency_us: u64,
    pub user: Option<Arc<User>>,
    pub body: Option<Bytes>,
}

/// A request in the journal, secrets masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalEntry {
    /// Unix time in milliseconds.
    pub time_ms: u64,
    pub method: String,
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
    ring: Mutex<VecDeque<Record>>,
    dropped: AtomicU64,
}

impl Journal {
    pub(crate) fn new() -> Journal {
        Journal {
            ring: Mutex::new(VecDeque::with_capacity(JOURNAL_CAPACITY)),
            dropped: AtomicU64::new(0),
        }
    }

    pub(crate) fn push(&self, record: Record) {
        let mut ring = lock(&self.ring);
        if ring.len() == JOURNAL_CAPACITY {
            ring.pop_front();
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        ring.push_back(record);
    }

    pub(crate) fn clear(&self) {
        lock(&self.ring).clear();
        self.dropped.store(0, Ordering::Relaxed);
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The kept records, oldest first, masked.
    pub(crate) fn entries(&self, state: &State) -> Vec<JournalEntry> {
        let records: Vec<Record> = lock(&self.ring).iter().cloned().collect();
        records.iter().map(|r| entry(r, state)).collect()
    }
}

fn entry(r: &Record, state: &State) -> JournalEntry {
    let query = r.uri.query().filter(|q| !q.is_empty());
    let [q_appid, q_code] = reply::take(query.unwrap_or(""), ["appid", "js_code"]);
    let body: Option<Value> = r.body.as_ref().filter(|b| !b.is_empty()).map(|b| {
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
        time_ms: r.time_ms,
        method: r.method.to_string(),
        path: r.uri.path().to_string(),
        query: query.map(mask_query),
        body: body.clone(),
        appid: q_appid
            .map(|c| c.into_owned())
            .or_else(|| field("appid"))
            .or(user_app),
        openid: r
            .user
            .as_ref()
            .map(|u| u.openid.clone())
            .or_else(|| field("openid")),
        code: q_code.map(|c| c.into_owned()).or_else(|| field("code")),
        status: r.status,
        errcode: r.errcode,
        latency_us: r.latency_us,
    }
}

/// The query with credential values masked (`secret=8d2c…9f1e`), everything else as sent.
pub(crate) fn mask_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if SECRET_NAMES.contains(&reply::decode(k).as_ref()) => {
                format!("{k}={}", mask(&reply::decode(v)))
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn mask_value(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if SECRET_NAMES.contains(&k.as_str()) {
                    if let Value::String(s) = val {
                        *s = mask(s);
                    }
                } else {
                    mask_value(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_value),
        _ => {}
    }
}

enum LogMsg {
    Line(Record),
    Flush(SyncSender<()>),
}

/// The stderr log: requests queue here and one thread formats and writes them in batches.
pub(crate) struct Logger {
    tx: SyncSender<LogMsg>,
    dropped: AtomicU64,
}

impl Logger {
    pub(crate) fn start(color: bool) -> Logger {
        let (tx, rx) = std::sync::mpsc::sync_channel(LOG_QUEUE);
        // Without the thread requests are still answered: the queue fills and lines drop.
        let _ = std::thread::Builder::new()
            .name("mock-log".into())
            .spawn(move || write_loop(rx, color));
        Logger {
            tx,
            dropped: AtomicU64::new(0),
        }
    }

    pub(crate) fn log(&self, record: Record) {
        match self.tx.try_send(LogMsg::Line(record)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Waits (briefly) until every queued line is written.
    pub(crate) fn flush(&self) {
        let (ack_tx, ack_rx) = std::sync::mpsc::sync_channel(1);
        if self.tx.send(LogMsg::Flush(ack_tx)).is_ok() {
            let _ = ack_rx.recv_timeout(Duration::from_secs(2));
        }
        let dropped = self.dropped.load(Ordering::Relaxed);
        if dropped > 0 {
            let _ = writeln!(
                std::io::stderr(),
                "mock-server: {dropped} log lines dropped (stderr was not keeping up)"
            );
        }
    }
}

fn write_loop(rx: Receiver<LogMsg>, color: bool) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    let mut line = String::with_capacity(128);
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(msg) = next {
            match msg {
                LogMsg::Line(r) => {
                    line.clear();
                    format_line(&mut line, &r, color);
                    let _ = out.write_all(line.as_bytes());
                }
                LogMsg::Flush(ack) => {
                    let _ = out.flush();
                    let _ = ack.try_send(());
                }
            }
            next = rx.try_recv().ok();
        }
        let _ = out.flush();
    }
    let _ = out.flush();
}

/// `12:03:07.123 GET  /sns/jscode2session 0 143µs openid=o…`: no query, so no secret.
fn format_line(out: &mut String, r: &Record, color: bool) {
    use std::fmt::Write as _;
    let day_ms = r.time_ms % 86_400_000;
    let time = format!(
        "{:02}:{:02}:{:02}.{:03}",
        day_ms / 3_600_000,
        day_ms / 60_000 % 60,
        day_ms / 1000 % 60,
        day_ms % 1000
    );
    let control = r.uri.path().starts_with("/mock/");
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
        paint(color, r.uri.path(), |s| s.cyan())
    } else {
        paint(color, r.uri.path(), |s| s.bold())
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

    #[test]
    fn masks_credentials_in_queries_and_bodies() {
        let q = mask_query(
            "appid=wx1&secret=0123456789abcdef0123&js_code=abc&access_token=ACCESSTOKEN_LONG_VALUE",
        );
        assert_eq!(
            q,
            "appid=wx1&secret=0123…0123&js_code=abc&access_token=ACCE…ALUE"
        );
        let mut v = serde_json::json!({"appid":"wx1","secret":"0123456789abcdef0123","nested":{"session_key":"tiihtNczf5v6AKRyjwEUhQ=="}});
        mask_value(&mut v);
        assert_eq!(v["secret"], "0123…0123");
        assert_eq!(v["nested"]["session_key"], "tiih…hQ==");
    }
}

//! Injected faults: the next N calls of a WeChat route answer a chosen errcode, or are slowed
//! down. Checked through an atomic flag first, so no lock is taken while none is set.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::state::lock;

/// One fault as `POST /mock/faults` takes it and lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// A path (`/sns/jscode2session`), its last segment (`jscode2session`), or `*` for every
    /// WeChat route.
    #[serde(default = "every_route")]
    pub route: String,
    /// The errcode to answer (e.g. -1, 45011, 40226); none to only add latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errcode: Option<i64>,
    /// The errmsg to answer instead of WeChat's usual one for that errcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errmsg: Option<String>,
    /// Delay before answering, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// How many calls it applies to.
    #[serde(default = "one")]
    pub count: u32,
    /// Answer the errcode (Douyin: err_no) as a numeric string, as an older doc shows it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub errcode_as_string: bool,
    /// Carry the request out (spend the code, rotate the key) and only then answer the
    /// errcode: WeChat's "system busy" (-1) can come after the code was used, so its retry
    /// gets 40163.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub consume: bool,
}

fn every_route() -> String {
    "*".to_string()
}

fn one() -> u32 {
    1
}

/// The longest injected delay: long enough for any client timeout, short enough not to hang.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// The most faults set at once: each request scans them, and a test suite that sets faults on
/// a route it never calls must not grow the mock without bound.
pub const MAX_FAULTS: usize = 1024;

/// The WeChat routes a fault can name (by path or last segment), besides `*`.
pub const ROUTES: &[&str] = &[
    "/sns/jscode2session",
    "/cgi-bin/token",
    "/cgi-bin/stable_token",
    "/wxa/checksession",
    "/wxa/resetusersessionkey",
    "/wxa/business/getuserphonenumber",
    "/sns/component/jscode2session",
    "/cgi-bin/component/api_component_token",
    "/cgi-bin/gettoken",
    "/cgi-bin/miniprogram/jscode2session",
    "/api/apps/v2/jscode2session",
];

impl Fault {
    /// Whether the route names a WeChat route: a fault for anything else would never fire.
    pub fn route_is_known(&self) -> bool {
        self.route == "*" || ROUTES.iter().any(|path| self.matches(path))
    }

    fn matches(&self, path: &str) -> bool {
        let route = self.route.as_str();
        route == "*"
            || route == path
            || path
                .strip_suffix(route)
                .is_some_and(|head| head.ends_with('/'))
    }
}

/// A latency fault being served: a request of this route waits out its delay now. A fault
/// with `count` 1 is gone from the list as soon as its request arrives, so this is what shows
/// that a client (a backend under `simulate`) is itself waiting on WeChat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delay {
    pub route: String,
    pub latency_ms: u64,
}

#[derive(Default)]
pub(crate) struct Faults {
    list: Mutex<Vec<Fault>>,
    active: AtomicBool,
    delaying: Mutex<Vec<(u64, Delay)>>,
    next_delay: AtomicU64,
}

/// Ends a delay when its request is answered or dropped (the client hung up).
pub(crate) struct DelayGuard<'a> {
    faults: &'a Faults,
    id: u64,
}

impl Drop for DelayGuard<'_> {
    fn drop(&mut self) {
        lock(&self.faults.delaying).retain(|(id, _)| *id != self.id);
    }
}

impl Faults {
    /// Sets a fault; false (nothing changed) when [`MAX_FAULTS`] are already set.
    pub(crate) fn add(&self, fault: Fault) -> bool {
        let mut list = lock(&self.list);
        if list.len() >= MAX_FAULTS {
            return false;
        }
        list.push(fault);
        self.active.store(true, Ordering::Release);
        true
    }

    pub(crate) fn clear(&self) {
        let mut list = lock(&self.list);
        list.clear();
        self.active.store(false, Ordering::Release);
    }

    pub(crate) fn list(&self) -> Vec<Fault> {
        lock(&self.list).clone()
    }

    /// Records that a request of `path` waits out a latency fault until the guard drops.
    pub(crate) fn begin_delay(&self, path: &str, latency_ms: u64) -> DelayGuard<'_> {
        let id = self.next_delay.fetch_add(1, Ordering::Relaxed);
        let delay = Delay {
            route: path.to_string(),
            latency_ms,
        };
        lock(&self.delaying).push((id, delay));
        DelayGuard { faults: self, id }
    }

    /// The requests waiting out a latency fault now, oldest first.
    pub(crate) fn delaying(&self) -> Vec<Delay> {
        lock(&self.delaying)
            .iter()
            .map(|(_, d)| d.clone())
            .collect()
    }

    /// Consumes one use of the first fault set for this path.
    pub(crate) fn take(&self, path: &str) -> Option<Fault> {
        if !self.active.load(Ordering::Acquire) {
            return None;
        }
        let mut list = lock(&self.list);
        let i = list.iter().position(|f| f.matches(path))?;
        let fault = list[i].clone();
        list[i].count -= 1;
        if list[i].count == 0 {
            list.remove(i);
        }
        if list.is_empty() {
            self.active.store(false, Ordering::Release);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(route: &str, count: u32) -> Fault {
        Fault {
            route: route.into(),
            errcode: Some(-1),
            errmsg: None,
            latency_ms: 0,
            count,
            errcode_as_string: false,
            consume: false,
        }
    }

    #[test]
    fn a_fault_applies_count_times_to_its_route() {
        let f = Faults::default();
        f.add(fault("jscode2session", 2));
        assert!(f.take("/cgi-bin/token").is_none());
        assert!(f.take("/sns/jscode2session").is_some());
        assert!(f.take("/sns/jscode2session").is_some());
        assert!(f.take("/sns/jscode2session").is_none());
        f.add(fault("*", 1));
        assert!(f.take("/wxa/checksession").is_some());
        assert!(f.list().is_empty());
    }

    #[test]
    fn a_delay_is_listed_until_its_request_ends() {
        let f = Faults::default();
        let first = f.begin_delay("/sns/jscode2session", 5_000);
        let second = f.begin_delay("/cgi-bin/token", 100);
        assert_eq!(f.delaying().len(), 2);
        drop(first);
        assert_eq!(
            f.delaying(),
            vec![Delay {
                route: "/cgi-bin/token".into(),
                latency_ms: 100
            }]
        );
        drop(second);
        assert!(f.delaying().is_empty());
    }

    #[test]
    fn only_wechat_routes_are_known() {
        for route in [
            "*",
            "jscode2session",
            "/cgi-bin/stable_token",
            "getuserphonenumber",
        ] {
            assert!(fault(route, 1).route_is_known(), "{route}");
        }
        for route in [
            "jscode2sesion",
            "session",
            "/mock/login",
            "",
            "sns/jscode2session/x",
        ] {
            assert!(!fault(route, 1).route_is_known(), "{route}");
        }
    }

    #[test]
    fn suffix_match_is_by_whole_segment() {
        assert!(!fault("session", 1).matches("/sns/jscode2session"));
        assert!(fault("/sns/jscode2session", 1).matches("/sns/jscode2session"));
    }
}

//! Heap bytes the mock keeps per named user, per anonymous user and per outstanding code,
//! counted by a global allocator around the in-process mock (`cargo bench --bench mock_memory`).

// A benchmark that cannot go on may panic: that is the failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use axum::body::Body;
use axum::http::Request;
use wxlogin::mock::{InProcess, Limits, MockConfig};

/// Bytes asked for and not yet freed, and the same with glibc's chunk rounding (8 bytes of
/// header, 16-byte steps, 32 at least): the second is what the heap really holds.
static ASKED: AtomicIsize = AtomicIsize::new(0);
static HELD: AtomicIsize = AtomicIsize::new(0);

struct Counting;

fn chunk(size: usize) -> isize {
    ((size + 8).div_ceil(16) * 16).max(32) as isize
}

// SAFETY: every call goes to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ASKED.fetch_add(layout.size() as isize, Ordering::Relaxed);
        HELD.fetch_add(chunk(layout.size()), Ordering::Relaxed);
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ASKED.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        HELD.fetch_sub(chunk(layout.size()), Ordering::Relaxed);
        // SAFETY: as given by the caller.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ASKED.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        HELD.fetch_add(chunk(new_size) - chunk(layout.size()), Ordering::Relaxed);
        // SAFETY: as given by the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

const APPID: &str = "wxbench0123456789";
const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn live() -> (isize, isize) {
    (ASKED.load(Ordering::Relaxed), HELD.load(Ordering::Relaxed))
}

/// How logins name their user.
#[derive(Clone, Copy)]
enum Users {
    /// `n` different openids.
    Named,
    /// One openid for every login: codes only.
    One,
    /// No openid: a new anonymous user each time.
    Anonymous,
}

/// Live bytes (asked, held) of a mock with default limits after `n` logins, less those of
/// the same mock with none; the mock is dropped before returning.
fn after_logins(rt: &tokio::runtime::Runtime, n: usize, users: Users) -> (isize, isize) {
    let before = live();
    let cfg = MockConfig {
        // One journal record: the journal is bounded apart from users and codes.
        limits: Limits {
            journal_size: 1,
            ..Limits::default()
        },
        ..MockConfig::new().app(APPID, SECRET).seed(1)
    };
    let service = rt.block_on(async { InProcess::new(&cfg) }).unwrap();
    rt.block_on(async {
        for i in 0..n {
            let body = match users {
                Users::Named => format!(r#"{{"appid":"{APPID}","openid":"oNamedUser{i:018}"}}"#),
                Users::One => format!(r#"{{"appid":"{APPID}","openid":"oNamedUser{:018}"}}"#, 0),
                Users::Anonymous => format!(r#"{{"appid":"{APPID}"}}"#),
            };
            let req = Request::post("/mock/login")
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap();
            let answer = service.call(req).await;
            assert_eq!(answer.status(), 200, "login {i}");
        }
    });
    let after = live();
    drop(service);
    (after.0 - before.0, after.1 - before.1)
}

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(wxlogin::mock::DEFAULT_MAX_USERS);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let empty = after_logins(&rt, 0, Users::One);
    let one = after_logins(&rt, n, Users::One);
    let named = after_logins(&rt, n, Users::Named);
    let anonymous = after_logins(&rt, n, Users::Anonymous);
    let per = |a: isize, b: isize, k: usize| (a - b) as f64 / k as f64;
    println!("mock with default limits, {n} logins, live heap bytes (asked / held by malloc):");
    println!(
        "  empty mock:              {:>12} / {:>12}",
        empty.0, empty.1
    );
    // Codes: one user, n codes; the empty mock is mostly the code table, made up front for
    // `max_codes`, so the second line shares it out over the codes a full mock holds.
    println!(
        "  per outstanding code:    {:>12.1} / {:>12.1}   (added to the table made up front)",
        per(one.0, empty.0, n),
        per(one.1, empty.1, n)
    );
    println!(
        "  per code, table included:{:>12.1} / {:>12.1}   (the whole mock / {n})",
        per(one.0, 0, n),
        per(one.1, 0, n)
    );
    println!(
        "  per named user:          {:>12.1} / {:>12.1}",
        per(named.0, one.0, n - 1),
        per(named.1, one.1, n - 1)
    );
    println!(
        "  per anonymous user:      {:>12.1} / {:>12.1}",
        per(anonymous.0, one.0, n - 1),
        per(anonymous.1, one.1, n - 1)
    );
}

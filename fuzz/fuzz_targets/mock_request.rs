//! The mock server's query and JSON parsing, through the same service the server runs (faults,
//! routes, journal) driven in process: any query string and any body on any route gets an
//! answer below 500, and the mock keeps answering.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use wxlogin::mock::{InProcess, Limits, MockConfig};

const PATHS: &[&str] = &[
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
    "/nope",
];

/// One mock and one single-threaded runtime for the whole run. Small limits, so eviction and
/// the refusal of a full mock are reached too.
fn mock() -> &'static (InProcess, tokio::runtime::Runtime) {
    static MOCK: OnceLock<(InProcess, tokio::runtime::Runtime)> = OnceLock::new();
    MOCK.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let cfg = MockConfig {
            apps: vec![("wxfuzz0000000001".into(), "fuzzsecret0000000000000000000001".into())],
            seed: Some(1),
            log: false,
            limits: Limits {
                max_users: 64,
                max_codes: 64,
                journal_size: 64,
            },
            ..MockConfig::default()
        };
        let service = rt.block_on(async { InProcess::new(&cfg) }).expect("mock builds");
        (service, rt)
    })
}

/// Keeps the request target parseable: bytes that HTTP forbids in a target are %-escaped,
/// while `&`, `=` and `%` stay raw so malformed escapes and odd pairs reach the mock's parser.
fn query_text(raw: &[u8]) -> String {
    let mut out = String::new();
    for &b in raw {
        if b.is_ascii_alphanumeric() || b"&=%-_.~+/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fuzz_target!(|input: (u8, bool, &[u8], &[u8])| {
    let (route, post, query, body) = input;
    // Faults are left out: one that adds latency would make every later input sleep.
    let path = PATHS[usize::from(route) % PATHS.len()];
    let (method, path) = match (post, path) {
        (true, "/mock/faults") => ("GET", path),
        (true, _) => ("POST", path),
        (false, _) => ("GET", path),
    };
    let (service, rt) = mock();
    let Ok(req) = Request::builder()
        .method(method)
        .uri(format!("{path}?{}", query_text(query)))
        .header("content-type", "application/json")
        .body(Body::from(body.to_vec()))
    else {
        return;
    };
    let status = rt.block_on(service.call(req)).status().as_u16();
    assert!(status < 500, "{status} for {method} {path}");
    if route == 255 {
        service.sweep();
    }
});

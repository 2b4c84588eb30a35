//! Instruction counts (callgrind, through iai-callgrind) per batch record and per mock request:
//! repeatable on a shared machine, so `bench/instructions.sh` can hold them to a baseline.

// A benchmark that cannot go on may panic: that is the failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use axum::body::Body;
use axum::http::Request;
use iai_callgrind::{library_benchmark, library_benchmark_group, main};
use serde_json::Value;
use wxlogin::core::batch::{self, Scratch};
use wxlogin::mock::{InProcess, MockConfig};

/// Records per decrypt or verify run: the count is divided by it for the per-record figure.
const RECORDS: usize = 100;
/// Login flows per mock run (two requests each).
const FLOWS: usize = 50;

const APPID: &str = "wxbench0123456789";
const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn vectors() -> Value {
    serde_json::from_str(include_str!("../tests/data/wechat.json")).unwrap()
}

fn text(v: &Value, group: &str, key: &str) -> String {
    v[group][key].as_str().unwrap().to_string()
}

struct Records {
    line: String,
    appid: String,
    scratch: Scratch,
    out: Vec<u8>,
}

/// One record line, and buffers already grown by a first record: the run counts the steady
/// state of a batch, as a long file sees it.
fn decrypt_setup() -> Records {
    let v = vectors();
    let line = serde_json::json!({
        "id": 1,
        "session_key": text(&v, "decrypt_official", "session_key"),
        "iv": text(&v, "decrypt_official", "iv"),
        "encryptedData": text(&v, "decrypt_official", "encryptedData"),
    })
    .to_string();
    let mut r = Records {
        line,
        appid: text(&v, "decrypt_official", "appid"),
        scratch: Scratch::default(),
        out: Vec::with_capacity(4096),
    };
    let _ = batch::decrypt_record(
        r.line.as_bytes(),
        1,
        Some(&r.appid),
        false,
        &mut r.scratch,
        &mut r.out,
    );
    assert!(String::from_utf8_lossy(&r.out).contains("\"ok\":true"));
    r
}

fn verify_setup() -> Records {
    let v = vectors();
    let line = serde_json::json!({
        "id": 1,
        "rawData": text(&v, "signature_official", "rawData"),
        "signature": text(&v, "signature_official", "signature"),
        "session_key": text(&v, "signature_official", "session_key"),
    })
    .to_string();
    let mut r = Records {
        line,
        appid: String::new(),
        scratch: Scratch::default(),
        out: Vec::with_capacity(1024),
    };
    let _ = batch::verify_record(r.line.as_bytes(), 1, false, &mut r.scratch, &mut r.out);
    assert!(String::from_utf8_lossy(&r.out).contains("\"ok\":true"));
    r
}

#[library_benchmark]
#[bench::records_100(setup = decrypt_setup)]
fn decrypt_record(mut r: Records) -> Records {
    for id in 0..RECORDS {
        r.out.clear();
        let _ = batch::decrypt_record(
            black_box(r.line.as_bytes()),
            id as u64,
            Some(&r.appid),
            false,
            &mut r.scratch,
            &mut r.out,
        );
    }
    // Returned, so its buffers are freed after the count.
    r
}

#[library_benchmark]
#[bench::records_100(setup = verify_setup)]
fn verify_record(mut r: Records) -> Records {
    for id in 0..RECORDS {
        r.out.clear();
        let _ = batch::verify_record(
            black_box(r.line.as_bytes()),
            id as u64,
            false,
            &mut r.scratch,
            &mut r.out,
        );
    }
    // Returned, so its buffers are freed after the count.
    r
}

struct Mock {
    service: InProcess,
    rt: tokio::runtime::Runtime,
    /// Returning users, as bench/mock/login_flow.lua has them.
    openids: Vec<String>,
}

/// The mock as `mock-server` builds it (journal, code expiry, bounds; seeded so every run
/// draws the same codes), on a current-thread runtime, after a first round of flows so maps,
/// journal and allocator are warm. Without `--log` and `--state`: the log is written by its
/// own thread and the state by a timer, neither per request.
fn mock_setup() -> Mock {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cfg = MockConfig::new().app(APPID, SECRET).seed(1);
    let service = rt.block_on(async { InProcess::new(&cfg) }).unwrap();
    let openids = (0..FLOWS).map(|i| format!("oBench{i}")).collect();
    let mock = Mock {
        service,
        rt,
        openids,
    };
    for _ in 0..4 {
        flows(&mock);
    }
    mock
}

fn login_request(openid: &str) -> Request<Body> {
    Request::post("/mock/login")
        .header("content-type", "application/json")
        .body(Body::from(format!(
            r#"{{"appid":"{APPID}","openid":"{openid}"}}"#
        )))
        .unwrap()
}

/// `FLOWS` logins, each code exchanged once; returns the bytes answered.
fn flows(mock: &Mock) -> usize {
    mock.rt.block_on(async {
        let mut answered = 0;
        for openid in &mock.openids {
            let login = mock.service.call(login_request(openid)).await;
            let body = axum::body::to_bytes(login.into_body(), usize::MAX)
                .await
                .unwrap();
            // {"code":"<32 characters>",...
            let code = std::str::from_utf8(&body[9..41]).unwrap();
            let uri = format!(
                "/sns/jscode2session?appid={APPID}&secret={SECRET}&js_code={code}&grant_type=authorization_code"
            );
            let session = mock
                .service
                .call(Request::get(uri).body(Body::empty()).unwrap())
                .await;
            assert_eq!(session.status(), 200);
            let body = axum::body::to_bytes(session.into_body(), usize::MAX)
                .await
                .unwrap();
            answered += body.len();
        }
        answered
    })
}

#[library_benchmark]
#[bench::flows_50(setup = mock_setup)]
fn mock_login_flow(mock: Mock) -> (usize, Mock) {
    (flows(&mock), mock)
}

library_benchmark_group!(name = records; benchmarks = decrypt_record, verify_record);
library_benchmark_group!(name = mock; benchmarks = mock_login_flow);
main!(library_benchmark_groups = records, mock);

//! The mock killed with SIGTERM in the middle of a load, then restarted on the same `--state`:
//! every code issued before the kill and not yet exchanged still works, exactly once.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::mock::MockProc;

use serde_json::{Value, json};

const APPID: &str = "wx5167e5167e5167e5";
const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn start(state: &std::path::Path) -> MockProc {
    let app = format!("{APPID}:{SECRET}");
    MockProc::start(&[
        std::ffi::OsStr::new("--app"),
        app.as_ref(),
        "--state".as_ref(),
        state.as_os_str(),
    ])
}

async fn exchange(http: &reqwest::Client, url: &str, code: &str) -> Option<Value> {
    // Codes are URL-safe by construction; no encoding needed.
    let r = http
        .get(format!(
            "{url}/sns/jscode2session?appid={APPID}&secret={SECRET}&js_code={code}&grant_type=authorization_code"
        ))
        .send()
        .await
        .ok()?;
    r.json().await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_load_loses_no_issued_code() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("mock-state.json");
    let mut mock = start(&state);
    let url = mock.url.clone();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    // Codes whose issuance was confirmed, and codes whose exchange was confirmed (or may have
    // happened: an exchange in flight at the kill is uncertain and left out of the check).
    let issued = Arc::new(Mutex::new(Vec::<String>::new()));
    let touched = Arc::new(Mutex::new(HashSet::<String>::new()));
    let exchanged = Arc::new(Mutex::new(HashSet::<String>::new()));
    let mut workers = Vec::new();
    for w in 0..16 {
        let (http, url) = (http.clone(), url.clone());
        let (issued, touched, exchanged) = (issued.clone(), touched.clone(), exchanged.clone());
        workers.push(tokio::spawn(async move {
            for i in 0u32.. {
                let login = http
                    .post(format!("{url}/mock/login"))
                    .json(&json!({"appid": APPID, "openid": format!("oKill{w}x{}", i % 7)}))
                    .send()
                    .await;
                let Ok(login) = login else { return };
                let Ok(body) = login.json::<Value>().await else {
                    return;
                };
                let Some(code) = body["code"].as_str().map(str::to_string) else {
                    return;
                };
                issued.lock().unwrap().push(code.clone());
                // Exchange every other code now; the rest must survive the restart.
                if i % 2 == 0 {
                    touched.lock().unwrap().insert(code.clone());
                    match exchange(&http, &url, &code).await {
                        Some(v) if v["session_key"].is_string() => {
                            exchanged.lock().unwrap().insert(code);
                        }
                        Some(v) => panic!("exchange before the kill failed: {v}"),
                        None => return,
                    }
                }
            }
        }));
    }
    // Let the load run until it has issued a good number of codes (however slow the machine),
    // then SIGTERM while requests are in flight.
    for _ in 0..600 {
        if issued.lock().unwrap().len() > 300 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let exit = mock.terminate();
    assert_eq!(exit.code(), Some(0), "graceful shutdown exits 0");
    for w in workers {
        let _ = w.await;
    }

    let issued = issued.lock().unwrap().clone();
    let touched = touched.lock().unwrap().clone();
    let exchanged = exchanged.lock().unwrap().clone();
    assert!(
        issued.len() > 100,
        "load ran: {} codes issued",
        issued.len()
    );

    let mock = start(&state);
    let url = mock.url.clone();
    let mut survivors = 0;
    for code in &issued {
        if touched.contains(code) {
            if exchanged.contains(code) {
                let v = exchange(&http, &url, code).await.unwrap();
                assert_eq!(
                    v["errcode"],
                    json!(40163),
                    "an exchanged code stays used: {v}"
                );
            }
            continue;
        }
        let v = exchange(&http, &url, code).await.unwrap();
        assert!(
            v["session_key"].is_string(),
            "code issued before the kill works: {v}"
        );
        let again = exchange(&http, &url, code).await.unwrap();
        assert_eq!(again["errcode"], json!(40163), "and only once: {again}");
        survivors += 1;
    }
    assert!(survivors > 50, "{survivors} unexchanged codes checked");
}

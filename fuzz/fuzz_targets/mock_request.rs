//! The mock server's query and JSON parsing, through its real HTTP stack: any query string and
//! any body on any route gets an answer below 500, and the server keeps serving.
#![no_main]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use wxlogin::mock::{MockConfig, MockServer};

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
    "/nope",
];

/// One mock for the whole run, served by a runtime on its own thread.
fn mock_addr() -> &'static str {
    static ADDR: OnceLock<String> = OnceLock::new();
    ADDR.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let cfg = MockConfig {
                    port: 0,
                    apps: vec![("wxfuzz0000000001".into(), "fuzzsecret0000000000000000000001".into())],
                    seed: Some(1),
                    log: false,
                    ..MockConfig::default()
                };
                let handle = MockServer::start(cfg).await.expect("mock starts");
                tx.send(handle.url().trim_start_matches("http://").to_string()).expect("send");
                std::future::pending::<()>().await;
            });
        });
        rx.recv().expect("mock address")
    })
}

/// Keeps the request line parseable: bytes that HTTP forbids in a target are %-escaped, while
/// `&`, `=` and `%` stay raw so malformed escapes and odd pairs reach the mock's parser.
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
    let path = PATHS[usize::from(route) % PATHS.len()];
    let method = if post { "POST" } else { "GET" };
    let addr = mock_addr();
    let Ok(mut tcp) = TcpStream::connect(addr) else {
        panic!("mock stopped accepting connections");
    };
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
    let head = format!(
        "{method} {path}?{} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        query_text(query),
        body.len()
    );
    // One write: a head and a body sent apart would wait on Nagle and delayed ACKs.
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    let _ = tcp.set_nodelay(true);
    if tcp.write_all(&request).is_err() {
        return;
    }
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer);
    let status = answer
        .get(9..12)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {:?}", String::from_utf8_lossy(&answer)));
    assert!(status < 500, "{status} for {method} {path}");
});

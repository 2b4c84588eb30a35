//! `mock-server --intercept` driven by clients nobody on this project wrote (curl, Python,
//! Java, Go), pointed at WeChat's real URL only by the env file or system properties.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const HOST: &str = "api.weixin.qq.com";

/// A running `mock-server --intercept` with its own CA directory and env file.
struct Intercepting {
    child: Child,
    url: String,
    port: u16,
    tls_port: u16,
    appid: String,
    secret: String,
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    stderr: PathBuf,
}

impl Drop for Intercepting {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Intercepting {
    let tmp = tempfile::tempdir().unwrap();
    let mut mock = start_in(tmp.path());
    mock._tmp = Some(tmp);
    mock
}

/// Starts a mock keeping its CA, env file and log in `dir`.
fn start_in(dir: &Path) -> Intercepting {
    let stderr = dir.join("stderr.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxlogin"))
        .args([
            "--color",
            "never",
            "mock-server",
            "--port",
            "0",
            "--intercept",
        ])
        .arg("--ca-dir")
        .arg(dir.join("ca"))
        .arg("--env-file")
        .arg(dir.join("wx.env"))
        .args(["--tls-port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = || {
        let mut l = String::new();
        out.read_line(&mut l).unwrap();
        l.trim_end().to_string()
    };
    let first = line();
    let url = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| {
            panic!(
                "first line {first:?}; stderr: {}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            )
        })
        .to_string();
    let second = line();
    let tls_url = second.strip_prefix("listening on ").unwrap().to_string();
    assert!(tls_url.starts_with("https://127.0.0.1:"), "{tls_url}");
    let appid = line().strip_prefix("appid ").unwrap().to_string();
    let secret = line().strip_prefix("secret ").unwrap().to_string();
    let port = url.rsplit(':').next().unwrap().parse().unwrap();
    let tls_port = tls_url.rsplit(':').next().unwrap().parse().unwrap();
    Intercepting {
        child,
        url,
        port,
        tls_port,
        appid,
        secret,
        dir: dir.to_path_buf(),
        _tmp: None,
        stderr,
    }
}

impl Intercepting {
    fn ca_dir(&self) -> PathBuf {
        self.dir.join("ca")
    }

    fn env_file(&self) -> PathBuf {
        self.dir.join("wx.env")
    }

    /// The variables of the env file, read as `set -a; . FILE` would (by a real shell).
    fn env(&self) -> Vec<(String, String)> {
        let out = Command::new("sh")
            .arg("-c")
            .arg("set -a; . \"$1\"; set +a; env -0")
            .arg("sh")
            .arg(self.env_file())
            .env_clear()
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .split('\0')
            .filter_map(|kv| kv.split_once('='))
            .filter(|(k, _)| !matches!(*k, "PWD" | "SHLVL" | "_"))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A command with this machine's environment minus any proxy or CA setting, plus `vars`.
    fn command(&self, program: &str, vars: &[(String, String)]) -> Command {
        let mut cmd = Command::new(program);
        for name in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "REQUESTS_CA_BUNDLE",
            "CURL_CA_BUNDLE",
            "NODE_EXTRA_CA_CERTS",
            "PHP_INI_SCAN_DIR",
        ] {
            cmd.env_remove(name);
        }
        cmd.envs(vars.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// A fresh code from the mock's control route (plain http, no proxy).
    fn login(&self) -> (String, String) {
        let body = format!(r#"{{"appid":"{}"}}"#, self.appid);
        let answer = raw(
            self.port,
            &format!(
                "POST /mock/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        );
        let v = json_body(&answer);
        (
            v["code"].as_str().unwrap().to_string(),
            v["openid"].as_str().unwrap().to_string(),
        )
    }

    fn jscode2session_url(&self, code: &str) -> String {
        format!(
            "https://{HOST}/sns/jscode2session?appid={}&secret={}&js_code={code}&grant_type=authorization_code",
            self.appid, self.secret
        )
    }

    fn journal(&self) -> Value {
        json_body(&raw(
            self.port,
            "GET /mock/journal HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        ))
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits (bounded) for a line the mock writes after a client's failure.
    fn stderr_eventually(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.stderr();
            if text.contains(needle) || Instant::now() > deadline {
                return text;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Sends `request` as is and reads the whole answer (the request asks to close).
fn raw(port: u16, request: &str) -> String {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    tcp.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = tcp.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn json_body(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

/// Whether a third-party tool is here. Under CI a missing one fails the test.
fn have(tool: &str, version_arg: &str) -> bool {
    let ok = Command::new(tool)
        .arg(version_arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is not installed, and CI is set: this test needs it"
        );
        eprintln!("skipping: {tool} is not installed");
    }
    ok
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The jscode2session answer a client printed: the mock's, for the user who logged in.
fn assert_session(out: &Output, openid: &str) {
    assert!(out.status.success(), "{}", text(out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(v["openid"], openid, "{stdout}");
    assert!(v["session_key"].as_str().is_some_and(|k| k.len() == 24));
}

#[test]
fn curl_reaches_the_mock_by_wechats_url_through_the_env_file() {
    if !have("curl", "--version") {
        return;
    }
    let mock = start();
    let env = mock.env();
    let (code, openid) = mock.login();
    let out = mock
        .command("curl", &env)
        .args(["-sS", "--fail"])
        .arg(mock.jscode2session_url(&code))
        .output()
        .unwrap();
    assert_session(&out, &openid);

    // Same state, same journal: the code is spent, and the journal names the host and masks
    // the secret of the proxied request.
    let again = mock
        .command("curl", &env)
        .arg("-sS")
        .arg(mock.jscode2session_url(&code))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("40163"));
    let journal = mock.journal();
    let text = journal.to_string();
    assert!(!text.contains(&mock.secret), "secret leaked: {text}");
    let entry = journal["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "/sns/jscode2session")
        .unwrap()
        .clone();
    assert_eq!(entry["host"], HOST, "{entry}");
    assert_eq!(entry["openid"], openid.as_str());
    assert!(entry["query"].as_str().unwrap().contains("secret="));
    assert!(!mock.stderr().contains(&mock.secret));
}

#[test]
fn python_standard_library_and_requests_through_the_env_file() {
    if !have("python3", "--version") {
        return;
    }
    let mock = start();
    let env = mock.env();
    // urllib reads the proxy variables; OpenSSL's default paths read SSL_CERT_FILE. Python
    // 3.13 verifies with X509_STRICT by default: set it here too, whatever the version.
    let (code, openid) = mock.login();
    let script = r#"
import ssl, sys, urllib.request
ctx = ssl.create_default_context()
ctx.verify_flags |= getattr(ssl, "VERIFY_X509_STRICT", 0)
opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx))
print(opener.open(sys.argv[1], timeout=20).read().decode())
"#;
    let out = mock
        .command("python3", &env)
        .args(["-c", script, &mock.jscode2session_url(&code)])
        .output()
        .unwrap();
    assert_session(&out, &openid);

    // requests reads REQUESTS_CA_BUNDLE (not SSL_CERT_FILE) when it is installed.
    let has_requests = Command::new("python3")
        .args(["-c", "import requests"])
        .status()
        .is_ok_and(|s| s.success());
    if has_requests {
        let (code, openid) = mock.login();
        let out = mock
            .command("python3", &env)
            .args([
                "-c",
                "import requests, sys; print(requests.get(sys.argv[1], timeout=20).text)",
                &mock.jscode2session_url(&code),
            ])
            .output()
            .unwrap();
        assert_session(&out, &openid);
    } else {
        eprintln!("python requests not installed: only urllib checked");
    }
}

#[test]
fn java_httpclient_with_proxy_properties_and_a_keytool_truststore() {
    if !have("java", "-version") || !have("keytool", "-help") {
        return;
    }
    let mock = start();
    let work = mock.dir.as_path();
    let store = work.join("trust.p12");
    let out = Command::new("keytool")
        .args(["-importcert", "-noprompt", "-alias", "wxlogin-mock"])
        .args(["-storetype", "PKCS12", "-storepass", "changeit"])
        .arg("-file")
        .arg(mock.ca_dir().join("ca.pem"))
        .arg("-keystore")
        .arg(&store)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let source = work.join("Get.java");
    std::fs::write(
        &source,
        r#"
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class Get {
    public static void main(String[] args) throws Exception {
        // The default client uses ProxySelector.getDefault(): -Dhttps.proxyHost/-Port.
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0])).build();
        System.out.println(client.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }
}
"#,
    )
    .unwrap();
    let (code, openid) = mock.login();
    let out = mock
        .command("java", &[])
        .arg("-Dhttps.proxyHost=127.0.0.1")
        .arg(format!("-Dhttps.proxyPort={}", mock.port))
        .arg(format!("-Djavax.net.ssl.trustStore={}", store.display()))
        .arg("-Djavax.net.ssl.trustStorePassword=changeit")
        .arg(&source)
        .arg(mock.jscode2session_url(&code))
        .output()
        .unwrap();
    assert_session(&out, &openid);

    // Without the truststore Java hangs up on the certificate (no alert): the mock still
    // tells what fixes it.
    let (code, _) = mock.login();
    let out = mock
        .command("java", &[])
        .arg("-Dhttps.proxyHost=127.0.0.1")
        .arg(format!("-Dhttps.proxyPort={}", mock.port))
        .arg(&source)
        .arg(mock.jscode2session_url(&code))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("PKIX path building failed"),
        "{}",
        text(&out)
    );
    let stderr = mock.stderr_eventually("most likely does not trust the mock's CA");
    assert!(
        stderr.contains("most likely does not trust the mock's CA") && stderr.contains("keytool"),
        "{stderr}"
    );
}

#[test]
fn go_net_http_with_https_proxy_and_ssl_cert_file() {
    // Go is optional here (not every machine has a toolchain); CI images that have it run it.
    if Command::new("go").arg("version").output().is_err() {
        eprintln!("skipping: no Go toolchain");
        return;
    }
    let mock = start();
    let work = mock.dir.as_path();
    let source = work.join("get.go");
    std::fs::write(
        &source,
        r#"package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	resp, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
}
"#,
    )
    .unwrap();
    let (code, openid) = mock.login();
    let mut env = mock.env();
    env.push(("GOCACHE".into(), work.join("gocache").display().to_string()));
    env.push(("GOFLAGS".into(), "-mod=mod".into()));
    env.push(("GO111MODULE".into(), "off".into()));
    let out = mock
        .command("go", &env)
        .arg("run")
        .arg(&source)
        .arg(mock.jscode2session_url(&code))
        .output()
        .unwrap();
    assert_session(&out, &openid);
}

#[test]
fn php_symfony_http_client_through_the_env_file() {
    // PHP and Symfony HttpClient are optional here; Debian packages both.
    const AUTOLOAD: &str = "/usr/share/php/Symfony/Component/HttpClient/autoload.php";
    if Command::new("php").arg("--version").output().is_err() || !Path::new(AUTOLOAD).exists() {
        eprintln!("skipping: php or Symfony HttpClient is not installed");
        return;
    }
    let mock = start();
    let (code, openid) = mock.login();
    let script = format!(
        "require '{AUTOLOAD}'; echo Symfony\\Component\\HttpClient\\HttpClient::create()\
         ->request('GET', $argv[1])->getContent();"
    );
    let out = mock
        .command("php", &mock.env())
        .args(["-r", &script, &mock.jscode2session_url(&code)])
        .output()
        .unwrap();
    assert_session(&out, &openid);
}

#[test]
fn wxlogin_code2session_reaches_the_mock_with_only_the_env_file() {
    let mock = start();
    let (code, openid) = mock.login();
    let home = mock.dir.as_path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = common::wx();
    for (k, v) in mock.env() {
        cmd.env(k, v);
    }
    let out = cmd
        .env("HOME", &home)
        .env("WXLOGIN_SECRET", &mock.secret)
        .args([
            "--json",
            "code2session",
            "--appid",
            &mock.appid,
            "--code",
            &code,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["openid"], openid.as_str(), "{v}");
    let journal = mock.journal().to_string();
    assert!(
        journal.contains(&format!(r#""host":"{HOST}""#)),
        "{journal}"
    );
}

#[test]
fn absolute_form_requests_are_served_in_http_and_https() {
    let mock = start();
    for scheme in ["http", "https"] {
        let (code, openid) = mock.login();
        let answer = raw(
            mock.port,
            &format!(
                "GET {scheme}://{HOST}/sns/jscode2session?appid={}&secret={}&js_code={code}\
                 &grant_type=authorization_code HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n",
                mock.appid, mock.secret
            ),
        );
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert_eq!(json_body(&answer)["openid"], openid.as_str());
    }
}

#[test]
fn other_hosts_get_403_and_nothing_is_forwarded() {
    let mock = start();
    // A canary on loopback: the proxy must never connect to it.
    let canary = TcpListener::bind("127.0.0.1:0").unwrap();
    canary.set_nonblocking(true).unwrap();
    let target = canary.local_addr().unwrap().to_string();
    let requests = [
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n".to_string(),
        format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n"),
        format!("GET http://{target}/ HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n"),
        "GET https://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"
            .to_string(),
        "CONNECT weixin.qq.com.evil.example:443 HTTP/1.1\r\nHost: x\r\n\r\n".to_string(),
    ];
    for request in &requests {
        let mut tcp = TcpStream::connect(("127.0.0.1", mock.port)).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        tcp.write_all(request.as_bytes()).unwrap();
        let mut head = [0u8; 512];
        let n = tcp.read(&mut head).unwrap();
        let answer = String::from_utf8_lossy(&head[..n]);
        assert!(answer.starts_with("HTTP/1.1 403"), "{request}: {answer}");
        // The response may come in parts: read up to the reason line.
        let mut all = answer.into_owned();
        while !all.contains(HOST) {
            let n = tcp.read(&mut head).unwrap();
            assert!(n > 0, "{all}");
            all.push_str(&String::from_utf8_lossy(&head[..n]));
        }
        assert!(all.contains("forwards nothing"), "{all}");
    }
    assert!(
        canary.accept().is_err(),
        "the proxy connected to another host"
    );
    // curl agrees: its tunnel is refused.
    if have("curl", "--version") {
        let out = Command::new("curl")
            .args(["-sS", "-x", &mock.url, "https://example.com/"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("403"),
            "{}",
            text(&out)
        );
    }
}

#[test]
fn a_client_without_the_ca_fails_and_the_mock_says_what_fixes_it() {
    if !have("curl", "--version") {
        return;
    }
    let mock = start();
    let (code, _) = mock.login();
    let out = mock
        .command("curl", &[])
        .args(["-sS", "-x", &mock.url])
        .arg(mock.jscode2session_url(&code))
        .output()
        .unwrap();
    // curl's "SSL certificate problem": the client refused the mock's chain.
    assert_eq!(out.status.code(), Some(60), "{}", text(&out));
    let stderr = mock.stderr_eventually("does not trust the mock's CA");
    let line = stderr
        .lines()
        .find(|l| l.contains("does not trust the mock's CA"))
        .unwrap_or_else(|| panic!("no diagnosis in: {stderr}"));
    assert!(line.contains(HOST), "{line}");
    assert!(line.contains("SSL_CERT_FILE"), "{line}");
    assert!(
        line.contains("bundle.pem") && line.contains("keytool"),
        "{line}"
    );
    // The code was not spent: no request got through.
    let journal = mock.journal();
    assert!(
        !journal["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "/sns/jscode2session"),
        "{journal}"
    );
    // The journal keeps the failure, for a tool that drives the backend (simulate).
    let failures = journal["tls_failures"].as_array().unwrap();
    assert!(
        failures
            .iter()
            .any(|f| f["untrusted"] == true && f["host"] == HOST),
        "{journal}"
    );
}

#[test]
fn the_tls_port_serves_the_intercepted_host_and_loopback() {
    if !have("curl", "--version") {
        return;
    }
    let mock = start();
    let ca = mock.ca_dir().join("ca.pem");
    let t = mock.tls_port;
    let (code, openid) = mock.login();
    // As with /etc/hosts mapping WeChat's host to 127.0.0.1.
    let url = mock
        .jscode2session_url(&code)
        .replace(HOST, &format!("{HOST}:{t}"));
    let out = mock
        .command("curl", &[])
        .args(["-sS", "--fail", "--cacert"])
        .arg(&ca)
        .args(["--resolve", &format!("{HOST}:{t}:127.0.0.1"), &url])
        .output()
        .unwrap();
    assert_session(&out, &openid);
    for base in [
        format!("https://127.0.0.1:{t}"),
        format!("https://localhost:{t}"),
    ] {
        let out = mock
            .command("curl", &[])
            .args(["-sS", "--cacert"])
            .arg(&ca)
            .arg(format!("{base}/cgi-bin/token"))
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("41002"),
            "{}",
            text(&out)
        );
    }
}

fn pem_blocks(text: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("-----BEGIN CERTIFICATE") {
            current = Some(String::new());
        } else if line.starts_with("-----END CERTIFICATE") {
            let b64 = current.take().unwrap();
            blocks.push(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap(),
            );
        } else if let Some(c) = current.as_mut() {
            c.push_str(line.trim());
        }
    }
    blocks
}

#[test]
fn the_ca_is_two_level_constrained_and_its_root_key_is_never_written() {
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    let mock = start();
    let dir = mock.ca_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "bundle.pem",
            "ca.pem",
            "intermediate-key.pem",
            "intermediate.pem",
            "php"
        ]
    );
    // One private key in the whole directory: the intermediate's.
    let keys: usize = names
        .iter()
        .filter(|n| *n != "php")
        .map(|n| {
            std::fs::read_to_string(dir.join(n))
                .unwrap()
                .matches("PRIVATE KEY-----")
                .count()
        })
        .sum();
    assert_eq!(keys, 2, "BEGIN and END of exactly one key");
    assert!(
        std::fs::read_to_string(dir.join("intermediate-key.pem"))
            .unwrap()
            .contains("PRIVATE KEY")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("intermediate-key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let root_der = &pem_blocks(&std::fs::read_to_string(dir.join("ca.pem")).unwrap())[0];
    let inter_der = &pem_blocks(&std::fs::read_to_string(dir.join("intermediate.pem")).unwrap())[0];
    let (_, root) = x509_parser::parse_x509_certificate(root_der).unwrap();
    let (_, inter) = x509_parser::parse_x509_certificate(inter_der).unwrap();
    assert!(root.is_ca());
    inter.verify_signature(Some(root.public_key())).unwrap();
    let bc = inter.basic_constraints().unwrap().unwrap();
    assert!(bc.value.ca && bc.value.path_len_constraint == Some(0));
    let nc = inter.name_constraints().unwrap().expect("name constraints");
    assert!(nc.critical);
    let permitted = nc.value.permitted_subtrees.as_ref().unwrap();
    let dns: Vec<&str> = permitted
        .iter()
        .filter_map(|s| match s.base {
            GeneralName::DNSName(d) => Some(d),
            _ => None,
        })
        .collect();
    assert!(dns.contains(&HOST) && dns.contains(&"localhost"), "{dns:?}");
    assert!(
        !dns.iter().any(|d| d.is_empty() || *d == "qq.com"),
        "{dns:?}"
    );
    assert!(permitted.iter().any(|s| matches!(
        s.base,
        GeneralName::IPAddress(ip) if ip == [127, 0, 0, 1, 255, 255, 255, 255]
    )));

    // bundle.pem: the system's roots, then ca.pem.
    let bundle = std::fs::read_to_string(dir.join("bundle.pem")).unwrap();
    let blocks = pem_blocks(&bundle);
    assert_eq!(blocks.last().unwrap(), root_der);

    // The leaf a proxied client gets: SAN = host, both key identifiers, chained to the
    // intermediate, sent with it.
    if have("openssl", "version") {
        let out = Command::new("openssl")
            .args(["s_client", "-showcerts", "-servername", HOST])
            .arg("-proxy")
            .arg(format!("127.0.0.1:{}", mock.port))
            .arg("-connect")
            .arg(format!("{HOST}:443"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let chain = pem_blocks(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(chain.len(), 2, "{}", text(&out));
        assert_eq!(&chain[1], inter_der);
        let (_, leaf) = x509_parser::parse_x509_certificate(&chain[0]).unwrap();
        leaf.verify_signature(Some(inter.public_key())).unwrap();
        let san = leaf.subject_alternative_name().unwrap().unwrap();
        assert_eq!(san.value.general_names, vec![GeneralName::DNSName(HOST)]);
        let kinds: Vec<bool> = leaf
            .extensions()
            .iter()
            .map(|e| {
                matches!(
                    e.parsed_extension(),
                    ParsedExtension::AuthorityKeyIdentifier(_)
                        | ParsedExtension::SubjectKeyIdentifier(_)
                )
            })
            .collect();
        assert_eq!(kinds.iter().filter(|k| **k).count(), 2);
    }
}

#[test]
fn the_ca_is_reused_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_in(dir.path());
    let ca = std::fs::read(first.ca_dir().join("ca.pem")).unwrap();
    let key = std::fs::read(first.ca_dir().join("intermediate-key.pem")).unwrap();
    drop(first);
    let second = start_in(dir.path());
    assert_eq!(std::fs::read(second.ca_dir().join("ca.pem")).unwrap(), ca);
    assert_eq!(
        std::fs::read(second.ca_dir().join("intermediate-key.pem")).unwrap(),
        key
    );
}

fn run_with_ca_dir(dir: &Path) -> Output {
    common::wx()
        .args(["mock-server", "--port", "0", "--intercept", "--ca-dir"])
        .arg(dir)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap()
}

#[test]
fn a_corrupt_or_incomplete_ca_dir_is_exit_3_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = dir.path().join("ca");
    drop(start_in_ca(&ca_dir));
    let ca = std::fs::read(ca_dir.join("ca.pem")).unwrap();

    std::fs::write(ca_dir.join("intermediate.pem"), "not a certificate\n").unwrap();
    let out = run_with_ca_dir(&ca_dir);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("intermediate.pem"), "{stderr}");
    assert!(
        stderr.lines().filter(|l| !l.trim().is_empty()).count() <= 2,
        "{stderr}"
    );
    // Never a silent new CA.
    assert_eq!(std::fs::read(ca_dir.join("ca.pem")).unwrap(), ca);

    std::fs::remove_file(ca_dir.join("intermediate.pem")).unwrap();
    let out = run_with_ca_dir(&ca_dir);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("intermediate.pem"));

    std::fs::write(ca_dir.join("intermediate.pem"), &ca).unwrap();
    std::fs::write(
        ca_dir.join("intermediate-key.pem"),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n",
    )
    .unwrap();
    let out = run_with_ca_dir(&ca_dir);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("intermediate"), "{stderr}");

    // A file where the directory should be.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let out = run_with_ca_dir(&file);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain-file"));
}

/// Makes a CA in `ca_dir` by starting and stopping a mock.
fn start_in_ca(ca_dir: &Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxlogin"))
        .args(["mock-server", "--port", "0", "--intercept", "--ca-dir"])
        .arg(ca_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("listening on "), "{first}");
    let _ = child.kill();
    let _ = child.wait();
    child
}

#[test]
fn intercept_flags_need_intercept() {
    let out = common::wx()
        .args(["mock-server", "--port", "0", "--tls-port", "0"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn demo_and_simulate_accept_intercept_and_say_what_a_backend_needs() {
    let data = tempfile::tempdir().unwrap();
    let out = common::wx()
        .env("XDG_DATA_HOME", data.path())
        .args(["demo", "--intercept", "--seed", "3"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let bundle = data.path().join("wxlogin/ca/bundle.pem");
    assert!(stderr.contains("HTTPS_PROXY=http://127.0.0.1:"), "{stderr}");
    assert!(
        stderr.contains(&format!("SSL_CERT_FILE={}", bundle.display())),
        "{stderr}"
    );
    assert!(bundle.exists());

    // simulate: the embedded mock intercepts; the env file is written for the backend, even
    // when the backend is not up (the flow then fails, as it should).
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let backend = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let env_file = data.path().join("backend.env");
    let flow = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/flows/session-id.toml"
    );
    // A fixed port, as the advice says: without one (and without `-- CMD`) simulate refuses.
    let free = TcpListener::bind("127.0.0.1:0").unwrap();
    let mock_port = free.local_addr().unwrap().port().to_string();
    drop(free);
    let out = common::wx()
        .args(["simulate", flow, "--intercept", "--backend", &backend])
        .args(["--mock-port", &mock_port])
        .arg("--ca-dir")
        .arg(data.path().join("ca2"))
        .arg("--env-file")
        .arg(&env_file)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("intercepting api.weixin.qq.com"),
        "{}",
        text(&out)
    );
    let vars = std::fs::read_to_string(&env_file).unwrap();
    assert!(
        vars.contains("export HTTPS_PROXY=http://127.0.0.1:"),
        "{vars}"
    );
    assert!(
        vars.contains(&format!(
            "export SSL_CERT_FILE={}",
            data.path().join("ca2/bundle.pem").display()
        )),
        "{vars}"
    );

    let out = common::wx()
        .args([
            "simulate",
            flow,
            "--intercept",
            "--mock",
            "http://127.0.0.1:1",
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

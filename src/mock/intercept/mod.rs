//! `mock-server --intercept`: the mock's port doubles as an HTTP forward proxy for WeChat's
//! hosts, terminating TLS with leaves from its own CA in front of the same service.

mod ca;
mod proxy;
mod tls;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::Request;
use axum::response::Response;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use ca::{BUNDLE_FILE, CA_FILE, INTERMEDIATE_FILE, INTERMEDIATE_KEY_FILE};
pub(crate) use proxy::Intercept;
pub use tls::{TlsFailure, TlsFailures};

use crate::core::Error;

/// The hosts the proxy serves: every platform whose routes the mock serves (WeChat, QQ,
/// WeCom, Douyin).
pub const HOSTS: &[&str] = &crate::core::platform::API_HOSTS;

/// The hosts the CA's intermediate may vouch for: the whole family, so the CA made once stays
/// valid (the root key that could sign another intermediate is gone).
const CA_HOSTS: &[&str] = &crate::core::platform::API_HOSTS;

/// Loopback names a client must reach directly, never through the proxy.
const NO_PROXY: &str = "localhost,127.0.0.1,::1";

pub(crate) type BoxFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// Set on a request that came through the proxy: the intercepted host it was for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Via(pub &'static str);

/// How to intercept.
#[derive(Debug, Clone)]
pub struct InterceptConfig {
    /// Where the CA lives (made on first use).
    pub ca_dir: PathBuf,
    /// Also serve HTTPS directly on this port (0 picks a free one).
    pub tls_port: Option<u16>,
}

impl InterceptConfig {
    /// `--ca-dir`, or the default one.
    pub fn new(ca_dir: Option<PathBuf>, tls_port: Option<u16>) -> Result<Self, Error> {
        let ca_dir = match ca_dir {
            Some(dir) => dir,
            None => default_ca_dir().ok_or_else(|| {
                Error::usage(
                    "no home directory to keep the mock's CA in",
                    "give --ca-dir DIR",
                )
            })?,
        };
        // Absolute: the env file and the messages name these files for other processes.
        let ca_dir = std::path::absolute(&ca_dir).unwrap_or(ca_dir);
        Ok(InterceptConfig { ca_dir, tls_port })
    }
}

/// `$XDG_DATA_HOME/wxlogin/ca`, i.e. `~/.local/share/wxlogin/ca`.
pub fn default_ca_dir() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".local").join("share"))
        })?;
    Some(data.join("wxlogin").join("ca"))
}

/// What a running interception offers, for the env file and the printed URLs.
#[derive(Debug, Clone)]
pub struct InterceptInfo {
    /// The root clients trust (`NODE_EXTRA_CA_CERTS`, a Java truststore).
    pub ca: PathBuf,
    /// System roots plus the root (`SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`).
    pub bundle: PathBuf,
    /// An ini directory giving PHP the bundle (`PHP_INI_SCAN_DIR`).
    pub php_ini_dir: PathBuf,
    /// Where `--tls-port` listens.
    pub tls_addr: Option<SocketAddr>,
}

impl InterceptInfo {
    pub fn tls_url(&self) -> Option<String> {
        self.tls_addr.map(|a| format!("https://{a}"))
    }
}

/// What the proxy needs at request time.
pub(crate) struct Interceptor {
    tls: Arc<tokio_rustls::rustls::ServerConfig>,
    advice: Arc<tls::Advice>,
    stop: watch::Receiver<bool>,
    log: bool,
}

/// Loads or makes the CA and the leaves; fails (exit 3, naming the file) before the mock
/// listens if the CA cannot be used.
pub(crate) fn prepare(
    cfg: &InterceptConfig,
    stop: watch::Receiver<bool>,
    log: bool,
) -> Result<(Arc<Interceptor>, InterceptInfo), Error> {
    let ca = ca::Ca::open(&cfg.ca_dir, CA_HOSTS, HOSTS)?;
    ca.write_php_ini()?;
    if ca.write_bundle()? == 0 {
        crate::mock::journal::eprint_line(&format!(
            "mock-server: no system root certificates found: {} holds only the mock's CA",
            ca.bundle_path().display()
        ));
    }
    let tls = tls::config(&ca, HOSTS)?;
    let info = InterceptInfo {
        ca: ca.ca_path(),
        bundle: ca.bundle_path(),
        php_ini_dir: ca.php_dir(),
        tls_addr: None,
    };
    let advice = Arc::new(tls::Advice {
        ca: info.ca.display().to_string(),
        bundle: info.bundle.display().to_string(),
        failures: Arc::default(),
    });
    let interceptor = Interceptor {
        tls,
        advice,
        stop,
        log,
    };
    Ok((Arc::new(interceptor), info))
}

impl Interceptor {
    /// The failed handshakes, shared with the journal route.
    pub(crate) fn failures(&self) -> Arc<TlsFailures> {
        self.advice.failures.clone()
    }
}

/// Binds `--tls-port` and serves `service` over TLS on it.
pub(crate) async fn serve_tls_port<S>(
    with: &Arc<Interceptor>,
    bind: &str,
    port: u16,
    service: S,
) -> Result<(SocketAddr, JoinHandle<()>), Error>
where
    S: tower_service::Service<Request, Response = Response, Error = Infallible, Future = BoxFuture>
        + Clone
        + Send
        + 'static,
{
    let listener = tokio::net::TcpListener::bind((bind, port))
        .await
        .map_err(|e| {
            Error::input(
                "--tls-port",
                format!("cannot listen on {bind}:{port}: {e}"),
                "another process may hold that port: pick another --tls-port, or 0 for a free one",
            )
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::transport(format!("no local address: {e}"), "retry"))?;
    let task = tokio::spawn(tls::listen(
        listener,
        with.tls.clone(),
        service,
        HOSTS,
        with.advice.clone(),
        with.stop.clone(),
    ));
    Ok((addr, task))
}

/// The intercepted host `host` names (any case, a trailing dot allowed), if it is one.
pub(crate) fn intercepted(host: &str) -> Option<&'static str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    HOSTS.iter().copied().find(|h| h.eq_ignore_ascii_case(host))
}

/// What a backend needs to reach the mock by WeChat's own URLs, in one sentence.
pub fn advice(proxy_url: &str, info: &InterceptInfo, env_file: Option<&Path>) -> String {
    let hosts = HOSTS.join(", ");
    let port = proxy_url.rsplit(':').next().unwrap_or("");
    let java = format!(
        "Java: -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort={port} and a truststore from \
         keytool -importcert -file {}",
        info.ca.display()
    );
    match env_file {
        Some(path) => format!(
            "intercepting {hosts} through the proxy {proxy_url}: run your backend unchanged \
             after `set -a; . {}; set +a` ({java})",
            path.display()
        ),
        None => format!(
            "intercepting {hosts} through the proxy {proxy_url}: give your backend \
             HTTPS_PROXY={proxy_url} NO_PROXY={NO_PROXY} SSL_CERT_FILE={bundle} \
             REQUESTS_CA_BUNDLE={bundle} CURL_CA_BUNDLE={bundle} NODE_EXTRA_CA_CERTS={} ({java})",
            info.ca.display(),
            bundle = info.bundle.display(),
        ),
    }
}

/// The variables a backend needs, as names and values (for a process started with them).
pub fn env_vars(proxy_url: &str, info: &InterceptInfo) -> Vec<(&'static str, String)> {
    let bundle = info.bundle.display().to_string();
    let mut vars = Vec::new();
    for name in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] {
        vars.push((name, proxy_url.to_string()));
    }
    for name in ["NO_PROXY", "no_proxy"] {
        vars.push((name, NO_PROXY.to_string()));
    }
    for name in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"] {
        vars.push((name, bundle.clone()));
    }
    vars.push(("NODE_EXTRA_CA_CERTS", info.ca.display().to_string()));
    // The leading ':' keeps PHP's own scan directory (and its extensions) in the list.
    vars.push((
        "PHP_INI_SCAN_DIR",
        format!(":{}", info.php_ini_dir.display()),
    ));
    vars
}

/// The variables a backend needs, as `export NAME=value` lines for `set -a; . FILE; set +a`.
pub fn env_file_text(proxy_url: &str, info: &InterceptInfo) -> String {
    let mut out = String::from(
        "# wxlogin mock-server --intercept: load with `set -a; . THIS_FILE; set +a`\n",
    );
    for (name, value) in env_vars(proxy_url, info) {
        out.push_str(&format!("export {name}={}\n", shell_quote(&value)));
    }
    out
}

/// Writes the env file whole (aside, then renamed), so a reader never sees half of it.
pub fn write_env_file(path: &Path, proxy_url: &str, info: &InterceptInfo) -> Result<(), Error> {
    let text = env_file_text(proxy_url, info);
    let tmp = path.with_file_name(format!(
        ".{}.{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("wxlogin.env"),
        std::process::id()
    ));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::input(
                "--env-file",
                format!(
                    "cannot write {}: {}",
                    path.display(),
                    crate::core::error::io_reason(&e)
                ),
                "give a path in a writable directory",
            )
        })
}

/// Single quotes when a value needs them (a path with spaces), bare otherwise.
fn shell_quote(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+,:=@%".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_in_any_case_only_when_intercepted() {
        assert_eq!(intercepted("API.weixin.qq.com."), Some("api.weixin.qq.com"));
        assert_eq!(intercepted("example.com"), None);
        assert_eq!(intercepted("127.0.0.1"), None);
        assert_eq!(intercepted("weixin.qq.com"), None);
        for host in HOSTS {
            assert!(CA_HOSTS.contains(host), "{host} is not permitted by the CA");
        }
    }

    #[test]
    fn env_file_quotes_paths_that_need_it() {
        let info = InterceptInfo {
            ca: PathBuf::from("/tmp/my ca/ca.pem"),
            bundle: PathBuf::from("/tmp/ca/bundle.pem"),
            php_ini_dir: PathBuf::from("/tmp/ca/php"),
            tls_addr: None,
        };
        let text = env_file_text("http://127.0.0.1:8080", &info);
        assert!(text.contains("export HTTPS_PROXY=http://127.0.0.1:8080\n"));
        assert!(text.contains("export no_proxy=localhost,127.0.0.1,::1\n"));
        assert!(text.contains("export SSL_CERT_FILE=/tmp/ca/bundle.pem\n"));
        assert!(text.contains("export NODE_EXTRA_CA_CERTS='/tmp/my ca/ca.pem'\n"));
        assert!(text.contains("export PHP_INI_SCAN_DIR=:/tmp/ca/php\n"));
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}

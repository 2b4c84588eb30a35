//! TLS termination (rustls) in front of the mock's own service: the certificates per host, a
//! connection served over TLS, and the one-line diagnosis when a client rejects the CA.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio_rustls::LazyConfigAcceptor;
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::{self, AlertDescription, ServerConfig};

use super::ca::Ca;
use super::{BoxFuture, Via};
use crate::core::Error;

/// One leaf per intercepted host, plus one for every name at once (the `--tls-port` leaf,
/// also used when a client sends no SNI, as for an IP address).
#[derive(Debug)]
struct Certs {
    by_host: Vec<(&'static str, Arc<CertifiedKey>)>,
    all: Arc<CertifiedKey>,
}

impl ResolvesServerCert for Certs {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let leaf = hello.server_name().and_then(|sni| {
            self.by_host
                .iter()
                .find(|(host, _)| host.eq_ignore_ascii_case(sni))
        });
        Some(leaf.map_or_else(|| self.all.clone(), |(_, leaf)| leaf.clone()))
    }
}

/// The configuration of every TLS connection the mock terminates. Leaves are made here, once.
pub(crate) fn config(ca: &Ca, hosts: &[&'static str]) -> Result<Arc<ServerConfig>, Error> {
    let mut by_host = Vec::with_capacity(hosts.len());
    for host in hosts {
        by_host.push((*host, ca.leaf(&[host])?));
    }
    let mut names: Vec<&str> = hosts.to_vec();
    names.extend(["localhost", "127.0.0.1"]);
    let all = ca.leaf(&names)?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            Error::transport(
                format!("cannot set up TLS: {e}"),
                "this is a bug; please report it",
            )
        })?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Certs { by_host, all }));
    // The mock's server speaks HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// What to tell a client's operator when its handshake fails, and where failures are kept.
#[derive(Clone)]
pub(crate) struct Advice {
    pub ca: String,
    pub bundle: String,
    pub failures: Arc<TlsFailures>,
}

/// A failed TLS handshake, as `GET /mock/journal` shows it under `tls_failures`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TlsFailure {
    pub time_ms: u64,
    /// The CONNECT target, or `None` on the `--tls-port`.
    pub host: Option<String>,
    /// The client rejected the mock's certificate (it does not trust the CA).
    pub untrusted: bool,
    pub message: String,
}

/// The latest failed handshakes: what a tool driving a backend (simulate) reads to tell a
/// backend that does not trust the CA from one that never came through the proxy.
#[derive(Debug, Default)]
pub struct TlsFailures(std::sync::Mutex<std::collections::VecDeque<TlsFailure>>);

/// Enough to see a backend's few retries; a client looping on failures does not grow it.
const KEPT_FAILURES: usize = 32;

impl TlsFailures {
    fn push(&self, failure: TlsFailure) {
        let mut list = crate::mock::shards::lock(&self.0);
        if list.len() == KEPT_FAILURES {
            list.pop_front();
        }
        list.push_back(failure);
    }

    pub fn list(&self) -> Vec<TlsFailure> {
        crate::mock::shards::lock(&self.0).iter().cloned().collect()
    }

    pub fn clear(&self) {
        crate::mock::shards::lock(&self.0).clear();
    }
}

fn report(advice: &Advice, host: Option<&str>, (line, untrusted): (String, bool)) {
    crate::mock::journal::eprint_line(&line);
    advice.failures.push(TlsFailure {
        time_ms: crate::core::clock::unix_ms(),
        host: host.map(String::from),
        untrusted,
        message: line
            .strip_prefix("mock-server: ")
            .unwrap_or(&line)
            .to_string(),
    });
}

/// Terminates TLS on `io` and serves `service` behind it until the client leaves or the mock
/// stops. `host` is the CONNECT target; on the TLS port the client's SNI names it.
pub(crate) async fn serve<IO, S>(
    io: IO,
    config: Arc<ServerConfig>,
    service: S,
    host: Option<&'static str>,
    hosts: &'static [&'static str],
    advice: Arc<Advice>,
    mut stop: watch::Receiver<bool>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: tower_service::Service<Request, Response = Response, Error = Infallible, Future = BoxFuture>
        + Clone
        + Send
        + 'static,
{
    // In two steps, to tell a client that hung up on the mock's certificate (Java does, with
    // no alert) from one that never spoke TLS.
    let hello = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), io).await;
    let tls = match hello {
        Ok(start) => start.into_stream(config).await,
        Err(e) => {
            if let Some(found) = diagnose(&e, host, &advice, false) {
                report(&advice, host, found);
            }
            return;
        }
    };
    let tls = match tls {
        Ok(tls) => tls,
        Err(e) => {
            if let Some(found) = diagnose(&e, host, &advice, true) {
                report(&advice, host, found);
            }
            return;
        }
    };
    let via = host.or_else(|| {
        let sni = tls.get_ref().1.server_name()?;
        hosts.iter().copied().find(|h| h.eq_ignore_ascii_case(sni))
    });
    let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let mut req = req.map(Body::new);
        if let Some(host) = via {
            req.extensions_mut().insert(Via(host));
        }
        let mut service = service.clone();
        tower_service::Service::call(&mut service, req)
    });
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), svc);
    let mut conn = std::pin::pin!(conn);
    let stopping = async move {
        let _ = stop.wait_for(|stopped| *stopped).await;
    };
    tokio::select! {
        _ = conn.as_mut() => return,
        () = stopping => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// The `--tls-port` listener: HTTPS straight to the mock, for setups that map WeChat's host
/// to 127.0.0.1 instead of using a proxy.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn listen<S>(
    listener: tokio::net::TcpListener,
    config: Arc<ServerConfig>,
    service: S,
    hosts: &'static [&'static str],
    advice: Arc<Advice>,
    stop: watch::Receiver<bool>,
) where
    S: tower_service::Service<Request, Response = Response, Error = Infallible, Future = BoxFuture>
        + Clone
        + Send
        + 'static,
{
    loop {
        let mut stopping = stop.clone();
        let stopped = async move {
            let _ = stopping.wait_for(|stopped| *stopped).await;
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped => return,
        };
        let Ok((tcp, _)): std::io::Result<(tokio::net::TcpStream, SocketAddr)> = accepted else {
            // Out of descriptors or a reset before accept: keep serving the others.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let _ = tcp.set_nodelay(true);
        tokio::spawn(serve(
            tcp,
            config.clone(),
            service.clone(),
            None,
            hosts,
            advice.clone(),
            stop.clone(),
        ));
    }
}

/// One stderr line for a failed handshake, and whether the client rejected the certificate
/// (then the line says what fixes it); a client that hung up before its hello is not worth one.
fn diagnose(
    e: &std::io::Error,
    host: Option<&str>,
    advice: &Advice,
    after_hello: bool,
) -> Option<(String, bool)> {
    let target = host.map_or_else(|| "the mock's TLS port".to_string(), |h| h.to_string());
    let fix = format!(
        "give it the variables of --env-file (SSL_CERT_FILE, REQUESTS_CA_BUNDLE or \
         CURL_CA_BUNDLE={}; NODE_EXTRA_CA_CERTS={}) or, for Java, a truststore made with \
         keytool -importcert -file {}",
        advice.bundle, advice.ca, advice.ca
    );
    if after_hello && e.kind() == std::io::ErrorKind::UnexpectedEof {
        return Some((
            format!(
                "mock-server: a client connecting to {target} hung up on the mock's certificate: \
                 it most likely does not trust the mock's CA (Java: \"PKIX path building \
                 failed\"): {fix}"
            ),
            true,
        ));
    }
    let rustls_error = e.get_ref()?.downcast_ref::<rustls::Error>()?;
    match rustls_error {
        rustls::Error::AlertReceived(alert) if rejects_certificate(*alert) => Some((
            format!(
                "mock-server: a client connecting to {target} does not trust the mock's CA (it \
                 answered the certificate with alert {alert:?}): {fix}"
            ),
            true,
        )),
        rustls::Error::AlertReceived(alert) => Some((
            format!(
                "mock-server: a client connecting to {target} ended the TLS handshake with \
                 alert {alert:?}"
            ),
            false,
        )),
        rustls::Error::InvalidMessage(_) => Some((
            format!(
                "mock-server: a client connecting to {target} did not speak TLS (plain http to \
                 an https port?)"
            ),
            false,
        )),
        _ => None,
    }
}

/// The alerts clients send when they do not trust the chain: OpenSSL and rustls say
/// UnknownCA, Go BadCertificate, Java CertificateUnknown.
fn rejects_certificate(alert: AlertDescription) -> bool {
    matches!(
        alert,
        AlertDescription::UnknownCA
            | AlertDescription::BadCertificate
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateExpired
            | AlertDescription::AccessDenied
    )
}

//! A faithful local fake of WeChat's side of the login handshake (axum on tokio): WeChat's
//! routes and errcodes, control routes under `/mock/` that play the client, journal and state.

mod app_spec;
mod bounds;
mod client;
mod control;
mod entropy;
mod faults;
mod id;
pub mod intercept;
mod journal;
mod persist;
mod profile;
mod reply;
mod shards;
mod state;
mod variants;
mod wechat;

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::response::Response;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::{Router, ServiceExt};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use app_spec::AppSpec;
pub use bounds::{DEFAULT_JOURNAL_SIZE, DEFAULT_MAX_CODES, DEFAULT_MAX_USERS, Limits};
pub use client::{Login, UserInfoCapture};
pub use faults::Fault;
pub use journal::{JOURNAL_CAPACITY, JournalEntry};
pub use profile::Profile;
pub use variants::VariantConfig;

use crate::core::{Error, Secret};
use entropy::Entropy;
use journal::{Journal, LogLine, Logger, Record};
use state::{App, State, now_ms};

/// How often a changed state is written to `--state`, at most.
const SAVE_EVERY: Duration = Duration::from_secs(1);
/// A save waits this many times as long as the last one took: saving never takes more than
/// about 1/30 of one core, however large the state (it is bounded by `Limits` besides).
const SAVE_DUTY: u32 = 30;
/// How long shutdown waits for requests in flight.
const GRACE: Duration = Duration::from_secs(5);

/// How to run a mock. `MockConfig::new()` (or `default()`) is a loopback mock on a free port
/// with one demo app, a 300 s code lifetime and no log; the builder methods change that.
#[derive(Debug, Clone)]
pub struct MockConfig {
    pub bind: String,
    /// 0 picks a free port; `MockServer::url` tells which.
    pub port: u16,
    /// (appid, secret) of the mini programs the mock knows; none: a demo app is made.
    pub apps: Vec<(String, String)>,
    /// Makes openids, codes, keys and the demo app reproducible.
    pub seed: Option<u64>,
    /// A JSON file keeping apps, users, codes and tokens, the login variants' too, across restarts.
    pub state: Option<PathBuf>,
    pub code_ttl: Duration,
    /// One line per request on stderr.
    pub log: bool,
    /// Colour in that log.
    pub color: bool,
    /// Appids bound to an open-platform account: their users get a `unionid`, returned by
    /// jscode2session and put in userinfo payloads, as WeChat does for bound apps only. The
    /// demo app made when `apps` is empty is bound.
    pub unionid_apps: Vec<String>,
    /// Also be an HTTPS-intercepting proxy for WeChat's hosts (`--intercept`).
    pub intercept: Option<intercept::InterceptConfig>,
    /// Third-party platforms, WeCom corps and Douyin apps.
    pub variants: VariantConfig,
    /// How many users, codes and journal records the mock keeps.
    pub limits: Limits,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            bind: "127.0.0.1".into(),
            port: 0,
            apps: Vec::new(),
            seed: None,
            state: None,
            code_ttl: Duration::from_secs(300),
            log: false,
            color: false,
            unionid_apps: Vec::new(),
            intercept: None,
            variants: VariantConfig::default(),
            limits: Limits::default(),
        }
    }
}

impl MockConfig {
    pub fn new() -> MockConfig {
        MockConfig::default()
    }

    /// Adds a mini program the mock knows (without any, a demo app is made).
    pub fn app(mut self, appid: impl Into<String>, secret: impl Into<String>) -> MockConfig {
        self.apps.push((appid.into(), secret.into()));
        self
    }

    /// Adds an app as `--app APPID:SECRET[:unionid]` names it.
    pub fn app_spec(self, spec: &AppSpec) -> MockConfig {
        let cfg = self.app(spec.appid.clone(), spec.secret.clone());
        if spec.unionid {
            cfg.unionid(spec.appid.clone())
        } else {
            cfg
        }
    }

    /// Binds `appid` to an open-platform account: its users get a `unionid`.
    pub fn unionid(mut self, appid: impl Into<String>) -> MockConfig {
        self.unionid_apps.push(appid.into());
        self
    }

    /// Reproducible openids, codes, keys and demo app.
    pub fn seed(mut self, seed: u64) -> MockConfig {
        self.seed = Some(seed);
        self
    }

    /// Keeps apps, users, codes and tokens in this JSON file across restarts.
    pub fn state(mut self, path: impl Into<PathBuf>) -> MockConfig {
        self.state = Some(path.into());
        self
    }

    pub fn code_ttl(mut self, ttl: Duration) -> MockConfig {
        self.code_ttl = ttl;
        self
    }

    /// One line per request on stderr.
    pub fn log(mut self, on: bool) -> MockConfig {
        self.log = on;
        self
    }

    /// Colour in that log.
    pub fn color(mut self, on: bool) -> MockConfig {
        self.color = on;
        self
    }

    pub fn bind(mut self, address: impl Into<String>) -> MockConfig {
        self.bind = address.into();
        self
    }

    pub fn port(mut self, port: u16) -> MockConfig {
        self.port = port;
        self
    }

    /// How many users, codes and journal records to keep (`Limits::default()` unless set).
    pub fn limits(mut self, limits: Limits) -> MockConfig {
        self.limits = limits;
        self
    }
}

/// Everything the handlers share.
pub(crate) struct Mock {
    pub state: State,
    pub journal: Journal,
    pub faults: faults::Faults,
    pub log: Option<Logger>,
    pub variants: variants::Variants,
    /// With `--intercept`: the handshakes that failed (a client that does not trust the CA).
    pub tls_failures: Option<Arc<intercept::TlsFailures>>,
    pub saves: persist::SaveStats,
}

/// A running mock on loopback, for a backend's own tests as for the CLI. Dropping it stops the
/// server; `shutdown` also waits for the final save.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), wxlogin::core::Error> {
/// use wxlogin::mock::{MockConfig, MockServer};
///
/// let mock = MockServer::start(MockConfig::new().app("wx1234567890abcdef", "s3cr3t")).await?;
/// // The client's side: wx.login() gives a code for a user.
/// let login = mock.wx_login("wx1234567890abcdef", None).await?;
/// // The backend's side: exchange it, as it would with api.weixin.qq.com.
/// let url = format!(
///     "{}/sns/jscode2session?appid=wx1234567890abcdef&secret=s3cr3t&js_code={}&grant_type=authorization_code",
///     mock.url(),
///     login.code
/// );
/// let session: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
/// assert_eq!(session["openid"], login.openid.as_str());
/// assert_eq!(mock.journal().await.len(), 2);
/// # Ok(()) }
/// ```
pub struct MockServer {
    addr: SocketAddr,
    url: String,
    mock: Arc<Mock>,
    stop: watch::Sender<bool>,
    /// Set once no request is in flight any more: the final save waits for it, so an answer
    /// sent during the grace period is in the state file.
    drained: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    saver: Option<JoinHandle<Result<(), Error>>>,
    sweeper: Option<JoinHandle<()>>,
    intercepting: Option<intercept::InterceptInfo>,
}

/// The former name of [`MockServer`].
#[deprecated(note = "use MockServer")]
pub type MockHandle = MockServer;

impl MockServer {
    /// Binds (loopback and a free port unless configured otherwise), then serves in a tokio
    /// task until the server is shut down or dropped.
    pub async fn start(cfg: MockConfig) -> Result<MockServer, Error> {
        start(cfg).await
    }

    /// `http://127.0.0.1:PORT`: the base URL to give a WeChat client instead of
    /// `https://api.weixin.qq.com`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// With `--intercept`: the CA files and the `--tls-port` address.
    pub fn intercepting(&self) -> Option<&intercept::InterceptInfo> {
        self.intercepting.as_ref()
    }

    /// (appid, secret) of every app the mock knows, configured ones first.
    pub fn apps(&self) -> Vec<(String, String)> {
        self.mock
            .state
            .apps
            .iter()
            .map(|a| (a.appid.clone(), a.secret.clone()))
            .collect()
    }

    /// The user's current session_key, to show rotation; `None` for an unknown user.
    pub fn session_key(&self, appid: &str, openid: &str) -> Option<Secret> {
        let app = self.mock.state.app(appid)?;
        self.mock.state.session_key_of(app, openid).map(Secret::new)
    }

    pub fn code_ttl(&self) -> Duration {
        Duration::from_millis(self.mock.state.code_ttl_ms)
    }

    /// Stops accepting, lets requests in flight finish, writes the state file a last time.
    pub async fn shutdown(self) {
        let _ = self.stop().await;
    }

    /// As `shutdown`, but tells whether the final save of `--state` worked.
    pub async fn stop(mut self) -> Result<(), Error> {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(GRACE, server).await.is_err() {
                abort.abort();
            }
        }
        let _ = self.drained.send(true);
        if let Some(sweeper) = self.sweeper.take() {
            sweeper.abort();
        }
        let saved = match self.saver.take() {
            Some(saver) => saver.await.unwrap_or_else(|e| {
                Err(Error::transport(
                    format!("the state saver stopped: {e}"),
                    "the state file may be out of date",
                ))
            }),
            None => Ok(()),
        };
        if self.mock.log.is_some() {
            let mock = self.mock.clone();
            let _ = tokio::task::spawn_blocking(move || {
                if let Some(log) = &mock.log {
                    log.flush();
                }
            })
            .await;
        }
        saved
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        let _ = self.drained.send(true);
        if let Some(sweeper) = self.sweeper.take() {
            sweeper.abort();
        }
    }
}

/// The former entry point: [`MockServer::start`].
#[deprecated(note = "use MockServer::start")]
pub async fn spawn(cfg: MockConfig) -> Result<MockServer, Error> {
    start(cfg).await
}

/// The mock's memory and handlers, before any socket: state loaded (and written once, so an
/// unwritable `--state` fails here), journal, faults, variants.
/// The mock's state and services; `tls_failures` is where an intercepting front records
/// handshakes that failed.
fn build(
    cfg: &MockConfig,
    tls_failures: Option<Arc<intercept::TlsFailures>>,
) -> Result<Arc<Mock>, Error> {
    let mut saved = match &cfg.state {
        Some(path) => persist::load(path)?,
        None => None,
    };
    let saved_variants = saved.as_mut().and_then(|s| s.variants.take());
    let epoch = saved.as_ref().map_or(0, |s| s.epoch.saturating_add(1));
    let entropy = Entropy::new(cfg.seed, epoch);
    let mut configured = Vec::with_capacity(cfg.apps.len());
    for (appid, secret) in cfg.apps.iter().chain(&cfg.variants.douyin) {
        if appid.is_empty() || secret.is_empty() {
            return Err(Error::usage(
                "an app needs both an appid and a secret",
                "give apps as APPID:SECRET",
            ));
        }
        configured.push(App {
            appid: appid.clone(),
            secret: secret.clone(),
            unionid: cfg.unionid_apps.contains(appid),
        });
    }
    let saved_apps = saved.as_ref().map(|s| s.apps.clone()).unwrap_or_default();
    let mut apps = persist::merge_apps(configured, &saved_apps);
    if apps.is_empty() {
        apps.push(App {
            appid: format!("wx{}", entropy.hex(16)),
            secret: entropy.hex(32),
            unionid: true,
        });
    }
    let code_ttl_ms = u64::try_from(cfg.code_ttl.as_millis()).unwrap_or(u64::MAX);
    let state = State::new(apps, cfg.seed, epoch, entropy, code_ttl_ms, cfg.limits);
    if let Some(snap) = saved {
        persist::restore(&state, snap);
    }
    let variants = variants::Variants::new(&cfg.variants, &state);
    if let Some(snap) = saved_variants {
        let (left_out, gone) = variants.restore(&state, snap);
        if left_out > 0 {
            journal::warn(&format!(
                "state file: {left_out} login-variant entries left out, no longer configured: {}",
                gone.join(", ")
            ));
        }
    }
    let mock = Arc::new(Mock {
        variants,
        state,
        journal: Journal::new(cfg.limits.journal_size),
        faults: faults::Faults::default(),
        log: cfg.log.then(|| Logger::start(cfg.color)),
        saves: persist::SaveStats::default(),
        tls_failures,
    });
    if let Some(path) = &cfg.state {
        // At once, so an unwritable path fails here and the new epoch is on disk.
        save_blocking(&mock, path).map_err(|e| {
            Error::input(
                "--state",
                format!(
                    "cannot write {}: {}",
                    path.display(),
                    crate::core::error::io_reason(&e)
                ),
                "give a path in a writable directory",
            )
        })?;
    }
    Ok(mock)
}

/// The mock's HTTP service without a socket, every request observed as over TCP: for fuzzing
/// the router in process. Not a stable API.
#[doc(hidden)]
#[derive(Clone)]
pub struct InProcess(Observed);

impl InProcess {
    pub fn new(cfg: &MockConfig) -> Result<InProcess, Error> {
        let mock = build(cfg, None)?;
        Ok(InProcess(Observed {
            router: router(mock.clone()),
            mock,
        }))
    }

    /// One request through the whole stack the server uses (faults, route, journal, log).
    pub async fn call(&self, req: Request) -> Response {
        observe(self.0.mock.clone(), self.0.router.clone(), req).await
    }

    /// Drops expired codes and tokens, as the server's sweeper does now and then.
    pub fn sweep(&self) {
        self.0.mock.state.sweep();
        variants::sweep(&self.0.mock);
    }
}

async fn start(cfg: MockConfig) -> Result<MockServer, Error> {
    let (stop, _) = watch::channel(false);
    let interceptor = match &cfg.intercept {
        Some(ic) => Some(intercept::prepare(ic, stop.subscribe(), cfg.log)?),
        None => None,
    };
    let mock = build(&cfg, interceptor.as_ref().map(|(with, _)| with.failures()))?;

    let listener = tokio::net::TcpListener::bind((cfg.bind.as_str(), cfg.port))
        .await
        .map_err(|e| {
            Error::input(
                "--port",
                format!("cannot listen on {}:{}: {e}", cfg.bind, cfg.port),
                "another process may hold that port: pick another --port, or --port 0 for a free one",
            )
        })?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::transport(format!("no local address: {e}"), "retry"))?;
    let addr = SocketAddr::new(reachable(local.ip()), local.port());

    let observed = Observed {
        router: router(mock.clone()),
        mock: mock.clone(),
    };
    let (with, mut intercepting) = interceptor.unzip();
    if let (Some(with), Some(info), Some(port)) = (
        &with,
        intercepting.as_mut(),
        cfg.intercept.as_ref().and_then(|ic| ic.tls_port),
    ) {
        let (tls_addr, _task) =
            intercept::serve_tls_port(with, &cfg.bind, port, observed.clone()).await?;
        info.tls_addr = Some(SocketAddr::new(reachable(tls_addr.ip()), tls_addr.port()));
    }
    let service = intercept::Intercept {
        inner: observed,
        with,
    };
    let listener = listener.tap_io(|tcp| {
        // Small JSON answers: waiting for Nagle only adds latency.
        let _ = tcp.set_nodelay(true);
    });
    let mut stop_rx = stop.subscribe();
    let server = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop_rx.wait_for(|stopped| *stopped).await;
        };
        let _ = axum::serve(listener, ServiceExt::<Request>::into_make_service(service))
            .with_graceful_shutdown(shutdown)
            .await;
    });
    let (drained, _) = watch::channel(false);
    let saver = cfg
        .state
        .clone()
        .map(|path| tokio::spawn(save_loop(mock.clone(), path, drained.subscribe())));
    let sweeper = Some(tokio::spawn(sweep_loop(mock.clone())));
    Ok(MockServer {
        addr,
        url: format!("http://{addr}"),
        mock,
        stop,
        drained,
        server: Some(server),
        saver,
        sweeper,
        intercepting,
    })
}

/// A wildcard bind is reached through loopback.
fn reachable(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    }
}

fn router(mock: Arc<Mock>) -> Router {
    use wechat::{require_get as need_get, require_post as need_post};
    let control_only = control::method_not_allowed;
    Router::new()
        .route(
            "/sns/jscode2session",
            get(wechat::jscode2session).fallback(need_get),
        )
        .route("/cgi-bin/token", get(wechat::token).fallback(need_get))
        .route(
            "/cgi-bin/stable_token",
            post(wechat::stable_token).fallback(need_post),
        )
        .route(
            "/wxa/checksession",
            get(wechat::checksession).fallback(need_get),
        )
        .route(
            "/wxa/resetusersessionkey",
            get(wechat::resetusersessionkey).fallback(need_get),
        )
        .route(
            "/wxa/business/getuserphonenumber",
            post(wechat::getuserphonenumber).fallback(need_post),
        )
        .route(
            "/sns/component/jscode2session",
            get(variants::component_jscode2session).fallback(need_get),
        )
        .route(
            "/cgi-bin/component/api_component_token",
            post(variants::component_token).fallback(need_post),
        )
        .route(
            "/cgi-bin/gettoken",
            get(variants::wecom_gettoken).fallback(need_get),
        )
        .route(
            "/cgi-bin/miniprogram/jscode2session",
            get(variants::wecom_jscode2session).fallback(need_get),
        )
        .route(
            "/api/apps/v2/jscode2session",
            post(variants::douyin_jscode2session).fallback(need_post),
        )
        .route(
            "/mock/component_verify_ticket",
            get(variants::verify_ticket)
                .post(variants::push_verify_ticket)
                .fallback(control_only),
        )
        .route("/mock/login", post(variants::login).fallback(control_only))
        .route(
            "/mock/userinfo",
            post(control::userinfo).fallback(control_only),
        )
        .route(
            "/mock/phonenumber",
            post(control::phonenumber).fallback(control_only),
        )
        .route(
            "/mock/faults",
            post(control::faults)
                .get(control::list_faults)
                .fallback(control_only),
        )
        .route(
            "/mock/journal",
            get(control::journal).fallback(control_only),
        )
        .route("/mock/stats", get(control::stats).fallback(control_only))
        .route("/mock/reset", post(control::reset).fallback(control_only))
        .route("/mock/apps", get(control::apps).fallback(control_only))
        .fallback(wechat::not_found)
        .with_state(mock)
}

/// The router with every request observed: injected faults first, then the route; afterwards
/// one journal record and one log line. One wrapper around the whole router (not one per
/// route) keeps the per-request cost to a single boxed future.
#[derive(Clone)]
struct Observed {
    router: Router,
    mock: Arc<Mock>,
}

impl tower_service::Service<Request> for Observed {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let (mock, router) = (self.mock.clone(), self.router.clone());
        Box::pin(async move { Ok(observe(mock, router, req).await) })
    }
}

async fn route(mut router: Router, req: Request) -> Response {
    use tower_service::Service;
    // A Router is always ready; asking keeps to the Service contract all the same.
    let ready = std::future::poll_fn(|cx| Service::<Request>::poll_ready(&mut router, cx));
    if let Err(never) = ready.await {
        match never {}
    }
    match router.call(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

async fn observe(mock: Arc<Mock>, router: Router, req: Request) -> Response {
    let started = Instant::now();
    let time_ms = now_ms();
    let method = req.method().clone();
    let host = req.extensions().get::<intercept::Via>().map(|via| via.0);
    let path = Record::path_of(req.uri());
    let query = Record::query_of(req.uri());
    let fault = if path.starts_with("/mock/") {
        None
    } else {
        mock.faults.take(&path)
    };
    let as_string = fault.as_ref().is_some_and(|f| f.errcode_as_string);
    let (response, note) = reply::observed(async {
        match fault {
            Some(fault) => {
                if fault.latency_ms > 0 {
                    let _delay = mock.faults.begin_delay(&path, fault.latency_ms);
                    tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
                }
                match fault.errcode {
                    Some(code) => {
                        if fault.consume {
                            // The request reaches the state; only its answer is replaced.
                            let _ = route(router, req).await;
                        }
                        variants::fault_reply(&mock, &path, code, fault.errmsg.as_deref())
                    }
                    None => route(router, req).await,
                }
            }
            None => route(router, req).await,
        }
    })
    .await;
    let response = variants::dress(&path, as_string, response).await;
    let line = LogLine {
        time_ms,
        method,
        path,
        status: response.status().as_u16(),
        errcode: note.errcode,
        latency_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        user: note.user,
    };
    mock.record(line, host, query, Record::body_of(note.body.as_ref()));
    response
}

impl Mock {
    /// One request seen, over HTTP or in process: a log line and a journal record.
    pub(crate) fn record(
        &self,
        line: LogLine,
        host: Option<&'static str>,
        query: Option<journal::Copied>,
        body: Option<journal::Copied>,
    ) {
        if let Some(log) = &self.log {
            log.log(line.clone());
        }
        // The journal does not list its own reads, nor the stats a watcher polls.
        if line.path != "/mock/journal" && line.path != "/mock/stats" {
            self.journal.push(Record {
                line,
                host,
                query,
                body,
            });
        }
    }
}

async fn save_loop(
    mock: Arc<Mock>,
    path: PathBuf,
    mut drained: watch::Receiver<bool>,
) -> Result<(), Error> {
    let mut complained = false;
    let mut wait = SAVE_EVERY;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = drained.wait_for(|done| *done) => break,
        }
        wait = SAVE_EVERY;
        if mock.state.dirty.swap(false, Ordering::AcqRel) {
            let started = Instant::now();
            if let Err(e) = save_now(&mock, &path).await {
                mock.state.touch();
                if !complained {
                    complained = true;
                    journal::warn(&format!("{e} — {}", e.hint()));
                }
            }
            wait = wait.max(started.elapsed() * SAVE_DUTY);
        }
    }
    mock.state.dirty.store(false, Ordering::Release);
    save_now(&mock, &path).await
}

async fn save_now(mock: &Arc<Mock>, path: &std::path::Path) -> Result<(), Error> {
    let (m, p) = (mock.clone(), path.to_path_buf());
    let result = tokio::task::spawn_blocking(move || save_blocking(&m, &p))
        .await
        .map_err(std::io::Error::other)
        .and_then(|r| r);
    result.map_err(|e| {
        Error::input(
            "--state",
            format!(
                "cannot save {}: {}",
                path.display(),
                crate::core::error::io_reason(&e)
            ),
            "check that its directory is writable and the disk not full",
        )
    })
}

/// One snapshot written to `path`, its cost counted for `/mock/stats`.
fn save_blocking(mock: &Mock, path: &std::path::Path) -> std::io::Result<()> {
    let started = Instant::now();
    let mut snap = persist::snapshot(&mock.state);
    snap.variants = Some(mock.variants.snapshot(&mock.state));
    let copied = started.elapsed();
    let size = persist::save(path, &snap)?;
    mock.saves.record(size, copied, started.elapsed());
    Ok(())
}

/// Forgets expired codes and tokens now and then, so a long run stays small.
async fn sweep_loop(mock: Arc<Mock>) {
    let ttl = Duration::from_millis(mock.state.code_ttl_ms);
    let every = (ttl / 2).clamp(Duration::from_secs(1), Duration::from_secs(30));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        mock.state.sweep();
        variants::sweep(&mock);
    }
}

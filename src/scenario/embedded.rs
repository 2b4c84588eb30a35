//! The mock a scenario talks to: one started in-process on a free port, or a running
//! `wxlogin mock-server`; either way reached over HTTP, so both behave the same.

use std::time::Duration;

use crate::core::platform::Platform;
use crate::core::{Result, Secret};
use crate::mock::intercept::{InterceptConfig, InterceptInfo};
use crate::mock::{AppSpec, MockConfig, MockServer};

use super::mocklink::MockLink;

pub enum Mock {
    External(MockLink),
    Embedded(MockServer),
}

impl Mock {
    pub fn link(&self) -> Result<MockLink> {
        match self {
            Mock::External(l) => Ok(l.clone()),
            Mock::Embedded(h) => MockLink::new(h.url()),
        }
    }

    /// With `--intercept`: the embedded mock's proxy URL and CA files.
    pub fn intercepting(&self) -> Option<(String, &InterceptInfo)> {
        match self {
            Mock::External(_) => None,
            Mock::Embedded(h) => h.intercepting().map(|info| (h.url().to_string(), info)),
        }
    }

    pub fn is_embedded(&self) -> bool {
        matches!(self, Mock::Embedded(_))
    }

    /// The secret the mock holds for `appid`, when this process started it.
    pub fn secret_of(&self, appid: &str) -> Option<Secret> {
        match self {
            Mock::External(_) => None,
            Mock::Embedded(h) => h
                .apps()
                .into_iter()
                .find(|(a, _)| a == appid)
                .map(|(_, s)| Secret::new(s)),
        }
    }

    /// The first app the mock knows, with its secret (only for a mock this process started).
    pub fn first_app(&self) -> Option<(String, Secret)> {
        match self {
            Mock::External(_) => None,
            Mock::Embedded(h) => h
                .apps()
                .into_iter()
                .next()
                .map(|(a, s)| (a, Secret::new(s))),
        }
    }

    pub async fn shutdown(self) {
        if let Mock::Embedded(h) = self {
            h.shutdown().await;
        }
    }
}

/// The mini program a flow plays, as the embedded mock is to serve it.
pub struct FlowApp<'a> {
    pub appid: &'a str,
    /// Without one (and no `--app` for the appid), the mock is given a random one.
    pub secret: Option<&'a Secret>,
    pub platform: Platform,
    /// WeCom: the corp whose self-built app is bound to the mini program, and its secret.
    pub corp: Option<(&'a str, &'a Secret)>,
}

/// Starts the embedded mock on `port` (0: a free one) with the flow's app and any `--app`:
/// a Douyin flow's app is declared a Douyin app, a WeCom flow's gets its corp bound to it.
pub async fn start(
    port: u16,
    flow_app: FlowApp<'_>,
    apps: &[AppSpec],
    code_ttl: u64,
    intercept: Option<InterceptConfig>,
) -> Result<Mock> {
    let appid = flow_app.appid;
    let mut cfg = MockConfig::new()
        .port(port)
        .code_ttl(Duration::from_secs(code_ttl));
    let given = apps.iter().find(|a| a.appid == appid);
    if flow_app.platform == Platform::Douyin {
        // Douyin apps are apps of the mock too: declared once, as Douyin's.
        let secret = given.map(|a| a.secret.clone()).unwrap_or_else(|| {
            flow_app
                .secret
                .map_or_else(random_secret, |s| s.expose().to_string())
        });
        cfg.variants.douyin.push((appid.to_string(), secret));
    } else if given.is_none() {
        let secret = flow_app
            .secret
            .map_or_else(random_secret, |s| s.expose().to_string());
        cfg = cfg.app(appid, secret);
    }
    for app in apps {
        if !(flow_app.platform == Platform::Douyin && app.appid == appid) {
            cfg = cfg.app_spec(app);
        }
    }
    if let Some((corpid, corpsecret)) = flow_app.corp {
        cfg.variants.wecom.push((
            corpid.to_string(),
            corpsecret.expose().to_string(),
            appid.to_string(),
        ));
    }
    cfg.intercept = intercept;
    let handle = MockServer::start(cfg).await?;
    Ok(Mock::Embedded(handle))
}

/// Starts the embedded mock for the demo: its own demo app, reproducible with `seed`.
pub async fn start_demo(seed: Option<u64>, intercept: Option<InterceptConfig>) -> Result<Mock> {
    let handle = MockServer::start(MockConfig {
        seed,
        intercept,
        ..MockConfig::default()
    })
    .await?;
    Ok(Mock::Embedded(handle))
}

/// A random secret of 32 hex digits, like an appsecret.
pub fn random_secret() -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

/// A small runtime for the commands that do network I/O.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    crate::runtime::build(crate::runtime::Threads::Workers(2))
}

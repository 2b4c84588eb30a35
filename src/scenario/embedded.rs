//! The mock a scenario talks to: one started in-process on a free port, or a running
//! `wxlogin mock-server`; either way reached over HTTP, so both behave the same.

use std::time::Duration;

use crate::core::{Error, Result, Secret};
use crate::mock::intercept::{InterceptConfig, InterceptInfo};
use crate::mock::{MockConfig, MockHandle};

use super::mocklink::MockLink;

pub enum Mock {
    External(MockLink),
    Embedded(MockHandle),
}

impl Mock {
    pub fn link(&self) -> Result<MockLink> {
        match self {
            Mock::External(l) => Ok(l.clone()),
            Mock::Embedded(h) => MockLink::new(&h.url()),
        }
    }

    /// With `--intercept`: the embedded mock's proxy URL and CA files.
    pub fn intercepting(&self) -> Option<(String, &InterceptInfo)> {
        match self {
            Mock::External(_) => None,
            Mock::Embedded(h) => h.intercepting().map(|info| (h.url(), info)),
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

/// Starts the embedded mock on `port` (0: a free one) with the flow's app and any `--app`.
/// Without a secret for the flow's app, the mock is given a random one.
pub async fn start(
    port: u16,
    appid: &str,
    secret: Option<&Secret>,
    apps: &[(String, String)],
    code_ttl: u64,
    intercept: Option<InterceptConfig>,
) -> Result<Mock> {
    let mut all: Vec<(String, String)> = apps.to_vec();
    if !all.iter().any(|(a, _)| a == appid) {
        let secret = secret.map_or_else(random_secret, |s| s.expose().to_string());
        all.insert(0, (appid.to_string(), secret));
    }
    let handle = crate::mock::spawn(MockConfig {
        port,
        apps: all,
        code_ttl: Duration::from_secs(code_ttl),
        intercept,
        ..MockConfig::default()
    })
    .await?;
    Ok(Mock::Embedded(handle))
}

/// Starts the embedded mock for the demo: its own demo app, reproducible with `seed`.
pub async fn start_demo(seed: Option<u64>, intercept: Option<InterceptConfig>) -> Result<Mock> {
    let handle = crate::mock::spawn(MockConfig {
        seed,
        intercept,
        ..MockConfig::default()
    })
    .await?;
    Ok(Mock::Embedded(handle))
}

fn random_secret() -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

/// `APPID:SECRET` pairs from the command line.
pub fn parse_apps(specs: &[String]) -> Result<Vec<(String, String)>> {
    specs
        .iter()
        .map(|spec| match spec.split_once(':') {
            Some((a, s)) if !a.trim().is_empty() && !s.trim().is_empty() => {
                Ok((a.trim().to_string(), s.trim().to_string()))
            }
            _ => Err(Error::input(
                "--app",
                format!("\"{}\" is not APPID:SECRET", crate::core::secret::mask(spec)),
                "write the app as APPID:SECRET, e.g. --app wx1234567890abcdef:0123456789abcdef0123456789abcdef",
            )),
        })
        .collect()
}

/// A small runtime for the commands that do network I/O.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            Error::transport(
                format!("cannot start the async runtime: {e}"),
                "this is a bug",
            )
        })
}

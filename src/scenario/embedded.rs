//! The mock a scenario talks to: one started in-process on a free port, or a running
//! `wxlogin mock-server`; either way reached over HTTP, so both behave the same.

use crate::core::{Error, Result, Secret};

use super::mocklink::MockLink;

pub enum Mock {
    External(MockLink),
}

impl Mock {
    pub fn link(&self) -> Result<MockLink> {
        match self {
            Mock::External(l) => Ok(l.clone()),
        }
    }

    pub fn is_embedded(&self) -> bool {
        false
    }

    /// The secret the mock holds for `appid`, when this process started it.
    pub fn secret_of(&self, _appid: &str) -> Option<Secret> {
        None
    }

    /// The first app the mock knows, with its secret (only for a mock this process started).
    pub fn first_app(&self) -> Option<(String, Secret)> {
        None
    }

    pub async fn shutdown(self) {}
}

/// Starts the embedded mock with the flow's app (and any `--app`) on `port` (0: a free one).
pub async fn start(
    _port: u16,
    _appid: &str,
    _secret: Option<&Secret>,
    _apps: &[(String, String)],
    _code_ttl: u64,
) -> Result<Mock> {
    Err(Error::usage(
        "the embedded mock is not built yet",
        "pass --mock URL",
    ))
}

/// Starts the embedded mock for the demo: its own demo app, reproducible with `seed`.
pub async fn start_demo(_seed: Option<u64>) -> Result<Mock> {
    Err(Error::usage(
        "the embedded mock is not built yet",
        "pass --mock URL",
    ))
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

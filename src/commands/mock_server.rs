//! `wxlogin mock-server`: runs the mock WeChat until SIGINT/SIGTERM, then saves and exits 0.
//! The first stdout line is `listening on URL`; the demo app's credentials follow when made.

use std::time::Duration;

use super::Outcome;
use crate::cli::MockServerArgs;
use crate::core::{Error, exit};
use crate::mock::{self, MockConfig};
use crate::output::{Ctx, println_safe};

pub fn run(ctx: &Ctx, args: MockServerArgs) -> Outcome {
    let (apps, unionid_apps) = parse_apps(&args.apps)?;
    let demo_app = apps.is_empty();
    let cfg = MockConfig {
        bind: args.bind,
        port: args.port,
        apps,
        seed: args.seed,
        state: args.state.clone(),
        code_ttl: Duration::from_secs(args.code_ttl),
        log: !ctx.quiet,
        color: ctx.color_err,
        unionid_apps,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::transport(format!("cannot start the runtime: {e}"), "retry"))?;
    runtime.block_on(async {
        let handle = mock::spawn(cfg).await?;
        // Listen before announcing the URL: a test harness may send SIGTERM as soon as it reads
        // it, and a signal that arrives before the handler exists kills the process unsaved.
        let stop = stop_signal();
        println_safe(&format!("listening on {}", handle.url()));
        if demo_app {
            for (appid, secret) in handle.apps() {
                println_safe(&format!("appid {appid}"));
                println_safe(&format!("secret {secret}"));
            }
            ctx.note(
                "the secret above is the mock's own (made up for this mock, not a real WeChat \
                 secret): it is printed on purpose so your backend can be configured with it",
            );
        }
        ctx.note(&format!(
            "point your backend's WeChat base URL at {}; play the client with POST /mock/login, \
             /mock/userinfo, /mock/phonenumber; Ctrl-C stops",
            handle.url()
        ));
        stop.await;
        let saved = handle.stop().await;
        if let Some(path) = &args.state
            && saved.is_ok()
        {
            ctx.note(&format!("stopped; state saved to {}", path.display()));
        }
        saved.map(|()| exit::OK)
    })
}

/// (appid, secret) pairs, and the appids bound to an open-platform account.
type AppSpecs = (Vec<(String, String)>, Vec<String>);

/// `APPID:SECRET` or `APPID:SECRET:unionid` (the app is bound to an open-platform account).
fn parse_apps(specs: &[String]) -> Result<AppSpecs, Error> {
    let mut apps: Vec<(String, String)> = Vec::new();
    let mut bound = Vec::new();
    for spec in specs {
        let mut parts = spec.splitn(3, ':');
        let (appid, secret, flag) = (parts.next(), parts.next(), parts.next());
        let (Some(appid), Some(secret)) = (appid, secret) else {
            // The value holds a secret: never echo it.
            return Err(Error::usage(
                "--app wants APPID:SECRET, got a value without ':'",
                "e.g. --app wx1234567890abcdef:0123456789abcdef0123456789abcdef",
            ));
        };
        if appid.is_empty() || secret.is_empty() {
            return Err(Error::usage(
                "--app wants APPID:SECRET, with neither part empty",
                "e.g. --app wx1234567890abcdef:0123456789abcdef0123456789abcdef",
            ));
        }
        match flag {
            None => {}
            Some("unionid") => bound.push(appid.to_string()),
            Some(_) => {
                return Err(Error::usage(
                    format!("--app {appid}:…: the only option after the secret is ':unionid'"),
                    "APPID:SECRET:unionid makes the app bound to an open-platform account",
                ));
            }
        }
        if apps.iter().any(|(a, _)| a == appid) {
            return Err(Error::usage(
                format!("--app {appid} is given twice"),
                "give each app once",
            ));
        }
        apps.push((appid.to_string(), secret.to_string()));
    }
    Ok((apps, bound))
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed by this call, not on first poll.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let handlers = {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::interrupt())
            .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
            .ok()
    };
    async move {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = handlers {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_specs() {
        let specs = vec!["wxa:s1".to_string(), "wxb:s2:unionid".to_string()];
        let (apps, bound) = parse_apps(&specs).unwrap();
        assert_eq!(apps.len(), 2);
        assert_eq!(bound, vec!["wxb".to_string()]);
        let err = parse_apps(&["wxa-secretvalue".to_string()]).unwrap_err();
        assert!(!err.to_string().contains("secretvalue"));
        assert!(parse_apps(&["wxa:s:other".to_string()]).is_err());
        assert!(parse_apps(&["wxa:s".to_string(), "wxa:t".to_string()]).is_err());
    }
}

//! `wxlogin mock-server`: runs the mock WeChat until SIGINT/SIGTERM, then saves and exits 0.
//! The first stdout line is `listening on URL`; the demo app's credentials follow when made.

use std::time::Duration;

use super::Outcome;
use crate::cli::{InterceptArgs, MockServerArgs};
use crate::core::{Error, exit};
use crate::mock::intercept::{self, InterceptConfig};
use crate::mock::{self, AppSpec, MockConfig, MockServer};
use crate::output::{Ctx, println_safe};
use crate::runtime::{self, Threads};

pub fn run(ctx: &Ctx, args: MockServerArgs) -> Outcome {
    let apps = AppSpec::parse_all(&args.apps)?;
    let variants = mock::VariantConfig::parse(&args.components, &args.wecom, &args.douyin)?;
    let demo_app = apps.is_empty() && variants.douyin.is_empty();
    let mut cfg = MockConfig::new()
        .bind(args.bind)
        .port(args.port)
        .code_ttl(Duration::from_secs(args.code_ttl))
        .limits(mock::Limits {
            max_users: args.max_users,
            max_codes: args.max_codes,
            journal_size: args.journal_size,
        })
        .log(!ctx.quiet)
        .color(ctx.color_err);
    for app in &apps {
        cfg = cfg.app_spec(app);
    }
    cfg.seed = args.seed;
    cfg.state = args.state.clone();
    cfg.intercept = intercept_config(&args.intercept)?;
    cfg.variants = variants;
    let runtime = runtime::build(Threads::PerCore)?;
    runtime.block_on(async {
        let handle = MockServer::start(cfg).await?;
        // Listen before announcing the URL: a test harness may send SIGTERM as soon as it reads
        // it, and a signal that arrives before the handler exists kills the process unsaved.
        let stop = stop_signal();
        // Before the first line: whoever waits for the URL may source the file at once.
        if let (Some(info), Some(path)) = (handle.intercepting(), &args.intercept.env_file) {
            intercept::write_env_file(path, handle.url(), info)?;
        }
        println_safe(&format!("listening on {}", handle.url()));
        if let Some(tls) = handle.intercepting().and_then(|i| i.tls_url()) {
            println_safe(&format!("listening on {tls}"));
        }
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
        if let Some(info) = handle.intercepting() {
            let env_file = args.intercept.env_file.as_deref();
            ctx.note(&intercept::advice(handle.url(), info, env_file));
        }
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

fn intercept_config(args: &InterceptArgs) -> Result<Option<InterceptConfig>, Error> {
    if !args.intercept {
        return Ok(None);
    }
    InterceptConfig::new(args.ca_dir.clone(), args.tls_port).map(Some)
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

//! `wxlogin simulate FLOW.toml [-- CMD]`: play the mini program against your own backend, with
//! the mock (embedded or `--mock URL`) standing in for WeChat; with CMD, the backend too.

use std::io::IsTerminal;
use std::time::Duration;

use serde_json::{Map, json};

use super::Outcome;
use crate::cli::SimulateArgs;
use crate::core::capped::read_text_at_most;
use crate::core::error::io_reason;
use crate::core::platform::Platform;
use crate::core::{Error, Secret};
use crate::mock::AppSpec;
use crate::mock::intercept::{self, InterceptConfig};
use crate::output::{Ctx, println_safe};
use crate::scenario::backend::{self, BackendProc};
use crate::scenario::diagram::Diagram;
use crate::scenario::flow::Flow;
use crate::scenario::mocklink::MockLink;
use crate::scenario::render;
use crate::scenario::run::{self, Event, RunOptions};
use crate::scenario::{embedded, flow, lang};

/// The largest flow file read: far past any real flow, small enough that a wrong path
/// (`/dev/zero`, a log) is refused at once.
const MAX_FLOW_BYTES: usize = 1 << 20;

/// Lines of the backend's stderr shown under a failed step.
const STDERR_SHOWN: usize = 15;

pub fn run(ctx: &Ctx, args: SimulateArgs) -> Outcome {
    let path = args.flow.display().to_string();
    let source = read_text_at_most(&args.flow, MAX_FLOW_BYTES)
        .map_err(|e| {
            Error::input(
                "FLOW.toml",
                format!("cannot read {path}: {}", io_reason(&e)),
                "give the path of a flow file (see examples/flows/)",
            )
        })?
        .ok_or_else(|| {
            Error::input(
                "FLOW.toml",
                crate::core::capped::more_than(&path, MAX_FLOW_BYTES),
                "a flow file is a few dozen steps: give the path of one (see examples/flows/)",
            )
        })?;
    let platform = args.platform.map(Platform::from);
    let mut flow = flow::parse(&path, &source, args.backend.as_deref(), platform)?;
    if let Some(appid) = &args.appid {
        flow.appid = appid.trim().to_string();
    }
    if flow.platform == Platform::Wecom && flow.corpid.is_none() {
        flow.corpid = Some(corpid_for(&flow.appid));
    }
    let apps = AppSpec::parse_all(&args.apps)?;
    let starts_backend = !args.command.is_empty();
    // A random port nobody can know: only a person can carry it to the backend.
    let wait_for_enter = args.mock.is_none() && args.mock_port == 0 && !starts_backend;
    if wait_for_enter && !std::io::stdin().is_terminal() {
        return Err(Error::usage(
            "the embedded mock would listen on a random port the backend cannot know, and there is \
             no terminal to wait on",
            "use --mock-port PORT (and point the backend at it), --mock URL (a running `wxlogin \
             mock-server`), or `-- CMD` to let simulate start the backend with the mock's URL",
        ));
    }
    if starts_backend {
        pick_backend_port(&mut flow)?;
    }
    let mut secret = apps
        .iter()
        .find(|a| a.appid == flow.appid)
        .map(|a| Secret::new(a.secret.clone()))
        .or_else(|| flow.secret.clone());
    let runtime = embedded::runtime()?;
    runtime.block_on(async {
        let (mock, code_ttl) = match &args.mock {
            Some(url) => {
                let link = MockLink::new(url)?;
                // The mock knows its own test secret: no need to be told it again.
                let known = link.apps().await;
                let mocks = known
                    .iter()
                    .find(|(a, _)| *a == flow.appid)
                    .map(|(_, s)| Secret::new(s.clone()));
                // The mock's own secret is the one its routes check: a different one given
                // here would be handed to the backend and fail as 40125.
                if let (Some(given), Some(m)) = (&secret, &mocks)
                    && given.expose() != m.expose()
                {
                    ctx.warn(&format!(
                        "the secret given for {} (--app or the flow's `secret`) is not the running mock's: simulate uses the mock's",
                        flow.appid
                    ));
                }
                if mocks.is_some() {
                    secret = mocks;
                }
                if !apps.is_empty() {
                    ctx.warn(
                        "--app does not add apps to a running mock (--mock URL): give them to \
                         `wxlogin mock-server --app`; simulate reads their secrets from the mock",
                    );
                }
                (embedded::Mock::External(link), flow.code_ttl.unwrap_or(300))
            }
            None => {
                let ttl = flow.code_ttl.unwrap_or(300);
                let intercept = args
                    .intercept
                    .then(|| InterceptConfig::new(args.ca_dir.clone(), None))
                    .transpose()?;
                let corpsecret = flow
                    .corpsecret
                    .get_or_insert_with(|| Secret::new(embedded::random_secret()));
                let flow_app = embedded::FlowApp {
                    appid: &flow.appid,
                    secret: secret.as_ref(),
                    platform: flow.platform,
                    corp: flow.corpid.as_deref().map(|c| (c, &*corpsecret)),
                };
                let m =
                    embedded::start(args.mock_port, flow_app, &apps, ttl, intercept).await?;
                (m, ttl)
            }
        };
        let intercepting = mock.intercepting().map(|(u, i)| (u, i.clone()));
        if let Some((url, info)) = &intercepting {
            if let Some(path) = &args.env_file
                && let Err(e) = intercept::write_env_file(path, url, info)
            {
                mock.shutdown().await;
                return Err(e);
            }
            if !starts_backend {
                ctx.note(&intercept::advice(url, info, args.env_file.as_deref()));
                if args.mock_port == 0 {
                    ctx.note(
                        "the proxy's port changes on every run: give --mock-port PORT to keep the \
                         backend's HTTPS_PROXY valid",
                    );
                }
            }
        }
        let secret = secret.or_else(|| mock.secret_of(&flow.appid));
        let mut link = mock.link()?;
        let embedded = mock.is_embedded();
        if let Err(e) = link.new_calls().await {
            mock.shutdown().await;
            return Err(e);
        }
        let mut backend_proc = None;
        if starts_backend {
            let mut env = vec![
                ("WXLOGIN_MOCK_URL".to_string(), link.url().to_string()),
                ("WXLOGIN_APPID".to_string(), flow.appid.clone()),
                (
                    "WXLOGIN_PLATFORM".to_string(),
                    flow.platform.name().to_string(),
                ),
            ];
            match &secret {
                Some(s) => env.push(("WXLOGIN_SECRET".to_string(), s.expose().to_string())),
                None => ctx.warn(&format!(
                    "the mock's secret for {} is unknown: the backend gets no WXLOGIN_SECRET \
                     (give --app APPID:SECRET)",
                    flow.appid
                )),
            }
            if let Some(corpid) = &flow.corpid {
                env.push(("WXLOGIN_CORPID".to_string(), corpid.clone()));
                match &flow.corpsecret {
                    Some(s) => {
                        env.push(("WXLOGIN_CORPSECRET".to_string(), s.expose().to_string()));
                    }
                    None => ctx.warn(&format!(
                        "the corpsecret of {corpid} is unknown: the backend gets no \
                         WXLOGIN_CORPSECRET (give `corpsecret =` in the flow)"
                    )),
                }
            }
            if let Some(port) = flow
                .backend
                .as_deref()
                .and_then(|b| reqwest::Url::parse(b).ok())
                .and_then(|u| u.port_or_known_default())
            {
                env.push(("PORT".to_string(), port.to_string()));
            }
            if let Some((url, info)) = &intercepting {
                env.extend(
                    intercept::env_vars(url, info)
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v)),
                );
            }
            let started = start_backend(&args, &flow, &env).await;
            match started {
                Ok(p) => backend_proc = Some(p),
                Err(e) => {
                    mock.shutdown().await;
                    return Err(e);
                }
            }
        } else if wait_for_enter {
            wait_for_backend(ctx, link.url());
        }
        if !ctx.json {
            let shown = secret.as_ref().map_or_else(
                || "unknown".to_string(),
                |s| s.shown_as("secret", ctx.reveal),
            );
            let kind = if embedded { "embedded" } else { "external" };
            let played = match flow.platform {
                Platform::Wechat => String::new(),
                p => format!(" · {} ({})", p.display(), p.login_call()),
            };
            println_safe(&format!(
                "mock: {} ({kind}) · app {} (secret {shown}){played}",
                link.url(),
                flow.appid
            ));
            if let Some(corpid) = &flow.corpid {
                let shown = flow.corpsecret.as_ref().map_or_else(
                    || "unknown".to_string(),
                    |s| s.shown_as("corpsecret", ctx.reveal),
                );
                println_safe(&format!("corp: {corpid} (corpsecret {shown})"));
            }
            if let Some(b) = &flow.backend {
                let started = backend_proc
                    .as_ref()
                    .map_or_else(String::new, |p| format!(" (started: {})", p.program()));
                println_safe(&format!(
                    "backend: {b}{started} · flow {path} ({} steps)",
                    flow.steps.len()
                ));
            }
            println_safe("");
        }
        let opts = RunOptions {
            secret: secret.clone(),
            code_ttl: std::time::Duration::from_secs(code_ttl),
            reveal: ctx.reveal,
            intercepting: intercepting.is_some(),
        };
        let diagram = Diagram::new(ctx.color_out, render::simulate_lanes(flow.platform));
        if !ctx.json {
            println_safe(&diagram.header());
        }
        let result = run::run_flow(&flow, &mut link, &opts, |event| match event {
            Event::Step(step) if !ctx.json => {
                for line in render::step_lines(&diagram, step, ctx.reveal) {
                    println_safe(&line);
                }
            }
            // With --json the document carries the warnings itself.
            Event::Warning(w) if !ctx.json => ctx.warn(w),
            Event::Warning(_) => {}
            Event::Step(_) => {}
        })
        .await;
        // The backend's last words are read before it is stopped (its shutdown log is noise),
        // once it has finished writing what the failed step made it log.
        if let (Some(p), false) = (&backend_proc, result.as_ref().is_ok_and(|r| r.ok())) {
            p.settle_stderr(Duration::from_millis(150), Duration::from_secs(1))
                .await;
        }
        let stderr_tail = backend_proc
            .as_ref()
            .map(|p| p.shown_tail(STDERR_SHOWN, ctx.reveal))
            .unwrap_or_default();
        let exited = backend_proc.as_mut().and_then(BackendProc::exited);
        if let Some(mut p) = backend_proc {
            tokio::task::spawn_blocking(move || p.stop(backend::GRACE))
                .await
                .ok();
        }
        mock.shutdown().await;
        let report = result?;
        let failed = !report.ok();
        if ctx.json {
            let mut head = Map::new();
            head.insert("mock".into(), json!(link.url()));
            head.insert("embedded".into(), json!(embedded));
            head.insert("flow".into(), json!(path));
            head.insert("backend".into(), json!(flow.backend));
            head.insert("appid".into(), json!(flow.appid));
            head.insert("platform".into(), json!(flow.platform.name()));
            if let Some(corpid) = &flow.corpid {
                head.insert("corpid".into(), json!(corpid));
            }
            let mut doc = render::document(&report, head, ctx.reveal);
            if starts_backend {
                doc["backend_stderr"] = json!(if failed { stderr_tail } else { vec![] });
            }
            ctx.emit_json(doc);
        } else {
            println_safe("");
            for line in render::summary_lines(ctx.color_out, &report, ctx.lang) {
                println_safe(&line);
            }
            if failed && starts_backend {
                if let Some(status) = exited {
                    println_safe(&format!("the backend exited during the run ({status})"));
                }
                println_safe(&lang::backend_stderr(stderr_tail.len(), ctx.lang));
                for line in &stderr_tail {
                    println_safe(&format!("  │ {line}"));
                }
            }
        }
        Ok(report.exit_code())
    })
}

/// The backend runs in its own process group, so Ctrl-C (or a SIGTERM/SIGHUP to simulate) no
/// longer reaches it by itself: stop its group, then leave as the signal would have.
#[cfg(unix)]
fn stop_on_interrupt(group: Option<i32>) {
    use tokio::signal::unix::{SignalKind, signal};
    let kinds = [
        (SignalKind::interrupt(), 130),
        (SignalKind::terminate(), 143),
        (SignalKind::hangup(), 129),
    ];
    for (kind, code) in kinds {
        let Ok(mut stream) = signal(kind) else {
            continue;
        };
        tokio::spawn(async move {
            if stream.recv().await.is_some() {
                backend::signal_group(group, backend::Signal::Term);
                tokio::time::sleep(Duration::from_millis(500)).await;
                backend::signal_group(group, backend::Signal::Kill);
                std::process::exit(code);
            }
        });
    }
}

#[cfg(not(unix))]
fn stop_on_interrupt(_group: Option<i32>) {}

async fn start_backend(
    args: &SimulateArgs,
    flow: &Flow,
    env: &[(String, String)],
) -> Result<BackendProc, Error> {
    let Some(url) = flow.backend.clone() else {
        return Err(Error::usage(
            "simulate starts the backend but does not know its URL",
            "give `backend = \"http://127.0.0.1:PORT\"` in the flow or --backend URL: the backend \
             gets the port as PORT, and simulate waits until it accepts connections there",
        ));
    };
    BackendProc::refuse_taken_port(&url).await?;
    let mut proc = BackendProc::spawn(&args.command, env)?;
    stop_on_interrupt(proc.group());
    let timeout = args.ready_timeout.unwrap_or(backend::DEFAULT_READY_TIMEOUT);
    proc.wait_ready(&url, args.ready_path.as_deref(), timeout)
        .await?;
    Ok(proc)
}

/// A WeCom flow without `corpid`: one made from the appid, the same on every run, so a
/// backend configured once keeps working (`wx5e1e…` gives `ww5e1e…`).
fn corpid_for(appid: &str) -> String {
    format!("ww{}", appid.strip_prefix("wx").unwrap_or(appid))
}

/// A backend URL with port 0 gets a free port, which the started backend receives as PORT.
fn pick_backend_port(flow: &mut Flow) -> Result<(), Error> {
    let Some(url) = flow.backend.as_deref() else {
        return Ok(());
    };
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return Ok(());
    };
    if parsed.port() != Some(0) {
        return Ok(());
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| {
            Error::transport(
                format!("cannot find a free port for the backend: {e}"),
                "give the backend URL a fixed port",
            )
        })?;
    let _ = parsed.set_port(Some(port));
    flow.backend = Some(parsed.as_str().trim_end_matches('/').to_string());
    Ok(())
}

/// On a terminal, with a mock on a random port: say where it is and wait for the person.
fn wait_for_backend(ctx: &Ctx, url: &str) {
    ctx.note(&format!(
        "the mock listens on {url}: point your backend's WeChat base URL at it (or give \
         --mock-port next time, or `-- CMD` to let simulate start the backend), then press Enter"
    ));
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

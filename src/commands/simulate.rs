//! `wxlogin simulate FLOW.toml`: play the mini program against your own backend, with the
//! mock (embedded or `--mock URL`) standing in for WeChat.

use serde_json::{Map, json};

use super::Outcome;
use crate::cli::SimulateArgs;
use crate::core::error::io_reason;
use crate::core::{Error, Secret};
use crate::mock::AppSpec;
use crate::mock::intercept::{self, InterceptConfig};
use crate::output::{Ctx, println_safe};
use crate::scenario::diagram::Diagram;
use crate::scenario::mocklink::MockLink;
use crate::scenario::render::{self, SIMULATE_LANES};
use crate::scenario::run::{self, Event, RunOptions};
use crate::scenario::{embedded, flow};

pub fn run(ctx: &Ctx, args: SimulateArgs) -> Outcome {
    let path = args.flow.display().to_string();
    let source = std::fs::read_to_string(&args.flow).map_err(|e| {
        Error::input(
            "FLOW.toml",
            format!("cannot read {path}: {}", io_reason(&e)),
            "give the path of a flow file (see examples/flows/)",
        )
    })?;
    let flow = flow::parse(&path, &source, args.backend.as_deref())?;
    let apps = AppSpec::parse_all(&args.apps)?;
    if args.mock.is_some() && !apps.is_empty() {
        ctx.warn(
            "--app does not add apps to a running mock (--mock URL): give them to `wxlogin mock-server --app`; \
             here it only tells simulate the secret to look for in the client's requests",
        );
    }
    let secret = apps
        .iter()
        .find(|a| a.appid == flow.appid)
        .map(|a| Secret::new(a.secret.clone()))
        .or_else(|| flow.secret.clone());
    let runtime = embedded::runtime()?;
    runtime.block_on(async {
        let (mock, code_ttl) = match &args.mock {
            Some(url) => (
                embedded::Mock::External(MockLink::new(url)?),
                flow.code_ttl.unwrap_or(300),
            ),
            None => {
                let ttl = flow.code_ttl.unwrap_or(300);
                let intercept = args
                    .intercept
                    .then(|| InterceptConfig::new(args.ca_dir.clone(), None))
                    .transpose()?;
                let m = embedded::start(
                    args.mock_port,
                    &flow.appid,
                    secret.as_ref(),
                    &apps,
                    ttl,
                    intercept,
                )
                .await?;
                (m, ttl)
            }
        };
        if let Some((url, info)) = mock.intercepting() {
            if let Some(path) = &args.env_file
                && let Err(e) = intercept::write_env_file(path, &url, info)
            {
                mock.shutdown().await;
                return Err(e);
            }
            ctx.note(&intercept::advice(&url, info, args.env_file.as_deref()));
            if args.mock_port == 0 {
                ctx.note(
                    "the proxy's port changes on every run: give --mock-port PORT to keep the \
                     backend's HTTPS_PROXY valid",
                );
            }
        }
        let secret = secret.or_else(|| mock.secret_of(&flow.appid));
        let mut link = mock.link()?;
        let embedded = mock.is_embedded();
        if let Err(e) = link.new_calls().await {
            mock.shutdown().await;
            return Err(e);
        }
        if !ctx.json {
            let shown = secret
                .as_ref()
                .map_or_else(|| "unknown".to_string(), |s| s.shown(ctx.reveal));
            let kind = if embedded { "embedded" } else { "external" };
            println_safe(&format!(
                "mock: {} ({kind}) · app {} (secret {shown})",
                link.url(),
                flow.appid
            ));
            if let Some(b) = &flow.backend {
                println_safe(&format!(
                    "backend: {b} · flow {path} ({} steps)",
                    flow.steps.len()
                ));
            }
            println_safe("");
        }
        let opts = RunOptions {
            secret: secret.clone(),
            code_ttl: std::time::Duration::from_secs(code_ttl),
            reveal: ctx.reveal,
        };
        let diagram = Diagram::new(ctx.color_out, SIMULATE_LANES);
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
        mock.shutdown().await;
        let report = result?;
        if ctx.json {
            let mut head = Map::new();
            head.insert("mock".into(), json!(link.url()));
            head.insert("embedded".into(), json!(embedded));
            head.insert("flow".into(), json!(path));
            head.insert("backend".into(), json!(flow.backend));
            head.insert("appid".into(), json!(flow.appid));
            ctx.emit_json(render::document(&report, head, ctx.reveal));
        } else {
            println_safe("");
            for line in render::summary_lines(ctx.color_out, &report) {
                println_safe(&line);
            }
        }
        Ok(report.exit_code())
    })
}

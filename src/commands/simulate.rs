//! `wxlogin simulate FLOW.toml`: play the mini program against your own backend, with the
//! mock (embedded or `--mock URL`) standing in for WeChat.

use serde_json::{Map, json};

use super::Outcome;
use crate::cli::SimulateArgs;
use crate::core::{Error, Secret, input::io_reason};
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
    let apps = embedded::parse_apps(&args.apps)?;
    if args.mock.is_some() && !apps.is_empty() {
        ctx.warn(
            "--app does not add apps to a running mock (--mock URL): give them to `wxlogin mock-server --app`; \
             here it only tells simulate the secret to look for in the client's requests",
        );
    }
    let secret = apps
        .iter()
        .find(|(a, _)| *a == flow.appid)
        .map(|(_, s)| Secret::new(s.clone()))
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
                let m = embedded::start(args.mock_port, &flow.appid, secret.as_ref(), &apps, ttl)
                    .await?;
                (m, ttl)
            }
        };
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

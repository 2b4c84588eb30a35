//! `wxlogin demo`: the whole handshake against an embedded mock, as a sequence diagram, then
//! the classic failure (a second `wx.login`) and how wxlogin diagnoses it.

use colored::Colorize;
use serde_json::json;

use super::Outcome;
use crate::cli::DemoArgs;
use crate::core::exit;
use crate::core::text::clip;
use crate::mock::intercept::{self, InterceptConfig};
use crate::output::{Ctx, println_safe};
use crate::scenario::demo::{self, DemoStep, Phase, Verdict};
use crate::scenario::diagnose::Diagnosis;
use crate::scenario::diagram::{Diagram, Mark};
use crate::scenario::template::as_text;
use crate::scenario::{embedded, lang};

const LANES: [&str; 3] = ["client", "your server", "WeChat"];

pub fn run(ctx: &Ctx, args: DemoArgs) -> Outcome {
    let runtime = embedded::runtime()?;
    runtime.block_on(async {
        let intercept = args
            .intercept
            .then(|| InterceptConfig::new(None, None))
            .transpose()?;
        let mock = embedded::start_demo(args.seed, intercept).await?;
        if let Some((url, info)) = mock.intercepting() {
            ctx.note(&intercept::advice(&url, info, None));
        }
        let link = mock.link()?;
        let Some((appid, secret)) = mock.first_app() else {
            mock.shutdown().await;
            return Err(crate::core::Error::transport(
                "the embedded mock has no app",
                "this is a bug",
            ));
        };
        let diagram = Diagram::new(ctx.color_out, LANES);
        if !ctx.json {
            let (head, note) = lang::demo_head(link.url(), ctx.reveal, ctx.lang);
            println_safe(&head);
            println_safe(&format!(
                "app {appid} (secret {}) · {note}",
                secret.shown_as("secret", ctx.reveal)
            ));
        }
        let mut phase = None;
        let mut seen = Vec::new();
        let result = demo::run_demo(&link, &appid, &secret, ctx.reveal, |step| {
            if ctx.json {
                return;
            }
            if phase != Some(step.phase) {
                if phase == Some(Phase::Failure) {
                    print_diagnosis(ctx, &demo::diagnose(&seen));
                }
                phase = Some(step.phase);
                println_safe("");
                println_safe(&ctx.paint_out(
                    &format!(
                        "── {} ──",
                        lang::phase_title(step.phase.name(), step.phase.title(), ctx.lang)
                    ),
                    |s| s.bold(),
                ));
                println_safe(&diagram.header());
            }
            for line in step_lines(&diagram, step) {
                println_safe(&line);
            }
            seen.push(step.clone());
        })
        .await;
        mock.shutdown().await;
        let steps = result?;
        let ok = steps
            .iter()
            .all(|s| !matches!(s.verdict, Verdict::Unexpected(_)));
        if ctx.json {
            ctx.emit_json(json!({
                "ok": ok,
                "mock": link.url(),
                "appid": appid,
                "secret": secret.shown_as("secret", ctx.reveal),
                "steps": steps.iter().map(DemoStep::to_json).collect::<Vec<_>>(),
                "diagnosis": demo::diagnose(&steps).to_json(),
            }));
        } else {
            println_safe("");
            let words = lang::demo_verdict(ok, ctx.lang);
            let verdict = if ok {
                ctx.paint_out(words, |s| s.green().bold())
            } else {
                ctx.paint_out(words, |s| s.red().bold())
            };
            println_safe(&verdict);
        }
        Ok(if ok { exit::OK } else { exit::VERDICT })
    })
}

fn print_diagnosis(ctx: &Ctx, d: &Diagnosis) {
    let (label, text) = lang::diagnosis_line(d, ctx.lang);
    println_safe(&format!(
        "{}{text}",
        ctx.paint_out(&label, |s| s.yellow().bold()),
    ));
}

fn step_lines(d: &Diagram, step: &DemoStep) -> Vec<String> {
    let detail = step
        .values
        .iter()
        .map(|(k, v)| format!("{k} {}", clip(&as_text(v), 40)))
        .collect::<Vec<_>>()
        .join(" · ");
    let (mark, note) = match &step.verdict {
        Verdict::Ok => (Mark::Ok, None),
        Verdict::ExpectedFailure(e) => (Mark::Expected, Some((e, Mark::Expected))),
        Verdict::Unexpected(e) => (Mark::Fail, Some((e, Mark::Fail))),
    };
    let mut lines = vec![d.line(
        Some(step.number),
        step.from,
        step.to,
        &step.action,
        &detail,
        mark,
    )];
    if let Some((text, mark)) = note {
        lines.push(d.note(&clip(text, 160), mark));
    }
    lines
}

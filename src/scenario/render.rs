//! How a simulate run reads: each step as a line of the sequence diagram (mini program,
//! backend, WeChat) with the backend's WeChat calls under it, or one JSON document.

use colored::Colorize;
use serde_json::{Map, Value, json};

use super::diagnose::{Diagnosis, short};
use super::diagram::{Diagram, Lane, Mark};
use super::lang as words;
use super::mocklink::WeChatCall;
use super::run::{Check, RunReport, StepKind, StepReport};
use super::template::as_text;
use crate::core::errcode::Lang;
use crate::core::redact::mask;
use crate::output::paint;

pub const SIMULATE_LANES: [&str; 3] = ["mini program", "backend", "WeChat"];

/// The lanes of a run playing `platform`: its servers stand where WeChat's do.
pub fn simulate_lanes(platform: crate::core::platform::Platform) -> [&'static str; 3] {
    [SIMULATE_LANES[0], SIMULATE_LANES[1], platform.display()]
}

/// The diagram lines of one step: the message, the backend's WeChat calls, failed checks.
pub fn step_lines(d: &Diagram, step: &StepReport, reveal: bool) -> Vec<String> {
    let mark = if step.ok { Mark::Ok } else { Mark::Fail };
    let mut lines = Vec::new();
    let named = |label: String| match &step.name {
        Some(n) => format!("{label} ({n})"),
        None => label,
    };
    match &step.kind {
        StepKind::Wx(label) => {
            lines.push(d.line(
                Some(step.number),
                Lane::Client,
                Lane::WeChat,
                &named(label.to_string()),
                &produced_detail(step),
                mark,
            ));
        }
        StepKind::Sleep(dur) => {
            lines.push(d.line(
                Some(step.number),
                Lane::Client,
                Lane::Client,
                &named(format!("sleep {:.1} s", dur.as_secs_f64())),
                "",
                Mark::Info,
            ));
        }
        StepKind::Http { method, url } => {
            let mut detail = Vec::new();
            if let Some(r) = &step.response {
                detail.push(format!("{} · {} ms", r.status, r.elapsed.as_millis()));
            }
            for (name, value) in &step.captures {
                detail.push(format!("{name}={}", shown_value(value, reveal)));
            }
            lines.push(d.line(
                Some(step.number),
                Lane::Client,
                Lane::Server,
                &named(format!("{} {url}", method.as_str())),
                &detail.join(" · "),
                mark,
            ));
        }
    }
    for call in &step.wechat {
        lines.push(d.line(
            None,
            Lane::Server,
            Lane::WeChat,
            &format!("{} {}", call.method, call.path),
            &call_detail(call),
            if call.ok() { Mark::Info } else { Mark::Fail },
        ));
    }
    for (path, ms) in &step.delayed_calls {
        lines.push(d.line(
            None,
            Lane::Server,
            Lane::WeChat,
            path,
            &format!("no answer yet: held by a latency fault of {ms} ms"),
            Mark::Fail,
        ));
    }
    if matches!(step.kind, StepKind::Http { .. })
        && step.wechat.is_empty()
        && step.delayed_calls.is_empty()
        && !step.ok
    {
        lines.push(d.note(
            "(the backend made no call to WeChat in this step)",
            Mark::Info,
        ));
    }
    for c in step.checks.iter().filter(|c| !c.ok) {
        lines.push(d.note(&format!("✗ {}", check_text(c)), Mark::Fail));
    }
    if let Some(e) = &step.error {
        lines.push(d.note(&format!("✗ {e}"), Mark::Fail));
    }
    lines
}

fn produced_detail(step: &StepReport) -> String {
    let get = |k: &str| {
        step.produced
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null)
    };
    let size = |k: &str| format!("{k} {} B", as_text(&get(k)).len());
    // The labels are the platform's calls (`tt.login`, `qq.getUserInfo`): known by their end.
    match &step.kind {
        StepKind::Wx(label) if label.ends_with(".login") => {
            let mut parts = vec![format!("code {}", short(&as_text(&get("code"))))];
            for name in ["openid", "anonymous_openid", "userid"] {
                let value = get(name);
                if !value.is_null() {
                    parts.push(format!("{name} {}", short(&as_text(&value))));
                }
            }
            parts.join(" · ")
        }
        StepKind::Wx(label) if label.ends_with(".getUserInfo") => format!(
            "{} · signature {} · {}",
            size("rawData"),
            short(&as_text(&get("signature"))),
            size("encryptedData")
        ),
        StepKind::Wx("getPhoneNumber") => format!(
            "phone_code {} · {}",
            short(&as_text(&get("phone_code"))),
            size("encryptedData")
        ),
        StepKind::Wx(label) if label.ends_with(".checkSession") => {
            let valid = get("valid") == json!(true);
            let current = get("backend_current") == json!(true);
            format!(
                "{} · {}",
                if valid {
                    "session valid"
                } else {
                    "session invalid"
                },
                if current {
                    "the backend holds the current session_key"
                } else {
                    "the backend does NOT hold the current session_key"
                }
            )
        }
        _ => String::new(),
    }
}

fn call_detail(call: &WeChatCall) -> String {
    let mut parts = Vec::new();
    if let Some(host) = &call.host {
        parts.push(format!("host {host}"));
    }
    if let Some(code) = &call.code {
        parts.push(format!("code {}", short(code)));
    }
    if let Some(appid) = &call.appid
        && !call.is_exchange()
    {
        parts.push(format!("appid {appid}"));
    }
    parts.push(call.outcome());
    parts.join(" · ")
}

fn check_text(c: &Check) -> String {
    let show = |v: &Value| match v {
        Value::String(s) if s == "(missing)" || s == "2xx" => s.clone(),
        other => other.to_string(),
    };
    format!(
        "{}: expected {}, got {}",
        c.what,
        show(&c.expected),
        show(&c.actual)
    )
}

/// A captured value as the user may see it: strings masked unless `--reveal`.
pub fn shown_value(value: &Value, reveal: bool) -> String {
    match value {
        Value::String(s) if reveal => s.clone(),
        Value::String(s) => mask(s),
        Value::Number(_) | Value::Bool(_) | Value::Null => value.to_string(),
        other if reveal => other.to_string(),
        _ => "{…}".to_string(),
    }
}

/// The closing lines: the diagnosis and the verdict, in `lang`.
pub fn summary_lines(color: bool, report: &RunReport, lang: Lang) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(d) = &report.diagnosis {
        let (label, text) = words::diagnosis_line(d, lang);
        lines.push(format!(
            "{}{text}",
            paint(color, &label, |s| s.yellow().bold())
        ));
    }
    let total = report.steps.len() + report.skipped;
    let verdict = match report.steps.iter().find(|s| !s.ok) {
        None => paint(color, &words::all_passed(total, lang), |s| s.green().bold()),
        Some(s) => paint(
            color,
            &words::step_failed(s.number, total, report.skipped, lang),
            |s| s.red().bold(),
        ),
    };
    lines.push(verdict);
    lines
}

/// The `--json` document: every step's request, response and WeChat-side calls.
pub fn document(report: &RunReport, head: Map<String, Value>, reveal: bool) -> Value {
    let mut doc = Map::new();
    doc.insert("ok".into(), json!(report.ok()));
    doc.extend(head);
    doc.insert(
        "steps".into(),
        Value::Array(report.steps.iter().map(|s| step_json(s, reveal)).collect()),
    );
    doc.insert("not_run".into(), json!(report.skipped));
    doc.insert(
        "diagnosis".into(),
        report
            .diagnosis
            .as_ref()
            .map_or(Value::Null, Diagnosis::to_json),
    );
    doc.insert("warnings".into(), json!(report.warnings));
    Value::Object(doc)
}

fn step_json(s: &StepReport, reveal: bool) -> Value {
    let (kind, action) = match &s.kind {
        StepKind::Wx(label) => ("wx", json!(label)),
        StepKind::Http { method, url } => ("http", json!(format!("{} {url}", method.as_str()))),
        StepKind::Sleep(d) => ("sleep", json!(format!("{:.1} s", d.as_secs_f64()))),
    };
    let map = |items: &[(String, Value)], masked: bool| -> Value {
        Value::Object(
            items
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(t) if masked && !reveal => json!(mask(t)),
                        other => other.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        )
    };
    json!({
        "number": s.number,
        "line": s.line,
        "name": s.name,
        "kind": kind,
        "action": action,
        "ok": s.ok,
        "request": s.request,
        "response": s.response.as_ref().map(|r| json!({
            "status": r.status,
            "time_ms": (r.elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
            "body": r.body,
        })),
        "produced": map(&s.produced, false),
        "captures": map(&s.captures, true),
        "wechat": s.wechat.iter().map(WeChatCall::to_json).collect::<Vec<_>>(),
        "checks": s.checks.iter().map(|c| json!({
            "what": c.what, "expected": c.expected, "actual": c.actual, "ok": c.ok,
        })).collect::<Vec<_>>(),
        "error": s.error,
    })
}

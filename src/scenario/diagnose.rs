//! Why a step failed, from what the mock's journal shows the backend did with WeChat: the
//! code never exchanged, exchanged twice, with the wrong appid or secret, too late, or a
//! session_key rotated by a second `wx.login`. One line, with the fix.

use std::time::Duration;

use serde_json::{Value, json};

use super::flow::Flow;
use super::mocklink::WeChatCall;
use super::report::{History, StepReport};
use crate::core::errcode::{self, Lang};
use crate::core::redact::mask;

/// The finding: a stable rule name, what happened, and what to change.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    pub rule: &'static str,
    pub message: String,
    pub fix: String,
}

impl Diagnosis {
    fn new(rule: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Diagnosis {
            rule,
            message: message.into(),
            fix: fix.into(),
        }
    }

    pub fn one_line(&self) -> String {
        format!("{} — fix: {}", self.message, self.fix)
    }

    pub fn to_json(&self) -> Value {
        json!({"rule": self.rule, "message": self.message, "fix": self.fix})
    }
}

/// Explains the failed step from the journal and the run so far.
pub fn diagnose(flow: &Flow, code_ttl: Duration, h: &History, failed: &StepReport) -> Diagnosis {
    if failed.transport_failure {
        return Diagnosis::new(
            "backend-unreachable",
            failed
                .error
                .clone()
                .unwrap_or_else(|| "the backend did not answer".into()),
            "start the backend (pointed at the mock as its WeChat base URL) and check `backend =` in the flow",
        );
    }
    let step_calls: Vec<&WeChatCall> = failed.wechat.iter().collect();
    let exchanges: Vec<(usize, &WeChatCall)> = h
        .calls
        .iter()
        .filter(|(_, c)| c.is_exchange())
        .map(|(s, c)| (*s, c))
        .collect();
    let refused_in_step = step_calls.iter().find(|c| !c.ok()).copied();

    // A backend configured for another app gets refusals that would otherwise mislead.
    if let Some((step, call)) = exchanges
        .iter()
        .find(|(_, c)| c.appid.as_deref().is_some_and(|a| a != flow.appid))
    {
        return wrong_appid(flow, *step, call);
    }
    // WeChat refused something during this step: that is the cause.
    if let Some(call) = refused_in_step {
        return refused_call(flow, code_ttl, h, failed.number, call);
    }
    let Some(last) = h.logins.last() else {
        return fallback(failed);
    };
    if exchanges.is_empty() {
        return Diagnosis::new(
            "never-exchanged",
            format!(
                "the backend never exchanged the code of step {}: no call to /sns/jscode2session reached \
                 the mock, so it has no session_key to check anything with",
                last.step
            ),
            "exchange the code the client posts with GET /sns/jscode2session and keep the session_key; \
             is the backend's WeChat base URL the mock's?",
        );
    }
    let after_last_login = |s: &usize| *s > last.step;
    let fresh_payload = h.userinfos.iter().any(after_last_login);
    let latest_exchange = h.exchanged_ok(&last.code);
    if h.logins.len() >= 2 {
        let previous = h
            .logins
            .iter()
            .rev()
            .skip(1)
            .find(|l| h.exchanged_ok(&l.code).is_some());
        match (latest_exchange, previous) {
            (None, Some(prev)) if fresh_payload || failed.number > last.step => {
                return Diagnosis::new(
                    "key-rotated",
                    format!(
                        "a second wx.login (step {}) rotated the session_key after the backend exchanged the \
                         code of step {}: data made after it is signed with the new key, the backend holds \
                         the old one",
                        last.step, prev.step
                    ),
                    "call wx.login once, before getUserInfo; if it must run again, send its new code to the \
                     backend before posting data made after it",
                );
            }
            (Some(_), _) if !fresh_payload && h.userinfos.iter().any(|s| *s < last.step) => {
                let stale = h
                    .userinfos
                    .iter()
                    .rev()
                    .find(|s| **s < last.step)
                    .copied()
                    .unwrap_or(0);
                return Diagnosis::new(
                    "key-rotated",
                    format!(
                        "the data from step {stale} was made before the wx.login of step {} rotated the \
                         session_key; the backend now holds the new key",
                        last.step
                    ),
                    "call wx.getUserInfo after the last wx.login, or don't call wx.login between getting \
                     the data and posting it",
                );
            }
            (Some(exchanged_at), Some(prev)) if fresh_payload => {
                return Diagnosis::new(
                    "stale-key",
                    format!(
                        "the backend exchanged the new code (step {exchanged_at}) after the second wx.login \
                         (step {}), yet the check failed: it still uses the session_key from the exchange \
                         of step {}'s code",
                        last.step, prev.step
                    ),
                    "store the session_key from every exchange, replacing the old one (keep it per login \
                     session, not once per openid)",
                );
            }
            _ => {}
        }
    }
    if latest_exchange.is_none() && (fresh_payload || failed.number > last.step) {
        return Diagnosis::new(
            "never-exchanged",
            format!(
                "the backend never exchanged the code of step {} (its calls to /sns/jscode2session carried \
                 other codes)",
                last.step
            ),
            "exchange the code the client posts, unchanged, with GET /sns/jscode2session",
        );
    }
    let text = failed
        .response
        .as_ref()
        .map(|r| r.body.to_string().to_ascii_lowercase())
        .unwrap_or_default();
    if latest_exchange.is_some() && text.contains("signature") {
        return Diagnosis::new(
            "signature-rawdata",
            "the backend's signature check failed although it holds the current session_key and the \
             data is fresh: it likely hashed a re-serialised rawData",
            "hash sha1(rawData + session_key) over the exact rawData string the client sent (never \
             parse and re-stringify it); `wxlogin verify-signature` tells which change broke it",
        );
    }
    if latest_exchange.is_some() && (text.contains("decrypt") || text.contains("padding")) {
        return Diagnosis::new(
            "decrypt-input",
            "the backend's decryption failed although it holds the current session_key and the data \
             is fresh: encryptedData or iv changed on their way",
            "pass encryptedData and iv unchanged (a form or URL decoder turns '+' into a space); \
             `wxlogin decrypt` names the damage",
        );
    }
    fallback(failed)
}

fn refused_call(
    flow: &Flow,
    code_ttl: Duration,
    h: &History,
    step: usize,
    call: &WeChatCall,
) -> Diagnosis {
    let code = call.code.as_deref().unwrap_or("");
    let login = h.logins.iter().find(|l| l.code == code);
    let login_step = login.map_or_else(|| "?".to_string(), |l| l.step.to_string());
    match call.errcode {
        40163 => {
            let first = h
                .calls
                .iter()
                .find(|(_, c)| c.is_exchange() && c.ok() && c.code.as_deref() == Some(code))
                .map(|(s, _)| *s);
            let first = first.map_or_else(String::new, |s| {
                format!(" (the first exchange, in step {s}, succeeded)")
            });
            Diagnosis::new(
                "exchanged-twice",
                format!(
                    "the backend exchanged the code of step {login_step} twice: WeChat answered the second \
                     call 40163 (code been used){first}"
                ),
                "exchange each code exactly once and keep the session_key it returns; don't \"validate\" a \
                 code with a first call, and don't retry an exchange that reached WeChat",
            )
        }
        40013 => wrong_appid(flow, step, call),
        40125 | 41004 | 40243 => Diagnosis::new(
            "wrong-secret",
            format!(
                "WeChat refused the backend's appsecret for {}: {}",
                call.appid.as_deref().unwrap_or(&flow.appid),
                call.outcome()
            ),
            "configure the backend with the app's current appsecret (with the mock: the SECRET of its \
             --app APPID:SECRET)",
        ),
        40029 if call.is_exchange() => match login {
            Some(l) => {
                let age_ms = call.time_ms.saturating_sub(l.at_ms);
                let ttl_ms = code_ttl.as_millis() as u64;
                if age_ms >= ttl_ms {
                    Diagnosis::new(
                        "code-expired",
                        format!(
                            "the backend exchanged the code of step {} {:.1} s after wx.login made it: codes \
                             expire after {} s (40029)",
                            l.step,
                            age_ms as f64 / 1000.0,
                            code_ttl.as_secs()
                        ),
                        "exchange the code as soon as the client posts it, and call wx.login right before \
                         posting (never cache a code)",
                    )
                } else {
                    Diagnosis::new(
                        "code-refused",
                        format!(
                            "WeChat refused the fresh code of step {} (40029 invalid code): it was made for \
                             another appid than the one the backend sent",
                            l.step
                        ),
                        "the backend's appid must be the mini program's",
                    )
                }
            }
            None => Diagnosis::new(
                "code-altered",
                format!(
                    "the backend exchanged a code the client never had ({}): it changed on its way \
                     (trimmed, URL-decoded, taken from another request)",
                    short(code)
                ),
                "pass the code from the request to jscode2session unchanged, and URL-encode it",
            ),
        },
        _ => {
            let (_, fix) = errcode::explain(call.errcode, Lang::En);
            Diagnosis::new(
                "wechat-error",
                format!(
                    "WeChat answered the backend's {} {} with {}",
                    call.method,
                    call.path,
                    call.outcome()
                ),
                fix,
            )
        }
    }
}

fn wrong_appid(flow: &Flow, step: usize, call: &WeChatCall) -> Diagnosis {
    let sent = call.appid.as_deref().unwrap_or("(none)");
    let message = if sent == flow.appid {
        format!("WeChat does not know the appid {sent} the backend sent in step {step} (40013)")
    } else {
        format!(
            "the backend sent appid {sent} to WeChat in step {step}, but the mini program is {}",
            flow.appid
        )
    };
    Diagnosis::new(
        "wrong-appid",
        message,
        format!(
            "configure the backend with the mini program's appid ({})",
            flow.appid
        ),
    )
}

fn fallback(failed: &StepReport) -> Diagnosis {
    let answer = failed.response.as_ref().map_or_else(String::new, |r| {
        let mut body = match &r.body {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if body.chars().count() > 120 {
            body = body.chars().take(120).collect::<String>() + "…";
        }
        format!("; it answered {} {body}", r.status)
    });
    let why = failed
        .error
        .clone()
        .map_or_else(String::new, |e| format!(" ({e})"));
    Diagnosis::new(
        "backend",
        format!(
            "no WeChat-side cause: every call the backend made to WeChat succeeded{answer}{why}"
        ),
        "look at the backend's own log for this request",
    )
}

/// Codes are not secrets but are long: enough to recognise one.
pub fn short(code: &str) -> String {
    if code.chars().count() > 12 {
        mask(code)
    } else {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::report::{LoginEvent, Response, StepKind};

    fn flow() -> Flow {
        crate::scenario::flow::parse(
            "f.toml",
            "appid = \"wxapp\"\nbackend = \"http://127.0.0.1:1\"\n[[steps]]\nwx = \"login\"\n\
             [[steps]]\npost = \"/a\"\n",
            None,
        )
        .unwrap()
    }

    const TTL: Duration = Duration::from_secs(300);

    fn exchange(code: &str, errcode: i64, time_ms: u64) -> WeChatCall {
        WeChatCall {
            time_ms,
            method: "GET".into(),
            path: "/sns/jscode2session".into(),
            query: None,
            appid: Some("wxapp".into()),
            openid: None,
            code: Some(code.into()),
            status: 200,
            errcode,
            latency_us: 1,
        }
    }

    fn failed(calls: Vec<WeChatCall>, body: Value) -> StepReport {
        StepReport {
            number: 2,
            line: 5,
            name: None,
            kind: StepKind::Sleep(Duration::ZERO),
            request: None,
            response: Some(Response {
                status: 400,
                elapsed: Duration::ZERO,
                body,
                headers: vec![],
            }),
            produced: vec![],
            captures: vec![],
            wechat: calls,
            checks: vec![],
            error: None,
            transport_failure: false,
            ok: false,
        }
    }

    fn history(calls: &[WeChatCall]) -> History {
        History {
            logins: vec![LoginEvent {
                step: 1,
                code: "code-of-step-one-0001".into(),
                at_ms: 1_000,
            }],
            userinfos: vec![],
            calls: calls.iter().map(|c| (2, c.clone())).collect(),
            warnings: vec![],
        }
    }

    #[test]
    fn a_code_the_client_never_had_is_named() {
        let calls = vec![exchange("code-of-step-one-0001 ", 40029, 2_000)];
        let d = diagnose(&flow(), TTL, &history(&calls), &failed(calls, json!({})));
        assert_eq!(d.rule, "code-altered", "{d:?}");
    }

    #[test]
    fn an_old_code_is_expired_and_a_fresh_refused_one_is_not() {
        let calls = vec![exchange("code-of-step-one-0001", 40029, 302_000)];
        let d = diagnose(&flow(), TTL, &history(&calls), &failed(calls, json!({})));
        assert_eq!(d.rule, "code-expired");
        assert!(d.message.contains("301.0 s"), "{}", d.message);
        let calls = vec![exchange("code-of-step-one-0001", 40029, 2_000)];
        let d = diagnose(&flow(), TTL, &history(&calls), &failed(calls, json!({})));
        assert_eq!(d.rule, "code-refused");
    }

    #[test]
    fn other_errcodes_and_clean_journals() {
        let calls = vec![exchange("code-of-step-one-0001", 45011, 2_000)];
        let d = diagnose(&flow(), TTL, &history(&calls), &failed(calls, json!({})));
        assert_eq!(d.rule, "wechat-error");
        assert!(d.message.contains("45011"), "{}", d.message);
        let calls = vec![exchange("code-of-step-one-0001", 0, 2_000)];
        let h = history(&calls);
        let d = diagnose(
            &flow(),
            TTL,
            &h,
            &failed(calls.clone(), json!({"e": "DECRYPT_FAILED"})),
        );
        assert_eq!(d.rule, "decrypt-input");
        let d = diagnose(&flow(), TTL, &h, &failed(calls, json!({"e": "x"})));
        assert_eq!(d.rule, "backend");
        assert!(h.session_valid() && h.backend_current());
    }
}

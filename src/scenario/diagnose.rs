//! Why a step failed, from what the mock's journal shows the backend did with WeChat: the
//! code never exchanged, exchanged twice, with the wrong appid or secret, too late, or a
//! session_key rotated by a second `wx.login`. One line, with the fix.

use std::time::Duration;

use serde_json::{Value, json};

use super::flow::Flow;
use super::mocklink::WeChatCall;
use super::report::{History, StepReport, Transport};
use crate::core::errcode::Lang;
use crate::core::platform::Platform;
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

/// Explains the failed step from the journal and the run so far, in the words of the flow's
/// platform (its login call, its exchange path).
pub fn diagnose(flow: &Flow, code_ttl: Duration, h: &History, failed: &StepReport) -> Diagnosis {
    if failed.transport_failure {
        return unreachable(failed);
    }
    // An exchange at another platform's path comes first: what followed it is its consequence.
    if let Some((step, call)) = h
        .calls
        .iter()
        .find(|(_, c)| c.is_foreign_exchange(flow.platform))
    {
        return wrong_exchange_path(flow.platform, h, *step, call);
    }
    reworded(flow.platform, diagnose_wechat(flow, code_ttl, h, failed))
}

/// The diagnosis in WeChat's words.
fn diagnose_wechat(flow: &Flow, code_ttl: Duration, h: &History, failed: &StepReport) -> Diagnosis {
    let step_calls: Vec<&WeChatCall> = failed.wechat.iter().collect();
    let exchanges: Vec<(usize, &WeChatCall)> = h
        .calls
        .iter()
        .filter(|(_, c)| c.is_exchange_for(flow.platform))
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
    if exchanges.is_empty() && h.intercepting {
        return not_intercepted(h, last.step);
    }
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

/// WeChat's wording with the platform's login call, client calls, exchange path and name.
fn reworded(platform: Platform, d: Diagnosis) -> Diagnosis {
    if platform == Platform::Wechat {
        return d;
    }
    let (method, path) = platform.exchange();
    let exchange = format!("{method} {path}");
    let word = |text: &str| {
        // Longest first, through markers, so a replaced path is not replaced again.
        let mut text = text
            .replace("GET /sns/jscode2session", "\u{1}")
            .replace("/sns/jscode2session", "\u{2}")
            .replace("jscode2session", "\u{3}")
            .replace('\u{1}', &exchange)
            .replace('\u{2}', path)
            .replace('\u{3}', path.trim_start_matches('/'))
            .replace("WeChat", platform.display());
        for call in ["wx.getUserInfo", "wx.checkSession"] {
            text = text.replace(call, platform.client_call(call));
        }
        platform.reword(&text)
    };
    Diagnosis {
        rule: d.rule,
        message: word(&d.message),
        fix: word(&d.fix),
    }
}

/// How a backend exchanges a code on `platform`.
pub fn exchange_advice(platform: Platform) -> &'static str {
    match platform {
        Platform::Wechat => {
            "GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code on \
             api.weixin.qq.com"
        }
        Platform::Qq => {
            "GET /sns/jscode2session on api.q.qq.com (WeChat's parameters, QQ's host: point the \
             backend's base URL at QQ's)"
        }
        Platform::Wecom => {
            "GET /cgi-bin/gettoken?corpid&corpsecret for an access_token, then GET \
             /cgi-bin/miniprogram/jscode2session?access_token&js_code&grant_type=authorization_code \
             on qyapi.weixin.qq.com (the corp comes as WXLOGIN_CORPID / WXLOGIN_CORPSECRET)"
        }
        Platform::Douyin => {
            "POST /api/apps/v2/jscode2session on developer.toutiao.com with the JSON body {appid, \
             secret, code} ({appid, secret, anonymous_code} for an anonymous login), nothing in \
             the query"
        }
    }
}

/// The backend exchanged the code where another platform takes codes.
fn wrong_exchange_path(
    platform: Platform,
    h: &History,
    step: usize,
    call: &WeChatCall,
) -> Diagnosis {
    let code = call.code.as_deref().unwrap_or("");
    let whose = h
        .logins
        .iter()
        .find(|l| l.code == code)
        .or(h.logins.last())
        .map_or_else(String::new, |l| format!(" of step {}", l.step));
    let host = call
        .host
        .as_deref()
        .map_or_else(String::new, |h| format!(" on {h}"));
    let other = call.platform();
    let theirs = if other == platform {
        "another platform's".to_string()
    } else {
        format!("{}'s", other.display())
    };
    let (method, path) = platform.exchange();
    Diagnosis::new(
        "wrong-exchange-path",
        format!(
            "in step {step} the backend exchanged the {} code{whose} at {} {}{host}, {theirs} \
             exchange, which answered {}: a {} mini program's code is exchanged at {method} \
             {path}",
            platform.login_call(),
            call.method,
            call.path,
            call.outcome(),
            platform.display()
        ),
        format!("exchange it with {}", exchange_advice(platform)),
    )
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
    match wechat_errcode(h, call) {
        40163 => {
            let first = h
                .calls
                .iter()
                .find(|(_, c)| c.is_exchange() && c.ok() && c.code.as_deref() == Some(code))
                .map(|(s, _)| *s);
            let first = first.map_or_else(String::new, |s| {
                format!(" (the first exchange, in step {s}, succeeded)")
            });
            // Another platform's number for a used code is shown as it came.
            let used = match call.errcode {
                40163 => "40163 (code been used)".to_string(),
                _ => call.outcome(),
            };
            let carriers = h.carriers_of(code);
            if carriers.len() >= 2 {
                return Diagnosis::new(
                    "exchanged-twice",
                    format!(
                        "the code of step {login_step} was sent to the backend twice, by steps {}, and \
                         each request exchanged it: WeChat answered the second {used}{first}",
                        list(&carriers)
                    ),
                    "the client posted one code twice, which a backend cannot honour: send each \
                     wx.login code once (a retry needs a new wx.login); the backend is right to exchange \
                     what it gets",
                );
            }
            let carried = match carriers.as_slice() {
                [one] => format!(" (only step {one} sent it to the backend)"),
                _ => String::new(),
            };
            Diagnosis::new(
                "exchanged-twice",
                format!(
                    "the backend exchanged the code of step {login_step} twice{carried}: WeChat \
                     answered the second call {used}{first}"
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
            let (_, fix) = call.platform().explain(call.errcode, Lang::En);
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

/// The WeChat errcode standing for what the call's answer means ([`Platform::wechat_equivalent`]);
/// a Douyin code refused after an exchange that succeeded was used, not unknown.
fn wechat_errcode(h: &History, call: &WeChatCall) -> i64 {
    let platform = call.platform();
    let code = platform.wechat_equivalent(call.errcode);
    let used_before = || {
        h.calls.iter().any(|(_, c)| {
            c.ok() && c.is_exchange() && c.code == call.code && c.time_ms <= call.time_ms
        })
    };
    if code == 40029 && platform == Platform::Douyin && used_before() {
        40163
    } else {
        code
    }
}

/// The backend gave no answer: nothing listens, the connection hung, or it took too long,
/// perhaps because it was waiting on WeChat itself.
fn unreachable(failed: &StepReport) -> Diagnosis {
    let message = failed
        .error
        .clone()
        .unwrap_or_else(|| "the backend did not answer".into());
    match failed.transport {
        Some(Transport::ReadTimeout) => {
            let slow_call = failed.wechat.iter().max_by_key(|c| c.latency_us);
            let waiting = match (slow_call, failed.latency_faults.first()) {
                _ if !failed.delayed_calls.is_empty() => {
                    let (path, ms) = &failed.delayed_calls[0];
                    Some(format!(
                        "the backend was itself waiting on WeChat: its call to {path} was still \
                         held by a latency fault of {ms} ms"
                    ))
                }
                (_, Some((route, ms))) => Some(format!(
                    "the backend was itself waiting on WeChat: the mock holds a latency fault of \
                     {ms} ms on {route}"
                )),
                (Some(call), None) => Some(format!(
                    "the backend was itself waiting on WeChat: its {} {} during this step took {} ms",
                    call.method,
                    call.path,
                    call.latency_us / 1000
                )),
                (None, None) => None,
            };
            match waiting {
                Some(w) => Diagnosis::new(
                    "backend-unreachable",
                    format!("{message}; {w}"),
                    "give the backend's WeChat calls a timeout shorter than the client's (the \
                     flow's `timeout`), and answer the client with an error when WeChat is slow",
                ),
                None => Diagnosis::new(
                    "backend-unreachable",
                    format!(
                        "{message}; it made no call to WeChat meanwhile, so it was busy on its own"
                    ),
                    "look at the backend's log for this request (a lock, a slow database, a debugger \
                     stop), or raise the flow's `timeout`",
                ),
            }
        }
        Some(Transport::ConnectTimeout) => Diagnosis::new(
            "backend-unreachable",
            message,
            "the backend's host does not complete connections: check `backend =` in the flow \
             (a host that drops packets, or a firewall)",
        ),
        _ => Diagnosis::new(
            "backend-unreachable",
            message,
            "start the backend (pointed at the mock as its WeChat base URL), or let simulate start \
             it with `-- CMD`, and check `backend =` in the flow",
        ),
    }
}

/// With `--intercept` and no exchange at all: the backend never came through the proxy, or
/// came and refused the mock's certificate.
fn not_intercepted(h: &History, login_step: usize) -> Diagnosis {
    if let Some(f) = h.tls_failures.iter().find(|f| f.untrusted) {
        let host = f.host.as_deref().unwrap_or("WeChat's host");
        return Diagnosis::new(
            "ca-not-trusted",
            format!(
                "the backend came through the mock's proxy for {host} but refused the mock's \
                 certificate, so the code of step {login_step} was never exchanged ({})",
                f.message
            ),
            "make the backend's HTTP client trust the mock's CA: SSL_CERT_FILE / REQUESTS_CA_BUNDLE / \
             CURL_CA_BUNDLE = the bundle, NODE_EXTRA_CA_CERTS = ca.pem (read at start), or a Java \
             truststore; `-- CMD` sets the variables for you",
        );
    }
    let through_proxy = h.calls.iter().any(|(_, c)| c.host.is_some());
    let reason = if through_proxy {
        "none of its requests through the mock's proxy was an exchange"
    } else {
        "no request of the backend came through the mock's proxy: its HTTP client called WeChat \
         directly (it ignores HTTPS_PROXY) or did not call at all"
    };
    Diagnosis::new(
        "proxy-not-used",
        format!("the code of step {login_step} never reached the mock: {reason}"),
        "start the backend with the proxy variables (`-- CMD` gives them; else `set -a; . \
         wx.env; set +a`); a client that ignores HTTPS_PROXY (Node's fetch and https.get) needs a \
         proxy agent of its own",
    )
}

/// `2 and 4`, `2, 3 and 4`.
fn list(steps: &[usize]) -> String {
    let text: Vec<String> = steps.iter().map(usize::to_string).collect();
    match text.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => text.join(""),
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
            None,
        )
        .unwrap()
    }

    const TTL: Duration = Duration::from_secs(300);

    fn exchange(code: &str, errcode: i64, time_ms: u64) -> WeChatCall {
        WeChatCall {
            time_ms,
            method: "GET".into(),
            host: None,
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
            transport: None,
            latency_faults: vec![],
            delayed_calls: vec![],
            ok: false,
        }
    }

    fn history(calls: &[WeChatCall]) -> History {
        History {
            logins: vec![LoginEvent {
                step: 1,
                code: "code-of-step-one-0001".into(),
                at_ms: 1_000,
                name: None,
            }],
            calls: calls.iter().map(|c| (2, c.clone())).collect(),
            ..History::default()
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

    #[test]
    fn a_code_posted_twice_is_the_clients_doing() {
        let calls = vec![
            exchange("code-of-step-one-0001", 0, 2_000),
            exchange("code-of-step-one-0001", 40163, 3_000),
        ];
        let mut h = history(&calls);
        h.carriers = vec![(2, "code-of-step-one-0001".into())];
        let d = diagnose(&flow(), TTL, &h, &failed(calls.clone(), json!({})));
        assert_eq!(d.rule, "exchanged-twice");
        assert!(
            d.message
                .contains("twice (only step 2 sent it to the backend)"),
            "{}",
            d.message
        );
        h.carriers.push((3, "code-of-step-one-0001".into()));
        let d = diagnose(&flow(), TTL, &h, &failed(calls, json!({})));
        assert!(d.message.contains("by steps 2 and 3"), "{}", d.message);
        assert!(
            d.fix.contains("the client posted one code twice"),
            "{}",
            d.fix
        );
    }

    #[test]
    fn intercepted_backends_that_never_arrive_get_their_own_rules() {
        let mut h = history(&[]);
        h.intercepting = true;
        let d = diagnose(&flow(), TTL, &h, &failed(vec![], json!({})));
        assert_eq!(d.rule, "proxy-not-used", "{d:?}");
        h.tls_failures.push(crate::scenario::mocklink::TlsFailure {
            time_ms: 1_500,
            host: Some("api.weixin.qq.com".into()),
            untrusted: true,
            message: "a client connecting to api.weixin.qq.com does not trust the mock's CA".into(),
        });
        let d = diagnose(&flow(), TTL, &h, &failed(vec![], json!({})));
        assert_eq!(d.rule, "ca-not-trusted", "{d:?}");
        assert!(d.message.contains("api.weixin.qq.com"), "{}", d.message);
        h.intercepting = false;
        h.tls_failures.clear();
        let d = diagnose(&flow(), TTL, &h, &failed(vec![], json!({})));
        assert_eq!(d.rule, "never-exchanged");
    }

    fn flow_of(platform: Platform) -> Flow {
        let mut f = flow();
        f.platform = platform;
        f
    }

    #[test]
    fn a_qq_code_exchanged_on_wechats_host_is_the_wrong_exchange() {
        let mut call = exchange("code-of-step-one-0001", 0, 2_000);
        call.host = Some("api.weixin.qq.com".into());
        let mut h = history(std::slice::from_ref(&call));
        h.platform = Platform::Qq;
        let d = diagnose(
            &flow_of(Platform::Qq),
            TTL,
            &h,
            &failed(vec![call], json!({})),
        );
        assert_eq!(d.rule, "wrong-exchange-path", "{d:?}");
        assert!(
            d.message.contains("qq.login code of step 1"),
            "{}",
            d.message
        );
        assert!(d.fix.contains("api.q.qq.com"), "{}", d.fix);
    }

    #[test]
    fn other_platforms_are_diagnosed_in_their_own_words() {
        let mut h = history(&[]);
        h.platform = Platform::Wecom;
        let d = diagnose(
            &flow_of(Platform::Wecom),
            TTL,
            &h,
            &failed(vec![], json!({})),
        );
        assert_eq!(d.rule, "never-exchanged");
        let text = d.one_line();
        assert!(
            text.contains("GET /cgi-bin/miniprogram/jscode2session")
                && !text.contains("/sns/")
                && text.contains("WeCom base URL"),
            "{text}"
        );
        // Douyin says 40018 for a used code: the second exchange of one code.
        let mut first = exchange("code-of-step-one-0001", 0, 2_000);
        let mut second = exchange("code-of-step-one-0001", 40018, 3_000);
        for c in [&mut first, &mut second] {
            c.method = "POST".into();
            c.path = "/api/apps/v2/jscode2session".into();
        }
        let calls = vec![first, second];
        let mut h = history(&calls);
        h.platform = Platform::Douyin;
        let d = diagnose(
            &flow_of(Platform::Douyin),
            TTL,
            &h,
            &failed(calls, json!({})),
        );
        assert_eq!(d.rule, "exchanged-twice", "{d:?}");
        assert!(
            d.message
                .contains("Douyin answered the second call errcode 40018 (Douyin: invalid code)"),
            "{}",
            d.message
        );
    }

    #[test]
    fn a_timeout_while_the_backend_waits_on_wechat_says_so() {
        let mut f = failed(vec![], json!({}));
        f.response = None;
        f.transport_failure = true;
        f.transport = Some(Transport::ReadTimeout);
        f.error = Some("the backend did not answer POST /a: no answer within 1 s (timeout)".into());
        let d = diagnose(&flow(), TTL, &history(&[]), &f);
        assert_eq!(d.rule, "backend-unreachable");
        assert!(d.message.contains("busy on its own"), "{}", d.message);
        f.delayed_calls = vec![("/sns/jscode2session".into(), 5_000)];
        let d = diagnose(&flow(), TTL, &history(&[]), &f);
        assert!(
            d.message.contains(
                "its call to /sns/jscode2session was still held by a latency fault of 5000 ms"
            ),
            "{}",
            d.message
        );
        f.delayed_calls.clear();
        f.latency_faults = vec![("jscode2session".into(), 5_000)];
        let d = diagnose(&flow(), TTL, &history(&[]), &f);
        assert!(d.message.contains("waiting on WeChat"), "{}", d.message);
        assert!(
            d.message.contains("5000 ms on jscode2session"),
            "{}",
            d.message
        );
        f.transport = Some(Transport::Refused);
        let d = diagnose(&flow(), TTL, &history(&[]), &f);
        assert!(d.fix.contains("-- CMD"), "{}", d.fix);
    }
}

//! The fixed script of `wxlogin demo`: the whole handshake against a mock, as a real app and
//! its server would do it, then the classic failure (a second `wx.login`) and its fix.

use std::time::Duration;

use serde_json::{Value, json};

use super::diagnose::short;
use super::diagram::Lane;
use super::mocklink::MockLink;
use crate::core::api::{Client, ClientConfig};
use crate::core::{Error, Result, Secret, userdata};

/// Which part of the story a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Handshake,
    Failure,
    Fix,
}

impl Phase {
    pub fn title(self) -> &'static str {
        match self {
            Phase::Handshake => "the handshake",
            Phase::Failure => "the classic failure: a second wx.login rotates the session_key",
            Phase::Fix => "the fix: exchange the new code",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Phase::Handshake => "handshake",
            Phase::Failure => "failure",
            Phase::Fix => "fix",
        }
    }
}

/// How a step ended compared with what the script expects of it.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Ok,
    /// Failed, as the script means it to: the failure being shown.
    ExpectedFailure(String),
    /// Did not do what the script expects: the demo itself failed.
    Unexpected(String),
}

#[derive(Debug, Clone)]
pub struct DemoStep {
    pub number: usize,
    pub phase: Phase,
    pub from: Lane,
    pub to: Lane,
    pub action: String,
    /// Values involved, secrets already masked unless `reveal`.
    pub values: Vec<(String, Value)>,
    pub verdict: Verdict,
}

impl DemoStep {
    pub fn to_json(&self) -> Value {
        let lane = |l: Lane| match l {
            Lane::Client => "client",
            Lane::Server => "server",
            Lane::WeChat => "wechat",
        };
        let (ok, expected_failure, error) = match &self.verdict {
            Verdict::Ok => (true, false, None),
            Verdict::ExpectedFailure(e) => (true, true, Some(e.clone())),
            Verdict::Unexpected(e) => (false, false, Some(e.clone())),
        };
        json!({
            "number": self.number,
            "phase": self.phase.name(),
            "from": lane(self.from),
            "to": lane(self.to),
            "action": self.action,
            "values": Value::Object(self.values.iter().cloned().collect()),
            "ok": ok,
            "expected_failure": expected_failure,
            "error": error,
        })
    }
}

/// The diagnosis the failure phase leads to.
pub const DIAGNOSIS: &str = "the server's session_key is stale: the second wx.login rotated it, so data made \
    after it neither verifies nor decrypts with the stored key, and check-session answers 87009";
pub const FIX: &str = "send the code of every wx.login to the server and exchange it before using data made \
    after it (or call wx.login once, before getUserInfo)";

struct Script<'a, F: FnMut(&DemoStep)> {
    steps: Vec<DemoStep>,
    phase: Phase,
    reveal: bool,
    observe: &'a mut F,
}

impl<F: FnMut(&DemoStep)> Script<'_, F> {
    fn push(
        &mut self,
        from: Lane,
        to: Lane,
        action: &str,
        values: Vec<(&str, Value)>,
        verdict: Verdict,
    ) {
        let step = DemoStep {
            number: self.steps.len() + 1,
            phase: self.phase,
            from,
            to,
            action: action.to_string(),
            values: values
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            verdict,
        };
        (self.observe)(&step);
        self.steps.push(step);
    }

    fn secret(&self, s: &Secret) -> Value {
        json!(s.shown(self.reveal))
    }
}

/// Runs the script against the mock at `link`, for the app `appid`/`secret`. `observe` sees
/// each step as it ends.
pub async fn run_demo<F: FnMut(&DemoStep)>(
    link: &MockLink,
    appid: &str,
    secret: &Secret,
    reveal: bool,
    mut observe: F,
) -> Result<Vec<DemoStep>> {
    let api = Client::new(ClientConfig {
        base_url: link.url().to_string(),
        timeout: Duration::from_secs(10),
        retries: 0,
        insecure: false,
    })?;
    let mut s = Script {
        steps: Vec::new(),
        phase: Phase::Handshake,
        reveal,
        observe: &mut observe,
    };
    use Lane::{Client as C, Server as S, WeChat as W};

    // 1. The handshake, as a correct app and server do it.
    let login = link.login(appid, None).await?;
    s.push(
        C,
        W,
        "wx.login()",
        vec![
            ("code", json!(short(&login.code))),
            ("openid", json!(short(&login.openid))),
        ],
        Verdict::Ok,
    );
    s.push(
        C,
        S,
        "POST code to your server",
        vec![("code", json!(short(&login.code)))],
        Verdict::Ok,
    );
    let session = api.code2session(appid, secret, &login.code).await?;
    let key = session.session_key.clone();
    s.push(
        S,
        W,
        "GET /sns/jscode2session",
        vec![
            ("appid", json!(appid)),
            ("secret", s.secret(secret)),
            ("openid", json!(short(&session.openid))),
            ("session_key", s.secret(&key)),
        ],
        Verdict::Ok,
    );
    let info = link.userinfo(appid, &login.openid, None).await?;
    let field = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    s.push(
        C,
        W,
        "wx.getUserInfo({withCredentials: true})",
        vec![
            ("rawData", json!(field(&info, "rawData"))),
            ("signature", json!(short(&field(&info, "signature")))),
            (
                "encryptedData",
                json!(format!("{} B", field(&info, "encryptedData").len())),
            ),
        ],
        Verdict::Ok,
    );
    s.push(
        C,
        S,
        "POST rawData, signature, encryptedData, iv",
        vec![],
        Verdict::Ok,
    );
    let verdict = verify(&info, &key).map_or_else(Verdict::Unexpected, |()| Verdict::Ok);
    s.push(
        S,
        S,
        "verify-signature: sha1(rawData + session_key)",
        vec![("signature", json!(short(&field(&info, "signature"))))],
        verdict,
    );
    let (verdict, values) = match decrypt(&info, &key, appid) {
        Ok(v) => (Verdict::Ok, v),
        Err(e) => (Verdict::Unexpected(e), vec![]),
    };
    s.push(
        S,
        S,
        "decrypt: AES-128-CBC(session_key, iv)",
        values,
        verdict,
    );
    let token = api.access_token(appid, secret).await?.access_token;
    s.push(
        S,
        W,
        "GET /cgi-bin/token",
        vec![("access_token", s.secret(&token))],
        Verdict::Ok,
    );
    let verdict = match api.check_session(&token, &session.openid, &key).await {
        Ok(()) => Verdict::Ok,
        Err(e) => Verdict::Unexpected(e.to_string()),
    };
    s.push(
        S,
        W,
        "GET /wxa/checksession",
        vec![
            ("session_key", s.secret(&key)),
            ("answer", json!("ok: the key is current")),
        ],
        verdict,
    );

    // 2. The classic failure: the client logs in again before getting the user info.
    s.phase = Phase::Failure;
    let second = link.login(appid, Some(&login.openid)).await?;
    s.push(
        C,
        W,
        "wx.login() again (onShow, a retry...)",
        vec![
            ("code", json!(short(&second.code))),
            ("note", json!("the user's session_key rotates now")),
        ],
        Verdict::Ok,
    );
    let info2 = link.userinfo(appid, &login.openid, None).await?;
    s.push(
        C,
        W,
        "wx.getUserInfo({withCredentials: true})",
        vec![
            ("signature", json!(short(&field(&info2, "signature")))),
            ("note", json!("signed and encrypted with the NEW key")),
        ],
        Verdict::Ok,
    );
    s.push(
        C,
        S,
        "POST rawData, signature, encryptedData, iv",
        vec![],
        Verdict::Ok,
    );
    let verdict = match verify(&info2, &key) {
        Ok(()) => Verdict::Unexpected("the stale key still verified the signature".into()),
        Err(e) => Verdict::ExpectedFailure(e),
    };
    s.push(
        S,
        S,
        "verify-signature with the stored session_key",
        vec![("session_key", s.secret(&key))],
        verdict,
    );
    let verdict = match decrypt(&info2, &key, appid) {
        Ok(_) => Verdict::Unexpected("the stale key still decrypted the data".into()),
        Err(e) => Verdict::ExpectedFailure(e),
    };
    s.push(
        S,
        S,
        "decrypt with the stored session_key",
        vec![("session_key", s.secret(&key))],
        verdict,
    );
    let verdict = match api.check_session(&token, &session.openid, &key).await {
        Err(Error::Api {
            errcode: 87009,
            errmsg,
            ..
        }) => Verdict::ExpectedFailure(format!("errcode 87009: {errmsg}")),
        Err(e) => Verdict::Unexpected(e.to_string()),
        Ok(()) => Verdict::Unexpected("check-session still accepted the old key".into()),
    };
    s.push(
        S,
        W,
        "GET /wxa/checksession with the stored session_key",
        vec![("session_key", s.secret(&key))],
        verdict,
    );

    // 3. The fix: the server exchanges the new code and uses the key it gets.
    s.phase = Phase::Fix;
    s.push(
        C,
        S,
        "POST the new code to your server",
        vec![("code", json!(short(&second.code)))],
        Verdict::Ok,
    );
    let fresh = api.code2session(appid, secret, &second.code).await?;
    let new_key = fresh.session_key.clone();
    let verdict = if new_key == key {
        Verdict::Unexpected("the new code gave the same session_key".into())
    } else {
        Verdict::Ok
    };
    s.push(
        S,
        W,
        "GET /sns/jscode2session",
        vec![
            ("session_key", s.secret(&new_key)),
            ("note", json!("a new key")),
        ],
        verdict,
    );
    let verdict = match verify(&info2, &new_key).and_then(|()| decrypt(&info2, &new_key, appid)) {
        Ok(_) => Verdict::Ok,
        Err(e) => Verdict::Unexpected(e),
    };
    s.push(
        S,
        S,
        "verify-signature and decrypt with the new key",
        vec![],
        verdict,
    );
    let verdict = match api.check_session(&token, &fresh.openid, &new_key).await {
        Ok(()) => Verdict::Ok,
        Err(e) => Verdict::Unexpected(e.to_string()),
    };
    s.push(
        S,
        W,
        "GET /wxa/checksession with the new key",
        vec![("answer", json!("ok: the key is current"))],
        verdict,
    );
    Ok(s.steps)
}

fn verify(info: &Value, key: &Secret) -> std::result::Result<(), String> {
    let raw = info.get("rawData").and_then(Value::as_str).unwrap_or("");
    let sig = info.get("signature").and_then(Value::as_str).unwrap_or("");
    match userdata::verify_signature(raw, sig, key.expose(), false, &mut Vec::new()) {
        Ok(_) => Ok(()),
        Err(Error::Signature {
            expected, given, ..
        }) => Err(format!(
            "signature mismatch: sha1 gives {}, the client sent {}",
            short(&expected),
            short(&given)
        )),
        Err(e) => Err(e.to_string()),
    }
}

fn decrypt(
    info: &Value,
    key: &Secret,
    appid: &str,
) -> std::result::Result<Vec<(&'static str, Value)>, String> {
    let iv = info.get("iv").and_then(Value::as_str).unwrap_or("");
    let data = info
        .get("encryptedData")
        .and_then(Value::as_str)
        .unwrap_or("");
    let d =
        userdata::decrypt_user_data(key.expose(), iv, data, Some(appid), false, &mut Vec::new())
            .map_err(|e| e.to_string())?;
    d.watermark_verdict.result().map_err(|e| e.to_string())?;
    let plain: Value = serde_json::from_str(&d.plaintext).unwrap_or(Value::Null);
    let pick = |k: &str| plain.get(k).cloned().unwrap_or(Value::Null);
    Ok(vec![
        ("nickName", pick("nickName")),
        (
            "openId",
            json!(short(&super::template::as_text(&pick("openId")))),
        ),
        (
            "watermark.appid",
            json!(d.watermark.as_ref().map(|w| w.appid.clone())),
        ),
    ])
}

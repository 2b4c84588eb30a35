//! The fixed script of `wxlogin demo`: the whole handshake against a mock, as a real app and
//! its server would do it, then the classic failure (a second `wx.login`) and its fix.

use std::time::Duration;

use serde_json::{Value, json};

use super::diagnose::{Diagnosis, short};
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
    /// Which check of the stored key this step is, if one.
    pub probe: Option<Probe>,
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

/// What the server checked with its stored key in the failure phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    Verify,
    Decrypt,
    CheckSession,
}

/// The diagnosis of the failure phase, from what its checks found: which of them the stale
/// key failed, or that the key did not rotate at all.
pub fn diagnose(steps: &[DemoStep]) -> Diagnosis {
    let failed = |probe: Probe| {
        steps.iter().any(|s| {
            s.phase == Phase::Failure
                && s.probe == Some(probe)
                && matches!(s.verdict, Verdict::ExpectedFailure(_))
        })
    };
    let (verify, decrypt, check) = (
        failed(Probe::Verify),
        failed(Probe::Decrypt),
        failed(Probe::CheckSession),
    );
    let login = steps
        .iter()
        .find(|s| s.phase == Phase::Failure)
        .map_or_else(|| "?".to_string(), |s| s.number.to_string());
    if !(verify || decrypt || check) {
        return Diagnosis {
            rule: "no-rotation",
            message: format!(
                "the second wx.login (step {login}) did not rotate the session_key: the stored key \
                 still verified, decrypted and passed check-session"
            ),
            fix: "nothing to fix on the server; a real WeChat rotates the key on every wx.login"
                .to_string(),
        };
    }
    let data = match (verify, decrypt) {
        (true, true) => "data made after it neither verifies nor decrypts with the stored key",
        (true, false) => "data made after it does not verify with the stored key",
        (false, true) => "data made after it does not decrypt with the stored key",
        (false, false) => "the stored key is no longer the user's",
    };
    let session = if check {
        ", and check-session answers 87009"
    } else {
        ""
    };
    Diagnosis {
        rule: "key-rotated",
        message: format!(
            "the server's session_key is stale: the second wx.login (step {login}) rotated it, so \
             {data}{session}"
        ),
        fix:
            "send the code of every wx.login to the server and exchange it before using data made \
              after it (or call wx.login once, before getUserInfo)"
                .to_string(),
    }
}

struct Script<'a, F: FnMut(&DemoStep)> {
    steps: Vec<DemoStep>,
    phase: Phase,
    reveal: bool,
    next_probe: Option<Probe>,
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
            probe: self.next_probe.take(),
        };
        (self.observe)(&step);
        self.steps.push(step);
    }

    /// Marks the next step as a check of the stored key.
    fn probe(&mut self, probe: Probe) {
        self.next_probe = Some(probe);
    }

    fn secret(&self, s: &Secret) -> Value {
        json!(s.shown(self.reveal))
    }

    /// The appsecret: hidden whole, as everywhere (only `--reveal` shows it).
    fn appsecret(&self, s: &Secret) -> Value {
        json!(s.shown_as("secret", self.reveal))
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
        next_probe: None,
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
            ("secret", s.appsecret(secret)),
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
            ("answer", json!(answer(&verdict))),
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
    s.probe(Probe::Verify);
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
    s.probe(Probe::Decrypt);
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
    s.probe(Probe::CheckSession);
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
        vec![("answer", json!(answer(&verdict)))],
        verdict,
    );
    Ok(s.steps)
}

/// What check-session's answer says, as the step saw it.
fn answer(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Ok => "ok: the key is current".to_string(),
        Verdict::ExpectedFailure(e) | Verdict::Unexpected(e) => e.clone(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn step(number: usize, phase: Phase, probe: Option<Probe>, failed: bool) -> DemoStep {
        DemoStep {
            number,
            phase,
            from: Lane::Server,
            to: Lane::Server,
            action: String::new(),
            values: vec![],
            verdict: if failed {
                Verdict::ExpectedFailure("refused".into())
            } else {
                Verdict::Ok
            },
            probe,
        }
    }

    fn run(verify: bool, decrypt: bool, check: bool) -> Vec<DemoStep> {
        vec![
            step(1, Phase::Handshake, None, false),
            step(2, Phase::Failure, None, false),
            step(3, Phase::Failure, Some(Probe::Verify), verify),
            step(4, Phase::Failure, Some(Probe::Decrypt), decrypt),
            step(5, Phase::Failure, Some(Probe::CheckSession), check),
        ]
    }

    #[test]
    fn the_diagnosis_follows_from_what_the_stale_key_failed() {
        let d = diagnose(&run(true, true, true));
        assert_eq!(d.rule, "key-rotated");
        assert!(d.message.contains("step 2"), "{}", d.message);
        assert!(d.message.contains("neither verifies nor decrypts"));
        assert!(d.message.contains("87009"));
        let d = diagnose(&run(true, false, false));
        assert_eq!(d.rule, "key-rotated");
        assert!(d.message.contains("does not verify") && !d.message.contains("87009"));
    }

    #[test]
    fn without_a_rotation_the_diagnosis_says_so() {
        let d = diagnose(&run(false, false, false));
        assert_eq!(d.rule, "no-rotation");
        assert!(!d.message.contains("stale"), "{}", d.message);
    }
}

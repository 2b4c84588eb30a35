//! The calls: what each sends, whether it may be resent, and how its answer is read.

use std::time::Duration;

use reqwest::{Method, Url};
use serde_json::{Map, Value, json};

use super::attempt::{Attempt, WRONG_SERVER_HINT, after_attempts, root_reason, short_reason};
use super::url::{is_loopback, parse_base_url};
use super::{AccessToken, ClientConfig, Event, Observer, USER_AGENT};
use crate::core::errcode::Lang;
use crate::core::error::{Error, Result};
use crate::core::model::Session;
use crate::core::redact::{redact_json, redact_url};
use crate::core::secret::Secret;

/// First pause between attempts; doubled on each further retry.
const BACKOFF: Duration = Duration::from_millis(250);

/// The WeChat API client. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    pub(super) http: reqwest::Client,
    pub(super) base: Url,
    pub(super) timeout: Duration,
    retries: u32,
    pub(super) lang: Lang,
    observer: Option<Observer>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

/// One API call: everything needed to send it, retry it and redact it.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) query: Vec<(&'static str, &'a str)>,
    pub(crate) body: Option<Value>,
    /// Values that must never appear in a message, whatever echoes them.
    pub(crate) secrets: Vec<&'a str>,
    pub(crate) resend: Resend,
}

/// Whether a call that WeChat answered with errcode -1 or HTTP 5xx may be sent again. A call
/// that never reached the server is always safe to resend, whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resend {
    /// Idempotent (token, stable_token, checksession): up to `--retries` times.
    Idempotent,
    /// jscode2session: WeChat's -1 says "retry later", so once; a 5xx never (the code may be
    /// spent, and a retry would only get 40163).
    OnceOnBusy,
    /// Spends something single-use (rotates the key, the phone code): never resent once sent.
    Never,
}

impl Call<'_> {
    /// A request that may have arrived spent a single-use code.
    pub(super) fn spends_code(&self) -> bool {
        self.resend != Resend::Idempotent
    }
}

impl Client {
    /// Checks the base URL: http(s) only, no credentials, query or fragment in it, and plain
    /// http only to a loopback host unless `insecure` (the appsecret travels in the query).
    /// A URL refused here is bad input (exit 3).
    pub fn new(cfg: ClientConfig) -> Result<Client> {
        let base = parse_base_url(&cfg.base_url, cfg.insecure)?;
        if cfg.timeout.is_zero() {
            return Err(Error::usage(
                "--timeout must be more than 0 seconds",
                "e.g. --timeout 10",
            ));
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            // A redirect would carry the appsecret (query or stable_token body) to another host.
            .redirect(reqwest::redirect::Policy::none());
        if is_loopback(&base) {
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| {
            Error::transport(
                format!(
                    "cannot set up the HTTP client: {}",
                    root_reason(&e.without_url())
                ),
                "this is a bug or a broken TLS setup; please report it",
            )
        })?;
        Ok(Client {
            http,
            base,
            timeout: cfg.timeout,
            retries: cfg.retries,
            lang: Lang::En,
            observer: None,
        })
    }

    /// The language of errcode meanings and fixes in the errors this client returns.
    /// The API root this client calls (kept with a saved session, to ask the same server later).
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    pub fn with_lang(mut self, lang: Lang) -> Client {
        self.lang = lang;
        self
    }

    pub fn with_observer(mut self, observer: Observer) -> Client {
        self.observer = Some(observer);
        self
    }

    /// `GET /sns/jscode2session` with exactly appid, secret, js_code and grant_type.
    pub async fn code2session(&self, appid: &str, secret: &Secret, code: &str) -> Result<Session> {
        let answer = self
            .call(Call {
                method: Method::GET,
                path: "/sns/jscode2session",
                query: vec![
                    ("appid", appid),
                    ("secret", secret.expose()),
                    ("js_code", code),
                    ("grant_type", "authorization_code"),
                ],
                body: None,
                secrets: vec![secret.expose()],
                resend: Resend::OnceOnBusy,
            })
            .await?;
        session_from(&answer, "jscode2session")
    }

    /// `GET /cgi-bin/token`. Each call replaces the app's previous token (it stays valid five
    /// more minutes), so a server caching one is disturbed: prefer [`Client::stable_token`].
    pub async fn access_token(&self, appid: &str, secret: &Secret) -> Result<AccessToken> {
        let answer = self
            .call(Call {
                method: Method::GET,
                path: "/cgi-bin/token",
                query: vec![
                    ("grant_type", "client_credential"),
                    ("appid", appid),
                    ("secret", secret.expose()),
                ],
                body: None,
                secrets: vec![secret.expose()],
                resend: Resend::Idempotent,
            })
            .await?;
        token_from(&answer, "access_token", "token")
    }

    /// `POST /cgi-bin/stable_token`: without `force_refresh` it returns the token in force and
    /// leaves it valid, so it is safe to call next to a production server.
    pub async fn stable_token(
        &self,
        appid: &str,
        secret: &Secret,
        force_refresh: bool,
    ) -> Result<AccessToken> {
        let answer = self
            .call(Call {
                method: Method::POST,
                path: "/cgi-bin/stable_token",
                query: vec![],
                body: Some(json!({
                    "grant_type": "client_credential",
                    "appid": appid,
                    "secret": secret.expose(),
                    "force_refresh": force_refresh,
                })),
                secrets: vec![secret.expose()],
                resend: Resend::Idempotent,
            })
            .await?;
        token_from(&answer, "access_token", "token")
    }

    /// `GET /wxa/checksession`: `Ok` when `session_key` is the user's current key; a stale key
    /// is `Err(Api)` with errcode 87009.
    pub async fn check_session(
        &self,
        access_token: &Secret,
        openid: &str,
        session_key: &Secret,
    ) -> Result<()> {
        let signature = crate::core::crypto::checksession_signature(session_key.expose());
        self.call(Call {
            method: Method::GET,
            path: "/wxa/checksession",
            query: vec![
                ("access_token", access_token.expose()),
                ("openid", openid),
                ("signature", &signature),
                ("sig_method", "hmac_sha256"),
            ],
            body: None,
            secrets: vec![access_token.expose(), session_key.expose()],
            resend: Resend::Idempotent,
        })
        .await
        .map(|_| ())
    }

    /// `GET /wxa/resetusersessionkey`: makes WeChat issue a new session_key for the user.
    pub async fn reset_session_key(
        &self,
        access_token: &Secret,
        openid: &str,
        session_key: &Secret,
    ) -> Result<Session> {
        let signature = crate::core::crypto::checksession_signature(session_key.expose());
        let answer = self
            .call(Call {
                method: Method::GET,
                path: "/wxa/resetusersessionkey",
                query: vec![
                    ("access_token", access_token.expose()),
                    ("openid", openid),
                    ("signature", &signature),
                    ("sig_method", "hmac_sha256"),
                ],
                body: None,
                secrets: vec![access_token.expose(), session_key.expose()],
                // Resending would rotate the key twice; the first answer's key would be lost.
                resend: Resend::Never,
            })
            .await?;
        session_from(&answer, "resetusersessionkey")
    }

    /// `POST /wxa/business/getuserphonenumber`: the `phone_info` object of the answer.
    pub async fn phone_number(&self, access_token: &Secret, code: &str) -> Result<Value> {
        let answer = self
            .call(Call {
                method: Method::POST,
                path: "/wxa/business/getuserphonenumber",
                query: vec![("access_token", access_token.expose())],
                body: Some(json!({ "code": code })),
                secrets: vec![access_token.expose()],
                resend: Resend::Never,
            })
            .await?;
        match answer.get("phone_info") {
            Some(info @ Value::Object(_)) => Ok(info.clone()),
            _ => Err(unexpected_answer("getuserphonenumber", "phone_info")),
        }
    }

    pub(crate) async fn call(&self, call: Call<'_>) -> Result<Map<String, Value>> {
        let url = self.endpoint(call.path, &call.query);
        let shown_url = redact_url(&url);
        let shown_body = call.body.as_ref().map(|b| {
            let mut shown = b.clone();
            redact_json(&mut shown);
            shown.to_string()
        });
        let attempts = self.retries.saturating_add(1);
        let mut attempt = 1;
        let mut after_busy = false;
        loop {
            self.observe(|| Event::Sending {
                method: call.method.to_string(),
                url: shown_url.clone(),
                body: shown_body.clone(),
                attempt,
                attempts,
            });
            let error = match self.attempt(&call, &url, after_busy).await {
                Attempt::Answer(answer) => return Ok(answer),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry(error) => error,
                Attempt::Busy(error) => match call.resend {
                    Resend::Idempotent => error,
                    Resend::OnceOnBusy if !after_busy => {
                        after_busy = true;
                        error
                    }
                    Resend::OnceOnBusy | Resend::Never => {
                        return Err(after_attempts(error, attempt));
                    }
                },
                Attempt::ServerError(error) => match call.resend {
                    Resend::Idempotent => error,
                    Resend::OnceOnBusy | Resend::Never => return Err(error),
                },
            };
            if attempt >= attempts {
                return Err(after_attempts(error, attempts));
            }
            let delay = BACKOFF.saturating_mul(1 << (attempt - 1).min(4));
            self.observe(|| Event::Retrying {
                reason: short_reason(&error, self.lang),
                delay,
                next_attempt: attempt + 1,
                attempts,
            });
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    fn endpoint(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}{path}", self.base.path().trim_end_matches('/'));
        url.set_path(&joined);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    pub(super) fn host(&self) -> String {
        match (self.base.host_str(), self.base.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => self.base.to_string(),
        }
    }

    pub(super) fn observe(&self, event: impl FnOnce() -> Event) {
        if let Some(observer) = &self.observer {
            observer(&event());
        }
    }
}

/// A non-empty string field of an answer.
pub(crate) fn text(answer: &Map<String, Value>, field: &str) -> Option<String> {
    match answer.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// openid, session_key and unionid of a jscode2session-shaped answer.
pub(crate) fn session_from(answer: &Map<String, Value>, api: &str) -> Result<Session> {
    let text = |field: &str| text(answer, field);
    let openid = text("openid").ok_or_else(|| unexpected_answer(api, "openid"))?;
    let session_key = text("session_key").ok_or_else(|| unexpected_answer(api, "session_key"))?;
    Ok(Session {
        openid,
        session_key: Secret::new(session_key),
        unionid: text("unionid"),
    })
}

/// The token in `field` of an answer from `api`, and its lifetime.
pub(crate) fn token_from(
    answer: &Map<String, Value>,
    field: &str,
    api: &str,
) -> Result<AccessToken> {
    let token = text(answer, field).ok_or_else(|| unexpected_answer(api, field))?;
    let expires_in = match answer.get("expires_in") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    };
    Ok(AccessToken {
        access_token: Secret::new(token),
        expires_in,
    })
}

pub(crate) fn unexpected_answer(api: &str, field: &str) -> Error {
    Error::transport(
        format!("the {api} answer has errcode 0 but no {field}"),
        WRONG_SERVER_HINT,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_and_its_futures_can_cross_threads() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: &T) {}
        let client = Client::new(ClientConfig::default()).unwrap();
        send_sync(&client);
        let secret = Secret::new("s");
        let future = client.code2session("wx", &secret, "c");
        send(&future);
        let future = client.phone_number(&secret, "c");
        send(&future);
    }

    #[test]
    fn endpoint_keeps_a_base_path_and_encodes_the_query() {
        let client = Client::new(ClientConfig {
            base_url: "http://127.0.0.1:9/prefix/".into(),
            ..ClientConfig::default()
        })
        .unwrap();
        let url = client.endpoint("/sns/jscode2session", &[("js_code", "a+b/c= d")]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/prefix/sns/jscode2session?js_code=a%2Bb%2Fc%3D+d"
        );
    }
}

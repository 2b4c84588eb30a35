//! The mock server as the client sees it, over HTTP: its control routes play `wx.login` and
//! friends, and its journal tells which WeChat calls a backend made in between.

use std::time::Duration;

use serde_json::{Value, json};

use crate::core::platform::Platform;
use crate::core::text::clip;
use crate::core::{ApiNote, Error, Result};
use crate::mock::Login;

/// One WeChat-side request from the mock's journal (secrets already masked by the mock).
#[derive(Debug, Clone, PartialEq)]
pub struct WeChatCall {
    /// Unix time in milliseconds.
    pub time_ms: u64,
    pub method: String,
    /// The WeChat host the call came through `--intercept`'s proxy for; `None` when the
    /// backend called the mock's URL directly.
    pub host: Option<String>,
    pub path: String,
    pub query: Option<String>,
    pub appid: Option<String>,
    pub openid: Option<String>,
    pub code: Option<String>,
    pub status: u16,
    pub errcode: i64,
    pub latency_us: u64,
}

impl WeChatCall {
    /// Reads one journal entry; fields the mock may leave out are optional.
    pub fn from_entry(entry: &Value) -> Option<WeChatCall> {
        let text = |k: &str| entry.get(k).and_then(Value::as_str).map(String::from);
        let num = |k: &str| entry.get(k).and_then(Value::as_i64);
        Some(WeChatCall {
            time_ms: entry.get("time_ms").and_then(Value::as_u64).unwrap_or(0),
            method: text("method").unwrap_or_else(|| "GET".into()),
            host: text("host"),
            path: text("path")?,
            query: text("query"),
            appid: text("appid"),
            openid: text("openid"),
            code: text("code"),
            status: num("status")
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(200),
            errcode: num("errcode").unwrap_or(0),
            latency_us: entry.get("latency_us").and_then(Value::as_u64).unwrap_or(0),
        })
    }

    /// The mock's own control routes are the client's doing, not the backend's.
    pub fn is_control(&self) -> bool {
        self.path.starts_with("/mock/")
    }

    /// Whose API the call was made to: the host it came through `--intercept` for, else
    /// the path (QQ's paths are WeChat's).
    pub fn platform(&self) -> Platform {
        if let Some(p) = self.host.as_deref().and_then(Platform::from_host) {
            return p;
        }
        if self.path.starts_with("/api/apps/") {
            Platform::Douyin
        } else if self.path.starts_with("/cgi-bin/miniprogram/") || self.path == "/cgi-bin/gettoken"
        {
            Platform::Wecom
        } else {
            Platform::Wechat
        }
    }

    /// A code exchange at any platform's path.
    pub fn is_exchange(&self) -> bool {
        Platform::ALL.into_iter().any(|p| self.is_exchange_for(p))
    }

    /// A code exchange where `platform` takes one: its method and path, and its host when
    /// the call came through the proxy (without it, QQ's and WeChat's look alike).
    pub fn is_exchange_for(&self, platform: Platform) -> bool {
        let (method, path) = platform.exchange();
        self.method.eq_ignore_ascii_case(method)
            && self.path == path
            && self.host.as_deref().is_none_or(|h| h == platform.host())
    }

    /// A code exchange, but where another platform than `platform` takes codes.
    pub fn is_foreign_exchange(&self, platform: Platform) -> bool {
        self.is_exchange() && !self.is_exchange_for(platform)
    }

    pub fn ok(&self) -> bool {
        self.errcode == 0 && self.status < 400
    }

    /// `errcode 40163 (code been used)`, or `ok`.
    pub fn outcome(&self) -> String {
        if self.ok() {
            return "ok".to_string();
        }
        if self.errcode == 0 {
            return format!("HTTP {}", self.status);
        }
        let (meaning, _) = self
            .platform()
            .explain(self.errcode, crate::core::errcode::Lang::En);
        if meaning.starts_with("not in") {
            format!("errcode {}", self.errcode)
        } else {
            format!("errcode {} ({meaning})", self.errcode)
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "method": self.method,
            "host": self.host,
            "path": self.path,
            "query": self.query,
            "appid": self.appid,
            "openid": self.openid,
            "code": self.code,
            "status": self.status,
            "errcode": self.errcode,
            "latency_us": self.latency_us,
            "time_ms": self.time_ms,
        })
    }
}

/// Who a login step logs in.
#[derive(Debug, Clone, Copy)]
pub enum ClientLogin<'a> {
    /// A user of the mini program (WeChat, QQ, Douyin); a new one when `None`.
    User { openid: Option<&'a str> },
    /// WeCom: a member of the corp.
    Member { corpid: &'a str, userid: &'a str },
    /// Douyin: a visitor who is not logged in to Douyin.
    Anonymous,
}

/// A TLS handshake a client failed with the mock's `--intercept` proxy (from its journal).
#[derive(Debug, Clone, PartialEq)]
pub struct TlsFailure {
    pub time_ms: u64,
    pub host: Option<String>,
    /// The client rejected the mock's certificate: it does not trust the CA.
    pub untrusted: bool,
    pub message: String,
}

/// An HTTP connection to a running mock (embedded or `wxlogin mock-server`).
#[derive(Debug, Clone)]
pub struct MockLink {
    base: String,
    http: reqwest::Client,
    /// Where the journal stood at the last read.
    cursor: JournalCursor,
    /// The failed handshakes the journal listed at the last read.
    tls_failures: Vec<TlsFailure>,
}

/// A position in the mock's journal: resets so far, and the seq of the last entry read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JournalCursor {
    pub generation: u64,
    pub last_seq: u64,
}

impl MockLink {
    pub fn new(base: &str) -> Result<MockLink> {
        let base = base.trim().trim_end_matches('/').to_string();
        if reqwest::Url::parse(&base).is_err() || !base.starts_with("http") {
            return Err(Error::input(
                "--mock",
                format!("\"{base}\" is not an http:// URL"),
                "give the URL `wxlogin mock-server` printed, e.g. http://127.0.0.1:8080",
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .no_proxy()
            .build()
            .map_err(|e| {
                Error::transport(format!("cannot build an HTTP client: {e}"), "this is a bug")
            })?;
        Ok(MockLink {
            base,
            http,
            cursor: JournalCursor::default(),
            tls_failures: Vec::new(),
        })
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    /// `wx.login` for `openid` (a new user when `None`): a fresh code; the key rotates.
    pub async fn login(&self, appid: &str, openid: Option<&str>) -> Result<Login> {
        self.login_as(appid, ClientLogin::User { openid }).await
    }

    /// The platform's login call: `wx.login`/`qq.login`/`tt.login` for a user, `wx.qy.login`
    /// for a corp member, an anonymous `tt.login` (whose `openid` is the anonymous one).
    pub async fn login_as(&self, appid: &str, who: ClientLogin<'_>) -> Result<Login> {
        let mut body = json!({"appid": appid});
        let openid_field = match who {
            ClientLogin::User { openid } => {
                if let Some(o) = openid {
                    body["openid"] = json!(o);
                }
                "openid"
            }
            ClientLogin::Member { corpid, userid } => {
                body["corpid"] = json!(corpid);
                body["userid"] = json!(userid);
                "openid"
            }
            ClientLogin::Anonymous => {
                body["anonymous"] = json!(true);
                "anonymous_openid"
            }
        };
        let v = self.post("/mock/login", &body).await?;
        let field = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
        match (field("code"), field(openid_field)) {
            (Some(code), Some(openid)) => Ok(Login {
                code,
                openid,
                expires_in: v.get("expires_in").and_then(Value::as_u64).unwrap_or(300),
            }),
            _ => Err(self.odd_answer("/mock/login", &v)),
        }
    }

    /// `wx.getUserInfo({withCredentials: true})`: rawData, signature, encryptedData, iv.
    pub async fn userinfo(
        &self,
        appid: &str,
        openid: &str,
        user_info: Option<&Value>,
    ) -> Result<Value> {
        let mut body = json!({"appid": appid, "openid": openid});
        if let Some(u) = user_info {
            body["userInfo"] = u.clone();
        }
        self.post("/mock/userinfo", &body).await
    }

    /// The getPhoneNumber button: a code, and the older encryptedData/iv pair.
    pub async fn phonenumber(
        &self,
        appid: &str,
        openid: &str,
        phone: Option<&str>,
    ) -> Result<Value> {
        let mut body = json!({"appid": appid, "openid": openid});
        if let Some(p) = phone {
            body["phoneNumber"] = json!(p);
        }
        self.post("/mock/phonenumber", &body).await
    }

    /// The WeChat-side calls made since the last call of this method, control routes left out.
    /// Read by journal seq, so a reset in between (a new generation) loses nothing: every
    /// entry after the last one seen is new, whichever generation it belongs to.
    pub async fn new_calls(&mut self) -> Result<Vec<WeChatCall>> {
        let v = self
            .get(&format!("/mock/journal?since={}", self.cursor.last_seq))
            .await?;
        let Some(entries) = v.get("entries").and_then(Value::as_array) else {
            return Err(self.odd_answer("/mock/journal", &v));
        };
        let number = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
        let now = JournalCursor {
            generation: number("generation"),
            last_seq: number("last_seq"),
        };
        // A mock that started again counts from 1: everything it holds is new.
        let after = if now.last_seq < self.cursor.last_seq {
            0
        } else {
            self.cursor.last_seq
        };
        self.cursor = now;
        self.tls_failures = v
            .get("tls_failures")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(tls_failure).collect())
            .unwrap_or_default();
        Ok(entries
            .iter()
            .filter(|e| {
                e.get("seq")
                    .and_then(Value::as_u64)
                    .is_none_or(|s| s > after)
            })
            .filter_map(WeChatCall::from_entry)
            .filter(|c| !c.is_control())
            .collect())
    }

    /// The failed TLS handshakes the mock listed at the last journal read (with `--intercept`).
    pub fn tls_failures(&self) -> &[TlsFailure] {
        &self.tls_failures
    }

    /// The mock's apps and their secrets (`GET /mock/apps`); empty from a mock without the route.
    pub async fn apps(&self) -> Vec<(String, String)> {
        let Ok(v) = self.get("/mock/apps").await else {
            return Vec::new();
        };
        v.get("apps")
            .and_then(Value::as_array)
            .map(|apps| {
                apps.iter()
                    .filter_map(|a| {
                        let field = |k: &str| a.get(k).and_then(Value::as_str).map(String::from);
                        Some((field("appid")?, field("secret")?))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The requests a latency fault holds now, and the latency faults still set (each
    /// `(route, latency_ms)`), to tell why a backend was slow.
    pub async fn latency_faults(&self) -> (Vec<(String, u64)>, Vec<(String, u64)>) {
        let Ok(v) = self.get("/mock/faults").await else {
            return (Vec::new(), Vec::new());
        };
        let list = |key: &str| -> Vec<(String, u64)> {
            v.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|f| {
                    let ms = f.get("latency_ms").and_then(Value::as_u64)?;
                    let route = f.get("route").and_then(Value::as_str)?;
                    (ms > 0).then(|| (route.to_string(), ms))
                })
                .collect()
        };
        (list("delaying"), list("faults"))
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let req = self.http.post(format!("{}{path}", self.base)).json(body);
        self.answer(path, req).await
    }

    async fn get(&self, path: &str) -> Result<Value> {
        let req = self.http.get(format!("{}{path}", self.base));
        self.answer(path, req).await
    }

    async fn answer(&self, path: &str, req: reqwest::RequestBuilder) -> Result<Value> {
        let resp = req.send().await.map_err(|e| {
            Error::transport(
                format!("the mock at {} did not answer {path}: {}", self.base, short_reason(&e)),
                "start it with `wxlogin mock-server --port 0` and pass the URL it prints to --mock, \
                 or leave --mock out to use an embedded one",
            )
        })?;
        let status = resp.status().as_u16();
        let v: Value = resp.json().await.map_err(|_| {
            Error::transport(
                format!("{}{path} answered HTTP {status} without JSON", self.base),
                "is --mock the URL of a `wxlogin mock-server`?",
            )
        })?;
        let errcode = v.get("errcode").and_then(Value::as_i64).unwrap_or(0);
        if errcode != 0 || status >= 400 {
            let errmsg = v
                .get("errmsg")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let note = if errcode == 40013 || errmsg.contains("appid") {
                ApiNote::Hint(
                    "the flow's appid must be an app of the mock: start it with --app APPID:SECRET \
                     (or give the embedded one --app / `secret =` in the flow)"
                        .to_string(),
                )
            } else {
                ApiNote::None
            };
            return Err(Error::Api {
                errcode,
                errmsg: format!("{path}: {errmsg}"),
                note,
                platform: crate::core::platform::Platform::Wechat,
            });
        }
        Ok(v)
    }

    fn odd_answer(&self, path: &str, v: &Value) -> Error {
        let whole = v.to_string();
        let text = clip(&whole, 200);
        Error::transport(
            format!("{}{path} answered something unexpected: {text}", self.base),
            "is --mock the URL of a `wxlogin mock-server`?",
        )
    }
}

fn tls_failure(v: &Value) -> Option<TlsFailure> {
    Some(TlsFailure {
        time_ms: v.get("time_ms").and_then(Value::as_u64).unwrap_or(0),
        host: v.get("host").and_then(Value::as_str).map(String::from),
        untrusted: v.get("untrusted").and_then(Value::as_bool).unwrap_or(false),
        message: v.get("message").and_then(Value::as_str)?.to_string(),
    })
}

/// The reason of a reqwest error without its URL (which may carry credentials).
pub fn short_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "connection refused or unreachable".to_string()
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off or unreadable".to_string()
    } else {
        let mut text = e.to_string();
        if let Some(url) = e.url() {
            text = text.replace(url.as_str(), "(url)");
        }
        text.replace(['\n', '\r'], " ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_odd_answer_of_cjk_text_is_cut_on_a_character_boundary() {
        let text = "微".repeat(300);
        let link = MockLink::new("http://127.0.0.1:1").unwrap();
        let err = link.odd_answer("/mock/login", &json!({"errmsg": text}));
        assert!(
            err.to_string().contains(&format!("{}…", "微".repeat(10))),
            "{err}"
        );
    }

    #[test]
    fn reads_journal_entries_leniently() {
        let entry = json!({"time_ms": 5, "method": "GET", "path": "/sns/jscode2session",
            "query": "appid=wx&secret=abcd…wxyz&js_code=0a", "appid": "wx", "code": "0a",
            "status": 200, "errcode": 40163, "latency_us": 12});
        let call = WeChatCall::from_entry(&entry).unwrap();
        assert!(call.is_exchange() && !call.ok());
        assert!(call.outcome().starts_with("errcode 40163"));
        assert!(WeChatCall::from_entry(&json!({"method": "GET"})).is_none());
        let control = WeChatCall::from_entry(&json!({"path": "/mock/login"})).unwrap();
        assert!(control.is_control() && control.ok());
    }

    /// Before seq and generation, a reset followed by at least as many new calls as were read
    /// before it made the reader skip that many of the new ones.
    #[tokio::test]
    async fn journal_reader_loses_no_call_after_a_reset() {
        use crate::mock::{MockConfig, MockServer};
        let mock = MockServer::start(MockConfig::new().app("wxreset", "resetsecret"))
            .await
            .unwrap();
        let mut link = MockLink::new(mock.url()).unwrap();
        let http = reqwest::Client::new();
        let exchange = |code: &str| {
            let url = format!(
                "{}/sns/jscode2session?appid=wxreset&secret=resetsecret&js_code={code}&grant_type=authorization_code",
                mock.url()
            );
            let http = http.clone();
            async move { http.get(url).send().await.unwrap() }
        };
        for i in 0..3 {
            exchange(&format!("before{i}")).await;
        }
        assert_eq!(link.new_calls().await.unwrap().len(), 3);
        let reset = http.post(format!("{}/mock/reset", mock.url())).send().await;
        assert!(reset.unwrap().status().is_success());
        for i in 0..4 {
            exchange(&format!("after{i}")).await;
        }
        let calls = link.new_calls().await.unwrap();
        let codes: Vec<&str> = calls.iter().filter_map(|c| c.code.as_deref()).collect();
        assert_eq!(codes, ["after0", "after1", "after2", "after3"]);
        assert_eq!(link.cursor.generation, 1);
        assert!(link.new_calls().await.unwrap().is_empty());
    }
}

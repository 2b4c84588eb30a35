//! `wxlogin simulate` playing a QQ, WeCom or Douyin mini program: the embedded mock serves the
//! platform, and a small backend written here exchanges the code where that platform takes it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

/// Where the backend calls to exchange a code.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Exchange {
    /// The path of the platform the flow plays.
    Platform,
    /// WeChat's `GET /sns/jscode2session`, whatever the platform: the mistake of a backend
    /// written with a WeChat SDK.
    WechatPath,
}

#[derive(Clone)]
struct Backend {
    env: HashMap<String, String>,
    platform: &'static str,
    exchange: Exchange,
    http: reqwest::Client,
}

impl Backend {
    fn var(&self, name: &str) -> &str {
        self.env.get(name).map_or("", String::as_str)
    }

    /// Exchanges what the client posted; answers what the platform answered, 502 on a refusal.
    async fn login(&self, body: &Value) -> (StatusCode, Value) {
        let mock = self.var("WXLOGIN_MOCK_URL");
        let text = |k: &str| {
            body.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let answer: Value = match (self.exchange, self.platform) {
            (Exchange::WechatPath, _) | (_, "wechat" | "qq") => {
                let query = [
                    ("appid", self.var("WXLOGIN_APPID").to_string()),
                    ("secret", self.var("WXLOGIN_SECRET").to_string()),
                    ("js_code", text("code")),
                    ("grant_type", "authorization_code".to_string()),
                ];
                let url = with_query(&format!("{mock}/sns/jscode2session"), &query);
                let resp = self.http.get(url).send().await.unwrap();
                resp.json().await.unwrap()
            }
            (_, "wecom") => {
                let query = [
                    ("corpid", self.var("WXLOGIN_CORPID")),
                    ("corpsecret", self.var("WXLOGIN_CORPSECRET")),
                ];
                let url = with_query(&format!("{mock}/cgi-bin/gettoken"), &query);
                let token: Value = self
                    .http
                    .get(url)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let Some(token) = token.get("access_token").and_then(Value::as_str) else {
                    return (StatusCode::BAD_GATEWAY, token);
                };
                let code = text("code");
                let query = [
                    ("access_token", token),
                    ("js_code", code.as_str()),
                    ("grant_type", "authorization_code"),
                ];
                let url = with_query(
                    &format!("{mock}/cgi-bin/miniprogram/jscode2session"),
                    &query,
                );
                let resp = self.http.get(url).send().await.unwrap();
                resp.json().await.unwrap()
            }
            (_, _) => {
                let mut sent = json!({
                    "appid": self.var("WXLOGIN_APPID"),
                    "secret": self.var("WXLOGIN_SECRET"),
                });
                for key in ["code", "anonymous_code"] {
                    if body.get(key).is_some() {
                        sent[key] = json!(text(key));
                    }
                }
                let url = format!("{mock}/api/apps/v2/jscode2session");
                let resp = self.http.post(url).json(&sent).send().await.unwrap();
                let v: Value = resp.json().await.unwrap();
                if v["err_no"] != 0 {
                    return (StatusCode::BAD_GATEWAY, v);
                }
                v["data"].clone()
            }
        };
        let refused = answer
            .get("errcode")
            .and_then(Value::as_i64)
            .is_some_and(|e| e != 0);
        if refused {
            return (StatusCode::BAD_GATEWAY, answer);
        }
        // The session key stays on the backend.
        let mut shown = answer;
        if let Some(map) = shown.as_object_mut() {
            map.remove("session_key");
        }
        (StatusCode::OK, shown)
    }
}

fn with_query<K: AsRef<str>, V: AsRef<str>>(url: &str, pairs: &[(K, V)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k.as_ref(), v.as_ref());
    }
    format!("{url}?{}", query.finish())
}

async fn login(State(b): State<Backend>, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    let (status, v) = b.login(&body).await;
    (status, Json(v))
}

/// The backend: waits for the environment simulate gave the command it started (written to
/// `env_file` by that command), then listens on the PORT it names.
fn serve_when_started(env_file: PathBuf, platform: &'static str, exchange: Exchange) {
    std::thread::spawn(move || {
        // Bounded, so a simulate that never starts the command leaves no thread behind.
        let mut waited = 0;
        while !env_file.exists() && waited < 6000 {
            std::thread::sleep(Duration::from_millis(10));
            waited += 1;
        }
        let Ok(text) = std::fs::read_to_string(&env_file) else {
            return;
        };
        let env: HashMap<String, String> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let port = env["PORT"].clone();
        let backend = Backend {
            env,
            platform,
            exchange,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
                .await
                .unwrap();
            let app = Router::new()
                .route("/login", post(login))
                .with_state(backend);
            axum::serve(listener, app).await.unwrap();
        });
    });
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// The environment the backend's command was started with.
    env: HashMap<String, String>,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|_| panic!("one JSON document: {}\n{}", self.stdout, self.stderr))
    }

    fn diagnosis(&self) -> (String, String) {
        let doc = self.json();
        let d = &doc["diagnosis"];
        let text = format!(
            "{} — fix: {}",
            d["message"].as_str().unwrap_or(""),
            d["fix"].as_str().unwrap_or("")
        );
        (d["rule"].as_str().unwrap_or("").to_string(), text)
    }
}

/// Runs `flow` (TOML text) with the embedded mock and the backend above as `-- CMD`.
fn simulate(
    flow: &str,
    platform: &'static str,
    exchange: Exchange,
    args: &[&str],
    json_out: bool,
) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let flow_path = dir.path().join("flow.toml");
    std::fs::write(&flow_path, flow).unwrap();
    let env_file = dir.path().join("env");
    serve_when_started(env_file.clone(), platform, exchange);
    let script = format!(
        "env > '{0}.part' && mv '{0}.part' '{0}' && exec sleep 300",
        env_file.display()
    );
    let mut cmd = assert_cmd::Command::cargo_bin("wxlogin").unwrap();
    if json_out {
        cmd.arg("--json");
    }
    let out = cmd
        .arg("simulate")
        .arg(&flow_path)
        .args(args)
        .args(["--", "sh", "-c", &script])
        .env_remove("WXLOGIN_BACKEND")
        .env_remove("WXLOGIN_PLATFORM")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(90))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        env: read_env(&env_file),
    }
}

fn read_env(path: &Path) -> HashMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A flow that logs in and posts the code; `login` is extra keys of the login step, `expect`
/// what the backend's answer must hold.
fn flow(head: &str, login: &str, posted: &str, expect: &str) -> String {
    format!(
        "backend = \"http://127.0.0.1:0\"\n{head}\n\n[[steps]]\nwx = \"login\"\n{login}\n\n\
         [[steps]]\nname = \"log in\"\npost = \"/login\"\njson = {{ {posted} }}\n\
         expect = {{ status = 200, {expect} }}\n"
    )
}

fn user_flow(platform: &str, appid: &str) -> String {
    flow(
        &format!("appid = \"{appid}\"\nplatform = \"{platform}\""),
        "",
        "code = \"{{code}}\"",
        "\"/openid\" = \"{{openid}}\"",
    )
}

fn assert_passed(run: &Run) {
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn a_qq_flow_passes_and_names_qq_login() {
    let run = simulate(
        &user_flow("qq", "1112223334"),
        "qq",
        Exchange::Platform,
        &[],
        false,
    );
    assert_passed(&run);
    assert!(run.stdout.contains("qq.login"), "{}", run.stdout);
    assert!(!run.stdout.contains("wx.login"), "{}", run.stdout);
    assert!(
        run.stdout.contains("GET /sns/jscode2session"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("✓ all 2 steps passed"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_wecom_flow_logs_in_a_corp_member_and_the_backend_gets_the_corp() {
    let text = flow(
        "appid = \"wx5e1ec0de5e55a001\"\nplatform = \"wecom\"\ncorpid = \"ww0a1b2c3d4e5f6071\"\n\
         corpsecret = \"c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c1\"",
        "userid = \"lisi\"",
        "code = \"{{code}}\"",
        "\"/userid\" = \"{{userid}}\", \"/corpid\" = \"ww0a1b2c3d4e5f6071\"",
    ) + "\n[[steps]]\nwx = \"checksession\"\nexpect = { valid = true, backend_current = true }\n";
    let run = simulate(&text, "wecom", Exchange::Platform, &[], true);
    assert_passed(&run);
    assert_eq!(run.env["WXLOGIN_CORPID"], "ww0a1b2c3d4e5f6071");
    assert_eq!(
        run.env["WXLOGIN_CORPSECRET"],
        "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c1"
    );
    assert!(run.env.contains_key("WXLOGIN_MOCK_URL"));
    let doc = run.json();
    assert_eq!(doc["platform"], "wecom");
    assert_eq!(doc["corpid"], "ww0a1b2c3d4e5f6071");
    assert_eq!(doc["steps"][0]["action"], "wx.qy.login");
    assert_eq!(doc["steps"][0]["request"]["userid"], "lisi");
    // Only WeCom's exchange counts as the backend holding the member's key.
    assert_eq!(doc["steps"][2]["action"], "wx.qy.checkSession");
    assert_eq!(doc["steps"][2]["produced"]["backend_current"], true);
    let paths: Vec<&str> = doc["steps"][1]["wechat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["/cgi-bin/gettoken", "/cgi-bin/miniprogram/jscode2session"]
    );
    // The corpsecret stays out of the document.
    assert!(
        !run.stdout.contains("c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c1"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_wecom_flow_without_a_corpid_gets_one_made_from_the_appid() {
    let text = flow(
        "appid = \"wx5e1ec0de5e55a001\"\nplatform = \"wecom\"",
        "",
        "code = \"{{code}}\"",
        "\"/userid\" = \"zhangsan\"",
    );
    let run = simulate(&text, "wecom", Exchange::Platform, &[], false);
    assert_passed(&run);
    assert_eq!(run.env["WXLOGIN_CORPID"], "ww5e1ec0de5e55a001");
    let secret = &run.env["WXLOGIN_CORPSECRET"];
    assert_eq!(secret.len(), 32, "{secret}");
    assert!(!run.stdout.contains(secret.as_str()), "{}", run.stdout);
    assert!(
        run.stdout.contains("corp: ww5e1ec0de5e55a001"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_douyin_flow_passes_with_a_code_and_with_an_anonymous_code() {
    let run = simulate(
        &user_flow("douyin", "tt07a1b2c3d4e5f608"),
        "douyin",
        Exchange::Platform,
        &[],
        true,
    );
    assert_passed(&run);
    let doc = run.json();
    assert_eq!(doc["steps"][0]["action"], "tt.login");
    let call = &doc["steps"][1]["wechat"][0];
    assert_eq!(call["method"], "POST");
    assert_eq!(call["path"], "/api/apps/v2/jscode2session");
    assert_eq!(call["code"], doc["steps"][0]["produced"]["code"]);

    let anonymous = flow(
        "appid = \"tt07a1b2c3d4e5f608\"\nplatform = \"douyin\"",
        "anonymous = true",
        "anonymous_code = \"{{anonymous_code}}\"",
        "\"/anonymous_openid\" = \"{{anonymous_openid}}\"",
    );
    let run = simulate(&anonymous, "douyin", Exchange::Platform, &[], true);
    assert_passed(&run);
    let doc = run.json();
    assert_eq!(doc["steps"][0]["request"]["anonymous"], true);
    assert_eq!(
        doc["steps"][1]["wechat"][0]["code"],
        doc["steps"][0]["produced"]["code"]
    );
}

#[test]
fn the_platform_flag_overrides_the_flow() {
    // The flow says WeChat; --platform makes it a Douyin one, whose backend then passes.
    let run = simulate(
        &user_flow("wechat", "tt07a1b2c3d4e5f608"),
        "douyin",
        Exchange::Platform,
        &["--platform", "douyin"],
        true,
    );
    assert_passed(&run);
    assert_eq!(run.json()["platform"], "douyin");
}

#[test]
fn a_douyin_backend_exchanging_at_wechats_path_is_told_douyins() {
    let run = simulate(
        &user_flow("douyin", "tt07a1b2c3d4e5f608"),
        "douyin",
        Exchange::WechatPath,
        &[],
        true,
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let (rule, text) = run.diagnosis();
    assert_eq!(rule, "wrong-exchange-path", "{text}");
    assert!(
        text.contains("POST /api/apps/v2/jscode2session") && text.contains("tt.login"),
        "{text}"
    );
    assert!(text.contains("at GET /sns/jscode2session"), "{text}");
}

#[test]
fn a_wecom_backend_exchanging_at_wechats_path_is_told_wecoms() {
    let text = flow(
        "appid = \"wx5e1ec0de5e55a001\"\nplatform = \"wecom\"",
        "",
        "code = \"{{code}}\"",
        "status = 200",
    )
    .replace(", status = 200 }", " }");
    let run = simulate(&text, "wecom", Exchange::WechatPath, &[], true);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let (rule, text) = run.diagnosis();
    assert_eq!(rule, "wrong-exchange-path", "{text}");
    assert!(
        text.contains("GET /cgi-bin/miniprogram/jscode2session") && text.contains("wx.qy.login"),
        "{text}"
    );
}

#[test]
fn a_douyin_backend_that_never_exchanges_is_told_the_douyin_path() {
    // The backend answers without calling anyone: nothing is exchanged.
    let text = flow(
        "appid = \"tt07a1b2c3d4e5f608\"\nplatform = \"douyin\"",
        "",
        "code = \"{{code}}\"",
        "\"/openid\" = \"{{openid}}\"",
    )
    .replace("post = \"/login\"", "post = \"/nothing\"");
    let run = simulate(&text, "douyin", Exchange::Platform, &[], true);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let (rule, text) = run.diagnosis();
    assert_eq!(rule, "never-exchanged", "{text}");
    assert!(
        text.contains("POST /api/apps/v2/jscode2session") && !text.contains("/sns/"),
        "{text}"
    );
    assert!(
        text.contains("Douyin") && !text.contains("WeChat"),
        "{text}"
    );
}

#[test]
fn platform_options_on_the_wrong_platform_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (text, field) in [
        (
            user_flow("wechat", "wx5e1ec0de5e55a001")
                .replace("wx = \"login\"\n", "wx = \"login\"\nuserid = \"lisi\"\n"),
            "`userid`",
        ),
        (
            user_flow("qq", "1112223334")
                .replace("wx = \"login\"\n", "wx = \"login\"\nanonymous = true\n"),
            "`anonymous`",
        ),
        (user_flow("weibo", "wx5e1ec0de5e55a001"), "`platform`"),
    ] {
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, &text).unwrap();
        let out = assert_cmd::Command::cargo_bin("wxlogin")
            .unwrap()
            .arg("simulate")
            .arg(&path)
            .args(["--mock-port", "1"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains(field), "{stderr}");
    }
}

//! Control routes under `/mock/` that play the client's part (`wx.login`, `wx.getUserInfo`,
//! the phone button) and steer the mock (faults, journal, reset). JSON in, JSON out, 4xx on error.

use std::borrow::Cow;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State as Ext;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Mock;
use super::client::UserInfoCapture;
use super::faults::{Fault, MAX_FAULTS, MAX_LATENCY_MS, ROUTES};
use super::profile::Profile;
use super::reply::{self, BODY_LIMIT, Note, Refusal, json, refused};
use super::state::{CodeKey, User, code_str, key_bytes, lock, now_ms};
use super::wechat::full_phone_number;
use crate::core::crypto;
use crate::core::model::{PhoneInfo, UserInfo, Watermark};

type Shared = Ext<Arc<Mock>>;

/// Reads the body within the limit; the refusal says whether it was too large or cut off.
async fn body_bytes(body: Body) -> Result<Bytes, Refusal> {
    axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        Refusal::new(
            413,
            47001,
            format!(
                "request body larger than {} KiB or cut off",
                BODY_LIMIT / 1024
            ),
        )
    })
}

fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, Refusal> {
    serde_json::from_slice(bytes)
        .map_err(|e| Refusal::new(400, 47001, format!("body is not the JSON expected: {e}")))
}

/// The app named in a control request: 41002 when missing, 40013 when unknown.
fn app_of(mock: &Mock, appid: Option<&str>) -> Result<usize, Refusal> {
    let appid = appid
        .filter(|a| !a.is_empty())
        .ok_or_else(|| Refusal::new(400, 41002, "appid missing"))?;
    mock.state.app(appid).ok_or_else(|| {
        Refusal::new(
            400,
            40013,
            format!("invalid appid: the mock knows {}", known_apps(mock)),
        )
    })
}

fn known_apps(mock: &Mock) -> String {
    let ids: Vec<&str> = mock.state.apps.iter().map(|a| a.appid.as_str()).collect();
    ids.join(", ")
}

/// An id the caller chose (openid, unionid): printable, no spaces, at most 64 characters.
fn checked_id<'a>(name: &str, value: Option<&'a str>) -> Result<Option<&'a str>, Refusal> {
    match value {
        None => Ok(None),
        Some(v) if !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(v))
        }
        Some(_) => Err(Refusal::new(
            400,
            40003,
            format!("invalid {name}: 1 to 64 printable ASCII characters"),
        )),
    }
}

fn existing_user(mock: &Mock, app: usize, openid: Option<&str>) -> Result<Arc<User>, Refusal> {
    let openid = openid
        .filter(|o| !o.is_empty())
        .ok_or_else(|| Refusal::new(400, 41009, "openid missing"))?;
    mock.state.user(app, openid).ok_or_else(|| {
        Refusal::new(
            404,
            40003,
            format!("unknown openid {openid} for this appid: POST /mock/login first"),
        )
    })
}

#[derive(Deserialize)]
struct LoginRequest<'a> {
    #[serde(borrow)]
    appid: Option<Cow<'a, str>>,
    #[serde(borrow)]
    openid: Option<Cow<'a, str>>,
    #[serde(borrow)]
    unionid: Option<Cow<'a, str>>,
}

#[derive(Serialize)]
struct LoginReply<'a> {
    code: &'a str,
    openid: &'a str,
    expires_in: u64,
}

/// What `wx.login` does on WeChat's side, for the HTTP route and the in-process client alike:
/// the user (made on first sight) gets a new session_key at once, and a new code.
pub(crate) fn login_user(
    mock: &Mock,
    appid: Option<&str>,
    openid: Option<&str>,
    unionid: Option<&str>,
) -> Result<(Arc<User>, CodeKey), Refusal> {
    let app = app_of(mock, appid)?;
    let openid = checked_id("openid", openid)?;
    let unionid = checked_id("unionid", unionid)?;
    let user = mock.state.user_or_new(app, openid, unionid);
    let code = mock.state.login(&user).map_err(codes_full)?;
    Ok((user, code))
}

/// The refusal of a login when `--max-codes` codes are kept and all are still valid.
pub(crate) fn codes_full(errcode: i64) -> Refusal {
    Refusal::new(
        429,
        errcode,
        "the mock holds --max-codes codes and every one is still valid: exchange or let some \
         expire, or start the mock with a larger --max-codes",
    )
}

/// `POST /mock/login {"appid","openid"?,"unionid"?}`: what `wx.login` does. The user's
/// session_key changes at once, so a key obtained before this call is stale from now on.
pub(crate) async fn login(Ext(mock): Shared, body: Body) -> Response {
    let bytes = match body_bytes(body).await {
        Ok(b) => b,
        Err(r) => return reply::closing(refused(r, Note::default())),
    };
    let mut note = Note::body(&bytes);
    let result = parse::<LoginRequest>(&bytes).and_then(|req| {
        login_user(
            &mock,
            req.appid.as_deref(),
            req.openid.as_deref(),
            req.unionid.as_deref(),
        )
    });
    match result {
        Ok((user, code)) => {
            let reply = LoginReply {
                code: code_str(&code),
                openid: &user.openid,
                expires_in: mock.state.code_ttl_ms / 1000,
            };
            let body = serde_json::to_vec(&reply);
            note.user = Some(user);
            match body {
                Ok(body) => reply::json_bytes(StatusCode::OK, body, note),
                Err(_) => refused(Refusal::new(500, -1, "could not serialise"), note),
            }
        }
        Err(r) => refused(r, note),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserInfoRequest {
    pub appid: Option<String>,
    pub openid: Option<String>,
    pub user_info: Option<Value>,
    /// Signs the payload for another app, to reproduce a watermark mismatch.
    pub watermark_appid: Option<String>,
}

/// What `wx.getUserInfo({withCredentials: true})` returns for an existing user, signed and
/// encrypted with the user's current session_key.
pub(crate) fn user_info(
    mock: &Mock,
    req: UserInfoRequest,
) -> Result<(Arc<User>, UserInfoCapture), Refusal> {
    let app = app_of(mock, req.appid.as_deref())?;
    let user = existing_user(mock, app, req.openid.as_deref())?;
    let (profile, session_key) = {
        let mut data = lock(&user.data);
        let profile = data.profile_or(|| Profile::generate(&mock.state.entropy));
        if let Some(given) = &req.user_info {
            profile.merge(given)?;
        }
        let profile = profile.clone();
        (profile, data.session_key())
    };
    mock.state.touch();
    let appid = req
        .watermark_appid
        .unwrap_or_else(|| mock.state.apps[app].appid.clone());
    let capture = sign_and_encrypt(mock, &user, profile, &session_key, appid)?;
    Ok((user, capture))
}

/// `POST /mock/userinfo {"appid","openid","userInfo"?}`: what `wx.getUserInfo` returns,
/// signed and encrypted with the user's current session_key.
pub(crate) async fn userinfo(Ext(mock): Shared, body: Body) -> Response {
    let bytes = match body_bytes(body).await {
        Ok(b) => b,
        Err(r) => return reply::closing(refused(r, Note::default())),
    };
    let mut note = Note::body(&bytes);
    match parse::<UserInfoRequest>(&bytes).and_then(|req| user_info(&mock, req)) {
        Ok((user, c)) => {
            let reply = json!({
                "errMsg": "getUserInfo:ok",
                "rawData": c.raw_data,
                "signature": c.signature,
                "encryptedData": c.encrypted_data,
                "iv": c.iv,
                "userInfo": c.user_info,
            });
            note.user = Some(user);
            json(StatusCode::OK, &reply, note)
        }
        Err(r) => refused(r, note),
    }
}

fn sign_and_encrypt(
    mock: &Mock,
    user: &User,
    profile: Profile,
    session_key: &[u8; 24],
    appid: String,
) -> Result<UserInfoCapture, Refusal> {
    let internal = |_| Refusal::new(500, -1, "could not serialise the payload");
    let raw_data = serde_json::to_string(&profile).map_err(internal)?;
    let signature = crypto::sign_raw_data(raw_data.as_bytes(), session_key);
    let plain = UserInfo {
        open_id: user.openid.to_string(),
        nick_name: profile.nick_name.clone(),
        gender: profile.gender,
        language: profile.language.clone(),
        city: profile.city.clone(),
        province: profile.province.clone(),
        country: profile.country.clone(),
        avatar_url: profile.avatar_url.clone(),
        union_id: lock(&user.data).unionid().map(String::from),
        watermark: Watermark {
            appid,
            timestamp: (now_ms() / 1000) as i64,
        },
    };
    let plaintext = serde_json::to_vec(&plain).map_err(internal)?;
    let (encrypted_data, iv) = encrypt(mock, session_key, &plaintext);
    Ok(UserInfoCapture {
        raw_data,
        signature: String::from_utf8_lossy(&signature).into_owned(),
        encrypted_data,
        iv,
        user_info: profile,
    })
}

/// AES-128-CBC under the session_key with a fresh iv; both returned as base64 text.
fn encrypt(mock: &Mock, session_key: &[u8; 24], plaintext: &[u8]) -> (String, String) {
    let key = key_bytes(session_key);
    let iv = mock.state.entropy.iv();
    let ct = crypto::encrypt(&key, &iv, plaintext);
    (STANDARD.encode(ct), STANDARD.encode(iv))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PhoneRequest {
    pub appid: Option<String>,
    pub openid: Option<String>,
    pub phone_number: Option<String>,
    pub country_code: Option<String>,
}

/// What the phone button gives a mini program.
pub(crate) struct PhoneCapture {
    pub code: CodeKey,
    pub encrypted_data: String,
    pub iv: String,
}

/// The phone button for an existing user: a single-use code for getuserphonenumber, and the
/// older encryptedData/iv pair under the current session_key.
pub(crate) fn phone_number(
    mock: &Mock,
    req: PhoneRequest,
) -> Result<(Arc<User>, PhoneCapture), Refusal> {
    let app = app_of(mock, req.appid.as_deref())?;
    let user = existing_user(mock, app, req.openid.as_deref())?;
    let country = req.country_code.unwrap_or_else(|| "86".to_string());
    if country.is_empty() || country.len() > 4 || !country.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::new(
            400,
            47001,
            "countryCode must be 1 to 4 digits",
        ));
    }
    if let Some(p) = &req.phone_number
        && (p.is_empty() || p.len() > 20 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Refusal::new(
            400,
            47001,
            "phoneNumber must be 1 to 20 digits, without the country code",
        ));
    }
    let (pure, session_key) = {
        let mut data = lock(&user.data);
        let pure = match req.phone_number {
            Some(p) => p,
            None => match data.phone() {
                Some(p) => p.to_string(),
                None => format!("13{:09}", mock.state.entropy.below(1_000_000_000)),
            },
        };
        data.set_phone(&pure);
        (pure, data.session_key())
    };
    let plain = PhoneInfo {
        phone_number: full_phone_number(&pure, &country),
        pure_phone_number: pure.clone(),
        country_code: country.clone(),
        watermark: Watermark {
            appid: mock.state.apps[app].appid.clone(),
            timestamp: (now_ms() / 1000) as i64,
        },
    };
    let plaintext = serde_json::to_vec(&plain)
        .map_err(|_| Refusal::new(500, -1, "could not serialise the payload"))?;
    let (encrypted_data, iv) = encrypt(mock, &session_key, &plaintext);
    let code = mock
        .state
        .issue_phone_code(&user, pure, country)
        .map_err(codes_full)?;
    Ok((
        user,
        PhoneCapture {
            code,
            encrypted_data,
            iv,
        },
    ))
}

/// `POST /mock/phonenumber {"appid","openid","phoneNumber"?,"countryCode"?}`: what the phone
/// button gives: a code for getuserphonenumber, and the older encryptedData/iv pair.
pub(crate) async fn phonenumber(Ext(mock): Shared, body: Body) -> Response {
    let bytes = match body_bytes(body).await {
        Ok(b) => b,
        Err(r) => return reply::closing(refused(r, Note::default())),
    };
    let mut note = Note::body(&bytes);
    match parse::<PhoneRequest>(&bytes).and_then(|req| phone_number(&mock, req)) {
        Ok((user, c)) => {
            let reply = json!({
                "errMsg": "getPhoneNumber:ok",
                "code": code_str(&c.code),
                "encryptedData": c.encrypted_data,
                "iv": c.iv,
            });
            note.user = Some(user);
            json(StatusCode::OK, &reply, note)
        }
        Err(r) => refused(r, note),
    }
}

#[derive(Deserialize)]
struct FaultRequest {
    #[serde(default)]
    clear: bool,
}

/// `POST /mock/faults {"route","errcode"?,"errmsg"?,"latency_ms"?,"count"?}` adds a fault;
/// `{"clear":true}` removes them all. Answers the faults now set.
pub(crate) async fn faults(Ext(mock): Shared, body: Body) -> Response {
    let bytes = match body_bytes(body).await {
        Ok(b) => b,
        Err(r) => return reply::closing(refused(r, Note::default())),
    };
    let note = Note::body(&bytes);
    let result = (|| -> Result<_, Refusal> {
        let req: FaultRequest = parse(&bytes)?;
        if req.clear {
            mock.faults.clear();
            return Ok(());
        }
        // Parsed on its own, not flattened into an Option: a value out of range (a count past
        // u32, an errcode past i64) is then named, not taken for a missing fault.
        let fault: Fault = parse(&bytes)?;
        if !fault.route_is_known() {
            let mut names: Vec<&str> = Vec::new();
            for name in ROUTES.iter().map(|p| p.rsplit('/').next().unwrap_or(p)) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            return Err(Refusal::new(
                400,
                47001,
                format!(
                    "unknown route {:?}: give one of {}, its path, or \"*\"",
                    fault.route,
                    names.join(", ")
                ),
            ));
        }
        if fault.errcode.is_none() && fault.latency_ms == 0 && !fault.errcode_as_string {
            return Err(Refusal::new(400, 47001, "give errcode and/or latency_ms"));
        }
        if fault.latency_ms > MAX_LATENCY_MS || fault.count == 0 {
            return Err(Refusal::new(
                400,
                47001,
                format!("latency_ms is at most {MAX_LATENCY_MS}, count at least 1"),
            ));
        }
        if !mock.faults.add(fault) {
            return Err(Refusal::new(
                400,
                47001,
                format!(
                    "{MAX_FAULTS} faults are already set: let some fire, or remove them with {{\"clear\": true}}"
                ),
            ));
        }
        Ok(())
    })();
    match result {
        Ok(()) => json(StatusCode::OK, &faults_doc(&mock), note),
        Err(r) => refused(r, note),
    }
}

/// `GET /mock/faults`: the faults now set.
pub(crate) async fn list_faults(Ext(mock): Shared) -> Response {
    json(StatusCode::OK, &faults_doc(&mock), Note::default())
}

/// `{"faults": [...]}`, plus `"delaying": [{"route", "latency_ms"}]` while requests wait out a
/// latency fault (one whose count is spent is no longer in `faults`).
fn faults_doc(mock: &super::Mock) -> serde_json::Value {
    let mut doc = json!({"faults": mock.faults.list()});
    let delaying = mock.faults.delaying();
    if !delaying.is_empty() {
        doc["delaying"] = json!(delaying);
    }
    doc
}

/// `GET /mock/journal[?since=SEQ]`: the requests seen (those after seq SEQ), oldest first,
/// secrets masked, with the `generation` (resets so far) and the `last_seq` to ask after next.
pub(crate) async fn journal(Ext(mock): Shared, uri: Uri) -> Response {
    let [since] = reply::take(uri.query().unwrap_or(""), ["since"]);
    let after = match since.as_deref().map(str::parse::<u64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            let r = Refusal::new(400, 47001, "since must be a journal seq (a whole number)");
            return refused(r, Note::default());
        }
    };
    let (cursor, entries) = mock.journal.since(&mock.state, after);
    let mut body = json!({
        "capacity": mock.journal.capacity(),
        "dropped": mock.journal.dropped(),
        "generation": cursor.generation,
        "last_seq": cursor.last_seq,
        "entries": entries,
    });
    if let Some(failures) = &mock.tls_failures {
        body["tls_failures"] = json!(failures.list());
    }
    json(StatusCode::OK, &body, Note::default())
}

/// `GET /mock/stats`: what the mock keeps against its limits, what it let go to stay within
/// them, and what saving `--state` costs. Not itself journaled, so it can be polled.
pub(crate) async fn stats(Ext(mock): Shared) -> Response {
    let state = &mock.state;
    let (anonymous, named) = state.user_kinds();
    let (journal_len, cursor) = mock.journal.len_and_cursor();
    let phone_codes = lock(&state.phone_codes).len();
    let tokens = lock(&state.tokens).by_token.len();
    let limits = state.limits;
    let saves = &mock.saves;
    let get = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    let body = json!({
        "users": state.user_count(),
        "anonymous_users": anonymous,
        "named_users": named,
        "codes": state.code_count(),
        "phone_codes": phone_codes,
        "tokens": tokens,
        "family": mock.variants.sizes(),
        "limits": {
            "max_users": limits.max_users,
            "max_codes": limits.max_codes,
            "journal_size": limits.journal_size,
        },
        "evicted": state.evicted.counts(),
        "journal": {
            "size": journal_len,
            "capacity": mock.journal.capacity(),
            "dropped": mock.journal.dropped(),
            "last_seq": cursor.last_seq,
            "generation": cursor.generation,
        },
        "generation": cursor.generation,
        "epoch": state.epoch,
        "log_lines_dropped": mock.log.as_ref().map_or(0, |l| l.dropped()),
        "state_file": {
            "saves": get(&saves.saves),
            "last_bytes": get(&saves.last_bytes),
            "last_copy_us": get(&saves.last_copy_us),
            "last_total_us": get(&saves.last_total_us),
            "total_us": get(&saves.total_us),
        },
    });
    json(StatusCode::OK, &body, Note::default())
}

/// `POST /mock/reset`: forgets users, codes, tokens, faults and the journal; apps stay.
pub(crate) async fn reset(Ext(mock): Shared) -> Response {
    mock.state.reset();
    mock.faults.clear();
    mock.journal.clear();
    if let Some(failures) = &mock.tls_failures {
        failures.clear();
    }
    json(StatusCode::OK, &json!({"ok": true}), Note::default())
}

/// `GET /mock/apps`: the mock's apps with their secrets. These are the mock's own made-up test
/// secrets, on its loopback control plane: a tool driving a backend (`simulate --mock URL`)
/// reads the secret here instead of being told it again.
pub(crate) async fn apps(Ext(mock): Shared) -> Response {
    let apps: Vec<Value> = mock
        .state
        .apps
        .iter()
        .map(|a| json!({"appid": a.appid, "secret": a.secret}))
        .collect();
    json(StatusCode::OK, &json!({"apps": apps}), Note::default())
}

pub(crate) async fn method_not_allowed() -> Response {
    let r = Refusal::new(405, 43002, "method not allowed on this control route");
    refused(r, Note::default())
}

//! The rest of the family on the mock: WeChat's third-party platform (component), WeCom and
//! Douyin routes and client actions, and each route's content type as clients observe it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State as Ext;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Mock;
use super::bounds::Evictions;
use super::persist::{
    AnonCodeSnap, FamilyTokenSnap, MemberSnap, OwnerSnap, TicketSnap, VariantsSnap,
};
use super::reply::Refusal;
use super::reply::{self, BODY_LIMIT, Note, json, refused, take, wechat_error};
use super::state::{CodeKey, State, User, code_str, is_key_text, lock, now_ms};
use crate::core::crypto;
use crate::core::errcode::Lang;
use crate::core::platform::Platform;

type Shared = Ext<Arc<Mock>>;

/// A component access token, like WeChat's, lives two hours.
const TOKEN_TTL_MS: u64 = 7_200_000;

/// What `--component`, `--wecom` and `--douyin` declare.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VariantConfig {
    /// Third-party platforms: (component appid, secret, the appids authorised; empty: all).
    pub components: Vec<(String, String, Vec<String>)>,
    /// WeCom corps: (corpid, corpsecret, the mini program appid its app is bound to).
    pub wecom: Vec<(String, String, String)>,
    /// Douyin mini programs: (appid, secret); the mock knows them as apps too.
    pub douyin: Vec<(String, String)>,
}

impl VariantConfig {
    /// `--component APPID:SECRET[:APPID,APPID…]`, `--wecom CORPID:CORPSECRET:APPID`,
    /// `--douyin APPID:SECRET`. Errors never echo the secret.
    pub fn parse(
        components: &[String],
        wecom: &[String],
        douyin: &[String],
    ) -> Result<VariantConfig, crate::core::Error> {
        let usage = |flag: &str, shape: &str| {
            crate::core::Error::usage(
                format!("{flag} wants {shape}, with no part empty"),
                format!(
                    "e.g. {flag} {}",
                    shape.replace("SECRET", "0123456789abcdef")
                ),
            )
        };
        let mut cfg = VariantConfig::default();
        for spec in components {
            let mut parts = spec.splitn(3, ':');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(id), Some(secret), apps) if !id.is_empty() && !secret.is_empty() => {
                    let apps = apps
                        .map(|a| {
                            a.split(',')
                                .filter(|s| !s.is_empty())
                                .map(String::from)
                                .collect()
                        })
                        .unwrap_or_default();
                    cfg.components
                        .push((id.to_string(), secret.to_string(), apps));
                }
                _ => return Err(usage("--component", "APPID:SECRET")),
            }
        }
        for spec in wecom {
            let mut parts = spec.splitn(3, ':');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(corp), Some(secret), Some(app))
                    if !corp.is_empty() && !secret.is_empty() && !app.is_empty() =>
                {
                    cfg.wecom
                        .push((corp.to_string(), secret.to_string(), app.to_string()));
                }
                _ => return Err(usage("--wecom", "CORPID:CORPSECRET:APPID")),
            }
        }
        for spec in douyin {
            match spec.split_once(':') {
                Some((id, secret)) if !id.is_empty() && !secret.is_empty() => {
                    cfg.douyin.push((id.to_string(), secret.to_string()));
                }
                _ => return Err(usage("--douyin", "APPID:SECRET")),
            }
        }
        Ok(cfg)
    }
}

struct Component {
    appid: String,
    secret: String,
    /// App indices authorised to this platform.
    apps: Vec<usize>,
    /// The current verify ticket and the one it replaced (now expired).
    ticket: Mutex<(String, Option<String>)>,
}

struct Corp {
    corpid: String,
    secret: String,
    /// The mini program its self-built app is bound to; `None` when that appid is unknown.
    app: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Owner {
    Component(usize),
    Corp(usize),
}

struct AnonCode {
    app: usize,
    anonymous_openid: String,
    session_key: [u8; 24],
    issued_ms: u64,
    used: bool,
}

/// The variants' part of the mock's memory; `--state` keeps it by appid, corpid and component
/// appid ([`Variants::snapshot`], [`Variants::restore`]).
#[derive(Default)]
pub(crate) struct Variants {
    components: Vec<Component>,
    corps: Vec<Corp>,
    douyin: Vec<usize>,
    tokens: Mutex<HashMap<String, (Owner, u64)>>,
    /// (corp, userid, app) → the mock user standing for that member in that mini program.
    members: Mutex<HashMap<(usize, String, usize), Arc<User>>>,
    /// (app, openid) → (corp, userid): who a WeCom code was issued to.
    member_of: Mutex<HashMap<(usize, String), (usize, String)>>,
    anonymous: Mutex<HashMap<String, AnonCode>>,
}

impl Variants {
    /// Resolves the declared appids against the mock's apps (Douyin apps are among them).
    pub(crate) fn new(cfg: &VariantConfig, mock_state: &super::state::State) -> Variants {
        let wechat_apps: Vec<usize> = (0..mock_state.apps.len())
            .filter(|i| {
                !cfg.douyin
                    .iter()
                    .any(|(d, _)| *d == mock_state.apps[*i].appid)
            })
            .collect();
        let components = cfg
            .components
            .iter()
            .map(|(appid, secret, only)| Component {
                appid: appid.clone(),
                secret: secret.clone(),
                apps: if only.is_empty() {
                    wechat_apps.clone()
                } else {
                    only.iter().filter_map(|a| mock_state.app(a)).collect()
                },
                ticket: Mutex::new((new_ticket(mock_state), None)),
            })
            .collect();
        let corps = cfg
            .wecom
            .iter()
            .map(|(corpid, secret, appid)| Corp {
                corpid: corpid.clone(),
                secret: secret.clone(),
                app: mock_state.app(appid),
            })
            .collect();
        let douyin = cfg
            .douyin
            .iter()
            .filter_map(|(a, _)| mock_state.app(a))
            .collect();
        Variants {
            components,
            corps,
            douyin,
            ..Variants::default()
        }
    }

    /// Whether the app was declared with `--douyin` (its appid is unknown to WeChat's routes).
    pub(crate) fn is_douyin_app(&self, app: usize) -> bool {
        self.douyin.contains(&app)
    }

    fn issue_token(&self, mock: &Mock, owner: Owner) -> String {
        let token = mock.state.entropy.access_token();
        let now = now_ms();
        let max = mock.state.limits.max_codes.max(1);
        let mut tokens = lock(&self.tokens);
        if tokens.len() >= max {
            tokens.retain(|_, (_, expires)| *expires > now);
        }
        if tokens.len() >= max {
            // Every kept token is still valid: the sixteenth that expires soonest goes, so the
            // next sweep is many logins away (a sweep per token would be quadratic under load).
            let before = tokens.len();
            let mut expiries: Vec<u64> = tokens.values().map(|(_, e)| *e).collect();
            let nth = before / 16;
            let (_, cut, _) = expiries.select_nth_unstable(nth);
            let cut = *cut;
            tokens.retain(|_, (_, expires)| *expires > cut);
            Evictions::add(&mock.state.evicted.tokens, (before - tokens.len()) as u64);
        }
        tokens.insert(token.clone(), (owner, now + TOKEN_TTL_MS));
        drop(tokens);
        mock.state.touch();
        token
    }

    /// A copy for `--state`: under each lock only clones of what is kept, names looked up after.
    /// Expired anonymous codes would be refused anyway: they are not written.
    pub(crate) fn snapshot(&self, state: &State) -> VariantsSnap {
        let appid = |i: usize| state.apps[i].appid.clone();
        let corpid = |i: usize| self.corps[i].corpid.clone();
        let tickets = self
            .components
            .iter()
            .map(|c| {
                let (ticket, previous) = lock(&c.ticket).clone();
                TicketSnap {
                    component_appid: c.appid.clone(),
                    ticket,
                    previous,
                }
            })
            .collect();
        let kept: Vec<(String, Owner, u64)> = lock(&self.tokens)
            .iter()
            .map(|(t, (owner, expires))| (t.clone(), *owner, *expires))
            .collect();
        let tokens = kept
            .into_iter()
            .map(|(token, owner, expires_ms)| FamilyTokenSnap {
                token,
                owner: match owner {
                    Owner::Component(i) => OwnerSnap::Component(self.components[i].appid.clone()),
                    Owner::Corp(i) => OwnerSnap::Corp(corpid(i)),
                },
                expires_ms,
            })
            .collect();
        let kept: Vec<(usize, String, usize, Arc<User>)> = lock(&self.members)
            .iter()
            .map(|((corp, userid, app), user)| (*corp, userid.clone(), *app, user.clone()))
            .collect();
        let members = kept
            .into_iter()
            .map(|(corp, userid, app, user)| MemberSnap {
                corpid: corpid(corp),
                userid,
                appid: appid(app),
                openid: user.openid.to_string(),
            })
            .collect();
        let kept: Vec<(usize, String, usize, String)> = lock(&self.member_of)
            .iter()
            .map(|((app, openid), (corp, userid))| (*app, openid.clone(), *corp, userid.clone()))
            .collect();
        let member_of = kept
            .into_iter()
            .map(|(app, openid, corp, userid)| MemberSnap {
                corpid: corpid(corp),
                userid,
                appid: appid(app),
                openid,
            })
            .collect();
        let (now, ttl) = (now_ms(), state.code_ttl_ms);
        let anonymous_codes = lock(&self.anonymous)
            .iter()
            .filter(|(_, c)| now < c.issued_ms.saturating_add(ttl))
            .map(|(code, c)| AnonCodeSnap {
                code: code.clone(),
                appid: appid(c.app),
                anonymous_openid: c.anonymous_openid.clone(),
                session_key: String::from_utf8_lossy(&c.session_key).into_owned(),
                issued_ms: c.issued_ms,
                used: c.used,
            })
            .collect();
        VariantsSnap {
            tickets,
            tokens,
            members,
            member_of,
            anonymous_codes,
        }
    }

    /// Puts a saved copy back into variants just built from the configuration. Entries whose
    /// component, corp or Douyin app is no longer configured are left out, as are members whose
    /// user the state no longer keeps; the bounds hold (`--max-codes` for tokens and anonymous
    /// codes, `--max-users` for members). Returns how many entries were left out because
    /// something is no longer configured, and what (names only, never a secret).
    pub(crate) fn restore(&self, state: &State, snap: VariantsSnap) -> (usize, Vec<String>) {
        let mut left_out = 0usize;
        let mut gone: Vec<String> = Vec::new();
        let mut missing = |what: String| {
            left_out += 1;
            if !gone.contains(&what) {
                gone.push(what);
            }
        };
        let component = |id: &str| self.components.iter().position(|c| c.appid == id);
        let corp = |id: &str| self.corps.iter().position(|c| c.corpid == id);
        for t in snap.tickets {
            match component(&t.component_appid) {
                Some(i) => *lock(&self.components[i].ticket) = (t.ticket, t.previous),
                None => missing(format!("component {}", t.component_appid)),
            }
        }
        let max_codes = state.limits.max_codes.max(1);
        let mut tokens = Vec::with_capacity(snap.tokens.len().min(max_codes));
        for t in snap.tokens {
            let owner = match &t.owner {
                OwnerSnap::Component(id) => component(id).map(Owner::Component),
                OwnerSnap::Corp(id) => corp(id).map(Owner::Corp),
            };
            match owner {
                Some(owner) => tokens.push((t.token, owner, t.expires_ms)),
                None => missing(match t.owner {
                    OwnerSnap::Component(id) => format!("component {id}"),
                    OwnerSnap::Corp(id) => format!("corp {id}"),
                }),
            }
        }
        // Past the bound, the soonest-expiring go, as when a token is issued.
        if tokens.len() > max_codes {
            tokens.sort_unstable_by_key(|t| std::cmp::Reverse(t.2));
            tokens.truncate(max_codes);
        }
        lock(&self.tokens).extend(tokens.into_iter().map(|(t, o, e)| (t, (o, e))));
        let mut members = lock(&self.members);
        for m in snap.members {
            let (Some(c), Some(app)) = (corp(&m.corpid), state.app(&m.appid)) else {
                missing(format!("corp {}", m.corpid));
                continue;
            };
            // Only a member whose user is still kept: the same user, not a copy of it.
            if let Some(user) = state.user(app, &m.openid) {
                members.insert((c, m.userid, app), user);
            }
        }
        drop(members);
        let mut member_of = lock(&self.member_of);
        for m in snap.member_of {
            let (Some(c), Some(app)) = (corp(&m.corpid), state.app(&m.appid)) else {
                missing(format!("corp {}", m.corpid));
                continue;
            };
            member_of.insert((app, m.openid), (c, m.userid));
        }
        drop(member_of);
        self.bound_members(state);
        let (now, ttl) = (now_ms(), state.code_ttl_ms);
        let mut codes = Vec::new();
        for c in snap.anonymous_codes {
            let Some(app) = state.app(&c.appid).filter(|a| self.douyin.contains(a)) else {
                missing(format!("douyin app {}", c.appid));
                continue;
            };
            let Ok(key) = <[u8; 24]>::try_from(c.session_key.as_bytes()) else {
                continue;
            };
            if !is_key_text(&key) || now >= c.issued_ms.saturating_add(ttl) {
                continue;
            }
            let entry = AnonCode {
                app,
                anonymous_openid: c.anonymous_openid,
                session_key: key,
                issued_ms: c.issued_ms,
                used: c.used,
            };
            codes.push((c.code, entry));
        }
        // Past the bound, used codes go first, then the oldest: as few valid ones as can be.
        if codes.len() > max_codes {
            codes.sort_unstable_by_key(|(_, c)| (c.used, std::cmp::Reverse(c.issued_ms)));
            codes.truncate(max_codes);
        }
        lock(&self.anonymous).extend(codes);
        (left_out, gone)
    }

    /// What the family's routes keep, for `GET /mock/stats`.
    pub(crate) fn sizes(&self) -> Value {
        json!({
            "wecom_members": lock(&self.members).len(),
            "anonymous_codes": lock(&self.anonymous).len(),
            "tokens": lock(&self.tokens).len(),
        })
    }

    /// Keeps the WeCom maps to members whose mock user is still kept: the state bounds its
    /// users (`--max-users`), so past that many plus a sixteenth, the let-go ones leave here too.
    fn bound_members(&self, state: &State) {
        let max = state.limits.max_users.max(1);
        let slack = max + max / 16 + 1;
        let kept = |app: usize, openid: &str, user: Option<&Arc<User>>| {
            state
                .user(app, openid)
                .is_some_and(|u| user.is_none_or(|user| Arc::ptr_eq(&u, user)))
        };
        let mut members = lock(&self.members);
        if members.len() >= slack {
            let before = members.len();
            members.retain(|_, u| kept(u.app, &u.openid, Some(u)));
            Evictions::add(
                &state.evicted.wecom_members,
                (before - members.len()) as u64,
            );
        }
        drop(members);
        let mut member_of = lock(&self.member_of);
        if member_of.len() >= slack {
            member_of.retain(|(app, openid), _| kept(*app, openid, None));
        }
    }

    /// 41001 missing, 40001 (WeChat) / 40014 (WeCom) unknown or not the caller's kind, 42001 expired.
    fn check_token(&self, token: Option<&str>, unknown: i64) -> Result<Owner, i64> {
        let token = token.filter(|t| !t.is_empty()).ok_or(41001)?;
        match lock(&self.tokens).get(token) {
            None => Err(unknown),
            Some((_, expires)) if *expires <= now_ms() => Err(42001),
            Some((owner, _)) => Ok(*owner),
        }
    }
}

fn new_ticket(state: &super::state::State) -> String {
    format!("ticket@@@{}", state.entropy.string(64, ALNUM_DASH))
}

const ALNUM_DASH: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Douyin's routes: answers in Douyin's own shape.
pub(crate) fn is_douyin(path: &str) -> bool {
    path == "/api/apps/v2/jscode2session"
}

/// The Content-Type each platform sends: WeChat's `/sns/` routes `text/plain` (a backend
/// insisting on application/json fails here as in production), WeCom and Douyin `charset`.
fn content_type(path: &str) -> Option<&'static str> {
    if path.starts_with("/sns/") {
        Some("text/plain")
    } else if path.starts_with("/cgi-bin/gettoken") || path.starts_with("/cgi-bin/miniprogram/") {
        Some("application/json; charset=UTF-8")
    } else if is_douyin(path) {
        Some("application/json; charset=utf-8")
    } else {
        None
    }
}

/// The last touch on every platform answer: its content type, and with the
/// `errcode_as_string` fault the errcode (or err_no) as a numeric string.
pub(crate) async fn dress(path: &str, errcode_as_string: bool, mut response: Response) -> Response {
    if path.starts_with("/mock/") {
        return response;
    }
    if let Some(kind) = content_type(path) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    }
    if !errcode_as_string {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    for field in ["errcode", "err_no"] {
        if let Some(Value::Number(n)) = map.get(field) {
            let text = n.to_string();
            map.insert(field.to_string(), Value::String(text));
        }
    }
    let out = serde_json::to_vec(&map).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// An injected errcode on a Douyin route, in Douyin's shape.
pub(crate) fn fault_reply(mock: &Mock, path: &str, errcode: i64, errmsg: Option<&str>) -> Response {
    if is_douyin(path) {
        return douyin_error(mock, errcode, errmsg, Note::default());
    }
    match errmsg {
        Some(text) => reply::wechat_error_text(&mock.state, errcode, text, Note::default()),
        None => wechat_error(&mock.state, errcode, Note::default()),
    }
}

/// WeChat's error answer, with the component codes' own errmsg.
fn component_error(mock: &Mock, errcode: i64, note: Note) -> Response {
    let text = match errcode {
        61003 => "component is not authorized by this account",
        61005 => "component ticket is expired",
        61006 => "component ticket is invalid",
        61011 => "invalid component",
        _ => return wechat_error(&mock.state, errcode, note),
    };
    reply::wechat_error_text(&mock.state, errcode, text, note)
}

fn empty_is_none(v: Option<std::borrow::Cow<'_, str>>) -> Option<std::borrow::Cow<'_, str>> {
    v.filter(|s| !s.is_empty())
}

async fn body_bytes(body: Body) -> Option<Bytes> {
    axum::body::to_bytes(body, BODY_LIMIT).await.ok()
}

/// The app's user for a redeemable code, without spending it: to refuse a code for another
/// mini program or corp with the right errcode before it is used up.
fn peek_code(mock: &Mock, code: &str) -> Option<Arc<User>> {
    let key = CodeKey::try_from(code.as_bytes()).ok()?;
    mock.state
        .codes
        .of(&key)
        .get(&key)
        .map(|entry| entry.user.clone())
}

fn session_reply(user: &User, note_user: Arc<User>) -> Response {
    let (key, unionid) = {
        let data = lock(&user.data);
        (data.session_key(), data.unionid().map(String::from))
    };
    let mut body = json!({
        "openid": user.openid,
        "session_key": std::str::from_utf8(&key).unwrap_or(""),
    });
    if let Some(unionid) = unionid {
        body["unionid"] = json!(unionid);
    }
    let note = Note {
        user: Some(note_user),
        ..Note::default()
    };
    json(StatusCode::OK, &body, note)
}

// ---- third-party platform -------------------------------------------------------------

#[derive(Deserialize)]
struct ComponentTokenRequest {
    component_appid: Option<String>,
    component_appsecret: Option<String>,
    component_verify_ticket: Option<String>,
}

/// `POST /cgi-bin/component/api_component_token` with `{component_appid,
/// component_appsecret, component_verify_ticket}` → `{component_access_token, expires_in}`.
pub(crate) async fn component_token(Ext(mock): Shared, body: Body) -> Response {
    let Some(bytes) = body_bytes(body).await else {
        return reply::closing(wechat_error(&mock.state, 47001, Note::default()));
    };
    let note = Note::body(&bytes);
    let Ok(req) = serde_json::from_slice::<ComponentTokenRequest>(&bytes) else {
        return wechat_error(&mock.state, 47001, note);
    };
    let v = &mock.variants;
    let checked = (|| {
        let appid = req.component_appid.filter(|s| !s.is_empty()).ok_or(41002)?;
        let secret = req
            .component_appsecret
            .filter(|s| !s.is_empty())
            .ok_or(41004)?;
        let index = v
            .components
            .iter()
            .position(|c| c.appid == appid)
            .ok_or(61011)?;
        let component = &v.components[index];
        if !crypto::ct_eq(component.secret.as_bytes(), secret.as_bytes()) {
            return Err(40001);
        }
        let ticket = req
            .component_verify_ticket
            .filter(|s| !s.is_empty())
            .ok_or(61006)?;
        let (current, previous) = lock(&component.ticket).clone();
        if crypto::ct_eq(current.as_bytes(), ticket.as_bytes()) {
            Ok(index)
        } else if previous.is_some_and(|p| p == ticket) {
            Err(61005)
        } else {
            Err(61006)
        }
    })();
    match checked {
        Ok(index) => {
            let token = v.issue_token(&mock, Owner::Component(index));
            let body = json!({
                "component_access_token": token,
                "expires_in": TOKEN_TTL_MS / 1000,
            });
            json(StatusCode::OK, &body, note)
        }
        Err(code) => component_error(&mock, code, note),
    }
}

/// `GET /sns/component/jscode2session?appid&js_code&grant_type&component_appid&component_access_token`
pub(crate) async fn component_jscode2session(Ext(mock): Shared, uri: Uri) -> Response {
    let [appid, code, grant, component_appid, token] = take(
        uri.query().unwrap_or(""),
        [
            "appid",
            "js_code",
            "grant_type",
            "component_appid",
            "component_access_token",
        ],
    );
    let state = &mock.state;
    let v = &mock.variants;
    let checked = (|| {
        let appid = empty_is_none(appid).ok_or(41002)?;
        let component_appid = empty_is_none(component_appid).ok_or(41002)?;
        let owner = v.check_token(token.as_deref(), 40001)?;
        let index = match owner {
            Owner::Component(i) if v.components[i].appid == component_appid => i,
            _ => return Err(40001),
        };
        let code = empty_is_none(code).ok_or(41008)?;
        if grant.is_some_and(|g| g != "authorization_code") {
            return Err(40002);
        }
        let app = state.app(&appid).ok_or(40013)?;
        if !v.components[index].apps.contains(&app) {
            return Err(61003);
        }
        state.redeem(app, &code)
    })();
    match checked {
        Ok(user) => session_reply(&user, user.clone()),
        Err(code) => component_error(&mock, code, Note::default()),
    }
}

/// `GET /mock/component_verify_ticket[?component_appid]`: the ticket WeChat would push to
/// the platform's callback; `POST` pushes a new one (the old one then answers 61005).
pub(crate) async fn verify_ticket(Ext(mock): Shared, uri: Uri) -> Response {
    match component_of(&mock, &uri) {
        Ok(c) => {
            let ticket = lock(&c.ticket).0.clone();
            ticket_reply(c, ticket)
        }
        Err(r) => refused(r, Note::default()),
    }
}

pub(crate) async fn push_verify_ticket(Ext(mock): Shared, uri: Uri) -> Response {
    match component_of(&mock, &uri) {
        Ok(c) => {
            let fresh = new_ticket(&mock.state);
            let mut slot = lock(&c.ticket);
            let old = std::mem::replace(&mut slot.0, fresh.clone());
            slot.1 = Some(old);
            drop(slot);
            mock.state.touch();
            ticket_reply(c, fresh)
        }
        Err(r) => refused(r, Note::default()),
    }
}

fn ticket_reply(c: &Component, ticket: String) -> Response {
    let body = json!({
        "component_appid": c.appid,
        "component_verify_ticket": ticket,
    });
    json(StatusCode::OK, &body, Note::default())
}

fn component_of<'a>(mock: &'a Mock, uri: &Uri) -> Result<&'a Component, Refusal> {
    let [wanted] = take(uri.query().unwrap_or(""), ["component_appid"]);
    let list = &mock.variants.components;
    let found = match empty_is_none(wanted) {
        Some(id) => list.iter().find(|c| c.appid == id),
        None => list.first(),
    };
    found.ok_or_else(|| {
        Refusal::new(
            404,
            61011,
            "no such third-party platform: start the mock with --component APPID:SECRET",
        )
    })
}

// ---- WeCom ----------------------------------------------------------------------------

/// WeCom's `GET /cgi-bin/gettoken?corpid&corpsecret`.
pub(crate) async fn wecom_gettoken(Ext(mock): Shared, uri: Uri) -> Response {
    let [corpid, secret] = take(uri.query().unwrap_or(""), ["corpid", "corpsecret"]);
    let v = &mock.variants;
    let checked = (|| {
        let corpid = empty_is_none(corpid).ok_or(41002)?;
        let secret = empty_is_none(secret).ok_or(41004)?;
        let index = v
            .corps
            .iter()
            .position(|c| c.corpid == corpid)
            .ok_or(40013)?;
        if !crypto::ct_eq(v.corps[index].secret.as_bytes(), secret.as_bytes()) {
            return Err(40001);
        }
        Ok(index)
    })();
    match checked {
        Ok(index) => {
            let token = v.issue_token(&mock, Owner::Corp(index));
            let body = json!({
                "errcode": 0,
                "errmsg": "ok",
                "access_token": token,
                "expires_in": TOKEN_TTL_MS / 1000,
            });
            json(StatusCode::OK, &body, Note::default())
        }
        Err(code) => wecom_error(&mock, code, Note::default()),
    }
}

/// WeCom's `GET /cgi-bin/miniprogram/jscode2session?access_token&js_code&grant_type`.
pub(crate) async fn wecom_jscode2session(Ext(mock): Shared, uri: Uri) -> Response {
    let [token, code, grant] = take(
        uri.query().unwrap_or(""),
        ["access_token", "js_code", "grant_type"],
    );
    let v = &mock.variants;
    let checked = (|| {
        let corp = match v.check_token(token.as_deref(), 40014)? {
            Owner::Corp(i) => i,
            Owner::Component(_) => return Err(40014),
        };
        let code = empty_is_none(code).ok_or(41008)?;
        if grant.is_some_and(|g| g != "authorization_code") {
            return Err(40002);
        }
        let user = peek_code(&mock, &code).ok_or(40029)?;
        if v.corps[corp].app != Some(user.app) {
            return Err(48002);
        }
        let member = lock(&v.member_of)
            .get(&(user.app, user.openid.to_string()))
            .cloned();
        let userid = match member {
            Some((c, userid)) if c == corp => userid,
            _ => return Err(40029),
        };
        let user = mock.state.redeem(user.app, &code)?;
        Ok((corp, userid, user))
    })();
    match checked {
        Ok((corp, userid, user)) => {
            let key = lock(&user.data).session_key();
            let body = json!({
                "errcode": 0,
                "errmsg": "ok",
                "corpid": v.corps[corp].corpid,
                "userid": userid,
                "session_key": std::str::from_utf8(&key).unwrap_or(""),
            });
            let note = Note {
                user: Some(user),
                ..Note::default()
            };
            json(StatusCode::OK, &body, note)
        }
        Err(code) => wecom_error(&mock, code, Note::default()),
    }
}

/// WeCom's error shape: errmsg with a hint link, as qyapi answers.
fn wecom_error(mock: &Mock, errcode: i64, mut note: Note) -> Response {
    note.errcode = errcode;
    let (meaning, _) = Platform::Wecom.explain(errcode, Lang::En);
    let meaning = meaning.trim_start_matches("WeCom: ");
    let body = json!({
        "errcode": errcode,
        "errmsg": format!(
            "{meaning}, hint: [{}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}",
            mock.state.rid()
        ),
    });
    json(StatusCode::OK, &body, note)
}

// ---- Douyin ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct DouyinRequest {
    appid: Option<String>,
    secret: Option<String>,
    code: Option<String>,
    anonymous_code: Option<String>,
}

fn douyin_tips(err_no: i64) -> &'static str {
    match err_no {
        0 => "success",
        -1 => "系统错误",
        40014 => "参数错误",
        40015 => "appid 错误",
        40017 => "secret 错误",
        40018 => "code 错误",
        40019 => "acode 错误",
        _ => "mock injected error",
    }
}

fn log_id(mock: &Mock) -> String {
    format!(
        "{}{}",
        now_ms(),
        mock.state.entropy.hex(18).to_ascii_uppercase()
    )
}

fn douyin_error(mock: &Mock, err_no: i64, tips: Option<&str>, mut note: Note) -> Response {
    note.errcode = err_no;
    let body = json!({
        "err_no": err_no,
        "err_tips": tips.unwrap_or(douyin_tips(err_no)),
        "log_id": log_id(mock),
        "data": {"session_key": "", "openid": "", "anonymous_openid": "", "unionid": ""},
    });
    json(StatusCode::OK, &body, note)
}

/// Douyin's `POST /api/apps/v2/jscode2session` with `{appid, secret, code | anonymous_code}`.
pub(crate) async fn douyin_jscode2session(Ext(mock): Shared, body: Body) -> Response {
    let Some(bytes) = body_bytes(body).await else {
        return reply::closing(douyin_error(&mock, 40014, None, Note::default()));
    };
    let note = Note::body(&bytes);
    let Ok(req) = serde_json::from_slice::<DouyinRequest>(&bytes) else {
        return douyin_error(&mock, 40014, None, note);
    };
    let state = &mock.state;
    let v = &mock.variants;
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let checked = (|| {
        let appid = nonempty(req.appid).ok_or(40014)?;
        let secret = nonempty(req.secret).ok_or(40014)?;
        let (code, anonymous) = (nonempty(req.code), nonempty(req.anonymous_code));
        if code.is_none() && anonymous.is_none() {
            return Err(40014);
        }
        let app = state
            .app(&appid)
            .filter(|a| v.douyin.contains(a))
            .ok_or(40015)?;
        if !crypto::ct_eq(state.apps[app].secret.as_bytes(), secret.as_bytes()) {
            return Err(40017);
        }
        if let Some(code) = code {
            let user = state.redeem(app, &code).map_err(|_| 40018)?;
            let (key, unionid) = {
                let data = lock(&user.data);
                (data.session_key(), data.unionid().map(String::from))
            };
            let data = json!({
                "session_key": std::str::from_utf8(&key).unwrap_or(""),
                "openid": user.openid,
                "anonymous_openid": "",
                "unionid": unionid.unwrap_or_default(),
            });
            return Ok((data, Some(user)));
        }
        let anonymous = anonymous.unwrap_or_default();
        let mut codes = lock(&v.anonymous);
        let entry = codes
            .get_mut(&anonymous)
            .filter(|e| e.app == app && now_ms() < e.issued_ms.saturating_add(state.code_ttl_ms))
            .ok_or(40019)?;
        if entry.used {
            return Err(40019);
        }
        entry.used = true;
        state.touch();
        let data = json!({
            "session_key": std::str::from_utf8(&entry.session_key).unwrap_or(""),
            "openid": "",
            "anonymous_openid": entry.anonymous_openid,
            "unionid": "",
        });
        Ok((data, None))
    })();
    match checked {
        Ok((data, user)) => {
            let body = json!({
                "err_no": 0,
                "err_tips": "success",
                "log_id": log_id(&mock),
                "data": data,
            });
            let note = Note { user, ..note };
            json(StatusCode::OK, &body, note)
        }
        Err(err_no) => douyin_error(&mock, err_no, None, note),
    }
}

// ---- the client's part ----------------------------------------------------------------

#[derive(Deserialize)]
struct VariantLogin {
    appid: Option<String>,
    corpid: Option<String>,
    userid: Option<String>,
    #[serde(default)]
    anonymous: bool,
}

/// `POST /mock/login`: `{"appid","corpid","userid"}` is `wx.qy.login` in WeCom, `{"appid",
/// "anonymous":true}` an anonymous `tt.login`; anything else is WeChat's `wx.login`.
pub(crate) async fn login(ext: Shared, body: Body) -> Response {
    let mock = ext.0.clone();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            let r = Refusal::new(413, 47001, "request body too large or cut off");
            return reply::closing(refused(r, Note::default()));
        }
    };
    // A body that cannot name a corp or ask for anonymity (no such key, no escape that could
    // spell one) is WeChat's login: parsed once, by that route, instead of twice.
    static KEYS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 2]> =
        std::sync::LazyLock::new(|| {
            [
                memchr::memmem::Finder::new(b"corpid"),
                memchr::memmem::Finder::new(b"anonymous"),
            ]
        });
    let plain = memchr::memchr(b'\\', &bytes).is_none()
        && KEYS.iter().all(|key| key.find(&bytes).is_none());
    let parsed = if plain {
        None
    } else {
        serde_json::from_slice::<VariantLogin>(&bytes).ok()
    };
    match parsed {
        Some(req) if req.corpid.is_some() => wecom_login(&mock, req, &bytes),
        Some(req) if req.anonymous => anonymous_login(&mock, req, &bytes),
        _ => super::control::login(ext, Body::from(bytes)).await,
    }
}

fn wecom_login(mock: &Mock, req: VariantLogin, bytes: &Bytes) -> Response {
    let mut note = Note::body(bytes);
    let v = &mock.variants;
    let result = (|| {
        let corpid = req.corpid.unwrap_or_default();
        let corp = v
            .corps
            .iter()
            .position(|c| c.corpid == corpid)
            .ok_or_else(|| {
                Refusal::new(
                    400,
                    40013,
                    format!("invalid corpid {corpid:?}: start the mock with --wecom CORPID:CORPSECRET:APPID"),
                )
            })?;
        let userid = req
            .userid
            .filter(|u| !u.is_empty() && u.len() <= 64 && u.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                Refusal::new(400, 47001, "userid: 1 to 64 printable ASCII characters")
            })?;
        let app = match req.appid.filter(|a| !a.is_empty()) {
            Some(appid) => mock
                .state
                .app(&appid)
                .ok_or_else(|| Refusal::new(400, 40013, format!("invalid appid {appid:?}")))?,
            None => v.corps[corp].app.ok_or_else(|| {
                Refusal::new(
                    400,
                    40013,
                    "the corp's mini program is not one of the mock's apps",
                )
            })?,
        };
        let user = {
            let mut members = lock(&v.members);
            members
                .entry((corp, userid.clone(), app))
                .or_insert_with(|| mock.state.user_or_new(app, None, None))
                .clone()
        };
        lock(&v.member_of).insert((app, user.openid.to_string()), (corp, userid.clone()));
        v.bound_members(&mock.state);
        mock.state.touch();
        let code = mock
            .state
            .login(&user)
            .map_err(super::control::codes_full)?;
        Ok((corp, userid, user, code))
    })();
    match result {
        Ok((corp, userid, user, code)) => {
            let body = json!({
                "code": code_str(&code),
                "corpid": v.corps[corp].corpid,
                "userid": userid,
                "appid": mock.state.apps[user.app].appid,
                "openid": user.openid,
                "expires_in": mock.state.code_ttl_ms / 1000,
            });
            note.user = Some(user);
            json(StatusCode::OK, &body, note)
        }
        Err(r) => refused(r, note),
    }
}

fn anonymous_login(mock: &Mock, req: VariantLogin, bytes: &Bytes) -> Response {
    let note = Note::body(bytes);
    let state = &mock.state;
    let v = &mock.variants;
    let appid = req.appid.unwrap_or_default();
    let Some(app) = state.app(&appid).filter(|a| v.douyin.contains(a)) else {
        let r = Refusal::new(
            400,
            40015,
            format!(
                "anonymous login is Douyin's: {appid:?} is not declared with --douyin APPID:SECRET"
            ),
        );
        return refused(r, note);
    };
    let mut codes = lock(&v.anonymous);
    if codes.len() >= state.limits.max_codes.max(1) {
        // As for wx.login: used and expired codes make room, a valid code is never let go.
        let (now, ttl, before) = (now_ms(), state.code_ttl_ms, codes.len());
        let used = codes.values().filter(|c| c.used).count();
        codes.retain(|_, c| !c.used && now < c.issued_ms.saturating_add(ttl));
        Evictions::add(&state.evicted.used_codes, used as u64);
        Evictions::add(
            &state.evicted.expired_codes,
            (before - used - codes.len()) as u64,
        );
        if codes.len() >= state.limits.max_codes.max(1) {
            Evictions::add(&state.evicted.refused_logins, 1);
            return refused(super::control::codes_full(45011), note);
        }
    }
    let code = code_str(&state.entropy.code()).to_string();
    let anonymous_openid = state.entropy.openid();
    codes.insert(
        code.clone(),
        AnonCode {
            app,
            anonymous_openid: anonymous_openid.clone(),
            session_key: state.entropy.session_key(),
            issued_ms: now_ms(),
            used: false,
        },
    );
    drop(codes);
    state.touch();
    let body = json!({
        "anonymous_code": code,
        "code": code,
        "anonymous_openid": anonymous_openid,
        "expires_in": state.code_ttl_ms / 1000,
    });
    json(StatusCode::OK, &body, note)
}

/// Drops anonymous codes past their life.
pub(crate) fn sweep(mock: &Mock) {
    let now = now_ms();
    let ttl = mock.state.code_ttl_ms;
    lock(&mock.variants.anonymous).retain(|_, c| now < c.issued_ms.saturating_add(ttl));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::bounds::Limits;
    use crate::mock::persist;
    use crate::mock::state::{App, Entropy};

    const KEY: &[u8; 24] = b"tiihtNczf5v6AKRyjwEUhQ==";

    fn config(with_corp: bool) -> VariantConfig {
        VariantConfig {
            components: vec![("wxcomp".into(), "cs".into(), vec![])],
            wecom: if with_corp {
                vec![("wwcorp".into(), "ws".into(), "wxapp".into())]
            } else {
                vec![]
            },
            douyin: vec![("ttapp".into(), "ds".into())],
        }
    }

    fn state(epoch: u64) -> State {
        let app = |id: &str| App {
            appid: id.into(),
            secret: "s".into(),
            unionid: false,
        };
        let apps = vec![app("wxapp"), app("ttapp")];
        let entropy = Entropy::new(Some(4), epoch);
        State::new(apps, Some(4), epoch, entropy, 60_000, Limits::default())
    }

    /// A mock's memory written as the state file is, read back into a fresh state and
    /// variants built from `cfg`.
    fn round_trip(s: &State, v: &Variants, cfg: &VariantConfig) -> (State, Variants, usize) {
        let mut snap = persist::snapshot(s);
        snap.variants = Some(v.snapshot(s));
        let text = serde_json::to_vec(&snap).unwrap();
        let mut back: persist::Snapshot = serde_json::from_slice(&text).unwrap();
        let family = back.variants.take().unwrap();
        let s2 = state(1);
        persist::restore(&s2, back);
        let v2 = Variants::new(cfg, &s2);
        let (left_out, _) = v2.restore(&s2, family);
        (s2, v2, left_out)
    }

    #[test]
    fn state_file_keeps_the_variants_memory_by_name() {
        let cfg = config(true);
        let s = state(0);
        let v = Variants::new(&cfg, &s);
        *lock(&v.components[0].ticket) = ("ticket@@@now".into(), Some("ticket@@@old".into()));
        let far = now_ms() + TOKEN_TTL_MS;
        lock(&v.tokens).insert("ctok".into(), (Owner::Component(0), far));
        lock(&v.tokens).insert("wtok".into(), (Owner::Corp(0), far));
        let member = s.user_or_new(0, None, None);
        lock(&v.members).insert((0, "alice".into(), 0), member.clone());
        lock(&v.member_of).insert((0, member.openid.to_string()), (0, "alice".into()));
        let anon = |used: bool, issued_ms: u64| AnonCode {
            app: 1,
            anonymous_openid: "anon-openid".into(),
            session_key: *KEY,
            issued_ms,
            used,
        };
        let mut codes = lock(&v.anonymous);
        codes.insert("fresh".into(), anon(false, now_ms()));
        codes.insert("spent".into(), anon(true, now_ms()));
        codes.insert("stale".into(), anon(false, 0));
        drop(codes);

        let (s2, v2, left_out) = round_trip(&s, &v, &cfg);
        assert_eq!(left_out, 0);
        assert_eq!(
            *lock(&v2.components[0].ticket),
            ("ticket@@@now".to_string(), Some("ticket@@@old".to_string()))
        );
        assert_eq!(
            v2.check_token(Some("ctok"), 40001).ok(),
            Some(Owner::Component(0))
        );
        assert_eq!(
            v2.check_token(Some("wtok"), 40014).ok(),
            Some(Owner::Corp(0))
        );
        let restored = lock(&v2.members)
            .get(&(0, "alice".to_string(), 0))
            .cloned()
            .unwrap();
        let kept = s2.user(0, &member.openid).unwrap();
        assert!(Arc::ptr_eq(&restored, &kept), "the state's own user");
        assert_eq!(
            lock(&v2.member_of).get(&(0, member.openid.to_string())),
            Some(&(0, "alice".to_string()))
        );
        let codes = lock(&v2.anonymous);
        assert_eq!(codes.len(), 2, "the expired code is not written");
        assert!(!codes["fresh"].used && codes["spent"].used);
        assert_eq!(&codes["fresh"].session_key, KEY);
        assert_eq!(codes["fresh"].app, 1);
    }

    #[test]
    fn restore_leaves_out_what_is_no_longer_configured() {
        let s = state(0);
        let v = Variants::new(&config(true), &s);
        let far = now_ms() + TOKEN_TTL_MS;
        lock(&v.tokens).insert("wtok".into(), (Owner::Corp(0), far));
        lock(&v.tokens).insert("ctok".into(), (Owner::Component(0), far));
        let member = s.user_or_new(0, None, None);
        lock(&v.members).insert((0, "bob".into(), 0), member.clone());
        lock(&v.member_of).insert((0, member.openid.to_string()), (0, "bob".into()));

        let (_, v2, left_out) = round_trip(&s, &v, &config(false));
        assert_eq!(left_out, 3, "the corp's token, member and mapping");
        assert!(lock(&v2.members).is_empty() && lock(&v2.member_of).is_empty());
        assert_eq!(v2.check_token(Some("wtok"), 40014), Err(40014));
        assert!(v2.check_token(Some("ctok"), 40001).is_ok());
    }

    #[test]
    fn a_state_file_without_the_variants_restores_nothing_of_them() {
        let s = state(0);
        let v = Variants::new(&config(true), &s);
        let ticket = lock(&v.components[0].ticket).0.clone();
        let snap = v.snapshot(&s);
        assert_eq!(snap.tickets[0].ticket, ticket);
        let old: persist::Snapshot =
            serde_json::from_str(r#"{"format":1,"epoch":3,"apps":[],"users":[],"codes":[],"phone_codes":[],"tokens":[]}"#)
                .unwrap();
        assert!(old.variants.is_none());
        assert_eq!(old.epoch, 3);
    }
}

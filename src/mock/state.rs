//! The mock's memory: apps, users and their current session_key, codes and access tokens.
//! Short std locks in shards, never held across an await.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub(crate) use super::entropy::{CodeKey, Entropy};
use super::profile::Profile;
pub(crate) use super::shards::lock;
use super::shards::{FastMap, Sharded};

pub(crate) const TOKEN_TTL_MS: u64 = 7_200_000;
/// WeChat keeps the previous access_token valid for five minutes after a new one is issued.
const TOKEN_OVERLAP_MS: u64 = 300_000;

pub(crate) use crate::core::clock::unix_ms as now_ms;

pub(crate) struct App {
    pub appid: String,
    pub secret: String,
    /// Bound to an open-platform account: jscode2session and payloads carry a unionid.
    pub unionid: bool,
}

pub(crate) struct User {
    pub app: usize,
    pub openid: String,
    pub unionid: Option<String>,
    pub data: Mutex<UserData>,
}

pub(crate) struct UserData {
    /// The base64 text of the current key: always 24 ASCII characters, kept inline.
    pub session_key: [u8; 24],
    pub profile: Option<Profile>,
    pub phone: Option<String>,
}

impl UserData {
    pub(crate) fn session_key_str(&self) -> &str {
        std::str::from_utf8(&self.session_key).unwrap_or("")
    }
}

/// The 16 key bytes of a session_key's base64 text.
pub(crate) fn key_bytes(text: &[u8; 24]) -> [u8; 16] {
    let mut out = [0u8; 16];
    let mut buf = [0u8; 18];
    if let Ok(16) = STANDARD.decode_slice(text, &mut buf) {
        out.copy_from_slice(&buf[..16]);
    }
    out
}

pub(crate) struct CodeEntry {
    pub user: Arc<User>,
    pub issued_ms: u64,
    pub used: bool,
}

pub(crate) struct PhoneCode {
    pub user: Arc<User>,
    pub phone: String,
    pub country_code: String,
    pub issued_ms: u64,
    pub used: bool,
}

pub(crate) struct TokenEntry {
    pub app: usize,
    pub expires_ms: u64,
    pub stable: bool,
}

#[derive(Default)]
pub(crate) struct Tokens {
    pub by_token: HashMap<String, TokenEntry>,
    /// Per app: the latest token of /cgi-bin/token and of /cgi-bin/stable_token.
    pub latest: HashMap<usize, String>,
    pub latest_stable: HashMap<usize, String>,
}

pub(crate) struct State {
    pub apps: Vec<App>,
    app_index: HashMap<String, usize>,
    pub users: Vec<Sharded<FastMap<String, Arc<User>>>>,
    pub codes: Sharded<FastMap<CodeKey, CodeEntry>>,
    pub phone_codes: Mutex<FastMap<CodeKey, PhoneCode>>,
    pub tokens: Mutex<Tokens>,
    pub entropy: Entropy,
    pub seed: Option<u64>,
    pub epoch: u64,
    pub code_ttl_ms: u64,
    /// Set by every change; the saver writes `--state` when it finds it set.
    pub dirty: AtomicBool,
    rid_counter: AtomicU64,
    /// Makes rids differ between runs (and stay reproducible with a seed).
    rid_salt: u64,
}

impl State {
    pub(crate) fn new(
        apps: Vec<App>,
        seed: Option<u64>,
        epoch: u64,
        entropy: Entropy,
        code_ttl_ms: u64,
    ) -> State {
        let app_index = apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.appid.clone(), i))
            .collect();
        let users = apps.iter().map(|_| Sharded::new()).collect();
        let mut salt = [0u8; 8];
        entropy.fill(&mut salt);
        State {
            apps,
            app_index,
            users,
            // Room for 128k codes up front: growing a big shard rehashes it under its lock,
            // a latency spike for every request waiting on that shard.
            codes: Sharded::with(|| FastMap::with_capacity_and_hasher(8192, Default::default())),
            phone_codes: Mutex::new(FastMap::default()),
            tokens: Mutex::new(Tokens::default()),
            entropy,
            seed,
            epoch,
            code_ttl_ms,
            dirty: AtomicBool::new(false),
            rid_counter: AtomicU64::new(0),
            rid_salt: u64::from_le_bytes(salt),
        }
    }

    pub(crate) fn app(&self, appid: &str) -> Option<usize> {
        self.app_index.get(appid).copied()
    }

    pub(crate) fn touch(&self) {
        if !self.dirty.load(Ordering::Relaxed) {
            self.dirty.store(true, Ordering::Relaxed);
        }
    }

    /// `6583f22d-35b1b023-4a6d02b6`: WeChat's request id shape (time, then two random words).
    pub(crate) fn rid(&self) -> String {
        let n = self.rid_counter.fetch_add(1, Ordering::Relaxed);
        let mix = (n ^ self.rid_salt).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mix = mix ^ (mix >> 29);
        format!(
            "{:08x}-{:08x}-{:08x}",
            (now_ms() / 1000) as u32,
            (mix >> 32) as u32,
            mix as u32
        )
    }

    pub(crate) fn user(&self, app: usize, openid: &str) -> Option<Arc<User>> {
        self.users
            .get(app)?
            .of(openid.as_bytes())
            .get(openid)
            .cloned()
    }

    fn new_user(&self, app: usize, openid: String, unionid: Option<String>) -> User {
        let unionid = match unionid {
            Some(u) => Some(u),
            None if self.apps[app].unionid => Some(self.entropy.openid()),
            None => None,
        };
        User {
            app,
            openid,
            unionid,
            data: Mutex::new(UserData {
                session_key: self.entropy.session_key(),
                profile: None,
                phone: None,
            }),
        }
    }

    /// The user with this openid, made on first sight; a fresh openid when none is given.
    pub(crate) fn user_or_new(
        &self,
        app: usize,
        openid: Option<&str>,
        unionid: Option<&str>,
    ) -> Arc<User> {
        let users = &self.users[app];
        if let Some(openid) = openid {
            let mut shard = users.of(openid.as_bytes());
            if let Some(u) = shard.get(openid) {
                return u.clone();
            }
            let user = Arc::new(self.new_user(app, openid.to_string(), unionid.map(String::from)));
            shard.insert(openid.to_string(), user.clone());
            return user;
        }
        loop {
            let openid = self.entropy.openid();
            let mut shard = users.of(openid.as_bytes());
            if shard.contains_key(&openid) {
                continue;
            }
            let user = Arc::new(self.new_user(app, openid.clone(), unionid.map(String::from)));
            shard.insert(openid, user.clone());
            return user;
        }
    }

    /// What `wx.login` does on WeChat's side: a new session_key at once, and a new code.
    pub(crate) fn login(&self, user: &Arc<User>) -> CodeKey {
        let key = self.entropy.session_key();
        lock(&user.data).session_key = key;
        let now = now_ms();
        loop {
            let code = self.entropy.code();
            let mut shard = self.codes.of(&code);
            if shard.contains_key(&code) {
                continue;
            }
            shard.insert(
                code,
                CodeEntry {
                    user: user.clone(),
                    issued_ms: now,
                    used: false,
                },
            );
            drop(shard);
            self.touch();
            return code;
        }
    }

    /// Redeems a code once: the first caller gets the user, every later one 40163.
    pub(crate) fn redeem(&self, app: usize, code: &str) -> Result<Arc<User>, i64> {
        let Ok(key) = CodeKey::try_from(code.as_bytes()) else {
            return Err(40029);
        };
        let now = now_ms();
        let mut shard = self.codes.of(&key);
        let Some(entry) = shard.get_mut(&key) else {
            return Err(40029);
        };
        if entry.user.app != app || now >= entry.issued_ms.saturating_add(self.code_ttl_ms) {
            return Err(40029);
        }
        if entry.used {
            return Err(40163);
        }
        entry.used = true;
        let user = entry.user.clone();
        drop(shard);
        self.touch();
        Ok(user)
    }

    pub(crate) fn rotate(&self, user: &User) -> [u8; 24] {
        let key = self.entropy.session_key();
        lock(&user.data).session_key = key;
        self.touch();
        key
    }

    pub(crate) fn issue_phone_code(
        &self,
        user: &Arc<User>,
        phone: String,
        country_code: String,
    ) -> CodeKey {
        let mut map = lock(&self.phone_codes);
        loop {
            let code = self.entropy.code();
            if map.contains_key(&code) {
                continue;
            }
            map.insert(
                code,
                PhoneCode {
                    user: user.clone(),
                    phone,
                    country_code,
                    issued_ms: now_ms(),
                    used: false,
                },
            );
            drop(map);
            self.touch();
            return code;
        }
    }

    /// Single use, bound to the app of the access_token, expiring like login codes.
    pub(crate) fn redeem_phone_code(
        &self,
        app: usize,
        code: &str,
    ) -> Result<(String, String), i64> {
        let Ok(key) = CodeKey::try_from(code.as_bytes()) else {
            return Err(40029);
        };
        let mut map = lock(&self.phone_codes);
        let Some(entry) = map.get_mut(&key) else {
            return Err(40029);
        };
        if entry.user.app != app || now_ms() >= entry.issued_ms.saturating_add(self.code_ttl_ms) {
            return Err(40029);
        }
        if entry.used {
            return Err(40163);
        }
        entry.used = true;
        let out = (entry.phone.clone(), entry.country_code.clone());
        drop(map);
        self.touch();
        Ok(out)
    }

    /// A new access_token (the previous one lives 5 more minutes), or with `stable`, the
    /// current stable token unless `force`. Returns the token and its `expires_in`.
    pub(crate) fn issue_token(&self, app: usize, stable: bool, force: bool) -> (String, u64) {
        let now = now_ms();
        let mut t = lock(&self.tokens);
        let t = &mut *t;
        let latest = if stable {
            &mut t.latest_stable
        } else {
            &mut t.latest
        };
        if let Some(prev) = latest.get(&app)
            && let Some(entry) = t.by_token.get_mut(prev)
        {
            if stable && !force && entry.expires_ms > now {
                return (prev.clone(), (entry.expires_ms - now) / 1000);
            }
            entry.expires_ms = if stable {
                now
            } else {
                entry.expires_ms.min(now + TOKEN_OVERLAP_MS)
            };
        }
        let token = loop {
            let candidate = self.entropy.access_token();
            if !t.by_token.contains_key(&candidate) {
                break candidate;
            }
        };
        t.by_token.insert(
            token.clone(),
            TokenEntry {
                app,
                expires_ms: now + TOKEN_TTL_MS,
                stable,
            },
        );
        latest.insert(app, token.clone());
        self.touch();
        (token, TOKEN_TTL_MS / 1000)
    }

    /// The app an access_token belongs to, or WeChat's errcode: 41001 missing, 40001
    /// unknown, 42001 expired.
    pub(crate) fn check_token(&self, token: Option<&str>) -> Result<usize, i64> {
        let token = match token {
            Some(t) if !t.is_empty() => t,
            _ => return Err(41001),
        };
        let t = lock(&self.tokens);
        match t.by_token.get(token) {
            None => Err(40001),
            Some(e) if e.expires_ms <= now_ms() => Err(42001),
            Some(e) => Ok(e.app),
        }
    }

    /// Drops codes and tokens past their life; they would be refused anyway.
    pub(crate) fn sweep(&self) {
        let now = now_ms();
        let ttl = self.code_ttl_ms;
        let mut removed = 0usize;
        for mut shard in self.codes.each() {
            let before = shard.len();
            shard.retain(|_, c| now < c.issued_ms.saturating_add(ttl));
            removed += before - shard.len();
        }
        {
            let mut phones = lock(&self.phone_codes);
            let before = phones.len();
            phones.retain(|_, c| now < c.issued_ms.saturating_add(ttl));
            removed += before - phones.len();
        }
        {
            let mut t = lock(&self.tokens);
            let before = t.by_token.len();
            t.by_token.retain(|_, e| e.expires_ms > now);
            removed += before - t.by_token.len();
        }
        if removed > 0 {
            self.touch();
        }
    }

    /// Forgets users, codes and tokens (apps stay) and restarts the seeded stream.
    pub(crate) fn reset(&self) {
        for users in &self.users {
            for mut shard in users.each() {
                shard.clear();
            }
        }
        for mut shard in self.codes.each() {
            shard.clear();
        }
        lock(&self.phone_codes).clear();
        *lock(&self.tokens) = Tokens::default();
        // Through the epoch, as at start: a reset after a restart must not replay epoch 0.
        self.entropy.reseed(self.seed, self.epoch);
        self.touch();
    }

    pub(crate) fn session_key_of(&self, app: usize, openid: &str) -> Option<String> {
        let user = self.user(app, openid)?;
        let data = lock(&user.data);
        Some(data.session_key_str().to_string())
    }

    pub(crate) fn restore_user(
        &self,
        app: usize,
        openid: String,
        unionid: Option<String>,
        session_key: [u8; 24],
        profile: Option<Profile>,
        phone: Option<String>,
    ) -> Arc<User> {
        let user = Arc::new(User {
            app,
            openid: openid.clone(),
            unionid,
            data: Mutex::new(UserData {
                session_key,
                profile,
                phone,
            }),
        });
        self.users[app]
            .of(openid.as_bytes())
            .insert(openid, user.clone());
        user
    }

    pub(crate) fn restore_code(&self, code: CodeKey, entry: CodeEntry) {
        self.codes.of(&code).insert(code, entry);
    }
}

pub(crate) fn code_str(code: &CodeKey) -> &str {
    std::str::from_utf8(code).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(seed: Option<u64>) -> State {
        state_at(seed, 0)
    }

    fn state_at(seed: Option<u64>, epoch: u64) -> State {
        let apps = vec![App {
            appid: "wxapp".into(),
            secret: "s".into(),
            unionid: true,
        }];
        State::new(apps, seed, epoch, Entropy::new(seed, epoch), 60_000)
    }

    #[test]
    fn reset_after_a_restart_reseeds_with_the_epoch_and_does_not_replay_epoch_zero() {
        let after_reset = |epoch| {
            let s = state_at(Some(7), epoch);
            s.user_or_new(0, None, None);
            s.reset();
            let u = s.user_or_new(0, None, None);
            (u.openid.clone(), s.login(&u))
        };
        assert_eq!(after_reset(3), after_reset(3), "still reproducible");
        assert_ne!(after_reset(3), after_reset(0), "epoch 0's codes replayed");
    }

    #[test]
    fn seeded_state_is_reproducible() {
        let (a, b) = (state(Some(7)), state(Some(7)));
        let ua = a.user_or_new(0, None, None);
        let ub = b.user_or_new(0, None, None);
        assert_eq!(ua.openid, ub.openid);
        assert_eq!(a.login(&ua), b.login(&ub));
        assert_ne!(state(Some(8)).user_or_new(0, None, None).openid, ua.openid);
    }

    #[test]
    fn a_code_is_redeemed_once_and_only_for_its_app() {
        let s = state(None);
        let u = s.user_or_new(0, Some("oUser"), None);
        let code = s.login(&u);
        assert_eq!(s.redeem(1, code_str(&code)).err(), Some(40029));
        assert!(s.redeem(0, code_str(&code)).is_ok());
        assert_eq!(s.redeem(0, code_str(&code)).err(), Some(40163));
        assert_eq!(s.redeem(0, "short").err(), Some(40029));
        assert!(u.unionid.is_some());
    }

    #[test]
    fn session_key_text_decodes_to_16_bytes() {
        let s = state(Some(1));
        let u = s.user_or_new(0, None, None);
        let data = lock(&u.data);
        assert_eq!(data.session_key_str().len(), 24);
        assert_eq!(
            STANDARD.decode(data.session_key_str()).unwrap(),
            key_bytes(&data.session_key)
        );
    }
}

//! The mock's memory: apps, users and their current session_key, codes and access tokens.
//! Short std locks in shards, never held across an await.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::bounds::{CodeShard, Evictions, Limits, UserOrder};
pub(crate) use super::entropy::{CodeKey, Entropy};
pub(crate) use super::id::Id;
use super::profile::Profile;
pub(crate) use super::shards::lock;
use super::shards::{FastMap, FastSet, Sharded};

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

/// A user of one app. Kept small (88 bytes with its `Arc`, in one allocation) since a busy
/// mock holds a hundred thousand: the openid inline, the key as its 16 bytes, and what few
/// users have (a unionid, a profile, a phone number) behind one pointer.
pub(crate) struct User {
    pub openid: Id,
    pub app: usize,
    pub data: Mutex<UserData>,
}

pub(crate) struct UserData {
    /// The current session_key's 16 bytes (its base64 text is made when asked for).
    key: [u8; 16],
    extra: Option<Box<Extra>>,
}

#[derive(Default)]
struct Extra {
    unionid: Option<Id>,
    profile: Option<Box<Profile>>,
    phone: Option<Box<str>>,
}

impl UserData {
    /// `session_key` is the base64 text of 16 bytes, as `Entropy::session_key` makes it.
    pub(crate) fn new(
        session_key: [u8; 24],
        unionid: Option<Id>,
        profile: Option<Profile>,
        phone: Option<String>,
    ) -> UserData {
        let extra = (unionid.is_some() || profile.is_some() || phone.is_some()).then(|| {
            Box::new(Extra {
                unionid,
                profile: profile.map(Box::new),
                phone: phone.map(String::into_boxed_str),
            })
        });
        UserData {
            key: key_bytes(&session_key),
            extra,
        }
    }

    /// The base64 text of the current key: always 24 ASCII characters.
    pub(crate) fn session_key(&self) -> [u8; 24] {
        let mut out = [0u8; 24];
        let _ = STANDARD.encode_slice(self.key, &mut out);
        out
    }

    pub(crate) fn set_session_key(&mut self, text: [u8; 24]) {
        self.key = key_bytes(&text);
    }

    #[cfg(test)]
    pub(crate) fn key(&self) -> [u8; 16] {
        self.key
    }

    pub(crate) fn unionid(&self) -> Option<&str> {
        self.extra.as_ref()?.unionid.as_deref()
    }

    pub(crate) fn profile(&self) -> Option<&Profile> {
        self.extra.as_ref()?.profile.as_deref()
    }

    /// The profile, made by `make` on first use.
    pub(crate) fn profile_or(&mut self, make: impl FnOnce() -> Profile) -> &mut Profile {
        self.extra
            .get_or_insert_with(Box::default)
            .profile
            .get_or_insert_with(|| Box::new(make()))
    }

    pub(crate) fn phone(&self) -> Option<&str> {
        self.extra.as_ref()?.phone.as_deref()
    }

    pub(crate) fn set_phone(&mut self, phone: &str) {
        self.extra.get_or_insert_with(Box::default).phone = Some(phone.into());
    }
}

/// A user in its app's map, found by its openid: the map keeps no second copy of it.
#[derive(Clone)]
pub(crate) struct ByOpenid(pub Arc<User>);

impl Borrow<str> for ByOpenid {
    fn borrow(&self) -> &str {
        self.0.openid.as_str()
    }
}

impl Hash for ByOpenid {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `str` hashes, so a lookup by `&str` finds it.
        self.0.openid.as_str().hash(state);
    }
}

impl PartialEq for ByOpenid {
    fn eq(&self, other: &Self) -> bool {
        self.0.openid == other.0.openid
    }
}

impl Eq for ByOpenid {}

/// Whether a session_key's text is the base64 of 16 bytes (what a state file must hold).
pub(crate) fn is_key_text(text: &[u8; 24]) -> bool {
    let mut buf = [0u8; 18];
    matches!(STANDARD.decode_slice(text, &mut buf), Ok(16))
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

/// A login code's user, when it was issued and whether it was redeemed, in 16 bytes.
pub(crate) struct CodeEntry {
    pub user: Arc<User>,
    /// `issued_ms`, with the top bit set once the code is redeemed.
    stamp: u64,
}

const USED: u64 = 1 << 63;

impl CodeEntry {
    pub(crate) fn new(user: Arc<User>, issued_ms: u64, used: bool) -> CodeEntry {
        let stamp = issued_ms.min(USED - 1) | if used { USED } else { 0 };
        CodeEntry { user, stamp }
    }

    pub(crate) fn issued_ms(&self) -> u64 {
        self.stamp & !USED
    }

    pub(crate) fn used(&self) -> bool {
        self.stamp & USED != 0
    }

    pub(crate) fn set_used(&mut self) {
        self.stamp |= USED;
    }
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
    pub users: Vec<Sharded<FastSet<ByOpenid>>>,
    pub codes: Sharded<CodeShard>,
    pub phone_codes: Mutex<FastMap<CodeKey, PhoneCode>>,
    pub tokens: Mutex<Tokens>,
    pub entropy: Entropy,
    pub seed: Option<u64>,
    pub epoch: u64,
    pub code_ttl_ms: u64,
    pub limits: Limits,
    pub evicted: Evictions,
    /// Codes kept, all shards together (kept apart so a login checks the limit without locks).
    code_count: AtomicUsize,
    user_count: AtomicUsize,
    user_order: Mutex<UserOrder>,
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
        limits: Limits,
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
            codes: Sharded::with(|| CodeShard::with_capacity(shard_capacity(limits.max_codes))),
            phone_codes: Mutex::new(FastMap::default()),
            tokens: Mutex::new(Tokens::default()),
            entropy,
            seed,
            epoch,
            code_ttl_ms,
            limits,
            evicted: Evictions::default(),
            code_count: AtomicUsize::new(0),
            user_count: AtomicUsize::new(0),
            user_order: Mutex::new(UserOrder::default()),
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
            .map(|u| u.0.clone())
    }

    fn new_user(&self, app: usize, openid: Id, unionid: Option<&str>) -> User {
        let unionid = match unionid {
            Some(u) => Some(Id::new(u)),
            None if self.apps[app].unionid => Some(Id::new(&self.entropy.openid())),
            None => None,
        };
        User {
            app,
            openid,
            data: Mutex::new(UserData::new(
                self.entropy.session_key(),
                unionid,
                None,
                None,
            )),
        }
    }

    /// The user with this openid, made on first sight; a fresh openid when none is given.
    /// Past `max_users`, the oldest anonymous user goes (then the oldest named one): a code
    /// already issued to it still redeems, since the code holds the user.
    pub(crate) fn user_or_new(
        &self,
        app: usize,
        openid: Option<&str>,
        unionid: Option<&str>,
    ) -> Arc<User> {
        let users = &self.users[app];
        let user = if let Some(openid) = openid {
            let mut shard = users.of(openid.as_bytes());
            if let Some(u) = shard.get(openid) {
                return u.0.clone();
            }
            let user = Arc::new(self.new_user(app, Id::new(openid), unionid));
            shard.insert(ByOpenid(user.clone()));
            user
        } else {
            loop {
                let openid = self.entropy.openid();
                let mut shard = users.of(openid.as_bytes());
                if shard.contains(openid.as_str()) {
                    continue;
                }
                let user = Arc::new(self.new_user(app, Id::new(&openid), unionid));
                shard.insert(ByOpenid(user.clone()));
                break user;
            }
        };
        self.added_user(&user, openid.is_none());
        user
    }

    /// Counts a user just put in its map, and lets the oldest go past the limit (taking each
    /// lock on its own: never a shard lock while holding the order).
    fn added_user(&self, user: &Arc<User>, anonymous: bool) {
        {
            let mut order = lock(&self.user_order);
            if anonymous {
                order.anonymous.push_back(user.clone());
            } else {
                order.named.push_back(user.clone());
            }
        }
        let mut count = self.user_count.fetch_add(1, Ordering::Relaxed) + 1;
        while count > self.limits.max_users.max(1) {
            let (oldest, counter) = {
                let mut order = lock(&self.user_order);
                match order.anonymous.pop_front() {
                    Some(u) => (u, &self.evicted.anonymous_users),
                    None => match order.named.pop_front() {
                        Some(u) => (u, &self.evicted.named_users),
                        None => break,
                    },
                }
            };
            let mut shard = self.users[oldest.app].of(oldest.openid.as_bytes());
            if shard
                .get(oldest.openid.as_str())
                .is_some_and(|u| Arc::ptr_eq(&u.0, &oldest))
            {
                shard.remove(oldest.openid.as_str());
                drop(shard);
                Evictions::add(counter, 1);
                count = self.user_count.fetch_sub(1, Ordering::Relaxed) - 1;
            }
        }
    }

    pub(crate) fn user_count(&self) -> usize {
        self.user_count.load(Ordering::Relaxed)
    }

    pub(crate) fn code_count(&self) -> usize {
        self.code_count.load(Ordering::Relaxed)
    }

    /// Anonymous users kept, named users kept.
    pub(crate) fn user_kinds(&self) -> (usize, usize) {
        let order = lock(&self.user_order);
        (order.anonymous.len(), order.named.len())
    }

    /// What `wx.login` does on WeChat's side: a new session_key at once, and a new code.
    /// With `max_codes` kept, used and expired codes make room; when every kept code is still
    /// valid the login is refused with 45011 (nothing changes), so no valid code is ever lost.
    pub(crate) fn login(&self, user: &Arc<User>) -> Result<CodeKey, i64> {
        let now = now_ms();
        if !self.room_for_code(now) {
            Evictions::add(&self.evicted.refused_logins, 1);
            return Err(45011);
        }
        let key = self.entropy.session_key();
        lock(&user.data).set_session_key(key);
        loop {
            let code = self.entropy.code();
            let mut shard = self.codes.of(&code);
            if !shard.insert_new(&code, || CodeEntry::new(user.clone(), now, false)) {
                continue;
            }
            drop(shard);
            self.code_count.fetch_add(1, Ordering::Relaxed);
            self.touch();
            return Ok(code);
        }
    }

    /// Whether one more code fits, evicting used then expired codes when it does not. Frees a
    /// sixteenth of the limit at once, so a full mock pays for a pass over the shards once per
    /// many logins rather than on each.
    fn room_for_code(&self, now: u64) -> bool {
        let max = self.limits.max_codes.max(1);
        if self.code_count() < max {
            return true;
        }
        let target = max - (max / 16).max(1);
        let mut freed = super::bounds::Freed::default();
        // Used codes of every shard before any expired one: they can never be redeemed again.
        // Each shard gives in proportion to its size, oldest first, so what goes is about the
        // oldest overall (a code redeemed a moment ago stays, to answer a replay with 40163).
        for only_used in [true, false] {
            let ttl = if only_used {
                u64::MAX
            } else {
                self.code_ttl_ms
            };
            loop {
                let count = self.code_count().max(1) as u64;
                let excess = count.saturating_sub(target as u64);
                let mut progress = 0;
                for mut shard in self.codes.each() {
                    let want = self.code_count().saturating_sub(target) as u64;
                    if want == 0 {
                        break;
                    }
                    let share = (shard.len() as u64 * excess).div_ceil(count).max(1);
                    let f = shard.evict(want.min(share), now, ttl);
                    drop(shard);
                    self.code_count
                        .fetch_sub(f.total() as usize, Ordering::Relaxed);
                    freed.used += f.used;
                    freed.expired += f.expired;
                    progress += f.total();
                }
                if progress == 0 || self.code_count() <= target {
                    break;
                }
            }
        }
        Evictions::add(&self.evicted.used_codes, freed.used);
        Evictions::add(&self.evicted.expired_codes, freed.expired);
        self.code_count() < max
    }

    /// Redeems a code once: the first caller gets the user, every later one 40163.
    pub(crate) fn redeem(&self, app: usize, code: &str) -> Result<Arc<User>, i64> {
        let Ok(key) = CodeKey::try_from(code.as_bytes()) else {
            return Err(40029);
        };
        let now = now_ms();
        let ttl = self.code_ttl_ms;
        let user = self.codes.of(&key).redeem(&key, |entry| {
            if entry.user.app != app || now >= entry.issued_ms().saturating_add(ttl) {
                return Err(40029);
            }
            Ok(())
        })?;
        self.touch();
        Ok(user)
    }

    pub(crate) fn rotate(&self, user: &User) -> [u8; 24] {
        let key = self.entropy.session_key();
        lock(&user.data).set_session_key(key);
        self.touch();
        key
    }

    pub(crate) fn issue_phone_code(
        &self,
        user: &Arc<User>,
        phone: String,
        country_code: String,
    ) -> Result<CodeKey, i64> {
        let mut map = lock(&self.phone_codes);
        if map.len() >= self.limits.max_codes.max(1) {
            // Rare (one phone code per button press): a scan, used and expired codes out.
            let (now, ttl) = (now_ms(), self.code_ttl_ms);
            let before = map.len();
            map.retain(|_, c| !c.used && now < c.issued_ms.saturating_add(ttl));
            Evictions::add(&self.evicted.phone_codes, (before - map.len()) as u64);
            if map.len() >= self.limits.max_codes.max(1) {
                return Err(45011);
            }
        }
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
            return Ok(code);
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
        if t.by_token.len() >= self.limits.max_codes.max(1) {
            // Superseded tokens (still in their overlap) go; each app's latest ones stay.
            let before = t.by_token.len();
            let (latest, stable) = (&t.latest, &t.latest_stable);
            t.by_token.retain(|token, e| {
                let of_kind = if e.stable { stable } else { latest };
                of_kind.get(&e.app) == Some(token)
            });
            Evictions::add(&self.evicted.tokens, (before - t.by_token.len()) as u64);
        }
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
            let swept = shard.sweep(now, ttl);
            drop(shard);
            self.code_count.fetch_sub(swept as usize, Ordering::Relaxed);
            Evictions::add(&self.evicted.expired_codes, swept);
            removed += swept as usize;
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
        *lock(&self.user_order) = UserOrder::default();
        self.user_count.store(0, Ordering::Relaxed);
        self.code_count.store(0, Ordering::Relaxed);
        self.evicted.clear();
        lock(&self.phone_codes).clear();
        *lock(&self.tokens) = Tokens::default();
        // Through the epoch, as at start: a reset after a restart must not replay epoch 0.
        self.entropy.reseed(self.seed, self.epoch);
        self.touch();
    }

    pub(crate) fn session_key_of(&self, app: usize, openid: &str) -> Option<String> {
        let user = self.user(app, openid)?;
        let key = lock(&user.data).session_key();
        Some(String::from_utf8_lossy(&key).into_owned())
    }

    /// Puts back a saved user (the first of an openid wins), counted like a new one.
    pub(crate) fn restore_user(&self, app: usize, saved: SavedUser) -> Arc<User> {
        let mut shard = self.users[app].of(saved.openid.as_bytes());
        if let Some(existing) = shard.get(saved.openid.as_str()) {
            return existing.0.clone();
        }
        let anonymous = saved.anonymous;
        let user = Arc::new(saved.into_user(app));
        shard.insert(ByOpenid(user.clone()));
        drop(shard);
        self.added_user(&user, anonymous);
        user
    }

    /// A saved user no longer kept, for the codes that still name it: in no map, not counted.
    pub(crate) fn detached_user(&self, app: usize, saved: SavedUser) -> Arc<User> {
        Arc::new(saved.into_user(app))
    }

    /// Every user kept, oldest first: anonymous ones, then named ones. Pointer copies under
    /// one short lock, so a snapshot does not hold up requests.
    pub(crate) fn users_in_order(&self) -> (Vec<Arc<User>>, Vec<Arc<User>>) {
        let order = lock(&self.user_order);
        (
            order.anonymous.iter().cloned().collect(),
            order.named.iter().cloned().collect(),
        )
    }

    /// Puts back a saved code; past `max_codes`, used and expired ones are let go first.
    pub(crate) fn restore_code(&self, code: CodeKey, entry: CodeEntry) {
        let _ = self.room_for_code(now_ms());
        let mut shard = self.codes.of(&code);
        if !shard.contains(&code) {
            shard.insert(code, entry);
            self.code_count.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A user as the state file keeps it.
pub(crate) struct SavedUser {
    pub openid: String,
    pub unionid: Option<String>,
    pub session_key: [u8; 24],
    pub profile: Option<Profile>,
    pub phone: Option<String>,
    pub anonymous: bool,
}

impl SavedUser {
    fn into_user(self, app: usize) -> User {
        User {
            app,
            openid: Id::new(&self.openid),
            data: Mutex::new(UserData::new(
                self.session_key,
                self.unionid.map(Id::from),
                self.profile,
                self.phone,
            )),
        }
    }
}

/// Codes one shard is made ready for: its share of `max_codes` and a margin for an uneven
/// spread (random codes differ from the mean by about its square root), at most what a
/// 16,384-slot table holds.
fn shard_capacity(max_codes: usize) -> usize {
    let share = max_codes / super::shards::SHARDS + 1;
    (share + share / 16 + 64).min(14_336)
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
        State::new(
            apps,
            seed,
            epoch,
            Entropy::new(seed, epoch),
            60_000,
            Limits::default(),
        )
    }

    #[test]
    fn reset_after_a_restart_reseeds_with_the_epoch_and_does_not_replay_epoch_zero() {
        let after_reset = |epoch| {
            let s = state_at(Some(7), epoch);
            s.user_or_new(0, None, None);
            s.reset();
            let u = s.user_or_new(0, None, None);
            (u.openid.clone(), s.login(&u).unwrap())
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
        assert_eq!(a.login(&ua).unwrap(), b.login(&ub).unwrap());
        assert_ne!(state(Some(8)).user_or_new(0, None, None).openid, ua.openid);
    }

    #[test]
    fn a_code_is_redeemed_once_and_only_for_its_app() {
        let s = state(None);
        let u = s.user_or_new(0, Some("oUser"), None);
        let code = s.login(&u).unwrap();
        assert_eq!(s.redeem(1, code_str(&code)).err(), Some(40029));
        assert!(s.redeem(0, code_str(&code)).is_ok());
        assert_eq!(s.redeem(0, code_str(&code)).err(), Some(40163));
        assert_eq!(s.redeem(0, "short").err(), Some(40029));
        assert!(lock(&u.data).unionid().is_some());
    }

    fn bounded(ttl_ms: u64, max_users: usize, max_codes: usize) -> State {
        let apps = vec![App {
            appid: "wxapp".into(),
            secret: "s".into(),
            unionid: false,
        }];
        let limits = Limits {
            max_users,
            max_codes,
            journal_size: 8,
        };
        State::new(apps, Some(3), 0, Entropy::new(Some(3), 0), ttl_ms, limits)
    }

    #[test]
    fn expired_codes_make_room_when_the_codes_are_full() {
        // A lifetime of 0: every code is expired as soon as it is issued.
        let s = bounded(0, 10, 3);
        let u = s.user_or_new(0, Some("oU"), None);
        for _ in 0..10 {
            s.login(&u).unwrap();
        }
        assert!(s.code_count() <= 3);
        let evicted = s.evicted.counts();
        assert_eq!(evicted.expired_codes, 7);
        assert_eq!((evicted.used_codes, evicted.refused_logins), (0, 0));
    }

    #[test]
    fn code_orders_stay_within_twice_the_codes_kept_under_a_long_run() {
        let s = bounded(60_000, 10, 64);
        let u = s.user_or_new(0, Some("oU"), None);
        for _ in 0..50_000 {
            let code = s.login(&u).unwrap();
            s.redeem(0, code_str(&code)).unwrap();
        }
        assert!(s.code_count() <= 64);
        for shard in s.codes.each() {
            assert!(shard.order_len() <= shard.len() * 2 + 64);
        }
    }

    #[test]
    fn soak_replay_of_a_code_just_redeemed_gets_40163_not_40029_when_codes_are_full() {
        let s = bounded(60_000, 10, 1600);
        let u = s.user_or_new(0, Some("oU"), None);
        let mut previous = None;
        for i in 0..20_000 {
            let code = s.login(&u).unwrap();
            if let Some(p) = previous {
                assert_eq!(
                    s.redeem(0, code_str(&p)).err(),
                    Some(40163),
                    "at {i}: {} kept, {} evicted",
                    s.code_count(),
                    s.evicted.counts().used_codes
                );
            }
            s.redeem(0, code_str(&code)).unwrap();
            previous = Some(code);
        }
        assert!(s.evicted.counts().used_codes > 10_000);
    }

    #[test]
    fn a_reset_forgets_the_counts_and_orders_too() {
        let s = bounded(60_000, 2, 2);
        for _ in 0..5 {
            let u = s.user_or_new(0, None, None);
            let _ = s.login(&u);
        }
        s.reset();
        assert_eq!((s.user_count(), s.code_count()), (0, 0));
        assert_eq!(s.user_kinds(), (0, 0));
        assert_eq!(s.evicted.counts().anonymous_users, 0);
    }

    #[test]
    fn session_key_text_decodes_to_16_bytes() {
        let s = state(Some(1));
        let u = s.user_or_new(0, None, None);
        let data = lock(&u.data);
        let text = data.session_key();
        assert_eq!(STANDARD.decode(text).unwrap(), data.key());
        assert_eq!(key_bytes(&text), data.key());
    }
}

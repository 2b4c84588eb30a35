//! The mock's limits on what it keeps (users, codes, journal) and what it let go to stay within
//! them: a mock left under load for a day holds as much as after its first minute.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use super::entropy::{CODE_LEN, CodeKey};
use super::shards::FastMap;
use super::state::{CodeEntry, User};

/// Users kept (all apps together) unless `--max-users` says otherwise.
pub const DEFAULT_MAX_USERS: usize = 100_000;
/// Login codes kept (valid, used or expired) unless `--max-codes` says otherwise; phone codes
/// and superseded access tokens are each held to the same number.
pub const DEFAULT_MAX_CODES: usize = 100_000;
/// Requests the journal keeps unless `--journal-size` says otherwise.
pub const DEFAULT_JOURNAL_SIZE: usize = 2048;

/// How much the mock keeps. Past a limit the least useful entry goes first (see
/// `State::login` and `State::user_or_new`), and each one let go is counted in `/mock/stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Users of all apps together: the oldest anonymous user (a `/mock/login` without an
    /// openid) goes first, then the oldest named one.
    pub max_users: usize,
    /// Codes of all apps together: used and expired codes go first; when every kept code is
    /// still valid, a new login is refused with 45011 rather than losing one.
    pub max_codes: usize,
    /// Requests in `/mock/journal`; the oldest is dropped first.
    pub journal_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_users: DEFAULT_MAX_USERS,
            max_codes: DEFAULT_MAX_CODES,
            journal_size: DEFAULT_JOURNAL_SIZE,
        }
    }
}

/// What was let go to stay within the limits, by kind, since start (or the last reset).
#[derive(Default)]
pub(crate) struct Evictions {
    pub used_codes: AtomicU64,
    pub expired_codes: AtomicU64,
    pub anonymous_users: AtomicU64,
    pub named_users: AtomicU64,
    pub phone_codes: AtomicU64,
    pub tokens: AtomicU64,
    /// Logins refused because every kept code was still valid.
    pub refused_logins: AtomicU64,
    /// WeCom members (corp, userid) whose mock user had been let go.
    pub wecom_members: AtomicU64,
}

#[derive(Serialize)]
pub(crate) struct EvictionCounts {
    pub used_codes: u64,
    pub expired_codes: u64,
    pub anonymous_users: u64,
    pub named_users: u64,
    pub phone_codes: u64,
    pub tokens: u64,
    pub refused_logins: u64,
    pub wecom_members: u64,
}

impl Evictions {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        if n > 0 {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }

    pub(crate) fn counts(&self) -> EvictionCounts {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        EvictionCounts {
            used_codes: get(&self.used_codes),
            expired_codes: get(&self.expired_codes),
            anonymous_users: get(&self.anonymous_users),
            named_users: get(&self.named_users),
            phone_codes: get(&self.phone_codes),
            tokens: get(&self.tokens),
            refused_logins: get(&self.refused_logins),
            wecom_members: get(&self.wecom_members),
        }
    }

    pub(crate) fn clear(&self) {
        for c in [
            &self.used_codes,
            &self.expired_codes,
            &self.anonymous_users,
            &self.named_users,
            &self.phone_codes,
            &self.tokens,
            &self.refused_logins,
            &self.wecom_members,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}

/// A login code as a shard keeps it: 32 characters of `[A-Za-z0-9]` at 6 bits each, 24 bytes
/// instead of 32 (a code of other characters was never issued, so it is simply not found).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Packed([u8; 24]);

const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Each byte's place in `ALNUM`, or 128 for a byte outside it.
const SIXTH: [u8; 256] = {
    let mut table = [128u8; 256];
    let mut i = 0;
    while i < ALNUM.len() {
        table[ALNUM[i] as usize] = i as u8;
        i += 1;
    }
    table
};

impl Packed {
    pub(crate) fn new(code: &CodeKey) -> Option<Packed> {
        let mut out = [0u8; 24];
        let mut bad = 0u8;
        for (four, three) in code.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
            let mut bits = 0u32;
            for &c in four {
                let v = SIXTH[usize::from(c)];
                bad |= v;
                bits = bits << 6 | u32::from(v);
            }
            three.copy_from_slice(&bits.to_be_bytes()[1..]);
        }
        // Any character outside the alphabet sets the top bit.
        (bad < 64).then_some(Packed(out))
    }

    pub(crate) fn code(&self) -> CodeKey {
        let mut out = [0u8; CODE_LEN];
        for (three, four) in self.0.chunks_exact(3).zip(out.chunks_exact_mut(4)) {
            let bits = u32::from_be_bytes([0, three[0], three[1], three[2]]);
            for (i, c) in four.iter_mut().enumerate() {
                *c = ALNUM[((bits >> (18 - 6 * i)) & 63) as usize % ALNUM.len()];
            }
        }
        out
    }
}

/// One shard of the codes: the map, and the order of redemption eviction needs. Sized up
/// front for its share of `max_codes`: growing a big shard rehashes it under its lock, a
/// latency spike for every request waiting on that shard.
pub(crate) struct CodeShard {
    map: FastMap<Packed, CodeEntry>,
    /// Redeemed codes in the order they were redeemed: the first to go.
    used: VecDeque<Packed>,
    /// No code kept was issued before this (a lower bound, exact after a full pass): while it
    /// is within the lifetime, no code has expired and eviction need not look.
    oldest_ms: u64,
}

impl Default for CodeShard {
    fn default() -> Self {
        CodeShard {
            map: FastMap::default(),
            used: VecDeque::new(),
            oldest_ms: u64::MAX,
        }
    }
}

/// What one eviction step freed.
#[derive(Default, Clone, Copy)]
pub(crate) struct Freed {
    pub used: u64,
    pub expired: u64,
}

impl Freed {
    pub(crate) fn total(self) -> u64 {
        self.used + self.expired
    }
}

impl CodeShard {
    /// A shard ready for `n` codes without growing.
    pub(crate) fn with_capacity(n: usize) -> CodeShard {
        CodeShard {
            map: FastMap::with_capacity_and_hasher(n, Default::default()),
            ..CodeShard::default()
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn contains(&self, code: &CodeKey) -> bool {
        Packed::new(code).is_some_and(|p| self.map.contains_key(&p))
    }

    pub(crate) fn get(&self, code: &CodeKey) -> Option<&CodeEntry> {
        self.map.get(&Packed::new(code)?)
    }

    /// Keeps a new code unless it is kept already (then false, and nothing changes).
    pub(crate) fn insert_new(&mut self, code: &CodeKey, entry: impl FnOnce() -> CodeEntry) -> bool {
        let Some(code) = Packed::new(code) else {
            return false;
        };
        match self.map.entry(code) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(slot) => {
                let entry = slot.insert(entry());
                self.oldest_ms = self.oldest_ms.min(entry.issued_ms());
                true
            }
        }
    }

    /// Redeems a kept code that `check` accepts: marked used, put in the order of redemption.
    /// An unknown code is 40029, a redeemed one 40163 (after `check`).
    pub(crate) fn redeem(
        &mut self,
        code: &CodeKey,
        check: impl FnOnce(&CodeEntry) -> Result<(), i64>,
    ) -> Result<Arc<User>, i64> {
        let packed = Packed::new(code).ok_or(40029)?;
        let entry = self.map.get_mut(&packed).ok_or(40029)?;
        check(entry)?;
        if entry.used() {
            return Err(40163);
        }
        entry.set_used();
        let user = entry.user.clone();
        self.used.push_back(packed);
        self.compact();
        Ok(user)
    }

    /// Every code kept, with its entry.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (CodeKey, &CodeEntry)> {
        self.map.iter().map(|(p, c)| (p.code(), c))
    }

    /// Keeps a code (one of other characters than `[A-Za-z0-9]` is never issued: not kept).
    pub(crate) fn insert(&mut self, code: CodeKey, entry: CodeEntry) {
        let Some(code) = Packed::new(&code) else {
            return;
        };
        let (used, issued_ms) = (entry.used(), entry.issued_ms());
        if self.map.insert(code, entry).is_none() {
            self.oldest_ms = self.oldest_ms.min(issued_ms);
            if used {
                self.used.push_back(code);
            }
        }
        self.compact();
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
        self.used.clear();
        self.oldest_ms = u64::MAX;
    }

    /// Lets go of used codes (oldest redeemed first), then expired ones, until `want` are
    /// freed or none is left; a valid code is never taken. Which expired codes go first does
    /// not matter: each is refused anyway, and the sweeper would drop it.
    pub(crate) fn evict(&mut self, want: u64, now: u64, ttl: u64) -> Freed {
        let mut freed = Freed::default();
        while freed.total() < want {
            let Some(code) = self.used.pop_front() else {
                break;
            };
            if self.map.get(&code).is_some_and(|c| c.used()) {
                self.map.remove(&code);
                freed.used += 1;
            }
        }
        if freed.total() >= want || now < self.oldest_ms.saturating_add(ttl) {
            return freed;
        }
        let need = (want - freed.total()) as usize;
        let mut gone = Vec::with_capacity(need.min(1024));
        let mut oldest_left = u64::MAX;
        let mut whole = true;
        for (code, c) in &self.map {
            if now >= c.issued_ms().saturating_add(ttl) {
                if gone.len() == need {
                    whole = false;
                    break;
                }
                gone.push(*code);
            } else {
                oldest_left = oldest_left.min(c.issued_ms());
            }
        }
        if whole {
            self.oldest_ms = oldest_left;
        }
        for code in gone {
            if let Some(c) = self.map.remove(&code) {
                if c.used() {
                    freed.used += 1;
                } else {
                    freed.expired += 1;
                }
            }
        }
        freed
    }

    /// Removes codes past their life; returns how many.
    pub(crate) fn sweep(&mut self, now: u64, ttl: u64) -> u64 {
        let before = self.map.len();
        let mut oldest = u64::MAX;
        self.map.retain(|_, c| {
            let keep = now < c.issued_ms().saturating_add(ttl);
            if keep {
                oldest = oldest.min(c.issued_ms());
            }
            keep
        });
        self.oldest_ms = oldest;
        let removed = (before - self.map.len()) as u64;
        self.compact();
        removed
    }

    #[cfg(test)]
    pub(crate) fn order_len(&self) -> usize {
        self.used.len()
    }

    /// Drops keys of codes no longer kept from the order, once they outnumber the kept ones:
    /// amortised linear, so the order never holds more than about twice the map.
    fn compact(&mut self) {
        let slack = self.map.len() * 2 + 64;
        if self.used.len() > slack {
            let map = &self.map;
            self.used.retain(|k| map.get(k).is_some_and(|c| c.used()));
        }
    }
}

/// Users in the order they were made, so the oldest can go first.
#[derive(Default)]
pub(crate) struct UserOrder {
    pub anonymous: VecDeque<Arc<User>>,
    pub named: VecDeque<Arc<User>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_pack_to_24_bytes_and_back_and_others_do_not_pack() {
        let code: CodeKey = *b"AZaz09Qw3rTy7UiOpLkJhGfDsA1zZ9aB";
        assert_eq!(Packed::new(&code).unwrap().code(), code);
        let mut other = code;
        other[31] = b'-';
        assert!(Packed::new(&other).is_none());
        let mut near = code;
        near[0] = b'B';
        assert!(Packed::new(&near) != Packed::new(&code));
    }
}

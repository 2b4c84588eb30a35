//! The mock's limits on what it keeps (users, codes, journal) and what it let go to stay within
//! them: a mock left under load for a day holds as much as after its first minute.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use super::entropy::CodeKey;
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

/// One shard of the codes: the map, and the orders eviction needs without scanning it.
#[derive(Default)]
pub(crate) struct CodeShard {
    pub map: FastMap<CodeKey, CodeEntry>,
    /// Codes in the order they were issued; some since redeemed or swept (skipped when met).
    issued: VecDeque<CodeKey>,
    /// Redeemed codes in the order they were redeemed: the first to go.
    used: VecDeque<CodeKey>,
}

impl std::ops::Deref for CodeShard {
    type Target = FastMap<CodeKey, CodeEntry>;

    fn deref(&self) -> &Self::Target {
        &self.map
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
    pub(crate) fn with_capacity(n: usize) -> CodeShard {
        CodeShard {
            map: FastMap::with_capacity_and_hasher(n, Default::default()),
            ..CodeShard::default()
        }
    }

    pub(crate) fn insert(&mut self, code: CodeKey, entry: CodeEntry) {
        let used = entry.used;
        if self.map.insert(code, entry).is_none() {
            self.issued.push_back(code);
            if used {
                self.used.push_back(code);
            }
        }
        self.compact();
    }

    /// Marks a code redeemed: it now goes before any valid code when room is needed.
    pub(crate) fn mark_used(&mut self, code: CodeKey) {
        self.used.push_back(code);
        self.compact();
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
        self.issued.clear();
        self.used.clear();
    }

    /// Lets go of used codes (oldest redeemed first), then expired ones (oldest first), until
    /// `want` are freed or none is left; a valid code is never taken.
    pub(crate) fn evict(&mut self, want: u64, now: u64, ttl: u64) -> Freed {
        let mut freed = Freed::default();
        while freed.total() < want {
            let Some(code) = self.used.pop_front() else {
                break;
            };
            if self.map.get(&code).is_some_and(|c| c.used) {
                self.map.remove(&code);
                freed.used += 1;
            }
        }
        while freed.total() < want {
            let Some(code) = self.issued.front().copied() else {
                break;
            };
            match self.map.get(&code) {
                None => {}
                Some(c) if c.used => {
                    self.map.remove(&code);
                    freed.used += 1;
                }
                // Codes live the same time, so issue order is expiry order: the first valid
                // one means the rest are valid too.
                Some(c) if now < c.issued_ms.saturating_add(ttl) => break,
                Some(_) => {
                    self.map.remove(&code);
                    freed.expired += 1;
                }
            }
            self.issued.pop_front();
        }
        freed
    }

    /// Removes codes past their life; returns how many.
    pub(crate) fn sweep(&mut self, now: u64, ttl: u64) -> u64 {
        let before = self.map.len();
        self.map
            .retain(|_, c| now < c.issued_ms.saturating_add(ttl));
        let removed = (before - self.map.len()) as u64;
        self.compact();
        removed
    }

    #[cfg(test)]
    pub(crate) fn order_lens(&self) -> (usize, usize) {
        (self.issued.len(), self.used.len())
    }

    /// Drops keys of codes no longer kept from the orders, once they outnumber the kept ones:
    /// amortised linear, so the orders never hold more than about twice the map.
    fn compact(&mut self) {
        let slack = self.map.len() * 2 + 64;
        if self.issued.len() > slack {
            let map = &self.map;
            self.issued.retain(|k| map.get(k).is_some_and(|c| !c.used));
        }
        if self.used.len() > slack {
            let map = &self.map;
            self.used.retain(|k| map.get(k).is_some_and(|c| c.used));
        }
    }
}

/// Users in the order they were made, so the oldest can go first.
#[derive(Default)]
pub(crate) struct UserOrder {
    pub anonymous: VecDeque<Arc<User>>,
    pub named: VecDeque<Arc<User>>,
}

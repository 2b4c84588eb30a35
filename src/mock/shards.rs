//! Locks split over shards, and the hasher of their maps: the mock's hot path, where every
//! request takes a lock and hashes a code or an openid.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use rustc_hash::FxBuildHasher;

pub(crate) const SHARDS: usize = 16;

/// A poisoned lock only means another request panicked mid-update; the data is still usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// FxHash: a few nanoseconds for a 32-byte code, where SipHash takes several times that
/// (measured with bench/mock_load.sh). The keys are codes and openids of a local test server,
/// so hash flooding is no concern here.
pub(crate) type FastMap<K, V> = HashMap<K, V, FxBuildHasher>;
pub(crate) type FastSet<T> = std::collections::HashSet<T, FxBuildHasher>;

/// A map split over several locks so concurrent requests rarely wait on each other: one lock
/// for everything serialised the 64-way one-winner race of bench/mock_load.sh.
pub(crate) struct Sharded<T> {
    shards: Box<[Mutex<T>]>,
}

impl<T: Default> Sharded<T> {
    pub(crate) fn new() -> Self {
        Self::with(T::default)
    }

    pub(crate) fn with(make: impl Fn() -> T) -> Self {
        Sharded {
            shards: (0..SHARDS).map(|_| Mutex::new(make())).collect(),
        }
    }

    pub(crate) fn of(&self, key: &[u8]) -> MutexGuard<'_, T> {
        // The last four bytes, mixed: codes and openids draw from alphabets of 62 or 64
        // characters, whose last byte alone would load some shards a third more than others
        // (and past the size a code shard is made for).
        let mut tail = [0u8; 4];
        let n = key.len().min(4);
        tail[..n].copy_from_slice(&key[key.len() - n..]);
        let h = u32::from_le_bytes(tail).wrapping_mul(0x9e37_79b9);
        lock(&self.shards[(h >> 24) as usize % SHARDS])
    }

    pub(crate) fn each(&self) -> impl Iterator<Item = MutexGuard<'_, T>> {
        self.shards.iter().map(lock)
    }
}

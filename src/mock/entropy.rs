//! Where the mock's random values come from: the OS, or a seeded generator whose stream is
//! reproducible and differs per epoch (per restart from a state file).

use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::shards::lock;

/// Generated codes are always this long; anything else is unknown without a lookup.
pub(crate) const CODE_LEN: usize = 32;
pub(crate) type CodeKey = [u8; CODE_LEN];

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const OPENID_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &[u8] = b"0123456789abcdef";

/// Where random values come from: the OS, or a seeded generator for reproducible runs.
pub(crate) enum Entropy {
    Os,
    Seeded(Box<Mutex<StdRng>>),
}

impl Entropy {
    pub(crate) fn new(seed: Option<u64>, epoch: u64) -> Entropy {
        match seed {
            None => Entropy::Os,
            Some(s) => Entropy::Seeded(Box::new(Mutex::new(stream(s, epoch)))),
        }
    }

    /// Restarts a seeded stream where `new(seed, epoch)` starts it; the OS source stays.
    pub(crate) fn reseed(&self, seed: Option<u64>, epoch: u64) {
        if let (Entropy::Seeded(rng), Some(s)) = (self, seed) {
            *lock(rng) = stream(s, epoch);
        }
    }

    pub(crate) fn fill(&self, buf: &mut [u8]) {
        match self {
            Entropy::Os => rand::rng().fill_bytes(buf),
            Entropy::Seeded(rng) => lock(rng).fill_bytes(buf),
        }
    }

    pub(crate) fn below(&self, n: usize) -> usize {
        let mut b = [0u8; 4];
        self.fill(&mut b);
        (u32::from_le_bytes(b) as usize) % n.max(1)
    }

    pub(crate) fn chars<const N: usize>(&self, alphabet: &[u8]) -> [u8; N] {
        let mut b = [0u8; N];
        self.fill(&mut b);
        for x in b.iter_mut() {
            *x = alphabet[usize::from(*x) % alphabet.len()];
        }
        b
    }

    pub(crate) fn string(&self, len: usize, alphabet: &[u8]) -> String {
        let mut b = vec![0u8; len];
        self.fill(&mut b);
        b.iter()
            .map(|x| char::from(alphabet[usize::from(*x) % alphabet.len()]))
            .collect()
    }

    pub(crate) fn session_key(&self) -> [u8; 24] {
        let mut raw = [0u8; 16];
        self.fill(&mut raw);
        let mut out = [0u8; 24];
        let _ = STANDARD.encode_slice(raw, &mut out);
        out
    }

    pub(crate) fn iv(&self) -> [u8; 16] {
        let mut raw = [0u8; 16];
        self.fill(&mut raw);
        raw
    }

    pub(crate) fn code(&self) -> CodeKey {
        self.chars::<CODE_LEN>(ALNUM)
    }

    pub(crate) fn openid(&self) -> String {
        format!("o{}", self.string(27, OPENID_CHARS))
    }

    pub(crate) fn hex(&self, len: usize) -> String {
        self.string(len, HEX)
    }

    pub(crate) fn access_token(&self) -> String {
        format!("{}_{}", 80 + self.below(10), self.string(120, OPENID_CHARS))
    }
}

/// Each restart from a state file draws a new stream, so it never re-issues a code.
fn stream(seed: u64, epoch: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ epoch.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

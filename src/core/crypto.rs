//! The cryptography of the handshake: AES-128-CBC with strict PKCS#7, the sha1 `rawData`
//! signature, the hmac-sha256 check-session signature, and constant-time comparison.

use aes::Aes128;
use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const BLOCK: usize = 16;

/// Why a ciphertext did not open. Both variants almost always mean "wrong session_key".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecryptFailure {
    /// Length is zero or not a multiple of the block size.
    Length,
    /// The last block does not end in valid PKCS#7 padding.
    Padding,
}

/// Decrypts `buf` in place and returns the plaintext slice. Padding is checked strictly: the
/// last byte must be 1..=16 and every padding byte must equal it. Loose unpadding (what most
/// SDKs do) turns a wrong key into garbage instead of an error.
pub fn decrypt_in_place<'a>(
    key: &[u8; 16],
    iv: &[u8; 16],
    buf: &'a mut [u8],
) -> Result<&'a [u8], DecryptFailure> {
    if buf.is_empty() || !buf.len().is_multiple_of(BLOCK) {
        return Err(DecryptFailure::Length);
    }
    let dec = cbc::Decryptor::<Aes128>::new(key.into(), iv.into());
    let len = dec
        .decrypt_padded::<NoPadding>(buf)
        .map_err(|_| DecryptFailure::Length)?
        .len();
    let pad = usize::from(buf[len - 1]);
    if pad == 0 || pad > BLOCK {
        return Err(DecryptFailure::Padding);
    }
    let tail = &buf[len - pad..len];
    // Constant-time over the padding bytes, so the check is no padding oracle.
    let bad = tail.iter().fold(0u8, |acc, &b| acc | (b ^ pad as u8));
    if bad != 0 {
        return Err(DecryptFailure::Padding);
    }
    Ok(&buf[..len - pad])
}

/// AES-128-CBC encryption with PKCS#7 padding (the mock and tests produce payloads with it).
pub fn encrypt(key: &[u8; 16], iv: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
    let pad = BLOCK - plaintext.len() % BLOCK;
    let mut buf = Vec::with_capacity(plaintext.len() + pad);
    buf.extend_from_slice(plaintext);
    buf.resize(plaintext.len() + pad, pad as u8);
    let enc = cbc::Encryptor::<Aes128>::new(key.into(), iv.into());
    let total = buf.len();
    // The buffer is already padded and block-aligned, so NoPadding cannot fail.
    if enc.encrypt_padded::<NoPadding>(&mut buf, total).is_err() {
        unreachable!("buffer is block-aligned");
    }
    buf
}

/// `hex(sha1(rawData ‖ session_key))`, the session_key being the base64 *string*.
pub fn sign_raw_data(raw_data: &[u8], session_key: &[u8]) -> [u8; 40] {
    let mut h = Sha1::new();
    h.update(raw_data);
    h.update(session_key);
    let digest = h.finalize();
    hex_lower::<20, 40>(digest.as_slice())
}

/// `hex(hmac_sha256(key = session_key string bytes, msg))`: the check-session and
/// reset-session-key signature (msg is empty there).
pub fn hmac_sha256_hex(session_key: &[u8], msg: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(session_key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("hmac accepts keys of any length"),
    };
    mac.update(msg);
    let out = mac.finalize().into_bytes();
    String::from_utf8_lossy(&hex_lower::<32, 64>(out.as_slice())).into_owned()
}

/// The signature WeChat's `/wxa/checksession` expects for a session_key.
pub fn checksession_signature(session_key: &str) -> String {
    hmac_sha256_hex(session_key.as_bytes(), b"")
}

/// Constant-time equality, so comparing signatures leaks nothing through timing.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // Eight bytes a step: subtle's barrier on every byte of a 40-digit signature was a twentieth
    // of batch verify's time (`verify/batch_record` in benches/core.rs).
    let (a_words, a_rest) = a.as_chunks::<8>();
    let (b_words, b_rest) = b.as_chunks::<8>();
    let mut same = a_rest.ct_eq(b_rest);
    for (x, y) in a_words.iter().zip(b_words) {
        same &= u64::from_le_bytes(*x).ct_eq(&u64::from_le_bytes(*y));
    }
    bool::from(same)
}

fn hex_lower<const N: usize, const M: usize>(bytes: &[u8]) -> [u8; M] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; M];
    for (i, b) in bytes.iter().take(N).enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 0x0f)];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_length_around_block_boundaries() {
        let key = [7u8; 16];
        let iv = [9u8; 16];
        for len in 0..70 {
            let pt: Vec<u8> = (0..len as u8).collect();
            let mut ct = encrypt(&key, &iv, &pt);
            assert_eq!(ct.len() % 16, 0);
            assert!(ct.len() > pt.len());
            assert_eq!(decrypt_in_place(&key, &iv, &mut ct), Ok(&pt[..]));
        }
    }

    #[test]
    fn rejects_zero_and_oversized_and_inconsistent_padding() {
        let key = [1u8; 16];
        let iv = [2u8; 16];
        for last in [
            vec![0u8; 16],
            [vec![5u8; 15], vec![17]].concat(),
            [vec![9u8; 13], vec![3, 2, 3]].concat(),
        ] {
            // Encrypt raw blocks without padding to plant a chosen last block.
            let mut block = last.clone();
            let enc = cbc::Encryptor::<Aes128>::new((&key).into(), (&iv).into());
            let n = block.len();
            enc.encrypt_padded::<NoPadding>(&mut block, n).unwrap();
            assert_eq!(
                decrypt_in_place(&key, &iv, &mut block),
                Err(DecryptFailure::Padding)
            );
        }
        assert_eq!(
            decrypt_in_place(&key, &iv, &mut [0u8; 15]),
            Err(DecryptFailure::Length)
        );
        assert_eq!(
            decrypt_in_place(&key, &iv, &mut []),
            Err(DecryptFailure::Length)
        );
    }

    #[test]
    fn constant_time_compare() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
        let sig = *b"0123456789abcdef0123456789abcdef01234567";
        assert!(ct_eq(&sig, &sig));
        for i in 0..sig.len() {
            let mut other = sig;
            other[i] ^= 1;
            assert!(!ct_eq(&sig, &other), "a difference at byte {i}");
        }
    }
}

//! Decryption with arbitrary key, iv and ciphertext, both as raw bytes and as the text a user
//! pastes: never panics, and strict padding never returns more bytes than it was given.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxlogin::core::{crypto, userdata};

fuzz_target!(|input: (&[u8], &str, &str, &str)| {
    let (bytes, key_text, iv_text, data_text) = input;
    if bytes.len() >= 32 {
        let key: [u8; 16] = bytes[..16].try_into().unwrap_or([0; 16]);
        let iv: [u8; 16] = bytes[16..32].try_into().unwrap_or([0; 16]);
        let mut buf = bytes[32..].to_vec();
        let len = buf.len();
        if let Ok(plain) = crypto::decrypt_in_place(&key, &iv, &mut buf) {
            assert!(plain.len() < len);
        }
        let mut buf = bytes[32..].to_vec();
        let _ = userdata::open(&key, &iv, &mut buf);
    }
    let mut warnings = Vec::new();
    let _ = userdata::decrypt_user_data(key_text, iv_text, data_text, Some("wx"), false, &mut warnings);
    let _ = userdata::verify_signature(data_text, iv_text, key_text, false, &mut warnings);
});

//! Properties that must hold for every input, not just the vectors: encryption round trips,
//! decryption of arbitrary bytes never panics, the base64 normaliser is idempotent.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use wxlogin::core::{crypto, input, userdata};

proptest! {
    #[test]
    fn encrypt_then_decrypt_round_trips(
        key in any::<[u8; 16]>(),
        iv in any::<[u8; 16]>(),
        plaintext in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut ct = crypto::encrypt(&key, &iv, &plaintext);
        prop_assert_eq!(ct.len() % 16, 0);
        prop_assert_eq!(crypto::decrypt_in_place(&key, &iv, &mut ct).ok(), Some(&plaintext[..]));
    }

    #[test]
    fn decrypting_arbitrary_bytes_never_panics(
        key in any::<[u8; 16]>(),
        iv in any::<[u8; 16]>(),
        mut bytes in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let _ = crypto::decrypt_in_place(&key, &iv, &mut bytes);
        let _ = userdata::open(&key, &iv, &mut bytes);
    }

    #[test]
    fn decrypt_user_data_never_panics_on_any_text(
        key in ".{0,40}",
        iv in ".{0,40}",
        data in ".{0,120}",
        appid in proptest::option::of("[a-z0-9]{0,18}"),
        strict in any::<bool>(),
    ) {
        let mut warnings = Vec::new();
        let _ = userdata::decrypt_user_data(&key, &iv, &data, appid.as_deref(), strict, &mut warnings);
        let _ = userdata::verify_signature(&data, &iv, &key, strict, &mut warnings);
    }

    #[test]
    fn normaliser_is_idempotent(text in "[A-Za-z0-9+/=_\\- %\"'\\\\\n\r]{0,64}|.{0,64}") {
        let (once, _) = input::normalize_base64(&text);
        let (twice, repairs) = input::normalize_base64(&once);
        prop_assert_eq!(&once, &twice);
        if once != text {
            prop_assert!(repairs.is_empty(), "second pass repaired again: {:?}", repairs);
        }
    }

    #[test]
    fn every_mangling_of_valid_base64_decodes_to_the_same_bytes(
        blocks in 1usize..5,
        seed in any::<[u8; 16]>(),
        mangling in 0usize..5,
    ) {
        // Ciphertexts are whole blocks: that is what lets an edge space be read as '+'.
        let bytes: Vec<u8> = seed.iter().cycle().take(blocks * 16).enumerate().map(|(i, b)| b ^ i as u8).collect();
        let canonical = STANDARD.encode(&bytes);
        let mangled = match mangling {
            0 => canonical.replace('+', " "),
            1 => canonical.replace('+', "%2B").replace('/', "%2F"),
            2 => canonical.replace('+', "-").replace('/', "_").trim_end_matches('=').to_string(),
            3 => format!("\"{canonical}\""),
            _ => canonical.replace('/', "\\/"),
        };
        let mut warnings = Vec::new();
        let mut out = Vec::new();
        input::decode_base64_expecting("encryptedData", &mangled, false, &mut warnings, &mut out, |n| n % 16 == 0).unwrap();
        prop_assert_eq!(out, bytes);
    }
}

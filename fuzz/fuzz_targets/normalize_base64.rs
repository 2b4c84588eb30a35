//! The base64 normaliser on any text: never panics, always idempotent, and whatever it decodes
//! re-encodes to the normalised text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxlogin::core::input;

fuzz_target!(|text: &str| {
    let (once, _) = input::normalize_base64(text);
    let (twice, again) = input::normalize_base64(&once);
    assert_eq!(once, twice);
    assert!(once == text || again.is_empty());
    let mut warnings = Vec::new();
    let mut out = Vec::new();
    for strict in [false, true] {
        let _ = input::decode_base64_field("f", text, strict, &mut warnings, &mut out);
        let _ = input::decode_key16("f", text, strict, &mut warnings);
    }
});

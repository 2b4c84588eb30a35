//! `--from` capture parsing on any text: an object, an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxlogin::core::input;

fuzz_target!(|text: &str| {
    let _ = input::parse_capture("fuzz", text);
});

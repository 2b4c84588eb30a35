//! The batch line parser on any bytes: every line yields exactly one JSON result line, whatever
//! it holds, and never a panic; the fast scanner's output is byte for byte the serde path's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxlogin::core::batch;

fuzz_target!(|line: &[u8]| {
    let mut scratch = batch::Scratch::default();
    let mut reference = batch::Scratch::default();
    for strict in [false, true] {
        let appid = Some("wx4f4bc4dec97d474b");
        let mut out = Vec::new();
        let verdict = batch::decrypt_record(line, 1, appid, strict, &mut scratch, &mut out);
        check_one_json_line(&out);
        let mut slow = Vec::new();
        let slow_verdict =
            batch::decrypt_record_reference(line, 1, appid, None, strict, &mut reference, &mut slow);
        assert_eq!((verdict, &out), (slow_verdict, &slow), "decrypt: fast and serde paths differ");
        let mut out = Vec::new();
        let verdict = batch::verify_record(line, 1, strict, &mut scratch, &mut out);
        check_one_json_line(&out);
        let mut slow = Vec::new();
        let slow_verdict =
            batch::verify_record_reference(line, 1, None, strict, &mut reference, &mut slow);
        assert_eq!((verdict, &out), (slow_verdict, &slow), "verify: fast and serde paths differ");
    }
});

/// The fields every result line has; the rest (the record's own `id`, echoed as it came) is
/// only checked to be JSON: a number such as `1E222222222` is valid JSON that serde_json's
/// `Value` refuses as out of range for an f64.
#[derive(serde::Deserialize)]
struct ResultLine {
    #[allow(dead_code)]
    line: u64,
    #[allow(dead_code)]
    ok: bool,
}

fn check_one_json_line(out: &[u8]) {
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1, "one line per record");
    assert_eq!(out.last(), Some(&b'\n'));
    let _: ResultLine = serde_json::from_slice(out).expect("result line is JSON with line and ok");
}

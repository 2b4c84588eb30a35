//! Criterion micro-benchmarks of the core: decrypt one payload, verify one signature,
//! normalise base64, each through the one-shot API and the batch per-record path.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use wxlogin::core::batch::{self, Scratch};
use wxlogin::core::{input, userdata};

fn vectors() -> Value {
    serde_json::from_str(include_str!("../tests/data/wechat.json")).unwrap_or(Value::Null)
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_str()
        .unwrap_or_default()
}

fn decrypt(c: &mut Criterion) {
    let v = vectors();
    let (key, iv, data, appid) = (
        text(&v, &["decrypt_official", "session_key"]),
        text(&v, &["decrypt_official", "iv"]),
        text(&v, &["decrypt_official", "encryptedData"]),
        text(&v, &["decrypt_official", "appid"]),
    );
    let line = serde_json::json!({"id": 1, "session_key": key, "iv": iv, "encryptedData": data})
        .to_string();
    let mut g = c.benchmark_group("decrypt");
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_shot", |b| {
        b.iter(|| {
            let mut warnings = Vec::new();
            userdata::decrypt_user_data(
                black_box(key),
                black_box(iv),
                black_box(data),
                Some(appid),
                false,
                &mut warnings,
            )
        })
    });
    let mut scratch = Scratch::default();
    let mut out = Vec::with_capacity(4096);
    g.bench_function("batch_record", |b| {
        b.iter(|| {
            out.clear();
            batch::decrypt_record(
                black_box(line.as_bytes()),
                1,
                Some(appid),
                false,
                &mut scratch,
                &mut out,
            )
        })
    });
    g.finish();
}

fn verify(c: &mut Criterion) {
    let v = vectors();
    let (raw, sig, key) = (
        text(&v, &["signature_official", "rawData"]),
        text(&v, &["signature_official", "signature"]),
        text(&v, &["signature_official", "session_key"]),
    );
    let line = serde_json::json!({"id": 1, "rawData": raw, "signature": sig, "session_key": key})
        .to_string();
    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_shot", |b| {
        b.iter(|| {
            let mut warnings = Vec::new();
            userdata::verify_signature(
                black_box(raw),
                black_box(sig),
                black_box(key),
                false,
                &mut warnings,
            )
        })
    });
    let mut scratch = Scratch::default();
    let mut out = Vec::with_capacity(1024);
    g.bench_function("batch_record", |b| {
        b.iter(|| {
            out.clear();
            batch::verify_record(black_box(line.as_bytes()), 1, false, &mut scratch, &mut out)
        })
    });
    g.finish();
}

fn normalise(c: &mut Criterion) {
    let v = vectors();
    let canonical = text(&v, &["decrypt_official", "encryptedData"]);
    let mangled = canonical
        .replace('+', " ")
        .replace('/', "\\/")
        .trim_end_matches('=')
        .to_string();
    let mut g = c.benchmark_group("base64");
    g.throughput(Throughput::Bytes(canonical.len() as u64));
    g.bench_function("normalise_canonical", |b| {
        b.iter(|| input::normalize_base64(black_box(canonical)))
    });
    g.bench_function("normalise_mangled", |b| {
        b.iter(|| input::normalize_base64(black_box(&mangled)))
    });
    let mut out = Vec::with_capacity(1024);
    let mut warnings = Vec::new();
    g.bench_function("decode_canonical", |b| {
        b.iter(|| {
            input::decode_base64_field(
                "encryptedData",
                black_box(canonical),
                false,
                &mut warnings,
                &mut out,
            )
        })
    });
    g.bench_function("decode_mangled", |b| {
        b.iter(|| {
            warnings.clear();
            input::decode_base64_field(
                "encryptedData",
                black_box(&mangled),
                false,
                &mut warnings,
                &mut out,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, decrypt, verify, normalise);
criterion_main!(benches);

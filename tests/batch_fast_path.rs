//! The batch records' fast scanner against the serde-only reference path: every output byte
//! and verdict must agree, on generated records, their edge cases and random mutations of them.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use wxlogin::core::batch::{self, Scratch};
use wxlogin::core::crypto;

const APPID: &str = "wx4f4bc4dec97d474b";

/// A small seeded generator (xorshift64*), so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Runs one line through both paths with every combination of options; panics on any difference.
fn assert_same(line: &[u8]) {
    let mut fast_scratch = Scratch::default();
    let mut ref_scratch = Scratch::default();
    for strict in [false, true] {
        for (appid, key) in [
            (None, None),
            (Some(APPID), Some("AAAAAAAAAAAAAAAAAAAAAA==")),
        ] {
            let (mut fast, mut reference) = (Vec::new(), Vec::new());
            let a = batch::decrypt_record_keyed(
                line,
                3,
                appid,
                key,
                strict,
                &mut fast_scratch,
                &mut fast,
            );
            let b = batch::decrypt_record_reference(
                line,
                3,
                appid,
                key,
                strict,
                &mut ref_scratch,
                &mut reference,
            );
            assert_eq!(
                (a, String::from_utf8_lossy(&fast)),
                (b, String::from_utf8_lossy(&reference)),
                "decrypt, strict {strict}, defaults {appid:?} {key:?}, line {:?}",
                String::from_utf8_lossy(line)
            );
            let (mut fast, mut reference) = (Vec::new(), Vec::new());
            let a = batch::verify_record_keyed(line, 3, key, strict, &mut fast_scratch, &mut fast);
            let b = batch::verify_record_reference(
                line,
                3,
                key,
                strict,
                &mut ref_scratch,
                &mut reference,
            );
            assert_eq!(
                (a, String::from_utf8_lossy(&fast)),
                (b, String::from_utf8_lossy(&reference)),
                "verify, strict {strict}, defaults {key:?}, line {:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// rawData as a client sends it, escaped as JSON inside JSON.
fn raw_data(rng: &mut Rng) -> String {
    let nick = rng.pick(&[
        "Band",
        "小明🙂",
        "Zoë",
        "a\"b",
        "tab\tnl\n",
        "\u{7f}\u{1}",
        "",
    ]);
    format!(
        "{{\"nickName\":{},\"gender\":{},\"avatarUrl\":\"https://x.qlogo.cn/mmopen/vi_32/{}/132\"}}",
        json_str(nick),
        rng.below(3),
        rng.next()
    )
}

/// A valid record of either kind, signed or encrypted with a real key.
fn valid_record(rng: &mut Rng) -> Vec<(String, String)> {
    let key: [u8; 16] = rng.next().to_le_bytes().repeat(2).try_into().unwrap();
    let iv: [u8; 16] = rng.next().to_le_bytes().repeat(2).try_into().unwrap();
    let key_b64 = STANDARD.encode(key);
    let mut fields = vec![(
        "id".to_string(),
        rng.pick(&[
            "1",
            "-2.5e+3",
            "\"r-1\"",
            "null",
            "true",
            "{\"n\":[1]}",
            "0",
        ])
        .to_string(),
    )];
    if rng.below(2) == 0 {
        let raw = raw_data(rng);
        let sig = crypto::sign_raw_data(raw.as_bytes(), key_b64.as_bytes());
        let sig = std::str::from_utf8(&sig).unwrap().to_string();
        let raw_name = rng.pick(&["rawData", "rawData", "raw_data"]);
        fields.push((raw_name.into(), json_str(&raw)));
        fields.push(("signature".into(), json_str(&sig)));
    } else {
        let appid = rng.pick(&[APPID, "wxOther", ""]);
        let watermark = format!(
            "{{\"appid\":{},\"timestamp\":{}}}",
            json_str(appid),
            rng.below(2_000_000_000)
        );
        let watermark = match rng.below(12) {
            0 => "null".to_string(),
            1 => "{\"appid\":\"wx\\u0034f4bc4dec97d474b\",\"timestamp\":1}".to_string(),
            2 => "{\"timestamp\":1.5}".to_string(),
            3 => "{\"appid\":null,\"timestamp\":-7}".to_string(),
            4 => format!("{} ", &watermark[..watermark.len() - 1]),
            _ => watermark,
        };
        let plain = match rng.below(6) {
            0 => format!("{{\"watermark\":{watermark}}}"),
            1 => format!(
                "{{\"nickName\":\"a\\\"b\\u00e9\\ud83d\",\"tags\":[1,-2.5e3,[{{}}],null],\"watermark\":{watermark}}}"
            ),
            2 => format!(
                "{{\"a\":{{\"b\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}},\"watermark\":{watermark}}}"
            ),
            3 => "{\"nickName\":\"x\"}".to_string(),
            _ => format!("{{\"nickName\":\"小明\",\"watermark\":{watermark}}}"),
        };
        let ct = crypto::encrypt(&key, &iv, plain.as_bytes());
        let data_name = rng.pick(&["encryptedData", "encryptedData", "encrypted_data"]);
        fields.push((data_name.into(), json_str(&STANDARD.encode(ct))));
        fields.push(("iv".into(), json_str(&STANDARD.encode(iv))));
        if rng.below(3) == 0 {
            fields.push(("appid".into(), json_str(appid)));
        }
    }
    if rng.below(4) != 0 {
        fields.push(("session_key".into(), json_str(&key_b64)));
    }
    fields
}

const KEYS: &[&str] = &[
    "id",
    "rawData",
    "raw_data",
    "signature",
    "session_key",
    "iv",
    "encryptedData",
    "encrypted_data",
    "appid",
    "openid",
    "i\\u0064",
    "",
    "ID",
];

const VALUES: &[&str] = &[
    "\"AAAAAAAAAAAAAAAAAAAAAA==\"",
    "\"AAAAAAAAAAAAAAAAAAAAAA\"",
    "\"AAAAAAAAAAAAAAAAAAAAAA==\\n\"",
    "\"AAAA\\/AAAA\"",
    "\"{\\\"a\\\":1}\"",
    "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
    "\"\\u00e9\\u4E2D\\ud83d\\ude00\"",
    "\"\\ud83d\"",
    "\"\\ude00\"",
    "\"\\ud83d\\u0041\"",
    "\"\\u12\"",
    "\"\\x\"",
    "\"\\",
    "\"a\tb\"",
    "\"a\u{1}b\"",
    "\"é🙂\"",
    "\"0123456789abcdef0123456789abcdef01234567\"",
    "\"0123456789ABCDEF0123456789ABCDEF01234567\"",
    "\"\"",
    "0",
    "-0",
    "01",
    "1.",
    "1.5",
    "-",
    "1e",
    "1E+5",
    "1e-0",
    "-0.5e12",
    "1E222222222",
    "12345678901234567890123",
    "null",
    "nul",
    "true",
    "false",
    "truex",
    "{}",
    "{\"a\":[1,{\"b\":null}]}",
    "[]",
    "[1,2",
    "\"unterminated",
];

const SPACES: &[&str] = &[
    "", "", "", " ", "\t", "\r", "\n", "  \r\n ", "\x0c", "\u{a0}",
];

/// A line built from known and odd keys, every kind of value and odd whitespace.
fn odd_record(rng: &mut Rng) -> String {
    let mut fields = if rng.below(2) == 0 {
        valid_record(rng)
    } else {
        Vec::new()
    };
    for _ in 0..rng.below(4) {
        let key = if rng.below(4) == 0 {
            rng.pick(&["x", "é", "a\\\"b", "k\\n"]).to_string()
        } else {
            rng.pick(KEYS).to_string()
        };
        let value = rng.pick(VALUES).to_string();
        let at = rng.below(fields.len() + 1);
        fields.insert(at, (key, value));
    }
    join(rng, &fields)
}

fn join(rng: &mut Rng, fields: &[(String, String)]) -> String {
    let ws = |rng: &mut Rng| {
        if rng.below(3) == 0 {
            rng.pick(SPACES)
        } else {
            ""
        }
    };
    let mut line = String::new();
    line += rng.pick(&["", "", "", " ", "\u{feff}", "\t"]);
    line.push('{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            line += ws(rng);
            line.push(',');
        }
        line += ws(rng);
        line += &format!("\"{k}\"");
        line += ws(rng);
        line.push(':');
        line += ws(rng);
        line += v;
    }
    line += ws(rng);
    line += rng.pick(&["}", "}", "}", "}", "", ",}", "}}", "} x", "}\n", "]"]);
    line
}

/// Deletes, inserts, replaces or duplicates a few bytes, or cuts the line short.
fn mutate(rng: &mut Rng, line: &[u8]) -> Vec<u8> {
    let mut out = line.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(out.len() + 1);
        let special = [
            b'"', b'\\', b'{', b'}', b',', b':', b' ', 0, 0x1f, 0xff, 0xe4, b'u', b'n',
        ];
        match rng.below(5) {
            0 if at < out.len() => {
                out.remove(at);
            }
            1 => out.insert(at, special[rng.below(special.len())]),
            2 if at < out.len() => out[at] = special[rng.below(special.len())],
            3 => out.truncate(at),
            _ => {
                let end = (at + rng.below(16)).min(out.len());
                let piece = out[at..end].to_vec();
                out.splice(at..at, piece);
            }
        }
    }
    out
}

#[test]
fn valid_records_agree_and_succeed() {
    let mut rng = Rng(0x5eed_0001);
    let mut ok = 0;
    for _ in 0..400 {
        let fields = valid_record(&mut rng);
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        let line = format!("{{{}}}", body.join(","));
        assert_same(line.as_bytes());
        let mut out = Vec::new();
        let mut scratch = Scratch::default();
        let verify = fields.iter().any(|(k, _)| k.starts_with("raw"));
        let verdict = if verify {
            batch::verify_record(line.as_bytes(), 1, false, &mut scratch, &mut out)
        } else {
            batch::decrypt_record(line.as_bytes(), 1, None, false, &mut scratch, &mut out)
        };
        ok += u32::from(verdict.is_ok());
    }
    // Without a session_key a quarter of them fail; the rest must pass.
    assert!(ok > 200, "{ok} of 400 valid records passed");
}

#[test]
fn odd_records_agree() {
    let mut rng = Rng(0x5eed_0002);
    for _ in 0..20_000 {
        let line = odd_record(&mut rng);
        assert_same(line.as_bytes());
    }
}

#[test]
fn mutated_records_agree() {
    let mut rng = Rng(0x5eed_0003);
    for _ in 0..20_000 {
        let line = if rng.below(2) == 0 {
            join(&mut Rng(rng.next() | 1), &valid_record(&mut rng))
        } else {
            odd_record(&mut rng)
        };
        assert_same(&mutate(&mut rng, line.as_bytes()));
    }
}

#[test]
fn hand_picked_edge_cases_agree() {
    for line in [
        "",
        " ",
        "{}",
        "[]",
        "null",
        "{\"id\":1}",
        "{\"id\":1,\"id\":2}",
        "{\"id\":null,\"id\":2}",
        "{\"rawData\":\"{}\",\"raw_data\":\"{}\",\"signature\":\"x\",\"session_key\":\"y\"}",
        "{\"encryptedData\":\"AA==\",\"encrypted_data\":\"AA==\",\"iv\":\"a\",\"session_key\":\"b\"}",
        "{\"rawData\":{\"a\":1},\"signature\":\"x\",\"session_key\":\"y\"}",
        "{\"rawData\":\"\\ud800\",\"signature\":\"x\",\"session_key\":\"y\"}",
        "{\"rawData\":null,\"signature\":null,\"session_key\":null,\"iv\":null}",
        "{\"id\":\"\\u0000\",\"rawData\":\"a\"}",
        "{\"id\":[\n]}",
        "{\"id\":1}\r",
        "\u{feff}{\"id\":1}",
        "{\"id\":1 }   ",
        "{\"id\":1}\x0c",
        "{\"session_key\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"iv\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"encryptedData\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}",
        "{\"session_key\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"iv\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"encryptedData\":\"AAAA AAAAAAAAAAAAAAAAAA==\"}",
        "{\"session_key\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"iv\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"encryptedData\":\"AAAA-_AAAAAAAAAAAAAAAA==\"}",
        "{\"rawData\":\"{}\",\"signature\":\" 0123456789ABCDEF0123456789ABCDEF01234567 \",\"session_key\":\"AAAAAAAAAAAAAAAAAAAAAA\"}",
    ] {
        assert_same(line.as_bytes());
    }
    assert_same(b"{\"id\":\"\xff\"}");
    assert_same(b"{\"rawData\":\"\xe4\xb8\",\"signature\":\"x\",\"session_key\":\"y\"}");
}

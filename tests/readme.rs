//! The README's console examples are outputs the binary gives: every `$ wxlogin ...` example of
//! an offline command (decrypt, verify-signature, explain) is run from the repository root and its
//! output compared with what the README shows, line by line (`...` inside a line stands for any
//! text; the README interleaves stdout and stderr, so lines are matched in either stream).

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run, wx};

/// Subcommands whose examples need no server, no secret file and no clock beyond the years.
const OFFLINE: &[&str] = &["decrypt", "verify-signature", "explain", "demo"];

struct Example {
    line: usize,
    args: Vec<String>,
    expected: Vec<String>,
    exit: i32,
}

fn examples() -> Vec<Example> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut in_block = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("```") {
            in_block = !in_block;
            i += 1;
            continue;
        }
        let command = line
            .strip_prefix("$ wxlogin ")
            .or_else(|| line.strip_prefix("$ cargo run --release -- "));
        let Some(command) = command.filter(|_| in_block) else {
            i += 1;
            continue;
        };
        let start = i + 1;
        let mut command = command.to_string();
        while command.ends_with('\\') {
            command.pop();
            i += 1;
            command.push_str(lines[i].trim());
        }
        i += 1;
        let mut expected = Vec::new();
        let mut exit = 0;
        while i < lines.len() && !lines[i].starts_with("$ ") && !lines[i].starts_with("```") {
            match lines[i]
                .strip_prefix("[exit ")
                .and_then(|l| l.strip_suffix(']'))
            {
                Some(code) => exit = code.parse().expect("[exit N]"),
                None if !lines[i].trim().is_empty() => expected.push(lines[i].to_string()),
                None => {}
            }
            i += 1;
        }
        let args: Vec<String> = command.split_whitespace().map(str::to_string).collect();
        let offline = args
            .iter()
            .find(|a| !a.starts_with('-') && !["zh", "en"].contains(&a.as_str()))
            .is_some_and(|sub| OFFLINE.contains(&sub.as_str()));
        let plain = !command.contains(['$', '>', '|', '#', '"', '\'']);
        if offline && plain {
            out.push(Example {
                line: start,
                args,
                expected,
                exit,
            });
        }
    }
    out
}

/// "(10 years ago)" moves with the calendar, a free port and a rid (WeChat's, made from the
/// clock) with each run; everything else must stay as printed.
fn steady(line: &str) -> String {
    let line = &match line.find("rid: ") {
        Some(at) => {
            let tail = &line[at + 5..];
            let rid = tail.len()
                - tail
                    .trim_start_matches(|c: char| c.is_ascii_hexdigit() || c == '-')
                    .len();
            format!("{}rid: RID{}", &line[..at], &tail[rid..])
        }
        None => line.to_string(),
    };
    let line = &match line.find("127.0.0.1:") {
        Some(at) => {
            let tail = &line[at + 10..];
            let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            format!("{}127.0.0.1:PORT{}", &line[..at], &tail[digits..])
        }
        None => line.to_string(),
    };
    match (line.find(" ("), line.rfind(" ago)")) {
        (Some(a), Some(b)) if b > a && line[a..b].contains("year") => {
            format!("{} (… ago){}", &line[..a], &line[b + 5..])
        }
        _ => line.to_string(),
    }
}

fn matches(pattern: &str, line: &str) -> bool {
    let (pattern, line) = (steady(pattern), steady(line));
    let mut parts = pattern.split("...");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (n, part) in parts.iter().enumerate() {
        if n + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

#[test]
fn readme_console_examples_are_what_the_binary_prints() {
    let examples = examples();
    assert!(
        examples.len() >= 8,
        "found only {} offline examples",
        examples.len()
    );
    for ex in examples {
        let r = run(wx()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["--color", "never"])
            .args(&ex.args));
        let shown = format!("README line {}: wxlogin {}", ex.line, ex.args.join(" "));
        assert_eq!(r.code, ex.exit, "{shown}\n{}{}", r.stdout, r.stderr);
        let mut actual: Vec<String> = r
            .stdout
            .lines()
            .chain(r.stderr.lines())
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        for want in &ex.expected {
            let at = actual.iter().position(|got| matches(want, got));
            match at {
                Some(at) => {
                    actual.remove(at);
                }
                None => panic!(
                    "{shown}\nthe README shows\n  {want}\nbut the binary printed\n{}{}",
                    r.stdout, r.stderr
                ),
            }
        }
        assert!(
            actual.is_empty(),
            "{shown}\nprinted lines the README does not show:\n{}",
            actual.join("\n")
        );
    }
}

#[test]
fn the_elision_matcher_is_strict_outside_the_dots() {
    assert!(matches("{\"a\":1,...}", "{\"a\":1,\"b\":2}"));
    assert!(!matches("{\"a\":1,...}", "{\"a\":2,\"b\":2}"));
    assert!(matches("made x (10 years ago)", "made x (11 years ago)"));
    assert!(!matches("exact", "exact and more"));
    assert!(matches(
        "at http://127.0.0.1:37619 now",
        "at http://127.0.0.1:4001 now"
    ));
    assert!(matches(
        "87009: x, rid: 6b0f-ab-cd",
        "87009: x, rid: 6c00-01-ff"
    ));
    assert!(!matches(
        "87009: x, rid: 6b0f-ab-cd",
        "87008: x, rid: 6c00-01-ff"
    ));
}

//! `--batch` for decrypt and verify-signature: open the input and output, run the core's
//! streaming pipeline, draw the progress bar and print the summary.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use super::Outcome;
use crate::cli::{BatchArgs, DecryptArgs, VerifyArgs};
use crate::core::batch::{self, FAILURE_KINDS, Mode, Options, StreamError, Tally};
use crate::core::error::io_reason;
use crate::core::{Error, exit};
use crate::output::{Ctx, eprintln_safe};

/// Jobs beyond this only add buffers: each job keeps two chunks of about 1 MB in flight.
const MAX_JOBS: usize = 256;

pub fn decrypt(ctx: &Ctx, source: &str, args: &DecryptArgs) -> Outcome {
    refuse_one_shot_values(&[
        ("--iv", args.iv.is_some()),
        ("--encrypted-data", args.encrypted_data.is_some()),
        ("--raw", args.raw),
    ])?;
    let (key, stored) = default_key(ctx, args.session_key.as_deref(), args.session.as_deref())?;
    let appid = args
        .appid
        .clone()
        .filter(|a| !a.is_empty())
        .or(stored.map(|s| s.appid));
    let mode = Mode::Decrypt {
        appid: appid.as_deref(),
    };
    run(ctx, source, &args.batch, mode, key.as_deref(), args.strict)
}

pub fn verify(ctx: &Ctx, source: &str, args: &VerifyArgs) -> Outcome {
    refuse_one_shot_values(&[
        ("--raw-data", args.raw_data.is_some()),
        ("--signature", args.signature.is_some()),
    ])?;
    let (key, _) = default_key(ctx, args.session_key.as_deref(), args.session.as_deref())?;
    run(
        ctx,
        source,
        &args.batch,
        Mode::Verify,
        key.as_deref(),
        args.strict,
    )
}

/// `--session-key` / `--session` in batch mode: the key of lines that carry none. Checked once
/// here, so a bad key is one error rather than one per line.
fn default_key(
    ctx: &Ctx,
    key: Option<&str>,
    session: Option<&str>,
) -> crate::core::Result<(Option<String>, Option<crate::sessions::StoredSession>)> {
    let Some((text, stored)) = super::stored::session_key(key, session)? else {
        return Ok((None, None));
    };
    let mut warnings = Vec::new();
    crate::core::input::decode_key16("session_key", &text, false, &mut warnings)?;
    ctx.warn_all(&warnings);
    Ok((Some(text), stored))
}

/// In batch mode every value comes from the lines; a one-shot value would be silently ignored.
fn refuse_one_shot_values(given: &[(&str, bool)]) -> crate::core::Result<()> {
    match given.iter().find(|(_, set)| *set) {
        Some((flag, _)) => Err(Error::usage(
            format!("{flag} cannot be combined with --batch"),
            "in batch mode each input line carries its own values (see `--help`)",
        )),
        None => Ok(()),
    }
}

fn run(
    ctx: &Ctx,
    source: &str,
    args: &BatchArgs,
    mode: Mode,
    session_key: Option<&str>,
    strict: bool,
) -> Outcome {
    let jobs = match args.jobs {
        Some(0) => {
            return Err(Error::usage(
                "--jobs must be at least 1",
                "omit --jobs to use every core",
            ));
        }
        Some(n) if n > MAX_JOBS => {
            return Err(Error::usage(
                format!("--jobs {n} is more than {MAX_JOBS}"),
                "more threads than cores only add memory; omit --jobs to use every core",
            ));
        }
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    let (input, size) = open_input(source)?;
    // `--output -` is stdout, as `--batch -` is stdin.
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    if let Some(out) = output {
        refuse_same_file(source, out)?;
    }
    let file = match output {
        Some(path) => Some(File::create(path).map_err(|e| {
            Error::input(
                "--output",
                format!("cannot create {}: {}", path.display(), io_reason(&e)),
                "give a writable path",
            )
        })?),
        None => None,
    };
    let opts = Options {
        mode,
        strict,
        jobs,
        session_key,
    };
    let bar = progress_bar(ctx, size);
    let started = Instant::now();
    let mut on_chunk = |t: &Tally| {
        if let Some(bar) = &bar {
            bar.set_position(t.bytes);
            let secs = started.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{} records, {:.0}/s",
                t.records,
                t.records as f64 / secs
            ));
        }
    };
    let result = match file {
        Some(mut file) => batch::run(input, &mut file, &opts, &mut on_chunk),
        // Chunks reach stdout as whole blocks of lines, so its line buffering never splits them.
        None => batch::run(input, &mut io::stdout().lock(), &opts, &mut on_chunk),
    };
    let elapsed = started.elapsed();
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let tally = match result {
        Ok(tally) => tally,
        Err(StreamError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(exit::OK),
        Err(StreamError::Write(e)) => {
            return Err(Error::input(
                "--output",
                format!("cannot write the results: {}", io_reason(&e)),
                "check free space and that the output is writable",
            ));
        }
        Err(StreamError::Read(e)) => {
            return Err(Error::input(
                "--batch",
                format!("cannot read {}: {}", shown_source(source), io_reason(&e)),
                "give a readable JSON Lines file, or - for stdin",
            ));
        }
    };
    if tally.records == 0 && !args.allow_empty {
        // An empty export must not pass CI as "every record passed".
        return Err(Error::input(
            "--batch",
            format!(
                "no records in {} ({} blank line{})",
                shown_source(source),
                tally.blank,
                if tally.blank == 1 { "" } else { "s" }
            ),
            "the export or capture log is empty; pass --allow-empty if that is fine",
        ));
    }
    if !ctx.quiet {
        summarize(ctx, &tally, elapsed);
    }
    Ok(if tally.failures() == 0 {
        exit::OK
    } else {
        exit::VERDICT
    })
}

fn open_input(source: &str) -> crate::core::Result<(Box<dyn Read + Send>, Option<u64>)> {
    if source == "-" {
        return Ok((Box::new(io::stdin()), None));
    }
    let unreadable = |reason: String| {
        Error::input(
            "--batch",
            format!("cannot read {source}: {reason}"),
            "give a readable JSON Lines file, or - for stdin",
        )
    };
    let file = File::open(source).map_err(|e| unreadable(io_reason(&e)))?;
    let meta = file.metadata().map_err(|e| unreadable(io_reason(&e)))?;
    if meta.is_dir() {
        return Err(unreadable("is a directory".into()));
    }
    let size = meta.is_file().then_some(meta.len());
    Ok((Box::new(file), size))
}

/// `--output` onto the input would truncate it before it is read.
fn refuse_same_file(source: &str, output: &Path) -> crate::core::Result<()> {
    if source == "-" {
        return Ok(());
    }
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(source), std::fs::canonicalize(output))
        && a == b
    {
        return Err(Error::usage(
            format!("--output {} is the input file", output.display()),
            "write the results to another file",
        ));
    }
    Ok(())
}

fn shown_source(source: &str) -> &str {
    if source == "-" { "stdin" } else { source }
}

/// A bar only for a person watching a file being processed: never on a pipe, in --json, with
/// -q, or in CI.
fn progress_bar(ctx: &Ctx, size: Option<u64>) -> Option<ProgressBar> {
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let size = size?;
    if ctx.json || ctx.quiet || in_ci || !io::stderr().is_terminal() {
        return None;
    }
    let style =
        ProgressStyle::with_template("{spinner} [{bar:30}] {percent:>3}% {msg} · ETA {eta}")
            .ok()?
            .progress_chars("=> ");
    let bar =
        ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr()).with_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

/// The closing line on stderr: a sentence for people, one JSON object with --json.
fn summarize(ctx: &Ctx, t: &Tally, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        t.records as f64 / secs
    } else {
        0.0
    };
    let by_kind: Vec<(&str, u64)> = FAILURE_KINDS
        .iter()
        .zip(t.failed)
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (*k, n))
        .collect();
    if ctx.json {
        let failed: serde_json::Map<String, serde_json::Value> = by_kind
            .iter()
            .map(|(k, n)| (k.to_string(), json!(n)))
            .collect();
        eprintln_safe(
            &json!({"summary": {
                "records": t.records, "ok": t.ok, "failed": failed, "blank_lines": t.blank,
                "seconds": (secs * 1000.0).round() / 1000.0, "records_per_second": rate.round() as u64,
            }})
            .to_string(),
        );
        return;
    }
    let mut line = format!("wxlogin: {} ok", t.ok);
    let failed = t.failures();
    if failed > 0 {
        let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        line += &format!(
            ", {}",
            ctx.paint_err(&format!("{failed} failed"), |s| {
                colored::Colorize::red(s)
            })
        );
        line += &format!(" ({})", kinds.join(", "));
    }
    if t.blank > 0 {
        line += &format!(
            " · {} blank line{} skipped",
            t.blank,
            if t.blank == 1 { "" } else { "s" }
        );
    }
    line += &format!(
        " · {} record{} in {secs:.2} s ({rate:.0} records/s)",
        t.records,
        if t.records == 1 { "" } else { "s" }
    );
    eprintln_safe(&line);
}

//! Rendering for people and for scripts: colour decisions, the one-line error format, warnings,
//! and the single JSON document `--json` promises for every outcome.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};

use colored::{ColoredString, Colorize};
use serde_json::{Value, json};

use crate::cli::{ColorWhen, Global, LangArg};
use crate::core::Error;
use crate::core::errcode::Lang;

/// What every command needs to know about how to speak.
#[derive(Debug)]
pub struct Ctx {
    pub json: bool,
    pub reveal: bool,
    pub verbose: u8,
    pub quiet: bool,
    pub lang: Lang,
    pub profile: Option<String>,
    pub color_out: bool,
    pub color_err: bool,
    /// In JSON mode warnings are collected into the final document instead of printed.
    warnings: RefCell<Vec<String>>,
}

impl Ctx {
    pub fn from_cli(cli: &Global) -> Ctx {
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
            || std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let decide = |is_tty: bool| match cli.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => is_tty && !no_color_env,
        };
        // colored only looks at stdout; we decide per stream and force it to obey us.
        colored::control::set_override(true);
        let lang = match cli.lang {
            Some(LangArg::Zh) => Lang::Zh,
            Some(LangArg::En) => Lang::En,
            None => Lang::from_locale(
                std::env::var("LC_ALL")
                    .ok()
                    .filter(|v| !v.is_empty())
                    .or_else(|| std::env::var("LANG").ok())
                    .as_deref(),
            ),
        };
        Ctx {
            json: cli.json,
            reveal: cli.reveal,
            verbose: cli.verbose,
            quiet: cli.quiet,
            lang,
            profile: cli.profile.clone(),
            color_out: decide(std::io::stdout().is_terminal()) && !cli.json,
            color_err: decide(std::io::stderr().is_terminal()),
            warnings: RefCell::new(Vec::new()),
        }
    }

    /// A plain context (no colour, English), for tests and embedded uses.
    pub fn plain(json: bool) -> Ctx {
        Ctx {
            json,
            reveal: false,
            verbose: 0,
            quiet: false,
            lang: Lang::En,
            profile: None,
            color_out: false,
            color_err: false,
            warnings: RefCell::new(Vec::new()),
        }
    }

    /// A warning: on stderr now, or into the JSON document's `warnings`.
    pub fn warn(&self, message: &str) {
        if self.json {
            self.warnings.borrow_mut().push(message.to_string());
        } else if !self.quiet {
            let label = paint(self.color_err, "warning:", |s| s.yellow().bold());
            eprintln_safe(&format!("wxlogin: {label} {message}"));
        }
    }

    pub fn warn_all<'a>(&self, messages: impl IntoIterator<Item = &'a String>) {
        for m in messages {
            self.warn(m);
        }
    }

    /// Context for a person on stderr (never in JSON mode, never with -q).
    pub fn note(&self, message: &str) {
        if !self.json && !self.quiet {
            eprintln_safe(message);
        }
    }

    /// Detail shown with -v.
    pub fn detail(&self, message: &str) {
        if self.verbose > 0 && !self.quiet && !self.json {
            eprintln_safe(&format!(
                "{} {message}",
                paint(self.color_err, "·", |s| s.dimmed())
            ));
        }
    }

    /// Prints the one JSON document of this run, with any collected warnings attached.
    pub fn emit_json(&self, mut doc: Value) {
        if let Value::Object(map) = &mut doc {
            let warnings = self.warnings.borrow();
            if !warnings.is_empty() || map.contains_key("warnings") {
                let list = map
                    .entry("warnings")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = list {
                    items.extend(warnings.iter().map(|w| Value::String(w.clone())));
                }
            }
        }
        println_safe(&doc.to_string());
    }

    /// Renders an error: one line on stderr for people, the error document for scripts.
    pub fn report_error(&self, err: &Error) {
        if self.json {
            self.emit_json(error_document(err, self.lang));
        } else {
            let label = paint(self.color_err, "error:", |s| s.red().bold());
            eprintln_safe(&format!("wxlogin: {label} {}", one_line(err, self.lang)));
        }
    }

    pub fn paint_out(&self, text: &str, style: fn(&str) -> ColoredString) -> String {
        paint(self.color_out, text, style)
    }

    pub fn paint_err(&self, text: &str, style: fn(&str) -> ColoredString) -> String {
        paint(self.color_err, text, style)
    }
}

pub fn paint(enabled: bool, text: &str, style: fn(&str) -> ColoredString) -> String {
    if enabled {
        style(text).to_string()
    } else {
        text.to_string()
    }
}

/// `message — hint`, on one line whatever the message held.
pub fn one_line(err: &Error, lang: Lang) -> String {
    let text = format!("{} — {}", err.message_in(lang), err.hint_in(lang));
    text.replace(['\n', '\r'], " ")
}

/// `{"ok": false, "error": {"kind", "message", "hint", ...}}`, in the language asked for.
pub fn error_document(err: &Error, lang: Lang) -> Value {
    json!({"ok": false, "error": Value::Object(err.fields(lang))})
}

/// Writes a line to stdout; a closed pipe (`| head`) ends the program quietly with 0.
pub fn println_safe(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

pub fn print_safe(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = write!(out, "{text}").and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

pub fn eprintln_safe(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// `2016-10-24 13:03:07 UTC (10 years ago)` for a unix timestamp.
pub fn describe_timestamp(ts: i64, now: i64) -> String {
    format!(
        "{} ({})",
        format_utc(ts),
        describe_age(now.saturating_sub(ts))
    )
}

pub fn format_utc(ts: i64) -> String {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

pub fn describe_age(age: i64) -> String {
    let (n, unit) = match age.saturating_abs() {
        a if a < 60 => (a, "second"),
        a if a < 3600 => (a / 60, "minute"),
        a if a < 86_400 => (a / 3600, "hour"),
        a if a < 86_400 * 365 => (a / 86_400, "day"),
        a => (a / (86_400 * 365), "year"),
    };
    let s = if n == 1 { "" } else { "s" };
    if age < 0 {
        format!("{n} {unit}{s} in the future: check the clock")
    } else {
        format!("{n} {unit}{s} ago")
    }
}

/// Howard Hinnant's days-to-civil: proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_official_watermark_date() {
        assert_eq!(format_utc(1477314187), "2016-10-24 13:03:07 UTC");
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(describe_age(3 * 86_400), "3 days ago");
    }
}

//! Where the appid, the appsecret and the API base URL come from: flags, then the environment,
//! then a profile of `$XDG_CONFIG_HOME/wxlogin/config.toml`, then a prompt on a terminal.
//!
//! ```toml
//! # ~/.config/wxlogin/config.toml  (chmod 600: it holds secrets)
//! [profile.default]               # used when neither --profile nor WXLOGIN_PROFILE is given
//! appid = "wx1234567890abcdef"
//! secret_file = "~/.secrets/wx-dev"   # or: secret = "..."
//!
//! [profile.mock]
//! appid = "wxmock0000000000001"
//! secret = "mocksecret"
//! base_url = "http://127.0.0.1:8080"
//! ```

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::CredentialArgs;
use crate::commands::values::read_value;
use crate::core::capped::read_text_at_most;
use crate::core::error::io_reason;
use crate::core::{Error, Result, Secret};

pub const ENV_SECRET: &str = "WXLOGIN_SECRET";
/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// The largest config file read: profiles are a few lines each; a wrong path is refused at once.
const MAX_CONFIG_BYTES: usize = 1 << 20;

/// The largest `--secret-file` read: an appsecret is 32 characters.
const MAX_SECRET_FILE_BYTES: usize = 64 << 10;

/// One `[profile.NAME]` table.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub appid: Option<String>,
    pub secret: Option<String>,
    /// Absolute, `~/…`, or relative to the config file's directory.
    pub secret_file: Option<PathBuf>,
    pub base_url: Option<String>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("appid", &self.appid)
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .field("secret_file", &self.secret_file)
            .field("base_url", &self.base_url)
            .finish()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigSchema {
    #[serde(default)]
    profile: BTreeMap<String, Profile>,
}

/// The appid and appsecret a command will use.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub appid: String,
    pub secret: Secret,
}

/// The resolved settings of one run, with what the user should hear about them.
#[derive(Debug, Default)]
pub struct Settings {
    path: Option<PathBuf>,
    profile_name: Option<String>,
    profile: Option<Profile>,
    /// Problems to tell the user about (a secret in shell history, a readable config file).
    pub warnings: Vec<String>,
    /// Where each value came from, for `-v`.
    pub details: Vec<String>,
}

/// `$XDG_CONFIG_HOME/wxlogin/config.toml`, or `~/.config/wxlogin/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = xdg.or_else(|| home().map(|h| h.join(".config")))?;
    Some(base.join("wxlogin").join("config.toml"))
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

impl Settings {
    /// Reads the config file, if there is one, and picks the profile: the named one (an error
    /// when it does not exist), else `default` when present.
    pub fn load(profile: Option<&str>) -> Result<Settings> {
        Settings::load_from(config_path(), profile)
    }

    pub fn load_from(path: Option<PathBuf>, profile: Option<&str>) -> Result<Settings> {
        let mut settings = Settings::default();
        let profile = profile.filter(|p| !p.is_empty());
        let text = match &path {
            Some(p) => match read_text_at_most(p, MAX_CONFIG_BYTES) {
                Ok(Some(text)) => Some(text),
                Ok(None) => {
                    return Err(Error::input(
                        "config",
                        crate::core::capped::more_than(p.display(), MAX_CONFIG_BYTES),
                        "a config file is a few profiles of a few lines: point XDG_CONFIG_HOME at the right one",
                    ));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(Error::input(
                        "config",
                        format!("cannot read {}: {}", p.display(), io_reason(&e)),
                        "fix the file's permissions, or point XDG_CONFIG_HOME elsewhere",
                    ));
                }
            },
            None => None,
        };
        let (Some(path), Some(text)) = (path, text) else {
            if let Some(name) = profile {
                return Err(Error::input(
                    "--profile",
                    format!("no config file to take profile {name:?} from"),
                    format!(
                        "create {} with a [profile.{name}] table holding appid, secret_file (or secret) and optionally base_url",
                        config_path().map_or("the config file".into(), |p| p.display().to_string())
                    ),
                ));
            }
            return Ok(settings);
        };
        let schema = parse_config(&path, &text)?;
        if schema
            .profile
            .values()
            .any(|p| p.secret.as_deref().is_some_and(|s| !s.is_empty()))
            && let Some(warning) = loose_permissions(&path, "holds an appsecret")
        {
            settings.warnings.push(warning);
        }
        let chosen = profile.unwrap_or(DEFAULT_PROFILE);
        match schema.profile.get(chosen) {
            Some(p) => {
                settings
                    .details
                    .push(format!("config: {}, profile {chosen}", path.display()));
                settings.profile = Some(p.clone());
                settings.profile_name = Some(chosen.to_string());
            }
            None if profile.is_some() => {
                let known: Vec<&str> = schema.profile.keys().map(String::as_str).collect();
                return Err(Error::input(
                    "--profile",
                    format!("{} has no profile {chosen:?}", path.display()),
                    if known.is_empty() {
                        format!("add a [profile.{chosen}] table")
                    } else {
                        format!("profiles there: {}", known.join(", "))
                    },
                ));
            }
            None => {}
        }
        settings.path = Some(path);
        Ok(settings)
    }

    fn origin(&self) -> String {
        match (&self.profile_name, &self.path) {
            (Some(name), Some(path)) => format!("profile {name} of {}", path.display()),
            _ => "the config file".to_string(),
        }
    }

    /// The API base URL: `--base-url` / `WXLOGIN_BASE_URL`, else the profile's, else WeChat's.
    pub fn base_url(&mut self, flag: Option<&str>) -> String {
        if let Some(url) = flag.filter(|u| !u.is_empty()) {
            return url.to_string();
        }
        if let Some(url) = self.profile.as_ref().and_then(|p| p.base_url.clone()) {
            self.details
                .push(format!("base URL {url} from {}", self.origin()));
            return url;
        }
        crate::core::api::DEFAULT_BASE_URL.to_string()
    }

    /// The appid and appsecret, from the first source that has each; prompts only when stdin is
    /// a terminal, and fails at once otherwise.
    pub fn credentials(&mut self, args: &CredentialArgs) -> Result<Credentials> {
        // The appid first: a prompt asks in the order the console shows them.
        let appid = self.appid(args)?;
        let secret = self.secret(args)?;
        Ok(Credentials { appid, secret })
    }

    /// The appid alone (a third-party platform's exchange needs no appsecret).
    pub fn appid(&mut self, args: &CredentialArgs) -> Result<String> {
        if let Some(appid) = args
            .appid
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            self.details
                .push(format!("appid {appid} from --appid / WXLOGIN_APPID"));
            return Ok(appid.to_string());
        }
        if let Some(appid) = self
            .profile
            .as_ref()
            .and_then(|p| p.appid.as_deref())
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            let appid = appid.to_string();
            self.details
                .push(format!("appid {appid} from {}", self.origin()));
            return Ok(appid);
        }
        if std::io::stdin().is_terminal() {
            let appid: String = dialoguer::Input::new()
                .with_prompt("appid")
                .interact_text()
                .map_err(|e| prompt_failed("appid", &e))?;
            return Ok(appid.trim().to_string());
        }
        Err(Error::input(
            "appid",
            "no appid given, and stdin is not a terminal to ask for one",
            format!(
                "pass --appid, set WXLOGIN_APPID, or add appid to a profile in {}",
                self.where_config()
            ),
        ))
    }

    /// The secret alone, through the appsecret's chain (also a WeCom corpsecret).
    pub fn secret(&mut self, args: &CredentialArgs) -> Result<Secret> {
        if let Some(secret) = &args.secret {
            self.warnings.push(
                "--secret puts the appsecret in your shell history and in the process list; \
                 prefer --secret-file, --secret-stdin or WXLOGIN_SECRET"
                    .to_string(),
            );
            self.details.push("appsecret from --secret".to_string());
            return nonempty(secret.expose(), "--secret");
        }
        if args.secret_stdin {
            self.details.push("appsecret from stdin".to_string());
            if std::io::stdin().is_terminal() {
                return prompt_secret();
            }
            let text = read_value("--secret-stdin", "-")?;
            return nonempty(&text, "--secret-stdin");
        }
        if let Some(path) = &args.secret_file {
            self.details
                .push(format!("appsecret from {}", path.display()));
            return self.secret_from_file(path, "--secret-file");
        }
        if let Ok(secret) = std::env::var(ENV_SECRET)
            && !secret.trim().is_empty()
        {
            self.details.push(format!("appsecret from {ENV_SECRET}"));
            return nonempty(&secret, ENV_SECRET);
        }
        if let Some(profile) = self.profile.clone() {
            if let Some(secret) = profile.secret.as_deref().filter(|s| !s.trim().is_empty()) {
                self.details
                    .push(format!("appsecret from {}", self.origin()));
                return nonempty(secret, "config secret");
            }
            if let Some(file) = &profile.secret_file {
                let path = self.resolve_relative(file);
                self.details.push(format!(
                    "appsecret from {} (secret_file of {})",
                    path.display(),
                    self.origin()
                ));
                return self.secret_from_file(&path, "config secret_file");
            }
        }
        if std::io::stdin().is_terminal() {
            return prompt_secret();
        }
        Err(Error::input(
            "appsecret",
            "no appsecret given, and stdin is not a terminal to ask for one",
            format!(
                "use --secret-file PATH, --secret-stdin, {ENV_SECRET}, or a profile in {}",
                self.where_config()
            ),
        ))
    }

    fn secret_from_file(&mut self, path: &Path, field: &str) -> Result<Secret> {
        let text = read_text_at_most(path, MAX_SECRET_FILE_BYTES)
            .map_err(|e| {
                Error::input(
                    field,
                    format!("cannot read {}: {}", path.display(), io_reason(&e)),
                    "give the path of a readable file holding only the appsecret",
                )
            })?
            .ok_or_else(|| {
                Error::input(
                    field,
                    crate::core::capped::more_than(path.display(), MAX_SECRET_FILE_BYTES),
                    "give the path of a file holding only the appsecret (32 characters)",
                )
            })?;
        if let Some(warning) = loose_permissions(path, "holds the appsecret") {
            self.warnings.push(warning);
        }
        nonempty(&text, field)
    }

    fn resolve_relative(&self, file: &Path) -> PathBuf {
        if let Ok(rest) = file.strip_prefix("~")
            && let Some(home) = home()
        {
            return home.join(rest);
        }
        match self.path.as_deref().and_then(Path::parent) {
            Some(dir) if file.is_relative() => dir.join(file),
            _ => file.to_path_buf(),
        }
    }

    fn where_config(&self) -> String {
        self.path
            .clone()
            .or_else(config_path)
            .map_or("the config file".into(), |p| p.display().to_string())
    }
}

/// Parses the config; a syntax error names the line but never quotes it (it may hold a secret).
fn parse_config(path: &Path, text: &str) -> Result<ConfigSchema> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            before.iter().filter(|b| **b == b'\n').count() + 1
        });
        let at = line.map_or(String::new(), |l| format!(" (line {l})"));
        Error::input(
            "config",
            format!("{}{at}: {}", path.display(), unquoted(e.message().trim())),
            "the file takes [profile.NAME] tables with appid, secret or secret_file, and base_url",
        )
    })
}

/// The parser's message with every quoted value blanked: a type error quotes the value it
/// found ("string \"…\"", "integer `…`"); field names and expected tokens stay.
fn unquoted(message: &str) -> String {
    // Backticks hold a found value only in serde's type errors; elsewhere, names and tokens.
    let backticked_value = message.contains("invalid type") || message.contains("invalid value");
    let mut out = String::with_capacity(message.len());
    let mut open: Option<char> = None;
    for c in message.chars() {
        match open {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if matches!(c, '"' | '\'') || (c == '`' && backticked_value) {
                    open = Some(c);
                }
            }
        }
    }
    if open.is_some() {
        out.push('…');
    }
    out
}

fn nonempty(text: &str, field: &str) -> Result<Secret> {
    // An appsecret never holds whitespace: a trailing newline or CR from a file is not part of it.
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::input(
            field,
            "the appsecret is empty",
            "the appsecret is the 32-character value from the console (Development → Development settings)",
        ));
    }
    if crate::core::secret::looks_masked(trimmed) {
        return Err(crate::core::secret::masked_error(field));
    }
    Ok(Secret::new(trimmed))
}

fn prompt_secret() -> Result<Secret> {
    let secret = dialoguer::Password::new()
        .with_prompt("appsecret (not echoed)")
        .interact()
        .map_err(|e| prompt_failed("appsecret", &e))?;
    nonempty(&secret, "appsecret")
}

fn prompt_failed(field: &str, e: &dialoguer::Error) -> Error {
    Error::input(
        field,
        format!("the prompt failed: {e}"),
        "pass the value with a flag, the environment or the config file instead",
    )
}

/// A warning when a file holding a secret can be read by group or others.
#[cfg(unix)]
fn loose_permissions(path: &Path, what: &str) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} {what} and is readable by group/others (mode {mode:03o}): chmod 600 {}",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn loose_permissions(_path: &Path, _what: &str) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_errors_name_the_line_without_quoting_it() {
        let text = "[profile.a]\nappid = \"wx1\"\nsecret = \"TOPSECRET\" junk\n";
        let err = parse_config(Path::new("c.toml"), text).unwrap_err();
        let shown = format!("{err} {}", err.hint());
        assert!(shown.contains("line 3"), "{shown}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
    }

    #[test]
    fn no_malformed_secret_is_quoted() {
        for line in [
            "secret = 0123abcdTOPSECRET",
            "secret = 98765432109876543210987654321",
            "secret = 9876543210",
            "secret = 98765.43210",
            "secret = \"TOPSECRET",
            "secret = 'TOPSECRET",
            "secret = TOP\"SECRET\"",
            "secret = [\"TOPSECRET\", 1]",
            "secret = { v = \"TOPSECRET\" }",
            "TOPSECRET",
        ] {
            let text = format!("[profile.a]\nappid = \"wx1\"\n{line}\n");
            let err = parse_config(Path::new("c.toml"), &text).unwrap_err();
            let shown = format!("{err} {}", err.hint());
            for part in ["TOPSECRET", "SECRET", "98765", "0123abcd"] {
                assert!(!shown.contains(part), "{line}: {shown}");
            }
        }
    }

    #[test]
    fn type_errors_do_not_quote_values() {
        let text = "[profile.a]\nsecret = [\"TOPSECRET\"]\n";
        let err = parse_config(Path::new("c.toml"), text).unwrap_err();
        assert!(!err.to_string().contains("TOPSECRET"), "{err}");
        assert_eq!(
            unquoted("invalid type: string \"abc\", expected `x`"),
            "invalid type: string \"…\", expected `…`"
        );
    }

    #[test]
    fn debug_never_shows_a_profile_secret() {
        let p = Profile {
            secret: Some("TOPSECRET".into()),
            ..Profile::default()
        };
        assert!(!format!("{p:?}").contains("TOPSECRET"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(parse_config(Path::new("c.toml"), "[profile.a]\nappsecret = \"x\"\n").is_err());
    }

    #[test]
    fn secrets_are_trimmed_and_never_empty() {
        assert_eq!(nonempty(" abc\r\n", "f").unwrap().expose(), "abc");
        assert!(nonempty(" \n", "f").is_err());
    }
}

//! What the commands that call WeChat share: settings from flags, environment and profile, a
//! client that speaks the user's language and traces with `-v`, and an access token.

use std::sync::Arc;
use std::time::Duration;

use super::values::read_value;
use crate::cli::{ApiArgs, CredentialArgs};
use crate::config::{Credentials, Settings};
use crate::core::api::{Client, ClientConfig, Event};
use crate::core::{Error, Result, Secret};
use colored::Colorize;

use crate::output::{Ctx, eprintln_safe, paint};

/// Loads the settings and builds the client; warnings and `-v` details are shown at once.
pub fn connect(ctx: &Ctx, api: &ApiArgs) -> Result<(Settings, Client)> {
    let mut settings = Settings::load(ctx.profile.as_deref())?;
    let base_url = settings.base_url(api.base_url.as_deref());
    let timeout = Duration::try_from_secs_f64(api.timeout)
        .ok()
        .filter(|t| !t.is_zero() && t.as_secs() <= 3600)
        .ok_or_else(|| {
            Error::usage(
                format!(
                    "--timeout {} is not a number of seconds in (0, 3600]",
                    api.timeout
                ),
                "e.g. --timeout 10 or --timeout 0.5",
            )
        })?;
    let client = Client::new(ClientConfig {
        base_url,
        timeout,
        retries: api.retries,
        insecure: api.insecure,
    })?
    .with_lang(ctx.lang)
    .with_observer(observer(ctx));
    flush(ctx, &mut settings);
    Ok((settings, client))
}

/// Shows what resolving settings found worth saying.
pub fn flush(ctx: &Ctx, settings: &mut Settings) {
    for warning in settings.warnings.drain(..) {
        ctx.warn(&warning);
    }
    for detail in settings.details.drain(..) {
        ctx.detail(&detail);
    }
}

/// Retries are worth a line on stderr (they cost seconds); requests and answers only with -v.
fn observer(ctx: &Ctx) -> crate::core::api::Observer {
    let speak = !ctx.json && !ctx.quiet;
    let verbose = speak && ctx.verbose > 0;
    let color = ctx.color_err;
    Arc::new(move |event: &Event| {
        let line = match event {
            Event::Sending {
                method,
                url,
                body,
                attempt,
                attempts,
            } if verbose => {
                let of = if *attempts > 1 {
                    format!("  (attempt {attempt}/{attempts})")
                } else {
                    String::new()
                };
                let body = body.as_ref().map_or(String::new(), |b| format!(" {b}"));
                format!("→ {method} {url}{body}{of}")
            }
            Event::Answered {
                status,
                bytes,
                elapsed,
            } if verbose => format!(
                "← HTTP {status}, {bytes} bytes in {} ms",
                elapsed.as_millis()
            ),
            Event::Retrying {
                reason,
                delay,
                next_attempt,
                attempts,
            } if speak => format!(
                "{reason}: retrying in {} ms (attempt {next_attempt}/{attempts})",
                delay.as_millis()
            ),
            _ => return,
        };
        eprintln_safe(&format!("{} {line}", paint(color, "·", |s| s.dimmed())));
    })
}

/// Where the access token comes from: given, or fetched with the app's credentials.
pub enum TokenSource {
    Given(Secret),
    Fetch(Credentials),
}

/// `--access-token` (text, @path or -), else the app's credentials to fetch one with. Resolved
/// before the runtime starts, since it may prompt.
pub fn token_source(
    ctx: &Ctx,
    settings: &mut Settings,
    given: Option<&str>,
    credentials: &CredentialArgs,
) -> Result<TokenSource> {
    if let Some(arg) = given {
        let token = read_value("--access-token", arg)?;
        let token = token.trim();
        if token.is_empty() {
            return Err(Error::input(
                "--access-token",
                "is empty",
                "pass the token from `wxlogin token --stable`, or drop --access-token to fetch one",
            ));
        }
        if crate::core::secret::looks_masked(token) {
            return Err(crate::core::secret::masked_error("--access-token"));
        }
        return Ok(TokenSource::Given(Secret::new(token)));
    }
    let creds = settings.credentials(credentials)?;
    flush(ctx, settings);
    Ok(TokenSource::Fetch(creds))
}

/// The token itself. Fetched through `/cgi-bin/stable_token`, which leaves the token a
/// production server holds valid; `/cgi-bin/token` would replace it.
pub async fn access_token(client: &Client, source: TokenSource) -> Result<Secret> {
    match source {
        TokenSource::Given(token) => Ok(token),
        TokenSource::Fetch(creds) => Ok(client
            .stable_token(&creds.appid, &creds.secret, false)
            .await?
            .access_token),
    }
}

/// The value as a shell word: bare when it is safe so (base64, ids), single-quoted otherwise.
pub fn shell_quote(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.,/+=@:%".contains(&b));
    if safe {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

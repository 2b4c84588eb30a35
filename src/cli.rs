//! The command line, defined once: parsing, `--help`, the man page and the shell completions
//! in `completions/` all come from these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success: the signature matches, the payload decrypted (and its watermark matched)
  1  negative verdict: signature mismatch, decryption failure, watermark mismatch;
     in batch mode: some records failed
  2  usage error
  3  bad input: malformed base64, wrong key/iv length, unreadable file, invalid JSON
  4  WeChat (or the mock) answered with an errcode
  5  transport: connection refused, timeout, TLS, non-JSON answer

Environment:
  WXLOGIN_APPID, WXLOGIN_SECRET, WXLOGIN_BASE_URL   credentials and API base URL
  WXLOGIN_PROFILE   profile of $XDG_CONFIG_HOME/wxlogin/config.toml
  WXLOGIN_PLATFORM, WXLOGIN_CORPID   as --platform and --corpid
  WXLOGIN_BACKEND   simulate: your backend's base URL (as --backend)
  XDG_STATE_HOME    where wxlogin/sessions.json keeps code2session's sessions
  NO_COLOR          disables colour (as --color never)
  LANG              zh_* selects Chinese explanations (as --lang zh)

Values: any KEY/DATA value may be given as text, @path (read a file) or - (stdin).

Manual: `man wxlogin` once installed, `man -l man/wxlogin.1` in the source tree (`wxlogin man [SUBCOMMAND]` prints any page).";

/// Global flags get their own heading in every subcommand's `--help`, apart from its own.
const GLOBAL: &str = "Global options";

#[derive(Debug, Parser)]
#[command(
    name = "wxlogin",
    version,
    about = "Debug the WeChat Mini Program login handshake: exchange codes, verify signatures, \
             decrypt payloads, run a faithful local mock of WeChat",
    after_help = EXIT_CODES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// The options every subcommand takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Print exactly one JSON document on stdout for every outcome (JSON Lines in batch mode)
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,

    /// When to colour output
    #[arg(long, global = true, help_heading = GLOBAL, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    /// More detail on stderr (secrets stay masked)
    #[arg(short, long, global = true, help_heading = GLOBAL, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only the result: no warnings, notes or progress on stderr
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub quiet: bool,

    /// Show secrets (session_key, access_token) in full instead of masked
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub reveal: bool,

    /// Language of errcode explanations [default: from LANG]
    #[arg(long, global = true, help_heading = GLOBAL, value_enum)]
    pub lang: Option<LangArg>,

    /// Profile of the config file to take credentials from
    #[arg(long, global = true, help_heading = GLOBAL, env = "WXLOGIN_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
}

impl Cli {
    /// Parses the arguments as `Cli::try_parse_from` does, building only the one subcommand the
    /// arguments name: the whole tree costs more than half of a one-shot run's instructions
    /// (callgrind). Help, errors and anything the narrow parse refuses go through the whole
    /// tree, so they read exactly as before.
    pub fn parse_args(args: &[std::ffi::OsString]) -> Result<Cli, clap::Error> {
        use clap::FromArgMatches;
        let mut narrow = Global::augment_args(
            clap::Command::new("wxlogin")
                .version(env!("CARGO_PKG_VERSION"))
                .subcommand_required(true)
                .arg_required_else_help(true),
        );
        if let Some(sub) = args.iter().skip(1).find_map(|a| subcommand(a.to_str()?)) {
            narrow = narrow.subcommand(sub);
        }
        match narrow.try_get_matches_from_mut(args) {
            Ok(matches) => {
                if let Ok(cli) = Cli::from_arg_matches(&matches) {
                    return Ok(cli);
                }
            }
            // Only the root's name and version show in it: the same text either way.
            Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => return Err(e),
            Err(_) => {}
        }
        Cli::try_parse_from(args)
    }
}

/// One subcommand alone, by its name on the command line.
fn subcommand(name: &str) -> Option<clap::Command> {
    let sub = |name: &'static str| clap::Command::new(name);
    Some(match name {
        "code2session" => Code2SessionArgs::augment_args(sub("code2session")),
        "verify-signature" => VerifyArgs::augment_args(sub("verify-signature")),
        "decrypt" => DecryptArgs::augment_args(sub("decrypt")),
        "mock-server" => MockServerArgs::augment_args(sub("mock-server")),
        "demo" => DemoArgs::augment_args(sub("demo")),
        "simulate" => SimulateArgs::augment_args(sub("simulate")),
        "token" => TokenArgs::augment_args(sub("token")),
        "check-session" => CheckSessionArgs::augment_args(sub("check-session")),
        "phone" => PhoneArgs::augment_args(sub("phone")),
        "explain" => ExplainArgs::augment_args(sub("explain")),
        "completions" => CompletionsArgs::augment_args(sub("completions")),
        "sessions" => SessionsArgs::augment_args(sub("sessions")),
        "man" => crate::commands::man::ManArgs::augment_args(sub("man")),
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Exchange a login code for openid and session_key (GET /sns/jscode2session, or a variant)
    Code2session(Code2SessionArgs),
    /// Check rawData + signature against a session_key
    VerifySignature(VerifyArgs),
    /// Decrypt encryptedData + iv with a session_key and check the watermark
    Decrypt(DecryptArgs),
    /// Run a faithful local fake of WeChat's side of the handshake
    MockServer(MockServerArgs),
    /// Run the whole handshake against an embedded mock, as a sequence diagram
    Demo(DemoArgs),
    /// Play the mini program against your own backend, with the mock as WeChat
    Simulate(SimulateArgs),
    /// Get an access token (GET /cgi-bin/token, or POST /cgi-bin/stable_token with --stable)
    Token(TokenArgs),
    /// Ask WeChat whether a stored session_key is still the user's current one
    CheckSession(CheckSessionArgs),
    /// Exchange a phone-number button code for the phone number
    Phone(PhoneArgs),
    /// Meaning and fix of a WeChat errcode, in English and Chinese
    Explain(ExplainArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// The sessions code2session saved: list them (keys masked) or forget them
    Sessions(SessionsArgs),
    /// Print the man page (roff); `man/` holds them all (`man -l man/wxlogin.1`)
    Man(crate::commands::man::ManArgs),
}

/// The mini program's appid and secret. Resolution: flags, then WXLOGIN_APPID /
/// WXLOGIN_SECRET, then the config file's profile, then a prompt on a terminal.
#[derive(Debug, Clone, Default, Args)]
pub struct CredentialArgs {
    /// The mini program's appid
    #[arg(long, env = "WXLOGIN_APPID", value_name = "APPID")]
    pub appid: Option<String>,

    /// The appsecret (works, but lands in shell history: prefer --secret-stdin or --secret-file)
    #[arg(long, value_name = "SECRET", conflicts_with_all = ["secret_stdin", "secret_file"])]
    pub secret: Option<crate::core::Secret>,

    /// Read the appsecret from stdin
    #[arg(long, conflicts_with = "secret_file")]
    pub secret_stdin: bool,

    /// Read the appsecret from a file
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
}

/// Where and how to reach WeChat's API.
#[derive(Debug, Clone, Args)]
pub struct ApiArgs {
    /// API base URL: WeChat, the mock server or any stand-in [default: https://api.weixin.qq.com]
    #[arg(long, env = "WXLOGIN_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// Seconds before a request is given up
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub timeout: f64,

    /// Retries on errcode -1 (system busy) and on connections that never reached the server
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub retries: u32,

    /// Allow a plain-http base URL that is not loopback (the appsecret would cross the network in clear)
    #[arg(long)]
    pub insecure: bool,
}

#[derive(Debug, Args)]
pub struct Code2SessionArgs {
    /// The code from wx.login (qq.login, wx.qy.login, tt.login; valid 5 minutes, usable once)
    #[arg(long, value_name = "CODE", required_unless_present = "anonymous_code")]
    pub code: Option<String>,

    #[command(flatten)]
    pub variant: VariantArgs,

    /// Do not save the session (openid, session_key, ...) to the sessions store
    #[arg(long)]
    pub no_save: bool,

    #[command(flatten)]
    pub credentials: CredentialArgs,

    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Use POST /cgi-bin/stable_token instead of GET /cgi-bin/token
    #[arg(long)]
    pub stable: bool,

    /// With --stable: force a new token (invalidates the previous one)
    #[arg(long, requires = "stable")]
    pub force_refresh: bool,

    #[command(flatten)]
    pub credentials: CredentialArgs,

    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Args)]
pub struct CheckSessionArgs {
    /// The user's openid
    #[arg(long, value_name = "OPENID", required_unless_present = "session")]
    pub openid: Option<String>,

    /// The session_key your server stored for that user (text, @path or -)
    #[arg(
        long,
        value_name = "KEY",
        required_unless_present = "session",
        conflicts_with = "session"
    )]
    pub session_key: Option<String>,

    /// Take the openid and session_key from a session code2session saved (an openid, or `last`)
    #[arg(long, value_name = "OPENID|last")]
    pub session: Option<String>,

    /// Use this access token instead of fetching one with the appid and secret
    #[arg(long, value_name = "TOKEN")]
    pub access_token: Option<crate::core::Secret>,

    #[command(flatten)]
    pub credentials: CredentialArgs,

    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Args)]
pub struct PhoneArgs {
    /// The code from the getPhoneNumber button's event
    #[arg(long, value_name = "CODE")]
    pub code: String,

    /// Use this access token instead of fetching one with the appid and secret
    #[arg(long, value_name = "TOKEN")]
    pub access_token: Option<crate::core::Secret>,

    #[command(flatten)]
    pub credentials: CredentialArgs,

    #[command(flatten)]
    pub api: ApiArgs,
}

/// Options shared by the two batch-capable commands.
#[derive(Debug, Clone, Args)]
pub struct BatchArgs {
    /// Process JSON Lines from FILE or - (stdin): one result line per input line
    #[arg(long, value_name = "FILE|-")]
    pub batch: Option<String>,

    /// With --batch: write results to FILE instead of stdout
    #[arg(long, value_name = "FILE", requires = "batch")]
    pub output: Option<PathBuf>,

    /// With --batch: worker threads [default: all cores]
    #[arg(long, value_name = "N", requires = "batch")]
    pub jobs: Option<usize>,

    /// With --batch: an input without any record is a success instead of an error (exit 3)
    #[arg(long, requires = "batch")]
    pub allow_empty: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The rawData string exactly as the client got it (text, @path or -)
    #[arg(long, value_name = "STR|@FILE|-", required_unless_present_any = ["from", "batch"])]
    pub raw_data: Option<String>,

    /// The signature from the same wx.getUserInfo result (40 hex digits)
    #[arg(long, value_name = "HEX", required_unless_present_any = ["from", "batch"])]
    pub signature: Option<String>,

    /// The session_key from code2session (text, @path or -); with --batch, for lines without one
    #[arg(long, value_name = "KEY", required_unless_present_any = ["batch", "session"], conflicts_with = "session")]
    pub session_key: Option<String>,

    /// Take the session_key from a session code2session saved (an openid, or `last`)
    #[arg(long, value_name = "OPENID|last")]
    pub session: Option<String>,

    /// Take rawData and signature from a captured wx.getUserInfo result (JSON; also under "detail")
    #[arg(long, value_name = "FILE", conflicts_with_all = ["raw_data", "signature", "batch"])]
    pub from: Option<String>,

    /// Refuse mangled base64 instead of repairing it
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub batch: BatchArgs,
}

#[derive(Debug, Args)]
pub struct DecryptArgs {
    /// The session_key from code2session (text, @path or -); with --batch, for lines without one
    #[arg(long, value_name = "KEY", required_unless_present_any = ["batch", "session"], conflicts_with = "session")]
    pub session_key: Option<String>,

    /// Take the session_key (and the appid to expect) from a session code2session saved (an
    /// openid, or `last`)
    #[arg(long, value_name = "OPENID|last")]
    pub session: Option<String>,

    /// The iv sent with encryptedData (text, @path or -)
    #[arg(long, value_name = "IV", required_unless_present_any = ["from", "batch"])]
    pub iv: Option<String>,

    /// The encryptedData (text, @path or -)
    #[arg(long, value_name = "DATA", required_unless_present_any = ["from", "batch"])]
    pub encrypted_data: Option<String>,

    /// Take encryptedData and iv from a captured wx.getUserInfo / getPhoneNumber result
    #[arg(long, value_name = "FILE", conflicts_with_all = ["iv", "encrypted_data", "batch"])]
    pub from: Option<String>,

    /// The appid the watermark must carry (a mismatch then fails with exit 1)
    #[arg(long, value_name = "APPID")]
    pub appid: Option<String>,

    /// Print the plaintext exactly as decrypted instead of pretty-printed
    #[arg(long)]
    pub raw: bool,

    /// Refuse mangled base64 instead of repairing it
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub batch: BatchArgs,
}

#[derive(Debug, Args)]
pub struct MockServerArgs {
    /// Address to bind (loopback unless you mean otherwise)
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: String,

    /// Port to listen on (0 picks a free one; the URL is the first line printed)
    #[arg(long, default_value_t = 8080, value_name = "PORT")]
    pub port: u16,

    /// A mini program the mock knows (repeatable); without any, a demo app is made and printed
    #[arg(long = "app", value_name = "APPID:SECRET")]
    pub apps: Vec<String>,

    /// Seed for reproducible openids, codes and keys
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Keep users, codes and sessions in FILE across restarts
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Seconds a code stays valid
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub code_ttl: u64,

    /// Users kept, all apps together (the oldest anonymous ones go first)
    ///
    /// Past it, the oldest anonymous user (made by a /mock/login without an openid) is let go,
    /// then the oldest named one; a code already issued to it still redeems. Counted in GET
    /// /mock/stats.
    #[arg(long, default_value_t = crate::mock::DEFAULT_MAX_USERS, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_users: usize,

    /// Codes kept (used and expired ones go first; all valid: login refused with 45011)
    ///
    /// Login codes of all apps together; phone codes and superseded access tokens are each held
    /// to the same number. Past it, used codes go first (oldest redeemed first), then expired
    /// ones; a valid code is never let go: when every kept code is still valid, /mock/login
    /// answers HTTP 429 with errcode 45011 and changes nothing. Counted in GET /mock/stats.
    #[arg(long, default_value_t = crate::mock::DEFAULT_MAX_CODES, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_codes: usize,

    /// Requests GET /mock/journal keeps (the oldest goes first)
    ///
    /// Each record keeps at most 8 KiB of query and of body, so the journal holds at most
    /// N x 16 KiB. Dropped records are counted in /mock/journal and /mock/stats.
    #[arg(long, default_value_t = crate::mock::DEFAULT_JOURNAL_SIZE, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub journal_size: usize,

    /// A third-party platform authorised for the mock's apps (or only the listed ones; repeatable)
    #[arg(long = "component", value_name = "APPID:SECRET[:APPID,…]")]
    pub components: Vec<String>,

    /// A WeCom corp whose self-built app is bound to the mock's mini program APPID (repeatable)
    #[arg(long = "wecom", value_name = "CORPID:CORPSECRET:APPID")]
    pub wecom: Vec<String>,

    /// A Douyin mini program (repeatable)
    #[arg(long = "douyin", value_name = "APPID:SECRET")]
    pub douyin: Vec<String>,

    #[command(flatten)]
    pub intercept: InterceptArgs,
}

/// Run a backend unchanged against the mock: its port becomes an HTTPS proxy for WeChat's hosts.
#[derive(Debug, Args)]
pub struct InterceptArgs {
    /// Also be an HTTP(S) proxy for the WeChat family's API hosts (TLS with the mock's own CA); every other host gets 403
    #[arg(long)]
    pub intercept: bool,

    /// Where the mock's CA lives (made on first use) [default: $XDG_DATA_HOME/wxlogin/ca]
    #[arg(long, value_name = "DIR", requires = "intercept")]
    pub ca_dir: Option<PathBuf>,

    /// Write the variables a backend needs (proxy, CA bundle) to FILE, for `set -a; . FILE; set +a`
    #[arg(long, value_name = "FILE", requires = "intercept")]
    pub env_file: Option<PathBuf>,

    /// Also serve HTTPS directly on PORT (0 picks a free one), for WeChat's host mapped to 127.0.0.1
    #[arg(long, value_name = "PORT", requires = "intercept")]
    pub tls_port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed for reproducible values
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Run the embedded mock as an HTTPS proxy for WeChat's hosts too, and say what a backend needs
    #[arg(long)]
    pub intercept: bool,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The flow file (TOML) describing the mini program's steps
    #[arg(value_name = "FLOW.toml")]
    pub flow: PathBuf,

    /// A running `wxlogin mock-server` your backend is configured to call
    #[arg(long, value_name = "URL", conflicts_with = "mock_port")]
    pub mock: Option<String>,

    /// Port of the embedded mock when --mock is not given (0 picks a free one)
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub mock_port: u16,

    /// An app for the embedded mock (repeatable)
    #[arg(long = "app", value_name = "APPID:SECRET")]
    pub apps: Vec<String>,

    /// Base URL of the backend, instead of the flow file's `backend`
    #[arg(long, env = "WXLOGIN_BACKEND", value_name = "URL")]
    pub backend: Option<String>,

    /// Make the embedded mock an HTTPS proxy for WeChat's hosts, for a backend whose SDK
    /// hard-codes them; prints the variables the backend needs
    #[arg(long, conflicts_with = "mock")]
    pub intercept: bool,

    /// Where the mock's CA lives, with --intercept [default: $XDG_DATA_HOME/wxlogin/ca]
    #[arg(long, value_name = "DIR", requires = "intercept")]
    pub ca_dir: Option<PathBuf>,

    /// With --intercept: write the backend's variables to FILE
    #[arg(long, value_name = "FILE", requires = "intercept")]
    pub env_file: Option<PathBuf>,

    /// The mini program's appid, instead of the flow file's `appid`
    #[arg(long, value_name = "APPID")]
    pub appid: Option<String>,

    /// The platform the flow plays, instead of the flow file's `platform`: its login call,
    /// the code exchange the backend must make, the embedded mock's corp or Douyin app
    #[arg(long, value_enum, value_name = "PLATFORM")]
    pub platform: Option<PlatformArg>,

    /// With `-- CMD`: a path of the backend that answers 2xx once it is ready (default: ready
    /// when its port accepts connections)
    #[arg(long, value_name = "PATH", requires = "command")]
    pub ready_path: Option<String>,

    /// With `-- CMD`: how long to wait for the backend to be ready (e.g. 10s, 500ms, 2m)
    #[arg(long, value_name = "DURATION", requires = "command",
          value_parser = crate::scenario::backend::parse_duration)]
    pub ready_timeout: Option<std::time::Duration>,

    /// The backend's command: simulate starts it with WXLOGIN_MOCK_URL, WXLOGIN_APPID,
    /// WXLOGIN_SECRET, WXLOGIN_PLATFORM, PORT (WeCom: WXLOGIN_CORPID, WXLOGIN_CORPSECRET) and
    /// the --intercept variables set, and stops it at the end
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The errcode (e.g. 40029, -1, -41003)
    #[arg(value_name = "ERRCODE", allow_hyphen_values = true)]
    pub errcode: String,

    /// Whose table: Douyin's err_no and WeCom's codes differ from WeChat's
    #[arg(long, value_enum, env = "WXLOGIN_PLATFORM", default_value_t = PlatformArg::Wechat)]
    pub platform: PlatformArg,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SessionsArgs {
    #[command(subcommand)]
    pub action: Option<SessionsAction>,
}

#[derive(Debug, Subcommand)]
pub enum SessionsAction {
    /// List the stored sessions, newest last (the default)
    List,
    /// Remove the stored sessions of an openid, or all of them
    Forget {
        /// The openid whose sessions to remove
        #[arg(
            value_name = "OPENID",
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        openid: Option<String>,
        /// Remove every stored session
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The platform whose server API a command speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlatformArg {
    /// api.weixin.qq.com, wx.login
    Wechat,
    /// api.q.qq.com, qq.login
    Qq,
    /// qyapi.weixin.qq.com, wx.qy.login
    Wecom,
    /// developer.toutiao.com, tt.login
    Douyin,
}

impl From<PlatformArg> for crate::core::platform::Platform {
    fn from(p: PlatformArg) -> Self {
        use crate::core::platform::Platform;
        match p {
            PlatformArg::Wechat => Platform::Wechat,
            PlatformArg::Qq => Platform::Qq,
            PlatformArg::Wecom => Platform::Wecom,
            PlatformArg::Douyin => Platform::Douyin,
        }
    }
}

/// The login variants of code2session: platform, third-party platform, WeCom, Douyin.
#[derive(Debug, Clone, Args)]
pub struct VariantArgs {
    /// Platform: selects the API host, the errcode table and the login call named
    #[arg(long, value_enum, env = "WXLOGIN_PLATFORM", default_value_t = PlatformArg::Wechat)]
    pub platform: PlatformArg,

    /// Third-party platform: exchange through /sns/component/jscode2session as this component appid
    #[arg(long, value_name = "ID", conflicts_with_all = ["wecom", "anonymous_code"])]
    pub component_appid: Option<String>,

    /// The component_access_token (text, @path or -)
    #[arg(long, value_name = "TOKEN", requires = "component_appid", conflicts_with_all = ["component_secret", "component_ticket"])]
    pub component_token: Option<String>,

    /// The component appsecret, to fetch a component_access_token first (text, @path or -)
    #[arg(long, value_name = "SECRET", requires_all = ["component_appid", "component_ticket"])]
    pub component_secret: Option<String>,

    /// The component_verify_ticket WeChat pushed to the platform (text, @path or -)
    #[arg(long, value_name = "TICKET", requires_all = ["component_appid", "component_secret"])]
    pub component_ticket: Option<String>,

    /// WeCom self-built app: gettoken with --corpid and the corpsecret, then miniprogram/jscode2session
    #[arg(long, conflicts_with = "anonymous_code")]
    pub wecom: bool,

    /// The WeCom corp id (ww…); its corpsecret comes like an appsecret (--secret-file, --secret-stdin, WXLOGIN_SECRET, profile, prompt)
    #[arg(long, value_name = "ID", env = "WXLOGIN_CORPID")]
    pub corpid: Option<String>,

    /// Douyin: the anonymousCode of tt.login (or, without a value, --code is one)
    #[arg(long, value_name = "CODE", num_args = 0..=1, default_missing_value = "")]
    pub anonymous_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The narrow parse knows every subcommand, and gives what the whole tree gives.
    #[test]
    fn narrow_parse_matches_the_whole_tree() {
        for sub in Cli::command().get_subcommands() {
            let name = sub.get_name();
            assert!(subcommand(name).is_some(), "{name} has no narrow parse");
        }
        let cases: &[&[&str]] = &[
            &[
                "wxlogin",
                "decrypt",
                "--session-key",
                "k",
                "--iv",
                "i",
                "--encrypted-data",
                "d",
            ],
            &[
                "wxlogin",
                "--json",
                "-q",
                "verify-signature",
                "--batch",
                "f.jsonl",
                "--jobs",
                "1",
            ],
            &["wxlogin", "--profile", "token", "explain", "40029"],
            &[
                "wxlogin",
                "--color=never",
                "--lang",
                "zh",
                "explain",
                "40029",
                "--reveal",
            ],
            &["wxlogin", "mock-server", "--port", "0", "-v"],
        ];
        for args in cases {
            let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
            let narrow = Cli::parse_args(&args).map(|c| format!("{c:?}"));
            let whole = Cli::try_parse_from(&args).map(|c| format!("{c:?}"));
            assert_eq!(narrow.ok(), whole.ok(), "{args:?}");
        }
        // What the narrow parse refuses reads as the whole tree's error.
        for args in [
            &["wxlogin", "decrypt", "--nope"][..],
            &["wxlogin", "--help"],
            &["wxlogin"],
        ] {
            let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
            let narrow = Cli::parse_args(&args)
                .map(|_| ())
                .map_err(|e| e.render().to_string());
            let whole = Cli::try_parse_from(&args)
                .map(|_| ())
                .map_err(|e| e.render().to_string());
            assert_eq!(narrow, whole);
            assert!(whole.is_err());
        }
    }
}

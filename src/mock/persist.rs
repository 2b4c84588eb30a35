//! `--state FILE`: the mock's memory as JSON, read at start and written off the request path
//! (atomically: a temporary file renamed over the old one) whenever something changed.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::profile::Profile;
use super::state::{
    App, CodeEntry, PhoneCode, SavedUser, State, TokenEntry, User, code_str, is_key_text, lock,
    now_ms,
};
use crate::core::Error;

const FORMAT: u32 = 1;

/// What saving has cost so far, for `/mock/stats`.
#[derive(Default)]
pub(crate) struct SaveStats {
    pub saves: AtomicU64,
    pub last_bytes: AtomicU64,
    /// Microseconds the last save spent copying the state (short locks, one shard at a time).
    pub last_copy_us: AtomicU64,
    /// Microseconds the last save took, copy, JSON and fsync together (off the request path).
    pub last_total_us: AtomicU64,
    pub total_us: AtomicU64,
}

impl SaveStats {
    pub(crate) fn record(&self, bytes: u64, copied: Duration, total: Duration) {
        let us = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.saves.fetch_add(1, Ordering::Relaxed);
        self.last_bytes.store(bytes, Ordering::Relaxed);
        self.last_copy_us.store(us(copied), Ordering::Relaxed);
        self.last_total_us.store(us(total), Ordering::Relaxed);
        self.total_us.fetch_add(us(total), Ordering::Relaxed);
    }
}

#[derive(Serialize, Deserialize, Default)]
pub(crate) struct Snapshot {
    pub format: u32,
    /// How many times the mock started from this file; a seeded run draws a new stream each time.
    pub epoch: u64,
    pub apps: Vec<AppSnap>,
    pub users: Vec<UserSnap>,
    pub codes: Vec<CodeSnap>,
    pub phone_codes: Vec<PhoneCodeSnap>,
    pub tokens: Vec<TokenSnap>,
    /// What the login variants' routes keep; absent from files written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variants: Option<VariantsSnap>,
}

#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct AppSnap {
    pub appid: String,
    pub secret: String,
    #[serde(default)]
    pub unionid: bool,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct UserSnap {
    appid: String,
    openid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    unionid: Option<String>,
    session_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<Profile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    /// Made by a login without an openid: among the first to go past `--max-users`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    anonymous: bool,
    /// Let go past `--max-users` while a code of theirs is still kept: restored for that code
    /// only, so a restart does not lose a valid code.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    detached: bool,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct CodeSnap {
    code: String,
    appid: String,
    openid: String,
    issued_ms: u64,
    used: bool,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct PhoneCodeSnap {
    code: String,
    appid: String,
    openid: String,
    phone: String,
    country_code: String,
    issued_ms: u64,
    used: bool,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct TokenSnap {
    token: String,
    appid: String,
    expires_ms: u64,
    stable: bool,
    /// The app's newest token of its kind (the one a later request would replace).
    latest: bool,
}

/// The login variants' memory (`--component`, `--wecom`, `--douyin`), every entry named by its
/// appid, corpid or component appid: the configuration may change between runs.
#[derive(Serialize, Deserialize, Default)]
pub(crate) struct VariantsSnap {
    #[serde(default)]
    pub tickets: Vec<TicketSnap>,
    #[serde(default)]
    pub tokens: Vec<FamilyTokenSnap>,
    /// (corp, userid, app) → the mock user standing for that member.
    #[serde(default)]
    pub members: Vec<MemberSnap>,
    /// (app, openid) → (corp, userid): who a WeCom code was issued to.
    #[serde(default)]
    pub member_of: Vec<MemberSnap>,
    #[serde(default)]
    pub anonymous_codes: Vec<AnonCodeSnap>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct TicketSnap {
    pub component_appid: String,
    pub ticket: String,
    /// The ticket the current one replaced (it answers 61005).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

/// Whose a family token is: `{"component": APPID}` or `{"corp": CORPID}`.
#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OwnerSnap {
    Component(String),
    Corp(String),
}

#[derive(Serialize, Deserialize)]
pub(crate) struct FamilyTokenSnap {
    pub token: String,
    pub owner: OwnerSnap,
    pub expires_ms: u64,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct MemberSnap {
    pub corpid: String,
    pub userid: String,
    pub appid: String,
    pub openid: String,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct AnonCodeSnap {
    pub code: String,
    pub appid: String,
    pub anonymous_openid: String,
    pub session_key: String,
    pub issued_ms: u64,
    pub used: bool,
}

/// Reads a state file; a missing file is an empty state, a broken one an input error.
/// Only a regular file can be one (the mock writes it by renaming), so a device or a FIFO
/// (`/dev/zero`, a link to one) is refused before it is opened; the JSON is parsed as it is
/// read, so a file of garbage fails at its first bad byte without being held whole.
pub(crate) fn load(path: &Path) -> Result<Option<Snapshot>, Error> {
    let cannot = |e: &std::io::Error| {
        Error::input(
            "--state",
            format!(
                "cannot read {}: {}",
                path.display(),
                crate::core::error::io_reason(e)
            ),
            "check the path and its permissions",
        )
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot(&e)),
        Ok(m) if m.is_file() => {}
        Ok(m) if m.is_dir() => {
            return Err(cannot(&std::io::ErrorKind::IsADirectory.into()));
        }
        Ok(_) => {
            return Err(Error::input(
                "--state",
                format!("{} is not a regular file", path.display()),
                "give a file this mock wrote, or a new path (it is created)",
            ));
        }
    }
    let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
    let reader = std::io::BufReader::with_capacity(256 * 1024, file);
    let snap: Snapshot = serde_json::from_reader(reader).map_err(|e| {
        Error::input(
            "--state",
            format!("{} is not a mock state file: {e}", path.display()),
            "give a file this mock wrote, or a new path (it is created)",
        )
    })?;
    if snap.format != FORMAT {
        return Err(Error::input(
            "--state",
            format!(
                "{} has state format {}, expected {FORMAT}",
                path.display(),
                snap.format
            ),
            "it was written by another version of wxlogin: use a new path",
        ));
    }
    Ok(Some(snap))
}

/// Puts a snapshot's users, codes and tokens into a fresh state whose apps are already set.
/// Records of apps the state does not know, or with broken values, are skipped.
pub(crate) fn restore(state: &State, snap: Snapshot) {
    let mut users = HashMap::new();
    for u in snap.users {
        let Some(app) = state.app(&u.appid) else {
            continue;
        };
        let Ok(key) = <[u8; 24]>::try_from(u.session_key.as_bytes()) else {
            continue;
        };
        if !is_key_text(&key) {
            continue;
        }
        let saved = SavedUser {
            openid: u.openid.clone(),
            unionid: u.unionid,
            session_key: key,
            profile: u.profile,
            phone: u.phone,
            anonymous: u.anonymous,
        };
        let user = if u.detached {
            state.detached_user(app, saved)
        } else {
            state.restore_user(app, saved)
        };
        users.insert((app, u.openid), user);
    }
    for c in snap.codes {
        let (Some(app), Ok(code)) = (state.app(&c.appid), c.code.as_bytes().try_into()) else {
            continue;
        };
        if let Some(user) = users.get(&(app, c.openid)) {
            let entry = CodeEntry::new(user.clone(), c.issued_ms, c.used);
            state.restore_code(code, entry);
        }
    }
    let mut phones = lock(&state.phone_codes);
    for c in snap.phone_codes {
        let (Some(app), Ok(code)) = (state.app(&c.appid), c.code.as_bytes().try_into()) else {
            continue;
        };
        if let Some(user) = users.get(&(app, c.openid)) {
            let entry = PhoneCode {
                user: Arc::clone(user),
                phone: c.phone,
                country_code: c.country_code,
                issued_ms: c.issued_ms,
                used: c.used,
            };
            phones.insert(code, entry);
        }
    }
    drop(phones);
    let mut tokens = lock(&state.tokens);
    for t in snap.tokens {
        let Some(app) = state.app(&t.appid) else {
            continue;
        };
        if t.latest {
            let latest = if t.stable {
                &mut tokens.latest_stable
            } else {
                &mut tokens.latest
            };
            latest.insert(app, t.token.clone());
        }
        let entry = TokenEntry {
            app,
            expires_ms: t.expires_ms,
            stable: t.stable,
        };
        tokens.by_token.insert(t.token, entry);
    }
}

/// Everything needed to come back as we are; each lock is taken briefly, one at a time.
pub(crate) fn snapshot(state: &State) -> Snapshot {
    let appid = |i: usize| state.apps[i].appid.clone();
    let apps = state
        .apps
        .iter()
        .map(|a| AppSnap {
            appid: a.appid.clone(),
            secret: a.secret.clone(),
            unionid: a.unionid,
        })
        .collect();
    let user_snap = |user: &Arc<User>, anonymous: bool, detached: bool| {
        let data = lock(&user.data);
        UserSnap {
            appid: appid(user.app),
            openid: user.openid.to_string(),
            unionid: data.unionid().map(String::from),
            session_key: String::from_utf8_lossy(&data.session_key()).into_owned(),
            profile: data.profile().cloned(),
            phone: data.phone().map(String::from),
            anonymous,
            detached,
        }
    };
    // Oldest first, so a restart keeps the order in which users are let go.
    let (anonymous, named) = state.users_in_order();
    let mut users = Vec::with_capacity(anonymous.len() + named.len());
    users.extend(anonymous.iter().map(|u| user_snap(u, true, false)));
    users.extend(named.iter().map(|u| user_snap(u, false, false)));
    let mut listed: std::collections::HashSet<*const User> =
        anonymous.iter().chain(&named).map(Arc::as_ptr).collect();
    drop((anonymous, named));
    // Under each shard's lock only a copy of a few words per code; the text comes after.
    // Expired codes would be refused anyway: they are not written.
    let (now, ttl) = (now_ms(), state.code_ttl_ms);
    let mut kept = Vec::with_capacity(state.code_count());
    for shard in state.codes.each() {
        kept.extend(
            shard
                .iter()
                .filter(|(_, c)| now < c.issued_ms().saturating_add(ttl))
                .map(|(code, c)| (code, c.user.clone(), c.issued_ms(), c.used())),
        );
    }
    for (_, user, _, _) in &kept {
        if listed.insert(Arc::as_ptr(user)) {
            users.push(user_snap(user, false, true));
        }
    }
    let codes = kept
        .into_iter()
        .map(|(code, user, issued_ms, used)| CodeSnap {
            code: code_str(&code).to_string(),
            appid: appid(user.app),
            openid: user.openid.to_string(),
            issued_ms,
            used,
        })
        .collect();
    let phone_codes = lock(&state.phone_codes)
        .iter()
        .map(|(code, c)| PhoneCodeSnap {
            code: code_str(code).to_string(),
            appid: appid(c.user.app),
            openid: c.user.openid.to_string(),
            phone: c.phone.clone(),
            country_code: c.country_code.clone(),
            issued_ms: c.issued_ms,
            used: c.used,
        })
        .collect();
    let t = lock(&state.tokens);
    let tokens = t
        .by_token
        .iter()
        .map(|(token, e)| {
            let latest = if e.stable {
                &t.latest_stable
            } else {
                &t.latest
            };
            TokenSnap {
                token: token.clone(),
                appid: appid(e.app),
                expires_ms: e.expires_ms,
                stable: e.stable,
                latest: latest.get(&e.app) == Some(token),
            }
        })
        .collect();
    drop(t);
    Snapshot {
        format: FORMAT,
        epoch: state.epoch,
        apps,
        users,
        codes,
        phone_codes,
        tokens,
        variants: None,
    }
}

/// Writes the snapshot next to `path` and renames it over, so a crash leaves the old or the
/// new file, never half of one. The temporary file is created exclusively under a random name
/// with owner-only permissions (it holds secrets), so nothing placed at a guessable name on a
/// shared host can catch or redirect the write.
/// Returns the size written. The JSON is streamed to the file, never held whole in memory.
pub(crate) fn save(path: &Path, snap: &Snapshot) -> std::io::Result<u64> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // tempfile opens with O_EXCL and mode 0600 on unix; dropped unpersisted, it is removed.
    let mut tmp = tempfile::Builder::new()
        .prefix(".wxlogin-state-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, tmp.as_file_mut());
    serde_json::to_writer(&mut out, snap).map_err(std::io::Error::other)?;
    out.flush()?;
    drop(out);
    tmp.as_file().sync_all()?;
    let size = tmp.as_file().metadata()?.len();
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)?;
    Ok(size)
}

/// Makes the rename itself durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The apps to run with: those configured, then any others the state file knew (so its users
/// and codes stay valid). A configured app's secret wins over the file's.
pub(crate) fn merge_apps(configured: Vec<App>, saved: &[AppSnap]) -> Vec<App> {
    let mut apps = configured;
    for s in saved {
        if !apps.iter().any(|a| a.appid == s.appid) {
            apps.push(App {
                appid: s.appid.clone(),
                secret: s.secret.clone(),
                unionid: s.unionid,
            });
        }
    }
    apps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::bounds::Limits;
    use crate::mock::state::Entropy;

    fn state(ttl_ms: u64) -> State {
        let apps = vec![App {
            appid: "wxapp".into(),
            secret: "s".into(),
            unionid: false,
        }];
        let limits = Limits::default();
        State::new(apps, Some(4), 0, Entropy::new(Some(4), 0), ttl_ms, limits)
    }

    #[test]
    fn state_file_keeps_which_users_are_anonymous_and_their_order() {
        let s = state(60_000);
        let a1 = s.user_or_new(0, None, None);
        let named = s.user_or_new(0, Some("oNamed"), None);
        let a2 = s.user_or_new(0, None, None);
        s.login(&a1).unwrap();
        let snap: Snapshot =
            serde_json::from_slice(&serde_json::to_vec(&snapshot(&s)).unwrap()).unwrap();
        let back = state(60_000);
        restore(&back, snap);
        let (anonymous, named_back) = back.users_in_order();
        let ids = |v: &[Arc<User>]| v.iter().map(|u| u.openid.to_string()).collect::<Vec<_>>();
        assert_eq!(
            ids(&anonymous),
            vec![a1.openid.to_string(), a2.openid.to_string()]
        );
        assert_eq!(ids(&named_back), vec![named.openid.to_string()]);
        assert_eq!((back.user_count(), back.code_count()), (3, 1));
    }

    #[test]
    fn restart_keeps_a_valid_code_whose_anonymous_user_was_let_go() {
        let apps = || {
            vec![App {
                appid: "wxapp".into(),
                secret: "s".into(),
                unionid: false,
            }]
        };
        let limits = Limits {
            max_users: 1,
            ..Limits::default()
        };
        let s = State::new(apps(), Some(4), 0, Entropy::new(Some(4), 0), 60_000, limits);
        let first = s.user_or_new(0, None, None);
        let code = s.login(&first).unwrap();
        s.user_or_new(0, None, None);
        assert!(s.user(0, &first.openid).is_none(), "let go past max_users");
        let snap: Snapshot =
            serde_json::from_slice(&serde_json::to_vec(&snapshot(&s)).unwrap()).unwrap();
        let back = State::new(apps(), Some(4), 1, Entropy::new(Some(4), 1), 60_000, limits);
        restore(&back, snap);
        assert_eq!(back.user_count(), 1);
        assert!(back.user(0, &first.openid).is_none(), "still let go");
        let redeemed = back.redeem(0, code_str(&code)).unwrap();
        assert_eq!(redeemed.openid, first.openid);
    }

    #[test]
    fn state_file_leaves_out_expired_codes() {
        let s = state(0);
        let u = s.user_or_new(0, Some("oU"), None);
        s.login(&u).unwrap();
        assert_eq!(s.code_count(), 1);
        assert!(snapshot(&s).codes.is_empty());
    }

    #[test]
    fn state_save_ignores_a_planted_file_or_symlink_at_the_old_temp_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let old_tmp = dir
            .path()
            .join(format!(".state.json.{}.tmp", std::process::id()));
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&victim, &old_tmp).unwrap();
        #[cfg(not(unix))]
        std::fs::write(&old_tmp, "planted").unwrap();
        let snap = Snapshot {
            format: FORMAT,
            apps: vec![AppSnap {
                appid: "wxapp".into(),
                secret: "topsecretvalue".into(),
                unionid: false,
            }],
            ..Snapshot::default()
        };
        save(&path, &snap).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        let saved = std::fs::read_to_string(&path).unwrap();
        assert!(saved.contains("topsecretvalue"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let link = std::fs::symlink_metadata(&old_tmp).unwrap();
            assert!(
                link.file_type().is_symlink(),
                "the planted link is left alone"
            );
        }
        // No temporary file stays behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".wxlogin-state-"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }
}

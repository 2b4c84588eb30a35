//! `--state FILE`: the mock's memory as JSON, read at start and written off the request path
//! (atomically: a temporary file renamed over the old one) whenever something changed.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::profile::Profile;
use super::state::{App, CodeEntry, PhoneCode, State, TokenEntry, code_str, lock};
use crate::core::Error;

const FORMAT: u32 = 1;

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

/// Reads a state file; a missing file is an empty state, a broken one an input error.
pub(crate) fn load(path: &Path) -> Result<Option<Snapshot>, Error> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::input(
                "--state",
                format!(
                    "cannot read {}: {}",
                    path.display(),
                    crate::core::error::io_reason(&e)
                ),
                "check the path and its permissions",
            ));
        }
    };
    let snap: Snapshot = serde_json::from_slice(&text).map_err(|e| {
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
        let user = state.restore_user(app, u.openid.clone(), u.unionid, key, u.profile, u.phone);
        users.insert((app, u.openid), user);
    }
    for c in snap.codes {
        let (Some(app), Ok(code)) = (state.app(&c.appid), c.code.as_bytes().try_into()) else {
            continue;
        };
        if let Some(user) = users.get(&(app, c.openid)) {
            let entry = CodeEntry {
                user: user.clone(),
                issued_ms: c.issued_ms,
                used: c.used,
            };
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
    let mut users = Vec::new();
    for (app, shards) in state.users.iter().enumerate() {
        for shard in shards.each() {
            for user in shard.values() {
                let data = lock(&user.data);
                users.push(UserSnap {
                    appid: appid(app),
                    openid: user.openid.clone(),
                    unionid: user.unionid.clone(),
                    session_key: data.session_key_str().to_string(),
                    profile: data.profile.clone(),
                    phone: data.phone.clone(),
                });
            }
        }
    }
    let mut codes = Vec::new();
    for shard in state.codes.each() {
        for (code, c) in shard.iter() {
            codes.push(CodeSnap {
                code: code_str(code).to_string(),
                appid: appid(c.user.app),
                openid: c.user.openid.clone(),
                issued_ms: c.issued_ms,
                used: c.used,
            });
        }
    }
    let phone_codes = lock(&state.phone_codes)
        .iter()
        .map(|(code, c)| PhoneCodeSnap {
            code: code_str(code).to_string(),
            appid: appid(c.user.app),
            openid: c.user.openid.clone(),
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
    }
}

/// Writes the snapshot next to `path` and renames it over, so a crash leaves the old or the
/// new file, never half of one. The temporary file is created exclusively under a random name
/// with owner-only permissions (it holds secrets), so nothing placed at a guessable name on a
/// shared host can catch or redirect the write.
pub(crate) fn save(path: &Path, snap: &Snapshot) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(snap).map_err(std::io::Error::other)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // tempfile opens with O_EXCL and mode 0600 on unix; dropped unpersisted, it is removed.
    let mut tmp = tempfile::Builder::new()
        .prefix(".wxlogin-state-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(&bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
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

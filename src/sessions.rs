//! The sessions code2session keeps, so a spent code's session_key is never lost and never has
//! to be shown or pasted: `$XDG_STATE_HOME/wxlogin/sessions.json`, mode 0600, bounded.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::capped::read_text_at_most;
use crate::core::{Error, Result, Secret};

/// At most this many sessions are kept (the newest).
pub const MAX_SESSIONS: usize = 100;
/// A session_key is rarely still current after a week; older entries are dropped.
pub const MAX_AGE_SECS: i64 = 7 * 24 * 3600;

/// The largest store read: [`MAX_SESSIONS`] entries take a few hundred KB at most.
const MAX_FILE_BYTES: usize = 8 << 20;

/// What `--session` takes to mean the newest stored session.
pub const LAST: &str = "last";

/// One exchange, as saved. `time` is Unix seconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredSession {
    pub appid: String,
    pub openid: String,
    pub unionid: Option<String>,
    pub session_key: String,
    pub platform: String,
    pub base_url: String,
    pub time: i64,
}

impl StoredSession {
    pub fn key(&self) -> Secret {
        Secret::new(self.session_key.clone())
    }
}

/// `$XDG_STATE_HOME/wxlogin/sessions.json`, else `~/.local/state/wxlogin/sessions.json`.
/// A relative XDG_STATE_HOME is ignored, as the XDG spec says.
pub fn store_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".local/state"))
        })?;
    Some(base.join("wxlogin").join("sessions.json"))
}

fn no_home() -> Error {
    Error::input(
        "sessions",
        "cannot tell where to keep sessions: neither XDG_STATE_HOME nor HOME is set",
        "set XDG_STATE_HOME (or HOME), or pass --no-save",
    )
}

/// The store at its usual place.
pub fn open() -> Result<Store> {
    Ok(Store {
        path: store_path().ok_or_else(no_home)?,
    })
}

pub struct Store {
    pub path: PathBuf,
}

impl Store {
    #[cfg(test)]
    pub fn at(path: impl Into<PathBuf>) -> Store {
        Store { path: path.into() }
    }

    /// Sessions still within the bounds, oldest first. A missing file is an empty store.
    pub fn load(&self, now: i64) -> Result<Vec<StoredSession>> {
        let text = match read_text_at_most(&self.path, MAX_FILE_BYTES) {
            Ok(Some(text)) => text,
            Ok(None) => {
                return Err(Error::input(
                    "sessions",
                    crate::core::capped::more_than(self.path.display(), MAX_FILE_BYTES),
                    "it is not a sessions file: remove it (`wxlogin sessions forget --all`) to start afresh",
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(Error::input(
                    "sessions",
                    format!(
                        "cannot read {}: {}",
                        self.path.display(),
                        crate::core::error::io_reason(&e)
                    ),
                    "check the file's permissions, or remove it to start afresh",
                ));
            }
        };
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let all: Vec<StoredSession> = serde_json::from_str(&text).map_err(|e| {
            Error::input(
                "sessions",
                format!("{} is not a sessions file: {e}", self.path.display()),
                "remove it (`wxlogin sessions forget --all`) to start afresh",
            )
        })?;
        Ok(prune(all, now))
    }

    /// Adds a session, replacing an older one of the same app and user (its key is stale now).
    pub fn add(&self, session: StoredSession) -> Result<()> {
        let now = session.time;
        // An unreadable store must not cost the session just exchanged: start afresh.
        let mut all = self.load(now).unwrap_or_default();
        all.retain(|s| !(s.appid == session.appid && s.openid == session.openid));
        all.push(session);
        self.save(&prune(all, now))
    }

    /// Removes the sessions of `openid`; returns how many there were.
    pub fn forget(&self, openid: &str, now: i64) -> Result<usize> {
        let mut all = self.load(now)?;
        let before = all.len();
        all.retain(|s| s.openid != openid);
        let removed = before - all.len();
        if removed > 0 {
            self.save(&all)?;
        }
        Ok(removed)
    }

    pub fn forget_all(&self) -> Result<usize> {
        let count = self.load(i64::MIN / 2).map_or(0, |all| all.len());
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(count),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(self.write_error(&e)),
        }
    }

    /// The session `--session WHICH` names: `last`, or an openid (its newest session).
    pub fn find(&self, which: &str, now: i64) -> Result<StoredSession> {
        let which = which.trim();
        let all = self.load(now)?;
        let found = if which == LAST {
            all.last()
        } else {
            all.iter().rev().find(|s| s.openid == which)
        };
        found.cloned().ok_or_else(|| {
            let what = if which == LAST {
                "no stored session".to_string()
            } else {
                format!("no stored session for openid {which}")
            };
            Error::input(
                "--session",
                format!("{what} (in {})", self.path.display()),
                "`wxlogin sessions` lists the stored ones; code2session saves each exchange (kept 7 days, unless --no-save)",
            )
        })
    }

    /// Writes the whole store: a fresh 0600 file next to it, then an atomic rename.
    fn save(&self, all: &[StoredSession]) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir).map_err(|e| self.write_error(&e))?;
        let text = serde_json::to_string_pretty(all).unwrap_or_else(|_| "[]".into());
        let tmp = dir.join(format!(
            ".sessions.json.{}.{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        ));
        let written = write_new_private(&tmp, text.as_bytes())
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.write_error(&e));
        }
        Ok(())
    }

    fn write_error(&self, e: &std::io::Error) -> Error {
        Error::input(
            "sessions",
            format!(
                "cannot write {}: {}",
                self.path.display(),
                crate::core::error::io_reason(e)
            ),
            "make the directory writable, set XDG_STATE_HOME elsewhere, or pass --no-save",
        )
    }
}

/// Drops entries older than the bound, keeps the newest MAX_SESSIONS, oldest first.
fn prune(mut all: Vec<StoredSession>, now: i64) -> Vec<StoredSession> {
    all.retain(|s| now.saturating_sub(s.time) <= MAX_AGE_SECS);
    all.sort_by_key(|s| s.time);
    let excess = all.len().saturating_sub(MAX_SESSIONS);
    all.drain(..excess);
    all
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Created exclusively (never through a planted file or link) and readable by the owner only.
fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(openid: &str, time: i64) -> StoredSession {
        StoredSession {
            appid: "wxA".into(),
            openid: openid.into(),
            unionid: None,
            session_key: "tiihtNczf5v6AKRyjwEUhQ==".into(),
            platform: "miniprogram".into(),
            base_url: "http://127.0.0.1:1".into(),
            time,
        }
    }

    #[test]
    fn keeps_the_newest_hundred_within_a_week() {
        let now = 10_000_000;
        let mut all: Vec<_> = (0..150).map(|i| entry(&format!("o{i}"), now - i)).collect();
        all.push(entry("old", now - MAX_AGE_SECS - 1));
        let kept = prune(all, now);
        assert_eq!(kept.len(), MAX_SESSIONS);
        assert!(kept.iter().all(|s| s.openid != "old"));
        assert_eq!(kept.last().unwrap().openid, "o0");
        assert_eq!(kept.first().unwrap().openid, "o99");
    }

    #[test]
    fn add_replaces_the_same_user_and_find_takes_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("s/sessions.json"));
        store.add(entry("o1", 100)).unwrap();
        let mut newer = entry("o1", 200);
        newer.session_key = "HyVFkGl5F5OQWJZZaNzBBg==".into();
        store.add(newer).unwrap();
        store.add(entry("o2", 150)).unwrap();
        let all = store.load(200).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            store.find("o1", 200).unwrap().session_key,
            "HyVFkGl5F5OQWJZZaNzBBg=="
        );
        assert_eq!(store.find(LAST, 200).unwrap().openid, "o1");
        let err = store.find("nobody", 200).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert!(err.hint().contains("wxlogin sessions"), "{}", err.hint());
        assert_eq!(store.forget("o1", 200).unwrap(), 1);
        assert_eq!(store.load(200).unwrap().len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&store.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}

//! `--session OPENID|last`: a session_key from the sessions store in place of `--session-key`,
//! so a key code2session exchanged never has to be shown or pasted.

use super::values::read_value;
use crate::core::Result;
use crate::core::clock::unix_now;
use crate::sessions::{self, StoredSession};

/// The session_key text from `--session-key` (text, @path or -) or from `--session`, with the
/// stored session it came from. `None` when neither was given (batch lines carry their own).
pub fn session_key(
    key: Option<&str>,
    session: Option<&str>,
) -> Result<Option<(String, Option<StoredSession>)>> {
    if let Some(which) = session {
        let stored = sessions::open()?.find(which, unix_now())?;
        return Ok(Some((stored.session_key.clone(), Some(stored))));
    }
    match key {
        Some(arg) => Ok(Some((read_value("session_key", arg)?, None))),
        None => Ok(None),
    }
}

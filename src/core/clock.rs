//! The one wall clock of the crate: Unix time in seconds and milliseconds, 0 if the system
//! clock is set before 1970 (never a panic).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    i64::try_from(unix_ms() / 1000).unwrap_or(i64::MAX)
}

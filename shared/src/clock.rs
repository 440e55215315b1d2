//! The one place that reads the clock. The core (rules, events) takes the time as an argument
//! so it can be tested at exact boundaries; the functions' `main` and the tools call this.

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

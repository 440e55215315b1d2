//! The one place that reads the wall clock. The core (rules, events, the delivery table's
//! claims) takes the time as an argument so it can be tested at exact boundaries; the
//! functions' handlers, the adapters and the tools call this. (Latencies are measured with
//! `std::time::Instant`, which is monotonic and no wall time.)

/// Nanoseconds since the Unix epoch: for what must differ between two calls (a token, a
/// jitter), never for a rule.
pub fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

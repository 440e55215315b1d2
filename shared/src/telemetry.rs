//! Logging for every function: JSON lines to stdout (CloudWatch), level from `RUST_LOG`-style
//! `LOG_LEVEL` or Lambda's advanced logging control (`AWS_LAMBDA_LOG_LEVEL`), default `info`.
//!
//! Nothing in this workspace logs a code, a plaintext, a password or a token at any level;
//! phone numbers and addresses are logged only through [`crate::redact`].

use tracing::Level;

/// Installs the subscriber. Call once at the top of `main`.
pub fn init() {
    let level = ["AWS_LAMBDA_LOG_LEVEL", "LOG_LEVEL"]
        .iter()
        .find_map(|k| std::env::var(k).ok())
        .and_then(|v| parse_level(&v))
        .unwrap_or(Level::INFO);
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_target(false)
        .without_time()
        .try_init();
}

fn parse_level(v: &str) -> Option<Level> {
    match v.trim().to_ascii_lowercase().as_str() {
        "trace" => Some(Level::TRACE),
        "debug" => Some(Level::DEBUG),
        "info" => Some(Level::INFO),
        "warn" | "warning" => Some(Level::WARN),
        "error" | "fatal" => Some(Level::ERROR),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_like_lambda_log_levels() {
        assert_eq!(parse_level("DEBUG"), Some(Level::DEBUG));
        assert_eq!(parse_level("fatal"), Some(Level::ERROR));
        assert_eq!(parse_level("warn"), Some(Level::WARN));
        assert_eq!(parse_level("loud"), None);
    }
}

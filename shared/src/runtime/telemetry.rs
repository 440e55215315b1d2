//! Logging for every function: JSON lines to stdout (CloudWatch), level from `LOG_LEVEL` or
//! Lambda's advanced logging control (`AWS_LAMBDA_LOG_LEVEL`), default `info`.
//!
//! The level applies to this workspace's crates only. Dependencies are held at `warn`
//! whatever the level: at `trace`, `lambda_runtime` logs each raw event (codes, phone numbers,
//! addresses) and the AWS SDK logs request bodies. Nothing in this workspace logs a code, a
//! plaintext, a password or a token at any level; phone numbers and addresses are logged only
//! through [`crate::domain::redact`].

use tracing::Level;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// The crates whose logs follow `LOG_LEVEL`: this one and every function's (its package name
/// with `_` for `-`).
fn own_crates() -> impl Iterator<Item = String> {
    std::iter::once("cognito_reset".to_owned())
        .chain(crate::domain::settings::FUNCTIONS.iter().map(|f| f.replace('-', "_")))
}

/// The filter: own crates at `level`, everything else at `warn` at most.
pub fn filter(level: Level) -> Targets {
    let deps = LevelFilter::from_level(level).min(LevelFilter::WARN);
    Targets::new()
        .with_default(deps)
        .with_targets(own_crates().map(|c| (c, LevelFilter::from_level(level))))
}

/// Installs the subscriber. Call once at the top of `main`.
pub fn init() {
    // Lambda's advanced logging control wins; `LOG_LEVEL` is checked by its rule, and a value
    // it refuses leaves the default and says so once logging is up.
    let setting = &crate::domain::settings::LOG_LEVEL;
    let (level, refused) = match std::env::var("AWS_LAMBDA_LOG_LEVEL") {
        Ok(lambda) => (parse_level(&lambda).unwrap_or(Level::INFO), None),
        Err(_) => match std::env::var(setting.variable) {
            Ok(ours) if !ours.trim().is_empty() => (
                parse_level(&ours).unwrap_or(Level::INFO),
                setting.text(ours.trim()).err(),
            ),
            _ => (Level::INFO, None),
        },
    };
    let layer = tracing_subscriber::fmt::layer()
        .json()
        .with_target(false)
        .with_span_list(false)
        .without_time();
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter(level)))
        .try_init();
    if let Some(e) = refused {
        tracing::error!(error = %e, level = %level, "logging at the default level");
    }
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

    #[test]
    fn dependencies_never_log_below_warn() {
        let f = filter(Level::TRACE);
        assert!(f.would_enable("custom_sms_sender", &Level::TRACE));
        assert!(f.would_enable("cognito_reset::sender", &Level::DEBUG));
        assert!(!f.would_enable("lambda_runtime::layers", &Level::TRACE));
        assert!(!f.would_enable("aws_smithy_runtime::client", &Level::DEBUG));
        assert!(f.would_enable("lambda_runtime", &Level::WARN));
        let f = filter(Level::ERROR);
        assert!(!f.would_enable("lambda_runtime", &Level::WARN));
        assert!(!f.would_enable("custom_message", &Level::WARN));
    }
}

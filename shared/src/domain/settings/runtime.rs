//! What every function's start-up reads: where metrics go, how much is logged.

use super::{BASE, FUNCTIONS, Rule, Setting};

pub const METRICS_NAMESPACE: Setting = Setting {
    variable: "METRICS_NAMESPACE",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9._#:/-]{1,255}$",
        accepts: |v| {
            (1..=255).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || "._#:/-".contains(c))
        },
    },
    described: "a CloudWatch namespace: 1 to 255 letters, digits and . _ # : / -",
    functions: FUNCTIONS,
    default: "CognitoReset",
    doc: "CloudWatch namespace of the EMF metrics",
    ..BASE
};

/// The levels `LOG_LEVEL` takes, in any case (`warning` and `fatal` as Lambda's advanced
/// logging control spells them).
pub const LOG_LEVELS: [&str; 7] = ["trace", "debug", "info", "warn", "warning", "error", "fatal"];

pub const LOG_LEVEL: Setting = Setting {
    variable: "LOG_LEVEL",
    rule: Rule::Text {
        pattern: "^([Tt][Rr][Aa][Cc][Ee]|[Dd][Ee][Bb][Uu][Gg]|[Ii][Nn][Ff][Oo]|[Ww][Aa][Rr][Nn]|[Ww][Aa][Rr][Nn][Ii][Nn][Gg]|[Ee][Rr][Rr][Oo][Rr]|[Ff][Aa][Tt][Aa][Ll])$",
        accepts: |v| LOG_LEVELS.iter().any(|l| l.eq_ignore_ascii_case(v)),
    },
    described: "error, warn, info, debug or trace",
    functions: FUNCTIONS,
    default: "info",
    doc: "`error`, `warn`, `info`, `debug`, `trace` (Lambda's `AWS_LAMBDA_LOG_LEVEL` wins)",
    ..BASE
};

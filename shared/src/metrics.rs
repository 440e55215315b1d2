//! Metrics in CloudWatch embedded metric format (EMF): JSON documents on stdout that
//! CloudWatch Logs turns into metrics, with no API call and no extra latency.
//!
//! Written with [`metrics_cloudwatch_embedded`] (a recorder for the `metrics` facade; used
//! without its `lambda` feature, which would pull in `lambda_http` and `tower` 0.4), following
//! Powertools' conventions: the namespace from `METRICS_NAMESPACE` (default `CognitoReset`), a
//! `service` dimension naming the function, a `ColdStart` count with a `function_name`
//! dimension on the first invocation of a process. [`start::run`](crate::start::run) flushes
//! after every invocation.
//!
//! Every count is emitted twice: with the `service` dimension alone (what alarms watch) and
//! with `trigger_source` too. Dimensions are bounded: trigger sources are Cognito's fixed set
//! (anything else is `other`); no recipient, pool or country.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use metrics::{Unit, counter, describe_histogram, histogram};
use metrics_cloudwatch_embedded::Collector;

/// The namespace when `METRICS_NAMESPACE` is unset.
pub const DEFAULT_NAMESPACE: &str = "CognitoReset";

static COLLECTOR: OnceLock<Option<&'static Collector>> = OnceLock::new();
static COLD: AtomicBool = AtomicBool::new(true);

/// Installs the recorder for `function` (once per process).
pub fn init(function: &'static str) {
    COLLECTOR.get_or_init(|| {
        let setting = &crate::settings::METRICS_NAMESPACE;
        let namespace = match std::env::var(setting.variable).ok().filter(|n| !n.is_empty()) {
            None => DEFAULT_NAMESPACE.to_owned(),
            Some(n) if setting.text(&n).is_ok() => n,
            Some(n) => {
                tracing::error!(error = %setting.refuse(&n), namespace = DEFAULT_NAMESPACE, "metrics go to the default namespace");
                DEFAULT_NAMESPACE.to_owned()
            }
        };
        let collector = metrics_cloudwatch_embedded::Builder::new()
            .cloudwatch_namespace(namespace)
            .with_dimension("service", function)
            .init()
            .ok()?;
        describe_histogram!(
            "kms_latency",
            Unit::Milliseconds,
            "KMS Decrypt, as the sender waited for it"
        );
        describe_histogram!("delivery_latency", Unit::Milliseconds, "SNS, End User Messaging or SES");
        describe_histogram!("sms_parts", Unit::Count, "parts (segments) of each SMS");
        Some(collector)
    });
}

/// Counts the first invocation of the process (`ColdStart`).
pub fn invocation_started(function: &'static str) {
    if COLD.swap(false, Ordering::Relaxed) {
        counter!("ColdStart", "function_name" => function).increment(1);
    }
}

/// Writes what was recorded since the last flush to stdout, one document per dimension set.
pub fn flush() {
    flush_to(std::io::stdout().lock());
}

fn flush_to(writer: impl std::io::Write) {
    if let Some(Some(collector)) = COLLECTOR.get() {
        let _ = collector.flush(writer);
    }
}

/// Counts one outcome (`sent`, `throttled`, `denied`, ...) of one trigger source.
pub fn outcome(name: &'static str, trigger_source: &str) {
    counter!(name).increment(1);
    counter!(name, "trigger_source" => bounded(trigger_source)).increment(1);
}

/// A latency in milliseconds.
pub fn latency(name: &'static str, took: Duration) {
    histogram!(name).record(took.as_secs_f64() * 1e3);
}

pub fn sms_parts(parts: usize) {
    #[allow(clippy::cast_precision_loss, reason = "a handful of parts")]
    histogram!("sms_parts").record(parts as f64);
}

/// Cognito's trigger sources as they are, anything else as `other`.
fn bounded(source: &str) -> &'static str {
    crate::events::KNOWN_TRIGGER_SOURCES
        .iter()
        .copied()
        .find(|s| *s == source)
        .unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The only test that installs the recorder (one per process).
    #[test]
    fn documents_carry_the_namespace_the_service_and_bounded_dimensions() {
        init("custom-sms-sender");
        invocation_started("custom-sms-sender");
        invocation_started("custom-sms-sender");
        outcome("sent", "CustomSMSSender_ForgotPassword");
        outcome("sent", "CustomSMSSender_+12065550123");
        latency("kms_latency", Duration::from_millis(12));
        let mut out = Vec::new();
        flush_to(&mut out);
        let docs: Vec<Value> = String::from_utf8(out)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON document per line"))
            .collect();
        let text = format!("{docs:?}");
        assert!(!text.contains("2065550123"), "no recipient in a dimension: {text}");
        let with = |dims: &[&str]| {
            docs.iter()
                .find(|d| {
                    d["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]
                        .as_array()
                        .is_some_and(|a| {
                            a.iter()
                                .map(|v| v.as_str().unwrap_or_default())
                                .eq(dims.iter().copied())
                        })
                })
                .unwrap_or_else(|| panic!("no document with dimensions {dims:?}: {text}"))
        };
        let total = with(&["service"]);
        assert_eq!(total["_aws"]["CloudWatchMetrics"][0]["Namespace"], DEFAULT_NAMESPACE);
        assert_eq!(total["service"], "custom-sms-sender");
        assert_eq!(total["sent"], 2);
        assert_eq!(total["kms_latency"][0], 12.0);
        assert_eq!(with(&["service", "function_name"])["ColdStart"], 1, "once per process");
        let per_source: Vec<_> = docs
            .iter()
            .filter(|d| d.get("trigger_source").is_some())
            .map(|d| (d["trigger_source"].as_str().unwrap_or_default(), d["sent"].as_u64()))
            .collect();
        assert!(
            per_source.contains(&("CustomSMSSender_ForgotPassword", Some(1))),
            "{per_source:?}"
        );
        assert!(per_source.contains(&("other", Some(1))), "{per_source:?}");
        // Counts are deltas: a second flush without new outcomes writes no count.
        let mut again = Vec::new();
        flush_to(&mut again);
        assert!(!String::from_utf8_lossy(&again).contains("\"sent\""));
    }
}

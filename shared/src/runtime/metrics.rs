//! Metrics in CloudWatch embedded metric format (EMF): JSON documents on stdout that
//! CloudWatch Logs turns into metrics, with no API call and no extra latency.
//!
//! Powertools' conventions: the namespace from `METRICS_NAMESPACE` (default `CognitoReset`), a
//! `service` dimension naming the function, a `ColdStart` count with a `function_name`
//! dimension on the first invocation of a process. [`start::run`](crate::runtime::start::run) flushes
//! after every invocation: one document per dimension set, counts as deltas.
//!
//! Every count is emitted twice: with the `service` dimension alone (what alarms watch) and
//! with `trigger_source` too. Dimensions are bounded: trigger sources are Cognito's fixed set
//! (anything else is `other`); no recipient, pool or country.
//!
//! Written here rather than with `metrics_cloudwatch_embedded` (a recorder for the `metrics`
//! facade), which this module used first: it produced the same documents, but with it
//! `make bench` measured the custom message function at 2.05 MB stripped, over its 2 MB budget
//! (1.96 MB without it). What is needed here (a few counts and latencies per invocation) is a
//! map and `serde_json`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde_json::{Map, Value, json};

/// The namespace when `METRICS_NAMESPACE` is unset.
pub const DEFAULT_NAMESPACE: &str = "CognitoReset";

/// (extra dimension, its value): `("", "")` for the `service` dimension alone.
type Dimension = (&'static str, &'static str);

struct Recorder {
    namespace: String,
    service: &'static str,
    /// Dimension → metric name → count since the last flush.
    counts: Mutex<BTreeMap<Dimension, BTreeMap<&'static str, u64>>>,
    values: Mutex<BTreeMap<&'static str, Vec<f64>>>,
}

static RECORDER: OnceLock<Recorder> = OnceLock::new();
static COLD: AtomicBool = AtomicBool::new(true);

/// Starts recording for `function` (once per process; later calls change nothing).
pub fn init(function: &'static str) {
    RECORDER.get_or_init(|| {
        let setting = &crate::domain::settings::METRICS_NAMESPACE;
        let namespace = match std::env::var(setting.variable).ok().filter(|n| !n.is_empty()) {
            None => DEFAULT_NAMESPACE.to_owned(),
            Some(n) if setting.text(&n).is_ok() => n,
            Some(n) => {
                tracing::error!(error = %setting.refuse(&n), namespace = DEFAULT_NAMESPACE, "metrics go to the default namespace");
                DEFAULT_NAMESPACE.to_owned()
            }
        };
        Recorder {
            namespace,
            service: function,
            counts: Mutex::default(),
            values: Mutex::default(),
        }
    });
}

fn count(dimension: Dimension, name: &'static str) {
    if let Some(r) = RECORDER.get() {
        let mut counts = r.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *counts.entry(dimension).or_default().entry(name).or_default() += 1;
    }
}

/// Counts the first invocation of the process (`ColdStart`).
pub fn invocation_started(function: &'static str) {
    if COLD.swap(false, Ordering::Relaxed) {
        count(("function_name", function), "ColdStart");
    }
}

/// Counts one outcome (`sent`, `throttled`, `denied`, ...) of one trigger source.
pub fn outcome(name: &'static str, trigger_source: &str) {
    count(("", ""), name);
    count(("trigger_source", bounded(trigger_source)), name);
}

/// A latency in milliseconds.
pub fn latency(name: &'static str, took: Duration) {
    value(name, took.as_secs_f64() * 1e3);
}

pub fn sms_parts(parts: usize) {
    #[allow(clippy::cast_precision_loss, reason = "a handful of parts")]
    value("sms_parts", parts as f64);
}

fn value(name: &'static str, v: f64) {
    if let Some(r) = RECORDER.get() {
        let mut values = r.values.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        values.entry(name).or_default().push(v);
    }
}

/// Writes what was recorded since the last flush to stdout, one document per dimension set.
pub fn flush() {
    flush_to(std::io::stdout().lock());
}

fn unit(name: &str) -> &'static str {
    match name {
        "kms_latency" | "delivery_latency" => "Milliseconds",
        _ => "Count",
    }
}

fn flush_to(mut writer: impl std::io::Write) {
    let Some(r) = RECORDER.get() else { return };
    let counts = std::mem::take(&mut *r.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    let values = std::mem::take(&mut *r.values.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    let timestamp = crate::runtime::clock::now_nanos() / 1_000_000;
    let mut documents: BTreeMap<(&str, &str), Map<String, Value>> = BTreeMap::new();
    for (dimension, metrics) in counts {
        let doc = documents.entry(dimension).or_default();
        for (name, n) in metrics {
            doc.insert(name.to_owned(), json!(n));
        }
    }
    if !values.is_empty() {
        let doc = documents.entry(("", "")).or_default();
        for (name, v) in values {
            doc.insert(name.to_owned(), json!(v));
        }
    }
    for ((dimension, value), metrics) in documents {
        let mut dimensions = vec!["service"];
        let names: Vec<Value> = metrics.keys().map(|m| json!({"Name": m, "Unit": unit(m)})).collect();
        let mut doc = metrics;
        doc.insert("service".into(), json!(r.service));
        if !dimension.is_empty() {
            dimensions.push(dimension);
            doc.insert(dimension.into(), json!(value));
        }
        doc.insert(
            "_aws".into(),
            json!({"Timestamp": timestamp, "CloudWatchMetrics": [{
                "Namespace": r.namespace, "Dimensions": [dimensions], "Metrics": names}]}),
        );
        let _ = serde_json::to_writer(&mut writer, &doc);
        let _ = writeln!(writer);
    }
}

/// Cognito's trigger sources as they are, anything else as `other`.
fn bounded(source: &str) -> &'static str {
    crate::domain::events::KNOWN_TRIGGER_SOURCES
        .iter()
        .copied()
        .find(|s| *s == source)
        .unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The only test that starts the recorder (one per process).
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

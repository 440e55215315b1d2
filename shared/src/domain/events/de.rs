//! Lenient deserializers for the fields where published events disagree.
//!
//! Cognito itself sends strings, but AWS's own libraries and docs publish events with
//! booleans for `email_verified`, numbers for `version`, `null` where an object is expected
//! and `"None"` for absent placeholders. These helpers accept all of that so a trigger never
//! blocks a user because a field had an unexpected JSON type.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A string-to-string map (user attributes, client metadata), as Cognito documents it.
pub type StringMap = BTreeMap<String, String>;

/// Scalars become their text (`true` -> `"true"`, `1` -> `"1"`); `null` and absent become `""`.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(scalar_text(Value::deserialize(d)?).unwrap_or_default())
}

/// Like [`string`], but `null`, absent, empty and the literal `"None"` (which the AWS docs'
/// Python-flavoured samples use for "not set") become `None`.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(scalar_text(Value::deserialize(d)?).filter(|s| !s.is_empty() && s != "None"))
}

/// A map whose values may be strings, booleans or numbers; `null` (the whole map or a value)
/// is dropped. Nested objects and arrays are kept as their JSON text.
pub fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<StringMap, D::Error> {
    match Value::deserialize(d)? {
        Value::Object(map) => Ok(map
            .into_iter()
            .filter_map(|(k, v)| scalar_text(v).map(|v| (k, v)))
            .collect()),
        Value::Null => Ok(StringMap::new()),
        other => Err(serde::de::Error::custom(format!(
            "expected an object of strings, found {}",
            json_type(&other)
        ))),
    }
}

/// A list of strings; `null` and absent become empty, non-string items are dropped.
pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Array(items) => Ok(items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect()),
        Value::Null => Ok(Vec::new()),
        other => Err(serde::de::Error::custom(format!(
            "expected a list of strings, found {}",
            json_type(&other)
        ))),
    }
}

fn scalar_text(v: Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// The JSON type of a value, for error messages that must not echo the value itself.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

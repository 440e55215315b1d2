//! A legacy store's answer for one user, as JSON (a PostgreSQL row through `row_to_json`),
//! read into a [`LegacyUser`]: `password_hash`, `password_changed_at`, and the Cognito
//! attributes, each checked. Pure, so every adapter maps its answer the same way.

use serde_json::Value;

use super::{LegacyUser, LookupError, PASSWORD_CHANGED_AT, PASSWORD_HASH, Secret, attribute_allowed, verified_flag};
use crate::domain::rules::{PasswordPolicy, timestamp};

/// A row (as JSON) read into a legacy user: `password_hash`, `password_changed_at`, and the
/// Cognito attributes, each checked.
pub fn record(row: Value, policy: &PasswordPolicy) -> Result<LegacyUser, LookupError> {
    let Value::Object(columns) = row else {
        return Err(LookupError::Unusable("a row is not an object".into()));
    };
    let mut user = LegacyUser::default();
    for (name, value) in columns {
        if value.is_null() {
            continue;
        }
        match name.as_str() {
            PASSWORD_HASH => match value {
                Value::String(h) if !h.trim().is_empty() => user.password_hash = Some(Secret::new(h)),
                Value::String(_) => {}
                _ => return Err(LookupError::Unusable("password_hash is not text".into())),
            },
            PASSWORD_CHANGED_AT => user.password_changed_at = Some(changed_at(&value)?),
            _ => {
                attribute_allowed(&name, policy).map_err(|e| LookupError::Unusable(format!("a column: {e}")))?;
                let text = match value {
                    Value::String(s) => s,
                    Value::Bool(b) => b.to_string(),
                    other => other.to_string(),
                };
                let text = if name.ends_with("_verified") {
                    verified_flag(&text)
                        .ok_or_else(|| LookupError::Unusable(format!("{name} is neither true nor false")))?
                        .to_owned()
                } else {
                    text
                };
                user.attributes.insert(name, text);
            }
        }
    }
    Ok(user)
}

/// `password_changed_at` as a timestamp (with or without a time zone; without one it is UTC)
/// or seconds since the epoch.
fn changed_at(value: &Value) -> Result<i64, LookupError> {
    let bad = || LookupError::Unusable("password_changed_at is not a time".into());
    match value {
        // `extract(epoch from ...)` is numeric with a fraction: whole seconds.
        #[allow(clippy::cast_possible_truncation, reason = "checked to be within i64 first")]
        Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 1e15)
                    .map(|f| f.floor() as i64)
            })
            .ok_or_else(bad),
        Value::String(s) => {
            let s = s.trim();
            // `timestamp without time zone` arrives as 2026-11-02T09:30:00(.123): UTC.
            let zoned = s.ends_with('Z') || s.get(19..).is_some_and(|rest| rest.contains(['+', '-']));
            let text = if s.len() >= 19 && !zoned {
                format!("{s}Z")
            } else {
                s.to_owned()
            };
            timestamp::parse(&text).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_users_with_every_column_checked() {
        let policy = PasswordPolicy::default();
        let row = serde_json::json!({
            "password_hash": "$2b$10$x", "email": "jane@example.com", "email_verified": true,
            "phone_number_verified": "f", "given_name": null, "custom:plan": 3,
            "password_changed_at": "2026-11-02T09:30:00+00:00"
        });
        let u = record(row, &policy).expect("a user");
        assert_eq!(u.password_hash.as_ref().map(Secret::expose), Some("$2b$10$x"));
        assert_eq!(u.attributes["email_verified"], "true");
        assert_eq!(u.attributes["phone_number_verified"], "false");
        assert_eq!(u.attributes["custom:plan"], "3");
        assert!(!u.attributes.contains_key("given_name"), "null is absent");
        assert_eq!(u.password_changed_at, timestamp::parse("2026-11-02T09:30:00Z"));
        for (text, when) in [
            (serde_json::json!(1_793_611_800.75), "2026-11-02T09:30:00Z"),
            (serde_json::json!("2026-11-02T09:30:00é"), ""),
        ] {
            let got = record(serde_json::json!({ "password_changed_at": text }), &policy)
                .ok()
                .and_then(|u| u.password_changed_at);
            assert_eq!(
                got,
                timestamp::parse(when),
                "{text}: numeric epochs are read, odd text never panics"
            );
        }
        for naive in ["2026-11-02T09:30:00", "2026-11-02T09:30:00.25"] {
            let u = record(serde_json::json!({ "password_changed_at": naive }), &policy).expect(naive);
            assert_eq!(
                u.password_changed_at,
                timestamp::parse("2026-11-02T09:30:00Z"),
                "{naive}"
            );
        }
        for (row, says) in [
            (serde_json::json!({"username": "x"}), "not a Cognito attribute"),
            (serde_json::json!({"email_verified": "maybe"}), "neither true nor false"),
            (serde_json::json!({"password_changed_at": "yesterday"}), "not a time"),
            (
                serde_json::json!({"custom:password_changed_at": "2026-01-01"}),
                "written by the migration",
            ),
        ] {
            let e = record(row.clone(), &policy).expect_err("refused").to_string();
            assert!(e.contains(says), "{row}: {e}");
        }
    }
}

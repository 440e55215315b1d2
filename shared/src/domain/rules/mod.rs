//! Password rules Cognito's native policy cannot express: a maximum password age and a
//! forced reset flag, evaluated from user attributes. Pure: the clock is passed in.
//!
//! A password's age comes from the attribute the post confirmation function stamps when a
//! password is reset or set (`custom:password_changed_at` by default, ISO 8601 UTC). A
//! password changed at `t` with a maximum age of `N` days is valid up to and including
//! `t + N days` and expired from one second later. A user whose change time is unknown
//! (created before the rules were deployed, or a malformed or far-future value) is allowed or
//! treated as a violation, as configured.
//!
//! The rules judge passwords, so they first ask whether the user has one: a federated user
//! (signed in through Google, SAML or OIDC; `cognito:user_status` is `EXTERNAL_PROVIDER`) has
//! none in the pool, and is never judged by age, unknown change time or the force flag
//! ([`has_password`]).
//!
//! The forced-reset flag (`FORCE_RESET_ATTRIBUTE`) is the tool for evidence of compromise, so
//! only a proof of the recovery channel or an administrator clears it (see [`ForceFlag`]): it
//! holds `true` or, as `scripts/force_reset.py` writes it, the minute it was set (Unix time in
//! minutes, eight digits, which fits the attribute's eight characters), so an administrator's
//! password change reported later by CloudTrail clears it only when it happened after the flag.

/// What a violation does at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnViolation {
    /// Token generation fails with a message the app can show (works with every event version).
    Deny,
    /// Tokens are issued with only the `aws.cognito.signin.user.admin` scope and a
    /// `password_expired` claim, so the app can let the user change the password and nothing
    /// else (needs pre token generation events V2 or V3; V1 events are denied).
    Restrict,
}

/// What an unknown change time means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnUnknown {
    Allow,
    Violation,
}

/// The configured rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub max_age_days: Option<u32>,
    pub warn_days: Option<u32>,
    pub changed_attribute: String,
    pub force_reset_attribute: String,
    pub on_violation: OnViolation,
    pub on_unknown: OnUnknown,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            max_age_days: None,
            warn_days: None,
            changed_attribute: "custom:password_changed_at".to_owned(),
            force_reset_attribute: "custom:force_password_reset".to_owned(),
            on_violation: OnViolation::Deny,
            on_unknown: OnUnknown::Allow,
        }
    }
}

/// Why a password may not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    Expired,
    ResetRequired,
    UnknownChangeTime,
}

impl Violation {
    /// The message a denied sign-in carries: shown to the user, with a code the app can match.
    pub fn message(self) -> &'static str {
        match self {
            Violation::Expired => "Your password has expired; reset it to continue. (PASSWORD_EXPIRED)",
            Violation::ResetRequired => {
                "Your password must be reset: choose \"Forgot password\" to get a code and set a new one. (PASSWORD_RESET_REQUIRED)"
            }
            Violation::UnknownChangeTime => "Your password must be reset to continue. (PASSWORD_CHANGE_TIME_UNKNOWN)",
        }
    }

    /// A short name for logs and claims.
    pub fn code(self) -> &'static str {
        match self {
            Violation::Expired => "expired",
            Violation::ResetRequired => "reset_required",
            Violation::UnknownChangeTime => "change_time_unknown",
        }
    }
}

/// The result of evaluating a user's password against the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// When the password was last changed (seconds since the epoch), when known.
    pub changed_at: Option<i64>,
    /// When it expires, when the policy has a maximum age and the change time is known.
    pub expires_at: Option<i64>,
    /// Within the warning window before expiry.
    pub expires_soon: bool,
    pub violation: Option<Violation>,
}

/// How far in the future a change time may be before it counts as unknown (clock skew).
pub const FUTURE_TOLERANCE_SECS: i64 = 300;
const DAY: i64 = 86_400;

/// Evaluates the password of a user with these attributes at `now` (seconds since the epoch).
pub fn evaluate(policy: &PasswordPolicy, attribute: impl Fn(&str) -> Option<String>, now: i64) -> Evaluation {
    let changed_at = attribute(&policy.changed_attribute)
        .and_then(|v| timestamp::parse(&v))
        .filter(|t| *t <= now + FUTURE_TOLERANCE_SECS)
        .map(|t| t.min(now));
    let expires_at = match (policy.max_age_days, changed_at) {
        (Some(days), Some(t)) => Some(t + i64::from(days) * DAY),
        _ => None,
    };
    let forced = ForceFlag::read(attribute(&policy.force_reset_attribute).as_deref()).is_some();
    let violation = if forced {
        Some(Violation::ResetRequired)
    } else if expires_at.is_some_and(|e| now > e) {
        Some(Violation::Expired)
    } else if policy.max_age_days.is_some() && changed_at.is_none() && policy.on_unknown == OnUnknown::Violation {
        Some(Violation::UnknownChangeTime)
    } else {
        None
    };
    let expires_soon = violation.is_none()
        && match (expires_at, policy.warn_days) {
            (Some(e), Some(w)) => now >= e - i64::from(w) * DAY,
            _ => false,
        };
    Evaluation {
        changed_at,
        expires_at,
        expires_soon,
        violation,
    }
}

/// Whether the user has a password in the pool. A federated user (`cognito:user_status`
/// `EXTERNAL_PROVIDER`; when an event carries no status, an `identities` attribute) signs in
/// through their identity provider and has none: no password rule applies, and nothing is
/// stamped. A native user linked to a provider (`AdminLinkProviderForUser`) keeps their status
/// and their password, and is judged as every native user.
pub fn has_password(attribute: impl Fn(&str) -> Option<String>) -> bool {
    match attribute("cognito:user_status") {
        Some(status) => !status.trim().eq_ignore_ascii_case("EXTERNAL_PROVIDER"),
        None => attribute("identities").is_none_or(|v| v.trim().is_empty() || v.trim() == "[]"),
    }
}

/// The forced-reset flag as stored: set, and when (if the value says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForceFlag {
    /// When the flag was set (seconds since the epoch), when the value records it.
    pub since: Option<i64>,
}

/// The smallest value read as the minute a flag was set (1971-11-24): anything shorter is a
/// plain "set" (`1`).
const FLAG_MINUTES_MIN: i64 = 1_000_000;

impl ForceFlag {
    /// Reads the attribute's value: `None` when the flag is not set (absent, empty, `false`,
    /// `0`, `no`). Any other value forces a reset (failing closed: a flag written by hand in
    /// another spelling still holds); eight digits or fewer of at least 1,000,000 are the
    /// minute it was set, an ISO 8601 time is the time it was set.
    pub fn read(value: Option<&str>) -> Option<ForceFlag> {
        let v = value?.trim();
        if v.is_empty() || ["false", "0", "no"].iter().any(|off| v.eq_ignore_ascii_case(off)) {
            return None;
        }
        let since = if v.bytes().all(|b| b.is_ascii_digit()) {
            v.parse::<i64>()
                .ok()
                .filter(|m| (FLAG_MINUTES_MIN..100_000_000).contains(m))
                .map(|m| m * 60)
        } else {
            timestamp::parse(v)
        };
        Some(ForceFlag { since })
    }

    /// The value that sets the flag at `now`: the minute, in eight digits.
    pub fn value_at(now: i64) -> String {
        (now.div_euclid(60)).to_string()
    }

    /// Whether a password change at `changed_at` (an administrator's, reported after the fact)
    /// clears the flag: only when it happened after the flag was set. A flag of unknown time
    /// (`true`) is cleared by any such change.
    pub fn cleared_by_change_at(self, changed_at: i64) -> bool {
        self.since.is_none_or(|since| changed_at >= since + 60)
    }
}

/// The attributes that record a password set at `now`: the change time, and the forced-reset
/// flag set to `false` when `clear_force_flag` (only for users who have the flag: writing an
/// attribute the pool does not define fails).
pub fn change_record(policy: &PasswordPolicy, now: i64, clear_force_flag: bool) -> Vec<(String, String)> {
    let mut attributes = vec![(policy.changed_attribute.clone(), timestamp::format(now))];
    if clear_force_flag {
        attributes.push((policy.force_reset_attribute.clone(), "false".to_owned()));
    }
    attributes
}

pub mod timestamp {
    //! ISO 8601 / RFC 3339 timestamps in UTC, through the `time` crate (its RFC 3339 parser and
    //! formatter; `time` is already in the tree through the AWS SDK's request signing, so it
    //! costs nothing new, and it needs no time zone database, unlike `jiff`'s defaults).

    use time::format_description::well_known::Rfc3339;
    use time::{Date, OffsetDateTime};

    /// Parses `2026-11-23T11:50:19Z`, with optional fractional seconds, a `Z`, `+hh:mm` or
    /// `-hh:mm` offset, and `T`, `t` or a space between date and time; a date alone counts as
    /// midnight UTC; whole seconds since the epoch (up to 12 digits) are accepted too. Returns
    /// seconds since the epoch; `None` for anything else.
    pub fn parse(s: &str) -> Option<i64> {
        let s = s.trim();
        if !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            return s.parse().ok();
        }
        if s.len() == 10 {
            let date = Date::parse(s, &time::format_description::well_known::Iso8601::DATE).ok()?;
            // ISO 8601 also has week and ordinal dates; only calendar dates are stamps.
            return (s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-')
                .then(|| date.midnight().assume_utc().unix_timestamp());
        }
        let normalized = match s.as_bytes().get(10) {
            Some(b' ') => format!("{}T{}", &s[..10], &s[11..]),
            _ => s.to_owned(),
        };
        OffsetDateTime::parse(&normalized, &Rfc3339)
            .ok()
            .map(OffsetDateTime::unix_timestamp)
    }

    /// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (outside the years 0 to 9999,
    /// which RFC 3339 cannot write, as whole seconds, which [`parse`] also reads).
    pub fn format(secs: i64) -> String {
        OffsetDateTime::from_unix_timestamp(secs)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_else(|| secs.to_string())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn round_trips_and_known_values() {
            assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
            assert_eq!(parse("2026-11-23T11:50:19Z"), Some(1_795_434_619));
            assert_eq!(format(1_795_434_619), "2026-11-23T11:50:19Z");
            assert_eq!(parse("2024-02-29T23:59:59.123456Z"), parse("2024-02-29T23:59:59Z"));
            assert_eq!(parse("2026-11-23T13:50:19+02:00"), Some(1_795_434_619));
            assert_eq!(parse("2026-11-23T06:50:19-05:00"), Some(1_795_434_619));
            assert_eq!(parse("2026-11-23"), parse("2026-11-23T00:00:00Z"));
            assert_eq!(parse("1795434619"), Some(1_795_434_619));
            for t in [-86_400 * 365 * 100, -1, 0, 951_782_400, 4_102_444_800] {
                assert_eq!(parse(&format(t)), Some(t), "{t}");
            }
        }

        #[test]
        fn malformed_values_are_refused() {
            for bad in [
                "",
                "yesterday",
                "2026-13-01T00:00:00Z",
                "2026-02-30T00:00:00Z",
                "2025-02-29",
                "2026-11-23T24:00:00Z",
                "2026-11-23T11:50:19",
                "2026-11-23T11:50:19+2",
                "2026-11-23T11:50Z",
                "2026-11-23T11:50:19.Z",
                "-5",
                "2026-1-1",
                "12345678901234",
            ] {
                assert_eq!(parse(bad), None, "{bad:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests;

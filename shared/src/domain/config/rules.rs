//! The password rules' settings.

use super::{ConfigError, Source, choice, optional};
use crate::domain::rules::{OnUnknown, OnViolation, PasswordPolicy};
use crate::domain::settings;

/// Reads the password rules: `PASSWORD_MAX_AGE_DAYS`, `PASSWORD_WARN_DAYS`,
/// `PASSWORD_CHANGED_ATTRIBUTE`, `FORCE_RESET_ATTRIBUTE`, `ON_VIOLATION`,
/// `ON_UNKNOWN_CHANGE_TIME`.
pub fn password_policy(src: &impl Source) -> Result<PasswordPolicy, ConfigError> {
    let mut p = password_attributes(src)?;
    if let Some(v) = src.get("PASSWORD_MAX_AGE_DAYS") {
        p.max_age_days = Some(settings::PASSWORD_MAX_AGE_DAYS.whole(&v)?).filter(|d| *d > 0);
    }
    if let Some(v) = src.get("PASSWORD_WARN_DAYS") {
        let warn = settings::PASSWORD_WARN_DAYS.whole(&v)?;
        // The template cannot compare two numbers, so every pair it takes is taken here: a
        // window as long as the maximum age or longer warns for the password's whole life, and
        // without a maximum age there is no expiry to warn about.
        p.warn_days = p.max_age_days.map(|max| warn.min(max)).filter(|_| warn > 0);
    }
    p.on_violation = match choice(src, &settings::ON_VIOLATION)? {
        "restrict" => OnViolation::Restrict,
        _ => OnViolation::Deny,
    };
    p.on_unknown = match choice(src, &settings::ON_UNKNOWN_CHANGE_TIME)? {
        "violation" => OnUnknown::Violation,
        _ => OnUnknown::Allow,
    };
    Ok(p)
}

/// Reads only where the rules keep their state, `PASSWORD_CHANGED_ATTRIBUTE` and
/// `FORCE_RESET_ATTRIBUTE` (user migration writes both, and judges nothing): the other rules
/// stay at their defaults.
pub fn password_attributes(src: &impl Source) -> Result<PasswordPolicy, ConfigError> {
    let mut p = PasswordPolicy::default();
    if let Some(v) = optional(src, &settings::PASSWORD_CHANGED_ATTRIBUTE)? {
        p.changed_attribute = v;
    }
    if let Some(v) = optional(src, &settings::FORCE_RESET_ATTRIBUTE)? {
        p.force_reset_attribute = v;
    }
    if p.changed_attribute == p.force_reset_attribute {
        return Err(settings::FORCE_RESET_ATTRIBUTE.refuse(&p.force_reset_attribute));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn password_policy_reads_and_checks_every_variable() {
        let src = |pairs: &[(&'static str, &'static str)]| pairs.iter().copied().collect::<HashMap<_, _>>();
        assert_eq!(password_policy(&src(&[])).unwrap(), PasswordPolicy::default());
        // The defaults the settings document are the ones that apply.
        let p = PasswordPolicy::default();
        assert_eq!(p.changed_attribute, settings::PASSWORD_CHANGED_ATTRIBUTE.default);
        assert_eq!(p.force_reset_attribute, settings::FORCE_RESET_ATTRIBUTE.default);
        // 0 is how the template says "no rule" (a Number parameter cannot be empty).
        let off = password_policy(&src(&[("PASSWORD_MAX_AGE_DAYS", "0"), ("PASSWORD_WARN_DAYS", "0")])).unwrap();
        assert_eq!(off, PasswordPolicy::default());
        let p = password_policy(&src(&[
            ("PASSWORD_MAX_AGE_DAYS", "90"),
            ("PASSWORD_WARN_DAYS", "14"),
            ("ON_VIOLATION", "restrict"),
            ("ON_UNKNOWN_CHANGE_TIME", "violation"),
            ("PASSWORD_CHANGED_ATTRIBUTE", "custom:pw_changed"),
        ]))
        .unwrap();
        assert_eq!((p.max_age_days, p.warn_days), (Some(90), Some(14)));
        assert_eq!(p.on_violation, OnViolation::Restrict);
        assert_eq!(p.on_unknown, OnUnknown::Violation);
        assert_eq!(p.changed_attribute, "custom:pw_changed");
        // Every pair the template takes (it cannot compare numbers): a window from the first
        // day when it is as long as the maximum age or longer, none without a maximum age.
        for (max, warn, expected) in [("90", "90", Some(90)), ("90", "120", Some(90)), ("0", "14", None)] {
            let p = password_policy(&src(&[("PASSWORD_MAX_AGE_DAYS", max), ("PASSWORD_WARN_DAYS", warn)])).unwrap();
            assert_eq!(p.warn_days, expected, "{max} {warn}");
        }
        assert_eq!(
            password_policy(&src(&[("PASSWORD_WARN_DAYS", "7")])).unwrap().warn_days,
            None
        );
        for (pairs, var) in [
            (vec![("PASSWORD_MAX_AGE_DAYS", "3651")], "PASSWORD_MAX_AGE_DAYS"),
            (vec![("PASSWORD_MAX_AGE_DAYS", "-1")], "PASSWORD_MAX_AGE_DAYS"),
            (vec![("PASSWORD_WARN_DAYS", "3650")], "PASSWORD_WARN_DAYS"),
            (
                vec![("PASSWORD_CHANGED_ATTRIBUTE", "password_changed_at")],
                "PASSWORD_CHANGED_ATTRIBUTE",
            ),
            (
                vec![("FORCE_RESET_ATTRIBUTE", "custom:this_name_is_far_too_long")],
                "FORCE_RESET_ATTRIBUTE",
            ),
            (
                vec![("FORCE_RESET_ATTRIBUTE", "custom:password_changed_at")],
                "FORCE_RESET_ATTRIBUTE",
            ),
            (vec![("ON_VIOLATION", "block")], "ON_VIOLATION"),
            (vec![("ON_UNKNOWN_CHANGE_TIME", "deny")], "ON_UNKNOWN_CHANGE_TIME"),
        ] {
            let e = password_policy(&src(&pairs)).unwrap_err();
            assert_eq!(e.variable, var, "{pairs:?}");
        }
    }
}

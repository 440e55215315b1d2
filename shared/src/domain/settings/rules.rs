//! The password rules (pre token generation, post confirmation) and post-confirmation's own.

use super::{BASE, PASSWORD_ATTRIBUTES, PASSWORD_RULES, POST_CONFIRMATION, Rule, Setting};

const POST: &[&str] = &[POST_CONFIRMATION];

pub const PASSWORD_MAX_AGE_DAYS: Setting = Setting {
    variable: "PASSWORD_MAX_AGE_DAYS",
    rule: Rule::Whole { min: 0, max: 3650 },
    described: "a whole number of days from 0 to 3650 (0: no age rule)",
    functions: PASSWORD_RULES,
    doc: "maximum password age in days (0-3650; unset or 0: no age rule)",
    ..BASE
};

pub const PASSWORD_WARN_DAYS: Setting = Setting {
    variable: "PASSWORD_WARN_DAYS",
    rule: Rule::Whole { min: 0, max: 3649 },
    described: "a whole number of days from 0 to 3649 (0: no warning; as long as PASSWORD_MAX_AGE_DAYS or longer: warned from the first day)",
    functions: PASSWORD_RULES,
    doc: "warning window before expiry, in days (0: none; as long as the maximum age or longer: warned from the first day, the sign-in that chose the password aside; ignored without a maximum age)",
    ..BASE
};

/// A writable custom attribute name: `custom:` and 1 to 20 letters, digits or `_`.
fn is_custom_attribute(v: &str) -> bool {
    v.strip_prefix("custom:").is_some_and(|name| {
        (1..=20).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

pub const PASSWORD_CHANGED_ATTRIBUTE: Setting = Setting {
    variable: "PASSWORD_CHANGED_ATTRIBUTE",
    rule: Rule::Text {
        pattern: "^custom:[A-Za-z0-9_]{1,20}$",
        accepts: is_custom_attribute,
    },
    described: "a custom attribute such as custom:password_changed_at",
    functions: PASSWORD_ATTRIBUTES,
    default: "custom:password_changed_at",
    doc: "where the change time is stored (a `custom:` attribute the pool defines)",
    ..BASE
};

pub const FORCE_RESET_ATTRIBUTE: Setting = Setting {
    variable: "FORCE_RESET_ATTRIBUTE",
    rule: Rule::Text {
        pattern: "^custom:[A-Za-z0-9_]{1,20}$",
        accepts: is_custom_attribute,
    },
    described: "a custom attribute such as custom:force_password_reset, other than PASSWORD_CHANGED_ATTRIBUTE",
    functions: PASSWORD_ATTRIBUTES,
    default: "custom:force_password_reset",
    doc: "the forced-reset flag (`make force-reset` sets it; any value but empty, `false`, `0`, `no` forces a reset)",
    ..BASE
};

pub const ON_VIOLATION: Setting = Setting {
    variable: "ON_VIOLATION",
    rule: Rule::OneOf(&["deny", "restrict"]),
    described: "deny or restrict",
    functions: PASSWORD_RULES,
    default: "deny",
    doc: "`deny` or `restrict` (V2/V3 events), in lower case",
    ..BASE
};

pub const ON_UNKNOWN_CHANGE_TIME: Setting = Setting {
    variable: "ON_UNKNOWN_CHANGE_TIME",
    rule: Rule::OneOf(&["allow", "violation"]),
    described: "allow or violation",
    functions: PASSWORD_RULES,
    default: "allow",
    doc: "`allow` or `violation`",
    ..BASE
};

pub const STAMP_ON_SIGN_UP: Setting = Setting {
    variable: "STAMP_ON_SIGN_UP",
    described: "true or false",
    functions: POST,
    default: "true",
    doc: "post-confirmation also stamps on sign-up confirmation",
    ..BASE
};

pub const USER_POOL_ID: Setting = Setting {
    variable: "USER_POOL_ID",
    rule: Rule::Text {
        pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]+_[0-9A-Za-z]+$",
        accepts: is_user_pool_id,
    },
    described: "a user pool ID such as us-east-1_AbCdEf123",
    functions: POST,
    doc: "post-confirmation: the pool of CloudTrail events that do not name one",
    wired: true,
    ..BASE
};

/// `<region>_<id>`: a region such as `us-east-1` or `us-gov-west-1`, and letters and digits.
pub fn is_user_pool_id(v: &str) -> bool {
    let Some((region, id)) = v.split_once('_') else {
        return false;
    };
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

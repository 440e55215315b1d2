//! User migration: what a legacy user store says about a user Cognito does not know yet, and
//! what Cognito is told to create from it. Pure: the store's answer, the password and the time
//! are passed in.
//!
//! Cognito calls the user migration trigger at a password sign-in (`UserMigration_Authentication`,
//! with the password) and at the first step of a reset (`UserMigration_ForgotPassword`) for a
//! username its pool does not hold. [`decide`] turns the store's record into either the user to
//! create ([`Migration`]) or the one refusal ([`Refusal`]) that an unknown user, a wrong password,
//! a user without a password and a user without a verified recovery channel all get alike, so
//! the answer never tells whether an account exists. The handler keeps the time alike too: an
//! unknown user's password is checked against a stand-in hash ([`hash`] gives every format's
//! cost), and the result thrown away.
//!
//! - [`hash`]: the legacy hash formats, checked in constant time.
//! - [`LegacyUser`], [`LegacyUsers`]: a record of the store and the trait its adapters
//!   implement; [`row`]: a store's JSON answer read into a record.

pub mod hash;
pub mod row;

use std::collections::BTreeMap;
use std::fmt;

use crate::domain::rules::{self, ForceFlag, PasswordPolicy};

/// Text that is never shown: a password hash, a database URL, an endpoint's token.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A user as the legacy store holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegacyUser {
    /// `None` when the store has no password for them (a user who only ever signed in with a
    /// social provider, say): they can reset, never sign in with a password.
    pub password_hash: Option<Secret>,
    /// Cognito attributes, by name (`email`, `email_verified`, `given_name`, `custom:plan`),
    /// as text; `*_verified` as `true` or `false`.
    pub attributes: BTreeMap<String, String>,
    /// When the legacy password was last set (seconds since the epoch), if the store says.
    pub password_changed_at: Option<i64>,
}

/// Why the store could not answer. Never carries a value of the store or its credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// The store did not answer (down, timed out, refused the connection or the credentials).
    #[error("the legacy user store is unavailable: {0}")]
    Unavailable(String),
    /// The store answered with something the configuration cannot map (a column that is not a
    /// Cognito attribute, a value of the wrong type, several users for one username).
    #[error("the legacy user store's answer cannot be used: {0}")]
    Unusable(String),
}

/// The legacy user store: finds the user Cognito names, exactly (no prefix or pattern match).
pub trait LegacyUsers {
    fn find(&self, username: &str) -> impl Future<Output = Result<Option<LegacyUser>, LookupError>> + Send;
}

/// The columns a store's answer has besides the attributes.
pub const PASSWORD_HASH: &str = "password_hash";
pub const PASSWORD_CHANGED_AT: &str = "password_changed_at";

/// Cognito's standard attributes a migrated user may carry (`sub` is Cognito's own).
pub const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

/// Whether the store may set attribute `name`: a standard attribute, or a `custom:` one (the
/// pool must define it) other than the two this function writes itself.
pub fn attribute_allowed(name: &str, policy: &PasswordPolicy) -> Result<(), String> {
    if STANDARD_ATTRIBUTES.contains(&name) {
        return Ok(());
    }
    if name == policy.changed_attribute || name == policy.force_reset_attribute {
        return Err(format!(
            "{name:?} is written by the migration itself: return {PASSWORD_CHANGED_AT} instead, or nothing"
        ));
    }
    match name.strip_prefix("custom:") {
        Some(rest)
            if (1..=20).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            Ok(())
        }
        _ => Err(format!(
            "{:?} is not a Cognito attribute (a standard one such as email, or custom:name)",
            crate::domain::events::printable(name)
        )),
    }
}

/// Reads a verification flag as the store writes it (`true`/`false`, `t`/`f`, `1`/`0`,
/// `yes`/`no`, in any case) into Cognito's `true`/`false`.
pub fn verified_flag(value: &str) -> Option<&'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" => Some("true"),
        "false" | "f" | "0" | "no" | "n" => Some("false"),
        _ => None,
    }
}

/// What a weak hash (bcrypt cost under 10, PBKDF2 under 100,000 iterations) does at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnWeakHash {
    /// The user is migrated with the forced-reset flag set: the pre token generation rules
    /// make them reset by code before their next tokens.
    ForceReset,
    /// The user is migrated as any other.
    Allow,
}

/// Which trigger Cognito called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger<'a> {
    /// A password sign-in, with the password typed.
    Authentication { password: &'a str },
    /// The first step of a reset.
    ForgotPassword,
}

/// The user Cognito is told to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub attributes: BTreeMap<String, String>,
    /// `CONFIRMED` at sign-in; unset for a reset (Cognito creates the user to send the code).
    pub final_user_status: Option<&'static str>,
    /// The legacy hash was weak and the forced-reset flag is set.
    pub forced_reset: bool,
    /// The format of the hash the password was checked against (sign-in only).
    pub format: Option<hash::Format>,
}

/// Why a user is refused. Every reason gets the same answer (the event as it came: no such
/// user); the reason is for the operator's log and metric only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The store has no such user.
    Unknown,
    /// The password does not match.
    WrongPassword { format: hash::Format },
    /// The store has no password for the user (sign-in only).
    NoPassword,
    /// The stored hash cannot be checked.
    Unusable(hash::HashError),
    /// Neither the email nor the phone number is verified in the store (reset only): Cognito
    /// could not send the code.
    NoVerifiedChannel,
}

impl Refusal {
    /// The metric and log name of the reason.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::Unknown => "unknown_user",
            Refusal::WrongPassword { .. } => "wrong_password",
            Refusal::NoPassword => "no_password",
            Refusal::Unusable(hash::HashError::UnknownFormat { .. }) => "unsupported_hash",
            Refusal::Unusable(_) => "unusable_hash",
            Refusal::NoVerifiedChannel => "no_verified_channel",
        }
    }
}

/// Decides what Cognito creates for `found` (the store's answer) on `trigger` at `now`. The
/// password was checked before (see [`check_password`]): `checked` is its result.
pub fn decide(
    found: Option<&LegacyUser>,
    trigger: Trigger<'_>,
    checked: Option<Result<hash::Checked, hash::HashError>>,
    policy: &PasswordPolicy,
    on_weak: OnWeakHash,
    now: i64,
) -> Result<Migration, Refusal> {
    let user = found.ok_or(Refusal::Unknown)?;
    let mut attributes = user.attributes.clone();
    match trigger {
        Trigger::Authentication { .. } => {
            let checked = match checked {
                None => return Err(Refusal::NoPassword),
                Some(Err(e)) => return Err(Refusal::Unusable(e)),
                Some(Ok(c)) if !c.matches => return Err(Refusal::WrongPassword { format: c.format }),
                Some(Ok(c)) => c,
            };
            // The password Cognito sets is the legacy one: its age carries on. A change time in
            // the future (a clock ahead) counts from now.
            let changed_at = user.password_changed_at.map_or(now, |t| t.min(now));
            let forced_reset = checked.weak && on_weak == OnWeakHash::ForceReset;
            for (name, value) in rules::change_record(policy, changed_at, false) {
                attributes.insert(name, value);
            }
            if forced_reset {
                attributes.insert(policy.force_reset_attribute.clone(), ForceFlag::value_at(now));
            }
            Ok(Migration {
                attributes,
                final_user_status: Some("CONFIRMED"),
                forced_reset,
                format: Some(checked.format),
            })
        }
        Trigger::ForgotPassword => {
            let verified = |channel: &str, flag: &str| {
                user.attributes.get(channel).is_some_and(|v| !v.trim().is_empty())
                    && user.attributes.get(flag).map(String::as_str) == Some("true")
            };
            if !verified("email", "email_verified") && !verified("phone_number", "phone_number_verified") {
                return Err(Refusal::NoVerifiedChannel);
            }
            // No password yet: the reset sets one, and post confirmation stamps it then.
            Ok(Migration {
                attributes,
                final_user_status: None,
                forced_reset: false,
                format: None,
            })
        }
    }
}

/// A bcrypt hash (cost 10) of a random password nobody knows: what an unknown user's password
/// is checked against before this process has checked a real hash.
pub const STAND_IN_HASH: &str = "$2b$10$5enMxKZ6z62x1NvUDQxqIuO6UC7rPngiGY7/eqDe79j9byLjnt6uG";

/// Checks the sign-in's password for `found`, or, when there is no user or no password, against
/// `stand_in` (the last hash this process checked, so an unknown user costs what a known one
/// does), discarding that result. `None` when there was no hash of the user's own to check.
pub fn check_password(
    found: Option<&LegacyUser>,
    password: &str,
    stand_in: &str,
) -> Option<Result<hash::Checked, hash::HashError>> {
    let own = found
        .and_then(|u| u.password_hash.as_ref())
        .map(|h| hash::check(h.expose(), password));
    // A hash that cannot be checked answers at once: the stand-in takes the time it would have.
    if !matches!(own, Some(Ok(_))) {
        let _ = hash::check(stand_in, password);
    }
    own
}

#[cfg(test)]
mod tests;

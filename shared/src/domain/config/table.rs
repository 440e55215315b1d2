//! The delivery table's settings (both senders): where it is, the key recipients are hashed
//! with, the limits, and what to do when it cannot be reached.

use super::{ConfigError, Source, choice, optional, whole};
use crate::domain::ledger::{Channel, Lifetimes, Limits};
use crate::domain::settings::{
    DELIVERY_HASH_KEY, DELIVERY_TABLE, LIMIT_WINDOW_SECONDS, MAX_EMAIL_PER_ADDRESS, MAX_SIGN_IN_CODES_PER_RECIPIENT,
    MAX_SMS_PER_NUMBER, MAX_SMS_PER_POOL_PER_DAY, ON_TABLE_ERROR,
};

// The limits' defaults are in [`crate::domain::settings`], with the reasons in the book (`docs/src/senders.md`, "Delivery
// table"): a person who asks again because a code was slow, mistyped or expired rarely needs
// more than a few in an hour; an SMS pumping or mail bombing run against one recipient stops
// there. Sign-in codes (MFA, email or SMS one-time codes) have their own, higher limit: a user
// signing in on several devices, or retrying, needs more than a reset does, and an outsider who
// fills the requested-message limit must not silence them.

/// A claim blocks concurrent attempts for longer than one attempt can run (the senders'
/// timeout, [`crate::domain::budgets::SENDER_TIMEOUT_SECONDS`], above the sum of the steps' budgets) and less
/// than Lambda's first retry of a failed invocation (1 minute).
pub const LEASE_SECONDS: u64 = 30;
/// Records outlive every retry Lambda can make: the longest event age it allows (6 hours,
/// whatever `MaximumEventAgeInSeconds` says) plus an hour.
pub const KEEP_SECONDS: u64 = 7 * 3_600;

/// What to do when the table cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnTableError {
    /// Deliver without the table's protection (and log an error): an outage never stops
    /// password resets.
    Deliver,
    /// Fail the invocation so that Lambda retries it later.
    Fail,
}

/// The HMAC key; its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct HashKey(Vec<u8>);

impl HashKey {
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HashKey({} bytes)", self.0.len())
    }
}

/// `DELIVERY_TABLE` and what goes with it; `None` when it is unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableConfig {
    pub table: String,
    /// `DELIVERY_HASH_KEY`: at least 32 characters, required with the table.
    pub hash_key: HashKey,
    pub limits: Limits,
    pub on_error: OnTableError,
    pub lifetimes: Lifetimes,
}

impl TableConfig {
    pub fn from_source(src: &impl Source, channel: Channel) -> Result<Option<Self>, ConfigError> {
        let Some(table) = optional(src, &DELIVERY_TABLE)? else {
            return Ok(None);
        };
        let hash_key = src.get(DELIVERY_HASH_KEY.variable).ok_or_else(|| {
            ConfigError::new(
                DELIVERY_HASH_KEY.variable,
                format!("is required with DELIVERY_TABLE: {}", DELIVERY_HASH_KEY.described),
            )
        })?;
        DELIVERY_HASH_KEY.text(&hash_key)?;
        let per_recipient = match channel {
            Channel::Sms => whole(src, &MAX_SMS_PER_NUMBER)?,
            Channel::Email => whole(src, &MAX_EMAIL_PER_ADDRESS)?,
        };
        let per_pool_per_day = match channel {
            Channel::Sms => Some(whole(src, &MAX_SMS_PER_POOL_PER_DAY)?).filter(|n| *n > 0),
            Channel::Email => None,
        };
        let on_error = match choice(src, &ON_TABLE_ERROR)? {
            "fail" => OnTableError::Fail,
            _ => OnTableError::Deliver,
        };
        Ok(Some(TableConfig {
            table,
            hash_key: HashKey(hash_key.into_bytes()),
            limits: Limits {
                per_recipient,
                sign_in_per_recipient: whole(src, &MAX_SIGN_IN_CODES_PER_RECIPIENT)?,
                window_seconds: whole(src, &LIMIT_WINDOW_SECONDS)?,
                per_pool_per_day,
            },
            on_error,
            lifetimes: Lifetimes {
                lease_seconds: LEASE_SECONDS,
                keep_seconds: KEEP_SECONDS,
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    fn read(pairs: &[(&'static str, &'static str)], channel: Channel) -> Result<Option<TableConfig>, ConfigError> {
        TableConfig::from_source(&pairs.iter().copied().collect::<HashMap<_, _>>(), channel)
    }

    #[test]
    fn no_table_means_no_table_settings_are_read() {
        assert_eq!(read(&[("MAX_SMS_PER_NUMBER", "zero")], Channel::Sms), Ok(None));
    }

    #[test]
    fn defaults_per_channel() {
        let sms = read(
            &[("DELIVERY_TABLE", "deliveries"), ("DELIVERY_HASH_KEY", KEY)],
            Channel::Sms,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            sms.limits,
            Limits {
                per_recipient: 5,
                sign_in_per_recipient: 20,
                window_seconds: 3600,
                per_pool_per_day: None
            }
        );
        assert_eq!(sms.on_error, OnTableError::Deliver);
        let email = read(
            &[
                ("DELIVERY_TABLE", "deliveries"),
                ("DELIVERY_HASH_KEY", KEY),
                ("MAX_SMS_PER_POOL_PER_DAY", "100"),
            ],
            Channel::Email,
        )
        .unwrap()
        .unwrap();
        assert_eq!((email.limits.per_recipient, email.limits.per_pool_per_day), (10, None));
        assert!(!format!("{email:?}").contains(KEY), "the key never reaches a log");
    }

    #[test]
    fn refusals_name_the_variable() {
        let base = [("DELIVERY_TABLE", "deliveries"), ("DELIVERY_HASH_KEY", KEY)];
        let with = |extra: (&'static str, &'static str)| {
            let mut all = base.to_vec();
            all.push(extra);
            read(&all, Channel::Sms).map(|_| ()).unwrap_err().variable
        };
        assert_eq!(with(("MAX_SMS_PER_NUMBER", "0")), "MAX_SMS_PER_NUMBER");
        assert_eq!(with(("LIMIT_WINDOW_SECONDS", "59")), "LIMIT_WINDOW_SECONDS");
        assert_eq!(
            with(("MAX_SIGN_IN_CODES_PER_RECIPIENT", "1001")),
            "MAX_SIGN_IN_CODES_PER_RECIPIENT"
        );
        assert_eq!(with(("ON_TABLE_ERROR", "Deliver")), "ON_TABLE_ERROR");
        assert_eq!(with(("DELIVERY_HASH_KEY", "short")), "DELIVERY_HASH_KEY");
        assert_eq!(
            read(&[("DELIVERY_TABLE", "deliveries")], Channel::Sms)
                .unwrap_err()
                .variable,
            "DELIVERY_HASH_KEY"
        );
        assert_eq!(
            read(&[("DELIVERY_TABLE", "a b")], Channel::Sms).unwrap_err().variable,
            "DELIVERY_TABLE"
        );
        let fail = read(
            &[
                ("DELIVERY_TABLE", "t-1"),
                ("DELIVERY_HASH_KEY", KEY),
                ("ON_TABLE_ERROR", "fail"),
            ],
            Channel::Sms,
        );
        assert_eq!(fail.unwrap().unwrap().on_error, OnTableError::Fail);
    }
}

//! The delivery table's rules: one message per Cognito request across Lambda's retries, and
//! limits per recipient and per pool, decided before anything is decrypted or sent.
//!
//! Cognito invokes custom senders asynchronously; Lambda retries a failed invocation and may,
//! rarely, deliver one event twice. Each message is identified by its ciphertext
//! (`request.code` is fresh random data for every message and the same in every retry of it),
//! or by the whole event where there is no code (account-takeover notices). Recipients are
//! identified by a keyed hash (HMAC-SHA256), never in clear.
//!
//! One write claims a message and counts it against every limit at once (a DynamoDB
//! transaction in [`dynamodb`](super::dynamodb), where each item carries its own condition):
//! a duplicate or a throttled request changes nothing and costs no KMS call. After the
//! delivery a second write records how it ended: `sent` (a later retry sends nothing) or, when
//! nothing was delivered, releases the claim and takes the message back off the counts (a
//! retry delivers). A claim expires after a short lease, so an attempt that timed out does not
//! block its retry.

use std::future::Future;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The channel a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
}

/// The limits a claim is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Messages per recipient per window (`MAX_SMS_PER_NUMBER`, `MAX_EMAIL_PER_ADDRESS`).
    pub per_recipient: u32,
    /// `LIMIT_WINDOW_SECONDS`: fixed windows counted from the Unix epoch.
    pub window_seconds: u32,
    /// `MAX_SMS_PER_POOL_PER_DAY` (UTC days).
    pub per_pool_per_day: Option<u32>,
}

/// Which limit refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Recipient,
    PoolDay,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Recipient => "recipient",
            Limit::PoolDay => "pool_per_day",
        }
    }
}

/// How long records live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// How long a claim blocks a concurrent attempt: longer than one attempt can run (the
    /// function's timeout), shorter than Lambda's first retry (1 minute).
    pub lease_seconds: u64,
    /// How long a message's record is kept: the senders' `MaximumEventAgeInSeconds` plus a
    /// margin, so every retry Lambda can still make finds it.
    pub keep_seconds: u64,
}

/// One message to claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// `m#` + hex SHA-256 of the ciphertext (or of the event).
    pub message: String,
    /// `r#<channel>#` + hex HMAC-SHA256 of the recipient + `#` + window number.
    pub recipient_window: Option<String>,
    /// `p#<pool>#<channel>#` + UTC day number.
    pub pool_day: Option<String>,
    pub limits: Option<Limits>,
    /// Unix seconds.
    pub now: u64,
    pub lifetimes: Lifetimes,
}

impl Claim {
    /// Expiry (Unix seconds) of the recipient's current window item: the window's end plus a
    /// day, long enough for no window to be reused, short enough to leave little behind.
    pub fn window_expiry(&self) -> u64 {
        let w = self.limits.map_or(1, |l| u64::from(l.window_seconds.max(1)));
        (self.now / w + 1) * w + DAY
    }

    pub fn day_expiry(&self) -> u64 {
        (self.now / DAY + 2) * DAY
    }

    pub fn lease_until(&self) -> u64 {
        self.now + self.lifetimes.lease_seconds
    }

    pub fn keep_until(&self) -> u64 {
        self.now + self.lifetimes.keep_seconds
    }
}

const DAY: u64 = 86_400;

/// What the table said about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claimed {
    /// Go ahead: decrypt and deliver, then [`Ledger::settle`].
    Go,
    /// Already delivered: send nothing, succeed.
    Duplicate,
    /// Another attempt holds the claim: send nothing, fail so that Lambda retries later.
    InProgress,
    /// Over a limit: send nothing, succeed (a retry cannot help).
    Throttled(Limit),
}

/// How a claimed delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Sent,
    /// Nothing was delivered: release the claim and take the message off the counts.
    NotSent,
}

/// The table could not be used. Never carries a recipient or a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("delivery table unavailable: {0}")]
pub struct TableError(pub String);

/// The delivery table, behind a small trait (DynamoDB in production, a fake in unit tests).
pub trait Ledger: Sync {
    fn claim(&self, claim: &Claim) -> impl Future<Output = Result<Claimed, TableError>> + Send;
    fn settle(&self, claim: &Claim, how: Settled) -> impl Future<Output = Result<(), TableError>> + Send;
}

/// No table (`DELIVERY_TABLE` unset): every message goes, nothing is recorded.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLedger;

impl Ledger for NoLedger {
    async fn claim(&self, _: &Claim) -> Result<Claimed, TableError> {
        Ok(Claimed::Go)
    }
    async fn settle(&self, _: &Claim, _: Settled) -> Result<(), TableError> {
        Ok(())
    }
}

/// A table built only when `DELIVERY_TABLE` is set.
impl<L: Ledger> Ledger for Option<L> {
    async fn claim(&self, claim: &Claim) -> Result<Claimed, TableError> {
        match self {
            Some(l) => l.claim(claim).await,
            None => Ok(Claimed::Go),
        }
    }
    async fn settle(&self, claim: &Claim, how: Settled) -> Result<(), TableError> {
        match self {
            Some(l) => l.settle(claim, how).await,
            None => Ok(()),
        }
    }
}

/// `m#` + hex SHA-256 of what identifies a message.
pub fn message_key(identity: &[u8]) -> String {
    format!("m#{}", hex(&Sha256::digest(identity)))
}

/// Hex HMAC-SHA256 of a recipient under the table's key. The recipient is normalized first
/// (an address is compared without case), so one person is one key.
pub fn recipient_hash(key: &[u8], channel: Channel, recipient: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(channel.as_str().as_bytes());
    mac.update(b":");
    mac.update(recipient.trim().to_lowercase().as_bytes());
    hex(&mac.finalize().into_bytes())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Builds the claim of one message.
#[derive(Debug, Clone)]
pub struct ClaimInput<'a> {
    pub identity: &'a [u8],
    pub channel: Channel,
    pub recipient: &'a str,
    pub user_pool_id: &'a str,
    pub hash_key: &'a [u8],
    pub limits: Option<Limits>,
    pub lifetimes: Lifetimes,
    pub now: u64,
}

pub fn claim(input: &ClaimInput<'_>) -> Claim {
    let channel = input.channel.as_str();
    let recipient_window = input.limits.map(|l| {
        format!(
            "r#{channel}#{}#{}",
            recipient_hash(input.hash_key, input.channel, input.recipient),
            input.now / u64::from(l.window_seconds.max(1))
        )
    });
    let pool_day = input
        .limits
        .and_then(|l| l.per_pool_per_day)
        .map(|_| format!("p#{}#{channel}#{}", input.user_pool_id, input.now / DAY));
    Claim {
        message: message_key(input.identity),
        recipient_window,
        pool_day,
        limits: input.limits,
        now: input.now,
        lifetimes: input.lifetimes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIFE: Lifetimes = Lifetimes {
        lease_seconds: 30,
        keep_seconds: 6 * 3600 + 3600,
    };

    fn input(recipient: &str, now: u64) -> ClaimInput<'_> {
        ClaimInput {
            identity: b"AYADeCiphertext",
            channel: Channel::Sms,
            recipient,
            user_pool_id: "us-east-1_P",
            hash_key: b"key",
            limits: Some(Limits {
                per_recipient: 3,
                window_seconds: 3600,
                per_pool_per_day: Some(1000),
            }),
            lifetimes: LIFE,
            now,
        }
    }

    #[test]
    fn keys_hold_no_recipient_and_no_code() {
        let c = claim(&input("+12065550123", 7_200));
        let all = format!("{c:?}");
        assert!(!all.contains("2065550123") && !all.contains("AYADeCiphertext"), "{all}");
        assert_eq!(c.message.len(), 2 + 64);
        assert!(
            c.recipient_window
                .as_deref()
                .is_some_and(|k| k.starts_with("r#sms#") && k.ends_with("#2"))
        );
        assert_eq!(c.pool_day.as_deref(), Some("p#us-east-1_P#sms#0"));
    }

    #[test]
    fn the_recipient_hash_is_keyed_and_normalized() {
        let a = recipient_hash(b"k1", Channel::Email, "Jane@Example.com");
        assert_eq!(a, recipient_hash(b"k1", Channel::Email, " jane@example.com"));
        assert_ne!(a, recipient_hash(b"k2", Channel::Email, "jane@example.com"));
        assert_ne!(a, recipient_hash(b"k1", Channel::Sms, "jane@example.com"));
        // Known answer: HMAC-SHA256("key", "sms:+12065550123").
        assert_eq!(
            recipient_hash(b"key", Channel::Sms, "+12065550123"),
            "eeed67c07b04c4dfed481039e5973a69c45cd53ca720f6b658758490fc4c2699"
        );
    }

    #[test]
    fn windows_and_days_split_time_and_expire_after_they_end() {
        let a = claim(&input("+12065550123", 3_599));
        let b = claim(&input("+12065550123", 3_600));
        assert_ne!(a.recipient_window, b.recipient_window);
        assert_eq!(a.window_expiry(), 3_600 + DAY);
        assert_eq!(b.day_expiry(), 2 * DAY);
        assert_eq!(a.lease_until(), 3_599 + 30);
        assert_eq!(a.message, b.message, "one message, whenever it is retried");
        let none = claim(&ClaimInput {
            limits: None,
            ..input("+12065550123", 0)
        });
        assert_eq!((none.recipient_window, none.pool_day), (None, None));
    }
}

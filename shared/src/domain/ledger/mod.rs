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
//! transaction in [`dynamodb`](crate::adapters::dynamodb), where each item carries its own condition):
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

/// Who can make Cognito send a message, which decides the limit it counts against.
///
/// Anyone who knows an app client id and a username can call `ForgotPassword`, `SignUp` and
/// `ResendConfirmationCode` (and a signed-in user can point attribute verification at any
/// number): such requests count against the per-recipient limit and the pool's daily SMS
/// ceiling. What the user needs to get into their account, sign-in codes and the messages
/// an administrator or Cognito's threat protection sends, never counts there, so an outsider
/// who fills those limits cannot silence it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `SignUp`, `ResendCode`, `ForgotPassword`, `UpdateUserAttribute`, `VerifyUserAttribute`.
    Requested,
    /// `Authentication`: an MFA or sign-in (email/SMS OTP) code. Its own, higher limit:
    /// passwordless sign-in also sends codes to anyone who knows a username.
    SignIn,
    /// `AdminCreateUser` (an administrator's invitation with a temporary password) and
    /// `AccountTakeOverNotification` (a security notice): never limited, only kept unique.
    Essential,
}

/// The limits claims are counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requested messages per recipient per window (`MAX_SMS_PER_NUMBER`, `MAX_EMAIL_PER_ADDRESS`).
    pub per_recipient: u32,
    /// Sign-in codes per recipient per window (`MAX_SIGN_IN_CODES_PER_RECIPIENT`).
    pub sign_in_per_recipient: u32,
    /// `LIMIT_WINDOW_SECONDS`: fixed windows counted from the Unix epoch.
    pub window_seconds: u32,
    /// `MAX_SMS_PER_POOL_PER_DAY` (UTC days), for requested messages.
    pub per_pool_per_day: Option<u32>,
}

/// Which limit refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Recipient,
    SignIn,
    PoolDay,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Recipient => "recipient",
            Limit::SignIn => "sign_in_recipient",
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

/// One counter a claim counts against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    /// `r#<channel>#<hmac>#<window>`, `s#<channel>#<hmac>#<window>` or `p#<pool>#sms#<day>`.
    pub key: String,
    pub max: u32,
    /// Unix seconds: the end of its window plus a day, so no window is ever reused.
    pub expires_at: u64,
    pub limit: Limit,
}

/// One message to claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// `m#` + hex SHA-256 of the ciphertext (or of the event).
    pub message: String,
    /// This attempt's own token: the claim holds it, and only the attempt that holds the
    /// claim records the outcome.
    pub token: String,
    /// The recipient's counter, claimed with the message in one write.
    pub recipient: Option<Counter>,
    /// The pool's daily SMS counter: every recipient shares it, so it is counted on its own,
    /// after the claim, where concurrent senders never conflict (a single-item update).
    pub pool: Option<Counter>,
    /// Unix seconds.
    pub now: u64,
    pub lifetimes: Lifetimes,
}

impl Claim {
    pub fn lease_until(&self) -> u64 {
        self.now + self.lifetimes.lease_seconds
    }

    pub fn keep_until(&self) -> u64 {
        self.now + self.lifetimes.keep_seconds
    }

    /// The counters, in the order they are counted.
    pub fn counters(&self) -> impl Iterator<Item = &Counter> {
        self.recipient.iter().chain(self.pool.iter())
    }
}

const DAY: u64 = 86_400;

/// What the table said about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claimed {
    /// The claim is this attempt's: decrypt and deliver, then [`Ledger::settle`].
    Go,
    /// Already delivered, or handed to the service with no answer: send nothing, succeed.
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
    /// The service may have taken the message (no answer in time): never sent again.
    Unknown,
    /// Nothing was delivered: release the claim and take the message off the counts.
    NotSent,
}

impl Settled {
    /// The message item's `state`.
    pub fn state(self) -> &'static str {
        match self {
            Settled::Sent => "sent",
            Settled::Unknown => "unknown",
            Settled::NotSent => "failed",
        }
    }
}

/// What a message item in `state`, leased until `lease_until` and kept until `expires_at`,
/// means for a new attempt at `now`. `None`: claimable (the write that claims it decides).
pub fn existing(state: Option<&str>, lease_until: u64, expires_at: u64, now: u64) -> Option<Claimed> {
    match state {
        _ if expires_at < now => None,
        Some("sent" | "unknown") => Some(Claimed::Duplicate),
        Some("in_progress") if lease_until >= now => Some(Claimed::InProgress),
        _ => None,
    }
}

/// The table could not be used. Never carries a recipient or a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// Unreachable, refusing or too slow: `ON_TABLE_ERROR` decides.
    #[error("delivery table unavailable: {0}")]
    Unavailable(String),
    /// Concurrent attempts kept cancelling each other: not an outage, so never a reason to
    /// deliver unguarded; the invocation fails and Lambda retries it.
    #[error("delivery table busy: {0}; a retry can succeed")]
    Contended(String),
    /// The claim is no longer this attempt's (its lease lapsed and another attempt took it):
    /// the outcome is not recorded over the other attempt's.
    #[error("delivery table: the claim was taken over by another attempt; outcome not recorded")]
    TakenOver,
}

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
/// ([`mailbox`] for addresses), so one mailbox or number is one key.
pub fn recipient_hash(key: &[u8], channel: Channel, recipient: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(channel.as_str().as_bytes());
    mac.update(b":");
    let normalized = match channel {
        Channel::Email => mailbox(recipient),
        Channel::Sms => recipient.trim().to_owned(),
    };
    mac.update(normalized.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The mailbox an address delivers to, for counting: lower case, without a `+tag` (every
/// large provider delivers `jane+x@` to `jane@`), and for Gmail without dots in the local part
/// and with `googlemail.com` read as `gmail.com`. So `J.ane+1@googlemail.com` and
/// `jane@gmail.com` share one limit. Messages still go to the address as given.
pub fn mailbox(address: &str) -> String {
    let address = address.trim().to_lowercase();
    let Some((local, domain)) = address.rsplit_once('@') else {
        return address;
    };
    let local = local.split_once('+').map_or(local, |(base, _)| base);
    let (local, domain) = match domain {
        "gmail.com" | "googlemail.com" => (local.replace('.', ""), "gmail.com"),
        _ => (local.to_owned(), domain),
    };
    format!("{local}@{domain}")
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
    pub token: &'a str,
    pub channel: Channel,
    pub purpose: Purpose,
    pub recipient: &'a str,
    pub user_pool_id: &'a str,
    pub hash_key: &'a [u8],
    pub limits: Option<Limits>,
    pub lifetimes: Lifetimes,
    pub now: u64,
}

pub fn claim(input: &ClaimInput<'_>) -> Claim {
    let channel = input.channel.as_str();
    let now = input.now;
    let recipient = input.limits.and_then(|l| {
        let (prefix, max, limit) = match input.purpose {
            Purpose::Requested => ("r", l.per_recipient, Limit::Recipient),
            Purpose::SignIn => ("s", l.sign_in_per_recipient, Limit::SignIn),
            Purpose::Essential => return None,
        };
        let w = u64::from(l.window_seconds.max(1));
        Some(Counter {
            key: format!(
                "{prefix}#{channel}#{}#{}",
                recipient_hash(input.hash_key, input.channel, input.recipient),
                now / w
            ),
            max,
            expires_at: (now / w + 1) * w + DAY,
            limit,
        })
    });
    let pool = input
        .limits
        .and_then(|l| l.per_pool_per_day)
        .filter(|_| input.purpose == Purpose::Requested)
        .map(|max| Counter {
            key: format!("p#{}#{channel}#{}", input.user_pool_id, now / DAY),
            max,
            expires_at: (now / DAY + 2) * DAY,
            limit: Limit::PoolDay,
        });
    Claim {
        message: message_key(input.identity),
        token: input.token.to_owned(),
        recipient,
        pool,
        now,
        lifetimes: input.lifetimes,
    }
}

#[cfg(test)]
mod tests;

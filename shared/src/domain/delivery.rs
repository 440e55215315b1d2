//! Delivering messages: what one SMS or email is, validating an email address, and the small
//! [`SmsSender`] and [`EmailSender`] traits handlers depend on. Their SNS, End User Messaging
//! and SES implementations are adapters ([`crate::adapters`]), tested against moto and a
//! stand-in; all report failures as a [`DeliveryError`] that says whether a retry can help:
//! throttling, 5xx and network failures can; a rejected number or address cannot.

use std::fmt;
use std::future::Future;

use crate::domain::redact;

/// One SMS to send. Its `Debug` masks the number and hides the text (it holds the code).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Sms {
    /// E.164, validated.
    pub phone_number: String,
    pub text: String,
    /// The Cognito trigger source and user pool it answers (for the provider's message context).
    pub trigger_source: String,
    pub user_pool_id: String,
    /// How long the message is worth delivering: no longer than what it carries stays valid.
    pub time_to_live_seconds: u32,
    /// Have the provider validate the message without sending it (`SEND_ENABLED=false`).
    pub dry_run: bool,
}

impl fmt::Debug for Sms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sms")
            .field("phone_number", &redact::Phone(&self.phone_number))
            .field("text_chars", &self.text.chars().count())
            .field("trigger_source", &self.trigger_source)
            .field("time_to_live_seconds", &self.time_to_live_seconds)
            .field("dry_run", &self.dry_run)
            .finish_non_exhaustive()
    }
}

/// One email to send, as a multipart (HTML + text) message.
#[derive(Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Email")
            .field("to", &redact::Email(&self.to))
            .field("subject_chars", &self.subject.chars().count())
            .finish_non_exhaustive()
    }
}

/// Why an address is not sent to. Never carries the address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("the user has no email attribute")]
    Missing,
    #[error("the email address is not one SES can deliver to (user@domain.tld, ASCII, no spaces or line breaks)")]
    Invalid,
}

/// Checks an address the way SES will accept it as a recipient or sender: an ASCII local
/// part of at most 64 characters (dot-atom: letters, digits, ``!#$%&'*+/=?^_`{|}~-`` and
/// single dots inside), and a domain of at least two labels, at most 253 characters
/// (internationalized domains must be given in punycode). No quoted local parts, IP literals,
/// display names, white space or line breaks: nothing that could smuggle in a second
/// recipient or a header. Written by hand because address crates (`email_address`) follow
/// RFC 5322, which allows exactly the quoted forms and literals refused here.
pub fn validate_email(raw: Option<&str>) -> Result<String, AddressError> {
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(AddressError::Missing)?;
    let (local, domain) = raw.rsplit_once('@').ok_or(AddressError::Invalid)?;
    let local_ok = (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    if local_ok && domain_ok {
        Ok(raw.to_owned())
    } else {
        Err(AddressError::Invalid)
    }
}

/// Why a message was not delivered. Carries the service's error code, never the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The service answered that it did not take the message (throttling, 5xx): sending
    /// again cannot duplicate it.
    #[error("{service} is throttling or unavailable ({code}); a retry can succeed")]
    Unavailable { service: &'static str, code: String },
    /// No answer (timeout, lost connection, unreadable response): the message may or may not
    /// have gone out, so it is not sent again within this invocation.
    #[error("{service} did not answer ({code}); the message may or may not have been sent")]
    Unknown { service: &'static str, code: String },
    #[error("{service} refused the message ({code})")]
    Rejected { service: &'static str, code: String },
}

impl DeliveryError {
    /// Whether a later attempt (Lambda's retry of the invocation) can succeed.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, DeliveryError::Rejected { .. })
    }
}

/// How often, and how long apart, an adapter resends after [`DeliveryError::Unavailable`].
/// The SDK's own retries are off for delivery calls: they would also resend after a timeout,
/// when the first message may already have been delivered.
pub const DELIVERY_ATTEMPTS: u32 = 3;
pub const DELIVERY_BACKOFF: std::time::Duration = std::time::Duration::from_millis(200);

/// Sends one SMS; returns the provider's message id.
pub trait SmsSender: Send + Sync {
    fn send_sms(&self, sms: &Sms) -> impl Future<Output = Result<String, DeliveryError>> + Send;

    /// Whether the provider can validate a message without sending it ([`Sms::dry_run`]);
    /// when it cannot, a dry run makes no call at all.
    fn validates_dry_runs(&self) -> bool {
        false
    }
}

/// Sends one email; returns the provider's message id.
pub trait EmailSender: Send + Sync {
    fn send_email(&self, email: &Email) -> impl Future<Output = Result<String, DeliveryError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_ses_accepts_pass_and_others_do_not() {
        for ok in [
            "jane@example.com",
            "jane.doe+reset@mail.example.co.uk",
            "o'brien@example.ie",
            "x@xn--bcher-kva.example",
        ] {
            assert_eq!(validate_email(Some(ok)).as_deref(), Ok(ok), "{ok}");
        }
        assert_eq!(
            validate_email(Some(" jane@example.com ")).as_deref(),
            Ok("jane@example.com")
        );
        assert_eq!(validate_email(None), Err(AddressError::Missing));
        assert_eq!(validate_email(Some("  ")), Err(AddressError::Missing));
        for bad in [
            "jane",
            "@example.com",
            "jane@",
            "jane@localhost",
            "jane@example.c",
            "jane@127.0.0.1",
            ".jane@example.com",
            "ja..ne@example.com",
            "jane doe@example.com",
            "jane@example.com\r\nBcc: eve@example.com",
            "jane@example.com, eve@example.com",
            "Jane <jane@example.com>",
            "\"jane\"@example.com",
            "jané@example.com",
            "jane@-example.com",
        ] {
            assert_eq!(validate_email(Some(bad)), Err(AddressError::Invalid), "{bad}");
        }
        assert_eq!(
            validate_email(Some(&format!("{}@example.com", "a".repeat(65)))),
            Err(AddressError::Invalid)
        );
    }

    #[test]
    fn debug_masks_recipients_and_hides_text() {
        let sms = Sms {
            phone_number: "+12065550123".into(),
            text: "code 123456".into(),
            ..Sms::default()
        };
        let shown = format!("{sms:?}");
        assert!(!shown.contains("123456") && !shown.contains("2065550123"), "{shown}");
        let email = Email {
            to: "jane@example.com".into(),
            subject: "s".into(),
            html: "123456".into(),
            text: "123456".into(),
        };
        let shown = format!("{email:?}");
        assert!(!shown.contains("123456") && !shown.contains("jane@"), "{shown}");
    }
}

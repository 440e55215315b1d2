//! Delivering messages: SMS through Amazon SNS, email through Amazon SES v2.
//!
//! Handlers depend on the small [`SmsSender`] and [`EmailSender`] traits; the SNS and SES
//! implementations (features `sns`, `ses`) are tested against moto. Both report failures as a
//! [`DeliveryError`] that says whether a retry can help: throttling, 5xx and network failures
//! can; a rejected number or address cannot.

#[cfg(feature = "dynamodb")]
pub mod dynamodb;
#[cfg(feature = "eum")]
pub mod eum;
pub mod ledger;
#[cfg(feature = "sns")]
pub mod phone;
#[cfg(feature = "ses")]
pub mod ses;
#[cfg(feature = "sns")]
pub mod sns;

use std::fmt;
use std::future::Future;

use crate::redact;

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

/// Runs a delivery call, resending only while the service says it did not take the message,
/// within the delivery budget ([`crate::budgets::DELIVERY`]): a call still without an answer
/// when it runs out may have been accepted, so it is [`DeliveryError::Unknown`].
#[cfg(any(feature = "sns", feature = "ses", feature = "eum"))]
pub(crate) async fn resend_while_unavailable<F, Fut>(
    service: &'static str,
    mut call: F,
) -> Result<String, DeliveryError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<String, DeliveryError>>,
{
    let attempts = async {
        let mut attempt = 1;
        loop {
            match call().await {
                Err(DeliveryError::Unavailable { .. }) if attempt < DELIVERY_ATTEMPTS => {
                    tokio::time::sleep(DELIVERY_BACKOFF * 2u32.pow(attempt - 1)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    };
    tokio::time::timeout(crate::budgets::DELIVERY, attempts)
        .await
        .unwrap_or_else(|_| {
            Err(DeliveryError::Unknown {
                service,
                code: format!("no answer within {} ms", crate::budgets::DELIVERY.as_millis()),
            })
        })
}

/// Sends one SMS; returns the provider's message id.
pub trait SmsSender: Send + Sync {
    fn send_sms(&self, sms: &Sms) -> impl Future<Output = Result<String, DeliveryError>> + Send;

    /// Whether the provider can validate a message without sending it ([`Sms::dry_run`]);
    /// when it cannot, a dry run makes no call at all.
    fn validates_dry_runs(&self) -> bool {
        false
    }
}

/// The SMS service chosen at init (`SMS_BACKEND`).
#[cfg(all(feature = "sns", feature = "eum"))]
#[derive(Debug, Clone)]
pub enum SmsBackend {
    Sns(sns::SnsSender),
    EndUserMessaging(eum::EumSender),
}

#[cfg(all(feature = "sns", feature = "eum"))]
impl SmsBackend {
    /// The service `SMS_BACKEND` names, with its settings. `delivery` is the SDK configuration
    /// without retries ([`crate::aws::without_retries`]): the adapters resend only what the
    /// service refused.
    pub fn from_config(delivery: &crate::aws::SdkConfig, c: &crate::config::SmsConfig) -> Self {
        match c.service {
            crate::config::SmsService::Sns => SmsBackend::Sns(sns::SnsSender::new(
                crate::aws::sns::Client::new(delivery),
                c.sender_id.clone(),
                c.origination_number.clone(),
            )),
            crate::config::SmsService::EndUserMessaging => SmsBackend::EndUserMessaging(eum::EumSender::new(
                crate::aws::eum::Client::new(delivery),
                eum::EumOptions {
                    origination_identity: c.origination_identity.clone(),
                    configuration_set: c.configuration_set.clone(),
                    protect_configuration_id: c.protect_configuration_id.clone(),
                    max_price_usd: c.max_price_usd.clone(),
                },
            )),
        }
    }
}

#[cfg(all(feature = "sns", feature = "eum"))]
impl SmsSender for SmsBackend {
    async fn send_sms(&self, sms: &Sms) -> Result<String, DeliveryError> {
        match self {
            SmsBackend::Sns(s) => s.send_sms(sms).await,
            SmsBackend::EndUserMessaging(s) => s.send_sms(sms).await,
        }
    }

    fn validates_dry_runs(&self) -> bool {
        match self {
            SmsBackend::Sns(s) => s.validates_dry_runs(),
            SmsBackend::EndUserMessaging(s) => s.validates_dry_runs(),
        }
    }
}

/// Sends one email; returns the provider's message id.
pub trait EmailSender: Send + Sync {
    fn send_email(&self, email: &Email) -> impl Future<Output = Result<String, DeliveryError>> + Send;
}

/// Sorts an AWS SDK error: the service said no for now (throttling, 429, 5xx), no answer
/// (timeout, connection or response lost), or refused (other 4xx).
#[cfg(any(feature = "sns", feature = "ses", feature = "eum", feature = "cognito"))]
pub(crate) fn classify<E>(
    service: &'static str,
    err: &aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> DeliveryError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    const THROTTLING: [&str; 6] = [
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "LimitExceededException",
        "RequestLimitExceeded",
    ];
    let unknown = |code: &str| DeliveryError::Unknown {
        service,
        code: code.to_owned(),
    };
    match err {
        SdkError::TimeoutError(_) => unknown("timeout"),
        SdkError::DispatchFailure(_) => unknown("connection failure"),
        SdkError::ResponseError(_) => unknown("unreadable response"),
        SdkError::ServiceError(e) => {
            let code = e.err().code().unwrap_or("unknown").to_owned();
            let status = e.raw().status().as_u16();
            if status >= 500 || status == 429 || THROTTLING.contains(&code.as_str()) {
                DeliveryError::Unavailable { service, code }
            } else {
                DeliveryError::Rejected { service, code }
            }
        }
        _ => DeliveryError::Rejected {
            service,
            code: "request could not be built".into(),
        },
    }
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

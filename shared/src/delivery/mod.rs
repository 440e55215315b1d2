//! Delivering messages: SMS through Amazon SNS, email through Amazon SES v2.
//!
//! Handlers depend on the small [`SmsSender`] and [`EmailSender`] traits; the SNS and SES
//! implementations (features `sns`, `ses`) are tested against moto. Both report failures as a
//! [`DeliveryError`] that says whether a retry can help: throttling, 5xx and network failures
//! can; a rejected number or address cannot.

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
#[derive(Clone, PartialEq, Eq)]
pub struct Sms {
    /// E.164, validated.
    pub phone_number: String,
    pub text: String,
}

impl fmt::Debug for Sms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sms")
            .field("phone_number", &redact::Phone(&self.phone_number))
            .field("text_chars", &self.text.chars().count())
            .finish()
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

/// Why a message was not delivered. Carries the service's error code, never the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("{service} is throttling or unavailable ({code}); a retry can succeed")]
    Unavailable { service: &'static str, code: String },
    #[error("{service} refused the message ({code})")]
    Rejected { service: &'static str, code: String },
}

impl DeliveryError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, DeliveryError::Unavailable { .. })
    }
}

/// Sends one SMS; returns the provider's message id.
pub trait SmsSender: Send + Sync {
    fn send_sms(&self, sms: &Sms) -> impl Future<Output = Result<String, DeliveryError>> + Send;
}

/// Sends one email; returns the provider's message id.
pub trait EmailSender: Send + Sync {
    fn send_email(
        &self,
        email: &Email,
    ) -> impl Future<Output = Result<String, DeliveryError>> + Send;
}

/// Sorts an AWS SDK error into retryable or not, from its HTTP status and error code.
#[cfg(any(feature = "sns", feature = "ses"))]
pub(crate) fn classify<E>(
    service: &'static str,
    err: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
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
    match err {
        SdkError::TimeoutError(_) => DeliveryError::Unavailable {
            service,
            code: "timeout".into(),
        },
        SdkError::DispatchFailure(_) => DeliveryError::Unavailable {
            service,
            code: "network failure".into(),
        },
        SdkError::ResponseError(_) => DeliveryError::Unavailable {
            service,
            code: "unreadable response".into(),
        },
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
    fn debug_masks_recipients_and_hides_text() {
        let sms = Sms {
            phone_number: "+12065550123".into(),
            text: "code 123456".into(),
        };
        let shown = format!("{sms:?}");
        assert!(
            !shown.contains("123456") && !shown.contains("2065550123"),
            "{shown}"
        );
        let email = Email {
            to: "jane@example.com".into(),
            subject: "s".into(),
            html: "123456".into(),
            text: "123456".into(),
        };
        let shown = format!("{email:?}");
        assert!(
            !shown.contains("123456") && !shown.contains("jane@"),
            "{shown}"
        );
    }
}

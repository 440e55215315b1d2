//! AWS error classification, in one place: every adapter sorts an SDK error into "the service
//! said no for now" (throttling, 429, 5xx: a retry can succeed), "no answer" (timeout,
//! connection or response lost: the call may have taken effect) and "refused" (other 4xx), and
//! delivery calls resend only while the service says it did not take the message.

#[cfg(any(feature = "sns", feature = "ses", feature = "eum"))]
use std::future::Future;

use crate::domain::delivery::DeliveryError;
#[cfg(any(feature = "sns", feature = "ses", feature = "eum"))]
use crate::domain::delivery::{DELIVERY_ATTEMPTS, DELIVERY_BACKOFF};

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

/// Runs a delivery call, resending only while the service says it did not take the message,
/// within the delivery budget ([`crate::domain::budgets::DELIVERY`]): a call still without an answer
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
    tokio::time::timeout(crate::domain::budgets::DELIVERY, attempts)
        .await
        .unwrap_or_else(|_| {
            Err(DeliveryError::Unknown {
                service,
                code: format!("no answer within {} ms", crate::domain::budgets::DELIVERY.as_millis()),
            })
        })
}

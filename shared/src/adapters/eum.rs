//! SMS through AWS End User Messaging SMS (`pinpoint-sms-voice-v2` `SendTextMessage`): where
//! origination identities, registrations, configuration sets and protect configurations
//! (country rules, artificially inflated traffic filtering) live, with per-message controls SNS
//! lacks: a time to live, a price ceiling, a dry run.
//!
//! Each message is `TRANSACTIONAL`, carries `Context` with the trigger source and the user pool
//! id (never the code, the number or the user), and a `TimeToLive` no longer than what it
//! carries stays valid. Errors are sorted as the other adapters sort them: throttling and 5xx
//! are resent (only when the service said it did not take the message); validation (a price
//! above `MaxPrice` among them), access denied, conflict, not found and quota exceeded are
//! refusals, reported with the service's reason and never resent.

use aws_sdk_pinpointsmsvoicev2::operation::send_text_message::SendTextMessageError;
use aws_sdk_pinpointsmsvoicev2::types::MessageType;

use crate::adapters::errors::{classify, resend_while_unavailable};
use crate::domain::delivery::{DeliveryError, Sms, SmsSender};

/// The service's shortest and longest time to live (`TimeToLive`, seconds).
pub const TIME_TO_LIVE_RANGE: (u32, u32) = (5, 259_200);

/// Built once at init.
#[derive(Debug, Clone)]
pub struct EumSender {
    client: aws_sdk_pinpointsmsvoicev2::Client,
    options: EumOptions,
}

/// The sender's settings (`SMS_ORIGINATION_IDENTITY`, `SMS_CONFIGURATION_SET`,
/// `SMS_PROTECT_CONFIGURATION_ID`, `SMS_MAX_PRICE_USD`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EumOptions {
    pub origination_identity: Option<String>,
    pub configuration_set: Option<String>,
    pub protect_configuration_id: Option<String>,
    /// The most to pay per message part, in US dollars, as the service writes it (`0.05`).
    pub max_price_usd: Option<String>,
}

impl EumSender {
    pub fn new(client: aws_sdk_pinpointsmsvoicev2::Client, options: EumOptions) -> Self {
        EumSender { client, options }
    }

    async fn send_text_message(&self, sms: &Sms) -> Result<String, DeliveryError> {
        let (min, max) = TIME_TO_LIVE_RANGE;
        let ttl = sms.time_to_live_seconds.clamp(min, max);
        let o = &self.options;
        let out = self
            .client
            .send_text_message()
            .destination_phone_number(&sms.phone_number)
            .message_body(&sms.text)
            .message_type(MessageType::Transactional)
            .set_origination_identity(o.origination_identity.clone())
            .set_configuration_set_name(o.configuration_set.clone())
            .set_protect_configuration_id(o.protect_configuration_id.clone())
            .set_max_price(o.max_price_usd.clone())
            .time_to_live(i32::try_from(ttl).unwrap_or(i32::MAX))
            .context("triggerSource", &sms.trigger_source)
            .context("userPoolId", &sms.user_pool_id)
            .dry_run(sms.dry_run)
            .send()
            .await
            .map_err(|e| match classify("End User Messaging", &e) {
                DeliveryError::Rejected { service, code } => DeliveryError::Rejected {
                    service,
                    code: match reason(&e) {
                        Some(reason) => format!("{code}: {reason}"),
                        None => code,
                    },
                },
                other => other,
            })?;
        Ok(out.message_id.unwrap_or_default())
    }
}

/// The reason the service gives with a refusal (`PRICE_OVER_THRESHOLD`, `ACCOUNT_DISABLED`,
/// a missing resource's type...). Never a value from the request.
fn reason<R>(e: &aws_smithy_runtime_api::client::result::SdkError<SendTextMessageError, R>) -> Option<String> {
    match e.as_service_error()? {
        SendTextMessageError::ValidationException(v) => v.reason().map(|r| r.as_str().to_owned()),
        SendTextMessageError::AccessDeniedException(v) => v.reason().map(|r| r.as_str().to_owned()),
        SendTextMessageError::ConflictException(v) => v.reason().map(|r| r.as_str().to_owned()),
        SendTextMessageError::ServiceQuotaExceededException(v) => v.reason().map(|r| r.as_str().to_owned()),
        SendTextMessageError::ResourceNotFoundException(v) => {
            v.resource_type().map(|r| format!("{} not found", r.as_str()))
        }
        _ => None,
    }
}

impl SmsSender for EumSender {
    async fn send_sms(&self, sms: &Sms) -> Result<String, DeliveryError> {
        resend_while_unavailable("End User Messaging", || self.send_text_message(sms)).await
    }

    fn validates_dry_runs(&self) -> bool {
        true
    }
}

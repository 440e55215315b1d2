//! The SMS service chosen at init (`SMS_BACKEND`): SNS or End User Messaging.

use crate::adapters::eum::{EumOptions, EumSender};
use crate::adapters::sns::SnsSender;
use crate::domain::delivery::{DeliveryError, Sms, SmsSender};

/// The SMS service chosen at init (`SMS_BACKEND`).
#[derive(Debug, Clone)]
pub enum SmsBackend {
    Sns(SnsSender),
    EndUserMessaging(EumSender),
}

impl SmsBackend {
    /// The service `SMS_BACKEND` names, with its settings. `delivery` is the SDK configuration
    /// without retries ([`crate::adapters::aws::without_retries`]): the adapters resend only what the
    /// service refused.
    pub fn from_config(delivery: &crate::adapters::aws::SdkConfig, c: &crate::domain::config::SmsConfig) -> Self {
        match c.service {
            crate::domain::config::SmsService::Sns => SmsBackend::Sns(SnsSender::new(
                crate::adapters::aws::sns::Client::new(delivery),
                c.sender_id.clone(),
                c.origination_number.clone(),
            )),
            crate::domain::config::SmsService::EndUserMessaging => SmsBackend::EndUserMessaging(EumSender::new(
                crate::adapters::aws::eum::Client::new(delivery),
                EumOptions {
                    origination_identity: c.origination_identity.clone(),
                    configuration_set: c.configuration_set.clone(),
                    protect_configuration_id: c.protect_configuration_id.clone(),
                    max_price_usd: c.max_price_usd.clone(),
                },
            )),
        }
    }
}

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

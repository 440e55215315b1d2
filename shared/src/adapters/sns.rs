//! SMS through Amazon SNS `Publish` to a phone number, as a transactional message.

use aws_sdk_sns::types::MessageAttributeValue;

use crate::adapters::errors::{classify, resend_while_unavailable};
use crate::domain::delivery::{DeliveryError, Sms, SmsSender};

/// Built once at init.
#[derive(Debug, Clone)]
pub struct SnsSender {
    client: aws_sdk_sns::Client,
    sender_id: Option<String>,
    origination_number: Option<String>,
}

impl SnsSender {
    pub fn new(client: aws_sdk_sns::Client, sender_id: Option<String>, origination_number: Option<String>) -> Self {
        SnsSender {
            client,
            sender_id,
            origination_number,
        }
    }

    fn attribute(value: &str) -> Result<MessageAttributeValue, DeliveryError> {
        MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()
            .map_err(|_| DeliveryError::Rejected {
                service: "SNS",
                code: "invalid message attribute".into(),
            })
    }
}

impl SmsSender for SnsSender {
    async fn send_sms(&self, sms: &Sms) -> Result<String, DeliveryError> {
        resend_while_unavailable("SNS", || self.publish(sms)).await
    }
}

impl SnsSender {
    async fn publish(&self, sms: &Sms) -> Result<String, DeliveryError> {
        let mut publish = self
            .client
            .publish()
            .phone_number(&sms.phone_number)
            .message(&sms.text)
            .message_attributes("AWS.SNS.SMS.SMSType", Self::attribute("Transactional")?);
        if let Some(id) = &self.sender_id {
            publish = publish.message_attributes("AWS.SNS.SMS.SenderID", Self::attribute(id)?);
        }
        if let Some(number) = &self.origination_number {
            publish = publish.message_attributes("AWS.MM.SMS.OriginationNumber", Self::attribute(number)?);
        }
        let out = publish.send().await.map_err(|e| classify("SNS", &e))?;
        Ok(out.message_id.unwrap_or_default())
    }
}

//! Email through Amazon SES v2 `SendEmail`, as one multipart message (HTML and text).

use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::adapters::errors::{classify, resend_while_unavailable};
use crate::domain::delivery::{DeliveryError, Email, EmailSender};

/// Built once at init.
#[derive(Debug, Clone)]
pub struct SesSender {
    client: aws_sdk_sesv2::Client,
    from: String,
    reply_to: Option<String>,
    configuration_set: Option<String>,
}

impl SesSender {
    /// The sender `EMAIL_FROM`, `EMAIL_REPLY_TO` and `SES_CONFIGURATION_SET` describe.
    /// `delivery` is the SDK configuration without retries ([`crate::adapters::aws::without_retries`]).
    pub fn from_config(delivery: &crate::adapters::aws::SdkConfig, c: &crate::domain::config::EmailConfig) -> Self {
        SesSender::new(
            aws_sdk_sesv2::Client::new(delivery),
            c.from.clone(),
            c.reply_to.clone(),
            c.configuration_set.clone(),
        )
    }

    pub fn new(
        client: aws_sdk_sesv2::Client,
        from: String,
        reply_to: Option<String>,
        configuration_set: Option<String>,
    ) -> Self {
        SesSender {
            client,
            from,
            reply_to,
            configuration_set,
        }
    }
}

fn content(text: &str) -> Result<Content, DeliveryError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|_| DeliveryError::Rejected {
            service: "SES",
            code: "invalid content".into(),
        })
}

impl EmailSender for SesSender {
    async fn send_email(&self, email: &Email) -> Result<String, DeliveryError> {
        resend_while_unavailable("SES", || self.send(email)).await
    }
}

impl SesSender {
    async fn send(&self, email: &Email) -> Result<String, DeliveryError> {
        let message = Message::builder()
            .subject(content(&email.subject)?)
            .body(
                Body::builder()
                    .html(content(&email.html)?)
                    .text(content(&email.text)?)
                    .build(),
            )
            .build();
        let out = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&email.to).build())
            .content(EmailContent::builder().simple(message).build())
            .set_reply_to_addresses(self.reply_to.clone().map(|r| vec![r]))
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|e| classify("SES", &e))?;
        Ok(out.message_id.unwrap_or_default())
    }
}

//! Cognito's custom email sender trigger (`CustomEmailSender_*`): decrypt the code exactly as
//! the SMS sender does (shared code in [`cognito_reset::sender`]), render subject, HTML and
//! text from the shared templates in the user's language, and send one multipart email with
//! SES v2.
//!
//! The recipient must be a plain address SES can deliver to before anything is decrypted or
//! sent. The outcome of every invocation is one log line; only failures a retry can fix fail
//! the invocation.

use cognito_reset::code::CodeDecryptor;
use cognito_reset::config::{self, EmailConfig, InitError};
use cognito_reset::delivery::{Email, EmailSender, validate_email};
use cognito_reset::events::Family;
use cognito_reset::redact;
use cognito_reset::sender::{self, Deliver, Delivered, Failure, Request, RetryableFailure};
use serde_json::Value;

/// Configuration, read once at init.
#[derive(Debug)]
pub struct Settings {
    pub common: sender::Common,
    pub email: EmailConfig,
}

impl Settings {
    pub fn from_source(src: &impl config::Source) -> Result<Self, InitError> {
        Ok(Settings {
            common: sender::Common::from_source(src)?,
            email: EmailConfig::from_source(src)?,
        })
    }
}

/// Everything a handler needs, built once at init.
#[derive(Debug)]
pub struct Deps<D, E> {
    pub settings: Settings,
    pub decryptor: D,
    pub email: E,
}

/// Handles one event. `Err` only when a retry can help.
pub async fn handle<D: CodeDecryptor, E: EmailSender>(deps: &Deps<D, E>, event: Value) -> Result<(), RetryableFailure> {
    sender::handle(deps, &event).await
}

impl<D: CodeDecryptor, E: EmailSender> Deliver for Deps<D, E> {
    const FAMILY: Family = Family::CustomEmailSender;

    async fn deliver(&self, req: &Request, recipient: &mut String) -> Result<Delivered, Failure> {
        let s = &self.settings;
        let address = req.envelope.request.user_attributes.get("email").map(String::as_str);
        if let Some(a) = address {
            *recipient = redact::Email(a).to_string();
        }
        let to = validate_email(address).map_err(Failure::rejected)?;
        let (_code, rendered) = s.common.decrypt_and_render(&self.decryptor, req).await?;
        if !s.common.sender.send_enabled {
            return Ok(Delivered::DryRun);
        }
        let email = Email {
            to,
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
        };
        let message_id = self.email.send_email(&email).await?;
        Ok(Delivered::Sent { message_id })
    }
}

#[cfg(test)]
mod tests;

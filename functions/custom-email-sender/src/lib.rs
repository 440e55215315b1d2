//! Cognito's custom email sender trigger (`CustomEmailSender_*`): decrypt the code exactly as
//! the SMS sender does (shared code in [`cognito_reset::sender`]), render subject, HTML and
//! text from the shared templates in the user's language, and send one multipart email with
//! SES v2.
//!
//! The recipient must be a plain address SES can deliver to before anything is decrypted or
//! sent. The outcome of every invocation is one log line; only failures a retry can fix fail
//! the invocation.

use cognito_reset::domain::code::CodeDecryptor;
use cognito_reset::domain::config::{self, EmailConfig, InitError, TableConfig};
use cognito_reset::domain::delivery::{Email, EmailSender, validate_email};
use cognito_reset::domain::events::Family;
use cognito_reset::domain::ledger::{Channel, Ledger, NoLedger};
use cognito_reset::domain::redact;
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
            common: sender::Common::from_source(src, Channel::Email)?,
            email: EmailConfig::from_source(src)?,
        })
    }
}

/// Everything a handler needs, built once at init. `L` is the delivery table (none unless
/// `DELIVERY_TABLE` is set).
#[derive(Debug)]
pub struct Deps<D, E, L = NoLedger> {
    pub settings: Settings,
    pub decryptor: D,
    pub email: E,
    pub ledger: L,
}

/// Handles one event, now. `Err` only when a retry can help.
pub async fn handle<D: CodeDecryptor, E: EmailSender, L: Ledger>(
    deps: &Deps<D, E, L>,
    event: Value,
) -> Result<(), RetryableFailure> {
    sender::handle(deps, &event, cognito_reset::runtime::clock::now()).await
}

/// The address the event names, as given.
fn address(req: &Request) -> Option<&str> {
    req.envelope.request.user_attributes.get("email").map(String::as_str)
}

impl<D: CodeDecryptor, E: EmailSender, L: Ledger> Deliver for Deps<D, E, L> {
    const FAMILY: Family = Family::CustomEmailSender;
    const CHANNEL: Channel = Channel::Email;
    type Ledger = L;

    fn masked_recipient(&self, req: &Request) -> Option<String> {
        address(req).map(|a| redact::Email(a).to_string())
    }

    fn recipient(&self, req: &Request) -> Result<String, Failure> {
        validate_email(address(req)).map_err(Failure::rejected)
    }

    fn table(&self) -> Option<(&L, &TableConfig)> {
        self.settings.common.guard(&self.ledger)
    }

    async fn deliver(&self, req: &Request, to: String) -> Result<Delivered, Failure> {
        let s = &self.settings;
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
        let asked = std::time::Instant::now();
        let sent = self.email.send_email(&email).await;
        cognito_reset::runtime::metrics::latency("delivery_latency", asked.elapsed());
        let message_id = sent?;
        Ok(Delivered::Sent { message_id })
    }
}

#[cfg(test)]
mod tests;

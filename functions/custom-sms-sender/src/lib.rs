//! Cognito's custom SMS sender trigger (`CustomSMSSender_*`): decrypt the code Cognito
//! encrypted under the pool's KMS key, word it from the shared templates in the user's
//! language, and deliver it by SNS.
//!
//! Before anything is decrypted or sent, the number must be a valid E.164 number of an allowed
//! country (SMS pumping costs money). The outcome of every invocation is one log line; only
//! failures a retry can fix fail the invocation (see [`cognito_reset::sender`]).

use cognito_reset::domain::code::CodeDecryptor;
use cognito_reset::domain::config::TableConfig;
use cognito_reset::domain::config::{self, InitError, SmsConfig};
use cognito_reset::domain::delivery::{Sms, SmsSender};
use cognito_reset::domain::events::{Family, MessageKind};
use cognito_reset::domain::ledger::{Channel, Ledger, NoLedger};
use cognito_reset::domain::messages::sms;
use cognito_reset::domain::phone;
use cognito_reset::domain::redact;
use cognito_reset::sender::{self, Deliver, Delivered, Failure, Request, RetryableFailure};
use serde_json::Value;
use tracing::warn;

/// Configuration, read once at init.
#[derive(Debug)]
pub struct Settings {
    pub common: sender::Common,
    pub sms: SmsConfig,
}

impl Settings {
    pub fn from_source(src: &impl config::Source) -> Result<Self, InitError> {
        Ok(Settings {
            common: sender::Common::from_source(src, Channel::Sms)?,
            sms: SmsConfig::from_source(src)?,
        })
    }
}

/// Everything a handler needs, built once at init. `L` is the delivery table (none unless
/// `DELIVERY_TABLE` is set).
#[derive(Debug)]
pub struct Deps<D, S, L = NoLedger> {
    pub settings: Settings,
    pub decryptor: D,
    pub sms: S,
    pub ledger: L,
}

/// Handles one event, now. `Err` only when a retry can help.
pub async fn handle<D: CodeDecryptor, S: SmsSender, L: Ledger>(
    deps: &Deps<D, S, L>,
    event: Value,
) -> Result<(), RetryableFailure> {
    sender::handle(deps, &event, cognito_reset::runtime::clock::now()).await
}

/// The number the event names, as given.
fn number(req: &Request) -> Option<&str> {
    req.envelope
        .request
        .user_attributes
        .get("phone_number")
        .map(String::as_str)
}

impl<D: CodeDecryptor, S: SmsSender, L: Ledger> Deliver for Deps<D, S, L> {
    const FAMILY: Family = Family::CustomSmsSender;
    const CHANNEL: Channel = Channel::Sms;
    type Ledger = L;

    fn masked_recipient(&self, req: &Request) -> Option<String> {
        number(req).map(|n| redact::Phone(n).to_string())
    }

    fn recipient(&self, req: &Request) -> Result<String, Failure> {
        let phone = phone::validate(number(req), &self.settings.sms.allowed_countries).map_err(Failure::rejected)?;
        Ok(phone.e164)
    }

    fn table(&self) -> Option<(&L, &TableConfig)> {
        self.settings.common.guard(&self.ledger)
    }

    async fn deliver(&self, req: &Request, to: String) -> Result<Delivered, Failure> {
        let s = &self.settings;
        let (code, rendered) = s.common.decrypt_and_render(&self.decryptor, req).await?;
        let text = match &code {
            // Autofill is for one-time codes, not for temporary passwords.
            Some(c) if req.kind != MessageKind::AdminCreateUser => sms::fit(
                &sms::with_autofill(
                    &rendered.sms,
                    c.expose(),
                    s.sms.otp_domain.as_deref(),
                    s.sms.app_hash.as_deref(),
                ),
                &[c.expose(), &req.envelope.user_name],
            ),
            _ => rendered.sms,
        };
        let segments = sms::segments(&text);
        cognito_reset::runtime::metrics::sms_parts(segments.parts);
        if segments.parts > 1 {
            warn!(trigger_source = %req.source, parts = segments.parts, encoding = ?segments.encoding, "SMS needs more than one part");
        }
        let dry_run = !s.common.sender.send_enabled;
        if dry_run && !self.sms.validates_dry_runs() {
            return Ok(Delivered::DryRun);
        }
        let sms = Sms {
            phone_number: to,
            text,
            trigger_source: req.source.clone(),
            user_pool_id: req.envelope.user_pool_id.clone(),
            time_to_live_seconds: time_to_live(req.kind, s.common.messages.default.temporary_password_days),
            dry_run,
        };
        let asked = std::time::Instant::now();
        let sent = self.sms.send_sms(&sms).await;
        cognito_reset::runtime::metrics::latency("delivery_latency", asked.elapsed());
        let message_id = sent?;
        Ok(if dry_run {
            Delivered::DryRun
        } else {
            Delivered::Sent { message_id }
        })
    }
}

/// How long an SMS is worth delivering, in seconds, per trigger source: never longer than
/// what it carries stays valid, and never longer than a user waiting for it would wait.
/// (End User Messaging drops a message it could not hand off in time; SNS has no such limit.)
pub fn time_to_live(kind: MessageKind, temporary_password_days: u32) -> u32 {
    const HOUR: u32 = 3_600;
    // The service's longest time to live: 72 hours.
    const LONGEST: u32 = 72 * HOUR;
    match kind {
        // Cognito's SMS MFA codes are valid for 3 minutes.
        MessageKind::Authentication => 180,
        // A temporary password lasts the pool's TemporaryPasswordValidityDays.
        MessageKind::AdminCreateUser => temporary_password_days.saturating_mul(24 * HOUR).min(LONGEST),
        // A notice, not a code: still worth reading later.
        MessageKind::AccountTakeOverNotification => LONGEST,
        // A reset code is valid for 1 hour. Sign-up and attribute verification codes live
        // longer (24 hours), but the user asked for them on a screen that waits now: a code
        // arriving after an hour is one nobody is waiting for.
        _ => HOUR,
    }
}

#[cfg(test)]
mod tests;

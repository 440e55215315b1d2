//! What both custom senders do around delivery, written once: read the event, map its
//! trigger source, decrypt the code, render the message, and report the outcome.
//!
//! Cognito invokes custom senders asynchronously: the user never sees a failure, and Lambda
//! retries a failed invocation (twice by default). So a sender fails (returns an error) only
//! when a retry can help ([`Failure::Retryable`]: KMS or the delivery service throttling,
//! unavailable or timing out); bad input ([`Failure::Rejected`]) is logged and the invocation
//! succeeds, because a retry would fail the same way. A delivery the service may have taken
//! without answering in time ([`Failure::Unknown`]) is recorded in the delivery table and not
//! retried. Every invocation logs exactly one `outcome` line (`sent`, `dry_run`, `duplicate`,
//! `throttled`, `skipped`, `rejected`, `unknown` or `failed`), which CloudWatch metric filters
//! can count: `{ $.fields.outcome = "failed" || $.fields.outcome = "rejected" || $.fields.outcome = "unknown" }`.
//!
//! # Layout
//! Here the flow (read, decide, decrypt, render) and the [`Deliver`] trait each sender
//! implements; `table` the delivery-table protocol around one delivery (claim, deliver,
//! record); `outcome` the typed [`Outcome`], the single source of the log line's and the
//! metric's names.

use std::future::Future;

use serde_json::Value;
use tracing::{debug, error, warn};

mod outcome;
mod table;

pub use outcome::{Delivered, Outcome, finish};
use table::deliver_once;

use crate::domain::code::{CodeDecryptor, DecryptError, Secret, check_user_pool, unescape_html};
use crate::domain::config::{self, InitError, MessageConfig, SenderConfig, TableConfig};
use crate::domain::events::sender::SenderRequest;
use crate::domain::events::{self, Envelope, Family, MessageKind};
use crate::domain::ledger::{Channel, Ledger, Purpose};
use crate::domain::messages::{Branding, Catalog, Code, MessageInput, Rendered};

/// What both senders configure the same way: the message catalog and branding, the KMS key
/// and the dry-run switch. Each sender adds its channel's settings.
#[derive(Debug)]
pub struct Common {
    pub catalog: Catalog,
    pub messages: MessageConfig,
    pub sender: SenderConfig,
    /// The delivery table (`DELIVERY_TABLE`), if any.
    pub table: Option<TableConfig>,
}

impl Common {
    pub fn from_source(src: &impl config::Source, channel: Channel) -> Result<Self, InitError> {
        Ok(Common {
            catalog: Catalog::embedded()?,
            messages: MessageConfig::from_source(src)?,
            sender: SenderConfig::from_source(src)?,
            table: TableConfig::from_source(src, channel)?,
        })
    }

    /// The table to guard deliveries with: none in a dry run, where nothing is delivered.
    pub fn guard<'a, L: Ledger>(&'a self, ledger: &'a L) -> Option<(&'a L, &'a TableConfig)> {
        self.table
            .as_ref()
            .filter(|_| self.sender.send_enabled)
            .map(|t| (ledger, t))
    }

    /// Decrypts the request's code (checking its pool) and renders the message with it, in the
    /// branding of the request's app client.
    pub async fn decrypt_and_render<D: CodeDecryptor>(
        &self,
        decryptor: &D,
        req: &Request,
    ) -> Result<(Option<Secret>, Rendered), Failure> {
        let code = decrypt_code(decryptor, req, self.sender.require_pool_context).await?;
        let branding = self.messages.branding(req.envelope.caller_context.client_id.as_deref());
        let rendered = render(&self.catalog, branding, req, code.as_ref())?;
        Ok((code, rendered))
    }
}

/// A custom sender event that was read and mapped.
#[derive(Debug)]
pub struct Request {
    pub family: Family,
    pub kind: MessageKind,
    pub envelope: Envelope<SenderRequest>,
    /// The trigger source, printable.
    pub source: String,
}

/// Why nothing was delivered. The texts are safe to log: no code, number or address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Bad input or configuration: a retry cannot help.
    Rejected(String),
    /// A dependency was throttling or unavailable: a retry can help.
    Retryable(String),
    /// The delivery service did not answer in time and may have taken the message: with the
    /// delivery table it is recorded as such and never sent again.
    Unknown(String),
}

impl Failure {
    pub fn rejected(e: impl std::fmt::Display) -> Self {
        Failure::Rejected(e.to_string())
    }
}

impl From<DecryptError> for Failure {
    fn from(e: DecryptError) -> Self {
        if e.is_retryable() {
            Failure::Retryable(e.to_string())
        } else {
            Failure::Rejected(e.to_string())
        }
    }
}

impl From<crate::domain::delivery::DeliveryError> for Failure {
    fn from(e: crate::domain::delivery::DeliveryError) -> Self {
        match e {
            crate::domain::delivery::DeliveryError::Unknown { .. } => Failure::Unknown(e.to_string()),
            _ if e.is_retryable() => Failure::Retryable(e.to_string()),
            _ => Failure::Rejected(e.to_string()),
        }
    }
}

/// Who can make Cognito send a message of this kind, which decides what may limit it (see
/// [`Purpose`]).
pub fn purpose(kind: MessageKind) -> Purpose {
    match kind {
        MessageKind::SignUp
        | MessageKind::ResendCode
        | MessageKind::ForgotPassword
        | MessageKind::UpdateUserAttribute
        | MessageKind::VerifyUserAttribute => Purpose::Requested,
        MessageKind::Authentication => Purpose::SignIn,
        MessageKind::AdminCreateUser | MessageKind::AccountTakeOverNotification => Purpose::Essential,
    }
}

/// The error a sender returns to Lambda, so that Lambda retries the invocation.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RetryableFailure(pub String);

/// Reads the event; `Ok(None)` for a trigger source of another family or an unknown one.
pub fn read(family: Family, event: &Value) -> Result<Option<Request>, Failure> {
    let envelope: Envelope<SenderRequest> = events::view(event).map_err(Failure::rejected)?;
    let source = events::printable(&envelope.trigger_source);
    // Attribute names only: their values are personal data.
    debug!(trigger_source = %source, request = ?envelope.request, "custom sender event read");
    Ok(
        MessageKind::from_trigger_source(family, &envelope.trigger_source).map(|kind| Request {
            family,
            kind,
            envelope,
            source,
        }),
    )
}

/// What to do with an event: deliver it, or report an outcome already known.
#[derive(Debug)]
pub enum Start {
    Deliver(Box<Request>),
    /// Unreadable (rejected) or not for this sender (skipped), with the printable source.
    Finished(String, Result<Delivered, Failure>),
}

/// Reads the event and decides whether there is anything to deliver.
pub fn start(family: Family, event: &Value) -> Start {
    match read(family, event) {
        Ok(Some(request)) => Start::Deliver(Box::new(request)),
        Ok(None) => Start::Finished(
            events::printable(event["triggerSource"].as_str().unwrap_or_default()),
            Ok(Delivered::Skipped),
        ),
        Err(failure) => Start::Finished("unreadable event".to_owned(), Err(failure)),
    }
}

/// Decrypts the code and checks it was encrypted for the event's user pool (a code without
/// a pool is refused when `require_pool_context`). Account-takeover notifications carry none
/// (`Ok(None)`); temporary passwords (AdminCreateUser) arrive HTML-escaped and are unescaped.
pub async fn decrypt_code<D: CodeDecryptor>(
    decryptor: &D,
    req: &Request,
    require_pool_context: bool,
) -> Result<Option<Secret>, Failure> {
    if req.kind == MessageKind::AccountTakeOverNotification {
        return Ok(None);
    }
    let code = req
        .envelope
        .request
        .code
        .as_deref()
        .ok_or_else(|| Failure::Rejected("the event has no code to deliver".into()))?;
    if req.envelope.user_pool_id.is_empty() {
        return Err(Failure::Rejected(
            "the event has no userPoolId to check the code against".into(),
        ));
    }
    let asked = std::time::Instant::now();
    let decrypted = decryptor.decrypt(code).await;
    crate::runtime::metrics::latency("kms_latency", asked.elapsed());
    let decrypted = decrypted?;
    check_user_pool(
        decrypted.user_pool_id.as_deref(),
        &req.envelope.user_pool_id,
        require_pool_context,
    )?;
    if decrypted.user_pool_id.is_none() {
        warn!(trigger_source = %req.source, "the code has no userpool-id context; accepted because REQUIRE_POOL_CONTEXT=false");
    }
    let secret = decrypted.secret;
    if secret.expose().is_empty() {
        return Err(Failure::Rejected("the decrypted code is empty".into()));
    }
    Ok(Some(if req.kind == MessageKind::AdminCreateUser {
        Secret::new(unescape_html(secret.expose()))
    } else {
        secret
    }))
}

/// Renders the message with the real code, in the user's language.
pub fn render(
    catalog: &Catalog,
    branding: &Branding,
    req: &Request,
    code: Option<&Secret>,
) -> Result<Rendered, Failure> {
    let r = &req.envelope.request;
    let locales = [r.client_metadata.get("locale"), r.user_attributes.get("locale")]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    catalog
        .render(&MessageInput {
            kind: req.kind,
            branding,
            locales,
            code: code.map_or(Code::None, |c| Code::Plain(c.expose())),
            username: &req.envelope.user_name,
            link_username: &req.envelope.user_name,
            user_attributes: &r.user_attributes,
            reserved: &[],
        })
        .map_err(Failure::rejected)
}

/// One custom sender's delivery: check the recipient, then decrypt, render and send.
/// [`handle`] wraps it with reading the event, the delivery table, and reporting the outcome.
pub trait Deliver: Sync {
    /// Which trigger sources this sender handles.
    const FAMILY: Family;
    const CHANNEL: Channel;
    type Ledger: Ledger;

    /// The recipient as the log line shows it (masked), when the event names one, valid or not.
    fn masked_recipient(&self, req: &Request) -> Option<String>;

    /// The recipient's validated address (E.164 number or email address). Refused recipients
    /// cost no KMS call.
    fn recipient(&self, req: &Request) -> Result<String, Failure>;

    /// Decrypts, renders and sends to the validated address.
    fn deliver(&self, req: &Request, to: String) -> impl Future<Output = Result<Delivered, Failure>> + Send;

    /// The delivery table and its settings, when messages are guarded by one.
    fn table(&self) -> Option<(&Self::Ledger, &TableConfig)>;
}

/// Handles one custom sender event at `now` (seconds since the Unix epoch). `Err` only when a
/// retry can help.
pub async fn handle<D: Deliver>(sender: &D, event: &Value, now: i64) -> Result<(), RetryableFailure> {
    let (source, recipient, result) = match start(D::FAMILY, event) {
        Start::Deliver(request) => {
            let recipient = sender.masked_recipient(&request);
            let result = deliver_once(sender, &request, event, now).await;
            (request.source, recipient, result)
        }
        Start::Finished(source, result) => (source, None, result),
    };
    finish(&source, recipient.as_deref().unwrap_or("none"), result)
}

/// Answers one invocation of a sender with what init produced. A configuration the sender
/// cannot use fails the invocation with its reason (`ConfigurationUnusable`), so Lambda
/// retries it and its failure destination keeps it: nothing is sent half-configured.
pub async fn respond<D: Deliver, E: std::fmt::Display>(
    started: &Result<D, E>,
    event: Value,
    now: i64,
) -> Result<Value, lambda_runtime::Diagnostic> {
    let sender = started.as_ref().map_err(|e| {
        let outcome = Outcome::Failed.as_str();
        error!(outcome, error = %e, "configuration unusable: nothing sent");
        crate::runtime::metrics::outcome(outcome, "other");
        lambda_runtime::Diagnostic {
            error_type: "ConfigurationUnusable".into(),
            error_message: e.to_string(),
        }
    })?;
    handle(sender, &event, now)
        .await
        .map(|()| Value::Null)
        .map_err(|e| lambda_runtime::Diagnostic {
            error_type: "DeliveryFailed".into(),
            error_message: e.to_string(),
        })
}

#[cfg(test)]
mod tests;

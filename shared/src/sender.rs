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

use std::future::Future;

use serde_json::Value;
use tracing::{debug, error, info, warn};

use crate::code::{CodeDecryptor, DecryptError, Secret, check_user_pool, unescape_html};
use crate::config::{self, InitError, MessageConfig, OnTableError, SenderConfig, TableConfig};
use crate::delivery::ledger::{self, Channel, ClaimInput, Claimed, Ledger, Limit, Purpose, Settled, TableError};
use crate::events::sender::SenderRequest;
use crate::events::{self, Envelope, Family, MessageKind};
use crate::messages::{Branding, Catalog, Code, MessageInput, Rendered};

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

impl From<crate::delivery::DeliveryError> for Failure {
    fn from(e: crate::delivery::DeliveryError) -> Self {
        match e {
            crate::delivery::DeliveryError::Unknown { .. } => Failure::Unknown(e.to_string()),
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

/// A token no other attempt has: the time, the process and a per-process random key,
/// hashed. Not a secret, only unique (the claim holds it; only its holder records the outcome).
fn attempt_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    static ATTEMPTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(nanos);
    h.write_u32(std::process::id());
    h.write_u64(ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    format!("{:016x}{:08x}", h.finish(), std::process::id())
}

/// How an invocation ended, when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    Sent {
        message_id: String,
    },
    DryRun,
    /// A trigger source this sender does not handle: nothing to deliver.
    Skipped,
    /// Delivered before (a retry or a duplicate of a delivered message): nothing sent.
    Duplicate,
    /// Over a limit of the delivery table: nothing sent, and a retry cannot help.
    Throttled(Limit),
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
    crate::metrics::latency("kms_latency", asked.elapsed());
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

    /// The recipient's validated address (E.164 number or email address); sets `masked` for
    /// the log line as soon as there is one. Refused recipients cost no KMS call.
    fn recipient(&self, req: &Request, masked: &mut String) -> Result<String, Failure>;

    /// Decrypts, renders and sends to the validated address.
    fn deliver(&self, req: &Request, to: String) -> impl Future<Output = Result<Delivered, Failure>> + Send;

    /// The delivery table and its settings, when messages are guarded by one.
    fn table(&self) -> Option<(&Self::Ledger, &TableConfig)>;
}

/// Handles one custom sender event. `Err` only when a retry can help.
pub async fn handle<D: Deliver>(sender: &D, event: &Value) -> Result<(), RetryableFailure> {
    let mut recipient = "none".to_owned();
    let (source, result) = match start(D::FAMILY, event) {
        Start::Deliver(request) => {
            let result = deliver_once(sender, &request, event, &mut recipient).await;
            (request.source, result)
        }
        Start::Finished(source, result) => (source, result),
    };
    finish(&source, &recipient, result)
}

/// A failure of a delivery no table remembers: an unknown outcome cannot be recorded, so it is
/// retried like any other (the retry may send the message a second time; SECURITY.md).
fn unremembered(failure: Failure) -> Failure {
    match failure {
        Failure::Unknown(why) => Failure::Retryable(why),
        other => other,
    }
}

/// Validate, then the table (one message per request, limits), then decrypt and send, then
/// record how it ended. Each step keeps to its budget ([`crate::budgets`]).
async fn deliver_once<D: Deliver>(
    sender: &D,
    req: &Request,
    event: &Value,
    masked: &mut String,
) -> Result<Delivered, Failure> {
    let to = sender.recipient(req, masked)?;
    let Some((ledger, table)) = sender.table() else {
        // Without the table nothing remembers a delivery: an unknown outcome is retried, and
        // the retry may send the message a second time (SECURITY.md).
        return sender.deliver(req, to).await.map_err(unremembered);
    };
    // The ciphertext is fresh for every message and the same in every retry of it; a notice
    // without a code is identified by the whole event (identical in Lambda's retries).
    let identity = match &req.envelope.request.code {
        Some(code) => code.as_bytes().to_vec(),
        None => serde_json::to_vec(event).unwrap_or_default(),
    };
    let token = attempt_token();
    let claim = ledger::claim(&ClaimInput {
        identity: &identity,
        token: &token,
        channel: D::CHANNEL,
        purpose: purpose(req.kind),
        recipient: &to,
        user_pool_id: &req.envelope.user_pool_id,
        hash_key: table.hash_key.expose(),
        limits: Some(table.limits),
        lifetimes: table.lifetimes,
        now: u64::try_from(crate::clock::now()).unwrap_or_default(),
    });
    match ledger.claim(&claim).await {
        Ok(Claimed::Go) => {}
        Ok(Claimed::Duplicate) => return Ok(Delivered::Duplicate),
        Ok(Claimed::Throttled(limit)) => return Ok(Delivered::Throttled(limit)),
        Ok(Claimed::InProgress) => {
            return Err(Failure::Retryable(
                "another attempt at this message is in progress; Lambda retries this one later".into(),
            ));
        }
        // Contention is the load the table guards against, not an outage: never unguarded.
        Err(e @ (TableError::Contended(_) | TableError::TakenOver)) => return Err(Failure::Retryable(e.to_string())),
        Err(e @ TableError::Unavailable(_)) => {
            return match table.on_error {
                OnTableError::Deliver => {
                    error!(error = %e, on_table_error = "deliver", "delivery table unavailable: delivering without its limits and duplicate check");
                    sender.deliver(req, to).await.map_err(unremembered)
                }
                OnTableError::Fail => Err(Failure::Retryable(format!("{e} (ON_TABLE_ERROR=fail)"))),
            };
        }
    }
    let result = sender.deliver(req, to).await;
    let how = match &result {
        Ok(Delivered::Sent { .. }) => Settled::Sent,
        Err(Failure::Unknown(_)) => Settled::Unknown,
        _ => Settled::NotSent,
    };
    if let Err(e) = ledger.settle(&claim, how).await {
        // The message's outcome stands. A retry finds the claim until its lease lapses; then,
        // for a message that was sent, it sends it again (SECURITY.md says when).
        error!(error = %e, settled = ?how, "delivery table: the outcome was not recorded");
    }
    result
}

/// Answers one invocation of a sender with what init produced. A configuration the sender
/// cannot use fails the invocation with its reason (`ConfigurationUnusable`), so Lambda
/// retries it and its failure destination keeps it: nothing is sent half-configured.
pub async fn respond<D: Deliver, E: std::fmt::Display>(
    started: &Result<D, E>,
    event: Value,
) -> Result<Value, lambda_runtime::Diagnostic> {
    let sender = started.as_ref().map_err(|e| {
        error!(outcome = "failed", error = %e, "configuration unusable: nothing sent");
        crate::metrics::outcome("failed", "other");
        lambda_runtime::Diagnostic {
            error_type: "ConfigurationUnusable".into(),
            error_message: e.to_string(),
        }
    })?;
    handle(sender, &event)
        .await
        .map(|()| Value::Null)
        .map_err(|e| lambda_runtime::Diagnostic {
            error_type: "DeliveryFailed".into(),
            error_message: e.to_string(),
        })
}

/// Logs the one outcome line of an invocation and turns it into the handler's result.
/// `recipient` must already be masked.
pub fn finish(source: &str, recipient: &str, result: Result<Delivered, Failure>) -> Result<(), RetryableFailure> {
    let outcome = match &result {
        Ok(Delivered::Sent { .. }) => "sent",
        Ok(Delivered::DryRun) => "dry_run",
        Ok(Delivered::Duplicate) => "duplicate",
        Ok(Delivered::Throttled(_)) => "throttled",
        Ok(Delivered::Skipped) => "skipped",
        Err(Failure::Rejected(_)) => "rejected",
        Err(Failure::Retryable(_)) => "failed",
        Err(Failure::Unknown(_)) => "unknown",
    };
    crate::metrics::outcome(outcome, source);
    match result {
        Ok(Delivered::Sent { message_id }) => {
            info!(outcome = "sent", trigger_source = %source, recipient = %recipient, message_id = %message_id, "message delivered");
            Ok(())
        }
        Ok(Delivered::DryRun) => {
            info!(outcome = "dry_run", trigger_source = %source, recipient = %recipient, "SEND_ENABLED=false: message not sent");
            Ok(())
        }
        Ok(Delivered::Duplicate) => {
            info!(outcome = "duplicate", trigger_source = %source, recipient = %recipient, "delivered before: nothing sent");
            Ok(())
        }
        Ok(Delivered::Throttled(limit)) => {
            warn!(outcome = "throttled", trigger_source = %source, recipient = %recipient, limit = limit.as_str(), "over the limit: nothing sent");
            Ok(())
        }
        Ok(Delivered::Skipped) => {
            warn!(outcome = "skipped", trigger_source = %source, "trigger source not handled by this sender: nothing sent");
            Ok(())
        }
        Err(Failure::Rejected(reason)) => {
            error!(outcome = "rejected", trigger_source = %source, recipient = %recipient, reason = %reason, "message not sent; a retry cannot help");
            Ok(())
        }
        Err(Failure::Unknown(reason)) => {
            error!(outcome = "unknown", trigger_source = %source, recipient = %recipient, reason = %reason, "the message may or may not have been delivered; recorded, and never sent again");
            Ok(())
        }
        Err(Failure::Retryable(reason)) => {
            error!(outcome = "failed", trigger_source = %source, recipient = %recipient, reason = %reason, "message not sent; failing so Lambda retries");
            Err(RetryableFailure(format!("message not sent: {reason}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::Decrypted;
    use serde_json::json;

    struct Fake(Result<&'static str, DecryptError>);

    impl CodeDecryptor for Fake {
        async fn decrypt(&self, code: &str) -> Result<Decrypted, DecryptError> {
            assert_eq!(code, "Y2lwaGVy");
            self.0.clone().map(|s| Decrypted {
                secret: Secret::new(s),
                user_pool_id: Some("us-east-1_P".into()),
            })
        }
    }

    fn event(source: &str, code: Value) -> Value {
        json!({"version": "1", "triggerSource": source, "userPoolId": "us-east-1_P", "userName": "jane",
               "request": {"type": "customSMSSenderRequestV1", "code": code, "userAttributes": {}}})
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn read_maps_sources_of_its_family_only() {
        let r = read(
            Family::CustomSmsSender,
            &event("CustomSMSSender_ForgotPassword", json!("x")),
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.kind, MessageKind::ForgotPassword);
        assert!(
            read(
                Family::CustomSmsSender,
                &event("CustomEmailSender_ForgotPassword", json!("x"))
            )
            .unwrap()
            .is_none()
        );
        assert!(matches!(
            read(Family::CustomSmsSender, &json!(42)),
            Err(Failure::Rejected(_))
        ));
    }

    #[test]
    fn temporary_passwords_are_unescaped_and_codes_are_not() {
        let fake = Fake(Ok("a&amp;b&lt;"));
        let r = read(
            Family::CustomSmsSender,
            &event("CustomSMSSender_AdminCreateUser", json!("Y2lwaGVy")),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            block_on(decrypt_code(&fake, &r, true)).unwrap().unwrap().expose(),
            "a&b<"
        );
        let r = read(
            Family::CustomSmsSender,
            &event("CustomSMSSender_ForgotPassword", json!("Y2lwaGVy")),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            block_on(decrypt_code(&fake, &r, true)).unwrap().unwrap().expose(),
            "a&amp;b&lt;"
        );
    }

    #[test]
    fn takeover_notifications_need_no_code_and_others_do() {
        let fake = Fake(Ok("1"));
        let r = read(
            Family::CustomSmsSender,
            &event("CustomSMSSender_AccountTakeOverNotification", Value::Null),
        )
        .unwrap()
        .unwrap();
        assert_eq!(block_on(decrypt_code(&fake, &r, true)), Ok(None));
        let r = read(Family::CustomSmsSender, &event("CustomSMSSender_SignUp", Value::Null))
            .unwrap()
            .unwrap();
        assert!(matches!(
            block_on(decrypt_code(&fake, &r, true)),
            Err(Failure::Rejected(_))
        ));
    }

    #[test]
    fn decrypt_failures_keep_their_retryability() {
        let r = read(
            Family::CustomSmsSender,
            &event("CustomSMSSender_SignUp", json!("Y2lwaGVy")),
        )
        .unwrap()
        .unwrap();
        let f = block_on(decrypt_code(
            &Fake(Err(DecryptError::Unavailable("throttled"))),
            &r,
            true,
        ))
        .unwrap_err();
        assert!(matches!(f, Failure::Retryable(_)));
        let f = block_on(decrypt_code(&Fake(Err(DecryptError::NotBase64)), &r, true)).unwrap_err();
        assert!(matches!(f, Failure::Rejected(_)));
    }

    #[test]
    fn only_retryable_failures_fail_the_invocation() {
        assert!(finish("s", "r", Ok(Delivered::DryRun)).is_ok());
        assert!(finish("s", "r", Err(Failure::Rejected("bad".into()))).is_ok());
        let e = finish("s", "r", Err(Failure::Retryable("KMS throttled".into()))).unwrap_err();
        assert_eq!(e.to_string(), "message not sent: KMS throttled");
    }
}

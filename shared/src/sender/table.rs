//! The delivery-table protocol around one delivery: claim the message (one per request,
//! within the limits), deliver, record how it ended; and what to do when the table cannot help.

use serde_json::Value;
use tracing::error;

use super::{Deliver, Delivered, Failure, Request, purpose};
use crate::domain::config::OnTableError;
use crate::domain::ledger::{self, ClaimInput, Claimed, Ledger, Settled, TableError};

/// A token no other attempt has: the time, the process and a per-process random key,
/// hashed. Not a secret, only unique (the claim holds it; only its holder records the outcome).
fn attempt_token(now: i64) -> String {
    use std::hash::{BuildHasher, Hasher};
    static ATTEMPTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(now);
    h.write_u32(std::process::id());
    h.write_u64(ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    format!("{:016x}{:08x}", h.finish(), std::process::id())
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
/// record how it ended. Each step keeps to its budget ([`crate::domain::budgets`]).
/// `now` is the time in seconds since the Unix epoch (the claim's windows and expiry count
/// from it).
pub(super) async fn deliver_once<D: Deliver>(
    sender: &D,
    req: &Request,
    event: &Value,
    now: i64,
) -> Result<Delivered, Failure> {
    let to = sender.recipient(req)?;
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
    let token = attempt_token(now);
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
        now: u64::try_from(now).unwrap_or_default(),
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

//! The delivery table on DynamoDB: the [`Ledger`] rules as conditional writes.
//!
//! Table: partition key `pk` (string), TTL attribute `expires_at` (Unix seconds). Items:
//! - `m#<sha256>`: one message, `state` (`in_progress`, `sent`, `failed`) and `lease_until`;
//! - `r#<channel>#<hmac>#<window>`: `count` of messages to one recipient in one window;
//! - `p#<pool>#<channel>#<day>`: `count` of messages of one pool in one UTC day.
//!
//! A claim is one `TransactWriteItems`: each item carries its own condition, all or none are
//! written, so a duplicate is never counted and a throttled message never claimed. DynamoDB
//! deletes expired items late (and moto never does), so every condition compares the expiry
//! itself. Concurrent transactions on one item may be cancelled with `TransactionConflict`;
//! those are tried again (a few times, with jitter) before the table counts as unavailable.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

use super::ledger::{Claim, Claimed, Ledger, Limit, Settled, TableError};

/// Built once at init.
#[derive(Debug, Clone)]
pub struct DynamoLedger {
    client: Client,
    table: String,
}

impl DynamoLedger {
    pub fn new(client: Client, table: String) -> Self {
        DynamoLedger { client, table }
    }
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn key(pk: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([("pk".to_owned(), s(pk))])
}

/// How many times a claim cancelled by concurrent transactions is tried in all.
const CONFLICT_ATTEMPTS: u32 = 8;

fn names(pairs: &[(&str, &str)]) -> Option<HashMap<String, String>> {
    Some(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
}

fn values(pairs: Vec<(&str, AttributeValue)>) -> Option<HashMap<String, AttributeValue>> {
    Some(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn build(update: aws_sdk_dynamodb::types::builders::UpdateBuilder) -> Result<TransactWriteItem, TableError> {
    let update = update
        .build()
        .map_err(|e| TableError(format!("request not built: {e}")))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

impl DynamoLedger {
    /// The message item: claimed when new, released (`failed`), expired, or a lapsed lease.
    fn claim_message(&self, c: &Claim) -> Result<TransactWriteItem, TableError> {
        build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(&c.message)))
                .update_expression("SET #state = :in_progress, lease_until = :lease, expires_at = :keep")
                .condition_expression(
                    "attribute_not_exists(pk) OR expires_at < :now OR #state = :failed \
                     OR (#state = :in_progress AND lease_until < :now)",
                )
                .set_expression_attribute_names(names(&[("#state", "state")]))
                .set_expression_attribute_values(values(vec![
                    (":in_progress", s("in_progress")),
                    (":failed", s("failed")),
                    (":lease", n(c.lease_until())),
                    (":keep", n(c.keep_until())),
                    (":now", n(c.now)),
                ]))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld),
        )
    }

    /// A counter item, counted up under its ceiling.
    fn count(&self, pk: &str, max: u32, expires: u64) -> Result<TransactWriteItem, TableError> {
        build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk)))
                .update_expression("ADD #count :one SET expires_at = :expires")
                .condition_expression("attribute_not_exists(pk) OR #count < :max")
                .set_expression_attribute_names(names(&[("#count", "count")]))
                .set_expression_attribute_values(values(vec![
                    (":one", n(1)),
                    (":max", n(max)),
                    (":expires", n(expires)),
                ])),
        )
    }

    /// A counter item, counted back down (a claimed message that was not delivered).
    fn uncount(&self, pk: &str) -> Result<TransactWriteItem, TableError> {
        build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk)))
                .update_expression("ADD #count :minus_one")
                .condition_expression("attribute_exists(pk) AND #count > :zero")
                .set_expression_attribute_names(names(&[("#count", "count")]))
                .set_expression_attribute_values(values(vec![(":minus_one", n(-1)), (":zero", n(0))])),
        )
    }

    fn set_state(&self, c: &Claim, state: &str) -> Result<TransactWriteItem, TableError> {
        build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(&c.message)))
                .update_expression(SET_STATE)
                .set_expression_attribute_names(names(&[("#state", "state")]))
                .set_expression_attribute_values(values(vec![(":state", s(state)), (":keep", n(c.keep_until()))])),
        )
    }

    /// What the claim consists of, and which limit each counter item is.
    fn claim_items(&self, c: &Claim) -> Result<(Vec<TransactWriteItem>, Vec<Option<Limit>>), TableError> {
        let mut items = vec![self.claim_message(c)?];
        let mut limits = vec![None];
        if let (Some(pk), Some(l)) = (&c.recipient_window, c.limits) {
            items.push(self.count(pk, l.per_recipient, c.window_expiry())?);
            limits.push(Some(Limit::Recipient));
        }
        if let (Some(pk), Some(max)) = (&c.pool_day, c.limits.and_then(|l| l.per_pool_per_day)) {
            items.push(self.count(pk, max, c.day_expiry())?);
            limits.push(Some(Limit::PoolDay));
        }
        Ok((items, limits))
    }

    /// The message's state when a cancellation did not return it (older stand-ins).
    async fn read_state(&self, c: &Claim) -> Result<Claimed, TableError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(&c.message)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem", &e))?;
        Ok(state_of(out.item.as_ref(), c.now))
    }
}

/// What an existing message item means for a new attempt.
fn state_of(item: Option<&HashMap<String, AttributeValue>>, now: u64) -> Claimed {
    let number = |name: &str| {
        item.and_then(|i| i.get(name))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let state = item.and_then(|i| i.get("state")).and_then(|v| v.as_s().ok());
    match state.map(String::as_str) {
        _ if number("expires_at") < now => Claimed::Go,
        Some("sent") => Claimed::Duplicate,
        Some("in_progress") if number("lease_until") >= now => Claimed::InProgress,
        _ => Claimed::Go,
    }
}

fn unavailable<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(operation: &str, e: &SdkError<E, R>) -> TableError {
    let code = match e {
        SdkError::ServiceError(se) => se.err().code().unwrap_or("unknown").to_owned(),
        SdkError::TimeoutError(_) => "timeout".into(),
        SdkError::DispatchFailure(_) => "unreachable".into(),
        _ => "no answer".into(),
    };
    TableError(format!("DynamoDB {operation}: {code}"))
}

/// Reads a cancelled claim: which condition failed decides the answer.
enum Cancelled {
    Conflict,
    Answer(Claimed),
    /// The message's condition failed but its item did not come back.
    MessageExists,
    Other(String),
}

fn cancelled(reasons: &[CancellationReason], limits: &[Option<Limit>], now: u64) -> Cancelled {
    let code = |r: &CancellationReason| r.code().unwrap_or("None").to_owned();
    if reasons.iter().any(|r| code(r) == "TransactionConflict") {
        return Cancelled::Conflict;
    }
    for (i, r) in reasons.iter().enumerate() {
        if code(r) != "ConditionalCheckFailed" {
            continue;
        }
        return match limits.get(i).copied().flatten() {
            Some(limit) => Cancelled::Answer(Claimed::Throttled(limit)),
            None => match r.item() {
                Some(item) => Cancelled::Answer(state_of(Some(item), now)),
                None => Cancelled::MessageExists,
            },
        };
    }
    Cancelled::Other(
        reasons
            .iter()
            .map(code)
            .filter(|c| c != "None")
            .collect::<Vec<_>>()
            .join(", "),
    )
}

impl Ledger for DynamoLedger {
    async fn claim(&self, c: &Claim) -> Result<Claimed, TableError> {
        let (items, limits) = self.claim_items(c)?;
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let Err(e) = result else {
                return Ok(Claimed::Go);
            };
            let reasons = match &e {
                SdkError::ServiceError(se) => match se.err() {
                    TransactWriteItemsError::TransactionCanceledException(t) => t.cancellation_reasons().to_vec(),
                    _ => return Err(unavailable("TransactWriteItems", &e)),
                },
                _ => return Err(unavailable("TransactWriteItems", &e)),
            };
            match cancelled(&reasons, &limits, c.now) {
                // The message item comes first: a duplicate over a limit is a duplicate.
                Cancelled::Answer(answer) => return Ok(answer),
                Cancelled::MessageExists => return self.read_state(c).await,
                Cancelled::Conflict if attempt < CONFLICT_ATTEMPTS => {
                    tokio::time::sleep(jitter(attempt)).await;
                }
                Cancelled::Conflict => {
                    return Err(TableError("DynamoDB TransactWriteItems: TransactionConflict".into()));
                }
                Cancelled::Other(codes) => return Err(TableError(format!("DynamoDB TransactWriteItems: {codes}"))),
            }
        }
        Err(TableError("DynamoDB TransactWriteItems: TransactionConflict".into()))
    }

    async fn settle(&self, c: &Claim, how: Settled) -> Result<(), TableError> {
        let state = match how {
            Settled::Sent => "sent",
            Settled::NotSent => "failed",
        };
        let counters: Vec<&String> = [&c.recipient_window, &c.pool_day].into_iter().flatten().collect();
        if how == Settled::Sent || counters.is_empty() {
            return self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(&c.message)))
                .update_expression(SET_STATE)
                .set_expression_attribute_names(names(&[("#state", "state")]))
                .set_expression_attribute_values(values(vec![(":state", s(state)), (":keep", n(c.keep_until()))]))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| unavailable("UpdateItem", &e));
        }
        let mut items = vec![self.set_state(c, state)?];
        for pk in counters {
            items.push(self.uncount(pk)?);
        }
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let Err(e) = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await
            else {
                return Ok(());
            };
            let conflict = matches!(&e, SdkError::ServiceError(se) if matches!(se.err(),
                TransactWriteItemsError::TransactionCanceledException(t)
                    if t.cancellation_reasons().iter().any(|r| r.code() == Some("TransactionConflict"))));
            if !conflict || attempt == CONFLICT_ATTEMPTS {
                return Err(unavailable("TransactWriteItems", &e));
            }
            tokio::time::sleep(jitter(attempt)).await;
        }
        Ok(())
    }
}

const SET_STATE: &str = "SET #state = :state, expires_at = :keep";

/// 5 to 15 ms times the attempt: concurrent claims spread out instead of colliding again.
fn jitter(attempt: u32) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    Duration::from_millis(u64::from(attempt) * (5 + u64::from(nanos % 10)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(state: &str, lease: u64, expires: u64) -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("state".to_owned(), s(state)),
            ("lease_until".to_owned(), n(lease)),
            ("expires_at".to_owned(), n(expires)),
        ])
    }

    #[test]
    fn an_existing_message_is_a_duplicate_in_progress_or_free_again() {
        assert_eq!(state_of(Some(&item("sent", 0, 500)), 100), Claimed::Duplicate);
        assert_eq!(state_of(Some(&item("in_progress", 130, 500)), 100), Claimed::InProgress);
        // A lapsed lease: the attempt that held it timed out.
        assert_eq!(state_of(Some(&item("in_progress", 90, 500)), 100), Claimed::Go);
        assert_eq!(state_of(Some(&item("failed", 0, 500)), 100), Claimed::Go);
        // Expired but not yet deleted (TTL deletion is late): as if absent.
        assert_eq!(state_of(Some(&item("sent", 0, 99)), 100), Claimed::Go);
        assert_eq!(state_of(None, 100), Claimed::Go);
    }

    #[test]
    fn a_cancellation_names_the_limit_or_the_message() {
        let reason = |code: &str| CancellationReason::builder().code(code).build();
        let limits = [None, Some(Limit::Recipient), Some(Limit::PoolDay)];
        assert!(matches!(
            cancelled(
                &[reason("None"), reason("ConditionalCheckFailed"), reason("None")],
                &limits,
                0
            ),
            Cancelled::Answer(Claimed::Throttled(Limit::Recipient))
        ));
        assert!(matches!(
            cancelled(
                &[reason("None"), reason("None"), reason("ConditionalCheckFailed")],
                &limits,
                0
            ),
            Cancelled::Answer(Claimed::Throttled(Limit::PoolDay))
        ));
        assert!(matches!(
            cancelled(
                &[reason("ConditionalCheckFailed"), reason("None"), reason("None")],
                &limits,
                0
            ),
            Cancelled::MessageExists
        ));
        // Delivered before and over the limit now: a duplicate, not a throttled message.
        assert!(matches!(
            cancelled(
                &[
                    reason("ConditionalCheckFailed"),
                    reason("ConditionalCheckFailed"),
                    reason("None")
                ],
                &limits,
                0
            ),
            Cancelled::MessageExists
        ));
        assert!(matches!(
            cancelled(
                &[reason("None"), reason("TransactionConflict"), reason("None")],
                &limits,
                0
            ),
            Cancelled::Conflict
        ));
        assert!(matches!(
            cancelled(&[reason("ThrottlingError")], &limits, 0),
            Cancelled::Other(c) if c == "ThrottlingError"
        ));
    }
}

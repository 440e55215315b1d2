//! The delivery table on DynamoDB: the [`Ledger`] rules as conditional writes.
//!
//! Table: partition key `pk` (string), TTL attribute `expires_at` (Unix seconds). Items:
//! - `m#<sha256>`: one message, `state` (`in_progress`, `sent`, `unknown`, `failed`),
//!   `lease_until` and `claim_token` (the attempt that holds it);
//! - `r#<channel>#<hmac>#<window>` and `s#<channel>#<hmac>#<window>`: `count` of requested
//!   messages, and of sign-in codes, to one recipient in one window;
//! - `p#<pool>#sms#<day>`: `count` of a pool's requested SMS in one UTC day.
//!
//! A claim is one `TransactWriteItems` of the message and its recipient's counter: each item
//! carries its own condition, all or none are written, so a duplicate is never counted and a
//! throttled message never claimed. The pool's counter, which every recipient shares, is not
//! in the transaction: concurrent transactions on one item cancel each other
//! (`TransactionConflict`), while single-item conditional updates on it simply queue. It is
//! counted right after the claim with one conditional `UpdateItem`; over the ceiling, the
//! claim is released again. A conflict on a recipient's items is tried again, with jitter, a
//! few times, and then reported as [`TableError::Contended`]: not an outage.
//!
//! The outcome is written only by the attempt that holds the claim (a condition on its
//! token): an attempt whose lease lapsed never overwrites the attempt that took over.
//! DynamoDB deletes expired items late (and moto never does), so every condition compares
//! the expiry itself.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

use crate::domain::ledger::{self, Claim, Claimed, Counter, Ledger, Limit, Settled, TableError};

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

    /// The table `DELIVERY_TABLE` names, when one does. With the SDK's retries: a claim
    /// carries an idempotency token, so a resent claim is not counted twice.
    pub fn from_config(
        sdk: &crate::adapters::aws::SdkConfig,
        table: Option<&crate::domain::config::TableConfig>,
    ) -> Option<Self> {
        table.map(|t| DynamoLedger::new(Client::new(sdk), t.table.clone()))
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
        .map_err(|e| TableError::Unavailable(format!("request not built: {e}")))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The condition under which an attempt may write its message's outcome: it still holds it.
const HOLDS_THE_CLAIM: &str = "claim_token = :token AND #state = :in_progress";
const SET_STATE: &str = "SET #state = :state, expires_at = :keep";

impl DynamoLedger {
    /// The message item: claimed when new, released (`failed`), expired, or a lapsed lease.
    fn claim_message(&self, c: &Claim) -> Result<TransactWriteItem, TableError> {
        build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(&c.message)))
                .update_expression(
                    "SET #state = :in_progress, lease_until = :lease, expires_at = :keep, claim_token = :token",
                )
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
                    (":token", s(&c.token)),
                ]))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld),
        )
    }

    /// A counter item, counted up under its ceiling.
    fn count(&self, counter: &Counter) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(&counter.key)))
            .update_expression("ADD #count :one SET expires_at = :expires")
            .condition_expression("attribute_not_exists(pk) OR #count < :max")
            .set_expression_attribute_names(names(&[("#count", "count")]))
            .set_expression_attribute_values(values(vec![
                (":one", n(1)),
                (":max", n(counter.max)),
                (":expires", n(counter.expires_at)),
            ]))
    }

    /// A counter item, counted back down (a claimed message that was not delivered).
    fn uncount(&self, counter: &Counter) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(&counter.key)))
            .update_expression("ADD #count :minus_one")
            .condition_expression("attribute_exists(pk) AND #count > :zero")
            .set_expression_attribute_names(names(&[("#count", "count")]))
            .set_expression_attribute_values(values(vec![(":minus_one", n(-1)), (":zero", n(0))]))
    }

    /// The message's outcome, written only while this attempt holds the claim.
    fn set_state(&self, c: &Claim, how: Settled) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(&c.message)))
            .update_expression(SET_STATE)
            .condition_expression(HOLDS_THE_CLAIM)
            .set_expression_attribute_names(names(&[("#state", "state")]))
            .set_expression_attribute_values(values(vec![
                (":state", s(how.state())),
                (":keep", n(c.keep_until())),
                (":token", s(&c.token)),
                (":in_progress", s("in_progress")),
            ]))
    }

    /// Sends one conditional update on its own (no transaction): `Ok(false)` when its
    /// condition failed.
    async fn update(&self, update: aws_sdk_dynamodb::types::builders::UpdateBuilder) -> Result<bool, TableError> {
        let u = update
            .build()
            .map_err(|e| TableError::Unavailable(format!("request not built: {e}")))?;
        let result = self
            .client
            .update_item()
            .table_name(u.table_name())
            .set_key(Some(u.key().clone()))
            .update_expression(u.update_expression())
            .set_condition_expression(u.condition_expression().map(str::to_owned))
            .set_expression_attribute_names(u.expression_attribute_names().cloned())
            .set_expression_attribute_values(u.expression_attribute_values().cloned())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(se))
                if matches!(se.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
            {
                Ok(false)
            }
            Err(e) => Err(unavailable("UpdateItem", &e)),
        }
    }

    /// Sends a transaction, trying again while concurrent transactions cancel it; the
    /// cancellation reasons when a condition failed.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<Option<Vec<CancellationReason>>, TableError> {
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let Err(e) = result else {
                return Ok(None);
            };
            let reasons = match &e {
                SdkError::ServiceError(se) => match se.err() {
                    TransactWriteItemsError::TransactionCanceledException(t) => t.cancellation_reasons().to_vec(),
                    _ => return Err(unavailable("TransactWriteItems", &e)),
                },
                _ => return Err(unavailable("TransactWriteItems", &e)),
            };
            if !reasons.iter().any(|r| r.code() == Some("TransactionConflict")) {
                return Ok(Some(reasons));
            }
            if attempt < CONFLICT_ATTEMPTS {
                tokio::time::sleep(jitter(attempt)).await;
            }
        }
        Err(TableError::Contended(
            "DynamoDB TransactWriteItems: TransactionConflict".into(),
        ))
    }

    /// The message's state when a cancellation did not return it (older stand-ins).
    async fn read_state(&self, c: &Claim) -> Result<Option<Claimed>, TableError> {
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

    /// Releases a claim: the message marked failed (while this attempt holds it) and its
    /// recipient's counter taken back down in one transaction, then, when `pool`, the pool's.
    async fn release(&self, c: &Claim, pool: bool) -> Result<(), TableError> {
        let mut items = vec![build(self.set_state(c, Settled::NotSent))?];
        if let Some(r) = &c.recipient {
            items.push(build(self.uncount(r))?);
        }
        if let Some(reasons) = self.transact(items).await? {
            return Err(match reasons.first().and_then(CancellationReason::code) {
                Some("ConditionalCheckFailed") => TableError::TakenOver,
                _ => TableError::Unavailable(format!("DynamoDB TransactWriteItems: {}", codes(&reasons))),
            });
        }
        if let Some(p) = c.pool.as_ref().filter(|_| pool) {
            self.update(self.uncount(p)).await?;
        }
        Ok(())
    }

    /// Counts the pool's daily SMS after a successful claim; over the ceiling, the claim is
    /// released and the message throttled.
    async fn count_pool(&self, c: &Claim) -> Result<Claimed, TableError> {
        let Some(pool) = &c.pool else {
            return Ok(Claimed::Go);
        };
        match self.update(self.count(pool)).await {
            Ok(true) => Ok(Claimed::Go),
            Ok(false) => {
                self.release(c, false).await?;
                Ok(Claimed::Throttled(Limit::PoolDay))
            }
            Err(e) => {
                // Not counted: give the claim back so a retry starts clean.
                let _ = self.release(c, false).await;
                Err(e)
            }
        }
    }
}

fn codes(reasons: &[CancellationReason]) -> String {
    reasons
        .iter()
        .filter_map(CancellationReason::code)
        .filter(|c| *c != "None")
        .collect::<Vec<_>>()
        .join(", ")
}

/// What an existing message item means for a new attempt (`None`: claimable).
fn state_of(item: Option<&HashMap<String, AttributeValue>>, now: u64) -> Option<Claimed> {
    let number = |name: &str| {
        item.and_then(|i| i.get(name))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let state = item.and_then(|i| i.get("state")).and_then(|v| v.as_s().ok());
    ledger::existing(
        state.map(String::as_str),
        number("lease_until"),
        number("expires_at"),
        now,
    )
}

fn unavailable<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(operation: &str, e: &SdkError<E, R>) -> TableError {
    let code = match e {
        SdkError::ServiceError(se) => se.err().code().unwrap_or("unknown").to_owned(),
        SdkError::TimeoutError(_) => "timeout".into(),
        SdkError::DispatchFailure(_) => "unreachable".into(),
        _ => "no answer".into(),
    };
    TableError::Unavailable(format!("DynamoDB {operation}: {code}"))
}

/// Reads a claim the table cancelled (conflicts were tried again already).
#[derive(Debug)]
enum Cancelled {
    Answer(Claimed),
    /// The message's condition failed but what it found is claimable now (it changed
    /// in between): claim again, never go ahead without a claim of our own.
    Again,
    /// The message's condition failed and its item did not come back.
    MessageExists,
    Other(String),
}

fn cancelled(reasons: &[CancellationReason], c: &Claim) -> Cancelled {
    let failed = |r: &CancellationReason| r.code() == Some("ConditionalCheckFailed");
    // The message item comes first: a duplicate over a limit is a duplicate.
    if let Some(r) = reasons.first().filter(|r| failed(r)) {
        return match r.item() {
            Some(item) => state_of(Some(item), c.now).map_or(Cancelled::Again, Cancelled::Answer),
            None => Cancelled::MessageExists,
        };
    }
    match (reasons.get(1).is_some_and(failed), &c.recipient) {
        (true, Some(counter)) => Cancelled::Answer(Claimed::Throttled(counter.limit)),
        _ => Cancelled::Other(codes(reasons)),
    }
}

/// Runs a step within its budget ([`crate::domain::budgets`]).
async fn within<T>(
    budget: Duration,
    step: impl std::future::Future<Output = Result<T, TableError>>,
) -> Result<T, TableError> {
    tokio::time::timeout(budget, step).await.unwrap_or_else(|_| {
        Err(TableError::Unavailable(format!(
            "DynamoDB: no answer within {} ms",
            budget.as_millis()
        )))
    })
}

impl Ledger for DynamoLedger {
    async fn claim(&self, c: &Claim) -> Result<Claimed, TableError> {
        within(crate::domain::budgets::CLAIM, self.try_claim(c)).await
    }

    async fn settle(&self, c: &Claim, how: Settled) -> Result<(), TableError> {
        within(crate::domain::budgets::SETTLE, async {
            match how {
                Settled::Sent | Settled::Unknown => match self.update(self.set_state(c, how)).await? {
                    true => Ok(()),
                    false => Err(TableError::TakenOver),
                },
                Settled::NotSent => self.release(c, true).await,
            }
        })
        .await
    }
}

impl DynamoLedger {
    async fn try_claim(&self, c: &Claim) -> Result<Claimed, TableError> {
        for _ in 0..CONFLICT_ATTEMPTS {
            let mut items = vec![self.claim_message(c)?];
            if let Some(r) = &c.recipient {
                items.push(build(self.count(r))?);
            }
            let Some(reasons) = self.transact(items).await? else {
                return self.count_pool(c).await;
            };
            match cancelled(&reasons, c) {
                Cancelled::Answer(answer) => return Ok(answer),
                Cancelled::MessageExists => {
                    if let Some(answer) = self.read_state(c).await? {
                        return Ok(answer);
                    }
                }
                Cancelled::Again => {}
                Cancelled::Other(codes) => {
                    return Err(TableError::Unavailable(format!("DynamoDB TransactWriteItems: {codes}")));
                }
            }
        }
        Err(TableError::Contended(
            "the message's item kept changing under concurrent attempts".into(),
        ))
    }
}

/// 5 to 15 ms times the attempt: concurrent claims spread out instead of colliding again.
fn jitter(attempt: u32) -> Duration {
    let spread = u64::try_from(crate::runtime::clock::now_nanos() % 10).unwrap_or_default();
    Duration::from_millis(u64::from(attempt) * (5 + spread))
}

#[cfg(test)]
mod tests;

//! How a sender's invocation ended: the typed [`Outcome`], the one source of the `outcome`
//! log field and metric names, and [`finish`], which logs it once and answers Lambda.

use tracing::{error, info, warn};

use super::{Failure, RetryableFailure};
use crate::domain::ledger::Limit;

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

/// What an invocation's log line and metric call its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    DryRun,
    Duplicate,
    Throttled,
    Skipped,
    Rejected,
    /// The delivery service may have taken the message: recorded, never sent again.
    Unknown,
    /// Failed so that Lambda retries.
    Failed,
}

impl Outcome {
    /// Every outcome, in the order the book lists them (`docs/src/senders.md`).
    pub const ALL: [Outcome; 8] = [
        Outcome::Sent,
        Outcome::DryRun,
        Outcome::Duplicate,
        Outcome::Throttled,
        Outcome::Skipped,
        Outcome::Rejected,
        Outcome::Unknown,
        Outcome::Failed,
    ];

    /// The `outcome` field of the log line and the metric's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::DryRun => "dry_run",
            Outcome::Duplicate => "duplicate",
            Outcome::Throttled => "throttled",
            Outcome::Skipped => "skipped",
            Outcome::Rejected => "rejected",
            Outcome::Unknown => "unknown",
            Outcome::Failed => "failed",
        }
    }

    /// The outcome of an invocation that ended with `result`.
    pub fn of(result: &Result<Delivered, Failure>) -> Outcome {
        match result {
            Ok(Delivered::Sent { .. }) => Outcome::Sent,
            Ok(Delivered::DryRun) => Outcome::DryRun,
            Ok(Delivered::Duplicate) => Outcome::Duplicate,
            Ok(Delivered::Throttled(_)) => Outcome::Throttled,
            Ok(Delivered::Skipped) => Outcome::Skipped,
            Err(Failure::Rejected(_)) => Outcome::Rejected,
            Err(Failure::Retryable(_)) => Outcome::Failed,
            Err(Failure::Unknown(_)) => Outcome::Unknown,
        }
    }
}

/// Logs the one outcome line of an invocation and turns it into the handler's result.
/// `recipient` must already be masked.
pub fn finish(source: &str, recipient: &str, result: Result<Delivered, Failure>) -> Result<(), RetryableFailure> {
    let outcome = Outcome::of(&result).as_str();
    crate::runtime::metrics::outcome(outcome, source);
    match result {
        Ok(Delivered::Sent { message_id }) => {
            info!(outcome, trigger_source = %source, recipient = %recipient, message_id = %message_id, "message delivered");
            Ok(())
        }
        Ok(Delivered::DryRun) => {
            info!(outcome, trigger_source = %source, recipient = %recipient, "SEND_ENABLED=false: message not sent");
            Ok(())
        }
        Ok(Delivered::Duplicate) => {
            info!(outcome, trigger_source = %source, recipient = %recipient, "delivered before: nothing sent");
            Ok(())
        }
        Ok(Delivered::Throttled(limit)) => {
            warn!(outcome, trigger_source = %source, recipient = %recipient, limit = limit.as_str(), "over the limit: nothing sent");
            Ok(())
        }
        Ok(Delivered::Skipped) => {
            warn!(outcome, trigger_source = %source, "trigger source not handled by this sender: nothing sent");
            Ok(())
        }
        Err(Failure::Rejected(reason)) => {
            error!(outcome, trigger_source = %source, recipient = %recipient, reason = %reason, "message not sent; a retry cannot help");
            Ok(())
        }
        Err(Failure::Unknown(reason)) => {
            error!(outcome, trigger_source = %source, recipient = %recipient, reason = %reason, "the message may or may not have been delivered; recorded, and never sent again");
            Ok(())
        }
        Err(Failure::Retryable(reason)) => {
            error!(outcome, trigger_source = %source, recipient = %recipient, reason = %reason, "message not sent; failing so Lambda retries");
            Err(RetryableFailure(format!("message not sent: {reason}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_is_listed_once() {
        // A new variant fails to compile here until it is listed.
        let index = |o: Outcome| match o {
            Outcome::Sent => 0,
            Outcome::DryRun => 1,
            Outcome::Duplicate => 2,
            Outcome::Throttled => 3,
            Outcome::Skipped => 4,
            Outcome::Rejected => 5,
            Outcome::Unknown => 6,
            Outcome::Failed => 7,
        };
        for (i, o) in Outcome::ALL.iter().enumerate() {
            assert_eq!(index(*o), i, "{o:?}");
        }
        let names: std::collections::BTreeSet<_> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(names.len(), Outcome::ALL.len());
    }
}

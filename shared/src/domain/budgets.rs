//! How long each step of a custom sender may take, so that an attempt always ends before
//! Lambda's timeout, and Lambda's timeout before the delivery table's lease: a timed-out
//! attempt then never leaves a claim that its retry takes over while it is still running, and
//! a message is never counted or sent twice because of it. Each adapter enforces its own
//! step's budget; a test checks the sum against the template's `Timeout` and the lease.

use std::time::Duration;

/// Claiming the message in the delivery table, conflicts tried again included.
pub const CLAIM: Duration = Duration::from_secs(3);
/// Decrypting the code: the Encryption SDK calls KMS once per data key it tries, at most
/// [`crate::domain::code::MAX_ENCRYPTED_DATA_KEYS`] (two), each within the SDK's operation budget
/// ([`crate::adapters::aws::OPERATION_TIMEOUT`], 4 s, retries included). The SDK makes the call on a
/// thread of its own, where no timer around it reaches, so this is that product.
pub const DECRYPT: Duration = Duration::from_secs(8);
/// Delivering (SNS, End User Messaging or SES), resends included. A delivery still without
/// an answer at the end of it may have been accepted: it is never sent again.
pub const DELIVERY: Duration = Duration::from_secs(5);
/// Recording the outcome in the delivery table.
pub const SETTLE: Duration = Duration::from_secs(2);

/// The senders' Lambda timeout (`Timeout` in `infra/template.json`), in seconds.
pub const SENDER_TIMEOUT_SECONDS: u64 = 20;

/// Everything one attempt can spend.
pub const fn attempt() -> Duration {
    CLAIM
        .saturating_add(DECRYPT)
        .saturating_add(DELIVERY)
        .saturating_add(SETTLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attempt_ends_before_lambdas_timeout_and_the_timeout_before_the_lease() {
        #[cfg(feature = "kms")]
        assert_eq!(
            DECRYPT,
            crate::adapters::aws::OPERATION_TIMEOUT * u32::from(crate::domain::code::MAX_ENCRYPTED_DATA_KEYS)
        );
        assert!(
            attempt() < Duration::from_secs(SENDER_TIMEOUT_SECONDS),
            "{:?}",
            attempt()
        );
        const { assert!(SENDER_TIMEOUT_SECONDS < crate::domain::config::table::LEASE_SECONDS) };
        // Lambda's first retry of a failed asynchronous invocation comes after a minute: the
        // lease must have lapsed by then, or the retry would be told "in progress".
        const { assert!(crate::domain::config::table::LEASE_SECONDS < 60) };
    }
}

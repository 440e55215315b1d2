use super::*;
use crate::domain::ledger::{Channel, ClaimInput, Lifetimes, Limits, Purpose};

fn item(state: &str, lease: u64, expires: u64) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("state".to_owned(), s(state)),
        ("lease_until".to_owned(), n(lease)),
        ("expires_at".to_owned(), n(expires)),
    ])
}

#[test]
fn an_existing_message_is_a_duplicate_in_progress_or_free_again() {
    assert_eq!(state_of(Some(&item("sent", 0, 500)), 100), Some(Claimed::Duplicate));
    assert_eq!(state_of(Some(&item("unknown", 0, 500)), 100), Some(Claimed::Duplicate));
    assert_eq!(
        state_of(Some(&item("in_progress", 130, 500)), 100),
        Some(Claimed::InProgress)
    );
    assert_eq!(state_of(Some(&item("in_progress", 90, 500)), 100), None);
    assert_eq!(state_of(Some(&item("failed", 0, 500)), 100), None);
    assert_eq!(state_of(Some(&item("sent", 0, 99)), 100), None);
    assert_eq!(state_of(None, 100), None);
}

fn a_claim(purpose: Purpose) -> Claim {
    ledger::claim(&ClaimInput {
        identity: b"c",
        token: "t",
        channel: Channel::Sms,
        purpose,
        recipient: "+12065550123",
        user_pool_id: "us-east-1_P",
        hash_key: b"k",
        limits: Some(Limits {
            per_recipient: 3,
            sign_in_per_recipient: 20,
            window_seconds: 3600,
            per_pool_per_day: Some(10),
        }),
        lifetimes: Lifetimes {
            lease_seconds: 30,
            keep_seconds: 25_200,
        },
        now: 100,
    })
}

#[test]
fn a_cancellation_names_the_limit_or_the_message_and_never_says_go() {
    let reason = |code: &str| CancellationReason::builder().code(code).build();
    let with_item = |state: &str, lease: u64| {
        CancellationReason::builder()
            .code("ConditionalCheckFailed")
            .set_item(Some(item(state, lease, 500)))
            .build()
    };
    let requested = a_claim(Purpose::Requested);
    assert!(matches!(
        cancelled(&[reason("None"), reason("ConditionalCheckFailed")], &requested),
        Cancelled::Answer(Claimed::Throttled(Limit::Recipient))
    ));
    assert!(matches!(
        cancelled(
            &[reason("None"), reason("ConditionalCheckFailed")],
            &a_claim(Purpose::SignIn)
        ),
        Cancelled::Answer(Claimed::Throttled(Limit::SignIn))
    ));
    assert!(matches!(
        cancelled(&[reason("ConditionalCheckFailed"), reason("None")], &requested),
        Cancelled::MessageExists
    ));
    // Delivered before and over the limit now: a duplicate, not a throttled message.
    assert!(matches!(
        cancelled(&[with_item("sent", 0), reason("ConditionalCheckFailed")], &requested),
        Cancelled::Answer(Claimed::Duplicate)
    ));
    // The condition failed, but what came back is claimable (released in between): the
    // claim is made again, never answered "go" without it.
    assert!(matches!(
        cancelled(&[with_item("failed", 0), reason("None")], &requested),
        Cancelled::Again
    ));
    assert!(matches!(
        cancelled(&[with_item("in_progress", 50), reason("None")], &requested),
        Cancelled::Again
    ));
    assert!(matches!(
        cancelled(&[reason("ThrottlingError")], &requested),
        Cancelled::Other(c) if c == "ThrottlingError"
    ));
}

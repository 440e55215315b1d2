//! The common core of the cognito-reset Lambda triggers.
//!
//! Amazon Cognito calls these functions around password reset and sign-in: to word and brand
//! the codes it sends (custom message trigger), to deliver them itself (custom SMS and email
//! senders), and to enforce password rules its native policy cannot express (pre token
//! generation, post confirmation). This crate holds everything they share, as a pure core
//! (no I/O, no clock, no environment) and small adapters behind traits.
//!
//! # Layout
//! - [`domain`]: the pure core (events, messages, rules, redaction, settings and their
//!   configuration, recipient and phone validation, the delivery table's rules, the traits the
//!   adapters implement). No I/O, no clock, no environment.
//! - [`sender`]: the flow both custom senders share over those traits (read, claim, decrypt,
//!   deliver, record), the delivery-table protocol, and the typed outcome of an invocation,
//!   which names its log line and metric.
//! - [`adapters`]: the traits' AWS implementations (KMS, SNS, End User Messaging, SES,
//!   DynamoDB, Cognito), each behind its feature, and AWS error classification in one place.
//! - [`runtime`]: start-up, telemetry, metrics and the clock: what every `main` shares.
//! - `fakes` (feature `test-util`): in-memory adapters for handler unit tests.

#[cfg(any(
    feature = "kms",
    feature = "sns",
    feature = "eum",
    feature = "ses",
    feature = "dynamodb",
    feature = "cognito",
    feature = "legacy-stores"
))]
pub mod adapters;
pub mod domain;
#[cfg(feature = "test-util")]
pub mod fakes;
pub mod runtime;
pub mod sender;

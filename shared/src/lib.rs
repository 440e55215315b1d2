//! The common core of the cognito-reset Lambda triggers.
//!
//! Amazon Cognito calls these functions around password reset and sign-in: to word and brand
//! the codes it sends (custom message trigger), to deliver them itself (custom SMS and email
//! senders), and to enforce password rules its native policy cannot express (pre token
//! generation, post confirmation). This crate holds everything they share, as a pure core
//! (no I/O, no clock, no environment) and small adapters behind traits.
//!
//! # Layout
//! - [`events`]: tolerant types for the trigger events, and writing a `response` back.
//! - [`messages`]: the template catalog, locales, rendering, Cognito's limits, SMS segments.
//! - [`code`]: the encrypted code custom senders receive: the decryptor trait, and the AWS
//!   Encryption SDK + KMS implementation (feature `kms`).
//! - [`budgets`]: how long each step of a custom sender may take.
//! - [`clock`]: the one place that reads the wall clock.
//! - [`config`]: environment configuration, read once at init, errors that name the variable.
//! - [`delivery`]: SMS (SNS) and email (SES v2) senders behind small traits, phone validation.
//! - [`redact`]: masking of phone numbers and email addresses for logs.
//! - [`rules`]: password age and forced-reset rules, evaluated with the clock passed in.
//! - [`sender`]: the flow both custom senders share (read, decrypt, render, report), the
//!   delivery-table protocol around a delivery, and the typed outcome of an invocation.
//! - [`settings`]: every environment variable a function reads: its rule, default, doc and
//!   functions (one source of truth for the parsers, the template, the book and
//!   `shared/settings.json`).
//! - [`users`]: writing user attributes (Cognito admin API, feature `cognito`) behind a trait.
//! - [`telemetry`]: the log subscriber every function installs.
//! - [`metrics`]: counts and latencies in CloudWatch embedded metric format.
//! - [`start`]: the start-up every function's `main` shares.
//! - `aws` (with any AWS feature): the AWS SDK clients the adapters use, built from the
//!   environment; `fakes` (feature `test-util`): in-memory adapters for handler unit tests.

#[cfg(any(
    feature = "kms",
    feature = "sns",
    feature = "eum",
    feature = "ses",
    feature = "dynamodb",
    feature = "cognito"
))]
pub mod aws;
pub mod budgets;
pub mod clock;
pub mod code;
pub mod config;
pub mod delivery;
pub mod events;
#[cfg(feature = "test-util")]
pub mod fakes;
pub mod messages;
pub mod metrics;
pub mod redact;
pub mod rules;
pub mod sender;
pub mod settings;
pub mod start;
pub mod telemetry;
pub mod users;

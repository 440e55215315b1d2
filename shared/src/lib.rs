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
//! - [`config`]: environment configuration, read once at init, errors that name the variable.
//! - [`redact`]: masking of phone numbers and email addresses for logs.
//! - [`telemetry`]: the log subscriber every function installs.

pub mod config;
pub mod events;
pub mod messages;
pub mod redact;
pub mod telemetry;

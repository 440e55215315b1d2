//! The pure core: no I/O, no clock, no environment. Everything here takes what it needs as
//! arguments (the time included), so it is tested at exact boundaries without stand-ins.
//!
//! - [`events`]: tolerant types for the trigger events, and writing a `response` back.
//! - [`messages`]: the template catalog, locales, rendering, Cognito's limits, SMS segments.
//! - [`rules`]: password age and forced-reset rules, evaluated with the time passed in.
//! - [`redact`]: masking of phone numbers and email addresses for logs.
//! - [`settings`]: every environment variable a function reads: its rule, default, doc and
//!   functions (one source of truth for the parsers, the template, the book and
//!   `shared/settings.json`).
//! - [`config`]: the settings read into typed configuration, from any source of variables,
//!   with errors that name the variable.
//! - [`budgets`]: how long each step of a custom sender may take.
//! - [`code`]: the encrypted code custom senders receive: the header check every message
//!   passes before KMS, and the [`code::CodeDecryptor`] trait.
//! - [`delivery`]: one SMS or email, email address validation, the sender traits.
//! - [`phone`]: phone number validation against libphonenumber's metadata, and the countries
//!   SMS may go to.
//! - [`ledger`]: the delivery table's rules (keys, claims, limits) and its trait.
//! - [`users`]: the user attribute store's trait.
//! - `legacy` (feature `legacy`): user migration: the legacy store's records and trait, what
//!   Cognito is told to create, and the legacy password hash formats.

pub mod budgets;
pub mod code;
pub mod config;
pub mod delivery;
pub mod events;
pub mod ledger;
#[cfg(feature = "legacy")]
pub mod legacy;
pub mod messages;
#[cfg(feature = "sns")]
pub mod phone;
pub mod redact;
pub mod rules;
pub mod settings;
pub mod users;

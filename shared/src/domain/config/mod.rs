//! Configuration from environment variables, read once at init.
//!
//! Each function builds its configuration from a lookup ([`crate::runtime::env::Environment`] in production, a
//! map in tests). Every variable's rule and default are in [`crate::domain::settings`] (which never
//! depends on this module); a value that breaks its rule gets an error that names the variable, and the function degrades as the book's chapters say (no function
//! fails its init over configuration). `docs/src/configuration.md` lists every variable.
//!
//! # Layout
//! One file per owner: [`messages`] (branding, per app client settings), [`sender`] (what both
//! custom senders need), [`sms`] and [`email`] (each sender's own), [`table`] (the delivery
//! table), [`rules`] (the password rules); here the lookup ([`Source`]), the start-up error and
//! the helpers that apply a setting's rule and default.

use std::collections::HashMap;

mod email;
mod messages;
mod rules;
mod sender;
#[cfg(feature = "sns")]
mod sms;
pub mod table;

pub use email::EmailConfig;
pub use messages::MessageConfig;
pub use rules::{password_attributes, password_policy};
pub use sender::SenderConfig;
#[cfg(feature = "sns")]
pub use sms::{SmsConfig, SmsService};
pub use table::{HashKey, OnTableError, TableConfig};

/// The countries SMS may go to (`SMS_ALLOWED_COUNTRIES`); empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedCountries(std::collections::BTreeSet<String>);

impl AllowedCountries {
    /// The codes of a list [`crate::domain::settings::SMS_ALLOWED_COUNTRIES`] accepted
    /// (comma-separated ISO 3166 alpha-2 codes; the setting's rule is the only check, and
    /// refuses an empty list: `ALL` is [`AllowedCountries::default`]).
    pub fn of(accepted: &str) -> Self {
        AllowedCountries(accepted.split(',').map(str::to_owned).collect())
    }

    pub fn allows(&self, country: &str) -> bool {
        self.0.is_empty() || self.0.contains(country)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub use crate::domain::settings::{APP_NAME_MAX, ConfigError};

use crate::domain::settings::Setting;

/// Why a function could not start: a configuration variable, or a broken message catalog.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("the message catalog is broken: {0}")]
    Catalog(#[from] crate::domain::messages::MessageError),
}

/// Where configuration values come from.
pub trait Source {
    /// The trimmed value of `key`; `None` when unset or blank.
    fn get(&self, key: &str) -> Option<String>;
}

impl<S: std::hash::BuildHasher> Source for HashMap<&str, &str, S> {
    fn get(&self, key: &str) -> Option<String> {
        HashMap::get(self, key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}

/// An optional text setting: unset, or valid under its rule.
pub(crate) fn optional(src: &impl Source, setting: &Setting) -> Result<Option<String>, ConfigError> {
    src.get(setting.variable)
        .map(|v| setting.text(&v).map(str::to_owned))
        .transpose()
}

/// A flag setting: its default when unset, else valid under its rule.
pub(crate) fn flag(src: &impl Source, setting: &Setting) -> Result<bool, ConfigError> {
    match src.get(setting.variable) {
        Some(v) => setting.flag(&v),
        None => setting.flag(setting.default),
    }
}

/// One of a setting's values: its default when unset, else one it lists.
pub(crate) fn choice(src: &impl Source, setting: &Setting) -> Result<&'static str, ConfigError> {
    match src.get(setting.variable) {
        Some(v) => setting.one_of(&v),
        None => setting.one_of(setting.default),
    }
}

/// A whole-number setting: its default when unset, else valid under its rule.
pub(crate) fn whole(src: &impl Source, setting: &Setting) -> Result<u32, ConfigError> {
    src.get(setting.variable)
        .map_or_else(|| setting.whole(setting.default), |v| setting.whole(&v))
}

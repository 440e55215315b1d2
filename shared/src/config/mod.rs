//! Configuration from environment variables, read once at init.
//!
//! Each function builds its configuration from a lookup (`std::env::var` in production, a
//! map in tests). A value breaks the rule in [`crate::settings`] or its parser: the error
//! names the variable, and the function degrades as its README section says (no function
//! fails its init over configuration). The variables are documented in the README.
//!
//! # Layout
//! One file per owner: [`messages`] (branding, per app client settings), [`sender`] (what both
//! custom senders need), [`sms`] and [`email`] (each sender's own), [`rules`] (the password
//! rules); here the lookup ([`Source`]), the errors and the shared parsing helpers.

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
pub use rules::password_policy;
pub use sender::SenderConfig;
#[cfg(feature = "sns")]
pub use sms::{SmsConfig, SmsService};
pub use table::{HashKey, OnTableError, TableConfig};

pub use crate::settings::APP_NAME_MAX;

use crate::settings::Setting;

/// A configuration problem, naming the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration variable {variable} {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl ConfigError {
    pub fn new(variable: &'static str, problem: impl Into<String>) -> Self {
        ConfigError {
            variable,
            problem: problem.into(),
        }
    }
}

/// Why a function could not start: a configuration variable, or a broken message catalog.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("the message catalog is broken: {0}")]
    Catalog(#[from] crate::messages::MessageError),
}

/// Where configuration values come from.
pub trait Source {
    /// The trimmed value of `key`; `None` when unset or blank.
    fn get(&self, key: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Environment;

impl Source for Environment {
    fn get(&self, key: &str) -> Option<String> {
        std::env::var(key)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
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

/// Parses an integer within `min..=max`.
pub fn number<T>(var: &'static str, v: &str, min: T, max: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match v.parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(ConfigError::new(
            var,
            format!("must be a whole number from {min} to {max}, not {v:?}"),
        )),
    }
}

/// Parses `true`/`false` (and `1`/`0`, `yes`/`no`).
pub fn boolean(var: &'static str, v: &str) -> Result<bool, ConfigError> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::new(var, format!("must be true or false, not {v:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_and_numbers() {
        assert_eq!(boolean("X", "FALSE"), Ok(false));
        assert_eq!(boolean("X", "1"), Ok(true));
        assert!(boolean("X", "maybe").is_err());
        assert_eq!(number::<u32>("X", "90", 1, 3650), Ok(90));
        assert!(number::<u32>("X", "-1", 1, 3650).is_err());
    }
}

//! Every environment variable a function reads: its name, the functions that read it, its rule,
//! its default and one line of doc. The one source of truth for the functions' parsers
//! ([`crate::domain::config`], which depends on this module and never the other way) and for
//! what `make settings` writes from it: the configuration table in
//! `docs/src/configuration.md`, `shared/settings.json` (the machine-readable description typed
//! front ends read) and the constraints of the template's parameters (`template`). A test
//! fails when any of them is stale, and another checks each pattern against its parser on
//! samples.
//!
//! Patterns are written in the common subset of Java's regular expressions (which
//! CloudFormation uses for `AllowedPattern`) and the `fancy-regex` crate (which the test uses).
//!
//! # Layout
//! One file per owner: [`messages`] (what every message shows), [`senders`] (what the custom
//! senders need), [`rules`] (the password rules and post-confirmation), [`table`] (the delivery
//! table), [`runtime`] (logs and metrics); here the types, [`ALL`] and what is generated.

#[rustfmt::skip]
mod countries;
mod docs;
mod messages;
mod rules;
mod runtime;
mod senders;
mod table;
mod template;

pub use docs::{configuration_table, settings_json, with_configuration_table};
pub use messages::*;
pub use rules::*;
pub use runtime::*;
pub use senders::*;
pub use table::*;
pub use template::{constraints, parameter_settings, template_pattern, with_template_constraints};

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

/// The functions, by package name, as the settings name them.
pub const CUSTOM_MESSAGE: &str = "custom-message";
pub const CUSTOM_SMS_SENDER: &str = "custom-sms-sender";
pub const CUSTOM_EMAIL_SENDER: &str = "custom-email-sender";
pub const PRE_TOKEN: &str = "pre-token";
pub const POST_CONFIRMATION: &str = "post-confirmation";

/// Every function; a workspace test checks that they are the workspace's `functions/*`.
pub const FUNCTIONS: &[&str] = &[
    CUSTOM_MESSAGE,
    CUSTOM_SMS_SENDER,
    CUSTOM_EMAIL_SENDER,
    PRE_TOKEN,
    POST_CONFIRMATION,
];
const MESSAGING: &[&str] = &[CUSTOM_MESSAGE, CUSTOM_SMS_SENDER, CUSTOM_EMAIL_SENDER];
const SENDERS: &[&str] = &[CUSTOM_SMS_SENDER, CUSTOM_EMAIL_SENDER];
const PASSWORD_RULES: &[&str] = &[PRE_TOKEN, POST_CONFIRMATION];

/// What a setting accepts.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// A whole number in `min..=max`. Template: `Type: Number` with `MinValue` and `MaxValue`.
    Whole { min: u32, max: u32 },
    /// Exactly one of these values. Template: `AllowedValues`.
    OneOf(&'static [&'static str]),
    /// Text the parser `accepts`, as the `pattern` describes. Template: `AllowedPattern`
    /// (with `^$|` in front when the setting is optional: an empty value means unset).
    Text {
        pattern: &'static str,
        accepts: fn(&str) -> bool,
    },
    /// `true` or `false` (also `1`/`0`, `yes`/`no`, `on`/`off`, in any case).
    Flag,
}

/// One setting: its variable, its rule, and what a user reads about it.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub variable: &'static str,
    pub rule: Rule,
    /// Whether the variable may be unset (or, from the template, empty).
    pub optional: bool,
    /// What a valid value is, as a user reads it (error messages).
    pub described: &'static str,
    /// The functions that read it.
    pub functions: &'static [&'static str],
    /// The value that applies when it is unset, as the function reads it; empty when none
    /// does (the feature is off, or the setting is required).
    pub default: &'static str,
    /// What it does, in one line (the configuration table).
    pub doc: &'static str,
    /// A secret: never echoed, and the template fills it only from a secret store.
    pub secret: bool,
}

/// What every setting starts from: optional, no default, not secret.
const BASE: Setting = Setting {
    variable: "",
    rule: Rule::Flag,
    optional: true,
    described: "",
    functions: &[],
    default: "",
    doc: "",
    secret: false,
};

impl Setting {
    /// The error for a value that breaks the rule. A number, a flag or a listed word is
    /// echoed; free text is not, since it may be an address, a phone number or a secret
    /// (`EMAIL_FROM`, `SMS_ORIGINATION_IDENTITY`, `DELIVERY_HASH_KEY`), which never go to a
    /// log.
    pub fn refuse(&self, value: &str) -> ConfigError {
        let problem = match self.rule {
            Rule::Text { .. } => format!("must be {}", self.described),
            Rule::Whole { .. } | Rule::OneOf(_) | Rule::Flag => {
                let shown: String = value.chars().take(16).collect();
                format!("must be {}, not {shown:?}", self.described)
            }
        };
        ConfigError::new(self.variable, problem)
    }

    /// The error for a required setting that is unset.
    pub fn missing(&self) -> ConfigError {
        ConfigError::new(self.variable, format!("is required: {}", self.described))
    }

    /// Reads a whole number under this setting's rule.
    pub fn whole(&self, value: &str) -> Result<u32, ConfigError> {
        match (self.rule, value.parse::<u32>()) {
            (Rule::Whole { min, max }, Ok(n)) if (min..=max).contains(&n) => Ok(n),
            _ => Err(self.refuse(value)),
        }
    }

    /// Reads one of the allowed values (exactly as listed: `deny`, not `Deny`).
    pub fn one_of(&self, value: &str) -> Result<&'static str, ConfigError> {
        match self.rule {
            Rule::OneOf(values) => values
                .iter()
                .copied()
                .find(|v| *v == value)
                .ok_or_else(|| self.refuse(value)),
            _ => Err(self.refuse(value)),
        }
    }

    /// Checks text under this setting's rule.
    pub fn text<'v>(&self, value: &'v str) -> Result<&'v str, ConfigError> {
        match self.rule {
            Rule::Text { accepts, .. } if accepts(value) => Ok(value),
            _ => Err(self.refuse(value)),
        }
    }

    /// Reads a flag under this setting's rule.
    pub fn flag(&self, value: &str) -> Result<bool, ConfigError> {
        match (self.rule, value.to_ascii_lowercase().as_str()) {
            (Rule::Flag, "true" | "1" | "yes" | "on") => Ok(true),
            (Rule::Flag, "false" | "0" | "no" | "off") => Ok(false),
            _ => Err(self.refuse(value)),
        }
    }

    /// The template's `AllowedPattern` for a text setting.
    pub fn template_pattern(&self) -> Option<String> {
        match self.rule {
            Rule::Text { pattern, .. } if self.optional => Some(format!("^$|{pattern}")),
            Rule::Text { pattern, .. } => Some(pattern.to_owned()),
            _ => None,
        }
    }
}

/// Every environment variable a function reads, in the order the configuration table lists them.
pub const ALL: &[&Setting] = &[
    &APP_NAME,
    &DEFAULT_LOCALE,
    &RESET_URL,
    &BRAND_COLOR,
    &TEMPORARY_PASSWORD_VALIDITY_DAYS,
    &CLIENT_SETTINGS,
    &KEY_ARN,
    &SEND_ENABLED,
    &REQUIRE_POOL_CONTEXT,
    &SMS_ALLOWED_COUNTRIES,
    &SMS_SENDER_ID,
    &SMS_ORIGINATION_NUMBER,
    &SMS_OTP_DOMAIN,
    &SMS_APP_HASH,
    &SMS_BACKEND,
    &SMS_ORIGINATION_IDENTITY,
    &SMS_CONFIGURATION_SET,
    &SMS_PROTECT_CONFIGURATION_ID,
    &SMS_MAX_PRICE_USD,
    &EMAIL_FROM,
    &EMAIL_REPLY_TO,
    &SES_CONFIGURATION_SET,
    &PASSWORD_MAX_AGE_DAYS,
    &PASSWORD_WARN_DAYS,
    &PASSWORD_CHANGED_ATTRIBUTE,
    &FORCE_RESET_ATTRIBUTE,
    &ON_VIOLATION,
    &ON_UNKNOWN_CHANGE_TIME,
    &STAMP_ON_SIGN_UP,
    &USER_POOL_ID,
    &DELIVERY_TABLE,
    &DELIVERY_HASH_KEY,
    &MAX_SMS_PER_NUMBER,
    &MAX_EMAIL_PER_ADDRESS,
    &MAX_SIGN_IN_CODES_PER_RECIPIENT,
    &LIMIT_WINDOW_SECONDS,
    &MAX_SMS_PER_POOL_PER_DAY,
    &ON_TABLE_ERROR,
    &METRICS_NAMESPACE,
    &LOG_LEVEL,
];

/// The setting of `variable`.
pub fn find(variable: &str) -> Option<&'static Setting> {
    ALL.iter().copied().find(|s| s.variable == variable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_values_and_name_the_variable() {
        assert_eq!(PASSWORD_MAX_AGE_DAYS.whole("0"), Ok(0));
        assert_eq!(PASSWORD_MAX_AGE_DAYS.whole("3650"), Ok(3650));
        let e = PASSWORD_MAX_AGE_DAYS.whole("3651").unwrap_err();
        assert_eq!(e.variable, "PASSWORD_MAX_AGE_DAYS");
        assert!(e.to_string().contains("from 0 to 3650"), "{e}");
        assert_eq!(ON_VIOLATION.one_of("restrict"), Ok("restrict"));
        assert!(
            ON_VIOLATION.one_of("Restrict").is_err(),
            "exactly as listed, as the template"
        );
        let e = EMAIL_FROM.text("jane.doe@example").unwrap_err();
        assert!(!e.to_string().contains("jane.doe"), "free text is not echoed: {e}");
        assert!(is_user_pool_id("us-east-1_AbC123") && is_user_pool_id("us-gov-west-1_x1"));
        assert!(!is_user_pool_id("us_east_1") && !is_user_pool_id("useast1_Ab") && !is_user_pool_id("us-east-1_"));
        assert_eq!(SEND_ENABLED.flag("FALSE"), Ok(false));
        assert_eq!(SEND_ENABLED.flag("1"), Ok(true));
        assert!(
            SEND_ENABLED
                .flag("maybe")
                .unwrap_err()
                .to_string()
                .contains("\"maybe\"")
        );
    }

    #[test]
    fn every_setting_is_listed_once_read_by_a_function_and_documented() {
        for (i, s) in ALL.iter().enumerate() {
            assert!(
                ALL[..i].iter().all(|o| o.variable != s.variable),
                "{} is listed twice",
                s.variable
            );
            assert!(!s.functions.is_empty(), "{}: no function reads it", s.variable);
            assert!(s.functions.iter().all(|f| FUNCTIONS.contains(f)), "{}", s.variable);
            assert!(
                !s.doc.is_empty() && !s.described.is_empty(),
                "{}: undocumented",
                s.variable
            );
            assert!(
                s.optional || s.default.is_empty(),
                "{}: required, yet a default",
                s.variable
            );
        }
    }

    #[test]
    fn a_secret_is_never_echoed() {
        let key = "not-long-enough";
        let e = DELIVERY_HASH_KEY.text(key).unwrap_err();
        assert!(!e.to_string().contains(key), "{e}");
        assert!(matches!(DELIVERY_HASH_KEY.rule, Rule::Text { .. }) && DELIVERY_HASH_KEY.secret);
    }
}

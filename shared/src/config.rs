//! Configuration from environment variables, read once at init.
//!
//! Each function builds its configuration from a lookup (`std::env::var` in production, a
//! map in tests). An invalid value fails init with an error that names the variable, so a
//! misconfigured deployment fails loudly on its first invocation instead of sending wrong
//! messages. The variables are documented in the README.

use std::collections::HashMap;

use serde::Deserialize;

use crate::messages::{Branding, locale};
use crate::rules::{OnUnknown, OnViolation, PasswordPolicy};
use crate::settings::{self, Setting};

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

pub use crate::settings::APP_NAME_MAX;

/// Message settings: the default branding, and per app client overrides.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageConfig {
    pub default: Branding,
    pub clients: HashMap<String, Branding>,
}

impl MessageConfig {
    /// Reads `APP_NAME`, `DEFAULT_LOCALE`, `RESET_URL`, `BRAND_COLOR`,
    /// `TEMPORARY_PASSWORD_VALIDITY_DAYS` and `CLIENT_SETTINGS`.
    pub fn from_source(src: &impl Source) -> Result<Self, ConfigError> {
        let mut default = Branding::default();
        if let Some(v) = src.get("APP_NAME") {
            default.app_name = app_name(&settings::APP_NAME, &v)?;
        }
        if let Some(v) = src.get("DEFAULT_LOCALE") {
            default.default_locale = locale_tag(&settings::DEFAULT_LOCALE, &v)?;
        }
        if let Some(v) = src.get("RESET_URL") {
            default.reset_url = Some(settings::RESET_URL.text(&v)?.to_owned());
        }
        if let Some(v) = src.get("BRAND_COLOR") {
            default.accent_color = color("BRAND_COLOR", &v)?;
        }
        if let Some(v) = src.get("TEMPORARY_PASSWORD_VALIDITY_DAYS") {
            default.temporary_password_days = settings::TEMPORARY_PASSWORD_VALIDITY_DAYS.whole(&v)?;
        }
        let clients = match src.get("CLIENT_SETTINGS") {
            Some(v) => client_settings(&v, &default)?,
            None => HashMap::new(),
        };
        Ok(MessageConfig { default, clients })
    }

    /// The branding for an app client, or the default.
    pub fn branding(&self, client_id: Option<&str>) -> &Branding {
        client_id.and_then(|id| self.clients.get(id)).unwrap_or(&self.default)
    }
}

/// What both custom senders need besides messages: the KMS key and the dry-run switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderConfig {
    /// `KEY_ARN`: the key Cognito encrypts codes with (required).
    pub key_arn: String,
    /// `SEND_ENABLED`: `false` logs (masked) what would be sent and sends nothing.
    pub send_enabled: bool,
    /// `REQUIRE_POOL_CONTEXT`: refuse codes without a `userpool-id` encryption context
    /// (default `true`; only local stand-ins such as cognito-local omit it).
    pub require_pool_context: bool,
}

impl SenderConfig {
    pub fn from_source(src: &impl Source) -> Result<Self, ConfigError> {
        let key_arn = src.get("KEY_ARN").ok_or_else(|| {
            ConfigError::new(
                "KEY_ARN",
                "is required: the ARN of the KMS key Cognito encrypts codes with",
            )
        })?;
        let parts: Vec<&str> = key_arn.splitn(6, ':').collect();
        if parts.len() != 6
            || parts[0] != "arn"
            || parts[2] != "kms"
            || !parts[5].starts_with("key/")
            || parts[5].len() <= 4
        {
            return Err(ConfigError::new(
                "KEY_ARN",
                "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>); aliases cannot decrypt",
            ));
        }
        let send_enabled = match src.get("SEND_ENABLED") {
            Some(v) => boolean("SEND_ENABLED", &v)?,
            None => true,
        };
        let require_pool_context = match src.get("REQUIRE_POOL_CONTEXT") {
            Some(v) => boolean("REQUIRE_POOL_CONTEXT", &v)?,
            None => true,
        };
        Ok(SenderConfig {
            key_arn,
            send_enabled,
            require_pool_context,
        })
    }
}

/// The SMS sender's settings.
#[cfg(feature = "sns")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SmsConfig {
    /// `SMS_ALLOWED_COUNTRIES`; empty allows every country.
    pub allowed_countries: crate::delivery::phone::AllowedCountries,
    /// `SMS_SENDER_ID`: alphanumeric sender ID (where countries support one).
    pub sender_id: Option<String>,
    /// `SMS_ORIGINATION_NUMBER`: E.164 number to send from.
    pub origination_number: Option<String>,
    /// `SMS_OTP_DOMAIN`: adds the origin-bound `@domain #code` line.
    pub otp_domain: Option<String>,
    /// `SMS_APP_HASH`: Android SMS Retriever hash, 11 characters.
    pub app_hash: Option<String>,
}

#[cfg(feature = "sns")]
impl SmsConfig {
    pub fn from_source(src: &impl Source) -> Result<Self, ConfigError> {
        let mut c = SmsConfig::default();
        let countries = &settings::SMS_ALLOWED_COUNTRIES;
        let list = src.get(countries.variable).ok_or_else(|| countries.refuse(""))?;
        if list != "ALL" {
            c.allowed_countries = crate::delivery::phone::AllowedCountries::parse(countries.text(&list)?)
                .map_err(|_| countries.refuse(&list))?;
        }
        if let Some(v) = src.get("SMS_SENDER_ID") {
            let ok = (1..=11).contains(&v.len())
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && v.chars().any(|c| c.is_ascii_alphabetic());
            if !ok {
                return Err(ConfigError::new(
                    "SMS_SENDER_ID",
                    "must be 1 to 11 letters, digits or hyphens, with at least one letter",
                ));
            }
            c.sender_id = Some(v);
        }
        if let Some(v) = src.get("SMS_ORIGINATION_NUMBER") {
            crate::delivery::phone::validate(Some(&v), &crate::delivery::phone::AllowedCountries::default())
                .map_err(|e| ConfigError::new("SMS_ORIGINATION_NUMBER", format!("must be an E.164 number: {e}")))?;
            c.origination_number = Some(v);
        }
        if let Some(v) = src.get("SMS_OTP_DOMAIN") {
            let ok = v.len() <= 64
                && v.contains('.')
                && v.split('.')
                    .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
            if !ok {
                return Err(ConfigError::new(
                    "SMS_OTP_DOMAIN",
                    "must be a host name such as app.example.com (at most 64 characters)",
                ));
            }
            c.otp_domain = Some(v.to_ascii_lowercase());
        }
        if let Some(v) = src.get("SMS_APP_HASH") {
            if v.len() != 11 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/') {
                return Err(ConfigError::new(
                    "SMS_APP_HASH",
                    "must be the 11-character Android SMS Retriever app hash",
                ));
            }
            c.app_hash = Some(v);
        }
        Ok(c)
    }
}

/// The email sender's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailConfig {
    /// `EMAIL_FROM`: a verified SES identity (required).
    pub from: String,
    /// `EMAIL_REPLY_TO`: optional reply-to address.
    pub reply_to: Option<String>,
    /// `SES_CONFIGURATION_SET`: optional SES configuration set (event publishing, IP pools).
    pub configuration_set: Option<String>,
}

impl EmailConfig {
    pub fn from_source(src: &impl Source) -> Result<Self, ConfigError> {
        let from = src.get("EMAIL_FROM").ok_or_else(|| settings::EMAIL_FROM.refuse(""))?;
        let from = settings::EMAIL_FROM.text(&from)?.to_owned();
        let reply_to = optional(src, &settings::EMAIL_REPLY_TO)?;
        let configuration_set = optional(src, &settings::SES_CONFIGURATION_SET)?;
        Ok(EmailConfig {
            from,
            reply_to,
            configuration_set,
        })
    }
}

/// Reads the password rules: `PASSWORD_MAX_AGE_DAYS`, `PASSWORD_WARN_DAYS`,
/// `PASSWORD_CHANGED_ATTRIBUTE`, `FORCE_RESET_ATTRIBUTE`, `ON_VIOLATION`,
/// `ON_UNKNOWN_CHANGE_TIME`.
pub fn password_policy(src: &impl Source) -> Result<PasswordPolicy, ConfigError> {
    let mut p = PasswordPolicy::default();
    if let Some(v) = src.get("PASSWORD_MAX_AGE_DAYS") {
        p.max_age_days = Some(settings::PASSWORD_MAX_AGE_DAYS.whole(&v)?).filter(|d| *d > 0);
    }
    if let Some(v) = src.get("PASSWORD_WARN_DAYS") {
        let warn = settings::PASSWORD_WARN_DAYS.whole(&v)?;
        match p.max_age_days {
            _ if warn == 0 => {}
            Some(max) if warn < max => p.warn_days = Some(warn),
            Some(_) => return Err(settings::PASSWORD_WARN_DAYS.refuse(&v)),
            None => {
                return Err(ConfigError::new(
                    "PASSWORD_WARN_DAYS",
                    "needs PASSWORD_MAX_AGE_DAYS: there is no expiry to warn about",
                ));
            }
        }
    }
    if let Some(v) = src.get("PASSWORD_CHANGED_ATTRIBUTE") {
        p.changed_attribute = custom_attribute("PASSWORD_CHANGED_ATTRIBUTE", &v)?;
    }
    if let Some(v) = src.get("FORCE_RESET_ATTRIBUTE") {
        p.force_reset_attribute = custom_attribute("FORCE_RESET_ATTRIBUTE", &v)?;
    }
    if p.changed_attribute == p.force_reset_attribute {
        return Err(ConfigError::new(
            "FORCE_RESET_ATTRIBUTE",
            "must differ from PASSWORD_CHANGED_ATTRIBUTE",
        ));
    }
    if let Some(v) = src.get("ON_VIOLATION") {
        p.on_violation = match settings::ON_VIOLATION.one_of(&v)? {
            "restrict" => OnViolation::Restrict,
            _ => OnViolation::Deny,
        };
    }
    if let Some(v) = src.get("ON_UNKNOWN_CHANGE_TIME") {
        p.on_unknown = match settings::ON_UNKNOWN_CHANGE_TIME.one_of(&v)? {
            "violation" => OnUnknown::Violation,
            _ => OnUnknown::Allow,
        };
    }
    Ok(p)
}

/// A writable custom attribute name: `custom:` and 1 to 20 letters, digits or `_`.
fn custom_attribute(var: &'static str, v: &str) -> Result<String, ConfigError> {
    let ok = v.strip_prefix("custom:").is_some_and(|name| {
        (1..=20).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if ok {
        Ok(v.to_owned())
    } else {
        Err(ConfigError::new(
            var,
            format!("must be a custom attribute such as custom:password_changed_at, not {v:?}"),
        ))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClientSettings {
    app_name: Option<String>,
    reset_url: Option<String>,
    brand_color: Option<String>,
    default_locale: Option<String>,
}

const CLIENT_SETTINGS: &str = "CLIENT_SETTINGS";
/// Per-client values are checked with the rules of the matching variable; errors name this one.
const CLIENT_SETTINGS_NAME: Setting = Setting {
    variable: CLIENT_SETTINGS,
    rule: settings::Rule::OneOf(&[]),
    optional: true,
    described: "a JSON object of app client id -> {appName, resetUrl, brandColor, defaultLocale}",
};

fn client_settings(json: &str, default: &Branding) -> Result<HashMap<String, Branding>, ConfigError> {
    let parsed: HashMap<String, ClientSettings> = serde_json::from_str(json).map_err(|e| {
        ConfigError::new(
            CLIENT_SETTINGS,
            format!("must be a JSON object of app client id -> {{appName, resetUrl, brandColor, defaultLocale}}: {e}"),
        )
    })?;
    parsed
        .into_iter()
        .map(|(client, s)| {
            let mut b = default.clone();
            if let Some(v) = s.app_name {
                b.app_name = app_name(&CLIENT_SETTINGS_NAME, &v)?;
            }
            if let Some(v) = s.reset_url {
                b.reset_url = Some(reset_url(&CLIENT_SETTINGS_NAME, &v)?);
            }
            if let Some(v) = s.brand_color {
                b.accent_color = color(CLIENT_SETTINGS, &v)?;
            }
            if let Some(v) = s.default_locale {
                b.default_locale = locale_tag(&CLIENT_SETTINGS_NAME, &v)?;
            }
            Ok((client, b))
        })
        .collect()
}

/// An optional text setting: unset, or valid under its rule.
fn optional(src: &impl Source, setting: &Setting) -> Result<Option<String>, ConfigError> {
    src.get(setting.variable)
        .map(|v| setting.text(&v).map(str::to_owned))
        .transpose()
}

/// The app name under `APP_NAME`'s rule; errors name `setting` (`APP_NAME` or `CLIENT_SETTINGS`).
fn app_name(setting: &Setting, v: &str) -> Result<String, ConfigError> {
    settings::APP_NAME
        .text(v)
        .map(str::to_owned)
        .map_err(|e| ConfigError::new(setting.variable, e.problem))
}

fn locale_tag(setting: &Setting, v: &str) -> Result<String, ConfigError> {
    settings::DEFAULT_LOCALE
        .text(v)
        .ok()
        .and_then(locale::normalize)
        .ok_or_else(|| ConfigError::new(setting.variable, settings::DEFAULT_LOCALE.refuse(v).problem))
}

fn reset_url(setting: &Setting, v: &str) -> Result<String, ConfigError> {
    settings::RESET_URL
        .text(v)
        .map(str::to_owned)
        .map_err(|e| ConfigError::new(setting.variable, e.problem))
}

fn color(var: &'static str, v: &str) -> Result<String, ConfigError> {
    let hex = v.strip_prefix('#').unwrap_or("");
    if (hex.len() == 3 || hex.len() == 6) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(v.to_owned())
    } else {
        Err(ConfigError::new(
            var,
            format!("must be a colour as #rgb or #rrggbb, not {v:?}"),
        ))
    }
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

    fn cfg(pairs: &[(&str, &str)]) -> Result<MessageConfig, ConfigError> {
        MessageConfig::from_source(&pairs.iter().copied().collect::<HashMap<_, _>>())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.default, Branding::default());
        assert_eq!(c.default.app_name, "your app");
        assert_eq!(c.default.default_locale, "en");
        assert!(c.clients.is_empty());
    }

    #[test]
    fn values_are_read_and_normalized() {
        let c = cfg(&[
            ("APP_NAME", "Contoso"),
            ("DEFAULT_LOCALE", "pt_br"),
            ("RESET_URL", "https://app.example.com/reset"),
            ("BRAND_COLOR", "#0a0"),
            ("TEMPORARY_PASSWORD_VALIDITY_DAYS", "7"),
        ])
        .unwrap();
        assert_eq!(c.default.app_name, "Contoso");
        assert_eq!(c.default.default_locale, "pt-BR");
        assert_eq!(c.default.reset_url.as_deref(), Some("https://app.example.com/reset"));
        assert_eq!(c.default.temporary_password_days, 7);
    }

    #[test]
    fn each_invalid_value_names_its_variable() {
        for (var, value) in [
            ("APP_NAME", "An app name that is far too long for an SMS"),
            ("APP_NAME", "{####}"),
            ("DEFAULT_LOCALE", "english"),
            ("RESET_URL", "http://app.example.com"),
            ("RESET_URL", "https://app.example.com/a b"),
            ("BRAND_COLOR", "blue"),
            ("TEMPORARY_PASSWORD_VALIDITY_DAYS", "0"),
            ("TEMPORARY_PASSWORD_VALIDITY_DAYS", "many"),
            ("CLIENT_SETTINGS", "not json"),
            ("CLIENT_SETTINGS", r#"{"abc": {"appname": "typo"}}"#),
            ("CLIENT_SETTINGS", r#"{"abc": {"resetUrl": "ftp://x"}}"#),
        ] {
            let err = cfg(&[(var, value)]).unwrap_err();
            assert_eq!(err.variable, var, "{value}");
            assert!(
                err.to_string().starts_with(&format!("configuration variable {var} ")),
                "{err}"
            );
        }
    }

    #[test]
    fn client_settings_override_the_defaults_per_app_client() {
        let c = cfg(&[
            ("APP_NAME", "Contoso"),
            ("RESET_URL", "https://contoso.example/reset"),
            (
                "CLIENT_SETTINGS",
                r#"{"admin-client": {"appName": "Contoso Admin", "defaultLocale": "de"}}"#,
            ),
        ])
        .unwrap();
        let admin = c.branding(Some("admin-client"));
        assert_eq!(admin.app_name, "Contoso Admin");
        assert_eq!(admin.default_locale, "de");
        assert_eq!(
            admin.reset_url.as_deref(),
            Some("https://contoso.example/reset"),
            "inherits what it does not set"
        );
        assert_eq!(c.branding(Some("other")).app_name, "Contoso");
        assert_eq!(c.branding(None).app_name, "Contoso");
    }

    #[test]
    fn sender_config_requires_a_key_arn() {
        let src = |pairs: &[(&'static str, &'static str)]| pairs.iter().copied().collect::<HashMap<_, _>>();
        let e = SenderConfig::from_source(&src(&[])).unwrap_err();
        assert_eq!(e.variable, "KEY_ARN");
        for bad in [
            "alias/cognito",
            "arn:aws:kms:us-east-1:123456789012:alias/cognito",
            "arn:aws:s3:::bucket",
            "arn:aws:kms:us-east-1:1:key/",
        ] {
            assert_eq!(
                SenderConfig::from_source(&src(&[("KEY_ARN", bad)]))
                    .unwrap_err()
                    .variable,
                "KEY_ARN",
                "{bad}"
            );
        }
        let arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let c = SenderConfig::from_source(&src(&[("KEY_ARN", arn)])).unwrap();
        assert!(c.send_enabled);
        let c = SenderConfig::from_source(&src(&[("KEY_ARN", arn), ("SEND_ENABLED", "false")])).unwrap();
        assert!(!c.send_enabled);
        assert_eq!(
            SenderConfig::from_source(&src(&[("KEY_ARN", arn), ("SEND_ENABLED", "nah")]))
                .unwrap_err()
                .variable,
            "SEND_ENABLED"
        );
    }

    #[cfg(feature = "sns")]
    #[test]
    fn sms_config_validates_each_variable() {
        let src = |pairs: &[(&'static str, &'static str)]| pairs.iter().copied().collect::<HashMap<_, _>>();
        let c = SmsConfig::from_source(&src(&[
            ("SMS_ALLOWED_COUNTRIES", "US,CA"),
            ("SMS_SENDER_ID", "Contoso"),
            ("SMS_ORIGINATION_NUMBER", "+12065550100"),
            ("SMS_OTP_DOMAIN", "App.Example.com"),
            ("SMS_APP_HASH", "FA+9qCX9VSu"),
        ]))
        .unwrap();
        assert!(c.allowed_countries.allows("CA") && !c.allowed_countries.allows("GB"));
        assert_eq!(c.otp_domain.as_deref(), Some("app.example.com"));
        let all = SmsConfig::from_source(&src(&[("SMS_ALLOWED_COUNTRIES", "ALL")])).unwrap();
        assert!(all.allowed_countries.allows("GB"), "ALL is an explicit choice");
        assert_eq!(
            SmsConfig::from_source(&src(&[])).unwrap_err().variable,
            "SMS_ALLOWED_COUNTRIES",
            "no all-countries default"
        );
        for (var, bad) in [
            ("SMS_ALLOWED_COUNTRIES", "US,ZZ"),
            ("SMS_ALLOWED_COUNTRIES", "us,ca"),
            ("SMS_ALLOWED_COUNTRIES", "US, CA"),
            ("SMS_SENDER_ID", "Contoso Bank Ltd"),
            ("SMS_SENDER_ID", "12345"),
            ("SMS_ORIGINATION_NUMBER", "2065550100"),
            ("SMS_OTP_DOMAIN", "https://app.example.com"),
            ("SMS_APP_HASH", "short"),
        ] {
            assert_eq!(
                SmsConfig::from_source(&src(&[("SMS_ALLOWED_COUNTRIES", "US"), (var, bad)]))
                    .unwrap_err()
                    .variable,
                var,
                "{bad}"
            );
        }
    }

    #[test]
    fn email_config_requires_a_plain_from_address() {
        let src = |pairs: &[(&'static str, &'static str)]| pairs.iter().copied().collect::<HashMap<_, _>>();
        assert_eq!(EmailConfig::from_source(&src(&[])).unwrap_err().variable, "EMAIL_FROM");
        assert_eq!(
            EmailConfig::from_source(&src(&[("EMAIL_FROM", "Contoso <no-reply@example.com>")]))
                .unwrap_err()
                .variable,
            "EMAIL_FROM"
        );
        let c = EmailConfig::from_source(&src(&[
            ("EMAIL_FROM", "no-reply@example.com"),
            ("EMAIL_REPLY_TO", "support@example.com"),
            ("SES_CONFIGURATION_SET", "auth-mail"),
        ]))
        .unwrap();
        assert_eq!(c.reply_to.as_deref(), Some("support@example.com"));
        let bad = [("EMAIL_FROM", "no-reply@example.com"), ("EMAIL_REPLY_TO", "nope")];
        assert_eq!(
            EmailConfig::from_source(&src(&bad)).unwrap_err().variable,
            "EMAIL_REPLY_TO"
        );
        let bad = [
            ("EMAIL_FROM", "no-reply@example.com"),
            ("SES_CONFIGURATION_SET", "has space"),
        ];
        assert_eq!(
            EmailConfig::from_source(&src(&bad)).unwrap_err().variable,
            "SES_CONFIGURATION_SET"
        );
    }

    #[test]
    fn password_policy_reads_and_checks_every_variable() {
        let src = |pairs: &[(&'static str, &'static str)]| pairs.iter().copied().collect::<HashMap<_, _>>();
        assert_eq!(password_policy(&src(&[])).unwrap(), PasswordPolicy::default());
        // 0 is how the template says "no rule" (a Number parameter cannot be empty).
        let off = password_policy(&src(&[("PASSWORD_MAX_AGE_DAYS", "0"), ("PASSWORD_WARN_DAYS", "0")])).unwrap();
        assert_eq!(off, PasswordPolicy::default());
        let p = password_policy(&src(&[
            ("PASSWORD_MAX_AGE_DAYS", "90"),
            ("PASSWORD_WARN_DAYS", "14"),
            ("ON_VIOLATION", "restrict"),
            ("ON_UNKNOWN_CHANGE_TIME", "violation"),
            ("PASSWORD_CHANGED_ATTRIBUTE", "custom:pw_changed"),
        ]))
        .unwrap();
        assert_eq!((p.max_age_days, p.warn_days), (Some(90), Some(14)));
        assert_eq!(p.on_violation, OnViolation::Restrict);
        assert_eq!(p.on_unknown, OnUnknown::Violation);
        assert_eq!(p.changed_attribute, "custom:pw_changed");
        for (pairs, var) in [
            (vec![("PASSWORD_MAX_AGE_DAYS", "3651")], "PASSWORD_MAX_AGE_DAYS"),
            (vec![("PASSWORD_MAX_AGE_DAYS", "-1")], "PASSWORD_MAX_AGE_DAYS"),
            (vec![("PASSWORD_WARN_DAYS", "7")], "PASSWORD_WARN_DAYS"),
            (
                vec![("PASSWORD_MAX_AGE_DAYS", "30"), ("PASSWORD_WARN_DAYS", "30")],
                "PASSWORD_WARN_DAYS",
            ),
            (
                vec![("PASSWORD_CHANGED_ATTRIBUTE", "password_changed_at")],
                "PASSWORD_CHANGED_ATTRIBUTE",
            ),
            (
                vec![("FORCE_RESET_ATTRIBUTE", "custom:this_name_is_far_too_long")],
                "FORCE_RESET_ATTRIBUTE",
            ),
            (
                vec![("FORCE_RESET_ATTRIBUTE", "custom:password_changed_at")],
                "FORCE_RESET_ATTRIBUTE",
            ),
            (vec![("ON_VIOLATION", "block")], "ON_VIOLATION"),
            (vec![("ON_UNKNOWN_CHANGE_TIME", "deny")], "ON_UNKNOWN_CHANGE_TIME"),
        ] {
            let e = password_policy(&src(&pairs)).unwrap_err();
            assert_eq!(e.variable, var, "{pairs:?}");
        }
    }

    #[test]
    fn blank_values_count_as_unset() {
        assert_eq!(cfg(&[("APP_NAME", "  ")]).unwrap().default.app_name, "your app");
    }

    #[test]
    fn booleans_and_numbers() {
        assert_eq!(boolean("X", "FALSE"), Ok(false));
        assert_eq!(boolean("X", "1"), Ok(true));
        assert!(boolean("X", "maybe").is_err());
        assert_eq!(number::<u32>("X", "90", 1, 3650), Ok(90));
        assert!(number::<u32>("X", "-1", 1, 3650).is_err());
    }
}

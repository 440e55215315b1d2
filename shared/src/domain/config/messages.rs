//! Message settings: the default branding, and per app client overrides.

use std::collections::HashMap;

use serde::Deserialize;

use super::{ConfigError, Source};
use crate::domain::messages::{Branding, locale};
use crate::domain::settings::{self, Setting};

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
        use settings::{APP_NAME, BRAND_COLOR, RESET_URL};
        let mut default = Branding::default();
        if let Some(v) = src.get(APP_NAME.variable) {
            default.app_name = under(&APP_NAME, &APP_NAME, &v)?;
        }
        if let Some(v) = src.get(settings::DEFAULT_LOCALE.variable) {
            default.default_locale = locale_tag(&settings::DEFAULT_LOCALE, &v)?;
        }
        if let Some(v) = src.get(RESET_URL.variable) {
            default.reset_url = Some(under(&RESET_URL, &RESET_URL, &v)?);
        }
        if let Some(v) = src.get(BRAND_COLOR.variable) {
            default.accent_color = under(&BRAND_COLOR, &BRAND_COLOR, &v)?;
        }
        if let Some(v) = src.get(settings::TEMPORARY_PASSWORD_VALIDITY_DAYS.variable) {
            default.temporary_password_days = settings::TEMPORARY_PASSWORD_VALIDITY_DAYS.whole(&v)?;
        }
        let clients = match src.get(settings::CLIENT_SETTINGS.variable) {
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClientSettings {
    app_name: Option<String>,
    reset_url: Option<String>,
    brand_color: Option<String>,
    default_locale: Option<String>,
}

fn client_settings(json: &str, default: &Branding) -> Result<HashMap<String, Branding>, ConfigError> {
    let named = &settings::CLIENT_SETTINGS;
    named.text(json)?;
    let parsed: HashMap<String, ClientSettings> = serde_json::from_str(json)
        // Where, not what: serde's message quotes the offending value.
        .map_err(|e| {
            ConfigError::new(
                named.variable,
                format!(
                    "must be {} (unreadable at line {}, column {})",
                    named.described,
                    e.line(),
                    e.column()
                ),
            )
        })?;
    parsed
        .into_iter()
        .map(|(client, s)| {
            let mut b = default.clone();
            if let Some(v) = s.app_name {
                b.app_name = under(&settings::APP_NAME, named, &v)?;
            }
            if let Some(v) = s.reset_url {
                b.reset_url = Some(under(&settings::RESET_URL, named, &v)?);
            }
            if let Some(v) = s.brand_color {
                b.accent_color = under(&settings::BRAND_COLOR, named, &v)?;
            }
            if let Some(v) = s.default_locale {
                b.default_locale = locale_tag(named, &v)?;
            }
            Ok((client, b))
        })
        .collect()
}

/// `v` under `rule`'s rule; errors name `named` (the variable itself, or `CLIENT_SETTINGS`
/// for a value inside it).
fn under(rule: &Setting, named: &Setting, v: &str) -> Result<String, ConfigError> {
    rule.text(v)
        .map(str::to_owned)
        .map_err(|e| ConfigError::new(named.variable, e.problem))
}

fn locale_tag(setting: &Setting, v: &str) -> Result<String, ConfigError> {
    settings::DEFAULT_LOCALE
        .text(v)
        .ok()
        .and_then(locale::normalize)
        .ok_or_else(|| ConfigError::new(setting.variable, settings::DEFAULT_LOCALE.refuse(v).problem))
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
        // The defaults the settings document are the ones that apply.
        assert_eq!(c.default.app_name, settings::APP_NAME.default);
        assert_eq!(c.default.default_locale, settings::DEFAULT_LOCALE.default);
        assert_eq!(c.default.accent_color, settings::BRAND_COLOR.default);
        assert_eq!(
            c.default.temporary_password_days.to_string(),
            settings::TEMPORARY_PASSWORD_VALIDITY_DAYS.default
        );
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
    fn blank_values_count_as_unset() {
        assert_eq!(cfg(&[("APP_NAME", "  ")]).unwrap().default.app_name, "your app");
    }
}

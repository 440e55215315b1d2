//! Message settings: the default branding, and per app client overrides.

use std::collections::HashMap;

use serde::Deserialize;

use super::{ConfigError, Source};
use crate::messages::{Branding, locale};
use crate::settings::{self, Setting};

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
    fn blank_values_count_as_unset() {
        assert_eq!(cfg(&[("APP_NAME", "  ")]).unwrap().default.app_name, "your app");
    }
}

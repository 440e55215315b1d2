//! What the gallery renders with: the functions' settings from an env file (`config/local.env`
//! by default, as `make watch` uses) and the environment, read by the functions' own parsers.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use cognito_reset::domain::settings;

/// Settings the senders require but the gallery does not show, with stand-in values.
/// `SEND_ENABLED` is always on (a dry run sends nothing, so there would be nothing to show)
/// and the delivery table always off (nothing is delivered).
const STAND_INS: [(&str, &str); 3] = [
    ("KEY_ARN", "arn:aws:kms:us-east-1:111122223333:key/preview"),
    ("EMAIL_FROM", "no-reply@example.com"),
    ("SMS_ALLOWED_COUNTRIES", "ALL"),
];

/// Variables read for every build of the gallery, and so watched by `make preview`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    values: BTreeMap<String, String>,
}

impl Settings {
    /// `env_file` (KEY=VALUE lines, `#` comments) overlaid by the environment's variables
    /// that are function settings.
    pub fn load(env_file: Option<&Path>) -> Result<Self, String> {
        let file = match env_file {
            Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
            None => String::new(),
        };
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::from_parts(&file, &env)
    }

    pub fn from_parts(env_file: &str, env: &[(String, String)]) -> Result<Self, String> {
        let mut values: BTreeMap<String, String> = STAND_INS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        for (n, line) in env_file.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(format!("env file line {}: expected KEY=VALUE", n + 1));
            };
            values.insert(key.trim().to_owned(), value.trim().to_owned());
        }
        for (key, value) in env {
            if settings::ALL.iter().any(|s| s.variable == key) {
                values.insert(key.clone(), value.clone());
            }
        }
        values.insert("SEND_ENABLED".to_owned(), "true".to_owned());
        values.remove("DELIVERY_TABLE");
        Ok(Settings { values })
    }

    /// The settings as the functions' parsers read them.
    pub fn source(&self) -> HashMap<&str, &str> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    /// The app clients named in `CLIENT_SETTINGS`, in order.
    pub fn client_ids(&self) -> Vec<String> {
        let Some(raw) = self.values.get("CLIENT_SETTINGS") else {
            return Vec::new();
        };
        match serde_json::from_str::<BTreeMap<String, serde_json::Value>>(raw) {
            Ok(map) => map.into_keys().collect(),
            Err(_) => Vec::new(),
        }
    }

    /// What the index page lists: the message settings in effect (no stand-ins).
    pub fn shown(&self) -> Vec<(&str, &str)> {
        settings::ALL
            .iter()
            .filter(|s| s.functions.contains(&"custom-message"))
            .filter_map(|s| self.values.get(s.variable).map(|v| (s.variable, v.as_str())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_env_file_then_the_environment_then_the_fixed_switches() {
        let file = "# comment\nAPP_NAME=Contoso\n\nBRAND_COLOR = #123456\nSEND_ENABLED=false\nDELIVERY_TABLE=t\n";
        let env = vec![
            ("APP_NAME".to_owned(), "Fabrikam".to_owned()),
            ("HOME".to_owned(), "/root".to_owned()),
        ];
        let s = Settings::from_parts(file, &env).unwrap();
        let src = s.source();
        assert_eq!(src["APP_NAME"], "Fabrikam");
        assert_eq!(src["BRAND_COLOR"], "#123456");
        assert_eq!(src["SEND_ENABLED"], "true");
        assert_eq!(src["EMAIL_FROM"], "no-reply@example.com");
        assert!(!src.contains_key("DELIVERY_TABLE"));
        assert!(!src.contains_key("HOME"));
        assert_eq!(s.shown(), vec![("APP_NAME", "Fabrikam"), ("BRAND_COLOR", "#123456")]);
    }

    #[test]
    fn a_line_without_equals_is_an_error_naming_the_line() {
        let e = Settings::from_parts("APP_NAME=x\nnonsense\n", &[]).unwrap_err();
        assert_eq!(e, "env file line 2: expected KEY=VALUE");
    }

    #[test]
    fn client_ids_come_from_client_settings() {
        let env = vec![(
            "CLIENT_SETTINGS".to_owned(),
            r##"{"web":{"appName":"W"},"admin":{"brandColor":"#000"}}"##.to_owned(),
        )];
        assert_eq!(Settings::from_parts("", &env).unwrap().client_ids(), ["admin", "web"]);
    }
}

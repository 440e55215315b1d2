//! The email sender's settings.

use super::{ConfigError, Source, optional};
use crate::domain::settings;

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
        let from = src.get("EMAIL_FROM").ok_or_else(|| settings::EMAIL_FROM.missing())?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

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
}

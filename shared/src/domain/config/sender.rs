//! What both custom senders need besides messages: the KMS key, the dry-run switch, the pool check.

use super::{ConfigError, Source, flag};
use crate::domain::settings;

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
        let key = &settings::KEY_ARN;
        let key_arn = src.get(key.variable).ok_or_else(|| key.missing())?;
        key.text(&key_arn)?;
        let send_enabled = flag(src, &settings::SEND_ENABLED)?;
        let require_pool_context = flag(src, &settings::REQUIRE_POOL_CONTEXT)?;
        Ok(SenderConfig {
            key_arn,
            send_enabled,
            require_pool_context,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

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
}

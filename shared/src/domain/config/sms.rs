//! The SMS sender's settings.

use super::{ConfigError, Source, optional};
use crate::domain::settings;

/// Which service delivers SMS (`SMS_BACKEND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmsService {
    /// Amazon SNS `Publish` to a phone number (the default).
    #[default]
    Sns,
    /// AWS End User Messaging SMS `SendTextMessage`.
    EndUserMessaging,
}

/// The SMS sender's settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SmsConfig {
    /// `SMS_BACKEND`.
    pub service: SmsService,
    /// End User Messaging only: `SMS_ORIGINATION_IDENTITY`, `SMS_CONFIGURATION_SET`,
    /// `SMS_PROTECT_CONFIGURATION_ID`, `SMS_MAX_PRICE_USD`.
    pub origination_identity: Option<String>,
    pub configuration_set: Option<String>,
    pub protect_configuration_id: Option<String>,
    pub max_price_usd: Option<String>,
    /// `SMS_ALLOWED_COUNTRIES` (required): the countries SMS may go to; `ALL` leaves the set
    /// empty, which allows every country.
    pub allowed_countries: super::AllowedCountries,
    /// `SMS_SENDER_ID`: alphanumeric sender ID (where countries support one).
    pub sender_id: Option<String>,
    /// `SMS_ORIGINATION_NUMBER`: E.164 number to send from.
    pub origination_number: Option<String>,
    /// `SMS_OTP_DOMAIN`: adds the origin-bound `@domain #code` line.
    pub otp_domain: Option<String>,
    /// `SMS_APP_HASH`: Android SMS Retriever hash, 11 characters.
    pub app_hash: Option<String>,
}

impl SmsConfig {
    pub fn from_source(src: &impl Source) -> Result<Self, ConfigError> {
        let mut c = SmsConfig::default();
        let countries = &settings::SMS_ALLOWED_COUNTRIES;
        let list = src.get(countries.variable).ok_or_else(|| countries.missing())?;
        if list != "ALL" {
            c.allowed_countries = super::AllowedCountries::of(countries.text(&list)?);
        }
        if let Some(v) = src.get("SMS_BACKEND") {
            c.service = match settings::SMS_BACKEND.one_of(&v)? {
                "end-user-messaging" => SmsService::EndUserMessaging,
                _ => SmsService::Sns,
            };
        }
        c.origination_identity = optional(src, &settings::SMS_ORIGINATION_IDENTITY)?;
        c.configuration_set = optional(src, &settings::SMS_CONFIGURATION_SET)?;
        c.protect_configuration_id = optional(src, &settings::SMS_PROTECT_CONFIGURATION_ID)?;
        c.max_price_usd = optional(src, &settings::SMS_MAX_PRICE_USD)?;
        // A setting of the other service would be silently ignored: refuse it.
        let (theirs, ours) = match c.service {
            SmsService::Sns => (
                [
                    "SMS_ORIGINATION_IDENTITY",
                    "SMS_CONFIGURATION_SET",
                    "SMS_PROTECT_CONFIGURATION_ID",
                    "SMS_MAX_PRICE_USD",
                ]
                .as_slice(),
                "sns",
            ),
            SmsService::EndUserMessaging => (
                ["SMS_SENDER_ID", "SMS_ORIGINATION_NUMBER"].as_slice(),
                "end-user-messaging",
            ),
        };
        if let Some(var) = theirs.iter().find(|v| src.get(v).is_some()) {
            return Err(ConfigError::new(
                var,
                format!("belongs to the other SMS service; SMS_BACKEND is {ours}"),
            ));
        }
        c.sender_id = optional(src, &settings::SMS_SENDER_ID)?;
        c.origination_number = optional(src, &settings::SMS_ORIGINATION_NUMBER)?;
        if let Some(v) = &c.origination_number {
            // The rule checks the shape; the phone library whether the number can exist.
            crate::domain::phone::validate(Some(v), &super::AllowedCountries::default())
                .map_err(|_| settings::SMS_ORIGINATION_NUMBER.refuse(v))?;
        }
        c.otp_domain = optional(src, &settings::SMS_OTP_DOMAIN)?.map(|v| v.to_ascii_lowercase());
        c.app_hash = optional(src, &settings::SMS_APP_HASH)?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

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
        let eum = SmsConfig::from_source(&src(&[
            ("SMS_ALLOWED_COUNTRIES", "US"),
            ("SMS_BACKEND", "end-user-messaging"),
            ("SMS_ORIGINATION_IDENTITY", "+12065550199"),
            ("SMS_CONFIGURATION_SET", "auth-sms"),
            ("SMS_PROTECT_CONFIGURATION_ID", "protect-0123456789abcdef"),
            ("SMS_MAX_PRICE_USD", "0.05"),
        ]))
        .unwrap();
        assert_eq!(eum.service, SmsService::EndUserMessaging);
        assert_eq!(eum.max_price_usd.as_deref(), Some("0.05"));
        for (backend, var, value) in [
            ("sns", "SMS_MAX_PRICE_USD", "0.05"),
            ("sns", "SMS_ORIGINATION_IDENTITY", "+12065550199"),
            ("end-user-messaging", "SMS_SENDER_ID", "Contoso"),
        ] {
            let e = SmsConfig::from_source(&src(&[
                ("SMS_ALLOWED_COUNTRIES", "US"),
                ("SMS_BACKEND", backend),
                (var, value),
            ]))
            .unwrap_err();
            assert_eq!(e.variable, var, "{backend}");
            assert!(e.problem.contains("other SMS service"), "{e}");
        }
        for (var, bad) in [
            ("SMS_BACKEND", "pinpoint"),
            ("SMS_MAX_PRICE_USD", "5"),
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
}

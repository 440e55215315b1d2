//! Phone number validation and the country allow-list, with Google's libphonenumber metadata
//! (the `phonenumber` crate) rather than a hand-written pattern: it knows which numbers exist
//! in which country, which is what an allow-list against SMS pumping needs.

use std::collections::BTreeSet;
use std::str::FromStr;

use phonenumber::{Mode, country};

use crate::redact;

/// A number that passed validation.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidPhone {
    /// E.164, e.g. `+12065550123`.
    pub e164: String,
    /// ISO 3166 alpha-2 of the region the number belongs to, e.g. `US`.
    pub country: String,
}

impl std::fmt::Debug for ValidPhone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidPhone")
            .field("e164", &redact::Phone(&self.e164))
            .field("country", &self.country)
            .finish()
    }
}

/// Why a number is not sent to. Never carries the number itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the user has no phone_number attribute")]
    Missing,
    #[error("the phone number is not in E.164 form (+ and country code)")]
    NotE164,
    #[error("the phone number is not a valid number in any country")]
    Invalid,
    #[error("the phone number is in {0}, which is not in SMS_ALLOWED_COUNTRIES")]
    CountryNotAllowed(String),
}

/// The countries SMS may go to; empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedCountries(BTreeSet<String>);

impl AllowedCountries {
    /// Parses a comma-separated list of ISO 3166 alpha-2 codes (`US, ca ,GB`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut set = BTreeSet::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let upper = item.to_ascii_uppercase();
            if country::Id::from_str(&upper).is_err() {
                return Err(format!("{item:?} is not an ISO 3166 alpha-2 country code"));
            }
            set.insert(upper);
        }
        Ok(AllowedCountries(set))
    }

    pub fn allows(&self, country: &str) -> bool {
        self.0.is_empty() || self.0.contains(country)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Validates the user's `phone_number` attribute (Cognito stores E.164) against the
/// numbering plan and the allow-list.
pub fn validate(raw: Option<&str>, allowed: &AllowedCountries) -> Result<ValidPhone, PhoneError> {
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(PhoneError::Missing)?;
    let digits = raw.strip_prefix('+').ok_or(PhoneError::NotE164)?;
    if !(7..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PhoneError::NotE164);
    }
    let number = phonenumber::parse(None, raw).map_err(|_| PhoneError::Invalid)?;
    if !number.is_valid() {
        return Err(PhoneError::Invalid);
    }
    let country = number
        .country()
        .id()
        .map(|id| id.as_ref().to_owned())
        .ok_or(PhoneError::Invalid)?;
    if !allowed.allows(&country) {
        return Err(PhoneError::CountryNotAllowed(country));
    }
    Ok(ValidPhone {
        e164: number.format().mode(Mode::E164).to_string(),
        country,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> AllowedCountries {
        AllowedCountries::default()
    }

    #[test]
    fn valid_numbers_give_e164_and_country() {
        let p = validate(Some("+12065550123"), &all()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.e164, "+12065550123");
        assert_eq!(p.country, "US");
        assert_eq!(
            validate(Some("+442071234567"), &all()).map(|p| p.country),
            Ok("GB".into())
        );
        assert_eq!(
            validate(Some("+5511987654321"), &all()).map(|p| p.country),
            Ok("BR".into())
        );
        assert_eq!(
            validate(Some(" +33612345678 "), &all()).map(|p| p.country),
            Ok("FR".into())
        );
    }

    #[test]
    fn malformed_numbers_are_refused() {
        assert_eq!(validate(None, &all()), Err(PhoneError::Missing));
        assert_eq!(validate(Some(""), &all()), Err(PhoneError::Missing));
        assert_eq!(validate(Some("2065550123"), &all()), Err(PhoneError::NotE164));
        assert_eq!(validate(Some("+1 206 555 0123"), &all()), Err(PhoneError::NotE164));
        assert_eq!(validate(Some("+1206555012a"), &all()), Err(PhoneError::NotE164));
        assert_eq!(validate(Some("+1234567890123456"), &all()), Err(PhoneError::NotE164));
        assert_eq!(validate(Some("+1234567890"), &all()), Err(PhoneError::Invalid));
        assert_eq!(validate(Some("+99912345678"), &all()), Err(PhoneError::Invalid));
    }

    #[test]
    fn the_allow_list_blocks_other_countries() {
        let us_ca = AllowedCountries::parse("us, CA").unwrap();
        assert!(validate(Some("+12065550123"), &us_ca).is_ok());
        assert_eq!(
            validate(Some("+442071234567"), &us_ca),
            Err(PhoneError::CountryNotAllowed("GB".into()))
        );
        assert!(AllowedCountries::parse("US,XX").is_err());
        assert!(AllowedCountries::parse("USA").is_err());
        assert!(AllowedCountries::parse("").unwrap().is_empty());
    }

    #[test]
    fn errors_never_carry_the_number() {
        for e in [
            validate(Some("+1234567890"), &all()),
            validate(Some("12065550123"), &all()),
        ] {
            let text = e.unwrap_err().to_string();
            assert!(!text.contains("2065550123") && !text.contains("234567890"), "{text}");
        }
    }
}

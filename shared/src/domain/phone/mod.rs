//! Phone number validation and the country allow-list, with Google's libphonenumber metadata
//! rather than a hand-written pattern: it knows which numbers exist in which country, which is
//! what an allow-list against SMS pumping needs.
//!
//! The metadata is the `phonenumber` crate's copy of libphonenumber's, written out as Rust
//! statics in [`data`] (generated; a test fails when it differs from the crate's, and says how
//! to regenerate it). The crate itself is not linked: loading its database parses every one of
//! its thousands of regular expressions (`CachedRegexBuilder::build` runs `regex_syntax` on
//! each), which the first number checked pays for (`make bench`, "Phone validation
//! candidates"). Here a region's few expressions are compiled the first
//! time a number from its calling code is checked, with `regex-lite` (already linked by the AWS
//! SDK): a US number compiles the US expressions and nothing else.
//!
//! The rules are the crate's, step for step, for the E.164 strings Cognito stores (the crate's
//! `parse(None, ..)` then `is_valid`, `country().id()` and E.164 formatting); a test runs both
//! over every example number in the metadata and thousands of variations of them and requires
//! the same answer.

#[rustfmt::skip]
mod data;

use std::sync::OnceLock;

use regex_lite::Regex;

pub use crate::domain::config::AllowedCountries;
use crate::domain::redact;

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
    let (code, national) = country_calling_code(digits).ok_or(PhoneError::Invalid)?;
    let national = national_significant_number(code, national);
    if !(MIN_NATIONAL..=MAX_NATIONAL).contains(&national.len()) || national.bytes().all(|b| b == b'0') {
        return Err(PhoneError::Invalid);
    }
    let region = region_of(code, &national).ok_or(PhoneError::Invalid)?;
    if !region.compiled().is_some_and(|r| r.is_valid(&national)) {
        return Err(PhoneError::Invalid);
    }
    let country = region.data.id.to_owned();
    if !allowed.allows(&country) {
        return Err(PhoneError::CountryNotAllowed(country));
    }
    Ok(ValidPhone {
        e164: format!("+{}{national}", region.data.code),
        country,
    })
}

// libphonenumber's bounds on a national significant number.
const MIN_NATIONAL: usize = 2;
const MAX_NATIONAL: usize = 17;

/// Splits E.164 digits into the calling code (the shortest prefix of 1 to 3 digits that the
/// metadata knows) and the rest.
fn country_calling_code(digits: &str) -> Option<(u16, &str)> {
    if digits.starts_with('0') {
        return None;
    }
    (1..=3.min(digits.len())).find_map(|len| {
        let code: u16 = digits[..len].parse().ok()?;
        (!regions(code).is_empty()).then(|| (code, &digits[len..]))
    })
}

/// The regions sharing a calling code, the main one first (as libphonenumber orders them).
fn regions(code: u16) -> &'static [Region] {
    let all = regions_table();
    let start = all.partition_point(|r| r.data.code < code);
    let end = all.partition_point(|r| r.data.code <= code);
    &all[start..end]
}

/// The national number with a national (trunk) prefix removed when the region's rules say so,
/// as the crate's parser does for numbers written with `+`.
fn national_significant_number(code: u16, national: &str) -> String {
    let Some(region) = region_of(code, national.trim_start_matches('0')) else {
        return national.to_owned();
    };
    let Some(rules) = region.compiled() else {
        return national.to_owned();
    };
    let mut potential = rules.strip_national_prefix(national);
    if let Some(prefix) = region.data.national_prefix
        && let Some(rest) = potential.strip_prefix(prefix)
    {
        potential = rest.to_owned();
    }
    if rules.too_short(&potential) {
        national.to_owned()
    } else {
        potential
    }
}

/// The region a national number belongs to among those sharing its calling code: the only one,
/// else the first whose leading digits match or, without leading digits, that has a number
/// type for it. `None` for non-geographic codes (+800, +882 ...) and numbers of no region.
fn region_of(code: u16, national: &str) -> Option<&'static Region> {
    let candidates = regions(code);
    if let [only] = candidates {
        return (only.data.id != NON_GEOGRAPHIC).then_some(only);
    }
    candidates.iter().find(|region| {
        let Some(rules) = region.compiled() else {
            return false;
        };
        match &rules.leading_digits {
            Some(leading) => leading.is_match(national),
            None => rules.is_valid(national),
        }
    })
}

/// libphonenumber's region id for non-geographic calling codes.
const NON_GEOGRAPHIC: &str = "001";

/// A region's metadata and its expressions, compiled on first use.
struct Region {
    data: &'static data::Region,
    compiled: OnceLock<Option<Rules>>,
}

impl Region {
    fn compiled(&self) -> Option<&Rules> {
        self.compiled.get_or_init(|| Rules::compile(self.data)).as_ref()
    }
}

fn regions_table() -> &'static [Region] {
    static TABLE: OnceLock<Vec<Region>> = OnceLock::new();
    TABLE.get_or_init(|| {
        data::REGIONS
            .iter()
            .map(|data| Region {
                data,
                compiled: OnceLock::new(),
            })
            .collect()
    })
}

struct Rules {
    general: Descriptor,
    types: Vec<Descriptor>,
    leading_digits: Option<Regex>,
    national_prefix_for_parsing: Option<Regex>,
    national_prefix_transform_rule: Option<&'static str>,
    general_lengths: &'static [u16],
    local_lengths: &'static [u16],
    national_prefix: Option<&'static str>,
}

/// A number type's pattern (matched from the start of the number) and its possible lengths.
struct Descriptor {
    pattern: Regex,
    lengths: &'static [u16],
}

impl Descriptor {
    fn compile(data: &data::Descriptor) -> Option<Self> {
        Some(Descriptor {
            pattern: at_start(data.pattern)?,
            lengths: data.lengths,
        })
    }

    fn is_match(&self, national: &str) -> bool {
        let length_ok =
            self.lengths.is_empty() || u16::try_from(national.len()).is_ok_and(|len| self.lengths.contains(&len));
        length_ok && self.pattern.is_match(national)
    }
}

fn at_start(pattern: &str) -> Option<Regex> {
    Regex::new(&format!("^(?:{pattern})")).ok()
}

/// `Some(None)` without a pattern, `None` when the pattern does not compile.
fn optional(pattern: Option<&str>, compile: fn(&str) -> Option<Regex>) -> Option<Option<Regex>> {
    match pattern {
        None => Some(None),
        Some(p) => compile(p).map(Some),
    }
}

impl Rules {
    /// `None` only if the metadata held an expression `regex-lite` refuses (a test compiles
    /// every region's); numbers of such a region are then refused as invalid.
    fn compile(data: &'static data::Region) -> Option<Self> {
        Some(Rules {
            general: Descriptor::compile(&data.general)?,
            types: data.types.iter().map(Descriptor::compile).collect::<Option<_>>()?,
            leading_digits: optional(data.leading_digits, at_start)?,
            national_prefix_for_parsing: optional(data.national_prefix_for_parsing, |p| Regex::new(p).ok())?,
            national_prefix_transform_rule: data.national_prefix_transform_rule,
            general_lengths: data.general.lengths,
            local_lengths: data.local_lengths,
            national_prefix: data.national_prefix,
        })
    }

    /// A number of this region: it fits the general pattern and one of the number types.
    fn is_valid(&self, national: &str) -> bool {
        self.general.is_match(national) && self.types.iter().any(|t| t.is_match(national))
    }

    /// Shorter than every number of the region (and not a local-only length).
    fn too_short(&self, national: &str) -> bool {
        let len = u16::try_from(national.len()).unwrap_or(u16::MAX);
        match self.general_lengths.first() {
            Some(&min) => !self.local_lengths.contains(&len) && len < min,
            None => false,
        }
    }

    /// Removes the national prefix (and carrier code) the way the region's
    /// `nationalPrefixForParsing` and `nationalPrefixTransformRule` say.
    fn strip_national_prefix(&self, national: &str) -> String {
        let Some(parsing) = &self.national_prefix_for_parsing else {
            return match self.national_prefix.and_then(|p| national.strip_prefix(p)) {
                Some(rest) => rest.to_owned(),
                None => national.to_owned(),
            };
        };
        let Some(found) = parsing.find(national).filter(|m| m.start() == 0) else {
            return national.to_owned();
        };
        let last_group_matched = parsing.captures(national).is_some_and(|c| c.get(c.len() - 1).is_some());
        match self.national_prefix_transform_rule {
            Some(rule) if last_group_matched => {
                let transformed = parsing.replace(national, rule).into_owned();
                if self.general.is_match(national) && !self.general.is_match(&transformed) {
                    national.to_owned()
                } else {
                    transformed
                }
            }
            _ => national[found.end()..].to_owned(),
        }
    }
}

#[cfg(test)]
mod reference;

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
    fn numbers_of_regions_that_share_a_calling_code_get_their_own_region() {
        let country = |n: &str| validate(Some(n), &all()).map(|p| p.country);
        assert_eq!(country("+15062345678"), Ok("CA".into()));
        assert_eq!(country("+441534456789"), Ok("JE".into()));
        assert_eq!(country("+79123456789"), Ok("RU".into()));
        assert_eq!(country("+77710009998"), Ok("KZ".into()));
        // An Italian fixed line keeps its leading zero (the phonenumber crate loses the region).
        assert_eq!(country("+390212345678"), Ok("IT".into()));
        // Non-geographic calling codes (+800 freephone) have no country to allow.
        assert_eq!(country("+80012345678"), Err(PhoneError::Invalid));
    }

    #[test]
    fn a_national_prefix_written_after_the_calling_code_is_dropped() {
        let p = validate(Some("+4402071234567"), &all()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.e164.as_str(), p.country.as_str()), ("+442071234567", "GB"));
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
        let us_ca = AllowedCountries::of("US,CA");
        assert!(validate(Some("+12065550123"), &us_ca).is_ok());
        assert_eq!(
            validate(Some("+442071234567"), &us_ca),
            Err(PhoneError::CountryNotAllowed("GB".into()))
        );
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

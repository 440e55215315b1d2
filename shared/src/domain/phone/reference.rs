//! The `phonenumber` crate as the reference for [`super`]: the generated metadata must be the
//! crate's, and the validator must answer as the crate does.
//!
//! Regenerate `data.rs` after upgrading the crate: `make phone-data` (tools/gen-phone-data).

use gen_phone_data::{regions, types};
use phonenumber::metadata::{DATABASE, Descriptor};

use super::{AllowedCountries, PhoneError, validate};

#[test]
fn the_generated_metadata_is_the_crates() {
    let fresh = gen_phone_data::render("");
    assert!(
        gen_phone_data::body(include_str!("data.rs")) == gen_phone_data::body(&fresh),
        "src/domain/phone/data.rs differs from the phonenumber crate's metadata; regenerate it: make phone-data"
    );
}

#[test]
fn the_generated_country_list_is_the_crates() {
    let fresh = gen_phone_data::render_countries("");
    assert!(
        gen_phone_data::countries_body(include_str!("../settings/countries.rs"))
            == gen_phone_data::countries_body(&fresh),
        "src/domain/settings/countries.rs differs from the phonenumber crate's regions; regenerate it: make phone-data"
    );
    // The settings accept exactly the countries the validator knows.
    for region in super::data::REGIONS.iter().filter(|r| r.id.len() == 2) {
        assert!(crate::domain::settings::is_country(region.id), "{}", region.id);
    }
}

#[test]
fn every_regions_expressions_compile() {
    for region in super::regions_table() {
        assert!(region.compiled().is_some(), "{}", region.data.id);
    }
}

/// The crate's answer: E.164 and country of a valid number.
fn crate_answer(raw: &str) -> Option<(String, String)> {
    let n = phonenumber::parse(None, raw).ok()?;
    if !n.is_valid() {
        return None;
    }
    let country = match n.country().id() {
        Some(id) => id.as_ref().to_owned(),
        None => region_keeping_leading_zeros(n.country().code(), &n.national().to_string())?,
    };
    Some((n.format().mode(phonenumber::Mode::E164).to_string(), country))
}

/// The crate's own region lookup (`validator::source_for`, private), on the national number
/// with its leading zeros. `PhoneNumber::country()` looks the region up without them, so for an
/// Italian fixed line (+39 02 ...), which `is_valid` accepts, it finds no country: the crate
/// would have every Italian landline refused. This validator keeps the zeros, as libphonenumber
/// does.
fn region_keeping_leading_zeros(code: u16, national: &str) -> Option<String> {
    let regions = DATABASE.by_code(&code)?;
    regions
        .into_iter()
        .find(|m| match m.leading_digits() {
            Some(leading) => leading.find(national).is_some_and(|found| found.start() == 0),
            None => m.descriptors().general().is_match(national) && types(m).iter().any(|t| t.is_match(national)),
        })
        .map(|m| m.id().to_owned())
        .filter(|id| id != "001")
}

fn our_answer(raw: &str) -> Option<(String, String)> {
    match validate(Some(raw), &AllowedCountries::default()) {
        Ok(p) => Some((p.e164, p.country)),
        Err(PhoneError::Invalid) => None,
        Err(e) => panic!("{raw}: {e}"),
    }
}

/// Variations of a number that land near the edges of the rules: a digit changed at every
/// position, one dropped or added, the national prefix written after the calling code.
fn variations(code: u16, national: &str, prefix: Option<&str>) -> Vec<String> {
    let mut out = vec![format!("+{code}{national}")];
    let digits: Vec<u8> = national.bytes().collect();
    for i in 0..digits.len() {
        for step in [1, 3, 7] {
            let mut d = digits.clone();
            d[i] = b'0' + (d[i] - b'0' + step) % 10;
            out.push(format!("+{code}{}", String::from_utf8_lossy(&d)));
        }
    }
    out.push(format!("+{code}{}", &national[..national.len() - 1]));
    out.push(format!("+{code}{national}9"));
    out.push(format!("+{code}0{national}"));
    if let Some(p) = prefix {
        out.push(format!("+{code}{p}{national}"));
    }
    out.retain(|s| (8..=16).contains(&s.len()));
    out
}

#[test]
fn answers_as_the_crate_does_on_every_example_number_and_variations_of_them() {
    let mut compared = 0;
    let mut valid = 0;
    let mut mismatches = Vec::new();
    for m in regions() {
        let d = m.descriptors();
        let examples = [d.general()]
            .into_iter()
            .chain(types(m))
            .chain(
                [
                    d.emergency(),
                    d.short_code(),
                    d.standard_rate(),
                    d.carrier(),
                    d.no_international(),
                ]
                .into_iter()
                .flatten(),
            )
            .filter_map(Descriptor::example);
        for example in examples {
            for raw in variations(m.country_code(), example, m.national_prefix()) {
                let theirs = crate_answer(&raw);
                let ours = our_answer(&raw);
                compared += 1;
                valid += usize::from(theirs.is_some());
                if theirs != ours {
                    mismatches.push(format!("{raw}: crate {theirs:?}, ours {ours:?}"));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {compared} differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // The variations reach both answers in number, so the comparison means something.
    assert!(
        compared > 20_000 && valid > 3_000 && compared - valid > 3_000,
        "{compared} compared, {valid} valid"
    );
}

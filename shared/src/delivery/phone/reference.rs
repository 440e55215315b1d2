//! The `phonenumber` crate as the reference for [`super`]: the generated metadata must be the
//! crate's, and the validator must answer as the crate does.
//!
//! Regenerate `data.rs` after upgrading the crate:
//! `UPDATE_PHONE_DATA=1 cargo test -p cognito-reset --features sns phone::reference`.

use std::fmt::Write as _;

use phonenumber::metadata::{DATABASE, Descriptor, Metadata};

use super::{AllowedCountries, PhoneError, validate};

/// The crate's version, from the lock file, for the generated file's header.
fn crate_version() -> String {
    let lock = include_str!("../../../../Cargo.lock");
    let at = lock.find("name = \"phonenumber\"").expect("phonenumber in Cargo.lock");
    let line = lock[at..].lines().nth(1).expect("a version line");
    line.trim_start_matches("version = ").trim_matches('"').to_owned()
}

/// A pattern as the crate compiles it (whitespace ignored), in a raw string.
fn pattern(p: &str) -> String {
    let p: String = p.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(!p.contains('"') && !p.contains('#'), "{p}");
    format!("r\"{p}\"")
}

fn option(p: Option<&str>) -> String {
    p.map_or_else(|| "None".to_owned(), |p| format!("Some({})", pattern(p)))
}

fn descriptor(d: &Descriptor) -> String {
    format!(
        "Descriptor {{ pattern: {}, lengths: &{:?} }}",
        pattern(d.national_number().as_str()),
        d.possible_length()
    )
}

/// The number types libphonenumber classifies a number into; a number is valid when it is one.
fn types(m: &Metadata) -> Vec<&Descriptor> {
    let d = m.descriptors();
    [
        d.premium_rate(),
        d.toll_free(),
        d.shared_cost(),
        d.voip(),
        d.personal_number(),
        d.pager(),
        d.uan(),
        d.voicemail(),
        d.fixed_line(),
        d.mobile(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every region, grouped by calling code in ascending order, in the crate's order within a code
/// (the main country first).
fn regions() -> Vec<&'static Metadata> {
    let mut codes: Vec<u16> = DATABASE.iter().map(Metadata::country_code).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
        .into_iter()
        .flat_map(|code| DATABASE.by_code(&code).unwrap_or_default())
        .collect()
}

#[allow(
    clippy::redundant_closure_for_method_calls,
    reason = "the method's type (regex_cache::CachedRegex) is in a crate this one does not name"
)]
fn render() -> String {
    let mut out = format!(
        "// @generated from the metadata of the phonenumber crate {} (libphonenumber's) by\n\
         // `UPDATE_PHONE_DATA=1 cargo test -p cognito-reset --features sns phone::reference`.\n\
         // Do not edit. The metadata is Google's libphonenumber, Apache License 2.0.\n\n\
         /// A region's numbering plan, as libphonenumber's metadata gives it.\n\
         pub(super) struct Region {{\n    pub id: &'static str,\n    pub code: u16,\n    \
         pub national_prefix: Option<&'static str>,\n    \
         pub national_prefix_for_parsing: Option<&'static str>,\n    \
         pub national_prefix_transform_rule: Option<&'static str>,\n    \
         pub leading_digits: Option<&'static str>,\n    pub general: Descriptor,\n    \
         pub local_lengths: &'static [u16],\n    pub types: &'static [Descriptor],\n}}\n\n\
         pub(super) struct Descriptor {{\n    pub pattern: &'static str,\n    \
         pub lengths: &'static [u16],\n}}\n\n\
         /// Sorted by calling code; within a code, the main region first.\n\
         pub(super) static REGIONS: &[Region] = &[\n",
        crate_version()
    );
    for m in regions() {
        let general = m.descriptors().general();
        let _ = write!(
            out,
            "    Region {{\n        id: \"{}\",\n        code: {},\n        national_prefix: {:?},\n        \
             national_prefix_for_parsing: {},\n        national_prefix_transform_rule: {:?},\n        \
             leading_digits: {},\n        general: {},\n        local_lengths: &{:?},\n        types: &[\n",
            m.id(),
            m.country_code(),
            m.national_prefix(),
            option(m.national_prefix_for_parsing().map(|r| r.as_str())),
            m.national_prefix_transform_rule(),
            option(m.leading_digits().map(|r| r.as_str())),
            descriptor(general),
            general.possible_local_length(),
        );
        for t in types(m) {
            let _ = writeln!(out, "            {},", descriptor(t));
        }
        out.push_str("        ],\n    },\n");
    }
    out.push_str("];\n");
    out
}

#[test]
fn the_generated_metadata_is_the_crates() {
    let fresh = render();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/delivery/phone/data.rs");
    if std::env::var_os("UPDATE_PHONE_DATA").is_some() {
        std::fs::write(path, &fresh).expect("write data.rs");
    }
    assert!(
        include_str!("data.rs") == fresh,
        "src/delivery/phone/data.rs differs from the phonenumber crate's metadata; regenerate it: \
         UPDATE_PHONE_DATA=1 cargo test -p cognito-reset --features sns phone::reference"
    );
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

//! The phone validator's metadata (`shared/src/domain/phone/data.rs`) and the list of countries
//! the settings accept (`shared/src/domain/settings/countries.rs`), rendered from the
//! `phonenumber` crate's, which is libphonenumber's. `make phone-data` writes them after the
//! crate is upgraded; the common crate's tests compare the files with [`render`]'s and
//! [`render_countries`]'s output.

use std::fmt::Write as _;

use phonenumber::metadata::{DATABASE, Descriptor, Metadata};

/// Where the metadata starts after its header (the header names the crate's version).
pub const BODY_START: &str = "/// A region's numbering plan";

/// The rendered file from [`BODY_START`] on.
pub fn body(rendered: &str) -> &str {
    rendered.find(BODY_START).map_or("", |at| &rendered[at..])
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
pub fn types(m: &Metadata) -> Vec<&Descriptor> {
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
pub fn regions() -> Vec<&'static Metadata> {
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
pub fn render(version: &str) -> String {
    let mut out = format!(
        "// @generated from the metadata of the phonenumber crate {version} (libphonenumber's) by\n\
         // `make phone-data` (tools/gen-phone-data). Do not edit.\n\
         // The metadata is Google's libphonenumber, Apache License 2.0.\n\n\
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
         pub(super) static REGIONS: &[Region] = &[\n"
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

/// Where the country list starts after its header.
pub const COUNTRIES_START: &str = "/// Every region libphonenumber";

/// The countries file from [`COUNTRIES_START`] on.
pub fn countries_body(rendered: &str) -> &str {
    rendered.find(COUNTRIES_START).map_or("", |at| &rendered[at..])
}

/// The ISO 3166 alpha-2 code of every region with a numbering plan, sorted, as a Rust static
/// the settings search (without the validator's metadata, so every function can link it).
pub fn render_countries(version: &str) -> String {
    let mut ids: Vec<&str> = regions().iter().map(|m| m.id()).filter(|id| id.len() == 2).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = format!(
        "// @generated from the metadata of the phonenumber crate {version} (libphonenumber's) by\n\
         // `make phone-data` (tools/gen-phone-data). Do not edit.\n\n\
         /// Every region libphonenumber has a numbering plan for: ISO 3166 alpha-2, sorted.\n\
         pub(super) static COUNTRIES: &[&str] = &[\n"
    );
    for chunk in ids.chunks(12) {
        let line: Vec<String> = chunk.iter().map(|id| format!("\"{id}\"")).collect();
        let _ = writeln!(out, "    {},", line.join(", "));
    }
    out.push_str("];\n");
    out
}

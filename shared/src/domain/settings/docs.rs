//! What `make settings` writes from [`super::ALL`]: the book's configuration table and
//! `shared/settings.json`. Tests compare both files with these functions' output.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{ALL, Rule, Setting};

fn shown_default(s: &Setting) -> String {
    match (s.optional, s.default) {
        (false, _) => "required".to_owned(),
        (true, "") => "unset".to_owned(),
        (true, d) => format!("`{d}`"),
    }
}

/// The configuration table (Markdown, `docs/src/configuration.md`), one row per setting.
pub fn configuration_table() -> String {
    let mut out = String::from("| variable | functions | default | meaning |\n| --- | --- | --- | --- |\n");
    for s in ALL {
        let functions = if s.functions.len() == super::FUNCTIONS.len() {
            "all".to_owned()
        } else {
            s.functions.join(", ")
        };
        let _ = writeln!(
            out,
            "| `{}` | {functions} | {} | {} |",
            s.variable,
            shown_default(s),
            s.doc.replace('|', "\\|")
        );
    }
    out
}

/// The markers around the table in `docs/src/configuration.md`.
pub const TABLE_START: &str = "<!-- settings:start (written by make settings from shared/src/domain/settings) -->\n";
pub const TABLE_END: &str = "<!-- settings:end -->";

/// `page` with the table between its markers replaced by [`configuration_table`]; `None` when the
/// markers are missing.
pub fn with_configuration_table(page: &str) -> Option<String> {
    let start = page.find(TABLE_START)? + TABLE_START.len();
    let end = start + page[start..].find(TABLE_END)?;
    Some(format!("{}{}{}", &page[..start], configuration_table(), &page[end..]))
}

fn rule(s: &Setting) -> Value {
    match s.rule {
        Rule::Whole { min, max } => json!({"kind": "whole", "min": min, "max": max}),
        Rule::OneOf(values) => json!({"kind": "oneOf", "values": values}),
        Rule::Text { .. } => json!({"kind": "text", "pattern": super::written_pattern(s)}),
        Rule::Flag => json!({"kind": "flag"}),
    }
}

/// Every setting as JSON, for typed front ends (an npm package's options, say): the variable,
/// its option name (none when the deployment wires it), the functions that read it, whether it is required, its default, its rule and its text.
/// Patterns are Java's and JavaScript's common subset (JavaScript needs the `u` flag for
/// `\p{..}`). The countries are libphonenumber's regions, as the settings accept them.
pub fn settings_json() -> String {
    let settings: Vec<Value> = ALL
        .iter()
        .map(|s| {
            json!({
                "variable": s.variable,
                "option": s.option(),
                "functions": s.functions,
                "required": !s.optional,
                "default": (!s.default.is_empty()).then_some(s.default),
                "rule": rule(s),
                "described": s.described,
                "doc": s.doc,
                "secret": s.secret,
            })
        })
        .collect();
    let doc = json!({
        "description": "Every environment variable the cognito-reset functions read. Generated from shared/src/domain/settings by `make settings`; do not edit.",
        "settings": settings,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

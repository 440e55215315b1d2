//! What `make settings` writes from [`super::ALL`]: the README's configuration table and
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

/// The README's configuration table (Markdown), one row per setting.
pub fn readme_table() -> String {
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

/// The README's markers around the table.
pub const README_START: &str = "<!-- settings:start (written by make settings from shared/src/settings) -->\n";
pub const README_END: &str = "<!-- settings:end -->";

/// `readme` with the table between its markers replaced by [`readme_table`]; `None` when the
/// markers are missing.
pub fn with_readme_table(readme: &str) -> Option<String> {
    let start = readme.find(README_START)? + README_START.len();
    let end = start + readme[start..].find(README_END)?;
    Some(format!("{}{}{}", &readme[..start], readme_table(), &readme[end..]))
}

fn rule(s: &Setting) -> Value {
    match s.rule {
        Rule::Whole { min, max } => json!({"kind": "whole", "min": min, "max": max}),
        Rule::OneOf(values) => json!({"kind": "oneOf", "values": values}),
        Rule::Text { pattern, .. } => json!({"kind": "text", "pattern": pattern}),
        Rule::Flag => json!({"kind": "flag"}),
    }
}

/// Every setting as JSON, for typed front ends (an npm package's options, say): the variable,
/// the functions that read it, whether it is required, its default, its rule and its text.
pub fn settings_json() -> String {
    let settings: Vec<Value> = ALL
        .iter()
        .map(|s| {
            json!({
                "variable": s.variable,
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
        "description": "Every environment variable the cognito-reset functions read. Generated from shared/src/settings by `make settings`; do not edit.",
        "settings": settings,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

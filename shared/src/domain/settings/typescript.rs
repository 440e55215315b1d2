//! The npm package's typed options, written from the settings by `make settings`
//! (`npm/cognito-reset/src/settings.ts`): one documented, typed option per setting a user
//! writes (the deployment wires the rest), and every setting's rule as data, which the
//! package's own check applies at synth time with the functions' messages.

use std::fmt::Write as _;

use serde_json::Value;

use super::{ALL, FUNCTIONS, Rule, SMS_ALLOWED_COUNTRIES, Setting, known_countries};

/// Where `make settings` writes [`typescript_settings`], from the workspace root.
pub const TYPESCRIPT_PATH: &str = "npm/cognito-reset/src/settings.ts";

fn quoted(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// Quoted values joined by `separator`: `", "` for an array's items, `" | "` for a union.
fn joined(values: impl IntoIterator<Item = impl AsRef<str>>, separator: &str) -> String {
    values
        .into_iter()
        .map(|v| quoted(v.as_ref()))
        .collect::<Vec<_>>()
        .join(separator)
}

fn union(values: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    joined(values, " | ")
}

/// The option's TypeScript type.
fn option_type(s: &Setting) -> String {
    match s.rule {
        _ if s.variable == SMS_ALLOWED_COUNTRIES.variable => "'ALL' | readonly [Country, ...Country[]]".to_owned(),
        Rule::Whole { .. } => "number".to_owned(),
        Rule::Flag => "boolean".to_owned(),
        Rule::OneOf(values) => union(values),
        Rule::Text { .. } => "string".to_owned(),
    }
}

/// A TSDoc comment at two spaces of indent.
fn tsdoc(s: &Setting) -> String {
    let mut first = upper_first(s.doc);
    if !first.ends_with(['.', ')']) {
        first.push('.');
    }
    let mut lines = vec![first];
    let mut facts = vec![format!("Must be {}.", s.described)];
    if !s.default.is_empty() {
        facts.push(format!("Default: `{}`.", s.default));
    }
    if !s.optional {
        facts.push("Required by the functions that read it.".to_owned());
    }
    facts.push(format!(
        "Variable `{}`, read by {}.",
        s.variable,
        s.functions.join(", ")
    ));
    lines.push(String::new());
    lines.push(facts.join(" "));
    let body: Vec<String> = lines
        .iter()
        .map(|l| format!("   *{}{}", if l.is_empty() { "" } else { " " }, l.replace("*/", "*\\/")))
        .collect();
    format!("  /**\n{}\n   */\n", body.join("\n"))
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn rule_literal(s: &Setting) -> String {
    match s.rule {
        Rule::Whole { min, max } => format!("{{ kind: 'whole', min: {min}, max: {max} }}"),
        Rule::OneOf(values) => format!("{{ kind: 'oneOf', values: [{}] }}", joined(values, ", ")),
        Rule::Flag => "{ kind: 'flag' }".to_owned(),
        Rule::Text { .. } => format!(
            "{{ kind: 'text', pattern: {} }}",
            quoted(&super::written_pattern(s).unwrap_or_default())
        ),
    }
}

/// The whole file.
pub fn typescript_settings() -> String {
    let mut out = String::from(
        "// @generated from shared/src/domain/settings by `make settings`. Do not edit.\n\n\
         /** A function of cognito-reset, by its package (and binary) name. */\n",
    );
    let _ = writeln!(out, "export type FunctionName = {};\n", union(FUNCTIONS));
    let _ = writeln!(
        out,
        "/** Every function. */\nexport const FUNCTIONS: readonly FunctionName[] = [{}];\n",
        joined(FUNCTIONS, ", ")
    );
    out.push_str("/** An ISO 3166 alpha-2 code SMS may go to: a region of libphonenumber's. */\n");
    let _ = writeln!(
        out,
        "export type Country =\n  | {};\n",
        joined(known_countries(), "\n  | ")
    );
    out.push_str(
        "/** The functions' options: one per setting a user writes (the deployment wires the key,\n \
         * the pool, the delivery table and its hash key; a database URL is read only locally). Unset options take the functions'\n \
         * defaults. */\nexport interface Options {\n",
    );
    for s in ALL.iter().filter(|s| s.option().is_some()) {
        out.push_str(&tsdoc(s));
        let _ = writeln!(
            out,
            "  readonly {}?: {};",
            s.option().unwrap_or_default(),
            option_type(s)
        );
    }
    out.push_str("}\n\n");
    out.push_str(
        "/** What a setting accepts (the functions' rule). */\nexport type Rule =\n  \
         | { readonly kind: 'text'; readonly pattern: string }\n  \
         | { readonly kind: 'whole'; readonly min: number; readonly max: number }\n  \
         | { readonly kind: 'oneOf'; readonly values: readonly string[] }\n  \
         | { readonly kind: 'flag' };\n\n\
         /** One setting, as the functions define it. */\nexport interface Setting {\n  \
         readonly variable: string;\n  \
         /** The option a user writes; `null` when the deployment wires it. */\n  \
         readonly option: keyof Options | null;\n  \
         readonly functions: readonly FunctionName[];\n  \
         readonly required: boolean;\n  \
         readonly rule: Rule;\n  \
         /** What a valid value is (the functions' error messages say it). */\n  \
         readonly described: string;\n  \
         /** Never echoed in a message. */\n  \
         readonly secret: boolean;\n  \
         /** The option is a list, written comma-separated. */\n  \
         readonly list: boolean;\n}\n\n\
         /** Every setting, in the functions' order. */\nexport const SETTINGS: readonly Setting[] = [\n",
    );
    for s in ALL {
        let option = s.option().map_or_else(|| "null".to_owned(), |o| quoted(&o));
        let _ = writeln!(
            out,
            "  {{\n    variable: {},\n    option: {option},\n    functions: [{}],\n    required: {},\n    rule: {},\n    described: {},\n    secret: {},\n    list: {},\n  }},",
            quoted(s.variable),
            joined(s.functions, ", "),
            !s.optional,
            rule_literal(s),
            quoted(s.described),
            s.secret,
            s.variable == SMS_ALLOWED_COUNTRIES.variable,
        );
    }
    out.push_str("];\n");
    out
}

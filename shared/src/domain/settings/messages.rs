//! What every message shows: the app's name, language, links and colour.

use super::{BASE, MESSAGING, Rule, Setting};

/// Longest accepted app name: it appears in SMS texts, which must stay one segment.
pub const APP_NAME_MAX: usize = 32;

pub const APP_NAME: Setting = Setting {
    variable: "APP_NAME",
    rule: Rule::Text {
        pattern: r"^[^{}\p{Cc}]{1,32}$",
        accepts: |v| {
            (1..=APP_NAME_MAX).contains(&v.chars().count())
                && !v.chars().any(|c| c.is_control() || c == '{' || c == '}')
        },
    },
    described: "an app name of at most 32 characters, without braces or control characters (braces could be mistaken for Cognito placeholders; longer names do not fit a one-part SMS)",
    functions: MESSAGING,
    default: "your app",
    doc: "product name in messages (at most 32 characters, so SMS stay one segment)",
    ..BASE
};

pub const DEFAULT_LOCALE: Setting = Setting {
    variable: "DEFAULT_LOCALE",
    rule: Rule::Text {
        pattern: r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$",
        accepts: |v| {
            let mut parts = v.split(['-', '_']);
            parts
                .next()
                .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()))
                && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
        },
    },
    described: "a language tag such as en, pt-BR or de-DE",
    functions: MESSAGING,
    default: "en",
    doc: "language when the request and the user have none we ship",
    ..BASE
};

pub const RESET_URL: Setting = Setting {
    variable: "RESET_URL",
    rule: Rule::Text {
        pattern: r#"^(https://|http://localhost|http://127\.0\.0\.1)[^"<>\p{Z}\p{Cc}]*$"#,
        accepts: |v| {
            ["https://", "http://localhost", "http://127.0.0.1"]
                .iter()
                .any(|p| v.starts_with(p))
                && !v
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
        },
    },
    described: "an https:// URL (http:// only for localhost) without spaces, quotes or angle brackets",
    functions: MESSAGING,
    doc: "base URL of the app's reset page, for a link in ForgotPassword email (`https://`, or `http://localhost`); the code goes in its `#` fragment",
    ..BASE
};

pub const BRAND_COLOR: Setting = Setting {
    variable: "BRAND_COLOR",
    rule: Rule::Text {
        pattern: "^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$",
        accepts: |v| {
            v.strip_prefix('#')
                .is_some_and(|hex| (hex.len() == 3 || hex.len() == 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
        },
    },
    described: "a colour as #rgb or #rrggbb",
    functions: MESSAGING,
    default: "#2f6fed",
    doc: "accent colour of the email layout",
    ..BASE
};

pub const TEMPORARY_PASSWORD_VALIDITY_DAYS: Setting = Setting {
    variable: "TEMPORARY_PASSWORD_VALIDITY_DAYS",
    rule: Rule::Whole { min: 1, max: 365 },
    described: "a whole number of days from 1 to 365 (Cognito's range)",
    functions: MESSAGING,
    default: "3",
    doc: "shown in AdminCreateUser messages; keep it equal to the pool's setting",
    ..BASE
};

pub const CLIENT_SETTINGS: Setting = Setting {
    variable: "CLIENT_SETTINGS",
    rule: Rule::Text {
        pattern: r"^\{[\s\S]*\}$",
        accepts: |v| v.starts_with('{') && v.ends_with('}'),
    },
    described: "a JSON object of app client ids, each with appName, resetUrl, brandColor and defaultLocale (each optional)",
    functions: MESSAGING,
    doc: "per app client overrides, JSON: `{\"<app client id>\": {\"appName\": \"...\", \"resetUrl\": \"...\", \"brandColor\": \"...\", \"defaultLocale\": \"...\"}}`",
    ..BASE
};

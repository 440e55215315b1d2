//! The senders' delivery table: one message per request, and the limits.

use super::{BASE, CUSTOM_EMAIL_SENDER, CUSTOM_SMS_SENDER, Rule, SENDERS, Setting};

const SMS: &[&str] = &[CUSTOM_SMS_SENDER];
const EMAIL: &[&str] = &[CUSTOM_EMAIL_SENDER];

/// The shortest `DELIVERY_HASH_KEY`, in characters.
pub const MIN_HASH_KEY: usize = 32;

pub const DELIVERY_TABLE: Setting = Setting {
    variable: "DELIVERY_TABLE",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9_.-]{3,255}$",
        accepts: |v| (3..=255).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)),
    },
    described: "a DynamoDB table name (3 to 255 letters, digits, _ . -)",
    functions: SENDERS,
    doc: "the senders' DynamoDB [delivery table](senders.md#delivery-table); unset: no table",
    wired: true,
    ..BASE
};

pub const DELIVERY_HASH_KEY: Setting = Setting {
    variable: "DELIVERY_HASH_KEY",
    rule: Rule::Text {
        pattern: r"^[\s\S]{32,}$",
        accepts: |v| v.chars().count() >= MIN_HASH_KEY,
    },
    described: "at least 32 characters of secret (the template generates one in Secrets Manager)",
    functions: SENDERS,
    doc: "the HMAC key recipients are hashed with (at least 32 characters; required with the table)",
    secret: true,
    wired: true,
    ..BASE
};

pub const MAX_SMS_PER_NUMBER: Setting = Setting {
    variable: "MAX_SMS_PER_NUMBER",
    rule: Rule::Whole { min: 1, max: 1000 },
    described: "a whole number of SMS per number per window from 1 to 1000",
    functions: SMS,
    default: "5",
    doc: "SMS per number per window (1-1000): requested messages (reset, sign-up, resend, verification)",
    ..BASE
};

pub const MAX_EMAIL_PER_ADDRESS: Setting = Setting {
    variable: "MAX_EMAIL_PER_ADDRESS",
    rule: Rule::Whole { min: 1, max: 1000 },
    described: "a whole number of emails per address per window from 1 to 1000",
    functions: EMAIL,
    default: "10",
    doc: "emails per mailbox per window (1-1000): requested messages (reset, sign-up, resend, verification)",
    ..BASE
};

pub const MAX_SIGN_IN_CODES_PER_RECIPIENT: Setting = Setting {
    variable: "MAX_SIGN_IN_CODES_PER_RECIPIENT",
    rule: Rule::Whole { min: 1, max: 1000 },
    described: "a whole number of sign-in codes per recipient per window from 1 to 1000",
    functions: SENDERS,
    default: "20",
    doc: "sign-in codes per number or mailbox per window (1-1000)",
    ..BASE
};

pub const LIMIT_WINDOW_SECONDS: Setting = Setting {
    variable: "LIMIT_WINDOW_SECONDS",
    rule: Rule::Whole { min: 60, max: 86_400 },
    described: "a whole number of seconds from 60 to 86400",
    functions: SENDERS,
    default: "3600",
    doc: "the limits' window (60-86400)",
    ..BASE
};

pub const MAX_SMS_PER_POOL_PER_DAY: Setting = Setting {
    variable: "MAX_SMS_PER_POOL_PER_DAY",
    rule: Rule::Whole {
        min: 0,
        max: 10_000_000,
    },
    described: "a whole number of SMS per pool per UTC day from 0 (no ceiling) to 10000000",
    functions: SMS,
    default: "0",
    doc: "requested SMS per pool per UTC day (0: none); never stops sign-in codes",
    ..BASE
};

pub const ON_TABLE_ERROR: Setting = Setting {
    variable: "ON_TABLE_ERROR",
    rule: Rule::OneOf(&["deliver", "fail"]),
    described: "deliver or fail",
    functions: SENDERS,
    default: "deliver",
    doc: "`deliver` or `fail` when the table cannot be reached",
    ..BASE
};

//! What the custom senders need: the key, the switches, and each service's own settings.

use super::{BASE, CUSTOM_EMAIL_SENDER, CUSTOM_SMS_SENDER, Rule, SENDERS, Setting};

const SMS: &[&str] = &[CUSTOM_SMS_SENDER];
const EMAIL: &[&str] = &[CUSTOM_EMAIL_SENDER];

/// `arn:<partition>:kms:<region>:<account>:key/<key id>`; an alias cannot decrypt.
fn is_key_arn(v: &str) -> bool {
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    !v.chars().any(char::is_control)
        && parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == "kms"
        && parts[5].len() > 4
        && parts[5].starts_with("key/")
}

pub const KEY_ARN: Setting = Setting {
    variable: "KEY_ARN",
    rule: Rule::Text {
        pattern: r"^arn:[^:\p{Cc}]*:kms:[^:\p{Cc}]*:[^:\p{Cc}]*:key/[^\p{Cc}]+$",
        accepts: is_key_arn,
    },
    optional: false,
    described: "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>); aliases cannot decrypt",
    functions: SENDERS,
    doc: "ARN of the KMS key Cognito encrypts codes with (a key ARN, not an alias)",
    wired: true,
    ..BASE
};

pub const SEND_ENABLED: Setting = Setting {
    variable: "SEND_ENABLED",
    described: "true or false",
    functions: SENDERS,
    default: "true",
    doc: "`false`: the senders log (masked) what they would send and send nothing",
    ..BASE
};

pub const REQUIRE_POOL_CONTEXT: Setting = Setting {
    variable: "REQUIRE_POOL_CONTEXT",
    described: "true or false",
    functions: SENDERS,
    default: "true",
    doc: "refuse codes without the `userpool-id` encryption context Cognito adds (`false` only for local stand-ins such as cognito-local)",
    ..BASE
};

/// COUNTRIES stands for the exact list of codes the phone library knows (see
/// [`countries_pattern`]); the template spells it out.
const COUNTRIES_PATTERN: &str = "^(ALL|COUNTRIES(,COUNTRIES)*)$";

pub const SMS_ALLOWED_COUNTRIES: Setting = Setting {
    variable: "SMS_ALLOWED_COUNTRIES",
    rule: Rule::Text {
        pattern: COUNTRIES_PATTERN,
        accepts: |v| v == "ALL" || v.split(',').all(is_country),
    },
    optional: false,
    described: "ALL, or ISO 3166 alpha-2 country codes in capitals separated by commas, such as US,CA (required: SMS to every country invites SMS pumping)",
    functions: SMS,
    doc: "`ALL`, or the ISO 3166 alpha-2 codes SMS may go to, in capitals, comma-separated, e.g. `US,CA`",
    ..BASE
};

/// Whether `code` is an ISO 3166 alpha-2 code of a country with a numbering plan
/// (libphonenumber's regions, generated into `countries.rs` by `make phone-data`).
pub fn is_country(code: &str) -> bool {
    super::countries::COUNTRIES.binary_search(&code).is_ok()
}

/// Every ISO 3166 alpha-2 code [`is_country`] accepts, sorted.
pub fn known_countries() -> Vec<String> {
    super::countries::COUNTRIES.iter().map(|&c| c.to_owned()).collect()
}

/// The template's pattern for [`SMS_ALLOWED_COUNTRIES`] with the codes written out.
pub fn countries_pattern(codes: &[String]) -> String {
    COUNTRIES_PATTERN.replace("COUNTRIES", &format!("({})", codes.join("|")))
}

pub const SMS_SENDER_ID: Setting = Setting {
    variable: "SMS_SENDER_ID",
    rule: Rule::Text {
        pattern: "^(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{1,11}$",
        accepts: |v| {
            (1..=11).contains(&v.len())
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && v.chars().any(|c| c.is_ascii_alphabetic())
        },
    },
    described: "1 to 11 letters, digits or hyphens, with at least one letter",
    functions: SMS,
    doc: "SNS: alphanumeric sender ID (1-11 characters, where the country supports it)",
    ..BASE
};

pub const SMS_ORIGINATION_NUMBER: Setting = Setting {
    variable: "SMS_ORIGINATION_NUMBER",
    rule: Rule::Text {
        pattern: r"^\+[1-9][0-9]{6,14}$",
        accepts: |v| {
            v.strip_prefix('+').is_some_and(|digits| {
                (7..=15).contains(&digits.len())
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && !digits.starts_with('0')
            })
        },
    },
    described: "an E.164 number such as +12065550100",
    functions: SMS,
    doc: "SNS: E.164 number SMS are sent from",
    ..BASE
};

pub const SMS_OTP_DOMAIN: Setting = Setting {
    variable: "SMS_OTP_DOMAIN",
    rule: Rule::Text {
        pattern: r"^(?=.{1,64}$)[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$",
        accepts: |v| {
            v.len() <= 64
                && v.contains('.')
                && v.split('.')
                    .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        },
    },
    described: "a host name such as app.example.com (at most 64 characters)",
    functions: SMS,
    doc: "adds the `@domain #code` autofill line (iOS, Safari, WebOTP)",
    ..BASE
};

pub const SMS_APP_HASH: Setting = Setting {
    variable: "SMS_APP_HASH",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9+/]{11}$",
        accepts: |v| v.len() == 11 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'),
    },
    described: "the 11-character Android SMS Retriever app hash",
    functions: SMS,
    doc: "Android SMS Retriever app hash (11 characters)",
    ..BASE
};

pub const SMS_BACKEND: Setting = Setting {
    variable: "SMS_BACKEND",
    rule: Rule::OneOf(&["sns", "end-user-messaging"]),
    described: "sns or end-user-messaging",
    functions: SMS,
    default: "sns",
    doc: "`sns` or `end-user-messaging`",
    ..BASE
};

pub const SMS_ORIGINATION_IDENTITY: Setting = Setting {
    variable: "SMS_ORIGINATION_IDENTITY",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9_:/+-]{1,256}$",
        accepts: |v| {
            (1..=256).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || "_:/+-".contains(c))
        },
    },
    described: "an End User Messaging origination identity: a phone number (E.164), sender ID, pool id, or one of their ARNs",
    functions: SMS,
    doc: "End User Messaging: phone number, sender ID, pool id, or their ARN",
    ..BASE
};

/// Configuration set names and protect configuration ids, or their ARNs, as the service takes them.
fn is_eum_resource(v: &str) -> bool {
    (1..=256).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || "_:/-".contains(c))
}

pub const SMS_CONFIGURATION_SET: Setting = Setting {
    variable: "SMS_CONFIGURATION_SET",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9_:/-]{1,256}$",
        accepts: is_eum_resource,
    },
    described: "an End User Messaging configuration set name or ARN",
    functions: SMS,
    doc: "End User Messaging: configuration set name or ARN",
    ..BASE
};

pub const SMS_PROTECT_CONFIGURATION_ID: Setting = Setting {
    variable: "SMS_PROTECT_CONFIGURATION_ID",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9_:/-]{1,256}$",
        accepts: is_eum_resource,
    },
    described: "an End User Messaging protect configuration id or ARN",
    functions: SMS,
    doc: "End User Messaging: protect configuration id or ARN",
    ..BASE
};

pub const SMS_MAX_PRICE_USD: Setting = Setting {
    variable: "SMS_MAX_PRICE_USD",
    rule: Rule::Text {
        pattern: r"^[0-9]{0,2}\.[0-9]{1,5}$",
        accepts: |v| {
            v.split_once('.').is_some_and(|(whole, cents)| {
                whole.len() <= 2
                    && (1..=5).contains(&cents.len())
                    && whole.bytes().chain(cents.bytes()).all(|b| b.is_ascii_digit())
            })
        },
    },
    described: "the most to pay per message part in US dollars, with a decimal point, such as 0.05 (the service's MaxPrice)",
    functions: SMS,
    doc: "End User Messaging: the most to pay per message part, e.g. `0.05`",
    ..BASE
};

const EMAIL_PATTERN: &str = concat!(
    r"^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*",
    r"@(?=[^@]{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$"
);

fn is_email(v: &str) -> bool {
    crate::domain::delivery::validate_email(Some(v)).is_ok_and(|e| e == v)
}

pub const EMAIL_FROM: Setting = Setting {
    variable: "EMAIL_FROM",
    rule: Rule::Text {
        pattern: EMAIL_PATTERN,
        accepts: is_email,
    },
    optional: false,
    described: "a plain address such as no-reply@example.com (the verified SES identity email is sent from)",
    functions: EMAIL,
    doc: "verified SES address email is sent from",
    ..BASE
};

pub const EMAIL_REPLY_TO: Setting = Setting {
    variable: "EMAIL_REPLY_TO",
    rule: Rule::Text {
        pattern: EMAIL_PATTERN,
        accepts: is_email,
    },
    described: "a plain address such as support@example.com",
    functions: EMAIL,
    doc: "reply-to address",
    ..BASE
};

pub const SES_CONFIGURATION_SET: Setting = Setting {
    variable: "SES_CONFIGURATION_SET",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9_-]{1,64}$",
        accepts: |v| {
            (1..=64).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        },
    },
    described: "an SES configuration set name: 1 to 64 letters, digits, hyphens or underscores",
    functions: EMAIL,
    doc: "SES configuration set for sending events",
    ..BASE
};

//! The rule of every setting the deployment template can give a function: one source of
//! truth for the functions' parsers ([`crate::config`]) and for the template's parameter
//! constraints. The template's `MinValue`/`MaxValue`, `AllowedValues` and `AllowedPattern`
//! must say exactly what these rules say; a workspace test reads `infra/template.json` and
//! checks it, parameter by parameter, and checks each pattern against its parser on samples.
//!
//! Patterns are written in the common subset of Java's regular expressions (which
//! CloudFormation uses for `AllowedPattern`) and the `fancy-regex` crate (which the test uses).

use crate::config::ConfigError;

/// What a setting accepts.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// A whole number in `min..=max`. Template: `Type: Number` with `MinValue` and `MaxValue`.
    Whole { min: u32, max: u32 },
    /// Exactly one of these values. Template: `AllowedValues`.
    OneOf(&'static [&'static str]),
    /// Text the parser `accepts`, as the `pattern` describes. Template: `AllowedPattern`
    /// (with `^$|` in front when the setting is optional: an empty value means unset).
    Text {
        pattern: &'static str,
        accepts: fn(&str) -> bool,
    },
}

/// One setting: its variable, its rule, and the rule in words for error messages.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub variable: &'static str,
    pub rule: Rule,
    /// Whether the variable may be unset (or, from the template, empty).
    pub optional: bool,
    /// What a valid value is, as a user reads it.
    pub described: &'static str,
}

impl Setting {
    /// The error for a value that breaks the rule. A number or a listed word is echoed; free
    /// text is not, since it may be an address or a phone number (`EMAIL_FROM`,
    /// `SMS_ORIGINATION_IDENTITY`), which never go to a log unmasked.
    pub fn refuse(&self, value: &str) -> ConfigError {
        let problem = match self.rule {
            Rule::Text { .. } => format!("must be {}", self.described),
            Rule::Whole { .. } | Rule::OneOf(_) => {
                let shown: String = value.chars().take(16).collect();
                format!("must be {}, not {shown:?}", self.described)
            }
        };
        ConfigError::new(self.variable, problem)
    }

    /// Reads a whole number under this setting's rule.
    pub fn whole(&self, value: &str) -> Result<u32, ConfigError> {
        match (self.rule, value.parse::<u32>()) {
            (Rule::Whole { min, max }, Ok(n)) if (min..=max).contains(&n) => Ok(n),
            _ => Err(self.refuse(value)),
        }
    }

    /// Reads one of the allowed values (exactly as listed: `deny`, not `Deny`).
    pub fn one_of(&self, value: &str) -> Result<&'static str, ConfigError> {
        match self.rule {
            Rule::OneOf(values) => values
                .iter()
                .copied()
                .find(|v| *v == value)
                .ok_or_else(|| self.refuse(value)),
            _ => Err(self.refuse(value)),
        }
    }

    /// Checks text under this setting's rule.
    pub fn text<'v>(&self, value: &'v str) -> Result<&'v str, ConfigError> {
        match self.rule {
            Rule::Text { accepts, .. } if accepts(value) => Ok(value),
            _ => Err(self.refuse(value)),
        }
    }

    /// The template's `AllowedPattern` for a text setting.
    pub fn template_pattern(&self) -> Option<String> {
        match self.rule {
            Rule::Text { pattern, .. } if self.optional => Some(format!("^$|{pattern}")),
            Rule::Text { pattern, .. } => Some(pattern.to_owned()),
            _ => None,
        }
    }
}

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
    optional: true,
    described: "an app name of at most 32 characters, without braces or control characters (braces could be mistaken for Cognito placeholders; longer names do not fit a one-part SMS)",
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
    optional: true,
    described: "a language tag such as en, pt-BR or de-DE",
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
    optional: true,
    described: "an https:// URL (http:// only for localhost) without spaces, quotes or angle brackets",
};

pub const TEMPORARY_PASSWORD_VALIDITY_DAYS: Setting = Setting {
    variable: "TEMPORARY_PASSWORD_VALIDITY_DAYS",
    rule: Rule::Whole { min: 1, max: 365 },
    optional: true,
    described: "a whole number of days from 1 to 365 (Cognito's range)",
};

/// COUNTRIES stands for the exact list of codes the phone library knows (see
/// [`countries_pattern`]); the template spells it out.
const COUNTRIES_PATTERN: &str = "^(ALL|COUNTRIES(,COUNTRIES)*)$";

pub const SMS_ALLOWED_COUNTRIES: Setting = Setting {
    variable: "SMS_ALLOWED_COUNTRIES",
    rule: Rule::Text {
        pattern: COUNTRIES_PATTERN,
        accepts: |v| v == "ALL" || v.split(',').all(crate::settings::is_country),
    },
    optional: false,
    described: "ALL, or ISO 3166 alpha-2 country codes in capitals separated by commas, such as US,CA (required: SMS to every country invites SMS pumping)",
};

/// Whether `code` is an ISO 3166 alpha-2 code of a country with a numbering plan.
pub fn is_country(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) && country_known(code)
}

#[cfg(feature = "sns")]
fn country_known(code: &str) -> bool {
    crate::delivery::phone::is_country(code)
}

// Without the phone library (functions that send no SMS) only the shape is checked.
#[cfg(not(feature = "sns"))]
fn country_known(_code: &str) -> bool {
    true
}

/// The template's pattern for [`SMS_ALLOWED_COUNTRIES`] with the codes written out.
pub fn countries_pattern(codes: &[String]) -> String {
    COUNTRIES_PATTERN.replace("COUNTRIES", &format!("({})", codes.join("|")))
}

const EMAIL: &str = concat!(
    r"^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*",
    r"@(?=[^@]{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$"
);

fn is_email(v: &str) -> bool {
    crate::delivery::validate_email(Some(v)).is_ok_and(|e| e == v)
}

pub const EMAIL_FROM: Setting = Setting {
    variable: "EMAIL_FROM",
    rule: Rule::Text {
        pattern: EMAIL,
        accepts: is_email,
    },
    optional: false,
    described: "a plain address such as no-reply@example.com (the verified SES identity email is sent from)",
};

pub const EMAIL_REPLY_TO: Setting = Setting {
    variable: "EMAIL_REPLY_TO",
    rule: Rule::Text {
        pattern: EMAIL,
        accepts: is_email,
    },
    optional: true,
    described: "a plain address such as support@example.com",
};

pub const SES_CONFIGURATION_SET: Setting = Setting {
    variable: "SES_CONFIGURATION_SET",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9_-]{1,64}$",
        accepts: |v| {
            (1..=64).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        },
    },
    optional: true,
    described: "an SES configuration set name: 1 to 64 letters, digits, hyphens or underscores",
};

pub const PASSWORD_MAX_AGE_DAYS: Setting = Setting {
    variable: "PASSWORD_MAX_AGE_DAYS",
    rule: Rule::Whole { min: 0, max: 3650 },
    optional: true,
    described: "a whole number of days from 0 to 3650 (0: no age rule)",
};

pub const PASSWORD_WARN_DAYS: Setting = Setting {
    variable: "PASSWORD_WARN_DAYS",
    rule: Rule::Whole { min: 0, max: 3649 },
    optional: true,
    described: "a whole number of days from 0 to 3649 (0: no warning; as long as PASSWORD_MAX_AGE_DAYS or longer: warned from the first day)",
};

pub const ON_VIOLATION: Setting = Setting {
    variable: "ON_VIOLATION",
    rule: Rule::OneOf(&["deny", "restrict"]),
    optional: true,
    described: "deny or restrict",
};

pub const ON_UNKNOWN_CHANGE_TIME: Setting = Setting {
    variable: "ON_UNKNOWN_CHANGE_TIME",
    rule: Rule::OneOf(&["allow", "violation"]),
    optional: true,
    described: "allow or violation",
};

pub const USER_POOL_ID: Setting = Setting {
    variable: "USER_POOL_ID",
    rule: Rule::Text {
        pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]+_[0-9A-Za-z]+$",
        accepts: is_user_pool_id,
    },
    optional: true,
    described: "a user pool ID such as us-east-1_AbCdEf123",
};

/// `<region>_<id>`: a region such as `us-east-1` or `us-gov-west-1`, and letters and digits.
pub fn is_user_pool_id(v: &str) -> bool {
    let Some((region, id)) = v.split_once('_') else {
        return false;
    };
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub const SMS_BACKEND: Setting = Setting {
    variable: "SMS_BACKEND",
    rule: Rule::OneOf(&["sns", "end-user-messaging"]),
    optional: true,
    described: "sns or end-user-messaging",
};

pub const SMS_ORIGINATION_IDENTITY: Setting = Setting {
    variable: "SMS_ORIGINATION_IDENTITY",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9_:/+-]{1,256}$",
        accepts: |v| {
            (1..=256).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || "_:/+-".contains(c))
        },
    },
    optional: true,
    described: "an End User Messaging origination identity: a phone number (E.164), sender ID, pool id, or one of their ARNs",
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
    optional: true,
    described: "an End User Messaging configuration set name or ARN",
};

pub const SMS_PROTECT_CONFIGURATION_ID: Setting = Setting {
    variable: "SMS_PROTECT_CONFIGURATION_ID",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9_:/-]{1,256}$",
        accepts: is_eum_resource,
    },
    optional: true,
    described: "an End User Messaging protect configuration id or ARN",
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
    optional: true,
    described: "the most to pay per message part in US dollars, with a decimal point, such as 0.05 (the service's MaxPrice)",
};

pub const DELIVERY_TABLE: Setting = Setting {
    variable: "DELIVERY_TABLE",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9_.-]{3,255}$",
        accepts: |v| (3..=255).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)),
    },
    optional: true,
    described: "a DynamoDB table name (3 to 255 letters, digits, _ . -)",
};

pub const MAX_SMS_PER_NUMBER: Setting = Setting {
    variable: "MAX_SMS_PER_NUMBER",
    rule: Rule::Whole { min: 1, max: 1000 },
    optional: true,
    described: "a whole number of SMS per number per window from 1 to 1000",
};

pub const MAX_EMAIL_PER_ADDRESS: Setting = Setting {
    variable: "MAX_EMAIL_PER_ADDRESS",
    rule: Rule::Whole { min: 1, max: 1000 },
    optional: true,
    described: "a whole number of emails per address per window from 1 to 1000",
};

pub const MAX_SIGN_IN_CODES_PER_RECIPIENT: Setting = Setting {
    variable: "MAX_SIGN_IN_CODES_PER_RECIPIENT",
    rule: Rule::Whole { min: 1, max: 1000 },
    optional: true,
    described: "a whole number of sign-in codes per recipient per window from 1 to 1000",
};

pub const LIMIT_WINDOW_SECONDS: Setting = Setting {
    variable: "LIMIT_WINDOW_SECONDS",
    rule: Rule::Whole { min: 60, max: 86_400 },
    optional: true,
    described: "a whole number of seconds from 60 to 86400",
};

pub const MAX_SMS_PER_POOL_PER_DAY: Setting = Setting {
    variable: "MAX_SMS_PER_POOL_PER_DAY",
    rule: Rule::Whole {
        min: 0,
        max: 10_000_000,
    },
    optional: true,
    described: "a whole number of SMS per pool per UTC day from 0 (no ceiling) to 10000000",
};

pub const ON_TABLE_ERROR: Setting = Setting {
    variable: "ON_TABLE_ERROR",
    rule: Rule::OneOf(&["deliver", "fail"]),
    optional: true,
    described: "deliver or fail",
};

pub const METRICS_NAMESPACE: Setting = Setting {
    variable: "METRICS_NAMESPACE",
    rule: Rule::Text {
        pattern: "^[A-Za-z0-9._#:/-]{1,255}$",
        accepts: |v| {
            (1..=255).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || "._#:/-".contains(c))
        },
    },
    optional: true,
    described: "a CloudWatch namespace: 1 to 255 letters, digits and . _ # : / -",
};

/// Every setting the template can set.
pub const ALL: [&Setting; 26] = [
    &APP_NAME,
    &DEFAULT_LOCALE,
    &RESET_URL,
    &TEMPORARY_PASSWORD_VALIDITY_DAYS,
    &SMS_ALLOWED_COUNTRIES,
    &EMAIL_FROM,
    &EMAIL_REPLY_TO,
    &SES_CONFIGURATION_SET,
    &PASSWORD_MAX_AGE_DAYS,
    &PASSWORD_WARN_DAYS,
    &ON_VIOLATION,
    &ON_UNKNOWN_CHANGE_TIME,
    &USER_POOL_ID,
    &SMS_BACKEND,
    &SMS_ORIGINATION_IDENTITY,
    &SMS_CONFIGURATION_SET,
    &SMS_PROTECT_CONFIGURATION_ID,
    &SMS_MAX_PRICE_USD,
    &DELIVERY_TABLE,
    &MAX_SMS_PER_NUMBER,
    &MAX_EMAIL_PER_ADDRESS,
    &MAX_SIGN_IN_CODES_PER_RECIPIENT,
    &LIMIT_WINDOW_SECONDS,
    &MAX_SMS_PER_POOL_PER_DAY,
    &ON_TABLE_ERROR,
    &METRICS_NAMESPACE,
];

/// The setting of `variable`, if the template can set it.
pub fn find(variable: &str) -> Option<&'static Setting> {
    ALL.iter().copied().find(|s| s.variable == variable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_values_and_name_the_variable() {
        assert_eq!(PASSWORD_MAX_AGE_DAYS.whole("0"), Ok(0));
        assert_eq!(PASSWORD_MAX_AGE_DAYS.whole("3650"), Ok(3650));
        let e = PASSWORD_MAX_AGE_DAYS.whole("3651").unwrap_err();
        assert_eq!(e.variable, "PASSWORD_MAX_AGE_DAYS");
        assert!(e.to_string().contains("from 0 to 3650"), "{e}");
        assert_eq!(ON_VIOLATION.one_of("restrict"), Ok("restrict"));
        assert!(
            ON_VIOLATION.one_of("Restrict").is_err(),
            "exactly as listed, as the template"
        );
        let e = EMAIL_FROM.text("jane.doe@example").unwrap_err();
        assert!(!e.to_string().contains("jane.doe"), "free text is not echoed: {e}");
        assert!(is_user_pool_id("us-east-1_AbC123") && is_user_pool_id("us-gov-west-1_x1"));
        assert!(!is_user_pool_id("us_east_1") && !is_user_pool_id("useast1_Ab") && !is_user_pool_id("us-east-1_"));
    }
}

//! The user migration function's own settings: where the legacy users are, and what a weak
//! legacy hash does.

use super::{BASE, Rule, Setting, USER_MIGRATION};

const MIGRATION: &[&str] = &[USER_MIGRATION];

/// `postgres://` or `postgresql://` and something after it, without control characters.
fn is_database_url(v: &str) -> bool {
    !v.chars().any(char::is_control)
        && ["postgres://", "postgresql://"]
            .iter()
            .any(|s| v.strip_prefix(s).is_some_and(|rest| !rest.is_empty()))
}

/// `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`.
fn is_secret_arn(v: &str) -> bool {
    let parts: Vec<&str> = v.splitn(7, ':').collect();
    let word = |p: &str, ok: fn(u8) -> bool| !p.is_empty() && p.bytes().all(ok);
    !v.chars().any(|c| c.is_control() || c.is_whitespace())
        && parts.len() == 7
        && parts[0] == "arn"
        && word(parts[1], |b| b.is_ascii_lowercase() || b == b'-')
        && parts[2] == "secretsmanager"
        && word(parts[3], |b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && parts[4].len() == 12
        && word(parts[4], |b| b.is_ascii_digit())
        && parts[5] == "secret"
        // The whole ARN, with the six characters Secrets Manager appends: IAM grants on it.
        && parts[6].rsplit_once('-').is_some_and(|(name, suffix)| {
            !name.is_empty() && suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

pub const LEGACY_DATABASE_URL: Setting = Setting {
    variable: "LEGACY_DATABASE_URL",
    rule: Rule::Text {
        pattern: r"^postgres(ql)?://[^\p{Cc}]+$",
        accepts: is_database_url,
    },
    described: "a PostgreSQL URL such as postgres://user:password@host:5432/db?sslmode=require",
    functions: MIGRATION,
    doc: "the legacy PostgreSQL store's URL, locally (`sslmode=require` or `verify-full`: TLS, verified; `disable`: only to a loopback address); the template and the npm package take `LEGACY_DATABASE_SECRET_ARN`",
    secret: true,
    local: true,
    ..BASE
};

pub const LEGACY_DATABASE_SECRET_ARN: Setting = Setting {
    variable: "LEGACY_DATABASE_SECRET_ARN",
    rule: Rule::Text {
        pattern: r"^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[^\s\p{Cc}]+-[A-Za-z0-9]{6}$",
        accepts: is_secret_arn,
    },
    described: "a Secrets Manager secret's complete ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)",
    functions: MIGRATION,
    doc: "the Secrets Manager secret holding the legacy database URL (or RDS's JSON with `host`, `port`, `username`, `password`, `dbname`), read once at init",
    ..BASE
};

pub const LEGACY_USER_QUERY: Setting = Setting {
    variable: "LEGACY_USER_QUERY",
    rule: Rule::Text {
        pattern: r"^[\s\S]*\$1[\s\S]*$",
        accepts: |v| v.contains("$1"),
    },
    described: "one SQL statement with $1 for the username and no other parameter",
    functions: MIGRATION,
    doc: "the SQL that finds a user: `$1` is the username; returns `password_hash`, columns named after Cognito attributes, optionally `password_changed_at`",
    ..BASE
};

pub const ON_WEAK_HASH: Setting = Setting {
    variable: "ON_WEAK_HASH",
    rule: Rule::OneOf(&["force-reset", "allow"]),
    described: "force-reset or allow",
    functions: MIGRATION,
    default: "force-reset",
    doc: "a legacy hash under bcrypt cost 10 or 100,000 PBKDF2 iterations: `force-reset` migrates the user with the forced-reset flag set, `allow` as any other",
    ..BASE
};

/// The characters a URL's path and query may hold (RFC 3986's unreserved and reserved ones,
/// `%` for escapes, no fragment).
fn is_path_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b)
}

/// `https://` and a host (a name, or an IPv6 address in brackets), or `http://` to `localhost`,
/// `127.0.0.1` or `[::1]`; then an optional port (1 to 65535), and a path or a query or nothing. Nothing
/// else: no credentials, no fragment, no space or control character.
fn is_endpoint(v: &str) -> bool {
    let rest = if let Some(rest) = v.strip_prefix("https://") {
        let host = if rest.starts_with('[') {
            rest.find(']').map_or(0, |end| {
                let inner = &rest.as_bytes()[1..end];
                if !inner.is_empty() && inner.iter().all(|b| b.is_ascii_hexdigit() || b":.".contains(b)) {
                    end + 1
                } else {
                    0
                }
            })
        } else {
            rest.bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || b".-".contains(b))
                .count()
        };
        if host == 0 {
            return false;
        }
        &rest[host..]
    } else if let Some(rest) = v.strip_prefix("http://") {
        match ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .find_map(|host| rest.strip_prefix(host))
        {
            Some(rest) => rest,
            None => return false,
        }
    } else {
        return false;
    };
    let rest = match rest.strip_prefix(':') {
        Some(port) => {
            // 1 to 65535, written without a leading zero.
            let digits = port.bytes().take_while(u8::is_ascii_digit).count();
            let number = &port[..digits];
            if number.starts_with('0') || number.parse::<u16>().is_err() {
                return false;
            }
            &port[digits..]
        }
        None => rest,
    };
    rest.is_empty() || (rest.starts_with(['/', '?']) && rest.bytes().all(is_path_char))
}

pub const LEGACY_USER_ENDPOINT: Setting = Setting {
    variable: "LEGACY_USER_ENDPOINT",
    rule: Rule::Text {
        pattern: r"^(https://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])|http://(localhost|127\.0\.0\.1|\[::1\]))(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?([/?][A-Za-z0-9._~!$&'()*+,;=:@/?%-]*)?$",
        accepts: is_endpoint,
    },
    described: "an https:// URL without credentials or a fragment, such as https://legacy.example.com/cognito/users (http:// only to localhost, 127.0.0.1 or [::1])",
    functions: MIGRATION,
    doc: "the team's HTTPS API that finds a legacy user, in place of a database: `POST {\"username\": ...}` with the bearer token, answered by `{\"user\": {...}}` or `{\"user\": null}`",
    ..BASE
};

pub const LEGACY_USER_ENDPOINT_TOKEN: Setting = Setting {
    variable: "LEGACY_USER_ENDPOINT_TOKEN",
    rule: Rule::Text {
        pattern: r"^[!-~]+$",
        accepts: |v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic()),
    },
    described: "a bearer token: printable ASCII without spaces",
    functions: MIGRATION,
    doc: "the bearer token `LEGACY_USER_ENDPOINT` is called with, locally; the template and the npm package take `LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN`",
    secret: true,
    local: true,
    ..BASE
};

pub const LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN: Setting = Setting {
    variable: "LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN",
    doc: "the Secrets Manager secret holding the bearer token `LEGACY_USER_ENDPOINT` is called with, read once at init",
    ..LEGACY_DATABASE_SECRET_ARN
};

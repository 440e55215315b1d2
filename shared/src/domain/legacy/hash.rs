//! Legacy password hashes: recognizing a stored hash's format, checking a password against it
//! in constant time, and telling a weak one apart.
//!
//! Each format is checked by the maintained crate that implements its algorithm (bcrypt,
//! argon2, pbkdf2, scrypt, sha-crypt); what is parsed here is only the framing each framework
//! writes around it (Django's `algorithm$iterations$salt$hash`, Werkzeug's
//! `method$salt$hex`, ASP.NET Core Identity's version-3 byte layout). Derived keys are compared
//! with `subtle`, so how much of a guess matched never shows in the time taken.
//!
//! A hash is never shown: an error names the format (or, for one not recognized, its scheme
//! prefix and length), never the salt or the digest.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::Digest as _;
use subtle::ConstantTimeEq;

/// bcrypt's cost under which a hash is weak.
pub const WEAK_BCRYPT_COST: u32 = 10;
/// PBKDF2's iteration count under which a hash is weak (Django, Werkzeug, ASP.NET).
pub const WEAK_PBKDF2_ITERATIONS: u32 = 100_000;

/// Work no legitimate store asks for and no Lambda function can afford inside Cognito's
/// 5 seconds: a hash asking for more is refused rather than checked.
const MAX_BCRYPT_COST: u32 = 16;
const MAX_ITERATIONS: u32 = 10_000_000;
/// Memory a check may take (argon2's `m`, scrypt's `128·N·r`), in KiB: 256 MiB.
const MAX_MEMORY_KIB: u64 = 256 * 1024;

/// The formats this module checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `$2a$`, `$2b$`, `$2y$` (OpenBSD, most libraries, PHP's `password_hash`).
    Bcrypt,
    /// `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (PHC string).
    Argon2id,
    /// `$argon2i$…` (PHC string).
    Argon2i,
    /// Django's `pbkdf2_sha256$iterations$salt$base64`.
    DjangoPbkdf2Sha256,
    /// Django's `pbkdf2_sha1$iterations$salt$base64`.
    DjangoPbkdf2Sha1,
    /// Django's `scrypt$N$salt$r$p$base64`.
    DjangoScrypt,
    /// Django's `bcrypt_sha256$$2b$…`: bcrypt of the password's SHA-256 in hex. (Django's
    /// `bcrypt$$2b$…` and `argon2$argon2id$…` are plain bcrypt and Argon2, read as those.)
    DjangoBcryptSha256,
    /// Werkzeug's `pbkdf2:sha256:iterations$salt$hex`.
    WerkzeugPbkdf2Sha256,
    /// Werkzeug's `pbkdf2:sha1:iterations$salt$hex`.
    WerkzeugPbkdf2Sha1,
    /// Werkzeug's `scrypt:N:r:p$salt$hex` (its default since 3.0).
    WerkzeugScrypt,
    /// SHA-512 crypt, `$6$[rounds=N$]salt$hash` (glibc, `/etc/shadow`, passlib).
    Sha512Crypt,
    /// ASP.NET Core Identity's version-3 hash: base64 of `0x01`, PRF, iterations, salt, subkey.
    AspNetIdentityV3,
}

impl Format {
    /// Every format, in the order the docs list them.
    pub const ALL: [Format; 12] = [
        Format::Bcrypt,
        Format::Argon2id,
        Format::Argon2i,
        Format::DjangoPbkdf2Sha256,
        Format::DjangoPbkdf2Sha1,
        Format::DjangoScrypt,
        Format::DjangoBcryptSha256,
        Format::WerkzeugPbkdf2Sha256,
        Format::WerkzeugPbkdf2Sha1,
        Format::WerkzeugScrypt,
        Format::Sha512Crypt,
        Format::AspNetIdentityV3,
    ];

    /// The name logs, metrics and errors use.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Bcrypt => "bcrypt",
            Format::Argon2id => "argon2id",
            Format::Argon2i => "argon2i",
            Format::DjangoPbkdf2Sha256 => "django-pbkdf2-sha256",
            Format::DjangoPbkdf2Sha1 => "django-pbkdf2-sha1",
            Format::DjangoScrypt => "django-scrypt",
            Format::DjangoBcryptSha256 => "django-bcrypt-sha256",
            Format::WerkzeugPbkdf2Sha256 => "werkzeug-pbkdf2-sha256",
            Format::WerkzeugPbkdf2Sha1 => "werkzeug-pbkdf2-sha1",
            Format::WerkzeugScrypt => "werkzeug-scrypt",
            Format::Sha512Crypt => "sha512-crypt",
            Format::AspNetIdentityV3 => "aspnet-identity-v3",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a stored hash cannot be checked. Never carries the hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Not a format this module knows; `scheme` is what identifies it (a `$1$` prefix, a
    /// `md5$` algorithm name) or, when it has none, its length.
    #[error("unsupported password hash format: {scheme}")]
    UnknownFormat { scheme: String },
    /// A known format whose framing does not parse.
    #[error("malformed {format} hash: {problem}")]
    Malformed { format: Format, problem: &'static str },
    /// A known format asking for more work than a sign-in can afford.
    #[error("{format} hash asks for {parameter}, more than a sign-in can afford")]
    TooCostly { format: Format, parameter: String },
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub format: Format,
    /// The password matches the hash.
    pub matches: bool,
    /// The hash is weaker than today's minimums (bcrypt cost under 10, PBKDF2 under
    /// 100,000 iterations).
    pub weak: bool,
}

/// Checks `password` against `hash`. Takes as long as the hash's own parameters ask,
/// whether or not the password matches.
pub fn check(hash: &str, password: &str) -> Result<Checked, HashError> {
    let hash = hash.trim();
    let pw = password.as_bytes();
    // Django writes its name for bcrypt and Argon2 in front of the algorithm's own string.
    if let Some(rest) = hash.strip_prefix("bcrypt_sha256$") {
        let digest: String = sha2::Sha256::digest(pw).iter().map(|b| format!("{b:02x}")).collect();
        return bcrypt_check(rest, digest.as_bytes()).map(|c| Checked {
            format: Format::DjangoBcryptSha256,
            ..c
        });
    }
    let hash = hash
        .strip_prefix("bcrypt$")
        .or_else(|| hash.strip_prefix("argon2").filter(|rest| rest.starts_with("$argon2")))
        .unwrap_or(hash);
    if hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$") {
        return bcrypt_check(hash, pw);
    }
    if let Some(rest) = hash.strip_prefix("$argon2id$") {
        return argon2_check(Format::Argon2id, rest, hash, pw);
    }
    if let Some(rest) = hash.strip_prefix("$argon2i$") {
        return argon2_check(Format::Argon2i, rest, hash, pw);
    }
    if let Some(rest) = hash.strip_prefix("$6$") {
        return sha512_crypt_check(rest, hash, pw);
    }
    if let Some(rest) = hash.strip_prefix("pbkdf2_sha256$") {
        return django_pbkdf2(Format::DjangoPbkdf2Sha256, rest, pw);
    }
    if let Some(rest) = hash.strip_prefix("pbkdf2_sha1$") {
        return django_pbkdf2(Format::DjangoPbkdf2Sha1, rest, pw);
    }
    if let Some(rest) = hash.strip_prefix("scrypt$") {
        return django_scrypt(rest, pw);
    }
    if let Some(rest) = hash.strip_prefix("pbkdf2:") {
        return werkzeug_pbkdf2(rest, pw);
    }
    if let Some(rest) = hash.strip_prefix("scrypt:") {
        return werkzeug_scrypt(rest, pw);
    }
    if let Some(bytes) = aspnet_bytes(hash) {
        return aspnet_v3(&bytes, pw);
    }
    Err(HashError::UnknownFormat { scheme: scheme(hash) })
}

/// Schemes of other libraries that a store may hold, as they are written before their first `$`
/// (or `:`), or in braces: named when met, since they are no secret.
const KNOWN_SCHEMES: &[&str] = &[
    // Modular crypt identifiers.
    "$1$",
    "$2$",
    "$2x$",
    "$3$",
    "$5$",
    "$7$",
    "$apr1$",
    "$md5",
    "$sha1$",
    "$y$",
    "$gy$",
    "$argon2d$",
    "$scrypt$",
    "$pbkdf2$",
    "$pbkdf2-sha256$",
    "$pbkdf2-sha512$",
    "$bcrypt-sha256$",
    // Django and Werkzeug algorithm names.
    "md5$",
    "sha1$",
    "unsalted_md5$",
    "unsalted_sha1$",
    "crypt$",
    "pbkdf2_sha512$",
    "bcrypt_sha256$",
    "sha256$",
    "sha512$",
    "plain:",
    // LDAP.
    "{SSHA}",
    "{SHA}",
    "{SMD5}",
    "{MD5}",
    "{CRYPT}",
    "{SSHA256}",
    "{SSHA512}",
    "{PBKDF2}",
    "{ARGON2}",
    "{BCRYPT}",
];

/// What identifies an unknown hash without showing it: a scheme of [`KNOWN_SCHEMES`], or
/// otherwise only its length (a store holding plain text would show its passwords' beginnings).
fn scheme(hash: &str) -> String {
    if let Some(known) = KNOWN_SCHEMES.iter().find(|k| hash.starts_with(*k)) {
        return (*known).to_owned();
    }
    if aspnet_bytes(hash).is_some_and(|b| b.first() == Some(&0)) {
        return "aspnet-identity-v2 (PBKDF2-SHA1, 1,000 iterations)".to_owned();
    }
    format!("no known scheme, {} characters", hash.chars().count())
}

fn malformed(format: Format, problem: &'static str) -> HashError {
    HashError::Malformed { format, problem }
}

fn costly(format: Format, parameter: impl Into<String>) -> HashError {
    HashError::TooCostly {
        format,
        parameter: parameter.into(),
    }
}

fn bcrypt_check(hash: &str, pw: &[u8]) -> Result<Checked, HashError> {
    let format = Format::Bcrypt;
    let cost: u32 = hash
        .get(4..6)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| malformed(format, "the cost is not two digits"))?;
    if cost > MAX_BCRYPT_COST {
        return Err(costly(format, format!("cost {cost}")));
    }
    let matches = bcrypt::verify(pw, hash).map_err(|_| malformed(format, "not a 60-character bcrypt hash"))?;
    Ok(Checked {
        format,
        matches,
        weak: cost < WEAK_BCRYPT_COST,
    })
}

fn argon2_check(format: Format, rest: &str, hash: &str, pw: &[u8]) -> Result<Checked, HashError> {
    use argon2::PasswordVerifier as _;
    // `v=19$m=…,t=…,p=…$salt$hash` (the version field may be absent in old strings).
    let params = rest
        .split('$')
        .find(|f| f.starts_with("m="))
        .ok_or_else(|| malformed(format, "no m=,t=,p= parameters"))?;
    let memory_kib: u64 = params
        .split(',')
        .find_map(|p| p.strip_prefix("m="))
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| malformed(format, "m= is not a number"))?;
    if memory_kib > MAX_MEMORY_KIB {
        return Err(costly(format, format!("{memory_kib} KiB of memory")));
    }
    let iterations: u64 = params
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| malformed(format, "t= is not a number"))?;
    if iterations > 64 {
        return Err(costly(format, format!("{iterations} passes")));
    }
    let matches = match argon2::Argon2::default().verify_password(pw, hash) {
        Ok(()) => true,
        Err(argon2::password_hash::Error::PasswordInvalid) => false,
        Err(_) => return Err(malformed(format, "not a valid PHC string")),
    };
    Ok(Checked {
        format,
        matches,
        weak: false,
    })
}

fn sha512_crypt_check(rest: &str, hash: &str, pw: &[u8]) -> Result<Checked, HashError> {
    use sha_crypt::PasswordVerifier as _;
    let format = Format::Sha512Crypt;
    if let Some(rounds) = rest.strip_prefix("rounds=") {
        let rounds: u32 = rounds
            .split('$')
            .next()
            .and_then(|r| r.parse().ok())
            .ok_or_else(|| malformed(format, "rounds= is not a number"))?;
        if rounds > MAX_ITERATIONS {
            return Err(costly(format, format!("{rounds} rounds")));
        }
    }
    let matches = match sha_crypt::ShaCrypt::default().verify_password(pw, hash) {
        Ok(()) => true,
        Err(sha_crypt::password_hash::Error::PasswordInvalid) => false,
        Err(_) => return Err(malformed(format, "not a valid $6$ string")),
    };
    Ok(Checked {
        format,
        matches,
        weak: false,
    })
}

/// The PRFs PBKDF2 runs with here.
#[derive(Debug, Clone, Copy)]
enum Prf {
    Sha1,
    Sha256,
    Sha512,
}

impl Prf {
    fn derive(self, pw: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) {
        match self {
            Prf::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(pw, salt, iterations, out),
            Prf::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pw, salt, iterations, out),
            Prf::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(pw, salt, iterations, out),
        }
    }
}

/// Derives with PBKDF2 and compares with `expected` in constant time.
fn pbkdf2_matches(
    format: Format,
    prf: Prf,
    pw: &[u8],
    salt: &[u8],
    iterations: u32,
    expected: &[u8],
) -> Result<Checked, HashError> {
    if iterations == 0 {
        return Err(malformed(format, "zero iterations"));
    }
    if iterations > MAX_ITERATIONS {
        return Err(costly(format, format!("{iterations} iterations")));
    }
    if !(16..=128).contains(&expected.len()) {
        return Err(malformed(format, "the derived key is not 16 to 128 bytes"));
    }
    let mut derived = vec![0u8; expected.len()];
    prf.derive(pw, salt, iterations, &mut derived);
    Ok(Checked {
        format,
        matches: derived.ct_eq(expected).into(),
        weak: iterations < WEAK_PBKDF2_ITERATIONS,
    })
}

fn iterations(format: Format, text: &str) -> Result<u32, HashError> {
    text.parse()
        .map_err(|_| malformed(format, "the iteration count is not a number"))
}

fn django_pbkdf2(format: Format, rest: &str, pw: &[u8]) -> Result<Checked, HashError> {
    let mut parts = rest.split('$');
    let (Some(count), Some(salt), Some(digest), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(malformed(format, "not algorithm$iterations$salt$hash"));
    };
    let expected = STANDARD
        .decode(digest)
        .map_err(|_| malformed(format, "the hash is not base64"))?;
    let prf = if format == Format::DjangoPbkdf2Sha1 {
        Prf::Sha1
    } else {
        Prf::Sha256
    };
    pbkdf2_matches(format, prf, pw, salt.as_bytes(), iterations(format, count)?, &expected)
}

fn werkzeug_pbkdf2(rest: &str, pw: &[u8]) -> Result<Checked, HashError> {
    // `sha256:600000$salt$hex`
    let (method, tail) = rest
        .split_once('$')
        .ok_or_else(|| malformed(Format::WerkzeugPbkdf2Sha256, "not pbkdf2:hash:iterations$salt$hex"))?;
    let mut method = method.split(':');
    let (format, prf) = match method.next() {
        Some("sha256") => (Format::WerkzeugPbkdf2Sha256, Prf::Sha256),
        Some("sha1") => (Format::WerkzeugPbkdf2Sha1, Prf::Sha1),
        _ => {
            return Err(HashError::UnknownFormat {
                scheme: "werkzeug pbkdf2 with a hash other than sha256 or sha1".to_owned(),
            });
        }
    };
    let Some(count) = method.next() else {
        return Err(malformed(
            format,
            "no iteration count (Werkzeug's default changes with its version)",
        ));
    };
    let (salt, digest) = tail
        .split_once('$')
        .ok_or_else(|| malformed(format, "not pbkdf2:hash:iterations$salt$hex"))?;
    let expected = hex(digest).ok_or_else(|| malformed(format, "the hash is not hex"))?;
    pbkdf2_matches(format, prf, pw, salt.as_bytes(), iterations(format, count)?, &expected)
}

/// scrypt with `N = 2^log_n`, compared in constant time.
fn scrypt_matches(
    format: Format,
    pw: &[u8],
    salt: &[u8],
    n: u64,
    r: u32,
    p: u32,
    expected: &[u8],
) -> Result<Checked, HashError> {
    if !n.is_power_of_two() || n < 2 {
        return Err(malformed(format, "N is not a power of two"));
    }
    let memory_kib = n
        .checked_mul(u64::from(r))
        .and_then(|nr| nr.checked_mul(128))
        .map(|b| b / 1024);
    if memory_kib.is_none_or(|kib| kib > MAX_MEMORY_KIB) || p > 16 {
        return Err(costly(format, format!("N={n}, r={r}, p={p}")));
    }
    if !(16..=128).contains(&expected.len()) {
        return Err(malformed(format, "the derived key is not 16 to 128 bytes"));
    }
    let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| malformed(format, "N is out of range"))?;
    let params = scrypt::Params::new(log_n, r, p).map_err(|_| malformed(format, "invalid N, r or p"))?;
    let mut derived = vec![0u8; expected.len()];
    scrypt::scrypt(pw, salt, &params, &mut derived).map_err(|_| malformed(format, "invalid key length"))?;
    Ok(Checked {
        format,
        matches: derived.ct_eq(expected).into(),
        weak: false,
    })
}

fn number<T: std::str::FromStr>(format: Format, text: Option<&str>, what: &'static str) -> Result<T, HashError> {
    text.and_then(|t| t.parse().ok()).ok_or_else(|| malformed(format, what))
}

fn django_scrypt(rest: &str, pw: &[u8]) -> Result<Checked, HashError> {
    // `N$salt$r$p$base64`
    let format = Format::DjangoScrypt;
    let parts: Vec<&str> = rest.split('$').collect();
    let [n, salt, r, p, digest] = parts[..] else {
        return Err(malformed(format, "not scrypt$N$salt$r$p$hash"));
    };
    let expected = STANDARD
        .decode(digest)
        .map_err(|_| malformed(format, "the hash is not base64"))?;
    scrypt_matches(
        format,
        pw,
        salt.as_bytes(),
        number(format, Some(n), "N is not a number")?,
        number(format, Some(r), "r is not a number")?,
        number(format, Some(p), "p is not a number")?,
        &expected,
    )
}

fn werkzeug_scrypt(rest: &str, pw: &[u8]) -> Result<Checked, HashError> {
    // `N:r:p$salt$hex`
    let format = Format::WerkzeugScrypt;
    let parts: Vec<&str> = rest.split('$').collect();
    let [params, salt, digest] = parts[..] else {
        return Err(malformed(format, "not scrypt:N:r:p$salt$hex"));
    };
    let mut params = params.split(':');
    let (n, r, p) = (params.next(), params.next(), params.next());
    let expected = hex(digest).ok_or_else(|| malformed(format, "the hash is not hex"))?;
    scrypt_matches(
        format,
        pw,
        salt.as_bytes(),
        number(format, n, "N is not a number")?,
        number(format, r, "r is not a number")?,
        number(format, p, "p is not a number")?,
        &expected,
    )
}

/// The bytes of what looks like an ASP.NET Core Identity hash: base64 of at least a version
/// byte and its header.
fn aspnet_bytes(hash: &str) -> Option<Vec<u8>> {
    if hash.len() < 24 || !hash.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)) {
        return None;
    }
    STANDARD.decode(hash).ok().filter(|b| b.len() >= 13 && b[0] <= 1)
}

fn aspnet_v3(bytes: &[u8], pw: &[u8]) -> Result<Checked, HashError> {
    let format = Format::AspNetIdentityV3;
    if bytes[0] != 1 {
        return Err(HashError::UnknownFormat {
            scheme: "aspnet-identity-v2 (PBKDF2-SHA1, 1,000 iterations)".to_owned(),
        });
    }
    let word = |at: usize| -> u32 { u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) };
    let prf = match word(1) {
        0 => Prf::Sha1,
        1 => Prf::Sha256,
        2 => Prf::Sha512,
        _ => return Err(malformed(format, "unknown PRF")),
    };
    let iterations = word(5);
    let salt_len = usize::try_from(word(9)).map_err(|_| malformed(format, "salt length out of range"))?;
    // As ASP.NET checks: a salt of 128 bits or more, then a subkey of 128 bits or more.
    if salt_len < 16 || bytes.len() < 13 + salt_len + 16 {
        return Err(malformed(format, "salt or subkey shorter than 128 bits"));
    }
    let (salt, expected) = bytes[13..].split_at(salt_len);
    pbkdf2_matches(format, prf, pw, salt, iterations, expected)
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One user per format, each hash made by the library the format comes from
    /// (`tests/fixtures/legacy/make_users.py`).
    fn users() -> Vec<serde_json::Value> {
        serde_json::from_str(include_str!("../../../../tests/fixtures/legacy/users.json")).expect("users.json")
    }

    #[test]
    fn every_format_accepts_its_password_and_refuses_any_other() {
        let users = users();
        let mut seen = std::collections::HashSet::new();
        for u in &users {
            let (hash, password) = (
                u["password_hash"].as_str().unwrap_or_default(),
                u["password"].as_str().unwrap_or_default(),
            );
            let checked = check(hash, password).unwrap_or_else(|e| panic!("{}: {e}", u["username"]));
            assert_eq!(checked.format.name(), u["format"], "{}", u["username"]);
            assert!(checked.matches, "{}: its own password", u["username"]);
            assert_eq!(checked.weak, u["weak"] == true, "{}: weak", u["username"]);
            // One character off, and another user's password.
            let mut off = password.to_owned();
            off.pop();
            off.push('#');
            assert!(!check(hash, &off).is_ok_and(|c| c.matches), "{}", u["username"]);
            assert!(!check(hash, "").is_ok_and(|c| c.matches), "{}", u["username"]);
            seen.insert(checked.format);
        }
        assert_eq!(seen.len(), Format::ALL.len(), "users.json holds every format: {seen:?}");
    }

    #[test]
    fn an_unknown_format_is_named_by_its_scheme_never_shown() {
        let cases = [
            ("$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", "$1$"),
            ("$5$rounds=5000$saltsalt$Gq9yGgGJ5d2y1lB2jmA", "$5$"),
            ("md5$seasalt$0123456789abcdef0123456789abcdef", "md5$"),
            ("{SSHA}X03MO1qnZdYdgyfeuILPmQ==", "{SSHA}"),
            (
                "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8",
                "no known scheme, 40 characters",
            ),
            // Plain text in a password column: its beginning is never shown.
            ("Summer2024$x", "no known scheme, 12 characters"),
            // ASP.NET Identity's version 2 (its published vector).
            (
                "AAABAgMEBQYHCAkKCwwNDg+ukCEMDf0yyQ29NYubggHIVY0sdEUfdyeM+E1LtH1uJg==",
                "aspnet-identity-v2",
            ),
        ];
        for (hash, shown) in cases {
            let e = check(hash, "password").unwrap_err();
            let text = e.to_string();
            assert!(matches!(e, HashError::UnknownFormat { .. }), "{hash}: {e:?}");
            assert!(text.contains(shown), "{hash}: {text}");
            let body = hash.rsplit(['$', '}']).next().unwrap_or(hash);
            assert!(!text.contains(body), "{text} shows the hash");
        }
    }

    #[test]
    fn malformed_and_costly_hashes_are_refused_without_the_hash() {
        let bad = [
            "$2b$10$tooshort",
            "$2b$xx$4haPXSMEq9jh6.wwT4tdDugXj/H4PGGcaxxTZu2MFbJiCJghlc/62",
            "pbkdf2_sha256$many$salt$abc=",
            "pbkdf2_sha256$1000$salt$not base64!",
            "pbkdf2:sha256$salt$abcdef0123456789abcdef0123456789",
            "scrypt:1000:8:1$salt$00112233445566778899aabbccddeeff",
            "$argon2id$v=19$t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ];
        for hash in bad {
            let e = check(hash, "pw").unwrap_err();
            assert!(matches!(e, HashError::Malformed { .. }), "{hash}: {e:?}");
            let tail = hash.rsplit('$').next().unwrap_or(hash);
            assert!(!e.to_string().contains(tail), "{e} shows the hash");
        }
        let costly = [
            (
                "$2b$17$4haPXSMEq9jh6.wwT4tdDugXj/H4PGGcaxxTZu2MFbJiCJghlc/62",
                "cost 17",
            ),
            (
                "pbkdf2_sha256$20000000$salt$Ig2AFAF4msoIi/zdOOlIbhWrmNbJaa+9NiwE8YSXUns=",
                "20000000 iterations",
            ),
            ("scrypt:1048576:8:1$salt$00112233445566778899aabbccddeeff", "N=1048576"),
            (
                "scrypt:9223372036854775808:8:1$salt$00112233445566778899aabbccddeeff",
                "N=9223372036854775808",
            ),
            (
                "$argon2id$v=19$m=1048576,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
                "1048576 KiB",
            ),
        ];
        for (hash, parameter) in costly {
            let e = check(hash, "pw").unwrap_err();
            assert!(
                matches!(&e, HashError::TooCostly { parameter: p, .. } if p.contains(parameter)),
                "{hash}: {e:?}"
            );
        }
    }

    #[test]
    fn aspnet_vectors_of_every_prf_are_read() {
        // dotnet/aspnetcore's PasswordHasherTest: "my password" under SHA-1 (250 iterations),
        // SHA-256 (250,000) and SHA-512 (50).
        for (hash, weak) in [
            ("AQAAAAAAAAD6AAAAEAhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9M", true),
            (
                "AQAAAAEAA9CQAAAAIESkQuj2Du8Y+kbc5lcN/W/3NiAZFEm11P27nrSN5/tId+bR1SwV8CO1Jd72r4C08OLvplNlCDc3oQZ8efcW+jQ=",
                false,
            ),
            ("AQAAAAIAAAAyAAAAEOMwvh3+FZxqkdMBz2ekgGhwQ4B6pZWND6zgESBuWiHw", true),
        ] {
            let c = check(hash, "my password").expect(hash);
            assert!(c.matches && c.weak == weak, "{hash}: {c:?}");
            assert!(!check(hash, "my passwore").expect(hash).matches);
        }
    }
}

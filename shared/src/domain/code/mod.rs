//! The code (or temporary password) Cognito hands to the custom senders.
//!
//! Cognito encrypts it with the AWS Encryption SDK under the KMS key configured for the pool's
//! custom sender, puts `userpool-id` in the encryption context, and sends the message base64
//! encoded in `request.code`. Real Cognito uses the non-committing, signed suite
//! `AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384` (0x0378), which the Encryption SDK's
//! default commitment policy refuses; [`KmsDecryptor`](crate::adapters::kms::KmsDecryptor) therefore decrypts with
//! `RequireEncryptAllowDecrypt`, which accepts both it and the committing suites (as
//! cognito-local produces).
//!
//! That policy alone would also accept every older suite, unsigned ones included, and any
//! number of encrypted data keys. So before any KMS call, [`check_header`] reads the message
//! header itself (the Encryption SDK's "Message format reference") and accepts only:
//!
//! - `AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384` (0x0378) in a message format 1 header:
//!   what Cognito sends;
//! - `AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384` (0x0578) in a message format 2 header:
//!   the committing signed suite, which cognito-local (and every Encryption SDK by default)
//!   produces;
//! - one or two encrypted data keys ([`MAX_ENCRYPTED_DATA_KEYS`]).
//!
//! Why: both suites are signed with a key pair made for each message, so someone who can
//! decrypt one message (and so holds its data key) cannot make another from it that
//! verifies, as an unsigned suite would allow. Cognito always signs (cognito-local too), so an
//! unsigned, non-derived or smaller-key suite came from something else. Each data key naming
//! our key costs a KMS call when decrypting and Cognito writes one, so a message listing
//! many would let a sender spend the key's KMS quota and the invocation's time. Refusing
//! these up front costs no KMS call. The Encryption SDK is also given the same data key
//! limit, and the suite it reports after decrypting must be the header's.
//! A refused message is [`DecryptError::Undecryptable`] (not retryable), naming the suite
//! id or the data key count, never other bytes of the message.
//!
//! Failures of KMS are sorted by their type (see [`kms`](crate::adapters::kms)): throttling, KMS's own transient
//! errors, timeouts, network failures, expired credentials and request-signing errors (a
//! skewed clock) are [`DecryptError::Unavailable`], so Lambda retries the invocation; a
//! message whose own ECDSA signature does not verify is not.
//!
//! Handlers depend on the [`CodeDecryptor`] trait, so they are unit-tested with a fake; the
//! KMS implementation is tested against moto with ciphertexts made by AWS's own Python
//! Encryption SDK.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;

/// A decrypted code or temporary password. It has no `Display`, and its `Debug` is redacted:
/// the only way to the text is [`Secret::expose`], at the one place a message is built.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Why a code could not be decrypted. No variant carries ciphertext or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    #[error("the code is not valid base64")]
    NotBase64,
    /// The reason is a fixed text, or names an algorithm suite id or a data key count: never
    /// bytes of the message, nor anything KMS said.
    #[error("the code is not an Encryption SDK message that the configured KMS key can decrypt ({0})")]
    Undecryptable(Cow<'static, str>),
    #[error("the code was encrypted for user pool {found:?}, not for this event's pool {expected:?}")]
    WrongUserPool { expected: String, found: String },
    #[error("the code's encryption context has no userpool-id")]
    NoUserPool,
    #[error("the decrypted code is not UTF-8 text")]
    NotText,
    #[error("KMS did not answer in time or was unavailable ({0}); a retry can succeed")]
    Unavailable(&'static str),
}

impl DecryptError {
    /// Whether retrying the invocation could succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, DecryptError::Unavailable(_))
    }
}

/// A decrypted code and the user pool it was encrypted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    pub secret: Secret,
    /// The `userpool-id` of the encryption context; real Cognito always sets it.
    pub user_pool_id: Option<String>,
}

/// Decrypts the `code` of a custom sender event.
pub trait CodeDecryptor: Send + Sync {
    /// Decrypts `code_base64` and reports the user pool in its encryption context.
    fn decrypt(&self, code_base64: &str) -> impl Future<Output = Result<Decrypted, DecryptError>> + Send;
}

/// Checks the `userpool-id` of a decrypted code against the event's pool. A code without one
/// is refused unless `require` is off (cognito-local encrypts without a context; real
/// Cognito never does).
pub fn check_user_pool(found: Option<&str>, expected: &str, require: bool) -> Result<(), DecryptError> {
    match found {
        Some(found) if found == expected => Ok(()),
        Some(found) => Err(DecryptError::WrongUserPool {
            expected: expected.to_owned(),
            found: found.to_owned(),
        }),
        None if require => Err(DecryptError::NoUserPool),
        None => Ok(()),
    }
}

/// Undoes the HTML escaping Cognito applies to the temporary passwords it hands the custom
/// senders (`CustomSMSSender_AdminCreateUser`, `CustomEmailSender_AdminCreateUser`): a
/// generated password may hold `&`, `<`, `>`, `"` or `'`, which arrive as `&amp;`, `&lt;`,
/// `&gt;`, `&quot;`, `&#39;`, so the user receives the password they must type. One level
/// only (`&amp;amp;` is the password `&amp;`); numeric references that name no character
/// stay as they are.
pub fn unescape_html(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

/// The algorithm suites a code may be encrypted with (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptedSuite {
    /// `AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384` (0x0378), message format 1: Cognito's.
    Aes256GcmIv12Tag16HkdfSha384EcdsaP384,
    /// `AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384` (0x0578), message format 2: committing
    /// and signed (cognito-local, and the Encryption SDKs' default).
    Aes256GcmHkdfSha512CommitKeyEcdsaP384,
}

impl AcceptedSuite {
    /// The suite's id in the message header.
    pub const fn id(self) -> u16 {
        match self {
            AcceptedSuite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384 => 0x0378,
            AcceptedSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => 0x0578,
        }
    }
}

/// The most encrypted data keys a message may carry: Cognito encrypts under one KMS key.
/// The second is slack for a multi-keyring on the encrypting side; each one can cost a KMS
/// call when decrypting.
pub const MAX_ENCRYPTED_DATA_KEYS: u16 = 2;

/// What [`check_header`] read from an accepted message header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub suite: AcceptedSuite,
    pub encrypted_data_keys: u16,
}

/// Every suite the Encryption SDK defines ("Supported algorithm suites"), so that a refused
/// one can be named. An id not in this list is not printed: it would be two arbitrary bytes
/// of whatever was sent.
const KNOWN_SUITES: [(u16, &str); 11] = [
    (0x0014, "AES_128_GCM_IV12_TAG16_NO_KDF"),
    (0x0046, "AES_192_GCM_IV12_TAG16_NO_KDF"),
    (0x0078, "AES_256_GCM_IV12_TAG16_NO_KDF"),
    (0x0114, "AES_128_GCM_IV12_TAG16_HKDF_SHA256"),
    (0x0146, "AES_192_GCM_IV12_TAG16_HKDF_SHA256"),
    (0x0178, "AES_256_GCM_IV12_TAG16_HKDF_SHA256"),
    (0x0214, "AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256"),
    (0x0346, "AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384"),
    (0x0378, "AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384"),
    (0x0478, "AES_256_GCM_HKDF_SHA512_COMMIT_KEY"),
    (0x0578, "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384"),
];

/// Reads an Encryption SDK message header up to its encrypted data key count and refuses
/// any suite but the two accepted ones, and any count but 1 or 2, before anything is sent
/// to KMS.
///
/// Layout (big-endian), from the Encryption SDK's message format reference:
/// format 1 is version `0x01`, type `0x80`, suite id (2 bytes), message id (16), AAD length
/// (2) and AAD, data key count (2); format 2 is version `0x02`, suite id (2), message id (32),
/// AAD length (2) and AAD, data key count (2). The rest of the header is left to the
/// Encryption SDK.
pub fn check_header(message: &[u8]) -> Result<Header, DecryptError> {
    fn refused(why: &'static str) -> DecryptError {
        DecryptError::Undecryptable(Cow::Borrowed(why))
    }
    fn take<'a>(rest: &mut &'a [u8], n: usize) -> Result<&'a [u8], DecryptError> {
        let (head, tail) = rest
            .split_at_checked(n)
            .ok_or_else(|| refused("truncated message header"))?;
        *rest = tail;
        Ok(head)
    }
    fn take_u16(rest: &mut &[u8]) -> Result<u16, DecryptError> {
        let (head, tail) = rest
            .split_first_chunk::<2>()
            .ok_or_else(|| refused("truncated message header"))?;
        *rest = tail;
        Ok(u16::from_be_bytes(*head))
    }

    let mut rest = message;
    let version = take(&mut rest, 1)?[0];
    let message_id_len = match version {
        0x01 => {
            if take(&mut rest, 1)?[0] != 0x80 {
                return Err(refused("not an Encryption SDK message: unknown message type"));
            }
            16
        }
        0x02 => 32,
        _ => return Err(refused("not an Encryption SDK message: unknown message format version")),
    };
    let id = take_u16(&mut rest)?;
    let suite = match (version, id) {
        (0x01, 0x0378) => AcceptedSuite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384,
        (0x02, 0x0578) => AcceptedSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384,
        _ => return Err(refused_suite(version, id)),
    };
    take(&mut rest, message_id_len)?;
    let aad_len = take_u16(&mut rest)?;
    take(&mut rest, usize::from(aad_len))?;
    match take_u16(&mut rest)? {
        0 => Err(refused("the header lists no encrypted data key")),
        n @ 1..=MAX_ENCRYPTED_DATA_KEYS => Ok(Header {
            suite,
            encrypted_data_keys: n,
        }),
        n => Err(DecryptError::Undecryptable(Cow::Owned(format!(
            "the header lists {n} encrypted data keys; at most {MAX_ENCRYPTED_DATA_KEYS} are accepted"
        )))),
    }
}

fn refused_suite(version: u8, id: u16) -> DecryptError {
    let why = match KNOWN_SUITES.iter().find(|(known, _)| *known == id) {
        Some((_, name)) if id == 0x0378 || id == 0x0578 => Cow::Owned(format!(
            "algorithm suite 0x{id:04X} ({name}) in a message format {version} header"
        )),
        Some((_, name)) => Cow::Owned(format!(
            "algorithm suite 0x{id:04X} ({name}) is not accepted; only 0x0378 and 0x0578 are"
        )),
        None => Cow::Borrowed("unknown algorithm suite; only 0x0378 and 0x0578 are accepted"),
    };
    DecryptError::Undecryptable(why)
}

#[cfg(test)]
mod tests;

//! The code (or temporary password) Cognito hands to the custom senders.
//!
//! Cognito encrypts it with the AWS Encryption SDK under the KMS key configured for the pool's
//! custom sender, puts `userpool-id` in the encryption context, and sends the message base64
//! encoded in `request.code`. Real Cognito uses the non-committing, signed suite
//! `AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384` (0x0378), which the Encryption SDK's
//! default commitment policy refuses; [`kms::KmsDecryptor`] therefore decrypts with
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
//! Failures of KMS are sorted by their type (see [`kms`]): throttling, KMS's own transient
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

#[cfg(feature = "kms")]
pub mod kms {
    //! The AWS Encryption SDK for Rust with a KMS keyring for one key.
    //!
    //! # How failures are sorted
    //!
    //! aws-esdk reports a failed decryption as a tree of generated error types:
    //! `aws_esdk::types::error::Error` (the Encryption SDK's own: `AwsEncryptionSdkException`, which includes
    //! "Invalid signature" when the message's ECDSA signature does not verify), wrapping the
    //! material providers' `Error` (the keyring's `CollectionOfErrors`, one entry per data
    //! key it tried), wrapping `TrentServiceError` with the KMS `Error`. `classify` walks
    //! that tree by type:
    //!
    //! - KMS errors the Encryption SDK models keep their type and the `aws_sdk_kms` value:
    //!   `KmsInternalException`, `DependencyTimeoutException` and `KeyUnavailableException`
    //!   are transient; `IncorrectKeyException`, `InvalidCiphertextException`,
    //!   `NotFoundException`, `DisabledException`, `KmsInvalidStateException`, ... are not.
    //!   (Their `ProvideErrorMetadata::code()` is empty: aws-esdk rebuilds them from a message
    //!   only, so the type is what there is to match.)
    //! - Every other KMS failure — errors `Decrypt` does not model (`ThrottlingException`,
    //!   `ExpiredTokenException`, `InvalidSignatureException`, `AccessDeniedException`, ...)
    //!   and every failure to get an answer (`TimeoutError`, `DispatchFailure`,
    //!   `ResponseError`) — aws-esdk turns into `KmsError::OpaqueWithText` holding only
    //!   `format!("{:?}", error)` of the `aws_sdk_kms` error (`to_dafny_error` in its
    //!   `deps/com_amazonaws_kms/conversions/decrypt.rs`); the value itself is dropped, so
    //!   nothing can be downcast. There a text match remains, kept as narrow as the text
    //!   allows: the leading `SdkError` variant name, or else the exact error code read from
    //!   the error's `ErrorMetadata { code: Some("…")` (`kms_error_code`), compared whole by
    //!   `classify_kms_code`. A message from KMS cannot fake that code: `Debug` escapes its
    //!   quotes. (An interceptor on the KMS client cannot see the typed error either: aws-esdk
    //!   runs each KMS call on a thread of its own, out of reach of a task-local.)
    //! - A data key that needed one retry is still a retry: if any data key failed in a
    //!   transient way, the whole decryption is [`DecryptError::Unavailable`].
    //!
    //! `InvalidSignatureException` and `SignatureDoesNotMatch` from KMS are about the
    //! *request's* SigV4 signature (a skewed clock, credentials rotated mid-flight), not the
    //! message's: they are transient. The message's own signature failing is an
    //! `AwsEncryptionSdkException` and is never retried. No error text is passed on: the
    //! reasons are fixed strings.

    use std::borrow::Cow;
    use std::collections::HashMap;

    use aws_esdk::client as esdk_client;
    use aws_esdk::com_amazonaws_kms::types::error::Error as KmsError;
    use aws_esdk::material_providers::client as mpl_client;
    use aws_esdk::material_providers::types::error::Error as MplError;
    use aws_esdk::material_providers::types::keyring::KeyringRef;
    use aws_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
    use aws_esdk::material_providers::types::{EsdkAlgorithmSuiteId, EsdkCommitmentPolicy};
    use aws_esdk::types::aws_encryption_sdk_config::AwsEncryptionSdkConfig;
    use aws_esdk::types::error::Error as EsdkError;
    use base64::Engine as _;

    use super::{AcceptedSuite, CodeDecryptor, DecryptError, Decrypted, MAX_ENCRYPTED_DATA_KEYS, Secret};

    /// Built once at init: the ESDK client and a KMS keyring for `KEY_ARN`.
    pub struct KmsDecryptor {
        esdk: esdk_client::Client,
        keyring: KeyringRef,
    }

    impl std::fmt::Debug for KmsDecryptor {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("KmsDecryptor").finish_non_exhaustive()
        }
    }

    /// Why the decryptor could not be built (at init).
    #[derive(Debug, thiserror::Error)]
    #[error("cannot set up the AWS Encryption SDK: {0}")]
    pub struct SetupError(String);

    impl KmsDecryptor {
        /// `key_arn` must be the key ARN (not an alias): a KMS keyring decrypts only with the
        /// key it names.
        pub async fn new(kms: aws_sdk_kms::Client, key_arn: &str) -> Result<Self, SetupError> {
            let config = AwsEncryptionSdkConfig::builder()
                .commitment_policy(EsdkCommitmentPolicy::RequireEncryptAllowDecrypt)
                // The same limit as `check_header`, enforced again by the SDK's own parser.
                .max_encrypted_data_keys(i64::from(MAX_ENCRYPTED_DATA_KEYS))
                .build()
                .map_err(|e| SetupError(e.to_string()))?;
            let esdk = esdk_client::Client::from_conf(config).map_err(|e| SetupError(e.to_string()))?;
            let mpl = mpl_client::Client::from_conf(
                MaterialProvidersConfig::builder()
                    .build()
                    .map_err(|e| SetupError(e.to_string()))?,
            )
            .map_err(|e| SetupError(e.to_string()))?;
            let keyring = mpl
                .create_aws_kms_keyring()
                .kms_key_id(key_arn)
                .kms_client(kms)
                .send()
                .await
                .map_err(|e| SetupError(e.to_string()))?;
            Ok(KmsDecryptor { esdk, keyring })
        }
    }

    fn refused(why: &'static str) -> DecryptError {
        DecryptError::Undecryptable(Cow::Borrowed(why))
    }

    const TAMPERED: &str = "the message does not decrypt or verify: tampered or corrupt";

    /// Sorts an Encryption SDK failure into what a caller can act on, by the types it nests
    /// (see the module docs). Nothing of the error's text is passed on: it can quote
    /// message bytes.
    fn classify(error: &EsdkError) -> DecryptError {
        match error {
            EsdkError::AwsEncryptionSdkException { message } => encryption_sdk_refusal(message),
            EsdkError::AwsCryptographicMaterialProvidersError { error } => classify_materials(error),
            EsdkError::AwsCryptographicPrimitivesError { .. } => refused(TAMPERED),
            EsdkError::CollectionOfErrors { list, .. } => retryable_first(list.iter().map(classify)),
            EsdkError::ValidationError(_) => refused("the Encryption SDK refused the request"),
            EsdkError::Opaque { .. } | EsdkError::OpaqueWithText { .. } => {
                refused("the Encryption SDK failed without saying why")
            }
        }
    }

    /// The Encryption SDK's own refusals: its parser and its checks, never KMS, so never
    /// transient. Its messages are fixed texts; they only pick the reason.
    fn encryption_sdk_refusal(message: &str) -> DecryptError {
        if message == "Invalid signature" {
            refused("the message's signature does not verify")
        } else if message.contains("maxEncryptedDataKeys") {
            refused("too many encrypted data keys")
        } else {
            refused("malformed message")
        }
    }

    fn classify_materials(error: &MplError) -> DecryptError {
        match error {
            MplError::TrentServiceError { error } => classify_kms(error),
            MplError::CollectionOfErrors { list, .. } => retryable_first(list.iter().map(classify_materials)),
            // Only a materials cache raises it, and it says nothing about the message.
            MplError::InFlightTtlExceeded { .. } => DecryptError::Unavailable("materials cache busy"),
            MplError::AwsCryptographicMaterialProvidersException { message }
                if message.starts_with("Unable to decrypt data key") =>
            {
                // The keyring found no data key for its KMS key, before calling KMS.
                refused("no encrypted data key for the configured KMS key")
            }
            MplError::InvalidAlgorithmSuiteInfoOnDecrypt { .. } => refused("algorithm suite not allowed"),
            MplError::AwsCryptographicPrimitivesError { .. } => refused(TAMPERED),
            _ => refused("the key material could not be obtained"),
        }
    }

    fn classify_kms(error: &KmsError) -> DecryptError {
        match error {
            KmsError::KmsInternalException { .. } => DecryptError::Unavailable("KMS internal error"),
            KmsError::DependencyTimeoutException { .. } => DecryptError::Unavailable("KMS dependency timeout"),
            KmsError::KeyUnavailableException { .. } => DecryptError::Unavailable("key unavailable"),
            KmsError::IncorrectKeyException { .. } => refused("encrypted under another key"),
            KmsError::InvalidCiphertextException { .. } => refused("KMS rejected the data key"),
            KmsError::NotFoundException { .. } => refused("key not found"),
            KmsError::DisabledException { .. } => refused("key disabled"),
            KmsError::KmsInvalidStateException { .. } => refused("key in a state that cannot decrypt"),
            KmsError::InvalidKeyUsageException { .. } => refused("key not usable for decryption"),
            KmsError::InvalidGrantTokenException { .. } => refused("invalid grant token"),
            KmsError::OpaqueWithText { objMessage: text, .. } => classify_unmodeled_kms(text),
            KmsError::Opaque { .. } => refused("KMS failed without saying why"),
            _ => refused("KMS refused the request"),
        }
    }

    /// A KMS failure aws-esdk kept only as the `Debug` text of the `aws_sdk_kms` error (see
    /// the module docs for why text is all there is).
    fn classify_unmodeled_kms(text: &str) -> DecryptError {
        // No answer from KMS: the text is the `SdkError`'s `Debug`, which starts with its variant.
        if text.starts_with("TimeoutError(") {
            DecryptError::Unavailable("timeout")
        } else if text.starts_with("DispatchFailure(") {
            DecryptError::Unavailable("network failure")
        } else if text.starts_with("ResponseError(") {
            DecryptError::Unavailable("unreadable KMS response")
        } else if text.starts_with("ConstructionFailure(") {
            refused("the KMS request could not be built")
        } else {
            // An answer: the operation error, with its `ErrorMetadata`.
            kms_error_code(text).map_or_else(|| refused("KMS failed without an error code"), classify_kms_code)
        }
    }

    /// The error code in the `Debug` text of an `aws_sdk_kms` operation error: the first
    /// `code: Some("…")`, which is its `ErrorMetadata`'s, what `ProvideErrorMetadata::code`
    /// would return. Quotes inside a message are escaped by `Debug`, so a message cannot
    /// contain the marker.
    fn kms_error_code(text: &str) -> Option<&str> {
        let (_, after) = text.split_once("code: Some(\"")?;
        after.split_once('"').map(|(code, _)| code)
    }

    /// The error codes of the SDK's standard retry classifier (`aws-runtime`'s
    /// `THROTTLING_ERRORS`).
    const THROTTLING: [&str; 14] = [
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    ];

    /// Sorts a KMS error by its code (the `__type` of KMS's JSON answer, as
    /// `ProvideErrorMetadata::code` gives it).
    fn classify_kms_code(code: &str) -> DecryptError {
        match code {
            c if THROTTLING.contains(&c) => DecryptError::Unavailable("throttled"),
            "KMSInternalException" | "KmsInternalException" | "InternalFailure" | "InternalServerError" => {
                DecryptError::Unavailable("KMS internal error")
            }
            "ServiceUnavailable" | "ServiceUnavailableException" => DecryptError::Unavailable("KMS unavailable"),
            "DependencyTimeoutException" => DecryptError::Unavailable("KMS dependency timeout"),
            "KeyUnavailableException" => DecryptError::Unavailable("key unavailable"),
            "RequestTimeout" | "RequestTimeoutException" => DecryptError::Unavailable("timeout"),
            "ExpiredTokenException" | "ExpiredToken" => DecryptError::Unavailable("expired credentials"),
            // The request's SigV4 signature, not the message's: a skewed clock or credentials
            // that changed under the request.
            "InvalidSignatureException" | "SignatureDoesNotMatch" | "RequestExpired" | "RequestTimeTooSkewed" => {
                DecryptError::Unavailable("KMS refused the request's signature (clock skew?)")
            }
            "AccessDeniedException" | "AccessDenied" => refused("KMS denied access"),
            "UnrecognizedClientException" | "InvalidClientTokenId" => refused("KMS does not know the credentials"),
            "IncorrectKeyException" => refused("encrypted under another key"),
            "InvalidCiphertextException" => refused("KMS rejected the data key"),
            "NotFoundException" => refused("key not found"),
            "DisabledException" => refused("key disabled"),
            "KMSInvalidStateException" | "KmsInvalidStateException" => refused("key in a state that cannot decrypt"),
            _ => refused("KMS refused the request"),
        }
    }

    /// The first transient failure if there is one (a retry can succeed), else the first
    /// failure.
    fn retryable_first(errors: impl Iterator<Item = DecryptError>) -> DecryptError {
        let mut first = None;
        for e in errors {
            if e.is_retryable() {
                return e;
            }
            first.get_or_insert(e);
        }
        first.unwrap_or_else(|| refused("no encrypted data key the keyring can decrypt"))
    }

    /// Defence in depth: the suite the Encryption SDK says it decrypted with must be the one
    /// [`super::check_header`] accepted (it reports it as `algorithm_suite_id`).
    fn check_reported_suite(
        accepted: AcceptedSuite,
        reported: Option<EsdkAlgorithmSuiteId>,
    ) -> Result<(), DecryptError> {
        let expected = match accepted {
            AcceptedSuite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384 => {
                EsdkAlgorithmSuiteId::AlgAes256GcmIv12Tag16HkdfSha384EcdsaP384
            }
            AcceptedSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384 => {
                EsdkAlgorithmSuiteId::AlgAes256GcmHkdfSha512CommitKeyEcdsaP384
            }
        };
        if reported == Some(expected) {
            Ok(())
        } else {
            Err(refused(
                "the Encryption SDK reports another algorithm suite than the header's",
            ))
        }
    }

    impl CodeDecryptor for KmsDecryptor {
        async fn decrypt(&self, code_base64: &str) -> Result<Decrypted, DecryptError> {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(code_base64.trim())
                .map_err(|_| DecryptError::NotBase64)?;
            // Refuse what we would not accept before KMS is called at all.
            let header = super::check_header(&bytes)?;
            let out = self
                .esdk
                .decrypt()
                .ciphertext(bytes)
                .keyring(self.keyring.clone())
                .send()
                .await
                .map_err(|e| classify(&e))?;
            check_reported_suite(header.suite, out.algorithm_suite_id)?;
            let mut context: HashMap<String, String> = out.encryption_context.unwrap_or_default();
            let plaintext = out.plaintext.ok_or_else(|| refused("empty message"))?;
            let secret = String::from_utf8(plaintext.into_inner())
                .map(Secret)
                .map_err(|_| DecryptError::NotText)?;
            Ok(Decrypted {
                secret,
                user_pool_id: context.remove("userpool-id"),
            })
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use aws_sdk_kms::error::{ConnectorError, ErrorMetadata, SdkError};
        use aws_sdk_kms::operation::decrypt::DecryptError as KmsDecryptError;

        const NO_KEY: &str = "No Configured KMS Key was able to decrypt the Data Key. The list of encountered Exceptions is available via `list`.";

        /// As the keyring reports KMS errors: one per data key it tried, in a collection.
        fn from_kms(errors: Vec<KmsError>) -> EsdkError {
            EsdkError::AwsCryptographicMaterialProvidersError {
                error: MplError::CollectionOfErrors {
                    list: errors
                        .into_iter()
                        .map(|error| MplError::TrentServiceError { error })
                        .collect(),
                    message: NO_KEY.into(),
                },
            }
        }

        /// As aws-esdk keeps a KMS error it does not model: the `Debug` text of the
        /// `aws_sdk_kms` error, nothing else (`to_dafny_error`).
        fn unmodeled(text: String) -> KmsError {
            KmsError::OpaqueWithText {
                obj: Default::default(),
                objMessage: text,
            }
        }

        /// A KMS answer `Decrypt` does not model, e.g. `{"__type": "ThrottlingException"}`.
        fn answered(code: &str, message: &str) -> KmsError {
            let meta = ErrorMetadata::builder().code(code).message(message).build();
            unmodeled(format!("{:?}", KmsDecryptError::generic(meta)))
        }

        fn no_answer(e: SdkError<KmsDecryptError>) -> KmsError {
            unmodeled(format!("{e:?}"))
        }

        #[test]
        fn modeled_kms_errors_are_sorted_by_type() {
            use aws_sdk_kms::types::error as kms;
            let internal = KmsError::KmsInternalException {
                error: kms::KmsInternalException::builder().message("internal").build(),
            };
            assert_eq!(
                classify(&from_kms(vec![internal])),
                DecryptError::Unavailable("KMS internal error")
            );
            let timeout = KmsError::DependencyTimeoutException {
                error: kms::DependencyTimeoutException::builder().build(),
            };
            assert_eq!(
                classify(&from_kms(vec![timeout])),
                DecryptError::Unavailable("KMS dependency timeout")
            );
            let unavailable = KmsError::KeyUnavailableException {
                error: kms::KeyUnavailableException::builder().build(),
            };
            assert!(classify(&from_kms(vec![unavailable])).is_retryable());
            let incorrect = || KmsError::IncorrectKeyException {
                error: kms::IncorrectKeyException::builder().message("signature").build(),
            };
            assert_eq!(
                classify(&from_kms(vec![incorrect()])),
                DecryptError::Undecryptable("encrypted under another key".into())
            );
            let invalid = KmsError::InvalidCiphertextException {
                error: kms::InvalidCiphertextException::builder().build(),
            };
            assert_eq!(
                classify(&from_kms(vec![invalid])),
                DecryptError::Undecryptable("KMS rejected the data key".into())
            );
            let disabled = KmsError::DisabledException {
                error: kms::DisabledException::builder().build(),
            };
            assert!(!classify(&from_kms(vec![disabled])).is_retryable());
            // One data key under another key, one throttled: a retry can succeed.
            assert_eq!(
                classify(&from_kms(vec![
                    incorrect(),
                    answered("ThrottlingException", "Rate exceeded")
                ])),
                DecryptError::Unavailable("throttled")
            );
            assert_eq!(
                classify(&from_kms(vec![])),
                DecryptError::Undecryptable("no encrypted data key the keyring can decrypt".into())
            );
        }

        #[test]
        fn unmodeled_kms_answers_are_sorted_by_their_code() {
            for (code, outcome) in [
                ("ThrottlingException", DecryptError::Unavailable("throttled")),
                (
                    "ExpiredTokenException",
                    DecryptError::Unavailable("expired credentials"),
                ),
                (
                    "InvalidSignatureException",
                    DecryptError::Unavailable("KMS refused the request's signature (clock skew?)"),
                ),
                (
                    "AccessDeniedException",
                    DecryptError::Undecryptable("KMS denied access".into()),
                ),
                (
                    "UnrecognizedClientException",
                    DecryptError::Undecryptable("KMS does not know the credentials".into()),
                ),
                (
                    "SomethingNew",
                    DecryptError::Undecryptable("KMS refused the request".into()),
                ),
            ] {
                let message = "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z";
                assert_eq!(classify(&from_kms(vec![answered(code, message)])), outcome, "{code}");
            }
            // A message cannot pass for a code: `Debug` escapes its quotes.
            let sly = answered("AccessDeniedException", "code: Some(\"ThrottlingException\")");
            assert_eq!(
                classify(&from_kms(vec![sly])),
                DecryptError::Undecryptable("KMS denied access".into())
            );
            let no_code = unmodeled(format!(
                "{:?}",
                KmsDecryptError::generic(ErrorMetadata::builder().message("?").build())
            ));
            assert!(!classify(&from_kms(vec![no_code])).is_retryable());
        }

        #[test]
        fn kms_codes_are_compared_whole() {
            assert_eq!(
                kms_error_code(
                    "Unhandled(Unhandled { source: ErrorMetadata { code: Some(\"ExpiredToken\"), message: None, extras: None } })"
                ),
                Some("ExpiredToken")
            );
            assert_eq!(kms_error_code("TimeoutError(TimeoutError { source: \"x\" })"), None);
            for transient in [
                "Throttling",
                "ThrottlingException",
                "KMSInternalException",
                "DependencyTimeoutException",
                "KeyUnavailableException",
                "ServiceUnavailable",
                "InternalFailure",
                "RequestTimeout",
                "ExpiredTokenException",
                "ExpiredToken",
                "InvalidSignatureException",
                "SignatureDoesNotMatch",
                "RequestExpired",
            ] {
                assert!(classify_kms_code(transient).is_retryable(), "{transient}");
            }
            for refused in [
                "AccessDeniedException",
                "IncorrectKeyException",
                "InvalidCiphertextException",
                "NotFoundException",
                "DisabledException",
                "KMSInvalidStateException",
                "KMSInvalidSignatureException",
                "ThrottlingExceptionNot",
                "throttlingexception",
                "",
            ] {
                assert!(!classify_kms_code(refused).is_retryable(), "{refused}");
            }
        }

        #[test]
        fn no_answer_from_kms_is_transient() {
            let timeout = no_answer(SdkError::timeout_error("operation timed out"));
            assert_eq!(classify(&from_kms(vec![timeout])), DecryptError::Unavailable("timeout"));
            let io = no_answer(SdkError::dispatch_failure(ConnectorError::io(
                "connection reset".into(),
            )));
            assert_eq!(
                classify(&from_kms(vec![io])),
                DecryptError::Unavailable("network failure")
            );
            let cut = no_answer(SdkError::response_error(
                "unexpected end of body",
                aws_sdk_kms::config::http::HttpResponse::new(
                    200.try_into().expect("status"),
                    aws_smithy_types::body::SdkBody::empty(),
                ),
            ));
            assert_eq!(
                classify(&from_kms(vec![cut])),
                DecryptError::Unavailable("unreadable KMS response")
            );
            let unbuilt = no_answer(SdkError::construction_failure("no region"));
            assert!(!classify(&from_kms(vec![unbuilt])).is_retryable());
        }

        #[test]
        fn the_messages_own_failures_are_never_retried() {
            let invalid_signature = EsdkError::AwsEncryptionSdkException {
                message: "Invalid signature".into(),
            };
            assert_eq!(
                classify(&invalid_signature),
                DecryptError::Undecryptable("the message's signature does not verify".into())
            );
            let too_many = EsdkError::AwsEncryptionSdkException {
                message: "Ciphertext encrypted data keys exceed maxEncryptedDataKeys".into(),
            };
            assert_eq!(
                classify(&too_many),
                DecryptError::Undecryptable("too many encrypted data keys".into())
            );
            let tag = EsdkError::AwsCryptographicPrimitivesError {
                error: aws_esdk::aws_cryptography_primitives::types::error::Error::AwsCryptographicPrimitivesError {
                    message: "aes gcm decrypt failed".into(),
                },
            };
            assert_eq!(classify(&tag), DecryptError::Undecryptable(TAMPERED.into()));
            let no_match = EsdkError::AwsCryptographicMaterialProvidersError {
                error: MplError::AwsCryptographicMaterialProvidersException {
                    message: "Unable to decrypt data key: No Encrypted Data Keys found to match.".into(),
                },
            };
            assert!(!classify(&no_match).is_retryable());
            for e in [invalid_signature, too_many, tag, no_match] {
                assert!(!classify(&e).is_retryable(), "{e:?}");
            }
        }

        #[test]
        fn the_reported_suite_must_be_the_headers() {
            use AcceptedSuite::*;
            use EsdkAlgorithmSuiteId::*;
            assert_eq!(
                check_reported_suite(
                    Aes256GcmIv12Tag16HkdfSha384EcdsaP384,
                    Some(AlgAes256GcmIv12Tag16HkdfSha384EcdsaP384)
                ),
                Ok(())
            );
            assert_eq!(
                check_reported_suite(
                    Aes256GcmHkdfSha512CommitKeyEcdsaP384,
                    Some(AlgAes256GcmHkdfSha512CommitKeyEcdsaP384)
                ),
                Ok(())
            );
            for (accepted, reported) in [
                (
                    Aes256GcmIv12Tag16HkdfSha384EcdsaP384,
                    Some(AlgAes256GcmHkdfSha512CommitKeyEcdsaP384),
                ),
                (
                    Aes256GcmIv12Tag16HkdfSha384EcdsaP384,
                    Some(AlgAes256GcmIv12Tag16HkdfSha256),
                ),
                (
                    Aes256GcmHkdfSha512CommitKeyEcdsaP384,
                    Some(AlgAes256GcmHkdfSha512CommitKey),
                ),
                (Aes256GcmHkdfSha512CommitKeyEcdsaP384, None),
            ] {
                let e = check_reported_suite(accepted, reported).expect_err("refused");
                assert!(!e.is_retryable());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("483920");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(s.expose(), "483920");
    }

    #[test]
    fn unescapes_what_cognito_escapes() {
        assert_eq!(unescape_html("a&amp;b&lt;c&gt;d&quot;e&#39;f&#x2F;g"), "a&b<c>d\"e'f/g");
        assert_eq!(unescape_html("P@ss&amp;amp;"), "P@ss&amp;", "one level only");
        assert_eq!(unescape_html("&notanentity; & &;"), "&notanentity; & &;");
        assert_eq!(unescape_html("plain123"), "plain123");
        assert_eq!(unescape_html("&#128512;"), "😀");
        assert_eq!(unescape_html("&#xD800;"), "&#xD800;", "no surrogate code points");
    }

    #[test]
    fn user_pool_must_match() {
        assert_eq!(check_user_pool(Some("us-east-1_A"), "us-east-1_A", true), Ok(()));
        assert_eq!(
            check_user_pool(Some("us-east-1_A"), "us-east-1_B", false),
            Err(DecryptError::WrongUserPool {
                expected: "us-east-1_B".into(),
                found: "us-east-1_A".into()
            })
        );
        assert_eq!(check_user_pool(None, "x", true), Err(DecryptError::NoUserPool));
        assert_eq!(check_user_pool(None, "x", false), Ok(()));
    }

    #[test]
    fn only_unavailability_is_retryable() {
        assert!(DecryptError::Unavailable("throttled").is_retryable());
        assert!(!DecryptError::NotBase64.is_retryable());
        assert!(!DecryptError::Undecryptable("tampered".into()).is_retryable());
    }

    /// Real headers made by the Python Encryption SDK 4.0.7 under moto KMS keys, from the
    /// first byte through the encrypted data key count (the signed suites carry the
    /// `aws-crypto-public-key` and, but for the first 0x0578 one, `userpool-id` in their AAD).
    /// Tests add a fabricated tail: a header check must not need the rest.
    const V1_0378_1_EDK: &str = "01800378809844f680cd13a112338f7591016850007c000200156177732d63727970746f2d7075626c69632d6b6579004441706968337934385262614f346b584c2b376d686f4a6555354c67587758586230354a4d6f356c737a2f676e514a787a5546566a7233326a7337757a644f4d696b513d3d000b75736572706f6f6c2d6964000e75732d656173742d315f546573740001";
    const V1_0378_2_EDKS: &str = "018003787809691bc570405318651d97f868773b007c000200156177732d63727970746f2d7075626c69632d6b65790044413854427262463566514970474f474e6e3645574733614f466876553949755a5a75742b6d7642754a696836724833725448704e536d5379736861507470303851773d3d000b75736572706f6f6c2d6964000e75732d656173742d315f546573740002";
    const V1_0378_3_EDKS: &str = "0180037855e899a0137e8985aa28f81dbaa24572007c000200156177732d63727970746f2d7075626c69632d6b657900444176786e5a5536706166593939596642643173314e534f386d3873612f534c5a6b412b41656a35774d706c767779773965747857766c34774a6c55364677303975413d3d000b75736572706f6f6c2d6964000e75732d656173742d315f546573740003";
    const V2_0578_1_EDK: &str = "02057811093956fe969495387071b332dd5081bb5ea50091c8217f44919812af9d8d23005f000100156177732d63727970746f2d7075626c69632d6b65790044417a6e5a6d7266516231437131453039537a4b5a323251763677444f2f5376785273787945736d594b7a7a5663306b7a7a62446c64434f534c7747533965505445513d3d0001";
    const V2_0578_2_EDKS: &str = "020578fc31fd02d66205dd2f98320932612c9183e1483476c48f125273c8a765a1f721007c000200156177732d63727970746f2d7075626c69632d6b6579004441386f5059757964357a59686c6935632f6d64796679316f5134486e51335745714d35612b5454613049743172367964426c333973474e66594c504c327a766d6e773d3d000b75736572706f6f6c2d6964000e75732d656173742d315f546573740002";
    const V2_0478_1_EDK: &str = "02047838121763789405cbbc737725715d8abcab9ce062b308881dc52c1f4355120ff7001f0001000b75736572706f6f6c2d6964000e75732d656173742d315f546573740001";
    const V1_0178_1_EDK: &str = "018001789ea7f8f18ebc559fd062b314e0eeff1f001f0001000b75736572706f6f6c2d6964000e75732d656173742d315f546573740001";
    const V1_0014_1_EDK: &str = "01800014968e13fbc439fbefc499d0aeb7afbe25001f0001000b75736572706f6f6c2d6964000e75732d656173742d315f546573740001";

    /// A fabricated start of the first encrypted data key (provider id "aws-kms", ...).
    const TAIL: [u8; 12] = [0x00, 0x07, b'a', b'w', b's', b'-', b'k', b'm', b's', 0x00, 0x4b, 0x61];

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect()
    }

    fn message(hex: &str) -> Vec<u8> {
        let mut m = bytes(hex);
        m.extend_from_slice(&TAIL);
        m
    }

    fn reason(e: DecryptError) -> String {
        assert!(!e.is_retryable(), "{e:?}");
        match e {
            DecryptError::Undecryptable(why) => why.into_owned(),
            other => panic!("not a refusal: {other:?}"),
        }
    }

    #[test]
    fn headers_of_the_two_signed_suites_with_one_or_two_data_keys_pass() {
        use AcceptedSuite::*;
        for (hex, suite, edks) in [
            (V1_0378_1_EDK, Aes256GcmIv12Tag16HkdfSha384EcdsaP384, 1),
            (V1_0378_2_EDKS, Aes256GcmIv12Tag16HkdfSha384EcdsaP384, 2),
            (V2_0578_1_EDK, Aes256GcmHkdfSha512CommitKeyEcdsaP384, 1),
            (V2_0578_2_EDKS, Aes256GcmHkdfSha512CommitKeyEcdsaP384, 2),
        ] {
            let header = Header {
                suite,
                encrypted_data_keys: edks,
            };
            assert_eq!(check_header(&message(hex)), Ok(header), "{hex}");
            // The check reads no further than the data key count.
            assert_eq!(check_header(&bytes(hex)), Ok(header), "{hex}");
        }
        assert_eq!(AcceptedSuite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384.id(), 0x0378);
        assert_eq!(AcceptedSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384.id(), 0x0578);
    }

    #[test]
    fn other_suites_are_refused_by_id() {
        for (hex, expected) in [
            (
                V1_0178_1_EDK,
                "algorithm suite 0x0178 (AES_256_GCM_IV12_TAG16_HKDF_SHA256) is not accepted; only 0x0378 and 0x0578 are",
            ),
            (
                V1_0014_1_EDK,
                "algorithm suite 0x0014 (AES_128_GCM_IV12_TAG16_NO_KDF) is not accepted; only 0x0378 and 0x0578 are",
            ),
            (
                V2_0478_1_EDK,
                "algorithm suite 0x0478 (AES_256_GCM_HKDF_SHA512_COMMIT_KEY) is not accepted; only 0x0378 and 0x0578 are",
            ),
        ] {
            assert_eq!(reason(check_header(&message(hex)).expect_err(hex)), expected);
        }
        // An accepted id in the other format's header.
        let mut v2_with_0378 = message(V2_0578_1_EDK);
        v2_with_0378[1..3].copy_from_slice(&[0x03, 0x78]);
        assert_eq!(
            reason(check_header(&v2_with_0378).expect_err("refused")),
            "algorithm suite 0x0378 (AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384) in a message format 2 header"
        );
        let mut v1_with_0578 = message(V1_0378_1_EDK);
        v1_with_0578[2..4].copy_from_slice(&[0x05, 0x78]);
        assert!(reason(check_header(&v1_with_0578).expect_err("refused")).contains("0x0578"));
        // An id the Encryption SDK does not define is not echoed.
        let mut unknown = message(V1_0378_1_EDK);
        unknown[2..4].copy_from_slice(&[0xab, 0xcd]);
        let why = reason(check_header(&unknown).expect_err("refused"));
        assert_eq!(why, "unknown algorithm suite; only 0x0378 and 0x0578 are accepted");
        assert!(!why.to_ascii_lowercase().contains("ab"), "{why}");
    }

    #[test]
    fn data_key_counts_other_than_one_or_two_are_refused() {
        assert_eq!(
            reason(check_header(&message(V1_0378_3_EDKS)).expect_err("3 keys")),
            "the header lists 3 encrypted data keys; at most 2 are accepted"
        );
        for (hex, count, expected) in [
            (
                V2_0578_2_EDKS,
                [0x00, 0x03],
                "the header lists 3 encrypted data keys; at most 2 are accepted",
            ),
            (
                V1_0378_1_EDK,
                [0xff, 0xff],
                "the header lists 65535 encrypted data keys; at most 2 are accepted",
            ),
            (V2_0578_1_EDK, [0x00, 0x00], "the header lists no encrypted data key"),
        ] {
            let mut m = bytes(hex);
            let n = m.len();
            m[n - 2..].copy_from_slice(&count);
            m.extend_from_slice(&TAIL);
            assert_eq!(reason(check_header(&m).expect_err(expected)), expected);
        }
    }

    #[test]
    fn truncated_headers_and_unknown_formats_are_refused() {
        for hex in [V1_0378_1_EDK, V2_0578_2_EDKS] {
            let whole = bytes(hex);
            for len in 0..whole.len() {
                let why = reason(check_header(&whole[..len]).expect_err("truncated"));
                assert_eq!(why, "truncated message header", "{len} of {}", whole.len());
            }
        }
        // An AAD length past the end of the message.
        let mut long_aad = bytes(V1_0378_1_EDK);
        long_aad[20..22].copy_from_slice(&[0xff, 0xff]);
        assert_eq!(
            reason(check_header(&long_aad).expect_err("aad")),
            "truncated message header"
        );

        for version in [0x00, 0x03, 0x41, 0xff] {
            let mut m = message(V1_0378_1_EDK);
            m[0] = version;
            assert_eq!(
                reason(check_header(&m).expect_err("version")),
                "not an Encryption SDK message: unknown message format version"
            );
        }
        let mut wrong_type = message(V1_0378_1_EDK);
        wrong_type[1] = 0x81;
        assert_eq!(
            reason(check_header(&wrong_type).expect_err("type")),
            "not an Encryption SDK message: unknown message type"
        );
        // Six digits that happen to be base64: a plaintext code is refused, and not echoed.
        let why = reason(check_header(b"\xd7m\xf8\xe7\xae\xfc").expect_err("plaintext"));
        assert_eq!(why, "not an Encryption SDK message: unknown message format version");
    }
}

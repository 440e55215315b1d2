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

use crate::domain::code::{AcceptedSuite, CodeDecryptor, DecryptError, Decrypted, MAX_ENCRYPTED_DATA_KEYS, Secret};

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
fn check_reported_suite(accepted: AcceptedSuite, reported: Option<EsdkAlgorithmSuiteId>) -> Result<(), DecryptError> {
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
        let header = crate::domain::code::check_header(&bytes)?;
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
            .map(Secret::new)
            .map_err(|_| DecryptError::NotText)?;
        Ok(Decrypted {
            secret,
            user_pool_id: context.remove("userpool-id"),
        })
    }
}

#[cfg(test)]
mod tests;

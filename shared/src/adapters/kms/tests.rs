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

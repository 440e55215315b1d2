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
//! Handlers depend on the [`CodeDecryptor`] trait, so they are unit-tested with a fake; the
//! KMS implementation is tested against moto with ciphertexts made by AWS's own Python
//! Encryption SDK.

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
    #[error("the code is not an Encryption SDK message that the configured KMS key can decrypt ({0})")]
    Undecryptable(&'static str),
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

#[cfg(feature = "kms")]
pub mod kms {
    //! The AWS Encryption SDK for Rust with a KMS keyring for one key.

    use std::collections::HashMap;

    use aws_esdk::client as esdk_client;
    use aws_esdk::material_providers::client as mpl_client;
    use aws_esdk::material_providers::types::EsdkCommitmentPolicy;
    use aws_esdk::material_providers::types::keyring::KeyringRef;
    use aws_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
    use aws_esdk::types::aws_encryption_sdk_config::AwsEncryptionSdkConfig;
    use base64::Engine as _;

    use super::{CodeDecryptor, DecryptError, Decrypted, Secret};

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

    /// Sorts an Encryption SDK failure into what a caller can act on, from its debug text
    /// (the SDK wraps KMS errors in generated types with no stable kind). The text itself is
    /// never passed on: it can quote message bytes.
    fn classify(error: &dyn std::fmt::Debug) -> DecryptError {
        // The generated types spell KMS errors their own way (`KmsInternalException` for
        // KMS's `KMSInternalException`): compare case-insensitively.
        let text = format!("{error:?}").to_ascii_lowercase();
        const TRANSIENT: [(&str, &str); 10] = [
            ("throttlingexception", "throttled"),
            ("kmsinternalexception", "KMS internal error"),
            ("dependencytimeoutexception", "KMS dependency timeout"),
            ("keyunavailableexception", "key unavailable"),
            ("serviceunavailable", "KMS unavailable"),
            ("internalfailure", "KMS internal error"),
            ("timeouterror", "timeout"),
            ("dispatchfailure", "network failure"),
            ("dispatch failure", "network failure"),
            ("responseerror", "malformed KMS response"),
        ];
        if let Some((_, why)) = TRANSIENT.iter().find(|(marker, _)| text.contains(marker)) {
            return DecryptError::Unavailable(why);
        }
        for (marker, why) in [
            ("accessdenied", "KMS denied access"),
            ("incorrectkeyexception", "encrypted under another key"),
            ("invalidciphertextexception", "KMS rejected the data key"),
            ("notfoundexception", "key not found"),
            ("disabledexception", "key disabled"),
            ("unable to decrypt", "no data key the keyring can decrypt"),
            ("signature", "signature does not verify"),
            ("authentication tag", "tampered"),
        ] {
            if text.contains(marker) {
                return DecryptError::Undecryptable(why);
            }
        }
        DecryptError::Undecryptable("malformed message")
    }

    impl CodeDecryptor for KmsDecryptor {
        async fn decrypt(&self, code_base64: &str) -> Result<Decrypted, DecryptError> {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(code_base64.trim())
                .map_err(|_| DecryptError::NotBase64)?;
            let out = self
                .esdk
                .decrypt()
                .ciphertext(bytes)
                .keyring(self.keyring.clone())
                .send()
                .await
                .map_err(|e| classify(&e))?;
            let mut context: HashMap<String, String> = out.encryption_context.unwrap_or_default();
            let plaintext = out.plaintext.ok_or(DecryptError::Undecryptable("empty message"))?;
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

        #[test]
        fn encryption_sdk_errors_are_sorted_by_what_a_retry_can_do() {
            // As the Encryption SDK reports a KMS 500 after the SDK's retries.
            let internal = "AwsCryptographicMaterialProvidersError { error: CollectionOfErrors { list: [TrentServiceError { error: KmsInternalException { error: KmsInternalException { message: Some(\"internal\") } } }], message: \"No Configured KMS Key was able to decrypt the Data Key.\" } }";
            assert_eq!(classify(&internal), DecryptError::Unavailable("KMS internal error"));
            assert!(classify(&"TrentServiceError { error: ThrottlingException { .. } }").is_retryable());
            assert!(classify(&"DispatchFailure(ConnectorError { kind: Io })").is_retryable());
            assert_eq!(
                classify(&"TrentServiceError { error: IncorrectKeyException { .. } }"),
                DecryptError::Undecryptable("encrypted under another key")
            );
            assert_eq!(
                classify(&"AwsEncryptionSdkException { message: \"bad header\" }"),
                DecryptError::Undecryptable("malformed message")
            );
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
        assert!(!DecryptError::Undecryptable("tampered").is_retryable());
    }
}

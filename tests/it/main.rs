//! One integration-test binary for the workspace (faster to build than one per file).

mod custom_message;
mod email_sender;
mod password_rules;
mod published_events;
mod sms_sender;
mod templates;
mod watch;

use cognito_reset::events::MessageKind;
use cognito_reset::messages::limits;
use serde_json::Value;

/// Asserts what Cognito requires of a custom message response (see `MessageTemplateType`
/// in the Cognito API reference): all three parts set, within limits, placeholders present,
/// a one-line subject. Also checks that `aws_lambda_events` (AWS's Rust types) reads it.
pub fn assert_cognito_accepts(kind: MessageKind, event: &Value, what: &str) {
    let request = &event["request"];
    let response = &event["response"];
    let code = request["codeParameter"]
        .as_str()
        .filter(|s| !s.is_empty() && *s != "None")
        .unwrap_or("{####}");
    let username = request["usernameParameter"]
        .as_str()
        .filter(|s| !s.is_empty() && *s != "None")
        .unwrap_or("{username}");
    for (part, max) in [
        ("smsMessage", limits::SMS_MESSAGE_MAX),
        ("emailMessage", limits::EMAIL_MESSAGE_MAX),
        ("emailSubject", limits::EMAIL_SUBJECT_MAX),
    ] {
        let text = response[part]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: {part} is not set: {response}"));
        let n = text.chars().count();
        assert!(n >= 1 && n <= max, "{what}: {part} has {n} characters (limit {max})");
    }
    for part in ["smsMessage", "emailMessage"] {
        let text = response[part].as_str().unwrap_or_default();
        assert!(text.contains(code), "{what}: {part} lacks the code placeholder {code}");
        if kind == MessageKind::AdminCreateUser {
            assert!(
                text.contains(username),
                "{what}: {part} lacks the username placeholder {username}"
            );
        }
    }
    let subject = response["emailSubject"].as_str().unwrap_or_default();
    assert!(!subject.contains(['\r', '\n']), "{what}: subject has a line break");
    let typed: aws_lambda_events::event::cognito::CognitoEventUserPoolsCustomMessageResponse =
        serde_json::from_value(response.clone())
            .unwrap_or_else(|e| panic!("{what}: aws_lambda_events cannot read the response: {e}"));
    assert_eq!(typed.email_subject.as_deref(), Some(subject));
}

/// An AWS SDK configuration pointed at the local moto server.
pub fn moto_sdk_config(moto: &cognito_reset_tests::Moto) -> aws_config::SdkConfig {
    use cognito_reset::aws::kms::config::Credentials;
    block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(cognito_reset_tests::LOCAL_REGION))
            .endpoint_url(&moto.endpoint)
            .credentials_provider(Credentials::new(
                cognito_reset_tests::LOCAL_ACCESS_KEY,
                cognito_reset_tests::LOCAL_SECRET_KEY,
                None,
                None,
                "moto",
            ))
            .load(),
    )
}

/// Runs a future on a multi-threaded runtime (the Encryption SDK blocks in place on KMS calls).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// Creates a KMS key on moto and returns its ARN.
pub fn create_key(sdk: &aws_config::SdkConfig) -> String {
    let kms = cognito_reset::aws::kms::Client::new(sdk);
    let out = block_on(kms.create_key().description("cognito-reset test key").send()).expect("create key");
    out.key_metadata()
        .map(|m| m.arn().unwrap_or_default().to_owned())
        .expect("key ARN")
}

/// A moto server with a KMS key, and an SDK configuration pointed at it.
#[derive(Debug)]
pub struct LocalKms {
    pub moto: cognito_reset_tests::Moto,
    pub sdk: aws_config::SdkConfig,
    pub key: String,
}

impl LocalKms {
    pub fn start(test: &str) -> Option<LocalKms> {
        let moto = cognito_reset_tests::Moto::start(test)?;
        let sdk = moto_sdk_config(&moto);
        let key = create_key(&sdk);
        Some(LocalKms { moto, sdk, key })
    }

    /// The production decryptor, against moto.
    pub fn decryptor(&self) -> cognito_reset::code::kms::KmsDecryptor {
        block_on(cognito_reset::code::kms::KmsDecryptor::new(
            cognito_reset::aws::kms::Client::new(&self.sdk),
            &self.key,
        ))
        .expect("decryptor")
    }

    /// Encrypts as Cognito does, with the Python Encryption SDK.
    pub fn encrypt(&self, pool: &str, suite: cognito_reset_tests::Suite, plaintext: &str) -> String {
        cognito_reset_tests::cognito_encrypt(&self.moto, &self.key, pool, suite, plaintext)
    }
}

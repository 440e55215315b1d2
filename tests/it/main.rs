//! One integration-test binary for the workspace (faster to build than one per file).

mod custom_message;
mod delivery_table;
mod e2e;
mod email_sender;
mod end_user_messaging;
mod faults;
mod infra;
mod npm_package;
mod password_paths;
mod password_rules;
mod preview;
mod properties;
mod published_events;
mod secrets;
mod settings;
mod sms_sender;
mod templates;
mod user_migration;
mod watch;

use cognito_reset::domain::events::MessageKind;
use cognito_reset::domain::messages::limits;
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
pub fn moto_sdk_config(moto: &cognito_reset_stack::Moto) -> aws_config::SdkConfig {
    block_on(cognito_reset_stack::local_sdk_config(&moto.endpoint))
}

pub use cognito_reset_stack::block_on;

/// The pre token handler, run to completion, with an in-memory user store.
pub fn pre_token_handle(
    deps: &pre_token::Deps<cognito_reset::fakes::FakeUsers>,
    event: Value,
    now: i64,
) -> Result<Value, pre_token::PreTokenError> {
    block_on(pre_token::handle(deps, event, now))
}

/// Creates a KMS key on moto and returns its ARN.
pub fn create_key(sdk: &aws_config::SdkConfig) -> String {
    block_on(cognito_reset_stack::create_key(sdk)).expect("create key")
}

/// A moto server with a KMS key, and an SDK configuration pointed at it.
#[derive(Debug)]
pub struct LocalKms {
    pub moto: cognito_reset_stack::Moto,
    pub sdk: aws_config::SdkConfig,
    pub key: String,
}

impl LocalKms {
    pub fn start(test: &str) -> Option<LocalKms> {
        let moto = cognito_reset_stack::Moto::start(test)?;
        let sdk = moto_sdk_config(&moto);
        let key = create_key(&sdk);
        Some(LocalKms { moto, sdk, key })
    }

    /// The production decryptor, against moto.
    pub fn decryptor(&self) -> cognito_reset::adapters::kms::KmsDecryptor {
        block_on(cognito_reset::adapters::kms::KmsDecryptor::new(
            cognito_reset::adapters::aws::kms::Client::new(&self.sdk),
            &self.key,
        ))
        .expect("decryptor")
    }

    /// Encrypts as Cognito does, with the Python Encryption SDK.
    pub fn encrypt(&self, pool: &str, suite: cognito_reset_stack::Suite, plaintext: &str) -> String {
        cognito_reset_stack::cognito_encrypt(&self.moto, &self.key, pool, suite, plaintext)
    }
}

//! One integration-test binary for the workspace (faster to build than one per file).

mod custom_message;
mod published_events;
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
        assert!(
            n >= 1 && n <= max,
            "{what}: {part} has {n} characters (limit {max})"
        );
    }
    for part in ["smsMessage", "emailMessage"] {
        let text = response[part].as_str().unwrap_or_default();
        assert!(
            text.contains(code),
            "{what}: {part} lacks the code placeholder {code}"
        );
        if kind == MessageKind::AdminCreateUser {
            assert!(
                text.contains(username),
                "{what}: {part} lacks the username placeholder {username}"
            );
        }
    }
    let subject = response["emailSubject"].as_str().unwrap_or_default();
    assert!(
        !subject.contains(['\r', '\n']),
        "{what}: subject has a line break"
    );
    let typed: aws_lambda_events::event::cognito::CognitoEventUserPoolsCustomMessageResponse =
        serde_json::from_value(response.clone())
            .unwrap_or_else(|e| panic!("{what}: aws_lambda_events cannot read the response: {e}"));
    assert_eq!(typed.email_subject.as_deref(), Some(subject));
}

//! The custom message function served by `cargo lambda watch` (the local Lambda service),
//! invoked through the Lambda Invoke API exactly as Cognito would.

use cognito_reset::domain::events::{Family, MessageKind};
use cognito_reset_stack::LambdaWatch;

#[test]
fn custom_message_answers_every_fixture_and_refuses_a_malformed_event() {
    let Some(watch) = LambdaWatch::start(
        "custom_message_under_cargo_lambda_watch",
        &[("APP_NAME", "Contoso"), ("LOG_LEVEL", "debug")],
    ) else {
        return;
    };
    for kind in MessageKind::ALL
        .into_iter()
        .filter(|k| k.sent_by(Family::CustomMessage))
    {
        let name = format!("custom-message-{}.json", kind.name());
        let event = cognito_reset_stack::fixture(&name);
        let answer = watch.invoke("custom-message", &serde_json::to_vec(&event).expect("json"));
        assert_eq!(answer.status, 200, "{name}: {answer:?}\n{}", watch.logs());
        assert_eq!(answer.function_error, None, "{name}: {answer:?}");
        crate::assert_cognito_accepts(kind, &answer.json(), &name);
    }
    let answer = watch.invoke("custom-message", br#"["not", "an", "event"]"#);
    assert!(answer.status >= 400 || answer.function_error.is_some(), "{answer:?}");
    assert!(answer.body.contains("InvalidEvent"), "{answer:?}");
    assert!(answer.body.contains("must be a JSON object"), "{answer:?}");
    let logs = watch.logs();
    assert!(logs.contains("custom message set"), "{logs}");
}

/// A configuration a function cannot use never fails Lambda's init (which would fail every
/// sign-in or reset): custom-message, pre-token and post-confirmation pass every event through
/// unchanged, with one error naming the variable per invocation; the senders fail each
/// invocation with the reason, so Lambda's retries and failure destination keep the message.
#[test]
fn an_unusable_configuration_degrades_and_never_fails_init() {
    let Some(watch) = LambdaWatch::start(
        "unusable_configuration",
        &[
            ("DEFAULT_LOCALE", "english"),
            ("PASSWORD_MAX_AGE_DAYS", "ninety"),
            ("STAMP_ON_SIGN_UP", "sometimes"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            // Nothing may be called: an endpoint that refuses connections.
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ],
    ) else {
        return;
    };
    for (function, fixture) in [
        ("custom-message", "custom-message-ForgotPassword.json"),
        ("pre-token", "pre-token-v2-Authentication.json"),
        ("post-confirmation", "post-confirmation-ConfirmForgotPassword.json"),
    ] {
        let event = cognito_reset_stack::fixture(fixture);
        let answer = watch.invoke(function, &serde_json::to_vec(&event).expect("json"));
        assert_eq!(answer.status, 200, "{function}: {answer:?}\n{}", watch.logs());
        assert_eq!(answer.function_error, None, "{function}: {answer:?}");
        assert_eq!(answer.json(), event, "{function}: the event comes back unchanged");
    }
    for function in ["custom-sms-sender", "custom-email-sender"] {
        let event = cognito_reset_stack::fixture(&format!("{function}-ForgotPassword.json"));
        let answer = watch.invoke(function, &serde_json::to_vec(&event).expect("json"));
        assert!(
            answer.status >= 400 || answer.function_error.is_some(),
            "{function}: {answer:?}"
        );
        assert!(answer.body.contains("ConfigurationUnusable"), "{function}: {answer:?}");
        assert!(
            answer.body.contains("DEFAULT_LOCALE"),
            "{function}: names the variable: {answer:?}"
        );
    }
    let logs = watch.logs();
    for variable in ["DEFAULT_LOCALE", "PASSWORD_MAX_AGE_DAYS", "STAMP_ON_SIGN_UP"] {
        assert!(logs.contains(variable), "{variable} is named in the logs");
    }
    assert!(logs.contains("configuration unusable: event returned unchanged, Cognito sends its default message"));
    assert!(logs.contains("configuration unusable: tokens issued unchanged, password rules NOT enforced"));
    assert!(logs.contains("configuration unusable: confirmation let through, password change NOT recorded"));
}

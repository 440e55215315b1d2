//! The custom message function served by `cargo lambda watch` (the local Lambda service),
//! invoked through the Lambda Invoke API exactly as Cognito would.

use cognito_reset::events::{Family, MessageKind};
use cognito_reset_tests::LambdaWatch;

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
        let event = cognito_reset_tests::fixture(&name);
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

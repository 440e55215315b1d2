//! The handler with in-memory fakes for KMS and SES.

use std::collections::HashMap;

use cognito_reset::domain::code::DecryptError;
use cognito_reset::domain::delivery::{DeliveryError, Email};
use cognito_reset::domain::events::MessageKind;
use cognito_reset::fakes::{FAKE_POOL, FakeDecryptor, MemoryLedger, Outbox, block_on as run};
use serde_json::{Value, json};

use super::*;

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

type TestDeps = Deps<FakeDecryptor, Outbox<Email>, MemoryLedger>;

fn deps(extra: &[(&'static str, &'static str)], kms: FakeDecryptor, ses: Outbox<Email>) -> TestDeps {
    let mut env: HashMap<&str, &str> = [
        ("KEY_ARN", KEY),
        ("APP_NAME", "Contoso"),
        ("EMAIL_FROM", "no-reply@example.com"),
    ]
    .into();
    env.extend(extra.iter().copied());
    Deps {
        settings: Settings::from_source(&env).unwrap(),
        decryptor: kms,
        email: ses,
        ledger: MemoryLedger::default(),
    }
}

fn ok_deps() -> TestDeps {
    deps(&[], FakeDecryptor::default(), Outbox::default())
}

fn event(source: &str, code: Value, email: &str) -> Value {
    json!({
        "version": "1", "region": "us-east-1", "userPoolId": FAKE_POOL, "userName": "jane",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "web"},
        "triggerSource": source,
        "request": {"type": "customEmailSenderRequestV1", "code": code, "clientMetadata": null,
                    "userAttributes": {"email": email, "email_verified": "true", "given_name": "Jane <b>", "sub": "s"}}
    })
}

#[test]
fn a_reset_email_has_subject_html_and_text_with_the_code() {
    let d = ok_deps();
    run(handle(
        &d,
        event(
            "CustomEmailSender_ForgotPassword",
            json!("enc:604172"),
            "jane@example.com",
        ),
    ))
    .unwrap();
    let sent = d.email.sent();
    assert_eq!(sent.len(), 1);
    let e = &sent[0];
    assert_eq!(e.to, "jane@example.com");
    assert_eq!(e.subject, "Reset your Contoso password");
    assert!(e.html.contains("604172") && e.text.contains("604172"));
    assert!(e.html.contains("Hi Jane &lt;b&gt;,"), "attributes escaped in HTML");
    assert!(e.text.contains("Hi Jane <b>,"), "and plain in text");
    assert!(!e.text.contains("<p"), "the text part has no markup");
}

#[test]
fn every_trigger_source_is_delivered() {
    for kind in MessageKind::ALL {
        let d = ok_deps();
        let source = kind.trigger_source(Family::CustomEmailSender);
        let code = if kind == MessageKind::AccountTakeOverNotification {
            Value::Null
        } else {
            json!("enc:777111")
        };
        run(handle(&d, event(&source, code, "jane@example.com"))).unwrap();
        let sent = d.email.sent();
        assert_eq!(sent.len(), 1, "{source}");
        assert!(!sent[0].subject.contains('\n'));
        if kind != MessageKind::AccountTakeOverNotification {
            assert!(
                sent[0].html.contains("777111") && sent[0].text.contains("777111"),
                "{source}"
            );
        }
    }
}

#[test]
fn a_temporary_password_is_unescaped_then_escaped_once_for_html() {
    let d = ok_deps();
    run(handle(
        &d,
        event(
            "CustomEmailSender_AdminCreateUser",
            json!("enc:Ab1&amp;&lt;x"),
            "jane@example.com",
        ),
    ))
    .unwrap();
    let e = &d.email.sent()[0];
    assert!(e.text.contains("Ab1&<x"), "{}", e.text);
    assert!(e.html.contains("Ab1&amp;&lt;x"), "{}", e.html);
}

#[test]
fn bad_input_sends_nothing_and_is_not_retried() {
    let cases = [
        (
            event("CustomEmailSender_ForgotPassword", json!("enc:1"), ""),
            "no address",
        ),
        (
            event(
                "CustomEmailSender_ForgotPassword",
                json!("enc:1"),
                "jane@example.com\r\nBcc: eve@example.com",
            ),
            "header injection",
        ),
        (
            event("CustomEmailSender_ForgotPassword", json!("enc:1"), "not-an-address"),
            "malformed address",
        ),
        (
            event("CustomEmailSender_ForgotPassword", json!("garbage"), "jane@example.com"),
            "undecryptable",
        ),
        (
            event("CustomEmailSender_ForgotPassword", Value::Null, "jane@example.com"),
            "no code",
        ),
        (
            event("CustomEmailSender_Unknown", json!("enc:1"), "jane@example.com"),
            "unknown source",
        ),
        (json!(null), "malformed"),
    ];
    for (ev, what) in cases {
        let d = ok_deps();
        assert!(run(handle(&d, ev)).is_ok(), "{what}: must not ask Lambda to retry");
        assert!(d.email.sent().is_empty(), "{what}: sent something");
    }
}

#[test]
fn an_address_is_checked_before_kms_is_called() {
    let d = ok_deps();
    run(handle(
        &d,
        event("CustomEmailSender_ForgotPassword", json!("enc:1"), "nope"),
    ))
    .unwrap();
    assert_eq!(d.decryptor.calls(), 0);
}

#[test]
fn only_transient_failures_fail_the_invocation() {
    let d = deps(
        &[],
        FakeDecryptor::failing(DecryptError::Unavailable("timeout")),
        Outbox::default(),
    );
    assert!(
        run(handle(
            &d,
            event("CustomEmailSender_SignUp", json!("enc:1"), "jane@example.com")
        ))
        .is_err()
    );
    let throttled = DeliveryError::Unavailable {
        service: "SES",
        code: "TooManyRequestsException".into(),
    };
    let d = deps(&[], FakeDecryptor::default(), Outbox::failing(throttled));
    assert!(
        run(handle(
            &d,
            event("CustomEmailSender_SignUp", json!("enc:1"), "jane@example.com")
        ))
        .is_err()
    );
    let rejected = DeliveryError::Rejected {
        service: "SES",
        code: "MessageRejected".into(),
    };
    let d = deps(&[], FakeDecryptor::default(), Outbox::failing(rejected));
    assert!(
        run(handle(
            &d,
            event("CustomEmailSender_SignUp", json!("enc:1"), "jane@example.com")
        ))
        .is_ok()
    );
}

#[test]
fn dry_run_sends_nothing() {
    let d = deps(
        &[("SEND_ENABLED", "false")],
        FakeDecryptor::default(),
        Outbox::default(),
    );
    run(handle(
        &d,
        event("CustomEmailSender_ForgotPassword", json!("enc:1"), "jane@example.com"),
    ))
    .unwrap();
    assert!(d.email.sent().is_empty());
}

#[test]
fn per_client_branding_and_locale_apply() {
    let d = deps(
        &[(
            "CLIENT_SETTINGS",
            r#"{"web": {"appName": "Contoso Web", "defaultLocale": "fr"}}"#,
        )],
        FakeDecryptor::default(),
        Outbox::default(),
    );
    run(handle(
        &d,
        event("CustomEmailSender_ForgotPassword", json!("enc:1"), "jane@example.com"),
    ))
    .unwrap();
    assert_eq!(
        d.email.sent()[0].subject,
        "Réinitialisez votre mot de passe Contoso Web"
    );
}

#[test]
fn a_code_without_a_pool_context_is_refused_unless_configured() {
    let d = ok_deps();
    run(handle(
        &d,
        event(
            "CustomEmailSender_ForgotPassword",
            json!("enc-nopool:424242"),
            "jane@example.com",
        ),
    ))
    .unwrap();
    assert!(d.email.sent().is_empty(), "real Cognito always sets userpool-id");
    let lenient = deps(
        &[("REQUIRE_POOL_CONTEXT", "false")],
        FakeDecryptor::default(),
        Outbox::default(),
    );
    run(handle(
        &lenient,
        event(
            "CustomEmailSender_ForgotPassword",
            json!("enc-nopool:424242"),
            "jane@example.com",
        ),
    ))
    .unwrap();
    assert!(lenient.email.sent()[0].text.contains("424242"));
    // A code for another pool stays refused either way.
    run(handle(
        &lenient,
        event(
            "CustomEmailSender_ForgotPassword",
            json!("enc-pool=us-east-1_X:1"),
            "jane@example.com",
        ),
    ))
    .unwrap();
    assert_eq!(lenient.email.sent().len(), 1);
}

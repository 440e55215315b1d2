//! The handler with in-memory fakes for KMS and SNS.

use std::collections::HashMap;

use cognito_reset::code::DecryptError;
use cognito_reset::delivery::{DeliveryError, Sms};
use cognito_reset::fakes::{FAKE_POOL, FakeDecryptor, Outbox, block_on as run};
use serde_json::{Value, json};

use super::*;

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

type TestDeps = Deps<FakeDecryptor, Outbox<Sms>>;

fn deps(
    extra: &[(&'static str, &'static str)],
    kms_fail: Option<DecryptError>,
    sns_fail: Option<DeliveryError>,
) -> TestDeps {
    let mut env: HashMap<&str, &str> = [
        ("KEY_ARN", KEY),
        ("APP_NAME", "Contoso"),
        ("SMS_ALLOWED_COUNTRIES", "ALL"),
    ]
    .into();
    env.extend(extra.iter().copied());
    Deps {
        settings: Settings::from_source(&env).unwrap(),
        decryptor: kms_fail.map_or_else(FakeDecryptor::default, FakeDecryptor::failing),
        sms: sns_fail.map_or_else(Outbox::default, Outbox::failing),
    }
}

fn event(source: &str, code: Value, phone: &str) -> Value {
    json!({
        "version": "1", "region": "us-east-1", "userPoolId": FAKE_POOL, "userName": "jane",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "web"},
        "triggerSource": source,
        "request": {"type": "customSMSSenderRequestV1", "code": code, "clientMetadata": null,
                    "userAttributes": {"phone_number": phone, "phone_number_verified": "true", "sub": "s"}}
    })
}

fn sent(d: &TestDeps) -> Vec<Sms> {
    d.sms.sent()
}

#[test]
fn a_reset_code_is_decrypted_worded_and_sent_once() {
    let d = deps(&[], None, None);
    run(handle(
        &d,
        event("CustomSMSSender_ForgotPassword", json!("enc:482913"), "+12065550123"),
    ))
    .unwrap();
    let sent = sent(&d);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].phone_number, "+12065550123");
    assert_eq!(sent[0].text.matches("482913").count(), 1, "{}", sent[0].text);
    assert!(sent[0].text.starts_with("Contoso: your password reset code is 482913."));
}

#[test]
fn every_trigger_source_is_delivered() {
    for kind in MessageKind::ALL {
        let d = deps(&[], None, None);
        let source = kind.trigger_source(Family::CustomSmsSender);
        let code = if kind == MessageKind::AccountTakeOverNotification {
            Value::Null
        } else {
            json!("enc:777111")
        };
        run(handle(&d, event(&source, code, "+12065550123"))).unwrap();
        let sent = sent(&d);
        assert_eq!(sent.len(), 1, "{source}");
        if kind != MessageKind::AccountTakeOverNotification {
            assert!(sent[0].text.contains("777111"), "{source}: {}", sent[0].text);
        }
    }
}

#[test]
fn autofill_lines_are_added_for_codes_but_not_for_temporary_passwords() {
    let d = deps(
        &[("SMS_OTP_DOMAIN", "app.example.com"), ("SMS_APP_HASH", "FA+9qCX9VSu")],
        None,
        None,
    );
    run(handle(
        &d,
        event("CustomSMSSender_Authentication", json!("enc:123456"), "+12065550123"),
    ))
    .unwrap();
    run(handle(
        &d,
        event(
            "CustomSMSSender_AdminCreateUser",
            json!("enc:Tmp&amp;Pass1"),
            "+12065550123",
        ),
    ))
    .unwrap();
    let sent = sent(&d);
    assert!(
        sent[0].text.ends_with("\nFA+9qCX9VSu\n@app.example.com #123456"),
        "{}",
        sent[0].text
    );
    assert_eq!(sms::segments(&sent[0].text).parts, 1);
    assert!(!sent[1].text.contains("@app.example.com"));
    assert!(sent[1].text.contains("Tmp&Pass1"), "unescaped: {}", sent[1].text);
}

#[test]
fn bad_input_sends_nothing_and_is_not_retried() {
    let cases: Vec<(Value, &str)> = vec![
        (
            event("CustomSMSSender_ForgotPassword", json!("enc:1"), ""),
            "missing number",
        ),
        (
            event("CustomSMSSender_ForgotPassword", json!("enc:1"), "2065550123"),
            "not E.164",
        ),
        (
            event("CustomSMSSender_ForgotPassword", json!("enc:1"), "+1234567890"),
            "invalid number",
        ),
        (
            event("CustomSMSSender_ForgotPassword", json!("enc:1"), "+442071234567"),
            "blocked country",
        ),
        (
            event("CustomSMSSender_ForgotPassword", json!("not-encrypted"), "+12065550123"),
            "undecryptable",
        ),
        (
            event("CustomSMSSender_ForgotPassword", Value::Null, "+12065550123"),
            "no code",
        ),
        (
            event("CustomSMSSender_FutureThing", json!("enc:1"), "+12065550123"),
            "unknown source",
        ),
        (
            event("CustomEmailSender_ForgotPassword", json!("enc:1"), "+12065550123"),
            "other family",
        ),
        (json!(["not an event"]), "malformed"),
    ];
    for (ev, what) in cases {
        let d = deps(&[("SMS_ALLOWED_COUNTRIES", "US,CA")], None, None);
        assert!(run(handle(&d, ev)).is_ok(), "{what}: must not ask Lambda to retry");
        assert!(sent(&d).is_empty(), "{what}: sent something");
    }
}

#[test]
fn a_number_is_checked_before_kms_is_called() {
    let d = deps(&[("SMS_ALLOWED_COUNTRIES", "US")], None, None);
    run(handle(
        &d,
        event("CustomSMSSender_ForgotPassword", json!("enc:1"), "+442071234567"),
    ))
    .unwrap();
    assert_eq!(d.decryptor.calls(), 0);
}

#[test]
fn a_code_for_another_pool_is_refused() {
    let d = deps(&[], None, None);
    let mut ev = event("CustomSMSSender_ForgotPassword", json!("enc:1"), "+12065550123");
    ev["userPoolId"] = json!("us-east-1_Other");
    run(handle(&d, ev)).unwrap();
    assert!(sent(&d).is_empty());
}

#[test]
fn throttling_fails_the_invocation_so_lambda_retries() {
    let d = deps(&[], Some(DecryptError::Unavailable("throttled")), None);
    let e = run(handle(
        &d,
        event("CustomSMSSender_ForgotPassword", json!("enc:1"), "+12065550123"),
    ))
    .unwrap_err();
    assert!(e.to_string().contains("throttled"));
    let d = deps(
        &[],
        None,
        Some(DeliveryError::Unavailable {
            service: "SNS",
            code: "Throttling".into(),
        }),
    );
    assert!(
        run(handle(
            &d,
            event("CustomSMSSender_ForgotPassword", json!("enc:1"), "+12065550123")
        ))
        .is_err()
    );
    let d = deps(
        &[],
        None,
        Some(DeliveryError::Rejected {
            service: "SNS",
            code: "InvalidParameter".into(),
        }),
    );
    assert!(
        run(handle(
            &d,
            event("CustomSMSSender_ForgotPassword", json!("enc:1"), "+12065550123")
        ))
        .is_ok()
    );
}

#[test]
fn dry_run_decrypts_and_renders_but_sends_nothing() {
    let d = deps(&[("SEND_ENABLED", "false")], None, None);
    run(handle(
        &d,
        event("CustomSMSSender_ForgotPassword", json!("enc:1"), "+12065550123"),
    ))
    .unwrap();
    assert!(sent(&d).is_empty());
    assert_eq!(d.decryptor.calls(), 1);
}

#[test]
fn a_provider_that_validates_dry_runs_is_asked_to_and_nothing_is_sent() {
    let mut d = deps(&[("SEND_ENABLED", "false")], None, None);
    d.sms.validates_dry_runs = true;
    run(handle(
        &d,
        event("CustomSMSSender_ForgotPassword", json!("enc:1"), "+12065550123"),
    ))
    .unwrap();
    let asked = sent(&d);
    assert_eq!(asked.len(), 1);
    assert!(asked[0].dry_run, "validated, not sent");
}

#[test]
fn each_message_carries_its_source_its_pool_and_how_long_it_is_worth_delivering() {
    let d = deps(&[("TEMPORARY_PASSWORD_VALIDITY_DAYS", "7")], None, None);
    for (source, ttl) in [
        ("CustomSMSSender_ForgotPassword", 3_600),
        ("CustomSMSSender_SignUp", 3_600),
        ("CustomSMSSender_ResendCode", 3_600),
        ("CustomSMSSender_UpdateUserAttribute", 3_600),
        ("CustomSMSSender_VerifyUserAttribute", 3_600),
        ("CustomSMSSender_Authentication", 180),
        // Seven days of validity, but the service keeps a message at most 72 hours.
        ("CustomSMSSender_AdminCreateUser", 259_200),
    ] {
        run(handle(&d, event(source, json!("enc:123456"), "+12065550123"))).unwrap();
        let sms = sent(&d).pop().expect("sent");
        assert_eq!(sms.time_to_live_seconds, ttl, "{source}");
        assert_eq!(
            (sms.trigger_source.as_str(), sms.user_pool_id.as_str()),
            (source, FAKE_POOL)
        );
        assert!(!sms.dry_run);
    }
    assert_eq!(time_to_live(MessageKind::AdminCreateUser, 1), 86_400);
    assert_eq!(time_to_live(MessageKind::AccountTakeOverNotification, 3), 259_200);
}

#[test]
fn the_user_locale_picks_the_language() {
    let d = deps(&[], None, None);
    let mut ev = event("CustomSMSSender_ForgotPassword", json!("enc:555000"), "+12065550123");
    ev["request"]["userAttributes"]["locale"] = json!("es");
    run(handle(&d, ev)).unwrap();
    assert!(sent(&d)[0].text.contains("restablecer"), "{}", sent(&d)[0].text);
}

//! The handler with in-memory fakes for KMS and SNS.

use std::collections::HashMap;

use cognito_reset::domain::code::DecryptError;
use cognito_reset::domain::delivery::{DeliveryError, Sms};
use cognito_reset::fakes::{FAKE_POOL, FakeDecryptor, MemoryLedger, Outbox, block_on as run};
use serde_json::{Value, json};

use super::*;

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

type TestDeps = Deps<FakeDecryptor, Outbox<Sms>, MemoryLedger>;

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
        ledger: MemoryLedger::default(),
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

const TABLE: [(&str, &str); 3] = [
    ("DELIVERY_TABLE", "deliveries"),
    ("DELIVERY_HASH_KEY", "0123456789abcdef0123456789abcdef"),
    ("MAX_SMS_PER_NUMBER", "3"),
];

fn with_table(extra: &[(&'static str, &'static str)], sns_fail: Option<DeliveryError>) -> TestDeps {
    let mut all = TABLE.to_vec();
    all.extend_from_slice(extra);
    deps(&all, None, sns_fail)
}

fn reset(code: &str) -> Value {
    event("CustomSMSSender_ForgotPassword", json!(code), "+12065550123")
}

#[test]
fn a_retried_message_is_sent_once_and_the_retry_succeeds_without_decrypting() {
    let d = with_table(&[], None);
    run(handle(&d, reset("enc:111111"))).unwrap();
    run(handle(&d, reset("enc:111111"))).unwrap();
    assert_eq!(sent(&d).len(), 1);
    assert_eq!(d.decryptor.calls(), 1, "a duplicate makes no KMS call");
    assert_eq!(d.ledger.states(), ["sent"]);
}

#[test]
fn a_recipient_over_its_limit_is_throttled_before_any_kms_call() {
    let d = with_table(&[], None);
    for n in 0..5 {
        run(handle(&d, reset(&format!("enc:10000{n}")))).unwrap();
    }
    assert_eq!(sent(&d).len(), 3);
    assert_eq!(d.decryptor.calls(), 3);
    // A replay of a delivered message is a duplicate, not a fourth count.
    run(handle(&d, reset("enc:100000"))).unwrap();
    assert_eq!(sent(&d).len(), 3);
}

#[test]
fn the_pool_ceiling_throttles_every_number() {
    let d = with_table(&[("MAX_SMS_PER_POOL_PER_DAY", "2")], None);
    for (n, phone) in ["+12065550123", "+12065550124", "+12065550125"].iter().enumerate() {
        let e = event("CustomSMSSender_ForgotPassword", json!(format!("enc:20000{n}")), phone);
        run(handle(&d, e)).unwrap();
    }
    assert_eq!(sent(&d).len(), 2);
}

#[test]
fn a_failed_delivery_releases_its_claim_so_the_retry_delivers() {
    let failing = with_table(
        &[],
        Some(DeliveryError::Unavailable {
            service: "SNS",
            code: "Throttling".into(),
        }),
    );
    assert!(run(handle(&failing, reset("enc:333333"))).is_err(), "Lambda must retry");
    assert_eq!(failing.ledger.states(), ["failed"]);
    // Nothing was delivered, so nothing counts: three more messages still go.
    let d = TestDeps {
        sms: Outbox::default(),
        ..failing
    };
    run(handle(&d, reset("enc:333333"))).unwrap();
    for n in 0..3 {
        run(handle(&d, reset(&format!("enc:40000{n}")))).unwrap();
    }
    assert_eq!(
        sent(&d).len(),
        3,
        "the retry and two more; the third new one is over the limit"
    );
}

#[test]
fn refused_numbers_and_dry_runs_leave_the_table_alone() {
    let d = with_table(&[("SMS_ALLOWED_COUNTRIES", "CA")], None);
    run(handle(&d, reset("enc:555555"))).unwrap();
    assert!(d.ledger.states().is_empty());
    let dry = with_table(&[("SEND_ENABLED", "false")], None);
    run(handle(&dry, reset("enc:555555"))).unwrap();
    assert!(dry.ledger.states().is_empty());
}

#[test]
fn a_table_outage_delivers_or_fails_as_configured() {
    let mut d = with_table(&[], None);
    d.ledger = MemoryLedger::unavailable();
    run(handle(&d, reset("enc:666666"))).unwrap();
    assert_eq!(sent(&d).len(), 1, "ON_TABLE_ERROR=deliver (default): resets never stop");
    let mut f = with_table(&[("ON_TABLE_ERROR", "fail")], None);
    f.ledger = MemoryLedger::unavailable();
    let e = run(handle(&f, reset("enc:666666"))).unwrap_err();
    assert!(e.to_string().contains("ON_TABLE_ERROR=fail"), "{e}");
    assert!(sent(&f).is_empty());
    assert_eq!(f.decryptor.calls(), 0);
}

#[test]
fn an_outsider_who_fills_the_reset_limit_cannot_silence_sign_in_codes_or_invitations() {
    // The pool's ceiling is full too: it never stops what the user needs.
    let d = with_table(&[("MAX_SMS_PER_POOL_PER_DAY", "3")], None);
    for n in 0..10 {
        run(handle(&d, reset(&format!("enc:7000{n:02}")))).unwrap();
    }
    assert_eq!(sent(&d).len(), 3, "ForgotPassword for anyone's username: limited");
    for n in 0..5 {
        let sign_in = event(
            "CustomSMSSender_Authentication",
            json!(format!("enc:8000{n:02}")),
            "+12065550123",
        );
        run(handle(&d, sign_in)).unwrap();
    }
    let invitation = event(
        "CustomSMSSender_AdminCreateUser",
        json!("enc:Temp-Pass-1"),
        "+12065550123",
    );
    run(handle(&d, invitation)).unwrap();
    assert_eq!(
        sent(&d).len(),
        3 + 5 + 1,
        "every sign-in code and the invitation went out"
    );
}

#[test]
fn sign_in_codes_have_their_own_limit() {
    let d = with_table(&[("MAX_SIGN_IN_CODES_PER_RECIPIENT", "2")], None);
    for n in 0..4 {
        let sign_in = event(
            "CustomSMSSender_Authentication",
            json!(format!("enc:9000{n:02}")),
            "+12065550123",
        );
        run(handle(&d, sign_in)).unwrap();
    }
    assert_eq!(sent(&d).len(), 2);
    // ...which never takes from the reset limit.
    run(handle(&d, reset("enc:900100"))).unwrap();
    assert_eq!(sent(&d).len(), 3);
}

#[test]
fn a_delivery_with_no_answer_is_recorded_and_never_sent_again() {
    let unknown = || DeliveryError::Unknown {
        service: "SNS",
        code: "timeout".into(),
    };
    let d = with_table(&[], Some(unknown()));
    assert!(
        run(handle(&d, reset("enc:121212"))).is_ok(),
        "not retried: a retry could only send it a second time"
    );
    assert_eq!(d.ledger.states(), ["unknown"]);
    let retry = TestDeps {
        sms: Outbox::default(),
        ..d
    };
    run(handle(&retry, reset("enc:121212"))).unwrap();
    assert!(sent(&retry).is_empty(), "Lambda's retry (or a replay) sends nothing");
    assert_eq!(retry.decryptor.calls(), 1, "and makes no KMS call");
    // Without a table nothing remembers the attempt: Lambda retries it.
    assert!(run(handle(&deps(&[], None, Some(unknown())), reset("enc:121213"))).is_err());
}

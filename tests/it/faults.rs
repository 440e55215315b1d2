//! Faults injected between the senders and moto (throttling, 5xx, slow and late answers):
//! the senders retry within their budget, then fail with a clear error so Lambda retries the
//! invocation; a message is never sent twice by a retry inside one invocation.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use cognito_reset::adapters::kms::KmsDecryptor;
use cognito_reset::adapters::{ses::SesSender, sns::SnsSender};
use cognito_reset_stack::{Fault, FaultProxy, Suite, production_sdk_config};
use serde_json::{Value, json};

use crate::{LocalKms, block_on};

const POOL: &str = "us-east-1_Faults1";
const THROTTLED: &str = r#"{"__type": "ThrottlingException", "message": "Rate exceeded"}"#;
const INTERNAL: &str = r#"{"__type": "KMSInternalException", "message": "internal"}"#;

struct Rig {
    local: LocalKms,
    proxy: FaultProxy,
    sms: custom_sms_sender::Deps<KmsDecryptor, SnsSender>,
    email: custom_email_sender::Deps<KmsDecryptor, SesSender>,
}

/// Both senders with their production SDK budgets, talking to moto through the proxy.
fn rig(test: &str) -> Option<Rig> {
    let local = LocalKms::start(test)?;
    block_on(
        cognito_reset::adapters::aws::ses::Client::new(&local.sdk)
            .create_email_identity()
            .email_identity("no-reply@example.com")
            .send(),
    )
    .expect("identity");
    let proxy = FaultProxy::start(&local.moto.endpoint);
    let sdk = block_on(production_sdk_config(&proxy.endpoint));
    let env: HashMap<&str, &str> = [
        ("KEY_ARN", local.key.as_str()),
        ("EMAIL_FROM", "no-reply@example.com"),
        ("SMS_ALLOWED_COUNTRIES", "US"),
    ]
    .into();
    let decryptor = || {
        block_on(KmsDecryptor::new(
            cognito_reset::adapters::aws::kms::Client::new(&sdk),
            &local.key,
        ))
        .expect("decryptor")
    };
    let no_retries = cognito_reset::adapters::aws::without_retries(&sdk);
    let sms = custom_sms_sender::Deps {
        settings: custom_sms_sender::Settings::from_source(&env).expect("settings"),
        decryptor: decryptor(),
        sms: SnsSender::new(cognito_reset::adapters::aws::sns::Client::new(&no_retries), None, None),
        ledger: cognito_reset::domain::ledger::NoLedger,
    };
    let email = custom_email_sender::Deps {
        settings: custom_email_sender::Settings::from_source(&env).expect("settings"),
        decryptor: decryptor(),
        email: SesSender::new(
            cognito_reset::adapters::aws::ses::Client::new(&no_retries),
            "no-reply@example.com".into(),
            None,
            None,
        ),
        ledger: cognito_reset::domain::ledger::NoLedger,
    };
    Some(Rig {
        local,
        proxy,
        sms,
        email,
    })
}

fn sms_event(code: &str) -> Value {
    let mut e = cognito_reset_stack::fixture("custom-sms-sender-ForgotPassword.json");
    e["userPoolId"] = json!(POOL);
    e["request"]["code"] = json!(code);
    e
}

fn email_event(code: &str) -> Value {
    let mut e = cognito_reset_stack::fixture("custom-email-sender-ForgotPassword.json");
    e["userPoolId"] = json!(POOL);
    e["request"]["code"] = json!(code);
    e
}

fn emails(r: &Rig) -> usize {
    r.local.moto.recorded()["ses"]["Message"].as_array().map_or(0, Vec::len)
}

#[test]
fn kms_throttling_is_retried_within_the_invocation() {
    let Some(r) = rig("faults_kms_throttling") else { return };
    let code = r.local.encrypt(POOL, Suite::Cognito, "112233");
    r.proxy.inject("Decrypt", Fault::Answer(400, THROTTLED), 2);
    block_on(custom_sms_sender::handle(&r.sms, sms_event(&code))).expect("delivered after two throttles");
    assert_eq!(r.proxy.calls("Decrypt"), 3, "the SDK's standard retries: 3 attempts");
    assert_eq!(r.local.moto.sms().len(), 1);
}

#[test]
fn kms_failing_past_the_budget_fails_the_invocation_and_sends_nothing() {
    let Some(r) = rig("faults_kms_down") else { return };
    let code = r.local.encrypt(POOL, Suite::Cognito, "445566");
    r.proxy.inject("Decrypt", Fault::Answer(500, INTERNAL), 10);
    let err = block_on(custom_sms_sender::handle(&r.sms, sms_event(&code))).expect_err("Lambda must retry");
    assert!(err.to_string().contains("KMS"), "{err}");
    assert_eq!(r.proxy.calls("Decrypt"), 3, "no more than the budget");
    assert!(r.local.moto.sms().is_empty());
}

#[test]
fn a_slow_kms_is_cut_off_by_the_operation_budget() {
    let Some(r) = rig("faults_kms_slow") else { return };
    let code = r.local.encrypt(POOL, Suite::Cognito, "778899");
    r.proxy
        .inject("Decrypt", Fault::DelayThenForward(Duration::from_secs(6)), 10);
    let started = Instant::now();
    let err = block_on(custom_sms_sender::handle(&r.sms, sms_event(&code))).expect_err("Lambda must retry");
    let took = started.elapsed();
    // The operation budget is 4 s; well under the senders' 15 s Lambda timeout.
    assert!(took < Duration::from_secs(9), "took {took:?}");
    assert!(err.to_string().contains("KMS"), "{err}");
    assert!(r.local.moto.sms().is_empty());
}

#[test]
fn sns_throttling_resends_and_delivers_once() {
    let Some(r) = rig("faults_sns_throttling") else { return };
    let code = r.local.encrypt(POOL, Suite::Cognito, "135791");
    r.proxy.inject("Publish", Fault::Answer(400, "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"), 1);
    block_on(custom_sms_sender::handle(&r.sms, sms_event(&code))).expect("delivered");
    assert_eq!(r.proxy.calls("Publish"), 2);
    let sms = r.local.moto.sms();
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert!(sms[0].1.contains("135791"));
}

#[test]
fn a_late_sns_answer_is_not_resent_so_nothing_is_delivered_twice() {
    let Some(r) = rig("faults_sns_late") else { return };
    let code = r.local.encrypt(POOL, Suite::Cognito, "246802");
    // The SMS goes through, but the answer comes after the 2 s attempt timeout.
    r.proxy
        .inject("Publish", Fault::ForwardThenDelay(Duration::from_secs(3)), 5);
    let err = block_on(custom_sms_sender::handle(&r.sms, sms_event(&code))).expect_err("the outcome is unknown");
    assert!(err.to_string().contains("may or may not have been sent"), "{err}");
    assert_eq!(r.proxy.calls("Publish"), 1, "not resent");
    assert_eq!(r.local.moto.sms().len(), 1, "delivered exactly once");
}

#[test]
fn ses_5xx_resends_then_gives_up_with_a_clear_error() {
    let Some(r) = rig("faults_ses") else { return };
    let code = r.local.encrypt(POOL, Suite::Cognito, "975310");
    r.proxy.inject(
        "SendEmail",
        Fault::Answer(503, r#"{"message": "Service unavailable"}"#),
        1,
    );
    block_on(custom_email_sender::handle(&r.email, email_event(&code))).expect("delivered on the second try");
    assert_eq!(r.proxy.calls("SendEmail"), 2);
    assert_eq!(emails(&r), 1);
    r.proxy.inject(
        "SendEmail",
        Fault::Answer(503, r#"{"message": "Service unavailable"}"#),
        10,
    );
    let err = block_on(custom_email_sender::handle(&r.email, email_event(&code))).expect_err("Lambda must retry");
    assert!(err.to_string().contains("SES"), "{err}");
    assert_eq!(
        r.proxy.calls("SendEmail"),
        2 + 3,
        "three attempts, then the invocation fails"
    );
    assert_eq!(emails(&r), 1, "nothing more was sent");
}

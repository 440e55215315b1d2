//! The custom SMS sender against real parts: moto for KMS and SNS, ciphertexts made by AWS's
//! own Encryption SDK for Python, the handler with its production KMS and SNS adapters, and
//! the function under `cargo lambda watch`.

use std::collections::HashMap;

use base64::Engine as _;
use cognito_reset::adapters::kms::KmsDecryptor;
use cognito_reset::adapters::sns::SnsSender;
use cognito_reset_stack::{LambdaWatch, Moto, Suite, cognito_encrypt};
use custom_sms_sender::{Deps, Settings, handle};
use serde_json::{Value, json};

use crate::{LocalKms, block_on, create_key, moto_sdk_config};

const POOL: &str = "us-east-1_Rst123";
const PHONE: &str = "+12065550123";

fn event(source: &str, code: &str) -> Value {
    let mut e = cognito_reset_stack::fixture("custom-sms-sender-ForgotPassword.json");
    e["triggerSource"] = json!(source);
    e["userPoolId"] = json!(POOL);
    e["request"]["code"] = json!(code);
    e["request"]["userAttributes"]["phone_number"] = json!(PHONE);
    e
}

struct Stack {
    moto: Moto,
    key: String,
    deps: Deps<KmsDecryptor, SnsSender>,
}

fn stack(test: &str, extra: &[(&'static str, &str)]) -> Option<Stack> {
    let local = LocalKms::start(test)?;
    let mut env: HashMap<&str, &str> = [
        ("KEY_ARN", local.key.as_str()),
        ("APP_NAME", "Contoso"),
        ("SMS_ALLOWED_COUNTRIES", "ALL"),
    ]
    .into();
    env.extend(extra.iter().copied());
    let settings = Settings::from_source(&env).expect("settings");
    let decryptor = local.decryptor();
    let sms = SnsSender::new(cognito_reset::adapters::aws::sns::Client::new(&local.sdk), None, None);
    Some(Stack {
        moto: local.moto,
        key: local.key,
        deps: Deps {
            settings,
            decryptor,
            sms,
            ledger: cognito_reset::domain::ledger::NoLedger,
        },
    })
}

#[test]
fn codes_from_both_algorithm_suites_are_delivered_through_sns() {
    let Some(s) = stack("sms_sender_delivers", &[]) else {
        return;
    };
    for (suite, code) in [(Suite::Cognito, "482913"), (Suite::Committing, "551177")] {
        let ciphertext = cognito_encrypt(&s.moto, &s.key, POOL, suite, code);
        block_on(handle(&s.deps, event("CustomSMSSender_ForgotPassword", &ciphertext))).expect("handled");
        let sms = s.moto.sms();
        let (number, text) = sms.last().expect("an SMS was published");
        assert_eq!(number, PHONE, "{suite:?}");
        assert_eq!(text.matches(code).count(), 1, "{suite:?}: {text}");
        assert_eq!(
            text,
            &format!("Contoso: your password reset code is {code}. It expires in 1 hour. Didn't ask? Ignore this.")
        );
    }
    assert_eq!(s.moto.sms().len(), 2, "exactly one SMS per invocation");
}

#[test]
fn a_temporary_password_arrives_unescaped() {
    let Some(s) = stack("sms_sender_temporary_password", &[]) else {
        return;
    };
    // Cognito HTML-escapes temporary passwords before encrypting them.
    let ciphertext = cognito_encrypt(&s.moto, &s.key, POOL, Suite::Cognito, "Xy7&amp;k&lt;Q9");
    block_on(handle(&s.deps, event("CustomSMSSender_AdminCreateUser", &ciphertext))).expect("handled");
    let sms = s.moto.sms();
    assert!(sms[0].1.contains("Xy7&k<Q9"), "{}", sms[0].1);
}

#[test]
fn bad_codes_are_refused_and_nothing_is_published() {
    let Some(s) = stack("sms_sender_bad_codes", &[("SMS_ALLOWED_COUNTRIES", "US")]) else {
        return;
    };
    let other_key = create_key(&moto_sdk_config(&s.moto));
    let under_other_key = cognito_encrypt(&s.moto, &other_key, POOL, Suite::Cognito, "111111");
    let for_other_pool = cognito_encrypt(&s.moto, &s.key, "us-east-1_Other", Suite::Cognito, "222222");
    let good = cognito_encrypt(&s.moto, &s.key, POOL, Suite::Cognito, "333333");
    let mut bytes = base64::engine::general_purpose::STANDARD.decode(&good).expect("base64");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let tampered = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let mut blocked = event("CustomSMSSender_ForgotPassword", &good);
    blocked["request"]["userAttributes"]["phone_number"] = json!("+442071234567");
    let mut malformed_number = event("CustomSMSSender_ForgotPassword", &good);
    malformed_number["request"]["userAttributes"]["phone_number"] = json!("206-555-0123");
    let mut no_number = event("CustomSMSSender_ForgotPassword", &good);
    no_number["request"]["userAttributes"]
        .as_object_mut()
        .expect("object")
        .remove("phone_number");
    let cases = [
        (
            "not base64",
            event("CustomSMSSender_ForgotPassword", "%%% not base64 %%%"),
        ),
        ("another key", event("CustomSMSSender_ForgotPassword", &under_other_key)),
        ("another pool", event("CustomSMSSender_ForgotPassword", &for_other_pool)),
        ("tampered", event("CustomSMSSender_ForgotPassword", &tampered)),
        ("blocked country", blocked),
        ("malformed number", malformed_number),
        ("no number", no_number),
        ("unknown trigger source", event("CustomSMSSender_NotAThing", &good)),
    ];
    for (what, ev) in cases {
        let result = block_on(handle(&s.deps, ev));
        assert!(
            result.is_ok(),
            "{what}: bad input must not make Lambda retry: {result:?}"
        );
        assert!(s.moto.sms().is_empty(), "{what}: an SMS was published");
    }
}

#[test]
fn the_function_under_cargo_lambda_watch_delivers_and_never_logs_the_code() {
    let Some(moto) = Moto::start("sms_sender_under_watch") else {
        return;
    };
    let key = create_key(&moto_sdk_config(&moto));
    let env = moto.env();
    let mut function_env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    function_env.extend([
        ("KEY_ARN", key.as_str()),
        ("APP_NAME", "Contoso"),
        ("SMS_ALLOWED_COUNTRIES", "US"),
        ("LOG_LEVEL", "trace"),
    ]);
    let Some(watch) = LambdaWatch::start("sms_sender_under_watch", &function_env) else {
        return;
    };
    let code = "907315";
    let ciphertext = cognito_encrypt(&moto, &key, POOL, Suite::Cognito, code);
    let answer = watch.invoke(
        "custom-sms-sender",
        &serde_json::to_vec(&event("CustomSMSSender_ForgotPassword", &ciphertext)).expect("json"),
    );
    assert_eq!(answer.function_error, None, "{answer:?}\n{}", watch.logs());
    let sms = moto.sms();
    assert_eq!(sms.len(), 1, "{}", watch.logs());
    assert!(sms[0].1.contains(code));
    // A rejected one, to have an error path in the logs too.
    let answer = watch.invoke(
        "custom-sms-sender",
        &serde_json::to_vec(&event("CustomSMSSender_ForgotPassword", "bm90IGEgbWVzc2FnZQ==")).expect("json"),
    );
    assert_eq!(answer.function_error, None, "{answer:?}");
    assert_eq!(moto.sms().len(), 1);
    let logs = watch.logs();
    assert!(logs.contains("\"outcome\":\"sent\""), "{logs}");
    assert!(logs.contains("\"outcome\":\"rejected\""), "{logs}");
    assert!(!logs.contains(code), "the code reached the logs");
    assert!(
        !logs.contains("2065550123"),
        "an unmasked phone number reached the logs"
    );
    assert!(!logs.contains(&ciphertext[..40]), "the ciphertext reached the logs");
}

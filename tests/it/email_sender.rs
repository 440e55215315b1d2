//! The custom email sender against real parts: moto for KMS and SES v2 (with a verified
//! sender identity), ciphertexts from AWS's Python Encryption SDK, the production adapters.

use std::collections::HashMap;

use cognito_reset::adapters::kms::KmsDecryptor;
use cognito_reset::adapters::ses::SesSender;
use cognito_reset_stack::{LambdaWatch, Suite};
use custom_email_sender::{Deps, Settings, handle};
use serde_json::{Value, json};

use crate::{LocalKms, block_on};

const POOL: &str = "us-east-1_Rst123";
const TO: &str = "jane.doe@example.com";
const FROM: &str = "no-reply@example.com";

fn event(source: &str, code: &str) -> Value {
    let mut e = cognito_reset_stack::fixture("custom-email-sender-ForgotPassword.json");
    e["triggerSource"] = json!(source);
    e["userPoolId"] = json!(POOL);
    e["request"]["code"] = json!(code);
    e["request"]["userAttributes"]["email"] = json!(TO);
    e
}

fn verify_sender(local: &LocalKms, address: &str) {
    let ses = cognito_reset::adapters::aws::ses::Client::new(&local.sdk);
    block_on(ses.create_email_identity().email_identity(address).send()).expect("verify identity");
}

fn deps(local: &LocalKms, from: &str) -> Deps<KmsDecryptor, SesSender> {
    let env: HashMap<&str, &str> = [
        ("KEY_ARN", local.key.as_str()),
        ("APP_NAME", "Contoso"),
        ("EMAIL_FROM", from),
    ]
    .into();
    let settings = Settings::from_source(&env).expect("settings");
    let email = SesSender::new(
        cognito_reset::adapters::aws::ses::Client::new(&local.sdk),
        from.to_owned(),
        None,
        None,
    );
    Deps {
        settings,
        decryptor: local.decryptor(),
        email,
        ledger: cognito_reset::domain::ledger::NoLedger,
    }
}

/// What moto recorded for SES: (source, to addresses, subject, HTML body).
fn recorded(local: &LocalKms) -> Vec<(String, Vec<String>, String, String)> {
    let data = local.moto.recorded();
    data["ses"]["Message"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|m| {
                    let to = m["destinations"]["ToAddresses"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                        .unwrap_or_default();
                    (
                        m["source"].as_str().unwrap_or_default().to_owned(),
                        to,
                        m["subject"].as_str().unwrap_or_default().to_owned(),
                        m["body"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_reset_email_is_decrypted_rendered_and_sent_through_ses() {
    let Some(local) = LocalKms::start("email_sender_delivers") else {
        return;
    };
    verify_sender(&local, FROM);
    let d = deps(&local, FROM);
    for (suite, code) in [(Suite::Cognito, "318204"), (Suite::Committing, "746201")] {
        let ciphertext = local.encrypt(POOL, suite, code);
        block_on(handle(&d, event("CustomEmailSender_ForgotPassword", &ciphertext))).expect("handled");
        let sent = recorded(&local);
        let (source, to, subject, html) = sent.last().expect("an email was sent");
        assert_eq!(source, FROM);
        assert_eq!(to, &vec![TO.to_owned()]);
        assert_eq!(subject, "Reset your Contoso password");
        assert_eq!(html.matches(code).count(), 1, "{suite:?}: {html}");
        assert!(html.starts_with("<!DOCTYPE html>"));
    }
    assert_eq!(recorded(&local).len(), 2);
}

#[test]
fn bad_input_and_an_unverified_sender_send_nothing_and_are_not_retried() {
    let Some(local) = LocalKms::start("email_sender_bad_input") else {
        return;
    };
    verify_sender(&local, FROM);
    let good = local.encrypt(POOL, Suite::Cognito, "123123");
    let mut no_address = event("CustomEmailSender_ForgotPassword", &good);
    no_address["request"]["userAttributes"]
        .as_object_mut()
        .expect("object")
        .remove("email");
    let mut injected = event("CustomEmailSender_ForgotPassword", &good);
    injected["request"]["userAttributes"]["email"] = json!("jane@example.com\nBcc: eve@example.com");
    let for_other_pool = local.encrypt("us-east-1_Other", Suite::Cognito, "456456");
    let d = deps(&local, FROM);
    for (what, ev) in [
        ("no address", no_address),
        ("header injection", injected),
        (
            "another pool",
            event("CustomEmailSender_ForgotPassword", &for_other_pool),
        ),
        ("not base64", event("CustomEmailSender_ForgotPassword", "***")),
    ] {
        assert!(block_on(handle(&d, ev)).is_ok(), "{what}");
        assert!(recorded(&local).is_empty(), "{what}: an email was sent");
    }
    // SES refuses an unverified sender: a permanent failure, not retried.
    let unverified = deps(&local, "someone-else@example.org");
    assert!(block_on(handle(&unverified, event("CustomEmailSender_ForgotPassword", &good))).is_ok());
    assert!(recorded(&local).is_empty());
}

#[test]
fn the_function_under_cargo_lambda_watch_sends_and_never_logs_the_code_or_address() {
    let Some(local) = LocalKms::start("email_sender_under_watch") else {
        return;
    };
    verify_sender(&local, FROM);
    let env = local.moto.env();
    let mut function_env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    function_env.extend([
        ("KEY_ARN", local.key.as_str()),
        ("EMAIL_FROM", FROM),
        ("LOG_LEVEL", "trace"),
    ]);
    let Some(watch) = LambdaWatch::start("email_sender_under_watch", &function_env) else {
        return;
    };
    let code = "650912";
    let ciphertext = local.encrypt(POOL, Suite::Cognito, code);
    let answer = watch.invoke(
        "custom-email-sender",
        &serde_json::to_vec(&event("CustomEmailSender_ForgotPassword", &ciphertext)).expect("json"),
    );
    assert_eq!(answer.function_error, None, "{answer:?}\n{}", watch.logs());
    assert_eq!(recorded(&local).len(), 1, "{}", watch.logs());
    let logs = watch.logs();
    assert!(logs.contains("\"outcome\":\"sent\""), "{logs}");
    assert!(logs.contains("j***@***.com"), "the recipient is logged masked: {logs}");
    assert!(!logs.contains(code), "the code reached the logs");
    assert!(!logs.contains("jane.doe"), "an unmasked address reached the logs");
}

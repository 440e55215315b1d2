//! The whole reset flow of `make demo`, on the local stack, with assertions on every step:
//! cognito-local drives the triggers through `cargo lambda watch`, moto stands in for KMS,
//! SES and SNS.

use cognito_reset::domain::rules::timestamp;
use cognito_reset_stack::block_on;
use cognito_reset_stack::demo::{self, EMAIL, PHONE, Stack};

#[test]
fn a_user_resets_a_forgotten_password_and_signs_in_under_the_rules() {
    // The app's previous user database, as `make demo` starts it.
    let Some(pg) = cognito_reset_stack::Postgres::start("end-to-end flow") else {
        return;
    };
    pg.load_legacy_users();
    pg.passwords_set_days_ago(30);
    let legacy = demo::legacy_settings(&pg);
    let mut settings: Vec<(&str, &str)> = demo::DEMO_LIMITS.to_vec();
    settings.extend(legacy.iter().map(|(k, v)| (*k, v.as_str())));
    let Some(stack) = Stack::start_for_test("end-to-end flow", &settings) else {
        return;
    };
    let r = block_on(demo::run(&stack, &|_| {})).unwrap_or_else(|e| panic!("{e}\n{}", stack.cognito.logs()));

    // ForgotPassword: cognito-local encrypted the code, custom-email-sender decrypted it and
    // sent the branded email through SES.
    assert_eq!(r.email_to, EMAIL);
    assert_eq!(r.email_subject, "Reset your Contoso password");
    assert!(r.email_text.contains("Hi Jane,"), "{}", r.email_text);
    assert_eq!(r.code.len(), 6);
    assert!(
        r.email_text.contains(&format!("code={}", r.code)),
        "the reset link carries the code: {}",
        r.email_text
    );

    // ConfirmForgotPassword worked with that code, post-confirmation stamped the change, and
    // the next sign-in's ID token carries the password claims from pre-token.
    let changed = r.id_token_claims["password_changed_at"]
        .as_str()
        .and_then(timestamp::parse)
        .expect("changed_at claim");
    let expires = r.id_token_claims["password_expires_at"]
        .as_str()
        .and_then(timestamp::parse)
        .expect("expires_at claim");
    let now = cognito_reset::runtime::clock::now();
    assert!((now - changed).abs() < 600, "stamped at the reset: {changed} vs {now}");
    assert_eq!(expires - changed, 90 * 86_400);

    // A password older than PASSWORD_MAX_AGE_DAYS is refused with the message the app shows.
    assert!(
        r.denied_message
            .contains("Your password has expired; reset it to continue. (PASSWORD_EXPIRED)"),
        "{}",
        r.denied_message
    );

    // The delivery table: a second reset request within the window sent nothing, and was
    // logged as throttled; the replayed SMS invocation sent nothing, logged as a duplicate.
    assert_eq!(r.emails_after_second_reset, 0);
    assert_eq!(r.sms_after_replay, 0);
    let logs = stack.functions.logs();
    assert!(logs.contains("throttled") && logs.contains("duplicate"), "{logs}");

    // The SMS path: a Cognito-style ciphertext, decrypted and sent through SNS.
    assert_eq!(r.sms_to, PHONE);
    assert_eq!(r.sms_service, "SNS");
    assert_eq!(r.sms_text.matches("730518").count(), 1, "{}", r.sms_text);

    // Nothing secret reached the functions' logs along the way.
    let logs = stack.functions.logs();
    assert!(!logs.contains(&r.code), "the reset code reached the logs");
    assert!(!logs.contains("730518"), "the SMS code reached the logs");
    assert!(
        !logs.contains(demo::NEW_PASSWORD) && !logs.contains(demo::FIRST_PASSWORD),
        "a password reached the logs"
    );
    assert!(
        !logs.contains("2065550123"),
        "an unmasked phone number reached the logs"
    );
    assert!(!logs.contains("jane.doe@"), "an unmasked address reached the logs");

    // The demo's legacy users: one migrated at sign-in keeps their password's age (30 days),
    // one migrated by the reset request gets the code and is stamped by the reset.
    let l =
        block_on(demo::run_legacy(&stack, &r, &|_| {})).unwrap_or_else(|e| panic!("{e}\n{}", stack.functions.logs()));
    assert_eq!(l.format, "argon2id");
    let age = timestamp::parse(&l.signed_in_changed_at).map(|t| now - t);
    assert!(
        age.is_some_and(|a| (29 * 86_400..=31 * 86_400).contains(&a)),
        "{}",
        l.signed_in_changed_at
    );
    assert_eq!(l.reset_code.len(), 6);
    let reset = timestamp::parse(&l.reset_changed_at).expect("stamped");
    assert!(
        (cognito_reset::runtime::clock::now() - reset).abs() < 600,
        "{}",
        l.reset_changed_at
    );
}

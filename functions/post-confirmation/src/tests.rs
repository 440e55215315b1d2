//! The handler with a fake user store.

use std::collections::HashMap;

use cognito_reset::domain::rules::timestamp;
use cognito_reset::fakes::{FakeUsers, block_on as run};
use serde_json::{Value, json};

use super::*;

const NOW: i64 = 1_795_434_619;

fn deps(pairs: &[(&'static str, &'static str)], users: FakeUsers) -> Deps<FakeUsers> {
    Deps {
        settings: Settings::from_source(&pairs.iter().copied().collect::<HashMap<_, _>>()).unwrap(),
        users,
    }
}

fn event(source: &str, force_flag: Option<&str>) -> Value {
    let mut attrs = json!({"sub": "a1b2", "email": "jane@example.com", "cognito:user_status": "CONFIRMED"});
    if let Some(f) = force_flag {
        attrs["custom:force_password_reset"] = json!(f);
    }
    json!({"version": "1", "triggerSource": source, "region": "us-east-1", "userPoolId": "us-east-1_P",
           "userName": "jane", "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "web"},
           "request": {"userAttributes": attrs}, "response": {}})
}

fn cloudtrail(name: &str, params: Value, extra: Value) -> Value {
    json!({"version": "0", "id": "e1", "detail-type": "AWS API Call via CloudTrail", "source": "aws.cognito-idp",
           "account": "123456789012", "time": "2026-11-23T11:50:19Z", "region": "us-east-1",
           "detail": {"eventSource": "cognito-idp.amazonaws.com", "eventName": name,
                      "requestParameters": params, "additionalEventData": extra}})
}

#[test]
fn a_confirmed_reset_stamps_the_time_and_clears_the_flag() {
    let d = deps(&[], FakeUsers::default());
    let e = event("PostConfirmation_ConfirmForgotPassword", Some("true"));
    assert_eq!(run(handle(&d, e.clone(), NOW)).unwrap(), e, "returned unchanged");
    let updates = d.users.updates();
    assert_eq!(updates.len(), 1);
    let (pool, user, attrs) = &updates[0];
    assert_eq!((pool.as_str(), user.as_str()), ("us-east-1_P", "jane"));
    assert_eq!(
        attrs,
        &vec![
            ("custom:password_changed_at".to_owned(), timestamp::format(NOW)),
            ("custom:force_password_reset".to_owned(), "false".to_owned())
        ]
    );
}

#[test]
fn the_flag_is_left_alone_where_the_user_has_none() {
    let d = deps(&[("PASSWORD_CHANGED_ATTRIBUTE", "custom:pw_at")], FakeUsers::default());
    run(handle(&d, event("PostConfirmation_ConfirmForgotPassword", None), NOW)).unwrap();
    assert_eq!(
        d.users.updates()[0].2,
        vec![("custom:pw_at".to_owned(), timestamp::format(NOW))]
    );
}

#[test]
fn sign_up_is_stamped_unless_turned_off() {
    let d = deps(&[], FakeUsers::default());
    run(handle(&d, event("PostConfirmation_ConfirmSignUp", None), NOW)).unwrap();
    assert_eq!(d.users.updates().len(), 1);
    let off = deps(&[("STAMP_ON_SIGN_UP", "false")], FakeUsers::default());
    run(handle(&off, event("PostConfirmation_ConfirmSignUp", None), NOW)).unwrap();
    assert!(off.users.updates().is_empty());
}

#[test]
fn other_sources_pass_through_without_writing() {
    let d = deps(&[], FakeUsers::default());
    let e = event("PostConfirmation_Something", None);
    assert_eq!(run(handle(&d, e.clone(), NOW)).unwrap(), e);
    assert!(d.users.updates().is_empty());
}

#[test]
fn a_failed_write_is_reported_not_swallowed() {
    let d = deps(
        &[],
        FakeUsers::failing(UpdateError::Rejected("UserNotFoundException".into())),
    );
    let err = run(handle(&d, event("PostConfirmation_ConfirmForgotPassword", None), NOW)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "your password was changed, but the change could not be recorded: Cognito refused to update the user (UserNotFoundException)"
    );
    assert_eq!(Diagnostic::from(err).error_type, "PasswordChangeNotRecorded");
}

#[test]
fn a_pool_without_the_attributes_never_fails_a_confirmation() {
    let d = deps(
        &[],
        FakeUsers::failing(UpdateError::MissingAttribute("InvalidParameterException".into())),
    );
    for source in [
        "PostConfirmation_ConfirmForgotPassword",
        "PostConfirmation_ConfirmSignUp",
    ] {
        let e = event(source, None);
        assert_eq!(run(handle(&d, e.clone(), NOW)).expect("let through"), e, "{source}");
    }
}

#[test]
fn an_unusable_configuration_lets_every_confirmation_through() {
    let bad = Settings::from_source(
        &[("STAMP_ON_SIGN_UP", "sometimes")]
            .into_iter()
            .collect::<HashMap<_, _>>(),
    )
    .map(|settings| Deps {
        settings,
        users: FakeUsers::default(),
    });
    assert_eq!(bad.as_ref().map(|_| ()).unwrap_err().variable, "STAMP_ON_SIGN_UP");
    for source in [
        "PostConfirmation_ConfirmForgotPassword",
        "PostConfirmation_ConfirmSignUp",
    ] {
        let e = event(source, Some("true"));
        assert_eq!(run(respond(&bad, e.clone(), NOW)).expect("let through"), e);
    }
}

#[test]
fn admin_set_user_password_is_recorded_from_cloudtrail() {
    let d = deps(&[], FakeUsers::storing(&[("custom:force_password_reset", "true")]));
    let e = cloudtrail(
        "AdminSetUserPassword",
        json!({"userPoolId": "us-east-1_Q", "username": "bob", "password": "HIDDEN_DUE_TO_SECURITY_REASONS", "permanent": true}),
        json!(null),
    );
    run(handle(&d, e, NOW)).unwrap();
    let u = d.users.updates();
    assert_eq!((u[0].0.as_str(), u[0].1.as_str()), ("us-east-1_Q", "bob"));
    assert_eq!(u[0].2.len(), 2, "stamp and flag");
}

fn with_time(mut e: Value, at: i64) -> Value {
    e["detail"]["eventTime"] = json!(timestamp::format(at));
    e
}

fn admin_set(at: i64) -> Value {
    with_time(
        cloudtrail(
            "AdminSetUserPassword",
            json!({"userPoolId": "us-east-1_Q", "username": "bob", "permanent": true}),
            json!(null),
        ),
        at,
    )
}

#[test]
fn a_late_event_is_stamped_with_the_time_of_the_call() {
    let d = deps(&[], FakeUsers::default());
    run(handle(&d, admin_set(NOW - 3600), NOW)).unwrap();
    assert_eq!(
        d.users.updates()[0].2,
        vec![("custom:password_changed_at".to_owned(), timestamp::format(NOW - 3600))],
        "the call's time, not the processing time; no flag to clear"
    );
    // A later change already recorded (a reset after the call) is never moved back.
    let d = deps(
        &[],
        FakeUsers::storing(&[("custom:password_changed_at", &timestamp::format(NOW - 60))]),
    );
    run(handle(&d, admin_set(NOW - 3600), NOW)).unwrap();
    assert!(d.users.updates().is_empty());
}

#[test]
fn change_password_never_clears_the_forced_reset_flag() {
    let e = with_time(
        cloudtrail(
            "ChangePassword",
            json!({"accessToken": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
            json!({"sub": "a1b2"}),
        ),
        NOW,
    );
    for flag in [
        "true".to_owned(),
        cognito_reset::domain::rules::ForceFlag::value_at(NOW - 3600),
    ] {
        let d = deps(
            &[("USER_POOL_ID", "us-east-1_P")],
            FakeUsers::storing(&[("custom:force_password_reset", &flag)]),
        );
        run(handle(&d, e.clone(), NOW)).unwrap();
        assert_eq!(
            d.users.updates()[0].2,
            vec![("custom:password_changed_at".to_owned(), timestamp::format(NOW))],
            "stamped, flag {flag} kept"
        );
    }
}

#[test]
fn an_administrators_password_clears_only_a_flag_set_before_it() {
    let flag = cognito_reset::domain::rules::ForceFlag::value_at(NOW);
    let stored = FakeUsers::storing(&[("custom:force_password_reset", &flag)]);
    let d = deps(&[], stored);
    run(handle(&d, admin_set(NOW - 600), NOW + 60)).unwrap();
    assert_eq!(
        d.users.updates()[0].2.len(),
        1,
        "an older call (a late event) keeps the flag"
    );
    let d = deps(&[], FakeUsers::storing(&[("custom:force_password_reset", &flag)]));
    run(handle(&d, admin_set(NOW + 120), NOW + 180)).unwrap();
    assert_eq!(
        d.users.updates()[0].2[1],
        ("custom:force_password_reset".to_owned(), "false".to_owned()),
        "a later call clears it"
    );
}

#[test]
fn a_federated_first_sign_in_is_not_stamped() {
    let d = deps(&[], FakeUsers::default());
    let mut e = event("PostConfirmation_ConfirmSignUp", None);
    e["request"]["userAttributes"]["cognito:user_status"] = json!("EXTERNAL_PROVIDER");
    e["request"]["userAttributes"]["identities"] =
        json!(r#"[{"userId":"1093","providerName":"Google","providerType":"Google","primary":true}]"#);
    assert_eq!(run(handle(&d, e.clone(), NOW)).unwrap(), e);
    assert!(d.users.updates().is_empty());
}

#[test]
fn sign_up_never_clears_the_forced_reset_flag() {
    let d = deps(&[], FakeUsers::default());
    run(handle(&d, event("PostConfirmation_ConfirmSignUp", Some("true")), NOW)).unwrap();
    assert_eq!(
        d.users.updates()[0].2,
        vec![("custom:password_changed_at".to_owned(), timestamp::format(NOW))]
    );
}

#[test]
fn change_password_uses_the_configured_pool_and_the_sub() {
    let e = cloudtrail(
        "ChangePassword",
        json!({"accessToken": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
        json!({"sub": "a1b2"}),
    );
    let d = deps(&[("USER_POOL_ID", "us-east-1_P")], FakeUsers::default());
    run(handle(&d, e.clone(), NOW)).unwrap();
    assert_eq!(d.users.updates()[0].1, "a1b2");
    // Without a pool to write to, nothing is written and nothing fails.
    let d = deps(&[], FakeUsers::default());
    assert!(run(handle(&d, e, NOW)).is_ok());
    assert!(d.users.updates().is_empty());
}

#[test]
fn temporary_and_failed_calls_are_not_recorded() {
    let d = deps(&[], FakeUsers::default());
    let temp = cloudtrail(
        "AdminSetUserPassword",
        json!({"userPoolId": "us-east-1_Q", "username": "bob", "permanent": false}),
        json!(null),
    );
    run(handle(&d, temp, NOW)).unwrap();
    let mut failed = cloudtrail(
        "AdminSetUserPassword",
        json!({"userPoolId": "us-east-1_Q", "username": "bob"}),
        json!(null),
    );
    failed["detail"]["errorCode"] = json!("InvalidPasswordException");
    run(handle(&d, failed, NOW)).unwrap();
    assert!(d.users.updates().is_empty());
}

#[test]
fn cloudtrail_failures_fail_only_when_a_retry_can_help() {
    let e = admin_set(NOW);
    let d = deps(
        &[],
        FakeUsers::failing(UpdateError::Unavailable("TooManyRequestsException".into())),
    );
    assert!(run(handle(&d, e.clone(), NOW)).is_err());
    let d = deps(
        &[],
        FakeUsers::failing(UpdateError::Rejected("UserNotFoundException".into())),
    );
    assert!(run(handle(&d, e, NOW)).is_ok());
}

#[test]
fn configuration_errors_name_the_variable() {
    let src: HashMap<&str, &str> = [("USER_POOL_ID", "pool")].into();
    assert_eq!(Settings::from_source(&src).unwrap_err().variable, "USER_POOL_ID");
    let src: HashMap<&str, &str> = [("STAMP_ON_SIGN_UP", "sometimes")].into();
    assert_eq!(Settings::from_source(&src).unwrap_err().variable, "STAMP_ON_SIGN_UP");
}

//! The handler on V1, V2 and V3 events at boundary times.

use std::collections::HashMap;

use cognito_reset::domain::rules::timestamp;
use serde_json::{Value, json};

use super::*;
use cognito_reset::domain::users::UpdateError;
use cognito_reset::fakes::{FakeUsers, block_on};

const NOW: i64 = 1_795_434_619; // 2026-11-23T11:50:19Z
const DAY: i64 = 86_400;

fn deps(pairs: &[(&'static str, &'static str)]) -> Deps<FakeUsers> {
    deps_with(pairs, FakeUsers::default())
}

fn deps_with(pairs: &[(&'static str, &'static str)], users: FakeUsers) -> Deps<FakeUsers> {
    Deps::from_source(&pairs.iter().copied().collect::<HashMap<_, _>>(), users).unwrap()
}

/// The handler, run to completion.
fn handle(d: &Deps<FakeUsers>, e: Value, now: i64) -> Result<Value, PreTokenError> {
    block_on(super::handle(d, e, now))
}

fn event(version: &str, source: &str, changed_days_ago: Option<i64>) -> Value {
    let mut attrs = json!({"sub": "a1b2", "email": "jane@example.com", "cognito:user_status": "CONFIRMED"});
    if let Some(d) = changed_days_ago {
        attrs["custom:password_changed_at"] = json!(timestamp::format(NOW - d * DAY));
    }
    let mut e = json!({
        "version": version, "triggerSource": source, "region": "us-east-1", "userPoolId": "us-east-1_P",
        "userName": "jane", "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "web"},
        "request": {"userAttributes": attrs,
                    "groupConfiguration": {"groupsToOverride": ["admins"], "iamRolesToOverride": [], "preferredRole": null}},
        "response": {}
    });
    if version == "1" {
        e["response"] = json!({"claimsOverrideDetails": null});
    } else {
        e["request"]["scopes"] = json!(["aws.cognito.signin.user.admin", "openid", "email"]);
        e["response"] = json!({"claimsAndScopeOverrideDetails": null});
    }
    e
}

const NINETY: [(&str, &str); 1] = [("PASSWORD_MAX_AGE_DAYS", "90")];

#[test]
fn v1_valid_password_gets_string_claims_in_the_id_token_and_groups_stay() {
    let out = handle(
        &deps(&NINETY),
        event("1", "TokenGeneration_Authentication", Some(10)),
        NOW,
    )
    .unwrap();
    let claims = &out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"];
    assert_eq!(claims["password_changed_at"], json!(timestamp::format(NOW - 10 * DAY)));
    assert_eq!(claims["password_expires_at"], json!(timestamp::format(NOW + 80 * DAY)));
    assert!(
        out["response"]["claimsOverrideDetails"]
            .get("groupOverrideDetails")
            .is_none()
    );
    assert_eq!(
        out["request"]["groupConfiguration"]["groupsToOverride"],
        json!(["admins"])
    );
}

#[test]
fn v2_and_v3_claims_go_to_both_tokens() {
    for version in ["2", "3"] {
        let out = handle(
            &deps(&NINETY),
            event(version, "TokenGeneration_HostedAuth", Some(10)),
            NOW,
        )
        .unwrap();
        let d = &out["response"]["claimsAndScopeOverrideDetails"];
        for token in ["idTokenGeneration", "accessTokenGeneration"] {
            assert_eq!(
                d[token]["claimsToAddOrOverride"]["password_expires_at"],
                json!(timestamp::format(NOW + 80 * DAY))
            );
        }
        assert!(
            d["accessTokenGeneration"].get("scopesToSuppress").is_none(),
            "valid: scopes untouched"
        );
    }
}

#[test]
fn exactly_at_the_limit_signs_in_and_one_second_later_is_denied() {
    let d = deps(&NINETY);
    assert!(handle(&d, event("1", "TokenGeneration_Authentication", Some(90)), NOW).is_ok());
    let err = handle(&d, event("1", "TokenGeneration_Authentication", Some(90)), NOW + 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Your password has expired; reset it to continue. (PASSWORD_EXPIRED)"
    );
    let diag: Diagnostic = err.into();
    assert_eq!(diag.error_type, "PasswordExpired");
}

#[test]
fn refreshing_tokens_is_denied_too() {
    assert!(
        handle(
            &deps(&NINETY),
            event("2", "TokenGeneration_RefreshTokens", Some(120)),
            NOW
        )
        .is_err()
    );
}

#[test]
fn restrict_leaves_only_the_user_admin_scope_and_flags_the_token() {
    let d = deps(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("ON_VIOLATION", "restrict")]);
    let out = handle(&d, event("2", "TokenGeneration_Authentication", Some(120)), NOW).unwrap();
    let access = &out["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"];
    assert_eq!(access["scopesToSuppress"], json!(["openid", "email"]));
    assert_eq!(access["claimsToAddOrOverride"]["password_expired"], json!(true));
    assert_eq!(access["claimsToAddOrOverride"]["password_violation"], json!("expired"));
    let id = &out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"];
    assert_eq!(id["claimsToAddOrOverride"]["password_expired"], json!(true));
    assert!(access.get("scopesToAdd").is_none(), "never adds a scope");
    // V1 cannot restrict scopes: denied instead.
    assert!(matches!(
        handle(&d, event("1", "TokenGeneration_Authentication", Some(120)), NOW),
        Err(PreTokenError::Denied(Violation::Expired))
    ));
    // A request without the user admin scope (an OAuth sign-in that did not ask for it)
    // would leave a token that can do nothing: denied instead, never given the scope.
    let mut oauth = event("2", "TokenGeneration_HostedAuth", Some(120));
    oauth["request"]["scopes"] = json!(["openid", "email"]);
    assert!(matches!(
        handle(&d, oauth, NOW),
        Err(PreTokenError::Denied(Violation::Expired))
    ));
}

#[test]
fn the_forced_reset_flag_denies_even_a_fresh_password() {
    let mut e = event("1", "TokenGeneration_Authentication", Some(1));
    e["request"]["userAttributes"]["custom:force_password_reset"] = json!("true");
    let err = handle(&deps(&[]), e, NOW).unwrap_err();
    assert!(matches!(err, PreTokenError::Denied(Violation::ResetRequired)));
}

#[test]
fn a_forced_reset_is_denied_even_where_expired_passwords_are_restricted() {
    let d = deps(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("ON_VIOLATION", "restrict")]);
    for source in ["TokenGeneration_Authentication", "TokenGeneration_RefreshTokens"] {
        let mut e = event("2", source, Some(1));
        e["request"]["userAttributes"]["custom:force_password_reset"] = json!(rules::ForceFlag::value_at(NOW - 60));
        let err = handle(&d, e, NOW).unwrap_err();
        assert!(
            matches!(err, PreTokenError::Denied(Violation::ResetRequired)),
            "{source}"
        );
        assert!(err.to_string().contains("Forgot password"), "{err}");
        assert_eq!(Diagnostic::from(err).error_type, "PasswordResetRequired");
    }
}

#[test]
fn federated_users_are_never_judged_by_password_rules() {
    let strict = deps(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("ON_UNKNOWN_CHANGE_TIME", "violation")]);
    for version in ["1", "2"] {
        for source in [
            "TokenGeneration_HostedAuth",
            "TokenGeneration_RefreshTokens",
            "TokenGeneration_Authentication",
        ] {
            // Stamped by an older release 400 days ago, flagged: none of it applies.
            let mut e = event(version, source, Some(400));
            e["request"]["userAttributes"]["cognito:user_status"] = json!("EXTERNAL_PROVIDER");
            e["request"]["userAttributes"]["identities"] =
                json!(r#"[{"userId":"1093","providerName":"Google","providerType":"Google","primary":true}]"#);
            e["request"]["userAttributes"]["custom:force_password_reset"] = json!("true");
            assert_eq!(handle(&strict, e.clone(), NOW).unwrap(), e, "{version} {source}");
            let mut never_stamped = e.clone();
            never_stamped["request"]["userAttributes"]
                .as_object_mut()
                .unwrap()
                .remove("custom:password_changed_at");
            assert!(handle(&strict, never_stamped, NOW).is_ok(), "{version} {source}");
        }
    }
    assert!(strict.users.updates().is_empty());
}

#[test]
fn unknown_change_time_follows_the_setting() {
    let allow = deps(&NINETY);
    let out = handle(&allow, event("2", "TokenGeneration_Authentication", None), NOW).unwrap();
    assert_eq!(
        out["response"]["claimsAndScopeOverrideDetails"],
        Value::Null,
        "nothing known, nothing added"
    );
    let strict = deps(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("ON_UNKNOWN_CHANGE_TIME", "violation")]);
    assert!(matches!(
        handle(&strict, event("2", "TokenGeneration_Authentication", None), NOW),
        Err(PreTokenError::Denied(Violation::UnknownChangeTime))
    ));
}

#[test]
fn the_warning_window_adds_a_claim() {
    let d = deps(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("PASSWORD_WARN_DAYS", "14")]);
    let soon = handle(&d, event("1", "TokenGeneration_Authentication", Some(80)), NOW).unwrap();
    assert_eq!(
        soon["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]["password_expires_soon"],
        json!("true")
    );
    let later = handle(&d, event("1", "TokenGeneration_Authentication", Some(10)), NOW).unwrap();
    assert!(
        later["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]
            .get("password_expires_soon")
            .is_none()
    );
}

#[test]
fn every_window_the_template_takes_starts_a_function_that_warns_within_the_maximum_age() {
    // The template cannot compare PasswordWarnDays with PasswordMaxAgeDays: a window as long
    // as the maximum age or longer warns from the first day and denies only after the age.
    for warn in ["90", "120"] {
        let d = deps(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("PASSWORD_WARN_DAYS", warn)]);
        let fresh = handle(&d, event("1", "TokenGeneration_Authentication", Some(1)), NOW).unwrap();
        assert_eq!(
            fresh["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]["password_expires_soon"],
            json!("true"),
            "{warn}"
        );
        assert!(matches!(
            handle(&d, event("1", "TokenGeneration_Authentication", Some(91)), NOW),
            Err(PreTokenError::Denied(Violation::Expired))
        ));
    }
    // Without a maximum age there is nothing to warn about.
    let d = deps(&[("PASSWORD_WARN_DAYS", "14")]);
    let out = handle(&d, event("1", "TokenGeneration_Authentication", Some(1000)), NOW).unwrap();
    assert!(
        out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]
            .get("password_expires_soon")
            .is_none()
    );
}

#[test]
fn a_new_password_challenge_counts_as_a_fresh_password() {
    let strict = deps(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("ON_UNKNOWN_CHANGE_TIME", "violation")]);
    let out = handle(
        &strict,
        event("1", "TokenGeneration_NewPasswordChallenge", Some(400)),
        NOW,
    )
    .unwrap();
    let claims = &out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"];
    assert_eq!(claims["password_changed_at"], json!(timestamp::format(NOW)));
    assert_eq!(
        strict.users.updates(),
        vec![(
            "us-east-1_P".to_owned(),
            "jane".to_owned(),
            vec![("custom:password_changed_at".to_owned(), timestamp::format(NOW))]
        )],
        "the new password is recorded within the challenge's token generation"
    );
}

#[test]
fn a_new_password_clears_the_forced_reset_flag_of_a_user_who_has_one() {
    let d = deps(&NINETY);
    let mut e = event("2", "TokenGeneration_NewPasswordChallenge", Some(200));
    e["request"]["userAttributes"]["custom:force_password_reset"] = json!("true");
    let out = handle(&d, e, NOW).expect("a forced-reset user who chose a password gets tokens");
    assert!(
        out["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"]
            .get("scopesToSuppress")
            .is_none()
    );
    let written = &d.users.updates()[0].2;
    assert_eq!(
        written,
        &vec![
            ("custom:password_changed_at".to_owned(), timestamp::format(NOW)),
            ("custom:force_password_reset".to_owned(), "false".to_owned()),
        ]
    );
}

#[test]
fn a_failed_write_still_issues_the_tokens_of_the_new_password() {
    for failure in [
        UpdateError::Unavailable("ThrottlingException".into()),
        UpdateError::MissingAttribute("InvalidParameterException".into()),
        UpdateError::Rejected("AccessDeniedException".into()),
    ] {
        let d = deps_with(
            &[("PASSWORD_MAX_AGE_DAYS", "90"), ("ON_UNKNOWN_CHANGE_TIME", "violation")],
            FakeUsers::failing(failure.clone()),
        );
        let out = handle(&d, event("2", "TokenGeneration_NewPasswordChallenge", None), NOW)
            .unwrap_or_else(|e| panic!("{failure:?}: {e}"));
        let id = &out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]["claimsToAddOrOverride"];
        assert_eq!(id["password_changed_at"], json!(timestamp::format(NOW)), "{failure:?}");
    }
}

#[test]
fn only_a_new_password_challenge_writes() {
    let d = deps(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("ON_VIOLATION", "restrict")]);
    for source in [
        "TokenGeneration_HostedAuth",
        "TokenGeneration_Authentication",
        "TokenGeneration_AuthenticateDevice",
        "TokenGeneration_RefreshTokens",
    ] {
        for days in [Some(10), Some(120), None] {
            let _ = handle(&d, event("2", source, days), NOW);
        }
    }
    assert!(d.users.updates().is_empty(), "{:?}", d.users.updates());
}

#[test]
fn an_unusable_configuration_issues_tokens_unchanged() {
    let bad = Deps::from_source(
        &[("PASSWORD_MAX_AGE_DAYS", "3651")]
            .into_iter()
            .collect::<HashMap<_, _>>(),
        FakeUsers::default(),
    );
    assert!(bad.is_err());
    for source in ["TokenGeneration_Authentication", "TokenGeneration_NewPasswordChallenge"] {
        let mut e = event("2", source, Some(4000));
        e["request"]["userAttributes"]["custom:force_password_reset"] = json!("true");
        assert_eq!(block_on(respond(&bad, e.clone(), NOW)).expect("fails open"), e);
    }
}

#[test]
fn machine_identities_and_other_triggers_pass_through_unchanged() {
    let strict = deps(&[("PASSWORD_MAX_AGE_DAYS", "1"), ("ON_UNKNOWN_CHANGE_TIME", "violation")]);
    let m2m = json!({"version": "3", "triggerSource": "TokenGeneration_ClientCredentials", "userPoolId": "us-east-1_P",
                     "request": {"userAttributes": {}, "scopes": ["api/read"]}, "response": {"claimsAndScopeOverrideDetails": null}});
    assert_eq!(handle(&strict, m2m.clone(), NOW).unwrap(), m2m);
    let other = json!({"version": "1", "triggerSource": "PreAuthentication_Authentication", "request": {}});
    assert_eq!(handle(&strict, other.clone(), NOW).unwrap(), other);
}

#[test]
fn running_twice_gives_the_same_event() {
    let d = deps(&[
        ("PASSWORD_MAX_AGE_DAYS", "90"),
        ("ON_VIOLATION", "restrict"),
        ("PASSWORD_WARN_DAYS", "30"),
    ]);
    for e in [
        event("2", "TokenGeneration_Authentication", Some(70)),
        event("2", "TokenGeneration_Authentication", Some(100)),
    ] {
        let once = handle(&d, e, NOW).unwrap();
        assert_eq!(handle(&d, once.clone(), NOW).unwrap(), once);
    }
}

#[test]
fn claims_already_in_the_response_are_kept() {
    let mut e = event("2", "TokenGeneration_Authentication", Some(5));
    e["response"]["claimsAndScopeOverrideDetails"] = json!({
        "idTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"}, "claimsToSuppress": ["phone_number"]},
        "groupOverrideDetails": {"groupsToOverride": ["admins"]}});
    let out = handle(&deps(&NINETY), e, NOW).unwrap();
    let d = &out["response"]["claimsAndScopeOverrideDetails"];
    assert_eq!(d["idTokenGeneration"]["claimsToAddOrOverride"]["tenant"], json!("acme"));
    assert_eq!(d["idTokenGeneration"]["claimsToSuppress"], json!(["phone_number"]));
    assert_eq!(d["groupOverrideDetails"], json!({"groupsToOverride": ["admins"]}));
}

#[test]
fn malformed_events_get_a_clear_error() {
    let err = handle(&deps(&[]), json!([]), NOW).unwrap_err();
    assert_eq!(
        err.to_string(),
        "pre-token cannot read this event: the event must be a JSON object, found an array"
    );
}

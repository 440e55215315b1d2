//! The handler on V1, V2 and V3 events at boundary times.

use std::collections::HashMap;

use cognito_reset::rules::timestamp;
use serde_json::{Value, json};

use super::*;

const NOW: i64 = 1_795_434_619; // 2026-11-23T11:50:19Z
const DAY: i64 = 86_400;

fn deps(pairs: &[(&'static str, &'static str)]) -> Deps {
    Deps::from_source(&pairs.iter().copied().collect::<HashMap<_, _>>()).unwrap()
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
    // V1 cannot restrict scopes: denied instead.
    assert!(matches!(
        handle(&d, event("1", "TokenGeneration_Authentication", Some(120)), NOW),
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

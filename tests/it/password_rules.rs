//! Password rules end to end: this project's fixtures for every pre token version and
//! source, and the full cycle against moto's Cognito admin API (a real user pool): a user
//! whose password is too old is denied; after a confirmed reset the post-confirmation stamp
//! lets the next token generation through.

use std::collections::HashMap;

use cognito_reset::adapters::aws::cognito;
use cognito_reset::adapters::cognito::CognitoUsers;
use cognito_reset::domain::rules::{Violation, timestamp};
use cognito_reset::domain::users::UpdateError;
use cognito_reset_stack::Moto;
use post_confirmation::PostConfirmationError;
use pre_token::PreTokenError;
use serde_json::{Value, json};

use crate::{block_on, moto_sdk_config};

const NOW: i64 = 1_795_434_619; // 2026-11-23T11:50:19Z; the fixtures' stamp is 83 days earlier
const DAY: i64 = 86_400;

fn pre(pairs: &[(&'static str, &'static str)]) -> pre_token::Deps<cognito_reset::fakes::FakeUsers> {
    pre_token::Deps::from_source(
        &pairs.iter().copied().collect::<HashMap<_, _>>(),
        cognito_reset::fakes::FakeUsers::default(),
    )
    .expect("deps")
}

#[test]
fn every_pre_token_fixture_gets_its_claims_in_the_right_shape() {
    let d = pre(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("PASSWORD_WARN_DAYS", "14")]);
    for source in [
        "HostedAuth",
        "Authentication",
        "NewPasswordChallenge",
        "AuthenticateDevice",
        "RefreshTokens",
    ] {
        let fresh = source == "NewPasswordChallenge";
        let changed = if fresh {
            timestamp::format(NOW)
        } else {
            "2026-09-01T08:00:00Z".to_owned()
        };
        for version in ["1", "2", "3"] {
            let name = format!("pre-token-v{version}-{source}.json");
            let out = crate::pre_token_handle(&d, cognito_reset_stack::fixture(&name), NOW)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let r = &out["response"];
            if version == "1" {
                let claims = &r["claimsOverrideDetails"]["claimsToAddOrOverride"];
                assert_eq!(claims["password_changed_at"], json!(changed), "{name}");
                assert_eq!(
                    claims["password_expires_soon"],
                    if fresh { Value::Null } else { json!("true") },
                    "{name}"
                );
                assert!(
                    claims.as_object().expect("object").values().all(Value::is_string),
                    "{name}: V1 claims are strings"
                );
            } else {
                for token in ["idTokenGeneration", "accessTokenGeneration"] {
                    let claims = &r["claimsAndScopeOverrideDetails"][token]["claimsToAddOrOverride"];
                    assert_eq!(claims["password_changed_at"], json!(changed), "{name} {token}");
                    assert_eq!(
                        claims["password_expires_soon"],
                        if fresh { Value::Null } else { json!(true) },
                        "{name}"
                    );
                }
            }
            assert_eq!(
                out["request"]["groupConfiguration"]["groupsToOverride"],
                json!(["readers"]),
                "{name}"
            );
        }
    }
    let m2m = cognito_reset_stack::fixture("pre-token-v3-ClientCredentials.json");
    assert_eq!(crate::pre_token_handle(&d, m2m.clone(), NOW).expect("passes"), m2m);
}

#[test]
fn expired_passwords_are_denied_or_restricted_per_version() {
    let later = NOW + 30 * DAY;
    let deny = pre(&[("PASSWORD_MAX_AGE_DAYS", "90")]);
    let restrict = pre(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("ON_VIOLATION", "restrict")]);
    for version in ["1", "2", "3"] {
        let e = cognito_reset_stack::fixture(&format!("pre-token-v{version}-Authentication.json"));
        assert!(matches!(
            crate::pre_token_handle(&deny, e.clone(), later),
            Err(PreTokenError::Denied(Violation::Expired))
        ));
        let restricted = crate::pre_token_handle(&restrict, e, later);
        if version == "1" {
            assert!(restricted.is_err(), "V1 cannot restrict scopes");
        } else {
            let out = restricted.expect("restricted, not denied");
            let access = &out["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"];
            assert_eq!(access["scopesToSuppress"], json!(["openid", "email", "profile"]));
        }
    }
}

/// A user pool on moto with the two custom attributes, and one user.
fn pool_with_user(moto: &Moto, changed_at: &str) -> (cognito::Client, String, String) {
    use cognito::types::AttributeType;
    let client = cognito::Client::new(&moto_sdk_config(moto));
    let custom = cognito_reset_stack::demo::custom_schema;
    let pool = block_on(
        client
            .create_user_pool()
            .pool_name("cognito-reset-test")
            .schema(custom("password_changed_at"))
            .schema(custom("force_password_reset"))
            .send(),
    )
    .expect("create pool");
    let pool_id = pool.user_pool().and_then(|p| p.id()).expect("pool id").to_owned();
    let attr = |n: &str, v: &str| AttributeType::builder().name(n).value(v).build().expect("attribute");
    block_on(
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username("jane")
            .user_attributes(attr("email", "jane@example.com"))
            .user_attributes(attr("custom:password_changed_at", changed_at))
            .user_attributes(attr("custom:force_password_reset", "true"))
            .send(),
    )
    .expect("create user");
    (client, pool_id, "jane".to_owned())
}

fn attributes(client: &cognito::Client, pool: &str, user: &str) -> Value {
    let out = block_on(client.admin_get_user().user_pool_id(pool).username(user).send()).expect("get user");
    let map: serde_json::Map<String, Value> = out
        .user_attributes()
        .iter()
        .map(|a| (a.name().to_owned(), json!(a.value().unwrap_or_default())))
        .collect();
    Value::Object(map)
}

fn token_event(pool: &str, user: &str, attrs: Value) -> Value {
    let mut e = cognito_reset_stack::fixture("pre-token-v2-Authentication.json");
    e["userPoolId"] = json!(pool);
    e["userName"] = json!(user);
    e["request"]["userAttributes"] = attrs;
    e
}

#[test]
fn a_too_old_password_is_denied_until_a_reset_is_recorded() {
    let Some(moto) = Moto::start("password_rules_full_cycle") else {
        return;
    };
    let (client, pool, user) = pool_with_user(&moto, &timestamp::format(NOW - 200 * DAY));
    let rules = pre(&[("PASSWORD_MAX_AGE_DAYS", "90")]);

    // Signing in: forced reset flag set and password too old.
    let before = token_event(&pool, &user, attributes(&client, &pool, &user));
    assert!(matches!(
        crate::pre_token_handle(&rules, before, NOW),
        Err(PreTokenError::Denied(Violation::ResetRequired))
    ));

    // The user resets the password; Cognito calls post confirmation.
    let post = post_confirmation::Deps {
        settings: post_confirmation::Settings::from_source(&HashMap::<&str, &str>::new()).expect("settings"),
        users: CognitoUsers::new(client.clone()),
    };
    let mut confirmed = cognito_reset_stack::fixture("post-confirmation-ConfirmForgotPassword.json");
    confirmed["userPoolId"] = json!(pool);
    confirmed["userName"] = json!(user);
    confirmed["request"]["userAttributes"] = attributes(&client, &pool, &user);
    let out = block_on(post_confirmation::handle(&post, confirmed.clone(), NOW)).expect("recorded");
    assert_eq!(out, confirmed);
    let attrs = attributes(&client, &pool, &user);
    assert_eq!(attrs["custom:password_changed_at"], json!(timestamp::format(NOW)));
    assert_eq!(attrs["custom:force_password_reset"], json!("false"));

    // The next sign-in goes through, with the password claims.
    let after = crate::pre_token_handle(&rules, token_event(&pool, &user, attrs), NOW + 60).expect("allowed");
    let claims = &after["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]["claimsToAddOrOverride"];
    assert_eq!(claims["password_expires_at"], json!(timestamp::format(NOW + 90 * DAY)));
}

#[test]
fn cognito_errors_are_reported_clearly() {
    let Some(moto) = Moto::start("password_rules_errors") else {
        return;
    };
    let (client, pool, _) = pool_with_user(&moto, "2026-01-01T00:00:00Z");
    let post = post_confirmation::Deps {
        settings: post_confirmation::Settings::from_source(&HashMap::<&str, &str>::new()).expect("settings"),
        users: CognitoUsers::new(client),
    };
    let mut unknown_user = cognito_reset_stack::fixture("post-confirmation-ConfirmForgotPassword.json");
    unknown_user["userPoolId"] = json!(pool);
    unknown_user["userName"] = json!("nobody");
    let err = block_on(post_confirmation::handle(&post, unknown_user, NOW)).expect_err("must fail");
    assert!(
        matches!(&err, PostConfirmationError::NotRecorded(UpdateError::Rejected(code)) if code == "UserNotFoundException"),
        "{err}"
    );
    let mut unknown_pool = cognito_reset_stack::fixture("post-confirmation-ConfirmForgotPassword.json");
    unknown_pool["userPoolId"] = json!("us-east-1_Nope");
    let err = block_on(post_confirmation::handle(&post, unknown_pool, NOW)).expect_err("must fail");
    assert!(err.to_string().contains("ResourceNotFoundException"), "{err}");
}

#[test]
fn a_cloudtrail_admin_set_password_event_is_recorded_in_the_pool() {
    let Some(moto) = Moto::start("password_rules_cloudtrail") else {
        return;
    };
    let (client, pool, user) = pool_with_user(&moto, "2026-01-01T00:00:00Z");
    let post = post_confirmation::Deps {
        settings: post_confirmation::Settings::from_source(&HashMap::<&str, &str>::new()).expect("settings"),
        users: CognitoUsers::new(client.clone()),
    };
    let mut e = cognito_reset_stack::fixture("eventbridge-cloudtrail-AdminSetUserPassword.json");
    e["detail"]["requestParameters"]["userPoolId"] = json!(pool);
    e["detail"]["requestParameters"]["username"] = json!(user);
    block_on(post_confirmation::handle(&post, e, NOW)).expect("recorded");
    assert_eq!(
        attributes(&client, &pool, &user)["custom:password_changed_at"],
        json!(timestamp::format(NOW))
    );
}

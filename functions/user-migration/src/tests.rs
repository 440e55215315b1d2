//! The handler with an in-memory legacy store.

use std::collections::HashMap;

use cognito_reset::domain::legacy::LegacyUser;
use cognito_reset::domain::rules::{ForceFlag, timestamp};
/// Runs a handler future on a runtime with a timer (every sign-in waits out the slowest check).
fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime")
        .block_on(f)
}
use serde_json::{Value, json};

use super::*;

const NOW: i64 = 1_795_434_619;

/// The users of `tests/fixtures/legacy/users.json`, by username, and the store's failure.
struct FakeStore {
    users: HashMap<String, LegacyUser>,
    failing: Option<LookupError>,
}

impl LegacyUsers for FakeStore {
    async fn find(&self, username: &str) -> Result<Option<LegacyUser>, LookupError> {
        match &self.failing {
            Some(e) => Err(e.clone()),
            None => Ok(self.users.get(username).cloned()),
        }
    }
}

fn fixture() -> Vec<Value> {
    serde_json::from_str(include_str!("../../../tests/fixtures/legacy/users.json")).expect("users.json")
}

fn legacy(u: &Value) -> LegacyUser {
    let policy = PasswordPolicy::default();
    let mut row = u.clone();
    for k in ["username", "password", "format", "weak"] {
        row.as_object_mut().expect("object").remove(k);
    }
    cognito_reset::domain::legacy::row::record(row, &policy).expect("a user")
}

fn deps(pairs: &[(&'static str, &'static str)], failing: Option<LookupError>) -> Deps<FakeStore> {
    let mut env: HashMap<&str, &str> = HashMap::from([
        ("LEGACY_DATABASE_URL", "postgres://app@127.0.0.1/legacy?sslmode=disable"),
        ("LEGACY_USER_QUERY", "SELECT * FROM users WHERE username = $1"),
    ]);
    env.extend(pairs.iter().copied());
    let users = fixture()
        .iter()
        .map(|u| (u["username"].as_str().unwrap_or_default().to_owned(), legacy(u)))
        .collect();
    Deps::new(
        Settings::from_source(&env).expect("settings"),
        FakeStore { users, failing },
    )
}

fn event(source: &str, username: &str, password: Option<&str>) -> Value {
    let mut request = json!({"validationData": null, "clientMetadata": {}});
    if let Some(p) = password {
        request["password"] = json!(p);
    }
    json!({"version": "1", "triggerSource": source, "region": "us-east-1", "userPoolId": "us-east-1_P",
           "userName": username, "callerContext": {"awsSdkVersion": "aws-sdk-js-3.0.0", "clientId": "web"},
           "request": request, "response": {"userAttributes": null, "finalUserStatus": null, "messageAction": null}})
}

fn sign_in(username: &str, password: &str) -> Value {
    event("UserMigration_Authentication", username, Some(password))
}

#[test]
fn a_correct_password_migrates_the_user_of_every_format() {
    let d = deps(&[], None);
    for u in fixture() {
        let name = u["username"].as_str().unwrap_or_default();
        let out = run(handle(
            &d,
            sign_in(name, u["password"].as_str().unwrap_or_default()),
            NOW,
        ))
        .expect(name);
        let r = &out["response"];
        assert_eq!(r["finalUserStatus"], "CONFIRMED", "{name}");
        assert_eq!(r["messageAction"], "SUPPRESS", "{name}");
        assert_eq!(r["userAttributes"]["email"], u["email"], "{name}");
        assert_eq!(
            r["userAttributes"]["email_verified"],
            u["email_verified"].to_string(),
            "{name}"
        );
        let stamp = r["userAttributes"]["custom:password_changed_at"]
            .as_str()
            .unwrap_or_default();
        let expected = u["password_changed_at"]
            .as_str()
            .and_then(timestamp::parse)
            .unwrap_or(NOW);
        assert_eq!(
            timestamp::parse(stamp),
            Some(expected),
            "{name}: the legacy change time carries on"
        );
        let flag = r["userAttributes"]["custom:force_password_reset"].as_str();
        assert_eq!(
            ForceFlag::read(flag).is_some(),
            u["weak"] == true,
            "{name}: weak hashes force a reset"
        );
        assert_eq!(
            out["request"]["password"], u["password"],
            "{name}: the request is left as it came"
        );
    }
}

#[test]
fn allow_migrates_a_weak_hash_without_the_flag() {
    let d = deps(&[("ON_WEAK_HASH", "allow")], None);
    let out = run(handle(
        &d,
        sign_in("bcrypt-weak@legacy.example", "cost four bcrypt"),
        NOW,
    ))
    .expect("migrates");
    assert!(
        out["response"]["userAttributes"]
            .get("custom:force_password_reset")
            .is_none()
    );
}

#[test]
fn unknown_users_and_wrong_passwords_are_refused_alike() {
    let d = deps(&[], None);
    let refusals = [
        sign_in("nobody@legacy.example", "whatever"),
        sign_in("argon2id@legacy.example", "argon two id?"),
        sign_in("bcrypt-2b@legacy.example", ""),
        sign_in("", "x"),
        event("UserMigration_ForgotPassword", "nobody@legacy.example", None),
        event("UserMigration_ForgotPassword", "unverified@legacy.example", None),
    ];
    for e in refusals {
        // The event as it came: Cognito reads it as "no such user", as for any unknown username.
        let out = run(handle(&d, e.clone(), NOW)).expect("answered");
        assert_eq!(out, e, "refused alike, and nothing added");
    }
}

#[test]
fn every_sign_in_takes_as_long_as_the_slowest_check_and_an_unknown_user_pays_it() {
    let d = deps(&[], None);
    assert_eq!(d.slowest_check().0.expose(), STAND_IN_HASH);
    let hash_of = |format: &str| {
        fixture()
            .into_iter()
            .find(|u| u["format"] == format)
            .and_then(|u| u["password_hash"].as_str().map(str::to_owned))
            .expect(format)
    };
    // Argon2id (19 MiB, two passes), then a cost-4 bcrypt: the slower one stays the measure.
    run(handle(&d, sign_in("argon2id@legacy.example", "wrong"), NOW)).expect("answered");
    let (hash, argon) = d.slowest_check();
    assert_eq!(hash.expose(), hash_of("argon2id"));
    let started = std::time::Instant::now();
    run(handle(&d, sign_in("bcrypt-weak@legacy.example", "wrong"), NOW)).expect("answered");
    assert!(
        started.elapsed() >= argon,
        "a cheap hash's sign-in waits out the slowest check"
    );
    assert_eq!(d.slowest_check().0.expose(), hash_of("argon2id"));
    // An unknown user's password is checked against it, and waits as long; it never replaces it.
    let started = std::time::Instant::now();
    run(handle(&d, sign_in("nobody@legacy.example", "x"), NOW)).expect("answered");
    assert!(started.elapsed() >= argon);
    assert_eq!(d.slowest_check().0.expose(), hash_of("argon2id"));
}

#[test]
fn a_reset_migrates_a_verified_user_without_a_password_stamp() {
    let d = deps(&[], None);
    let out = run(handle(
        &d,
        event("UserMigration_ForgotPassword", "django-sha256@legacy.example", None),
        NOW,
    ))
    .expect("migrates");
    let r = &out["response"];
    assert_eq!(r["messageAction"], "SUPPRESS");
    assert!(r.get("finalUserStatus").is_none_or(Value::is_null), "{r}");
    assert_eq!(r["userAttributes"]["phone_number"], "+14255550123");
    assert_eq!(r["userAttributes"]["phone_number_verified"], "true");
    assert!(
        r["userAttributes"].get("custom:password_changed_at").is_none(),
        "post confirmation stamps the reset"
    );
}

#[test]
fn a_store_that_does_not_answer_fails_with_its_own_message() {
    let d = deps(&[], Some(LookupError::Unavailable("no answer within 2000 ms".into())));
    let err = Diagnostic::from(
        run(handle(&d, sign_in("bcrypt-2b@legacy.example", "Tr0ub4dor&3 2b"), NOW)).expect_err("fails"),
    );
    assert_eq!(err.error_type, "LegacyStoreUnavailable");
    // A store answer the configuration cannot map refuses, as for a username nobody has.
    let d = deps(
        &[],
        Some(LookupError::Unusable(
            "a column: \"username\" is not a Cognito attribute".into(),
        )),
    );
    let e = sign_in("bcrypt-2b@legacy.example", "Tr0ub4dor&3 2b");
    assert_eq!(run(handle(&d, e.clone(), NOW)).expect("answered"), e);
}

#[test]
fn settings_need_one_store_and_what_it_takes() {
    let read = |pairs: &[(&str, &str)]| Settings::from_source(&pairs.iter().copied().collect::<HashMap<_, _>>());
    let q = ("LEGACY_USER_QUERY", "SELECT * FROM users WHERE email = $1");
    let url = ("LEGACY_DATABASE_URL", "postgres://u:hunter2@db/app");
    let arn = (
        "LEGACY_DATABASE_SECRET_ARN",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-db-AbCdEf",
    );
    let endpoint = ("LEGACY_USER_ENDPOINT", "https://legacy.example.com/cognito/users");
    let token = ("LEGACY_USER_ENDPOINT_TOKEN", "hunter2-token");
    let token_arn = (
        "LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-api-AbCdEf",
    );
    let store = |pairs: &[(&str, &str)]| read(pairs).map(|s| s.store);
    assert!(matches!(
        store(&[q, url]),
        Ok(Store::Database {
            url: Credential::Given(_),
            ..
        })
    ));
    assert!(matches!(
        store(&[q, arn]),
        Ok(Store::Database {
            url: Credential::InSecret(_),
            ..
        })
    ));
    assert!(matches!(
        store(&[endpoint, token]),
        Ok(Store::Endpoint {
            token: Credential::Given(_),
            ..
        })
    ));
    assert!(matches!(
        store(&[endpoint, token_arn]),
        Ok(Store::Endpoint {
            token: Credential::InSecret(_),
            ..
        })
    ));
    let local = ("LEGACY_USER_ENDPOINT", "http://127.0.0.1:8080/users");
    assert!(store(&[local, token]).is_ok(), "plain HTTP to loopback, locally");
    for (pairs, variable) in [
        (&[endpoint][..], "LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN"),
        (&[endpoint, token, token_arn][..], "LEGACY_USER_ENDPOINT_TOKEN"),
        (&[endpoint, token, q][..], "LEGACY_USER_QUERY"),
        (&[endpoint, token, q, url][..], "LEGACY_USER_ENDPOINT"),
        (&[q, url, token][..], "LEGACY_USER_ENDPOINT_TOKEN"),
        (&[q, url, token_arn][..], "LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN"),
        (
            &[("LEGACY_USER_ENDPOINT", "http://legacy.example.com/users"), token][..],
            "LEGACY_USER_ENDPOINT",
        ),
        (
            &[
                ("LEGACY_USER_ENDPOINT", "https://app:hunter2@legacy.example.com/u"),
                token,
            ][..],
            "LEGACY_USER_ENDPOINT",
        ),
        (
            &[endpoint, ("LEGACY_USER_ENDPOINT_TOKEN", "two words")][..],
            "LEGACY_USER_ENDPOINT_TOKEN",
        ),
        (&[q][..], "LEGACY_DATABASE_URL"),
        (&[q, url, arn][..], "LEGACY_DATABASE_URL"),
        (&[url][..], "LEGACY_USER_QUERY"),
        (
            &[url, ("LEGACY_USER_QUERY", "SELECT * FROM users")][..],
            "LEGACY_USER_QUERY",
        ),
        (
            &[q, ("LEGACY_DATABASE_URL", "mysql://u:hunter2@db/app")][..],
            "LEGACY_DATABASE_URL",
        ),
        (&[q, url, ("ON_WEAK_HASH", "deny")][..], "ON_WEAK_HASH"),
        (
            &[
                q,
                url,
                ("PASSWORD_CHANGED_ATTRIBUTE", "custom:when"),
                ("FORCE_RESET_ATTRIBUTE", "custom:when"),
            ][..],
            "FORCE_RESET_ATTRIBUTE",
        ),
        // A partial ARN (no suffix): IAM grants on the complete one.
        (
            &[
                q,
                (
                    "LEGACY_DATABASE_SECRET_ARN",
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-db",
                ),
            ][..],
            "LEGACY_DATABASE_SECRET_ARN",
        ),
    ] {
        let e = read(pairs).expect_err("refused");
        assert_eq!(e.variable, variable, "{pairs:?}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}

#[test]
fn a_configuration_it_cannot_use_migrates_nobody() {
    let started: Result<Deps<FakeStore>, InitError> = Err(InitError::Config(settings::LEGACY_USER_QUERY.missing()));
    let e = sign_in("bcrypt-2b@legacy.example", "Tr0ub4dor&3 2b");
    assert_eq!(
        run(respond(&started, e.clone(), NOW)).expect("answered"),
        e,
        "no such user"
    );
    let d = deps(&[], None);
    let e = run(handle(&d, event("CustomMessage_ForgotPassword", "x", None), NOW)).expect_err("not ours");
    assert!(matches!(e, MigrationError::InvalidEvent(_)));
}

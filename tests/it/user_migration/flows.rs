//! Users not yet in Cognito sign in and reset, end to end: cognito-local as the user pool,
//! `cargo lambda watch` serving every function, moto for KMS and SES, and the legacy store on a
//! real PostgreSQL server, with the password rules on (a 90-day maximum age, unknown change
//! times denied).
//!
//! Where cognito-local differs from Cognito on these paths, the test does what Cognito does
//! (see `../shared/LOCAL-STACK.md`):
//! - it creates a user without attributes, who signs in with any password, when the trigger
//!   answers with the event as it came; Cognito reads that as "no such user".
//!   `CognitoLocal::start` patches it to refuse, as Cognito does;
//! - it never calls the trigger from `ForgotPassword`: for a username the pool does not hold,
//!   the test invokes `user-migration` with the `UserMigration_ForgotPassword` event Cognito
//!   sends, creates the user it answers with (`AdminCreateUser` with its attributes and
//!   `SUPPRESS`, as Cognito creates a migrated user), and then asks cognito-local for the code;
//! - it names a user migrated at sign-in by a random id rather than the username typed; the
//!   pool signs users in by email, so the test signs in by email as an app does.

use cognito_reset::domain::rules::timestamp;
use cognito_reset_stack::demo::Stack;
use cognito_reset_stack::{LEGACY_API_TOKEN, LEGACY_USER_QUERY, LegacyApi, Postgres, block_on};
use serde_json::Value;

use crate::password_paths::pool::Pool;

const DAY: i64 = 86_400;
const NEW_PASSWORD: &str = "Migrated-Reset-Pass-9";

#[test]
fn users_not_yet_in_cognito_sign_in_and_reset() {
    let Some(pg) = Postgres::start("user migration flows") else {
        return;
    };
    let users = pg.load_legacy_users();
    // The legacy passwords were set 30 days ago: well inside the 90 days.
    pg.passwords_set_days_ago(30);
    let url = pg.url("postgres");
    let settings = [
        ("LEGACY_DATABASE_URL", url.as_str()),
        ("LEGACY_USER_QUERY", LEGACY_USER_QUERY),
        ("PASSWORD_MAX_AGE_DAYS", "90"),
        ("ON_UNKNOWN_CHANGE_TIME", "violation"),
    ];
    let Some(stack) = Stack::start_for_test("user migration flows", &settings) else {
        return;
    };
    if let Err(e) = block_on(flows(&stack, &pg, &users)) {
        panic!(
            "{e}\n--- functions ---\n{}\n--- cognito-local ---\n{}",
            stack.functions.logs(),
            stack.cognito.logs()
        );
    }
    // Nothing secret reached a log: no password, no hash, not the database's password.
    let logs = stack.functions.logs();
    for u in &users {
        for secret in [&u["password"], &u["password_hash"]] {
            let secret = secret.as_str().unwrap_or_default();
            assert!(!logs.contains(secret), "a log shows {secret}");
        }
    }
    assert!(!logs.contains(pg.password()), "a log shows the database's password");
    assert!(!logs.contains(NEW_PASSWORD));
}

/// The same users behind the team's own HTTPS API (`LEGACY_USER_ENDPOINT`): a sign-in migrates
/// with the legacy age, a wrong password and an unknown user are refused alike, a reset
/// migrates and completes, and neither the token nor a secret reaches a log.
#[test]
fn users_behind_the_teams_api_sign_in_and_reset() {
    let users = cognito_reset_stack::legacy_users();
    let api = LegacyApi::start(&users);
    api.passwords_set_days_ago(30);
    let trust = api.trust_env();
    let mut settings: Vec<(&str, &str)> = vec![
        ("LEGACY_USER_ENDPOINT", api.endpoint.as_str()),
        ("LEGACY_USER_ENDPOINT_TOKEN", LEGACY_API_TOKEN),
        ("PASSWORD_MAX_AGE_DAYS", "90"),
        ("ON_UNKNOWN_CHANGE_TIME", "violation"),
    ];
    // The functions trust the API's root as they trust a system CA.
    settings.extend(
        trust
            .iter()
            .filter(|(k, _)| k == "SSL_CERT_FILE")
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let Some(stack) = Stack::start_for_test("user migration API flows", &settings) else {
        return;
    };
    if let Err(e) = block_on(api_flows(&stack, &api, &users)) {
        panic!(
            "{e}\n--- functions ---\n{}\n--- cognito-local ---\n{}",
            stack.functions.logs(),
            stack.cognito.logs()
        );
    }
    // Every lookup was a POST of the username with the bearer token.
    let requests = api.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/cognito/users"));
        assert_eq!(
            r.authorization.as_deref(),
            Some(format!("Bearer {LEGACY_API_TOKEN}").as_str())
        );
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
        assert!(r.body["username"].is_string(), "{}", r.body);
    }
    let logs = stack.functions.logs();
    assert!(!logs.contains(LEGACY_API_TOKEN), "a log shows the API's token");
    for u in &users {
        for secret in [&u["password"], &u["password_hash"]] {
            let secret = secret.as_str().unwrap_or_default();
            assert!(!logs.contains(secret), "a log shows {secret}");
        }
    }
    assert!(!logs.contains(NEW_PASSWORD));
}

async fn api_flows(stack: &Stack, api: &LegacyApi, users: &[Value]) -> Result<(), String> {
    let pool = Pool::create(stack, true).await?;
    let now = cognito_reset::runtime::clock::now();
    let argon = legacy(users, "argon2id@legacy.example");
    let email = argon["email"].as_str().unwrap_or_default();
    pool.sign_in(email, argon["password"].as_str().unwrap_or_default())
        .await
        .map_err(|e| format!("a legacy user of the API: {e}"))?;
    let stamp = pool.attribute(email, "custom:password_changed_at").await?;
    let age = stamp.as_deref().and_then(timestamp::parse).map(|t| now - t);
    if !age.is_some_and(|a| (29 * DAY..=31 * DAY).contains(&a)) {
        return Err(format!(
            "the stamp is not the API's change time, 30 days ago: {stamp:?}"
        ));
    }
    let wrong = pool.sign_in("bcrypt-2b@legacy.example", "not-the-password").await.err();
    let unknown = pool.sign_in("nobody@legacy.example", "not-the-password").await.err();
    if wrong.is_none() || wrong != unknown {
        return Err(format!(
            "a wrong password ({wrong:?}) and an unknown user ({unknown:?}) must be refused alike"
        ));
    }
    // An API that fails fails the sign-in as the function's error (Cognito passes it on; the
    // emulator reads it as a refusal), never as a migration of nobody: the user signs in once
    // it is back.
    api.answer(Some((503, b"{}")));
    let down = pool.sign_in("bcrypt-2a@legacy.example", "correct horse 2a").await;
    api.answer(None);
    if down.is_ok() {
        return Err("a sign-in went through while the API was down".into());
    }
    if !stack.functions.logs().contains("legacy store unavailable") {
        return Err("the function did not report the API as unavailable".into());
    }
    pool.sign_in("bcrypt-2a@legacy.example", "correct horse 2a")
        .await
        .map_err(|e| format!("after the API is back: {e}"))?;
    let django = legacy(users, "django-sha256@legacy.example");
    let django_email = django["email"].as_str().unwrap_or_default();
    migrate_for_reset(stack, &pool, django_email).await?;
    pool.reset_password(django_email, NEW_PASSWORD).await?;
    pool.signs_in_refreshes_and_signs_in_again(django_email, NEW_PASSWORD, "migrated at reset through the API")
        .await;
    Ok(())
}

fn legacy<'a>(users: &'a [Value], username: &str) -> &'a Value {
    users
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("{username} is a fixture user"))
}

async fn flows(stack: &Stack, pg: &Postgres, users: &[Value]) -> Result<(), String> {
    let pool = Pool::create(stack, true).await?;
    let now = cognito_reset::runtime::clock::now();

    // 1. An unknown user's first sign-in migrates them with the legacy password and its age.
    let argon = legacy(users, "argon2id@legacy.example");
    let email = argon["email"].as_str().unwrap_or_default();
    let tokens = pool
        .sign_in(email, argon["password"].as_str().unwrap_or_default())
        .await?;
    if tokens.id_claims["email"] != email {
        return Err(format!(
            "the migrated user's tokens lack the legacy email: {}",
            tokens.id_claims
        ));
    }
    let given_name = pool.attribute(email, "given_name").await?;
    if given_name.as_deref() != argon["given_name"].as_str() {
        return Err(format!("the migrated user lacks the legacy given_name: {given_name:?}"));
    }
    let stamp = pool.attribute(email, "custom:password_changed_at").await?;
    let age = stamp.as_deref().and_then(timestamp::parse).map(|t| now - t);
    if !age.is_some_and(|a| (29 * DAY..=31 * DAY).contains(&a)) {
        return Err(format!(
            "the stamp is not the legacy change time, 30 days ago: {stamp:?}"
        ));
    }
    if pool.attribute(email, "email_verified").await?.as_deref() != Some("true") {
        return Err("the store's verified email is not verified in the pool".into());
    }
    // Signed in once, the user lives in the pool: the legacy store no longer decides.
    pg.sql("UPDATE users SET password_hash = NULL WHERE email = 'argon2id@legacy.example'");
    let again = pool
        .sign_in(email, argon["password"].as_str().unwrap_or_default())
        .await?;
    let refreshed = pool
        .refresh(again.refresh.as_deref().ok_or("no refresh token")?)
        .await?;
    let stored = stamp.as_deref().and_then(timestamp::parse);
    if again.changed_at() != stored || refreshed.changed_at() != stored {
        return Err(format!("the tokens do not carry the legacy change time {stamp:?}"));
    }

    // 2. A wrong password and an unknown username are refused alike, and nobody is created.
    let bcrypt = legacy(users, "bcrypt-2b@legacy.example");
    let wrong = pool.sign_in("bcrypt-2b@legacy.example", "not-the-password").await.err();
    let unknown = pool.sign_in("nobody@legacy.example", "not-the-password").await.err();
    if wrong.is_none() || wrong != unknown {
        return Err(format!(
            "a wrong password ({wrong:?}) and an unknown user ({unknown:?}) must be refused alike"
        ));
    }
    if pool.attributes("bcrypt-2b@legacy.example").await.is_ok() {
        return Err("a refused sign-in created the user".into());
    }
    pool.sign_in(
        "bcrypt-2b@legacy.example",
        bcrypt["password"].as_str().unwrap_or_default(),
    )
    .await
    .map_err(|e| format!("bcrypt $2b$ after a refusal: {e}"))?;

    // 3. A weak legacy hash migrates with the forced-reset flag: the sign-in is denied until
    //    the user resets by code, which clears it.
    let weak = legacy(users, "bcrypt-weak@legacy.example");
    let weak_email = weak["email"].as_str().unwrap_or_default();
    let denied = pool
        .sign_in(weak_email, weak["password"].as_str().unwrap_or_default())
        .await;
    match denied {
        Err(m) if m.contains("PASSWORD_RESET_REQUIRED") => {}
        other => return Err(format!("a weak hash's user must reset first: {other:?}")),
    }
    pool.reset_password(weak_email, NEW_PASSWORD).await?;
    pool.signs_in_refreshes_and_signs_in_again(weak_email, NEW_PASSWORD, "weak hash, then reset")
        .await;
    if pool
        .sign_in(weak_email, weak["password"].as_str().unwrap_or_default())
        .await
        .is_ok()
    {
        return Err("the weak legacy password still signs in after the reset".into());
    }

    // 4. A user who never signed in since the move resets their password first: the
    //    ForgotPassword migration creates them, the code goes to their verified email, and the
    //    reset completes through the existing functions.
    let django = legacy(users, "django-sha256@legacy.example");
    let django_email = django["email"].as_str().unwrap_or_default();
    migrate_for_reset(stack, &pool, django_email).await?;
    pool.reset_password(django_email, NEW_PASSWORD).await?;
    let changed = pool
        .signs_in_refreshes_and_signs_in_again(django_email, NEW_PASSWORD, "migrated at reset")
        .await;
    if !(now - 5..=cognito_reset::runtime::clock::now() + 5).contains(&changed) {
        return Err(format!("the reset was not stamped now: {changed}"));
    }
    if pool.attribute(django_email, "phone_number").await?.as_deref() != Some("+14255550123") {
        return Err("the store's phone number did not migrate".into());
    }

    // 5. A reset for a user whose store verified no channel, or for nobody: refused alike.
    for nobody in ["unverified@legacy.example", "nobody@legacy.example"] {
        match migrate_for_reset(stack, &pool, nobody).await {
            Err(e) if e.starts_with("no such user") => {}
            other => return Err(format!("{nobody}: a reset must be refused: {other:?}")),
        }
    }
    Ok(())
}

async fn migrate_for_reset(stack: &Stack, pool: &Pool<'_>, username: &str) -> Result<(), String> {
    cognito_reset_stack::demo::migrate_for_reset(stack, &pool.idp, &pool.id, &pool.client, username).await
}

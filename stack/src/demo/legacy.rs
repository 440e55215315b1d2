//! The demo's legacy users: two people of the app's previous user database, on a PostgreSQL
//! server of their own, who are not in the pool yet. One signs in with their old password
//! (Argon2id, as a Python app wrote it) and is migrated; the other has forgotten theirs, is
//! migrated by the reset request and sets a new one.

use super::*;
use crate::{LEGACY_USER_QUERY, Postgres, user_migration_event};

/// The legacy users the demo moves (rows of `tests/fixtures/legacy/users.json`).
pub const SIGNS_IN: &str = "argon2id@legacy.example";
pub const RESETS: &str = "django-sha256@legacy.example";
pub const NEW_LEGACY_PASSWORD: &str = "Moved-Over-Pass-7";

/// The settings that give `user-migration` the server's store.
pub fn legacy_settings(pg: &Postgres) -> Vec<(&'static str, String)> {
    vec![
        ("LEGACY_DATABASE_URL", pg.url("postgres")),
        ("LEGACY_USER_QUERY", LEGACY_USER_QUERY.to_owned()),
    ]
}

/// What the legacy part of the demo produced.
#[derive(Debug, Default)]
pub struct LegacyReport {
    /// The hash format of the user who signed in, and when their password was last set.
    pub format: String,
    pub signed_in_changed_at: String,
    /// The code the resetting user received, and the change time stamped by the reset.
    pub reset_code: String,
    pub reset_changed_at: String,
}

/// What Cognito does at `ForgotPassword` for a username its pool does not hold (cognito-local
/// does not): invokes `user-migration` with `UserMigration_ForgotPassword` and creates the user
/// it answers with, as Cognito creates a migrated user (`SUPPRESS`: no welcome message).
/// `Err` when the function answers "no such user" (the event back without user attributes:
/// Cognito then answers as for any unknown username) or fails.
pub async fn migrate_for_reset(
    stack: &Stack,
    idp: &cognito::Client,
    pool_id: &str,
    client_id: &str,
    username: &str,
) -> Result<(), String> {
    let event = user_migration_event(pool_id, client_id, username, None);
    let answer = stack.functions.invoke(USER_MIGRATION, event.to_string().as_bytes());
    if answer.status != 200 || answer.function_error.is_some() {
        return Err(format!("refused: {}", answer.body));
    }
    let response: Value = serde_json::from_str(&answer.body).map_err(err("the answer"))?;
    let response = &response["response"];
    if response["userAttributes"]
        .as_object()
        .is_none_or(serde_json::Map::is_empty)
    {
        return Err(format!(
            "no such user (Cognito answers as for any unknown username): {response}"
        ));
    }
    if response["messageAction"] != "SUPPRESS" {
        return Err(format!("a migration must not send a welcome message: {response}"));
    }
    let mut create = idp
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .message_action(MessageActionType::Suppress);
    for (name, value) in response["userAttributes"].as_object().into_iter().flatten() {
        create = create.user_attributes(attribute(name, value.as_str().unwrap_or_default())?);
    }
    create.send().await.map_err(err("AdminCreateUser"))?;
    Ok(())
}

fn changed_at(out: &cognito::operation::initiate_auth::InitiateAuthOutput) -> Result<String, String> {
    let token = out
        .authentication_result()
        .and_then(|r| r.id_token())
        .ok_or("no ID token")?;
    Ok(jwt_claims(token)?["password_changed_at"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Plays both legacy users on the pool `report` made.
pub async fn run_legacy(stack: &Stack, report: &Report, progress: &dyn Fn(&str)) -> Result<LegacyReport, String> {
    let idp = cognito::Client::new(&stack.cognito_sdk);
    let users = crate::legacy_users();
    let row = |name: &str| {
        users
            .iter()
            .find(|u| u["username"] == name)
            .cloned()
            .unwrap_or_default()
    };
    let mut legacy = LegacyReport::default();

    let signs_in = row(SIGNS_IN);
    legacy.format = signs_in["format"].as_str().unwrap_or_default().to_owned();
    progress(&format!(
        "{SIGNS_IN} is not in the pool, only in the legacy PostgreSQL store ({} hash): they sign in with their old password",
        legacy.format
    ));
    let out = sign_in_as(
        &idp,
        &report.client_id,
        SIGNS_IN,
        signs_in["password"].as_str().unwrap_or_default(),
    )
    .await
    .map_err(err("InitiateAuth (legacy user)"))?;
    legacy.signed_in_changed_at = changed_at(&out)?;

    progress(&format!(
        "{RESETS} is not in the pool either and forgot their password: ForgotPassword migrates them, then sends the code"
    ));
    migrate_for_reset(stack, &idp, &report.user_pool_id, &report.client_id, RESETS).await?;
    idp.forgot_password()
        .client_id(&report.client_id)
        .username(RESETS)
        .send()
        .await
        .map_err(err("ForgotPassword (legacy user)"))?;
    let data = stack.moto.recorded();
    let mail = data["ses"]["Message"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .rev()
                .find(|m| m["destinations"]["ToAddresses"][0] == json!(RESETS))
        })
        .ok_or("no email to the legacy user reached SES")?;
    legacy.reset_code =
        six_digit_code(&html_text(mail["body"].as_str().unwrap_or_default())).ok_or("no code in the email")?;
    idp.confirm_forgot_password()
        .client_id(&report.client_id)
        .username(RESETS)
        .confirmation_code(&legacy.reset_code)
        .password(NEW_LEGACY_PASSWORD)
        .send()
        .await
        .map_err(err("ConfirmForgotPassword (legacy user)"))?;
    let out = sign_in_as(&idp, &report.client_id, RESETS, NEW_LEGACY_PASSWORD)
        .await
        .map_err(err("InitiateAuth (reset legacy user)"))?;
    legacy.reset_changed_at = changed_at(&out)?;
    Ok(legacy)
}

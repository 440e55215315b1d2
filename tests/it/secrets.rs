//! Secret hygiene: every function, through every trigger source, on success and error paths,
//! under `cargo lambda watch` at the most verbose log level. Nothing it logged or answered may
//! contain a code, a temporary password, a ciphertext, or an unmasked phone number or address.

use cognito_reset::domain::events::{Family, MessageKind};
use cognito_reset_stack::{LambdaWatch, Suite};
use serde_json::{Value, json};

use crate::LocalKms;

const POOL: &str = "us-east-1_Secrets1";
const PHONE_DIGITS: &str = "2065550100";
const EMAIL_LOCAL: &str = "jane.doe";

#[test]
fn no_secret_reaches_a_log_line_or_an_error_answer() {
    let Some(local) = LocalKms::start("secrets") else {
        return;
    };
    cognito_reset_stack::block_on(
        cognito_reset::adapters::aws::ses::Client::new(&local.sdk)
            .create_email_identity()
            .email_identity("no-reply@example.com")
            .send(),
    )
    .expect("identity");
    // User migration's legacy store, with one user per hash format.
    let Some(pg) = cognito_reset_stack::Postgres::start("secrets") else {
        return;
    };
    let legacy = pg.load_legacy_users();
    let database_url = pg.url("postgres");
    let moto_env = local.moto.env();
    let mut env: Vec<(&str, &str)> = moto_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend([
        ("KEY_ARN", local.key.as_str()),
        ("EMAIL_FROM", "no-reply@example.com"),
        ("SMS_ALLOWED_COUNTRIES", "US"),
        ("PASSWORD_MAX_AGE_DAYS", "30"),
        // The variable the functions read (telemetry.rs), at its most verbose.
        ("LOG_LEVEL", "trace"),
        ("LEGACY_DATABASE_URL", database_url.as_str()),
        ("LEGACY_USER_QUERY", cognito_reset_stack::LEGACY_USER_QUERY),
    ]);
    let Some(watch) = LambdaWatch::start("secrets", &env) else {
        return;
    };
    let mut secrets: Vec<String> = Vec::new();
    let mut answers: Vec<String> = Vec::new();
    let mut invoke = |function: &str, event: &Value| {
        let answer = watch.invoke(function, &serde_json::to_vec(event).expect("json"));
        // Successful answers are the event itself, with its attributes, for Cognito; errors
        // reach the user's app and must be as clean as the logs.
        if answer.status != 200 || answer.function_error.is_some() {
            answers.push(answer.body);
        }
    };

    // Custom message: every source, and a malformed event.
    for kind in MessageKind::ALL
        .into_iter()
        .filter(|k| k.sent_by(Family::CustomMessage))
    {
        invoke(
            "custom-message",
            &cognito_reset_stack::fixture(&format!("custom-message-{}.json", kind.name())),
        );
    }
    invoke("custom-message", &json!(["not an event"]));

    // Senders: every source with a real ciphertext of a distinct code, plus error paths.
    for (function, family) in [
        ("custom-sms-sender", "custom-sms-sender"),
        ("custom-email-sender", "custom-email-sender"),
    ] {
        for (i, kind) in MessageKind::ALL.into_iter().enumerate() {
            let mut e = cognito_reset_stack::fixture(&format!("{family}-{}.json", kind.name()));
            e["userPoolId"] = json!(POOL);
            if kind != MessageKind::AccountTakeOverNotification {
                // Temporary passwords are not digits; codes are.
                let secret = if kind == MessageKind::AdminCreateUser {
                    format!("Tmp!Pw{i}x&amp;Q")
                } else {
                    format!("{}", 581_000 + i)
                };
                e["request"]["code"] = json!(local.encrypt(POOL, Suite::Cognito, &secret));
                secrets.push(secret.replace("&amp;", "&"));
                secrets.push(e["request"]["code"].as_str().expect("code")[..48].to_owned());
            }
            invoke(function, &e);
        }
        let mut wrong_pool = cognito_reset_stack::fixture(&format!("{family}-ForgotPassword.json"));
        let other = "990011";
        secrets.push(other.to_owned());
        wrong_pool["request"]["code"] = json!(local.encrypt("us-east-1_Other", Suite::Committing, other));
        invoke(function, &wrong_pool);
        let mut garbage = cognito_reset_stack::fixture(&format!("{family}-SignUp.json"));
        garbage["request"]["code"] = json!("bm90IGEgY2lwaGVydGV4dA==");
        invoke(function, &garbage);
        invoke(function, &json!({"triggerSource": 12, "request": "x"}));
    }
    let mut bad_number = cognito_reset_stack::fixture("custom-sms-sender-ForgotPassword.json");
    bad_number["request"]["userAttributes"]["phone_number"] = json!("+1 206-555-0100 ext 9");
    invoke("custom-sms-sender", &bad_number);

    // Password rules: allowed, denied, restricted-as-denied (V1), malformed.
    for version in ["1", "2", "3"] {
        let mut e = cognito_reset_stack::fixture(&format!("pre-token-v{version}-Authentication.json"));
        invoke("pre-token", &e);
        e["request"]["userAttributes"]["custom:password_changed_at"] = json!("2020-01-01T00:00:00Z");
        invoke("pre-token", &e);
    }
    invoke("pre-token", &json!(null));
    // Post confirmation: moto has no such pool, so the write fails (an error path too).
    for name in [
        "post-confirmation-ConfirmForgotPassword.json",
        "post-confirmation-ConfirmSignUp.json",
        "eventbridge-cloudtrail-ChangePassword.json",
    ] {
        invoke("post-confirmation", &cognito_reset_stack::fixture(name));
    }

    // User migration: a right and a wrong password of every format, an unknown user, resets
    // with and without a verified channel, and a malformed event.
    secrets.push(pg.password().to_owned());
    for u in &legacy {
        let (name, password, hash) = (
            u["username"].as_str().unwrap_or_default(),
            u["password"].as_str().unwrap_or_default(),
            u["password_hash"].as_str().unwrap_or_default(),
        );
        secrets.extend([password.to_owned(), hash.to_owned(), name.to_owned()]);
        for typed in [password.to_owned(), format!("{password}-wrong")] {
            invoke(
                "user-migration",
                &migration_event("UserMigration_Authentication", name, Some(&typed)),
            );
        }
    }
    invoke(
        "user-migration",
        &migration_event("UserMigration_Authentication", "nobody@legacy.example", Some("Guess-1")),
    );
    invoke(
        "user-migration",
        &migration_event("UserMigration_ForgotPassword", "argon2id@legacy.example", None),
    );
    invoke(
        "user-migration",
        &migration_event("UserMigration_ForgotPassword", "unverified@legacy.example", None),
    );
    invoke(
        "user-migration",
        &json!({"triggerSource": "UserMigration_Authentication", "request": {"password": 7}}),
    );

    let logs = watch.logs();
    assert!(
        logs.contains("\"outcome\":\"sent\"") && logs.contains("\"outcome\":\"rejected\""),
        "both paths ran:\n{logs}"
    );
    assert!(logs.contains("password rule violated"), "the denied path ran");
    assert!(
        logs.contains("user migrated") && logs.contains("wrong_password") && logs.contains("no_verified_channel"),
        "user migration's paths ran"
    );
    assert!(logs.contains("\"level\":\"DEBUG\""), "verbose logging was on");
    assert!(answers.len() >= 5, "error answers were collected: {answers:?}");
    let everything = format!("{logs}\n{}", answers.join("\n"));
    for secret in &secrets {
        assert!(
            !everything.contains(secret.as_str()),
            "a secret reached the logs or an answer: {secret}"
        );
    }
    assert!(
        !everything.contains(PHONE_DIGITS),
        "an unmasked phone number reached the logs"
    );
    assert!(
        !everything.contains(EMAIL_LOCAL),
        "an unmasked address reached the logs"
    );
}

/// A user migration event as Cognito sends it.
fn migration_event(source: &str, username: &str, password: Option<&str>) -> Value {
    let mut request = json!({"validationData": null, "clientMetadata": null});
    if let Some(p) = password {
        request["password"] = json!(p);
    }
    json!({"version": "1", "triggerSource": source, "region": "us-east-1", "userPoolId": POOL,
           "userName": username, "callerContext": {"awsSdkVersion": "aws-sdk-js-3.0.0", "clientId": "web"},
           "request": request, "response": {}})
}

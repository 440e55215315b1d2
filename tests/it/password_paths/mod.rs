//! No user is locked out: every Cognito path that sets a password, end to end on the local
//! stack (cognito-local driving the triggers through `cargo lambda watch`, moto for KMS and
//! SES), with the strictest rules: a maximum age and `ON_UNKNOWN_CHANGE_TIME=violation`, so a
//! password whose change was not recorded is denied at the next sign-in.
//!
//! Each path ends the same way: sign in with the new password, refresh the tokens, sign in
//! again; all three must be allowed, and the stored stamp must be the change's time.
//!
//! Where cognito-local differs from Cognito on these paths, the emulator is made to behave as
//! Cognito does (see `../shared/LOCAL-STACK.md`):
//! - it names the token event after a `NEW_PASSWORD_REQUIRED` answer
//!   `TokenGeneration_Authentication`; `CognitoLocal::start` patches it to Cognito's
//!   `TokenGeneration_NewPasswordChallenge`;
//! - refresh tokens from `RespondToAuthChallenge` are not stored, so the refresh step uses the
//!   refresh token of the following `InitiateAuth` sign-in (as an app does after its next sign-in);
//! - it has no CloudTrail: `AdminSetUserPassword(Permanent=true)` and `ChangePassword` fire no
//!   trigger in Cognito either, and reach post-confirmation as EventBridge events. The test
//!   builds each event with the template's own input transformer and delivers it through the
//!   Lambda Invoke API, as EventBridge would.

use cognito_reset::adapters::aws::cognito;
use cognito_reset::adapters::aws::cognito::error::ProvideErrorMetadata;
use cognito_reset::adapters::aws::cognito::types::{
    AttributeType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, MessageActionType, VerifiedAttributeType,
};
use cognito_reset::domain::rules::timestamp;
use cognito_reset_stack::block_on;
use cognito_reset_stack::demo::{
    Stack, attribute, custom_schema, err, html_text, jwt_claims, sign_in_as, six_digit_code,
};
use serde_json::{Value, json};

pub(crate) const DAY: i64 = 86_400;
const TEMPORARY: &str = "Temporary-Pass-1";
pub(crate) const CHANGED_AT: &str = "custom:password_changed_at";
const FORCE_FLAG: &str = "custom:force_password_reset";

mod forced;
pub(crate) mod pool;

use forced::{federated_users_have_no_password_to_judge, forced_reset_needs_the_recovery_channel};
use pool::{Pool, Tokens};

/// A CloudTrail record of an administrator's permanent `AdminSetUserPassword` made at `at`.
fn admin_set_record(pool: &str, user: &str, at: i64) -> Value {
    json!({
        "eventVersion": "1.08", "eventSource": "cognito-idp.amazonaws.com", "eventName": "AdminSetUserPassword",
        "eventTime": timestamp::format(at), "awsRegion": "us-east-1", "userIdentity": {"type": "AssumedRole"},
        "requestParameters": {"userPoolId": pool, "username": user, "password": "HIDDEN_DUE_TO_SECURITY_REASONS", "permanent": true},
        "responseElements": null, "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true
    })
}

/// A CloudTrail record of the user's own `ChangePassword` (Amplify's `updatePassword`), made
/// now: no pool and no username, only the user's `sub`.
fn change_password_record(sub: &str) -> Value {
    json!({
        "eventVersion": "1.08", "eventSource": "cognito-idp.amazonaws.com", "eventName": "ChangePassword",
        "eventTime": timestamp::format(cognito_reset::runtime::clock::now()), "awsRegion": "us-east-1",
        "userIdentity": {"type": "Unknown", "principalId": "Anonymous"},
        "requestParameters": {"previousPassword": "HIDDEN_DUE_TO_SECURITY_REASONS",
                              "proposedPassword": "HIDDEN_DUE_TO_SECURITY_REASONS",
                              "accessToken": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        "additionalEventData": {"sub": sub},
        "responseElements": null, "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true
    })
}

/// What Cognito said when it refused a call (the message an app shows).
fn message<E: ProvideErrorMetadata, R>(e: &cognito_reset::adapters::aws::cognito::error::SdkError<E, R>) -> String {
    e.as_service_error()
        .and_then(ProvideErrorMetadata::message)
        .unwrap_or("no message")
        .to_owned()
}

/// The event the template's `PasswordChangeRule` delivers: its input transformer applied to a
/// CloudTrail record, with the pool id the template substitutes.
fn cloudtrail_as_the_rule_delivers_it(pool: &str, detail: &Value) -> Value {
    let template: Value = serde_json::from_slice(
        &std::fs::read(cognito_reset_stack::root().join("infra/template.json")).expect("template"),
    )
    .expect("template JSON");
    let transformer = &template["Resources"]["PasswordChangeRule"]["Properties"]["Targets"][0]["InputTransformer"];
    let parts = transformer["InputTemplate"]["Fn::Join"][1]
        .as_array()
        .expect("joined input template");
    let text: String = parts
        .iter()
        .map(|p| p.as_str().map_or_else(|| pool.to_owned(), str::to_owned))
        .collect();
    let text = text
        .replace("<source>", "aws.cognito-idp")
        .replace("<detailType>", "AWS API Call via CloudTrail")
        .replace("<detail>", &detail.to_string());
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the input template does not make JSON ({e}): {text}"))
}

fn near_now(t: i64, path: &str) {
    let now = cognito_reset::runtime::clock::now();
    assert!(
        (now - t).abs() < 600,
        "{path}: stamp {t} is not the change time (now {now})"
    );
}

#[test]
fn no_password_path_locks_a_user_out() {
    let settings = [("ON_UNKNOWN_CHANGE_TIME", "violation"), ("PASSWORD_MAX_AGE_DAYS", "90")];
    let Some(stack) = Stack::start_for_test("every password path", &settings) else {
        return;
    };
    let result = block_on(every_path(&stack));
    if let Err(e) = result {
        panic!(
            "{e}\n--- functions ---\n{}\n--- cognito-local ---\n{}",
            stack.functions.logs(),
            stack.cognito.logs()
        );
    }
}

async fn every_path(stack: &Stack) -> Result<(), String> {
    let pool = Pool::create(stack, true).await?;
    let long_ago = timestamp::format(cognito_reset::runtime::clock::now() - 200 * DAY);

    // 1. NEW_PASSWORD_REQUIRED: an admin-created user chooses a password. No stamp before:
    //    with ON_UNKNOWN_CHANGE_TIME=violation they would be denied after the challenge unless
    //    pre-token recorded it.
    let path = "admin-created user sets a password";
    let ada = "ada@example.com";
    pool.idp
        .admin_create_user()
        .user_pool_id(&pool.id)
        .username(ada)
        .temporary_password(TEMPORARY)
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", ada)?)
        .user_attributes(attribute("email_verified", "true")?)
        .send()
        .await
        .map_err(err("AdminCreateUser"))?;
    let challenge = pool.choose_password(ada, "Ada-Chose-1").await?;
    let stamped = pool
        .signs_in_refreshes_and_signs_in_again(ada, "Ada-Chose-1", path)
        .await;
    assert_eq!(
        challenge.changed_at(),
        Some(stamped),
        "{path}: the challenge's tokens say when"
    );

    // 2. An expired user is given a temporary password (AdminSetUserPassword, Permanent=false).
    let path = "expired user gets a temporary password";
    let ben = "ben@example.com";
    pool.user(ben, "Ben-Old-Pass-1", &[(CHANGED_AT, long_ago.clone())])
        .await?;
    let denied = pool.sign_in(ben, "Ben-Old-Pass-1").await.err().unwrap_or_default();
    assert!(denied.contains("(PASSWORD_EXPIRED)"), "{path}: before: {denied}");
    pool.set_password(ben, TEMPORARY, false).await?;
    pool.choose_password(ben, "Ben-New-Pass-1").await?;
    pool.signs_in_refreshes_and_signs_in_again(ben, "Ben-New-Pass-1", path)
        .await;

    // 3. A user forced to reset is given a temporary password: the flag is cleared too.
    let path = "forced-reset user gets a temporary password";
    let cy = "cy@example.com";
    let recent = timestamp::format(cognito_reset::runtime::clock::now() - DAY);
    pool.user(
        cy,
        "Cy-Old-Pass-1",
        &[(CHANGED_AT, recent), (FORCE_FLAG, "true".into())],
    )
    .await?;
    let denied = pool.sign_in(cy, "Cy-Old-Pass-1").await.err().unwrap_or_default();
    assert!(denied.contains("(PASSWORD_RESET_REQUIRED)"), "{path}: before: {denied}");
    pool.set_password(cy, TEMPORARY, false).await?;
    pool.choose_password(cy, "Cy-New-Pass-1").await?;
    pool.signs_in_refreshes_and_signs_in_again(cy, "Cy-New-Pass-1", path)
        .await;
    assert_eq!(
        pool.attribute(cy, FORCE_FLAG).await?.as_deref(),
        Some("false"),
        "{path}"
    );

    // 4. Sign-up: the code goes through the custom email sender; confirming it stamps.
    let path = "sign-up";
    let dee = "dee@example.com";
    pool.idp
        .sign_up()
        .client_id(&pool.client)
        .username(dee)
        .password("Dee-Signed-Up-1")
        .user_attributes(attribute("email", dee)?)
        .send()
        .await
        .map_err(err("SignUp"))?;
    let code = pool.last_code_sent_to(dee)?;
    pool.idp
        .confirm_sign_up()
        .client_id(&pool.client)
        .username(dee)
        .confirmation_code(code)
        .send()
        .await
        .map_err(err("ConfirmSignUp"))?;
    pool.signs_in_refreshes_and_signs_in_again(dee, "Dee-Signed-Up-1", path)
        .await;

    // 5. Forgot password, then confirm with the emailed code.
    let path = "forgot/confirm";
    let eve = "eve@example.com";
    pool.user(eve, "Eve-Old-Pass-1", &[(CHANGED_AT, long_ago.clone())])
        .await?;
    pool.reset_password(eve, "Eve-New-Pass-1").await?;
    pool.signs_in_refreshes_and_signs_in_again(eve, "Eve-New-Pass-1", path)
        .await;

    // 6. An admin sets a permanent password (no trigger; recorded from CloudTrail).
    let path = "AdminSetUserPassword(Permanent=true)";
    let fay = "fay@example.com";
    pool.user(fay, "Fay-Old-Pass-1", &[(CHANGED_AT, long_ago.clone())])
        .await?;
    pool.set_password(fay, "Fay-New-Pass-1", true).await?;
    pool.deliver_cloudtrail(json!({
        "eventVersion": "1.08", "eventSource": "cognito-idp.amazonaws.com", "eventName": "AdminSetUserPassword",
        "eventTime": timestamp::format(cognito_reset::runtime::clock::now()),
        "awsRegion": "us-east-1", "userIdentity": {"type": "AssumedRole"},
        "requestParameters": {"userPoolId": pool.id, "username": fay, "password": "HIDDEN_DUE_TO_SECURITY_REASONS", "permanent": true},
        "responseElements": null, "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true
    }))?;
    pool.signs_in_refreshes_and_signs_in_again(fay, "Fay-New-Pass-1", path)
        .await;

    // 7. The user changes their own password (Amplify's updatePassword: ChangePassword; no
    //    trigger; recorded from CloudTrail, which names the user by sub).
    let path = "ChangePassword";
    let gus = "gus@example.com";
    let eighty_days = timestamp::format(cognito_reset::runtime::clock::now() - 80 * DAY);
    pool.user(gus, "Gus-Old-Pass-1", &[(CHANGED_AT, eighty_days)]).await?;
    let record = pool.change_password(gus, "Gus-Old-Pass-1", "Gus-New-Pass-1").await?;
    pool.deliver_cloudtrail(record)?;
    pool.signs_in_refreshes_and_signs_in_again(gus, "Gus-New-Pass-1", path)
        .await;

    forced_reset_needs_the_recovery_channel(&pool).await?;
    federated_users_have_no_password_to_judge(&pool)?;

    // 8. A pool the rules were never attached to (no custom attributes): Cognito refuses the
    //    stamp, and neither the confirmation nor the challenge fails because of it.
    let bare = Pool::create(stack, false).await?;
    let hal = "hal@example.com";
    bare.user(hal, "Hal-Old-Pass-1", &[]).await?;
    bare.reset_password(hal, "Hal-New-Pass-1")
        .await
        .map_err(|e| format!("on a pool without the rule attributes: {e}"))?;
    bare.set_password(hal, TEMPORARY, false).await?;
    bare.choose_password(hal, "Hal-Chose-1")
        .await
        .map_err(|e| format!("NEW_PASSWORD_REQUIRED on a pool without the rule attributes: {e}"))?;
    let logs = stack.functions.logs();
    assert!(
        logs.matches("run `make attach POOL_ID=...` to add them").count() >= 2,
        "both refusals are logged with the fix"
    );
    Ok(())
}

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
use cognito_reset_stack::demo::{
    Stack, attribute, custom_schema, err, html_text, jwt_claims, sign_in_as, six_digit_code,
};
use cognito_reset_stack::{block_on, stack_required};
use serde_json::{Value, json};

const DAY: i64 = 86_400;
const TEMPORARY: &str = "Temporary-Pass-1";
const CHANGED_AT: &str = "custom:password_changed_at";
const FORCE_FLAG: &str = "custom:force_password_reset";

struct Pool<'a> {
    stack: &'a Stack,
    idp: cognito::Client,
    id: String,
    client: String,
}

impl Pool<'_> {
    /// A pool with the rule attributes (`with_rule_attributes`) or without (one the rules were
    /// never attached to), and an app client.
    async fn create(stack: &Stack, with_rule_attributes: bool) -> Result<Pool<'_>, String> {
        let idp = cognito::Client::new(&stack.cognito_sdk);
        let mut create = idp
            .create_user_pool()
            .pool_name("every-password-path")
            .auto_verified_attributes(VerifiedAttributeType::Email);
        if with_rule_attributes {
            create = create
                .schema(custom_schema("password_changed_at"))
                .schema(custom_schema("force_password_reset"));
        }
        let pool = create.send().await.map_err(err("CreateUserPool"))?;
        let id = pool.user_pool().and_then(|p| p.id()).ok_or("no pool id")?.to_owned();
        let client = idp
            .create_user_pool_client()
            .user_pool_id(&id)
            .client_name("web")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .map_err(err("CreateUserPoolClient"))?;
        let client = client
            .user_pool_client()
            .and_then(|c| c.client_id())
            .ok_or("no client id")?
            .to_owned();
        Ok(Pool { stack, idp, id, client })
    }

    /// A confirmed user with a permanent password and these custom attributes.
    async fn user(&self, email: &str, password: &str, custom: &[(&str, String)]) -> Result<(), String> {
        let mut create = self
            .idp
            .admin_create_user()
            .user_pool_id(&self.id)
            .username(email)
            .message_action(MessageActionType::Suppress)
            .user_attributes(attribute("email", email)?)
            .user_attributes(attribute("email_verified", "true")?);
        for (name, value) in custom {
            create = create.user_attributes(attribute(name, value)?);
        }
        create.send().await.map_err(err("AdminCreateUser"))?;
        self.set_password(email, password, true).await
    }

    async fn set_password(&self, email: &str, password: &str, permanent: bool) -> Result<(), String> {
        self.idp
            .admin_set_user_password()
            .user_pool_id(&self.id)
            .username(email)
            .password(password)
            .permanent(permanent)
            .send()
            .await
            .map_err(err("AdminSetUserPassword"))?;
        Ok(())
    }

    async fn attributes(&self, email: &str) -> Result<Vec<AttributeType>, String> {
        let user = self
            .idp
            .admin_get_user()
            .user_pool_id(&self.id)
            .username(email)
            .send()
            .await
            .map_err(err("AdminGetUser"))?;
        Ok(user.user_attributes().to_vec())
    }

    async fn attribute(&self, email: &str, name: &str) -> Result<Option<String>, String> {
        Ok(self
            .attributes(email)
            .await?
            .into_iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value().map(str::to_owned)))
    }

    /// Signs in; `Ok(tokens)` or `Err(the message Cognito returned)`.
    async fn sign_in(&self, email: &str, password: &str) -> Result<Tokens, String> {
        let out = sign_in_as(&self.idp, &self.client, email, password)
            .await
            .map_err(|e| message(&e))?;
        Tokens::from(out.authentication_result(), out.challenge_name())
    }

    /// Signs in with a temporary password and answers `NEW_PASSWORD_REQUIRED` with `new`.
    async fn choose_password(&self, email: &str, new: &str) -> Result<Tokens, String> {
        let out = sign_in_as(&self.idp, &self.client, email, TEMPORARY)
            .await
            .map_err(err("InitiateAuth with the temporary password"))?;
        if out.challenge_name() != Some(&ChallengeNameType::NewPasswordRequired) {
            return Err(format!(
                "expected NEW_PASSWORD_REQUIRED, got {:?}",
                out.challenge_name()
            ));
        }
        let answer = self
            .idp
            .respond_to_auth_challenge()
            .client_id(&self.client)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(out.session().unwrap_or_default())
            .challenge_responses("USERNAME", email)
            .challenge_responses("NEW_PASSWORD", new)
            .send()
            .await;
        let out = answer.map_err(|e| message(&e))?;
        Tokens::from(out.authentication_result(), out.challenge_name())
    }

    async fn refresh(&self, refresh_token: &str) -> Result<Tokens, String> {
        let out = self
            .idp
            .initiate_auth()
            .client_id(&self.client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .send()
            .await;
        let out = out.map_err(|e| message(&e))?;
        Tokens::from(out.authentication_result(), out.challenge_name())
    }

    /// The code of the last email SES recorded for `email` (the custom email sender's).
    fn last_code_sent_to(&self, email: &str) -> Result<String, String> {
        let data = self.stack.moto.recorded();
        let mail = data["ses"]["Message"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .rev()
                    .find(|m| m["destinations"]["ToAddresses"][0] == json!(email))
            })
            .ok_or_else(|| format!("no email to {email} reached SES\n{}", self.stack.watch.logs()))?;
        six_digit_code(&html_text(mail["body"].as_str().unwrap_or_default()))
            .ok_or_else(|| "no code in the email".to_owned())
    }

    /// Forgot password, then confirm with the code the custom email sender delivered.
    async fn reset_password(&self, email: &str, new: &str) -> Result<(), String> {
        self.idp
            .forgot_password()
            .client_id(&self.client)
            .username(email)
            .send()
            .await
            .map_err(err("ForgotPassword"))?;
        let code = self.last_code_sent_to(email)?;
        self.idp
            .confirm_forgot_password()
            .client_id(&self.client)
            .username(email)
            .confirmation_code(code)
            .password(new)
            .send()
            .await
            .map_err(err("ConfirmForgotPassword"))?;
        Ok(())
    }

    /// Delivers a CloudTrail record to post-confirmation as the template's EventBridge rule does.
    fn deliver_cloudtrail(&self, detail: Value) -> Result<(), String> {
        let event = cloudtrail_as_the_rule_delivers_it(&self.id, &detail);
        let answer = self
            .stack
            .watch
            .invoke("post-confirmation", &serde_json::to_vec(&event).map_err(err("event"))?);
        if answer.status != 200 || answer.function_error.is_some() {
            return Err(format!("post-confirmation failed: {answer:?}"));
        }
        Ok(())
    }

    /// Sign in with the new password, refresh, sign in again: every step must be allowed, and
    /// the stored change time, which every token carries, must be the change's. Returns it.
    async fn signs_in_refreshes_and_signs_in_again(&self, email: &str, password: &str, path: &str) -> i64 {
        let first = self
            .sign_in(email, password)
            .await
            .unwrap_or_else(|e| panic!("{path}: sign-in with the new password refused: {e}"));
        let refreshed = self
            .refresh(
                &first
                    .refresh
                    .clone()
                    .unwrap_or_else(|| panic!("{path}: no refresh token")),
            )
            .await
            .unwrap_or_else(|e| panic!("{path}: refresh refused: {e}"));
        let again = self
            .sign_in(email, password)
            .await
            .unwrap_or_else(|e| panic!("{path}: second sign-in refused: {e}"));
        let stored = self
            .attribute(email, CHANGED_AT)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .and_then(|v| timestamp::parse(&v))
            .unwrap_or_else(|| panic!("{path}: no change time stored"));
        near_now(stored, path);
        for (step, tokens) in [("sign-in", &first), ("refresh", &refreshed), ("second sign-in", &again)] {
            assert_eq!(
                tokens.changed_at(),
                Some(stored),
                "{path}: the {step}'s ID token carries the stored change time"
            );
        }
        stored
    }
}

#[derive(Debug)]
struct Tokens {
    id_claims: Value,
    refresh: Option<String>,
}

impl Tokens {
    fn from(
        result: Option<&cognito::types::AuthenticationResultType>,
        challenge: Option<&ChallengeNameType>,
    ) -> Result<Tokens, String> {
        let result = result.ok_or_else(|| format!("no tokens (challenge {challenge:?})"))?;
        Ok(Tokens {
            id_claims: jwt_claims(result.id_token().ok_or("no ID token")?)?,
            refresh: result.refresh_token().map(str::to_owned),
        })
    }

    fn changed_at(&self) -> Option<i64> {
        self.id_claims["password_changed_at"]
            .as_str()
            .and_then(timestamp::parse)
    }
}

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

/// 9. A forced reset (evidence of compromise) puts the account back in its owner's hands:
///    whoever holds the stolen password and a session cannot clear it, only a reset by code
///    or an administrator's later password can.
async fn forced_reset_needs_the_recovery_channel(pool: &Pool<'_>) -> Result<(), String> {
    let path = "forced reset";
    let ivy = "ivy@example.com";
    let now = cognito_reset::runtime::clock::now();
    pool.user(ivy, "Ivy-Stolen-Pass-1", &[(CHANGED_AT, timestamp::format(now - DAY))])
        .await?;
    // The attacker's session, from before the flag.
    let stolen = sign_in_as(&pool.idp, &pool.client, ivy, "Ivy-Stolen-Pass-1")
        .await
        .map_err(err("InitiateAuth"))?;
    let stolen = stolen.authentication_result().ok_or("no tokens")?;
    let (access, refresh) = (
        stolen.access_token().ok_or("no access token")?.to_owned(),
        stolen.refresh_token().ok_or("no refresh token")?.to_owned(),
    );
    // What `make force-reset` writes (cognito-local has no AdminUserGlobalSignOut; the command
    // itself is tested on moto in tests/it/infra.rs).
    let flag = cognito_reset::domain::rules::ForceFlag::value_at(now - 120);
    pool.idp
        .admin_update_user_attributes()
        .user_pool_id(&pool.id)
        .username(ivy)
        .user_attributes(attribute(FORCE_FLAG, &flag)?)
        .send()
        .await
        .map_err(err("AdminUpdateUserAttributes"))?;
    let denied = |what: &str, answer: Result<Tokens, String>| -> Result<(), String> {
        match answer {
            Ok(_) => Err(format!("{path}: {what} was allowed")),
            Err(m) if m.contains("(PASSWORD_RESET_REQUIRED)") && m.contains("Forgot password") => Ok(()),
            Err(m) => Err(format!("{path}: {what} refused for another reason: {m}")),
        }
    };
    denied("sign-in", pool.sign_in(ivy, "Ivy-Stolen-Pass-1").await)?;
    denied("refresh of the stolen session", pool.refresh(&refresh).await)?;
    // The attacker changes the password with the stolen access token: recorded, not cleared.
    pool.idp
        .change_password()
        .access_token(&access)
        .previous_password("Ivy-Stolen-Pass-1")
        .proposed_password("Ivy-Attacker-Pass-1")
        .send()
        .await
        .map_err(err("ChangePassword"))?;
    let sub = jwt_claims(&access)?["sub"].as_str().ok_or("no sub")?.to_owned();
    pool.deliver_cloudtrail(change_password_record(&sub))?;
    assert_eq!(
        pool.attribute(ivy, FORCE_FLAG).await?,
        Some(flag.clone()),
        "{path}: ChangePassword kept the flag"
    );
    denied(
        "sign-in after ChangePassword",
        pool.sign_in(ivy, "Ivy-Attacker-Pass-1").await,
    )?;
    // An administrator's password from before the flag, reported late, does not clear it.
    pool.deliver_cloudtrail(admin_set_record(&pool.id, ivy, now - 3600))?;
    assert_eq!(
        pool.attribute(ivy, FORCE_FLAG).await?,
        Some(flag),
        "{path}: a late, older event kept the flag"
    );
    denied(
        "sign-in after a late event",
        pool.sign_in(ivy, "Ivy-Attacker-Pass-1").await,
    )?;
    // The owner resets by code: the account is theirs again.
    pool.reset_password(ivy, "Ivy-Owner-Pass-1").await?;
    assert_eq!(
        pool.attribute(ivy, FORCE_FLAG).await?.as_deref(),
        Some("false"),
        "{path}"
    );
    pool.signs_in_refreshes_and_signs_in_again(ivy, "Ivy-Owner-Pass-1", path)
        .await;

    // 10. An administrator's permanent password set after the flag clears it.
    let path = "forced reset, then an administrator's password";
    let jo = "jo@example.com";
    pool.user(jo, "Jo-Old-Pass-1", &[(CHANGED_AT, timestamp::format(now - DAY))])
        .await?;
    pool.idp
        .admin_update_user_attributes()
        .user_pool_id(&pool.id)
        .username(jo)
        .user_attributes(attribute(
            FORCE_FLAG,
            &cognito_reset::domain::rules::ForceFlag::value_at(now - 600),
        )?)
        .send()
        .await
        .map_err(err("AdminUpdateUserAttributes"))?;
    denied("sign-in", pool.sign_in(jo, "Jo-Old-Pass-1").await)?;
    pool.set_password(jo, "Jo-Admin-Pass-1", true).await?;
    pool.deliver_cloudtrail(admin_set_record(&pool.id, jo, cognito_reset::runtime::clock::now()))?;
    assert_eq!(
        pool.attribute(jo, FORCE_FLAG).await?.as_deref(),
        Some("false"),
        "{path}"
    );
    pool.signs_in_refreshes_and_signs_in_again(jo, "Jo-Admin-Pass-1", path)
        .await;
    Ok(())
}

/// 11. Federated users (Google, SAML, OIDC): cognito-local has no identity providers, so the
///     events Cognito sends for a federated user's first sign-in and token issues go to the
///     functions through the Lambda Invoke API, as Cognito would send them. The user exists
///     only at the provider: a write for them would fail, so a clean answer proves none was made.
fn federated_users_have_no_password_to_judge(pool: &Pool<'_>) -> Result<(), String> {
    let user = "google_109348572010";
    let attributes = json!({
        "sub": "5b1c3f0e-61d4-4a2e-9d3b-6f8f7f1d2a10", "email": "kim@example.com", "email_verified": "false",
        "cognito:user_status": "EXTERNAL_PROVIDER",
        "identities": "[{\"userId\":\"109348572010\",\"providerName\":\"Google\",\"providerType\":\"Google\",\"issuer\":null,\"primary\":true,\"dateCreated\":1700000000000}]",
        // An older release stamped this user 400 days ago; the rules must not read it.
        CHANGED_AT: timestamp::format(cognito_reset::runtime::clock::now() - 400 * DAY)
    });
    let confirm = json!({
        "version": "1", "region": "us-east-1", "userPoolId": pool.id, "userName": user,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": pool.client},
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "request": {"userAttributes": attributes}, "response": {}
    });
    let answer = pool.stack.watch.invoke(
        "post-confirmation",
        &serde_json::to_vec(&confirm).map_err(err("event"))?,
    );
    if answer.status != 200 || answer.function_error.is_some() {
        return Err(format!("federated first sign-in: post-confirmation failed: {answer:?}"));
    }
    for (version, source) in [
        ("1", "TokenGeneration_HostedAuth"),
        ("2", "TokenGeneration_HostedAuth"),
        ("2", "TokenGeneration_RefreshTokens"),
    ] {
        let mut event = json!({
            "version": version, "region": "us-east-1", "userPoolId": pool.id, "userName": user,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": pool.client},
            "triggerSource": source,
            "request": {"userAttributes": attributes,
                        "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null}},
            "response": {}
        });
        if version == "2" {
            event["request"]["scopes"] = json!(["openid", "email", "aws.cognito.signin.user.admin"]);
        }
        let answer = pool
            .stack
            .watch
            .invoke("pre-token", &serde_json::to_vec(&event).map_err(err("event"))?);
        if answer.status != 200 || answer.function_error.is_some() {
            return Err(format!("federated sign-in ({version} {source}) denied: {answer:?}"));
        }
        let returned: Value = serde_json::from_str(&answer.body).map_err(err("pre-token answer"))?;
        assert_eq!(returned["request"], event["request"], "federated {version} {source}");
        assert!(
            !answer.body.contains("password_expire"),
            "federated {version} {source}: no password claims: {}",
            answer.body
        );
    }
    Ok(())
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
    let stack = match block_on(Stack::start(&|_| {}, &settings)) {
        Ok(stack) => stack,
        Err(e) if !stack_required() && e.contains("not installed") => {
            cognito_reset_stack::skipped(&format!("every password path: {e}"));
            return;
        }
        Err(e) => panic!("the local stack did not start: {e}"),
    };
    let result = block_on(every_path(&stack));
    if let Err(e) = result {
        panic!(
            "{e}\n--- functions ---\n{}\n--- cognito-local ---\n{}",
            stack.watch.logs(),
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
    let session = pool.sign_in(gus, "Gus-Old-Pass-1").await?;
    let access = sign_in_as(&pool.idp, &pool.client, gus, "Gus-Old-Pass-1")
        .await
        .map_err(err("InitiateAuth"))?
        .authentication_result()
        .and_then(|r| r.access_token().map(str::to_owned))
        .ok_or("no access token")?;
    pool.idp
        .change_password()
        .access_token(access)
        .previous_password("Gus-Old-Pass-1")
        .proposed_password("Gus-New-Pass-1")
        .send()
        .await
        .map_err(err("ChangePassword"))?;
    let sub = session.id_claims["sub"].as_str().ok_or("no sub")?.to_owned();
    pool.deliver_cloudtrail(change_password_record(&sub))?;
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
    let logs = stack.watch.logs();
    assert!(
        logs.matches("run `make attach POOL_ID=...` to add them").count() >= 2,
        "both refusals are logged with the fix"
    );
    Ok(())
}

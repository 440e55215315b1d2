//! A forced reset needs the recovery channel; federated users have no password to judge.

use super::*;

/// 9. A forced reset (evidence of compromise) puts the account back in its owner's hands:
///    whoever holds the stolen password and a session cannot clear it, only a reset by code
///    or an administrator's later password can.
pub(super) async fn forced_reset_needs_the_recovery_channel(pool: &Pool<'_>) -> Result<(), String> {
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
    // itself is tested on moto in tests/it/infra/force_reset.rs).
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
pub(super) fn federated_users_have_no_password_to_judge(pool: &Pool<'_>) -> Result<(), String> {
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
    let answer = pool.stack.functions.invoke(
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
            .functions
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

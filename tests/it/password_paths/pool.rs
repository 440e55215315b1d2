//! A user pool on cognito-local with the strictest rules, and the steps every path takes.

use super::*;

pub(crate) struct Pool<'a> {
    pub(crate) stack: &'a Stack,
    pub(crate) idp: cognito::Client,
    pub(crate) id: String,
    pub(crate) client: String,
}

impl Pool<'_> {
    /// A pool with the rule attributes (`with_rule_attributes`) or without (one the rules were
    /// never attached to), and an app client.
    pub(crate) async fn create(stack: &Stack, with_rule_attributes: bool) -> Result<Pool<'_>, String> {
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
    pub(crate) async fn user(&self, email: &str, password: &str, custom: &[(&str, String)]) -> Result<(), String> {
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

    pub(crate) async fn set_password(&self, email: &str, password: &str, permanent: bool) -> Result<(), String> {
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

    pub(crate) async fn attributes(&self, email: &str) -> Result<Vec<AttributeType>, String> {
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

    pub(crate) async fn attribute(&self, email: &str, name: &str) -> Result<Option<String>, String> {
        Ok(self
            .attributes(email)
            .await?
            .into_iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value().map(str::to_owned)))
    }

    /// Signs in; `Ok(tokens)` or `Err(the message Cognito returned)`.
    pub(crate) async fn sign_in(&self, email: &str, password: &str) -> Result<Tokens, String> {
        let out = sign_in_as(&self.idp, &self.client, email, password)
            .await
            .map_err(|e| message(&e))?;
        Tokens::from(out.authentication_result(), out.challenge_name())
    }

    /// Signs in with a temporary password and answers `NEW_PASSWORD_REQUIRED` with `new`.
    pub(crate) async fn choose_password(&self, email: &str, new: &str) -> Result<Tokens, String> {
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

    pub(crate) async fn refresh(&self, refresh_token: &str) -> Result<Tokens, String> {
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
    pub(crate) fn last_code_sent_to(&self, email: &str) -> Result<String, String> {
        let data = self.stack.moto.recorded();
        let mail = data["ses"]["Message"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .rev()
                    .find(|m| m["destinations"]["ToAddresses"][0] == json!(email))
            })
            .ok_or_else(|| format!("no email to {email} reached SES\n{}", self.stack.functions.logs()))?;
        six_digit_code(&html_text(mail["body"].as_str().unwrap_or_default()))
            .ok_or_else(|| "no code in the email".to_owned())
    }

    /// Forgot password, then confirm with the code the custom email sender delivered.
    pub(crate) async fn reset_password(&self, email: &str, new: &str) -> Result<(), String> {
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

    /// The user changes their own password (Amplify's `updatePassword`: `ChangePassword`, which
    /// fires no trigger). Returns CloudTrail's record of it, which names the user by `sub` only,
    /// for the caller to deliver as a rule would.
    pub(crate) async fn change_password(&self, email: &str, old: &str, new: &str) -> Result<Value, String> {
        let session = self.sign_in(email, old).await?;
        let access = sign_in_as(&self.idp, &self.client, email, old)
            .await
            .map_err(err("InitiateAuth"))?
            .authentication_result()
            .and_then(|r| r.access_token().map(str::to_owned))
            .ok_or("no access token")?;
        self.idp
            .change_password()
            .access_token(access)
            .previous_password(old)
            .proposed_password(new)
            .send()
            .await
            .map_err(err("ChangePassword"))?;
        let sub = session.id_claims["sub"].as_str().ok_or("no sub")?;
        Ok(change_password_record(sub))
    }

    /// Delivers a CloudTrail record to post-confirmation as the template's EventBridge rule does.
    pub(crate) fn deliver_cloudtrail(&self, detail: Value) -> Result<(), String> {
        self.deliver(&cloudtrail_as_the_rule_delivers_it(&self.id, &detail))
    }

    /// Invokes post-confirmation with `event`; an error unless it succeeds.
    pub(crate) fn deliver(&self, event: &Value) -> Result<(), String> {
        let answer = self
            .stack
            .functions
            .invoke("post-confirmation", &serde_json::to_vec(event).map_err(err("event"))?);
        if answer.status != 200 || answer.function_error.is_some() {
            return Err(format!("post-confirmation failed: {answer:?}"));
        }
        Ok(())
    }

    /// Sign in with the new password, refresh, sign in again: every step must be allowed, and
    /// the stored change time, which every token carries, must be the change's. Returns it.
    pub(crate) async fn signs_in_refreshes_and_signs_in_again(&self, email: &str, password: &str, path: &str) -> i64 {
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
pub(crate) struct Tokens {
    pub(crate) id_claims: Value,
    pub(crate) refresh: Option<String>,
}

impl Tokens {
    pub(crate) fn from(
        result: Option<&cognito::types::AuthenticationResultType>,
        challenge: Option<&ChallengeNameType>,
    ) -> Result<Tokens, String> {
        let result = result.ok_or_else(|| format!("no tokens (challenge {challenge:?})"))?;
        Ok(Tokens {
            id_claims: jwt_claims(result.id_token().ok_or("no ID token")?)?,
            refresh: result.refresh_token().map(str::to_owned),
        })
    }

    pub(crate) fn changed_at(&self) -> Option<i64> {
        self.id_claims["password_changed_at"]
            .as_str()
            .and_then(timestamp::parse)
    }
}

//! `make force-reset`: the flag set and the user signed out everywhere.

use super::*;

/// `make force-reset` against moto's Cognito: the flag holds the minute it was set (which
/// pre-token reads as a forced reset), and the user's refresh token no longer works.
#[test]
fn make_force_reset_sets_the_flag_and_signs_the_user_out_everywhere() {
    use cognito_reset::adapters::aws::cognito::types::{AuthFlowType, ExplicitAuthFlowsType, MessageActionType};
    use cognito_reset_stack::demo::{attribute, custom_schema};
    let Some(moto) = Moto::start("force_reset") else {
        return;
    };
    let idp = cognito_reset::adapters::aws::cognito::Client::new(&moto_sdk_config(&moto));
    let email = "kay@example.com";
    // A pool with the flag's attribute, an app client, and a user signed in with a refresh token.
    let (pool, client, refresh) = block_on(async {
        let pool = idp
            .create_user_pool()
            .pool_name("force-reset")
            .schema(custom_schema("force_password_reset"))
            .send()
            .await?;
        let pool = pool.user_pool().and_then(|p| p.id()).unwrap_or_default().to_owned();
        let client = idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("web")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await?;
        let client = client
            .user_pool_client()
            .and_then(|c| c.client_id())
            .unwrap_or_default()
            .to_owned();
        idp.admin_create_user()
            .user_pool_id(&pool)
            .username(email)
            .message_action(MessageActionType::Suppress)
            .user_attributes(attribute("email", email).expect("attribute"))
            .send()
            .await?;
        idp.admin_set_user_password()
            .user_pool_id(&pool)
            .username(email)
            .password("Kay-Pass-1234")
            .permanent(true)
            .send()
            .await?;
        let signed_in = idp
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", email)
            .auth_parameters("PASSWORD", "Kay-Pass-1234")
            .send()
            .await?;
        let refresh = signed_in
            .authentication_result()
            .and_then(|r| r.refresh_token())
            .unwrap_or_default()
            .to_owned();
        Ok::<_, Box<dyn std::error::Error>>((pool, client, refresh))
    })
    .expect("a pool with a signed-in user on moto");
    assert!(!refresh.is_empty(), "moto issued a refresh token");
    let before = cognito_reset::runtime::clock::now();
    let mut env = moto.env();
    env.push(("POOL_ID", pool.clone()));
    env.push(("RESET_USER", email.to_owned()));
    let out = make(&["force-reset"], &env);
    assert!(out.contains("signed out everywhere"), "{out}");
    let user = block_on(idp.admin_get_user().user_pool_id(&pool).username(email).send()).expect("user");
    let flag = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "custom:force_password_reset")
        .and_then(|a| a.value())
        .expect("flag set")
        .to_owned();
    let forced = cognito_reset::domain::rules::ForceFlag::read(Some(&flag)).expect("a forced reset");
    let since = forced.since.expect("the minute it was set");
    assert!(
        (before - 60..=cognito_reset::runtime::clock::now()).contains(&since),
        "{flag}"
    );
    let refreshed = block_on(
        idp.initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh)
            .send(),
    );
    assert!(refreshed.is_err(), "the session from before is over");
    // Without a user, a clear refusal and nothing done.
    let (ok, text) = make_status(&["force-reset"], &moto.env());
    assert!(!ok && text.contains("POOL_ID and RESET_USER are required"), "{text}");
}

//! `user-migration`: moves legacy users into the pool. Prepares the store the settings name
//! (a database or an HTTPS API, its credential from Secrets Manager in AWS); the handler is in
//! the library.
// The AWS SDK's generated futures nest deeply: rustc needs a higher limit to lay them out.
#![recursion_limit = "256"]

use cognito_reset::adapters::aws::secretsmanager;
use cognito_reset::adapters::legacy::{EndpointUsers, LegacyStore, PostgresUsers};
use cognito_reset::runtime::env::Environment;
use lambda_runtime::{Diagnostic, Error};
use user_migration::{Credential, Deps, InitError, Settings, Store, respond};

async fn init() -> Result<Deps<LegacyStore>, InitError> {
    let settings = Settings::from_source(&Environment)?;
    let policy = settings.policy.clone();
    let secrets = || async { secretsmanager::Client::new(&cognito_reset::adapters::aws::sdk_config().await) };
    let store = match &settings.store {
        Store::Database {
            url: Credential::Given(url),
            query,
        } => LegacyStore::Database(PostgresUsers::new(url, query, policy)?),
        Store::Database {
            url: Credential::InSecret(arn),
            query,
        } => LegacyStore::DatabaseInSecret(PostgresUsers::in_secret(secrets().await, arn, query, policy)),
        Store::Endpoint {
            url,
            token: Credential::Given(token),
        } => LegacyStore::Endpoint(EndpointUsers::new(url, token, policy, None)?),
        Store::Endpoint {
            url,
            token: Credential::InSecret(arn),
        } => LegacyStore::EndpointInSecret(EndpointUsers::in_secret(secrets().await, url, arn, policy, None)?),
    };
    // Read the secret now, so the first sign-in does not wait for it; read again at the next
    // lookup when this fails.
    if let Err(e) = store.ready().await {
        tracing::warn!(error = %e, "the legacy store's secret could not be read at init: tried again at each lookup");
    }
    Ok(Deps::new(settings, store))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    cognito_reset::runtime::start::run("user-migration", init(), |started, event| async move {
        respond(started, event, cognito_reset::runtime::clock::now())
            .await
            .map_err(Diagnostic::from)
    })
    .await
}

//! `user-migration`: moves legacy users into the pool. Reads the database URL (from Secrets
//! Manager in AWS) and prepares the store; the handler is in the library.
// The AWS SDK's generated futures nest deeply: rustc needs a higher limit to lay them out.
#![recursion_limit = "256"]

use cognito_reset::adapters::aws::secretsmanager;
use cognito_reset::adapters::postgres::{LegacyDatabase, PostgresUsers, SecretStore};
use cognito_reset::runtime::env::Environment;
use lambda_runtime::{Diagnostic, Error};
use user_migration::{Database, Deps, InitError, Settings, respond};

async fn init() -> Result<Deps<LegacyDatabase>, InitError> {
    let settings = Settings::from_source(&Environment)?;
    let store = match &settings.database {
        Database::Url(url) => LegacyDatabase::Url(PostgresUsers::new(url, &settings.query, settings.policy.clone())?),
        Database::Secret(arn) => {
            let sdk = cognito_reset::adapters::aws::sdk_config().await;
            let store = SecretStore::new(
                secretsmanager::Client::new(&sdk),
                arn,
                &settings.query,
                settings.policy.clone(),
            );
            // Read now, so the first sign-in does not wait for it; read again at the next
            // lookup when this fails.
            if let Err(e) = store.ready().await {
                tracing::warn!(error = %e, "the legacy database's secret could not be read at init: tried again at each lookup");
            }
            LegacyDatabase::Secret(store)
        }
    };
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

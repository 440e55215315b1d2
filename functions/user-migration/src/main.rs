//! `user-migration`: moves legacy users into the pool. Reads the database URL (from Secrets
//! Manager in AWS) and prepares the store; the handler is in the library.
// The AWS SDK's generated futures nest deeply: rustc needs a higher limit to lay them out.
#![recursion_limit = "256"]

use cognito_reset::adapters::aws::secretsmanager;
use cognito_reset::adapters::postgres::{PostgresUsers, url_from_secret};
use cognito_reset::runtime::env::Environment;
use lambda_runtime::{Diagnostic, Error};
use user_migration::{Database, Deps, InitError, Settings, respond};

async fn init() -> Result<Deps<PostgresUsers>, InitError> {
    let settings = Settings::from_source(&Environment)?;
    let url = match &settings.database {
        Database::Url(url) => url.clone(),
        Database::Secret(arn) => {
            let sdk = cognito_reset::adapters::aws::sdk_config().await;
            url_from_secret(&secretsmanager::Client::new(&sdk), arn).await?
        }
    };
    let store = PostgresUsers::new(&url, &settings.query, settings.policy.clone())?;
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

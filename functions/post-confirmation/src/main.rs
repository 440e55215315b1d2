//! `post-confirmation`: records password changes. Builds its Cognito client; the handler is
//! in the library.
// The AWS SDK's generated futures nest deeply: rustc needs a higher limit to lay them out.
#![recursion_limit = "256"]

use cognito_reset::adapters::aws::cognito;
use cognito_reset::adapters::cognito::CognitoUsers;
use cognito_reset::domain::config::ConfigError;
use cognito_reset::runtime::env::Environment;
use lambda_runtime::{Diagnostic, Error};
use post_confirmation::{Deps, Settings, respond};

async fn init() -> Result<Deps<CognitoUsers>, ConfigError> {
    let settings = Settings::from_source(&Environment)?;
    let sdk = cognito_reset::adapters::aws::sdk_config().await;
    Ok(Deps {
        settings,
        users: CognitoUsers::new(cognito::Client::new(&sdk)),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    cognito_reset::runtime::start::run("post-confirmation", init(), |started, event| async move {
        respond(started, event, cognito_reset::runtime::clock::now())
            .await
            .map_err(Diagnostic::from)
    })
    .await
}

//! `post-confirmation`: records password changes. The handler is in the library.

use cognito_reset::aws::cognito;
use cognito_reset::users::cognito::CognitoUsers;
use lambda_runtime::{Diagnostic, Error, LambdaEvent, run, service_fn};
use post_confirmation::{Deps, Settings, respond};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    cognito_reset::telemetry::init();
    let settings = Settings::from_source(&cognito_reset::config::Environment).inspect_err(
        |e| tracing::error!(error = %e, "post-confirmation configuration unusable: confirmations will be let through"),
    );
    let sdk = cognito_reset::aws::sdk_config().await;
    let users = CognitoUsers::new(cognito::Client::new(&sdk));
    let started = &*Box::leak(Box::new(settings.map(|settings| Deps { settings, users })));
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        respond(started, event.payload, cognito_reset::clock::now())
            .await
            .map_err(Diagnostic::from)
    }))
    .await
}

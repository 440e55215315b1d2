//! `pre-token`: Cognito's pre token generation trigger. The handler is in the library.

use cognito_reset::users::cognito::LazyCognitoUsers;
use lambda_runtime::{Diagnostic, Error, LambdaEvent, run, service_fn};
use pre_token::{Deps, respond};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    cognito_reset::telemetry::init();
    // The Cognito client is built on the first NEW_PASSWORD_REQUIRED answer, not here.
    let started = Deps::from_source(&cognito_reset::config::Environment, LazyCognitoUsers::new()).inspect_err(
        |e| tracing::error!(error = %e, "pre-token configuration unusable: tokens will be issued unchanged"),
    );
    let started = &*Box::leak(Box::new(started));
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        respond(started, event.payload, cognito_reset::clock::now())
            .await
            .map_err(Diagnostic::from)
    }))
    .await
}

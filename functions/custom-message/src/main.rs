//! `custom-message`: Cognito's custom message trigger. The handler lives in the library
//! (`src/lib.rs`) so it is unit-tested and reused by the workspace tests without the runtime.

use custom_message::{Deps, respond};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    cognito_reset::telemetry::init();
    let started = Deps::from_env().inspect_err(
        |e| tracing::error!(error = %e, "custom-message configuration unusable: Cognito's default messages will be sent"),
    );
    let started = &*Box::leak(Box::new(started));
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        respond(started, event.payload)
    }))
    .await
}

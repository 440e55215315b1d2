//! `custom-message`: Cognito's custom message trigger. See [`handler`] for what it does.

mod handler;

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    cognito_reset::telemetry::init();
    let deps: &'static handler::Deps =
        Box::leak(Box::new(handler::Deps::from_env().inspect_err(|e| {
            tracing::error!(error = %e, "custom-message cannot start");
        })?));
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler::handle(deps, event.payload)
    }))
    .await
}

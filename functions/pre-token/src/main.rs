//! `pre-token`: Cognito's pre token generation trigger. The handler is in the library.

use lambda_runtime::{Diagnostic, Error, LambdaEvent, run, service_fn};
use pre_token::{Deps, handle};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    cognito_reset::telemetry::init();
    let deps = Deps::from_source(&cognito_reset::config::Environment)
        .inspect_err(|e| tracing::error!(error = %e, "pre-token cannot start"))?;
    let deps: &'static Deps = Box::leak(Box::new(deps));
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(deps, event.payload, cognito_reset::clock::now()).map_err(Diagnostic::from)
    }))
    .await
}

//! `custom-message`: Cognito's custom message trigger. It builds no client; the handler lives
//! in the library (`src/lib.rs`), unit-tested and reused by the workspace tests.

use custom_message::{Deps, respond};
use lambda_runtime::{Diagnostic, Error};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    cognito_reset::runtime::start::run(
        "custom-message",
        async { Deps::from_env() },
        |started, event| async move { respond(started, event).map_err(Diagnostic::from) },
    )
    .await
}

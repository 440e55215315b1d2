//! `pre-token`: Cognito's pre token generation trigger. The handler is in the library.
// The AWS SDK's futures (the Cognito write) nest deeply: rustc needs a higher limit to lay them out.
#![recursion_limit = "256"]

use cognito_reset::adapters::cognito::LazyCognitoUsers;
use cognito_reset::runtime::env::Environment;
use lambda_runtime::{Diagnostic, Error};
use pre_token::{Deps, respond};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // The Cognito client is built on the first NEW_PASSWORD_REQUIRED answer, not here.
    let init = async { Deps::from_source(&Environment, LazyCognitoUsers::new()) };
    cognito_reset::runtime::start::run("pre-token", init, |started, event| async move {
        respond(started, event, cognito_reset::runtime::clock::now())
            .await
            .map_err(Diagnostic::from)
    })
    .await
}

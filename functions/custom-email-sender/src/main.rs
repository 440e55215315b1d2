//! `custom-email-sender`: Cognito's custom email sender trigger. The handler is in the library.
// The Encryption SDK's generated futures nest deeply: rustc needs a higher limit to lay them out.
#![recursion_limit = "256"]

use cognito_reset::aws::{kms, ses};
use cognito_reset::code::kms::KmsDecryptor;
use cognito_reset::delivery::ses::SesSender;
use custom_email_sender::{Deps, Settings, handle};
use lambda_runtime::{Diagnostic, Error, LambdaEvent, run, service_fn};
use serde_json::Value;

async fn init() -> Result<Deps<KmsDecryptor, SesSender>, Error> {
    // Configuration first: a bad variable fails before any network work.
    let settings = Settings::from_source(&cognito_reset::config::Environment)?;
    let sdk = cognito_reset::aws::sdk_config().await;
    let decryptor = KmsDecryptor::new(kms::Client::new(&sdk), &settings.common.sender.key_arn).await?;
    let email = SesSender::new(
        ses::Client::new(&cognito_reset::aws::without_retries(&sdk)),
        settings.email.from.clone(),
        settings.email.reply_to.clone(),
        settings.email.configuration_set.clone(),
    );
    Ok(Deps {
        settings,
        decryptor,
        email,
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    cognito_reset::telemetry::init();
    // A configuration that cannot work fails each invocation with its reason (Lambda retries
    // the asynchronous invocation, and its failure destination keeps it), never init.
    let started = init().await.map_err(|e| e.to_string()).inspect_err(
        |e| tracing::error!(error = %e, "custom-email-sender configuration unusable: every invocation will fail"),
    );
    let started: &'static Result<Deps<KmsDecryptor, SesSender>, String> = Box::leak(Box::new(started));
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        let deps = started.as_ref().map_err(|e| {
            tracing::error!(error = %e, "configuration unusable: nothing sent");
            Diagnostic {
                error_type: "ConfigurationUnusable".into(),
                error_message: e.clone(),
            }
        })?;
        handle(deps, event.payload).await.map_err(|e| Diagnostic {
            error_type: "DeliveryFailed".into(),
            error_message: e.to_string(),
        })
    }))
    .await
}

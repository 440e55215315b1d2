//! `custom-sms-sender`: Cognito's custom SMS sender trigger. The handler is in the library.
// The Encryption SDK's generated futures nest deeply: rustc needs a higher limit to lay them out.
#![recursion_limit = "256"]

use cognito_reset::aws::{kms, sns};
use cognito_reset::code::kms::KmsDecryptor;
use cognito_reset::delivery::sns::SnsSender;
use custom_sms_sender::{Deps, Settings, handle};
use lambda_runtime::{Diagnostic, Error, LambdaEvent, run, service_fn};
use serde_json::Value;

async fn init() -> Result<Deps<KmsDecryptor, SnsSender>, Error> {
    // Configuration first: a bad variable fails before any network work.
    let settings = Settings::from_source(&cognito_reset::config::Environment)?;
    let sdk = cognito_reset::aws::sdk_config().await;
    let decryptor = KmsDecryptor::new(kms::Client::new(&sdk), &settings.common.sender.key_arn).await?;
    let sms = SnsSender::new(
        sns::Client::new(&cognito_reset::aws::without_retries(&sdk)),
        settings.sms.sender_id.clone(),
        settings.sms.origination_number.clone(),
    );
    Ok(Deps {
        settings,
        decryptor,
        sms,
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    cognito_reset::telemetry::init();
    // A configuration that cannot work fails each invocation with its reason (Lambda retries
    // the asynchronous invocation, and its failure destination keeps it), never init.
    let started = init().await.map_err(|e| e.to_string()).inspect_err(
        |e| tracing::error!(error = %e, "custom-sms-sender configuration unusable: every invocation will fail"),
    );
    let started: &'static Result<Deps<KmsDecryptor, SnsSender>, String> = Box::leak(Box::new(started));
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

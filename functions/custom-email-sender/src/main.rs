//! `custom-email-sender`: Cognito's custom email sender trigger. Builds its clients (KMS, SES);
//! the handler is in the library.
// The Encryption SDK's generated futures nest deeply: rustc needs a higher limit to lay them out.
#![recursion_limit = "256"]

use cognito_reset::adapters::aws::{self, kms};
use cognito_reset::adapters::dynamodb::DynamoLedger;
use cognito_reset::adapters::kms::KmsDecryptor;
use cognito_reset::adapters::ses::SesSender;
use custom_email_sender::{Deps, Settings};
use lambda_runtime::Error;

async fn init() -> Result<Deps<KmsDecryptor, SesSender, Option<DynamoLedger>>, Error> {
    // Configuration first: a bad variable fails before any network work.
    let settings = Settings::from_source(&cognito_reset::runtime::env::Environment)?;
    let sdk = aws::sdk_config().await;
    let decryptor = KmsDecryptor::new(kms::Client::new(&sdk), &settings.common.sender.key_arn).await?;
    Ok(Deps {
        email: SesSender::from_config(&aws::without_retries(&sdk), &settings.email),
        ledger: DynamoLedger::from_config(&sdk, settings.common.table.as_ref()),
        decryptor,
        settings,
    })
}

// The Encryption SDK blocks in place on KMS calls, which needs the multi-threaded runtime.
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    cognito_reset::runtime::start::run("custom-email-sender", init(), |started, event| {
        cognito_reset::sender::respond(started, event, cognito_reset::runtime::clock::now())
    })
    .await
}

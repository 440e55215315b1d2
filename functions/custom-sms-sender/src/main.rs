//! `custom-sms-sender`: Cognito's custom SMS sender trigger. Builds its clients (KMS, and SNS
//! or End User Messaging as `SMS_BACKEND` says); the handler is in the library.
// The Encryption SDK's generated futures nest deeply: rustc needs a higher limit to lay them out.
#![recursion_limit = "256"]

use cognito_reset::aws::{dynamodb, eum, kms, sns};
use cognito_reset::code::kms::KmsDecryptor;
use cognito_reset::config::SmsService;
use cognito_reset::delivery::SmsBackend;
use cognito_reset::delivery::dynamodb::DynamoLedger;
use cognito_reset::delivery::eum::{EumOptions, EumSender};
use cognito_reset::delivery::sns::SnsSender;
use custom_sms_sender::{Deps, Settings};
use lambda_runtime::Error;

async fn init() -> Result<Deps<KmsDecryptor, SmsBackend, Option<DynamoLedger>>, Error> {
    // Configuration first: a bad variable fails before any network work.
    let settings = Settings::from_source(&cognito_reset::config::Environment)?;
    let sdk = cognito_reset::aws::sdk_config().await;
    let decryptor = KmsDecryptor::new(kms::Client::new(&sdk), &settings.common.sender.key_arn).await?;
    // Delivery calls go without the SDK's retries: the adapters resend only what was refused.
    let delivery = cognito_reset::aws::without_retries(&sdk);
    let c = &settings.sms;
    let sms = match c.service {
        SmsService::Sns => SmsBackend::Sns(SnsSender::new(
            sns::Client::new(&delivery),
            c.sender_id.clone(),
            c.origination_number.clone(),
        )),
        SmsService::EndUserMessaging => SmsBackend::EndUserMessaging(EumSender::new(
            eum::Client::new(&delivery),
            EumOptions {
                origination_identity: c.origination_identity.clone(),
                configuration_set: c.configuration_set.clone(),
                protect_configuration_id: c.protect_configuration_id.clone(),
                max_price_usd: c.max_price_usd.clone(),
            },
        )),
    };
    // The delivery table, when configured (with the SDK's retries: a claim carries an
    // idempotency token, so a resent claim is not counted twice).
    let ledger =
        (settings.common.table.as_ref()).map(|t| DynamoLedger::new(dynamodb::Client::new(&sdk), t.table.clone()));
    Ok(Deps {
        settings,
        decryptor,
        sms,
        ledger,
    })
}

// The Encryption SDK blocks in place on KMS calls, which needs the multi-threaded runtime.
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    cognito_reset::start::run("custom-sms-sender", init(), |started, event| {
        cognito_reset::sender::respond(started, event)
    })
    .await
}

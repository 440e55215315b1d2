//! The AWS SDK configuration every adapter shares, loaded once at init.
//!
//! Region, credentials and endpoint come from the environment as the SDK reads them
//! (`AWS_REGION`, the Lambda role's credentials, `AWS_ENDPOINT_URL` for local stand-ins such
//! as moto). Timeouts are set so that a stalled call fails well inside Cognito's and
//! Lambda's limits, and retries stay within them: the standard retry mode makes at most
//! 3 attempts of at most 2 seconds each, with an operation budget of 4 seconds. Cognito
//! allows a synchronous trigger 5 seconds ("Customizing user pool workflows with Lambda
//! triggers": it retries after 5 seconds, 3 times in all), so one call fits. Delivery calls
//! (SNS `Publish`, SES `SendEmail`) use [`without_retries`].

use std::time::Duration;

use aws_config::BehaviorVersion;
pub use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

// The service crates, re-exported so functions build clients without depending on them.
#[cfg(feature = "cognito")]
pub use aws_sdk_cognitoidentityprovider as cognito;
#[cfg(feature = "dynamodb")]
pub use aws_sdk_dynamodb as dynamodb;
#[cfg(feature = "kms")]
pub use aws_sdk_kms as kms;
#[cfg(feature = "eum")]
pub use aws_sdk_pinpointsmsvoicev2 as eum;
#[cfg(feature = "legacy-stores")]
pub use aws_sdk_secretsmanager as secretsmanager;
#[cfg(feature = "ses")]
pub use aws_sdk_sesv2 as ses;
#[cfg(feature = "sns")]
pub use aws_sdk_sns as sns;

/// Per-attempt and per-operation budgets.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(1_000);
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(2_000);
pub const OPERATION_TIMEOUT: Duration = Duration::from_millis(4_000);
pub const MAX_ATTEMPTS: u32 = 3;

/// The same configuration without the SDK's retries, for calls that must not be repeated
/// blindly (delivering a message): their adapters resend only when the service answered that
/// it did not take the message.
pub fn without_retries(sdk: &SdkConfig) -> SdkConfig {
    sdk.to_builder().retry_config(RetryConfig::disabled()).build()
}

/// Loads the shared SDK configuration.
pub async fn sdk_config() -> SdkConfig {
    with_budgets(aws_config::defaults(BehaviorVersion::latest()))
        .load()
        .await
}

/// Applies the timeouts and retries above to a configuration loader (tests use it to point a
/// production-like configuration at a local endpoint).
pub fn with_budgets(loader: aws_config::ConfigLoader) -> aws_config::ConfigLoader {
    loader
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
}

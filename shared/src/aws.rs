//! The AWS SDK configuration every adapter shares, loaded once at init.
//!
//! Region, credentials and endpoint come from the environment as the SDK reads them
//! (`AWS_REGION`, the Lambda role's credentials, `AWS_ENDPOINT_URL` for local stand-ins such
//! as moto). Timeouts are set so that a stalled call fails well inside Cognito's and
//! Lambda's limits, and retries stay within them: the standard retry mode makes at most
//! 3 attempts of at most 2 seconds each, with an operation budget of 4 seconds.

use std::time::Duration;

use aws_config::BehaviorVersion;
pub use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

// The service crates, re-exported so functions build clients without depending on them.
#[cfg(feature = "cognito")]
pub use aws_sdk_cognitoidentityprovider as cognito;
#[cfg(feature = "kms")]
pub use aws_sdk_kms as kms;
#[cfg(feature = "ses")]
pub use aws_sdk_sesv2 as ses;
#[cfg(feature = "sns")]
pub use aws_sdk_sns as sns;

/// Per-attempt and per-operation budgets.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(1_000);
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(2_000);
pub const OPERATION_TIMEOUT: Duration = Duration::from_millis(4_000);
pub const MAX_ATTEMPTS: u32 = 3;

/// Loads the shared SDK configuration.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .load()
        .await
}

//! The adapters: each implements a trait of the core against one AWS service, behind the
//! feature that links its SDK client, and is tested against moto or a stand-in.
//!
//! - [`aws`]: the SDK configuration every adapter shares (timeouts, retries), and the service
//!   crates, re-exported.
//! - [`errors`]: AWS error classification, in one place, and resending what a service refused.
//! - [`kms`] (feature `kms`): decrypting the senders' codes with the AWS Encryption SDK.
//! - [`sns`] (feature `sns`), [`eum`] (feature `eum`), [`sms`] (both): SMS through SNS or End
//!   User Messaging, and the service `SMS_BACKEND` chooses.
//! - [`ses`] (feature `ses`): email through SES v2.
//! - [`dynamodb`] (feature `dynamodb`): the delivery table.
//! - [`cognito`] (feature `cognito`): user attributes through Cognito's admin API.
//! - [`legacy`] (feature `legacy-stores`): the legacy user stores of user migration, on
//!   PostgreSQL or behind the team's HTTPS API, their credentials from Secrets Manager.

pub mod aws;
#[cfg(feature = "cognito")]
pub mod cognito;
#[cfg(feature = "dynamodb")]
pub mod dynamodb;
#[cfg(any(feature = "sns", feature = "ses", feature = "eum", feature = "cognito"))]
pub mod errors;
#[cfg(feature = "eum")]
pub mod eum;
#[cfg(feature = "kms")]
pub mod kms;
#[cfg(feature = "legacy-stores")]
pub mod legacy;
#[cfg(feature = "ses")]
pub mod ses;
#[cfg(all(feature = "sns", feature = "eum"))]
pub mod sms;
#[cfg(feature = "sns")]
pub mod sns;

#[cfg(all(feature = "sns", feature = "eum"))]
pub use sms::SmsBackend;

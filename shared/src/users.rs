//! Writing user attributes (the password change stamp) through Cognito's admin API, behind a
//! small trait so the post confirmation handler is unit-tested with a fake.

use std::future::Future;

/// Why attributes were not written. Carries Cognito's error code, never attribute values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    #[error("Cognito is throttling or unavailable ({0}); a retry can succeed")]
    Unavailable(String),
    #[error("Cognito refused to update the user ({0})")]
    Rejected(String),
}

impl UpdateError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, UpdateError::Unavailable(_))
    }
}

/// Updates attributes of one user (`AdminUpdateUserAttributes`). `user` is the username or,
/// as Cognito's admin APIs accept, the user's `sub` or an alias.
pub trait UserAttributes: Send + Sync {
    fn update(
        &self,
        user_pool_id: &str,
        user: &str,
        attributes: &[(String, String)],
    ) -> impl Future<Output = Result<(), UpdateError>> + Send;
}

#[cfg(feature = "cognito")]
pub mod cognito {
    //! The Cognito implementation.

    use aws_sdk_cognitoidentityprovider::types::AttributeType;

    use super::{UpdateError, UserAttributes};
    use crate::delivery::{DeliveryError, classify};

    /// Built once at init.
    #[derive(Debug, Clone)]
    pub struct CognitoUsers {
        client: aws_sdk_cognitoidentityprovider::Client,
    }

    impl CognitoUsers {
        pub fn new(client: aws_sdk_cognitoidentityprovider::Client) -> Self {
            CognitoUsers { client }
        }
    }

    impl UserAttributes for CognitoUsers {
        async fn update(
            &self,
            user_pool_id: &str,
            user: &str,
            attributes: &[(String, String)],
        ) -> Result<(), UpdateError> {
            let attributes = attributes
                .iter()
                .map(|(name, value)| AttributeType::builder().name(name).value(value).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| UpdateError::Rejected("invalid attribute".into()))?;
            self.client
                .admin_update_user_attributes()
                .user_pool_id(user_pool_id)
                .username(user)
                .set_user_attributes(Some(attributes))
                .send()
                .await
                .map_err(|e| match classify("Cognito", &e) {
                    DeliveryError::Unavailable { code, .. } | DeliveryError::Unknown { code, .. } => {
                        UpdateError::Unavailable(code)
                    }
                    DeliveryError::Rejected { code, .. } => UpdateError::Rejected(code),
                })?;
            Ok(())
        }
    }
}

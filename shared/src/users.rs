//! Reading and writing user attributes (the password change stamp, the forced-reset flag)
//! through Cognito's admin API, behind a small trait so the pre token and post confirmation
//! handlers are unit-tested with a fake.

use std::collections::HashMap;
use std::future::Future;

/// Why attributes were not written. Carries Cognito's error code, never attribute values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    #[error("Cognito is throttling or unavailable ({0}); a retry can succeed")]
    Unavailable(String),
    /// The pool's schema does not define an attribute the rules use: only `make attach` (which
    /// adds the custom attributes) can fix it.
    #[error(
        "the user pool does not define the password-rule attributes ({0}); run `make attach POOL_ID=...` to add them"
    )]
    MissingAttribute(String),
    #[error("Cognito refused to update the user ({0})")]
    Rejected(String),
}

impl UpdateError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, UpdateError::Unavailable(_))
    }

    /// Sorts Cognito's answer to `AdminUpdateUserAttributes`. Cognito (and cognito-local)
    /// refuse an attribute the schema lacks with `InvalidParameterException` and the message
    /// `Invalid user attributes: user.custom:x: Attribute does not exist in the schema.`
    pub fn refused(code: &str, message: Option<&str>) -> UpdateError {
        if code == "InvalidParameterException" && message.is_some_and(|m| m.contains("does not exist in the schema")) {
            UpdateError::MissingAttribute(code.to_owned())
        } else {
            UpdateError::Rejected(code.to_owned())
        }
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

    /// Reads the attributes of one user (`AdminGetUser`), for the events that carry none
    /// (CloudTrail's). Values are personal data: callers log names only.
    fn attributes(
        &self,
        user_pool_id: &str,
        user: &str,
    ) -> impl Future<Output = Result<HashMap<String, String>, UpdateError>> + Send;
}

#[cfg(feature = "cognito")]
pub mod cognito {
    //! The Cognito implementation.

    use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
    use aws_sdk_cognitoidentityprovider::types::AttributeType;

    use std::collections::HashMap;

    use super::{UpdateError, UserAttributes};
    use crate::delivery::{DeliveryError, classify};

    fn refused<E: ProvideErrorMetadata>(
        e: &aws_sdk_cognitoidentityprovider::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
    ) -> UpdateError {
        match classify("Cognito", e) {
            DeliveryError::Unavailable { code, .. } | DeliveryError::Unknown { code, .. } => {
                UpdateError::Unavailable(code)
            }
            DeliveryError::Rejected { code, .. } => {
                UpdateError::refused(&code, e.as_service_error().and_then(ProvideErrorMetadata::message))
            }
        }
    }

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
                .map_err(|e| refused(&e))?;
            Ok(())
        }

        async fn attributes(&self, user_pool_id: &str, user: &str) -> Result<HashMap<String, String>, UpdateError> {
            let out = self
                .client
                .admin_get_user()
                .user_pool_id(user_pool_id)
                .username(user)
                .send()
                .await
                .map_err(|e| refused(&e))?;
            Ok(out
                .user_attributes()
                .iter()
                .filter_map(|a| a.value().map(|v| (a.name().to_owned(), v.to_owned())))
                .collect())
        }
    }

    /// A [`CognitoUsers`] built on first use: the SDK configuration and client are made by the
    /// first call that writes, and kept for the life of the process. For `pre-token`, where
    /// only a `NEW_PASSWORD_REQUIRED` answer writes, so that no other sign-in pays for it.
    #[derive(Debug, Default)]
    pub struct LazyCognitoUsers {
        users: tokio::sync::OnceCell<CognitoUsers>,
    }

    impl LazyCognitoUsers {
        pub fn new() -> Self {
            LazyCognitoUsers::default()
        }

        /// Whether the client has been built (tests check that reads never build it).
        pub fn is_built(&self) -> bool {
            self.users.initialized()
        }
    }

    impl LazyCognitoUsers {
        async fn users(&self) -> &CognitoUsers {
            self.users
                .get_or_init(|| async {
                    let sdk = crate::aws::sdk_config().await;
                    CognitoUsers::new(aws_sdk_cognitoidentityprovider::Client::new(&sdk))
                })
                .await
        }
    }

    impl UserAttributes for LazyCognitoUsers {
        async fn update(
            &self,
            user_pool_id: &str,
            user: &str,
            attributes: &[(String, String)],
        ) -> Result<(), UpdateError> {
            self.users().await.update(user_pool_id, user, attributes).await
        }

        async fn attributes(&self, user_pool_id: &str, user: &str) -> Result<HashMap<String, String>, UpdateError> {
            self.users().await.attributes(user_pool_id, user).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_schema_attribute_is_told_apart_from_other_refusals() {
        let missing = UpdateError::refused(
            "InvalidParameterException",
            Some("Invalid user attributes: user.custom:password_changed_at: Attribute does not exist in the schema."),
        );
        assert_eq!(
            missing,
            UpdateError::MissingAttribute("InvalidParameterException".into())
        );
        assert!(missing.to_string().contains("make attach"), "{missing}");
        assert!(!missing.is_retryable());
        assert_eq!(
            UpdateError::refused("InvalidParameterException", Some("1 validation error detected")),
            UpdateError::Rejected("InvalidParameterException".into())
        );
        assert_eq!(
            UpdateError::refused("UserNotFoundException", None),
            UpdateError::Rejected("UserNotFoundException".into())
        );
    }
}

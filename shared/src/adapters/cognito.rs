//! The Cognito implementation.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::AttributeType;

use std::collections::HashMap;

use crate::adapters::errors::classify;
use crate::domain::delivery::DeliveryError;
use crate::domain::users::{UpdateError, UserAttributes};

fn refused<E: ProvideErrorMetadata>(
    e: &aws_sdk_cognitoidentityprovider::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> UpdateError {
    match classify("Cognito", e) {
        DeliveryError::Unavailable { code, .. } | DeliveryError::Unknown { code, .. } => UpdateError::Unavailable(code),
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
    async fn update(&self, user_pool_id: &str, user: &str, attributes: &[(String, String)]) -> Result<(), UpdateError> {
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
                let sdk = crate::adapters::aws::sdk_config().await;
                CognitoUsers::new(aws_sdk_cognitoidentityprovider::Client::new(&sdk))
            })
            .await
    }
}

impl UserAttributes for LazyCognitoUsers {
    async fn update(&self, user_pool_id: &str, user: &str, attributes: &[(String, String)]) -> Result<(), UpdateError> {
        self.users().await.update(user_pool_id, user, attributes).await
    }

    async fn attributes(&self, user_pool_id: &str, user: &str) -> Result<HashMap<String, String>, UpdateError> {
        self.users().await.attributes(user_pool_id, user).await
    }
}

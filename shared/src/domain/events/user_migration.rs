//! The user migration trigger (`UserMigration_Authentication`, `UserMigration_ForgotPassword`):
//! the request Cognito sends for a username its pool does not hold, and the response that tells
//! it which user to create.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::de::{self, StringMap};

/// The password of a sign-in: never shown, not even by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Password(#[serde(deserialize_with = "de::string")] pub String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "<none>" } else { "<redacted>" })
    }
}

/// The `request` of a user migration event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserMigrationRequest {
    /// The password typed at sign-in; absent (or empty) for `UserMigration_ForgotPassword`.
    #[serde(default)]
    pub password: Password,
    #[serde(default, deserialize_with = "de::string_map")]
    pub validation_data: StringMap,
    #[serde(default, deserialize_with = "de::string_map")]
    pub client_metadata: StringMap,
}

/// The `response` Cognito reads: the attributes of the user it creates, its status, and that
/// no welcome message is sent (the user already has an account, elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserMigrationResponse {
    pub user_attributes: StringMap,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_user_status: Option<&'static str>,
    pub message_action: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::{self, Envelope};

    #[test]
    fn reads_both_trigger_sources_and_never_shows_the_password() {
        // The shape AWS documents (aws_lambda_events' fixture, with Cognito's string version).
        let sign_in = serde_json::json!({
            "version": "1", "triggerSource": "UserMigration_Authentication", "region": "us-east-1",
            "userPoolId": "us-east-1_AbC123", "userName": "jane@example.com",
            "callerContext": {"awsSdkVersion": "aws-sdk-js-3.0.0", "clientId": "1example23456789"},
            "request": {"password": "Tr0ub4dor&3", "validationData": {"k": "v"}, "clientMetadata": null},
            "response": {"userAttributes": null, "finalUserStatus": null, "messageAction": null,
                         "desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null}
        });
        let e: Envelope<UserMigrationRequest> = events::view(&sign_in).expect("sign-in");
        assert_eq!(e.request.password.0, "Tr0ub4dor&3");
        assert_eq!(e.request.validation_data.get("k").map(String::as_str), Some("v"));
        assert!(!format!("{e:?}").contains("Tr0ub4dor"), "{e:?}");
        let reset = serde_json::json!({
            "version": "1", "triggerSource": "UserMigration_ForgotPassword", "region": "us-east-1",
            "userPoolId": "us-east-1_AbC123", "userName": "jane@example.com",
            "callerContext": {"awsSdkVersion": "aws-sdk-js-3.0.0", "clientId": "1example23456789"},
            "request": {"validationData": null},
            "response": {}
        });
        let e: Envelope<UserMigrationRequest> = events::view(&reset).expect("reset");
        assert!(e.request.password.0.is_empty());
        assert_eq!(format!("{:?}", e.request.password), "<none>");
    }
}

//! The custom message trigger (`CustomMessage_*`).
//!
//! Cognito passes placeholders (`codeParameter`, usually `{####}`; `usernameParameter`,
//! usually `{username}`) that the function must put in its messages; Cognito replaces them
//! after the function returns. See
//! <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-message.html>.

use serde::{Deserialize, Serialize};

use super::de::{self, StringMap};

/// The `request` of a custom message event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomMessageRequest {
    #[serde(default, deserialize_with = "de::string_map")]
    pub user_attributes: StringMap,
    #[serde(
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub code_parameter: Option<String>,
    #[serde(
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub link_parameter: Option<String>,
    #[serde(
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub username_parameter: Option<String>,
    #[serde(
        default,
        deserialize_with = "de::string_map",
        skip_serializing_if = "StringMap::is_empty"
    )]
    pub client_metadata: StringMap,
}

/// The `response` of a custom message event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomMessageResponse {
    pub sms_message: String,
    pub email_message: String,
    pub email_subject: String,
}

/// Cognito's default placeholders, used only when an event omits them.
pub const DEFAULT_CODE_PARAMETER: &str = "{####}";
pub const DEFAULT_USERNAME_PARAMETER: &str = "{username}";

impl CustomMessageRequest {
    /// The code placeholder Cognito asked for, or its documented default.
    pub fn code_placeholder(&self) -> &str {
        self.code_parameter.as_deref().unwrap_or(DEFAULT_CODE_PARAMETER)
    }

    /// The username placeholder Cognito asked for, or its documented default.
    pub fn username_placeholder(&self) -> &str {
        self.username_parameter.as_deref().unwrap_or(DEFAULT_USERNAME_PARAMETER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::{Envelope, view};
    use serde_json::json;

    #[test]
    fn tolerates_booleans_nulls_and_none_placeholders() {
        let ev = json!({
            "version": "1",
            "triggerSource": "CustomMessage_SignUp",
            "request": {
                "userAttributes": {"email_verified": true, "phone_number_verified": false, "gone": null},
                "codeParameter": "{####}",
                "usernameParameter": "None",
                "clientMetadata": null
            },
            "response": {"smsMessage": null}
        });
        let e: Envelope<CustomMessageRequest> = view(&ev).unwrap();
        assert_eq!(e.request.user_attributes["email_verified"], "true");
        assert_eq!(e.request.user_attributes["phone_number_verified"], "false");
        assert!(!e.request.user_attributes.contains_key("gone"));
        assert_eq!(e.request.username_parameter, None);
        assert_eq!(e.request.username_placeholder(), "{username}");
        assert!(e.request.client_metadata.is_empty());
    }

    #[test]
    fn round_trips() {
        let ev = json!({
            "version": "1", "triggerSource": "CustomMessage_ForgotPassword", "region": "us-east-1",
            "userPoolId": "us-east-1_abc", "userName": "jane",
            "callerContext": {"awsSdkVersion": "aws-sdk-js-3", "clientId": "client"},
            "request": {"userAttributes": {"email": "jane@example.com"}, "codeParameter": "{####}",
                        "linkParameter": "{##Click Here##}", "usernameParameter": "{username}",
                        "clientMetadata": {"locale": "de"}}
        });
        let parsed: Envelope<CustomMessageRequest> = view(&ev).unwrap();
        let again: Envelope<CustomMessageRequest> = view(&serde_json::to_value(&parsed).unwrap()).unwrap();
        assert_eq!(parsed, again);
        assert_eq!(parsed.caller_context.client_id.as_deref(), Some("client"));
    }
}

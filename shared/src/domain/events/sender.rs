//! The custom SMS and email sender triggers (`CustomSMSSender_*`, `CustomEmailSender_*`).
//!
//! `aws_lambda_events` has no types for these. Cognito sends the code (or a temporary
//! password) encrypted with the AWS Encryption SDK under the pool's KMS key, base64-encoded,
//! in `request.code`; it is `null` for account-takeover notifications. See
//! <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-sender-triggers.html>.

use serde::{Deserialize, Serialize};

use super::de::{self, StringMap};

/// The `request` of a custom SMS or email sender event (both share this shape).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SenderRequest {
    /// `customSMSSenderRequestV1` or `customEmailSenderRequestV1`.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_type: Option<String>,
    /// Base64 of an Encryption SDK message; `None` for account-takeover notifications.
    #[serde(
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "de::string_map")]
    pub user_attributes: StringMap,
    #[serde(
        default,
        deserialize_with = "de::string_map",
        skip_serializing_if = "StringMap::is_empty"
    )]
    pub client_metadata: StringMap,
}

/// Written by hand so that the ciphertext never lands in a log through `{:?}`.
impl std::fmt::Debug for SenderRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderRequest")
            .field("request_type", &self.request_type)
            .field("code", &self.code.as_ref().map(|_| "<encrypted>"))
            .field("user_attributes", &self.user_attributes.keys().collect::<Vec<_>>())
            .field("client_metadata", &self.client_metadata.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::{Envelope, view};
    use serde_json::json;

    #[test]
    fn reads_type_code_and_null_code() {
        let ev = json!({
            "version": "1", "triggerSource": "CustomSMSSender_ForgotPassword",
            "request": {"type": "customSMSSenderRequestV1", "code": "AYADeD==",
                        "clientMetadata": null, "userAttributes": {"phone_number": "+12065550100"}}
        });
        let e: Envelope<SenderRequest> = view(&ev).unwrap();
        assert_eq!(e.request.request_type.as_deref(), Some("customSMSSenderRequestV1"));
        assert_eq!(e.request.code.as_deref(), Some("AYADeD=="));
        let ato = json!({"triggerSource": "CustomEmailSender_AccountTakeOverNotification",
                         "request": {"type": "customEmailSenderRequestV1", "code": null}});
        let e: Envelope<SenderRequest> = view(&ato).unwrap();
        assert_eq!(e.request.code, None);
        let again: Envelope<SenderRequest> = view(&serde_json::to_value(&e).unwrap()).unwrap();
        assert_eq!(e, again);
    }

    #[test]
    fn debug_hides_the_ciphertext_and_attribute_values() {
        let r = SenderRequest {
            code: Some("AYADeCIPHER".into()),
            user_attributes: [("phone_number".to_owned(), "+12065550100".to_owned())].into(),
            ..SenderRequest::default()
        };
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("AYADeCIPHER") && !shown.contains("2065550100"),
            "{shown}"
        );
    }
}

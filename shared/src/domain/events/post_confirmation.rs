//! The post confirmation trigger (`PostConfirmation_ConfirmSignUp`,
//! `PostConfirmation_ConfirmForgotPassword`), and the EventBridge events CloudTrail delivers
//! for password changes that fire no Cognito trigger.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::{self, StringMap};

/// The `request` of a post confirmation event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostConfirmationRequest {
    #[serde(default, deserialize_with = "de::string_map")]
    pub user_attributes: StringMap,
    #[serde(
        default,
        deserialize_with = "de::string_map",
        skip_serializing_if = "StringMap::is_empty"
    )]
    pub client_metadata: StringMap,
}

/// A password change reported by CloudTrail through EventBridge
/// (`detail-type: "AWS API Call via CloudTrail"`, `source: "aws.cognito-idp"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordChangeCall {
    /// `ChangePassword`, `AdminSetUserPassword`, ...
    pub event_name: String,
    pub user_pool_id: Option<String>,
    /// The username, or the user's `sub`, as the event carries it (Cognito's admin APIs
    /// accept either).
    pub user: Option<String>,
    /// `AdminSetUserPassword` sets a permanent password only with `Permanent: true`; the API's
    /// default (the parameter left out) is a temporary one. `ChangePassword` is always permanent.
    pub permanent: bool,
    /// When the call was made (`detail.eventTime`, seconds since the epoch): the time a change
    /// is stamped with, so a late or retried event never extends a password's life.
    pub event_time: Option<i64>,
    /// The call failed (`errorCode` set): nothing changed.
    pub failed: bool,
}

/// What CloudTrail writes in place of a value it hides (passwords, tokens; in some pools the
/// username). Only this exact text is hidden: a username that begins with `HIDDEN` is a username.
pub const REDACTED: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// The API calls that change a password without a Cognito trigger.
pub const PASSWORD_CHANGE_CALLS: [&str; 2] = ["ChangePassword", "AdminSetUserPassword"];

/// Recognizes an EventBridge CloudTrail event for a password change; `None` for any other event.
pub fn password_change_call(event: &Value) -> Option<PasswordChangeCall> {
    if event["detail-type"] != "AWS API Call via CloudTrail" || event["source"] != "aws.cognito-idp" {
        return None;
    }
    let detail = &event["detail"];
    let event_name = detail["eventName"].as_str()?.to_owned();
    if !PASSWORD_CHANGE_CALLS.contains(&event_name.as_str()) {
        return None;
    }
    let text = |v: &Value| {
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != REDACTED)
            .map(str::to_owned)
    };
    let params = &detail["requestParameters"];
    let extra = &detail["additionalEventData"];
    let user = text(&params["username"])
        .or_else(|| text(&params["userName"]))
        .or_else(|| text(&extra["sub"]))
        .or_else(|| text(&extra["userSub"]));
    // The deployment's EventBridge rule adds the pool at the top level (ChangePassword
    // records do not name it).
    let user_pool_id = text(&params["userPoolId"])
        .or_else(|| text(&extra["userPoolId"]))
        .or_else(|| text(&event["userPoolId"]));
    let permanent = event_name == "ChangePassword" || params["permanent"].as_bool() == Some(true);
    let event_time = detail["eventTime"]
        .as_str()
        .and_then(crate::domain::rules::timestamp::parse);
    let failed = detail["errorCode"].as_str().is_some_and(|c| !c.is_empty());
    Some(PasswordChangeCall {
        event_name,
        user_pool_id,
        user,
        permanent,
        event_time,
        failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cloudtrail(name: &str, params: Value, extra: Value) -> Value {
        json!({"version": "0", "detail-type": "AWS API Call via CloudTrail", "source": "aws.cognito-idp",
               "detail": {"eventSource": "cognito-idp.amazonaws.com", "eventName": name,
                          "requestParameters": params, "additionalEventData": extra}})
    }

    #[test]
    fn admin_set_user_password_names_pool_and_user() {
        let e = cloudtrail(
            "AdminSetUserPassword",
            json!({"userPoolId": "us-east-1_P", "username": "jane", "password": "HIDDEN_DUE_TO_SECURITY_REASONS", "permanent": true}),
            json!(null),
        );
        let c = password_change_call(&e).unwrap();
        assert_eq!(c.user_pool_id.as_deref(), Some("us-east-1_P"));
        assert_eq!(c.user.as_deref(), Some("jane"));
        assert!(c.permanent && !c.failed);
    }

    #[test]
    fn change_password_uses_the_sub_when_that_is_all_there_is() {
        let e = cloudtrail(
            "ChangePassword",
            json!({"accessToken": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
            json!({"sub": "a1b2"}),
        );
        let c = password_change_call(&e).unwrap();
        assert_eq!(c.user.as_deref(), Some("a1b2"));
        assert_eq!(c.user_pool_id, None);
        let e = cloudtrail(
            "ChangePassword",
            json!({"accessToken": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
            json!({}),
        );
        assert_eq!(password_change_call(&e).unwrap().user, None);
    }

    #[test]
    fn a_temporary_password_is_not_permanent_and_the_event_time_is_the_change_time() {
        let set = |params: Value| {
            let mut e = cloudtrail("AdminSetUserPassword", params, json!(null));
            e["detail"]["eventTime"] = json!("2026-11-23T11:50:19Z");
            password_change_call(&e).unwrap()
        };
        let missing = set(json!({"userPoolId": "us-east-1_P", "username": "jane"}));
        assert!(!missing.permanent, "the API's default is a temporary password");
        assert!(!set(json!({"userPoolId": "us-east-1_P", "username": "jane", "permanent": false})).permanent);
        assert!(!set(json!({"userPoolId": "us-east-1_P", "username": "jane", "permanent": "true"})).permanent);
        let permanent = set(json!({"userPoolId": "us-east-1_P", "username": "jane", "permanent": true}));
        assert!(permanent.permanent);
        assert_eq!(permanent.event_time, Some(1_795_434_619));
        let change = password_change_call(&cloudtrail("ChangePassword", json!({}), json!({"sub": "a1b2"}))).unwrap();
        assert!(change.permanent);
        assert_eq!(change.event_time, None);
    }

    #[test]
    fn only_the_exact_redaction_marker_is_hidden() {
        let e = cloudtrail(
            "AdminSetUserPassword",
            json!({"userPoolId": "us-east-1_P", "username": "HIDDEN_VALLEY_RANCH", "permanent": true}),
            json!(null),
        );
        assert_eq!(
            password_change_call(&e).unwrap().user.as_deref(),
            Some("HIDDEN_VALLEY_RANCH")
        );
        let e = cloudtrail(
            "AdminSetUserPassword",
            json!({"userPoolId": "us-east-1_P", "username": REDACTED, "permanent": true}),
            json!({"sub": "a1b2"}),
        );
        assert_eq!(password_change_call(&e).unwrap().user.as_deref(), Some("a1b2"));
    }

    #[test]
    fn other_events_are_not_password_changes() {
        assert!(password_change_call(&cloudtrail("AdminGetUser", json!({}), json!({}))).is_none());
        assert!(password_change_call(&json!({"triggerSource": "PostConfirmation_ConfirmSignUp"})).is_none());
        let mut failed = cloudtrail("ChangePassword", json!({}), json!({"sub": "x"}));
        failed["detail"]["errorCode"] = json!("NotAuthorizedException");
        assert!(password_change_call(&failed).unwrap().failed);
    }
}

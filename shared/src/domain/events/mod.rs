//! Cognito user pool trigger events, parsed tolerantly.
//!
//! Every trigger shares one envelope ([`Envelope`]: version, trigger source, pool, user,
//! caller context) around a trigger-specific `request`. `aws_lambda_events` models several
//! of these, but with closed trigger-source enums and strict field types: an event with a new
//! trigger source, a boolean attribute or a `null` map would fail to deserialize and block the
//! user. The types here accept every shape AWS and its libraries publish and leave unknown
//! fields alone.
//!
//! Handlers never rebuild the event from these types. They read a typed *view* of the JSON
//! Cognito sent and write only `response` back into that same JSON ([`set_response`]), so
//! anything this crate does not model reaches Cognito unchanged.

pub mod custom_message;
pub mod de;
pub mod post_confirmation;
pub mod pre_token;
pub mod sender;
pub mod user_migration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use de::StringMap;

/// The parts every user pool trigger event shares, generic over the trigger's request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "R: Deserialize<'de> + Default"))]
pub struct Envelope<R> {
    /// `"1"` for most triggers; pre token generation sends `"1"`, `"2"` or `"3"`.
    #[serde(default, deserialize_with = "de::string")]
    pub version: String,
    /// For example `CustomMessage_ForgotPassword`.
    #[serde(default, deserialize_with = "de::string")]
    pub trigger_source: String,
    #[serde(default, deserialize_with = "de::string")]
    pub region: String,
    #[serde(default, deserialize_with = "de::string")]
    pub user_pool_id: String,
    /// The user's username (for pools with email or phone as username, their `sub`).
    #[serde(default, deserialize_with = "de::string")]
    pub user_name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub caller_context: CallerContext,
    #[serde(default, deserialize_with = "null_default")]
    pub request: R,
}

/// Who called Cognito: the SDK and the app client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallerContext {
    #[serde(
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub aws_sdk_version: Option<String>,
    /// Absent for some admin APIs and in cognito-local; `CLIENT_ID_NOT_APPLICABLE` for others.
    #[serde(
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_id: Option<String>,
}

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Why an event could not be read. The message names the problem, never a field's value.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the event is not valid JSON: {0}")]
    Json(String),
    #[error("the event must be a JSON object, found {0}")]
    NotAnObject(&'static str),
    #[error("the event's {0}")]
    Shape(String),
}

/// Parses an event from bytes, accepting a UTF-8 byte-order mark (as in some published
/// samples and files saved by Windows editors).
pub fn parse_bytes(bytes: &[u8]) -> Result<Value, EventError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| EventError::Json(describe_json_error(&e)))?;
    Ok(value)
}

/// Reads a typed view of an event. Errors say which part is malformed, never what it held.
pub fn view<R: for<'de> Deserialize<'de> + Default>(event: &Value) -> Result<Envelope<R>, EventError> {
    if !event.is_object() {
        return Err(EventError::NotAnObject(de::json_type(event)));
    }
    Envelope::<R>::deserialize(event).map_err(|e| EventError::Shape(describe_json_error(&e)))
}

/// serde_json's messages can quote input (`invalid type: string "123456"`); keep only the
/// category and position so a secret in a malformed field never reaches a log.
fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "could not be read",
        Category::Syntax => "has a syntax error",
        Category::Eof => "ends too early",
        Category::Data => "has a field of the wrong type",
    };
    if e.line() > 0 {
        format!("{what} (line {}, column {})", e.line(), e.column())
    } else {
        what.to_owned()
    }
}

/// A trigger source (or any event string) made safe to log: printable ASCII only, at most
/// 64 characters. Trigger sources are Cognito's own words, but a hand-made event could carry
/// anything.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .take(64)
        .collect()
}

/// Writes `response` fields into the event, replacing a `null` or missing `response`, and
/// keeping any response fields it does not set.
pub fn set_response<T: Serialize>(event: &mut Value, response: &T) {
    let Value::Object(root) = event else { return };
    let Ok(Value::Object(fields)) = serde_json::to_value(response) else {
        return;
    };
    let slot = root.entry("response").or_insert(Value::Null);
    if !slot.is_object() {
        *slot = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(existing) = slot {
        existing.extend(fields);
    }
}

/// The message a trigger is asked to produce, common to the custom message trigger and the
/// custom SMS and email senders (which share one template catalog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageKind {
    SignUp,
    AdminCreateUser,
    ResendCode,
    ForgotPassword,
    UpdateUserAttribute,
    VerifyUserAttribute,
    Authentication,
    /// Only the custom senders receive this one (threat protection); it carries no code.
    AccountTakeOverNotification,
}

/// Every trigger source these functions handle (and the password changes CloudTrail reports):
/// the bounded set metrics use as a dimension.
pub const KNOWN_TRIGGER_SOURCES: &[&str] = &[
    "CustomMessage_SignUp",
    "CustomMessage_AdminCreateUser",
    "CustomMessage_ResendCode",
    "CustomMessage_ForgotPassword",
    "CustomMessage_UpdateUserAttribute",
    "CustomMessage_VerifyUserAttribute",
    "CustomMessage_Authentication",
    "CustomSMSSender_SignUp",
    "CustomSMSSender_AdminCreateUser",
    "CustomSMSSender_ResendCode",
    "CustomSMSSender_ForgotPassword",
    "CustomSMSSender_UpdateUserAttribute",
    "CustomSMSSender_VerifyUserAttribute",
    "CustomSMSSender_Authentication",
    "CustomSMSSender_AccountTakeOverNotification",
    "CustomEmailSender_SignUp",
    "CustomEmailSender_AdminCreateUser",
    "CustomEmailSender_ResendCode",
    "CustomEmailSender_ForgotPassword",
    "CustomEmailSender_UpdateUserAttribute",
    "CustomEmailSender_VerifyUserAttribute",
    "CustomEmailSender_Authentication",
    "CustomEmailSender_AccountTakeOverNotification",
    "TokenGeneration_HostedAuth",
    "TokenGeneration_Authentication",
    "TokenGeneration_NewPasswordChallenge",
    "TokenGeneration_AuthenticateDevice",
    "TokenGeneration_RefreshTokens",
    "TokenGeneration_ClientCredentials",
    "PostConfirmation_ConfirmSignUp",
    "PostConfirmation_ConfirmForgotPassword",
    "AdminSetUserPassword",
    "ChangePassword",
];

/// The trigger families whose sources name a [`MessageKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    CustomMessage,
    CustomSmsSender,
    CustomEmailSender,
}

impl Family {
    pub const fn prefix(self) -> &'static str {
        match self {
            Family::CustomMessage => "CustomMessage_",
            Family::CustomSmsSender => "CustomSMSSender_",
            Family::CustomEmailSender => "CustomEmailSender_",
        }
    }
}

impl MessageKind {
    pub const ALL: [MessageKind; 8] = [
        MessageKind::SignUp,
        MessageKind::AdminCreateUser,
        MessageKind::ResendCode,
        MessageKind::ForgotPassword,
        MessageKind::UpdateUserAttribute,
        MessageKind::VerifyUserAttribute,
        MessageKind::Authentication,
        MessageKind::AccountTakeOverNotification,
    ];

    /// The suffix of the trigger source, e.g. `ForgotPassword`.
    pub const fn name(self) -> &'static str {
        match self {
            MessageKind::SignUp => "SignUp",
            MessageKind::AdminCreateUser => "AdminCreateUser",
            MessageKind::ResendCode => "ResendCode",
            MessageKind::ForgotPassword => "ForgotPassword",
            MessageKind::UpdateUserAttribute => "UpdateUserAttribute",
            MessageKind::VerifyUserAttribute => "VerifyUserAttribute",
            MessageKind::Authentication => "Authentication",
            MessageKind::AccountTakeOverNotification => "AccountTakeOverNotification",
        }
    }

    /// Whether `family` can send this kind (the custom message trigger has no account
    /// takeover notification).
    pub const fn sent_by(self, family: Family) -> bool {
        !matches!(
            (self, family),
            (MessageKind::AccountTakeOverNotification, Family::CustomMessage)
        )
    }

    /// Maps a trigger source of `family` to its kind; `None` for anything else, which the
    /// handlers pass through (or refuse) rather than guess at.
    pub fn from_trigger_source(family: Family, trigger_source: &str) -> Option<Self> {
        let suffix = trigger_source.strip_prefix(family.prefix())?;
        Self::ALL.into_iter().find(|k| k.name() == suffix && k.sent_by(family))
    }

    /// The trigger source of this kind in `family`.
    pub fn trigger_source(self, family: Family) -> String {
        format!("{}{}", family.prefix(), self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_message_trigger_source_is_a_known_one() {
        for family in [
            Family::CustomMessage,
            Family::CustomSmsSender,
            Family::CustomEmailSender,
        ] {
            for kind in MessageKind::ALL.into_iter().filter(|k| k.sent_by(family)) {
                assert!(
                    KNOWN_TRIGGER_SOURCES.contains(&kind.trigger_source(family).as_str()),
                    "{kind:?}"
                );
            }
        }
    }

    #[test]
    fn trigger_sources_map_to_kinds_per_family() {
        assert_eq!(
            MessageKind::from_trigger_source(Family::CustomMessage, "CustomMessage_ForgotPassword"),
            Some(MessageKind::ForgotPassword)
        );
        assert_eq!(
            MessageKind::from_trigger_source(Family::CustomSmsSender, "CustomSMSSender_AccountTakeOverNotification"),
            Some(MessageKind::AccountTakeOverNotification)
        );
        assert_eq!(
            MessageKind::from_trigger_source(Family::CustomMessage, "CustomMessage_AccountTakeOverNotification"),
            None
        );
        assert_eq!(
            MessageKind::from_trigger_source(Family::CustomMessage, "CustomSMSSender_ForgotPassword"),
            None
        );
        assert_eq!(
            MessageKind::from_trigger_source(Family::CustomMessage, "CustomMessage_SignUp/CustomMessage_ResendCode"),
            None
        );
        for kind in MessageKind::ALL {
            for family in [
                Family::CustomMessage,
                Family::CustomSmsSender,
                Family::CustomEmailSender,
            ] {
                if kind.sent_by(family) {
                    assert_eq!(
                        MessageKind::from_trigger_source(family, &kind.trigger_source(family)),
                        Some(kind)
                    );
                }
            }
        }
    }

    #[test]
    fn parse_accepts_a_byte_order_mark_and_reports_position_without_content() {
        let v = parse_bytes(b"\xEF\xBB\xBF{\"version\":\"1\"}").unwrap();
        assert_eq!(v["version"], "1");
        let err = parse_bytes(b"{\"code\": \"SECRET-123\"").unwrap_err().to_string();
        assert!(err.contains("ends too early"), "{err}");
        assert!(!err.contains("SECRET"), "{err}");
    }

    #[test]
    fn view_tolerates_nulls_numbers_and_missing_parts() {
        let ev = json!({"version": 1, "callerContext": null, "request": null, "userName": null});
        let env: Envelope<custom_message::CustomMessageRequest> = view(&ev).unwrap();
        assert_eq!(env.version, "1");
        assert_eq!(env.caller_context, CallerContext::default());
        assert_eq!(env.user_name, "");
        assert!(matches!(
            view::<custom_message::CustomMessageRequest>(&json!([1])),
            Err(EventError::NotAnObject("an array"))
        ));
    }

    #[test]
    fn view_errors_do_not_echo_values() {
        let ev = json!({"request": {"userAttributes": "secret-value-42"}});
        let err = view::<custom_message::CustomMessageRequest>(&ev)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret-value-42"), "{err}");
        assert!(err.contains("wrong type") || err.contains("expected"), "{err}");
    }

    #[test]
    fn set_response_replaces_null_and_keeps_other_fields() {
        let mut ev = json!({"triggerSource": "x", "response": null, "extra": {"a": 1}});
        set_response(&mut ev, &json!({"smsMessage": "hi"}));
        assert_eq!(
            ev,
            json!({"triggerSource": "x", "response": {"smsMessage": "hi"}, "extra": {"a": 1}})
        );
        let mut ev = json!({"response": {"keep": true, "smsMessage": "old"}});
        set_response(&mut ev, &json!({"smsMessage": "new"}));
        assert_eq!(ev, json!({"response": {"keep": true, "smsMessage": "new"}}));
        let mut ev = json!({});
        set_response(&mut ev, &json!({"a": 1}));
        assert_eq!(ev, json!({"response": {"a": 1}}));
    }
}

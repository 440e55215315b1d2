//! Fills `emailSubject`, `emailMessage` and `smsMessage` for every `CustomMessage_*` source.
//!
//! The messages carry Cognito's own placeholders (`codeParameter`, and `usernameParameter`
//! for AdminCreateUser), which Cognito replaces with the code after this returns; the code
//! itself never reaches this function. What it must never do is block a user: an unknown
//! trigger source, or a template that fails or breaks one of Cognito's rules, returns the
//! event unchanged (Cognito then sends its default message) with one warning. Only an event
//! that is not a custom message event at all is refused, with an error that says why.

use cognito_reset::domain::config::{self, InitError, MessageConfig};
use cognito_reset::domain::events::custom_message::{CustomMessageRequest, CustomMessageResponse};
use cognito_reset::domain::events::{self, Envelope, EventError, Family, MessageKind};
use cognito_reset::domain::messages::{Catalog, Code, MessageError, MessageInput};
use lambda_runtime::Diagnostic;
use serde_json::Value;
use tracing::{debug, error, info, warn};

/// Built once at init.
#[derive(Debug)]
pub struct Deps {
    pub catalog: Catalog,
    pub config: MessageConfig,
}

impl Deps {
    pub fn from_env() -> Result<Self, InitError> {
        Self::from_source(&cognito_reset::runtime::env::Environment)
    }

    pub fn from_source(src: &impl config::Source) -> Result<Self, InitError> {
        Ok(Deps {
            catalog: Catalog::embedded()?,
            config: MessageConfig::from_source(src)?,
        })
    }
}

/// What Cognito is told when the event cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("custom-message cannot read this event: {0}")]
pub struct InvalidEvent(#[from] EventError);

impl From<InvalidEvent> for Diagnostic {
    fn from(e: InvalidEvent) -> Self {
        Diagnostic {
            error_type: "InvalidEvent".into(),
            error_message: e.to_string(),
        }
    }
}

/// Handles one event with what init produced: the dependencies, or why they are unusable.
/// Then every event is returned unchanged (Cognito sends its default message, so no reset or
/// sign-up is blocked), with one error log per invocation naming the problem.
pub fn respond(started: &Result<Deps, InitError>, event: Value) -> Result<Value, InvalidEvent> {
    match started {
        Ok(deps) => handle(deps, event),
        Err(e) => {
            let variable = match e {
                InitError::Config(c) => c.variable,
                InitError::Catalog(_) => "(message catalog)",
            };
            error!(variable, error = %e, "configuration unusable: event returned unchanged, Cognito sends its default message");
            cognito_reset::runtime::metrics::outcome(
                "default_message_used",
                event["triggerSource"].as_str().unwrap_or_default(),
            );
            Ok(event)
        }
    }
}

/// Handles one event.
pub fn handle(deps: &Deps, mut event: Value) -> Result<Value, InvalidEvent> {
    let envelope: Envelope<CustomMessageRequest> = events::view(&event)?;
    let source = events::printable(&envelope.trigger_source);
    debug!(
        trigger_source = %source,
        attributes = ?envelope.request.user_attributes.keys().collect::<Vec<_>>(),
        client_id = ?envelope.caller_context.client_id,
        "custom message event read"
    );
    let Some(kind) = MessageKind::from_trigger_source(Family::CustomMessage, &envelope.trigger_source) else {
        warn!(trigger_source = %source, "unknown trigger source: event returned unchanged, Cognito sends its default message");
        cognito_reset::runtime::metrics::outcome("default_message_used", &source);
        return Ok(event);
    };
    match compose(deps, kind, &envelope) {
        Ok((response, locale)) => {
            events::set_response(&mut event, &response);
            info!(trigger_source = %source, locale = %locale, "custom message set");
            cognito_reset::runtime::metrics::outcome("customized", &source);
        }
        Err(e) => {
            warn!(trigger_source = %source, error = %e, "message not customized: event returned unchanged, Cognito sends its default message");
            cognito_reset::runtime::metrics::outcome("default_message_used", &source);
        }
    }
    Ok(event)
}

/// The message for one event, or why Cognito's default one goes out instead (what [`handle`]
/// logs; the message gallery shows it).
pub fn compose(
    deps: &Deps,
    kind: MessageKind,
    e: &Envelope<CustomMessageRequest>,
) -> Result<(CustomMessageResponse, String), MessageError> {
    let request = &e.request;
    let code = request.code_placeholder();
    let username = request.username_placeholder();
    let branding = deps.config.branding(e.caller_context.client_id.as_deref());
    let locales = [
        request.client_metadata.get("locale"),
        request.user_attributes.get("locale"),
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect();
    let rendered = deps.catalog.render(&MessageInput {
        kind,
        branding,
        locales,
        code: Code::Placeholder(code),
        username,
        link_username: &e.user_name,
        user_attributes: &request.user_attributes,
        reserved: &[code, username],
    })?;
    rendered.check_custom_message(kind, code, username)?;
    let response = CustomMessageResponse {
        sms_message: rendered.sms,
        email_message: rendered.html,
        email_subject: rendered.subject,
    };
    Ok((response, rendered.locale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    fn deps(pairs: &[(&str, &str)]) -> Deps {
        Deps::from_source(&pairs.iter().copied().collect::<HashMap<_, _>>()).unwrap()
    }

    fn event(source: &str) -> Value {
        json!({
            "version": "1", "region": "us-east-1", "userPoolId": "us-east-1_Example",
            "userName": "jane", "callerContext": {"awsSdkVersion": "aws-sdk-js-3", "clientId": "web"},
            "triggerSource": source,
            "request": {"userAttributes": {"email": "jane@example.com", "given_name": "Jane"},
                        "codeParameter": "{####}", "usernameParameter": "{username}", "linkParameter": "{##Click Here##}"},
            "response": {"smsMessage": null, "emailMessage": null, "emailSubject": null}
        })
    }

    #[test]
    fn an_unusable_configuration_returns_every_event_unchanged() {
        let bad = Deps::from_source(&[("DEFAULT_LOCALE", "english")].into_iter().collect::<HashMap<_, _>>());
        assert!(matches!(&bad, Err(InitError::Config(c)) if c.variable == "DEFAULT_LOCALE"));
        for source in [
            "CustomMessage_ForgotPassword",
            "CustomMessage_SignUp",
            "CustomMessage_AdminCreateUser",
        ] {
            let input = event(source);
            assert_eq!(respond(&bad, input.clone()).expect("never an error"), input, "{source}");
        }
        // The same event is customized once the configuration is usable.
        let good = Deps::from_source(&HashMap::<&str, &str>::new());
        let out = respond(&good, event("CustomMessage_ForgotPassword")).unwrap();
        assert!(out["response"]["emailMessage"].is_string());
    }

    #[test]
    fn fills_all_three_fields_and_keeps_the_rest() {
        let d = deps(&[("APP_NAME", "Contoso")]);
        let input = event("CustomMessage_ForgotPassword");
        let out = handle(&d, input.clone()).unwrap();
        let r = &out["response"];
        assert_eq!(r["emailSubject"], "Reset your Contoso password");
        assert!(r["emailMessage"].as_str().unwrap().contains("{####}"));
        assert!(r["smsMessage"].as_str().unwrap().contains("{####}"));
        let mut rest = out.clone();
        rest.as_object_mut().unwrap().remove("response");
        let mut expected = input;
        expected.as_object_mut().unwrap().remove("response");
        assert_eq!(rest, expected);
    }

    #[test]
    fn client_metadata_locale_overrides_the_attribute() {
        let d = deps(&[]);
        let mut e = event("CustomMessage_ForgotPassword");
        e["request"]["userAttributes"]["locale"] = json!("fr");
        let out = handle(&d, e.clone()).unwrap();
        let fr = out["response"]["emailSubject"].as_str().unwrap().to_owned();
        e["request"]["clientMetadata"] = json!({"locale": "es-MX"});
        let out = handle(&d, e).unwrap();
        let es = out["response"]["emailSubject"].as_str().unwrap().to_owned();
        assert_ne!(fr, es);
        assert!(
            out["response"]["emailMessage"]
                .as_str()
                .unwrap()
                .contains("lang=\"es\"")
        );
    }

    #[test]
    fn placeholders_come_from_the_request() {
        let d = deps(&[]);
        let mut e = event("CustomMessage_AdminCreateUser");
        e["request"]["codeParameter"] = json!("<<CODE>>");
        e["request"]["usernameParameter"] = json!("<<USER>>");
        let out = handle(&d, e).unwrap();
        for part in ["smsMessage", "emailMessage"] {
            let t = out["response"][part].as_str().unwrap();
            assert!(
                t.contains("<<CODE>>") || t.contains("&lt;&lt;CODE&gt;&gt;"),
                "{part}: {t}"
            );
        }
    }

    #[test]
    fn unknown_sources_pass_through_unchanged() {
        let d = deps(&[]);
        for source in [
            "CustomMessage_Future",
            "PreSignUp_SignUp",
            "",
            "CustomMessage_AccountTakeOverNotification",
        ] {
            let e = event(source);
            assert_eq!(handle(&d, e.clone()).unwrap(), e, "{source}");
        }
    }

    #[test]
    fn per_client_branding_is_used() {
        let d = deps(&[
            ("APP_NAME", "Contoso"),
            ("CLIENT_SETTINGS", r#"{"web": {"appName": "Contoso Web"}}"#),
        ]);
        let out = handle(&d, event("CustomMessage_SignUp")).unwrap();
        assert_eq!(out["response"]["emailSubject"], "Confirm your Contoso Web account");
    }

    #[test]
    fn a_message_cognito_would_refuse_is_not_returned() {
        // A placeholder so long that the SMS cannot stay within 140 characters.
        let d = deps(&[]);
        let mut e = event("CustomMessage_SignUp");
        e["request"]["codeParameter"] = json!("#".repeat(150));
        assert_eq!(handle(&d, e.clone()).unwrap(), e);
    }

    #[test]
    fn malformed_events_get_a_clear_error() {
        let d = deps(&[]);
        let err = handle(&d, json!("just a string")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "custom-message cannot read this event: the event must be a JSON object, found a string"
        );
        let err = handle(
            &d,
            json!({"triggerSource": "CustomMessage_SignUp", "request": {"userAttributes": [1]}}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("wrong type"), "{err}");
        let diag: Diagnostic = err.into();
        assert_eq!(diag.error_type, "InvalidEvent");
    }
}

//! The custom message handler on this project's fixtures (one per trigger source, in the shape
//! the Cognito developer guide documents).

use std::collections::HashMap;

use cognito_reset::domain::events::{Family, MessageKind};
use serde_json::json;

fn deps(pairs: &[(&str, &str)]) -> custom_message::Deps {
    custom_message::Deps::from_source(&pairs.iter().copied().collect::<HashMap<_, _>>()).expect("deps")
}

#[test]
fn every_trigger_source_fixture_gets_an_acceptable_response() {
    let d = deps(&[("APP_NAME", "Contoso"), ("RESET_URL", "https://app.example.com/reset")]);
    for kind in MessageKind::ALL
        .into_iter()
        .filter(|k| k.sent_by(Family::CustomMessage))
    {
        let name = format!("custom-message-{}.json", kind.name());
        let event = cognito_reset_stack::fixture(&name);
        let out = custom_message::handle(&d, event).unwrap_or_else(|e| panic!("{name}: {e}"));
        crate::assert_cognito_accepts(kind, &out, &name);
        assert!(
            out["response"]["emailSubject"]
                .as_str()
                .unwrap_or_default()
                .contains("Contoso"),
            "{name}"
        );
    }
}

#[test]
fn forgot_password_link_survives_cognitos_substitution() {
    let d = deps(&[("RESET_URL", "https://app.example.com/reset")]);
    let mut event = cognito_reset_stack::fixture("custom-message-ForgotPassword.json");
    event["userName"] = json!("jane+1@example.com");
    let out = custom_message::handle(&d, event).expect("handled");
    // What Cognito does after we return: replace the placeholder with the code.
    let html = out["response"]["emailMessage"]
        .as_str()
        .expect("set")
        .replace("{####}", "042917");
    let href = html
        .split("href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a link");
    let href = href.replace("&amp;", "&").replace("&#x2f;", "/");
    assert_eq!(
        href,
        "https://app.example.com/reset#username=jane%2B1%40example.com&code=042917"
    );
}

#[test]
fn the_user_locale_selects_the_language() {
    let d = deps(&[]);
    for (locale, expected) in [
        ("es", "Restablece"),
        ("pt-BR", "Redefina"),
        ("fr_FR", "Réinitialisez"),
        ("de", "Reset"),
    ] {
        let mut event = cognito_reset_stack::fixture("custom-message-ForgotPassword.json");
        event["request"]["userAttributes"]["locale"] = json!(locale);
        let out = custom_message::handle(&d, event).expect("handled");
        let subject = out["response"]["emailSubject"].as_str().expect("set");
        assert!(subject.starts_with(expected), "{locale}: {subject}");
    }
}

//! Hostile input, as properties: arbitrary JSON and arbitrary attribute values never make a
//! function panic; HTML in attributes is escaped in HTML bodies; CR/LF never reach a subject;
//! placeholders in attribute values are not expanded; oversized attributes cannot push a
//! message over Cognito's or the SMS limits.

use std::collections::HashMap;

use cognito_reset::domain::events::{self, Family, MessageKind, StringMap};
use cognito_reset::domain::messages::{Branding, Catalog, Code, MessageInput, limits, sms};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Arbitrary JSON, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::hash_map("[a-zA-Z_:]{0,16}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A custom message event whose parts are arbitrary: known keys with arbitrary values.
fn event_like() -> impl Strategy<Value = Value> {
    let sources = prop_oneof![
        Just("CustomMessage_ForgotPassword".to_owned()),
        Just("CustomMessage_AdminCreateUser".to_owned()),
        Just("TokenGeneration_Authentication".to_owned()),
        Just("PostConfirmation_ConfirmForgotPassword".to_owned()),
        Just("CustomSMSSender_ForgotPassword".to_owned()),
        ".{0,30}",
    ];
    (sources, any_json(), any_json(), any_json(), any_json()).prop_map(|(source, attrs, meta, request, response)| {
        let mut e = json!({"version": "1", "triggerSource": source, "userPoolId": "us-east-1_P", "userName": "u",
                           "request": request, "response": response});
        if e["request"].is_object() {
            e["request"]["userAttributes"] = attrs;
            e["request"]["clientMetadata"] = meta;
        }
        e
    })
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,300}",
        "[<>&\"'{}#\r\n\t ]{0,80}",
        Just("{####}".repeat(50)),
        Just("<script>alert(1)</script>\r\nBcc: eve@example.com".to_owned()),
        Just("\u{202e}\u{0000}\u{0007}{username}".to_owned()),
        "[\u{0}-\u{10ffff}]{0,2000}",
    ]
}

fn custom_message_deps() -> custom_message::Deps {
    custom_message::Deps::from_source(&HashMap::<&str, &str>::new()).expect("deps")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics_any_handler(event in prop_oneof![any_json(), event_like()]) {
        use cognito_reset::fakes::{FakeDecryptor, FakeUsers, Outbox, block_on};
        let cm = custom_message_deps();
        let _ = custom_message::handle(&cm, event.clone());
        let pt = pre_token::Deps::from_source(&HashMap::from([("PASSWORD_MAX_AGE_DAYS", "90"), ("ON_VIOLATION", "restrict")]), FakeUsers::default()).expect("deps");
        let _ = crate::pre_token_handle(&pt, event.clone(), 1_795_434_619);
        let pc = post_confirmation::Deps { settings: post_confirmation::Settings::from_source(&HashMap::<&str, &str>::new()).expect("settings"), users: FakeUsers::default() };
        let _ = block_on(post_confirmation::handle(&pc, event.clone(), 1_795_434_619));
        let sender_env = HashMap::from([
            ("KEY_ARN", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            ("SMS_ALLOWED_COUNTRIES", "ALL"),
            ("EMAIL_FROM", "no-reply@example.com"),
        ]);
        let sms = custom_sms_sender::Deps { settings: custom_sms_sender::Settings::from_source(&sender_env).expect("settings"), decryptor: FakeDecryptor::default(), sms: Outbox::default(), ledger: cognito_reset::domain::ledger::NoLedger };
        let _ = block_on(custom_sms_sender::handle(&sms, event.clone()));
        let email = custom_email_sender::Deps { settings: custom_email_sender::Settings::from_source(&sender_env).expect("settings"), decryptor: FakeDecryptor::default(), email: Outbox::default(), ledger: cognito_reset::domain::ledger::NoLedger };
        let _ = block_on(custom_email_sender::handle(&email, event.clone()));
        let bytes = serde_json::to_vec(&event).expect("json");
        prop_assert!(events::parse_bytes(&bytes).is_ok());
    }

    #[test]
    fn sender_messages_stay_within_limits_with_any_attributes(given in hostile_text(), city in hostile_text(),
                                                              kind in 0usize..8, code in "[0-9]{6}") {
        let kind = MessageKind::ALL[kind];
        let attrs: StringMap = [("given_name", given), ("CITY", city), ("DEVICE_NAME", "x".repeat(5000))]
            .into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let branding = Branding::default();
        let r = Catalog::embedded().expect("catalog").render(&MessageInput {
            kind, branding: &branding, locales: vec![], code: if kind == MessageKind::AccountTakeOverNotification { Code::None } else { Code::Plain(&code) },
            username: "jane", link_username: "jane", user_attributes: &attrs, reserved: &[],
        }).expect("renders");
        prop_assert!(r.subject.chars().count() <= limits::EMAIL_SUBJECT_MAX);
        prop_assert!(!r.subject.contains(['\r', '\n']));
        prop_assert!(r.html.chars().count() <= limits::EMAIL_MESSAGE_MAX);
        prop_assert!(!r.html.contains("<script"));
        prop_assert!(sms::segments(&r.sms).parts <= 2, "{:?}", sms::segments(&r.sms));
        if kind != MessageKind::AccountTakeOverNotification {
            prop_assert_eq!(r.sms.matches(code.as_str()).count(), 1);
        }
    }
}

/// Hostile attributes either get an acceptable custom message or leave the event unchanged
/// (Cognito's default message). A renderer that always gave up would pass that alone, so the
/// run also counts: nearly every such event must really be customized.
#[test]
fn a_custom_message_response_is_either_acceptable_or_absent_and_usually_present() {
    use proptest::test_runner::{Config, TestRunner};
    const CASES: u32 = 256;
    let customized = std::cell::Cell::new(0u32);
    let deps = custom_message_deps();
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (hostile_text(), hostile_text(), hostile_text(), 0usize..7);
    runner
        .run(&strategy, |(given, family, locale, kind)| {
            let kind = MessageKind::ALL
                .into_iter()
                .filter(|k| k.sent_by(Family::CustomMessage))
                .nth(kind)
                .expect("kind");
            let mut e = cognito_reset_stack::fixture(&format!("custom-message-{}.json", kind.name()));
            e["request"]["userAttributes"]["given_name"] = json!(given);
            e["request"]["userAttributes"]["name"] = json!(family);
            e["request"]["userAttributes"]["locale"] = json!(locale);
            let out = custom_message::handle(&deps, e.clone()).expect("a well-formed event is answered");
            if out["response"]["emailMessage"].is_string() {
                customized.set(customized.get() + 1);
                crate::assert_cognito_accepts(kind, &out, "hostile attributes");
                let html = out["response"]["emailMessage"].as_str().expect("html");
                prop_assert!(!html.contains("<script"), "unescaped markup");
                prop_assert_eq!(
                    html.matches("{####}").count(),
                    1,
                    "the code placeholder appears once, where the code goes"
                );
                let subject = out["response"]["emailSubject"].as_str().expect("subject");
                prop_assert!(!subject.contains('\r') && !subject.contains('\n'));
            } else {
                prop_assert_eq!(out, e, "left unchanged for Cognito's default");
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    // Every attribute is cut and cleaned before rendering, so no hostile value should stop a
    // message; allow a little slack for what the generator cannot foresee.
    assert!(
        customized.get() >= CASES * 95 / 100,
        "only {} of {CASES} events with hostile attributes were customized",
        customized.get()
    );
}

//! Every event that AWS, its libraries and users published (the team handbook's
//! `fixtures/events`, kept outside this repository and named by
//! `COGNITO_RESET_PUBLISHED_EVENTS`) is read without error, and
//! every custom message event among them gets a response Cognito would accept, or comes back
//! unchanged when its trigger source is not a real one.

use std::path::PathBuf;

use cognito_reset::domain::events::custom_message::CustomMessageRequest;
use cognito_reset::domain::events::sender::SenderRequest;
use cognito_reset::domain::events::{self, Envelope, Family, MessageKind};

/// The variable that names the folder of events AWS, its libraries and users published (the
/// team handbook's `fixtures/events`, which this repository does not copy).
const PUBLISHED_EVENTS: &str = "COGNITO_RESET_PUBLISHED_EVENTS";

/// The published events' folder when [`PUBLISHED_EVENTS`] names one (a relative path is taken
/// from the workspace root, as `.ci/run` gives it); `None` when it is unset. Panics when it
/// names a folder that is not there: a run that asked for them must not pass without them.
fn published_events_dir() -> Option<PathBuf> {
    let named = std::env::var_os(PUBLISHED_EVENTS).filter(|v| !v.is_empty())?;
    let dir = cognito_reset_stack::root().join(named);
    assert!(dir.is_dir(), "{PUBLISHED_EVENTS}={} is not a folder", dir.display());
    Some(dir)
}

fn published() -> Option<Vec<(String, PathBuf)>> {
    let Some(dir) = published_events_dir() else {
        cognito_reset_stack::skipped(&format!(
            "published events: {PUBLISHED_EVENTS} names no folder (CI sets it to ../shared/fixtures/events)"
        ));
        return None;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| (p.file_name().unwrap_or_default().to_string_lossy().into_owned(), p))
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "expected the published events, found {}",
        files.len()
    );
    Some(files)
}

#[test]
fn every_published_event_parses() {
    let Some(files) = published() else { return };
    for (name, path) in files {
        let bytes = std::fs::read(&path).expect("readable");
        let event = events::parse_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let family = name.split('-').take(2).collect::<Vec<_>>().join("-");
        match family.as_str() {
            "custom-message" => {
                events::view::<CustomMessageRequest>(&event).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            "custom-email" | "custom-sms" => {
                let e: Envelope<SenderRequest> = events::view(&event).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(
                    e.request.code.is_some()
                        || e.trigger_source.ends_with("AccountTakeOverNotification")
                        || !e.trigger_source.starts_with("Custom"),
                    "{name}: no code"
                );
            }
            _ => {
                events::view::<serde_json::Value>(&event).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
    }
}

#[test]
fn every_published_custom_message_event_gets_an_acceptable_response() {
    let Some(files) = published() else { return };
    let deps = custom_message::Deps::from_source(&std::collections::HashMap::<&str, &str>::new()).expect("deps");
    let mut customized = 0;
    for (name, path) in files.iter().filter(|(n, _)| n.starts_with("custom-message-")) {
        let event = events::parse_bytes(&std::fs::read(path).expect("readable")).expect("parses");
        let source = event["triggerSource"].as_str().unwrap_or_default().to_owned();
        let out = custom_message::handle(&deps, event.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        match MessageKind::from_trigger_source(Family::CustomMessage, &source) {
            Some(kind) => {
                crate::assert_cognito_accepts(kind, &out, name);
                customized += 1;
            }
            None => assert_eq!(
                out, event,
                "{name}: an unknown source ({source}) must come back unchanged"
            ),
        }
    }
    assert!(
        customized >= 5,
        "only {customized} published custom message events were customized"
    );
}

#[test]
fn every_published_pre_token_and_post_confirmation_event_is_answered() {
    let Some(files) = published() else { return };
    let env: std::collections::HashMap<&str, &str> =
        [("PASSWORD_MAX_AGE_DAYS", "90"), ("ON_VIOLATION", "restrict")].into();
    let pre = pre_token::Deps::from_source(&env, cognito_reset::fakes::FakeUsers::default()).expect("deps");
    let post = post_confirmation::Deps {
        settings: post_confirmation::Settings::from_source(&env).expect("settings"),
        users: cognito_reset::fakes::FakeUsers::default(),
    };
    let now = 1_795_434_619;
    let mut answered = 0;
    for (name, path) in &files {
        let event = events::parse_bytes(&std::fs::read(path).expect("readable")).expect("parses");
        if name.starts_with("pre-token-generation-") {
            let out = crate::pre_token_handle(&pre, event.clone(), now).unwrap_or_else(|e| panic!("{name}: {e}"));
            if event["triggerSource"] == "TokenGeneration_NewPasswordChallenge" {
                // A new password was just chosen: its claims are added, the rest kept.
                let details = &out["response"]["claimsOverrideDetails"];
                assert_eq!(
                    details["claimsToAddOrOverride"]["password_changed_at"], "2026-11-23T11:50:19Z",
                    "{name}"
                );
                let before = &event["response"]["claimsOverrideDetails"];
                assert_eq!(
                    details["groupOverrideDetails"], before["groupOverrideDetails"],
                    "{name}"
                );
                for (k, v) in before["claimsToAddOrOverride"].as_object().into_iter().flatten() {
                    assert_eq!(&details["claimsToAddOrOverride"][k], v, "{name}: {k}");
                }
            } else {
                // None of these users has a change time: nothing is added and nothing denied.
                assert_eq!(out, event, "{name}");
            }
            answered += 1;
        } else if name.starts_with("post-confirmation-") {
            let out = crate::block_on(post_confirmation::handle(&post, event.clone(), now))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(out, event, "{name}: returned unchanged");
            answered += 1;
        }
    }
    assert!(answered >= 20, "{answered}");
    // Each published ConfirmSignUp event with a pool and user was stamped.
    let stamped = post.users.updates();
    assert!(stamped.len() >= 3, "{stamped:?}");
    assert!(
        stamped
            .iter()
            .all(|(_, _, attrs)| attrs[0].0 == "custom:password_changed_at")
    );
}

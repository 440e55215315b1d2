//! Every template in every shipped locale, rendered with worst-case values: placeholders
//! present, Cognito's limits held, attributes escaped, reset SMS in one segment.

use cognito_reset::domain::events::{Family, MessageKind, StringMap};
use cognito_reset::domain::messages::sms::{self, Encoding};
use cognito_reset::domain::messages::{Branding, Catalog, Code, MessageInput, limits};

fn worst_attributes() -> StringMap {
    let hostile = "<script>alert('x')</script> & \"{####}\" {username}\r\nBcc: x@example.com ".repeat(20);
    [
        ("given_name", hostile.as_str()),
        ("name", hostile.as_str()),
        ("email", "jane@example.com"),
        ("locale", "xx"),
        ("IP_ADDRESS", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
        ("CITY", hostile.as_str()),
        ("COUNTRY", hostile.as_str()),
        ("DEVICE_NAME", hostile.as_str()),
        ("LOGIN_TIME", "Mon Nov 23 11:50:19 UTC 2026"),
        ("ACCOUNT_TAKE_OVER_ACTION", "BLOCK"),
        ("ONE_CLICK_LINK_VALID", "https://auth.example.com/ato?token=valid"),
        ("ONE_CLICK_LINK_INVALID", "https://auth.example.com/ato?token=invalid"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn longest_branding() -> Branding {
    Branding {
        app_name: "W".repeat(cognito_reset::domain::config::APP_NAME_MAX),
        reset_url: Some(format!("https://{}.example.com/reset", "r".repeat(60))),
        ..Branding::default()
    }
}

#[test]
fn the_catalog_ships_english_and_at_least_three_more_languages() {
    let catalog = Catalog::embedded().expect("compiles");
    let locales: Vec<&str> = catalog.locales().collect();
    assert!(locales.contains(&"en"), "{locales:?}");
    assert!(locales.len() >= 4, "{locales:?}");
}

#[test]
fn every_custom_message_in_every_locale_is_accepted_by_cognito() {
    let catalog = Catalog::embedded().expect("compiles");
    let branding = longest_branding();
    let attrs = worst_attributes();
    for locale in catalog.locales() {
        for kind in MessageKind::ALL
            .into_iter()
            .filter(|k| k.sent_by(Family::CustomMessage))
        {
            let what = format!("{locale}/{}", kind.name());
            let r = catalog
                .render(&MessageInput {
                    kind,
                    branding: &branding,
                    locales: vec![locale],
                    code: Code::Placeholder("{####}"),
                    username: "{username}",
                    link_username: &"u".repeat(128),
                    user_attributes: &attrs,
                    reserved: &["{####}", "{username}"],
                })
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(r.locale, locale, "{what}: every locale has every kind");
            r.check_custom_message(kind, "{####}", "{username}")
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            // The code placeholder appears once where the code goes, never from an attribute.
            assert_eq!(r.sms.matches("{####}").count(), 1, "{what}: {}", r.sms);
            assert!(!r.html.contains("<script>"), "{what}: unescaped attribute");
            assert!(
                r.html.contains("&lt;script&gt;") || !r.html.contains("script"),
                "{what}"
            );
            assert!(!r.text.contains("\r"), "{what}: CR from an attribute reached the text");
            assert!(
                !r.text.contains("Bcc: x@example.com\n"),
                "{what}: a header-like line was injected"
            );
            assert!(r.html.chars().count() <= limits::EMAIL_MESSAGE_MAX, "{what}");
        }
    }
}

#[test]
fn every_code_sms_in_every_locale_is_one_segment_with_a_real_code() {
    let catalog = Catalog::embedded().expect("compiles");
    let branding = longest_branding();
    let attrs = worst_attributes();
    for locale in catalog.locales() {
        for kind in [
            MessageKind::SignUp,
            MessageKind::ResendCode,
            MessageKind::ForgotPassword,
            MessageKind::UpdateUserAttribute,
            MessageKind::VerifyUserAttribute,
            MessageKind::Authentication,
        ] {
            let r = catalog
                .render(&MessageInput {
                    kind,
                    branding: &branding,
                    locales: vec![locale],
                    code: Code::Plain("123456"),
                    username: "jane",
                    link_username: "jane",
                    user_attributes: &attrs,
                    reserved: &[],
                })
                .expect("renders");
            let seg = sms::segments(&r.sms);
            assert_eq!(seg.parts, 1, "{locale}/{}: {seg:?} {:?}", kind.name(), r.sms);
            assert!(r.sms.contains("123456"));
            if locale == "en" {
                assert_eq!(seg.encoding, Encoding::Gsm7, "{}", r.sms);
            }
        }
    }
}

#[test]
fn account_takeover_messages_show_the_details_escaped_and_both_links() {
    let catalog = Catalog::embedded().expect("compiles");
    let attrs = worst_attributes();
    for locale in catalog.locales() {
        let r = catalog
            .render(&MessageInput {
                kind: MessageKind::AccountTakeOverNotification,
                branding: &Branding::default(),
                locales: vec![locale],
                code: Code::None,
                username: "jane",
                link_username: "jane",
                user_attributes: &attrs,
                reserved: &[],
            })
            .expect("renders");
        assert!(
            r.html.contains("token=valid") && r.html.contains("token=invalid"),
            "{locale}"
        );
        assert!(
            r.text.contains("https://auth.example.com/ato?token=invalid"),
            "{locale}"
        );
        assert!(r.text.contains("2001:0db8:85a3"), "{locale}: {}", r.text);
        assert!(!r.html.contains("<script>"), "{locale}");
        assert!(r.subject.chars().count() <= limits::EMAIL_SUBJECT_MAX);
    }
}

#[test]
fn one_click_links_that_are_not_https_are_dropped() {
    let catalog = Catalog::embedded().expect("compiles");
    let mut attrs = worst_attributes();
    attrs.insert("ONE_CLICK_LINK_VALID".into(), "javascript:alert(1)".into());
    let r = catalog
        .render(&MessageInput {
            kind: MessageKind::AccountTakeOverNotification,
            branding: &Branding::default(),
            locales: vec![],
            code: Code::None,
            username: "jane",
            link_username: "jane",
            user_attributes: &attrs,
            reserved: &[],
        })
        .expect("renders");
    assert!(!r.html.contains("javascript:"));
    assert!(!r.html.contains("token=invalid"), "both links or neither");
}

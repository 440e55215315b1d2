use super::hash::{Checked, Format, HashError};
use super::*;

const NOW: i64 = 1_795_434_619; // 2026-11-23T11:50:19Z

fn user(hash: Option<&str>, attributes: &[(&str, &str)], changed_at: Option<i64>) -> LegacyUser {
    LegacyUser {
        password_hash: hash.map(Secret::new),
        attributes: attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        password_changed_at: changed_at,
    }
}

fn ok(matches: bool, weak: bool) -> Option<Result<Checked, HashError>> {
    Some(Ok(Checked {
        format: Format::Bcrypt,
        matches,
        weak,
    }))
}

const SIGN_IN: Trigger<'static> = Trigger::Authentication { password: "pw" };

#[test]
fn a_correct_password_migrates_with_the_legacy_change_time() {
    let policy = PasswordPolicy::default();
    let u = user(
        Some("h"),
        &[("email", "jane@example.com"), ("email_verified", "true")],
        Some(NOW - 86_400),
    );
    let m = decide(Some(&u), SIGN_IN, ok(true, false), &policy, OnWeakHash::ForceReset, NOW).expect("migrates");
    assert_eq!(m.final_user_status, Some("CONFIRMED"));
    assert!(!m.forced_reset);
    assert_eq!(m.attributes["email"], "jane@example.com");
    assert_eq!(
        m.attributes["custom:password_changed_at"],
        rules::timestamp::format(NOW - 86_400)
    );
    assert!(!m.attributes.contains_key("custom:force_password_reset"));
    // No change time in the store: the password counts from now. One in the future: from now.
    for changed_at in [None, Some(NOW + 3_600)] {
        let u = user(Some("h"), &[], changed_at);
        let m = decide(Some(&u), SIGN_IN, ok(true, false), &policy, OnWeakHash::ForceReset, NOW).expect("migrates");
        assert_eq!(
            m.attributes["custom:password_changed_at"],
            rules::timestamp::format(NOW)
        );
    }
}

#[test]
fn a_weak_hash_sets_the_force_flag_only_as_configured() {
    let policy = PasswordPolicy::default();
    let u = user(Some("h"), &[], None);
    let m = decide(Some(&u), SIGN_IN, ok(true, true), &policy, OnWeakHash::ForceReset, NOW).expect("migrates");
    assert!(m.forced_reset);
    let flag = ForceFlag::read(m.attributes.get("custom:force_password_reset").map(String::as_str)).expect("set");
    assert_eq!(flag.since, Some(NOW - NOW % 60), "the minute it was set");
    let m = decide(Some(&u), SIGN_IN, ok(true, true), &policy, OnWeakHash::Allow, NOW).expect("migrates");
    assert!(!m.forced_reset && !m.attributes.contains_key("custom:force_password_reset"));
}

#[test]
fn every_refusal_reads_alike() {
    let policy = PasswordPolicy::default();
    let u = user(Some("h"), &[("email", "a@b.c"), ("email_verified", "true")], None);
    let refused = [
        decide(None, SIGN_IN, None, &policy, OnWeakHash::ForceReset, NOW),
        decide(
            Some(&u),
            SIGN_IN,
            ok(false, false),
            &policy,
            OnWeakHash::ForceReset,
            NOW,
        ),
        decide(
            Some(&user(None, &[], None)),
            SIGN_IN,
            None,
            &policy,
            OnWeakHash::ForceReset,
            NOW,
        ),
        decide(
            Some(&u),
            SIGN_IN,
            Some(Err(HashError::UnknownFormat { scheme: "$1$".into() })),
            &policy,
            OnWeakHash::ForceReset,
            NOW,
        ),
        decide(
            None,
            Trigger::ForgotPassword,
            None,
            &policy,
            OnWeakHash::ForceReset,
            NOW,
        ),
    ];
    let reasons: Vec<&str> = refused
        .iter()
        .map(|r| r.as_ref().expect_err("refused").reason())
        .collect();
    assert_eq!(
        reasons,
        [
            "unknown_user",
            "wrong_password",
            "no_password",
            "unsupported_hash",
            "unknown_user"
        ]
    );
}

#[test]
fn a_reset_migrates_only_a_user_with_a_verified_channel() {
    let policy = PasswordPolicy::default();
    let cases: [(&[(&str, &str)], bool); 6] = [
        (&[("email", "a@b.c"), ("email_verified", "true")], true),
        (
            &[("phone_number", "+14255550123"), ("phone_number_verified", "true")],
            true,
        ),
        (&[("email", "a@b.c"), ("email_verified", "false")], false),
        (&[("email", "a@b.c")], false),
        (&[("email_verified", "true")], false),
        (
            &[
                ("email", "a@b.c"),
                ("phone_number", "+14255550123"),
                ("phone_number_verified", "false"),
            ],
            false,
        ),
    ];
    for (attributes, migrates) in cases {
        // A user without a password may reset: that is how they get one.
        let u = user(None, attributes, Some(NOW - 10));
        let got = decide(
            Some(&u),
            Trigger::ForgotPassword,
            None,
            &policy,
            OnWeakHash::ForceReset,
            NOW,
        );
        match got {
            Ok(m) => {
                assert!(migrates, "{attributes:?}");
                assert_eq!(m.final_user_status, None);
                assert!(
                    !m.attributes.contains_key("custom:password_changed_at"),
                    "stamped at the reset, not now"
                );
                assert_eq!(&m.attributes, &u.attributes, "exactly as the store says");
            }
            Err(r) => assert!(!migrates && r == Refusal::NoVerifiedChannel, "{attributes:?}: {r:?}"),
        }
    }
}

#[test]
fn an_unknown_user_costs_a_check_against_the_stand_in() {
    // The stand-in is a real bcrypt hash of cost 10, which no password here matches.
    let c = hash::check(STAND_IN_HASH, "pw").expect("a valid hash");
    assert!(!c.matches && !c.weak && c.format == Format::Bcrypt);
    assert_eq!(check_password(None, "pw", STAND_IN_HASH), None);
    let own = "$2b$04$guA5nnKLHLrieVidC6/TeeABw/UKL9NetS75yId/cLBaLIWH4IXGe";
    let u = user(Some(own), &[], None);
    let got = check_password(Some(&u), "cost four bcrypt", STAND_IN_HASH);
    assert!(matches!(got, Some(Ok(c)) if c.matches && c.weak));
}

#[test]
fn only_cognito_attributes_the_function_does_not_write_are_allowed() {
    let policy = PasswordPolicy::default();
    for ok in ["email", "phone_number_verified", "custom:plan", "custom:legacy_id_1"] {
        assert_eq!(attribute_allowed(ok, &policy), Ok(()), "{ok}");
    }
    for bad in [
        "sub",
        "username",
        "custom:",
        "custom:way_too_long_for_cognito_x",
        "custom:password_changed_at",
        "custom:force_password_reset",
        "Email",
    ] {
        assert!(attribute_allowed(bad, &policy).is_err(), "{bad}");
    }
    assert_eq!(verified_flag(" TRUE "), Some("true"));
    assert_eq!(verified_flag("f"), Some("false"));
    assert_eq!(verified_flag("maybe"), None);
    assert_eq!(format!("{:?}", Secret::new("$2b$10$abc")), "<redacted>");
}

use super::*;

const NOW: i64 = 1_795_434_619; // 2026-11-23T11:50:19Z

fn policy(max: Option<u32>, warn: Option<u32>, unknown: OnUnknown) -> PasswordPolicy {
    PasswordPolicy {
        max_age_days: max,
        warn_days: warn,
        on_unknown: unknown,
        ..PasswordPolicy::default()
    }
}

fn eval(p: &PasswordPolicy, changed: Option<&str>, forced: Option<&str>, now: i64) -> Evaluation {
    evaluate(
        p,
        |k| match k {
            "custom:password_changed_at" => changed.map(str::to_owned),
            "custom:force_password_reset" => forced.map(str::to_owned),
            _ => None,
        },
        now,
    )
}

#[test]
fn exactly_at_the_limit_is_valid_and_one_second_after_is_expired() {
    let p = policy(Some(90), None, OnUnknown::Allow);
    let changed = NOW - 90 * DAY;
    let at_limit = eval(&p, Some(&timestamp::format(changed)), None, NOW);
    assert_eq!(at_limit.violation, None);
    assert_eq!(at_limit.expires_at, Some(NOW));
    let after = eval(&p, Some(&timestamp::format(changed)), None, NOW + 1);
    assert_eq!(after.violation, Some(Violation::Expired));
}

#[test]
fn unknown_change_time_follows_the_setting() {
    let allow = policy(Some(90), None, OnUnknown::Allow);
    assert_eq!(eval(&allow, None, None, NOW).violation, None);
    let strict = policy(Some(90), None, OnUnknown::Violation);
    assert_eq!(
        eval(&strict, None, None, NOW).violation,
        Some(Violation::UnknownChangeTime)
    );
    assert_eq!(
        eval(&strict, Some("not a date"), None, NOW).violation,
        Some(Violation::UnknownChangeTime)
    );
    let no_age_rule = policy(None, None, OnUnknown::Violation);
    assert_eq!(
        eval(&no_age_rule, None, None, NOW).violation,
        None,
        "no age rule, nothing to enforce"
    );
}

#[test]
fn far_future_times_are_unknown_and_small_skew_is_tolerated() {
    let strict = policy(Some(90), None, OnUnknown::Violation);
    let far = eval(&strict, Some(&timestamp::format(NOW + 10 * 365 * DAY)), None, NOW);
    assert_eq!(far.violation, Some(Violation::UnknownChangeTime));
    assert_eq!(far.changed_at, None);
    let skew = eval(&strict, Some(&timestamp::format(NOW + 60)), None, NOW);
    assert_eq!(skew.violation, None);
    assert_eq!(skew.changed_at, Some(NOW));
}

#[test]
fn the_force_flag_wins_over_a_fresh_password() {
    let p = policy(Some(90), None, OnUnknown::Allow);
    let fresh = Some(timestamp::format(NOW - 10));
    assert_eq!(
        eval(&p, fresh.as_deref(), Some("true"), NOW).violation,
        Some(Violation::ResetRequired)
    );
    assert_eq!(
        eval(&p, fresh.as_deref(), Some("TRUE"), NOW).violation,
        Some(Violation::ResetRequired)
    );
    assert_eq!(eval(&p, fresh.as_deref(), Some("false"), NOW).violation, None);
    let no_rules = policy(None, None, OnUnknown::Allow);
    assert_eq!(
        eval(&no_rules, None, Some("true"), NOW).violation,
        Some(Violation::ResetRequired)
    );
}

#[test]
fn a_federated_user_has_no_password_and_a_linked_native_user_does() {
    let attrs = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
    };
    assert!(!has_password(attrs(&[("cognito:user_status", "EXTERNAL_PROVIDER")])));
    assert!(!has_password(attrs(&[(
        "identities",
        r#"[{"userId":"1","providerName":"Google","providerType":"Google","primary":true}]"#
    )])));
    assert!(has_password(attrs(&[
        ("cognito:user_status", "CONFIRMED"),
        ("identities", r#"[{"providerName":"Google"}]"#)
    ])));
    assert!(has_password(attrs(&[("cognito:user_status", "FORCE_CHANGE_PASSWORD")])));
    assert!(has_password(attrs(&[])));
    assert!(has_password(attrs(&[("identities", "[]")])));
}

#[test]
fn the_force_flag_records_when_it_was_set_and_fails_closed() {
    assert_eq!(ForceFlag::read(None), None);
    for off in ["", " ", "false", "FALSE", "0", "no"] {
        assert_eq!(ForceFlag::read(Some(off)), None, "{off:?}");
    }
    for unknown_time in ["true", "TRUE", "1", "yes", "y", "forced"] {
        assert_eq!(
            ForceFlag::read(Some(unknown_time)),
            Some(ForceFlag { since: None }),
            "{unknown_time:?}"
        );
    }
    let value = ForceFlag::value_at(NOW);
    assert_eq!(value.len(), 8, "fits the template's 8-character attribute");
    let flag = ForceFlag::read(Some(&value)).unwrap();
    assert_eq!(flag.since, Some(NOW - NOW % 60));
    assert!(!flag.cleared_by_change_at(NOW - 3600), "a change before the flag");
    assert!(!flag.cleared_by_change_at(NOW - NOW % 60 + 30), "the same minute");
    assert!(flag.cleared_by_change_at(NOW + 120), "a change after the flag");
    assert!(ForceFlag { since: None }.cleared_by_change_at(0));
    let iso = ForceFlag::read(Some("2026-11-23T11:50:19Z")).unwrap();
    assert_eq!(iso.since, Some(NOW));
    let p = policy(None, None, OnUnknown::Allow);
    assert_eq!(
        eval(&p, None, Some(&value), NOW).violation,
        Some(Violation::ResetRequired)
    );
    assert_eq!(
        eval(&p, None, Some("yes please"), NOW).violation,
        Some(Violation::ResetRequired)
    );
}

#[test]
fn the_warning_window_starts_warn_days_before_expiry() {
    let p = policy(Some(90), Some(14), OnUnknown::Allow);
    let just_inside = NOW - (90 - 14) * DAY;
    assert!(eval(&p, Some(&timestamp::format(just_inside)), None, NOW).expires_soon);
    assert!(!eval(&p, Some(&timestamp::format(just_inside + 1)), None, NOW).expires_soon);
    let expired = eval(&p, Some(&timestamp::format(NOW - 91 * DAY)), None, NOW);
    assert!(!expired.expires_soon, "expired is not 'soon'");
}

#[test]
fn messages_carry_a_code_the_app_can_match() {
    assert!(
        Violation::Expired
            .message()
            .starts_with("Your password has expired; reset it to continue.")
    );
    assert!(Violation::Expired.message().contains("PASSWORD_EXPIRED"));
    assert!(Violation::ResetRequired.message().contains("PASSWORD_RESET_REQUIRED"));
    assert!(
        Violation::ResetRequired.message().contains("Forgot password"),
        "a forced reset tells the user to reset by code"
    );
}

use super::*;

const LIFE: Lifetimes = Lifetimes {
    lease_seconds: 30,
    keep_seconds: 6 * 3600 + 3600,
};

const LIMITS: Limits = Limits {
    per_recipient: 3,
    sign_in_per_recipient: 20,
    window_seconds: 3600,
    per_pool_per_day: Some(1000),
};

fn input(recipient: &str, purpose: Purpose, now: u64) -> ClaimInput<'_> {
    ClaimInput {
        identity: b"AYADeCiphertext",
        token: "t1",
        channel: Channel::Sms,
        purpose,
        recipient,
        user_pool_id: "us-east-1_P",
        hash_key: b"key",
        limits: Some(LIMITS),
        lifetimes: LIFE,
        now,
    }
}

#[test]
fn keys_hold_no_recipient_and_no_code() {
    let c = claim(&input("+12065550123", Purpose::Requested, 7_200));
    let all = format!("{c:?}");
    assert!(!all.contains("2065550123") && !all.contains("AYADeCiphertext"), "{all}");
    assert_eq!(c.message.len(), 2 + 64);
    let r = c.recipient.as_ref().unwrap();
    assert!(r.key.starts_with("r#sms#") && r.key.ends_with("#2"), "{}", r.key);
    assert_eq!((r.max, r.limit), (3, Limit::Recipient));
    let p = c.pool.as_ref().unwrap();
    assert_eq!((p.key.as_str(), p.max), ("p#us-east-1_P#sms#0", 1000));
    assert_eq!(c.token, "t1");
}

#[test]
fn sign_in_codes_and_notices_never_count_against_what_an_outsider_can_fill() {
    let requested = claim(&input("+12065550123", Purpose::Requested, 7_200));
    let sign_in = claim(&input("+12065550123", Purpose::SignIn, 7_200));
    let r = sign_in.recipient.as_ref().unwrap();
    assert_ne!(Some(&r.key), requested.recipient.as_ref().map(|c| &c.key));
    assert!(r.key.starts_with("s#sms#"));
    assert_eq!((r.max, r.limit), (20, Limit::SignIn));
    assert_eq!(sign_in.pool, None, "the pool's ceiling never stops a sign-in code");
    let essential = claim(&input("+12065550123", Purpose::Essential, 7_200));
    assert_eq!((essential.recipient, essential.pool), (None, None));
    assert_eq!(essential.message, requested.message, "still one message per request");
}

#[test]
fn the_recipient_hash_is_keyed_and_normalized() {
    let a = recipient_hash(b"k1", Channel::Email, "Jane@Example.com");
    assert_eq!(a, recipient_hash(b"k1", Channel::Email, " jane@example.com"));
    assert_ne!(a, recipient_hash(b"k2", Channel::Email, "jane@example.com"));
    assert_ne!(a, recipient_hash(b"k1", Channel::Sms, "jane@example.com"));
    // Known answer: HMAC-SHA256("key", "sms:+12065550123").
    assert_eq!(
        recipient_hash(b"key", Channel::Sms, "+12065550123"),
        "eeed67c07b04c4dfed481039e5973a69c45cd53ca720f6b658758490fc4c2699"
    );
}

#[test]
fn one_mailbox_is_one_limit_whatever_its_spelling() {
    for same in ["jane+reset@example.com", "Jane+a+b@Example.com", "jane@example.com"] {
        assert_eq!(mailbox(same), "jane@example.com", "{same}");
    }
    for gmail in ["j.a.n.e@gmail.com", "JANE+x@googlemail.com", "ja.ne+1@GMail.com"] {
        assert_eq!(mailbox(gmail), "jane@gmail.com", "{gmail}");
    }
    assert_eq!(
        mailbox("j.ane@example.com"),
        "j.ane@example.com",
        "dots matter elsewhere"
    );
    assert_eq!(
        recipient_hash(b"k", Channel::Email, "j.ane+1@googlemail.com"),
        recipient_hash(b"k", Channel::Email, "jane@gmail.com")
    );
}

#[test]
fn windows_and_days_split_time_and_expire_after_they_end() {
    let a = claim(&input("+12065550123", Purpose::Requested, 3_599));
    let b = claim(&input("+12065550123", Purpose::Requested, 3_600));
    let (ra, rb) = (a.recipient.clone().unwrap(), b.recipient.clone().unwrap());
    assert_ne!(ra.key, rb.key);
    assert_eq!(ra.expires_at, 3_600 + DAY);
    assert_eq!(b.pool.unwrap().expires_at, 2 * DAY);
    assert_eq!(a.lease_until(), 3_599 + 30);
    assert_eq!(a.message, b.message, "one message, whenever it is retried");
    let none = claim(&ClaimInput {
        limits: None,
        ..input("+12065550123", Purpose::Requested, 0)
    });
    assert_eq!((none.recipient, none.pool), (None, None));
}

#[test]
fn an_existing_message_is_a_duplicate_in_progress_or_claimable() {
    assert_eq!(existing(Some("sent"), 0, 500, 100), Some(Claimed::Duplicate));
    assert_eq!(
        existing(Some("unknown"), 0, 500, 100),
        Some(Claimed::Duplicate),
        "a message the service may have taken is never sent again"
    );
    assert_eq!(existing(Some("in_progress"), 130, 500, 100), Some(Claimed::InProgress));
    // A lapsed lease: the attempt that held it timed out.
    assert_eq!(existing(Some("in_progress"), 90, 500, 100), None);
    assert_eq!(existing(Some("failed"), 0, 500, 100), None);
    // Expired but not yet deleted (TTL deletion is late): as if absent.
    assert_eq!(existing(Some("sent"), 0, 99, 100), None);
    assert_eq!(existing(None, 0, 0, 100), None);
}

//! The shared sender flow's unit tests.

use super::*;
use crate::domain::code::Decrypted;
use serde_json::json;

struct Fake(Result<&'static str, DecryptError>);

impl CodeDecryptor for Fake {
    async fn decrypt(&self, code: &str) -> Result<Decrypted, DecryptError> {
        assert_eq!(code, "Y2lwaGVy");
        self.0.clone().map(|s| Decrypted {
            secret: Secret::new(s),
            user_pool_id: Some("us-east-1_P".into()),
        })
    }
}

fn event(source: &str, code: Value) -> Value {
    json!({"version": "1", "triggerSource": source, "userPoolId": "us-east-1_P", "userName": "jane",
           "request": {"type": "customSMSSenderRequestV1", "code": code, "userAttributes": {}}})
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(f)
}

#[test]
fn read_maps_sources_of_its_family_only() {
    let r = read(
        Family::CustomSmsSender,
        &event("CustomSMSSender_ForgotPassword", json!("x")),
    )
    .unwrap()
    .unwrap();
    assert_eq!(r.kind, MessageKind::ForgotPassword);
    assert!(
        read(
            Family::CustomSmsSender,
            &event("CustomEmailSender_ForgotPassword", json!("x"))
        )
        .unwrap()
        .is_none()
    );
    assert!(matches!(
        read(Family::CustomSmsSender, &json!(42)),
        Err(Failure::Rejected(_))
    ));
}

#[test]
fn temporary_passwords_are_unescaped_and_codes_are_not() {
    let fake = Fake(Ok("a&amp;b&lt;"));
    let r = read(
        Family::CustomSmsSender,
        &event("CustomSMSSender_AdminCreateUser", json!("Y2lwaGVy")),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        block_on(decrypt_code(&fake, &r, true)).unwrap().unwrap().expose(),
        "a&b<"
    );
    let r = read(
        Family::CustomSmsSender,
        &event("CustomSMSSender_ForgotPassword", json!("Y2lwaGVy")),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        block_on(decrypt_code(&fake, &r, true)).unwrap().unwrap().expose(),
        "a&amp;b&lt;"
    );
}

#[test]
fn takeover_notifications_need_no_code_and_others_do() {
    let fake = Fake(Ok("1"));
    let r = read(
        Family::CustomSmsSender,
        &event("CustomSMSSender_AccountTakeOverNotification", Value::Null),
    )
    .unwrap()
    .unwrap();
    assert_eq!(block_on(decrypt_code(&fake, &r, true)), Ok(None));
    let r = read(Family::CustomSmsSender, &event("CustomSMSSender_SignUp", Value::Null))
        .unwrap()
        .unwrap();
    assert!(matches!(
        block_on(decrypt_code(&fake, &r, true)),
        Err(Failure::Rejected(_))
    ));
}

#[test]
fn decrypt_failures_keep_their_retryability() {
    let r = read(
        Family::CustomSmsSender,
        &event("CustomSMSSender_SignUp", json!("Y2lwaGVy")),
    )
    .unwrap()
    .unwrap();
    let f = block_on(decrypt_code(
        &Fake(Err(DecryptError::Unavailable("throttled"))),
        &r,
        true,
    ))
    .unwrap_err();
    assert!(matches!(f, Failure::Retryable(_)));
    let f = block_on(decrypt_code(&Fake(Err(DecryptError::NotBase64)), &r, true)).unwrap_err();
    assert!(matches!(f, Failure::Rejected(_)));
}

#[test]
fn only_retryable_failures_fail_the_invocation() {
    assert!(finish("s", "r", Ok(Delivered::DryRun)).is_ok());
    assert!(finish("s", "r", Err(Failure::Rejected("bad".into()))).is_ok());
    let e = finish("s", "r", Err(Failure::Retryable("KMS throttled".into()))).unwrap_err();
    assert_eq!(e.to_string(), "message not sent: KMS throttled");
}

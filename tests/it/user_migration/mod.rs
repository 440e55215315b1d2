//! User migration on real parts: the PostgreSQL store adapter and the handler against a
//! PostgreSQL server from Debian's packages holding one user per legacy hash format
//! ([`store`]), the HTTPS API store against a team's API over TLS ([`endpoint`]), and the whole
//! sign-in and reset on cognito-local from either ([`flows`]).

mod endpoint;
mod flows;
mod store;

use serde_json::{Value, json};

pub(super) const NOW: i64 = 1_795_434_619;

pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

pub(super) fn sign_in(username: &str, password: &str) -> Value {
    json!({"version": "1", "triggerSource": "UserMigration_Authentication", "region": "us-east-1",
           "userPoolId": "us-east-1_Legacy1", "userName": username,
           "callerContext": {"awsSdkVersion": "aws-sdk-js-3.0.0", "clientId": "web"},
           "request": {"password": password, "validationData": null}, "response": {}})
}

pub(super) fn reset(username: &str) -> Value {
    let mut e = sign_in(username, "");
    e["triggerSource"] = json!("UserMigration_ForgotPassword");
    e["request"] = json!({"validationData": null});
    e
}

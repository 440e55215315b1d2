//! User migration on real parts: the PostgreSQL store adapter and the handler against a
//! PostgreSQL server from Debian's packages holding one user per legacy hash format
//! ([`store`]), the HTTPS API store against a team's API over TLS ([`endpoint`]), and the whole
//! sign-in and reset on cognito-local from either ([`flows`]).

mod endpoint;
mod flows;
mod store;

use cognito_reset_stack::user_migration_event;
use serde_json::Value;

const POOL: &str = "us-east-1_Legacy1";
const CLIENT: &str = "web";

pub(super) const NOW: i64 = 1_795_434_619;

pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

pub(super) fn sign_in(username: &str, password: &str) -> Value {
    user_migration_event(POOL, CLIENT, username, Some(password))
}

pub(super) fn reset(username: &str) -> Value {
    user_migration_event(POOL, CLIENT, username, None)
}

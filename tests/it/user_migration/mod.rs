//! User migration on real parts: the PostgreSQL store adapter and the handler against a
//! PostgreSQL server from Debian's packages holding one user per legacy hash format
//! ([`store`]), and the whole sign-in and reset on cognito-local ([`flows`]).

mod flows;
mod store;

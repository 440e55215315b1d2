//! User migration on real parts: the PostgreSQL store adapter and the handler against a
//! PostgreSQL server from Debian's packages holding one user per legacy hash format
//! ([`store`]), the HTTPS API store against a team's API over TLS ([`endpoint`]), and the whole
//! sign-in and reset on cognito-local from either ([`flows`]).

mod endpoint;
mod flows;
mod store;

//! The local stack on real parts, one for everything that runs locally: the workspace tests,
//! `make demo` (the [`demo`] flow), `make stack` (`src/bin/stack.rs`) and `make bench`.
//!
//! - [`Moto`]: a moto server (KMS, SNS, SES, DynamoDB, CloudFormation...), plain or with
//!   DynamoDB serialized, and SDK configurations for local endpoints.
//! - [`LambdaWatch`]: `cargo lambda watch` serving every function on the Lambda Invoke API.
//! - [`CognitoLocal`]: cognito-local as the user pool API, invoking the triggers.
//! - [`InvokeAdapter`]: the Lambda service's function-error convention in front of the watcher.
//! - [`Bootstraps`]: prebuilt `bootstrap` binaries on the Invoke API instead of the watcher
//!   ([`Serve`], [`Functions`]), each on a [`RuntimeApi`] of its own.
//! - [`EumStandIn`]: End User Messaging SMS, which moto does not model.
//! - [`Postgres`]: a PostgreSQL server from Debian's packages, the legacy user store of user
//!   migration, with one user per legacy hash format.
//! - [`FaultProxy`]: a loopback proxy that delays, drops or fails chosen AWS calls.
//! - [`cognito_encrypt`]: codes encrypted as Cognito encrypts them, with AWS's Encryption SDK
//!   for Python (`stack/support/esdk_encrypt.py`).
//! - [`Acceptor`], [`HttpRequest`], [`write_answer`]: the one HTTP/1.1 server every loopback
//!   stand-in (and the benchmark's Runtime API) is built on.
//! - [`Service`], [`root`], [`fixture`]: processes, stopped when dropped (or on Ctrl-C by
//!   [`stop_all`]), and the project's files.
//!
//! The tools come from the project's `.venv/` (bootstrapped by `make`). When a tool is
//! missing, a test that needs it is reported as skipped, unless `COGNITO_RESET_REQUIRE_STACK`
//! is set (as `make test` does), in which case it fails: CI never passes by skipping.

pub mod demo;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod bootstraps;
mod cognito_local;
mod esdk;
mod eum;
mod faults;
mod functions;
mod http;
mod invoke_adapter;
mod legacy_api;
mod moto;
mod postgres;
mod process;
mod runtime_api;
mod tls;
mod watch;

pub use bootstraps::*;
pub use cognito_local::*;
pub use esdk::*;
pub use eum::*;
pub use faults::*;
pub use functions::*;
pub use http::*;
pub use invoke_adapter::*;
pub use legacy_api::*;
pub use moto::*;
pub use postgres::*;
pub use process::*;
pub use runtime_api::*;
pub use tls::*;
pub use watch::*;

/// Runs a future on a multi-threaded runtime (the Encryption SDK blocks in place on KMS calls).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

//! Harness for the workspace tests and `make demo`: where fixtures live, and the real local
//! parts (moto, `cargo lambda watch`, cognito-local) started on loopback ports and stopped
//! when dropped (or, for the demo, on Ctrl-C).
//!
//! The tools come from the project's `.venv/` (bootstrapped by `make`). When a tool is
//! missing, a test that needs it skips with a message, unless `COGNITO_RESET_REQUIRE_STACK`
//! is set (as `make test` does), in which case it fails: CI never passes by skipping.

pub mod demo;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod cognito_local;
mod esdk;
mod eum;
mod faults;
mod http;
mod invoke_adapter;
mod moto;
mod process;
mod watch;

pub use cognito_local::*;
pub use esdk::*;
pub use eum::*;
pub use faults::*;
pub use http::*;
pub use invoke_adapter::*;
pub use moto::*;
pub use process::*;
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

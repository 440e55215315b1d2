//! Starting a function: the start-up every `main.rs` shares, so each one says only what
//! differs (which clients it builds, which handler answers).
//!
//! [`run`] installs the log subscriber, builds the function's dependencies once, keeps them
//! for the life of the process, and answers every event with the handler. A configuration
//! the function cannot use does not stop it: Lambda's init would fail, and with it every
//! sign-in or reset. The handler receives the error instead and degrades as its function
//! documents; it is also logged here, once, at init.

use std::fmt::Display;
use std::future::Future;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

/// What init produced: the dependencies, or why they cannot be used.
pub type Started<D, E> = Result<D, E>;

/// Runs the function `name`: `init` builds its dependencies (after logging is installed, so
/// its errors are logged), and `handler` answers each event with them.
pub async fn run<D, E, I, H, F>(name: &'static str, init: I, handler: H) -> Result<(), lambda_runtime::Error>
where
    D: Send + Sync + 'static,
    E: Display + Send + Sync + 'static,
    I: Future<Output = Started<D, E>>,
    H: Fn(&'static Started<D, E>, Value) -> F,
    F: Future<Output = Result<Value, Diagnostic>>,
{
    crate::runtime::telemetry::init();
    crate::runtime::metrics::init(name);
    let started = init.await;
    if let Err(e) = &started {
        tracing::error!(function = name, error = %e, "configuration unusable: the function degrades on every invocation (see docs/src/configuration.md)");
    }
    // Borrowed by every invocation for the life of the process.
    let started: &'static Started<D, E> = Box::leak(Box::new(started));
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        crate::runtime::metrics::invocation_started(name);
        let answer = handler(started, event.payload).await;
        crate::runtime::metrics::flush();
        answer
    }))
    .await
}

//! The runtime glue every function's `main` shares: start-up, logs, metrics and the one place
//! that reads the wall clock.
//!
//! - [`start`]: the start-up every function's `main` shares (`start::run`).
//! - [`telemetry`]: the log subscriber every function installs.
//! - [`metrics`]: counts and latencies in CloudWatch embedded metric format.
//! - [`clock`]: the wall clock, read here and passed to the core.
//! - [`env`]: the process environment, as the source every function's settings are read from.

pub mod clock;
pub mod env;
pub mod metrics;
pub mod start;
pub mod telemetry;

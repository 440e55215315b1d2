//! The process environment as a [`Source`] of settings: what every function's init reads.

use crate::domain::config::Source;

/// The process environment. A variable set to blanks reads as unset.
#[derive(Debug, Clone, Copy, Default)]
pub struct Environment;

impl Source for Environment {
    fn get(&self, key: &str) -> Option<String> {
        std::env::var(key)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}

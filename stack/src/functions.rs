//! What serves the functions on the local stack: `cargo lambda watch` (the workspace's builds,
//! rebuilt on demand) or [`Bootstraps`] (prebuilt binaries, as a deployment ships them).

use super::*;

/// Where the functions come from when the stack starts.
#[derive(Debug, Clone)]
pub enum Serve {
    /// `cargo lambda watch`, building the workspace's functions.
    Watch,
    /// These `bootstrap` binaries, by function name.
    Bootstraps(Vec<(String, PathBuf)>),
}

/// The running functions, behind the Lambda Invoke API.
#[derive(Debug)]
pub enum Functions {
    Watch {
        watch: LambdaWatch,
        /// Between cognito-local and the watcher: function errors as the Lambda API reports them.
        adapter: InvokeAdapter,
    },
    Bootstraps(Bootstraps),
}

impl Functions {
    /// Invokes `function` (the Lambda Invoke API's answer).
    pub fn invoke(&self, function: &str, event: &[u8]) -> Invocation {
        match self {
            Functions::Watch { watch, .. } => watch.invoke(function, event),
            Functions::Bootstraps(b) => b.invoke(function, event),
        }
    }

    /// What the functions wrote (and the watcher, when it serves them).
    pub fn logs(&self) -> String {
        match self {
            Functions::Watch { watch, .. } => watch.logs(),
            Functions::Bootstraps(b) => b.logs(),
        }
    }

    /// The Invoke API endpoint cognito-local calls, with Lambda's function-error convention.
    pub fn endpoint(&self) -> String {
        let port = match self {
            Functions::Watch { adapter, .. } => adapter.port,
            Functions::Bootstraps(b) => b.port,
        };
        format!("http://127.0.0.1:{port}")
    }
}

//! `cargo lambda watch` serving every function, and the Lambda Invoke API answers it gives.

use super::*;

/// `cargo lambda watch` serving every function of the workspace on a loopback port.
#[derive(Debug)]
pub struct LambdaWatch {
    pub service: Service,
    pub log: PathBuf,
}

impl LambdaWatch {
    /// Starts it with `env` passed to the functions; `None` (after a skip message) when
    /// cargo-lambda is not installed and the stack is not required.
    pub fn start(test: &str, env: &[(&str, &str)]) -> Option<LambdaWatch> {
        let cargo_lambda = require_tool("cargo-lambda", test)?;
        let port = free_port();
        let mut cmd = Command::new(cargo_lambda);
        cmd.current_dir(root())
            .args(["lambda", "watch", "--invoke-address", "127.0.0.1", "--invoke-port"])
            .arg(port.to_string())
            .arg("--ignore-changes");
        // An env file, not `--env-var`, which splits values at commas (a SQL query has them).
        let env_file = std::env::temp_dir().join(format!("cargo-lambda-watch-{port}.env"));
        std::fs::write(&env_file, env_file_text(env)).expect("env file");
        cmd.arg("--env-file").arg(&env_file);
        without_cargo_test_env(&mut cmd);
        if let Some(venv_bin) = tool("cargo-lambda").and_then(|p| p.parent().map(Path::to_path_buf)) {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let joined =
                std::env::join_paths(std::iter::once(venv_bin).chain(std::env::split_paths(&path))).expect("PATH");
            cmd.env("PATH", joined);
        }
        let log = std::env::temp_dir().join(format!("cargo-lambda-watch-{port}.log"));
        let service = Service::spawn(cmd, port, "cargo lambda watch", &log);
        Some(LambdaWatch { service, log })
    }

    /// Invokes `function` through the Lambda Invoke API. Returns the HTTP status, whether
    /// the function reported an error, and the body.
    pub fn invoke(&self, function: &str, event: &[u8]) -> Invocation {
        let url = format!(
            "http://127.0.0.1:{}/2015-03-31/functions/{function}/invocations",
            self.service.port
        );
        let agent = ureq::Agent::new_with_config(
            ureq::config::Config::builder()
                .timeout_global(Some(Duration::from_secs(900)))
                .http_status_as_error(false)
                .build(),
        );
        let mut resp = agent
            .post(&url)
            .header("content-type", "application/json")
            .send(event)
            .unwrap_or_else(|e| panic!("invoke {function}: {e}; see {}", self.log.display()));
        let status = resp.status().as_u16();
        let function_error = resp
            .headers()
            .get("x-amz-function-error")
            .map(|v| v.to_str().unwrap_or("").to_owned());
        let body = resp.body_mut().read_to_string().expect("response body");
        Invocation {
            status,
            function_error,
            body,
        }
    }

    /// The log of the watch process and the functions it ran.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// `KEY=VALUE` lines as dotenv files read them: single-quoted (nothing inside is expanded, so a
/// `$1` stays), or double-quoted with `\`, `"` and `$` escaped when the value has a `'`.
pub fn env_file_text(env: &[(&str, &str)]) -> String {
    env.iter()
        .map(|(k, v)| {
            if v.contains('\'') {
                let escaped = v.replace('\\', "\\\\").replace('"', "\\\"").replace('$', "\\$");
                format!("{k}=\"{escaped}\"\n")
            } else {
                format!("{k}='{v}'\n")
            }
        })
        .collect()
}

/// One answer of the Invoke API.
#[derive(Debug)]
pub struct Invocation {
    pub status: u16,
    pub function_error: Option<String>,
    pub body: String,
}

impl Invocation {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

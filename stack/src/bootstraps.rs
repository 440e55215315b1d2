//! Prebuilt `bootstrap` binaries (the npm package's, from a synthesized Amplify backend's
//! assets) serving the Lambda Invoke API on loopback, where `cargo lambda watch` serves the
//! workspace's builds: one process per function, each on a [`RuntimeApi`] of its own, so the
//! local stack can run exactly what a deployment ships.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;

/// One function process and its Runtime API; the lock serializes invocations, as one Lambda
/// sandbox takes one event at a time.
struct Hosted {
    api: Mutex<RuntimeApi>,
    /// Taken (and so stopped) when the [`Bootstraps`] are dropped, even while a connection
    /// thread still holds this.
    service: Mutex<Option<Service>>,
    log: PathBuf,
}

/// The functions behind one Invoke API: `POST /2015-03-31/functions/<name>/invocations`.
#[allow(missing_debug_implementations)]
pub struct Bootstraps {
    pub port: u16,
    _acceptor: Acceptor,
    hosted: Arc<BTreeMap<String, Hosted>>,
}

impl std::fmt::Debug for Bootstraps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bootstraps")
            .field("port", &self.port)
            .field("functions", &self.hosted.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// How long a function has to ask for its first event, and to answer one.
const INIT_TIMEOUT: Duration = Duration::from_secs(30);
const INVOKE_TIMEOUT: Duration = Duration::from_secs(30);

impl Bootstraps {
    /// Starts each `(function, bootstrap)` with `env` (and nothing else of this process's
    /// environment, as Lambda gives a function only its own) and waits until every one has
    /// finished its init.
    pub fn start(bootstraps: &[(String, PathBuf)], env: &[(&str, &str)]) -> Result<Bootstraps, String> {
        let mut hosted = BTreeMap::new();
        for (function, bootstrap) in bootstraps {
            let api = RuntimeApi::start_for(function);
            let log = std::env::temp_dir().join(format!("cognito-reset-bootstrap-{function}-{}.log", api.port));
            let mut cmd = Command::new(bootstrap);
            cmd.current_dir(bootstrap.parent().unwrap_or(Path::new("/")))
                .env_clear()
                .envs(env.iter().copied())
                .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{}", api.port))
                .env("AWS_LAMBDA_FUNCTION_NAME", function)
                .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
                .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{function}"))
                .env("AWS_LAMBDA_LOG_STREAM_NAME", "local");
            let service = Service::spawn_detached(cmd, api.port, function, &log);
            hosted.insert(
                function.clone(),
                Hosted {
                    api: Mutex::new(api),
                    service: Mutex::new(Some(service)),
                    log,
                },
            );
        }
        for (function, h) in &hosted {
            h.wait_for_init(function)?;
        }
        let hosted = Arc::new(hosted);
        let served = Arc::clone(&hosted);
        let acceptor = Acceptor::start(move |conn| {
            let Ok(req) = HttpRequest::read(&conn) else { return };
            let name = req
                .path
                .strip_prefix("/2015-03-31/functions/")
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_default();
            let answer = if req.method != "POST" {
                None
            } else {
                served.get(name).map(|h| h.invoke(name, &req.body))
            };
            let answer = answer.unwrap_or_else(|| Invocation {
                status: 404,
                function_error: None,
                body: format!(r#"{{"Type":"User","message":"Function not found: {name}"}}"#),
            });
            let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
            if let Some(kind) = &answer.function_error {
                headers.push(("x-amz-function-error".into(), kind.clone()));
            }
            let _ = write_response(&conn, answer.status, &headers, answer.body.as_bytes());
        });
        Ok(Bootstraps {
            port: acceptor.port,
            _acceptor: acceptor,
            hosted,
        })
    }

    /// Invokes `function` as the Lambda Invoke API does: `200`, with `x-amz-function-error:
    /// Unhandled` and the `{errorType, errorMessage}` body when the function failed.
    pub fn invoke(&self, function: &str, event: &[u8]) -> Invocation {
        match self.hosted.get(function) {
            Some(h) => h.invoke(function, event),
            None => panic!("no bootstrap for {function}"),
        }
    }

    /// Every function's output, one after another.
    pub fn logs(&self) -> String {
        self.hosted
            .iter()
            .map(|(function, h)| {
                format!(
                    "--- {function}\n{}",
                    std::fs::read_to_string(&h.log).unwrap_or_default()
                )
            })
            .collect()
    }
}

impl Drop for Bootstraps {
    fn drop(&mut self) {
        for h in self.hosted.values() {
            drop(lock(&h.service).take());
            let _ = std::fs::remove_file(&h.log);
        }
    }
}

impl Hosted {
    fn wait_for_init(&self, function: &str) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if lock(&self.api).first_next().is_some() {
                return Ok(());
            }
            let exited = lock(&self.service)
                .as_mut()
                .and_then(|s| s.child.try_wait().ok().flatten());
            if let Some(status) = exited {
                return Err(format!(
                    "{function} exited during init ({status}):\n{}",
                    self.read_log()
                ));
            }
            if started.elapsed() > INIT_TIMEOUT {
                return Err(format!(
                    "{function} did not ask for an event within {INIT_TIMEOUT:?}:\n{}",
                    self.read_log()
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn invoke(&self, function: &str, event: &[u8]) -> Invocation {
        let outcome = lock(&self.api).invoke(event, INVOKE_TIMEOUT);
        match outcome {
            Ok((_, outcome)) if outcome.ok => Invocation {
                status: 200,
                function_error: None,
                body: String::from_utf8_lossy(&outcome.body).into_owned(),
            },
            Ok((_, outcome)) => Invocation {
                status: 200,
                function_error: Some("Unhandled".into()),
                body: String::from_utf8_lossy(&outcome.body).into_owned(),
            },
            Err(why) => Invocation {
                status: 502,
                function_error: None,
                body: format!(r#"{{"message":"{function}: {}"}}"#, why.replace('"', "'")),
            },
        }
    }

    fn read_log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

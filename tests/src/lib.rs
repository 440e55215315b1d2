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

/// Process groups of every running [`Service`], so a signal handler can stop them all.
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Stops every running service (for Ctrl-C in the demo, where destructors do not run).
pub fn stop_all() {
    let groups = std::mem::take(&mut *RUNNING.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    for pid in groups {
        let _ = Command::new("kill").args(["-TERM", "--", &format!("-{pid}")]).status();
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

/// This project's own fixtures, `tests/fixtures/events`.
pub fn fixtures_dir() -> PathBuf {
    root().join("tests/fixtures/events")
}

/// Reads one of this project's fixtures as JSON.
pub fn fixture(name: &str) -> serde_json::Value {
    let path = fixtures_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The team handbook's published events (`../shared/fixtures/events` beside the repo), when present.
pub fn published_events_dir() -> Option<PathBuf> {
    let dir = root().parent()?.join("shared/fixtures/events");
    dir.is_dir().then_some(dir)
}

/// Whether missing tools must fail the run instead of skipping.
pub fn stack_required() -> bool {
    std::env::var_os("COGNITO_RESET_REQUIRE_STACK").is_some()
}

/// Finds an executable in the project's `.venv/bin`, then on `PATH`.
pub fn tool(name: &str) -> Option<PathBuf> {
    let venv = root().join(".venv/bin").join(name);
    if venv.is_file() {
        return Some(venv);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// Returns the tool, or `None` after printing why the calling test skips. Panics instead when
/// the stack is required.
pub fn require_tool(name: &str, test: &str) -> Option<PathBuf> {
    let found = tool(name);
    if found.is_none() {
        let msg = format!("{test}: `{name}` not found in .venv/bin or PATH (run `make test`, which installs it)");
        assert!(!stack_required(), "{msg}");
        eprintln!("SKIPPED {msg}");
    }
    found
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until something listens on `port`.
pub fn wait_for_port(port: u16, within: Duration, child: &mut Child, what: &str) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before listening on port {port}: {status}");
        }
        assert!(
            start.elapsed() < within,
            "{what} did not listen on port {port} within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A child process in its own process group, stopped with its children when dropped.
#[derive(Debug)]
pub struct Service {
    pub child: Child,
    pub port: u16,
}

impl Service {
    /// Starts `cmd` in its own process group.
    pub fn spawn(mut cmd: Command, port: u16, what: &str, log: &Path) -> Service {
        use std::os::unix::process::CommandExt;
        let out = std::fs::File::create(log).expect("log file");
        let err = out.try_clone().expect("log file");
        cmd.stdin(Stdio::null()).stdout(out).stderr(err).process_group(0);
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        RUNNING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(child.id());
        // From here a failed start (a panic) drops the service, which stops the process.
        let mut service = Service { child, port };
        wait_for_port(port, Duration::from_secs(120), &mut service.child, what);
        service
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        RUNNING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|p| *p != self.child.id());
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

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
        for (k, v) in env {
            cmd.arg("--env-var").arg(format!("{k}={v}"));
        }
        // Cargo sets these for the test binary. Build scripts (ring, aws-lc) rerun when they
        // change, so passing them on would make the inner `cargo run` and the outer
        // `cargo test` rebuild each other's dependencies on every run.
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy();
            let from_cargo_test = k.starts_with("CARGO_PKG_")
                || matches!(
                    k.as_ref(),
                    "CARGO_MANIFEST_DIR"
                        | "CARGO_MANIFEST_PATH"
                        | "CARGO_MANIFEST_LINKS"
                        | "CARGO_CRATE_NAME"
                        | "CARGO_BIN_NAME"
                        | "CARGO_PRIMARY_PACKAGE"
                        | "CARGO_TARGET_TMPDIR"
                        | "OUT_DIR"
                );
            if from_cargo_test {
                cmd.env_remove(k.as_ref());
            }
        }
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

/// A moto server (KMS, SNS, SES, Cognito, CloudFormation...) on a loopback port.
#[derive(Debug)]
pub struct Moto {
    pub service: Service,
    pub endpoint: String,
}

/// Credentials and region every client of the local stack uses (moto accepts any).
pub const LOCAL_REGION: &str = "us-east-1";
pub const LOCAL_ACCESS_KEY: &str = "testing";
pub const LOCAL_SECRET_KEY: &str = "testing";

impl Moto {
    /// Starts moto; `None` (after a skip message) when it is not installed and the stack is
    /// not required.
    pub fn start(test: &str) -> Option<Moto> {
        let moto = require_tool("moto_server", test)?;
        let port = free_port();
        let mut cmd = Command::new(moto);
        cmd.args(["-H", "127.0.0.1", "-p"]).arg(port.to_string());
        let log = std::env::temp_dir().join(format!("moto-{port}.log"));
        let service = Service::spawn(cmd, port, "moto_server", &log);
        Some(Moto {
            service,
            endpoint: format!("http://127.0.0.1:{port}"),
        })
    }

    /// Everything moto recorded (`/moto-api/data.json`): sent SMS under `sns.SMS`, email
    /// under `ses.Message`.
    pub fn recorded(&self) -> serde_json::Value {
        let body = ureq::get(format!("{}/moto-api/data.json", self.endpoint))
            .call()
            .expect("moto data")
            .body_mut()
            .read_to_string()
            .expect("moto data body");
        serde_json::from_str(&body).expect("moto data is JSON")
    }

    /// The SMS moto recorded, as (phone number, message).
    pub fn sms(&self) -> Vec<(String, String)> {
        self.recorded()["sns"]["SMS"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|m| {
                        (
                            m["phone_number"].as_str().unwrap_or_default().to_owned(),
                            m["message"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Environment for a process (Python's Encryption SDK, a function) that talks to moto.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_REGION", LOCAL_REGION.to_owned()),
            ("AWS_DEFAULT_REGION", LOCAL_REGION.to_owned()),
            ("AWS_ACCESS_KEY_ID", LOCAL_ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", LOCAL_SECRET_KEY.to_owned()),
        ]
    }
}

fn local_loader(endpoint: &str) -> aws_config::ConfigLoader {
    use cognito_reset::aws::kms::config::Credentials;
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(LOCAL_REGION))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            LOCAL_ACCESS_KEY,
            LOCAL_SECRET_KEY,
            None,
            None,
            "local",
        ))
}

/// An AWS SDK configuration for a local endpoint (moto, cognito-local), with the SDK's defaults.
pub async fn local_sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    local_loader(endpoint).load().await
}

/// The production configuration (the functions' timeouts and retries) for a local endpoint.
pub async fn production_sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    cognito_reset::aws::with_budgets(local_loader(endpoint)).load().await
}

/// Creates a KMS key and returns its ARN.
pub async fn create_key(sdk: &aws_config::SdkConfig) -> Result<String, String> {
    let kms = cognito_reset::aws::kms::Client::new(sdk);
    let out = kms
        .create_key()
        .description("cognito-reset local key")
        .send()
        .await
        .map_err(|e| format!("CreateKey: {e:?}"))?;
    out.key_metadata()
        .and_then(|m| m.arn())
        .map(str::to_owned)
        .ok_or_else(|| "CreateKey returned no ARN".to_owned())
}

/// Runs a future on a multi-threaded runtime (the Encryption SDK blocks in place on KMS calls).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// Which algorithm suite a test ciphertext uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// What real Cognito sends: non-committing, signed (0x0378).
    Cognito,
    /// The Encryption SDK's default committing suite (what cognito-local sends).
    Committing,
}

/// Encrypts `plaintext` as Cognito does, with AWS's Encryption SDK for Python, under
/// `key_arn` on `moto`, for `user_pool_id`. Returns the base64 `code`.
pub fn cognito_encrypt(moto: &Moto, key_arn: &str, user_pool_id: &str, suite: Suite, plaintext: &str) -> String {
    use std::io::Write;
    let python = tool("python3").expect("python3");
    let python = if root().join(".venv/bin/python3").is_file() {
        root().join(".venv/bin/python3")
    } else {
        python
    };
    let mut child = Command::new(python)
        .arg(root().join("tests/support/esdk_encrypt.py"))
        .args(["--key-arn", key_arn, "--user-pool-id", user_pool_id, "--suite"])
        .arg(match suite {
            Suite::Cognito => "cognito",
            Suite::Committing => "committing",
        })
        .envs(moto.env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(plaintext.as_bytes())
        .expect("write plaintext");
    let out = child.wait_with_output().expect("encrypt");
    assert!(
        out.status.success(),
        "esdk_encrypt.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("base64 is ASCII")
}

/// A minimal HTTP/1.1 exchange for the loopback proxies below: one request per connection.
#[derive(Debug)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub fn read(conn: &TcpStream) -> std::io::Result<HttpRequest> {
        use std::io::{BufRead, BufReader, Read};
        let mut reader = BufReader::new(conn.try_clone()?);
        let mut request_line = String::new();
        reader.read_line(&mut request_line)?;
        let mut words = request_line.split_whitespace();
        let method = words.next().unwrap_or("GET").to_owned();
        let path = words.next().unwrap_or("/").to_owned();
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        Ok(HttpRequest {
            method,
            path,
            headers,
            body,
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sends this request to `base` (`http://127.0.0.1:port`) and returns status, headers, body.
    pub fn forward(&self, base: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let agent = ureq::Agent::new_with_config(
            ureq::config::Config::builder()
                .timeout_global(Some(Duration::from_secs(900)))
                .http_status_as_error(false)
                .build(),
        );
        let mut builder = ureq::http::Request::builder()
            .method(self.method.as_str())
            .uri(format!("{base}{}", self.path));
        for (k, v) in &self.headers {
            if !["host", "content-length", "connection", "transfer-encoding"].contains(&k.to_ascii_lowercase().as_str())
            {
                builder = builder.header(k.as_str(), v.as_str());
            }
        }
        let request = builder.body(self.body.clone()).expect("request");
        match agent.run(request) {
            Ok(mut r) => {
                let status = r.status().as_u16();
                let headers = r
                    .headers()
                    .iter()
                    .filter(|(k, _)| !["content-length", "connection", "transfer-encoding"].contains(&k.as_str()))
                    .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
                    .collect();
                (status, headers, r.body_mut().read_to_vec().unwrap_or_default())
            }
            Err(e) => (502, vec![], format!("{{\"message\": \"{e}\"}}").into_bytes()),
        }
    }
}

/// Writes a response and closes the exchange.
pub fn write_response(
    mut conn: &TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> std::io::Result<()> {
    use std::io::Write;
    let mut head = format!("HTTP/1.1 {status} {}\r\n", if status < 400 { "OK" } else { "Error" });
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()));
    conn.write_all(head.as_bytes())?;
    conn.write_all(body)?;
    conn.flush()
}

/// Accepts loopback connections on a free port and serves each on its own thread until dropped.
#[derive(Debug)]
struct Acceptor {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Acceptor {
    fn start(serve: impl Fn(TcpStream) + Send + Sync + 'static) -> Acceptor {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let serve = Arc::new(serve);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    let _ = conn.set_nodelay(true);
                    let serve = Arc::clone(&serve);
                    std::thread::spawn(move || serve(conn));
                }
            }
        });
        Acceptor { port, stop }
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// What a [`FaultProxy`] does to a matching call.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answers with this status and body without forwarding (the service did not take it).
    Answer(u16, &'static str),
    /// Waits, then forwards (a slow service).
    DelayThenForward(Duration),
    /// Forwards, then waits before answering (the call went through; the answer is late).
    ForwardThenDelay(Duration),
}

/// A fault-injecting proxy in front of a local AWS stand-in: calls are forwarded unless a rule
/// for their operation (`Decrypt`, `Publish`, `SendEmail`, ...) still has uses left.
#[derive(Debug)]
pub struct FaultProxy {
    acceptor: Acceptor,
    pub endpoint: String,
    rules: std::sync::Arc<Mutex<Vec<(String, Fault, u32)>>>,
    calls: std::sync::Arc<Mutex<Vec<String>>>,
}

impl FaultProxy {
    pub fn start(target: &str) -> FaultProxy {
        use std::sync::Arc;
        let rules: Arc<Mutex<Vec<(String, Fault, u32)>>> = Arc::default();
        let calls: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, c, target) = (Arc::clone(&rules), Arc::clone(&calls), target.to_owned());
        let acceptor = Acceptor::start(move |conn| {
            let Ok(req) = HttpRequest::read(&conn) else { return };
            let op = Self::operation(&req);
            c.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(op.clone());
            let fault = {
                let mut rules = r.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                rules.iter_mut().find(|(o, _, left)| *o == op && *left > 0).map(|rule| {
                    rule.2 -= 1;
                    rule.1.clone()
                })
            };
            let _ = match fault {
                Some(Fault::Answer(status, body)) => write_response(
                    &conn,
                    status,
                    &[("content-type".into(), "application/x-amz-json-1.1".into())],
                    body.as_bytes(),
                ),
                Some(Fault::DelayThenForward(d)) => {
                    std::thread::sleep(d);
                    let (s, h, b) = req.forward(&target);
                    write_response(&conn, s, &h, &b)
                }
                Some(Fault::ForwardThenDelay(d)) => {
                    let (s, h, b) = req.forward(&target);
                    std::thread::sleep(d);
                    write_response(&conn, s, &h, &b)
                }
                None => {
                    let (s, h, b) = req.forward(&target);
                    write_response(&conn, s, &h, &b)
                }
            };
        });
        let endpoint = format!("http://127.0.0.1:{}", acceptor.port);
        FaultProxy {
            acceptor,
            endpoint,
            rules,
            calls,
        }
    }

    /// The operation of an AWS call: JSON protocols name it in `X-Amz-Target`, query protocols
    /// in `Action=`, SES v2 in its path.
    fn operation(req: &HttpRequest) -> String {
        if let Some(target) = req.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(target).to_owned();
        }
        if req.path.contains("/outbound-emails") {
            return "SendEmail".to_owned();
        }
        let body = String::from_utf8_lossy(&req.body);
        body.split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .unwrap_or("other")
            .to_owned()
    }

    /// The next `times` calls of `operation` get `fault`.
    pub fn inject(&self, operation: &str, fault: Fault, times: u32) {
        self.rules
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((operation.to_owned(), fault, times));
    }

    /// How many calls of `operation` reached the proxy.
    pub fn calls(&self, operation: &str) -> usize {
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter(|o| *o == operation)
            .count()
    }

    pub fn port(&self) -> u16 {
        self.acceptor.port
    }
}

/// Puts the real Lambda service's error convention in front of `cargo lambda watch`.
///
/// When a function fails, the Lambda Invoke API answers `200` with an
/// `X-Amz-Function-Error: Unhandled` header and the `{errorType, errorMessage}` body; Cognito
/// turns that into `<Trigger> failed with error <errorMessage>.`. `cargo lambda watch` answers
/// `500` instead, which AWS SDK clients (cognito-local's among them) treat as a transport
/// failure, losing the message. This loopback proxy rewrites such answers, and passes
/// everything else through unchanged.
#[derive(Debug)]
pub struct InvokeAdapter {
    /// Stops the proxy when the adapter is dropped.
    _acceptor: Acceptor,
    pub port: u16,
}

impl InvokeAdapter {
    /// Listens on a free loopback port and forwards to `target_port`.
    pub fn start(target_port: u16) -> InvokeAdapter {
        let target = format!("http://127.0.0.1:{target_port}");
        let acceptor = Acceptor::start(move |conn| {
            let Ok(req) = HttpRequest::read(&conn) else { return };
            let (mut status, mut headers, body) = req.forward(&target);
            let is_function_error = serde_json::from_slice::<serde_json::Value>(&body)
                .is_ok_and(|v| v.get("errorMessage").is_some() || v.get("errorType").is_some());
            if status == 500 && is_function_error {
                status = 200;
                headers.push(("x-amz-function-error".into(), "Unhandled".into()));
            }
            let _ = write_response(&conn, status, &headers, &body);
        });
        let port = acceptor.port;
        InvokeAdapter {
            _acceptor: acceptor,
            port,
        }
    }
}

/// cognito-local (the user pool API, from npm) on a loopback port, invoking triggers through
/// `cargo lambda watch` and encrypting codes for the custom email sender with a moto KMS key.
#[derive(Debug)]
pub struct CognitoLocal {
    pub service: Service,
    pub endpoint: String,
    pub log: PathBuf,
    /// Its working directory (`.cognito/config.json`, `.cognito/db/`).
    pub dir: PathBuf,
}

impl CognitoLocal {
    /// Starts cognito-local on `port`. `triggers` maps trigger names (`CustomEmailSender`,
    /// `PostConfirmation`, `PreTokenGeneration`, ...) to function names served by `lambda_endpoint`.
    pub fn start(
        test: &str,
        port: u16,
        lambda_endpoint: &str,
        triggers: &[(&str, &str)],
        kms: Option<(&Moto, &str, &str)>,
    ) -> Option<CognitoLocal> {
        let start_js = root().join("node_modules/cognito-local/lib/bin/start.js");
        if !start_js.is_file() {
            let msg = format!(
                "{test}: node_modules/cognito-local is missing (run `make test` or `make demo`, which run npm ci)"
            );
            assert!(!stack_required(), "{msg}");
            eprintln!("SKIPPED {msg}");
            return None;
        }
        let node = require_tool("node", test)?;
        patch_new_password_challenge(&start_js);
        let dir = std::env::temp_dir().join(format!("cognito-local-{port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".cognito/db")).expect("cognito-local dir");
        let credentials = serde_json::json!({"accessKeyId": LOCAL_ACCESS_KEY, "secretAccessKey": LOCAL_SECRET_KEY});
        let mut config = serde_json::json!({
            "LambdaClient": {"endpoint": lambda_endpoint, "region": LOCAL_REGION, "credentials": credentials},
            "ServerConfig": {"hostname": "127.0.0.1", "port": port},
            "TokenConfig": {"IssuerDomain": format!("http://127.0.0.1:{port}")},
            "TriggerFunctions": triggers.iter().map(|(k, v)| ((*k).to_owned(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
            "UserPoolDefaults": {"UsernameAttributes": ["email"]},
        });
        if let Some((moto, key_arn, alias)) = kms {
            config["KMSConfig"] = serde_json::json!({
                "KMSKeyId": key_arn, "KMSKeyAlias": alias, "endpoint": moto.endpoint,
                "region": LOCAL_REGION, "credentials": credentials,
            });
        }
        std::fs::write(
            dir.join(".cognito/config.json"),
            serde_json::to_vec_pretty(&config).expect("json"),
        )
        .expect("config");
        let mut cmd = Command::new(node);
        cmd.arg(start_js)
            .current_dir(&dir)
            .env("PORT", port.to_string())
            .env("NODE_NO_WARNINGS", "1");
        let log = std::env::temp_dir().join(format!("cognito-local-{port}.log"));
        let service = Service::spawn(cmd, port, "cognito-local", &log);
        Some(CognitoLocal {
            service,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
            dir,
        })
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Makes cognito-local's `RespondToAuthChallenge` name the pre token generation event as
/// Cognito does. After a `NEW_PASSWORD_REQUIRED` answer Cognito sends
/// `TokenGeneration_NewPasswordChallenge`; cognito-local 5.3.0 sends
/// `TokenGeneration_Authentication` for every challenge (`lib/targets/respondToAuthChallenge.js`
/// passes `"Authentication"` to its token generator). This rewrites that one argument in the
/// installed copy, idempotently, so the project's tests and demo meet Cognito's behaviour.
fn patch_new_password_challenge(start_js: &Path) {
    let Some(lib) = start_js.parent().and_then(Path::parent) else {
        return;
    };
    let file = lib.join("targets/respondToAuthChallenge.js");
    let Ok(source) = std::fs::read_to_string(&file) else {
        panic!("{} is missing: cognito-local changed its layout", file.display());
    };
    const ORIGINAL: &str = "req.ClientMetadata,\n      \"Authentication\"\n    )";
    const PATCHED: &str = "req.ClientMetadata,\n      req.ChallengeName === \"NEW_PASSWORD_REQUIRED\" ? \"NewPasswordChallenge\" : \"Authentication\"\n    )";
    if source.contains(PATCHED) {
        return;
    }
    assert!(
        source.matches(ORIGINAL).count() == 1,
        "{}: the token generation call to correct was not found (cognito-local version changed?)",
        file.display()
    );
    // Written aside and renamed: a cognito-local starting in a parallel test never reads half a file.
    let aside = file.with_extension(format!("js.{}", std::process::id()));
    std::fs::write(&aside, source.replace(ORIGINAL, PATCHED)).expect("patch cognito-local");
    std::fs::rename(&aside, &file).expect("patch cognito-local");
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

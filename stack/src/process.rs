//! Processes and the project's files: where the workspace and its fixtures are, finding the
//! tools `.venv/` provides, free loopback ports, and [`Service`]: a child process in its own
//! process group, stopped with its children when dropped (or by [`stop_all`] on Ctrl-C).

use super::*;

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
        .expect("stack/ is in the workspace")
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

/// Says on the terminal that a test did not run and why. Written to the process's stderr
/// directly, which the test harness does not capture, so a skip is seen even when the test is
/// reported as passed.
pub fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {why}");
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
        skipped(&msg);
    }
    found
}

/// Removes what Cargo sets for a test binary from `cmd`'s environment. Build scripts (ring,
/// aws-lc) rerun when these change, so passing them on to a `cargo` the tests run (`cargo
/// lambda watch`'s `cargo run`, a `cargo build` of a function) would make it and the outer
/// `cargo test` rebuild each other's dependencies on every run.
pub fn without_cargo_test_env(cmd: &mut Command) {
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
    /// Starts `cmd` in its own process group and waits for it to listen on `port`.
    pub fn spawn(cmd: Command, port: u16, what: &str, log: &Path) -> Service {
        // From here a failed start (a panic) drops the service, which stops the process.
        let mut service = Service::spawn_detached(cmd, port, what, log);
        wait_for_port(port, Duration::from_secs(120), &mut service.child, what);
        service
    }

    /// Starts `cmd` in its own process group, its output in `log`, without waiting for it (a
    /// process that listens on no port, such as a Lambda function on a Runtime API).
    pub fn spawn_detached(mut cmd: Command, port: u16, what: &str, log: &Path) -> Service {
        use std::os::unix::process::CommandExt;
        let out = std::fs::File::create(log).expect("log file");
        let err = out.try_clone().expect("log file");
        cmd.stdin(Stdio::null()).stdout(out).stderr(err).process_group(0);
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        RUNNING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(child.id());
        Service { child, port }
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

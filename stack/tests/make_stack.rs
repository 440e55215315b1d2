//! `make stack` as a developer runs it: `stack start` leaves moto running with a key and
//! writes the configuration and events `make watch` and `make invoke` use; each event's code
//! decrypts, with the functions' own decryptor, to the code `start` printed for it; `stack
//! stop` stops everything it started, also after the stack itself was killed.

use std::path::Path;
use std::process::Command;

use cognito_reset::domain::code::CodeDecryptor;
use cognito_reset_stack::{block_on, production_sdk_config, tool};

fn stack(dir: &Path, command: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stack"))
        .arg(command)
        .env("COGNITO_RESET_LOCAL_DIR", dir)
        .env("SMS_BACKEND", "end-user-messaging")
        .output()
        .expect("the stack binary runs")
}

/// Stops the stack and removes its folder however the test ends.
struct Cleanup(std::path::PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = stack(&self.0, "stop");
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An empty folder for one test's stack, stopped and removed when the guard drops; `None`
/// (reported as skipped) when moto is not installed and the stack is not required.
fn folder(name: &str) -> Option<(std::path::PathBuf, Cleanup)> {
    if tool("moto_server").is_none() {
        assert!(!cognito_reset_stack::stack_required(), "moto_server is not installed");
        cognito_reset_stack::skipped("make stack: moto_server is not installed (run `make tools`)");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("cognito-reset-stack-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Some((dir.clone(), Cleanup(dir)))
}

fn listens(endpoint: &str) -> bool {
    let address = endpoint.trim_start_matches("http://");
    std::net::TcpStream::connect(address).is_ok()
}

#[test]
fn start_writes_decryptable_events_and_stop_stops_moto() {
    let Some((dir, _cleanup)) = folder("started") else {
        return;
    };
    let started = stack(&dir, "start");
    let printed = String::from_utf8_lossy(&started.stdout).into_owned();
    assert!(
        started.status.success(),
        "stack start failed: {printed}{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let again = stack(&dir, "start");
    assert!(!again.status.success(), "a second start must refuse while one runs");

    let env = std::fs::read_to_string(dir.join("stack.env")).expect("stack.env");
    let value = |name: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("stack.env has no {name}"))
            .to_owned()
    };
    let (endpoint, key_arn) = (value("AWS_ENDPOINT_URL"), value("KEY_ARN"));
    assert_eq!(value("SMS_BACKEND"), "end-user-messaging");
    assert!(listens(&value("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2")));
    assert!(env.contains("APP_NAME="), "config/local.env is part of stack.env");

    let sdk = block_on(production_sdk_config(&endpoint));
    let decryptor = block_on(cognito_reset::adapters::kms::KmsDecryptor::new(
        cognito_reset::adapters::aws::kms::Client::new(&sdk),
        &key_arn,
    ))
    .expect("the functions' decryptor accepts the key");
    let mut checked = 0;
    for line in printed.lines().filter(|l| l.contains(": code ")) {
        let (path, code) = line.trim().split_once(": code ").expect("path: code N");
        let name = path.trim_start_matches(".local/events/");
        let event: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("events").join(name)).expect("event")).expect("JSON");
        assert_eq!(event["userPoolId"], "us-east-1_LocalPool");
        let decrypted = block_on(decryptor.decrypt(event["request"]["code"].as_str().expect("code")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decrypted.secret.expose(), code, "{name}");
        assert_eq!(decrypted.user_pool_id.as_deref(), Some("us-east-1_LocalPool"));
        checked += 1;
    }
    assert_eq!(checked, 14, "every custom sender fixture with a code: {printed}");

    let sent = stack(&dir, "sent");
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    assert!(sent.stdout.is_empty(), "nothing was sent yet");

    let stopped = stack(&dir, "stop");
    assert!(stopped.status.success());
    assert!(!listens(&endpoint), "moto stopped");
    assert!(!dir.join("stack.pid").exists());
    let sent = stack(&dir, "sent");
    assert!(!sent.status.success(), "sent says no stack runs");
}

#[test]
fn stop_after_the_stack_was_killed_stops_the_moto_it_left() {
    let Some((dir, _cleanup)) = folder("killed") else {
        return;
    };
    let started = stack(&dir, "start");
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("stack.json")).expect("stack.json")).expect("JSON");
    let endpoint = state["moto"].as_str().expect("moto endpoint").to_owned();
    let serve = std::fs::read_to_string(dir.join("stack.pid")).expect("stack.pid");
    // Killed without its clean-up: moto, in its own process group, stays.
    let killed = Command::new("kill")
        .args(["-KILL", serve.trim()])
        .status()
        .expect("kill");
    assert!(killed.success());
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(listens(&endpoint), "moto outlives a killed stack");
    let stopped = stack(&dir, "stop");
    assert!(stopped.status.success());
    assert!(!listens(&endpoint), "stop stopped the moto the killed stack left");
    assert!(!dir.join("stack.pid").exists() && !dir.join("stack.json").exists());
    let again = stack(&dir, "start");
    assert!(
        again.status.success(),
        "a new stack starts after the stale state is gone"
    );
}

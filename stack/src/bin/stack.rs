//! `make stack`, `make sent`, `make stack-stop`: the AWS side of the custom senders, locally,
//! for `make watch`.
//!
//! `start` runs `serve` in the background and waits until it is ready. `serve` starts a moto
//! server (KMS, SNS, SES) on a free loopback port, creates the KMS key Cognito would encrypt
//! codes with, verifies the SES sender, and writes:
//!   .local/stack.env      configuration for `make watch ENV_FILE=.local/stack.env`
//!   .local/events/*.json  custom sender events whose `code` is a real ciphertext, made with
//!                         AWS's Encryption SDK under that key exactly as Cognito makes them
//! then serves until `stop` (SIGTERM; Ctrl-C when run in a terminal). With `SMS_BACKEND=end-user-messaging` it
//! also runs the End User Messaging stand-in (moto has no such service), which records each
//! `SendTextMessage` in .local/eum-sent.jsonl, and points the SMS sender at it.
//! `sent` prints what moto and the stand-in recorded.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cognito_reset_stack::{EumStandIn, Moto, cognito_encrypt_many, create_key, fixtures_dir, local_sdk_config, root};
use serde_json::Value;

const POOL: &str = "us-east-1_LocalPool";
const EMAIL_FROM: &str = "no-reply@example.com";

/// Where the stack writes its files: `.local/`, or the folder `COGNITO_RESET_LOCAL_DIR` names.
fn local(name: &str) -> PathBuf {
    std::env::var_os("COGNITO_RESET_LOCAL_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| root().join(".local"), PathBuf::from)
        .join(name)
}

fn main() {
    let command = std::env::args().nth(1).unwrap_or_default();
    let result = match command.as_str() {
        "start" => start(),
        "serve" => serve(),
        "sent" => sent(),
        "stop" => stop(),
        _ => Err("usage: stack start|sent|stop".to_owned()),
    };
    if let Err(e) = result {
        eprintln!("stack: {e}");
        std::process::exit(1);
    }
}

/// The process `serve` runs in, when one is running (a live process whose command line is this
/// binary's `serve`: a stale pid file never names someone else's process).
fn running() -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(local("stack.pid")).ok()?.trim().parse().ok()?;
    is_live(pid, "serve").then_some(pid)
}

/// Whether `pid` is a live (not zombie) process with `word` among its arguments.
fn is_live(pid: u32, word: &str) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next());
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    state.is_some_and(|s| s != 'Z')
        && cmdline
            .split(|&b| b == 0)
            .any(|arg| arg == word.as_bytes() || arg.ends_with(format!("/{word}").as_bytes()))
}

/// Stops a process group: TERM, then KILL if it is still there after `grace`.
fn stop_group(pid: u32, word: &str, grace: Duration) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", "--", &format!("-{pid}")])
        .status();
    let deadline = Instant::now() + grace;
    while is_live(pid, word) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    if is_live(pid, word) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .status();
    }
}

const STATE: [&str; 4] = ["stack.pid", "stack.json", "stack.ready", "eum-sent.jsonl"];

fn forget_state() {
    for name in STATE {
        let _ = std::fs::remove_file(local(name));
    }
}

fn start() -> Result<(), String> {
    if let Some(pid) = running() {
        return Err(format!(
            "a local stack already runs (pid {pid}); run `make stack-stop` first"
        ));
    }
    std::fs::create_dir_all(local("events")).map_err(|e| format!(".local/events: {e}"))?;
    let _ = std::fs::remove_file(local("stack.ready"));
    let log = std::fs::File::create(local("stack.log")).map_err(|e| format!(".local/stack.log: {e}"))?;
    let err = log.try_clone().map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = {
        use std::os::unix::process::CommandExt;
        std::process::Command::new(exe)
            .arg("serve")
            .stdin(std::process::Stdio::null())
            .stdout(log)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start the stack: {e}"))?
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while !local("stack.ready").exists() {
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(local("stack.log")).unwrap_or_default();
            return Err(format!("the stack exited ({status}):\n{log}"));
        }
        if Instant::now() > deadline {
            stop_group(child.id(), "serve", Duration::from_secs(10));
            let _ = child.wait();
            forget_state();
            return Err("the stack was not ready within 120 s; see .local/stack.log".to_owned());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    print!("{}", std::fs::read_to_string(local("stack.log")).unwrap_or_default());
    println!("==> next: `make watch ENV_FILE=.local/stack.env`, then in another terminal");
    println!("    `make invoke FN=custom-sms-sender EVENT=.local/events/custom-sms-sender-ForgotPassword.json`");
    println!("    and `make sent` to see what was delivered; `make stack-stop` when done");
    Ok(())
}

fn serve() -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // Listening for SIGTERM before anything exists that `stop` could be asked to stop.
    let mut term = runtime
        .block_on(async { tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) })
        .map_err(|e| e.to_string())?;
    let served = serve_until_stopped(&runtime, &mut term);
    // Moto and the stand-in are stopped by now (dropped); the state goes with them.
    forget_state();
    served
}

fn serve_until_stopped(
    runtime: &tokio::runtime::Runtime,
    term: &mut tokio::signal::unix::Signal,
) -> Result<(), String> {
    let moto = Moto::start("make stack").ok_or("moto_server is not installed: run `make tools`")?;
    let sdk = runtime.block_on(local_sdk_config(&moto.endpoint));
    let key_arn = runtime.block_on(create_key(&sdk))?;
    runtime
        .block_on(
            cognito_reset::adapters::aws::ses::Client::new(&sdk)
                .create_email_identity()
                .email_identity(EMAIL_FROM)
                .send(),
        )
        .map_err(|e| format!("CreateEmailIdentity: {e:?}"))?;
    println!(
        "==> moto on {} (pid {}); KMS key {key_arn}",
        moto.endpoint,
        moto.service.child.id()
    );

    let config =
        std::fs::read_to_string(root().join("config/local.env")).map_err(|e| format!("config/local.env: {e}"))?;
    let mut env = vec![config.trim_end().to_owned()];
    env.extend(moto.env().into_iter().map(|(k, v)| format!("{k}={v}")));
    env.extend([
        format!("KEY_ARN={key_arn}"),
        format!("EMAIL_FROM={EMAIL_FROM}"),
        "SMS_ALLOWED_COUNTRIES=US".to_owned(),
    ]);
    let eum = (std::env::var("SMS_BACKEND").is_ok_and(|b| b.trim() == "end-user-messaging")).then(|| {
        let journal = local("eum-sent.jsonl");
        let _ = std::fs::write(&journal, "");
        EumStandIn::start_with_journal(Some(journal))
    });
    if let Some(eum) = &eum {
        env.push("SMS_BACKEND=end-user-messaging".to_owned());
        env.push(format!("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2={}", eum.endpoint));
        println!("==> End User Messaging stand-in on {}; SMS go there", eum.endpoint);
    }
    write(&local("stack.env"), &(env.join("\n") + "\n"))?;
    write_events(&moto, &key_arn)?;
    let state = serde_json::json!({"moto": moto.endpoint, "moto_pid": moto.service.child.id()});
    write(&local("stack.json"), &state.to_string())?;
    write(&local("stack.pid"), &std::process::id().to_string())?;
    write(&local("stack.ready"), "")?;

    runtime.block_on(async {
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    });
    drop(eum);
    drop(moto);
    Ok(())
}

fn write(path: &std::path::Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// This project's custom sender fixtures, each with a fresh code encrypted as Cognito does.
fn write_events(moto: &Moto, key_arn: &str) -> Result<(), String> {
    let mut events = Vec::new();
    for entry in std::fs::read_dir(fixtures_dir()).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if name.starts_with("custom-") && name.contains("-sender-") && name.ends_with(".json") {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{name}: {e}"))?;
            let event: Value = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
            events.push((name, event));
        }
    }
    events.sort_by(|a, b| a.0.cmp(&b.0));
    let with_code: Vec<usize> = (0..events.len())
        .filter(|&i| !events[i].1["request"]["code"].is_null())
        .collect();
    let codes: Vec<String> = with_code.iter().map(|&i| six_digits(i)).collect();
    let ciphertexts = cognito_encrypt_many(moto, key_arn, POOL, &codes);
    for (n, &i) in with_code.iter().enumerate() {
        events[i].1["request"]["code"] = Value::String(ciphertexts[n].clone());
        println!("    .local/events/{}: code {}", events[i].0, codes[n]);
    }
    for (name, mut event) in events {
        event["userPoolId"] = Value::String(POOL.to_owned());
        let text = serde_json::to_string_pretty(&event).map_err(|e| e.to_string())?;
        write(&local("events").join(&name), &(text + "\n"))?;
    }
    Ok(())
}

/// A six-digit code that differs per event and per run (for reading, not for security).
fn six_digits(salt: usize) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mixed = (u64::from(nanos) ^ (salt as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) % 1_000_000;
    format!("{mixed:06}")
}

fn sent() -> Result<(), String> {
    let state: Value = std::fs::read_to_string(local("stack.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .ok_or("no local stack running: run `make stack`")?;
    let journal = std::fs::read_to_string(local("eum-sent.jsonl")).unwrap_or_default();
    for line in journal.lines() {
        let request = serde_json::from_str::<Value>(line).unwrap_or_default()["request"].clone();
        println!(
            "SMS (End User Messaging) to {}, TTL {} s, context {}, dry run {}:\n  {}",
            request["DestinationPhoneNumber"].as_str().unwrap_or_default(),
            request["TimeToLive"],
            request["Context"],
            request["DryRun"],
            request["MessageBody"]
                .as_str()
                .unwrap_or_default()
                .replace('\n', "\n  ")
        );
    }
    let data = cognito_reset_stack::moto_recorded(state["moto"].as_str().unwrap_or_default())?;
    for sms in data["sns"]["SMS"].as_array().into_iter().flatten() {
        println!(
            "SMS to {}:\n  {}",
            sms["phone_number"].as_str().unwrap_or_default(),
            sms["message"].as_str().unwrap_or_default().replace('\n', "\n  ")
        );
    }
    for mail in data["ses"]["Message"].as_array().into_iter().flatten() {
        let to: Vec<&str> = mail["destinations"]["ToAddresses"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        println!(
            "Email from {} to {}: {}  ({} characters of HTML)",
            mail["source"].as_str().unwrap_or_default(),
            to.join(", "),
            mail["subject"].as_str().unwrap_or_default(),
            mail["body"].as_str().map_or(0, str::len)
        );
    }
    Ok(())
}

fn stop() -> Result<(), String> {
    let moto_pid = std::fs::read_to_string(local("stack.json"))
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .and_then(|v| v["moto_pid"].as_u64())
        .and_then(|pid| u32::try_from(pid).ok());
    let Some(pid) = running() else {
        // `serve` is gone; a moto it left behind (it was killed) goes too.
        if let Some(moto) = moto_pid.filter(|&pid| is_live(pid, "moto_server")) {
            stop_group(moto, "moto_server", Duration::from_secs(5));
        }
        forget_state();
        println!("no local stack running");
        return Ok(());
    };
    // `serve` stops moto and the stand-in, and removes its state, on SIGTERM.
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while running().is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    if running().is_some() {
        stop_group(pid, "serve", Duration::ZERO);
    }
    if let Some(moto) = moto_pid.filter(|&pid| is_live(pid, "moto_server")) {
        stop_group(moto, "moto_server", Duration::from_secs(5));
    }
    forget_state();
    println!("==> local stack stopped");
    Ok(())
}

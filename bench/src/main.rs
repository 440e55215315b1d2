//! `make bench`: init time, first and warm invocation latency, peak memory, artifact size and
//! network calls of the Rust functions and of Node.js and Python peers written the way AWS's
//! samples write them, all driven by one Runtime API harness on loopback ([`runtime`]).
//! Writes `bench/RESULTS.md` and `bench/results.svg`; budgets are printed as pass/fail lines
//! and never fail anything.
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

mod report;
mod runtime;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cognito_reset_tests::{FaultProxy, Moto, Suite, block_on, cognito_encrypt, create_key, local_sdk_config, root};
use serde_json::json;

use crate::runtime::RuntimeApi;

/// One implementation of one function.
#[derive(Debug)]
pub struct Subject {
    pub function: &'static str,
    pub language: &'static str,
    pub runtime: String,
    program: Vec<String>,
    cwd: PathBuf,
    /// Files and folders that make up its deployment artifact (besides what the Lambda
    /// runtime provides).
    artifact: Vec<PathBuf>,
}

/// What was measured for one subject.
#[derive(Debug, Default, Clone)]
pub struct Measured {
    pub init: Duration,
    pub first: Duration,
    pub warm_p50: Duration,
    pub warm_p99: Duration,
    pub peak_rss_kib: u64,
    pub artifact_bytes: u64,
    pub invocations: usize,
    /// Calls per invocation that reached KMS and SNS.
    pub kms_calls: f64,
    pub sns_calls: f64,
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// The zipped size of the artifact (deflate, as a Lambda zip).
fn zipped_size(paths: &[PathBuf]) -> u64 {
    let python = root().join(".venv/bin/python3");
    let script = "import io, os, sys, zipfile\nbuf = io.BytesIO()\nwith zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:\n    for p in sys.argv[1:]:\n        if os.path.isdir(p):\n            for d, _, fs in os.walk(p):\n                for f in fs:\n                    z.write(os.path.join(d, f))\n        elif os.path.exists(p):\n            z.write(p)\nprint(len(buf.getvalue()))";
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(paths)
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0)
}

/// The sample below which `percent` of the samples lie (nearest rank).
fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) * percent + 50) / 100;
    sorted[i.min(sorted.len() - 1)]
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn spawn(api: &RuntimeApi, subject: &Subject, env: &[(String, String)]) -> Result<(Child, Instant), String> {
    api.reset();
    let started = Instant::now();
    let child = Command::new(&subject.program[0])
        .args(&subject.program[1..])
        .current_dir(&subject.cwd)
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{}", api.port))
        .env("AWS_LAMBDA_FUNCTION_NAME", subject.function)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("LAMBDA_TASK_ROOT", &subject.cwd)
        .env("PYTHONPATH", &subject.cwd)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{} ({}): cannot start: {e}", subject.function, subject.language))?;
    Ok((child, started))
}

/// Waits for the process's first `next` request: the end of its init.
fn wait_for_init(api: &RuntimeApi, child: &mut Child, started: Instant, subject: &Subject) -> Result<Duration, String> {
    loop {
        if let Some(t) = api.first_next() {
            return Ok(t - started);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{} ({}) exited during init: {status}",
                subject.function, subject.language
            ));
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err(format!(
                "{} ({}) did not ask for an event within 60 s",
                subject.function, subject.language
            ));
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// Init times of `n` fresh processes (a single start is too noisy to report).
fn cold_starts(subject: &Subject, env: &[(String, String)], n: usize) -> Result<Vec<Duration>, String> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let api = RuntimeApi::start();
        let (mut child, started) = spawn(&api, subject, env)?;
        let init = wait_for_init(&api, &mut child, started, subject);
        kill(&mut child);
        times.push(init?);
    }
    times.sort();
    Ok(times)
}

fn measure(
    subject: &Subject,
    env: &[(String, String)],
    event: &[u8],
    warm: usize,
    proxy: &FaultProxy,
) -> Result<Measured, String> {
    let inits = cold_starts(subject, env, COLD_STARTS)?;
    // A fresh Runtime API per process: a stopped process's pending `next` must not take the
    // next process's events.
    let mut api = RuntimeApi::start();
    let (mut child, started) = spawn(&api, subject, env)?;
    let result = (|| {
        wait_for_init(&api, &mut child, started, subject)?;
        let (first, outcome) = api.invoke(event, Duration::from_secs(60))?;
        if !outcome.ok {
            return Err(format!(
                "{} ({}) failed: {}",
                subject.function,
                subject.language,
                String::from_utf8_lossy(&outcome.body)
            ));
        }
        let (kms_before, sns_before) = (proxy.calls("Decrypt"), proxy.calls("Publish"));
        let mut times = Vec::with_capacity(warm);
        for _ in 0..warm {
            let (t, outcome) = api.invoke(event, Duration::from_secs(30))?;
            if !outcome.ok {
                return Err(format!("{} ({}) failed warm", subject.function, subject.language));
            }
            times.push(t);
        }
        times.sort();
        Ok(Measured {
            init: percentile(&inits, 50),
            first,
            warm_p50: percentile(&times, 50),
            warm_p99: percentile(&times, 99),
            peak_rss_kib: peak_rss_kib(child.id()),
            artifact_bytes: zipped_size(&subject.artifact),
            invocations: warm,
            kms_calls: (proxy.calls("Decrypt") - kms_before) as f64 / warm.max(1) as f64,
            sns_calls: (proxy.calls("Publish") - sns_before) as f64 / warm.max(1) as f64,
        })
    })();
    kill(&mut child);
    result
}

/// How many fresh processes each init time is the median of.
const COLD_STARTS: usize = 7;

fn subjects(root: &Path) -> Vec<Subject> {
    let release = root.join("target/release");
    let python = root.join(".venv/bin/python3").display().to_string();
    let py = root.join("bench/peers/python");
    let node = root.join("bench/peers/node");
    let node_ric = node
        .join("node_modules/aws-lambda-ric/bin/index.mjs")
        .display()
        .to_string();
    let site = root.join(".venv/lib/python3.11/site-packages");
    let python_runtime = format!("Python {} + awslambdaric 4.2.2", python_version());
    let node_runtime = format!("Node.js {} + aws-lambda-ric 3.2.1", node_version());
    let rust_runtime = "Rust (lambda_runtime), release build, host arch".to_owned();
    let mut list = Vec::new();
    for (function, py_module, node_module) in [
        ("custom-message", "custom_message", "custom_message"),
        ("custom-sms-sender", "sms_sender", "sms_sender"),
    ] {
        list.push(Subject {
            function,
            language: "Rust",
            runtime: rust_runtime.clone(),
            program: vec![release.join(function).display().to_string()],
            cwd: root.to_path_buf(),
            artifact: vec![release.join(function)],
        });
        let mut py_artifact = vec![py.join(format!("{py_module}.py"))];
        if function == "custom-sms-sender" {
            // Not in the Lambda Python runtime: the Encryption SDK and what it needs.
            for dep in ["aws_encryption_sdk", "cryptography", "wrapt", "attr", "attrs"] {
                py_artifact.push(site.join(dep));
            }
        }
        list.push(Subject {
            function,
            language: "Python",
            runtime: python_runtime.clone(),
            program: vec![
                python.clone(),
                "-m".into(),
                "awslambdaric".into(),
                format!("{py_module}.handler"),
            ],
            cwd: py.clone(),
            artifact: py_artifact,
        });
        if Path::new(&node_ric).is_file() {
            let mut node_artifact = vec![node.join(format!("{node_module}.mjs"))];
            if function == "custom-sms-sender" {
                // The AWS SDK v3 comes with the Lambda Node.js runtime; the Encryption SDK does not.
                node_artifact.push(node.join("node_modules/@aws-crypto"));
            }
            list.push(Subject {
                function,
                language: "Node.js",
                runtime: node_runtime.clone(),
                program: vec!["node".into(), node_ric.clone(), format!("{node_module}.handler")],
                cwd: node.clone(),
                artifact: node_artifact,
            });
        }
    }
    list
}

fn python_version() -> String {
    let out = Command::new(root().join(".venv/bin/python3")).arg("--version").output();
    out.map(|o| {
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .trim_start_matches("Python ")
            .to_owned()
    })
    .unwrap_or_default()
}

fn node_version() -> String {
    let out = Command::new("node").arg("--version").output();
    out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn main() {
    let root = root();
    let warm_message: usize = std::env::var("BENCH_WARM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let warm_sender = (warm_message / 10).max(20);
    println!("==> starting moto (KMS, SNS) and a counting proxy in front of it");
    let moto = Moto::start("bench").expect("moto_server (make bench installs it)");
    let proxy = FaultProxy::start(&moto.endpoint);
    let sdk = block_on(local_sdk_config(&moto.endpoint));
    let key = block_on(create_key(&sdk)).expect("key");
    let pool = "us-east-1_Bench1";
    let ciphertext = cognito_encrypt(&moto, &key, pool, Suite::Cognito, "482913");
    let message_event =
        serde_json::to_vec(&cognito_reset_tests::fixture("custom-message-ForgotPassword.json")).expect("json");
    let mut sms = cognito_reset_tests::fixture("custom-sms-sender-ForgotPassword.json");
    sms["userPoolId"] = json!(pool);
    sms["request"]["code"] = json!(ciphertext);
    let sms_event = serde_json::to_vec(&sms).expect("json");
    let env: Vec<(String, String)> = vec![
        ("AWS_ENDPOINT_URL".into(), proxy.endpoint.clone()),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
        ("KEY_ARN".into(), key.clone()),
        ("APP_NAME".into(), "Contoso".into()),
        ("SMS_ALLOWED_COUNTRIES".into(), "US".into()),
        ("LOG_LEVEL".into(), "warn".into()),
    ];
    let mut rows = Vec::new();
    for subject in subjects(&root) {
        let (event, warm) = if subject.function == "custom-message" {
            (&message_event, warm_message)
        } else {
            (&sms_event, warm_sender)
        };
        println!(
            "==> {} ({}): init, first invocation, {warm} warm invocations",
            subject.function, subject.language
        );
        match measure(&subject, &env, event, warm, &proxy) {
            Ok(m) => {
                println!(
                    "    init {:.1} ms, first {:.2} ms, warm p50 {:.3} ms p99 {:.3} ms, peak RSS {:.1} MB, artifact {:.2} MB",
                    m.init.as_secs_f64() * 1e3,
                    m.first.as_secs_f64() * 1e3,
                    m.warm_p50.as_secs_f64() * 1e3,
                    m.warm_p99.as_secs_f64() * 1e3,
                    m.peak_rss_kib as f64 / 1024.0,
                    m.artifact_bytes as f64 / 1e6
                );
                rows.push((subject, m));
            }
            Err(e) => println!("    skipped: {e}"),
        }
    }
    let rust_binaries: Vec<(String, u64)> = [
        "custom-message",
        "pre-token",
        "custom-sms-sender",
        "custom-email-sender",
        "post-confirmation",
    ]
    .iter()
    .map(|f| {
        (
            f.to_string(),
            std::fs::metadata(root.join("target/release").join(f)).map_or(0, |m| m.len()),
        )
    })
    .collect();
    let results = report::Results {
        rows: &rows,
        rust_binaries: &rust_binaries,
        warm_message,
        warm_sender,
    };
    for line in results.budget_lines() {
        println!("{line}");
    }
    std::fs::write(root.join("bench/RESULTS.md"), results.markdown()).expect("write RESULTS.md");
    std::fs::write(root.join("bench/results.svg"), results.svg()).expect("write results.svg");
    println!("==> wrote bench/RESULTS.md and bench/results.svg");
}

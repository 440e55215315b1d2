//! `make bench`: init time, first and warm invocation latency, cold start (init + first), peak
//! memory, artifact size and network calls of the Rust functions and of Node.js and Python
//! peers written the way AWS's samples write them, all driven by one Runtime API harness on
//! loopback ([`runtime`]); and the first-call cost of each phone validation candidate
//! ([`phone`]). Writes `bench/RESULTS.md` and `bench/results.svg`; budgets
//! (`bench/BUDGETS.md`) are printed as pass/fail lines and never fail anything.
//!
//! Fairness: every stand-in service answers one request of each kind before any subject is
//! timed (moto sets its backends up on first use, and whoever came first paid for it), and the
//! subjects run in `REPETITIONS` rounds, forward then backward, their samples pooled.
//!
//! `BENCH_ONLY=custom-sms-sender/Rust` runs one subject; `BENCH_WRAPPER="perf record -g -o
//! /tmp/perf.data --"` starts each subject process under a wrapper (a profiler).
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

mod machine;
mod phone;
mod report;
mod runtime;
mod table;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cognito_reset_stack::{FaultProxy, Moto, Suite, block_on, cognito_encrypt, create_key, local_sdk_config, root};
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

impl Subject {
    pub fn name(&self) -> String {
        format!("{}/{}", self.function, self.language)
    }
}

/// What was measured for one subject, over every round.
#[derive(Debug, Default, Clone)]
pub struct Measured {
    /// Medians over every fresh process.
    pub init: Duration,
    pub first: Duration,
    /// Init + first invocation of the same process (the median of those sums).
    pub cold: Duration,
    pub processes: usize,
    pub warm_p50: Duration,
    pub warm_p99: Duration,
    pub invocations: usize,
    pub peak_rss_kib: u64,
    pub artifact_bytes: u64,
    /// Requests per warm invocation that reached KMS, the delivery service (SNS `Publish` or
    /// SES `SendEmail`) and DynamoDB.
    pub kms_calls: f64,
    pub delivery_calls: f64,
    pub table_calls: f64,
}

/// Samples of one subject gathered over the rounds.
#[derive(Debug, Default)]
struct Samples {
    inits: Vec<Duration>,
    firsts: Vec<Duration>,
    colds: Vec<Duration>,
    warm: Vec<Duration>,
    peak_rss_kib: u64,
    kms: usize,
    delivery: usize,
    table: usize,
}

impl Samples {
    fn measured(mut self, artifact_bytes: u64) -> Measured {
        for list in [&mut self.inits, &mut self.firsts, &mut self.colds, &mut self.warm] {
            list.sort();
        }
        let per = |n: usize| n as f64 / self.warm.len().max(1) as f64;
        Measured {
            init: percentile(&self.inits, 50),
            first: percentile(&self.firsts, 50),
            cold: percentile(&self.colds, 50),
            processes: self.colds.len(),
            warm_p50: percentile(&self.warm, 50),
            warm_p99: percentile(&self.warm, 99),
            invocations: self.warm.len(),
            peak_rss_kib: self.peak_rss_kib,
            artifact_bytes,
            kms_calls: per(self.kms),
            delivery_calls: per(self.delivery),
            table_calls: per(self.table),
        }
    }
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
pub fn percentile(sorted: &[Duration], percent: usize) -> Duration {
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
    let wrapper: Vec<String> = std::env::var("BENCH_WRAPPER")
        .map(|w| w.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let program: Vec<&String> = wrapper.iter().chain(&subject.program).collect();
    let started = Instant::now();
    let child = Command::new(program[0])
        .args(&program[1..])
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
        .map_err(|e| format!("cannot start: {e}"))?;
    Ok((child, started))
}

/// Waits for the process's first `next` request: the end of its init.
fn wait_for_init(api: &RuntimeApi, child: &mut Child, started: Instant) -> Result<Duration, String> {
    loop {
        if let Some(t) = api.first_next() {
            return Ok(t - started);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited during init: {status}"));
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err("did not ask for an event within 60 s".into());
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// What the subjects are handed and which stand-in counts their requests.
struct Bench<'a> {
    env: &'a [(String, String)],
    proxy: &'a FaultProxy,
}

impl Bench<'_> {
    /// One round of one subject: `fresh` new processes, each timed from start to its first
    /// answer; the last one then answers `warm` more events.
    fn round(
        &self,
        subject: &Subject,
        event: &[u8],
        fresh: usize,
        warm: usize,
        into: &mut Samples,
    ) -> Result<(), String> {
        for n in 0..fresh {
            // A fresh Runtime API per process: a stopped process's pending `next` must not
            // take the next process's events.
            let mut api = RuntimeApi::start();
            let (mut child, started) = spawn(&api, subject, self.env)?;
            let result = (|| {
                let init = wait_for_init(&api, &mut child, started)?;
                let (first, outcome) = api.invoke(event, Duration::from_secs(60))?;
                if !outcome.ok {
                    return Err(format!("failed: {}", String::from_utf8_lossy(&outcome.body)));
                }
                into.inits.push(init);
                into.firsts.push(first);
                into.colds.push(init + first);
                if n + 1 == fresh {
                    self.warm(&mut api, event, warm, into)?;
                    into.peak_rss_kib = into.peak_rss_kib.max(peak_rss_kib(child.id()));
                }
                Ok(())
            })();
            kill(&mut child);
            result?;
        }
        Ok(())
    }

    fn warm(&self, api: &mut RuntimeApi, event: &[u8], warm: usize, into: &mut Samples) -> Result<(), String> {
        let before = self.counts();
        for _ in 0..warm {
            let (t, outcome) = api.invoke(event, Duration::from_secs(30))?;
            if !outcome.ok {
                return Err(format!("failed warm: {}", String::from_utf8_lossy(&outcome.body)));
            }
            into.warm.push(t);
        }
        let after = self.counts();
        into.kms += after.0 - before.0;
        into.delivery += after.1 - before.1;
        into.table += after.2 - before.2;
        Ok(())
    }

    fn counts(&self) -> (usize, usize, usize) {
        let p = self.proxy;
        (
            p.calls("Decrypt"),
            p.calls("Publish") + p.calls("SendEmail"),
            p.calls("UpdateItem") + p.calls("TransactWriteItems") + p.calls("PutItem") + p.calls("GetItem"),
        )
    }
}

/// Rounds over every subject, forward then backward, so that no subject always goes first.
const REPETITIONS: usize = 4;
/// Fresh processes per subject per round: init, first and cold start are medians over
/// `REPETITIONS * FRESH` processes.
const FRESH: usize = 3;

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
    let rust = |function: &'static str| Subject {
        function,
        language: "Rust",
        runtime: rust_runtime.clone(),
        program: vec![release.join(function).display().to_string()],
        cwd: root.to_path_buf(),
        artifact: vec![release.join(function)],
    };
    let mut list = Vec::new();
    for (function, module) in [
        ("custom-message", "custom_message"),
        ("custom-sms-sender", "sms_sender"),
    ] {
        list.push(rust(function));
        let mut py_artifact = vec![py.join(format!("{module}.py"))];
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
                format!("{module}.handler"),
            ],
            cwd: py.clone(),
            artifact: py_artifact,
        });
        let mut node_artifact = vec![node.join(format!("{module}.mjs"))];
        if function == "custom-sms-sender" {
            // The AWS SDK v3 comes with the Lambda Node.js runtime; the Encryption SDK does not.
            node_artifact.push(node.join("node_modules/@aws-crypto"));
        }
        list.push(Subject {
            function,
            language: "Node.js",
            runtime: node_runtime.clone(),
            program: vec!["node".into(), node_ric.clone(), format!("{module}.handler")],
            cwd: node.clone(),
            artifact: node_artifact,
        });
    }
    // No peers: AWS's samples have no custom email sender or pre token trigger to compare with.
    list.push(rust("custom-email-sender"));
    list.push(rust("pre-token"));
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

const POOL: &str = "us-east-1_Bench1";
const PHONE: &str = "+12065550123";
const FROM: &str = "no-reply@example.com";
const TO: &str = "jane.doe@example.com";

/// One request of every kind the subjects make, through the same proxy, before any timing.
fn warm_stand_ins(sdk: &aws_config::SdkConfig, key: &str) -> Result<(), String> {
    use cognito_reset::adapters::aws::{kms, ses, sns};
    block_on(async {
        let kms = kms::Client::new(sdk);
        let blob = kms
            .encrypt()
            .key_id(key)
            .plaintext(kms::primitives::Blob::new("warm-up"))
            .send()
            .await
            .map_err(|e| format!("KMS Encrypt: {e}"))?;
        kms.decrypt()
            .set_ciphertext_blob(blob.ciphertext_blob)
            .send()
            .await
            .map_err(|e| format!("KMS Decrypt: {e}"))?;
        sns::Client::new(sdk)
            .publish()
            .phone_number(PHONE)
            .message("warm-up")
            .send()
            .await
            .map_err(|e| format!("SNS Publish: {e}"))?;
        let ses = ses::Client::new(sdk);
        ses.create_email_identity()
            .email_identity(FROM)
            .send()
            .await
            .map_err(|e| format!("SES CreateEmailIdentity: {e}"))?;
        ses.send_email()
            .from_email_address(FROM)
            .destination(ses::types::Destination::builder().to_addresses(TO).build())
            .content(
                ses::types::EmailContent::builder()
                    .simple(
                        ses::types::Message::builder()
                            .subject(
                                ses::types::Content::builder()
                                    .data("warm-up")
                                    .build()
                                    .map_err(|e| e.to_string())?,
                            )
                            .body(
                                ses::types::Body::builder()
                                    .text(
                                        ses::types::Content::builder()
                                            .data("warm-up")
                                            .build()
                                            .map_err(|e| e.to_string())?,
                                    )
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .map_err(|e| format!("SES SendEmail: {e}"))?;
        Ok(())
    })
}

fn main() {
    if let Some(candidate) = phone::child_mode() {
        phone::run_child(&candidate);
        return;
    }
    let root = root();
    let warm_message: usize = std::env::var("BENCH_WARM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let warm_sender = (warm_message / 10).max(20);
    let only = std::env::var("BENCH_ONLY").ok();
    println!("==> starting moto (KMS, SNS, SES, DynamoDB serialized) and a counting proxy in front of it");
    let moto = Moto::start_serialized("bench").expect("moto_server (make bench installs it)");
    let proxy = FaultProxy::start(&moto.endpoint);
    let sdk = block_on(local_sdk_config(&proxy.endpoint));
    let key = block_on(create_key(&sdk)).expect("key");
    let sms_code = cognito_encrypt(&moto, &key, POOL, Suite::Cognito, "482913");
    let email_code = cognito_encrypt(&moto, &key, POOL, Suite::Cognito, "482913");
    println!("==> warming the stand-ins: one KMS Encrypt and Decrypt, one SNS Publish, one SES SendEmail");
    warm_stand_ins(&sdk, &key).expect("the stand-in services answer");
    let message_event =
        serde_json::to_vec(&cognito_reset_stack::fixture("custom-message-ForgotPassword.json")).expect("json");
    let mut sms = cognito_reset_stack::fixture("custom-sms-sender-ForgotPassword.json");
    sms["userPoolId"] = json!(POOL);
    sms["request"]["code"] = json!(sms_code);
    sms["request"]["userAttributes"]["phone_number"] = json!(PHONE);
    let sms_event = serde_json::to_vec(&sms).expect("json");
    let mut email = cognito_reset_stack::fixture("custom-email-sender-ForgotPassword.json");
    email["userPoolId"] = json!(POOL);
    email["request"]["code"] = json!(email_code);
    email["request"]["userAttributes"]["email"] = json!(TO);
    let email_event = serde_json::to_vec(&email).expect("json");
    block_on(cognito_reset_stack::demo::create_delivery_table(
        &block_on(local_sdk_config(&moto.endpoint)),
        table::TABLE,
    ))
    .expect("the delivery table");
    let token_event =
        serde_json::to_vec(&cognito_reset_stack::fixture("pre-token-v2-Authentication.json")).expect("json");
    let env: Vec<(String, String)> = vec![
        ("AWS_ENDPOINT_URL".into(), proxy.endpoint.clone()),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
        ("KEY_ARN".into(), key.clone()),
        ("APP_NAME".into(), "Contoso".into()),
        ("SMS_ALLOWED_COUNTRIES".into(), "US".into()),
        ("EMAIL_FROM".into(), FROM.into()),
        ("LOG_LEVEL".into(), "warn".into()),
    ];
    let bench = Bench {
        env: &env,
        proxy: &proxy,
    };
    let subjects: Vec<Subject> = subjects(&root)
        .into_iter()
        .filter(|s| only.as_ref().is_none_or(|o| *o == s.name()))
        .collect();
    let mut samples: Vec<Result<Samples, String>> = subjects.iter().map(|_| Ok(Samples::default())).collect();
    for round in 0..REPETITIONS {
        let mut order: Vec<usize> = (0..subjects.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        println!("==> round {} of {REPETITIONS}", round + 1);
        for i in order {
            let subject = &subjects[i];
            let Ok(into) = &mut samples[i] else { continue };
            let (event, warm) = match subject.function {
                "custom-message" => (&message_event, warm_message),
                "custom-sms-sender" => (&sms_event, warm_sender),
                "pre-token" => (&token_event, warm_message),
                _ => (&email_event, warm_sender),
            };
            let warm = warm.div_ceil(REPETITIONS);
            println!(
                "    {}: {FRESH} fresh processes, then {warm} warm invocations",
                subject.name()
            );
            if let Err(e) = bench.round(subject, event, FRESH, warm, into) {
                println!("    {}: FAIL: {e}", subject.name());
                samples[i] = Err(e);
            }
        }
    }
    let rows: Vec<(Subject, Result<Measured, String>)> = subjects
        .into_iter()
        .zip(samples)
        .map(|(subject, s)| {
            let m = s.map(|s| s.measured(zipped_size(&subject.artifact)));
            if let Ok(m) = &m {
                println!(
                    "    {}: init {:.2} ms, first {:.2} ms, cold {:.2} ms, warm p50 {:.3} ms",
                    subject.name(),
                    report::ms(m.init),
                    report::ms(m.first),
                    report::ms(m.cold),
                    report::ms(m.warm_p50)
                );
            }
            (subject, m)
        })
        .collect();
    let table = only.as_ref().is_none_or(|o| o == "table").then(|| {
        println!(
            "==> the senders with the delivery table: {warm_sender} messages each, then again; bursts of {}",
            table::BURST
        );
        let all = crate::subjects(&root);
        let rust = |function: &str| {
            all.iter()
                .find(|s| s.function == function && s.language == "Rust")
                .expect("a Rust subject")
        };
        let run = table::Run {
            proxy: &proxy,
            moto: &moto,
            env: &env,
        };
        let events = [
            table::Events {
                moto: &moto,
                key: &key,
                pool: POOL,
                template: &sms,
            },
            table::Events {
                moto: &moto,
                key: &key,
                pool: POOL,
                template: &email,
            },
        ];
        let results = table::measure(
            &run,
            rust("custom-sms-sender"),
            rust("custom-email-sender"),
            &events,
            warm_sender,
        );
        for line in results
            .sequential
            .iter()
            .map(|r| r.as_ref().map(table::Sequential::summary))
        {
            println!("    {}", line.unwrap_or_else(|e| format!("FAIL: {e}")));
        }
        for line in results.bursts.iter().map(|b| b.as_ref().map(table::Burst::summary)) {
            println!("    {}", line.unwrap_or_else(|e| format!("FAIL: {e}")));
        }
        results
    });
    println!("==> phone validation candidates: the first number checked in a fresh process");
    let phone = phone::measure();
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
        phone: &phone,
        machine: machine::describe(),
        warm_message,
        warm_sender,
        table: table.as_ref(),
    };
    for line in results.budget_lines() {
        println!("{line}");
    }
    if only.is_some() {
        println!("==> BENCH_ONLY set: bench/RESULTS.md left as it was");
        return;
    }
    std::fs::write(root.join("bench/RESULTS.md"), results.markdown()).expect("write RESULTS.md");
    std::fs::write(root.join("bench/results.svg"), results.svg()).expect("write results.svg");
    report::write_block(&root.join("docs/src/benchmarks.md"), &results.book_block())
        .expect("write docs/src/benchmarks.md");
    println!("==> wrote bench/RESULTS.md, bench/results.svg and the numbers in docs/src/benchmarks.md");
}

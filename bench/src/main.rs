//! `make bench`: init time, first and warm invocation latency, cold start (init + first), peak
//! memory, artifact size and network calls of the Rust functions and of Node.js and Python
//! peers written the way AWS's samples write them, all driven by one Runtime API harness on
//! loopback (`cognito_reset_stack::RuntimeApi`); and the first-call cost of each phone validation candidate
//! ([`phone`]). Writes `bench/RESULTS.md` and `bench/results.svg`; budgets
//! (`bench/BUDGETS.md`) are printed as pass/fail lines and never fail anything.
//!
//! Fairness: every stand-in service answers one request of each kind before any subject is
//! timed (moto sets its backends up on first use, and whoever came first paid for it), and the
//! subjects run in `REPETITIONS` rounds, forward then backward, their samples pooled.
//!
//! `BENCH_ONLY=custom-sms-sender/Rust` runs one subject; `BENCH_WRAPPER="perf record -g -o
//! /tmp/perf.data --"` starts each subject process under a wrapper (a profiler);
//! `BENCH_MEMORY_MB=128` runs each subject at Lambda's CPU share for that memory size
//! ([`cpu_share`]).
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

mod cpu_share;
mod machine;
mod measure;
mod phone;
mod report;
mod subjects;
mod table;

use cognito_reset_stack::{FaultProxy, Moto, Suite, block_on, cognito_encrypt, create_key, local_sdk_config, root};
use serde_json::json;

pub use crate::measure::*;
use crate::subjects::subjects;

/// Rounds over every subject, forward then backward, so that no subject always goes first.
const REPETITIONS: usize = 4;
/// Fresh processes per subject per round: init, first and cold start are medians over
/// `REPETITIONS * FRESH` processes.
const FRESH: usize = 3;

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
    let rust_binaries: Vec<(String, u64)> = cognito_reset::domain::settings::FUNCTIONS
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
    cpu_share::remove_all();
    if only.is_some() || cpu_share::memory_mb().is_some() {
        println!("==> BENCH_ONLY or BENCH_MEMORY_MB set: bench/RESULTS.md left as it was");
        return;
    }
    std::fs::write(root.join("bench/RESULTS.md"), results.markdown()).expect("write RESULTS.md");
    std::fs::write(root.join("bench/results.svg"), results.svg()).expect("write results.svg");
    report::write_block(&root.join("docs/src/benchmarks.md"), &results.book_block())
        .expect("write docs/src/benchmarks.md");
    println!("==> wrote bench/RESULTS.md, bench/results.svg and the numbers in docs/src/benchmarks.md");
}

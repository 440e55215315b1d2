//! `make bench`: init time, first and warm invocation latency, cold start (init + first), peak
//! memory, artifact size and network calls of the Rust functions and of Node.js and Python
//! peers written the way AWS's samples write them, all driven by one Runtime API harness on
//! loopback (`cognito_reset_stack::RuntimeApi`); and the first-call cost of each phone validation candidate
//! ([`phone`]); and user migration's password check per legacy hash format ([`hashes`]). Writes `bench/RESULTS.md` and `bench/results.svg`; budgets
//! (`bench/BUDGETS.md`) are printed as pass/fail lines and never fail anything.
//!
//! Fairness: every stand-in service answers one request of each kind before any subject is
//! timed (moto sets its backends up on first use, and whoever came first paid for it), and the
//! subjects run in `REPETITIONS` rounds, forward then backward, their samples pooled.
//!
//! Every subject runs at Lambda's CPU share for 128, 256, 512 and 1,024 MB in turn
//! ([`cpu_share`]), then on full cores, and reaches the stand-ins over TLS ([`tls`]).
//!
//! `BENCH_ONLY=custom-sms-sender/Rust` runs one subject; `BENCH_MEMORY_MB=128` or `128,512`
//! measures those sizes only; `BENCH_WRAPPER=<program>` starts each subject process under a
//! wrapper (a profiler that outlives the SIGKILL each subject ends with: docs/src/benchmarks.md);
//! `BENCH_RUST_DIR` runs the Rust functions from another folder (a build with symbols). With
//! any of the first two set, RESULTS.md is left as it was.
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

mod cpu_share;
mod hashes;
mod machine;
mod measure;
mod migration;
mod phone;
mod report;
mod subjects;
mod table;

use cognito_reset::domain::settings::USER_MIGRATION;
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
/// The user the pre token and post confirmation events name (moto's pools take any username).
const USER: &str = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";

/// The user the Cognito writes are about: a pool with the rule attributes and one user, made
/// on moto directly (not through the counting proxy). Returns the pool's id.
fn cognito_user(sdk: &aws_config::SdkConfig) -> Result<String, String> {
    use cognito_reset::adapters::aws::cognito;
    use cognito_reset_stack::demo::{attribute, custom_schema};
    block_on(async {
        let idp = cognito::Client::new(sdk);
        let pool = idp
            .create_user_pool()
            .pool_name("bench")
            .schema(custom_schema("password_changed_at"))
            .schema(custom_schema("force_password_reset"))
            .send()
            .await
            .map_err(|e| format!("CreateUserPool: {e}"))?;
        let pool = pool.user_pool().and_then(|p| p.id()).ok_or("no pool id")?.to_owned();
        idp.admin_create_user()
            .user_pool_id(&pool)
            .username(USER)
            .message_action(cognito::types::MessageActionType::Suppress)
            .user_attributes(attribute("email", TO)?)
            .send()
            .await
            .map_err(|e| format!("AdminCreateUser: {e}"))?;
        Ok(pool)
    })
}

/// One request of every kind the subjects make, through the same proxy, before any timing.
fn warm_stand_ins(sdk: &aws_config::SdkConfig, key: &str, user_pool: &str) -> Result<(), String> {
    use cognito_reset::adapters::aws::{cognito, kms, ses, sns};
    block_on(async {
        cognito::Client::new(sdk)
            .admin_update_user_attributes()
            .user_pool_id(user_pool)
            .username(USER)
            .user_attributes(cognito_reset_stack::demo::attribute(
                "custom:password_changed_at",
                "2026-09-01T08:00:00Z",
            )?)
            .send()
            .await
            .map_err(|e| format!("Cognito AdminUpdateUserAttributes: {e}"))?;
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
    if let Some(format) = hashes::child_mode() {
        hashes::run_child(&format);
        return;
    }
    let root = root();
    let ticks_at_start = machine::cpu_ticks();
    let warm_message: usize = std::env::var("BENCH_WARM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let warm_sender = (warm_message / 10).max(20);
    let only = std::env::var("BENCH_ONLY").ok();
    println!("==> starting moto (KMS, SNS, SES, DynamoDB serialized) and a counting proxy in front of it");
    let moto = Moto::start_serialized("bench").expect("moto_server (make bench installs it)");
    let proxy = FaultProxy::start(&moto.endpoint);
    cpu_share::remove_stale();
    let tls = cognito_reset_stack::Tls::make().expect("the run's certificates");
    let front = cognito_reset_stack::TlsFront::start(&tls, &proxy.endpoint);
    println!(
        "==> the subjects reach it over TLS at {} (a chain made for the run, trusted beside {} CA certificates)",
        front.endpoint,
        tls.bundle_roots - 1
    );
    let sdk = block_on(local_sdk_config(&proxy.endpoint));
    let key = block_on(create_key(&sdk)).expect("key");
    let sms_code = cognito_encrypt(&moto, &key, POOL, Suite::Cognito, "482913");
    let email_code = cognito_encrypt(&moto, &key, POOL, Suite::Cognito, "482913");
    let user_pool = cognito_user(&block_on(local_sdk_config(&moto.endpoint))).expect("the bench's user");
    println!(
        "==> warming the stand-ins: one Cognito write, one KMS Encrypt and Decrypt, one SNS Publish, one SES SendEmail"
    );
    warm_stand_ins(&sdk, &key, &user_pool).expect("the stand-in services answer");
    front.warm(&tls).expect("the TLS endpoint answers");
    let mut sms = cognito_reset_stack::fixture("custom-sms-sender-ForgotPassword.json");
    sms["userPoolId"] = json!(POOL);
    sms["request"]["code"] = json!(sms_code);
    sms["request"]["userAttributes"]["phone_number"] = json!(PHONE);
    let mut email = cognito_reset_stack::fixture("custom-email-sender-ForgotPassword.json");
    email["userPoolId"] = json!(POOL);
    email["request"]["code"] = json!(email_code);
    email["request"]["userAttributes"]["email"] = json!(TO);
    // A password changed 30 days before the run: a sign-in the age rule lets through.
    let changed = cognito_reset::domain::rules::timestamp::format(cognito_reset::runtime::clock::now() - 30 * 86_400);
    let user_event = |name: &str| {
        let mut event = cognito_reset_stack::fixture(name);
        event["userPoolId"] = json!(user_pool);
        event["userName"] = json!(USER);
        if event["request"]["userAttributes"]
            .get("custom:password_changed_at")
            .is_some()
        {
            event["request"]["userAttributes"]["custom:password_changed_at"] = json!(changed);
        }
        event
    };
    println!("==> user migration's store: a legacy API over TLS holding one user with a bcrypt (cost 12) hash");
    let legacy = migration::Store::start().expect("the legacy API stand-in");
    // The event of each case, and how many warm invocations it gets: the Cognito writes and
    // the senders call AWS each time, the others are in-process work.
    let mut events: Vec<(&str, Vec<u8>, Vec<u8>, usize)> = [
        (
            "custom-message",
            cognito_reset_stack::fixture("custom-message-ForgotPassword.json"),
            warm_message,
        ),
        ("custom-sms-sender", sms.clone(), warm_sender),
        ("custom-email-sender", email.clone(), warm_sender),
        (
            "pre-token",
            user_event("pre-token-v2-Authentication.json"),
            warm_message,
        ),
        (
            "pre-token, new password",
            user_event("pre-token-v2-NewPasswordChallenge.json"),
            warm_sender,
        ),
        (
            "post-confirmation",
            user_event("post-confirmation-ConfirmForgotPassword.json"),
            warm_sender,
        ),
    ]
    .into_iter()
    .map(|(label, event, warm)| {
        let event = serde_json::to_vec(&event).expect("json");
        (label, event.clone(), event, warm)
    })
    .collect();
    // User migration: cold, a sign-in (lookup and password check); warm, a reset's lookup.
    events.push((
        USER_MIGRATION,
        legacy.sign_in.clone(),
        legacy.reset.clone(),
        warm_sender,
    ));
    let any_answer = |_: &[u8]| Ok(());
    let migrated = |answer: &[u8]| legacy.check(answer);
    let nothing = || {};
    let mark = || legacy.mark();
    block_on(cognito_reset_stack::demo::create_delivery_table(
        &block_on(local_sdk_config(&moto.endpoint)),
        table::TABLE,
    ))
    .expect("the delivery table");
    let mut env: Vec<(String, String)> = vec![
        ("AWS_ENDPOINT_URL".into(), front.endpoint.clone()),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
        ("KEY_ARN".into(), key.clone()),
        ("APP_NAME".into(), "Contoso".into()),
        ("SMS_ALLOWED_COUNTRIES".into(), "US".into()),
        ("EMAIL_FROM".into(), FROM.into()),
        // The age rule on, for the Rust function and the peers alike (the events' password is
        // 30 days old: a sign-in that passes).
        ("PASSWORD_MAX_AGE_DAYS".into(), "90".into()),
        ("LOG_LEVEL".into(), "warn".into()),
    ];
    env.extend(tls.trust_env());
    let bench = Bench {
        env: &env,
        proxy: &proxy,
    };
    let sizes = cpu_share::sizes().unwrap_or_else(|e| panic!("{e}"));
    let subjects: Vec<Subject> = subjects(&root)
        .into_iter()
        .filter(|s| only.as_ref().is_none_or(|o| *o == s.name()))
        .map(|mut s| {
            if s.function == USER_MIGRATION {
                s.env = legacy.env();
            }
            s
        })
        .collect();
    let mut curve: Vec<(u64, Vec<Result<Measured, String>>)> = Vec::new();
    for &memory_mb in &sizes {
        cpu_share::set_memory_mb(memory_mb);
        let mut samples: Vec<Result<Samples, String>> = subjects.iter().map(|_| Ok(Samples::default())).collect();
        for round in 0..REPETITIONS {
            let mut order: Vec<usize> = (0..subjects.len()).collect();
            if round % 2 == 1 {
                order.reverse();
            }
            println!(
                "==> {}: round {} of {REPETITIONS}",
                cpu_share::name(memory_mb),
                round + 1
            );
            for i in order {
                let subject = &subjects[i];
                let Ok(into) = &mut samples[i] else { continue };
                let (_, first, then, warm) = events
                    .iter()
                    .find(|(label, ..)| *label == subject.label)
                    .expect("an event for every case");
                let migration = subject.function == USER_MIGRATION;
                let work = Workload {
                    first,
                    then,
                    before: if migration { &mark } else { &nothing },
                    check: if migration { &migrated } else { &any_answer },
                };
                let warm = warm.div_ceil(REPETITIONS);
                println!(
                    "    {}: {FRESH} fresh processes, then {warm} warm invocations",
                    subject.name()
                );
                if let Err(e) = bench.round(subject, &work, FRESH, warm, into) {
                    println!("    {}: FAIL: {e}", subject.name());
                    samples[i] = Err(e);
                }
            }
        }
        let measured: Vec<Result<Measured, String>> = subjects
            .iter()
            .zip(samples)
            .map(|(subject, s)| {
                let m = s.and_then(|s| {
                    if s.colds.is_empty() {
                        return Err(format!(
                            "none of its {} processes asked for an event within {} s",
                            s.stalled,
                            INIT_LIMIT.as_secs()
                        ));
                    }
                    Ok(s.measured(zipped_size(&subject.artifact)))
                });
                if let Ok(m) = &m {
                    println!(
                        "    {} at {}: init {:.2} ms, first {:.2} ms, cold {:.2} ms, warm p50 {:.3} ms{}",
                        subject.name(),
                        cpu_share::name(memory_mb),
                        report::ms(m.init),
                        report::ms(m.first),
                        report::ms(m.cold),
                        report::ms(m.warm_p50),
                        report::outliers(m).map_or(String::new(), |o| format!("; {o}"))
                    );
                }
                m
            })
            .collect();
        curve.push((memory_mb, measured));
    }
    // The delivery table's runs on full cores, as the phone candidates: 50 processes at 128 MB's
    // share would ask this 2-core machine for 3.6 CPUs, where on Lambda each has its own.
    cpu_share::set_memory_mb(cpu_share::FULL);
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
    let hashes = only.as_ref().is_none_or(|o| o == "hashes").then(|| {
        println!(
            "==> user migration: each legacy hash format's check at its library's default work factor, at Lambda's CPU share"
        );
        hashes::measure()
    });
    println!("==> phone validation candidates: the first number checked in a fresh process");
    let phone = phone::measure();
    let rust_binaries: Vec<(String, u64)> = cognito_reset::domain::settings::FUNCTIONS
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::metadata(subjects::rust_dir(&root).join(f)).map_or(0, |m| m.len()),
            )
        })
        .collect();
    let deployed = report::deployed_memory(&root.join("infra/template.json"));
    // The main table, the ratios and the peer budgets are at the smallest size measured.
    let rows: Vec<(Subject, Result<Measured, String>)> = subjects.into_iter().zip(curve[0].1.clone()).collect();
    let results = report::Results {
        rows: &rows,
        curve: &curve,
        deployed: &deployed,
        rust_binaries: &rust_binaries,
        phone: &phone,
        machine: [
            Some(machine::describe()),
            machine::steal_between(ticks_at_start, machine::cpu_ticks()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; "),
        warm_message,
        warm_sender,
        table: table.as_ref(),
        hashes: hashes.as_deref().unwrap_or_default(),
    };
    for line in results.budget_lines() {
        println!("{line}");
    }
    cpu_share::remove_all();
    if only.is_some() || sizes != cpu_share::SIZES {
        println!("==> BENCH_ONLY or BENCH_MEMORY_MB set: bench/RESULTS.md left as it was");
        return;
    }
    std::fs::write(root.join("bench/RESULTS.md"), results.markdown()).expect("write RESULTS.md");
    std::fs::write(root.join("bench/results.svg"), results.svg()).expect("write results.svg");
    report::write_block(&root.join("docs/src/benchmarks.md"), &results.book_block())
        .expect("write docs/src/benchmarks.md");
    println!("==> wrote bench/RESULTS.md, bench/results.svg and the numbers in docs/src/benchmarks.md");
}

//! The senders with the delivery table: what each message costs in requests and time next to
//! the runs without it, what a retried (duplicate) message costs, and what the claim costs when
//! 50 invocations arrive at once (the template's sender concurrency), counted at the proxy and
//! checked against the table afterwards.
//!
//! The table is moto's DynamoDB with its operations serialized, as DynamoDB's transactions are
//! (`Moto::start_serialized`); moto never answers `TransactionConflict`, so nothing measured
//! here includes the retries DynamoDB's conflicts would add.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use cognito_reset_stack::{FaultProxy, Moto, block_on, cognito_encrypt_many, local_sdk_config};
use serde_json::{Value, json};

use crate::{Subject, kill, percentile, spawn, spawn_logging, wait_for_init};
use cognito_reset_stack::RuntimeApi;

pub const TABLE: &str = "cognito-reset-bench-deliveries";
/// Invocations at once in a burst: the template's reserved concurrency for each sender.
pub const BURST: usize = 50;
/// The per-recipient limit in the burst aimed at one recipient.
pub const ONE_RECIPIENT_LIMIT: usize = 5;
/// What a sender logs when it delivers without the table (`shared/src/sender/table.rs`).
const UNGUARDED_LOG: &str = "delivery table unavailable: delivering without its limits";

/// Requests that reached the proxy, by operation.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Requests {
    pub kms: usize,
    pub delivery: usize,
    pub transact: usize,
    pub update: usize,
    pub get: usize,
}

impl Requests {
    fn now(proxy: &FaultProxy) -> Requests {
        Requests {
            kms: proxy.calls("Decrypt"),
            delivery: proxy.calls("Publish") + proxy.calls("SendEmail"),
            transact: proxy.calls("TransactWriteItems"),
            update: proxy.calls("UpdateItem"),
            get: proxy.calls("GetItem"),
        }
    }

    fn since(self, before: Requests) -> Requests {
        Requests {
            kms: self.kms - before.kms,
            delivery: self.delivery - before.delivery,
            transact: self.transact - before.transact,
            update: self.update - before.update,
            get: self.get - before.get,
        }
    }

    pub fn dynamodb(self) -> usize {
        self.transact + self.update + self.get
    }

    /// `1 KMS + 1 delivery + 1 TransactWriteItems + 2 UpdateItem`, per `n` invocations.
    pub fn per(self, n: usize) -> String {
        let f = |count: usize| {
            let v = count as f64 / n.max(1) as f64;
            if (v - v.round()).abs() < 0.005 {
                format!("{v:.0}")
            } else {
                format!("{v:.2}")
            }
        };
        let mut parts = vec![format!("{} KMS", f(self.kms)), format!("{} delivery", f(self.delivery))];
        for (count, name) in [
            (self.transact, "TransactWriteItems"),
            (self.update, "UpdateItem"),
            (self.get, "GetItem"),
        ] {
            if count > 0 {
                parts.push(format!("{} {name}", f(count)));
            }
        }
        parts.join(" + ")
    }
}

/// One sender's messages, one after another, each new, then each again (a retry).
#[derive(Debug, Clone)]
pub struct Sequential {
    pub function: &'static str,
    pub cold: Duration,
    pub messages: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub requests: Requests,
    pub duplicates: usize,
    pub duplicate_p50: Duration,
    pub duplicate_requests: Requests,
}

/// `BURST` invocations of one sender at once, each in its own process.
#[derive(Debug, Clone)]
pub struct Burst {
    pub function: &'static str,
    pub what: String,
    pub invocations: usize,
    /// Invocations whose process answered with an error (Lambda would retry them).
    pub failed: usize,
    /// Messages that reached the delivery service.
    pub sent: usize,
    /// Message items the table holds as sent: every message that went out had its claim.
    pub claimed_sent: usize,
    /// What the limits allowed: every invocation, or the per-recipient limit.
    pub expected: usize,
    /// Invocations that logged delivering without the table's protection: the table gave no
    /// answer within the claim's budget and `ON_TABLE_ERROR=deliver` sent regardless.
    pub unguarded: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub requests: Requests,
}

impl Sequential {
    pub fn summary(&self) -> String {
        format!(
            "{}: new message p50 {:.2} ms ({}), duplicate p50 {:.2} ms ({})",
            self.function,
            crate::report::ms(self.p50),
            self.requests.per(self.messages),
            crate::report::ms(self.duplicate_p50),
            self.duplicate_requests.per(self.duplicates)
        )
    }
}

impl Burst {
    /// Whether the limits held: what they allow went out, each with its claim, nothing failed,
    /// and a throttled request decrypted nothing.
    pub fn held(&self) -> bool {
        self.failed == 0
            && self.sent == self.expected
            && self.claimed_sent == self.sent
            && self.requests.kms == self.sent
    }

    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}, {}: {} sent of {} allowed, {} held as sent by the table, {} failed, {} KMS",
            self.function, self.what, self.sent, self.expected, self.claimed_sent, self.failed, self.requests.kms
        );
        if self.unguarded > 0 {
            s.push_str(&format!(
                "; {} delivered without the table, which gave no answer within the claim's {} ms (ON_TABLE_ERROR=deliver)",
                self.unguarded,
                cognito_reset::domain::budgets::CLAIM.as_millis()
            ));
        }
        s
    }
}

#[derive(Debug, Clone)]
pub struct TableResults {
    pub sequential: Vec<Result<Sequential, String>>,
    pub bursts: Vec<Result<Burst, String>>,
}

/// What the senders need for the table, beside the benchmark's environment: limits high
/// enough that only the burst aimed at one recipient is throttled, and the pool's SMS ceiling
/// on so that its counter is paid for.
fn table_env(base: &[(String, String)], per_recipient: usize) -> Vec<(String, String)> {
    let mut env = base.to_vec();
    for (k, v) in [
        ("DELIVERY_TABLE", TABLE.to_owned()),
        (
            "DELIVERY_HASH_KEY",
            "bench-hash-key-0123456789abcdef0123456789".to_owned(),
        ),
        ("MAX_SMS_PER_NUMBER", per_recipient.to_string()),
        ("MAX_EMAIL_PER_ADDRESS", per_recipient.to_string()),
        ("MAX_SMS_PER_POOL_PER_DAY", "1000000".to_owned()),
        ("ON_TABLE_ERROR", "deliver".to_owned()),
    ] {
        env.push((k.to_owned(), v));
    }
    env
}

/// Events of one sender, each with its own ciphertext (a new message), to `recipient(i)`.
pub struct Events<'a> {
    pub moto: &'a Moto,
    pub key: &'a str,
    pub pool: &'a str,
    /// The sender's published event with the pool set.
    pub template: &'a Value,
}

impl Events<'_> {
    fn make(&self, n: usize, recipient: impl Fn(usize) -> (&'static str, String)) -> Vec<Vec<u8>> {
        let codes: Vec<String> = (0..n).map(|i| format!("{:06}", 100_000 + i)).collect();
        let ciphertexts = cognito_encrypt_many(self.moto, self.key, self.pool, &codes);
        assert_eq!(ciphertexts.len(), n, "one ciphertext per code");
        ciphertexts
            .into_iter()
            .enumerate()
            .map(|(i, code)| {
                let mut event = self.template.clone();
                event["request"]["code"] = json!(code);
                let (attribute, value) = recipient(i);
                event["request"]["userAttributes"][attribute] = json!(value);
                serde_json::to_vec(&event).expect("json")
            })
            .collect()
    }
}

fn sms_recipient(i: usize) -> (&'static str, String) {
    ("phone_number", format!("+120655501{:02}", i % 100))
}

fn email_recipient(i: usize) -> (&'static str, String) {
    ("email", format!("user{i}@example.com"))
}

pub struct Run<'a> {
    pub proxy: &'a FaultProxy,
    pub moto: &'a Moto,
    pub env: &'a [(String, String)],
}

impl Run<'_> {
    /// One process: the first message (its cold start), `messages - 1` more, then every
    /// message again.
    pub fn sequential(&self, subject: &Subject, events: &[Vec<u8>]) -> Result<Sequential, String> {
        let env = table_env(self.env, 1000);
        let mut api = RuntimeApi::start();
        let (mut child, started) = spawn(&api, subject, &env)?;
        let result = (|| {
            let init = wait_for_init(&api, &mut child, started)?;
            let before = Requests::now(self.proxy);
            let mut times = Vec::with_capacity(events.len());
            for event in events {
                times.push(invoke_ok(&mut api, event)?);
            }
            let requests = Requests::now(self.proxy).since(before);
            let cold = init + times[0];
            let before = Requests::now(self.proxy);
            let mut again = Vec::with_capacity(events.len());
            for event in events {
                again.push(invoke_ok(&mut api, event)?);
            }
            let duplicate_requests = Requests::now(self.proxy).since(before);
            let warm = &mut times[1..];
            warm.sort();
            again.sort();
            Ok(Sequential {
                function: subject.function,
                cold,
                messages: events.len(),
                p50: percentile(warm, 50),
                p99: percentile(warm, 99),
                requests,
                duplicates: again.len(),
                duplicate_p50: percentile(&again, 50),
                duplicate_requests,
            })
        })();
        kill(&mut child);
        result
    }

    /// `events.len()` processes, started and initialized, then each handed its event at the
    /// same moment; afterwards the table says how many messages it holds as sent.
    pub fn burst(
        &self,
        subject: &Subject,
        what: &str,
        events: Vec<Vec<u8>>,
        per_recipient: usize,
        expected: usize,
    ) -> Result<Burst, String> {
        let env = table_env(self.env, per_recipient);
        let claimed_before = sent_items(self.moto)?;
        // Each process's log, to count the invocations that delivered without the table.
        let logs = std::env::temp_dir().join(format!("cognito-reset-bench-burst-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&logs);
        std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
        let mut processes = Vec::with_capacity(events.len());
        let started = (|| {
            for n in 0..events.len() {
                let api = RuntimeApi::start();
                let (child, at) = spawn_logging(&api, subject, &env, Some(&logs.join(format!("{n}.log"))))?;
                processes.push((api, child, at));
            }
            for (api, child, at) in &mut processes {
                wait_for_init(api, child, *at)?;
            }
            Ok::<(), String>(())
        })();
        if let Err(e) = started {
            for (_, child, _) in &mut processes {
                kill(child);
            }
            return Err(e);
        }
        let before = Requests::now(self.proxy);
        let barrier = Arc::new(Barrier::new(events.len()));
        let mut children = Vec::with_capacity(events.len());
        let handles: Vec<_> = processes
            .into_iter()
            .zip(events)
            .map(|((mut api, child, _), event)| {
                children.push(child);
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    api.invoke(&event, Duration::from_secs(60))
                })
            })
            .collect();
        let answers: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("harness thread panicked".into())))
            .collect();
        for child in &mut children {
            kill(child);
        }
        let unguarded = (0..answers.len())
            .filter(|n| {
                std::fs::read_to_string(logs.join(format!("{n}.log"))).is_ok_and(|log| log.contains(UNGUARDED_LOG))
            })
            .count();
        let _ = std::fs::remove_dir_all(&logs);
        let requests = Requests::now(self.proxy).since(before);
        let mut times = Vec::new();
        let mut failed = 0;
        for answer in answers {
            let (t, outcome) = answer?;
            times.push(t);
            failed += usize::from(!outcome.ok);
        }
        times.sort();
        Ok(Burst {
            function: subject.function,
            what: what.to_owned(),
            invocations: times.len(),
            failed,
            sent: requests.delivery,
            claimed_sent: sent_items(self.moto)? - claimed_before,
            expected,
            unguarded,
            p50: percentile(&times, 50),
            p99: percentile(&times, 99),
            max: times.last().copied().unwrap_or_default(),
            requests,
        })
    }
}

fn invoke_ok(api: &mut RuntimeApi, event: &[u8]) -> Result<Duration, String> {
    let (t, outcome) = api.invoke(event, Duration::from_secs(60))?;
    if !outcome.ok {
        return Err(format!("failed: {}", String::from_utf8_lossy(&outcome.body)));
    }
    Ok(t)
}

/// Message items in state `sent`, read from moto directly (not through the counting proxy).
fn sent_items(moto: &Moto) -> Result<usize, String> {
    use cognito_reset::adapters::aws::dynamodb::{Client, types::AttributeValue};
    block_on(async {
        let client = Client::new(&local_sdk_config(&moto.endpoint).await);
        let mut count = 0;
        let mut start = None;
        loop {
            let page = client
                .scan()
                .table_name(TABLE)
                .filter_expression("begins_with(pk, :m) AND #s = :sent")
                .expression_attribute_names("#s", "state")
                .expression_attribute_values(":m", AttributeValue::S("m#".into()))
                .expression_attribute_values(":sent", AttributeValue::S("sent".into()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| format!("DynamoDB Scan: {e}"))?;
            count += usize::try_from(page.count).unwrap_or_default();
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(count);
            }
        }
    })
}

/// Every table run: each sender one message after another, then the bursts.
pub fn measure(
    run: &Run<'_>,
    sms: &Subject,
    email: &Subject,
    events: &[Events<'_>; 2],
    messages: usize,
) -> TableResults {
    let [sms_events, email_events] = events;
    let sequential = vec![
        run.sequential(sms, &sms_events.make(messages, sms_recipient)),
        run.sequential(email, &email_events.make(messages, email_recipient)),
    ];
    // Recipients the messages above did not count against.
    let one_number = |_| ("phone_number", "+12065551212".to_owned());
    let one_mailbox = |_| email_recipient(9999);
    let bursts = vec![
        run.burst(
            sms,
            &format!("{BURST} numbers in one pool (the pool's counter shared)"),
            sms_events.make(BURST, sms_recipient),
            1000,
            BURST,
        ),
        run.burst(
            sms,
            &format!("{BURST} requests for one number, limit {ONE_RECIPIENT_LIMIT}"),
            sms_events.make(BURST, one_number),
            ONE_RECIPIENT_LIMIT,
            ONE_RECIPIENT_LIMIT,
        ),
        run.burst(
            email,
            &format!("{BURST} requests for one mailbox, limit {ONE_RECIPIENT_LIMIT}"),
            email_events.make(BURST, one_mailbox),
            ONE_RECIPIENT_LIMIT,
            ONE_RECIPIENT_LIMIT,
        ),
    ];
    TableResults { sequential, bursts }
}

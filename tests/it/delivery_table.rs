//! The delivery table against moto's DynamoDB: the SMS sender with its production adapters
//! (KMS and SNS on moto, the table through a counting, fault-injecting proxy), ciphertexts from
//! AWS's Python Encryption SDK. moto's DynamoDB runs serialized, as DynamoDB's transactions
//! are (`Moto::start_serialized`): on plain moto, concurrent claims interleave and a
//! concurrency test proves nothing.

use std::collections::HashMap;
use std::sync::Arc;

use cognito_reset::adapters::aws::dynamodb;
use cognito_reset::adapters::dynamodb::DynamoLedger;
use cognito_reset::adapters::kms::KmsDecryptor;
use cognito_reset::adapters::sns::SnsSender;
use cognito_reset::domain::ledger::{
    Channel, ClaimInput, Claimed, Ledger, Lifetimes, Limit, Limits, Purpose, Settled, TableError, claim,
};
use cognito_reset_stack::{Fault, FaultProxy, Moto, cognito_encrypt_many, local_sdk_config};
use custom_sms_sender::{Deps, Settings, handle};
use serde_json::{Value, json};

use crate::{block_on, create_key};

const POOL: &str = "us-east-1_Tbl123";
const PHONE: &str = "+12065550123";
const TABLE: &str = "deliveries";
const HASH_KEY: &str = "0123456789abcdef0123456789abcdef";

type TableDeps = Deps<KmsDecryptor, SnsSender, DynamoLedger>;

struct Stack {
    moto: Moto,
    proxy: FaultProxy,
    key: String,
    sdk: aws_config::SdkConfig,
}

impl Stack {
    fn start(test: &str) -> Option<Stack> {
        let moto = Moto::start_serialized(test)?;
        let proxy = FaultProxy::start(&moto.endpoint);
        let sdk = block_on(local_sdk_config(&proxy.endpoint));
        let key = create_key(&sdk);
        block_on(cognito_reset_stack::demo::create_delivery_table(&sdk, TABLE)).expect("create table");
        Some(Stack { moto, proxy, key, sdk })
    }

    fn deps(&self, extra: &[(&'static str, &'static str)]) -> TableDeps {
        let mut env: HashMap<&str, &str> = [
            ("KEY_ARN", self.key.as_str()),
            ("APP_NAME", "Contoso"),
            ("SMS_ALLOWED_COUNTRIES", "US"),
            ("DELIVERY_TABLE", TABLE),
            ("DELIVERY_HASH_KEY", HASH_KEY),
        ]
        .into();
        env.extend(extra.iter().copied());
        Deps {
            settings: Settings::from_source(&env).expect("settings"),
            decryptor: block_on(KmsDecryptor::new(
                cognito_reset::adapters::aws::kms::Client::new(&self.sdk),
                &self.key,
            ))
            .expect("decryptor"),
            sms: SnsSender::new(cognito_reset::adapters::aws::sns::Client::new(&self.sdk), None, None),
            ledger: DynamoLedger::new(dynamodb::Client::new(&self.sdk), TABLE.into()),
        }
    }

    fn codes(&self, n: usize) -> Vec<String> {
        let plain: Vec<String> = (0..n).map(|i| format!("{:06}", 100_000 + i)).collect();
        cognito_encrypt_many(&self.moto, &self.key, POOL, &plain)
    }

    fn sent(&self) -> usize {
        self.moto.sms().iter().filter(|(to, _)| to == PHONE).count()
    }

    /// Every item in the table, as moto stores it.
    fn items(&self) -> Vec<HashMap<String, dynamodb::types::AttributeValue>> {
        let out = block_on(dynamodb::Client::new(&self.sdk).scan().table_name(TABLE).send()).expect("scan");
        out.items.unwrap_or_default()
    }
}

fn event(code: &str) -> Value {
    let mut e = cognito_reset_stack::fixture("custom-sms-sender-ForgotPassword.json");
    e["userPoolId"] = json!(POOL);
    e["request"]["code"] = json!(code);
    e["request"]["userAttributes"]["phone_number"] = json!(PHONE);
    e
}

/// Runs every event at once, each with its own handler and clients, as Lambda runs concurrent
/// invocations in separate sandboxes (one Encryption SDK client is not meant to decrypt
/// concurrently: its keyring holds a lock across a blocking KMS call). Results in order.
fn concurrently(s: &Stack, extra: &[(&'static str, &'static str)], events: Vec<Value>) -> Vec<Result<(), String>> {
    let sandboxes: Vec<Arc<TableDeps>> = events.iter().map(|_| Arc::new(s.deps(extra))).collect();
    block_on(async {
        let tasks: Vec<_> = events
            .into_iter()
            .zip(sandboxes)
            .map(|(e, d)| tokio::spawn(async move { handle(&*d, e).await.map_err(|e| e.to_string()) }))
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.expect("task"));
        }
        results
    })
}

#[test]
fn a_message_is_sent_once_across_retries_sequential_and_concurrent() {
    let Some(s) = Stack::start("table_idempotency") else {
        return;
    };
    let deps = s.deps(&[]);
    let codes = s.codes(2);
    block_on(handle(&deps, event(&codes[0]))).expect("first delivery");
    block_on(handle(&deps, event(&codes[0]))).expect("a retry after a delivery succeeds");
    assert_eq!(s.sent(), 1);
    assert_eq!(s.proxy.calls("Decrypt"), 1, "the retry made no KMS call");
    // The same event twice at once: one copy, and the other attempt sends nothing.
    let results = concurrently(&s, &[], vec![event(&codes[1]), event(&codes[1])]);
    assert_eq!(s.sent(), 2, "{results:?}");
    for r in &results {
        if let Err(e) = r {
            assert!(e.contains("in progress"), "{e}");
        }
    }
    // Stored: hashes and states, never the number or the code.
    let dump = format!("{:?}", s.items());
    assert!(
        !dump.contains("2065550123") && !dump.contains(&codes[0][..20]),
        "{dump}"
    );
    assert_eq!(dump.matches("\"sent\"").count(), 2, "{dump}");
}

#[test]
fn twenty_concurrent_requests_for_one_number_with_a_limit_of_three_send_exactly_three() {
    let Some(s) = Stack::start("table_limits") else {
        return;
    };
    let codes = s.codes(22);
    let results = concurrently(
        &s,
        &[("MAX_SMS_PER_NUMBER", "3")],
        codes[..20].iter().map(|c| event(c)).collect(),
    );
    assert!(
        results.iter().all(Result::is_ok),
        "throttled invocations succeed: {results:?}"
    );
    assert_eq!(s.sent(), 3);
    assert_eq!(s.proxy.calls("Decrypt"), 3, "throttled requests make no KMS call");
    // Sequentially, too; and a replay of a delivered one is not counted again.
    let deps = s.deps(&[("MAX_SMS_PER_NUMBER", "3")]);
    block_on(handle(&deps, event(&codes[20]))).expect("throttled");
    assert_eq!((s.sent(), s.proxy.calls("Decrypt")), (3, 3));
    // Another number has its own count.
    let mut other = event(&codes[21]);
    other["request"]["userAttributes"]["phone_number"] = json!("+12065550199");
    block_on(handle(&deps, other)).expect("other number");
    assert_eq!(s.proxy.calls("Decrypt"), 4);
}

/// Claims at chosen times: the conditions compare expiry themselves (moto never deletes).
#[test]
fn leases_records_and_windows_expire_by_their_own_times() {
    let Some(s) = Stack::start("table_expiry") else {
        return;
    };
    let ledger = DynamoLedger::new(dynamodb::Client::new(&s.sdk), TABLE.into());
    let life = Lifetimes {
        lease_seconds: 30,
        keep_seconds: 1_000,
    };
    let at = |identity: &'static [u8], now: u64, limits: Option<Limits>| {
        claim(&ClaimInput {
            identity,
            token: "attempt-1",
            channel: Channel::Sms,
            purpose: Purpose::Requested,
            recipient: PHONE,
            user_pool_id: POOL,
            hash_key: HASH_KEY.as_bytes(),
            limits,
            lifetimes: life,
            now,
        })
    };
    let go = |c| block_on(ledger.claim(&c)).expect("table");
    assert_eq!(go(at(b"m1", 100, None)), Claimed::Go);
    // Within the lease another attempt waits.
    assert_eq!(go(at(b"m1", 120, None)), Claimed::InProgress);
    // The attempt timed out (no outcome recorded): after the lease, a retry claims it again.
    assert_eq!(go(at(b"m1", 131, None)), Claimed::Go);
    // Only the attempt that holds the claim records the outcome: the one whose lease lapsed
    // (another token) cannot overwrite it.
    let mut lapsed = at(b"m1", 131, None);
    lapsed.token = "attempt-0".into();
    assert_eq!(
        block_on(ledger.settle(&lapsed, Settled::NotSent)),
        Err(TableError::TakenOver)
    );
    assert_eq!(
        go(at(b"m1", 140, None)),
        Claimed::InProgress,
        "still claimed by attempt-1"
    );
    block_on(ledger.settle(&at(b"m1", 131, None), Settled::Sent)).expect("settle");
    assert_eq!(go(at(b"m1", 500, None)), Claimed::Duplicate);
    // A record past its expiry (kept 1000 s from its last write) is as good as gone.
    assert_eq!(go(at(b"m1", 131 + 1_001, None)), Claimed::Go);
    // One message per 600 s window; the next window has its own count.
    let one = Some(Limits {
        per_recipient: 1,
        sign_in_per_recipient: 1,
        window_seconds: 600,
        per_pool_per_day: None,
    });
    assert_eq!(go(at(b"w1", 100, one)), Claimed::Go);
    assert_eq!(go(at(b"w2", 120, one)), Claimed::Throttled(Limit::Recipient));
    assert_eq!(go(at(b"w3", 600, one)), Claimed::Go);
    // Released (not delivered): off the count, and the message can be claimed again.
    block_on(ledger.settle(&at(b"w3", 600, one), Settled::NotSent)).expect("settle");
    assert_eq!(go(at(b"w3", 610, one)), Claimed::Go);
}

#[test]
fn a_table_outage_delivers_by_default_and_fails_when_asked() {
    let Some(s) = Stack::start("table_outage") else {
        return;
    };
    let codes = s.codes(2);
    let down = Fault::Answer(
        500,
        r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"down"}"#,
    );
    s.proxy.inject("TransactWriteItems", down, 10);
    let deliver = s.deps(&[]);
    block_on(handle(&deliver, event(&codes[0]))).expect("ON_TABLE_ERROR=deliver");
    assert_eq!(s.sent(), 1);
    let fail = s.deps(&[("ON_TABLE_ERROR", "fail")]);
    let down = Fault::Answer(
        500,
        r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"down"}"#,
    );
    s.proxy.inject("TransactWriteItems", down, 10);
    let e = block_on(handle(&fail, event(&codes[1]))).expect_err("ON_TABLE_ERROR=fail");
    assert!(e.to_string().contains("ON_TABLE_ERROR=fail"), "{e}");
    assert_eq!(s.sent(), 1);
    assert_eq!(s.proxy.calls("Decrypt"), 1, "nothing decrypted when the table refuses");
}

/// Fifty requested SMS at once, to fifty numbers, with the pool's daily ceiling at ten, on a
/// table that never fails (`ON_TABLE_ERROR=deliver`, the default): the shared pool counter
/// must not turn into conflicts that run out of tries and deliver unguarded. Exactly ten go.
#[test]
fn fifty_concurrent_claims_under_a_pool_ceiling_send_exactly_the_ceiling() {
    let Some(s) = Stack::start("table_pool_concurrency") else {
        return;
    };
    let codes = s.codes(50);
    let numbers: Vec<String> = (0..50).map(|i| format!("+1206555{:04}", 1000 + i)).collect();
    let events: Vec<Value> = codes
        .iter()
        .zip(&numbers)
        .map(|(c, n)| {
            let mut e = event(c);
            e["request"]["userAttributes"]["phone_number"] = json!(n);
            e
        })
        .collect();
    let results = concurrently(&s, &[("MAX_SMS_PER_POOL_PER_DAY", "10")], events);
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let sent = s.moto.sms().len();
    assert_eq!(sent, 10, "exactly the ceiling; failures: {failed:?}");
    assert_eq!(s.proxy.calls("Decrypt"), 10, "throttled requests make no KMS call");
    // Whatever did not go was throttled (or, contended, failed for Lambda to retry): none
    // went out unguarded, and the pool's count is what was sent.
    let pool_count: Vec<String> = s
        .items()
        .iter()
        .filter(|i| i["pk"].as_s().is_ok_and(|k| k.starts_with("p#")))
        .filter_map(|i| i.get("count").and_then(|c| c.as_n().ok()).cloned())
        .collect();
    assert_eq!(pool_count, ["10"]);
}

/// A sign-in code to a number whose reset limit an outsider filled still goes, on the real
/// table.
#[test]
fn an_outsider_cannot_silence_a_sign_in_code_on_the_real_table() {
    let Some(s) = Stack::start("table_purposes") else {
        return;
    };
    let codes = s.codes(6);
    let deps = s.deps(&[("MAX_SMS_PER_NUMBER", "2"), ("MAX_SMS_PER_POOL_PER_DAY", "2")]);
    for c in &codes[..4] {
        block_on(handle(&deps, event(c))).expect("ForgotPassword");
    }
    assert_eq!(s.sent(), 2, "the outsider's resets stop at the limit");
    for c in &codes[4..] {
        let mut sign_in = event(c);
        sign_in["triggerSource"] = json!("CustomSMSSender_Authentication");
        block_on(handle(&deps, sign_in)).expect("sign-in code");
    }
    assert_eq!(s.sent(), 4, "both sign-in codes went");
}

/// Claims cancelled by concurrent transactions, over and over: that is the load the table
/// guards against, not an outage. Even with `ON_TABLE_ERROR=deliver` nothing goes out
/// unguarded; the invocation fails so that Lambda retries it, and the retry delivers once.
#[test]
fn conflicts_that_run_out_of_tries_are_retried_never_delivered_unguarded() {
    let Some(s) = Stack::start("table_conflicts") else {
        return;
    };
    let codes = s.codes(1);
    let conflict = Fault::Answer(
        400,
        r#"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None]","CancellationReasons":[{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"},{"Code":"None"}]}"#,
    );
    s.proxy.inject("TransactWriteItems", conflict, 8);
    let deps = s.deps(&[]);
    let e = block_on(handle(&deps, event(&codes[0]))).expect_err("busy: Lambda retries");
    assert!(e.to_string().contains("busy"), "{e}");
    assert_eq!((s.sent(), s.proxy.calls("Decrypt")), (0, 0), "nothing unguarded");
    block_on(handle(&deps, event(&codes[0]))).expect("the retry");
    assert_eq!(s.sent(), 1);
}

/// SNS takes the message but its answer comes too late: the outcome is unknown, recorded as
/// such, and neither the invocation's end nor a replay sends it a second time.
#[test]
fn a_delivery_whose_answer_is_lost_is_never_sent_twice() {
    let Some(s) = Stack::start("table_unknown") else {
        return;
    };
    let codes = s.codes(1);
    s.proxy.inject(
        "Publish",
        Fault::ForwardThenDelay(cognito_reset::domain::budgets::DELIVERY + std::time::Duration::from_secs(1)),
        1,
    );
    let deps = s.deps(&[]);
    block_on(handle(&deps, event(&codes[0]))).expect("not retried: a retry could only duplicate it");
    assert_eq!(s.sent(), 1, "SNS took it");
    block_on(handle(&deps, event(&codes[0]))).expect("a replay succeeds");
    assert_eq!(s.sent(), 1, "and sends nothing");
    assert_eq!(s.proxy.calls("Decrypt"), 1);
    let dump = format!("{:?}", s.items());
    assert!(dump.contains("\"unknown\""), "{dump}");
}

//! The delivery table against moto's DynamoDB: the SMS sender with its production adapters
//! (KMS and SNS on moto, the table through a counting, fault-injecting proxy), ciphertexts from
//! AWS's Python Encryption SDK.

use std::collections::HashMap;
use std::sync::Arc;

use cognito_reset::aws::dynamodb;
use cognito_reset::code::kms::KmsDecryptor;
use cognito_reset::delivery::dynamodb::DynamoLedger;
use cognito_reset::delivery::ledger::{Channel, ClaimInput, Claimed, Ledger, Lifetimes, Limit, Limits, Settled, claim};
use cognito_reset::delivery::sns::SnsSender;
use cognito_reset_tests::{Fault, FaultProxy, Moto, cognito_encrypt_many, local_sdk_config};
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
        let moto = Moto::start(test)?;
        let proxy = FaultProxy::start(&moto.endpoint);
        let sdk = block_on(local_sdk_config(&proxy.endpoint));
        let key = create_key(&sdk);
        block_on(cognito_reset_tests::demo::create_delivery_table(&sdk, TABLE)).expect("create table");
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
                cognito_reset::aws::kms::Client::new(&self.sdk),
                &self.key,
            ))
            .expect("decryptor"),
            sms: SnsSender::new(cognito_reset::aws::sns::Client::new(&self.sdk), None, None),
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
    let mut e = cognito_reset_tests::fixture("custom-sms-sender-ForgotPassword.json");
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
            channel: Channel::Sms,
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
    block_on(ledger.settle(&at(b"m1", 131, None), Settled::Sent)).expect("settle");
    assert_eq!(go(at(b"m1", 500, None)), Claimed::Duplicate);
    // A record past its expiry (kept 1000 s from its last write) is as good as gone.
    assert_eq!(go(at(b"m1", 131 + 1_001, None)), Claimed::Go);
    // One message per 600 s window; the next window has its own count.
    let one = Some(Limits {
        per_recipient: 1,
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

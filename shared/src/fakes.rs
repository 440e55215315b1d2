//! In-memory stand-ins for the adapters, for unit tests of handlers and for the message
//! gallery (`tools/preview`), which runs the handlers without AWS (feature `test-util`).
//! Integration tests use the real adapters against moto instead.

use std::sync::Mutex;

use crate::domain::code::{CodeDecryptor, DecryptError, Decrypted, Secret};
use crate::domain::delivery::{DeliveryError, Email, EmailSender, Sms, SmsSender};
use crate::domain::ledger::{Claim, Claimed, Ledger, Settled, TableError};
use crate::domain::users::{UpdateError, UserAttributes};

/// Runs a handler's future to completion on a fresh single-threaded runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
        .block_on(f)
}

/// The user pool the fake ciphertexts belong to.
pub const FAKE_POOL: &str = "us-east-1_P";

/// "Decrypts" `enc:<plaintext>` as encrypted for [`FAKE_POOL`], `enc-pool=<pool>:<plaintext>`
/// for another pool, `enc-nopool:<plaintext>` without a pool; or fails as configured. Counts calls.
#[derive(Debug, Default)]
pub struct FakeDecryptor {
    pub fail: Option<DecryptError>,
    pub calls: Mutex<u32>,
}

impl FakeDecryptor {
    pub fn failing(e: DecryptError) -> Self {
        FakeDecryptor {
            fail: Some(e),
            ..Self::default()
        }
    }

    pub fn calls(&self) -> u32 {
        *self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl CodeDecryptor for FakeDecryptor {
    async fn decrypt(&self, code: &str) -> Result<Decrypted, DecryptError> {
        *self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
        if let Some(e) = &self.fail {
            return Err(e.clone());
        }
        let decrypted = |pool: Option<&str>, plain: &str| Decrypted {
            secret: Secret::new(plain),
            user_pool_id: pool.map(str::to_owned),
        };
        if let Some(plain) = code.strip_prefix("enc:") {
            return Ok(decrypted(Some(FAKE_POOL), plain));
        }
        if let Some(plain) = code.strip_prefix("enc-nopool:") {
            return Ok(decrypted(None, plain));
        }
        if let Some((pool, plain)) = code.strip_prefix("enc-pool=").and_then(|r| r.split_once(':')) {
            return Ok(decrypted(Some(pool), plain));
        }
        Err(DecryptError::NotBase64)
    }
}

/// Records what it is asked to send; or fails as configured.
#[derive(Debug)]
pub struct Outbox<T> {
    pub fail: Option<DeliveryError>,
    pub sent: Mutex<Vec<T>>,
    /// Acts as a provider that validates dry runs (End User Messaging) instead of SNS.
    pub validates_dry_runs: bool,
}

impl<T> Default for Outbox<T> {
    fn default() -> Self {
        Outbox {
            fail: None,
            sent: Mutex::new(Vec::new()),
            validates_dry_runs: false,
        }
    }
}

impl<T: Clone> Outbox<T> {
    pub fn failing(e: DeliveryError) -> Self {
        Outbox {
            fail: Some(e),
            ..Outbox::default()
        }
    }

    pub fn sent(&self) -> Vec<T> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn record(&self, item: &T) -> Result<String, DeliveryError> {
        if let Some(e) = &self.fail {
            return Err(e.clone());
        }
        let mut sent = self.sent.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        sent.push(item.clone());
        Ok(format!("fake-{}", sent.len()))
    }
}

impl SmsSender for Outbox<Sms> {
    async fn send_sms(&self, sms: &Sms) -> Result<String, DeliveryError> {
        self.record(sms)
    }

    fn validates_dry_runs(&self) -> bool {
        self.validates_dry_runs
    }
}

impl EmailSender for Outbox<Email> {
    async fn send_email(&self, email: &Email) -> Result<String, DeliveryError> {
        self.record(email)
    }
}

/// One `AdminUpdateUserAttributes` call: pool, user, attributes.
pub type Update = (String, String, Vec<(String, String)>);

/// Records attribute updates and answers reads with `stored`; or fails as configured.
#[derive(Debug, Default)]
pub struct FakeUsers {
    pub fail: Option<UpdateError>,
    pub updates: Mutex<Vec<Update>>,
    /// What `AdminGetUser` answers, for every user.
    pub stored: std::collections::HashMap<String, String>,
}

impl FakeUsers {
    pub fn failing(e: UpdateError) -> Self {
        FakeUsers {
            fail: Some(e),
            ..Self::default()
        }
    }

    /// A user whose stored attributes are these.
    pub fn storing(pairs: &[(&str, &str)]) -> Self {
        FakeUsers {
            stored: pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            ..Self::default()
        }
    }

    pub fn updates(&self) -> Vec<Update> {
        self.updates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl UserAttributes for FakeUsers {
    async fn update(&self, pool: &str, user: &str, attributes: &[(String, String)]) -> Result<(), UpdateError> {
        if let Some(e) = &self.fail {
            return Err(e.clone());
        }
        self.updates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((pool.to_owned(), user.to_owned(), attributes.to_vec()));
        Ok(())
    }

    async fn attributes(&self, _: &str, _: &str) -> Result<std::collections::HashMap<String, String>, UpdateError> {
        match &self.fail {
            Some(e) => Err(e.clone()),
            None => Ok(self.stored.clone()),
        }
    }
}

/// The delivery table's rules in memory (the same answers as the DynamoDB adapter); or
/// unavailable, as configured.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    pub unavailable: bool,
    /// Message key → (state, lease until, token of the attempt holding it); counter key → count.
    messages: Mutex<std::collections::HashMap<String, (&'static str, u64, String)>>,
    counts: Mutex<std::collections::HashMap<String, u32>>,
}

impl MemoryLedger {
    pub fn unavailable() -> Self {
        MemoryLedger {
            unavailable: true,
            ..MemoryLedger::default()
        }
    }

    /// The count of a counter item (0 when absent).
    pub fn count(&self, key: &str) -> u32 {
        let counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        counts.get(key).copied().unwrap_or(0)
    }

    /// The counts of every counter, whatever its key (they are hashes), sorted.
    pub fn counts(&self) -> Vec<(String, u32)> {
        let counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut v: Vec<_> = counts.iter().map(|(k, n)| (k.clone(), *n)).collect();
        v.sort();
        v
    }

    /// The states of the messages recorded, sorted.
    pub fn states(&self) -> Vec<&'static str> {
        let messages = self.messages.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut v: Vec<_> = messages.values().map(|(s, _, _)| *s).collect();
        v.sort_unstable();
        v
    }
}

impl Ledger for MemoryLedger {
    async fn claim(&self, c: &Claim) -> Result<Claimed, TableError> {
        if self.unavailable {
            return Err(TableError::Unavailable(
                "DynamoDB TransactWriteItems: unreachable".into(),
            ));
        }
        let mut messages = self.messages.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(answer) = messages
            .get(&c.message)
            .and_then(|(state, lease, _)| crate::domain::ledger::existing(Some(state), *lease, u64::MAX, c.now))
        {
            return Ok(answer);
        }
        if let Some(full) = c.counters().find(|k| counts.get(&k.key).copied().unwrap_or(0) >= k.max) {
            return Ok(Claimed::Throttled(full.limit));
        }
        for k in c.counters() {
            *counts.entry(k.key.clone()).or_default() += 1;
        }
        messages.insert(c.message.clone(), ("in_progress", c.lease_until(), c.token.clone()));
        Ok(Claimed::Go)
    }

    async fn settle(&self, c: &Claim, how: Settled) -> Result<(), TableError> {
        if self.unavailable {
            return Err(TableError::Unavailable("DynamoDB UpdateItem: unreachable".into()));
        }
        let mut messages = self.messages.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(entry) = messages
            .get_mut(&c.message)
            .filter(|(state, _, token)| *state == "in_progress" && *token == c.token)
        else {
            return Err(TableError::TakenOver);
        };
        if how == Settled::NotSent {
            for k in c.counters() {
                if let Some(n) = counts.get_mut(&k.key) {
                    *n = n.saturating_sub(1);
                }
            }
        }
        entry.0 = how.state();
        Ok(())
    }
}

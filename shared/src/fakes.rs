//! In-memory stand-ins for the adapters, for unit tests of handlers (feature `test-util`).
//! Integration tests use the real adapters against moto instead.

use std::sync::Mutex;

use crate::code::{CodeDecryptor, DecryptError, Decrypted, Secret};
use crate::delivery::{DeliveryError, Email, EmailSender, Sms, SmsSender};
use crate::users::{UpdateError, UserAttributes};

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

/// Records attribute updates; or fails as configured.
#[derive(Debug, Default)]
pub struct FakeUsers {
    pub fail: Option<UpdateError>,
    pub updates: Mutex<Vec<Update>>,
}

impl FakeUsers {
    pub fn failing(e: UpdateError) -> Self {
        FakeUsers {
            fail: Some(e),
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
}

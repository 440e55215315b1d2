//! User migration's subject: a legacy user behind the team's own API (the stand-in of
//! `cognito_reset_stack::LegacyApi`, over TLS with a chain of its own), whose password hash is
//! bcrypt at its library's default cost, the format most stores hold. A process's first event is
//! that user's first sign-in (the lookup and one password check: what Cognito waits for when a
//! user not yet in the pool signs in, cold); its warm events are reset requests for the same
//! user, the lookup alone, so that the warm rounds do not spend minutes on hash checks that
//! [`crate::hashes`] measures on their own.

use cognito_reset_stack::{LEGACY_API_TOKEN, LegacyApi, user_migration_event};
use serde_json::{Value, json};

/// The bench's legacy user.
const USERNAME: &str = "bench.user@legacy.example";
/// The format of their hash, as `tests/fixtures/legacy/defaults.json` names it.
const FORMAT: &str = "bcrypt";

/// The stand-in API, serving until dropped, and the two events.
pub struct Store {
    api: LegacyApi,
    /// The API's request count just before the invocation being checked.
    lookups: std::cell::Cell<usize>,
    /// The user's sign-in with their legacy password.
    pub sign_in: Vec<u8>,
    /// A reset request for the same user.
    pub reset: Vec<u8>,
}

/// The event Cognito sends for the bench's user, with their password at sign-in.
fn event(password: Option<&str>) -> Vec<u8> {
    user_migration_event("us-east-1_Bench1", "bench", USERNAME, password)
        .to_string()
        .into_bytes()
}

impl Store {
    pub fn start() -> Result<Store, String> {
        let defaults = crate::hashes::defaults();
        let hash = defaults
            .iter()
            .find(|h| h["format"] == FORMAT)
            .ok_or_else(|| format!("no {FORMAT} hash in tests/fixtures/legacy/defaults.json"))?;
        let password = hash["password"]
            .as_str()
            .ok_or_else(|| format!("the {FORMAT} entry of defaults.json has no password"))?;
        let user = json!({
            "username": USERNAME,
            "password_hash": hash["password_hash"],
            "email": USERNAME,
            "email_verified": true,
            "given_name": "Bench",
            "password_changed_at": "2026-10-01T08:00:00Z",
        });
        Ok(Store {
            api: LegacyApi::start(&[user]),
            lookups: std::cell::Cell::new(0),
            sign_in: event(Some(password)),
            reset: event(None),
        })
    }

    /// What `user-migration` is given on top of the shared environment: the API, its token,
    /// and trust in the API's chain in place of the AWS stand-ins' (it calls no AWS service).
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("LEGACY_USER_ENDPOINT".to_owned(), self.api.endpoint.clone()),
            ("LEGACY_USER_ENDPOINT_TOKEN".to_owned(), LEGACY_API_TOKEN.to_owned()),
        ];
        env.extend(self.api.trust_env());
        env
    }

    /// Notes the API's request count before an invocation (a [`crate::Workload`]'s `before`).
    pub fn mark(&self) {
        self.lookups.set(self.api.last_request().0);
    }

    /// Checks one answer of the subject (a [`crate::Workload`]'s check): the event came back
    /// with the user to create (`CONFIRMED` at a sign-in; no status at a reset), after exactly
    /// one lookup of that user, with the token, since [`Store::mark`]. A refusal is fast and
    /// must not pass for a fast migration.
    pub fn check(&self, answer: &[u8]) -> Result<(), String> {
        let (count, last) = self.api.last_request();
        let before = self.lookups.get();
        if count != before + 1 {
            return Err(format!("{} lookups for one invocation (one expected)", count - before));
        }
        let last = last.ok_or("no lookup")?;
        if last.authorization.as_deref() != Some(&format!("Bearer {LEGACY_API_TOKEN}"))
            || last.body["username"] != USERNAME
        {
            return Err("the lookup was not the user's, with the token".into());
        }
        let answer: Value = serde_json::from_slice(answer).map_err(|e| format!("the answer is no JSON: {e}"))?;
        let response = &answer["response"];
        let expected = match answer["triggerSource"].as_str() {
            Some("UserMigration_Authentication") => json!("CONFIRMED"),
            _ => Value::Null,
        };
        if response["finalUserStatus"] != expected || response["userAttributes"]["email"] != USERNAME {
            return Err(format!(
                "the user was not migrated (finalUserStatus {}, {} attributes)",
                response["finalUserStatus"],
                response["userAttributes"].as_object().map_or(0, serde_json::Map::len)
            ));
        }
        Ok(())
    }
}

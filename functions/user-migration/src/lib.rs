//! Moves a user Cognito does not know from a legacy user store into the pool, on first
//! contact: at a password sign-in (`UserMigration_Authentication`: the password is checked
//! against the legacy hash) and at the first step of a reset (`UserMigration_ForgotPassword`:
//! Cognito then sends the code to the channel the store says is verified).
//!
//! A migrated user keeps the attributes the store's query returns, their password (sign-in)
//! and its age: the password stamp (`PASSWORD_CHANGED_ATTRIBUTE`) is the store's
//! `password_changed_at`, so the maximum-age rule carries on; a weak legacy hash sets the
//! forced-reset flag (`ON_WEAK_HASH`). Cognito creates the user `CONFIRMED` and sends no
//! welcome message.
//!
//! An unknown username, a wrong password, a user without a password, a hash that cannot be
//! checked and a reset without a verified channel all get the same answer: the event returned
//! as it came, with no user attributes, which Cognito reads as "no such user" (with
//! `PreventUserExistenceErrors`, `NotAuthorizedException` at sign-in and a simulated code
//! delivery at a reset, exactly as for a username nobody has). An error would not do: Cognito
//! passes a trigger's error on (`UserNotFoundException: Exception migrating user`), which users
//! already in the pool never get. Every sign-in also takes as long as the slowest password check
//! this process has made: an unknown user's password is checked against that check's hash, and
//! every answer waits out the rest, so neither a missing account nor a cheap legacy hash shows
//! in the time. The reason goes to the operator's log and metric only. A store that does not
//! answer fails with its own message: nothing about the user is known then.
//!
//! Passwords, hashes, the store's credentials (the database URL, the API's token) and its values never reach a log or
//! an error; usernames are masked.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use cognito_reset::adapters::legacy::StoreConfigError;
use cognito_reset::domain::config::{self, ConfigError};
use cognito_reset::domain::events::user_migration::{UserMigrationRequest, UserMigrationResponse};
use cognito_reset::domain::events::{self, Envelope, EventError};
use cognito_reset::domain::legacy::{
    self, LegacyUser, LegacyUsers, LookupError, Migration, OnWeakHash, Refusal, STAND_IN_HASH, Secret, Trigger,
};
use cognito_reset::domain::redact;
use cognito_reset::domain::rules::PasswordPolicy;
use cognito_reset::domain::settings;
use cognito_reset::runtime::metrics;
use lambda_runtime::Diagnostic;
use serde_json::Value;
use tracing::{error, info, warn};

/// A store's credential: given (locally), or the ARN of the Secrets Manager secret holding it
/// (in AWS, read once at init).
#[derive(Debug, Clone)]
pub enum Credential {
    Given(Secret),
    InSecret(String),
}

/// Where the legacy users are.
#[derive(Debug, Clone)]
pub enum Store {
    /// `LEGACY_DATABASE_URL` or `LEGACY_DATABASE_SECRET_ARN`, and `LEGACY_USER_QUERY`.
    Database { url: Credential, query: String },
    /// `LEGACY_USER_ENDPOINT`, and `LEGACY_USER_ENDPOINT_TOKEN` or
    /// `LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN`.
    Endpoint { url: String, token: Credential },
}

/// Configuration, read once at init.
#[derive(Debug, Clone)]
pub struct Settings {
    pub store: Store,
    /// `ON_WEAK_HASH`.
    pub on_weak: OnWeakHash,
    /// The password attributes (`PASSWORD_CHANGED_ATTRIBUTE`, `FORCE_RESET_ATTRIBUTE`).
    pub policy: PasswordPolicy,
}

/// One of a credential's two settings (the value itself, or its secret's ARN), or neither.
fn credential(
    src: &impl config::Source,
    given: &settings::Setting,
    in_secret: &settings::Setting,
) -> Result<Option<Credential>, ConfigError> {
    match (src.get(given.variable), src.get(in_secret.variable)) {
        (Some(v), None) => Ok(Some(Credential::Given(Secret::new(given.text(&v)?)))),
        (None, Some(arn)) => Ok(Some(Credential::InSecret(in_secret.text(&arn)?.to_owned()))),
        (Some(_), Some(_)) => Err(ConfigError::new(
            given.variable,
            format!("and {} are both set: set one", in_secret.variable),
        )),
        (None, None) => Ok(None),
    }
}

impl Settings {
    pub fn from_source(src: &impl config::Source) -> Result<Self, ConfigError> {
        use settings::{
            LEGACY_DATABASE_SECRET_ARN, LEGACY_DATABASE_URL, LEGACY_USER_ENDPOINT, LEGACY_USER_ENDPOINT_TOKEN,
            LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN, LEGACY_USER_QUERY, ON_WEAK_HASH,
        };
        let database = credential(src, &LEGACY_DATABASE_URL, &LEGACY_DATABASE_SECRET_ARN)?;
        let token = credential(src, &LEGACY_USER_ENDPOINT_TOKEN, &LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN)?;
        let query = src.get(LEGACY_USER_QUERY.variable);
        let store = match (database, src.get(LEGACY_USER_ENDPOINT.variable)) {
            (Some(url), None) => {
                if let Some(token) = token {
                    let set = match token {
                        Credential::Given(_) => LEGACY_USER_ENDPOINT_TOKEN.variable,
                        Credential::InSecret(_) => LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN.variable,
                    };
                    return Err(ConfigError::new(
                        set,
                        "is for LEGACY_USER_ENDPOINT, which is not set: unset it",
                    ));
                }
                let query = query.ok_or_else(|| LEGACY_USER_QUERY.missing())?;
                LEGACY_USER_QUERY.text(&query)?;
                Store::Database { url, query }
            }
            (None, Some(endpoint)) => {
                if query.is_some() {
                    return Err(ConfigError::new(
                        LEGACY_USER_QUERY.variable,
                        "is for the legacy database; LEGACY_USER_ENDPOINT answers with the user itself: unset it",
                    ));
                }
                let token = token.ok_or_else(|| {
                    ConfigError::new(
                        LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN.variable,
                        "(or LEGACY_USER_ENDPOINT_TOKEN, locally) is required with LEGACY_USER_ENDPOINT: the API's bearer token",
                    )
                })?;
                Store::Endpoint {
                    url: LEGACY_USER_ENDPOINT.text(&endpoint)?.to_owned(),
                    token,
                }
            }
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    LEGACY_USER_ENDPOINT.variable,
                    "and a legacy database are both set: set one store",
                ));
            }
            (None, None) => {
                return Err(ConfigError::new(
                    LEGACY_DATABASE_URL.variable,
                    "(or LEGACY_DATABASE_SECRET_ARN, or LEGACY_USER_ENDPOINT) is required: where the legacy users are",
                ));
            }
        };
        let on_weak = match src.get(ON_WEAK_HASH.variable) {
            Some(v) => ON_WEAK_HASH.one_of(&v)?,
            None => ON_WEAK_HASH.default,
        };
        let policy = config::password_attributes(src)?;
        Ok(Settings {
            store,
            on_weak: if on_weak == "allow" {
                OnWeakHash::Allow
            } else {
                OnWeakHash::ForceReset
            },
            policy,
        })
    }
}

/// Why the function cannot work: a variable, or the store's configuration.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("the legacy user store cannot be used: {0}")]
    Store(#[from] StoreConfigError),
}

/// Everything a handler needs, built once at init.
#[derive(Debug)]
pub struct Deps<S> {
    pub settings: Settings,
    pub store: S,
    /// The slowest password check this process has made, and its hash: what an unknown user's
    /// password is checked against, and how long every sign-in takes at least.
    slowest: Mutex<(Secret, Duration)>,
}

impl<S> Deps<S> {
    pub fn new(settings: Settings, store: S) -> Self {
        Deps {
            settings,
            store,
            slowest: Mutex::new((Secret::new(STAND_IN_HASH), Duration::ZERO)),
        }
    }

    /// The slowest check so far: its hash and its time.
    pub fn slowest_check(&self) -> (Secret, Duration) {
        self.slowest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Checks a sign-in's password for `found` (or, without a hash of theirs, against the slowest
    /// check's hash, the result thrown away), then waits until the slowest check's time has
    /// passed: every sign-in takes as long as the most expensive hash this process has met.
    async fn timed_check(
        &self,
        found: Option<&LegacyUser>,
        password: &str,
    ) -> Option<Result<legacy::hash::Checked, legacy::hash::HashError>> {
        let (stand_in, floor) = self.slowest_check();
        let started = Instant::now();
        let checked = legacy::check_password(found, password, stand_in.expose());
        let took = started.elapsed();
        metrics::latency("hash_check_ms", took);
        if let (Some(Ok(_)), Some(own)) = (&checked, found.and_then(|u| u.password_hash.as_ref()))
            && took > floor
        {
            *self.slowest.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = (own.clone(), took);
        }
        // Never past the check's share of Cognito's 5 seconds, whatever one slow moment measured.
        if let Some(rest) = floor.min(MAX_FLOOR).checked_sub(took) {
            tokio::time::sleep(rest).await;
        }
        checked
    }
}

/// The longest a sign-in is made to wait for the slowest check: the password check's share of
/// Cognito's 5 seconds (the lookup has 2; `make bench` holds the deployed size's check under this).
const MAX_FLOOR: Duration = Duration::from_millis(2_500);

/// Why the invocation failed. Cognito passes the message on to the app.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("user-migration cannot read this event: {0}")]
    InvalidEvent(#[from] EventError),
    /// The store did not answer: try again.
    #[error("your account could not be checked right now: please try again")]
    Unavailable,
}

impl From<MigrationError> for Diagnostic {
    fn from(e: MigrationError) -> Self {
        let error_type = match &e {
            MigrationError::InvalidEvent(_) => "InvalidEvent",
            MigrationError::Unavailable => "LegacyStoreUnavailable",
        };
        Diagnostic {
            error_type: error_type.into(),
            error_message: e.to_string(),
        }
    }
}

/// Handles one event with what init produced. A configuration the function cannot use
/// migrates nobody: every event is answered as for a username nobody has, with one error log
/// naming the problem.
pub async fn respond<S: LegacyUsers>(
    started: &Result<Deps<S>, InitError>,
    event: Value,
    now: i64,
) -> Result<Value, MigrationError> {
    match started {
        Ok(deps) => handle(deps, event, now).await,
        Err(e) => {
            error!(error = %e, "configuration unusable: user NOT migrated");
            metrics::outcome("misconfigured", event["triggerSource"].as_str().unwrap_or_default());
            Ok(event)
        }
    }
}

/// A username as logs show it: an address masked, anything else by its length.
fn shown(username: &str) -> String {
    if username.contains('@') {
        redact::Email(username).to_string()
    } else {
        format!("<{} characters>", username.chars().count())
    }
}

/// Handles one event at `now` (seconds since the epoch): writes the user to create into its
/// `response`, or returns the event as it came (no such user, for every reason a user is refused).
pub async fn handle<S: LegacyUsers>(deps: &Deps<S>, mut event: Value, now: i64) -> Result<Value, MigrationError> {
    let envelope: Envelope<UserMigrationRequest> = events::view(&event)?;
    let source = events::printable(&envelope.trigger_source);
    let password = envelope.request.password.0.as_str();
    let trigger = match envelope.trigger_source.as_str() {
        "UserMigration_Authentication" => Trigger::Authentication { password },
        "UserMigration_ForgotPassword" => Trigger::ForgotPassword,
        _ => {
            return Err(EventError::Shape(format!("triggerSource {source:?} is not a user migration trigger")).into());
        }
    };
    let user = shown(&envelope.user_name);
    let found = if envelope.user_name.trim().is_empty() {
        None
    } else {
        match deps.store.find(&envelope.user_name).await {
            Ok(found) => found,
            Err(LookupError::Unavailable(why)) => {
                error!(trigger_source = %source, user, error = %why, "legacy store unavailable: user NOT migrated");
                metrics::outcome("store_unavailable", &source);
                return Err(MigrationError::Unavailable);
            }
            Err(e @ LookupError::Unusable(_)) => {
                if let Trigger::Authentication { password } = trigger {
                    // As long as any other sign-in.
                    let _ = deps.timed_check(None, password).await;
                }
                error!(trigger_source = %source, user, error = %e, "user NOT migrated: fix the store or its configuration (LEGACY_USER_QUERY, LEGACY_USER_ENDPOINT)");
                metrics::outcome("store_unusable", &source);
                return Ok(event);
            }
        }
    };
    let checked = match trigger {
        Trigger::Authentication { password } => deps.timed_check(found.as_ref(), password).await,
        Trigger::ForgotPassword => None,
    };
    match legacy::decide(
        found.as_ref(),
        trigger,
        checked,
        &deps.settings.policy,
        deps.settings.on_weak,
        now,
    ) {
        Ok(Migration {
            attributes,
            final_user_status,
            forced_reset,
            format,
        }) => {
            info!(trigger_source = %source, user, format = format.map(legacy::hash::Format::name), forced_reset, "user migrated");
            metrics::outcome(
                if forced_reset {
                    "migrated_forced_reset"
                } else {
                    "migrated"
                },
                &source,
            );
            events::set_response(
                &mut event,
                &UserMigrationResponse {
                    user_attributes: attributes,
                    final_user_status,
                    message_action: "SUPPRESS",
                },
            );
            Ok(event)
        }
        Err(refusal) => {
            match &refusal {
                Refusal::Unusable(e) => {
                    error!(trigger_source = %source, user, error = %e, "user NOT migrated: the legacy hash cannot be checked");
                }
                Refusal::NoVerifiedChannel => {
                    warn!(trigger_source = %source, user, "user NOT migrated: the store verifies neither their email nor their phone number, so no code could reach them");
                }
                other => info!(trigger_source = %source, user, reason = other.reason(), "user not migrated"),
            }
            metrics::outcome(refusal.reason(), &source);
            Ok(event)
        }
    }
}

#[cfg(test)]
mod tests;

//! Cognito's pre token generation trigger: enforces the password rules at every token
//! issue (sign-in and refresh) and tells the app about the password in claims.
//!
//! For each `TokenGeneration_*` event with a user, the password is evaluated against
//! [`cognito_reset::domain::rules`] at the time passed in. A valid password gets the claims
//! `password_changed_at`, `password_expires_at` (ISO 8601 UTC, when known) and
//! `password_expires_soon` (inside the warning window), in the ID token and, for V2/V3 events,
//! the access token. A violation either denies the sign-in with a message the app can show
//! (`deny`, and always for V1 events, which cannot change scopes), or (`restrict`, V2/V3, when
//! the request carries the `aws.cognito.signin.user.admin` scope) issues tokens whose other
//! scopes are suppressed, with `password_expired` and `password_violation` claims, so the app
//! can let the user change the password and nothing else. A forced reset
//! (`FORCE_RESET_ATTRIBUTE`) is always denied, with a message that sends the user to a reset
//! by code: it is the tool for evidence of compromise, and restricted tokens could still
//! change the password or the email. Machine identities (`TokenGeneration_ClientCredentials`)
//! and federated users (no password in the pool, see [`rules::has_password`]) pass through
//! unchanged.
//!
//! `TokenGeneration_NewPasswordChallenge` is the one event that writes: the user has just
//! replaced a temporary password (an admin-created user, or one given a temporary password by
//! `AdminSetUserPassword` with `Permanent: false`), which fires no other trigger. The change is
//! recorded here, synchronously, with `AdminUpdateUserAttributes` (the stamp, and the
//! forced-reset flag cleared), so the next sign-in and refresh see it. A write that fails
//! never costs the user this sign-in: tokens are issued, and the failure is logged as an error.
//! Every other event is pure and takes microseconds; running any event twice gives the same
//! result, as Cognito's retries require.
//!
//! A configuration the function cannot use ([`respond`] with an error) fails open: every
//! event is returned unchanged (tokens as Cognito made them, no rule enforced) with one error
//! log per invocation naming the variable. Failing closed would deny every sign-in of the
//! pool; the template and `make deploy` refuse such values before they ship.

use cognito_reset::domain::config::{self, ConfigError};
use cognito_reset::domain::events::pre_token::{self, TokenChanges, TokenVersion, USER_ADMIN_SCOPE};
use cognito_reset::domain::events::{self, EventError};
use cognito_reset::domain::rules::{self, OnViolation, PasswordPolicy, Violation, timestamp};
use cognito_reset::domain::users::UserAttributes;
use lambda_runtime::Diagnostic;
use serde_json::{Value, json};
use tracing::{debug, error, info, warn};

/// Built once at init. `users` writes the stamp after a `NEW_PASSWORD_REQUIRED` challenge.
#[derive(Debug)]
pub struct Deps<U> {
    pub policy: PasswordPolicy,
    pub users: U,
}

impl<U> Deps<U> {
    pub fn from_source(src: &impl config::Source, users: U) -> Result<Self, ConfigError> {
        Ok(Deps {
            policy: config::password_policy(src)?,
            users,
        })
    }
}

/// Why no tokens are issued.
#[derive(Debug, thiserror::Error)]
pub enum PreTokenError {
    #[error("pre-token cannot read this event: {0}")]
    InvalidEvent(#[from] EventError),
    /// The message is shown to the user through the app.
    #[error("{}", .0.message())]
    Denied(Violation),
}

impl From<PreTokenError> for Diagnostic {
    fn from(e: PreTokenError) -> Self {
        let error_type = match &e {
            PreTokenError::InvalidEvent(_) => "InvalidEvent",
            PreTokenError::Denied(Violation::Expired) => "PasswordExpired",
            PreTokenError::Denied(Violation::ResetRequired) => "PasswordResetRequired",
            PreTokenError::Denied(Violation::UnknownChangeTime) => "PasswordChangeTimeUnknown",
        };
        Diagnostic {
            error_type: error_type.into(),
            error_message: e.to_string(),
        }
    }
}

const CLIENT_CREDENTIALS: &str = "TokenGeneration_ClientCredentials";
const NEW_PASSWORD_CHALLENGE: &str = "TokenGeneration_NewPasswordChallenge";

/// Handles one event with what init produced: the dependencies, or the configuration error
/// that makes them unusable (then the event passes unchanged, see the module docs).
pub async fn respond<U: UserAttributes>(
    started: &Result<Deps<U>, ConfigError>,
    event: Value,
    now: i64,
) -> Result<Value, PreTokenError> {
    match started {
        Ok(deps) => handle(deps, event, now).await,
        Err(e) => {
            error!(variable = e.variable, error = %e, "configuration unusable: tokens issued unchanged, password rules NOT enforced");
            cognito_reset::runtime::metrics::outcome("unenforced", event["triggerSource"].as_str().unwrap_or_default());
            Ok(event)
        }
    }
}

/// Handles one event at `now` (seconds since the epoch).
pub async fn handle<U: UserAttributes>(deps: &Deps<U>, mut event: Value, now: i64) -> Result<Value, PreTokenError> {
    let (envelope, version) = pre_token::read(&event)?;
    let source = events::printable(&envelope.trigger_source);
    if !envelope.trigger_source.starts_with("TokenGeneration_") {
        warn!(trigger_source = %source, "not a pre token generation event: returned unchanged");
        return Ok(event);
    }
    if envelope.trigger_source == CLIENT_CREDENTIALS {
        return Ok(event);
    }
    let attrs = &envelope.request.user_attributes;
    if !rules::has_password(|k| attrs.get(k).cloned()) {
        // Federated: no password in the pool, so no password rule and no password claims.
        info!(trigger_source = %source, outcome = "federated", "federated user: password rules do not apply");
        cognito_reset::runtime::metrics::outcome("federated", &source);
        return Ok(event);
    }
    // A user who just replaced a temporary password has, by definition, a new password.
    let now_changed = envelope.trigger_source == NEW_PASSWORD_CHALLENGE;
    if now_changed {
        let had_flag = attrs.contains_key(&deps.policy.force_reset_attribute);
        record_new_password(deps, &envelope.user_pool_id, &envelope.user_name, had_flag, now).await;
    }
    let eval = if now_changed {
        rules::evaluate(&deps.policy, |_| None, now)
    } else {
        rules::evaluate(&deps.policy, |k| attrs.get(k).cloned(), now)
    };
    let changed_at = if now_changed { Some(now) } else { eval.changed_at };
    let expires_at = match (now_changed, deps.policy.max_age_days) {
        (true, Some(days)) => Some(now + i64::from(days) * 86_400),
        _ => eval.expires_at,
    };
    let mut claims = Vec::new();
    if let Some(t) = changed_at {
        claims.push(("password_changed_at".to_owned(), json!(timestamp::format(t))));
    }
    if let Some(t) = expires_at {
        claims.push(("password_expires_at".to_owned(), json!(timestamp::format(t))));
    }
    let violation = if now_changed { None } else { eval.violation };
    debug!(
        trigger_source = %source,
        version = ?version,
        changed_at_known = changed_at.is_some(),
        expires_soon = eval.expires_soon,
        violation = violation.map(Violation::code),
        "password evaluated"
    );
    let mut changes = TokenChanges {
        claims,
        only_scopes: None,
    };
    let can_restrict = deps.policy.on_violation == OnViolation::Restrict
        && version == TokenVersion::V2
        && envelope.request.scopes.iter().any(|s| s == USER_ADMIN_SCOPE);
    match violation {
        None => {
            if eval.expires_soon && !now_changed {
                changes.claims.push(("password_expires_soon".to_owned(), json!(true)));
            }
            info!(trigger_source = %source, expires_soon = eval.expires_soon && !now_changed, "password rules passed");
            cognito_reset::runtime::metrics::outcome("allowed", &source);
        }
        // A forced reset is evidence of compromise: no token at all, whatever ON_VIOLATION says
        // (restricted tokens could still change the password or the email).
        Some(v) if can_restrict && v != Violation::ResetRequired => {
            changes.claims.push(("password_expired".to_owned(), json!(true)));
            changes.claims.push(("password_violation".to_owned(), json!(v.code())));
            changes.only_scopes = Some(vec![USER_ADMIN_SCOPE.to_owned()]);
            warn!(trigger_source = %source, violation = v.code(), "password rule violated: tokens restricted to changing the password");
            cognito_reset::runtime::metrics::outcome("restricted", &source);
        }
        Some(v) => {
            warn!(trigger_source = %source, violation = v.code(), "password rule violated: sign-in denied");
            cognito_reset::runtime::metrics::outcome("denied", &source);
            return Err(PreTokenError::Denied(v));
        }
    }
    pre_token::apply(&mut event, version, &envelope.request.scopes, &changes);
    Ok(event)
}

/// Records the password just chosen in a `NEW_PASSWORD_REQUIRED` challenge. Never fails the
/// sign-in: the password really was just chosen. A failure is logged as an error with its
/// outcome, and the next sign-in is judged on what is stored (the old stamp, or none).
async fn record_new_password<U: UserAttributes>(deps: &Deps<U>, pool: &str, user: &str, had_flag: bool, now: i64) {
    if pool.is_empty() || user.is_empty() {
        error!(
            outcome = "not_recorded",
            "new password not recorded: the event has no userPoolId or userName; the next sign-in is judged on the old change time"
        );
        return;
    }
    let attributes = rules::change_record(&deps.policy, now, had_flag);
    match deps.users.update(pool, user, &attributes).await {
        Ok(()) => {
            info!(
                outcome = "recorded",
                changed_at = %timestamp::format(now),
                force_flag_cleared = had_flag,
                "new password recorded"
            );
            cognito_reset::runtime::metrics::outcome("stamped", "TokenGeneration_NewPasswordChallenge");
        }
        Err(e) => {
            error!(
                outcome = "not_recorded",
                error = %e,
                "new password not recorded: tokens issued for this sign-in; the next sign-in is judged on the old change time"
            );
            cognito_reset::runtime::metrics::outcome("not_recorded", "TokenGeneration_NewPasswordChallenge");
        }
    }
}

#[cfg(test)]
mod tests;

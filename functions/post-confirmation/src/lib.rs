//! Records when a user's password was set, so the pre token generation rules can enforce a
//! maximum age: writes the change time (ISO 8601 UTC) to `PASSWORD_CHANGED_ATTRIBUTE`, and
//! clears `FORCE_RESET_ATTRIBUTE` where the change proves the recovery channel or comes from an
//! administrator, with `AdminUpdateUserAttributes`. Federated users have no password in the
//! pool: nothing is recorded for them.
//!
//! It handles two kinds of event:
//! - Cognito's post confirmation trigger: `PostConfirmation_ConfirmForgotPassword` (the end of
//!   `confirmResetPassword`) and, unless `STAMP_ON_SIGN_UP=false`,
//!   `PostConfirmation_ConfirmSignUp` (the password chosen at sign-up; it never clears the
//!   flag). The event is returned
//!   unchanged. This trigger is synchronous: when Cognito is unavailable (after the SDK's
//!   retries) the function fails with a clear message rather than let a stale change time lock
//!   the user out later. When the pool lacks the attributes (a pool the rules were never
//!   attached to), it logs an error naming the fix (`make attach`) and lets the user through.
//! - EventBridge events for the password changes that fire no Cognito trigger, delivered by
//!   CloudTrail (`AWS API Call via CloudTrail` for `ChangePassword`, which Amplify's
//!   `updatePassword` calls, and `AdminSetUserPassword` with `Permanent: true`), stamped with
//!   the call's `eventTime`. `ChangePassword` never clears the flag (whoever holds a stolen
//!   password can call it); an administrator's permanent password clears it when set after the
//!   flag. These arrive asynchronously: failures a retry can fix fail the invocation; others
//!   are logged.

use cognito_reset::domain::config::{self, ConfigError};
use cognito_reset::domain::events::post_confirmation::{PostConfirmationRequest, password_change_call};
use cognito_reset::domain::events::{self, Envelope, EventError};
use cognito_reset::domain::rules::{self, timestamp};
use cognito_reset::domain::users::{UpdateError, UserAttributes};
use lambda_runtime::Diagnostic;
use serde_json::Value;
use tracing::{error, info, warn};

/// Configuration, read once at init.
#[derive(Debug, Clone)]
pub struct Settings {
    pub policy: rules::PasswordPolicy,
    /// `STAMP_ON_SIGN_UP` (default `true`): stamp on sign-up confirmation too.
    pub stamp_on_sign_up: bool,
    /// `USER_POOL_ID`: the pool of CloudTrail events that do not name one.
    pub user_pool_id: Option<String>,
}

impl Settings {
    pub fn from_source(src: &impl config::Source) -> Result<Self, ConfigError> {
        use cognito_reset::domain::settings::{STAMP_ON_SIGN_UP, USER_POOL_ID};
        let stamp_on_sign_up = STAMP_ON_SIGN_UP.flag(
            &src.get(STAMP_ON_SIGN_UP.variable)
                .unwrap_or(STAMP_ON_SIGN_UP.default.into()),
        )?;
        let user_pool_id = src
            .get(USER_POOL_ID.variable)
            .map(|v| USER_POOL_ID.text(&v).map(str::to_owned))
            .transpose()?;
        Ok(Settings {
            policy: config::password_policy(src)?,
            stamp_on_sign_up,
            user_pool_id,
        })
    }
}

/// Everything a handler needs, built once at init.
#[derive(Debug)]
pub struct Deps<U> {
    pub settings: Settings,
    pub users: U,
}

/// Why the invocation failed.
#[derive(Debug, thiserror::Error)]
pub enum PostConfirmationError {
    #[error("post-confirmation cannot read this event: {0}")]
    InvalidEvent(#[from] EventError),
    /// Shown to the user by Cognito; says what happened without naming anyone.
    #[error("your password was changed, but the change could not be recorded: {0}")]
    NotRecorded(UpdateError),
}

impl From<PostConfirmationError> for Diagnostic {
    fn from(e: PostConfirmationError) -> Self {
        let error_type = match &e {
            PostConfirmationError::InvalidEvent(_) => "InvalidEvent",
            PostConfirmationError::NotRecorded(_) => "PasswordChangeNotRecorded",
        };
        Diagnostic {
            error_type: error_type.into(),
            error_message: e.to_string(),
        }
    }
}

/// Handles one event with what init produced: the dependencies, or the configuration error
/// that makes them unusable. Then every event passes unchanged (confirmations go through,
/// nothing is recorded) with one error log naming the variable.
pub async fn respond<U: UserAttributes>(
    started: &Result<Deps<U>, ConfigError>,
    event: Value,
    now: i64,
) -> Result<Value, PostConfirmationError> {
    match started {
        Ok(deps) => handle(deps, event, now).await,
        Err(e) => {
            error!(variable = e.variable, error = %e, "configuration unusable: confirmation let through, password change NOT recorded");
            cognito_reset::runtime::metrics::outcome(
                "not_recorded",
                event["triggerSource"].as_str().unwrap_or_default(),
            );
            Ok(event)
        }
    }
}

/// Handles one event at `now` (seconds since the epoch); returns the event unchanged.
pub async fn handle<U: UserAttributes>(deps: &Deps<U>, event: Value, now: i64) -> Result<Value, PostConfirmationError> {
    if let Some(call) = password_change_call(&event) {
        return handle_call(deps, call, now).await.map(|()| event);
    }
    let envelope: Envelope<PostConfirmationRequest> = events::view(&event)?;
    let source = events::printable(&envelope.trigger_source);
    // A reset by code proves the recovery channel: it alone, of the two, clears the flag.
    let (record, clears_flag) = match envelope.trigger_source.as_str() {
        "PostConfirmation_ConfirmForgotPassword" => (true, true),
        "PostConfirmation_ConfirmSignUp" => (deps.settings.stamp_on_sign_up, false),
        _ => {
            warn!(trigger_source = %source, "not a password event: returned unchanged");
            (false, false)
        }
    };
    if !record {
        return Ok(event);
    }
    let attrs = &envelope.request.user_attributes;
    if !rules::has_password(|k| attrs.get(k).cloned()) {
        // A federated user's first sign-in runs ConfirmSignUp: there is no password to date.
        info!(trigger_source = %source, outcome = "federated", "federated user: no password to record");
        cognito_reset::runtime::metrics::outcome("federated", &source);
        return Ok(event);
    }
    if envelope.user_pool_id.is_empty() || envelope.user_name.is_empty() {
        return Err(EventError::Shape("userPoolId and userName are required to record the change".into()).into());
    }
    // Clear the forced-reset flag only where the user has one: writing an attribute the pool
    // does not define would fail.
    let clear_flag = clears_flag && attrs.contains_key(&deps.settings.policy.force_reset_attribute);
    let attributes = rules::change_record(&deps.settings.policy, now, clear_flag);
    match deps
        .users
        .update(&envelope.user_pool_id, &envelope.user_name, &attributes)
        .await
    {
        Ok(()) => {
            info!(trigger_source = %source, changed_at = %timestamp::format(now), force_flag_cleared = clear_flag, "password change recorded");
            cognito_reset::runtime::metrics::outcome("stamped", &source);
            Ok(event)
        }
        Err(e @ UpdateError::MissingAttribute(_)) => {
            // Only `make attach` can fix the pool; failing would fail every confirmation.
            error!(trigger_source = %source, error = %e, outcome = "not_recorded", "password change not recorded: confirmation let through");
            cognito_reset::runtime::metrics::outcome("not_recorded", &source);
            Ok(event)
        }
        Err(e) => {
            error!(trigger_source = %source, error = %e, outcome = "not_recorded", "password change not recorded");
            cognito_reset::runtime::metrics::outcome("not_recorded", &source);
            Err(PostConfirmationError::NotRecorded(e))
        }
    }
}

/// A failure a retry can fix fails the invocation (EventBridge retries); others are logged.
fn call_failed(name: &str, what: &str, e: UpdateError) -> Result<(), PostConfirmationError> {
    cognito_reset::runtime::metrics::outcome("not_recorded", name);
    if e.is_retryable() {
        error!(event_name = name, error = %e, "{what}; failing so EventBridge retries");
        Err(PostConfirmationError::NotRecorded(e))
    } else {
        error!(event_name = name, error = %e, "{what}; a retry cannot help");
        Ok(())
    }
}

/// Records a password change CloudTrail reported: `ChangePassword` (the user, signed in) or an
/// administrator's permanent `AdminSetUserPassword`. The change is stamped with the time of
/// the call, never moved back behind a later change already recorded. Only the
/// administrator's change clears the forced-reset flag, and only when it was made after the
/// flag was set: whoever holds a stolen password can call `ChangePassword`.
async fn handle_call<U: UserAttributes>(
    deps: &Deps<U>,
    call: cognito_reset::domain::events::post_confirmation::PasswordChangeCall,
    now: i64,
) -> Result<(), PostConfirmationError> {
    let name = call.event_name.as_str();
    if call.failed || !call.permanent {
        info!(
            event_name = name,
            failed = call.failed,
            permanent = call.permanent,
            "no password change to record"
        );
        return Ok(());
    }
    let Some(pool) = call.user_pool_id.clone().or_else(|| deps.settings.user_pool_id.clone()) else {
        error!(
            event_name = name,
            "the event names no user pool and USER_POOL_ID is not set: change not recorded"
        );
        return Ok(());
    };
    let Some(user) = call.user.as_deref() else {
        error!(
            event_name = name,
            "the event does not say whose password changed: change not recorded"
        );
        return Ok(());
    };
    let changed_at = call.event_time.unwrap_or_else(|| {
        warn!(
            event_name = name,
            "the event has no eventTime: the change is stamped with the time it arrived"
        );
        now
    });
    let policy = &deps.settings.policy;
    let stored = match deps.users.attributes(&pool, user).await {
        Ok(stored) => stored,
        Err(e) => return call_failed(name, "password change not recorded: the user could not be read", e),
    };
    let recorded = stored.get(&policy.changed_attribute).and_then(|v| timestamp::parse(v));
    if recorded.is_some_and(|t| t > changed_at) {
        info!(event_name = name, changed_at = %timestamp::format(changed_at), "a later password change is already recorded: nothing to do");
        return Ok(());
    }
    let flag = rules::ForceFlag::read(stored.get(&policy.force_reset_attribute).map(String::as_str));
    let clear_flag = name == "AdminSetUserPassword" && flag.is_some_and(|f| f.cleared_by_change_at(changed_at));
    if flag.is_some() && !clear_flag {
        warn!(
            event_name = name,
            "the forced-reset flag stays set: only a reset by code, a password chosen at NEW_PASSWORD_REQUIRED or an administrator's later permanent password clears it"
        );
    }
    let attributes = rules::change_record(policy, changed_at, clear_flag);
    match deps.users.update(&pool, user, &attributes).await {
        Ok(()) => {
            info!(event_name = name, changed_at = %timestamp::format(changed_at), force_flag_cleared = clear_flag, "password change recorded");
            cognito_reset::runtime::metrics::outcome("stamped", name);
            Ok(())
        }
        Err(e) => call_failed(name, "password change not recorded", e),
    }
}

#[cfg(test)]
mod tests;

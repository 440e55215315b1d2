//! Reading and writing user attributes (the password change stamp, the forced-reset flag)
//! through Cognito's admin API, behind a small trait so the pre token and post confirmation
//! handlers are unit-tested with a fake.

use std::collections::HashMap;
use std::future::Future;

/// Why attributes were not written. Carries Cognito's error code, never attribute values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    #[error("Cognito is throttling or unavailable ({0}); a retry can succeed")]
    Unavailable(String),
    /// The pool's schema does not define an attribute the rules use: only `make attach` (which
    /// adds the custom attributes) can fix it.
    #[error(
        "the user pool does not define the password-rule attributes ({0}); run `make attach POOL_ID=...` to add them"
    )]
    MissingAttribute(String),
    #[error("Cognito refused to update the user ({0})")]
    Rejected(String),
}

impl UpdateError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, UpdateError::Unavailable(_))
    }

    /// Sorts Cognito's answer to `AdminUpdateUserAttributes`. Cognito (and cognito-local)
    /// refuse an attribute the schema lacks with `InvalidParameterException` and the message
    /// `Invalid user attributes: user.custom:x: Attribute does not exist in the schema.`
    pub fn refused(code: &str, message: Option<&str>) -> UpdateError {
        if code == "InvalidParameterException" && message.is_some_and(|m| m.contains("does not exist in the schema")) {
            UpdateError::MissingAttribute(code.to_owned())
        } else {
            UpdateError::Rejected(code.to_owned())
        }
    }
}

/// Updates attributes of one user (`AdminUpdateUserAttributes`). `user` is the username or,
/// as Cognito's admin APIs accept, the user's `sub` or an alias.
pub trait UserAttributes: Send + Sync {
    fn update(
        &self,
        user_pool_id: &str,
        user: &str,
        attributes: &[(String, String)],
    ) -> impl Future<Output = Result<(), UpdateError>> + Send;

    /// Reads the attributes of one user (`AdminGetUser`), for the events that carry none
    /// (CloudTrail's). Values are personal data: callers log names only.
    fn attributes(
        &self,
        user_pool_id: &str,
        user: &str,
    ) -> impl Future<Output = Result<HashMap<String, String>, UpdateError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_schema_attribute_is_told_apart_from_other_refusals() {
        let missing = UpdateError::refused(
            "InvalidParameterException",
            Some("Invalid user attributes: user.custom:password_changed_at: Attribute does not exist in the schema."),
        );
        assert_eq!(
            missing,
            UpdateError::MissingAttribute("InvalidParameterException".into())
        );
        assert!(missing.to_string().contains("make attach"), "{missing}");
        assert!(!missing.is_retryable());
        assert_eq!(
            UpdateError::refused("InvalidParameterException", Some("1 validation error detected")),
            UpdateError::Rejected("InvalidParameterException".into())
        );
        assert_eq!(
            UpdateError::refused("UserNotFoundException", None),
            UpdateError::Rejected("UserNotFoundException".into())
        );
    }
}

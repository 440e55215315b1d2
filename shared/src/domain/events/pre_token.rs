//! The pre token generation trigger (`TokenGeneration_*`), in its three versions.
//!
//! V1 (`version` "1") customizes the ID token through `response.claimsOverrideDetails`
//! (string claim values). V2 and V3 (`version` "2" or "3", and a `request.scopes` list)
//! customize both tokens through `response.claimsAndScopeOverrideDetails`, with typed claim
//! values and scopes; V3 adds `TokenGeneration_ClientCredentials` for machine identities.
//! `aws_lambda_events`' types are not used here: their claim values are strings only, their
//! default `groupOverrideDetails` would wipe `cognito:groups`, and they have no V3. See
//! <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::de::{self, StringMap};
use super::{Envelope, EventError, view};

/// The `request` of a pre token generation event (the parts this project reads; everything
/// else, such as `groupConfiguration`, stays in the event untouched).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreTokenRequest {
    #[serde(default, deserialize_with = "de::string_map")]
    pub user_attributes: StringMap,
    /// V2/V3 only.
    #[serde(default, deserialize_with = "de::string_list", skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    #[serde(
        default,
        deserialize_with = "de::string_map",
        skip_serializing_if = "StringMap::is_empty"
    )]
    pub client_metadata: StringMap,
}

/// Which response shape the event expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenVersion {
    /// `claimsOverrideDetails`, ID token only, string values.
    V1,
    /// `claimsAndScopeOverrideDetails`, ID and access tokens, typed values, scopes (V2 and V3).
    V2,
}

/// The scope that lets a user call the user pools API with their access token (change their
/// own password among other things).
pub const USER_ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// Claims Cognito does not let a pre token generation function add, modify or suppress
/// (developer guide, "Claims and scopes reference"), besides any `cognito:` claim.
pub const RESERVED_CLAIMS: [&str; 21] = [
    "username",
    "sub",
    "identities",
    "aud",
    "client_id",
    "event_id",
    "device_key",
    "version",
    "acr",
    "amr",
    "at_hash",
    "auth_time",
    "azp",
    "exp",
    "iat",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "token_use",
];

/// Whether a claim name may be set by the trigger.
pub fn claim_allowed(name: &str) -> bool {
    !RESERVED_CLAIMS.contains(&name) && !name.starts_with("cognito:") && !name.starts_with("dev:")
}

/// Reads a pre token event and its version.
pub fn read(event: &Value) -> Result<(Envelope<PreTokenRequest>, TokenVersion), EventError> {
    let envelope: Envelope<PreTokenRequest> = view(event)?;
    let has_scopes = event["request"].get("scopes").is_some_and(|s| !s.is_null());
    let version = match envelope.version.trim() {
        "2" | "3" => TokenVersion::V2,
        "1" => TokenVersion::V1,
        // cognito-local sends "0"; anything else is judged by the request's shape.
        _ if has_scopes => TokenVersion::V2,
        _ => TokenVersion::V1,
    };
    Ok((envelope, version))
}

/// What to put in the tokens.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenChanges {
    /// Claims for the ID token and, in V2/V3, the access token.
    pub claims: Vec<(String, Value)>,
    /// V2/V3: suppress every requested scope but these (never adds one).
    pub only_scopes: Option<Vec<String>>,
}

fn object(slot: &mut Value) -> &mut Map<String, Value> {
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(map) => map,
        _ => unreachable!("just made an object"),
    }
}

fn add_claims(slot: &mut Value, claims: &[(String, Value)], stringify: bool) {
    let map = object(object(slot).entry("claimsToAddOrOverride").or_insert(Value::Null));
    for (name, value) in claims.iter().filter(|(n, _)| claim_allowed(n)) {
        let value = match (stringify, value) {
            (true, Value::String(_)) | (false, _) => value.clone(),
            (true, other) => Value::String(other.to_string()),
        };
        map.insert(name.clone(), value);
    }
}

fn merge_list(slot: &mut Value, key: &str, items: &[String]) {
    let entry = object(slot).entry(key).or_insert(Value::Null);
    let mut list: Vec<String> = entry
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    for item in items {
        if !list.contains(item) {
            list.push(item.clone());
        }
    }
    *entry = Value::Array(list.into_iter().map(Value::String).collect());
}

/// Writes `changes` into the event's response in the shape its version expects, keeping
/// whatever else the response holds. Never touches `groupOverrideDetails`, so groups and
/// roles stay as Cognito computed them. Writing the same changes twice gives the same event.
pub fn apply(event: &mut Value, version: TokenVersion, requested_scopes: &[String], changes: &TokenChanges) {
    if changes.claims.is_empty() && changes.only_scopes.is_none() {
        return;
    }
    let root = object(event);
    let response = object(root.entry("response").or_insert(Value::Null));
    match version {
        TokenVersion::V1 => {
            if !changes.claims.is_empty() {
                add_claims(
                    response.entry("claimsOverrideDetails").or_insert(Value::Null),
                    &changes.claims,
                    true,
                );
            }
        }
        TokenVersion::V2 => {
            let details = object(response.entry("claimsAndScopeOverrideDetails").or_insert(Value::Null));
            if !changes.claims.is_empty() {
                add_claims(
                    details.entry("idTokenGeneration").or_insert(Value::Null),
                    &changes.claims,
                    false,
                );
            }
            let access = details.entry("accessTokenGeneration").or_insert(Value::Null);
            if !changes.claims.is_empty() {
                add_claims(access, &changes.claims, false);
            }
            if let Some(keep) = &changes.only_scopes {
                // Only suppresses: a restricted token never gains a scope the request did not have.
                let suppress: Vec<String> = requested_scopes.iter().filter(|s| !keep.contains(s)).cloned().collect();
                merge_list(access, "scopesToSuppress", &suppress);
            }
            if access.as_object().is_none_or(Map::is_empty) {
                details.remove("accessTokenGeneration");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_are_told_apart_by_version_and_shape() {
        let v = |e: Value| read(&e).unwrap().1;
        assert_eq!(v(json!({"version": "1", "request": {}})), TokenVersion::V1);
        assert_eq!(v(json!({"version": "2", "request": {"scopes": []}})), TokenVersion::V2);
        assert_eq!(v(json!({"version": "3", "request": {}})), TokenVersion::V2);
        assert_eq!(
            v(json!({"version": "0", "request": {}})),
            TokenVersion::V1,
            "cognito-local"
        );
        assert_eq!(
            v(json!({"version": "0", "request": {"scopes": ["openid"]}})),
            TokenVersion::V2
        );
    }

    #[test]
    fn v1_claims_are_strings_and_other_response_parts_survive() {
        let mut e = json!({"version": "1", "response": {"claimsOverrideDetails": {
            "claimsToAddOrOverride": {"custom:keep": "x"}, "claimsToSuppress": ["email"],
            "groupOverrideDetails": {"groupsToOverride": ["admins"]}}}});
        let changes = TokenChanges {
            claims: vec![
                ("password_expires_soon".into(), json!(true)),
                ("sub".into(), json!("evil")),
            ],
            only_scopes: None,
        };
        apply(&mut e, TokenVersion::V1, &[], &changes);
        let d = &e["response"]["claimsOverrideDetails"];
        assert_eq!(
            d["claimsToAddOrOverride"],
            json!({"custom:keep": "x", "password_expires_soon": "true"})
        );
        assert_eq!(d["claimsToSuppress"], json!(["email"]));
        assert_eq!(d["groupOverrideDetails"], json!({"groupsToOverride": ["admins"]}));
    }

    #[test]
    fn v2_claims_go_to_both_tokens_and_scopes_are_reduced_idempotently() {
        let mut e = json!({"version": "2", "response": {"claimsAndScopeOverrideDetails": []}});
        let scopes = vec![USER_ADMIN_SCOPE.to_owned(), "openid".to_owned(), "email".to_owned()];
        let changes = TokenChanges {
            claims: vec![("password_expired".into(), json!(true))],
            only_scopes: Some(vec![USER_ADMIN_SCOPE.to_owned()]),
        };
        apply(&mut e, TokenVersion::V2, &scopes, &changes);
        let once = e.clone();
        apply(&mut e, TokenVersion::V2, &scopes, &changes);
        assert_eq!(e, once, "safe to run twice");
        let d = &e["response"]["claimsAndScopeOverrideDetails"];
        assert_eq!(
            d["idTokenGeneration"]["claimsToAddOrOverride"]["password_expired"],
            json!(true)
        );
        assert_eq!(
            d["accessTokenGeneration"]["claimsToAddOrOverride"]["password_expired"],
            json!(true)
        );
        assert_eq!(
            d["accessTokenGeneration"]["scopesToSuppress"],
            json!(["openid", "email"])
        );
        assert!(d.get("groupOverrideDetails").is_none(), "groups untouched");
        // A scope the request lacks is never added, even the one restricted tokens keep.
        let mut e = json!({"version": "2", "response": {"claimsAndScopeOverrideDetails": null}});
        apply(&mut e, TokenVersion::V2, &["openid".to_owned()], &changes);
        let a = &e["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"];
        assert!(a.get("scopesToAdd").is_none(), "{a}");
        assert_eq!(a["scopesToSuppress"], json!(["openid"]));
    }

    #[test]
    fn reserved_claims_are_never_written() {
        for name in RESERVED_CLAIMS.iter().chain(&["cognito:groups", "dev:x"]) {
            assert!(!claim_allowed(name), "{name}");
        }
        assert!(claim_allowed("password_expires_at"));
    }
}

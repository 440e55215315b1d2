//! The legacy user store behind the team's own HTTPS API (`LEGACY_USER_ENDPOINT`), for a
//! store the function cannot reach as a database.
//!
//! Each lookup is one request:
//!
//! ```text
//! POST <LEGACY_USER_ENDPOINT>
//! authorization: Bearer <token>
//! content-type: application/json
//!
//! {"username": "<the username Cognito gives>"}
//! ```
//!
//! and the answer is `200` with `{"user": {...}}` (the user: `password_hash`, attributes named
//! as Cognito names them, optionally `password_changed_at`, exactly the columns the database
//! query returns) or `{"user": null}` (no such user). Anything else is an error, never "no such
//! user": a wrong path or a proxy's error page must not refuse every legacy user quietly.
//! `401`, `403`, `408`, `429` and `5xx` say the store is unavailable; redirects are not followed.
//!
//! The connection is TLS (HTTP/1.1 over rustls), verified against the platform's roots
//! (`SSL_CERT_FILE` included); plain `http://` only to a loopback address. It is kept for the
//! process, and a lookup, connecting included, has [`LOOKUP`]. An answer is read up to
//! [`MAX_ANSWER`] bytes. Errors carry the status, never the answer's body, which can hold
//! hashes; the token is a sensitive header, never logged.

use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};
use hyper::{Method, Request, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use serde_json::Value;

use super::{FromSecret, LOOKUP, StoreConfigError, is_loopback, tls_config};
use crate::domain::legacy::row::record;
use crate::domain::legacy::{LegacyUser, LegacyUsers, LookupError, Secret};
use crate::domain::rules::PasswordPolicy;

/// The most an answer may hold: one user's attributes and hash fit many times over.
pub const MAX_ANSWER: usize = 64 * 1024;
/// How long a kept connection stays open between lookups.
const IDLE: Duration = Duration::from_secs(50);
/// The setting that names the endpoint (in errors).
const SETTING: &str = "LEGACY_USER_ENDPOINT";
/// The setting that names the secret holding the token.
const TOKEN_SECRET_SETTING: &str = "LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN";

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// The legacy store behind an HTTPS API.
pub struct EndpointUsers {
    url: Uri,
    authorization: HeaderValue,
    policy: PasswordPolicy,
    client: Client<Https, Full<Bytes>>,
}

impl std::fmt::Debug for EndpointUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointUsers")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Reads `endpoint`: an `https://` URL (or `http://` to a loopback address), without
/// credentials (the setting's rule also refuses a fragment, which this parser drops).
pub fn endpoint_url(endpoint: &str) -> Result<Uri, StoreConfigError> {
    let bad = |why: &str| StoreConfigError(format!("{SETTING} {why}"));
    let url: Uri = endpoint
        .trim()
        .parse()
        .map_err(|_| bad("is not a URL such as https://legacy.example.com/cognito/users"))?;
    let authority = url.authority().ok_or_else(|| bad("has no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad(
            "must not hold credentials: the token goes in LEGACY_USER_ENDPOINT_TOKEN(_SECRET_ARN)",
        ));
    }
    let after_host = authority
        .as_str()
        .rfind(']')
        .map_or(authority.as_str(), |end| &authority.as_str()[end..]);
    if let Some((_, port)) = after_host.split_once(':')
        && !(port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok_and(|p| p > 0))
    {
        return Err(bad("has a port outside 1 to 65535"));
    }
    match url.scheme_str() {
        Some("https") => Ok(url),
        Some("http") if is_loopback(authority.host()) => Ok(url),
        Some("http") => Err(bad(
            "is http:// to a host that is not loopback: passwords' hashes would cross the network unencrypted; use https://",
        )),
        _ => Err(bad("must start with https://")),
    }
}

impl EndpointUsers {
    /// The store at `endpoint`, sending `token` as a bearer token, verifying TLS against
    /// `rootcert` (a PEM file) or the platform's roots. Connects at the first lookup.
    pub fn new(
        endpoint: &str,
        token: &Secret,
        policy: PasswordPolicy,
        rootcert: Option<&str>,
    ) -> Result<Self, StoreConfigError> {
        let url = endpoint_url(endpoint)?;
        let token = token.expose().trim();
        let mut authorization = HeaderValue::from_str(&format!("Bearer {token}"))
            .ok()
            .filter(|_| !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                StoreConfigError("the endpoint's token must be printable ASCII without spaces (a bearer token)".into())
            })?;
        authorization.set_sensitive(true);
        let tls = tls_config(
            rootcert,
            "set SSL_CERT_FILE to a PEM bundle holding the endpoint's root",
        )?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(LOOKUP));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE)
            .pool_max_idle_per_host(1)
            .build(https);
        Ok(EndpointUsers {
            url,
            authorization,
            policy,
            client,
        })
    }

    /// The store whose token is in the Secrets Manager secret `arn`
    /// (`LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN`); `rootcert` as for [`EndpointUsers::new`].
    pub fn in_secret(
        client: aws_sdk_secretsmanager::Client,
        endpoint: &str,
        arn: &str,
        policy: PasswordPolicy,
        rootcert: Option<&str>,
    ) -> Result<FromSecret<EndpointUsers>, StoreConfigError> {
        // A bad URL is known now, without the secret.
        endpoint_url(endpoint)?;
        let endpoint = endpoint.to_owned();
        let rootcert = rootcert.map(str::to_owned);
        Ok(FromSecret::new(client, arn, TOKEN_SECRET_SETTING, move |token| {
            EndpointUsers::new(&endpoint, &token, policy.clone(), rootcert.as_deref())
        }))
    }

    async fn lookup(&self, username: &str) -> Result<Option<LegacyUser>, LookupError> {
        let body = Bytes::from(
            serde_json::to_vec(&serde_json::json!({ "username": username }))
                .map_err(|_| LookupError::Unusable("the username cannot be sent".into()))?,
        );
        let request = || {
            Request::builder()
                .method(Method::POST)
                .uri(self.url.clone())
                .header(AUTHORIZATION, self.authorization.clone())
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, "cognito-reset-user-migration")
                .body(Full::new(body.clone()))
                .map_err(|_| LookupError::Unusable(format!("{SETTING} cannot be asked")))
        };
        let response = match self.client.request(request()?).await {
            Ok(response) => response,
            // A kept connection the server closed while the process was frozen fails once it is
            // written to: the lookup only reads, so it is asked once more, on a new connection,
            // within the same budget.
            Err(e) if !e.is_connect() => self.client.request(request()?).await.map_err(|e| unreachable(&e))?,
            Err(e) => return Err(unreachable(&e)),
        };
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| {
                if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                    LookupError::Unusable(format!("the endpoint's answer is longer than {MAX_ANSWER} bytes"))
                } else {
                    LookupError::Unavailable("the endpoint's answer was cut off".into())
                }
            })?
            .to_bytes();
        answer(status, &body, &self.policy)
    }
}

impl LegacyUsers for EndpointUsers {
    async fn find(&self, username: &str) -> Result<Option<LegacyUser>, LookupError> {
        match tokio::time::timeout(LOOKUP, self.lookup(username)).await {
            Ok(found) => found,
            Err(_) => Err(LookupError::Unavailable(format!(
                "no answer within {} ms",
                LOOKUP.as_millis()
            ))),
        }
    }
}

/// The endpoint's answer, `status` and `body`, read as a user, no user, or an error.
pub fn answer(status: u16, body: &[u8], policy: &PasswordPolicy) -> Result<Option<LegacyUser>, LookupError> {
    match status {
        200 => {}
        401 | 403 => {
            return Err(LookupError::Unavailable(format!(
                "the endpoint refused the token (HTTP {status})"
            )));
        }
        408 | 429 | 500..=599 => return Err(LookupError::Unavailable(format!("the endpoint answered HTTP {status}"))),
        300..=399 => {
            return Err(LookupError::Unusable(format!(
                "the endpoint redirects (HTTP {status}): set {SETTING} to where it leads; redirects are not followed"
            )));
        }
        _ => {
            return Err(LookupError::Unusable(format!(
                "the endpoint answered HTTP {status}: it answers 200 with {{\"user\": ...}}, null for no such user"
            )));
        }
    }
    let shape = || LookupError::Unusable(r#"the endpoint's answer is not {"user": {...}} or {"user": null}"#.into());
    let Ok(Value::Object(mut answer)) = serde_json::from_slice::<Value>(body) else {
        return Err(shape());
    };
    match answer.remove("user") {
        Some(Value::Null) => Ok(None),
        Some(user @ Value::Object(_)) => record(user, policy).map(Some),
        _ => Err(shape()),
    }
}

/// A request that got no answer: why, without the URL (the client's errors do not carry
/// headers or bodies).
fn unreachable(e: &hyper_util::client::legacy::Error) -> LookupError {
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    let shown: String = cause.chars().take(120).collect();
    let what = if e.is_connect() {
        "could not connect to the endpoint"
    } else {
        "the endpoint did not answer"
    };
    LookupError::Unavailable(if shown.is_empty() {
        what.to_owned()
    } else {
        format!("{what} ({shown})")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_https_or_loopback_http_without_credentials() {
        for ok in [
            "https://legacy.example.com/cognito/users",
            "https://10.0.0.5:8443/u",
            "http://127.0.0.1:8080/users",
            "http://localhost/users",
            "http://[::1]:9000/users",
        ] {
            endpoint_url(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for (bad, why) in [
            ("http://legacy.example.com/users", "not loopback"),
            ("http://127.0.0.1.example.com/users", "not loopback"),
            ("https://app:hunter2@legacy.example.com/users", "credentials"),
            ("ftp://legacy.example.com/users", "https://"),
            ("legacy.example.com/users", "https://"),
            ("https:///users", "URL"),
            ("https://legacy.example.com:65536/users", "port"),
            ("https://legacy.example.com:0/users", "port"),
            ("https://[::1]:70000/users", "port"),
        ] {
            let e = endpoint_url(bad).expect_err(bad);
            assert!(e.0.contains(why), "{bad}: {e}");
            assert!(!e.0.contains("hunter2"), "{e}");
        }
    }

    /// What the setting accepts (and so the template and the npm package), the adapter takes.
    #[test]
    fn every_url_the_setting_accepts_is_one_the_adapter_takes() {
        let setting = crate::domain::settings::LEGACY_USER_ENDPOINT;
        let mut accepted = 0;
        for url in [
            "https://legacy.example.com/cognito/users",
            "https://legacy.example.com",
            "https://legacy.example.com:8443/a/b?x=1&y=%20z",
            "https://[2001:db8::1]:443/users",
            "https://10.0.0.5/users;v=1",
            "https://legacy.example.com/~u/(a)!*'+,$:@",
            "http://localhost:3000/users",
            "http://127.0.0.1/users?x",
            "http://[::1]:9000",
            "https://legacy.example.com/users#fragment",
            "https://legacy.example.com/a b",
            "https://legacy.example.com/{x}",
            "https://legacy.example.com/\"x\"",
            "https://app:secret@legacy.example.com/users",
            "http://legacy.example.com/users",
            "http://localhost.example.com/users",
            "http://127.0.0.1:123456/users",
            "https://legacy.example.com:65536/users",
            "https://legacy.example.com:0/users",
            "https://legacy.example.com:08443/users",
            "https://",
            "https://[zz]/users",
        ] {
            if setting.text(url).is_ok() {
                accepted += 1;
                endpoint_url(url).unwrap_or_else(|e| panic!("{url}: the setting accepts it, the adapter: {e}"));
            }
        }
        assert_eq!(accepted, 9, "the first nine are endpoints, the rest are not");
    }

    #[test]
    fn a_token_must_be_a_bearer_token() {
        let policy = PasswordPolicy::default();
        for bad in ["", "two words", "line\nbreak"] {
            let e = EndpointUsers::new("https://legacy.example.com/u", &Secret::new(bad), policy.clone(), None)
                .expect_err(bad);
            assert!(e.0.contains("token"), "{e}");
        }
    }

    #[test]
    fn an_answer_is_a_user_or_null_and_anything_else_is_an_error() {
        let policy = PasswordPolicy::default();
        let user = answer(
            200,
            br#"{"user": {"password_hash": "$2b$10$abc", "email": "a@example.com", "email_verified": true}}"#,
            &policy,
        )
        .expect("answer")
        .expect("a user");
        assert_eq!(user.attributes["email"], "a@example.com");
        assert_eq!(user.attributes["email_verified"], "true");
        assert!(user.password_hash.is_some());
        assert!(answer(200, br#"{"user": null}"#, &policy).expect("answer").is_none());

        let unavailable =
            |status, body: &[u8]| matches!(answer(status, body, &policy), Err(LookupError::Unavailable(_)));
        let unusable = |status, body: &[u8]| matches!(answer(status, body, &policy), Err(LookupError::Unusable(_)));
        for status in [401, 403, 408, 429, 500, 502, 503] {
            assert!(unavailable(status, br#"{"user": null}"#), "{status}");
        }
        // A wrong path is not "no such user".
        assert!(unusable(404, b"<html>Not Found</html>"));
        assert!(unusable(301, b""));
        assert!(unusable(200, b"null"), "the answer is an object");
        assert!(unusable(200, br#"{"users": []}"#));
        assert!(unusable(200, br#"{"user": [{"email": "a@example.com"}]}"#));
        assert!(unusable(200, b"<html>"));
        // A field that is not a Cognito attribute is refused, as a column would be.
        assert!(unusable(200, br#"{"user": {"password_hash": "x", "is_admin": true}}"#));
        // The body never reaches the error.
        let Err(e) = answer(200, br#"{"user": {"password_hash": 5}}"#, &policy) else {
            panic!("a hash that is not text");
        };
        assert!(!e.to_string().contains('5'), "{e}");
    }
}

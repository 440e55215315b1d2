//! The legacy user stores user migration reads, behind [`LegacyUsers`]:
//!
//! - [`postgres`]: the team's PostgreSQL database, one parameterized query;
//! - [`endpoint`]: the team's own HTTPS API, one `POST` per lookup.
//!
//! In AWS each one's credential (the database URL, the API's token) is in Secrets Manager:
//! [`FromSecret`] reads it at init and, when that fails, again at each lookup until it
//! succeeds. Both verify TLS against the platform's roots ([`tls_config`]). Errors name the
//! setting, never a credential, a username or a value the store returned.

pub mod endpoint;
pub mod postgres;

use std::sync::Arc;

use crate::domain::legacy::{LegacyUser, LegacyUsers, LookupError, Secret};

pub use endpoint::EndpointUsers;
pub use postgres::PostgresUsers;

/// A lookup's budget, connecting included: well inside Cognito's 5 seconds with the password
/// check after it.
pub const LOOKUP: std::time::Duration = std::time::Duration::from_millis(2_000);

/// Why a store's configuration cannot be used. Never carries a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreConfigError(pub String);

/// Reads the text of the Secrets Manager secret `arn`, which `setting` names.
pub async fn read_secret(
    client: &aws_sdk_secretsmanager::Client,
    arn: &str,
    setting: &str,
) -> Result<Secret, StoreConfigError> {
    let answer = client.get_secret_value().secret_id(arn).send().await.map_err(|e| {
        let code = e
            .as_service_error()
            .and_then(|s| aws_smithy_types::error::metadata::ProvideErrorMetadata::code(s))
            .unwrap_or("no answer");
        StoreConfigError(format!("{setting} cannot be read ({code})"))
    })?;
    let text = answer
        .secret_string()
        .ok_or_else(|| StoreConfigError(format!("{setting} holds no text")))?;
    Ok(Secret::new(text))
}

/// What makes a store from its secret's text.
type Build<S> = Box<dyn Fn(Secret) -> Result<S, StoreConfigError> + Send + Sync>;

/// A store whose credential is a Secrets Manager secret: read at init and, when that failed
/// (a throttle, an endpoint that did not answer), again at each lookup until it succeeds, so a
/// passing failure at init does not refuse every sign-in of the process. While it fails, a lookup
/// is unavailable; a secret read but unusable (not a URL) is unusable.
pub struct FromSecret<S> {
    client: aws_sdk_secretsmanager::Client,
    arn: String,
    setting: &'static str,
    build: Build<S>,
    open: tokio::sync::OnceCell<S>,
}

impl<S> std::fmt::Debug for FromSecret<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FromSecret")
            .field("setting", &self.setting)
            .field("arn", &self.arn)
            .finish_non_exhaustive()
    }
}

impl<S> FromSecret<S> {
    /// The store `build` makes from the text of secret `arn`, which `setting` names.
    pub fn new(
        client: aws_sdk_secretsmanager::Client,
        arn: &str,
        setting: &'static str,
        build: impl Fn(Secret) -> Result<S, StoreConfigError> + Send + Sync + 'static,
    ) -> Self {
        FromSecret {
            client,
            arn: arn.to_owned(),
            setting,
            build: Box::new(build),
            open: tokio::sync::OnceCell::new(),
        }
    }

    /// The store, once its secret has been read.
    pub async fn ready(&self) -> Result<&S, LookupError> {
        self.open
            .get_or_try_init(|| async {
                let text = read_secret(&self.client, &self.arn, self.setting)
                    .await
                    .map_err(|e| LookupError::Unavailable(e.0))?;
                (self.build)(text).map_err(|e| LookupError::Unusable(e.0))
            })
            .await
    }
}

impl<S: LegacyUsers + Send + Sync> LegacyUsers for FromSecret<S> {
    async fn find(&self, username: &str) -> Result<Option<LegacyUser>, LookupError> {
        self.ready().await?.find(username).await
    }
}

/// The legacy store as the configuration names it.
#[derive(Debug)]
pub enum LegacyStore {
    /// `LEGACY_DATABASE_URL` (locally).
    Database(PostgresUsers),
    /// `LEGACY_DATABASE_SECRET_ARN`.
    DatabaseInSecret(FromSecret<PostgresUsers>),
    /// `LEGACY_USER_ENDPOINT` with `LEGACY_USER_ENDPOINT_TOKEN` (locally).
    Endpoint(EndpointUsers),
    /// `LEGACY_USER_ENDPOINT` with `LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN`.
    EndpointInSecret(FromSecret<EndpointUsers>),
}

impl LegacyStore {
    /// Reads the secret now (when there is one), so that the first sign-in does not wait for
    /// it. A failure is tried again at each lookup.
    pub async fn ready(&self) -> Result<(), LookupError> {
        match self {
            LegacyStore::DatabaseInSecret(s) => s.ready().await.map(|_| ()),
            LegacyStore::EndpointInSecret(s) => s.ready().await.map(|_| ()),
            LegacyStore::Database(_) | LegacyStore::Endpoint(_) => Ok(()),
        }
    }
}

impl LegacyUsers for LegacyStore {
    async fn find(&self, username: &str) -> Result<Option<LegacyUser>, LookupError> {
        match self {
            LegacyStore::Database(s) => s.find(username).await,
            LegacyStore::DatabaseInSecret(s) => s.find(username).await,
            LegacyStore::Endpoint(s) => s.find(username).await,
            LegacyStore::EndpointInSecret(s) => s.find(username).await,
        }
    }
}

/// A TLS client configuration that verifies the server's certificate and name against the PEM
/// file `rootcert`, or the platform's roots (`SSL_CERT_FILE` and `SSL_CERT_DIR` included);
/// `hint` says how to name a root file when the platform has none.
pub fn tls_config(rootcert: Option<&str>, hint: &str) -> Result<rustls::ClientConfig, StoreConfigError> {
    let mut roots = rustls::RootCertStore::empty();
    match rootcert {
        Some(path) => {
            let pem =
                std::fs::read(path).map_err(|e| StoreConfigError(format!("{path:?} cannot be read: {}", e.kind())))?;
            let certs = rustls::pki_types::pem::PemObject::pem_slice_iter(&pem)
                .collect::<Result<Vec<rustls::pki_types::CertificateDer<'static>>, _>>()
                .map_err(|_| StoreConfigError(format!("{path:?} is not PEM")))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(StoreConfigError(format!("{path:?} holds no certificate")));
            }
        }
        None => {
            let (added, _) = roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            if added == 0 {
                return Err(StoreConfigError(format!(
                    "no root certificates found to verify the store with: {hint}"
                )));
            }
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| StoreConfigError("TLS cannot be set up".into()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Whether `host` (a name or an address, IPv6 in brackets or not) is this machine.
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

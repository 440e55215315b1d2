//! The legacy user store on PostgreSQL: one parameterized query, `$1` the username, run over a
//! connection kept for the process.
//!
//! A Lambda process answers one event at a time, so the pool is one connection: opened at the
//! first lookup, reused by every later one, and opened again after it fails. Each lookup
//! (connecting included) has [`LOOKUP`], well inside Cognito's 5 seconds with the password
//! check after it; the server also stops the statement at `statement_timeout`.
//!
//! The operator's query is run as `SELECT row_to_json(q)::text FROM (<query>) q LIMIT 2`: every
//! column arrives as JSON whatever its type (text, boolean, timestamp, number), named as the
//! query names it, and a username that matches two rows is refused instead of migrating either.
//!
//! TLS is rustls, with the platform's roots (`SSL_CERT_FILE` included) or the PEM file of the
//! URL's `sslrootcert`; the certificate and the host name are always verified (`sslmode=require`
//! is read as `verify-full`). `sslmode=disable` is accepted only for a loopback host.
//!
//! Errors carry PostgreSQL's SQLSTATE, never its message, which can quote a value.

use std::str::FromStr;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Mutex;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Statement};

use super::{FromSecret, LOOKUP, StoreConfigError, read_secret, tls_config};
use crate::domain::legacy::row::record;
use crate::domain::legacy::{LegacyUser, LegacyUsers, LookupError, Secret};
use crate::domain::rules::PasswordPolicy;

/// The server's own limit on the statement.
const STATEMENT_TIMEOUT_MS: u32 = 1_500;
/// How long a kept connection may take to answer before a new one is tried: a lookup by a
/// username answers in milliseconds.
const REUSED_ANSWER: Duration = Duration::from_millis(1_000);

/// The setting that names the secret holding the URL.
const SECRET_SETTING: &str = "LEGACY_DATABASE_SECRET_ARN";

/// How the connection is secured.
#[derive(Clone)]
enum Transport {
    Plain,
    Tls(tokio_postgres_rustls::MakeRustlsConnect),
}

/// The legacy store on PostgreSQL.
pub struct PostgresUsers {
    config: tokio_postgres::Config,
    transport: Transport,
    query: String,
    policy: PasswordPolicy,
    open: Mutex<Option<(Client, Statement)>>,
}

impl std::fmt::Debug for PostgresUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresUsers").finish_non_exhaustive()
    }
}

impl PostgresUsers {
    /// Reads `url` (libpq's URL form, with `sslmode` `disable`, `require`, `verify-ca` or
    /// `verify-full`, default `require`, and `sslrootcert`) and prepares `query`. Connects at
    /// the first lookup.
    pub fn new(url: &Secret, query: &str, policy: PasswordPolicy) -> Result<Self, StoreConfigError> {
        let (url, sslmode, rootcert) = split_tls_options(url.expose())?;
        let mut config = tokio_postgres::Config::from_str(&url)
            .map_err(|_| StoreConfigError("LEGACY_DATABASE_URL is not a PostgreSQL URL tokio-postgres reads".into()))?;
        config
            .connect_timeout(LOOKUP)
            .options(format!("-c statement_timeout={STATEMENT_TIMEOUT_MS}"))
            .application_name("cognito-reset-user-migration");
        let transport = if sslmode == "disable" {
            // Every name and every address it may connect to (`hostaddr` wins over `host`).
            let loopback = !config.get_hosts().is_empty()
                && config.get_hostaddrs().iter().all(std::net::IpAddr::is_loopback)
                && config.get_hosts().iter().all(|h| match h {
                    tokio_postgres::config::Host::Tcp(name) => super::is_loopback(name),
                    #[cfg(unix)]
                    tokio_postgres::config::Host::Unix(_) => true,
                });
            if !loopback {
                return Err(StoreConfigError(
                    "LEGACY_DATABASE_URL has sslmode=disable for a host that is not loopback: passwords' hashes would cross the network unencrypted".into(),
                ));
            }
            config.ssl_mode(tokio_postgres::config::SslMode::Disable);
            Transport::Plain
        } else {
            // Require: a server without TLS is refused, never talked to in plain text.
            config.ssl_mode(tokio_postgres::config::SslMode::Require);
            Transport::Tls(tls(rootcert.as_deref())?)
        };
        let query = query.trim().trim_end_matches(';').trim();
        Ok(PostgresUsers {
            config,
            transport,
            // On a line of its own: a trailing `-- comment` in the query ends before it.
            query: format!("SELECT row_to_json(q)::text FROM ({query}\n) q LIMIT 2"),
            policy,
            open: Mutex::new(None),
        })
    }

    /// The store whose URL is in the Secrets Manager secret `arn` (`LEGACY_DATABASE_SECRET_ARN`).
    pub fn in_secret(
        client: aws_sdk_secretsmanager::Client,
        arn: &str,
        query: &str,
        policy: PasswordPolicy,
    ) -> FromSecret<PostgresUsers> {
        let query = query.to_owned();
        FromSecret::new(client, arn, SECRET_SETTING, move |text| {
            let url = url_of_secret(text.expose())?;
            PostgresUsers::new(&Secret::new(url), &query, policy.clone())
        })
    }

    async fn connect(&self) -> Result<(Client, Statement), LookupError> {
        let (client, connection_task) = match &self.transport {
            Transport::Plain => {
                let (client, connection) = self.config.connect(tokio_postgres::NoTls).await.map_err(unavailable)?;
                (client, tokio::spawn(async move { connection.await.is_ok() }))
            }
            Transport::Tls(tls) => {
                let (client, connection) = self.config.connect(tls.clone()).await.map_err(unavailable)?;
                (client, tokio::spawn(async move { connection.await.is_ok() }))
            }
        };
        drop(connection_task);
        let statement = client.prepare(&self.query).await.map_err(|e| match e.as_db_error() {
            Some(db) => LookupError::Unusable(format!(
                "LEGACY_USER_QUERY cannot be prepared (SQLSTATE {})",
                db.code().code()
            )),
            None => unavailable(e),
        })?;
        if statement.params().len() != 1 {
            return Err(LookupError::Unusable(format!(
                "LEGACY_USER_QUERY takes {} parameters: it must take exactly one, $1, the username",
                statement.params().len()
            )));
        }
        let declared = &statement.params()[0];
        if ![Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(declared) {
            return Err(LookupError::Unusable(format!(
                "LEGACY_USER_QUERY's $1 is {}: it must be text (the username), so cast the column, not $1",
                declared.name()
            )));
        }
        Ok((client, statement))
    }

    async fn lookup(&self, username: &str) -> Result<Option<LegacyUser>, LookupError> {
        let mut open = self.open.lock().await;
        let kept = open.take().filter(|(client, _)| !client.is_closed());
        let reused = kept.is_some();
        let (mut client, mut statement) = match kept {
            Some(kept) => kept,
            None => self.connect().await?,
        };
        // `$1` is declared text unless the query casts it: a username always is. A kept
        // connection the server or a proxy has since closed (an idle timeout, a failover) fails
        // without a server error, or, when a NAT dropped it silently, never answers: after
        // REUSED_ANSWER one new connection is tried, within the budget.
        let mut answer = if reused {
            tokio::time::timeout(REUSED_ANSWER, client.query(&statement, &[&username]))
                .await
                .ok()
        } else {
            Some(client.query(&statement, &[&username]).await)
        };
        if reused && answer.as_ref().is_none_or(|a| a.as_ref().is_err_and(connection_lost)) {
            (client, statement) = self.connect().await?;
            answer = Some(client.query(&statement, &[&username]).await);
        }
        let Some(answer) = answer else {
            return Err(LookupError::Unavailable("no answer".into()));
        };
        let rows = match answer {
            Ok(rows) => rows,
            Err(e) => {
                // Dropped: the next lookup opens a new connection.
                return Err(match e.as_db_error() {
                    Some(db) if !connection_lost(&e) && !transient(db.code().code()) => {
                        LookupError::Unusable(format!("LEGACY_USER_QUERY failed (SQLSTATE {})", db.code().code()))
                    }
                    _ => unavailable(e),
                });
            }
        };
        *open = Some((client, statement));
        drop(open);
        match rows.as_slice() {
            [] => Ok(None),
            [row] => {
                let json: Option<String> = row
                    .try_get(0)
                    .map_err(|_| LookupError::Unusable("a row is not JSON".into()))?;
                let value: Value = serde_json::from_str(json.as_deref().unwrap_or("null"))
                    .map_err(|_| LookupError::Unusable("a row is not JSON".into()))?;
                record(value, &self.policy).map(Some)
            }
            _ => Err(LookupError::Unusable(
                "LEGACY_USER_QUERY returns more than one row for this username: make it match one user exactly".into(),
            )),
        }
    }
}

impl LegacyUsers for PostgresUsers {
    async fn find(&self, username: &str) -> Result<Option<LegacyUser>, LookupError> {
        match tokio::time::timeout(LOOKUP, self.lookup(username)).await {
            Ok(found) => found,
            Err(_) => {
                // The connection may be mid-answer: open a new one next time.
                *self.open.lock().await = None;
                Err(LookupError::Unavailable(format!(
                    "no answer within {} ms",
                    LOOKUP.as_millis()
                )))
            }
        }
    }
}

/// Whether an error ended the connection rather than the statement: no server error at all,
/// or one of class 08 (connection exception) or 57 (the server shutting down, a terminated
/// session), but not 57014 (the statement timed out: the connection is fine, and trying again
/// would run past the budget).
fn connection_lost(e: &tokio_postgres::Error) -> bool {
    e.as_db_error().is_none_or(|db| {
        let code = db.code().code();
        code.starts_with("08") || (code.starts_with("57") && code != "57014")
    })
}

/// SQLSTATEs that say the server could not answer now, not that the query is wrong: a
/// serialization failure or deadlock (class 40), too few resources (53), a lock not available
/// (55P03), the statement timeout (57014), a system error (58), an internal error (XX).
fn transient(code: &str) -> bool {
    ["40", "53", "58", "XX"].iter().any(|c| code.starts_with(c)) || code == "55P03" || code == "57014"
}

fn unavailable(e: tokio_postgres::Error) -> LookupError {
    if let Some(db) = e.as_db_error() {
        return LookupError::Unavailable(format!("SQLSTATE {}", db.code().code()));
    }
    let source = std::error::Error::source(&e)
        .map(ToString::to_string)
        .unwrap_or_default();
    let shown: String = source.chars().take(120).collect();
    LookupError::Unavailable(if e.is_closed() {
        "the connection was closed".to_owned()
    } else if shown.is_empty() {
        "could not connect".to_owned()
    } else {
        format!("could not connect ({shown})")
    })
}

/// Reads the database URL from the Secrets Manager secret `arn`: the URL itself, or the JSON
/// RDS writes for a managed password (`host`, `port`, `username`, `password`, `dbname`).
pub async fn url_from_secret(client: &aws_sdk_secretsmanager::Client, arn: &str) -> Result<Secret, StoreConfigError> {
    let text = read_secret(client, arn, SECRET_SETTING).await?;
    url_of_secret(text.expose()).map(Secret::new)
}

/// The URL a secret's text gives: the text itself, or built from RDS's JSON.
pub fn url_of_secret(text: &str) -> Result<String, StoreConfigError> {
    let text = text.trim();
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        return Ok(text.to_owned());
    }
    let bad = || {
        StoreConfigError(
            "LEGACY_DATABASE_SECRET_ARN holds neither a postgres:// URL nor JSON with host, username, password (and port, dbname), as Secrets Manager's secrets for an RDS database do; a secret RDS manages for its master user holds no host: store a URL instead".into(),
        )
    };
    let json: Value = serde_json::from_str(text).map_err(|_| bad())?;
    let field = |k: &str| match &json[k] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let (Some(host), Some(user), Some(password)) = (field("host"), field("username"), field("password")) else {
        return Err(bad());
    };
    let part = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    let port = field("port").unwrap_or_else(|| "5432".to_owned());
    let db = field("dbname").unwrap_or_else(|| "postgres".to_owned());
    Ok(format!(
        "postgres://{}:{}@{host}:{port}/{}",
        part(&user),
        part(&password),
        part(&db)
    ))
}

/// Takes `sslmode` and `sslrootcert` out of the URL (tokio-postgres reads neither as libpq
/// does): the URL without them, the mode (default `require`) and the root file.
fn split_tls_options(url: &str) -> Result<(String, String, Option<String>), StoreConfigError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut mode = "require".to_owned();
    let mut rootcert = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_encoding::percent_decode_str(value)
            .decode_utf8_lossy()
            .into_owned();
        match key {
            "sslmode" => mode = value,
            "sslrootcert" => rootcert = Some(value),
            _ => kept.push(pair),
        }
    }
    if !["disable", "require", "verify-ca", "verify-full"].contains(&mode.as_str()) {
        return Err(StoreConfigError(format!(
            "LEGACY_DATABASE_URL's sslmode must be disable, require, verify-ca or verify-full, not {:?}",
            crate::domain::events::printable(&mode)
        )));
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, mode, rootcert))
}

fn tls(rootcert: Option<&str>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreConfigError> {
    let config = tls_config(rootcert, "set sslrootcert in LEGACY_DATABASE_URL")
        .map_err(|e| StoreConfigError(format!("LEGACY_DATABASE_URL's sslrootcert: {e}")))?;
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_gives_its_url_or_builds_one_from_rds_json() {
        assert_eq!(
            url_of_secret(" postgres://u:p@h/db ").expect("url"),
            "postgres://u:p@h/db"
        );
        let rds = r#"{"engine":"postgres","host":"db.example.com","port":5432,"username":"app","password":"p@ss:w/rd","dbname":"legacy"}"#;
        assert_eq!(
            url_of_secret(rds).expect("json"),
            "postgres://app:p%40ss%3Aw%2Frd@db.example.com:5432/legacy"
        );
        let e = url_of_secret(r#"{"host":"h","password":"hunter2"}"#).expect_err("no username");
        assert!(!e.0.contains("hunter2"), "{e}");
    }

    #[test]
    fn tls_options_are_read_and_plain_text_is_only_for_loopback() {
        let (url, mode, root) = split_tls_options(
            "postgres://u:p@db:5432/app?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&connect_timeout=3",
        )
        .expect("read");
        assert_eq!(
            (url.as_str(), mode.as_str(), root.as_deref()),
            (
                "postgres://u:p@db:5432/app?connect_timeout=3",
                "verify-full",
                Some("/tmp/ca.pem")
            )
        );
        assert_eq!(split_tls_options("postgres://db/app").expect("read").1, "require");
        assert!(
            split_tls_options("postgres://db/app?sslmode=prefer").is_err(),
            "no silent fallback to plain text"
        );
        let policy = PasswordPolicy::default();
        let e = PostgresUsers::new(
            &Secret::new("postgres://u:hunter2@db.example.com/app?sslmode=disable"),
            "SELECT 1 WHERE $1 = ''",
            policy.clone(),
        )
        .expect_err("not loopback");
        assert!(e.0.contains("not loopback") && !e.0.contains("hunter2"), "{e}");
        let remote = PostgresUsers::new(
            &Secret::new("postgres://u:p@localhost/app?sslmode=disable&hostaddr=203.0.113.5"),
            "SELECT 1 WHERE $1 = ''",
            policy.clone(),
        );
        assert!(remote.is_err(), "hostaddr names where it really connects");
        PostgresUsers::new(
            &Secret::new("postgres://u:p@127.0.0.1:5432/app?sslmode=disable"),
            "SELECT 1 WHERE $1 = ''",
            policy,
        )
        .expect("loopback");
    }
}

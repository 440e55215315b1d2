//! The PostgreSQL store and the handler on a real server: every hash format's user migrates
//! with the right password and only with it, the table's own column names and types map to
//! Cognito's attributes, and every failure of the store says what went wrong without a value,
//! a hash or the database's password.

use cognito_reset::adapters::aws::secretsmanager;
use cognito_reset::adapters::legacy::postgres::url_from_secret;
use cognito_reset::adapters::legacy::{LOOKUP, PostgresUsers};
use cognito_reset::domain::legacy::{LegacyUsers, LookupError, Secret};
use cognito_reset::domain::rules::{ForceFlag, PasswordPolicy, timestamp};
use cognito_reset_stack::{LEGACY_USER_QUERY, Moto, Postgres, local_sdk_config};
use serde_json::json;
use user_migration::{Deps, Settings, handle};

use super::{NOW, reset, runtime, sign_in};

fn store(pg: &Postgres, query: &str) -> PostgresUsers {
    PostgresUsers::new(&Secret::new(pg.url("postgres")), query, PasswordPolicy::default()).expect("store")
}

#[test]
fn every_legacy_format_migrates_from_postgres_with_its_password_only() {
    let Some(pg) = Postgres::start("user migration store") else {
        return;
    };
    let users = pg.load_legacy_users();
    let rt = runtime();
    let env = std::collections::HashMap::from([
        ("LEGACY_DATABASE_URL", pg.url("postgres")),
        ("LEGACY_USER_QUERY", LEGACY_USER_QUERY.to_owned()),
    ]);
    let env: std::collections::HashMap<&str, &str> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let settings = Settings::from_source(&env).expect("settings");
    let deps = Deps::new(settings, store(&pg, LEGACY_USER_QUERY));
    for u in &users {
        let name = u["username"].as_str().unwrap_or_default();
        let password = u["password"].as_str().unwrap_or_default();
        // Cognito passes the username as typed: the query matches it case-insensitively.
        let typed = name.to_uppercase();
        let out = rt
            .block_on(handle(&deps, sign_in(&typed, password), NOW))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let attributes = &out["response"]["userAttributes"];
        assert_eq!(out["response"]["finalUserStatus"], "CONFIRMED", "{name}");
        assert_eq!(attributes["email"], u["email"], "{name}");
        assert_eq!(attributes["given_name"], u["given_name"], "{name}");
        assert_eq!(
            attributes["email_verified"],
            u["email_verified"].to_string(),
            "{name}: a boolean column"
        );
        if let Some(phone) = u["phone_number"].as_str() {
            assert_eq!(attributes["phone_number"], phone, "{name}");
        }
        // A timestamptz column, as RFC 3339; none: the password counts from now.
        let expected = u["password_changed_at"]
            .as_str()
            .and_then(timestamp::parse)
            .unwrap_or(NOW);
        assert_eq!(
            attributes["custom:password_changed_at"]
                .as_str()
                .and_then(timestamp::parse),
            Some(expected),
            "{name}"
        );
        let forced = ForceFlag::read(attributes["custom:force_password_reset"].as_str()).is_some();
        assert_eq!(forced, u["weak"] == true, "{name}");
        let wrong = format!("{password}!");
        // Answered as for a username nobody has: the event as it came.
        let refused = rt
            .block_on(handle(&deps, sign_in(name, &wrong), NOW))
            .expect("answered");
        assert_eq!(refused, sign_in(name, &wrong), "{name}");
    }
    let unknown = rt
        .block_on(handle(&deps, sign_in("nobody@legacy.example", "x"), NOW))
        .expect("answered");
    assert_eq!(unknown, sign_in("nobody@legacy.example", "x"));
    // A reset migrates only users whose store verified a channel.
    let out = rt
        .block_on(handle(&deps, reset("Argon2id@Legacy.Example"), NOW))
        .expect("verified email");
    assert_eq!(out["response"]["userAttributes"]["email_verified"], "true");
    let refused = rt
        .block_on(handle(&deps, reset("unverified@legacy.example"), NOW))
        .expect("answered");
    assert_eq!(refused, reset("unverified@legacy.example"));
    // One connection served every lookup.
    let connections =
        pg.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cognito-reset-user-migration'");
    assert_eq!(connections, "1");
}

#[test]
fn the_store_survives_a_dropped_connection_and_names_every_failure_safely() {
    let Some(pg) = Postgres::start("user migration store failures") else {
        return;
    };
    pg.load_legacy_users();
    let rt = runtime();
    let users = store(&pg, LEGACY_USER_QUERY);
    let found = rt.block_on(users.find("bcrypt-2b@legacy.example")).expect("found");
    assert!(found.is_some_and(|u| u.password_hash.is_some()));
    // The server ends the kept connection (an idle timeout, a failover): the next lookup
    // opens a new one and answers.
    pg.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cognito-reset-user-migration'");
    let again = rt
        .block_on(users.find("bcrypt-2b@legacy.example"))
        .expect("after the connection was dropped");
    assert!(again.is_some());
    assert!(
        rt.block_on(users.find("nobody@legacy.example"))
            .expect("answered")
            .is_none()
    );

    let failures: [(&str, &str, &str); 5] = [
        // Two users for one username: neither migrates.
        (
            "SELECT password_hash, email FROM users WHERE email LIKE '%' || $1",
            "more than one row",
            ".example",
        ),
        // A column that is no Cognito attribute.
        (
            "SELECT password_hash, email, id FROM users WHERE email = $1",
            "\"id\" is not a Cognito attribute",
            "bcrypt-2b@legacy.example",
        ),
        // A query the server refuses: its SQLSTATE, not its message (which would quote the value).
        (
            "SELECT password_hash FROM users WHERE id = ($1::text)::bigint",
            "SQLSTATE 22P02",
            "bcrypt-2b@legacy.example",
        ),
        // A parameter that is not text cannot take a username.
        (
            "SELECT password_hash FROM users WHERE id = $1",
            "$1 is int8",
            "bcrypt-2b@legacy.example",
        ),
        (
            "SELECT password_hash FROM nowhere WHERE email = $1",
            "SQLSTATE 42P01",
            "bcrypt-2b@legacy.example",
        ),
    ];
    for (query, says, username) in failures {
        let e = rt.block_on(store(&pg, query).find(username)).expect_err(query);
        assert!(matches!(e, LookupError::Unusable(_)), "{query}: {e:?}");
        let text = e.to_string();
        assert!(text.contains(says), "{query}: {text}");
        assert!(
            !text.contains("bcrypt-2b@") && !text.contains("$2b$"),
            "{text} shows a value"
        );
    }
    let e = rt
        .block_on(
            store(
                &pg,
                "SELECT password_hash FROM users WHERE email = $1 AND first_name = $2",
            )
            .find("x"),
        )
        .expect_err("two parameters");
    assert!(e.to_string().contains("exactly one, $1"), "{e}");

    // A wrong password for the database, and a server that is gone: unavailable, never the password.
    let wrong = pg.url("postgres").replace(pg.password(), "not-the-password");
    let e = rt
        .block_on(
            PostgresUsers::new(&Secret::new(wrong), LEGACY_USER_QUERY, PasswordPolicy::default())
                .expect("store")
                .find("x"),
        )
        .expect_err("refused");
    assert_eq!(e, LookupError::Unavailable("SQLSTATE 28P01".into()));
    let gone = pg.url("postgres");
    drop(pg);
    let started = std::time::Instant::now();
    let e = rt
        .block_on(
            PostgresUsers::new(&Secret::new(gone), LEGACY_USER_QUERY, PasswordPolicy::default())
                .expect("store")
                .find("x"),
        )
        .expect_err("no server");
    assert!(matches!(e, LookupError::Unavailable(_)), "{e:?}");
    assert!(!e.to_string().contains("legacy-store-password"), "{e}");
    assert!(started.elapsed() < LOOKUP * 2, "{:?}", started.elapsed());
}

#[test]
fn the_database_url_is_read_from_secrets_manager_as_rds_writes_it() {
    let (Some(pg), Some(moto)) = (
        Postgres::start("user migration secret"),
        Moto::start("user migration secret"),
    ) else {
        return;
    };
    pg.load_legacy_users();
    let rt = runtime();
    let sdk = rt.block_on(local_sdk_config(&moto.endpoint));
    let client = secretsmanager::Client::new(&sdk);
    // The JSON RDS keeps for a managed master password; the URL's TLS options go in a plain URL.
    let rds = json!({"engine": "postgres", "host": "127.0.0.1", "port": pg.port, "username": "postgres",
                     "password": pg.password(), "dbname": "postgres"});
    let created = rt
        .block_on(
            client
                .create_secret()
                .name("legacy-db")
                .secret_string(rds.to_string())
                .send(),
        )
        .expect("secret");
    let arn = created.arn().expect("arn").to_owned();
    let url = rt.block_on(url_from_secret(&client, &arn)).expect("read");
    // RDS's JSON names no sslmode: TLS is required, which this server has not: the URL says so.
    assert!(url.expose().starts_with("postgres://postgres:"));
    let plain = Secret::new(format!("{}?sslmode=disable", url.expose()));
    let users = PostgresUsers::new(&plain, LEGACY_USER_QUERY, PasswordPolicy::default()).expect("store");
    assert!(
        rt.block_on(users.find("argon2i@legacy.example"))
            .expect("found")
            .is_some()
    );
    // Without TLS on the server, the default (verified TLS) refuses to go on in plain text.
    let tls = PostgresUsers::new(&url, LEGACY_USER_QUERY, PasswordPolicy::default()).expect("store");
    assert!(matches!(
        rt.block_on(tls.find("argon2i@legacy.example")),
        Err(LookupError::Unavailable(_))
    ));
    let missing = arn.replace("legacy-db", "no-such-secret");
    let e = rt.block_on(url_from_secret(&client, &missing)).expect_err("missing");
    assert!(e.0.contains("ResourceNotFoundException"), "{e}");

    // A secret that cannot be read yet (at init, say) is read again at the next lookup.
    let later = PostgresUsers::in_secret(
        client.clone(),
        "legacy-db-later",
        LEGACY_USER_QUERY,
        PasswordPolicy::default(),
    );
    let e = rt
        .block_on(later.find("argon2i@legacy.example"))
        .expect_err("no secret yet");
    assert!(
        matches!(&e, LookupError::Unavailable(why) if why.contains("ResourceNotFoundException")),
        "{e:?}"
    );
    let plain_url = plain.expose().to_owned();
    rt.block_on(
        client
            .create_secret()
            .name("legacy-db-later")
            .secret_string(plain_url)
            .send(),
    )
    .expect("secret");
    assert!(
        rt.block_on(later.find("argon2i@legacy.example"))
            .expect("read now")
            .is_some()
    );
}

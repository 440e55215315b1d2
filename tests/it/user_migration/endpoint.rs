//! The HTTPS API store (`LEGACY_USER_ENDPOINT`) and the handler against a team's API on
//! loopback, over TLS with a chain made for the run: every hash format's user migrates with the
//! right password only, the request is the documented one, and every failure of the API says
//! what went wrong without a value, a hash or the token.

use std::time::{Duration, Instant};

use cognito_reset::adapters::aws::secretsmanager;
use cognito_reset::adapters::legacy::{EndpointUsers, LOOKUP};
use cognito_reset::domain::legacy::{LegacyUsers, LookupError, Secret};
use cognito_reset::domain::rules::PasswordPolicy;
use cognito_reset_stack::{LEGACY_API_TOKEN, LegacyApi, Moto, legacy_users, local_sdk_config};
use serde_json::json;
use user_migration::{Deps, Settings, handle};

use super::{NOW, reset, runtime, sign_in};

fn store(api: &LegacyApi, token: &str) -> EndpointUsers {
    EndpointUsers::new(
        &api.endpoint,
        &Secret::new(token),
        PasswordPolicy::default(),
        Some(&api.root_pem()),
    )
    .expect("store")
}

/// What the handler gets at init with the API as its store, calling it with `token`.
fn handler(api: &LegacyApi, token: &str) -> Deps<EndpointUsers> {
    let env = std::collections::HashMap::from([
        ("LEGACY_USER_ENDPOINT", api.endpoint.as_str()),
        ("LEGACY_USER_ENDPOINT_TOKEN", LEGACY_API_TOKEN),
    ]);
    Deps::new(Settings::from_source(&env).expect("settings"), store(api, token))
}

#[test]
fn every_legacy_format_migrates_through_the_teams_api_with_its_password_only() {
    let users = legacy_users();
    let api = LegacyApi::start(&users);
    let rt = runtime();
    let deps = handler(&api, LEGACY_API_TOKEN);
    for u in &users {
        let name = u["username"].as_str().unwrap_or_default();
        let password = u["password"].as_str().unwrap_or_default();
        let typed = name.to_uppercase();
        let out = rt
            .block_on(handle(&deps, sign_in(&typed, password), NOW))
            .expect("answered");
        let migrated = &out["response"]["userAttributes"];
        if u["password_hash"].is_null() || password.is_empty() {
            assert!(migrated.is_null(), "{name}: no password, no migration");
            continue;
        }
        assert_eq!(migrated["email"], u["email"], "{name} ({})", u["format"]);
        assert_eq!(out["response"]["finalUserStatus"], "CONFIRMED", "{name}");
        let wrong = rt
            .block_on(handle(&deps, sign_in(name, "not-the-password"), NOW))
            .expect("answered");
        assert!(
            wrong["response"]["userAttributes"].is_null(),
            "{name}: a wrong password"
        );
    }
    let nobody = rt
        .block_on(handle(&deps, sign_in("nobody@legacy.example", "x"), NOW))
        .expect("answered");
    assert!(nobody["response"]["userAttributes"].is_null());
    let out = rt
        .block_on(handle(&deps, reset("django-sha256@legacy.example"), NOW))
        .expect("answered");
    assert_eq!(out["response"]["userAttributes"]["email_verified"], "true");
    assert_eq!(out["response"]["userAttributes"]["phone_number"], "+14255550123");

    // The documented request: POST, JSON, the bearer token, the username as Cognito gave it.
    let requests = api.requests();
    assert!(requests.len() > users.len());
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(
            r.authorization.as_deref(),
            Some(format!("Bearer {LEGACY_API_TOKEN}").as_str())
        );
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
    }
    assert!(
        requests
            .iter()
            .any(|r| r.body == json!({"username": "BCRYPT-2B@LEGACY.EXAMPLE"}))
    );
}

#[test]
fn every_failure_of_the_api_is_named_without_a_value_or_the_token() {
    let api = LegacyApi::start(&legacy_users());
    let rt = runtime();
    let find = |users: &EndpointUsers| rt.block_on(users.find("bcrypt-2b@legacy.example"));
    let good = store(&api, LEGACY_API_TOKEN);
    assert!(find(&good).expect("found").is_some());

    // The API refuses a wrong token: unavailable (the app may try again), never "no such user".
    let e = find(&store(&api, "not-the-token")).expect_err("refused");
    assert_eq!(
        e,
        LookupError::Unavailable("the endpoint refused the token (HTTP 401)".into())
    );

    let hash_body = br#"{"user": {"password_hash": "$2b$10$secrethashsecrethashsecre", "role": "admin"}}"#;
    for (status, body, unavailable, says) in [
        (503, &b"{}"[..], true, "HTTP 503"),
        (429, &b"{}"[..], true, "HTTP 429"),
        (404, &b"<html>Not Found</html>"[..], false, "HTTP 404"),
        (302, &b""[..], false, "redirects"),
        (200, &b"<html>maintenance</html>"[..], false, "is not {\"user\""),
        (200, &b"{\"users\": []}"[..], false, "is not {\"user\""),
        (200, &hash_body[..], false, "\"role\" is not a Cognito attribute"),
    ] {
        api.answer(Some((status, body)));
        let e = find(&good).expect_err("an error");
        let text = e.to_string();
        assert_eq!(matches!(e, LookupError::Unavailable(_)), unavailable, "{status}: {e}");
        assert!(text.contains(says), "{status}: {text}");
        assert!(
            !text.contains("secrethash") && !text.contains(LEGACY_API_TOKEN),
            "{text}"
        );
    }
    let long = format!(r#"{{"user": {{"given_name": "{}"}}}}"#, "x".repeat(70 * 1024));
    api.answer(Some((200, long.as_bytes())));
    let e = find(&good).expect_err("too long");
    assert!(e.to_string().contains("longer than 65536 bytes"), "{e}");
    api.answer(None);

    // An API that answers late: unavailable within the lookup's budget.
    api.delay(Duration::from_secs(3));
    let started = Instant::now();
    let e = find(&good).expect_err("late");
    assert_eq!(e, LookupError::Unavailable("no answer within 2000 ms".into()));
    assert!(
        started.elapsed() < LOOKUP + Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    api.delay(Duration::ZERO);
    assert!(find(&good).expect("answers again").is_some());

    // A certificate the platform's roots do not vouch for: refused before anything is sent.
    let before = api.requests().len();
    let untrusted = EndpointUsers::new(
        &api.endpoint,
        &Secret::new(LEGACY_API_TOKEN),
        PasswordPolicy::default(),
        None,
    )
    .expect("store");
    let e = find(&untrusted).expect_err("untrusted");
    assert!(
        matches!(&e, LookupError::Unavailable(why) if why.contains("could not connect") && why.contains("certificate")),
        "{e:?}"
    );
    assert_eq!(
        api.requests().len(),
        before,
        "the token never went to an unverified server"
    );

    // Nobody listening.
    let gone = api.endpoint.clone();
    drop(api);
    let e = rt
        .block_on(
            EndpointUsers::new(&gone, &Secret::new(LEGACY_API_TOKEN), PasswordPolicy::default(), None)
                .expect("store")
                .find("x"),
        )
        .expect_err("no server");
    assert!(
        matches!(&e, LookupError::Unavailable(why) if why.contains("could not connect")),
        "{e:?}"
    );
}

/// A kept connection the API closed while the process was frozen fails only once the next
/// request is written to it: the lookup is asked once more, on a new connection, and the user
/// is found, not refused and not reported unavailable.
#[test]
fn a_lookup_on_a_kept_connection_the_api_closed_is_asked_again_on_a_new_one() {
    let api = LegacyApi::start(&legacy_users());
    let rt = runtime();
    let users = store(&api, LEGACY_API_TOKEN);
    let email = || {
        let found = rt.block_on(users.find("bcrypt-2b@legacy.example"));
        found.expect("found").expect("a user").attributes.get("email").cloned()
    };
    let expected = Some("bcrypt-2b@legacy.example".to_owned());
    assert_eq!(email(), expected);
    api.front().hang_up_kept(true);
    for n in 1..=3 {
        assert_eq!(email(), expected, "lookup {n} after the API closed the kept connection");
        assert_eq!(api.front().hang_ups(), n, "lookup {n} met a closed kept connection");
    }
    assert_eq!(api.requests().len(), 4, "each lookup reached the API once");
}

#[test]
fn the_token_is_read_from_secrets_manager_and_again_until_it_is_there() {
    let Some(moto) = Moto::start("user migration API token") else {
        return;
    };
    let api = LegacyApi::start(&legacy_users());
    let rt = runtime();
    let client = secretsmanager::Client::new(&rt.block_on(local_sdk_config(&moto.endpoint)));
    let root = api.root_pem();
    let later = EndpointUsers::in_secret(
        client.clone(),
        &api.endpoint,
        "legacy-api-token",
        PasswordPolicy::default(),
        Some(&root),
    )
    .expect("store");
    let e = rt
        .block_on(later.find("argon2i@legacy.example"))
        .expect_err("no secret yet");
    assert!(
        matches!(&e, LookupError::Unavailable(why) if why.contains("LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN cannot be read (ResourceNotFoundException)")),
        "{e:?}"
    );
    assert!(api.requests().is_empty(), "nothing asked without the token");
    rt.block_on(
        client
            .create_secret()
            .name("legacy-api-token")
            .secret_string(format!("{LEGACY_API_TOKEN}\n"))
            .send(),
    )
    .expect("secret");
    assert!(
        rt.block_on(later.find("argon2i@legacy.example"))
            .expect("read now")
            .is_some()
    );
    // A bad endpoint is refused before any secret is read.
    let e = EndpointUsers::in_secret(
        client,
        "http://legacy.example.com/users",
        "legacy-api-token",
        PasswordPolicy::default(),
        None,
    )
    .expect_err("plain http");
    assert!(e.0.contains("not loopback"), "{e}");
}

/// Where the test's log lines go: the JSON lines the functions write, kept in memory.
#[derive(Clone, Default)]
struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The API store's own paths at the most verbose level the functions log at (their filter at
/// `trace`, as `LOG_LEVEL=trace` sets it): sign-ins right and wrong, an unknown user, a reset,
/// a refused token, an API error whose body quotes a hash, and an answer with a field no
/// Cognito attribute has. No log line and no error holds a password, a hash, the token or an
/// unmasked username.
#[test]
fn nothing_the_api_store_logs_or_answers_holds_a_password_a_hash_or_the_token() {
    use tracing_subscriber::prelude::*;
    let users = legacy_users();
    let api = LegacyApi::start(&users);
    let rt = runtime();
    let deps = handler(&api, LEGACY_API_TOKEN);
    let refused = handler(&api, "not-the-token");
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .json()
            .with_writer(move || writer.clone())
            .with_filter(cognito_reset::runtime::telemetry::filter(tracing::Level::TRACE)),
    );
    let mut secrets = vec![LEGACY_API_TOKEN.to_owned()];
    let mut errors = Vec::new();
    tracing::subscriber::with_default(subscriber, || {
        let mut run = |deps: &Deps<EndpointUsers>, event: serde_json::Value| {
            // Tests on other threads log through the same call sites with no subscriber: one
            // that first logged there may have cached "nobody listens" for it.
            tracing::callsite::rebuild_interest_cache();
            if let Err(e) = rt.block_on(handle(deps, event, NOW)) {
                errors.push(e.to_string());
            }
        };
        for u in users.iter().filter(|u| u["password_hash"].is_string()) {
            let name = u["username"].as_str().unwrap_or_default();
            let password = u["password"].as_str().unwrap_or_default();
            secrets.extend([
                name.to_owned(),
                u["password_hash"].as_str().unwrap_or_default().to_owned(),
            ]);
            if !password.is_empty() {
                secrets.push(password.to_owned());
                run(&deps, sign_in(name, password));
            }
            run(&deps, sign_in(name, "Guess-1-wrong"));
        }
        run(&deps, sign_in("nobody@legacy.example", "Guess-2"));
        run(&deps, reset("django-sha256@legacy.example"));
        run(&refused, sign_in("bcrypt-2b@legacy.example", "Guess-3"));
        api.answer(Some((
            500,
            br#"{"error": "query failed for $2b$12$leakedhashleakedhashleak"}"#,
        )));
        run(&deps, sign_in("bcrypt-2b@legacy.example", "Guess-4"));
        api.answer(Some((
            200,
            br#"{"user": {"password_hash": "$2b$12$leakedhashleakedhashleak", "role": "admin"}}"#,
        )));
        run(&deps, sign_in("bcrypt-2b@legacy.example", "Guess-5"));
        api.answer(None);
    });
    secrets.extend(["Guess-".to_owned(), "leakedhash".to_owned()]);
    let raw = String::from_utf8_lossy(&lines.0.lock().expect("lines")).into_owned();
    // Each line's values as they read once decoded (a secret JSON escapes is found too).
    let decoded: Vec<String> = raw
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            strings(&value).join(" ")
        })
        .collect();
    let logs = decoded.join("\n");
    for ran in [
        "user migrated",
        "wrong_password",
        "unknown_user",
        "legacy store unavailable",
        "\"role\" is not a Cognito attribute",
    ] {
        assert!(logs.contains(ran), "the path that logs {ran:?} ran:\n{logs}");
    }
    assert!(
        errors.len() >= 2,
        "the refused token and the API's error failed the sign-in: {errors:?}"
    );
    let everything = format!("{raw}\n{logs}\n{}", errors.join("\n"));
    for secret in &secrets {
        assert!(
            !everything.contains(secret.as_str()),
            "{secret} reached a log line or an error:\n{everything}"
        );
    }
}

/// Every string in `value`, keys and values.
fn strings(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().flat_map(strings).collect(),
        serde_json::Value::Object(o) => o
            .iter()
            .flat_map(|(k, v)| std::iter::once(k.clone()).chain(strings(v)))
            .collect(),
        other => vec![other.to_string()],
    }
}

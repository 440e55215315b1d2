//! A team's own user API, the legacy store `LEGACY_USER_ENDPOINT` names: HTTPS on loopback
//! (a chain made for the run, trusted through `SSL_CERT_FILE`), a bearer token, and the users
//! of `tests/fixtures/legacy/users.json` answered as the database query answers them.
//!
//! It speaks the protocol the function documents (`POST {"username": ...}`, answered with
//! `{"user": {...}}` or `{"user": null}`), keeps every request it got, and can be told to
//! answer something else, or late, to show what the function does then.

use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cognito_reset::domain::rules::timestamp;
use serde_json::{Value, json};

use crate::{Acceptor, HttpRequest, Tls, TlsFront, write_response};

/// The token the stand-in accepts.
pub const LEGACY_API_TOKEN: &str = "legacy-api-token-7Hq2Zp";

/// The fields of a fixture user the API answers with: the columns `LEGACY_USER_QUERY` returns.
const FIELDS: [&str; 7] = [
    "password_hash",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "given_name",
    "password_changed_at",
];

/// One request the API got.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: Value,
}

#[derive(Debug, Default)]
struct State {
    /// Username (lower case) to the user the API answers with.
    users: Vec<(String, Value)>,
    requests: Vec<ApiRequest>,
    /// Answered instead of the user, when set.
    fault: Option<(u16, Vec<u8>)>,
    delay: Duration,
}

/// The stand-in, serving until dropped.
#[derive(Debug)]
pub struct LegacyApi {
    /// `https://127.0.0.1:<port>/cognito/users`.
    pub endpoint: String,
    state: Arc<Mutex<State>>,
    tls: Tls,
    front: TlsFront,
    _plain: Acceptor,
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn serve(state: &Mutex<State>, conn: &TcpStream) {
    let Ok(req) = HttpRequest::read(conn) else {
        return;
    };
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let (answer, delay) = {
        let mut s = lock(state);
        s.requests.push(ApiRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            authorization: req.header("authorization").map(str::to_owned),
            content_type: req.header("content-type").map(str::to_owned),
            body: body.clone(),
        });
        let answer = if let Some(fault) = &s.fault {
            fault.clone()
        } else if req.header("authorization") != Some(&format!("Bearer {LEGACY_API_TOKEN}")) {
            (401, br#"{"message": "unauthorized"}"#.to_vec())
        } else if req.method != "POST" || req.path != "/cognito/users" {
            (404, b"<html>Not Found</html>".to_vec())
        } else {
            match body["username"].as_str() {
                Some(name) => {
                    let name = name.to_lowercase();
                    let user = s.users.iter().find(|(u, _)| *u == name).map(|(_, v)| v.clone());
                    (200, json!({ "user": user }).to_string().into_bytes())
                }
                None => (400, br#"{"message": "username is required"}"#.to_vec()),
            }
        };
        (answer, s.delay)
    };
    std::thread::sleep(delay);
    let headers = [("content-type".to_owned(), "application/json".to_owned())];
    let _ = write_response(conn, answer.0, &headers, &answer.1);
}

impl LegacyApi {
    /// Serves `users` (fixture users: their query columns, found by username, case-insensitively).
    pub fn start(users: &[Value]) -> LegacyApi {
        let users = users
            .iter()
            .map(|u| {
                let name = u["username"].as_str().unwrap_or_default().to_lowercase();
                let answer: serde_json::Map<String, Value> = FIELDS
                    .iter()
                    .filter_map(|f| u.get(*f).map(|v| ((*f).to_owned(), v.clone())))
                    .collect();
                (name, Value::Object(answer))
            })
            .collect();
        let state = Arc::new(Mutex::new(State {
            users,
            ..State::default()
        }));
        let served = Arc::clone(&state);
        let plain = Acceptor::start(move |conn: TcpStream| serve(&served, &conn));
        let tls = Tls::make().expect("the legacy API's certificates");
        let front = TlsFront::start(&tls, &format!("http://127.0.0.1:{}", plain.port));
        LegacyApi {
            endpoint: format!("{}/cognito/users", front.endpoint),
            state,
            tls,
            front,
            _plain: plain,
        }
    }

    /// The environment that makes a function trust the API's certificate as a system CA's.
    pub fn trust_env(&self) -> Vec<(String, String)> {
        self.tls.trust_env()
    }

    /// The PEM file of the run's root, for a client given its roots.
    pub fn root_pem(&self) -> String {
        self.tls.root_pem().display().to_string()
    }

    /// Every stored password was set `days` ago (as `Postgres::passwords_set_days_ago`).
    pub fn passwords_set_days_ago(&self, days: u32) {
        let at = timestamp::format(cognito_reset::runtime::clock::now() - i64::from(days) * 86_400);
        for (_, user) in &mut lock(&self.state).users {
            if user.get("password_changed_at").is_some_and(|v| !v.is_null()) {
                user["password_changed_at"] = json!(at);
            }
        }
    }

    /// From now on every answer is `status` with `body` (`None`: the users again).
    pub fn answer(&self, fault: Option<(u16, &[u8])>) {
        lock(&self.state).fault = fault.map(|(status, body)| (status, body.to_vec()));
    }

    /// From now on every answer waits `delay` first.
    pub fn delay(&self, delay: Duration) {
        lock(&self.state).delay = delay;
    }

    /// The TLS front before the API, to hang up on kept connections
    /// ([`TlsFront::hang_up_kept`]).
    pub fn front(&self) -> &TlsFront {
        &self.front
    }

    /// The requests it has had.
    pub fn requests(&self) -> Vec<ApiRequest> {
        lock(&self.state).requests.clone()
    }

    /// How many requests it has had, and the last one.
    pub fn last_request(&self) -> (usize, Option<ApiRequest>) {
        let s = lock(&self.state);
        (s.requests.len(), s.requests.last().cloned())
    }
}

/// The event Cognito sends `user-migration` for a username its pool does not hold, in AWS's
/// documented shape: `UserMigration_Authentication` with the password the user signed in with,
/// or `UserMigration_ForgotPassword` (no password) at the first step of a reset.
pub fn user_migration_event(pool_id: &str, client_id: &str, username: &str, password: Option<&str>) -> Value {
    let (trigger, request) = match password {
        Some(password) => (
            "UserMigration_Authentication",
            json!({"password": password, "validationData": null, "clientMetadata": null}),
        ),
        None => (
            "UserMigration_ForgotPassword",
            json!({"validationData": null, "clientMetadata": null}),
        ),
    };
    json!({
        "version": "1", "triggerSource": trigger, "region": "us-east-1",
        "userPoolId": pool_id, "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": request,
        "response": {"userAttributes": null, "finalUserStatus": null, "messageAction": null,
                     "desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null}
    })
}

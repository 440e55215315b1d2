//! cognito-local, the user pool API, wired to `cargo lambda watch` and moto.

use super::*;

/// cognito-local (the user pool API, from npm) on a loopback port, invoking triggers through
/// `cargo lambda watch` and encrypting codes for the custom email sender with a moto KMS key.
#[derive(Debug)]
pub struct CognitoLocal {
    pub service: Service,
    pub endpoint: String,
    pub log: PathBuf,
    /// Its working directory (`.cognito/config.json`, `.cognito/db/`).
    pub dir: PathBuf,
}

impl CognitoLocal {
    /// Starts cognito-local on `port`. `triggers` maps trigger names (`CustomEmailSender`,
    /// `PostConfirmation`, `PreTokenGeneration`, ...) to function names served by `lambda_endpoint`.
    pub fn start(
        test: &str,
        port: u16,
        lambda_endpoint: &str,
        triggers: &[(&str, &str)],
        kms: Option<(&Moto, &str, &str)>,
    ) -> Option<CognitoLocal> {
        let start_js = root().join("node_modules/cognito-local/lib/bin/start.js");
        if !start_js.is_file() {
            let msg = format!(
                "{test}: node_modules/cognito-local is missing (run `make test` or `make demo`, which run npm ci)"
            );
            assert!(!stack_required(), "{msg}");
            skipped(&msg);
            return None;
        }
        let node = require_tool("node", test)?;
        patch_new_password_challenge(&start_js);
        patch_empty_migration_answer(&start_js);
        let dir = std::env::temp_dir().join(format!("cognito-local-{port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".cognito/db")).expect("cognito-local dir");
        let credentials = serde_json::json!({"accessKeyId": LOCAL_ACCESS_KEY, "secretAccessKey": LOCAL_SECRET_KEY});
        let mut config = serde_json::json!({
            "LambdaClient": {"endpoint": lambda_endpoint, "region": LOCAL_REGION, "credentials": credentials},
            "ServerConfig": {"hostname": "127.0.0.1", "port": port},
            "TokenConfig": {"IssuerDomain": format!("http://127.0.0.1:{port}")},
            "TriggerFunctions": triggers.iter().map(|(k, v)| ((*k).to_owned(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
            "UserPoolDefaults": {"UsernameAttributes": ["email"]},
        });
        if let Some((moto, key_arn, alias)) = kms {
            config["KMSConfig"] = serde_json::json!({
                "KMSKeyId": key_arn, "KMSKeyAlias": alias, "endpoint": moto.endpoint,
                "region": LOCAL_REGION, "credentials": credentials,
            });
        }
        std::fs::write(
            dir.join(".cognito/config.json"),
            serde_json::to_vec_pretty(&config).expect("json"),
        )
        .expect("config");
        let mut cmd = Command::new(node);
        cmd.arg(start_js)
            .current_dir(&dir)
            .env("PORT", port.to_string())
            .env("NODE_NO_WARNINGS", "1");
        let log = std::env::temp_dir().join(format!("cognito-local-{port}.log"));
        let service = Service::spawn(cmd, port, "cognito-local", &log);
        Some(CognitoLocal {
            service,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
            dir,
        })
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Cognito reads a user migration answer without user attributes (the event returned as it came)
/// as "no such user": with `PreventUserExistenceErrors` it answers `NotAuthorizedException`
/// ("Incorrect username or password.") at sign-in, as for any unknown user. cognito-local
/// instead creates a user without attributes who signs in with whatever password was typed;
/// this makes it refuse, as Cognito does.
fn patch_empty_migration_answer(start_js: &Path) {
    patch_once(
        start_js,
        "services/triggers/userMigration.js",
        "  const now = clock.get();\n  const user = {",
        "  if (!result || !result.userAttributes || Object.keys(result.userAttributes).length === 0) {\n    throw new import_errors.NotAuthorizedError();\n  }\n  const now = clock.get();\n  const user = {",
        "the migrated user's creation",
    );
}

/// Makes cognito-local's `RespondToAuthChallenge` name the pre token generation event as
/// Cognito does. After a `NEW_PASSWORD_REQUIRED` answer Cognito sends
/// `TokenGeneration_NewPasswordChallenge`; cognito-local 5.3.0 sends
/// `TokenGeneration_Authentication` for every challenge (`lib/targets/respondToAuthChallenge.js`
/// passes `"Authentication"` to its token generator). This rewrites that one argument in the
/// installed copy, idempotently, so the project's tests and demo meet Cognito's behaviour.
fn patch_new_password_challenge(start_js: &Path) {
    patch_once(
        start_js,
        "targets/respondToAuthChallenge.js",
        "req.ClientMetadata,\n      \"Authentication\"\n    )",
        "req.ClientMetadata,\n      req.ChallengeName === \"NEW_PASSWORD_REQUIRED\" ? \"NewPasswordChallenge\" : \"Authentication\"\n    )",
        "the token generation call to correct",
    );
}

/// Replaces `original` (found exactly once) with `patched` in cognito-local's `lib/<file>`,
/// unless done already; `what` names the code for the error when the version changed.
fn patch_once(start_js: &Path, file: &str, original: &str, patched: &str, what: &str) {
    let Some(lib) = start_js.parent().and_then(Path::parent) else {
        return;
    };
    let file = lib.join(file);
    let Ok(source) = std::fs::read_to_string(&file) else {
        panic!("{} is missing: cognito-local changed its layout", file.display());
    };
    if source.contains(patched) {
        return;
    }
    assert!(
        source.matches(original).count() == 1,
        "{}: {what} was not found (cognito-local version changed?)",
        file.display()
    );
    // Written aside and renamed: a cognito-local starting in a parallel test never reads half a file.
    let aside = file.with_extension(format!("js.{}", std::process::id()));
    std::fs::write(&aside, source.replace(original, patched)).expect("patch cognito-local");
    std::fs::rename(&aside, &file).expect("patch cognito-local");
}

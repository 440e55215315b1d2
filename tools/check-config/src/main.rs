//! `check-config`: runs each function's own configuration parser on the environment a
//! deployment would give it, so `make deploy` refuses a setting the function cannot use
//! before any AWS call.
//!
//! Reads a JSON object on standard input, `{"<function>": {"<VARIABLE>": "<value>", ...}}`,
//! prints one line per function whose configuration is refused (`<function>: configuration
//! variable X must be ...`), and exits 1 if there is any (2 when the input is unreadable).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::process::ExitCode;

/// The first problem in `function`'s configuration, or `Ok` when the function accepts it.
fn check(function: &str, env: &HashMap<&str, &str>) -> Result<(), String> {
    let problem = match function {
        "custom-message" => custom_message::Deps::from_source(env).err().map(|e| e.to_string()),
        "custom-sms-sender" => custom_sms_sender::Settings::from_source(env)
            .err()
            .map(|e| e.to_string()),
        "custom-email-sender" => custom_email_sender::Settings::from_source(env)
            .err()
            .map(|e| e.to_string()),
        "pre-token" => pre_token::Deps::from_source(env, ()).err().map(|e| e.to_string()),
        "post-confirmation" => post_confirmation::Settings::from_source(env)
            .err()
            .map(|e| e.to_string()),
        "user-migration" => user_migration::Settings::from_source(env).err().map(|e| e.to_string()),
        other => Some(format!("no function named {other:?}")),
    };
    problem.map_or(Ok(()), Err)
}

fn main() -> ExitCode {
    let mut input = String::new();
    let parsed = std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| e.to_string())
        .and_then(|_| {
            serde_json::from_str::<BTreeMap<String, BTreeMap<String, String>>>(&input).map_err(|e| e.to_string())
        });
    let functions = match parsed {
        Ok(f) => f,
        Err(e) => {
            eprintln!("check-config: the input must be {{\"<function>\": {{\"VARIABLE\": \"value\"}}}}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut refused = 0;
    for (function, vars) in &functions {
        let env: HashMap<&str, &str> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if let Err(problem) = check(function, &env) {
            eprintln!("{function}: {problem}");
            refused += 1;
        }
    }
    if refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_function_is_checked_with_its_own_parser() {
        let env = |pairs: &[(&'static str, &'static str)]| pairs.iter().copied().collect::<HashMap<_, _>>();
        assert!(
            check(
                "pre-token",
                &env(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("PASSWORD_WARN_DAYS", "14")])
            )
            .is_ok()
        );
        // Every pair the template takes is one the function takes.
        assert!(
            check(
                "pre-token",
                &env(&[("PASSWORD_MAX_AGE_DAYS", "90"), ("PASSWORD_WARN_DAYS", "120")])
            )
            .is_ok()
        );
        let e = check("pre-token", &env(&[("PASSWORD_WARN_DAYS", "30 days")])).unwrap_err();
        assert!(e.contains("PASSWORD_WARN_DAYS"), "{e}");
        let arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let e = check("custom-sms-sender", &env(&[("KEY_ARN", arn)])).unwrap_err();
        assert!(e.contains("SMS_ALLOWED_COUNTRIES"), "{e}");
        assert!(
            check(
                "custom-sms-sender",
                &env(&[("KEY_ARN", arn), ("SMS_ALLOWED_COUNTRIES", "US")])
            )
            .is_ok()
        );
        assert!(
            check("custom-email-sender", &env(&[("KEY_ARN", arn)]))
                .unwrap_err()
                .contains("EMAIL_FROM")
        );
        assert!(
            check("custom-message", &env(&[("DEFAULT_LOCALE", "english")]))
                .unwrap_err()
                .contains("DEFAULT_LOCALE")
        );
        assert!(
            check("post-confirmation", &env(&[("USER_POOL_ID", "pool")]))
                .unwrap_err()
                .contains("USER_POOL_ID")
        );
        let secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-db-AbCdEf";
        let e = check("user-migration", &env(&[("LEGACY_DATABASE_SECRET_ARN", secret)])).unwrap_err();
        assert!(e.contains("LEGACY_USER_QUERY"), "{e}");
        assert!(
            check(
                "user-migration",
                &env(&[
                    ("LEGACY_DATABASE_SECRET_ARN", secret),
                    ("LEGACY_USER_QUERY", "SELECT * FROM u WHERE e = $1")
                ])
            )
            .is_ok()
        );
        assert!(check("lambda", &env(&[])).is_err());
        // Every function of the workspace has its parser here.
        for &function in cognito_reset::domain::settings::FUNCTIONS {
            let unknown = format!("no function named {function:?}");
            assert_ne!(check(function, &env(&[])).err(), Some(unknown), "{function}");
        }
    }
}

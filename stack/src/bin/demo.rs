//! `make demo`: the whole reset flow, locally, on real parts. See `cognito_reset_stack::demo`.
//! `KEEP=1` keeps the stack running afterwards (Ctrl-C stops it).
#![allow(clippy::print_stdout)]

use cognito_reset_stack::demo::{self, Stack};

fn step(line: &str) {
    println!("==> {line}");
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn main_flow() -> Result<(), String> {
    // `make demo SMS_BACKEND=end-user-messaging` sends the SMS through End User Messaging's stand-in.
    let backend = std::env::var("SMS_BACKEND").unwrap_or_default();
    let mut settings: Vec<(&str, &str)> = match backend.trim() {
        "" | "sns" => vec![],
        other => vec![("SMS_BACKEND", other)],
    };
    settings.extend(demo::DEMO_LIMITS);
    step("starting PostgreSQL with the app's previous user database (one user per legacy hash format)");
    let pg =
        cognito_reset_stack::Postgres::start("demo").ok_or("PostgreSQL is not installed (make demo installs it)")?;
    pg.load_legacy_users();
    // Their passwords were set a month ago: inside the demo's 90-day maximum age.
    pg.passwords_set_days_ago(30);
    let legacy = demo::legacy_settings(&pg);
    settings.extend(legacy.iter().map(|(k, v)| (*k, v.as_str())));
    let stack = Stack::start(&step, &settings).await?;
    let r = demo::run(&stack, &step).await?;
    println!(
        "\n      To: {}\n      Subject: {}\n\n{}\n",
        r.email_to,
        r.email_subject,
        indent(&r.email_text)
    );
    step(&format!(
        "the code the user received: {}; ConfirmForgotPassword succeeded and post-confirmation stamped the change",
        r.code
    ));
    step(&format!(
        "the second reset request within the hour sent {} email: custom-email-sender logged it as throttled (outcome \"throttled\")",
        r.emails_after_second_reset
    ));
    let claims = &r.id_token_claims;
    println!(
        "      ID token claims: password_changed_at={} password_expires_at={} email={}",
        claims["password_changed_at"], claims["password_expires_at"], claims["email"]
    );
    step(&format!(
        "sign-in with a 200-day-old password was denied: {}",
        r.denied_message
    ));
    step(&format!(
        "SMS delivered through {} to {}:\n{}",
        r.sms_service,
        r.sms_to,
        indent(&r.sms_text)
    ));
    step(&format!(
        "the replayed SMS invocation sent {} message: logged as a duplicate, no KMS call",
        r.sms_after_replay
    ));
    let l = demo::run_legacy(&stack, &r, &step).await?;
    step(&format!(
        "{} signed in with their old password: user-migration checked it against the {} hash, Cognito created them, and the password keeps its age (password_changed_at={})",
        demo::SIGNS_IN,
        l.format,
        l.signed_in_changed_at
    ));
    step(&format!(
        "{} got the code {} by email, set a new password and signed in with it (password_changed_at={})",
        demo::RESETS,
        l.reset_code,
        l.reset_changed_at
    ));
    if std::env::var("KEEP").is_ok_and(|v| v == "1") {
        println!(
            "\nThe stack keeps running (Ctrl-C stops it):\n  cognito-local (user pool API): {}  pool {}  app client {}\n  moto (KMS, SES, SNS):          {}\n  Lambda Invoke API:             {}\n  Point an Amplify app at it with userPoolId {} and userPoolClientId {}, endpoint {}.",
            stack.cognito.endpoint,
            r.user_pool_id,
            r.client_id,
            stack.moto.endpoint,
            stack.functions.endpoint(),
            r.user_pool_id,
            r.client_id,
            stack.cognito.endpoint
        );
        tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
    }
    step("done; stopping everything");
    Ok(())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // Ctrl-C at any point stops every process the demo started.
    runtime.spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() && std::env::var("KEEP").map_or(true, |v| v != "1") {
            cognito_reset_stack::stop_all();
            std::process::exit(130);
        }
    });
    let result = runtime.block_on(main_flow());
    cognito_reset_stack::stop_all();
    if let Err(e) = result {
        eprintln!("demo failed: {e}");
        std::process::exit(1);
    }
}

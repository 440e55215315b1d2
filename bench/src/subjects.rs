//! The subjects: each function in Rust and, where AWS's samples have one, its Node.js and
//! Python peers, with the environment each needs.

use std::path::Path;
use std::process::Command;

use cognito_reset_stack::root;

use crate::Subject;

/// What a subject is measured on: one of the paths a user waits for (or, for the senders,
/// Cognito's asynchronous delivery).
pub(crate) const CASES: [(&str, &str, &str, &str); 7] = [
    // (label, function, Python and Node.js module, what the event is)
    (
        "custom-message",
        "custom-message",
        "custom_message",
        "a ForgotPassword message",
    ),
    (
        "custom-sms-sender",
        "custom-sms-sender",
        "sms_sender",
        "a ForgotPassword code by SMS",
    ),
    (
        "custom-email-sender",
        "custom-email-sender",
        "email_sender",
        "a ForgotPassword code by email",
    ),
    ("pre-token", "pre-token", "pre_token", "a sign-in (nothing written)"),
    (
        "pre-token, new password",
        "pre-token",
        "pre_token",
        "the sign-in that answers NEW_PASSWORD_REQUIRED (one Cognito write)",
    ),
    (
        "post-confirmation",
        "post-confirmation",
        "post_confirmation",
        "a confirmed reset (one Cognito write)",
    ),
    // No peer: AWS's samples have no user migration with real hash formats.
    (
        "user-migration",
        "user-migration",
        "",
        "the first sign-in of a user not yet in the pool (an HTTPS lookup, a bcrypt cost 12 check); warm: a reset request's lookup",
    ),
];

/// The Rust functions' folder: `target/release`, or `BENCH_RUST_DIR` (a build with symbols,
/// for a profiler).
pub(crate) fn rust_dir(root: &Path) -> std::path::PathBuf {
    std::env::var_os("BENCH_RUST_DIR").map_or_else(|| root.join("target/release"), Into::into)
}

pub(crate) fn subjects(root: &Path) -> Vec<Subject> {
    let release = rust_dir(root);
    let python = root.join(".venv/bin/python3").display().to_string();
    let py = root.join("bench/peers/python");
    let node = root.join("bench/peers/node");
    let node_ric = node
        .join("node_modules/aws-lambda-ric/bin/index.mjs")
        .display()
        .to_string();
    let site = root.join(".venv/lib/python3.11/site-packages");
    let python_runtime = format!("Python {} + awslambdaric 4.2.2", python_version());
    let node_runtime = format!("Node.js {} + aws-lambda-ric 3.2.1", node_version());
    let rust_runtime = "Rust (lambda_runtime), release build, host arch".to_owned();
    let mut list = Vec::new();
    for (label, function, module, _) in CASES {
        list.push(Subject {
            label,
            function,
            language: "Rust",
            runtime: rust_runtime.clone(),
            program: vec![release.join(function).display().to_string()],
            cwd: root.to_path_buf(),
            artifact: vec![release.join(function)],
            env: Vec::new(),
        });
        if module.is_empty() {
            continue;
        }
        let senders = ["custom-sms-sender", "custom-email-sender"];
        let mut py_artifact = vec![py.join(format!("{module}.py"))];
        if senders.contains(&function) {
            // Not in the Lambda Python runtime: the Encryption SDK and what it needs.
            for dep in ["aws_encryption_sdk", "cryptography", "wrapt", "attr", "attrs"] {
                py_artifact.push(site.join(dep));
            }
        }
        list.push(Subject {
            label,
            function,
            language: "Python",
            runtime: python_runtime.clone(),
            program: vec![
                python.clone(),
                "-m".into(),
                "awslambdaric".into(),
                format!("{module}.handler"),
            ],
            cwd: py.clone(),
            artifact: py_artifact,
            env: Vec::new(),
        });
        let mut node_artifact = vec![node.join(format!("{module}.mjs"))];
        if senders.contains(&function) {
            // The AWS SDK v3 comes with the Lambda Node.js runtime; the Encryption SDK does not.
            node_artifact.push(node.join("node_modules/@aws-crypto"));
        }
        list.push(Subject {
            label,
            function,
            language: "Node.js",
            runtime: node_runtime.clone(),
            program: vec!["node".into(), node_ric.clone(), format!("{module}.handler")],
            cwd: node.clone(),
            artifact: node_artifact,
            env: Vec::new(),
        });
    }
    list
}

pub(crate) fn python_version() -> String {
    let out = Command::new(root().join(".venv/bin/python3")).arg("--version").output();
    out.map(|o| {
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .trim_start_matches("Python ")
            .to_owned()
    })
    .unwrap_or_default()
}

pub(crate) fn node_version() -> String {
    let out = Command::new("node").arg("--version").output();
    out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

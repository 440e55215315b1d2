//! The deployment template, read as data, and the deployment tools rehearsed on moto:
//! - [`wiring`]: the pool, its triggers, roles, log groups and least privilege, Amplify's defaults;
//! - [`policies`]: key policies, safe defaults, what the policy scanner flags, the template's rules;
//! - [`resources`]: code versions, the failure queue, environments, the SMS backend, the delivery
//!   table and its alarms, timeouts;
//! - [`deploy`]: `make deploy` in existing-pool mode (moto's CloudFormation has no model for user
//!   pools) and `make attach` on a pool made through moto's Cognito API, and what they refuse;
//! - [`force_reset`]: `make force-reset`.

use std::process::Command;

use cognito_reset_stack::{Moto, root};
use serde_json::{Value, json};

use crate::{block_on, moto_sdk_config};

fn template() -> Value {
    let text = std::fs::read_to_string(root().join("infra/template.json")).expect("template");
    serde_json::from_str(&text).expect("the template is JSON")
}

/// Every IAM statement in the template: (resource name, statement).
fn statements(t: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (name, r) in t["Resources"].as_object().expect("resources") {
        let props = &r["Properties"];
        let mut docs = Vec::new();
        for p in props["Policies"].as_array().into_iter().flatten() {
            docs.push(&p["PolicyDocument"]);
        }
        if r["Type"] == "AWS::IAM::Policy" {
            docs.push(&props["PolicyDocument"]);
        }
        for d in docs {
            for s in d["Statement"].as_array().into_iter().flatten() {
                out.push((name.clone(), s.clone()));
            }
        }
    }
    out
}

fn actions(s: &Value) -> Vec<String> {
    match &s["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => vec![],
    }
}

fn make(args: &[&str], env: &[(&'static str, String)]) -> String {
    let (ok, text) = make_status(args, env);
    assert!(ok, "make {args:?} failed:\n{text}");
    text
}

/// Runs make; whether it succeeded, and what it printed.
fn make_status(args: &[&str], env: &[(&'static str, String)]) -> (bool, String) {
    let mut make = Command::new("make");
    make.current_dir(root()).arg("--no-print-directory").args(args);
    // `make deploy` checks the configuration with check-config: the one this test run built
    // (check-config's own tests make cargo build it), not a second build of its own.
    if let Some(checker) = built_check_config() {
        make.env("CHECK_CONFIG", checker);
    }
    let out = make
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("make runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The check-config binary beside this test binary (`target/debug/`), when it is there.
fn built_check_config() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let checker = exe.parent()?.parent()?.join("check-config");
    checker.is_file().then_some(checker)
}

/// A header of a request moto's recorder kept, by name (any case).
fn recorded_header<'a>(entry: &'a Value, name: &str) -> Option<&'a str> {
    entry["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

/// A KMS key resource's policy statements and their `Sid`s, in order.
fn key_policy(key: &Value) -> (&Vec<Value>, Vec<&str>) {
    let policy = key["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .expect("statements");
    (policy, policy.iter().filter_map(|s| s["Sid"].as_str()).collect())
}

mod deploy;
mod force_reset;
mod policies;
mod resources;
mod wiring;

//! `check-config` as `make deploy` runs it: the functions' environments as JSON on standard
//! input; exit 0 when every function accepts its own, 1 with one line per refusal (the
//! function and its parser's message) when one does not, 2 when the input is not that JSON.

use std::io::Write;
use std::process::{Command, Stdio};

fn check(input: &str) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_check-config"))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("check-config runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input written");
    let out = child.wait_with_output().expect("check-config ends");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn accepted_configurations_pass_and_each_refusal_names_its_function_and_variable() {
    let (code, said) = check(r#"{"pre-token": {"PASSWORD_MAX_AGE_DAYS": "90"}, "custom-message": {}}"#);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.is_empty(), "{said}");

    let (code, said) = check(
        r#"{"pre-token": {"PASSWORD_MAX_AGE_DAYS": "3651"}, "custom-message": {"DEFAULT_LOCALE": "english"}, "post-confirmation": {"PASSWORD_MAX_AGE_DAYS": "90"}}"#,
    );
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.len(), 2, "{said}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("pre-token: configuration variable PASSWORD_MAX_AGE_DAYS"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("custom-message: configuration variable DEFAULT_LOCALE"))
    );
}

#[test]
fn input_that_is_not_the_environments_is_refused_as_such() {
    let (code, said) = check("[1, 2]");
    assert_eq!(code, Some(2));
    assert!(said.starts_with("check-config: the input must be"), "{said}");
}

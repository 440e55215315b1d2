//! Ciphertexts made as Cognito makes them, with AWS's Encryption SDK for Python.

use super::*;

/// Which algorithm suite a test ciphertext uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// What real Cognito sends: non-committing, signed (0x0378).
    Cognito,
    /// The Encryption SDK's default committing suite (what cognito-local sends).
    Committing,
}

/// Encrypts `plaintext` as Cognito does, with AWS's Encryption SDK for Python, under
/// `key_arn` on `moto`, for `user_pool_id`. Returns the base64 `code`.
pub fn cognito_encrypt(moto: &Moto, key_arn: &str, user_pool_id: &str, suite: Suite, plaintext: &str) -> String {
    run_encrypt(moto, key_arn, user_pool_id, suite, plaintext, false)
}

/// [`cognito_encrypt`] for many plaintexts in one run of the Encryption SDK (a fresh data key
/// and ciphertext for each, as Cognito makes for each message).
pub fn cognito_encrypt_many(moto: &Moto, key_arn: &str, user_pool_id: &str, plaintexts: &[String]) -> Vec<String> {
    let out = run_encrypt(
        moto,
        key_arn,
        user_pool_id,
        Suite::Cognito,
        &plaintexts.join("\n"),
        true,
    );
    out.lines().map(str::to_owned).collect()
}

fn run_encrypt(moto: &Moto, key_arn: &str, user_pool_id: &str, suite: Suite, plaintext: &str, lines: bool) -> String {
    use std::io::Write;
    let python = tool("python3").expect("python3");
    let python = if root().join(".venv/bin/python3").is_file() {
        root().join(".venv/bin/python3")
    } else {
        python
    };
    let mut child = Command::new(python)
        .arg(root().join("stack/support/esdk_encrypt.py"))
        .args(["--key-arn", key_arn, "--user-pool-id", user_pool_id, "--suite"])
        .arg(match suite {
            Suite::Cognito => "cognito",
            Suite::Committing => "committing",
        })
        .args(lines.then_some("--lines"))
        .envs(moto.env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(plaintext.as_bytes())
        .expect("write plaintext");
    let out = child.wait_with_output().expect("encrypt");
    assert!(
        out.status.success(),
        "esdk_encrypt.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("base64 is ASCII")
}

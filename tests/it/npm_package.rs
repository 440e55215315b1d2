//! The npm package as an Amplify Gen 2 app meets it. Packed (by `npm/cognito-reset/scripts/pack.mjs`,
//! as `make package` packs) with the functions this test run builds for this machine's
//! architecture; installed, with a
//! pinned `@aws-amplify/backend`, into a copy of `examples/amplify-gen2` in a temporary folder
//! outside the repository, with a `PATH` that holds Node.js and no Rust toolchain; synthesized
//! offline as a sandbox; every template through cfn-lint and checkov; the wiring checked
//! (`check-synth.mjs`); then the bootstraps from the synthesized assets serve cognito-local's
//! triggers on the local stack for the demo's flow and `updatePassword`.

use std::path::{Path, PathBuf};
use std::process::Command;

use cognito_reset::domain::settings::FUNCTIONS;
use cognito_reset_stack::demo::{self, Stack};
use cognito_reset_stack::{Serve, block_on, require_tool, root, stack_required, without_cargo_test_env};
use serde_json::Value;

use crate::password_paths::pool::Pool;
use crate::password_paths::{CHANGED_AT, DAY};

/// cfn-lint findings the synthesized templates may carry: CDK writes a `DependsOn` on each
/// function's role beside the `GetAtt` that already orders them.
const LINT_ALLOWED: &[&str] = &["W3005"];

/// The Lambda architecture of this machine: the test's binaries are built for it.
const HOST: &str = if cfg!(target_arch = "aarch64") {
    "arm64"
} else {
    "x86_64"
};

/// What a user's machine lacks: anything that could build the functions.
const BUILDERS: &[&str] = &["cargo", "rustc", "rustup", "cargo-lambda", "zig", "docker"];

#[test]
fn an_amplify_app_installs_the_package_synthesizes_with_node_only_and_runs_its_binaries() {
    let test = "npm package";
    let (Some(node), Some(_), Some(cfn_lint), Some(checkov)) = (
        require_tool("node", test),
        require_tool("npm", test),
        require_tool("cfn-lint", test),
        require_tool("checkov", test),
    ) else {
        return;
    };
    let root = root();
    if !root.join("node_modules/.bin/tsc").is_file() {
        let why = "npm package: the repository's Node packages are not installed (run `make test`)";
        assert!(!stack_required(), "{why}");
        cognito_reset_stack::skipped(why);
        return;
    }
    let work = TempDir::new("cognito-reset-npm");
    let binaries = build_functions(&root);
    assert_no_jitter_entropy(&binaries);

    // Pack, as `make package` does, with this run's builds (quickly compressed).
    let packed = work.0.join("packed");
    run(
        Command::new(&node)
            .arg(root.join("npm/cognito-reset/scripts/pack.mjs"))
            .args(["--out".as_ref(), packed.as_os_str()])
            .args(["--quality", "1", "--arch"])
            .arg(format!("{HOST}={}", binaries.join("{fn}").display())),
        "pack.mjs",
    );
    let tarballs: Vec<PathBuf> = std::fs::read_dir(&packed)
        .expect("packed folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .collect();
    assert_eq!(tarballs.len(), 1, "exactly one tarball: {tarballs:?}");

    // The app: the example's backend, its pinned dependencies, the package from the tarball.
    let app = work.0.join("app");
    copy_dir(&root.join("examples/amplify-gen2/amplify"), &app.join("amplify"));
    for file in ["check-synth.mjs", "tsconfig.json"] {
        std::fs::copy(root.join("examples/amplify-gen2").join(file), app.join(file)).expect(file);
    }
    let mut manifest: Value = serde_json::from_slice(
        &std::fs::read(root.join("examples/amplify-gen2/package.json")).expect("example package.json"),
    )
    .expect("package.json");
    assert!(
        manifest["devDependencies"]["cognito-reset"].is_string(),
        "the example depends on the package"
    );
    manifest["devDependencies"]["cognito-reset"] = format!("file:{}", tarballs[0].display()).into();
    std::fs::write(app.join("package.json"), manifest.to_string()).expect("package.json");
    // The test carries this machine's architecture only; the example deploys arm64.
    let resource = app.join("amplify/auth/resource.ts");
    replace_once(
        &resource,
        &resource,
        "architecture: 'arm64'",
        &format!("architecture: '{HOST}'"),
    );

    // Node.js only: no Rust toolchain, cargo-lambda, zig or Docker on the PATH.
    let env = node_only_env(&node, &work.0);
    let npm = |args: &[&str]| {
        let mut cmd = Command::new("npm");
        cmd.args(args).current_dir(&app);
        node_only(&mut cmd, &env);
        cmd
    };
    run(
        &mut npm(&[
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--prefer-offline",
            "--loglevel=error",
        ]),
        "npm install",
    );
    // The backend type-checks against the package's types, as `ampx` checks it.
    let mut tsc = Command::new(&node);
    tsc.arg(app.join("node_modules/.bin/tsc"))
        .args(["--noEmit", "-p", "."])
        .current_dir(&app);
    node_only(&mut tsc, &env);
    run(&mut tsc, "tsc --noEmit in the app");
    let out = app.join("cdk.out");
    let mut synth = Command::new(&node);
    synth.arg("check-synth.mjs").arg(&out).current_dir(&app);
    node_only(&mut synth, &env);
    let said = run(&mut synth, "check-synth.mjs");
    // The example synthesizes with user migration on (check-synth.mjs sets its secret's ARN).
    assert!(said.contains("6 functions from the package's binaries"), "{said}");

    let templates: Vec<PathBuf> = std::fs::read_dir(&out)
        .expect("cdk.out")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".template.json"))
        .collect();
    assert!(templates.len() >= 2, "the root stack and the auth stack: {templates:?}");
    lint(&cfn_lint, &templates);
    scan(&checkov, &templates);
    plain_cdk_app(&app, &env, &node, &cfn_lint, &checkov);
    an_invalid_option_fails_the_synthesis(&app, &env, &node);

    // The synthesized assets' bootstraps, not a fresh build, run the flow.
    let functions: Value =
        serde_json::from_slice(&std::fs::read(out.join("cognito-reset-functions.json")).expect("functions.json"))
            .expect("functions.json");
    the_template_sizes(&root, &functions);
    let bootstraps: Vec<(String, PathBuf)> = FUNCTIONS
        .iter()
        .map(|f| {
            let asset = functions[*f]["asset"].as_str().expect("asset folder");
            assert!(asset.starts_with(&*out.to_string_lossy()), "{f}: {asset}");
            ((*f).to_owned(), Path::new(asset).join("bootstrap"))
        })
        .collect();
    let rule = templates
        .iter()
        .find_map(|t| {
            let template: Value = serde_json::from_slice(&std::fs::read(t).ok()?).ok()?;
            template["Resources"].as_object()?.iter().find_map(|(id, r)| {
                (id.starts_with("CognitoResetRecordPasswordChanges") && r["Type"] == "AWS::Events::Rule")
                    .then(|| r["Properties"]["Targets"][0]["InputTransformer"].clone())
            })
        })
        .expect("the synthesized password-change rule");
    flow_on_the_binaries(bootstraps, &rule);
}

/// `examples/cdk/app.ts`, the `CognitoReset` construct in a CDK app without Amplify, synthesized
/// in the same folder: every trigger wired to its function, the pool's key in the senders.
fn plain_cdk_app(app: &Path, env: &NodeEnv, node: &Path, cfn_lint: &Path, checkov: &Path) {
    replace_once(
        &root().join("examples/cdk/app.ts"),
        &app.join("cdk-app.ts"),
        "architecture: 'arm64'",
        &format!("architecture: '{HOST}'"),
    );
    let out = app.join("cdk-app.out");
    let mut synth = Command::new(node);
    synth
        .arg(app.join("node_modules/.bin/tsx"))
        .arg("cdk-app.ts")
        .current_dir(app)
        .env("CDK_OUTDIR", &out);
    node_only(&mut synth, env);
    synth.env("CDK_OUTDIR", &out);
    run(&mut synth, "the plain CDK app");
    let file = out.join("CognitoResetExample.template.json");
    let template: Value = serde_json::from_slice(&std::fs::read(&file).expect("template")).expect("template JSON");
    let resources = template["Resources"].as_object().expect("resources");
    let of_type = |t: &str| -> Vec<(&String, &Value)> { resources.iter().filter(|(_, r)| r["Type"] == t).collect() };
    let arn = |id: &str| serde_json::json!({"Fn::GetAtt": [id, "Arn"]});
    let function = |name: &str| -> String {
        let prefix = format!("Reset{}", name.replace('-', ""));
        let found: Vec<&String> = of_type("AWS::Lambda::Function")
            .into_iter()
            .filter(|(id, r)| id.starts_with(&prefix) && r["Properties"]["Architectures"][0] == HOST)
            .map(|(id, _)| id)
            .collect();
        assert_eq!(found.len(), 1, "one {HOST} {name}: {found:?}");
        found[0].clone()
    };
    let [(_, pool)] = of_type("AWS::Cognito::UserPool")[..] else {
        panic!("one pool")
    };
    let config = &pool["Properties"]["LambdaConfig"];
    let [(key, _)] = of_type("AWS::KMS::Key")
        .into_iter()
        .filter(|(id, _)| id.starts_with("CodeKey"))
        .collect::<Vec<_>>()[..]
    else {
        panic!("one code key")
    };
    assert_eq!(config["KMSKeyID"], arn(key));
    assert_eq!(config["CustomMessage"], arn(&function("custom-message")));
    assert_eq!(config["PostConfirmation"], arn(&function("post-confirmation")));
    assert_eq!(
        config["PreTokenGenerationConfig"],
        serde_json::json!({"LambdaArn": arn(&function("pre-token")), "LambdaVersion": "V2_0"})
    );
    for (sender, trigger) in [
        ("custom-sms-sender", "CustomSMSSender"),
        ("custom-email-sender", "CustomEmailSender"),
    ] {
        let id = function(sender);
        assert_eq!(
            config[trigger],
            serde_json::json!({"LambdaArn": arn(&id), "LambdaVersion": "V1_0"})
        );
        assert_eq!(
            resources[&id]["Properties"]["Environment"]["Variables"]["KEY_ARN"],
            arn(key)
        );
    }
    let [(_, client)] = of_type("AWS::Cognito::UserPoolClient")[..] else {
        panic!("one client")
    };
    let writes = client["Properties"]["WriteAttributes"]
        .as_array()
        .expect("write attributes");
    assert!(
        writes.contains(&"email".into())
            && !writes.contains(&CHANGED_AT.into())
            && !writes.contains(&"custom:force_password_reset".into()),
        "{writes:?}"
    );
    let async_configs: Vec<&Value> = of_type("AWS::Lambda::EventInvokeConfig")
        .into_iter()
        .map(|(_, r)| &r["Properties"])
        .collect();
    assert_eq!(
        async_configs.len(),
        2,
        "both senders have their asynchronous invocation settings"
    );
    for config in async_configs {
        assert_eq!(config["MaximumEventAgeInSeconds"], 300);
        assert!(
            config["DestinationConfig"]["OnFailure"]["Destination"].is_object(),
            "{config}"
        );
    }
    lint(cfn_lint, std::slice::from_ref(&file));
    scan(checkov, std::slice::from_ref(&file));
}

/// An option the functions would refuse stops the synthesis, with the functions' own message.
fn an_invalid_option_fails_the_synthesis(app: &Path, env: &NodeEnv, node: &Path) {
    let resource = app.join("amplify/auth/resource.ts");
    let good = replace_once(
        &resource,
        &resource,
        "passwordMaxAgeDays: 90,",
        "passwordMaxAgeDays: 4000,",
    );
    let mut synth = Command::new(node);
    synth
        .arg("check-synth.mjs")
        .arg(app.join("refused.out"))
        .current_dir(app);
    node_only(&mut synth, env);
    let output = synth.output().expect("check-synth.mjs");
    std::fs::write(&resource, good).expect("restore");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let setting = cognito_reset::domain::settings::ALL
        .iter()
        .find(|s| s.variable == "PASSWORD_MAX_AGE_DAYS")
        .expect("the setting");
    let expected = setting
        .whole("4000")
        .expect_err("the functions refuse 4000 days")
        .to_string();
    assert!(!output.status.success(), "a maximum age of 4000 days synthesized");
    assert!(
        stderr.contains(&expected),
        "the synthesis failed without the functions' message ({expected}):\n{stderr}"
    );
}

/// Each function built as `cargo lambda watch` builds it (`cargo build --bin <fn>`, one
/// package at a time, so features are the function's own): the folder holding the binaries.
fn build_functions(root: &Path) -> PathBuf {
    for function in FUNCTIONS {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(root).args(["build", "--quiet", "--bin", function]);
        without_cargo_test_env(&mut cmd);
        run(&mut cmd, &format!("cargo build --bin {function}"));
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("debug")
}

/// The package deploys each function with the template's memory size (chosen from the
/// benchmark's curve: docs/src/benchmarks.md) and timeout.
fn the_template_sizes(root: &Path, functions: &Value) {
    let template: Value =
        serde_json::from_slice(&std::fs::read(root.join("infra/template.json")).expect("template")).expect("template");
    for function in FUNCTIONS {
        let id: String = function
            .split('-')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .chain(["Function".to_owned()])
            .collect();
        let props = &template["Resources"][&id]["Properties"];
        assert!(props["MemorySize"].is_u64(), "{id} has a MemorySize");
        for (package, template) in [("memorySize", "MemorySize"), ("timeout", "Timeout")] {
            assert_eq!(
                functions[*function][package], props[template],
                "{function}: the package's {package} is the template's {template}"
            );
        }
    }
}

/// The functions that link AWS-LC link it without its CPU jitter entropy source
/// (`.cargo/config.toml`; SECURITY.md, "Randomness"): these debug builds keep their symbols,
/// so the source's entry point would be there by name.
fn assert_no_jitter_entropy(binaries: &Path) {
    let mut with_aws_lc = 0;
    for function in FUNCTIONS {
        let path = binaries.join(function);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        if has(b"aws_lc_") {
            with_aws_lc += 1;
            assert!(
                !has(b"jent_read_entropy"),
                "{function} links AWS-LC with CPU jitter entropy: AWS_LC_SYS_NO_JITTER_ENTROPY was not set for its build"
            );
        }
    }
    assert!(
        with_aws_lc >= 4,
        "the senders, pre-token and post-confirmation link AWS-LC ({with_aws_lc} found)"
    );
}

/// A PATH with Node.js and the system's basic tools, checked to hold nothing that builds Rust,
/// and a temporary directory in `work`.
fn node_only_env(node: &Path, work: &Path) -> NodeEnv {
    let bin = work.join("node-bin");
    std::fs::create_dir_all(&bin).expect("node-bin");
    let node_dir = node.parent().expect("node's folder");
    for tool in ["node", "npm", "npx"] {
        let found = node_dir.join(tool);
        if found.exists() {
            std::os::unix::fs::symlink(&found, bin.join(tool)).expect("symlink");
        }
    }
    let path = format!("{}:/usr/bin:/bin", bin.display());
    for dir in std::env::split_paths(&path) {
        for builder in BUILDERS {
            assert!(
                !dir.join(builder).exists(),
                "{builder} is in {} of the Node-only PATH",
                dir.display()
            );
        }
    }
    let tmp = work.join("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    NodeEnv { path, tmp }
}

/// A user's shell, as the app's commands get it.
struct NodeEnv {
    /// Node.js and the system's basic tools; nothing that builds Rust.
    path: String,
    /// The temporary directory, in the test's folder: the package's binary cache goes with it.
    tmp: PathBuf,
}

/// The environment a user's shell would give: the PATH, HOME (npm's cache), npm's own
/// configuration and a temporary directory; nothing of Cargo's or the test's.
fn node_only(cmd: &mut Command, env: &NodeEnv) {
    cmd.env_clear().env("PATH", &env.path).env("TMPDIR", &env.tmp);
    for (k, v) in std::env::vars_os() {
        let name = k.to_string_lossy().to_lowercase();
        if name == "home" || name.starts_with("npm_config_") || name.ends_with("_proxy") {
            cmd.env(k, v);
        }
    }
}

/// cfn-lint on every template: no finding but the allowed ones.
fn lint(cfn_lint: &Path, templates: &[PathBuf]) {
    let output = Command::new(cfn_lint).args(templates).output().expect("cfn-lint");
    let text = String::from_utf8_lossy(&output.stdout);
    let findings: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| id.len() == 5 && id.starts_with(['E', 'W', 'I']) && id[1..].bytes().all(|b| b.is_ascii_digit()))
        .collect();
    assert!(
        !findings.is_empty() || output.status.success(),
        "cfn-lint failed without findings: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let refused: Vec<&&str> = findings.iter().filter(|id| !LINT_ALLOWED.contains(id)).collect();
    assert!(refused.is_empty(), "cfn-lint: {refused:?}\n{text}");
}

/// checkov on every template: no failed check on a resource cognito-reset made (its functions,
/// and what it adds under its `CognitoReset` construct); the others, Amplify's own, are listed.
fn scan(checkov: &Path, templates: &[PathBuf]) {
    let mut cmd = Command::new(checkov);
    for t in templates {
        cmd.arg("-f").arg(t);
    }
    let output = cmd
        .args([
            "--framework",
            "cloudformation",
            "--quiet",
            "--compact",
            "--skip-download",
            "-o",
            "json",
        ])
        .output()
        .expect("checkov");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov wrote no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let reports = report.as_array().cloned().unwrap_or_else(|| vec![report]);
    let mut ours = Vec::new();
    for r in &reports {
        assert!(
            r["summary"]["passed"].as_u64().unwrap_or(0) > 0,
            "checkov checked nothing: {r}"
        );
        for failed in r["results"]["failed_checks"].as_array().into_iter().flatten() {
            let (id, resource) = (
                failed["check_id"].as_str().unwrap_or("?"),
                failed["resource"].as_str().unwrap_or("?"),
            );
            let logical = resource.split_once('.').map_or(resource, |(_, l)| l);
            let path = cdk_path(templates, logical);
            // Under the Amplify helper's `CognitoReset` construct or the CDK construct (`Reset`
            // in examples/cdk), or one of the functions.
            let made_by_us = path
                .split('/')
                .any(|segment| ["CognitoReset", "Reset"].contains(&segment) || FUNCTIONS.contains(&segment));
            if made_by_us {
                ours.push(format!("{id} {resource} ({path})"));
            } else {
                eprintln!("checkov, on a resource Amplify made: {id} {resource} ({path})");
            }
        }
    }
    assert!(
        ours.is_empty(),
        "checkov findings on cognito-reset's resources: {ours:#?}"
    );
}

/// The construct path CDK recorded for a logical id.
fn cdk_path(templates: &[PathBuf], logical: &str) -> String {
    templates
        .iter()
        .find_map(|t| {
            let template: Value = serde_json::from_slice(&std::fs::read(t).ok()?).ok()?;
            template["Resources"][logical]["Metadata"]["aws:cdk:path"]
                .as_str()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no aws:cdk:path for {logical}"))
}

/// The demo's flow (forgot password, reset, sign-in, the age rule, an SMS and its replay) and
/// `updatePassword`, with the packaged binaries serving every trigger.
fn flow_on_the_binaries(bootstraps: Vec<(String, PathBuf)>, rule: &Value) {
    let stack = block_on(Stack::start_serving(
        &|_| {},
        &demo::DEMO_LIMITS,
        &Serve::Bootstraps(bootstraps),
    ))
    .unwrap_or_else(|e| panic!("the local stack did not start on the packaged binaries: {e}"));
    let r = block_on(demo::run(&stack, &|_| {}))
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}", stack.functions.logs(), stack.cognito.logs()));
    assert_eq!(r.email_subject, "Reset your Contoso password");
    assert!(r.email_text.contains(&format!("code={}", r.code)), "{}", r.email_text);
    let now = cognito_reset::runtime::clock::now();
    let changed = r.id_token_claims["password_changed_at"]
        .as_str()
        .and_then(cognito_reset::domain::rules::timestamp::parse)
        .expect("changed_at claim");
    assert!((now - changed).abs() < 600, "post-confirmation stamped the reset");
    assert!(r.denied_message.contains("(PASSWORD_EXPIRED)"), "{}", r.denied_message);
    assert_eq!((r.emails_after_second_reset, r.sms_after_replay), (0, 0));

    block_on(update_password(&stack, rule)).unwrap_or_else(|e| panic!("{e}\n{}", stack.functions.logs()));
}

/// `updatePassword` (ChangePassword) after 80 days: CloudTrail's record, as the synthesized
/// rule's input transformer shapes it, reaches the packaged post-confirmation, so the next
/// sign-ins carry the new change time.
async fn update_password(stack: &Stack, rule: &Value) -> Result<(), String> {
    let pool = Pool::create(stack, true).await?;
    let ivy = "ivy@example.com";
    let now = cognito_reset::runtime::clock::now();
    let eighty_days = cognito_reset::domain::rules::timestamp::format(now - 80 * DAY);
    pool.user(ivy, "Ivy-Old-Pass-1", &[(CHANGED_AT, eighty_days)]).await?;
    let record = pool.change_password(ivy, "Ivy-Old-Pass-1", "Ivy-New-Pass-1").await?;
    pool.deliver(&as_the_rule_delivers_it(rule, &pool.id, &record))?;
    let stamp = pool
        .signs_in_refreshes_and_signs_in_again(ivy, "Ivy-New-Pass-1", "updatePassword")
        .await;
    assert!(
        (stamp - now).abs() < 600,
        "the change was recorded: stamp {stamp}, now {now}"
    );
    Ok(())
}

/// The event EventBridge hands the target: the rule's input transformer applied to a CloudTrail
/// record, `pool` standing in for the template's reference to the pool. An unquoted placeholder
/// takes the JSON value at its path; a quoted one, the text.
fn as_the_rule_delivers_it(transformer: &Value, pool: &str, detail: &Value) -> Value {
    let event = serde_json::json!({
        "source": "aws.cognito-idp", "detail-type": "AWS API Call via CloudTrail", "detail": detail,
    });
    let template = &transformer["InputTemplate"];
    let mut text = match template {
        Value::String(s) => s.clone(),
        _ => template["Fn::Join"][1]
            .as_array()
            .expect("a joined input template")
            .iter()
            .map(|p| p.as_str().map_or_else(|| pool.to_owned(), str::to_owned))
            .collect(),
    };
    for (name, path) in transformer["InputPathsMap"].as_object().expect("input paths") {
        let key = path.as_str().expect("a path").trim_start_matches("$.");
        let value = &event[key];
        assert!(!value.is_null(), "{path} is in the event");
        let quoted = format!("\"<{name}>\"");
        let plain = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        text = text
            .replace(&quoted, &format!("\"{plain}\""))
            .replace(&format!("<{name}>"), &value.to_string());
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the input template does not make JSON ({e}): {text}"))
}

/// Writes `to` as `from` with its one `old` replaced by `new` (the example's text it relies on);
/// returns `from`'s text.
fn replace_once(from: &Path, to: &Path, old: &str, new: &str) -> String {
    let text = std::fs::read_to_string(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    assert_eq!(text.matches(old).count(), 1, "{} has {old:?} once", from.display());
    std::fs::write(to, text.replace(old, new)).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    text
}

/// Runs `cmd`; panics with its output unless it succeeds. Returns its standard output.
fn run(cmd: &mut Command, what: &str) -> String {
    let output = cmd.output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        output.status.success(),
        "{what}: {}\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A temporary folder outside the repository, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(prefix: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary folder");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

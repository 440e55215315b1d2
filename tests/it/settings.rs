//! The template accepts exactly what the functions accept: every function variable the
//! template fills from a parameter has a rule in `cognito_reset::domain::settings`, and the
//! parameter's constraints (`MinValue`/`MaxValue`, `AllowedValues`, `AllowedPattern`) say the
//! same as that rule. Patterns are compared with the parsers on samples, including the
//! awkward ones (case, spaces, Unicode, boundaries).

use cognito_reset::domain::settings::{self, Rule, Setting};
use serde_json::Value;

fn template() -> Value {
    serde_json::from_slice(&std::fs::read(cognito_reset_stack::root().join("infra/template.json")).expect("template"))
        .expect("template JSON")
}

/// (function resource, variable, parameter) for every variable filled from a parameter.
fn parameter_variables(t: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (name, resource) in t["Resources"].as_object().expect("resources") {
        if resource["Type"] != "AWS::Lambda::Function" {
            continue;
        }
        for (var, value) in resource["Properties"]["Environment"]["Variables"]
            .as_object()
            .expect("variables")
        {
            if let Some(param) = value["Ref"].as_str() {
                out.push((name.clone(), var.clone(), param.to_owned()));
            }
        }
    }
    out
}

/// Every ISO 3166 alpha-2 code the phone library knows.
fn country_codes() -> Vec<String> {
    let mut codes = Vec::new();
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            let code = String::from_utf8(vec![a, b]).expect("ASCII");
            if settings::is_country(&code) {
                codes.push(code);
            }
        }
    }
    codes
}

/// The `AllowedPattern` the template must have for a text setting.
fn expected_pattern(s: &Setting) -> String {
    let pattern = s.template_pattern().expect("a text setting");
    if s.variable == settings::SMS_ALLOWED_COUNTRIES.variable {
        settings::countries_pattern(&country_codes())
    } else {
        pattern
    }
}

#[test]
fn every_parameter_that_reaches_a_function_has_the_functions_rule() {
    let t = template();
    let refs = parameter_variables(&t);
    assert!(refs.len() >= 13, "{refs:?}");
    for (function, var, param) in refs {
        let what = format!("{function}: {var} from parameter {param}");
        let setting =
            settings::find(&var).unwrap_or_else(|| panic!("{what}: no rule in cognito_reset::domain::settings"));
        assert!(
            setting.functions.contains(&function_of(&function)),
            "{what}: the setting does not list the function that reads it"
        );
        let p = &t["Parameters"][&param];
        match setting.rule {
            Rule::Whole { min, max } => {
                assert_eq!(p["Type"], "Number", "{what}");
                assert_eq!(p["MinValue"], min, "{what}: MinValue");
                assert_eq!(p["MaxValue"], max, "{what}: MaxValue");
                assert!(
                    p.get("AllowedPattern").is_none() && p.get("AllowedValues").is_none(),
                    "{what}"
                );
            }
            Rule::OneOf(values) => {
                assert_eq!(p["AllowedValues"], serde_json::json!(values), "{what}: AllowedValues");
            }
            Rule::Flag => {
                assert_eq!(
                    p["AllowedValues"],
                    serde_json::json!(["true", "false"]),
                    "{what}: AllowedValues"
                );
            }
            Rule::Text { .. } => {
                let expected = expected_pattern(setting);
                assert_eq!(
                    p["AllowedPattern"].as_str(),
                    Some(expected.as_str()),
                    "{what}: AllowedPattern should be:\n{}",
                    serde_json::to_string(&expected).expect("json")
                );
                assert!(p.get("MaxLength").is_none(), "{what}: the pattern carries the length");
            }
        }
        // No constraint of another rule is left over.
        let set: Vec<&str> = settings::constraints(setting).iter().map(|(k, _)| *k).collect();
        for key in settings::CONSTRAINT_KEYS {
            assert_eq!(p.get(key).is_some(), set.contains(&key), "{what}: {key}");
        }
        // A parameter's default is a value the function accepts (or, empty, leaves it unset).
        if let Some(default) = p.get("Default") {
            let default = match default {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let accepted = match setting.rule {
                _ if default.is_empty() => setting.optional,
                Rule::Whole { .. } => setting.whole(&default).is_ok(),
                Rule::OneOf(_) => setting.one_of(&default).is_ok(),
                Rule::Text { .. } => setting.text(&default).is_ok(),
                Rule::Flag => setting.flag(&default).is_ok(),
            };
            assert!(accepted, "{what}: default {default:?} is refused by the function");
        } else {
            assert!(
                !setting.optional || p["Type"] == "Number",
                "{what}: optional, so it needs a default"
            );
        }
    }
}

/// Values that sit on the edges of one rule or another.
const SAMPLES: &[&str] = &[
    "",
    " ",
    "Contoso",
    "Contoso Bank & Trust Ltd. 2026!",
    "Ünïcødé Åpp 東京",
    "exactly thirty-two characters ok",
    "thirty-three characters, one more",
    "{####}",
    "App\u{7}",
    "en",
    "pt-BR",
    "pt_br",
    "zh-Hant-TW",
    "english",
    "e",
    "en-",
    "en-US,fr",
    "de-DE-x-private1",
    "https://app.example.com/reset",
    "https://app.example.com/a b",
    "https://app.example.com/\u{2003}x",
    "https://app.example.com/\"x",
    "http://localhost:3000/reset",
    "http://127.0.0.1/reset",
    "http://app.example.com",
    "https://legacy.example.com:65535/cognito/users?v=2",
    "https://legacy.example.com:65536/cognito/users",
    "https://legacy.example.com:0/users",
    "https://legacy.example.com:08443/users",
    "https://legacy.example.com:1",
    "https://[2001:db8::1]:443/users",
    "https://[zz]/users",
    "http://[::1]:9000",
    "https://legacy.example.com/users#fragment",
    "https://app:secret@legacy.example.com/users",
    "ftp://x",
    "ALL",
    "all",
    "US",
    "US,CA",
    "US,CA,GB",
    "US, CA",
    "us,ca",
    "US,ZZ",
    "US,",
    "USA",
    "no-reply@example.com",
    "jane.doe+reset@mail.example.co.uk",
    "o'brien@example.ie",
    "x@xn--bcher-kva.example",
    "jane@localhost",
    "jane@example.c",
    "jane@127.0.0.1",
    ".jane@example.com",
    "ja..ne@example.com",
    "jane@-example.com",
    "Jane <jane@example.com>",
    "jane@example.com, eve@example.com",
    "jane@example.123",
    "auth-mail",
    "auth_mail_2",
    "has space",
    "us-east-1_AbC123",
    "us-gov-west-1_x1",
    "eu-central-2_Q",
    "us_east_1",
    "us-east-1_",
    "useast1_Ab",
    "US-EAST-1_Ab",
    "#abc",
    "#abcd",
    "#2f6fED",
    "2f6fed",
    "+12065550100",
    "+0123456",
    "+123456",
    "app.example.com",
    "app..example.com",
    "app",
    "custom:x",
    "custom:",
    "custom:password_changed_at_too_long",
    "arn:aws:kms:us-east-1:123456789012:key/1234abcd",
    "arn:aws:kms:us-east-1:123456789012:alias/reset",
    "arn:aws:kms:us-east-1:123456789012:key/",
    "DEBUG",
    "Warning",
    "verbose",
    "abcdefghij+",
    "abcdefghij",
    "{}",
    "{\n  \"abc\": {}\n}",
    "{x",
];

fn samples_for(s: &Setting) -> Vec<String> {
    let mut v: Vec<String> = SAMPLES.iter().map(|s| (*s).to_owned()).collect();
    v.push("a".repeat(64) + "@example.com");
    v.push("a".repeat(65) + "@example.com");
    v.push("x".repeat(64));
    v.push("x".repeat(65));
    v.push(format!("https://{}", "a".repeat(300)));
    if s.variable == settings::SMS_ALLOWED_COUNTRIES.variable {
        v.push(country_codes().join(","));
    }
    v
}

#[test]
fn each_pattern_accepts_exactly_what_its_parser_accepts() {
    for s in settings::ALL {
        let Rule::Text { accepts, .. } = s.rule else { continue };
        let pattern = expected_pattern(s);
        let regex = fancy_regex::Regex::new(&pattern).unwrap_or_else(|e| panic!("{}: {e}", s.variable));
        for sample in samples_for(s) {
            let by_template = regex.is_match(&sample).expect("match");
            let by_function = if sample.is_empty() {
                s.optional
            } else {
                accepts(&sample)
            };
            assert_eq!(
                by_template,
                by_function,
                "{}: {sample:?} is {} by the template and {} by the function",
                s.variable,
                if by_template { "accepted" } else { "refused" },
                if by_function { "accepted" } else { "refused" },
            );
        }
    }
}

/// The package name of a template function resource: `CustomSmsSenderFunction` is
/// `custom-sms-sender`.
fn function_of(resource: &str) -> &'static str {
    let name = resource.strip_suffix("Function").unwrap_or(resource);
    settings::FUNCTIONS
        .iter()
        .copied()
        .find(|f| f.replace('-', "").eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("{resource}: no function of that name in settings::FUNCTIONS"))
}

#[test]
fn every_variable_the_template_gives_a_function_is_a_setting_of_that_function() {
    let t = template();
    for (name, resource) in t["Resources"].as_object().expect("resources") {
        if resource["Type"] != "AWS::Lambda::Function" {
            continue;
        }
        let function = function_of(name);
        for var in resource["Properties"]["Environment"]["Variables"]
            .as_object()
            .expect("variables")
            .keys()
        {
            let setting = settings::find(var).unwrap_or_else(|| panic!("{name}: {var} is no setting"));
            assert!(
                setting.functions.contains(&function),
                "{name}: {var} does not list {function}"
            );
        }
    }
}

#[test]
fn the_functions_the_settings_name_are_the_workspaces() {
    let mut members: Vec<String> = std::fs::read_dir(cognito_reset_stack::root().join("functions"))
        .expect("functions/")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    members.sort();
    let mut named: Vec<String> = settings::FUNCTIONS.iter().map(|f| (*f).to_owned()).collect();
    named.sort();
    assert_eq!(named, members);
}

#[test]
fn the_files_generated_from_the_settings_are_current() {
    let root = cognito_reset_stack::root();
    let page = std::fs::read_to_string(root.join("docs/src/configuration.md")).expect("configuration.md");
    let current = settings::with_configuration_table(&page).expect("configuration.md has the settings markers");
    assert!(
        current == page,
        "docs/src/configuration.md's table is stale: run `make settings`"
    );
    let json = std::fs::read_to_string(root.join("shared/settings.json")).expect("shared/settings.json");
    assert!(
        json == settings::settings_json(),
        "shared/settings.json is stale: run `make settings`"
    );
    let typescript = std::fs::read_to_string(root.join(settings::TYPESCRIPT_PATH)).expect("settings.ts");
    assert!(
        typescript == settings::typescript_settings(),
        "{} is stale: run `make settings`",
        settings::TYPESCRIPT_PATH
    );
    // One option per setting a user writes, each its own name; none for what is wired, nor for
    // a secret read only locally.
    let mut options: Vec<String> = settings::ALL.iter().filter_map(|s| s.option()).collect();
    assert_eq!(
        options.len(),
        settings::ALL.iter().filter(|s| !s.wired && !s.local).count()
    );
    assert_eq!(settings::LEGACY_DATABASE_URL.option(), None);
    assert_eq!(
        settings::PASSWORD_MAX_AGE_DAYS.option().as_deref(),
        Some("passwordMaxAgeDays")
    );
    assert_eq!(settings::KEY_ARN.option(), None);
    options.sort();
    options.dedup();
    assert_eq!(
        options.len(),
        settings::ALL.iter().filter(|s| !s.wired && !s.local).count(),
        "option names are unique"
    );
    let template = std::fs::read_to_string(root.join("infra/template.json")).expect("template");
    assert!(
        settings::with_template_constraints(&template).expect("the template's parameters") == template,
        "infra/template.json's parameter constraints are stale: run `make settings`"
    );
    // What typed front ends read says what the functions accept.
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let listed = parsed["settings"].as_array().expect("settings");
    assert_eq!(listed.len(), settings::ALL.len());
    for (entry, s) in listed.iter().zip(settings::ALL) {
        assert_eq!(entry["variable"], s.variable);
        assert_eq!(entry["required"], !s.optional, "{}", s.variable);
    }
}

/// Values on the edges of the number, flag and choice rules, and characters the functions
/// escape when they echo a value.
const RULE_SAMPLES: &[&str] = &[
    "0",
    "1",
    "+5",
    "-1",
    "1.5",
    " 5",
    "5 ",
    "365",
    "366",
    "3651",
    "4294967295",
    "4294967296",
    "\u{663}",
    "true",
    "TRUE",
    "Yes",
    "on",
    "OFF",
    "maybe",
    "sns",
    "SNS",
    "sns ",
    "end-user-messaging",
    "deny",
    "restrict",
    "violation",
    "allow",
    "fail",
    "deliver",
    "a\"b\\c",
    "tab\there",
    "\u{a0}1",
    "\u{200b}x",
    "e\u{301}",
    "\u{301}e",
    "\u{1b}[31m",
    "twenty characters, more than sixteen",
];

#[test]
fn the_npm_package_checks_each_setting_as_the_functions_do() {
    let root = cognito_reset_stack::root();
    let tsx = root.join("node_modules/.bin/tsx");
    if !tsx.is_file() {
        let why = "npm package check: the repository's Node packages are not installed (run `make test`)";
        assert!(!cognito_reset_stack::stack_required(), "{why}");
        cognito_reset_stack::skipped(why);
        return;
    }
    let mut cases = Vec::new();
    for s in settings::ALL {
        let mut values = samples_for(s);
        values.extend(RULE_SAMPLES.iter().map(|v| (*v).to_owned()));
        for value in values {
            let verdict = match s.rule {
                Rule::Whole { .. } => s.whole(&value).err(),
                Rule::OneOf(_) => s.one_of(&value).err(),
                Rule::Flag => s.flag(&value).err(),
                Rule::Text { .. } => s.text(&value).err(),
            };
            cases.push((s.variable, value, verdict.map(|e| e.to_string())));
        }
    }
    let input: Vec<Value> = cases
        .iter()
        .map(|(variable, value, _)| serde_json::json!({"variable": variable, "value": value}))
        .collect();
    let mut child = std::process::Command::new(&tsx)
        .arg(root.join("npm/cognito-reset/test/verdicts.ts"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("tsx runs");
    std::io::Write::write_all(
        &mut child.stdin.take().expect("stdin"),
        serde_json::to_string(&input).expect("JSON").as_bytes(),
    )
    .expect("cases written");
    let out = child.wait_with_output().expect("verdicts");
    assert!(out.status.success(), "verdicts.ts failed");
    let verdicts: Vec<Option<String>> = serde_json::from_slice(&out.stdout).expect("verdicts are JSON");
    assert_eq!(verdicts.len(), cases.len());
    let differ: Vec<String> = cases
        .iter()
        .zip(&verdicts)
        .filter(|((_, _, rust), js)| rust != *js)
        .map(|((variable, value, rust), js)| format!("{variable}={value:?}: functions {rust:?}, package {js:?}"))
        .collect();
    assert!(
        differ.is_empty(),
        "{} of {} verdicts differ:\n{}",
        differ.len(),
        cases.len(),
        differ.iter().take(12).cloned().collect::<Vec<_>>().join("\n")
    );
    // A secret is free text, which neither side ever echoes.
    assert!(
        settings::ALL
            .iter()
            .filter(|s| s.secret)
            .all(|s| matches!(s.rule, Rule::Text { .. }))
    );
    // Both sides refuse some values and accept others: the comparison is not vacuous.
    assert!(cases.iter().any(|c| c.2.is_some()) && cases.iter().any(|c| c.2.is_none()));
}

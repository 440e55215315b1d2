//! The deployment template, read as data (wiring, least privilege, Amplify's defaults), and a
//! deploy rehearsal on moto: `make deploy` in existing-pool mode (moto's CloudFormation has no
//! model for user pools) and `make attach` on a pool made through moto's Cognito API.

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

#[test]
fn the_password_policy_defaults_are_amplifys() {
    let p = &template()["Parameters"];
    assert_eq!(p["PasswordMinimumLength"]["Default"], json!(8));
    for (name, default) in [
        ("PasswordRequireLowercase", "true"),
        ("PasswordRequireUppercase", "true"),
        ("PasswordRequireNumbers", "true"),
        ("PasswordRequireSymbols", "false"),
    ] {
        assert_eq!(p[name]["Default"], json!(default), "{name}");
    }
    assert_eq!(p["TemporaryPasswordValidityDays"]["Default"], json!(3));
    assert_eq!(p["AccountRecovery"]["Default"], json!("auto"));
    assert!(
        p["AccountRecovery"]["AllowedValues"]
            .as_array()
            .expect("values")
            .contains(&json!("EMAIL_ONLY"))
    );
    assert_eq!(
        p["PasswordMinimumLength"]["MaxValue"],
        json!(99),
        "minimum length 32 is allowed"
    );
    // auto: verified email, or verified phone when phone is the only sign-in.
    let recovery = &template()["Resources"]["UserPool"]["Properties"]["AccountRecoverySetting"]["RecoveryMechanisms"];
    assert_eq!(recovery["Fn::If"][0], json!("AutoRecovery"));
    assert_eq!(recovery["Fn::If"][1]["Fn::If"][0], json!("PhoneOnly"));
    assert_eq!(
        recovery["Fn::If"][1]["Fn::If"][1],
        json!([{"Name": "verified_phone_number", "Priority": 1}])
    );
    assert_eq!(
        recovery["Fn::If"][1]["Fn::If"][2],
        json!([{"Name": "verified_email", "Priority": 1}])
    );
}

#[test]
fn the_pool_sends_email_with_ses_and_wires_every_trigger() {
    let pool = &template()["Resources"]["UserPool"]["Properties"];
    assert_eq!(pool["EmailConfiguration"]["EmailSendingAccount"], json!("DEVELOPER"));
    let lc = &pool["LambdaConfig"];
    assert_eq!(
        lc["CustomMessage"],
        json!({"Fn::GetAtt": ["CustomMessageFunction", "Arn"]})
    );
    assert_eq!(
        lc["PostConfirmation"],
        json!({"Fn::GetAtt": ["PostConfirmationFunction", "Arn"]})
    );
    assert_eq!(
        lc["PreTokenGenerationConfig"]["LambdaVersion"],
        json!({"Ref": "PreTokenVersion"})
    );
    assert_eq!(
        lc["CustomSMSSender"]["Fn::If"][1]["LambdaArn"],
        json!({"Fn::GetAtt": ["CustomSmsSenderFunction", "Arn"]})
    );
    assert_eq!(lc["KMSKeyID"]["Fn::If"][1], json!({"Fn::GetAtt": ["CodeKey", "Arn"]}));
    // The stamp attributes exist, and the app client cannot write them (a user could
    // otherwise postpone their own expiry).
    let schema: Vec<&str> = pool["Schema"]
        .as_array()
        .expect("schema")
        .iter()
        .filter_map(|a| a["Name"].as_str())
        .collect();
    assert_eq!(schema, ["password_changed_at", "force_password_reset"]);
    let client = &template()["Resources"]["UserPoolClient"]["Properties"];
    let writes = client["WriteAttributes"].as_array().expect("write attributes");
    assert!(
        !writes
            .iter()
            .any(|a| a.as_str().is_some_and(|a| a.starts_with("custom:"))),
        "{writes:?}"
    );
}

#[test]
fn every_function_has_a_role_a_log_group_with_retention_and_a_pool_scoped_permission() {
    let t = template();
    let r = &t["Resources"];
    for name in [
        "CustomMessage",
        "CustomSmsSender",
        "CustomEmailSender",
        "PreToken",
        "PostConfirmation",
    ] {
        let f = &r[format!("{name}Function")]["Properties"];
        assert_eq!(
            f["Role"],
            json!({"Fn::GetAtt": [format!("{name}Role"), "Arn"]}),
            "{name}"
        );
        assert_eq!(f["Runtime"], json!("provided.al2023"));
        assert_eq!(
            r[format!("{name}Logs")]["Properties"]["RetentionInDays"],
            json!({"Ref": "LogRetentionDays"})
        );
        let perm = &r[format!("{name}Permission")]["Properties"];
        assert_eq!(perm["Principal"], json!("cognito-idp.amazonaws.com"));
        assert_eq!(
            perm["SourceArn"]["Fn::If"][1],
            json!({"Fn::GetAtt": ["UserPool", "Arn"]}),
            "{name}"
        );
        assert!(
            perm["SourceArn"]["Fn::If"][2]["Fn::Sub"]
                .as_str()
                .expect("sub")
                .ends_with(":userpool/${ExistingUserPoolId}")
        );
    }
}

#[test]
fn iam_grants_only_what_each_function_needs() {
    let t = template();
    let all = statements(&t);
    let r = &t["Resources"];
    let allow = |role: &str| -> Vec<Value> {
        all.iter()
            .filter(|(n, s)| n == role && s["Effect"] == "Allow")
            .map(|(_, s)| s.clone())
            .collect()
    };
    // No wildcard action anywhere, and a "*" resource only for SMS to phone numbers (SNS
    // publishing to a number has no resource ARN), with topics denied.
    for (name, s) in &all {
        assert!(actions(s).iter().all(|a| !a.contains('*')), "{name}: {s}");
        if s["Resource"] == json!("*") && s["Effect"] == "Allow" {
            assert_eq!(
                (name.as_str(), actions(s)),
                ("SmsViaSnsPolicy", vec!["sns:Publish".to_owned()]),
                "{s}"
            );
        }
    }
    assert!(
        all.iter()
            .any(|(n, s)| n == "SmsViaSnsPolicy" && s["Effect"] == "Deny" && actions(s) == ["sns:Publish"])
    );
    // Logs only, to their own group, for the functions that need nothing else.
    for role in ["CustomMessageRole", "PreTokenRole"] {
        let a = allow(role);
        assert_eq!(a.len(), 1, "{role}");
        assert_eq!(actions(&a[0]), ["logs:CreateLogStream", "logs:PutLogEvents"]);
    }
    // kms:Decrypt on anything but the failure queue's key (which the senders' roles use through
    // SQS only, see the_failure_queue_keeps_raw_events_a_day_under_its_own_key) is the codes' key,
    // for the senders, in SendersDecryptCodes.
    let queue_key = json!({"Fn::GetAtt": ["SenderFailuresKey", "Arn"]});
    let mut decrypt: Vec<&String> = all
        .iter()
        .filter(|(_, s)| actions(s).contains(&"kms:Decrypt".to_owned()) && s["Resource"] != queue_key)
        .map(|(n, _)| n)
        .collect();
    decrypt.sort();
    assert_eq!(decrypt, ["SendersDecryptCodes"]);
    let mut queue_decrypt: Vec<&String> = all
        .iter()
        .filter(|(_, s)| actions(s).contains(&"kms:Decrypt".to_owned()) && s["Resource"] == queue_key)
        .map(|(n, _)| n)
        .collect();
    queue_decrypt.sort();
    assert_eq!(queue_decrypt, ["CustomEmailSenderRole", "CustomSmsSenderRole"]);
    assert_eq!(
        r["SendersDecryptCodes"]["Properties"]["Roles"],
        json!([{"Ref": "CustomSmsSenderRole"}, {"Ref": "CustomEmailSenderRole"}])
    );
    for (_, s) in all
        .iter()
        .filter(|(_, s)| actions(s).contains(&"kms:Decrypt".to_owned()) && s["Resource"] != queue_key)
    {
        assert_eq!(s["Resource"], json!({"Fn::GetAtt": ["CodeKey", "Arn"]}));
        // Only codes Cognito encrypted for this pool: it puts the pool id in the context.
        assert_eq!(
            s["Condition"]["StringEquals"]["kms:EncryptionContext:userpool-id"],
            json!({"Fn::If": ["CreatePool", {"Ref": "UserPool"}, {"Ref": "ExistingUserPoolId"}]}),
            "{s}"
        );
    }
    let ses: Vec<Value> = allow("CustomEmailSenderRole")
        .into_iter()
        .filter(|s| actions(s) == ["ses:SendEmail"])
        .collect();
    assert_eq!(ses[0]["Resource"][0], json!({"Ref": "SesIdentityArn"}));
    assert_eq!(
        ses[0]["Condition"]["StringEquals"]["ses:FromAddress"],
        json!({"Ref": "EmailFrom"})
    );
    let stamp: Vec<&Value> = all
        .iter()
        .filter(|(n, _)| n == "PostConfirmationPoolAccess")
        .map(|(_, s)| s)
        .collect();
    assert_eq!(actions(stamp[0]), ["cognito-idp:AdminUpdateUserAttributes"]);
    // post-confirmation, and pre-token for passwords chosen in NEW_PASSWORD_REQUIRED.
    assert_eq!(
        r["PostConfirmationPoolAccess"]["Properties"]["Roles"],
        json!([{"Ref": "PostConfirmationRole"}, {"Ref": "PreTokenRole"}])
    );
    assert_eq!(
        stamp[0]["Resource"]["Fn::If"][1],
        json!({"Fn::GetAtt": ["UserPool", "Arn"]})
    );
}

#[test]
fn the_key_lets_cognito_encrypt_and_only_the_senders_decrypt() {
    let t = template();
    let policy = &t["Resources"]["CodeKey"]["Properties"]["KeyPolicy"]["Statement"];
    let by_sid = |sid: &str| {
        policy
            .as_array()
            .expect("statements")
            .iter()
            .find(|s| s["Sid"] == sid)
            .cloned()
            .expect(sid)
    };
    let cognito = by_sid("CognitoEncryptsCodes");
    assert_eq!(cognito["Principal"], json!({"Service": "cognito-idp.amazonaws.com"}));
    assert_eq!(cognito["Action"], json!("kms:CreateGrant"));
    assert_eq!(
        cognito["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    assert!(cognito["Condition"]["ArnLike"]["aws:SourceArn"].is_object());
    let decrypt = by_sid("OnlyTheSendersDecrypt");
    let roles = decrypt["Condition"]["ArnEquals"]["aws:PrincipalArn"]
        .as_array()
        .expect("roles");
    assert_eq!(roles.len(), 2);
    assert!(roles.iter().all(|r| {
        r["Fn::Sub"]
            .as_str()
            .is_some_and(|s| s.ends_with("-custom-sms-sender") || s.ends_with("-custom-email-sender"))
    }));
    let admin = by_sid("AccountAdministers");
    assert!(
        !actions(&admin).iter().any(|a| a == "kms:Decrypt" || a == "kms:*"),
        "administrators cannot decrypt"
    );
    // Wildcard actions only in the account-root administration statement AWS requires.
    for s in policy.as_array().expect("statements") {
        if s["Sid"] != "AccountAdministers" {
            assert!(actions(s).iter().all(|a| !a.contains('*')), "{s}");
        }
    }
}

/// A KMS key resource's policy statements and their `Sid`s, in order.
fn key_policy(key: &Value) -> (&Vec<Value>, Vec<&str>) {
    let policy = key["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .expect("statements");
    (policy, policy.iter().filter_map(|s| s["Sid"].as_str()).collect())
}

/// Issue 22, item 14: the account root's administration names its actions (no wildcard, no
/// `kms:CreateGrant`, which would let any principal IAM allows it grant itself Decrypt), and every
/// grant the key policy allows is limited to the encryption side.
#[test]
fn the_key_policies_name_their_administrative_actions_and_allow_only_encrypting_grants() {
    let t = template();
    let r = &t["Resources"];
    let (policy, sids) = key_policy(&r["CodeKey"]);
    assert_eq!(
        sids,
        [
            "AccountAdministers",
            "CognitoEncryptsCodes",
            "CognitoEncryptsWithTheKey",
            "AccountGrantsEncryptOnly",
            "OnlyTheSendersDecrypt"
        ]
    );
    let admin = &policy[0];
    let admin_actions = actions(admin);
    for forbidden in [
        "kms:CreateGrant",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
    ] {
        assert!(!admin_actions.iter().any(|a| a == forbidden), "{forbidden}: {admin}");
    }
    // The key stays manageable: the account can still repair its policy, revoke grants and
    // delete it (KMS refuses to create a key whose creator could not put its policy again).
    for needed in [
        "kms:PutKeyPolicy",
        "kms:GetKeyPolicy",
        "kms:DescribeKey",
        "kms:RevokeGrant",
        "kms:ListGrants",
        "kms:EnableKeyRotation",
        "kms:TagResource",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
        "kms:CreateAlias",
    ] {
        assert!(admin_actions.iter().any(|a| a == needed), "{needed}: {admin}");
    }
    assert_eq!(
        admin["Principal"],
        json!({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}})
    );
    let why = r["CodeKey"]["Metadata"]["Comment"]
        .as_str()
        .expect("the key policy's reasons");
    assert!(why.contains("kms:PutKeyPolicy") && why.contains("circular"), "{why}");
    // The failure queue's key has the same administration.
    assert_eq!(
        r["SenderFailuresKey"]["Properties"]["KeyPolicy"]["Statement"][0],
        *admin
    );
    for key in ["CodeKey", "SenderFailuresKey"] {
        for s in r[key]["Properties"]["KeyPolicy"]["Statement"]
            .as_array()
            .expect("statements")
        {
            assert!(actions(s).iter().all(|a| !a.contains('*')), "{key}: {s}");
            // A grant can only encrypt (and describe the key, or be retired by its grantee):
            // never Decrypt, ReEncrypt or CreateGrant.
            if actions(s).iter().any(|a| a == "kms:CreateGrant") {
                assert_eq!(
                    s["Condition"]["ForAllValues:StringEquals"]["kms:GrantOperations"],
                    json!(["Encrypt", "GenerateDataKey", "DescribeKey", "RetireGrant"]),
                    "{key}: {s}"
                );
                assert_eq!(s["Condition"]["Null"]["kms:GrantOperations"], "false", "{key}: {s}");
            }
        }
    }
    // Cognito: a grant and Encrypt, for this account, and for the given pool only when one is
    // given (the template's own pool cannot be named: the key must exist first).
    let source_arn = json!({"Fn::If": [
        "CreatePool",
        {"Fn::Sub": "arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/*"},
        {"Fn::Sub": "arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/${ExistingUserPoolId}"}
    ]});
    for s in &policy[1..3] {
        assert_eq!(s["Principal"], json!({"Service": "cognito-idp.amazonaws.com"}), "{s}");
        assert_eq!(
            s["Condition"]["StringEquals"]["aws:SourceAccount"],
            json!({"Ref": "AWS::AccountId"}),
            "{s}"
        );
        assert_eq!(s["Condition"]["ArnLike"]["aws:SourceArn"], source_arn, "{s}");
    }
    assert_eq!(policy[1]["Action"], "kms:CreateGrant");
    assert_eq!(policy[2]["Action"], "kms:Encrypt");
    assert_eq!(policy[3]["Action"], "kms:CreateGrant");
    // Only the senders decrypt codes.
    let decrypts: Vec<&str> = policy
        .iter()
        .filter(|s| actions(s).iter().any(|a| a == "kms:Decrypt"))
        .filter_map(|s| s["Sid"].as_str())
        .collect();
    assert_eq!(decrypts, ["OnlyTheSendersDecrypt"]);
}

#[test]
fn safe_defaults_sms_countries_phone_writes_threat_protection_and_the_cloudtrail_rule() {
    let t = template();
    let p = &t["Parameters"];
    // No "all countries" default: the deployer must choose.
    assert!(p["SmsAllowedCountries"].get("Default").is_none());
    // The app client writes phone_number only when users sign in with it.
    let writes = &t["Resources"]["UserPoolClient"]["Properties"]["WriteAttributes"];
    assert!(
        !writes.as_array().expect("list").contains(&json!("phone_number")),
        "{writes}"
    );
    assert!(
        writes
            .as_array()
            .expect("list")
            .contains(&json!({"Fn::If": ["SignInWithPhone", "phone_number", {"Ref": "AWS::NoValue"}]}))
    );
    assert_eq!(
        t["Conditions"]["SignInWithPhone"],
        json!({"Fn::Not": [{"Condition": "EmailOnly"}]})
    );
    // Threat protection: off by default, Plus plan only, and the password rules stay off by
    // default (NIST SP 800-63B: no periodic expiry).
    assert_eq!(
        p["ThreatProtection"]["AllowedValues"],
        json!(["off", "audit", "enforced"])
    );
    assert_eq!(p["ThreatProtection"]["Default"], "off");
    assert_eq!(p["PasswordMaxAgeDays"]["Default"], 0);
    let addons = &t["Resources"]["UserPool"]["Properties"]["UserPoolAddOns"]["AdvancedSecurityMode"];
    assert_eq!(addons["Fn::If"][1], "ENFORCED");
    // Enforced: sign-ins, sign-ups and password changes with leaked credentials are blocked.
    let risk = &t["Resources"]["CompromisedCredentialsBlocked"];
    assert_eq!(risk["Condition"], "BlockCompromisedCredentials");
    assert_eq!(
        risk["Properties"]["CompromisedCredentialsRiskConfiguration"],
        json!({"EventFilter": ["SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"], "Actions": {"EventAction": "BLOCK"}})
    );
    let rules = &t["Rules"];
    assert_eq!(
        rules["ThreatProtectionNeedsPlus"]["Assertions"][0]["Assert"],
        json!({"Fn::Equals": [{"Ref": "FeaturePlan"}, "PLUS"]})
    );
    assert!(rules["RestrictNeedsV2Events"].is_object() && rules["V2EventsNeedEssentials"].is_object());
    // The CloudTrail rule takes AdminSetUserPassword only for this pool; ChangePassword
    // records name no pool, so they all come (post-confirmation finds the user by sub).
    let pattern = &t["Resources"]["PasswordChangeRule"]["Properties"]["EventPattern"]["detail"]["$or"];
    assert_eq!(
        pattern[0],
        json!({"eventName": ["AdminSetUserPassword"], "requestParameters": {"userPoolId": [
            {"Fn::If": ["CreatePool", {"Ref": "UserPool"}, {"Ref": "ExistingUserPoolId"}]}]}})
    );
    assert_eq!(pattern[1], json!({"eventName": ["ChangePassword"]}));
}

fn make(args: &[&str], env: &[(&'static str, String)]) -> String {
    let (ok, text) = make_status(args, env);
    assert!(ok, "make {args:?} failed:\n{text}");
    text
}

/// Runs make; whether it succeeded, and what it printed.
fn make_status(args: &[&str], env: &[(&'static str, String)]) -> (bool, String) {
    let out = Command::new("make")
        .current_dir(root())
        .arg("--no-print-directory")
        .args(args)
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

/// A header of a request moto's recorder kept, by name (any case).
fn recorded_header<'a>(entry: &'a Value, name: &str) -> Option<&'a str> {
    entry["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

#[test]
fn make_deploy_and_make_attach_rehearse_on_moto_without_changing_the_pool_otherwise() {
    use cognito_reset::adapters::aws::cognito::types::{
        AccountRecoverySettingType, PasswordPolicyType, RecoveryOptionNameType, RecoveryOptionType, UserPoolPolicyType,
    };
    let Some(moto) = Moto::start("deploy_rehearsal") else {
        return;
    };
    let sdk = moto_sdk_config(&moto);
    let idp = cognito_reset::adapters::aws::cognito::Client::new(&sdk);
    // An existing pool, as Amplify would have made it, with non-default settings to keep.
    let created = block_on(
        idp.create_user_pool()
            .pool_name("amplify-made")
            .policies(
                UserPoolPolicyType::builder()
                    .password_policy(
                        PasswordPolicyType::builder()
                            .minimum_length(32)
                            .require_symbols(true)
                            .temporary_password_validity_days(2)
                            .build(),
                    )
                    .build(),
            )
            .account_recovery_setting(
                AccountRecoverySettingType::builder()
                    .recovery_mechanisms(
                        RecoveryOptionType::builder()
                            .name(RecoveryOptionNameType::VerifiedEmail)
                            .priority(1)
                            .build()
                            .expect("option"),
                    )
                    .build(),
            )
            .send(),
    )
    .expect("pool");
    let pool_id = created.user_pool().and_then(|p| p.id()).expect("id").to_owned();
    let before = block_on(idp.describe_user_pool().user_pool_id(&pool_id).send()).expect("describe");

    // Placeholder zips: moto creates functions without running them, and tests never make
    // release builds.
    let zips = std::env::temp_dir().join(format!("cognito-reset-zips-{}", moto.service.port));
    for function in [
        "custom-message",
        "custom-sms-sender",
        "custom-email-sender",
        "pre-token",
        "post-confirmation",
    ] {
        std::fs::create_dir_all(zips.join(function)).expect("dir");
        std::fs::write(
            zips.join(function).join("bootstrap.zip"),
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        )
        .expect("zip");
    }
    let mut env = moto.env();
    env.extend([
        ("STACK", "rehearsal".to_owned()),
        ("POOL_ID", pool_id.clone()),
        ("BUILD", "0".to_owned()),
        ("ZIP_DIR", zips.display().to_string()),
        ("EMAIL_FROM", "no-reply@example.com".to_owned()),
        (
            "SES_IDENTITY_ARN",
            "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com".to_owned(),
        ),
        (
            "PARAMS",
            "AppName=Contoso PasswordMaxAgeDays=90 SmsAllowedCountries=US,CA".to_owned(),
        ),
    ]);
    // moto's recorder keeps every request make deploy sends (in `moto_recording`, in the working
    // directory moto shares with this test).
    let recorder = |what: &str| {
        ureq::post(format!("{}/moto-api/recorder/{what}", moto.endpoint))
            .send("")
            .expect("moto recorder");
    };
    recorder("reset-recording");
    recorder("start-recording");
    let deployed = make(&["deploy"], &env);
    let recording = ureq::get(format!("{}/moto-api/recorder/download-recording", moto.endpoint))
        .call()
        .expect("recording")
        .body_mut()
        .read_to_string()
        .expect("recording body");
    recorder("stop-recording");
    let _ = std::fs::remove_file("moto_recording");
    assert!(deployed.contains("rehearsal: CREATE_COMPLETE"), "{deployed}");
    // Issue 22, item 15: make deploy uploads only to a bucket the deploying account owns: every
    // S3 request names the owner (S3 refuses it for a bucket of another account; moto does not
    // check), except CreateBucket, which has no such parameter (a HeadBucket with the owner follows).
    let mut s3_requests = 0;
    for line in recording.lines().filter(|l| !l.trim().is_empty()) {
        let entry: Value = serde_json::from_str(line).expect("a recorded request");
        if !recorded_header(&entry, "authorization").is_some_and(|a| a.contains("/s3/aws4_request")) {
            continue;
        }
        s3_requests += 1;
        let method = entry["method"].as_str().unwrap_or_default();
        let path = entry["url"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches(moto.endpoint.as_str());
        let create_bucket = method == "PUT" && !path.trim_start_matches('/').contains(['/', '?']);
        if !create_bucket {
            assert_eq!(
                recorded_header(&entry, "x-amz-expected-bucket-owner"),
                Some("123456789012"),
                "{method} {path}"
            );
        }
    }
    // At least HeadBucket, CreateBucket, HeadBucket, PutBucketVersioning and a PutObject per
    // function.
    assert!(s3_requests >= 9, "{s3_requests} S3 requests: {deployed}");
    // Pinned: the bucket it created is versioned, the stack names the object versions it uploaded,
    // and it checked the deployed functions' CodeSha256 against the zips.
    assert!(
        deployed.contains("creating artifact bucket cognito-reset-123456789012-us-east-1"),
        "{deployed}"
    );
    assert_eq!(deployed.matches(" (version ").count(), 5, "{deployed}");
    assert!(
        deployed.contains("the 5 deployed functions run the uploaded zips (CodeSha256 checked)"),
        "{deployed}"
    );
    let versioning = ureq::get(format!(
        "{}/cognito-reset-123456789012-us-east-1?versioning",
        moto.endpoint
    ))
    .header(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=testing/20261123/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
    )
    .call()
    .expect("bucket versioning")
    .body_mut()
    .read_to_string()
    .expect("body");
    assert!(versioning.contains("<Status>Enabled</Status>"), "{versioning}");
    let pre_token_version = deployed
        .lines()
        .find(|l| l.starts_with("==> uploaded pre-token "))
        .and_then(|l| l.split(" (version ").nth(1))
        .map(|v| v.trim_end_matches(')').to_owned())
        .expect("the version of pre-token's zip");
    let described = ureq::post(format!("{}/", moto.endpoint))
        .header("authorization", "AWS4-HMAC-SHA256 Credential=testing/20261123/us-east-1/cloudformation/aws4_request, SignedHeaders=host, Signature=0")
        .header("content-type", "application/x-www-form-urlencoded")
        .send("Action=DescribeStacks&StackName=rehearsal&Version=2010-05-15")
        .expect("describe stacks")
        .body_mut()
        .read_to_string()
        .expect("body");
    assert!(
        described.contains("PreTokenCodeVersion") && described.contains(&pre_token_version),
        "{described}"
    );
    assert!(
        deployed.contains("lacks custom:password_changed_at, custom:force_password_reset"),
        "{deployed}"
    );
    // The pool lacks the rule attributes: nothing changes without CONFIRM=1, which adds
    // exactly those two (they can never be removed).
    let (ok, refused) = make_status(&["attach"], &env);
    assert!(!ok, "{refused}");
    assert!(refused.contains("run again with CONFIRM=1"), "{refused}");
    let untouched = block_on(idp.describe_user_pool().user_pool_id(&pool_id).send()).expect("describe");
    assert!(
        untouched
            .user_pool()
            .and_then(|p| p.lambda_config())
            .is_none_or(|lc| lc.custom_message().is_none())
    );
    env.push(("CONFIRM", "1".to_owned()));
    let attached = make(&["attach"], &env);
    assert!(attached.contains("triggers attached"), "{attached}");
    assert_eq!(attached.matches("adding custom attribute").count(), 2, "{attached}");
    assert!(
        attached.contains("adding custom attribute custom:password_changed_at = {\"Name\": \"password_changed_at\"")
    );

    // The functions, with their configuration.
    let lambda_env = |name: &str| -> Value {
        let text = ureq::get(format!("{}/2015-03-31/functions/rehearsal-{name}", moto.endpoint))
            .header("authorization", "AWS4-HMAC-SHA256 Credential=testing/20261123/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0")
            .call()
            .expect("get function")
            .body_mut()
            .read_to_string()
            .expect("body");
        serde_json::from_str::<Value>(&text).expect("json")["Configuration"]["Environment"]["Variables"].clone()
    };
    // The base64 SHA-256 of the placeholder zip, as Lambda reports a package's CodeSha256.
    for name in [
        "custom-message",
        "custom-sms-sender",
        "custom-email-sender",
        "pre-token",
        "post-confirmation",
    ] {
        let text = ureq::get(format!("{}/2015-03-31/functions/rehearsal-{name}", moto.endpoint))
            .header("authorization", "AWS4-HMAC-SHA256 Credential=testing/20261123/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0")
            .call()
            .expect("get function")
            .body_mut()
            .read_to_string()
            .expect("body");
        assert_eq!(
            serde_json::from_str::<Value>(&text).expect("json")["Configuration"]["CodeSha256"],
            "hznHbmgfkAkjuQDJ3w73XPQh05yrtUZQxLmtGbanbYU=",
            "{name}"
        );
    }
    let sms_env = lambda_env("custom-sms-sender");
    assert_eq!(sms_env["APP_NAME"], json!("Contoso"));
    assert_eq!(sms_env["SMS_ALLOWED_COUNTRIES"], json!("US,CA"));
    let key_arn = sms_env["KEY_ARN"].as_str().expect("KEY_ARN").to_owned();
    assert!(
        key_arn.starts_with("arn:aws:kms:us-east-1:") && key_arn.contains(":key/"),
        "{key_arn}"
    );
    // The failure queue keeps the raw events a day, under its own key (not the codes' key).
    // (moto's CloudFormation does not apply AWS::SQS::QueuePolicy: the template test checks it.)
    let queue = ureq::post(format!("{}/", moto.endpoint))
        .header("authorization", "AWS4-HMAC-SHA256 Credential=testing/20261123/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0")
        .header("content-type", "application/x-www-form-urlencoded")
        .send(format!(
            "Action=GetQueueAttributes&QueueUrl={}/123456789012/rehearsal-sender-failures&AttributeName.1=All&Version=2012-11-05",
            moto.endpoint
        ))
        .expect("queue attributes")
        .body_mut()
        .read_to_string()
        .expect("body");
    assert!(
        queue.contains("<Name>MessageRetentionPeriod</Name><Value>86400</Value>"),
        "{queue}"
    );
    assert!(
        queue.contains("<Name>KmsMasterKeyId</Name><Value>arn:aws:kms:us-east-1:"),
        "{queue}"
    );
    assert!(!queue.contains(&key_arn), "{queue}");
    // moto passes a Number parameter on as a JSON number; CloudFormation as the string "90".
    assert_eq!(
        lambda_env("pre-token")["PASSWORD_MAX_AGE_DAYS"]
            .to_string()
            .trim_matches('"'),
        "90"
    );
    assert_eq!(lambda_env("post-confirmation")["USER_POOL_ID"], json!(pool_id));

    // The pool: triggers wired, everything else as it was.
    let after = block_on(idp.describe_user_pool().user_pool_id(&pool_id).send()).expect("describe");
    let (b, a) = (before.user_pool().expect("pool"), after.user_pool().expect("pool"));
    let lc = a.lambda_config().expect("lambda config");
    assert!(
        lc.custom_message()
            .is_some_and(|arn| arn.ends_with(":function:rehearsal-custom-message"))
    );
    assert!(
        lc.post_confirmation()
            .is_some_and(|arn| arn.ends_with(":function:rehearsal-post-confirmation"))
    );
    assert_eq!(lc.kms_key_id(), Some(key_arn.as_str()));
    assert!(
        lc.custom_sms_sender()
            .is_some_and(|s| s.lambda_arn().ends_with(":function:rehearsal-custom-sms-sender"))
    );
    assert!(
        lc.custom_email_sender()
            .is_some_and(|s| s.lambda_arn().ends_with(":function:rehearsal-custom-email-sender"))
    );
    assert_eq!(a.policies(), b.policies(), "the password policy is untouched");
    let pp = a.policies().and_then(|p| p.password_policy()).expect("password policy");
    assert_eq!(
        (
            pp.minimum_length(),
            pp.require_symbols(),
            pp.temporary_password_validity_days()
        ),
        (Some(32), true, 2)
    );
    assert_eq!(
        a.account_recovery_setting(),
        b.account_recovery_setting(),
        "recovery is untouched"
    );
    assert_eq!(a.name(), b.name());
    assert_eq!(a.mfa_configuration(), b.mfa_configuration());
    assert_eq!(a.auto_verified_attributes(), b.auto_verified_attributes());
    assert_eq!(a.email_configuration(), b.email_configuration());
    // UnusedAccountValidityDays is not sent back: Cognito refuses it ("Please use
    // TemporaryPasswordValidityDays in PasswordPolicy instead"), and the password policy,
    // compared above, carries the validity. moto then reports it as 0.
    let (ac, bc) = (
        a.admin_create_user_config().expect("config"),
        b.admin_create_user_config().expect("config"),
    );
    assert_eq!(ac.allow_admin_create_user_only(), bc.allow_admin_create_user_only());
    assert_eq!(ac.invite_message_template(), bc.invite_message_template());
    let schema: Vec<&str> = a.schema_attributes().iter().filter_map(|s| s.name()).collect();
    assert!(
        schema.iter().any(|n| n.ends_with("password_changed_at"))
            && schema.iter().any(|n| n.ends_with("force_password_reset")),
        "{schema:?}"
    );
}

#[test]
fn deploy_and_attach_refuse_what_cannot_work_with_one_line_per_problem() {
    use cognito_reset::adapters::aws::cognito::types::{
        DefaultEmailOptionType, UserPoolTierType, VerificationMessageTemplateType,
    };
    let Some(moto) = Moto::start("deploy_refusals") else {
        return;
    };
    let idp = cognito_reset::adapters::aws::cognito::Client::new(&moto_sdk_config(&moto));
    let custom = cognito_reset_stack::demo::custom_schema;
    // A LITE pool that verifies by link, with the attributes, and one client that can write them.
    let pool = block_on(
        idp.create_user_pool()
            .pool_name("lite-link")
            .user_pool_tier(UserPoolTierType::Lite)
            .schema(custom("password_changed_at"))
            .schema(custom("force_password_reset"))
            .verification_message_template(
                VerificationMessageTemplateType::builder()
                    .default_email_option(DefaultEmailOptionType::ConfirmWithLink)
                    .build(),
            )
            .send(),
    )
    .expect("pool");
    let pool_id = pool.user_pool().and_then(|p| p.id()).expect("id").to_owned();
    block_on(
        idp.create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("too-trusting")
            .write_attributes("email")
            .write_attributes("custom:password_changed_at")
            .send(),
    )
    .expect("client");
    let zips = std::env::temp_dir().join(format!("cognito-reset-zips-{}", moto.service.port));
    let mut env = moto.env();
    env.extend([
        ("STACK", "refusals".to_owned()),
        ("BUILD", "0".to_owned()),
        ("ZIP_DIR", zips.display().to_string()),
        ("EMAIL_FROM", "no-reply@example.com".to_owned()),
        (
            "SES_IDENTITY_ARN",
            "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com".to_owned(),
        ),
    ]);
    let stacks = || {
        let cf = ureq::post(format!("{}/", moto.endpoint))
            .header("authorization", "AWS4-HMAC-SHA256 Credential=testing/20261123/us-east-1/cloudformation/aws4_request, SignedHeaders=host, Signature=0")
            .header("content-type", "application/x-www-form-urlencoded")
            .send("Action=ListStacks&Version=2010-05-15")
            .expect("list stacks")
            .body_mut()
            .read_to_string()
            .expect("body");
        cf.matches("<StackName>").count()
    };

    // Settings a function would refuse never reach AWS: the variable and its rule are named.
    for (params, says) in [
        (
            "SmsAllowedCountries=US PasswordMaxAgeDays=3651",
            "pre-token: configuration variable PASSWORD_MAX_AGE_DAYS must be a whole number of days from 0 to 3650",
        ),
        ("", "SMS_ALLOWED_COUNTRIES is required"),
        (
            "SmsAllowedCountries=US,ZZ",
            "configuration variable SMS_ALLOWED_COUNTRIES must be ALL, or ISO 3166",
        ),
        (
            "SmsAllowedCountries=US DefaultLocale=english",
            "custom-message: configuration variable DEFAULT_LOCALE must be a language tag",
        ),
        (
            "SmsAllowedCountries=US PasswordMaxAgDays=90",
            "unknown template parameters: PasswordMaxAgDays",
        ),
    ] {
        let mut e = env.clone();
        e.push(("PARAMS", params.to_owned()));
        let (ok, out) = make_status(&["deploy"], &e);
        assert!(!ok && out.contains(says), "{params}: {out}");
    }
    assert_eq!(stacks(), 0, "nothing was deployed");

    // The pool checks: one line per problem, nothing deployed or changed.
    let mut e = env.clone();
    e.extend([
        ("POOL_ID", pool_id.clone()),
        (
            "PARAMS",
            "SmsAllowedCountries=US OnViolation=restrict PreTokenVersion=V1_0".to_owned(),
        ),
    ]);
    let (ok, out) = make_status(&["deploy"], &e);
    assert!(!ok, "{out}");
    for line in [
        "can write custom:password_changed_at: remove it from its WriteAttributes",
        "ON_VIOLATION=restrict, which changes access token scopes and needs PRE_TOKEN_VERSION V2_0 or V3_0",
        "verifies email with a link (CONFIRM_WITH_LINK): not supported",
        "nothing deployed (3 problems)",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    assert_eq!(stacks(), 0);
    let e2 = {
        let mut e2 = env.clone();
        e2.extend([
            ("POOL_ID", pool_id.clone()),
            ("PARAMS", "SmsAllowedCountries=US".to_owned()),
        ]);
        e2
    };
    let (ok, out) = make_status(&["deploy"], &e2);
    assert!(!ok, "{out}");
    assert!(
        out.contains("pre token events V2_0 need the ESSENTIALS or PLUS feature plan; the pool is on LITE"),
        "{out}"
    );
}

#[test]
fn what_the_policy_scanner_flags_is_fixed_or_skipped_with_a_reason() {
    let t = template();
    let r = &t["Resources"];
    // Fixed: log groups take an optional key, the senders have a failure destination and a
    // concurrency ceiling; the synchronous triggers have neither (a limit would throttle sign-ins).
    for (name, res) in r.as_object().expect("resources") {
        if res["Type"] == "AWS::Logs::LogGroup" {
            assert_eq!(
                res["Properties"]["KmsKeyId"],
                json!({"Fn::If": ["HasLogsKey", {"Ref": "LogsKmsKeyArn"}, {"Ref": "AWS::NoValue"}]}),
                "{name}"
            );
        }
    }
    for sender in ["CustomSmsSender", "CustomEmailSender"] {
        let function = &r[format!("{sender}Function")]["Properties"];
        assert_eq!(
            function["ReservedConcurrentExecutions"],
            json!({"Ref": "SenderConcurrency"})
        );
        let async_config = &r[format!("{sender}AsyncConfig")]["Properties"];
        assert_eq!(
            async_config["DestinationConfig"]["OnFailure"]["Destination"],
            json!({"Fn::GetAtt": ["SenderFailures", "Arn"]})
        );
        let may_send = statements(&t).into_iter().any(|(n, s)| {
            n == format!("{sender}Role")
                && actions(&s) == ["sqs:SendMessage"]
                && s["Resource"] == json!({"Fn::GetAtt": ["SenderFailures", "Arn"]})
        });
        assert!(may_send, "{sender} may write to its failure destination");
    }
    assert_eq!(
        r["SenderFailures"]["Properties"]["KmsMasterKeyId"],
        json!({"Fn::GetAtt": ["SenderFailuresKey", "Arn"]})
    );
    for sync in ["CustomMessageFunction", "PreTokenFunction", "PostConfirmationFunction"] {
        assert!(
            r[sync]["Properties"].get("ReservedConcurrentExecutions").is_none(),
            "{sync}"
        );
    }
    // Skipped: only these checks, each with its reason.
    let mut skipped = Vec::new();
    for (name, res) in r.as_object().expect("resources") {
        for skip in res["Metadata"]["checkov"]["skip"].as_array().into_iter().flatten() {
            let comment = skip["comment"].as_str().unwrap_or_default();
            assert!(comment.len() > 60, "{name}: {skip} needs a reason");
            skipped.push(format!("{name}:{}", skip["id"].as_str().unwrap_or_default()));
        }
    }
    skipped.sort();
    let mut expected: Vec<String> = ["CustomMessageFunction", "PreTokenFunction", "PostConfirmationFunction"]
        .iter()
        .flat_map(|f| ["CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"].map(|c| format!("{f}:{c}")))
        .chain(
            ["CustomSmsSenderFunction", "CustomEmailSenderFunction"]
                .iter()
                .flat_map(|f| ["CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"].map(|c| format!("{f}:{c}"))),
        )
        .chain(
            [
                "SmsViaSnsPolicy:CKV_AWS_111",
                "DeliveryTable:CKV_AWS_119",
                "DeliveryTable:CKV_AWS_28",
                "DeliveryHashKey:CKV_AWS_149",
            ]
            .map(str::to_owned),
        )
        .collect();
    expected.sort();
    assert_eq!(skipped, expected);
}

/// A template value as CloudFormation compares it: a `Ref` to a parameter is the given value or
/// its default, and numbers compare as text.
fn cfn_text(t: &Value, v: &Value, params: &[(&str, Value)]) -> String {
    let v = match v.get("Ref").and_then(Value::as_str) {
        Some(name) => params
            .iter()
            .find(|(k, _)| *k == name)
            .map_or_else(|| t["Parameters"][name]["Default"].clone(), |(_, given)| given.clone()),
        None => v.clone(),
    };
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Whether a condition of the template holds for these parameter values.
fn holds(t: &Value, c: &Value, params: &[(&str, Value)]) -> bool {
    if let Some(name) = c.get("Condition").and_then(Value::as_str) {
        return holds(t, &t["Conditions"][name], params);
    }
    if let Some([a, b]) = c.get("Fn::Equals").and_then(Value::as_array).map(Vec::as_slice) {
        return cfn_text(t, a, params) == cfn_text(t, b, params);
    }
    if let Some([inner]) = c.get("Fn::Not").and_then(Value::as_array).map(Vec::as_slice) {
        return !holds(t, inner, params);
    }
    if let Some(all) = c.get("Fn::And").and_then(Value::as_array) {
        return all.iter().all(|x| holds(t, x, params));
    }
    if let Some(any) = c.get("Fn::Or").and_then(Value::as_array) {
        return any.iter().any(|x| holds(t, x, params));
    }
    panic!("cannot evaluate {c}");
}

/// Issue 22, item 16: with a maximum password age on a plan that has password history, a reset
/// cannot set the same password again: the pool keeps at least one previous password. Lite has
/// no history (the age rule then only makes the user go through a reset).
#[test]
fn a_maximum_age_keeps_at_least_one_previous_password_where_the_plan_has_history() {
    let t = template();
    let size = &t["Resources"]["UserPool"]["Properties"]["Policies"]["PasswordPolicy"]["PasswordHistorySize"];
    let Some([condition, then, otherwise]) = size["Fn::If"].as_array().map(Vec::as_slice) else {
        panic!("PasswordHistorySize is not an Fn::If: {size}");
    };
    let condition = &t["Conditions"][condition.as_str().expect("a condition name")];
    assert!(condition.is_object(), "{size}");
    let effective = |params: &[(&str, Value)]| -> String {
        cfn_text(&t, if holds(&t, condition, params) { then } else { otherwise }, params)
    };
    for (max_age, plan, history, expected) in [
        (90, "ESSENTIALS", 0, "1"),
        (90, "PLUS", 0, "1"),
        (1, "ESSENTIALS", 0, "1"),
        (90, "ESSENTIALS", 5, "5"),
        (90, "LITE", 0, "0"),
        (0, "ESSENTIALS", 0, "0"),
        (0, "PLUS", 3, "3"),
    ] {
        let params = [
            ("PasswordMaxAgeDays", json!(max_age)),
            ("FeaturePlan", json!(plan)),
            ("PasswordHistorySize", json!(history)),
        ];
        assert_eq!(
            effective(&params[..]),
            expected,
            "PasswordMaxAgeDays={max_age} FeaturePlan={plan} PasswordHistorySize={history}"
        );
    }
    // The defaults: no maximum age, no history.
    let defaults: [(&str, Value); 0] = [];
    assert_eq!(effective(&defaults[..]), "0");
    let described = t["Parameters"]["PasswordHistorySize"]["Description"]
        .as_str()
        .expect("description");
    assert!(described.contains("PasswordMaxAgeDays"), "{described}");
}

/// Issue 22, item 15: each function's code is the object version make deploy uploaded, when it
/// gives one (an unversioned bucket gives none: the key's latest object, as before).
#[test]
fn each_function_takes_the_object_version_make_deploy_uploaded() {
    let t = template();
    for name in [
        "CustomMessage",
        "CustomSmsSender",
        "CustomEmailSender",
        "PreToken",
        "PostConfirmation",
    ] {
        let p = &t["Parameters"][format!("{name}CodeVersion")];
        assert_eq!(p["Type"], "String", "{name}");
        assert_eq!(p["Default"], "", "{name}");
        assert_eq!(
            t["Conditions"][format!("Has{name}CodeVersion")],
            json!({"Fn::Not": [{"Fn::Equals": [{"Ref": format!("{name}CodeVersion")}, ""]}]}),
            "{name}"
        );
        assert_eq!(
            t["Resources"][format!("{name}Function")]["Properties"]["Code"],
            json!({
                "S3Bucket": {"Ref": "ArtifactBucket"},
                "S3Key": {"Ref": format!("{name}CodeKey")},
                "S3ObjectVersion": {"Fn::If": [
                    format!("Has{name}CodeVersion"),
                    {"Ref": format!("{name}CodeVersion")},
                    {"Ref": "AWS::NoValue"}
                ]}
            }),
            "{name}"
        );
    }
}

/// Issue 22, item 12: a failure record is the whole Cognito event (unmasked address or number,
/// attributes, links and the ciphertext, which whoever may invoke a sender could replay to a
/// new recipient). It stays a day at most, under a key of its own, for the senders to write and
/// the account to read.
#[test]
fn the_failure_queue_keeps_raw_events_a_day_under_its_own_key() {
    let t = template();
    let r = &t["Resources"];
    let queue = &r["SenderFailures"]["Properties"];
    assert_eq!(queue["MessageRetentionPeriod"], 86400);
    assert_eq!(
        queue["KmsMasterKeyId"],
        json!({"Fn::GetAtt": ["SenderFailuresKey", "Arn"]})
    );
    let key = &r["SenderFailuresKey"];
    assert_eq!(key["Type"], "AWS::KMS::Key");
    assert_eq!(key["Condition"], "SendersOn");
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    let via_sqs = json!({"Fn::Sub": "sqs.${AWS::Region}.${AWS::URLSuffix}"});
    let queue_arn = json!({"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${AWS::StackName}-sender-failures"});
    let (policy, sids) = key_policy(key);
    assert_eq!(
        sids,
        [
            "AccountAdministers",
            "SendersWriteFailureRecords",
            "AccountReadsFailureRecords"
        ]
    );
    for s in policy {
        assert_eq!(s["Effect"], "Allow", "{s}");
        let acts = actions(s);
        assert!(acts.iter().all(|a| !a.contains('*') && a != "kms:CreateGrant"), "{s}");
        // Whatever may decrypt or make data keys does so through SQS, for this queue only.
        if acts
            .iter()
            .any(|a| a == "kms:Decrypt" || a.starts_with("kms:GenerateDataKey"))
        {
            assert_eq!(s["Condition"]["StringEquals"]["kms:ViaService"], via_sqs, "{s}");
            assert_eq!(
                s["Condition"]["StringEquals"]["kms:EncryptionContext:aws:sqs:arn"], queue_arn,
                "{s}"
            );
        }
    }
    assert!(!actions(&policy[0]).iter().any(|a| a == "kms:Decrypt"));
    assert_eq!(actions(&policy[1]), ["kms:GenerateDataKey", "kms:Decrypt"]);
    let writers = policy[1]["Condition"]["ArnEquals"]["aws:PrincipalArn"]
        .as_array()
        .expect("roles");
    assert_eq!(writers.len(), 2);
    assert!(writers.iter().all(|w| {
        w["Fn::Sub"]
            .as_str()
            .is_some_and(|s| s.ends_with("-custom-sms-sender") || s.ends_with("-custom-email-sender"))
    }));
    assert_eq!(actions(&policy[2]), ["kms:Decrypt"]);
    assert_eq!(
        policy[2]["Condition"]["StringEquals"]["kms:CallerAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    // Lambda writes the record with the function's execution role: the senders' roles may use
    // the key, through SQS only.
    for sender in ["CustomSmsSenderRole", "CustomEmailSenderRole"] {
        let uses = statements(&t).into_iter().any(|(n, s)| {
            n == sender
                && actions(&s) == ["kms:GenerateDataKey", "kms:Decrypt"]
                && s["Resource"] == json!({"Fn::GetAtt": ["SenderFailuresKey", "Arn"]})
                && s["Condition"]["StringEquals"]["kms:ViaService"] == via_sqs
        });
        assert!(uses, "{sender} may encrypt its failure records");
    }
    // The queue policy: TLS only, only the senders send, nobody outside the account, the
    // account reads.
    let qp = &r["SenderFailuresPolicy"];
    assert_eq!(qp["Type"], "AWS::SQS::QueuePolicy");
    assert_eq!(qp["Condition"], "SendersOn");
    assert_eq!(qp["Properties"]["Queues"], json!([{"Ref": "SenderFailures"}]));
    let qs = qp["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    let by_sid = |sid: &str| qs.iter().find(|s| s["Sid"] == sid).cloned().expect(sid);
    let queue_ref = json!({"Fn::GetAtt": ["SenderFailures", "Arn"]});
    let tls = by_sid("DenyInsecureTransport");
    assert_eq!(tls["Effect"], "Deny");
    assert_eq!(tls["Principal"], "*");
    assert_eq!(tls["Action"], "sqs:*");
    assert_eq!(tls["Resource"], queue_ref);
    assert_eq!(tls["Condition"]["Bool"]["aws:SecureTransport"], "false");
    let send = by_sid("OnlyTheSendersSend");
    assert_eq!(send["Effect"], "Deny");
    assert_eq!(send["Principal"], "*");
    assert_eq!(send["Action"], "sqs:SendMessage");
    assert_eq!(
        send["Condition"]["ArnNotEquals"]["aws:PrincipalArn"],
        json!([
            {"Fn::GetAtt": ["CustomSmsSenderRole", "Arn"]},
            {"Fn::GetAtt": ["CustomEmailSenderRole", "Arn"]}
        ])
    );
    let outside = by_sid("OnlyThisAccount");
    assert_eq!(outside["Effect"], "Deny");
    assert_eq!(outside["Principal"], "*");
    assert_eq!(outside["Action"], "sqs:*");
    assert_eq!(
        outside["Condition"]["StringNotEquals"]["aws:PrincipalAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    let read = by_sid("TheAccountReads");
    assert_eq!(read["Effect"], "Allow");
    assert_eq!(
        read["Principal"],
        json!({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}})
    );
    assert!(actions(&read).contains(&"sqs:ReceiveMessage".to_owned()));
    for s in qs.iter().filter(|s| s["Effect"] == "Allow") {
        assert!(
            actions(s).iter().all(|a| !a.contains('*') && a != "sqs:SendMessage"),
            "{s}"
        );
    }
}

/// CKV_AWS_173 is skipped because the functions' environment holds no secret but the delivery
/// table's hash key, resolved from its generated secret: keep it true.
#[test]
fn function_environments_hold_only_known_non_secret_settings() {
    let t = template();
    for (name, res) in t["Resources"].as_object().expect("resources") {
        if res["Type"] != "AWS::Lambda::Function" {
            continue;
        }
        for (var, value) in res["Properties"]["Environment"]["Variables"]
            .as_object()
            .expect("variables")
        {
            let hash_key = json!({"Fn::If": ["DeliveryTableOn",
                {"Fn::Sub": "{{resolve:secretsmanager:${DeliveryHashKey}:SecretString}}"}, ""]});
            // A secret only from the secret store; the key only as the pool's own key.
            let known = match cognito_reset::domain::settings::find(var) {
                Some(s) if s.secret => var == "DELIVERY_HASH_KEY" && *value == hash_key,
                Some(s) if s.variable == "KEY_ARN" => *value == json!({"Fn::GetAtt": ["CodeKey", "Arn"]}),
                Some(_) => true,
                None => false,
            };
            assert!(known, "{name}: {var} is not a known non-secret setting");
        }
    }
}

#[test]
fn the_sms_backend_switches_the_senders_permissions_and_environment() {
    let t = template();
    let r = &t["Resources"];
    assert_eq!(r["SmsViaSnsPolicy"]["Condition"], "SmsViaSns");
    assert_eq!(r["SmsViaEumPolicy"]["Condition"], "SmsViaEum");
    for policy in ["SmsViaSnsPolicy", "SmsViaEumPolicy"] {
        assert_eq!(
            r[policy]["Properties"]["Roles"],
            json!([{"Ref": "CustomSmsSenderRole"}])
        );
    }
    let all = statements(&t);
    let eum: Vec<&Value> = all
        .iter()
        .filter(|(n, _)| n == "SmsViaEumPolicy")
        .map(|(_, s)| s)
        .collect();
    assert_eq!(eum.len(), 1);
    assert_eq!(actions(eum[0]), ["sms-voice:SendTextMessage"]);
    let resources = eum[0]["Resource"].as_array().expect("resources");
    // The identity itself when it is an ARN; the configuration and protect configuration sets
    // when given; never "*".
    assert_eq!(resources[0]["Fn::If"][1], json!({"Ref": "SmsOriginationIdentity"}));
    assert!(resources.iter().all(|res| res != "*"));
    assert!(
        !all.iter().any(|(n, s)| n == "CustomSmsSenderRole"
            && actions(s)
                .iter()
                .any(|a| a.starts_with("sns:") || a.starts_with("sms-voice:"))),
        "the role itself sends nothing: one of the two policies does"
    );
    let env = &r["CustomSmsSenderFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(env["SMS_BACKEND"], json!({"Ref": "SmsBackend"}));
    assert_eq!(t["Parameters"]["SmsBackend"]["Default"], "sns");
    let rule = &t["Rules"]["EumSettingsNeedEum"];
    assert_eq!(
        rule["RuleCondition"],
        json!({"Fn::Equals": [{"Ref": "SmsBackend"}, "sns"]})
    );
}

#[test]
fn the_delivery_table_is_wired_with_least_privilege_and_alarms_watch_what_the_senders_emit() {
    let t = template();
    let r = &t["Resources"];
    let table = &r["DeliveryTable"];
    assert_eq!(table["Condition"], "DeliveryTableOn");
    let p = &table["Properties"];
    assert_eq!(p["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(p["KeySchema"], json!([{"AttributeName": "pk", "KeyType": "HASH"}]));
    assert_eq!(
        p["TimeToLiveSpecification"],
        json!({"AttributeName": "expires_at", "Enabled": true})
    );
    assert_eq!(p["SSESpecification"]["SSEEnabled"], true);
    assert_eq!(t["Parameters"]["DeliveryTablePointInTimeRecovery"]["Default"], "false");
    // The senders may update and read items of this table, and nothing else of DynamoDB.
    let all = statements(&t);
    let dynamo: Vec<&(String, Value)> = all
        .iter()
        .filter(|(_, s)| actions(s).iter().any(|a| a.starts_with("dynamodb:")))
        .collect();
    assert_eq!(dynamo.len(), 1, "{dynamo:?}");
    assert_eq!(dynamo[0].0, "DeliveryTableAccess");
    assert_eq!(actions(&dynamo[0].1), ["dynamodb:UpdateItem", "dynamodb:GetItem"]);
    assert_eq!(dynamo[0].1["Resource"], json!({"Fn::GetAtt": ["DeliveryTable", "Arn"]}));
    let access = &r["DeliveryTableAccess"];
    assert_eq!(access["Condition"], "DeliveryTableOn");
    assert_eq!(
        access["Properties"]["Roles"],
        json!([{"Ref": "CustomSmsSenderRole"}, {"Ref": "CustomEmailSenderRole"}])
    );
    for sender in ["CustomSmsSender", "CustomEmailSender"] {
        let env = &r[format!("{sender}Function")]["Properties"]["Environment"]["Variables"];
        assert_eq!(
            env["DELIVERY_TABLE"],
            json!({"Fn::If": ["DeliveryTableOn", {"Ref": "DeliveryTable"}, ""]})
        );
        assert_eq!(env["ON_TABLE_ERROR"], json!({"Ref": "OnTableError"}));
        assert_eq!(env["METRICS_NAMESPACE"], json!({"Ref": "MetricsNamespace"}));
    }
    // Alarms watch metrics the code emits, under the namespace the functions are given.
    for (alarm, metric, service) in [
        ("SmsFailedDeliveries", "failed", "custom-sms-sender"),
        ("SmsRejectedSpike", "rejected", "custom-sms-sender"),
        ("SmsThrottledSpike", "throttled", "custom-sms-sender"),
        ("EmailFailedDeliveries", "failed", "custom-email-sender"),
        ("EmailThrottledSpike", "throttled", "custom-email-sender"),
    ] {
        let a = &r[alarm]["Properties"];
        assert_eq!(a["Namespace"], json!({"Ref": "MetricsNamespace"}), "{alarm}");
        assert_eq!(a["MetricName"], metric, "{alarm}");
        assert_eq!(
            a["Dimensions"],
            json!([{"Name": "service", "Value": service}]),
            "{alarm}"
        );
        assert_eq!(
            a["AlarmActions"],
            json!({"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]})
        );
        assert!(
            cognito_reset::sender::Outcome::ALL.iter().any(|o| o.as_str() == metric),
            "the senders emit {metric}"
        );
    }
    assert_eq!(r["SmsSpend"]["Properties"]["MetricName"], "SMSMonthToDateSpentUSD");
    assert_eq!(r["SmsSpend"]["Properties"]["Namespace"], "AWS/SNS");
    assert_eq!(
        t["Parameters"]["MetricsNamespace"]["Default"],
        cognito_reset::runtime::metrics::DEFAULT_NAMESPACE
    );
}

#[test]
fn the_senders_timeout_holds_every_steps_budget_and_stays_under_the_lease() {
    let t = template();
    for f in ["CustomSmsSenderFunction", "CustomEmailSenderFunction"] {
        assert_eq!(
            t["Resources"][f]["Properties"]["Timeout"],
            json!(cognito_reset::domain::budgets::SENDER_TIMEOUT_SECONDS),
            "{f}"
        );
    }
    use cognito_reset::domain::budgets;
    assert!(budgets::attempt() < std::time::Duration::from_secs(budgets::SENDER_TIMEOUT_SECONDS));
    const {
        assert!(budgets::SENDER_TIMEOUT_SECONDS < cognito_reset::domain::config::table::LEASE_SECONDS);
    }
}

#[test]
fn post_confirmation_may_read_the_users_of_its_pool_and_pre_token_may_not() {
    let t = template();
    let read = &t["Resources"]["PostConfirmationPoolRead"]["Properties"];
    assert_eq!(read["Roles"], json!([{"Ref": "PostConfirmationRole"}]));
    let statement = &read["PolicyDocument"]["Statement"][0];
    assert_eq!(actions(statement), ["cognito-idp:AdminGetUser"]);
    assert_eq!(
        statement["Resource"]["Fn::If"][1],
        json!({"Fn::GetAtt": ["UserPool", "Arn"]})
    );
}

/// `make force-reset` against moto's Cognito: the flag holds the minute it was set (which
/// pre-token reads as a forced reset), and the user's refresh token no longer works.
#[test]
fn make_force_reset_sets_the_flag_and_signs_the_user_out_everywhere() {
    use cognito_reset::adapters::aws::cognito::types::{AuthFlowType, ExplicitAuthFlowsType, MessageActionType};
    use cognito_reset_stack::demo::{attribute, custom_schema};
    let Some(moto) = Moto::start("force_reset") else {
        return;
    };
    let idp = cognito_reset::adapters::aws::cognito::Client::new(&moto_sdk_config(&moto));
    let email = "kay@example.com";
    // A pool with the flag's attribute, an app client, and a user signed in with a refresh token.
    let (pool, client, refresh) = block_on(async {
        let pool = idp
            .create_user_pool()
            .pool_name("force-reset")
            .schema(custom_schema("force_password_reset"))
            .send()
            .await?;
        let pool = pool.user_pool().and_then(|p| p.id()).unwrap_or_default().to_owned();
        let client = idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("web")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await?;
        let client = client
            .user_pool_client()
            .and_then(|c| c.client_id())
            .unwrap_or_default()
            .to_owned();
        idp.admin_create_user()
            .user_pool_id(&pool)
            .username(email)
            .message_action(MessageActionType::Suppress)
            .user_attributes(attribute("email", email).expect("attribute"))
            .send()
            .await?;
        idp.admin_set_user_password()
            .user_pool_id(&pool)
            .username(email)
            .password("Kay-Pass-1234")
            .permanent(true)
            .send()
            .await?;
        let signed_in = idp
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", email)
            .auth_parameters("PASSWORD", "Kay-Pass-1234")
            .send()
            .await?;
        let refresh = signed_in
            .authentication_result()
            .and_then(|r| r.refresh_token())
            .unwrap_or_default()
            .to_owned();
        Ok::<_, Box<dyn std::error::Error>>((pool, client, refresh))
    })
    .expect("a pool with a signed-in user on moto");
    assert!(!refresh.is_empty(), "moto issued a refresh token");
    let before = cognito_reset::runtime::clock::now();
    let mut env = moto.env();
    env.push(("POOL_ID", pool.clone()));
    env.push(("RESET_USER", email.to_owned()));
    let out = make(&["force-reset"], &env);
    assert!(out.contains("signed out everywhere"), "{out}");
    let user = block_on(idp.admin_get_user().user_pool_id(&pool).username(email).send()).expect("user");
    let flag = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "custom:force_password_reset")
        .and_then(|a| a.value())
        .expect("flag set")
        .to_owned();
    let forced = cognito_reset::domain::rules::ForceFlag::read(Some(&flag)).expect("a forced reset");
    let since = forced.since.expect("the minute it was set");
    assert!(
        (before - 60..=cognito_reset::runtime::clock::now()).contains(&since),
        "{flag}"
    );
    let refreshed = block_on(
        idp.initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh)
            .send(),
    );
    assert!(refreshed.is_err(), "the session from before is over");
    // Without a user, a clear refusal and nothing done.
    let (ok, text) = make_status(&["force-reset"], &moto.env());
    assert!(!ok && text.contains("POOL_ID and RESET_USER are required"), "{text}");
}

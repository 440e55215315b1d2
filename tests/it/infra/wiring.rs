//! The pool, its triggers, roles and log groups, least privilege, and Amplify's defaults.

use super::*;

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

//! Key policies, safe defaults, what the policy scanner flags, and the template's rules.

use super::*;

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
    for sync in [
        "CustomMessageFunction",
        "PreTokenFunction",
        "PostConfirmationFunction",
        "UserMigrationFunction",
    ] {
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
    let mut expected: Vec<String> = [
        "CustomMessageFunction",
        "PreTokenFunction",
        "PostConfirmationFunction",
        "UserMigrationFunction",
    ]
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

#[test]
fn user_migration_is_deployed_only_with_one_store_and_reads_only_its_secret() {
    let t = template();
    let r = &t["Resources"];
    for name in [
        "UserMigrationLogs",
        "UserMigrationRole",
        "UserMigrationFunction",
        "UserMigrationPermission",
    ] {
        assert_eq!(r[name]["Condition"], "MigrationOn", "{name}");
    }
    let set = |p: &str| json!({"Fn::Not": [{"Fn::Equals": [{"Ref": p}, ""]}]});
    let unset = |p: &str| json!({"Fn::Equals": [{"Ref": p}, ""]});
    assert_eq!(t["Conditions"]["MigrationFromDatabase"], set("LegacyDatabaseSecretArn"));
    assert_eq!(t["Conditions"]["MigrationFromEndpoint"], set("LegacyUserEndpoint"));
    assert_eq!(
        t["Conditions"]["MigrationOn"],
        json!({"Fn::Or": [{"Condition": "MigrationFromDatabase"}, {"Condition": "MigrationFromEndpoint"}]})
    );
    // What the function refuses at init, the stack refuses before it deploys: a database
    // without a query, two stores, an API without its token or with a query.
    let rule = |name: &str| &t["Rules"][name];
    assert_eq!(
        rule("MigrationNeedsAQuery")["RuleCondition"],
        set("LegacyDatabaseSecretArn")
    );
    assert_eq!(
        rule("MigrationNeedsAQuery")["Assertions"][0]["Assert"],
        set("LegacyUserQuery")
    );
    assert_eq!(
        rule("MigrationFromOneStore")["RuleCondition"],
        set("LegacyDatabaseSecretArn")
    );
    assert_eq!(
        rule("MigrationFromOneStore")["Assertions"][0]["Assert"],
        unset("LegacyUserEndpoint")
    );
    let endpoint = rule("MigrationEndpointNeedsAToken");
    assert_eq!(endpoint["RuleCondition"], set("LegacyUserEndpoint"));
    assert_eq!(
        endpoint["Assertions"][0]["Assert"],
        set("LegacyUserEndpointTokenSecretArn")
    );
    assert_eq!(endpoint["Assertions"][1]["Assert"], unset("LegacyUserQuery"));
    let token = rule("MigrationTokenNeedsAnEndpoint");
    assert_eq!(token["RuleCondition"], set("LegacyUserEndpointTokenSecretArn"));
    assert_eq!(token["Assertions"][0]["Assert"], set("LegacyUserEndpoint"));
    // Secrets Manager: this function only, that secret only, reading only.
    let secret_reads: Vec<(String, Value)> = statements(&t)
        .into_iter()
        .filter(|(_, s)| actions(s).iter().any(|a| a.starts_with("secretsmanager:")))
        .collect();
    assert_eq!(secret_reads.len(), 1, "{secret_reads:?}");
    let (role, statement) = &secret_reads[0];
    assert_eq!(role, "UserMigrationRole");
    assert_eq!(actions(statement), ["secretsmanager:GetSecretValue"]);
    // The store's one secret (the Rules refuse two stores, and an API without its token).
    assert_eq!(
        statement["Resource"],
        json!([
            {"Fn::If": ["MigrationFromDatabase", {"Ref": "LegacyDatabaseSecretArn"}, {"Ref": "AWS::NoValue"}]},
            {"Fn::If": ["MigrationEndpointToken", {"Ref": "LegacyUserEndpointTokenSecretArn"}, {"Ref": "AWS::NoValue"}]}
        ])
    );
    assert_eq!(
        t["Conditions"]["MigrationEndpointToken"],
        json!({"Fn::And": [{"Condition": "MigrationFromEndpoint"}, set("LegacyUserEndpointTokenSecretArn")]})
    );
    // Its environment holds the ARNs, never a URL with credentials or a token; the pool calls it; sign-ins that hand Cognito
    // the password are allowed only when it is on; it runs in the VPC only when subnets are given.
    let env = &r["UserMigrationFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        env["LEGACY_DATABASE_SECRET_ARN"],
        json!({"Ref": "LegacyDatabaseSecretArn"})
    );
    assert_eq!(
        env["LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN"],
        json!({"Ref": "LegacyUserEndpointTokenSecretArn"})
    );
    assert_eq!(env["LEGACY_USER_ENDPOINT"], json!({"Ref": "LegacyUserEndpoint"}));
    for local in ["LEGACY_DATABASE_URL", "LEGACY_USER_ENDPOINT_TOKEN"] {
        assert!(env.get(local).is_none(), "{local}");
    }
    assert!(t["Parameters"].get("LegacyDatabaseUrl").is_none());
    assert!(t["Parameters"].get("LegacyUserEndpointToken").is_none());
    assert_eq!(
        r["UserPool"]["Properties"]["LambdaConfig"]["UserMigration"],
        json!({"Fn::If": ["MigrationOn", {"Fn::GetAtt": ["UserMigrationFunction", "Arn"]}, {"Ref": "AWS::NoValue"}]})
    );
    let flows = r["UserPoolClient"]["Properties"]["ExplicitAuthFlows"]
        .as_array()
        .expect("flows");
    assert!(flows.contains(&json!({"Fn::If": ["MigrationOn", "ALLOW_USER_PASSWORD_AUTH", {"Ref": "AWS::NoValue"}]})));
    assert!(
        !flows.contains(&json!("ALLOW_USER_PASSWORD_AUTH")),
        "never on without migration"
    );
    assert_eq!(
        r["UserMigrationFunction"]["Properties"]["VpcConfig"]["Fn::If"][0],
        "MigrationInVpc"
    );
    // Cognito waits 5 s for a synchronous trigger.
    assert_eq!(r["UserMigrationFunction"]["Properties"]["Timeout"], 5);
}

/// `v` as CloudFormation deploys it with `params`: each `Fn::If` taken by its condition, a
/// `Ref` to a parameter replaced by its value, `AWS::NoValue` left out of lists.
fn deployed(t: &Value, v: &Value, params: &[(&str, Value)]) -> Value {
    if let Some([condition, then, otherwise]) = v.get("Fn::If").and_then(Value::as_array).map(Vec::as_slice) {
        let name = condition.as_str().expect("a condition's name");
        let taken = if holds(t, &t["Conditions"][name], params) {
            then
        } else {
            otherwise
        };
        return deployed(t, taken, params);
    }
    match v {
        Value::Object(o)
            if o.get("Ref")
                .and_then(Value::as_str)
                .is_some_and(|r| t["Parameters"].get(r).is_some()) =>
        {
            json!(cfn_text(t, v, params))
        }
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), deployed(t, x, params))).collect()),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| deployed(t, x, params))
                .filter(|x| *x != json!({"Ref": "AWS::NoValue"}))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A legacy store's secret under a customer managed key: with `LegacySecretKmsKeyArn`, user
/// migration may decrypt with that key through Secrets Manager and for that secret only; without
/// it, no `kms:` action at all (the AWS managed key needs none); and the key alone is refused.
#[test]
fn user_migration_decrypts_its_secret_with_the_key_it_is_given_for_that_secret_only() {
    let t = template();
    let database = "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-db-AbCdEf";
    let token = "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-api-token-AbCdEf";
    let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let policy = |params: &[(&str, Value)]| {
        let role = &t["Resources"]["UserMigrationRole"]["Properties"]["Policies"];
        let store = role
            .as_array()
            .expect("policies")
            .iter()
            .find(|p| p["PolicyName"] == "legacy-store-secret")
            .expect("the store's policy");
        deployed(&t, &store["PolicyDocument"]["Statement"], params)
    };
    let decrypt = |secret: &str| {
        json!({
            "Sid": "DecryptTheStoreSecretOnly", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key,
            "Condition": {"StringEquals": {
                "kms:ViaService": {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"},
                "kms:EncryptionContext:SecretARN": secret,
            }}
        })
    };
    let read =
        |secret: &str| json!({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [secret]});
    let from_database = [
        ("LegacyDatabaseSecretArn", json!(database)),
        (
            "LegacyUserQuery",
            json!("SELECT password_hash FROM users WHERE email = $1"),
        ),
    ];
    let from_api = [
        ("LegacyUserEndpoint", json!("https://legacy.example.com/cognito/users")),
        ("LegacyUserEndpointTokenSecretArn", json!(token)),
    ];
    assert_eq!(policy(&from_database), json!([read(database)]));
    assert_eq!(policy(&from_api), json!([read(token)]));
    let with_key = |store: &[(&'static str, Value)]| {
        let mut params = store.to_vec();
        params.push(("LegacySecretKmsKeyArn", json!(key)));
        params
    };
    assert_eq!(
        policy(&with_key(&from_database)),
        json!([read(database), decrypt(database)])
    );
    assert_eq!(policy(&with_key(&from_api)), json!([read(token), decrypt(token)]));

    // The Rule: a key without a secret to decrypt is refused before anything deploys.
    let rule = &t["Rules"]["MigrationSecretKeyNeedsASecret"];
    let refused = |params: &[(&str, Value)]| {
        holds(&t, &rule["RuleCondition"], params) && !holds(&t, &rule["Assertions"][0]["Assert"], params)
    };
    assert!(refused(&[("LegacySecretKmsKeyArn", json!(key))]));
    assert!(!refused(&with_key(&from_database)));
    assert!(!refused(&with_key(&from_api)));
    assert!(!refused(&[]));
    assert!(
        rule["Assertions"][0]["AssertDescription"]
            .as_str()
            .is_some_and(|d| d.contains("LegacySecretKmsKeyArn"))
    );
    // The same form of key ARN as the logs' key.
    assert_eq!(
        t["Parameters"]["LegacySecretKmsKeyArn"]["AllowedPattern"],
        t["Parameters"]["LogsKmsKeyArn"]["AllowedPattern"]
    );
}

//! Code versions, the failure queue, environments, the SMS backend, the delivery table and its
//! alarms, timeouts and grants.

use super::*;

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

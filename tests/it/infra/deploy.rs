//! `make deploy` and `make attach` rehearsed on moto, and what they refuse.

use super::*;

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
    for &function in cognito_reset::domain::settings::FUNCTIONS {
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
    // Every function's zip is uploaded; user migration is not deployed without a legacy database.
    assert_eq!(
        deployed.matches(" (version ").count(),
        cognito_reset::domain::settings::FUNCTIONS.len(),
        "{deployed}"
    );
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
    // User migration is not deployed without a legacy database.
    let migration = ureq::get(format!(
        "{}/2015-03-31/functions/rehearsal-user-migration",
        moto.endpoint
    ))
    .header(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=testing/20261123/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0",
    )
    .call();
    assert!(matches!(migration, Err(ureq::Error::StatusCode(404))), "{migration:?}");
    // The base64 SHA-256 of the placeholder zip, as Lambda reports a package's CodeSha256.
    for &name in cognito_reset::domain::settings::FUNCTIONS
        .iter()
        .filter(|f| **f != cognito_reset::domain::settings::USER_MIGRATION)
    {
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

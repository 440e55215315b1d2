//! SMS through AWS End User Messaging SMS, at the HTTP level.
//!
//! moto has no End User Messaging (`pinpoint-sms-voice-v2`) model, so these tests point the
//! AWS SDK client at a loopback stand-in (`EumStandIn`) that records each JSON request and
//! answers as the service documents: a `MessageId`, or each error shape. Every field the
//! sender writes is asserted, and each error is checked for what it must do: resend only what
//! the service said it did not take, report refusals with the service's reason.

use cognito_reset::adapters::eum::{EumOptions, EumSender};
use cognito_reset::domain::delivery::{DELIVERY_ATTEMPTS, DeliveryError, Sms, SmsSender};
use cognito_reset_stack::{EumAnswer, EumStandIn, LambdaWatch, Suite, block_on, production_sdk_config};
use serde_json::json;

const TARGET: &str = "PinpointSMSVoiceV2.SendTextMessage";

fn sender(stand_in: &EumStandIn, options: EumOptions) -> EumSender {
    let sdk = block_on(production_sdk_config(&stand_in.endpoint));
    EumSender::new(
        cognito_reset::adapters::aws::eum::Client::new(&cognito_reset::adapters::aws::without_retries(&sdk)),
        options,
    )
}

fn sms(dry_run: bool) -> Sms {
    Sms {
        phone_number: "+12065550123".into(),
        text: "Contoso: your password reset code is 482913.".into(),
        trigger_source: "CustomSMSSender_ForgotPassword".into(),
        user_pool_id: "us-east-1_Eum1".into(),
        time_to_live_seconds: 3_600,
        dry_run,
    }
}

#[test]
fn every_field_of_send_text_message_is_written() {
    let stand_in = EumStandIn::start();
    let s = sender(
        &stand_in,
        EumOptions {
            origination_identity: Some(
                "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef".into(),
            ),
            configuration_set: Some("auth-sms".into()),
            protect_configuration_id: Some("protect-0123456789abcdef".into()),
            max_price_usd: Some("0.05".into()),
        },
    );
    assert!(s.validates_dry_runs());
    let id = block_on(s.send_sms(&sms(false))).expect("sent");
    assert_eq!(id, "stand-in-1");
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1);
    let (target, body) = &requests[0];
    assert_eq!(target, TARGET);
    assert_eq!(
        body,
        &json!({
            "DestinationPhoneNumber": "+12065550123",
            "MessageBody": "Contoso: your password reset code is 482913.",
            "MessageType": "TRANSACTIONAL",
            "OriginationIdentity": "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef",
            "ConfigurationSetName": "auth-sms",
            "ProtectConfigurationId": "protect-0123456789abcdef",
            "MaxPrice": "0.05",
            "TimeToLive": 3600,
            "Context": {"triggerSource": "CustomSMSSender_ForgotPassword", "userPoolId": "us-east-1_Eum1"},
            "DryRun": false
        })
    );
    // A dry run asks the service to validate, and optional settings left out stay out.
    let bare = sender(&stand_in, EumOptions::default());
    block_on(bare.send_sms(&Sms {
        time_to_live_seconds: 1,
        ..sms(true)
    }))
    .expect("validated");
    let (_, body) = stand_in.requests().pop().expect("request");
    assert_eq!(body["DryRun"], json!(true));
    assert_eq!(body["TimeToLive"], json!(5), "raised to the service's minimum");
    for absent in [
        "OriginationIdentity",
        "ConfigurationSetName",
        "ProtectConfigurationId",
        "MaxPrice",
    ] {
        assert!(body.get(absent).is_none(), "{absent}: {body}");
    }
}

#[test]
fn refusals_are_reported_with_the_reason_and_never_resent() {
    for (answer, expected) in [
        (
            EumAnswer::error(400, "ValidationException", json!({"Reason": "PRICE_OVER_THRESHOLD"})),
            "ValidationException: PRICE_OVER_THRESHOLD",
        ),
        (
            EumAnswer::error(400, "AccessDeniedException", json!({"Reason": "ACCOUNT_DISABLED"})),
            "AccessDeniedException: ACCOUNT_DISABLED",
        ),
        (
            EumAnswer::error(
                400,
                "ConflictException",
                json!({"Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT", "ResourceType": "opt-out-list", "ResourceId": "default"}),
            ),
            "ConflictException: DESTINATION_PHONE_NUMBER_OPTED_OUT",
        ),
        (
            EumAnswer::error(
                400,
                "ResourceNotFoundException",
                json!({"ResourceType": "configuration-set", "ResourceId": "auth-sms"}),
            ),
            "ResourceNotFoundException: configuration-set not found",
        ),
        (
            EumAnswer::error(
                400,
                "ServiceQuotaExceededException",
                json!({"Reason": "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"}),
            ),
            "ServiceQuotaExceededException: MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT",
        ),
    ] {
        let stand_in = EumStandIn::start();
        stand_in.answer_next(&[answer]);
        let e = block_on(sender(&stand_in, EumOptions::default()).send_sms(&sms(false))).unwrap_err();
        assert_eq!(
            e,
            DeliveryError::Rejected {
                service: "End User Messaging",
                code: expected.to_owned()
            }
        );
        assert!(!e.is_retryable());
        assert_eq!(stand_in.requests().len(), 1, "{expected}: not resent");
    }
}

#[test]
fn throttling_and_server_errors_are_resent_and_then_fail_retryably() {
    for answer in [
        EumAnswer::error(400, "ThrottlingException", json!({})),
        EumAnswer::error(500, "InternalServerException", json!({"RequestId": "r1"})),
    ] {
        // Refused twice, then taken: delivered once.
        let stand_in = EumStandIn::start();
        stand_in.answer_next(&[answer.clone(), answer.clone()]);
        let id = block_on(sender(&stand_in, EumOptions::default()).send_sms(&sms(false))).expect("third try");
        assert_eq!(id, "stand-in-3");
        // Refused every time: a retryable failure after DELIVERY_ATTEMPTS calls.
        let stand_in = EumStandIn::start();
        stand_in.answer_next(&vec![answer.clone(); 5]);
        let e = block_on(sender(&stand_in, EumOptions::default()).send_sms(&sms(false))).unwrap_err();
        assert!(e.is_retryable(), "{e:?}");
        assert_eq!(stand_in.requests().len(), DELIVERY_ATTEMPTS as usize);
    }
}

/// The SMS sender as deployed, under `cargo lambda watch`: KMS on moto, End User Messaging on
/// the stand-in (`AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`), chosen by `SMS_BACKEND`.
#[test]
fn the_function_delivers_through_end_user_messaging_when_configured() {
    let Some(local) = crate::LocalKms::start("eum_under_watch") else {
        return;
    };
    let stand_in = EumStandIn::start();
    let moto_env = local.moto.env();
    let mut env: Vec<(&str, &str)> = moto_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend([
        ("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", stand_in.endpoint.as_str()),
        ("KEY_ARN", local.key.as_str()),
        ("APP_NAME", "Contoso"),
        ("SMS_ALLOWED_COUNTRIES", "US"),
        ("SMS_BACKEND", "end-user-messaging"),
        ("SMS_CONFIGURATION_SET", "auth-sms"),
        ("SMS_MAX_PRICE_USD", "0.05"),
        ("LOG_LEVEL", "debug"),
    ]);
    let Some(watch) = LambdaWatch::start("eum_under_watch", &env) else {
        return;
    };
    let pool = "us-east-1_Eum2";
    let code = "590314";
    let mut event = cognito_reset_stack::fixture("custom-sms-sender-ForgotPassword.json");
    event["userPoolId"] = json!(pool);
    event["request"]["code"] = json!(local.encrypt(pool, Suite::Cognito, code));
    let answer = watch.invoke("custom-sms-sender", &serde_json::to_vec(&event).expect("json"));
    assert_eq!(answer.function_error, None, "{answer:?}\n{}", watch.logs());
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1, "{}", watch.logs());
    let (target, body) = &requests[0];
    assert_eq!(target, TARGET);
    assert_eq!(
        body["MessageBody"].as_str().map(|t| t.matches(code).count()),
        Some(1),
        "{body}"
    );
    assert_eq!(body["DestinationPhoneNumber"], "+12065550100");
    assert_eq!(body["TimeToLive"], 3600);
    assert_eq!(body["ConfigurationSetName"], "auth-sms");
    assert_eq!(body["MaxPrice"], "0.05");
    assert_eq!(
        body["Context"],
        json!({"triggerSource": "CustomSMSSender_ForgotPassword", "userPoolId": pool})
    );
    assert!(local.moto.sms().is_empty(), "nothing went through SNS");
    let logs = watch.logs();
    assert!(
        logs.contains("\"outcome\":\"sent\"") && logs.contains("stand-in-1"),
        "{logs}"
    );
    assert!(
        !logs.contains(code) && !logs.contains("2065550100"),
        "no code or number in logs"
    );
}

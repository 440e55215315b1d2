//! The whole reset flow on the local stack, for `make demo` and the end-to-end test.
//!
//! [`Stack::start`] brings up a moto server (KMS, SES, SNS), `cargo lambda watch` serving every
//! function ([`Stack::start_serving`]: or prebuilt bootstraps, such as the npm package's), and
//! cognito-local as the user pool API, wired together: cognito-local invokes the
//! custom email sender, post confirmation and pre token generation triggers through the Lambda
//! Invoke API of `cargo lambda watch`, and encrypts codes under the moto KMS key; the functions
//! talk to moto for KMS, SES and SNS and to cognito-local for the Cognito admin API.
//! [`run`] then plays a user who forgot their password, step by step, and returns what each
//! step produced, so the demo prints it and the test asserts on it. With a legacy store
//! ([`legacy_settings`]), [`run_legacy`] then moves two users of the app's previous database:
//! one at sign-in, one at a password reset.

use aws_config::SdkConfig;
use cognito_reset::adapters::aws::cognito;
use cognito_reset::adapters::aws::cognito::types::{AuthFlowType, ExplicitAuthFlowsType, MessageActionType};
use serde_json::{Value, json};

mod legacy;
mod parts;

pub use legacy::*;
pub use parts::*;

use crate::{
    Bootstraps, CognitoLocal, EumStandIn, Functions, InvokeAdapter, LambdaWatch, Moto, Serve, Suite, cognito_encrypt,
    create_key, free_port, local_sdk_config,
};

pub const EMAIL: &str = "jane.doe@example.com";
pub const PHONE: &str = "+12065550123";
pub const EMAIL_FROM: &str = "no-reply@example.com";
pub const FIRST_PASSWORD: &str = "Correct-Horse-1";
use cognito_reset::domain::settings::USER_MIGRATION;

pub const NEW_PASSWORD: &str = "Battery-Staple-2";
const KEY_ALIAS: &str = "alias/cognito-reset-demo";
/// The senders' delivery table (every stack has one).
pub const DELIVERY_TABLE: &str = "cognito-reset-demo-deliveries";
/// The demo's limit: one email per address per hour, so that the second reset request shows
/// the limit at work ([`run`] expects it).
pub const DEMO_LIMITS: [(&str, &str); 1] = [("MAX_EMAIL_PER_ADDRESS", "1")];
const DEMO_HASH_KEY: &str = "demo-only-hash-key-0123456789abcdef";

/// The running local stack.
#[derive(Debug)]
pub struct Stack {
    pub moto: Moto,
    /// `cargo lambda watch`, or prebuilt bootstraps.
    pub functions: Functions,
    pub cognito: CognitoLocal,
    pub key_arn: String,
    pub moto_sdk: SdkConfig,
    pub cognito_sdk: SdkConfig,
    /// With `SMS_BACKEND=end-user-messaging`: the stand-in the SMS sender delivers to (moto
    /// has no End User Messaging).
    pub eum: Option<EumStandIn>,
}

/// What each step of the flow produced.
#[derive(Debug, Default)]
pub struct Report {
    pub user_pool_id: String,
    pub client_id: String,
    pub email_to: String,
    pub email_subject: String,
    pub email_text: String,
    pub code: String,
    pub id_token_claims: Value,
    pub denied_message: String,
    pub sms_to: String,
    pub sms_text: String,
    /// Emails SES received for a second reset request within the window (the limit is 1).
    pub emails_after_second_reset: usize,
    /// SMS the provider received when the SMS event was invoked again (a replay).
    pub sms_after_replay: usize,
    /// `SNS` or `End User Messaging`.
    pub sms_service: String,
}

/// Maps an error to a line that says which call failed.
pub fn err<E: std::fmt::Debug>(what: &'static str) -> impl Fn(E) -> String {
    move |e| format!("{what}: {e:?}")
}

impl Stack {
    /// Starts everything, the functions served by `cargo lambda watch`; `progress` receives one
    /// line per step. `settings` are passed to the functions after (and over) the demo's own.
    pub async fn start(progress: &dyn Fn(&str), settings: &[(&str, &str)]) -> Result<Stack, String> {
        Stack::start_serving(progress, settings, &Serve::Watch).await
    }

    /// The stack for the test named `test`: `None` (the test is skipped, and says why) only
    /// when a part is not installed and the stack is not required; any other failure panics.
    pub fn start_for_test(test: &str, settings: &[(&str, &str)]) -> Option<Stack> {
        match crate::block_on(Stack::start(&|_| {}, settings)) {
            Ok(stack) => Some(stack),
            Err(e) if !crate::stack_required() && e.contains("not installed") => {
                crate::skipped(&format!("{test}: {e}"));
                None
            }
            Err(e) => panic!("the local stack did not start: {e}"),
        }
    }

    /// Starts everything, the functions served as `serve` says.
    pub async fn start_serving(
        progress: &dyn Fn(&str),
        settings: &[(&str, &str)],
        serve: &Serve,
    ) -> Result<Stack, String> {
        progress("starting moto (KMS, SES, SNS) on a loopback port");
        let moto = Moto::start("demo").ok_or("moto_server is not installed (make demo installs it into .venv/)")?;
        let moto_sdk = local_sdk_config(&moto.endpoint).await;
        let key_arn = create_key(&moto_sdk).await?;
        cognito_reset::adapters::aws::kms::Client::new(&moto_sdk)
            .create_alias()
            .alias_name(KEY_ALIAS)
            .target_key_id(&key_arn)
            .send()
            .await
            .map_err(err("CreateAlias"))?;
        cognito_reset::adapters::aws::ses::Client::new(&moto_sdk)
            .create_email_identity()
            .email_identity(EMAIL_FROM)
            .send()
            .await
            .map_err(err("CreateEmailIdentity"))?;
        create_delivery_table(&moto_sdk, DELIVERY_TABLE).await?;
        progress(&format!(
            "moto on {}: KMS key {key_arn}, SES sender {EMAIL_FROM} verified, delivery table {DELIVERY_TABLE}",
            moto.endpoint
        ));

        let cognito_port = free_port();
        let cognito_endpoint = format!("http://127.0.0.1:{cognito_port}");
        let moto_env = moto.env();
        let mut env: Vec<(&str, &str)> = moto_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        env.extend([
            // The functions' Cognito admin calls go to cognito-local, everything else to moto.
            ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", cognito_endpoint.as_str()),
            ("KEY_ARN", key_arn.as_str()),
            ("EMAIL_FROM", EMAIL_FROM),
            // One code: `cargo lambda watch --env-var` splits values at commas.
            ("SMS_ALLOWED_COUNTRIES", "US"),
            ("APP_NAME", "Contoso"),
            ("RESET_URL", "http://localhost:3000/reset-password"),
            ("PASSWORD_MAX_AGE_DAYS", "90"),
            ("PASSWORD_WARN_DAYS", "14"),
            // cognito-local encrypts codes without the userpool-id context real Cognito adds.
            ("REQUIRE_POOL_CONTEXT", "false"),
            ("DELIVERY_TABLE", DELIVERY_TABLE),
            ("DELIVERY_HASH_KEY", DEMO_HASH_KEY),
        ]);
        env.extend_from_slice(settings);
        let eum = settings
            .contains(&("SMS_BACKEND", "end-user-messaging"))
            .then(EumStandIn::start);
        if let Some(stand_in) = &eum {
            progress(&format!(
                "SMS_BACKEND=end-user-messaging: an End User Messaging stand-in on {} records the SMS",
                stand_in.endpoint
            ));
        }
        let eum_endpoint = eum.as_ref().map(|s| s.endpoint.clone()).unwrap_or_default();
        if eum.is_some() {
            env.push(("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", eum_endpoint.as_str()));
        }
        let functions = match serve {
            Serve::Watch => {
                progress("starting cargo lambda watch (every function, Lambda Invoke API on a loopback port)");
                let watch =
                    LambdaWatch::start("demo", &env).ok_or("cargo-lambda is not installed (make demo installs it)")?;
                let adapter = InvokeAdapter::start(watch.service.port);
                Functions::Watch { watch, adapter }
            }
            Serve::Bootstraps(bootstraps) => {
                progress("starting the prebuilt functions, each on a Lambda Runtime API of its own");
                Functions::Bootstraps(Bootstraps::start(bootstraps, &env)?)
            }
        };
        let lambda_endpoint = functions.endpoint();
        if matches!(serve, Serve::Watch) {
            progress("building the functions on first use (the first run compiles them; later runs start in seconds)");
        }
        for &function in cognito_reset::domain::settings::FUNCTIONS {
            // User migration answers only its own events: a reset for nobody, which it answers
            // with the event as it came (no such user).
            let ping: &[u8] = if function == USER_MIGRATION {
                br#"{"version": "1", "triggerSource": "UserMigration_ForgotPassword", "userName": "warm-up@invalid", "request": {}, "response": {}}"#
            } else {
                br#"{"triggerSource": "Warmup_Ping"}"#
            };
            let answer = functions.invoke(function, ping);
            let answered = answer.status == 200 && answer.function_error.is_none();
            if !answered {
                return Err(format!("{function} did not start: {answer:?}\n{}", functions.logs()));
            }
        }
        progress(&format!("functions ready on {lambda_endpoint}"));

        progress("starting cognito-local (the user pool API) with the triggers wired to the functions");
        let mut triggers = vec![
            ("CustomEmailSender", "custom-email-sender"),
            ("PostConfirmation", "post-confirmation"),
            ("PreTokenGeneration", "pre-token"),
        ];
        // With a legacy store, unknown users are migrated from it at sign-in.
        if settings
            .iter()
            .any(|(k, _)| ["LEGACY_DATABASE_URL", "LEGACY_USER_ENDPOINT"].contains(k))
        {
            triggers.push(("UserMigration", USER_MIGRATION));
        }
        let cognito = CognitoLocal::start(
            "demo",
            cognito_port,
            &lambda_endpoint,
            &triggers,
            Some((&moto, &key_arn, KEY_ALIAS)),
        )
        .ok_or("cognito-local is not installed (make demo runs npm ci)")?;
        let cognito_sdk = local_sdk_config(&cognito.endpoint).await;
        progress(&format!("cognito-local on {}", cognito.endpoint));
        Ok(Stack {
            moto,
            functions,
            cognito,
            key_arn,
            moto_sdk,
            cognito_sdk,
            eum,
        })
    }
}

/// Signs a user in with a password (`InitiateAuth`, `USER_PASSWORD_AUTH`).
pub async fn sign_in_as(
    idp: &cognito::Client,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<
    cognito::operation::initiate_auth::InitiateAuthOutput,
    cognito_reset::adapters::aws::cognito::error::SdkError<cognito::operation::initiate_auth::InitiateAuthError>,
> {
    idp.initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
}

/// Signs the demo user in with a password.
async fn sign_in(
    idp: &cognito::Client,
    client_id: &str,
    password: &str,
) -> Result<
    cognito::operation::initiate_auth::InitiateAuthOutput,
    cognito_reset::adapters::aws::cognito::error::SdkError<cognito::operation::initiate_auth::InitiateAuthError>,
> {
    sign_in_as(idp, client_id, EMAIL, password).await
}

/// Plays the reset flow; `progress` receives one line per step.
fn ses_messages(stack: &Stack) -> usize {
    stack.moto.recorded()["ses"]["Message"].as_array().map_or(0, Vec::len)
}

pub async fn run(stack: &Stack, progress: &dyn Fn(&str)) -> Result<Report, String> {
    let idp = cognito::Client::new(&stack.cognito_sdk);
    let mut report = Report::default();

    progress("creating a user pool (custom attributes for the password rules), an app client and a user");
    let pool = idp
        .create_user_pool()
        .pool_name("contoso-demo")
        .schema(custom_schema("password_changed_at"))
        .schema(custom_schema("force_password_reset"))
        .send()
        .await
        .map_err(err("CreateUserPool"))?;
    report.user_pool_id = pool.user_pool().and_then(|p| p.id()).ok_or("no pool id")?.to_owned();
    let client = idp
        .create_user_pool_client()
        .user_pool_id(&report.user_pool_id)
        .client_name("contoso-web")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .map_err(err("CreateUserPoolClient"))?;
    report.client_id = client
        .user_pool_client()
        .and_then(|c| c.client_id())
        .ok_or("no client id")?
        .to_owned();
    idp.admin_create_user()
        .user_pool_id(&report.user_pool_id)
        .username(EMAIL)
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", EMAIL)?)
        .user_attributes(attribute("email_verified", "true")?)
        .user_attributes(attribute("phone_number", PHONE)?)
        .user_attributes(attribute("given_name", "Jane")?)
        .send()
        .await
        .map_err(err("AdminCreateUser"))?;
    idp.admin_set_user_password()
        .user_pool_id(&report.user_pool_id)
        .username(EMAIL)
        .password(FIRST_PASSWORD)
        .permanent(true)
        .send()
        .await
        .map_err(err("AdminSetUserPassword"))?;
    progress(&format!(
        "pool {}, app client {}, user {EMAIL}",
        report.user_pool_id, report.client_id
    ));

    progress("the user forgot their password: ForgotPassword (Amplify's resetPassword)");
    idp.forgot_password()
        .client_id(&report.client_id)
        .username(EMAIL)
        .send()
        .await
        .map_err(err("ForgotPassword"))?;
    let data = stack.moto.recorded();
    let mail = data["ses"]["Message"]
        .as_array()
        .and_then(|m| m.last())
        .ok_or_else(|| format!("no email reached SES\n{}", stack.functions.logs()))?;
    report.email_to = mail["destinations"]["ToAddresses"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    report.email_subject = mail["subject"].as_str().unwrap_or_default().to_owned();
    report.email_text = html_text(mail["body"].as_str().unwrap_or_default());
    report.code = six_digit_code(&report.email_text).ok_or("no code in the email")?;
    progress(
        "cognito-local encrypted the code under the KMS key and invoked custom-email-sender, which decrypted it and sent through SES:",
    );

    progress("the user enters the code and a new password: ConfirmForgotPassword (confirmResetPassword)");
    idp.confirm_forgot_password()
        .client_id(&report.client_id)
        .username(EMAIL)
        .confirmation_code(&report.code)
        .password(NEW_PASSWORD)
        .send()
        .await
        .map_err(err("ConfirmForgotPassword"))?;

    progress(
        "the user asks for another reset code at once: the delivery table allows one email per address per hour here (MAX_EMAIL_PER_ADDRESS=1)",
    );
    let emails_before = ses_messages(stack);
    idp.forgot_password()
        .client_id(&report.client_id)
        .username(EMAIL)
        .send()
        .await
        .map_err(err("ForgotPassword"))?;
    report.emails_after_second_reset = ses_messages(stack) - emails_before;

    progress("the user signs in with the new password: InitiateAuth (signIn); pre-token adds the password claims");
    let auth = sign_in(&idp, &report.client_id, NEW_PASSWORD)
        .await
        .map_err(err("InitiateAuth"))?;
    let id_token = auth
        .authentication_result()
        .and_then(|r| r.id_token())
        .ok_or("no ID token")?;
    report.id_token_claims = jwt_claims(id_token)?;

    progress("200 days later the password is too old (its stamp is set back 200 days): the next sign-in is denied");
    let old = cognito_reset::domain::rules::timestamp::format(cognito_reset::runtime::clock::now() - 200 * 86_400);
    idp.admin_update_user_attributes()
        .user_pool_id(&report.user_pool_id)
        .username(EMAIL)
        .user_attributes(attribute("custom:password_changed_at", &old)?)
        .send()
        .await
        .map_err(err("AdminUpdateUserAttributes"))?;
    let denied = sign_in(&idp, &report.client_id, NEW_PASSWORD).await;
    report.denied_message = match denied {
        Ok(_) => return Err("the too-old password was accepted".into()),
        Err(e) => {
            use cognito_reset::adapters::aws::cognito::error::ProvideErrorMetadata;
            e.as_service_error()
                .and_then(|s| s.message())
                .unwrap_or("no message")
                .to_owned()
        }
    };

    progress("the SMS path: a code encrypted as Cognito does (AWS Encryption SDK, KMS) goes to custom-sms-sender");
    let sms_code = "730518";
    let ciphertext = cognito_encrypt(
        &stack.moto,
        &stack.key_arn,
        &report.user_pool_id,
        Suite::Cognito,
        sms_code,
    );
    let event = json!({
        "version": "1", "region": "us-east-1", "userPoolId": report.user_pool_id, "userName": EMAIL,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": report.client_id},
        "triggerSource": "CustomSMSSender_ForgotPassword",
        "request": {"type": "customSMSSenderRequestV1", "code": ciphertext, "clientMetadata": null,
                    "userAttributes": {"phone_number": PHONE, "phone_number_verified": "true", "email": EMAIL}}
    });
    let answer = stack
        .functions
        .invoke("custom-sms-sender", &serde_json::to_vec(&event).map_err(err("event"))?);
    if answer.function_error.is_some() {
        return Err(format!("custom-sms-sender failed: {answer:?}"));
    }
    let (service, (to, text)) = match &stack.eum {
        Some(stand_in) => {
            let (_, sent) = stand_in.requests().pop().ok_or("no SMS reached End User Messaging")?;
            let field = |k: &str| sent[k].as_str().unwrap_or_default().to_owned();
            (
                "End User Messaging",
                (field("DestinationPhoneNumber"), field("MessageBody")),
            )
        }
        None => ("SNS", stack.moto.sms().pop().ok_or("no SMS reached SNS")?),
    };
    report.sms_service = service.to_owned();
    report.sms_to = to;
    report.sms_text = text;

    progress(
        "Lambda invokes custom-sms-sender again with the same event (a retry): the delivery table knows it was delivered",
    );
    let sms_sent = |stack: &Stack| {
        stack
            .eum
            .as_ref()
            .map_or_else(|| stack.moto.sms().len(), |s| s.requests().len())
    };
    let before = sms_sent(stack);
    let again = stack
        .functions
        .invoke("custom-sms-sender", &serde_json::to_vec(&event).map_err(err("event"))?);
    if again.function_error.is_some() {
        return Err(format!("custom-sms-sender failed on the replay: {again:?}"));
    }
    report.sms_after_replay = sms_sent(stack) - before;
    Ok(report)
}

//! The moto server (KMS, SNS, SES, Cognito, CloudFormation...) and AWS SDK configurations
//! for local endpoints.

use super::*;

/// A moto server (KMS, SNS, SES, Cognito, CloudFormation...) on a loopback port.
#[derive(Debug)]
pub struct Moto {
    pub service: Service,
    pub endpoint: String,
}

/// Credentials and region every client of the local stack uses (moto accepts any).
pub const LOCAL_REGION: &str = "us-east-1";
pub const LOCAL_ACCESS_KEY: &str = "testing";
pub const LOCAL_SECRET_KEY: &str = "testing";

impl Moto {
    /// Starts moto; `None` (after a skip message) when it is not installed and the stack is
    /// not required.
    pub fn start(test: &str) -> Option<Moto> {
        let moto = require_tool("moto_server", test)?;
        let port = free_port();
        let mut cmd = Command::new(moto);
        cmd.args(["-H", "127.0.0.1", "-p"]).arg(port.to_string());
        let log = std::env::temp_dir().join(format!("moto-{port}.log"));
        let service = Service::spawn(cmd, port, "moto_server", &log);
        Some(Moto {
            service,
            endpoint: format!("http://127.0.0.1:{port}"),
        })
    }

    /// Starts moto with its DynamoDB operations serialized, as DynamoDB's transactions are
    /// (`stack/support/moto_serialized.py`): the only moto a concurrency test can trust.
    pub fn start_serialized(test: &str) -> Option<Moto> {
        require_tool("moto_server", test)?;
        let python = tool("python3").expect("python3");
        let python = if root().join(".venv/bin/python3").is_file() {
            root().join(".venv/bin/python3")
        } else {
            python
        };
        let port = free_port();
        let mut cmd = Command::new(python);
        cmd.arg(root().join("stack/support/moto_serialized.py"))
            .args(["-H", "127.0.0.1", "-p"])
            .arg(port.to_string());
        let log = std::env::temp_dir().join(format!("moto-{port}.log"));
        let service = Service::spawn(cmd, port, "moto (serialized DynamoDB)", &log);
        Some(Moto {
            service,
            endpoint: format!("http://127.0.0.1:{port}"),
        })
    }

    /// Everything moto recorded (`/moto-api/data.json`): sent SMS under `sns.SMS`, email
    /// under `ses.Message`.
    pub fn recorded(&self) -> serde_json::Value {
        moto_recorded(&self.endpoint).expect("moto data")
    }

    /// The SMS moto recorded, as (phone number, message).
    pub fn sms(&self) -> Vec<(String, String)> {
        self.recorded()["sns"]["SMS"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|m| {
                        (
                            m["phone_number"].as_str().unwrap_or_default().to_owned(),
                            m["message"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Environment for a process (Python's Encryption SDK, a function) that talks to moto.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_REGION", LOCAL_REGION.to_owned()),
            ("AWS_DEFAULT_REGION", LOCAL_REGION.to_owned()),
            ("AWS_ACCESS_KEY_ID", LOCAL_ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", LOCAL_SECRET_KEY.to_owned()),
        ]
    }
}

/// What the moto server at `endpoint` recorded (`/moto-api/data.json`).
pub fn moto_recorded(endpoint: &str) -> Result<serde_json::Value, String> {
    let body = ureq::get(format!("{endpoint}/moto-api/data.json"))
        .call()
        .map_err(|e| format!("{endpoint}/moto-api/data.json: {e}"))?
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("moto data: {e}"))?;
    serde_json::from_str(&body).map_err(|e| format!("moto data is not JSON: {e}"))
}

fn local_loader(endpoint: &str) -> aws_config::ConfigLoader {
    use cognito_reset::adapters::aws::kms::config::Credentials;
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(LOCAL_REGION))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            LOCAL_ACCESS_KEY,
            LOCAL_SECRET_KEY,
            None,
            None,
            "local",
        ))
}

/// An AWS SDK configuration for a local endpoint (moto, cognito-local), with the SDK's defaults.
pub async fn local_sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    local_loader(endpoint).load().await
}

/// The production configuration (the functions' timeouts and retries) for a local endpoint.
pub async fn production_sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    cognito_reset::adapters::aws::with_budgets(local_loader(endpoint))
        .load()
        .await
}

/// Creates a KMS key and returns its ARN.
pub async fn create_key(sdk: &aws_config::SdkConfig) -> Result<String, String> {
    let kms = cognito_reset::adapters::aws::kms::Client::new(sdk);
    let out = kms
        .create_key()
        .description("cognito-reset local key")
        .send()
        .await
        .map_err(|e| format!("CreateKey: {e:?}"))?;
    out.key_metadata()
        .and_then(|m| m.arn())
        .map(str::to_owned)
        .ok_or_else(|| "CreateKey returned no ARN".to_owned())
}

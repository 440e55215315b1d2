//! What the flow and the tests build and read: the delivery table, user attributes and schema,
//! token claims, the text of an email and the code in it.

use aws_config::SdkConfig;
use base64::Engine as _;
use cognito_reset::adapters::aws::cognito::types::{AttributeDataType, AttributeType, SchemaAttributeType};
use serde_json::Value;

use super::err;

/// A delivery table as the template creates it (partition key `pk`), on moto.
pub async fn create_delivery_table(sdk: &SdkConfig, table: &str) -> Result<(), String> {
    use cognito_reset::adapters::aws::dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    cognito_reset::adapters::aws::dynamodb::Client::new(sdk)
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(err("AttributeDefinition"))?,
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .map_err(err("KeySchemaElement"))?,
        )
        .send()
        .await
        .map_err(err("CreateTable"))?;
    Ok(())
}

/// A user attribute for the Cognito API.
pub fn attribute(name: &str, value: &str) -> Result<AttributeType, String> {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .map_err(err("attribute"))
}

/// A mutable string custom attribute for a pool's schema.
pub fn custom_schema(name: &str) -> SchemaAttributeType {
    SchemaAttributeType::builder()
        .name(name)
        .attribute_data_type(AttributeDataType::String)
        .mutable(true)
        .build()
}

/// The claims of a JWT, decoded without verification (for display).
pub fn jwt_claims(token: &str) -> Result<Value, String> {
    let payload = token.split('.').nth(1).ok_or("not a JWT")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(err("JWT payload"))?;
    serde_json::from_slice(&bytes).map_err(err("JWT claims"))
}

/// The readable text of an HTML email: tags dropped, entities decoded, blank lines removed.
pub fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    // Drop the head (title, styles) and keep links visible.
    if let Some(i) = rest.find("<body") {
        rest = &rest[i..];
    }
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else { break };
        let tag = &rest[start..start + end];
        if let Some(href) = tag.split("href=\"").nth(1).and_then(|h| h.split('"').next()) {
            out.push_str(&format!("[{}] ", decode_entities(href)));
        }
        if tag.starts_with("</p") || tag.starts_with("</h1") || tag.starts_with("</td") {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    decode_entities(&out)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn decode_entities(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

/// The first run of exactly six digits in `text` (the reset code).
pub fn six_digit_code(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .map(str::to_owned)
}

//! Renders one message to stdout: `cargo run -p cognito-reset --example render -- ForgotPassword pt-BR`.
#![allow(clippy::print_stdout)]

use cognito_reset::domain::events::{Family, MessageKind, StringMap};
use cognito_reset::domain::messages::{Branding, Catalog, Code, MessageInput};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let kind_name = args.next().unwrap_or_else(|| "ForgotPassword".into());
    let locale = args.next().unwrap_or_else(|| "en".into());
    let kind = MessageKind::from_trigger_source(Family::CustomEmailSender, &format!("CustomEmailSender_{kind_name}"))
        .ok_or("unknown message kind")?;
    let branding = Branding {
        app_name: "Contoso".into(),
        reset_url: Some("https://app.example.com/reset".into()),
        ..Branding::default()
    };
    let attrs: StringMap = [("given_name".to_owned(), "Jane".to_owned())].into();
    let r = Catalog::embedded()?.render(&MessageInput {
        kind,
        branding: &branding,
        locales: vec![&locale],
        code: Code::Placeholder("{####}"),
        username: "{username}",
        link_username: "jane",
        user_attributes: &attrs,
        reserved: &["{####}", "{username}"],
    })?;
    println!(
        "locale: {}\nsubject: {}\n--- sms ---\n{}\n--- text ---\n{}--- html ---\n{}",
        r.locale, r.subject, r.sms, r.text, r.html
    );
    Ok(())
}

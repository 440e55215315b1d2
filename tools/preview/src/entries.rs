//! Every message of the gallery, produced by the functions' own handlers: the custom message
//! handler gets a `CustomMessage_*` event and what it returns is shown; the senders' handlers
//! get a `Custom*Sender_*` event whose code the fake KMS "decrypts", and what they hand to
//! SES and SNS is captured. Nothing is rendered any other way.

use std::collections::BTreeMap;

use cognito_reset::domain::config::MessageConfig;
use cognito_reset::domain::delivery::{Email, Sms};
use cognito_reset::domain::events::custom_message::CustomMessageRequest;
use cognito_reset::domain::events::{self, Envelope, Family, MessageKind, StringMap};
use cognito_reset::domain::ledger::NoLedger;
use cognito_reset::domain::messages::Catalog;
use cognito_reset::domain::messages::sms::{self, Encoding};
use cognito_reset::fakes::{FAKE_POOL, FakeDecryptor, Outbox, block_on};
use serde::Serialize;
use serde_json::{Value, json};

use crate::settings::Settings;

/// The code the senders' previews carry (what the fake KMS returns).
pub const SAMPLE_CODE: &str = "428193";
/// The temporary password of the senders' AdminCreateUser preview.
pub const SAMPLE_PASSWORD: &str = "Tq7-mP2vX9";
/// The username of every preview user.
pub const SAMPLE_USERNAME: &str = "jane.doe";
/// What the custom message path's emails and SMS carry: Cognito's placeholders.
pub const CODE_PLACEHOLDER: &str = "{####}";
pub const USERNAME_PLACEHOLDER: &str = "{username}";

/// Which function writes the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Route {
    /// The custom message trigger: Cognito sends the text, with its placeholders replaced.
    CustomMessage,
    /// The custom SMS and email senders: they send the text themselves, with the real code.
    Senders,
}

impl Route {
    pub const fn slug(self) -> &'static str {
        match self {
            Route::CustomMessage => "custom-message",
            Route::Senders => "senders",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Route::CustomMessage => "custom message trigger",
            Route::Senders => "custom senders",
        }
    }
}

/// Whose attributes the message is rendered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Person {
    /// An ordinary user.
    Typical,
    /// The template tests' worst case: names far over the length limit, with markup, quotes,
    /// Cognito's placeholders and a header injection in them.
    Longest,
    /// A name in a right-to-left script.
    RightToLeft,
    /// A name with emoji (outside GSM-7: the SMS turns UCS-2 if a name reaches it).
    Emoji,
}

impl Person {
    pub const ALL: [Person; 4] = [Person::Typical, Person::Longest, Person::RightToLeft, Person::Emoji];

    pub const fn slug(self) -> &'static str {
        match self {
            Person::Typical => "typical",
            Person::Longest => "longest",
            Person::RightToLeft => "rtl",
            Person::Emoji => "emoji",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Person::Typical => "typical user",
            Person::Longest => "longest, hostile name",
            Person::RightToLeft => "right-to-left name",
            Person::Emoji => "emoji in the name",
        }
    }

    fn given_name(self) -> String {
        match self {
            Person::Typical => "Jane".to_owned(),
            Person::Longest => "<script>alert('x')</script> & \"{####}\" {username}\r\nBcc: x@example.com ".repeat(20),
            Person::RightToLeft => "مريم".to_owned(),
            Person::Emoji => "Zoë 👩🏽‍💻🌈".to_owned(),
        }
    }
}

/// An SMS as the phone gets it.
#[derive(Debug, Clone, Serialize)]
pub struct SmsView {
    pub text: String,
    /// `GSM-7` or `UCS-2`.
    pub encoding: &'static str,
    pub characters: usize,
    /// Septets (GSM-7) or UTF-16 units (UCS-2): what the parts are counted in.
    pub units: usize,
    pub parts: usize,
}

impl SmsView {
    fn of(text: String) -> Self {
        let s = sms::segments(&text);
        SmsView {
            encoding: match s.encoding {
                Encoding::Gsm7 => "GSM-7",
                Encoding::Ucs2 => "UCS-2",
            },
            characters: text.chars().count(),
            units: s.units,
            parts: s.parts,
            text,
        }
    }
}

/// One message of the gallery: a trigger kind, a locale, a route, a branding and a person.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// File-name-safe and unique: `ForgotPassword.en.custom-message.typical`.
    pub id: String,
    pub kind: &'static str,
    /// The locale asked for (the user's `locale` attribute); `rendered_locale` is the one used.
    pub locale: String,
    pub rendered_locale: String,
    pub route: Route,
    pub person: Person,
    /// The app client whose `CLIENT_SETTINGS` branding applies, if any.
    pub client: Option<String>,
    pub trigger_source: String,
    /// The email as the inbox lists it; `None` when the function wrote no email.
    pub email: Option<EmailView>,
    pub sms: Option<SmsView>,
    /// What the email and the SMS must show for the user to act: the code, the placeholder or
    /// the temporary password; `None` for notifications without a code.
    pub must_show: Option<String>,
    /// Why a part is missing: the function's error, as it would log it.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmailView {
    pub from: String,
    pub to: String,
    pub subject: String,
    /// The hidden first line of the body that inboxes show after the subject.
    pub preheader: String,
    pub html: String,
    /// The plain-text part; the custom message trigger writes HTML only.
    pub text: Option<String>,
}

/// The text of the layout's hidden preheader, unescaped.
pub fn preheader(html: &str) -> String {
    let Some(start) = html.find("class=\"cr-preheader\"") else {
        return String::new();
    };
    let rest = &html[start..];
    let Some(open) = rest.find('>') else {
        return String::new();
    };
    let body = &rest[open + 1..];
    let end = body.find("</div>").unwrap_or(body.len());
    html_escape::decode_html_entities(body[..end].trim()).into_owned()
}

fn attributes(person: Person, locale: &str, kind: MessageKind) -> StringMap {
    let mut a: BTreeMap<&str, String> = [
        ("sub", "6f8e1a52-8d5c-4bd7-9b1e-2f1c9a3e7d40".to_owned()),
        ("email", "jane.doe@example.com".to_owned()),
        ("email_verified", "true".to_owned()),
        ("phone_number", "+14155550123".to_owned()),
        ("phone_number_verified", "true".to_owned()),
        ("given_name", person.given_name()),
        ("locale", locale.to_owned()),
    ]
    .into();
    if kind == MessageKind::AccountTakeOverNotification {
        let city = if person == Person::Typical {
            "Lisbon".to_owned()
        } else {
            person.given_name()
        };
        a.extend([
            ("IP_ADDRESS", "203.0.113.42".to_owned()),
            ("CITY", city.clone()),
            ("COUNTRY", "Portugal".to_owned()),
            ("DEVICE_NAME", format!("Chrome 131, {city}")),
            ("LOGIN_TIME", "Tue Dec 01 09:41:00 UTC 2026".to_owned()),
            ("ACCOUNT_TAKE_OVER_ACTION", "BLOCK".to_owned()),
            (
                "ONE_CLICK_LINK_VALID",
                "https://auth.example.com/ato?token=valid".to_owned(),
            ),
            (
                "ONE_CLICK_LINK_INVALID",
                "https://auth.example.com/ato?token=invalid".to_owned(),
            ),
        ]);
    }
    a.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Everything one message is rendered from.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    pub kind: MessageKind,
    pub locale: &'a str,
    pub route: Route,
    pub person: Person,
    pub client: Option<&'a str>,
}

impl Case<'_> {
    pub fn id(&self) -> String {
        let mut id = format!(
            "{}.{}.{}.{}",
            self.kind.name(),
            self.locale,
            self.route.slug(),
            self.person.slug()
        );
        if let Some(c) = self.client {
            id.push_str(".client-");
            // Letters, digits and `-` as they are, every other byte as `_` and two hex digits
            // (`_` itself too): safe as a file name, and two clients never share an id.
            for b in c.bytes() {
                if b.is_ascii_alphanumeric() || b == b'-' {
                    id.push(char::from(b));
                } else {
                    id.push_str(&format!("_{b:02X}"));
                }
            }
        }
        id
    }
}

/// The functions, configured as `settings` says, with `catalog` as their templates.
#[derive(Debug)]
pub struct Functions {
    message: custom_message::Deps,
    email: custom_email_sender::Deps<FakeDecryptor, Outbox<Email>, NoLedger>,
    sms: custom_sms_sender::Deps<FakeDecryptor, Outbox<Sms>, NoLedger>,
}

impl Functions {
    /// Configures the three message functions from `settings`, each through its own parser.
    pub fn new(settings: &Settings, catalog: impl Fn() -> Result<Catalog, String>) -> Result<Self, String> {
        let src = settings.source();
        let explain = |function: &str, e: &dyn std::fmt::Display| format!("{function}: {e}");
        let mut message = custom_message::Deps::from_source(&src).map_err(|e| explain("custom-message", &e))?;
        message.catalog = catalog()?;
        let mut email_settings =
            custom_email_sender::Settings::from_source(&src).map_err(|e| explain("custom-email-sender", &e))?;
        email_settings.common.catalog = catalog()?;
        let mut sms_settings =
            custom_sms_sender::Settings::from_source(&src).map_err(|e| explain("custom-sms-sender", &e))?;
        sms_settings.common.catalog = catalog()?;
        Ok(Functions {
            message,
            email: custom_email_sender::Deps {
                settings: email_settings,
                decryptor: FakeDecryptor::default(),
                email: Outbox::default(),
                ledger: NoLedger,
            },
            sms: custom_sms_sender::Deps {
                settings: sms_settings,
                decryptor: FakeDecryptor::default(),
                sms: Outbox::default(),
                ledger: NoLedger,
            },
        })
    }

    pub fn messages(&self) -> &MessageConfig {
        &self.message.config
    }

    pub fn locales(&self) -> Vec<String> {
        self.message.catalog.locales().map(str::to_owned).collect()
    }

    pub fn email_from(&self) -> &str {
        &self.email.settings.email.from
    }

    /// Renders one case through the function that sends it.
    pub fn render(&self, case: &Case<'_>) -> Entry {
        let attrs = attributes(case.person, case.locale, case.kind);
        let family = match case.route {
            Route::CustomMessage => Family::CustomMessage,
            Route::Senders => Family::CustomEmailSender,
        };
        let mut entry = Entry {
            id: case.id(),
            kind: case.kind.name(),
            locale: case.locale.to_owned(),
            rendered_locale: String::new(),
            route: case.route,
            person: case.person,
            client: case.client.map(str::to_owned),
            trigger_source: case.kind.trigger_source(family),
            email: None,
            sms: None,
            must_show: None,
            problems: Vec::new(),
        };
        match case.route {
            Route::CustomMessage => self.custom_message(case, &attrs, &mut entry),
            Route::Senders => self.senders(case, &attrs, &mut entry),
        }
        entry.rendered_locale = entry
            .email
            .as_ref()
            .and_then(|e| lang(&e.html))
            .unwrap_or_else(|| case.locale.to_owned());
        entry
    }

    fn custom_message(&self, case: &Case<'_>, attrs: &StringMap, entry: &mut Entry) {
        let admin = case.kind == MessageKind::AdminCreateUser;
        let event = json!({
            "version": "1", "region": "us-east-1", "userPoolId": FAKE_POOL, "userName": SAMPLE_USERNAME,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": case.client.unwrap_or("preview-client")},
            "triggerSource": entry.trigger_source,
            "request": {
                "userAttributes": attrs,
                "codeParameter": CODE_PLACEHOLDER,
                "linkParameter": "{##Click Here##}",
                "usernameParameter": if admin { Value::from(USERNAME_PLACEHOLDER) } else { Value::Null },
                "clientMetadata": null,
            },
            "response": {"smsMessage": null, "emailMessage": null, "emailSubject": null},
        });
        entry.must_show = Some(CODE_PLACEHOLDER.to_owned());
        let out = match custom_message::handle(&self.message, event.clone()) {
            Ok(out) => out,
            Err(e) => {
                entry.problems.push(e.to_string());
                return;
            }
        };
        let response = &out["response"];
        let (Some(subject), Some(html), Some(sms)) = (
            response["emailSubject"].as_str(),
            response["emailMessage"].as_str(),
            response["smsMessage"].as_str(),
        ) else {
            entry.problems.push(format!(
                "custom-message returned the event unchanged, so Cognito sends its default message: {}",
                self.why_not_customized(&event)
            ));
            return;
        };
        entry.email = Some(EmailView {
            from: "the pool's FROM address (Cognito sends this email)".to_owned(),
            to: "jane.doe@example.com".to_owned(),
            subject: subject.to_owned(),
            preheader: preheader(html),
            html: html.to_owned(),
            text: None,
        });
        entry.sms = Some(SmsView::of(sms.to_owned()));
    }

    /// The handler logs why it left a message to Cognito; the gallery repeats the reason,
    /// from the handler's own composing step.
    fn why_not_customized(&self, event: &Value) -> String {
        let envelope: Envelope<CustomMessageRequest> = match events::view(event) {
            Ok(e) => e,
            Err(e) => return e.to_string(),
        };
        let Some(kind) = MessageKind::from_trigger_source(Family::CustomMessage, &envelope.trigger_source) else {
            return "not a custom message trigger source".to_owned();
        };
        match custom_message::compose(&self.message, kind, &envelope) {
            Ok(_) => "no reason found".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    fn senders(&self, case: &Case<'_>, attrs: &StringMap, entry: &mut Entry) {
        let secret = match case.kind {
            MessageKind::AccountTakeOverNotification => None,
            MessageKind::AdminCreateUser => Some(SAMPLE_PASSWORD),
            _ => Some(SAMPLE_CODE),
        };
        entry.must_show = secret.map(str::to_owned);
        let event = |family: Family, request_type: &str| {
            json!({
                "version": "1", "region": "us-east-1", "userPoolId": FAKE_POOL, "userName": SAMPLE_USERNAME,
                "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": case.client.unwrap_or("preview-client")},
                "triggerSource": case.kind.trigger_source(family),
                "request": {
                    "type": request_type,
                    "code": secret.map(|s| format!("enc:{s}")),
                    "clientMetadata": null,
                    "userAttributes": attrs,
                },
            })
        };
        let before = self.email.email.sent().len();
        let email_event = event(Family::CustomEmailSender, "customEmailSenderRequestV1");
        match block_on(custom_email_sender::handle(&self.email, email_event)) {
            Ok(()) => match self.email.email.sent().get(before) {
                Some(sent) => {
                    entry.email = Some(EmailView {
                        from: self.email_from().to_owned(),
                        to: sent.to.clone(),
                        subject: sent.subject.clone(),
                        preheader: preheader(&sent.html),
                        html: sent.html.clone(),
                        text: Some(sent.text.clone()),
                    });
                }
                None => entry
                    .problems
                    .push("custom-email-sender sent nothing (see its log line)".to_owned()),
            },
            Err(e) => entry.problems.push(format!("custom-email-sender: {e}")),
        }
        let before = self.sms.sms.sent().len();
        let sms_event = event(Family::CustomSmsSender, "customSMSSenderRequestV1");
        match block_on(custom_sms_sender::handle(&self.sms, sms_event)) {
            Ok(()) => match self.sms.sms.sent().get(before) {
                Some(sent) => entry.sms = Some(SmsView::of(sent.text.clone())),
                None => entry
                    .problems
                    .push("custom-sms-sender sent nothing (see its log line)".to_owned()),
            },
            Err(e) => entry.problems.push(format!("custom-sms-sender: {e}")),
        }
    }
}

/// The `lang` of the email's `<html>` element: the locale its template came from.
fn lang(html: &str) -> Option<String> {
    let rest = &html[html.find("<html lang=\"")? + "<html lang=\"".len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The gallery's cases: every kind in every locale by both routes for a typical user; every
/// kind by both routes in the default locale for the worst-case people; every kind by both
/// routes in each app client's locale with its branding.
pub fn cases<'a>(locales: &'a [String], default_locale: &'a str, clients: &'a [(String, String)]) -> Vec<Case<'a>> {
    let kinds = |route: Route| {
        let family = match route {
            Route::CustomMessage => Family::CustomMessage,
            Route::Senders => Family::CustomEmailSender,
        };
        MessageKind::ALL.into_iter().filter(move |k| k.sent_by(family))
    };
    let mut out = Vec::new();
    for route in [Route::CustomMessage, Route::Senders] {
        for kind in kinds(route) {
            for locale in locales {
                out.push(Case {
                    kind,
                    locale,
                    route,
                    person: Person::Typical,
                    client: None,
                });
            }
            for person in Person::ALL.into_iter().skip(1) {
                out.push(Case {
                    kind,
                    locale: default_locale,
                    route,
                    person,
                    client: None,
                });
            }
            for (client, locale) in clients {
                out.push(Case {
                    kind,
                    locale,
                    route,
                    person: Person::Typical,
                    client: Some(client),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preheader_is_the_hidden_first_line_unescaped() {
        let html = "<body><div class=\"cr-preheader\" style=\"display:none\">Tom &amp; Jerry&#39;s code</div><p>x</p>";
        assert_eq!(preheader(html), "Tom & Jerry's code");
        assert_eq!(preheader("<p>no preheader</p>"), "");
    }

    #[test]
    fn ids_are_unique_and_safe_as_file_names() {
        let locales = vec!["en".to_owned(), "pt".to_owned()];
        // Client ids that one substitution character would have made the same.
        let clients: Vec<(String, String)> = ["web/app 1", "web_app_1", "web+app+1", "web_2Fapp 1"]
            .into_iter()
            .map(|c| (c.to_owned(), "fr".to_owned()))
            .collect();
        let cases = cases(&locales, "en", &clients);
        let ids: std::collections::BTreeSet<String> = cases.iter().map(Case::id).collect();
        assert_eq!(ids.len(), cases.len());
        assert!(
            ids.iter()
                .all(|id| id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)))
        );
        assert!(
            ids.contains("ForgotPassword.fr.custom-message.typical.client-web_2Fapp_201"),
            "{ids:?}"
        );
        // 7 custom message kinds and 8 sender kinds, each: 2 locales, 3 worst cases, 4 clients.
        assert_eq!(cases.len(), (7 + 8) * (2 + 3 + 4));
    }
}

//! The message catalog: one set of templates for the custom message trigger and both custom
//! senders, per trigger source and locale.
//!
//! # Why minijinja
//! Templates are Jinja2, which designers and translators already know, rendered by
//! `minijinja`: no `unsafe`-heavy or proc-macro engine, templates are data (a locale is a
//! folder, no recompiling of Rust code per wording change), HTML auto-escaping is decided by
//! file name, and block rendering lets one file per message hold its subject, SMS and email
//! parts together so translators see them side by side. Compile-time engines (askama) would
//! check templates earlier, but need a Rust type per template and a rebuild of the functions
//! for each wording change; our tests render every template in every locale instead.
//!
//! # Layout of `templates/`
//! - `layout.html`, `layout.txt`: the email shell (auto-escaped HTML; plain text).
//! - `<locale>/base.j2`: the greeting and footer of a locale, and empty defaults.
//! - `<locale>/<Kind>.j2` (e.g. `en/ForgotPassword.j2`) extends its `base.j2` and fills the
//!   blocks `subject`, `sms`, `heading`, `intro`, `code_label`, `username_label`, `action`
//!   (the reset link's label), `confirm_label`/`deny_label` (account-takeover links), `outro`. Blocks are rendered as plain text; the layout escapes them for HTML.
//!
//! A locale may leave out kinds: each kind falls back along the locale chain
//! (`pt-BR` -> `pt` -> default -> `en`), and `en` has every kind.

pub mod color;
pub mod files;
pub mod locale;
pub mod sms;
mod text;

use text::one_line;
pub use text::{display_value, reset_link};

use std::collections::BTreeSet;

use minijinja::{AutoEscape, Environment, ErrorKind, Value};

use serde::Serialize;

use crate::domain::events::{MessageKind, StringMap};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/templates.rs"));
}

/// The templates compiled into this crate, as `(name, source)`: `shared/templates/` when it was
/// built.
pub fn embedded_templates() -> Vec<(&'static str, &'static str)> {
    embedded::TEMPLATES.to_vec()
}

/// Length limits Cognito enforces on a custom message response, in characters. From the
/// Cognito API reference, `MessageTemplateType`
/// (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_MessageTemplateType.html>):
/// `SMSMessage` 6-140, `EmailMessage` 6-20,000, `EmailSubject` 1-140; the custom message
/// trigger guide repeats them for `smsMessage`, `emailMessage` and `emailSubject`.
pub mod limits {
    pub const SMS_MESSAGE_MAX: usize = 140;
    pub const EMAIL_MESSAGE_MAX: usize = 20_000;
    pub const EMAIL_SUBJECT_MAX: usize = 140;
    /// User attributes shown in a message (a name in a greeting) are cut to this many UTF-16
    /// units (characters, or half of one outside the Basic Multilingual Plane), so no
    /// attribute can push a message over a limit.
    pub const ATTRIBUTE_MAX: usize = 40;
}

/// What a message says about the app, from configuration (per app client where configured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    pub app_name: String,
    /// Base URL of the app's reset page; ForgotPassword messages link to it when set.
    pub reset_url: Option<String>,
    /// Accent colour of the email layout, `#rrggbb`.
    pub accent_color: String,
    pub default_locale: String,
    /// How long temporary passwords stay valid (the pool's `TemporaryPasswordValidityDays`).
    pub temporary_password_days: u32,
}

impl Default for Branding {
    fn default() -> Self {
        Branding {
            app_name: "your app".to_owned(),
            reset_url: None,
            accent_color: "#2f6fed".to_owned(),
            default_locale: "en".to_owned(),
            temporary_password_days: 3,
        }
    }
}

/// The code as it goes into a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code<'a> {
    /// Cognito's placeholder (custom message trigger): must appear verbatim, Cognito replaces it.
    Placeholder(&'a str),
    /// The decrypted code (custom senders).
    Plain(&'a str),
    /// No code (account-takeover notifications).
    None,
}

/// Everything a message is rendered from.
#[derive(Debug, Clone)]
pub struct MessageInput<'a> {
    pub kind: MessageKind,
    pub branding: &'a Branding,
    /// Locale tags to try first (from client metadata, then the user's `locale` attribute).
    pub locales: Vec<&'a str>,
    pub code: Code<'a>,
    /// The username as shown (AdminCreateUser): Cognito's placeholder, or the real one.
    pub username: &'a str,
    /// The real username, for the reset link.
    pub link_username: &'a str,
    pub user_attributes: &'a StringMap,
    /// Strings that must not reach a message from an attribute value (Cognito's placeholders:
    /// a user named `{####}` must not get a second copy of the code where their name goes).
    pub reserved: &'a [&'a str],
}

/// A rendered message in every channel.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// The locale whose template was used.
    pub locale: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    pub sms: String,
}

/// Written by hand: rendered messages of the senders contain the code.
impl std::fmt::Debug for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendered")
            .field("locale", &self.locale)
            .field("subject_chars", &self.subject.chars().count())
            .field("html_chars", &self.html.chars().count())
            .field("text_chars", &self.text.chars().count())
            .field("sms_chars", &self.sms.chars().count())
            .finish()
    }
}

/// Why a message could not be rendered or would not be accepted. Never carries message text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("template {name} failed: {detail}")]
    Template { name: String, detail: String },
    #[error("no template for {0} in any locale")]
    Missing(&'static str),
    #[error("the {part} does not contain the {what} placeholder Cognito requires")]
    MissingPlaceholder { part: &'static str, what: &'static str },
    #[error("the {part} has {chars} characters; Cognito accepts at most {max}")]
    TooLong {
        part: &'static str,
        chars: usize,
        max: usize,
    },
    #[error("the {0} is empty")]
    Empty(&'static str),
}

fn template_error(name: &str, e: &minijinja::Error) -> MessageError {
    // Only the kind and position: a minijinja error's detail could quote template input.
    let detail = match e.line() {
        Some(line) => format!("{:?} at line {line}", e.kind()),
        None => format!("{:?}", e.kind()),
    };
    MessageError::Template {
        name: name.to_owned(),
        detail,
    }
}

/// The compiled catalog. Build it once at init.
#[derive(Debug)]
pub struct Catalog {
    env: Environment<'static>,
    locales: BTreeSet<String>,
}

#[derive(Serialize)]
struct Context<'a> {
    locale: &'a str,
    app_name: &'a str,
    accent_color: &'a str,
    /// The button text on `accent_color`, and the links' colour on the white card: readable
    /// whatever the brand colour ([`color`]).
    accent_text: &'static str,
    accent_link: &'a str,
    name: String,
    /// Cognito's placeholders are marked safe so HTML escaping cannot alter them (Cognito
    /// must find them verbatim); a real code or username is escaped like any other value.
    code: Option<Value>,
    username: Value,
    link: Option<String>,
    temporary_password_days: u32,
    event: StringMap,
}

#[derive(Serialize)]
struct Blocks {
    subject: String,
    heading: String,
    greeting: String,
    intro: String,
    code_label: String,
    username_label: String,
    action: String,
    confirm_label: String,
    deny_label: String,
    outro: String,
    footer: String,
}

#[derive(Serialize)]
struct LayoutContext<'a> {
    #[serde(flatten)]
    ctx: &'a Context<'a>,
    #[serde(flatten)]
    blocks: &'a Blocks,
}

impl Catalog {
    /// Compiles the templates embedded in this crate; a syntax error fails here, at init.
    pub fn embedded() -> Result<Self, MessageError> {
        Self::from_sources(embedded::TEMPLATES.iter().copied())
    }

    /// Compiles a catalog from `(name, source)` pairs laid out as `templates/` is.
    pub fn from_sources<'s>(sources: impl IntoIterator<Item = (&'s str, &'s str)>) -> Result<Self, MessageError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_keep_trailing_newline(false);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        let mut locales = BTreeSet::new();
        for (name, source) in sources {
            env.add_template_owned(name.to_owned(), source.to_owned())
                .map_err(|e| template_error(name, &e))?;
            if let Some(locale) = name.strip_suffix("/base.j2") {
                locales.insert(locale.to_owned());
            }
        }
        for required in ["layout.html", "layout.txt"] {
            env.get_template(required).map_err(|e| template_error(required, &e))?;
        }
        if !locales.contains("en") {
            return Err(MessageError::Missing("the en base"));
        }
        Ok(Catalog { env, locales })
    }

    /// The locales that have templates.
    pub fn locales(&self) -> impl Iterator<Item = &str> {
        self.locales.iter().map(String::as_str)
    }

    /// The first locale along the chain that has a template for `kind`.
    fn pick(&self, kind: MessageKind, candidates: &[&str], default: &str) -> Result<(String, String), MessageError> {
        locale::chain(candidates.iter().copied(), default)
            .into_iter()
            .map(|l| {
                let name = format!("{l}/{}.j2", kind.name());
                (l, name)
            })
            .find(|(_, name)| self.env.get_template(name).is_ok())
            .ok_or(MessageError::Missing(kind.name()))
    }

    /// Renders a message in every channel.
    pub fn render(&self, input: &MessageInput<'_>) -> Result<Rendered, MessageError> {
        let b = input.branding;
        let (locale, name) = self.pick(input.kind, &input.locales, &b.default_locale)?;
        let attr = |key: &str| {
            input
                .user_attributes
                .get(key)
                .map(|v| display_value(v, input.reserved, limits::ATTRIBUTE_MAX))
                .filter(|v| !v.is_empty())
        };
        let name_shown = attr("given_name").or_else(|| attr("name")).unwrap_or_default();
        let link = match (input.kind, &b.reset_url, input.code) {
            (MessageKind::ForgotPassword, Some(base), Code::Placeholder(p)) => {
                Some(reset_link(base, input.link_username, p, false))
            }
            (MessageKind::ForgotPassword, Some(base), Code::Plain(c)) => {
                Some(reset_link(base, input.link_username, c, true))
            }
            _ => None,
        };
        // Account-takeover details, present only in those events (upper-case keys).
        let event: StringMap = input
            .user_attributes
            .iter()
            .filter(|(k, _)| k.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .map(|(k, v)| {
                let shown = if k.starts_with("ONE_CLICK_LINK") {
                    if v.starts_with("https://") {
                        v.clone()
                    } else {
                        String::new()
                    }
                } else {
                    display_value(v, input.reserved, limits::ATTRIBUTE_MAX)
                };
                (k.to_ascii_lowercase(), shown)
            })
            .collect();
        let code_text = match input.code {
            Code::Placeholder(p) | Code::Plain(p) => Some(p),
            Code::None => None,
        };
        let ctx = Context {
            locale: &locale,
            app_name: &b.app_name,
            accent_color: &b.accent_color,
            accent_text: color::text_on(&b.accent_color),
            accent_link: color::link_on_card(&b.accent_color),
            name: name_shown,
            code: match input.code {
                Code::Placeholder(p) => Some(Value::from_safe_string(p.to_owned())),
                Code::Plain(c) => Some(Value::from(c)),
                Code::None => None,
            },
            username: match input.code {
                Code::Placeholder(_) => Value::from_safe_string(input.username.to_owned()),
                _ => Value::from(input.username),
            },
            link,
            temporary_password_days: b.temporary_password_days,
            event,
        };
        let tmpl = self.env.get_template(&name).map_err(|e| template_error(&name, &e))?;
        let mut captured = tmpl.render_captured(&ctx).map_err(|e| template_error(&name, &e))?;
        let mut block = |block: &str| -> Result<String, MessageError> {
            match captured.with_state_mut(|state| state.render_block(block)) {
                Ok(s) => Ok(s.trim().to_owned()),
                Err(e) if e.kind() == ErrorKind::UnknownBlock => Ok(String::new()),
                Err(e) => Err(template_error(&name, &e)),
            }
        };
        let blocks = Blocks {
            subject: one_line(&block("subject")?),
            heading: block("heading")?,
            greeting: block("greeting")?,
            intro: block("intro")?,
            code_label: block("code_label")?,
            username_label: block("username_label")?,
            action: block("action")?,
            confirm_label: block("confirm_label")?,
            deny_label: block("deny_label")?,
            outro: block("outro")?,
            footer: block("footer")?,
        };
        let sms_text = block("sms")?;
        let layout = Value::from_serialize(LayoutContext {
            ctx: &ctx,
            blocks: &blocks,
        });
        let render_layout = |layout_name: &str| -> Result<String, MessageError> {
            self.env
                .get_template(layout_name)
                .and_then(|t| t.render(&layout))
                .map_err(|e| template_error(layout_name, &e))
        };
        let html = render_layout("layout.html")?;
        let text = render_layout("layout.txt")?;
        Ok(Rendered {
            locale,
            subject: blocks.subject,
            html,
            text: text.trim().to_owned() + "\n",
            // What the user must type arrives exactly: only the words around it are respelled.
            sms: sms::fit(&sms_text, &[code_text.unwrap_or_default(), input.username]),
        })
    }
}

impl Rendered {
    /// Checks what Cognito requires of a custom message response: each part non-empty and
    /// within its limit, the subject on one line, the code placeholder in the email and the
    /// SMS, and for AdminCreateUser the username placeholder too.
    pub fn check_custom_message(&self, kind: MessageKind, code: &str, username: &str) -> Result<(), MessageError> {
        for (part, text, max) in [
            ("email subject", &self.subject, limits::EMAIL_SUBJECT_MAX),
            ("email message", &self.html, limits::EMAIL_MESSAGE_MAX),
            ("SMS message", &self.sms, limits::SMS_MESSAGE_MAX),
        ] {
            let chars = text.chars().count();
            if text.trim().is_empty() {
                return Err(MessageError::Empty(part));
            }
            if chars > max {
                return Err(MessageError::TooLong { part, chars, max });
            }
        }
        if self.subject.contains(['\r', '\n']) {
            return Err(MessageError::Template {
                name: "subject".into(),
                detail: "contains a line break".into(),
            });
        }
        for (part, text) in [("email message", &self.html), ("SMS message", &self.sms)] {
            if kind != MessageKind::AccountTakeOverNotification && !text.contains(code) {
                return Err(MessageError::MissingPlaceholder { part, what: "code" });
            }
            if kind == MessageKind::AdminCreateUser && !text.contains(username) {
                return Err(MessageError::MissingPlaceholder { part, what: "username" });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;

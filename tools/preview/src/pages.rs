//! Writes the gallery as static files:
//!
//! ```text
//! index.html                      every message, by route, kind and locale
//! manifest.json                   the entries, for the browser test
//! assets/gallery.css
//! messages/<id>.html              one message: inbox line, email (light and dark), text, SMS
//! messages/<id>/email.html        the email exactly as the function wrote it
//! messages/<id>/email-light.html  the same with its dark-mode styles off
//! messages/<id>/email-dark.html   the same with its dark-mode styles applied unconditionally
//! messages/<id>/email.txt         the plain-text part (senders)
//! ```

use std::path::Path;

use minijinja::{AutoEscape, Environment, context};
use serde::Serialize;

use crate::entries::{Entry, Person, Route};

/// The media query the layout's dark-mode styles sit under.
pub const DARK_QUERY: &str = "@media (prefers-color-scheme: dark)";

const INDEX: &str = include_str!("../pages/index.html");
const MESSAGE: &str = include_str!("../pages/message.html");
const CSS: &str = include_str!("../pages/gallery.css");
/// Polls `make preview`'s server and reloads the page when a template or a setting changed;
/// the server answers `/assets/live.js` with it (the pages of a served build load it).
pub const LIVE: &str = include_str!("../pages/live.js");

/// When Cognito sends each kind, for the gallery's headings.
pub fn when(kind: &str) -> &'static str {
    match kind {
        "SignUp" => "After SignUp: the code that confirms a new account.",
        "AdminCreateUser" => "When an administrator creates the user: the username and a temporary password.",
        "ResendCode" => "After ResendConfirmationCode: a new code to confirm the account.",
        "ForgotPassword" => "After ForgotPassword (Amplify's resetPassword): the code that sets a new password.",
        "UpdateUserAttribute" => {
            "When the user changes their email address or phone number: the code that verifies it."
        }
        "VerifyUserAttribute" => "After GetUserAttributeVerificationCode: the code that verifies an attribute.",
        "Authentication" => "At sign-in with multi-factor authentication by SMS or email: the sign-in code.",
        "AccountTakeOverNotification" => {
            "When threat protection blocks or flags a sign-in: what happened and where (custom senders only)."
        }
        _ => "",
    }
}

/// The email with its dark-mode rules applied whatever the viewer prefers: what a client in
/// dark mode shows, side by side with the light one in one page.
pub fn dark(html: &str) -> Option<String> {
    html.contains(DARK_QUERY)
        .then(|| html.replace(DARK_QUERY, "@media all"))
}

/// The email with its dark-mode rules off, so the light column stays light for a viewer whose
/// own system is in dark mode.
pub fn light(html: &str) -> String {
    html.replace(DARK_QUERY, "@media not all")
}

#[derive(Serialize)]
struct Cell<'a> {
    locale: &'a str,
    id: &'a str,
    broken: bool,
}

#[derive(Serialize)]
struct Row<'a> {
    kind: &'a str,
    when: &'static str,
    cells: Vec<Cell<'a>>,
}

#[derive(Serialize)]
struct Group<'a> {
    title: String,
    rows: Vec<Row<'a>>,
    columns: Vec<&'a str>,
}

fn env(build: Option<u64>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_template("index.html", INDEX).expect("the index page compiles");
    env.add_template("message.html", MESSAGE)
        .expect("the message page compiles");
    env.add_global("build", build);
    env
}

/// Groups entries into tables: one per route and person (and client), kinds down, locales across.
fn groups(entries: &[Entry]) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for route in [Route::CustomMessage, Route::Senders] {
        let mut keys: Vec<(Person, Option<&str>)> = Vec::new();
        for e in entries.iter().filter(|e| e.route == route) {
            let key = (e.person, e.client.as_deref());
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        for (person, client) in keys {
            let of: Vec<&Entry> = entries
                .iter()
                .filter(|e| e.route == route && e.person == person && e.client.as_deref() == client)
                .collect();
            let mut columns: Vec<&str> = Vec::new();
            let mut rows: Vec<Row<'_>> = Vec::new();
            for e in &of {
                if !columns.contains(&e.locale.as_str()) {
                    columns.push(&e.locale);
                }
                let cell = Cell {
                    locale: &e.locale,
                    id: &e.id,
                    broken: !e.problems.is_empty(),
                };
                match rows.iter_mut().find(|r| r.kind == e.kind) {
                    Some(r) => r.cells.push(cell),
                    None => rows.push(Row {
                        kind: e.kind,
                        when: when(e.kind),
                        cells: vec![cell],
                    }),
                }
            }
            let title = match client {
                Some(c) => format!("{}: app client {c}", route.label()),
                None => format!("{}: {}", route.label(), person.label()),
            };
            out.push(Group { title, rows, columns });
        }
    }
    out
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes the gallery into `out` (created if missing). With the number of a served build, the
/// pages carry it and the script that reloads them when a later build is in place.
pub fn write_gallery(out: &Path, entries: &[Entry], shown: &[(&str, &str)], build: Option<u64>) -> Result<(), String> {
    let env = env(build);
    let render = |name: &str, ctx: minijinja::Value| {
        env.get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| format!("the gallery's {name} failed: {e:#}"))
    };
    let index = render(
        "index.html",
        context! { groups => groups(entries), settings => shown, count => entries.len(),
        broken => entries.iter().filter(|e| !e.problems.is_empty()).count() },
    )?;
    write(&out.join("index.html"), &index)?;
    write(&out.join("assets/gallery.css"), CSS)?;
    let mut manifest = Vec::new();
    for e in entries {
        let dir = out.join("messages").join(&e.id);
        let dark_html = e.email.as_ref().and_then(|m| dark(&m.html));
        if let Some(m) = &e.email {
            write(&dir.join("email.html"), &m.html)?;
            write(&dir.join("email-light.html"), &light(&m.html))?;
            write(&dir.join("email-dark.html"), dark_html.as_deref().unwrap_or(&m.html))?;
            if let Some(t) = &m.text {
                write(&dir.join("email.txt"), t)?;
            }
        }
        let page = render(
            "message.html",
            context! { e => e, when => when(e.kind), has_dark => dark_html.is_some(),
            route_label => e.route.label(), person_label => e.person.label() },
        )?;
        write(&out.join("messages").join(format!("{}.html", e.id)), &page)?;
        manifest.push(serde_json::json!({
            "id": e.id, "kind": e.kind, "locale": e.locale, "renderedLocale": e.rendered_locale,
            "route": e.route, "person": e.person, "client": e.client,
            "page": format!("messages/{}.html", e.id),
            "email": e.email.as_ref().map(|_| format!("messages/{}/email.html", e.id)),
            "emailDark": e.email.as_ref().map(|_| format!("messages/{}/email-dark.html", e.id)),
            "hasDarkStyles": dark_html.is_some(),
            "subject": e.email.as_ref().map(|m| m.subject.as_str()),
            "preheader": e.email.as_ref().map(|m| m.preheader.as_str()),
            "sms": e.sms,
            "mustShow": e.must_show,
            "problems": e.problems,
        }));
    }
    let manifest = serde_json::to_string_pretty(&manifest).expect("entries serialize");
    write(&out.join("manifest.json"), &(manifest + "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dark_copy_applies_the_dark_rules_unconditionally() {
        let html = "<style>@media (prefers-color-scheme: dark) { .a { color: #fff !important; } }</style>";
        assert_eq!(
            dark(html).unwrap(),
            "<style>@media all { .a { color: #fff !important; } }</style>"
        );
        assert_eq!(dark("<p>no dark styles</p>"), None);
        assert_eq!(
            light(html),
            "<style>@media not all { .a { color: #fff !important; } }</style>"
        );
    }

    #[test]
    fn every_kind_says_when_cognito_sends_it() {
        for kind in cognito_reset::domain::events::MessageKind::ALL {
            assert!(when(kind.name()).ends_with('.'), "{}", kind.name());
        }
    }
}

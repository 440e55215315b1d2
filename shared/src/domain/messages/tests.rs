use super::*;

fn catalog() -> Catalog {
    Catalog::embedded().expect("embedded templates compile")
}

fn input<'a>(kind: MessageKind, branding: &'a Branding, attrs: &'a StringMap, code: Code<'a>) -> MessageInput<'a> {
    MessageInput {
        kind,
        branding,
        locales: vec![],
        code,
        username: "{username}",
        link_username: "jane.doe+test@example.com",
        user_attributes: attrs,
        reserved: &["{####}", "{username}"],
    }
}

#[test]
fn every_block_renders_for_forgot_password() {
    let b = Branding {
        app_name: "Contoso".into(),
        ..Branding::default()
    };
    let attrs: StringMap = [("given_name".to_owned(), "Jane".to_owned())].into();
    let r = catalog()
        .render(&input(
            MessageKind::ForgotPassword,
            &b,
            &attrs,
            Code::Placeholder("{####}"),
        ))
        .unwrap();
    assert_eq!(r.locale, "en");
    assert_eq!(r.subject, "Reset your Contoso password");
    assert!(r.html.contains("Hi Jane,"), "{}", r.html);
    assert!(r.html.contains("{####}"));
    assert!(r.text.contains("Your reset code: {####}"), "{}", r.text);
    assert!(
        r.sms.starts_with("Contoso: your password reset code is {####}."),
        "{}",
        r.sms
    );
    assert!(r.html.contains("lang=\"en\""));
    r.check_custom_message(MessageKind::ForgotPassword, "{####}", "{username}")
        .unwrap();
}

#[test]
fn attributes_are_escaped_in_html_but_not_in_text() {
    let b = Branding::default();
    let attrs: StringMap = [("given_name".to_owned(), "<b>Eve</b> & \"co\"".to_owned())].into();
    let r = catalog()
        .render(&input(MessageKind::SignUp, &b, &attrs, Code::Placeholder("{####}")))
        .unwrap();
    assert!(
        r.html.contains("&lt;b&gt;Eve&lt;&#x2f;b&gt; &amp; &quot;co&quot;")
            || r.html.contains("&lt;b&gt;Eve&lt;/b&gt; &amp; &quot;co&quot;"),
        "{}",
        r.html
    );
    assert!(!r.html.contains("<b>Eve"));
    assert!(r.text.contains("Hi <b>Eve</b> & \"co\","), "{}", r.text);
}

#[test]
fn placeholders_in_attributes_are_not_expanded() {
    let b = Branding::default();
    let attrs: StringMap = [("given_name".to_owned(), "{##{####}##} {username}".to_owned())].into();
    let r = catalog()
        .render(&input(MessageKind::SignUp, &b, &attrs, Code::Placeholder("{####}")))
        .unwrap();
    assert_eq!(r.html.matches("{####}").count(), 1, "{}", r.html);
    assert!(!r.html.contains("{username}"));
    assert_eq!(display_value("{##{####}##}", &["{####}"], 40), "");
}

#[test]
fn long_and_hostile_attributes_are_cut_and_cleaned() {
    assert_eq!(display_value("a\r\nb\u{202e}c\td", &[], 40), "a bc d");
    let long = "x".repeat(500);
    let shown = display_value(&long, &[], 40);
    assert_eq!(shown.chars().count(), 40);
    assert!(shown.ends_with('…'));
    // Emoji take two UTF-16 units each (as in a UCS-2 SMS): 40 units, not 40 characters.
    let emoji = display_value(&"🕴".repeat(50), &[], 40);
    assert_eq!(emoji.encode_utf16().count(), 39, "19 emoji and the ellipsis");
    assert_eq!(
        display_value(&"🕴".repeat(20), &[], 40),
        "🕴".repeat(20),
        "exactly 40 units fit"
    );
}

#[test]
fn subject_never_has_line_breaks() {
    assert_eq!(one_line("a\r\n  b\n"), "a b");
}

#[test]
fn reset_link_keeps_the_code_in_the_fragment_encodes_the_username_and_keeps_the_placeholder() {
    let link = reset_link("https://app.example.com/reset", "jane+x@example.com", "{####}", false);
    assert_eq!(
        link,
        "https://app.example.com/reset#username=jane%2Bx%40example.com&code={####}"
    );
    let link = reset_link("https://app.example.com/r?src=mail", "a b", "12 3", true);
    assert_eq!(link, "https://app.example.com/r?src=mail#username=a%20b&code=12%203");
    assert!(
        !link.split('#').next().unwrap().contains("code="),
        "nothing a server sees holds the code: {link}"
    );
    // Hash routers: the fragment's own query.
    assert_eq!(
        reset_link("https://app.example.com/#/reset", "a", "1", true),
        "https://app.example.com/#/reset?username=a&code=1"
    );
    assert_eq!(
        reset_link("https://app.example.com/#/reset?x=1", "a", "1", true),
        "https://app.example.com/#/reset?x=1&username=a&code=1"
    );
    assert_eq!(
        reset_link("https://app.example.com/reset#", "a", "1", true),
        "https://app.example.com/reset#username=a&code=1"
    );
}

#[test]
fn forgot_password_links_only_when_configured() {
    let attrs = StringMap::new();
    let plain = Branding::default();
    let r = catalog()
        .render(&input(
            MessageKind::ForgotPassword,
            &plain,
            &attrs,
            Code::Placeholder("{####}"),
        ))
        .unwrap();
    assert!(!r.html.contains("<a href"));
    let linked = Branding {
        reset_url: Some("https://app.example.com/reset".into()),
        ..Branding::default()
    };
    let r = catalog()
        .render(&input(
            MessageKind::ForgotPassword,
            &linked,
            &attrs,
            Code::Placeholder("{####}"),
        ))
        .unwrap();
    assert!(
        r.html.contains("href=\"https:&#x2f;&#x2f;app.example.com&#x2f;reset#username=jane.doe%2Btest%40example.com&amp;code={####}\"")
            || r.html.contains("href=\"https://app.example.com/reset#username=jane.doe%2Btest%40example.com&amp;code={####}\""),
        "{}",
        r.html
    );
    assert!(
        r.text
            .contains("https://app.example.com/reset#username=jane.doe%2Btest%40example.com&code={####}")
    );
}

#[test]
fn admin_create_user_carries_both_placeholders() {
    let b = Branding::default();
    let attrs = StringMap::new();
    let r = catalog()
        .render(&input(
            MessageKind::AdminCreateUser,
            &b,
            &attrs,
            Code::Placeholder("{####}"),
        ))
        .unwrap();
    r.check_custom_message(MessageKind::AdminCreateUser, "{####}", "{username}")
        .unwrap();
    assert!(r.sms.contains("{username}") && r.sms.contains("{####}"));
}

#[test]
fn locale_falls_back_along_the_chain() {
    let b = Branding {
        default_locale: "es".into(),
        ..Branding::default()
    };
    let attrs = StringMap::new();
    let c = catalog();
    let mut i = input(MessageKind::ForgotPassword, &b, &attrs, Code::Placeholder("{####}"));
    i.locales = vec!["pt-BR"];
    assert_eq!(c.render(&i).unwrap().locale, "pt");
    i.locales = vec!["xx"];
    assert_eq!(c.render(&i).unwrap().locale, "es");
    i.locales = vec!["fr-CA", "pt"];
    assert_eq!(c.render(&i).unwrap().locale, "fr");
}

#[test]
fn check_rejects_missing_placeholders_and_overlong_parts() {
    let ok = Rendered {
        locale: "en".into(),
        subject: "s".into(),
        html: "<p>{####}</p>".into(),
        text: String::new(),
        sms: "code {####}".into(),
    };
    ok.check_custom_message(MessageKind::SignUp, "{####}", "{username}")
        .unwrap();
    let mut r = ok.clone();
    r.sms = "no code".into();
    assert_eq!(
        r.check_custom_message(MessageKind::SignUp, "{####}", "{username}"),
        Err(MessageError::MissingPlaceholder {
            part: "SMS message",
            what: "code"
        })
    );
    assert!(matches!(
        ok.check_custom_message(MessageKind::AdminCreateUser, "{####}", "{username}"),
        Err(MessageError::MissingPlaceholder { what: "username", .. })
    ));
    let mut r = ok.clone();
    r.subject = "x".repeat(141);
    assert!(matches!(
        r.check_custom_message(MessageKind::SignUp, "{####}", "{username}"),
        Err(MessageError::TooLong { max: 140, .. })
    ));
    let mut r = ok;
    r.subject = "a\nb".into();
    assert!(
        r.check_custom_message(MessageKind::SignUp, "{####}", "{username}")
            .is_err()
    );
}

#[test]
fn a_broken_catalog_fails_at_init() {
    let err = Catalog::from_sources([("layout.html", "{% if %}"), ("layout.txt", ""), ("en/base.j2", "")]).unwrap_err();
    assert!(
        matches!(err, MessageError::Template { ref name, .. } if name == "layout.html"),
        "{err}"
    );
    let err = Catalog::from_sources([("layout.html", ""), ("layout.txt", "")]).unwrap_err();
    assert_eq!(err, MessageError::Missing("the en base"));
}

#[test]
fn rendered_debug_shows_sizes_not_text() {
    let r = Rendered {
        locale: "en".into(),
        subject: "s".into(),
        html: "123456".into(),
        text: "123456".into(),
        sms: "123456".into(),
    };
    assert!(!format!("{r:?}").contains("123456"));
}

//! The message gallery in a real browser: built by the functions' handlers (`tools/preview`),
//! then checked by `tests/preview/check.mjs` in Debian's Chromium (no sideways scroll at 375
//! and 1,024 px, axe-core, the code visible, dark mode, screenshots, email-client findings
//! against the docs' table). `make test` installs Chromium and the Node packages.

use std::path::Path;
use std::process::Command;

use cognito_reset_stack::root;
use serde_json::Value;

#[test]
fn every_message_of_the_gallery_passes_the_browser_checks() {
    let root = root();
    let out = root.join("target/preview");
    let inputs = preview::Inputs {
        env_file: Some(root.join("tests/preview/gallery.env")),
        ..preview::Inputs::repository()
    };
    let entries = preview::write(&inputs, &out, None).expect("the gallery builds");
    let broken: Vec<_> = entries
        .iter()
        .filter(|e| !e.problems.is_empty())
        .map(|e| &e.id)
        .collect();
    assert!(broken.is_empty(), "messages the functions could not write: {broken:?}");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: `make test` installs Debian's chromium (make tools)"
    );
    let run = Command::new("node")
        .arg("tests/preview/check.mjs")
        .arg(&out)
        .arg("docs/src/preview.md")
        .current_dir(&root)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "the browser checks failed:\n{stderr}\n{stdout}");
    let report: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("no report ({e}):\n{stdout}\n{stderr}"));
    let emails = entries.iter().filter(|e| e.email.is_some()).count();
    assert_eq!(emails, entries.len(), "every message has an email");
    assert_eq!(report["emails"], emails, "{report}");
    // Two widths in two schemes per email; one screenshot per scheme, and the docs' two.
    assert_eq!(report["checks"], 4 * emails, "{report}");
    assert_eq!(report["shots"], 2 * emails + 2, "{report}");
    assert_eq!(report["pages"], entries.len() + 1, "{report}");
    assert_eq!(report["failures"], 0, "{report}");
    for e in &entries {
        for name in [format!("{}.png", e.id), format!("{}-dark.png", e.id)] {
            let png = std::fs::read(out.join("shots").join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 1000,
                "{name} is not a screenshot"
            );
        }
    }
}

fn get(url: &str) -> Result<String, String> {
    ureq::get(url)
        .call()
        .map_err(|e| format!("{url}: {e}"))?
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("{url}: {e}"))
}

/// `make preview`: the server rebuilds the gallery when a template or the env file changes,
/// bumps `/__version` (which the pages poll), and serves nothing outside the gallery.
#[test]
fn the_preview_server_rebuilds_when_a_template_or_a_setting_changes() {
    let work = std::env::temp_dir().join(format!("cognito-reset-preview-{}", std::process::id()));
    let templates = work.join("templates");
    for (name, source) in preview::read_templates(&preview::Inputs::repository().templates).unwrap() {
        let path = templates.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, source).unwrap();
    }
    let env_file = work.join("local.env");
    std::fs::write(&env_file, "APP_NAME=Contoso\n").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let inputs = preview::Inputs {
        templates: templates.clone(),
        env_file: Some(env_file.clone()),
    };
    let out = work.join("gallery");
    std::thread::spawn(move || preview::serve::run(inputs, out, port));
    let base = format!("http://127.0.0.1:{port}");
    let page = format!("{base}/messages/ForgotPassword.en.custom-message.typical/email.html");
    let wait_for = |what: &str, ok: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !ok() {
            assert!(std::time::Instant::now() < deadline, "{what} within 60 s");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    };
    wait_for("the first build", &|| get(&page).is_ok_and(|p| p.contains("Contoso")));
    let version = get(&format!("{base}/__version")).unwrap();
    let index = get(&format!("{base}/")).unwrap();
    assert!(index.contains("assets/live.js"), "served pages poll for changes");
    // Each page says which build it is: it reloads only once a later one is in place.
    let build_of = |html: &str| -> Option<String> {
        let needle = "<meta name=\"preview-build\" content=\"";
        let at = html.find(needle)? + needle.len();
        Some(html[at..].split('"').next()?.to_owned())
    };
    assert_eq!(build_of(&index).as_deref(), Some(version.as_str()), "{index}");
    let message_page = get(&format!(
        "{base}/messages/ForgotPassword.en.custom-message.typical.html"
    ))
    .unwrap();
    assert_eq!(build_of(&message_page).as_deref(), Some(version.as_str()));

    let forgot = templates.join("en/ForgotPassword.j2");
    let edited = std::fs::read_to_string(&forgot)
        .unwrap()
        .replace("Reset your password", "Choose a new password");
    std::fs::write(&forgot, edited).unwrap();
    wait_for("the rebuild after a template change", &|| {
        get(&page).is_ok_and(|p| p.contains("Choose a new password"))
    });
    // The version the pages poll is the build in place: the page just read is that build or
    // an earlier one, never a later one.
    let rebuilt = get(&format!(
        "{base}/messages/ForgotPassword.en.custom-message.typical.html"
    ))
    .unwrap();
    let latest = get(&format!("{base}/__version")).unwrap();
    let rebuilt_build: u64 = build_of(&rebuilt).unwrap().parse().unwrap();
    assert!(
        rebuilt_build > version.parse().unwrap(),
        "the page is from a later build"
    );
    assert!(
        rebuilt_build <= latest.parse().unwrap(),
        "{rebuilt_build} is not in place yet at {latest}"
    );

    std::fs::write(&env_file, "APP_NAME=Fabrikam\n").unwrap();
    wait_for("the rebuild after a setting change", &|| {
        get(&page).is_ok_and(|p| p.contains("Fabrikam") && !p.contains("Contoso"))
    });

    // A template that does not compile: every page says why instead of showing the last build.
    std::fs::write(templates.join("layout.html"), "{% if %}").unwrap();
    for url in [format!("{base}/"), page.clone()] {
        wait_for("the error page", &|| {
            get(&url).is_ok_and(|p| p.contains("could not be rebuilt") && p.contains("layout.html"))
        });
    }
    // Raw requests (an HTTP client would tidy the path up first): nothing outside the gallery.
    let raw = |request: &str| {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    };
    for outside in ["/../local.env", "/%2e%2e/local.env", "/assets/../../local.env"] {
        let answer = raw(&format!("GET {outside} HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(answer.starts_with("HTTP/1.1 404 "), "{outside}: {answer}");
        assert!(!answer.contains("APP_NAME"), "{outside}: {answer}");
    }
    let answer = raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 405 "), "{answer}");
    let _ = std::fs::remove_dir_all(&work);
}

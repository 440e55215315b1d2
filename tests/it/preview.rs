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
    let entries = preview::write(&preview::Inputs::repository(), &out, false).expect("the gallery builds");
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

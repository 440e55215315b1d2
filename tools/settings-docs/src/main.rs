//! `make settings`: writes the configuration table of `docs/src/configuration.md` (between its
//! `settings:start` and `settings:end` markers) and `shared/settings.json` from `cognito_reset::domain::settings`. A
//! workspace test (`tests/it/settings.rs`) fails when either file differs from what this writes.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::process::ExitCode;

use cognito_reset::domain::settings;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let page = root.join("docs/src/configuration.md");
    let written = std::fs::read_to_string(&page)
        .map_err(|e| format!("{}: {e}", page.display()))
        .and_then(|text| {
            settings::with_configuration_table(&text)
                .ok_or_else(|| "docs/src/configuration.md has no settings:start/settings:end markers".to_owned())
        })
        .and_then(|text| std::fs::write(&page, text).map_err(|e| e.to_string()))
        .and_then(|()| {
            std::fs::write(root.join("shared/settings.json"), settings::settings_json()).map_err(|e| e.to_string())
        });
    match written {
        Ok(()) => {
            println!("wrote the configuration table in docs/src/configuration.md and shared/settings.json");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("settings-docs: {e}");
            ExitCode::FAILURE
        }
    }
}

//! `make settings`: writes what is generated from `cognito_reset::domain::settings`: the
//! configuration table of `docs/src/configuration.md` (between its `settings:start` and
//! `settings:end` markers), `shared/settings.json`, the constraints of the parameters of
//! `infra/template.json` that fill a function's variable, and the npm package's typed options
//! (`npm/cognito-reset/src/settings.ts`). A workspace test
//! (`tests/it/settings.rs`) fails when any of them differs from what this writes.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::process::ExitCode;

use cognito_reset::domain::settings;

fn rewrite(path: &Path, with: impl FnOnce(&str) -> Result<String, String>) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let written = with(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::write(path, written).map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let written = rewrite(&root.join("docs/src/configuration.md"), |text| {
        settings::with_configuration_table(text).ok_or_else(|| "no settings:start/settings:end markers".to_owned())
    })
    .and_then(|()| rewrite(&root.join("shared/settings.json"), |_| Ok(settings::settings_json())))
    .and_then(|()| rewrite(&root.join("infra/template.json"), settings::with_template_constraints))
    .and_then(|()| {
        let path = root.join(settings::TYPESCRIPT_PATH);
        std::fs::write(&path, settings::typescript_settings()).map_err(|e| format!("{}: {e}", path.display()))
    });
    match written {
        Ok(()) => {
            println!(
                "wrote the configuration table in docs/src/configuration.md, shared/settings.json, the parameter constraints of infra/template.json and {}",
                settings::TYPESCRIPT_PATH
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("settings-docs: {e}");
            ExitCode::FAILURE
        }
    }
}

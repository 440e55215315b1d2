//! The message gallery: every email and SMS the functions send, in every locale, by both
//! routes (the custom message trigger and the custom senders), for typical and worst-case
//! users and for each app client's branding, rendered by the functions' own handlers.
//!
//! `make preview-build` writes it to `target/preview/`; `make preview` serves it on loopback
//! and rebuilds it when a template or a setting changes. The browser test
//! (`tests/preview/check.mjs`) reads `manifest.json`.

pub mod entries;
pub mod pages;
pub mod serve;
pub mod settings;

use std::path::{Path, PathBuf};

use cognito_reset::domain::messages::Catalog;
use cognito_reset::domain::messages::files::template_files;

pub use entries::Entry;
pub use settings::Settings;

/// Where the gallery's inputs are.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The message templates, laid out as `shared/templates/` (read at every build, so a
    /// change shows without rebuilding the functions).
    pub templates: PathBuf,
    /// KEY=VALUE settings, overlaid by the environment.
    pub env_file: Option<PathBuf>,
}

impl Inputs {
    /// The folder of the workspace this crate is in.
    pub fn repository_root() -> PathBuf {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        here.parent().and_then(Path::parent).unwrap_or(here).to_path_buf()
    }

    /// The repository's templates and `config/local.env`.
    pub fn repository() -> Self {
        let root = Self::repository_root();
        Inputs {
            templates: root.join("shared/templates"),
            env_file: Some(root.join("config/local.env")),
        }
    }
}

/// Reads every template under `dir` as `(name, source)`, as `shared/build.rs` embeds them.
pub fn read_templates(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let files = template_files(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    files
        .into_iter()
        .map(|(name, path)| {
            let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok((name, source))
        })
        .collect()
}

/// Compiles the templates under `dir` as the functions compile their embedded copy.
pub fn catalog(dir: &Path) -> Result<Catalog, String> {
    let sources = read_templates(dir)?;
    Catalog::from_sources(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| format!("{}: {e}", dir.display()))
}

/// Renders every message of the gallery.
pub fn build(inputs: &Inputs) -> Result<(Settings, Vec<Entry>), String> {
    let settings = Settings::load(inputs.env_file.as_deref())?;
    let functions = entries::Functions::new(&settings, || catalog(&inputs.templates))?;
    let locales = functions.locales();
    let messages = functions.messages();
    let default_locale = messages.default.default_locale.clone();
    let clients: Vec<(String, String)> = settings
        .client_ids()
        .into_iter()
        .map(|id| {
            let locale = messages.branding(Some(&id)).default_locale.clone();
            (id, locale)
        })
        .collect();
    let entries = entries::cases(&locales, &default_locale, &clients)
        .iter()
        .map(|case| functions.render(case))
        .collect();
    Ok((settings, entries))
}

/// Builds the gallery into `out`; `served` is the number of a build `make preview` serves (its
/// pages then reload when a later one is in place), `None` for static files.
pub fn write(inputs: &Inputs, out: &Path, served: Option<u64>) -> Result<Vec<Entry>, String> {
    let (settings, entries) = build(inputs)?;
    if out.exists() {
        std::fs::remove_dir_all(out.join("messages")).or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Ok(()),
            _ => Err(format!("{}: {e}", out.display())),
        })?;
    }
    pages::write_gallery(out, &entries, &settings.shown(), served)?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_on_disk_are_the_ones_the_functions_embed() {
        let on_disk = read_templates(&Inputs::repository().templates).unwrap();
        let embedded = cognito_reset::domain::messages::embedded_templates();
        let on_disk: Vec<(&str, &str)> = on_disk.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
        assert_eq!(on_disk, embedded);
    }
}

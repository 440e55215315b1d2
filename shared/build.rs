//! Embeds every file under `templates/` into the crate, so a deployed function carries its
//! message catalog in the binary and adding a locale is adding a folder.

use std::{env, fs, path::Path};

#[path = "src/domain/messages/files.rs"]
mod files;

fn main() {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("templates");
    println!("cargo:rerun-if-changed={}", root.display());
    let files = files::template_files(&root).unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()));
    let mut code = String::from(
        "/// Every embedded template: (name relative to `templates/`, source).\npub static TEMPLATES: &[(&str, &str)] = &[\n",
    );
    for (name, path) in files {
        code.push_str(&format!("    ({name:?}, include_str!({path:?})),\n"));
    }
    code.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets it")).join("templates.rs");
    fs::write(out, code).expect("write templates.rs");
}

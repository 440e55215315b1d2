//! `make phone-data`: writes `shared/src/domain/phone/data.rs` and
//! `shared/src/domain/settings/countries.rs` from the `phonenumber` crate's metadata, naming the
//! crate's version from the workspace's lock file.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let version = std::fs::read_to_string(root.join("Cargo.lock")).ok().and_then(|lock| {
        let at = lock.find("name = \"phonenumber\"")?;
        let line = lock[at..].lines().nth(1)?;
        Some(line.trim_start_matches("version = ").trim_matches('"').to_owned())
    });
    let Some(version) = version else {
        eprintln!("gen-phone-data: no phonenumber in Cargo.lock");
        return ExitCode::FAILURE;
    };
    let files = [
        ("shared/src/domain/phone/data.rs", gen_phone_data::render(&version)),
        (
            "shared/src/domain/settings/countries.rs",
            gen_phone_data::render_countries(&version),
        ),
    ];
    for (path, text) in files {
        if let Err(e) = std::fs::write(root.join(path), text) {
            eprintln!("gen-phone-data: {path}: {e}");
            return ExitCode::FAILURE;
        }
        println!("wrote {path} from phonenumber {version}");
    }
    ExitCode::SUCCESS
}

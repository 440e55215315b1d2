//! `make phone-data`: writes `shared/src/delivery/phone/data.rs` from the `phonenumber`
//! crate's metadata, naming the crate's version from the workspace's lock file.
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
    let path = root.join("shared/src/delivery/phone/data.rs");
    match std::fs::write(&path, gen_phone_data::render(&version)) {
        Ok(()) => {
            println!("wrote shared/src/delivery/phone/data.rs from phonenumber {version}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-phone-data: {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}

//! `preview build [--out DIR]` writes the gallery (default `target/preview/`);
//! `preview serve [--port N]` serves it on loopback and rebuilds it on every change (into
//! `target/preview-serve/` unless `--out` says otherwise, so that a build or the browser test
//! writing `target/preview/` meanwhile does not change what is served).
//! Both take `--templates DIR` and `--env-file FILE` (default: the repository's
//! `shared/templates/` and `config/local.env`; `--env-file none` for none).

use std::path::PathBuf;
use std::process::ExitCode;

use preview::Inputs;

const USAGE: &str = "usage: preview build [--out DIR] | preview serve [--port N] [--out DIR]; both [--templates DIR] [--env-file FILE|none]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("preview: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut args = args.into_iter();
    let command = args.next().ok_or(USAGE)?;
    let mut inputs = Inputs::repository();
    let mut out: Option<PathBuf> = None;
    let mut port: u16 = 8025;
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value; {USAGE}"));
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--templates" => inputs.templates = PathBuf::from(value()?),
            "--env-file" => {
                let v = value()?;
                inputs.env_file = (v != "none").then(|| PathBuf::from(v));
            }
            "--port" => {
                let v = value()?;
                port = v.parse().map_err(|_| format!("--port {v}: not a port number"))?;
            }
            _ => return Err(format!("unknown argument {flag}; {USAGE}")),
        }
    }
    let target = Inputs::repository_root().join("target");
    match command.as_str() {
        "build" => {
            let out = out.unwrap_or_else(|| target.join("preview"));
            let entries = preview::write(&inputs, &out, None)?;
            let broken: Vec<&preview::Entry> = entries.iter().filter(|e| !e.problems.is_empty()).collect();
            eprintln!("==> {} messages in {}/index.html", entries.len(), out.display());
            if broken.is_empty() {
                Ok(())
            } else {
                for e in &broken {
                    eprintln!("    {}: {}", e.id, e.problems.join("; "));
                }
                Err(format!("{} messages could not be written", broken.len()))
            }
        }
        "serve" => preview::serve::run(inputs, out.unwrap_or_else(|| target.join("preview-serve")), port),
        _ => Err(USAGE.to_owned()),
    }
}

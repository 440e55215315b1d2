//! `make preview`: the gallery on loopback, rebuilt when a template or the env file changes.
//! Each page polls `/__version` and reloads when the build it shows is not the latest.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::Inputs;
use crate::pages::LIVE;

/// What a change is detected by: every template's and the env file's path, size and mtime.
fn fingerprint(inputs: &Inputs) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, u64, Option<SystemTime>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if let Ok(m) = entry.metadata() {
                out.push((path, m.len(), m.modified().ok()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&inputs.templates, &mut out);
    if let Some(f) = &inputs.env_file {
        let m = std::fs::metadata(f).ok();
        out.push((
            f.clone(),
            m.as_ref().map_or(0, std::fs::Metadata::len),
            m.and_then(|m| m.modified().ok()),
        ));
    }
    out.sort();
    out
}

/// Builds into `out`; on failure, the page every HTML request gets instead, saying why.
fn rebuild(inputs: &Inputs, out: &Path) -> Option<String> {
    match crate::write(inputs, out, true) {
        Ok(entries) => {
            let broken = entries.iter().filter(|e| !e.problems.is_empty()).count();
            eprintln!("==> gallery rebuilt: {} messages, {broken} failed", entries.len());
            None
        }
        Err(e) => {
            eprintln!("==> gallery not rebuilt: {e}");
            Some(format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gallery not rebuilt</title>\
                 <script src=\"/assets/live.js\" defer></script></head><body><main><h1>The gallery could not be rebuilt</h1>\
                 <pre>{}</pre><p>Fix it and save: this page reloads.</p></main></body></html>",
                html_escape::encode_text(&e)
            ))
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn respond(mut stream: TcpStream, status: &str, kind: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body));
}

/// The file under `root` a request path names; `None` for anything outside it.
pub fn resolve(root: &Path, request_path: &str) -> Option<PathBuf> {
    let path = request_path.split(['?', '#']).next().unwrap_or("/");
    let mut out = root.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == ".." || part == "." || part.contains('\\') {
            return None;
        }
        out.push(part);
    }
    if path.ends_with('/') || out == root {
        out.push("index.html");
    }
    Some(out)
}

/// What the server shares between requests and the rebuilding thread.
struct State {
    /// Bumped by every rebuild; the pages poll it.
    version: AtomicU64,
    /// The error page while the last rebuild failed.
    failed: Mutex<Option<String>>,
}

fn serve_one(stream: TcpStream, root: &Path, state: &State) {
    let mut line = String::new();
    if BufReader::new(&stream).read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return respond(stream, "400 Bad Request", "text/plain", b"bad request");
    };
    if method != "GET" {
        return respond(stream, "405 Method Not Allowed", "text/plain", b"GET only");
    }
    if target == "/__version" {
        let v = state.version.load(Ordering::SeqCst).to_string();
        return respond(stream, "200 OK", "text/plain", v.as_bytes());
    }
    if target == "/assets/live.js" {
        return respond(stream, "200 OK", content_type(Path::new("live.js")), LIVE.as_bytes());
    }
    let failed = state
        .failed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    if let Some(page) = failed {
        let path = target.split(['?', '#']).next().unwrap_or("/");
        if path.ends_with('/') || path.ends_with(".html") {
            return respond(stream, "200 OK", content_type(Path::new("x.html")), page.as_bytes());
        }
    }
    match resolve(root, target).map(|p| (std::fs::read(&p), p)) {
        Some((Ok(body), p)) => respond(stream, "200 OK", content_type(&p), &body),
        _ => respond(stream, "404 Not Found", "text/plain", b"not found"),
    }
}

/// Serves the gallery on `127.0.0.1:port` until interrupted.
pub fn run(inputs: Inputs, out: PathBuf, port: u16) -> Result<(), String> {
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    let state = Arc::new(State {
        version: AtomicU64::new(1),
        failed: Mutex::new(rebuild(&inputs, &out)),
    });
    {
        let (inputs, out, state) = (inputs.clone(), out.clone(), Arc::clone(&state));
        std::thread::spawn(move || {
            let mut seen = fingerprint(&inputs);
            loop {
                std::thread::sleep(Duration::from_millis(300));
                let now = fingerprint(&inputs);
                if now != seen {
                    seen = now;
                    let failed = rebuild(&inputs, &out);
                    *state.failed.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = failed;
                    state.version.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
    }
    eprintln!(
        "==> the gallery: http://127.0.0.1:{port}/ (rebuilt when {} or {} changes; Ctrl-C stops)",
        inputs.templates.display(),
        inputs
            .env_file
            .as_ref()
            .map_or("no env file".into(), |f| f.display().to_string())
    );
    for stream in listener.incoming().filter_map(Result::ok) {
        let (out, state) = (out.clone(), Arc::clone(&state));
        std::thread::spawn(move || serve_one(stream, &out, &state));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_resolve_inside_the_gallery_only() {
        let root = Path::new("/g");
        assert_eq!(resolve(root, "/"), Some(PathBuf::from("/g/index.html")));
        assert_eq!(
            resolve(root, "/messages/a.html?x=1"),
            Some(PathBuf::from("/g/messages/a.html"))
        );
        assert_eq!(resolve(root, "/assets/"), Some(PathBuf::from("/g/assets/index.html")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(
            resolve(root, "/messages/..%2f/x"),
            Some(PathBuf::from("/g/messages/..%2f/x"))
        );
        assert_eq!(resolve(root, "/a\\..\\b"), None);
    }
}

//! `make preview`: the gallery on loopback, rebuilt when a template or the env file changes.
//! Every page carries the number of the build it belongs to and polls `/__version`; it reloads
//! when a later build is in place. A rebuild is written beside the gallery and moved into place
//! whole, so a request never sees half of one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
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

/// `out` with `suffix` added to its name: a folder beside it.
fn beside(out: &Path, suffix: &str) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    out.with_file_name(name)
}

/// Builds number `build` beside `out`, moves it into place and makes it the version the pages
/// poll, all under `state.swap`'s write lock (a page read after the lock is released is never
/// newer than the version); on failure, every HTML request gets a page that says why.
fn rebuild(inputs: &Inputs, out: &Path, build: u64, state: &State) {
    let next = beside(out, ".next");
    let old = beside(out, ".old");
    let _ = std::fs::remove_dir_all(&next);
    let written = crate::write(inputs, &next, Some(build));
    let writing = state.swap.write().unwrap_or_else(PoisonError::into_inner);
    let moved = written.and_then(|entries| {
        let _ = std::fs::remove_dir_all(&old);
        if out.exists() {
            std::fs::rename(out, &old).map_err(|e| format!("{}: {e}", out.display()))?;
        }
        std::fs::rename(&next, out).map_err(|e| format!("{}: {e}", out.display()))?;
        Ok(entries)
    });
    let failed = match moved {
        Ok(entries) => {
            let broken = entries.iter().filter(|e| !e.problems.is_empty()).count();
            eprintln!("==> gallery rebuilt: {} messages, {broken} failed", entries.len());
            None
        }
        Err(e) => {
            eprintln!("==> gallery not rebuilt: {e}");
            Some(format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gallery not rebuilt</title>\
                 <meta name=\"preview-build\" content=\"{build}\"><script src=\"/assets/live.js\" defer></script></head>\
                 <body><main><h1>The gallery could not be rebuilt</h1>\
                 <pre>{}</pre><p>Fix it and save: this page reloads.</p></main></body></html>",
                html_escape::encode_text(&e)
            ))
        }
    };
    *state.failed.lock().unwrap_or_else(PoisonError::into_inner) = failed;
    state.version.store(build, Ordering::SeqCst);
    drop(writing);
    // The previous build, or what a failed one left half written.
    for leftover in [&old, &next] {
        let _ = std::fs::remove_dir_all(leftover);
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
    /// The number of the build in place (the pages poll it).
    version: AtomicU64,
    /// The error page while the last rebuild failed.
    failed: Mutex<Option<String>>,
    /// Held for reading while a file is read, for writing while a build is moved into place.
    swap: RwLock<()>,
}

/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The most a request's line and headers may take.
const MAX_REQUEST_BYTES: u64 = 16 * 1024;

/// The request's target (`GET` only); reads the request line and every header up to the blank
/// line, so the answer is never sent before the request has been read.
fn read_request(stream: &TcpStream) -> Result<String, (&'static str, &'static [u8])> {
    const BAD: (&str, &[u8]) = ("400 Bad Request", b"bad request");
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let mut reader = BufReader::new(stream.take(MAX_REQUEST_BYTES));
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|_| BAD)?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(BAD);
    };
    let (method, target) = (method.to_owned(), target.to_owned());
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => return Err(BAD),
            Ok(_) if header.trim_end_matches(['\r', '\n']).is_empty() => break,
            Ok(_) if !header.ends_with('\n') => return Err(BAD),
            Ok(_) => {}
        }
    }
    if method != "GET" {
        return Err(("405 Method Not Allowed", b"GET only"));
    }
    Ok(target)
}

fn serve_one(stream: TcpStream, root: &Path, state: &State) {
    let target = match read_request(&stream) {
        Ok(target) => target,
        Err((status, body)) => return respond(stream, status, "text/plain", body),
    };
    if target == "/__version" {
        let v = state.version.load(Ordering::SeqCst).to_string();
        return respond(stream, "200 OK", "text/plain", v.as_bytes());
    }
    if target == "/assets/live.js" {
        return respond(stream, "200 OK", content_type(Path::new("live.js")), LIVE.as_bytes());
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let is_page = path.ends_with('/') || path.ends_with(".html");
    // Under the read lock: what is read belongs to the version in place, never a later one.
    let read = {
        let _reading = state.swap.read().unwrap_or_else(PoisonError::into_inner);
        let failed = state.failed.lock().unwrap_or_else(PoisonError::into_inner).clone();
        match failed {
            Some(page) if is_page => Some((Ok(page.into_bytes()), PathBuf::from("error.html"))),
            _ => resolve(root, &target).map(|p| (std::fs::read(&p), p)),
        }
    };
    match read {
        Some((Ok(body), p)) => respond(stream, "200 OK", content_type(&p), &body),
        _ => respond(stream, "404 Not Found", "text/plain", b"not found"),
    }
}

/// Serves the gallery on `127.0.0.1:port` until interrupted.
pub fn run(inputs: Inputs, out: PathBuf, port: u16) -> Result<(), String> {
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    // Builds are numbered from the server's start in milliseconds, so that a page left open
    // across a restart sees a later build and reloads.
    let first = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(1, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX / 2));
    let state = Arc::new(State {
        version: AtomicU64::new(0),
        failed: Mutex::new(None),
        swap: RwLock::new(()),
    });
    // Taken before the first build, so a change saved while it runs starts another.
    let mut seen = fingerprint(&inputs);
    rebuild(&inputs, &out, first, &state);
    {
        let (inputs, out, state) = (inputs.clone(), out.clone(), Arc::clone(&state));
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(300));
                let now = fingerprint(&inputs);
                if now != seen {
                    seen = now;
                    let build = state.version.load(Ordering::SeqCst) + 1;
                    rebuild(&inputs, &out, build, &state);
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

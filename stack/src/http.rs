//! A minimal HTTP/1.1 exchange for the loopback servers (the proxies, the End User Messaging
//! stand-in, the benchmark's Runtime API): reading a request, writing an answer, and an
//! acceptor serving each connection on its own thread. Hand-written on purpose: the fault
//! proxy must decide exactly when (and whether) an answer is written, which a server crate hides.

use super::*;

/// One HTTP/1.1 request: read whole (a `content-length` body; no chunked bodies, which none
/// of the stack's clients send).
#[derive(Debug)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// Reads the one request of a connection.
    pub fn read(conn: &TcpStream) -> std::io::Result<HttpRequest> {
        let mut reader = std::io::BufReader::new(conn.try_clone()?);
        HttpRequest::read_next(&mut reader)?
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no request"))
    }

    /// Reads the next request of a kept-alive connection; `None` when the client closed it.
    pub fn read_next(reader: &mut impl std::io::BufRead) -> std::io::Result<Option<HttpRequest>> {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(None);
        }
        let mut words = request_line.split_whitespace();
        let method = words.next().unwrap_or("GET").to_owned();
        let path = words.next().unwrap_or("/").to_owned();
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(None);
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        Ok(Some(HttpRequest {
            method,
            path,
            headers,
            body,
        }))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sends this request to `base` (`http://127.0.0.1:port`) and returns status, headers, body.
    pub fn forward(&self, base: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let agent = ureq::Agent::new_with_config(
            ureq::config::Config::builder()
                .timeout_global(Some(Duration::from_secs(900)))
                .http_status_as_error(false)
                // A redirect is the target's answer to pass on, not to follow.
                .max_redirects(0)
                .build(),
        );
        let mut builder = ureq::http::Request::builder()
            .method(self.method.as_str())
            .uri(format!("{base}{}", self.path));
        for (k, v) in &self.headers {
            if !["host", "content-length", "connection", "transfer-encoding"].contains(&k.to_ascii_lowercase().as_str())
            {
                builder = builder.header(k.as_str(), v.as_str());
            }
        }
        let request = builder.body(self.body.clone()).expect("request");
        match agent.run(request) {
            Ok(mut r) => {
                let status = r.status().as_u16();
                let headers = r
                    .headers()
                    .iter()
                    .filter(|(k, _)| !["content-length", "connection", "transfer-encoding"].contains(&k.as_str()))
                    .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
                    .collect();
                (status, headers, r.body_mut().read_to_vec().unwrap_or_default())
            }
            Err(e) => (502, vec![], format!("{{\"message\": \"{e}\"}}").into_bytes()),
        }
    }
}

/// Writes a response and closes the exchange.
pub fn write_response(conn: &TcpStream, status: u16, headers: &[(String, String)], body: &[u8]) -> std::io::Result<()> {
    write_answer(conn, status, headers, body, false)
}

/// Writes a response; `keep_alive` leaves the connection open for the client's next request
/// (as Lambda runtime clients expect of the Runtime API).
pub fn write_answer(
    mut conn: impl std::io::Write,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    keep_alive: bool,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", if status < 400 { "OK" } else { "Error" });
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let connection = if keep_alive { "keep-alive" } else { "close" };
    head.push_str(&format!(
        "content-length: {}\r\nconnection: {connection}\r\n\r\n",
        body.len()
    ));
    // One write: over TLS, one record for the whole answer.
    let mut answer = head.into_bytes();
    answer.extend_from_slice(body);
    conn.write_all(&answer)?;
    conn.flush()
}

/// Accepts loopback connections on a free port and serves each on its own thread until dropped.
#[derive(Debug)]
pub struct Acceptor {
    pub port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Acceptor {
    pub fn start(serve: impl Fn(TcpStream) + Send + Sync + 'static) -> Acceptor {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let serve = Arc::new(serve);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    let _ = conn.set_nodelay(true);
                    let serve = Arc::clone(&serve);
                    std::thread::spawn(move || serve(conn));
                }
            }
        });
        Acceptor { port, stop }
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

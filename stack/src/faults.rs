//! A fault-injecting proxy in front of a local AWS stand-in.

use super::*;

/// What a [`FaultProxy`] does to a matching call.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answers with this status and body without forwarding (the service did not take it).
    Answer(u16, &'static str),
    /// Waits, then forwards (a slow service).
    DelayThenForward(Duration),
    /// Forwards, then waits before answering (the call went through; the answer is late).
    ForwardThenDelay(Duration),
}

/// A fault-injecting proxy in front of a local AWS stand-in: calls are forwarded unless a rule
/// for their operation (`Decrypt`, `Publish`, `SendEmail`, ...) still has uses left.
#[derive(Debug)]
pub struct FaultProxy {
    acceptor: Acceptor,
    pub endpoint: String,
    rules: std::sync::Arc<Mutex<Vec<(String, Fault, u32)>>>,
    calls: std::sync::Arc<Mutex<Vec<String>>>,
}

impl FaultProxy {
    pub fn start(target: &str) -> FaultProxy {
        use std::sync::Arc;
        let rules: Arc<Mutex<Vec<(String, Fault, u32)>>> = Arc::default();
        let calls: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, c, target) = (Arc::clone(&rules), Arc::clone(&calls), target.to_owned());
        let acceptor = Acceptor::start(move |conn| {
            let Ok(req) = HttpRequest::read(&conn) else { return };
            let op = Self::operation(&req);
            c.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(op.clone());
            let fault = {
                let mut rules = r.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                rules.iter_mut().find(|(o, _, left)| *o == op && *left > 0).map(|rule| {
                    rule.2 -= 1;
                    rule.1.clone()
                })
            };
            let _ = match fault {
                Some(Fault::Answer(status, body)) => write_response(
                    &conn,
                    status,
                    &[("content-type".into(), "application/x-amz-json-1.1".into())],
                    body.as_bytes(),
                ),
                Some(Fault::DelayThenForward(d)) => {
                    std::thread::sleep(d);
                    let (s, h, b) = req.forward(&target);
                    write_response(&conn, s, &h, &b)
                }
                Some(Fault::ForwardThenDelay(d)) => {
                    let (s, h, b) = req.forward(&target);
                    std::thread::sleep(d);
                    write_response(&conn, s, &h, &b)
                }
                None => {
                    let (s, h, b) = req.forward(&target);
                    write_response(&conn, s, &h, &b)
                }
            };
        });
        let endpoint = format!("http://127.0.0.1:{}", acceptor.port);
        FaultProxy {
            acceptor,
            endpoint,
            rules,
            calls,
        }
    }

    /// The operation of an AWS call: JSON protocols name it in `X-Amz-Target`, query protocols
    /// in `Action=`, SES v2 in its path.
    fn operation(req: &HttpRequest) -> String {
        if let Some(target) = req.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(target).to_owned();
        }
        if req.path.contains("/outbound-emails") {
            return "SendEmail".to_owned();
        }
        let body = String::from_utf8_lossy(&req.body);
        body.split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .unwrap_or("other")
            .to_owned()
    }

    /// The next `times` calls of `operation` get `fault`.
    pub fn inject(&self, operation: &str, fault: Fault, times: u32) {
        self.rules
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((operation.to_owned(), fault, times));
    }

    /// How many calls of `operation` reached the proxy.
    pub fn calls(&self, operation: &str) -> usize {
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter(|o| *o == operation)
            .count()
    }

    pub fn port(&self) -> u16 {
        self.acceptor.port
    }
}

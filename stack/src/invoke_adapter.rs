//! The real Lambda service's function-error convention, in front of `cargo lambda watch`.

use super::*;

/// Puts the real Lambda service's error convention in front of `cargo lambda watch`.
///
/// When a function fails, the Lambda Invoke API answers `200` with an
/// `X-Amz-Function-Error: Unhandled` header and the `{errorType, errorMessage}` body; Cognito
/// turns that into `<Trigger> failed with error <errorMessage>.`. `cargo lambda watch` answers
/// `500` instead, which AWS SDK clients (cognito-local's among them) treat as a transport
/// failure, losing the message. This loopback proxy rewrites such answers, and passes
/// everything else through unchanged.
#[derive(Debug)]
pub struct InvokeAdapter {
    /// Stops the proxy when the adapter is dropped.
    _acceptor: Acceptor,
    pub port: u16,
}

impl InvokeAdapter {
    /// Listens on a free loopback port and forwards to `target_port`.
    pub fn start(target_port: u16) -> InvokeAdapter {
        let target = format!("http://127.0.0.1:{target_port}");
        let acceptor = Acceptor::start(move |conn| {
            let Ok(req) = HttpRequest::read(&conn) else { return };
            let (mut status, mut headers, body) = req.forward(&target);
            let is_function_error = serde_json::from_slice::<serde_json::Value>(&body)
                .is_ok_and(|v| v.get("errorMessage").is_some() || v.get("errorType").is_some());
            if status == 500 && is_function_error {
                status = 200;
                headers.push(("x-amz-function-error".into(), "Unhandled".into()));
            }
            let _ = write_response(&conn, status, &headers, &body);
        });
        let port = acceptor.port;
        InvokeAdapter {
            _acceptor: acceptor,
            port,
        }
    }
}

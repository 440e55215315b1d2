//! A stand-in for AWS End User Messaging SMS (`pinpoint-sms-voice-v2`), which moto does not
//! model: a loopback HTTP server that records each JSON request (`X-Amz-Target`
//! `PinpointSMSVoiceV2.SendTextMessage`) and answers as the service does, a `MessageId`, or
//! the error shapes it documents, when told to.

use super::*;

/// An answer the stand-in gives instead of a `MessageId`: status and JSON body.
#[derive(Debug, Clone)]
pub struct EumAnswer(pub u16, pub serde_json::Value);

impl EumAnswer {
    /// An error in the service's JSON 1.0 shape (`__type`, `Message`, and its own fields).
    pub fn error(status: u16, kind: &str, fields: serde_json::Value) -> EumAnswer {
        let mut body = serde_json::json!({"__type": kind, "Message": format!("{kind} (stand-in)")});
        if let (Some(b), Some(f)) = (body.as_object_mut(), fields.as_object()) {
            b.extend(f.clone());
        }
        EumAnswer(status, body)
    }
}

/// One recorded request: its `X-Amz-Target` and JSON body.
pub type EumRequest = (String, serde_json::Value);

/// The stand-in server, stopped when dropped.
#[derive(Debug)]
pub struct EumStandIn {
    _acceptor: Acceptor,
    pub endpoint: String,
    requests: std::sync::Arc<Mutex<Vec<EumRequest>>>,
    answers: std::sync::Arc<Mutex<Vec<EumAnswer>>>,
}

impl EumStandIn {
    pub fn start() -> EumStandIn {
        EumStandIn::start_with_journal(None)
    }

    /// Also appends each request, as one JSON line `{"target", "request"}`, to `journal`
    /// (`make stack`, whose `make sent` reads it from another process).
    pub fn start_with_journal(journal: Option<PathBuf>) -> EumStandIn {
        use std::sync::Arc;
        let requests: Arc<Mutex<Vec<EumRequest>>> = Arc::default();
        let answers: Arc<Mutex<Vec<EumAnswer>>> = Arc::default();
        let (r, a) = (Arc::clone(&requests), Arc::clone(&answers));
        let acceptor = Acceptor::start(move |conn| {
            let Ok(req) = HttpRequest::read(&conn) else { return };
            let target = req.header("x-amz-target").unwrap_or_default().to_owned();
            let body = serde_json::from_slice(&req.body).unwrap_or(serde_json::Value::Null);
            let n = {
                let mut all = r.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some(path) = &journal {
                    let line = serde_json::json!({"target": target, "request": body});
                    let appended = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)
                        .and_then(|mut f| std::io::Write::write_all(&mut f, format!("{line}\n").as_bytes()));
                    if let Err(e) = appended {
                        eprintln!("End User Messaging stand-in: cannot append to {}: {e}", path.display());
                    }
                }
                all.push((target, body));
                all.len()
            };
            let scripted = {
                let mut queue = a.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                (!queue.is_empty()).then(|| queue.remove(0))
            };
            let EumAnswer(status, body) =
                scripted.unwrap_or_else(|| EumAnswer(200, serde_json::json!({"MessageId": format!("stand-in-{n}")})));
            let headers = [("content-type".to_owned(), "application/x-amz-json-1.0".to_owned())];
            let _ = write_response(&conn, status, &headers, body.to_string().as_bytes());
        });
        let endpoint = format!("http://127.0.0.1:{}", acceptor.port);
        EumStandIn {
            _acceptor: acceptor,
            endpoint,
            requests,
            answers,
        }
    }

    /// The next calls get these answers, in order; then `MessageId`s again.
    pub fn answer_next(&self, answers: &[EumAnswer]) {
        self.answers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(answers);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<EumRequest> {
        self.requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

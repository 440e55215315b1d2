//! The Lambda Runtime API, served at its root on loopback, for one function process at a time:
//! the benchmark drives and times every implementation (the Rust functions, `awslambdaric` for
//! Python, `aws-lambda-ric` for Node.js) through it, and [`Bootstraps`] serves prebuilt
//! functions with it. `cargo lambda watch` cannot be the shared harness: it serves the API under
//! a `/.rt` prefix that Python's client cannot use, and it runs only the workspace's builds.
//!
//! Served by the local stack's acceptor and HTTP exchange ([`Acceptor`]),
//! whose sockets get TCP_NODELAY: without it delayed ACKs add ~40 ms stalls to small
//! responses. Connections are kept alive, as runtime clients expect.

use std::collections::VecDeque;
use std::io::BufReader;
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::Instant;

use crate::{Acceptor, HttpRequest, write_answer};

/// What a function answered.
#[derive(Debug)]
pub struct Outcome {
    pub id: String,
    pub ok: bool,
    pub body: Vec<u8>,
    pub at: Instant,
}

#[derive(Default)]
struct Queue {
    events: Mutex<VecDeque<(String, Vec<u8>)>>,
    ready: Condvar,
}

/// A Runtime API for one function process at a time.
#[allow(missing_debug_implementations)]
pub struct RuntimeApi {
    pub port: u16,
    /// Serves each connection on its own thread until dropped.
    _acceptor: Acceptor,
    queue: Arc<Queue>,
    outcomes: mpsc::Receiver<Outcome>,
    prefix: String,
    first_next: Arc<Mutex<Option<Instant>>>,
    counter: u64,
}

fn respond(conn: &TcpStream, status: u16, headers: &[(&str, String)], body: &[u8]) -> std::io::Result<()> {
    let mut all = vec![("content-type".to_owned(), "application/json".to_owned())];
    all.extend(headers.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    write_answer(conn, status, &all, body, true)
}

impl RuntimeApi {
    /// The benchmark's: request ids `bench-…`, the function `bench`.
    pub fn start() -> RuntimeApi {
        RuntimeApi::start_for("bench")
    }

    /// A Runtime API for `function`: its name is in the invoked function's ARN and the ids.
    pub fn start_for(function: &str) -> RuntimeApi {
        let arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{function}");
        let queue = Arc::new(Queue::default());
        let first_next: Arc<Mutex<Option<Instant>>> = Arc::default();
        let (tx, outcomes) = mpsc::channel();
        let (q, f) = (Arc::clone(&queue), Arc::clone(&first_next));
        let acceptor = Acceptor::start(move |conn| {
            let _ = serve(conn, &q, &f, &tx, &arn);
        });
        RuntimeApi {
            port: acceptor.port,
            _acceptor: acceptor,
            queue,
            outcomes,
            prefix: function.to_owned(),
            first_next,
            counter: 0,
        }
    }

    /// When the current process first asked for an event (the end of its init).
    pub fn first_next(&self) -> Option<Instant> {
        *self
            .first_next
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets the previous process's first request.
    pub fn reset(&self) {
        *self
            .first_next
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Hands `event` to the function and waits for its answer. Returns the time from handing
    /// it over to receiving the answer, and the outcome.
    pub fn invoke(
        &mut self,
        event: &[u8],
        timeout: std::time::Duration,
    ) -> Result<(std::time::Duration, Outcome), String> {
        self.counter += 1;
        let id = format!("{}-{:08}", self.prefix, self.counter);
        let start = Instant::now();
        {
            let mut events = self
                .queue
                .events
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            events.push_back((id.clone(), event.to_vec()));
            self.queue.ready.notify_all();
        }
        // A late answer to an event that timed out is dropped, never taken for this one's.
        loop {
            let left = timeout.saturating_sub(start.elapsed());
            let Ok(outcome) = self.outcomes.recv_timeout(left) else {
                // Not handed over yet: it never will be.
                self.queue
                    .events
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .retain(|(queued, _)| *queued != id);
                return Err(format!("no answer to {id} within {timeout:?}"));
            };
            if outcome.id == id {
                return Ok((outcome.at - start, outcome));
            }
            if outcome.id == "init" {
                return Err(format!("the function reported an init error while {id} waited"));
            }
        }
    }
}

fn serve(
    conn: TcpStream,
    queue: &Queue,
    first_next: &Mutex<Option<Instant>>,
    tx: &mpsc::Sender<Outcome>,
    arn: &str,
) -> std::io::Result<()> {
    let writer = conn.try_clone()?;
    let mut reader = BufReader::new(conn);
    while let Some(req) = HttpRequest::read_next(&mut reader)? {
        let path = req.path.trim_start_matches("/2018-06-01");
        if req.method == "GET" && path == "/runtime/invocation/next" {
            first_next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get_or_insert_with(Instant::now);
            let (id, event) = {
                let mut events = queue.events.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                loop {
                    if let Some(next) = events.pop_front() {
                        break next;
                    }
                    events = queue
                        .ready
                        .wait(events)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            };
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() + 30_000);
            respond(
                &writer,
                200,
                &[
                    ("lambda-runtime-aws-request-id", id),
                    ("lambda-runtime-deadline-ms", deadline.to_string()),
                    ("lambda-runtime-invoked-function-arn", arn.to_owned()),
                    (
                        "lambda-runtime-trace-id",
                        "Root=1-00000000-000000000000000000000000;Sampled=0".to_owned(),
                    ),
                ],
                &event,
            )?;
        } else if let Some(rest) = path.strip_prefix("/runtime/invocation/") {
            let (id, kind) = rest.split_once('/').unwrap_or((rest, ""));
            let _ = tx.send(Outcome {
                id: id.to_owned(),
                ok: kind == "response",
                body: req.body,
                at: Instant::now(),
            });
            respond(&writer, 202, &[], b"{}")?;
        } else {
            // /runtime/init/error and anything else.
            let _ = tx.send(Outcome {
                id: "init".into(),
                ok: false,
                body: req.body,
                at: Instant::now(),
            });
            respond(&writer, 202, &[], b"{}")?;
        }
    }
    Ok(())
}

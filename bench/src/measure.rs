//! Measuring one subject: starting its process under the Runtime API, timing its init and
//! invocations, its peak memory and its artifact's size.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cognito_reset_stack::{FaultProxy, root};

use cognito_reset_stack::RuntimeApi;

/// One implementation of one function, on one of its paths.
#[derive(Debug)]
pub struct Subject {
    /// The path measured (`pre-token, new password`); the function's name for its main path.
    pub label: &'static str,
    pub function: &'static str,
    pub language: &'static str,
    pub runtime: String,
    pub(crate) program: Vec<String>,
    pub(crate) cwd: PathBuf,
    /// Files and folders that make up its deployment artifact (besides what the Lambda
    /// runtime provides).
    pub artifact: Vec<PathBuf>,
    /// Its own environment, given after the one every subject shares (user migration's store).
    pub env: Vec<(String, String)>,
}

impl Subject {
    pub fn name(&self) -> String {
        format!("{}/{}", self.label, self.language)
    }
}

/// What was measured for one subject, over every round.
#[derive(Debug, Default, Clone)]
pub struct Measured {
    /// Medians over every fresh process.
    pub init: Duration,
    pub first: Duration,
    /// Init + first invocation of the same process (the median of those sums).
    pub cold: Duration,
    /// Fresh processes that finished their init and first invocation (what the medians are
    /// over).
    pub processes: usize,
    /// Fresh processes that did not ask for an event within [`INIT_LIMIT`]: stopped, counted,
    /// and left out of the medians.
    pub stalled: usize,
    /// Of the processes measured, those whose init took longer than Lambda's [`LAMBDA_INIT_LIMIT`].
    pub over_lambda_init: usize,
    pub warm_p50: Duration,
    pub warm_p99: Duration,
    pub invocations: usize,
    pub peak_rss_kib: u64,
    pub artifact_bytes: u64,
    /// Requests per warm invocation that reached KMS, the delivery service (SNS `Publish` or
    /// SES `SendEmail`) and DynamoDB.
    pub kms_calls: f64,
    pub delivery_calls: f64,
    pub table_calls: f64,
    /// Cognito writes (`AdminUpdateUserAttributes`) per warm invocation.
    pub cognito_calls: f64,
}

/// Samples of one subject gathered over the rounds.
#[derive(Debug, Default)]
pub(crate) struct Samples {
    pub(crate) inits: Vec<Duration>,
    pub(crate) firsts: Vec<Duration>,
    pub(crate) colds: Vec<Duration>,
    pub(crate) stalled: usize,
    pub(crate) warm: Vec<Duration>,
    pub(crate) peak_rss_kib: u64,
    pub(crate) kms: usize,
    pub(crate) delivery: usize,
    pub(crate) table: usize,
    pub(crate) cognito: usize,
}

impl Samples {
    pub(crate) fn measured(mut self, artifact_bytes: u64) -> Measured {
        for list in [&mut self.inits, &mut self.firsts, &mut self.colds, &mut self.warm] {
            list.sort();
        }
        let per = |n: usize| n as f64 / self.warm.len().max(1) as f64;
        Measured {
            init: percentile(&self.inits, 50),
            first: percentile(&self.firsts, 50),
            cold: percentile(&self.colds, 50),
            processes: self.colds.len(),
            stalled: self.stalled,
            over_lambda_init: self.inits.iter().filter(|i| **i > LAMBDA_INIT_LIMIT).count(),
            warm_p50: percentile(&self.warm, 50),
            warm_p99: percentile(&self.warm, 99),
            invocations: self.warm.len(),
            peak_rss_kib: self.peak_rss_kib,
            artifact_bytes,
            kms_calls: per(self.kms),
            delivery_calls: per(self.delivery),
            table_calls: per(self.table),
            cognito_calls: per(self.cognito),
        }
    }
}

pub(crate) fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// The zipped size of the artifact (deflate, as a Lambda zip).
pub(crate) fn zipped_size(paths: &[PathBuf]) -> u64 {
    let python = root().join(".venv/bin/python3");
    let script = "import io, os, sys, zipfile\nbuf = io.BytesIO()\nwith zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:\n    for p in sys.argv[1:]:\n        if os.path.isdir(p):\n            for d, _, fs in os.walk(p):\n                for f in fs:\n                    z.write(os.path.join(d, f))\n        elif os.path.exists(p):\n            z.write(p)\nprint(len(buf.getvalue()))";
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(paths)
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0)
}

/// The sample below which `percent` of the samples lie (nearest rank).
pub fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) * percent + 50) / 100;
    sorted[i.min(sorted.len() - 1)]
}

pub(crate) fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

pub(crate) fn spawn(api: &RuntimeApi, subject: &Subject, env: &[(String, String)]) -> Result<(Child, Instant), String> {
    spawn_logging(api, subject, env, None)
}

/// [`spawn`], with the process's stdout and stderr (its logs) written to `log` when given.
pub(crate) fn spawn_logging(
    api: &RuntimeApi,
    subject: &Subject,
    env: &[(String, String)],
    log: Option<&std::path::Path>,
) -> Result<(Child, Instant), String> {
    let (stdout, stderr) = match log {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let copy = file.try_clone().map_err(|e| format!("{}: {e}", path.display()))?;
            (Stdio::from(file), Stdio::from(copy))
        }
        None => (Stdio::null(), Stdio::null()),
    };
    api.reset();
    let wrapper: Vec<String> = std::env::var("BENCH_WRAPPER")
        .map(|w| w.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    // Lambda's CPU share for BENCH_MEMORY_MB, inside any profiler, around the subject only.
    let throttle = crate::cpu_share::wrapper_for_a_new_process();
    let memory = crate::cpu_share::lambda_memory_size().to_string();
    let program: Vec<&String> = wrapper.iter().chain(&throttle).chain(&subject.program).collect();
    let started = Instant::now();
    let child = Command::new(program[0])
        .args(&program[1..])
        .current_dir(&subject.cwd)
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{}", api.port))
        .env("AWS_LAMBDA_FUNCTION_NAME", subject.function)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory)
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("LAMBDA_TASK_ROOT", &subject.cwd)
        .env("PYTHONPATH", &subject.cwd)
        // A CA folder in the harness's environment (some machines set one) would make
        // rustls-native-certs read every certificate in it beside the bundle the subjects are
        // given; Lambda's environment names none.
        .env_remove("SSL_CERT_DIR")
        .envs(env.iter().chain(&subject.env).map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    Ok((child, started))
}

/// How long a process may take to ask for its first event before it is stopped.
pub const INIT_LIMIT: Duration = Duration::from_secs(60);
/// Lambda's limit on the init phase (past it, Lambda starts the init again inside the first
/// invocation, under the function's timeout).
pub const LAMBDA_INIT_LIMIT: Duration = Duration::from_secs(10);

/// Why a process's init has no time.
#[derive(Debug)]
pub(crate) enum InitError {
    /// It did not ask for an event within [`INIT_LIMIT`].
    Stalled,
    /// It exited before asking.
    Exited(String),
}

impl From<InitError> for String {
    fn from(e: InitError) -> String {
        match e {
            InitError::Stalled => format!("did not ask for an event within {} s", INIT_LIMIT.as_secs()),
            InitError::Exited(status) => format!("exited during init: {status}"),
        }
    }
}

/// Waits for the process's first `next` request: the end of its init.
pub(crate) fn wait_for_init(api: &RuntimeApi, child: &mut Child, started: Instant) -> Result<Duration, InitError> {
    loop {
        if let Some(t) = api.first_next() {
            return Ok(t - started);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(InitError::Exited(status.to_string()));
        }
        if started.elapsed() > INIT_LIMIT {
            return Err(InitError::Stalled);
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// What the subjects are handed and which stand-in counts their requests.
pub(crate) struct Bench<'a> {
    pub(crate) env: &'a [(String, String)],
    pub(crate) proxy: &'a FaultProxy,
}

/// What one case asks of its subjects: the event each fresh process answers first, the event
/// of the warm invocations, and what every answer must be.
pub(crate) struct Workload<'a> {
    pub(crate) first: &'a [u8],
    pub(crate) then: &'a [u8],
    /// Called just before each invocation (what the check compares with is taken then).
    pub(crate) before: &'a dyn Fn(),
    /// Checks an answer's body: `Err` when the subject answered without doing the work
    /// measured (a user migration that refused its user is fast, and must not pass for it).
    pub(crate) check: &'a dyn Fn(&[u8]) -> Result<(), String>,
}

impl Bench<'_> {
    /// One round of one subject: `fresh` new processes, each timed from its start to its answer
    /// to the workload's first event; the last one then answers `warm` more, each the workload's
    /// warm event. A process that does not finish its init within [`INIT_LIMIT`] is stopped and
    /// counted ([`Samples::stalled`]), not measured (when it was the last, one more process, not
    /// measured, answers the warm events); any other failure fails the subject.
    pub(crate) fn round(
        &self,
        subject: &Subject,
        work: &Workload<'_>,
        fresh: usize,
        warm: usize,
        into: &mut Samples,
    ) -> Result<(), String> {
        for n in 0..fresh {
            let Some((api, mut child, init, first)) = self.cold_start(subject, work)? else {
                into.stalled += 1;
                continue;
            };
            into.inits.push(init);
            into.firsts.push(first);
            into.colds.push(init + first);
            if n + 1 == fresh {
                return self.warm_then_stop(api, child, work, warm, into);
            }
            kill(&mut child);
        }
        match self.cold_start(subject, work)? {
            Some((api, child, _, _)) => self.warm_then_stop(api, child, work, warm, into),
            None => Ok(()),
        }
    }

    /// Starts a process and hands it the first event once it asks: the process, still running,
    /// with its init and first invocation; `None` (the process stopped) when it did not ask within
    /// [`INIT_LIMIT`]. On any other failure the process is stopped.
    fn cold_start(
        &self,
        subject: &Subject,
        work: &Workload<'_>,
    ) -> Result<Option<(RuntimeApi, Child, Duration, Duration)>, String> {
        // A fresh Runtime API per process: a stopped process's pending `next` must not take
        // the next process's events.
        let mut api = RuntimeApi::start();
        let (mut child, started) = spawn(&api, subject, self.env)?;
        let timed = match wait_for_init(&api, &mut child, started) {
            Ok(init) => {
                (work.before)();
                api.invoke(work.first, Duration::from_secs(60))
                    .and_then(|(first, outcome)| answered(work, &outcome).map(|()| (init, first)))
            }
            Err(InitError::Stalled) => {
                kill(&mut child);
                return Ok(None);
            }
            Err(e) => Err(e.into()),
        };
        match timed {
            Ok((init, first)) => Ok(Some((api, child, init, first))),
            Err(e) => {
                kill(&mut child);
                Err(e)
            }
        }
    }

    /// The warm invocations on a process that has answered its first, then its peak memory;
    /// the process is stopped either way.
    fn warm_then_stop(
        &self,
        mut api: RuntimeApi,
        mut child: Child,
        work: &Workload<'_>,
        warm: usize,
        into: &mut Samples,
    ) -> Result<(), String> {
        let result = self.warm(&mut api, work, warm, into);
        into.peak_rss_kib = into.peak_rss_kib.max(peak_rss_kib(child.id()));
        kill(&mut child);
        result
    }

    fn warm(&self, api: &mut RuntimeApi, work: &Workload<'_>, warm: usize, into: &mut Samples) -> Result<(), String> {
        let before = self.counts();
        for _ in 0..warm {
            (work.before)();
            let (t, outcome) = api.invoke(work.then, Duration::from_secs(30))?;
            answered(work, &outcome).map_err(|e| format!("warm: {e}"))?;
            into.warm.push(t);
        }
        let after = self.counts();
        into.kms += after.0 - before.0;
        into.delivery += after.1 - before.1;
        into.table += after.2 - before.2;
        into.cognito += after.3 - before.3;
        Ok(())
    }

    /// Requests that reached the proxy so far: KMS, delivery, DynamoDB, Cognito writes.
    pub(crate) fn counts(&self) -> (usize, usize, usize, usize) {
        let p = self.proxy;
        (
            p.calls("Decrypt"),
            p.calls("Publish") + p.calls("SendEmail"),
            p.calls("UpdateItem") + p.calls("TransactWriteItems") + p.calls("PutItem") + p.calls("GetItem"),
            p.calls("AdminUpdateUserAttributes"),
        )
    }
}

/// An invocation's outcome as the workload wants it: answered, without a function error, as
/// its check says.
fn answered(work: &Workload<'_>, outcome: &cognito_reset_stack::Outcome) -> Result<(), String> {
    if !outcome.ok {
        return Err(format!("failed: {}", String::from_utf8_lossy(&outcome.body)));
    }
    (work.check)(&outcome.body)
}

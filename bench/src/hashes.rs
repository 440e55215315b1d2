//! User migration's password check, per legacy hash format, at Lambda's CPU share for each
//! memory size: what a sign-in of a user not yet in the pool waits for, beside Cognito's
//! 5 seconds. Each format's hash is the one its library writes by default
//! (`tests/fixtures/legacy/defaults.json`, written by `make_defaults.py` beside it), since that
//! is what real stores hold. The bench binary re-runs itself with `--hash-format NAME` in a
//! process of its own, inside the size's CPU group ([`crate::cpu_share`]), built with the
//! release profile the function ships with.

use std::process::Command;
use std::time::{Duration, Instant};

use cognito_reset::domain::legacy::hash;

use crate::cpu_share::{self, CpuShare};

/// The sizes the checks run at: Lambda's share for each, up to one full vCPU (1,769 MB).
pub const SIZES: [u64; 5] = [128, 256, 512, 1024, 1769];
/// Checks per process; the median is reported.
const RUNS: usize = 3;
/// A check that takes longer than this at a size is not run again there, nor at smaller sizes.
const GIVE_UP: Duration = Duration::from_secs(10);

/// The hashes of `tests/fixtures/legacy/defaults.json` (none when it cannot be read).
pub(crate) fn defaults() -> Vec<serde_json::Value> {
    let path = cognito_reset_stack::root().join("tests/fixtures/legacy/defaults.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_default()).unwrap_or_default()
}

pub fn child_mode() -> Option<String> {
    let mut args = std::env::args().skip(1);
    (args.next().as_deref() == Some("--hash-format")).then(|| args.next().unwrap_or_default())
}

/// In the child: each check's nanoseconds on one line, or why it cannot run.
pub fn run_child(format: &str) {
    let all = defaults();
    let Some(h) = all.iter().find(|h| h["format"] == format) else {
        println!("no {format} hash in defaults.json");
        return;
    };
    let (stored, password) = (
        h["password_hash"].as_str().unwrap_or_default(),
        h["password"].as_str().unwrap_or_default(),
    );
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let checked = hash::check(std::hint::black_box(stored), std::hint::black_box(password));
        let took = start.elapsed();
        match checked {
            Ok(c) if c.matches && c.format.name() == format => times.push(took.as_nanos().to_string()),
            other => {
                println!("wrong answer: {other:?}");
                return;
            }
        }
        if took > GIVE_UP {
            break;
        }
    }
    println!("{}", times.join(" "));
}

/// One format's medians, per size (`None`: not run at that size, slower than [`GIVE_UP`]).
#[derive(Debug, Clone)]
pub struct HashResult {
    pub format: String,
    pub made_by: String,
    pub at: Vec<(u64, Result<Option<Duration>, String>)>,
}

impl HashResult {
    /// The median at `memory_mb`, if it was measured there.
    pub fn at(&self, memory_mb: u64) -> Option<Duration> {
        self.at
            .iter()
            .find(|(mb, _)| *mb == memory_mb)
            .and_then(|(_, r)| r.as_ref().ok().copied().flatten())
    }
}

fn run(format: &str, memory_mb: u64) -> Result<Duration, String> {
    let share = CpuShare::create(memory_mb)?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut wrapper = share.wrapper();
    let program = wrapper.remove(0);
    let out = Command::new(program)
        .args(wrapper)
        .arg(exe)
        .args(["--hash-format", format])
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let mut times: Vec<Duration> = text
        .split(' ')
        .map(|n| n.parse().map(Duration::from_nanos))
        .collect::<Result<_, _>>()
        .map_err(|_| text.clone())?;
    times.sort();
    times.get(times.len() / 2).copied().ok_or(text)
}

/// Every format at every size, the largest first (a format slower than [`GIVE_UP`] at a size is
/// not run at the smaller ones).
pub fn measure() -> Vec<HashResult> {
    defaults()
        .iter()
        .map(|h| {
            let format = h["format"].as_str().unwrap_or_default().to_owned();
            let mut at = Vec::new();
            let mut gave_up = false;
            for &mb in SIZES.iter().rev() {
                let result = if gave_up {
                    Ok(None)
                } else {
                    run(&format, mb).map(|d| {
                        gave_up = d > GIVE_UP;
                        Some(d)
                    })
                };
                println!(
                    "    {format} at {}: {}",
                    cpu_share::name(mb),
                    match &result {
                        Ok(Some(d)) => format!("{:.0} ms", d.as_secs_f64() * 1e3),
                        Ok(None) => "not run (slower than 10 s at a larger size)".into(),
                        Err(e) => format!("FAIL: {e}"),
                    }
                );
                at.push((mb, result));
            }
            at.reverse();
            HashResult {
                format,
                made_by: h["made_by"].as_str().unwrap_or_default().to_owned(),
                at,
            }
        })
        .collect()
}

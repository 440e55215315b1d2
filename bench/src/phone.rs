//! The candidates for validating a phone number, each timed in fresh processes (the bench
//! binary re-runs itself with `--phone-candidate NAME`): what the first number checked costs a
//! cold sender, the first number of a second country, and a warm check.

use std::process::Command;
use std::time::{Duration, Instant};

use cognito_reset::domain::phone::{self, AllowedCountries};

use crate::percentile;

/// A candidate: its name in the report and what it does for one number.
pub struct Candidate {
    pub name: &'static str,
    pub described: &'static str,
    check: fn(&str) -> Option<String>,
}

pub const CANDIDATES: &[Candidate] = &[
    Candidate {
        name: "phonenumber",
        described: "the `phonenumber` crate 0.3 (`parse`, `is_valid`, `country().id()`), which loads its whole database on first use",
        check: |n| {
            let number = phonenumber::parse(None, n).ok()?;
            number
                .is_valid()
                .then(|| number.country().id().map(|c| c.as_ref().to_owned()))?
        },
    },
    Candidate {
        name: "generated",
        described: "this project's: the same metadata generated into Rust statics, the region's expressions compiled with `regex-lite` on first use",
        check: |n| {
            phone::validate(Some(n), &AllowedCountries::default())
                .ok()
                .map(|p| p.country)
        },
    },
];

const US: &str = "+12065550123";
const GB: &str = "+447400123456";
/// Fresh processes per candidate.
const RUNS: usize = 9;
const WARM: u32 = 1000;

pub fn child_mode() -> Option<String> {
    let mut args = std::env::args().skip(1);
    (args.next().as_deref() == Some("--phone-candidate")).then(|| args.next().unwrap_or_default())
}

/// In the child: three durations in nanoseconds on one line.
pub fn run_child(name: &str) {
    let Some(c) = CANDIDATES.iter().find(|c| c.name == name) else {
        println!("unknown candidate {name}");
        return;
    };
    let time = |n: &str| {
        let start = Instant::now();
        let country = (c.check)(n);
        (start.elapsed(), country)
    };
    let (first, us) = time(US);
    let (second, gb) = time(GB);
    let start = Instant::now();
    for _ in 0..WARM {
        std::hint::black_box((c.check)(std::hint::black_box(US)));
    }
    let warm = start.elapsed() / WARM;
    if us.as_deref() != Some("US") || gb.as_deref() != Some("GB") {
        println!("wrong answers: {us:?} {gb:?}");
        return;
    }
    println!("{} {} {}", first.as_nanos(), second.as_nanos(), warm.as_nanos());
}

/// Medians over fresh processes.
#[derive(Debug, Clone)]
pub struct PhoneResult {
    pub name: &'static str,
    pub described: &'static str,
    pub outcome: Result<(Duration, Duration, Duration), String>,
}

fn run(name: &str) -> Result<(Duration, Duration, Duration), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .args(["--phone-candidate", name])
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let nums: Vec<u64> = text.split(' ').filter_map(|n| n.parse().ok()).collect();
    match nums[..] {
        [a, b, c] => Ok((
            Duration::from_nanos(a),
            Duration::from_nanos(b),
            Duration::from_nanos(c),
        )),
        _ => Err(text),
    }
}

pub fn measure() -> Vec<PhoneResult> {
    CANDIDATES
        .iter()
        .map(|c| {
            let runs: Result<Vec<_>, String> = (0..RUNS).map(|_| run(c.name)).collect();
            let outcome = runs.map(|runs| {
                let median = |pick: fn(&(Duration, Duration, Duration)) -> Duration| {
                    let mut v: Vec<Duration> = runs.iter().map(pick).collect();
                    v.sort();
                    percentile(&v, 50)
                };
                (median(|r| r.0), median(|r| r.1), median(|r| r.2))
            });
            PhoneResult {
                name: c.name,
                described: c.described,
                outcome,
            }
        })
        .collect()
}

//! The results as Markdown (tables, ratios, budgets, computed comparisons), an SVG chart, and
//! the block of numbers `make bench` writes into the book (`docs/src/benchmarks.md`). Every number and every comparison
//! here is computed from the run.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::cpu_share;
use crate::hashes::HashResult;
use crate::phone::PhoneResult;
use crate::table::{BURST, TableResults};
use crate::{FRESH, INIT_LIMIT, LAMBDA_INIT_LIMIT, Measured, REPETITIONS, Subject};

mod budgets;
mod svg;

/// Lambda prices used for the cost estimate (us-east-1, arm64): per GB-second and per request.
const PRICE_GB_SECOND: f64 = 0.000_013_333_4;
const PRICE_REQUEST: f64 = 0.000_000_2;
/// How long Cognito waits for a synchronous trigger.
const COGNITO_LIMIT_MS: f64 = 5000.0;
/// "Well inside" Cognito's limit: a cold start under a fifth of it, leaving the rest to
/// Cognito's own work, the network and a slow moment of the host.
const WELL_INSIDE_MS: f64 = 1000.0;
/// In the cost model that chooses a size: how much longer, per invocation, a function's AWS
/// calls wait on AWS than on the stand-ins, which answer over loopback. An assumption, not a
/// measurement (one or two in-region HTTPS exchanges and the services' own work); RESULTS.md
/// prints the wait below which a larger size would be the cheaper, so it can be judged.
const AWS_WAIT_MS: f64 = 10.0;
/// The functions whose every invocation calls AWS (the senders' KMS and delivery calls, post
/// confirmation's write); pre token writes only after `NEW_PASSWORD_REQUIRED`.
const CALLS_AWS: [&str; 3] = ["custom-sms-sender", "custom-email-sender", "post-confirmation"];
/// The functions Cognito waits for (the senders are invoked asynchronously).
const SYNCHRONOUS: [&str; 4] = ["custom-message", "pre-token", "post-confirmation", "user-migration"];

/// Each measured size's results: `curve[i].1[j]` is `rows[j]`'s subject at `curve[i].0` MB.
pub type Curve = [(u64, Vec<Result<Measured, String>>)];

#[derive(Debug)]
pub struct Results<'a> {
    /// Every subject at the smallest memory size measured.
    pub rows: &'a [(Subject, Result<Measured, String>)],
    pub curve: &'a Curve,
    /// Each function's `MemorySize` in `infra/template.json`.
    pub deployed: &'a [(String, u64)],
    pub rust_binaries: &'a [(String, u64)],
    pub phone: &'a [PhoneResult],
    pub machine: String,
    pub warm_message: usize,
    pub warm_sender: usize,
    /// The senders with the delivery table (`None` when `BENCH_ONLY` left them out).
    pub table: Option<&'a TableResults>,
    /// User migration's password check per legacy hash format (empty when `BENCH_ONLY` left it out).
    pub hashes: &'a [HashResult],
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The processes a subject's medians leave out or that Lambda would not have let finish
/// their init, in words; `None` when every process finished inside Lambda's limit.
pub fn outliers(m: &Measured) -> Option<String> {
    let started = m.processes + m.stalled;
    let mut parts = Vec::new();
    if m.stalled > 0 {
        parts.push(format!(
            "{} of {started} processes did not ask for an event within {} s and are left out",
            m.stalled,
            INIT_LIMIT.as_secs()
        ));
    }
    if m.over_lambda_init > 0 {
        parts.push(format!(
            "{} of the {} measured took longer than Lambda's {} s init limit",
            m.over_lambda_init,
            m.processes,
            LAMBDA_INIT_LIMIT.as_secs()
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Milliseconds with as many decimals as the size calls for.
fn show(d: Duration) -> String {
    let v = ms(d);
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else if v >= 1.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.3} ms")
    }
}

/// A size in MB, or in KB below one MB.
fn size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.2} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} KB", bytes as f64 / 1e3)
    }
}

/// `a` against `b` in words: "12.3× lower", "1.4× higher", "equal".
fn compare(a: f64, b: f64) -> String {
    if a <= 0.0 || b <= 0.0 {
        return "not comparable".into();
    }
    if (a - b).abs() / b < 0.005 {
        "equal".into()
    } else if a < b {
        format!("{:.1}× lower", b / a)
    } else {
        format!("{:.1}× higher", a / b)
    }
}

/// Cost of a million invocations at `memory_mb`, billed per started millisecond.
fn cost_per_million(warm_p50: Duration, memory_mb: u64) -> f64 {
    let billed_ms = ms(warm_p50).ceil().max(1.0);
    1e6 * (PRICE_REQUEST + memory_mb as f64 / 1024.0 * billed_ms / 1e3 * PRICE_GB_SECOND)
}

/// Each function's `MemorySize` in the template (its resource is the function's name in
/// upper camel case followed by `Function`); missing ones are left out.
pub fn deployed_memory(template: &Path) -> Vec<(String, u64)> {
    let Ok(text) = std::fs::read_to_string(template) else {
        return Vec::new();
    };
    let Ok(t) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    cognito_reset::domain::settings::FUNCTIONS
        .iter()
        .filter_map(|f| {
            let id: String = f
                .split('-')
                .map(|w| w[..1].to_uppercase() + &w[1..])
                .chain(["Function".to_owned()])
                .collect();
            let mb = t["Resources"][id]["Properties"]["MemorySize"].as_u64()?;
            Some(((*f).to_owned(), mb))
        })
        .collect()
}

/// What each peer does and does not do that the Rust function does: the reader's key to the
/// comparison.
const PEERS: &[(&str, &str)] = &[
    (
        "custom-email-sender",
        "The peers are AWS's custom email sender example with its SNS call swapped for one SES v2 \
         `SendEmail`: they decrypt the code with their Encryption SDK and a KMS keyring and send a \
         plain-text email. They check no address, no pool or key of the ciphertext, render no \
         template in the user's locale (no HTML part), and log nothing. The Rust sender does all of \
         these before its one KMS and one SES call.",
    ),
    (
        "custom-message",
        "The peers fill the three response fields for `CustomMessage_ForgotPassword` only, with \
         string formatting and one hard-coded language. The Rust function handles every \
         `CustomMessage_*` source, renders HTML and text templates in the user's locale with escaping, \
         checks Cognito's size limits and keeps the code placeholder, and returns the event unchanged \
         when its configuration is unusable.",
    ),
    (
        "pre-token",
        "The peers are written the way the popular password-expiry samples are: they read the change time \
         from a custom attribute, throw when the password is older than the maximum age or a reset is forced, \
         and add the change and expiry times to the ID token (version 2 events only); after NEW_PASSWORD_REQUIRED they \
         record the change with one AdminUpdateUserAttributes call. They do not check that the user has a \
         password in every way Cognito marks a federated user, handle no token version but 2, restrict no \
         scopes, warn of no coming expiry, treat no unknown change time by a setting, and keep going when the \
         write fails. The Rust function does all of these, with the same one Cognito call.",
    ),
    (
        "post-confirmation",
        "The peers record the change time (and clear the forced-reset flag) with one \
         AdminUpdateUserAttributes call after `PostConfirmation_ConfirmForgotPassword`, as the password-expiry \
         samples do. They do not skip federated users, stamp no sign-up by a setting, and do not record the \
         changes Cognito sends no trigger for (ChangePassword and AdminSetUserPassword through EventBridge). The \
         Rust function does these, with the same one Cognito call.",
    ),
    (
        "custom-sms-sender",
        "The peers decrypt the code with their Encryption SDK and a KMS keyring and publish one SNS \
         message, as AWS's samples do. They do not validate the number or check an allowed-country \
         list, do not check which pool or key the ciphertext is for, pick no message per trigger \
         source, render no template, count no SMS parts, and log nothing. The Rust sender does all \
         of these before its one KMS and one SNS call.",
    ),
];

impl Results<'_> {
    /// `label`'s subject in `language` at the smallest size.
    fn measured(&self, label: &str, language: &str) -> Option<&Measured> {
        self.rows
            .iter()
            .find(|(s, _)| s.label == label && s.language == language)
            .and_then(|(_, m)| m.as_ref().ok())
    }

    /// `label`'s subject in `language` at each size measured.
    fn curve_of(&self, label: &str, language: &str) -> Vec<(u64, Option<&Measured>)> {
        let Some(j) = self
            .rows
            .iter()
            .position(|(s, _)| s.label == label && s.language == language)
        else {
            return Vec::new();
        };
        self.curve
            .iter()
            .map(|(mb, row)| (*mb, row.get(j).and_then(|m| m.as_ref().ok())))
            .collect()
    }

    /// `label`'s Rust subject at each size measured, full cores included.
    fn rust_curve(&self, label: &str) -> Vec<(u64, Option<&Measured>)> {
        self.curve_of(label, "Rust")
    }

    /// `label`'s subject in `language` at `memory_mb` (or [`cpu_share::FULL`]).
    fn at(&self, label: &str, language: &str, memory_mb: u64) -> Option<&Measured> {
        self.curve_of(label, language)
            .into_iter()
            .find(|(mb, _)| *mb == memory_mb)
            .and_then(|(_, m)| m)
    }

    /// Each size `function` may run at, with its main path's cost per million and warm p50: the
    /// sizes at which every path of it was measured and, for a synchronous trigger, every cold
    /// start stays under [`WELL_INSIDE_MS`]; smallest first.
    fn eligible_sizes(&self, function: &str) -> Vec<(u64, f64, Duration)> {
        let curves: Vec<_> = crate::subjects::CASES
            .iter()
            .filter(|(_, f, ..)| *f == function)
            .map(|(label, ..)| self.rust_curve(label))
            .collect();
        let Some(main) = curves.first() else { return Vec::new() };
        main.iter()
            .enumerate()
            .filter_map(|(i, (mb, m))| {
                let m = m.filter(|_| *mb != cpu_share::FULL)?;
                let fits = curves.iter().all(|c| {
                    c.get(i)
                        .and_then(|(_, m)| *m)
                        .is_some_and(|m| !SYNCHRONOUS.contains(&function) || ms(m.cold) < WELL_INSIDE_MS)
                });
                fits.then(|| (*mb, cost_per_million(m.warm_p50, *mb), m.warm_p50))
            })
            .collect()
    }

    /// What a million of `function`'s invocations would cost on AWS at `memory_mb`, given its
    /// warm p50 here: for a function that calls AWS, [`AWS_WAIT_MS`] more per invocation.
    fn modeled_cost(function: &str, warm: Duration, memory_mb: u64) -> f64 {
        let wait = if CALLS_AWS.contains(&function) {
            AWS_WAIT_MS
        } else {
            0.0
        };
        cost_per_million(warm + Duration::from_secs_f64(wait / 1e3), memory_mb)
    }

    /// The size to deploy `function` at: the eligible size with the lowest modeled cost
    /// ([`Results::modeled_cost`]), the smaller on a tie. `None` for user migration, whose size
    /// its password check sets ([`Results::slowest_hash_check`]), not the curve.
    pub(crate) fn chosen_size(&self, function: &str) -> Option<u64> {
        if function == cognito_reset::domain::settings::USER_MIGRATION {
            return None;
        }
        let mut best: Option<(u64, f64)> = None;
        for (mb, _, warm) in self.eligible_sizes(function) {
            let cost = Self::modeled_cost(function, warm, mb);
            if best.is_none_or(|(_, c)| cost < c - 1e-9) {
                best = Some((mb, cost));
            }
        }
        best.map(|(mb, _)| mb)
    }

    /// When a larger size is the cheaper at the stand-ins' own waits: that size, and the extra
    /// wait per invocation from which on the chosen size is the cheaper.
    fn break_even(&self, function: &str) -> Option<(u64, f64)> {
        let chosen = self.chosen_size(function)?;
        let sizes = self.eligible_sizes(function);
        let billed = |d: Duration| ms(d).ceil().max(1.0);
        let (c_mb, _, c_warm) = sizes.iter().find(|(mb, ..)| *mb == chosen)?;
        let (s_mb, _, s_warm) = sizes
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|(mb, ..)| *mb > chosen)?;
        let (c_gb, s_gb) = (*c_mb as f64 / 1024.0, *s_mb as f64 / 1024.0);
        // (billed_s + wait) * s_gb = (billed_c + wait) * c_gb
        let wait = (billed(*c_warm) * c_gb - billed(*s_warm) * s_gb) / (s_gb - c_gb);
        Some((*s_mb, wait.max(0.0)))
    }

    /// The slowest legacy hash check at `memory_mb` (`None` when one was not measured there).
    pub fn slowest_hash_check(&self, memory_mb: u64) -> Option<(String, Duration)> {
        let mut slowest: Option<(String, Duration)> = None;
        for h in self.hashes {
            let d = h.at(memory_mb)?;
            if slowest.as_ref().is_none_or(|(_, s)| d > *s) {
                slowest = Some((h.format.clone(), d));
            }
        }
        slowest
    }

    fn hashes_markdown(&self, s: &mut String) {
        if self.hashes.is_empty() {
            return;
        }
        let _ = writeln!(s, "\n## User migration: the legacy password check\n");
        let _ = writeln!(
            s,
            "What a sign-in of a user not yet in the pool waits for, besides the store's lookup: one check of the password against a hash written at its library's default work factor (`tests/fixtures/legacy/defaults.json`), at Lambda's CPU share for each size, in a process of its own; the median of 3 checks, in ms. The template deploys user-migration at {}; Cognito waits 5,000 ms for the whole trigger.\n",
            self.deployed(cognito_reset::domain::settings::USER_MIGRATION)
                .map_or("?".into(), |mb| format!("{mb} MB"))
        );
        let sizes: Vec<u64> = crate::hashes::SIZES.to_vec();
        let _ = writeln!(
            s,
            "| format | written by | {} |",
            sizes
                .iter()
                .map(|mb| format!("{mb} MB"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(s, "| --- | --- |{}", " ---: |".repeat(sizes.len()));
        for h in self.hashes {
            let cells: Vec<String> =
                h.at.iter()
                    .map(|(_, r)| match r {
                        Ok(Some(d)) => format!("{:.0}", ms(*d)),
                        Ok(None) => "> 10,000".into(),
                        Err(e) => format!("FAIL: {}", e.replace('|', "/")),
                    })
                    .collect();
            let _ = writeln!(s, "| `{}` | {} | {} |", h.format, h.made_by, cells.join(" | "));
        }
    }

    fn deployed(&self, function: &str) -> Option<u64> {
        self.deployed.iter().find(|(f, _)| f == function).map(|(_, mb)| *mb)
    }

    fn binary(&self, name: &str) -> Option<u64> {
        self.rust_binaries.iter().find(|(n, _)| n == name).map(|(_, s)| *s)
    }

    /// The memory size the main table is at.
    fn smallest(&self) -> u64 {
        self.curve.first().map_or(128, |(mb, _)| *mb)
    }

    /// Each Rust function's init, first invocation, cold start and warm latency at each memory
    /// size, its cost per million, and the size chosen from them.
    fn curve_markdown(&self, s: &mut String) {
        let _ = writeln!(s, "\n## Memory sizes\n");
        let _ = writeln!(
            s,
            "Each Rust function at each memory size measured, at that size's CPU share. Cost per million: the warm p50 billed at that size. \
             **chosen**: the size with the lowest cost on AWS as modeled (the smaller on a tie), among the sizes whose cold starts, for a trigger Cognito waits for (custom message, pre token, post confirmation, user migration), all stay under {WELL_INSIDE_MS:.0} ms, a fifth of Cognito's {COGNITO_LIMIT_MS:.0} ms; \
             the senders are invoked asynchronously and are chosen by cost alone. \
             The model adds {AWS_WAIT_MS:.0} ms to the warm p50 of a function whose every invocation calls AWS (the senders, post confirmation), an assumption: the stand-ins answer over loopback, and a real AWS call waits longer, the same milliseconds at every size but billed 2×, 4× or 8× more at 256, 512 or 1,024 MB. \
             The cost column is this run's, without it. **deployed**: `MemorySize` in `infra/template.json` (the npm package deploys the same sizes).\n"
        );
        let mut header = String::from("| function | path |");
        let mut rule = String::from("| --- | --- |");
        for (mb, _) in self.curve {
            let _ = write!(
                header,
                " {}: cold (first) / warm p50 / $ per million |",
                cpu_share::name(*mb)
            );
            rule.push_str(" ---: |");
        }
        header.push_str(" chosen | deployed |");
        rule.push_str(" ---: | ---: |");
        let _ = writeln!(s, "{header}\n{rule}");
        for (label, function, _, path) in crate::subjects::CASES {
            let mut line = format!("| {function} | {path} |");
            for (mb, m) in self.rust_curve(label) {
                match m {
                    Some(m) => {
                        let cost = if mb == cpu_share::FULL {
                            "n/a".to_owned()
                        } else {
                            format!("${:.2}", cost_per_million(m.warm_p50, mb))
                        };
                        let _ = write!(
                            line,
                            " {} ({}) / {} / {cost} |",
                            show(m.cold),
                            show(m.first),
                            show(m.warm_p50),
                        );
                    }
                    None => line.push_str(" FAIL |"),
                }
            }
            let mb = |v: Option<u64>| v.map_or("?".to_owned(), |v| format!("{v} MB"));
            // User migration runs once per user, and its size is set by the password check.
            let chosen = if function == cognito_reset::domain::settings::USER_MIGRATION {
                "by its password check (below)".to_owned()
            } else {
                mb(self.chosen_size(function))
            };
            let _ = write!(line, " {chosen} | {} |", mb(self.deployed(function)));
            let _ = writeln!(s, "{line}");
        }
        let notes: Vec<String> = cognito_reset::domain::settings::FUNCTIONS
            .iter()
            // None for user migration: no size of it is chosen from the curve.
            .filter_map(|function| {
                let (cheaper, wait) = self.break_even(function)?;
                Some(format!(
                    "- {function}: {cheaper} MB is the cheaper at the stand-ins' waits, and stays so only while its AWS calls wait less than {wait:.1} ms more per invocation than over loopback (the model assumes {AWS_WAIT_MS:.0} ms); beyond that the chosen {} is the cheaper.",
                    self.chosen_size(function).map_or("?".into(), cpu_share::name)
                ))
            })
            .collect();
        if !notes.is_empty() {
            let _ = writeln!(s, "\n{}", notes.join("\n"));
        }
    }

    /// Every subject, at every size, whose processes did not all finish a measured init inside
    /// Lambda's limit, or that could not be measured at all.
    fn outliers_markdown(&self, s: &mut String) {
        let lines: Vec<String> = self
            .curve
            .iter()
            .flat_map(|(memory_mb, measured)| {
                self.rows.iter().zip(measured).filter_map(|((subject, _), m)| {
                    let o = match m {
                        Ok(m) => outliers(m)?,
                        Err(e) => format!("not measured: {e}"),
                    };
                    Some(format!("- {} at {}: {o}.", subject.name(), cpu_share::name(*memory_mb)))
                })
            })
            .collect();
        let _ = writeln!(
            s,
            "\nA process that has not asked for an event {} s after it started is stopped and left out of the medians (a process that exits or fails is not: it fails its subject). \
             Lambda itself allows an init {} s; past that it starts the init again inside the first invocation.",
            INIT_LIMIT.as_secs(),
            LAMBDA_INIT_LIMIT.as_secs()
        );
        if lines.is_empty() {
            let _ = writeln!(
                s,
                "In this run every process finished its init, each within Lambda's limit."
            );
        } else {
            let _ = writeln!(s, "In this run:\n\n{}", lines.join("\n"));
        }
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# Benchmark results\n");
        let _ = writeln!(
            s,
            "Written by `make bench` (`bench/`); every number and comparison on this page is computed from the run. \
             Machine: {}. One run; the numbers are comparable with each other, not with AWS.\n",
            self.machine
        );
        let _ = writeln!(
            s,
            "Every implementation runs as its own process under the same Runtime API harness on loopback (TCP_NODELAY), is handed the same event, and is timed from the harness. \
             Each process runs at Lambda's CPU share for a memory size (128/1769 of one CPU at 128 MB; a cgroup of its own with a CPU quota per 20 ms period, `bench/src/cpu_share.rs`), at 128, 256, 512 and 1,024 MB in turn and then on full cores, while the harness and the stand-ins keep the whole machine. \
             The subjects reach every AWS service (moto, its Cognito included) over TLS: a local endpoint with a chain made for the run (root, intermediate, RSA 2048 leaf), trusted as a system CA is (the machine's CA bundle with the run's root appended), so a first call pays a real handshake and later calls reuse the connection. \
             Before any subject is timed, every stand-in service has answered one request of each kind the subjects make (moto sets its services up on first use). \
             At each memory size the subjects run in {REPETITIONS} rounds, in the listed order then reversed, their samples pooled; each round starts {FRESH} fresh processes per subject. \
             **init** is process start to its first `next` request, **first** is the first event handed over to its answer, **cold start** is init + first of the same process \
             (each the median over the {} processes, less any left out below); **warm** is over {} invocations of the custom message function and of a sign-in, and {} of a sender, a Cognito write or a user migration, spread over the rounds. \
             Every AWS call goes through one counting proxy in front of the same local moto server, so the network costs are equal and the requests are counted. \
             User migration has no peer (AWS's samples check no legacy hash): its store is a legacy API stand-in over TLS (`cognito_reset_stack::LegacyApi`, a chain of its own) holding one user whose hash is bcrypt at cost 12, its library's default; each fresh process answers that user's first sign-in (the lookup and one password check), and its warm invocations are reset requests for the same user (the lookup alone: the password check per hash format is measured on its own, below). Every answer is checked to be that user's migration after exactly one lookup, so a refusal cannot pass for a fast sign-in. \
             The tables below are at {} unless they say otherwise.\n",
            REPETITIONS * FRESH,
            self.warm_message.div_ceil(REPETITIONS) * REPETITIONS,
            self.warm_sender.div_ceil(REPETITIONS) * REPETITIONS,
            cpu_share::name(self.smallest()),
        );
        let _ = writeln!(s, "![cold start and warm latency](results.svg)\n");
        let _ = writeln!(
            s,
            "| function | implementation | init | first invocation | cold start | warm p50 | warm p99 | peak RSS | artifact (zip) | KMS + delivery + DynamoDB + Cognito requests per invocation | cost per million |"
        );
        let _ = writeln!(
            s,
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        for (subject, m) in self.rows {
            match m {
                Ok(m) => {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {} | {} | {} | {} | {:.1} MB | {} | {} + {} + {} + {} | ${:.2} |",
                        subject.label,
                        subject.language,
                        show(m.init),
                        show(m.first),
                        show(m.cold),
                        show(m.warm_p50),
                        show(m.warm_p99),
                        m.peak_rss_kib as f64 / 1024.0,
                        size(m.artifact_bytes),
                        m.kms_calls,
                        m.delivery_calls,
                        m.table_calls,
                        m.cognito_calls,
                        cost_per_million(m.warm_p50, self.smallest().max(128)),
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        s,
                        "| {} | {} | FAIL: {} | | | | | | | | |",
                        subject.label,
                        subject.language,
                        e.replace('|', "/").replace('\n', " ")
                    );
                }
            }
        }
        self.outliers_markdown(&mut s);
        let _ = writeln!(s, "\n## Ratios (peer ÷ Rust)\n");
        let _ = writeln!(
            s,
            "| function | peer | init | first | cold start | warm p50 | peak RSS | artifact |"
        );
        let _ = writeln!(s, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        let ratio = |a: f64, b: f64| {
            if b > 0.0 {
                format!("{:.2}×", a / b)
            } else {
                "n/a".into()
            }
        };
        for (subject, m) in self.rows.iter().filter(|(s, _)| s.language != "Rust") {
            if let (Ok(m), Some(r)) = (m, self.measured(subject.label, "Rust")) {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    subject.label,
                    subject.language,
                    ratio(ms(m.init), ms(r.init)),
                    ratio(ms(m.first), ms(r.first)),
                    ratio(ms(m.cold), ms(r.cold)),
                    ratio(ms(m.warm_p50), ms(r.warm_p50)),
                    ratio(m.peak_rss_kib as f64, r.peak_rss_kib as f64),
                    ratio(m.artifact_bytes as f64, r.artifact_bytes as f64),
                );
            }
        }
        self.curve_markdown(&mut s);
        let _ = writeln!(s, "\n## What was found\n");
        for line in self.findings() {
            let _ = writeln!(s, "- {line}");
        }
        let _ = writeln!(s, "\n## Opening connections during init\n");
        let _ = writeln!(
            s,
            "Not done. The synchronous triggers that call AWS (pre token after `NEW_PASSWORD_REQUIRED`, post confirmation) open their connection on their first write. \
             For an on-demand cold start Lambda runs init and the first invocation inside the request Cognito waits on, so a handshake moved into init shortens what a user waits only when Lambda initializes an environment ahead of a request; \
             the SDK opens a connection only for a request, so warming one needs a real call (a KMS call is billed, a Cognito read needs a permission the function does not otherwise have). \
             What it could take out at most, from this run:\n"
        );
        for line in self.init_connections() {
            let _ = writeln!(s, "- {line}");
        }
        let _ = writeln!(
            s,
            "\nThe first call's cost was profiled (docs/src/benchmarks.md, \"What the first call costs\"): most of it was AWS-LC's CPU jitter entropy, which the workspace now builds without (`.cargo/config.toml`).\n"
        );
        let _ = writeln!(s, "\n## Budgets ([`BUDGETS.md`](BUDGETS.md))\n");
        for line in self.budget_lines() {
            let _ = writeln!(s, "- {line}");
        }
        if let Some(table) = self.table {
            self.table_markdown(table, &mut s);
        }
        let _ = writeln!(s, "\n## Phone validation candidates\n");
        let _ = writeln!(
            s,
            "Each candidate runs in fresh processes (the median of 9): the first number checked (a US number, what a cold sender pays), then the first number of a second country (GB), then a warm check (the mean of 1000).\n"
        );
        let _ = writeln!(
            s,
            "| candidate | first number | first number of a second country | warm | what it is |"
        );
        let _ = writeln!(s, "| --- | ---: | ---: | ---: | --- |");
        for p in self.phone {
            match &p.outcome {
                Ok((first, second, warm)) => {
                    let _ = writeln!(
                        s,
                        "| `{}` | {} | {} | {} | {} |",
                        p.name,
                        show(*first),
                        show(*second),
                        show(*warm),
                        p.described
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        s,
                        "| `{}` | FAIL: {} | | | {} |",
                        p.name,
                        e.replace('|', "/"),
                        p.described
                    );
                }
            }
        }
        self.hashes_markdown(&mut s);
        let _ = writeln!(s, "\n## What the peers do and do not do\n");
        for (function, text) in PEERS {
            let _ = writeln!(s, "- **{function}**: {text}");
        }
        let _ = writeln!(s, "\n## Rust binaries (release, stripped)\n");
        for (name, size_bytes) in self.rust_binaries {
            let _ = writeln!(s, "- {name}: {}", size(*size_bytes));
        }
        let _ = writeln!(s, "\n## What each implementation ran on\n");
        let mut seen = Vec::new();
        for (subject, _) in self.rows {
            if !seen.contains(&subject.runtime) {
                let _ = writeln!(s, "- {}: {}", subject.language, subject.runtime);
                seen.push(subject.runtime.clone());
            }
        }
        let _ = writeln!(
            s,
            "\nPeak RSS is the whole process (`VmHWM`), interpreter included for the peers. \
             Cost: Lambda arm64 prices (${PRICE_GB_SECOND} per GB-second, $0.20 per million requests) at the size of the table, the warm p50 rounded up to the billed millisecond; init time is not included. \
             Artifacts: the Rust binary zipped; for the peers their handler plus the libraries the Lambda runtime does not provide (the Encryption SDK and its dependencies; the AWS SDK is provided)."
        );
        s
    }

    /// The lines `make bench` writes into `docs/src/benchmarks.md` between its markers.
    pub fn book_block(&self) -> String {
        let mut s = format!(
            "From the last `make bench` ({}; written by it, not by hand):\n\n",
            self.machine
        );
        for line in self.findings().into_iter().chain(self.init_connections()) {
            let _ = writeln!(s, "- {line}");
        }
        for function in cognito_reset::domain::settings::FUNCTIONS {
            if let Some(mb) = self.chosen_size(function) {
                let _ = writeln!(
                    s,
                    "- {function}: chosen memory size {} (RESULTS.md, \"Memory sizes\").",
                    cpu_share::name(mb)
                );
            } else if let Some(mb) = self
                .deployed(function)
                .filter(|_| *function == cognito_reset::domain::settings::USER_MIGRATION)
            {
                let _ = writeln!(
                    s,
                    "- {function}: deployed at {} for its password check (RESULTS.md, \"User migration: the legacy password check\").",
                    cpu_share::name(mb)
                );
            }
        }
        let failed = self.budget_lines().iter().filter(|l| l.contains("FAIL")).count();
        let _ = writeln!(
            s,
            "- Budgets: {} of {} met{}.",
            self.budget_lines().len() - failed,
            self.budget_lines().len(),
            if failed == 0 {
                ""
            } else {
                "; see RESULTS.md for the others"
            }
        );
        s
    }
}

const START: &str = "<!-- bench:start (written by make bench) -->";
const END: &str = "<!-- bench:end -->";

/// Replaces what is between the page's bench markers.
pub fn write_block(readme: &Path, block: &str) -> std::io::Result<()> {
    let text = std::fs::read_to_string(readme)?;
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        return Err(std::io::Error::other("the page has no bench markers"));
    };
    let updated = format!("{}{START}\n{block}{}", &text[..start], &text[end..]);
    std::fs::write(readme, updated)
}

impl Results<'_> {
    fn table_markdown(&self, table: &TableResults, s: &mut String) {
        let _ = writeln!(s, "\n## Senders with the delivery table\n");
        let _ = writeln!(
            s,
            "The same Rust senders with `DELIVERY_TABLE` set, on moto's DynamoDB with its operations serialized as DynamoDB's transactions are \
             (moto never answers `TransactionConflict`, so no number here includes DynamoDB's conflict retries; \
             in a burst, 50 function processes and one Python moto share this machine's cores: the latencies are this machine's, not DynamoDB's). \
             One process per sender hands it one new message after another (each its own ciphertext, as Cognito makes), then every message again (Lambda's retry of a message already sent). \
             Limits are high except where a burst says, and the pool's SMS ceiling is on, so its counter is paid for.\n"
        );
        let _ = writeln!(
            s,
            "| function | cold start | new message p50 | p99 | requests per new message | duplicate p50 | requests per duplicate | without the table: warm p50 |"
        );
        let _ = writeln!(s, "| --- | ---: | ---: | ---: | --- | ---: | --- | ---: |");
        for run in &table.sequential {
            match run {
                Ok(r) => {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {} | {} | {} | {} | {} |",
                        r.function,
                        show(r.cold),
                        show(r.p50),
                        show(r.p99),
                        r.requests.per(r.messages),
                        show(r.duplicate_p50),
                        r.duplicate_requests.per(r.duplicates),
                        self.measured(r.function, "Rust")
                            .map_or("?".into(), |m| show(m.warm_p50)),
                    );
                }
                Err(e) => {
                    let _ = writeln!(s, "| FAIL: {} | | | | | | | |", e.replace('|', "/").replace('\n', " "));
                }
            }
        }
        let _ = writeln!(
            s,
            "\n{BURST} invocations at once (the template's reserved concurrency for a sender), each in its own initialized process, handed its event at the same moment. \
             **sent** is what reached SNS or SES, **held as sent** the message items the table holds in state `sent` afterwards: a message sent without its claim would make them differ. \
             **unguarded** counts the invocations that logged delivering without the table: it gave no answer within the claim's {} ms, and `ON_TABLE_ERROR=deliver` (the default) sends regardless.\n",
            cognito_reset::domain::budgets::CLAIM.as_millis()
        );
        let _ = writeln!(
            s,
            "| function | burst | sent / allowed | held as sent | unguarded | failed | p50 | p99 | slowest | requests per invocation |"
        );
        let _ = writeln!(
            s,
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
        );
        for burst in &table.bursts {
            match burst {
                Ok(b) => {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} / {} | {} | {} | {} | {} | {} | {} | {} |",
                        b.function,
                        b.what,
                        b.sent,
                        b.expected,
                        b.claimed_sent,
                        b.unguarded,
                        b.failed,
                        show(b.p50),
                        show(b.p99),
                        show(b.max),
                        b.requests.per(b.invocations),
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        s,
                        "| FAIL: {} | | | | | | | | | |",
                        e.replace('|', "/").replace('\n', " ")
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(label: &'static str, function: &'static str) -> Subject {
        Subject {
            label,
            function,
            language: "Rust",
            runtime: String::new(),
            program: Vec::new(),
            cwd: std::path::PathBuf::new(),
            artifact: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Results of `rows` and `curve` alone (no binaries, phone candidates or table).
    fn results<'a>(
        rows: &'a [(Subject, Result<Measured, String>)],
        curve: &'a Curve,
        deployed: &'a [(String, u64)],
    ) -> Results<'a> {
        Results {
            rows,
            curve,
            deployed,
            rust_binaries: &[],
            phone: &[],
            machine: String::new(),
            warm_message: 1,
            warm_sender: 1,
            table: None,
            hashes: &[],
        }
    }

    fn measured(cold_ms: u64, warm_us: u64) -> Result<Measured, String> {
        Ok(Measured {
            cold: Duration::from_millis(cold_ms),
            warm_p50: Duration::from_micros(warm_us),
            ..Measured::default()
        })
    }

    /// The sender's shape in the last run (warm p50 falling from 31 ms to 7 ms as the share
    /// grows, the stand-ins' 6 ms floor): 512 MB is the cheaper at loopback's waits, 128 MB once
    /// the calls wait the model's 10 ms more, and the break-even says from how many
    /// milliseconds on; a synchronous trigger over a second cold at 128 MB moves up.
    #[test]
    fn the_chosen_size_is_the_cheapest_on_aws_as_modeled_and_fits_cognitos_wait() {
        let rows = vec![
            (subject("custom-sms-sender", "custom-sms-sender"), measured(201, 31_300)),
            (subject("custom-message", "custom-message"), measured(1_200, 117)),
        ];
        let curve = vec![
            (128, vec![measured(201, 31_300), measured(1_200, 117)]),
            (256, vec![measured(95, 14_300), measured(900, 113)]),
            (512, vec![measured(59, 6_860), measured(4, 216)]),
            (cpu_share::FULL, vec![measured(19, 1_000), measured(3, 100)]),
        ];
        let deployed = vec![
            ("custom-sms-sender".to_owned(), 128),
            ("custom-message".to_owned(), 128),
        ];
        let results = results(&rows, &curve, &deployed);
        assert_eq!(results.chosen_size("custom-sms-sender"), Some(128));
        let (cheaper, wait) = results.break_even("custom-sms-sender").expect("512 MB is cheaper here");
        assert_eq!(cheaper, 512);
        // (32 ms + w) * 0.125 GB = (7 ms + w) * 0.5 GB
        assert!((wait - 4.0 / 3.0).abs() < 1e-9, "{wait}");
        assert_eq!(
            results.chosen_size("custom-message"),
            Some(256),
            "128 MB's cold start is over a fifth of Cognito's limit"
        );
        assert!(
            results.break_even("custom-message").is_none(),
            "256 MB is also the cheapest that fits"
        );
        assert!(
            results
                .budget_lines()
                .iter()
                .any(|l| l.starts_with("budget FAIL: custom-message deployed at the size chosen")),
            "the template's 128 MB is not the chosen 256 MB"
        );
    }

    /// User migration's size is its password check's, not the curve's: however cheap a size
    /// its cold starts make it, no size is chosen for it, and the book names the deployed one.
    #[test]
    fn user_migration_gets_no_size_from_the_curve_and_the_book_names_its_deployed_size() {
        let rows = vec![(subject("user-migration", "user-migration"), measured(300, 1_000))];
        let curve = vec![
            (128, vec![measured(300, 1_000)]),
            (512, vec![measured(100, 900)]),
            (1024, vec![measured(50, 800)]),
        ];
        let deployed = vec![("user-migration".to_owned(), 1024)];
        let results = results(&rows, &curve, &deployed);
        assert_eq!(results.chosen_size("user-migration"), None);
        let book = results.book_block();
        assert!(
            book.contains("- user-migration: deployed at 1024 MB for its password check"),
            "{book}"
        );
        assert!(!book.contains("user-migration: chosen memory size"), "{book}");
    }

    #[test]
    fn processes_left_out_or_over_lambdas_init_limit_are_counted_in_words() {
        let all_fine = Measured {
            processes: 12,
            ..Measured::default()
        };
        assert_eq!(outliers(&all_fine), None);
        let some = Measured {
            processes: 10,
            stalled: 2,
            over_lambda_init: 1,
            ..Measured::default()
        };
        assert_eq!(
            outliers(&some).as_deref(),
            Some(
                "2 of 12 processes did not ask for an event within 60 s and are left out; 1 of the 10 measured took longer than Lambda's 10 s init limit"
            )
        );
        let rows = vec![(subject("custom-message", "custom-message"), Ok(all_fine.clone()))];
        let curve = vec![
            (128, vec![Ok(all_fine)]),
            (256, vec![Ok(some)]),
            (
                512,
                vec![Err("none of its 12 processes asked for an event within 60 s".to_owned())],
            ),
        ];
        let results = results(&rows, &curve, &[]);
        let mut s = String::new();
        results.outliers_markdown(&mut s);
        assert!(
            s.contains("\n- custom-message/Rust at 256 MB: 2 of 12 processes"),
            "{s}"
        );
        assert!(
            s.contains("\n- custom-message/Rust at 512 MB: not measured: none of its 12 processes"),
            "{s}"
        );
        assert!(!s.contains("at 128 MB"), "{s}");
        assert!(!s.contains("every process finished"), "{s}");
    }
}

//! The results as Markdown (tables, ratios, budgets, computed comparisons), an SVG chart, and
//! the block of numbers `make bench` writes into the book (`docs/src/benchmarks.md`). Every number and every comparison
//! here is computed from the run.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::phone::PhoneResult;
use crate::table::{BURST, TableResults};
use crate::{FRESH, Measured, REPETITIONS, Subject};

/// Lambda prices used for the cost estimate (us-east-1, arm64): per GB-second and per request.
const PRICE_GB_SECOND: f64 = 0.000_013_333_4;
const PRICE_REQUEST: f64 = 0.000_000_2;
const MEMORY_GB: f64 = 128.0 / 1024.0;

#[derive(Debug)]
pub struct Results<'a> {
    pub rows: &'a [(Subject, Result<Measured, String>)],
    pub rust_binaries: &'a [(String, u64)],
    pub phone: &'a [PhoneResult],
    pub machine: String,
    pub warm_message: usize,
    pub warm_sender: usize,
    /// The senders with the delivery table (`None` when `BENCH_ONLY` left them out).
    pub table: Option<&'a TableResults>,
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
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

/// Cost of a million invocations at 128 MB, billed per started millisecond.
fn cost_per_million(warm_p50: Duration) -> f64 {
    let billed_ms = ms(warm_p50).ceil().max(1.0);
    1e6 * (PRICE_REQUEST + MEMORY_GB * billed_ms / 1e3 * PRICE_GB_SECOND)
}

/// What each peer does and does not do that the Rust function does: the reader's key to the
/// comparison.
const PEERS: &[(&str, &str)] = &[
    (
        "custom-message",
        "The peers fill the three response fields for `CustomMessage_ForgotPassword` only, with \
         string formatting and one hard-coded language. The Rust function handles every \
         `CustomMessage_*` source, renders HTML and text templates in the user's locale with escaping, \
         checks Cognito's size limits and keeps the code placeholder, and returns the event unchanged \
         when its configuration is unusable.",
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
    fn measured(&self, function: &str, language: &str) -> Option<&Measured> {
        self.rows
            .iter()
            .find(|(s, _)| s.function == function && s.language == language)
            .and_then(|(_, m)| m.as_ref().ok())
    }

    fn binary(&self, name: &str) -> Option<u64> {
        self.rust_binaries.iter().find(|(n, _)| n == name).map(|(_, s)| *s)
    }

    /// The budgets of `bench/BUDGETS.md`, each as a PASS or FAIL line (FAIL also when the
    /// subject could not be measured).
    pub fn budget_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut check = |ok: Option<bool>, text: String| {
            let verdict = match ok {
                Some(true) => "PASS",
                Some(false) => "FAIL",
                None => "FAIL (not measured)",
            };
            lines.push(format!("budget {verdict}: {text}"));
        };
        for (name, limit) in [("custom-message", 2_000_000), ("pre-token", 6_000_000)] {
            let bytes = self.binary(name).filter(|b| *b > 0);
            check(
                bytes.map(|b| b < limit),
                format!(
                    "{name} stripped binary {} (< {} MB)",
                    bytes.map_or("?".into(), size),
                    limit / 1_000_000
                ),
            );
        }
        for function in ["custom-message", "pre-token"] {
            let m = self.measured(function, "Rust");
            check(
                m.map(|m| ms(m.init) < 5.0),
                format!("{function} init {} (< 5 ms)", m.map_or("?".into(), |m| show(m.init))),
            );
            check(
                m.map(|m| ms(m.warm_p50) < 1.0),
                format!(
                    "{function} warm invocation in microseconds: p50 {} including the harness (< 1 ms)",
                    m.map_or("?".into(), |m| format!("{:.0} µs", ms(m.warm_p50) * 1e3))
                ),
            );
        }
        for function in ["custom-message", "custom-sms-sender"] {
            let rust = self.measured(function, "Rust");
            for peer in ["Python", "Node.js"] {
                let other = self.measured(function, peer);
                let pair = rust.zip(other);
                check(
                    pair.map(|(r, o)| ms(o.cold) >= 10.0 * ms(r.cold)),
                    format!(
                        "{function} cold start (init + first) at least 10× below {peer}'s: {}",
                        pair.map_or("?".into(), |(r, o)| format!(
                            "{} vs {}, {}",
                            show(r.cold),
                            show(o.cold),
                            compare(ms(r.cold), ms(o.cold))
                        ))
                    ),
                );
            }
        }
        let rust = self.measured("custom-sms-sender", "Rust");
        let python = self.measured("custom-sms-sender", "Python");
        check(
            rust.zip(python).map(|(r, p)| r.first <= p.first),
            format!(
                "custom-sms-sender first invocation no slower than Python's: {}",
                rust.zip(python)
                    .map_or("?".into(), |(r, p)| format!("{} vs {}", show(r.first), show(p.first)))
            ),
        );
        for (function, delivery) in [("custom-sms-sender", "SNS"), ("custom-email-sender", "SES")] {
            let m = self.measured(function, "Rust");
            check(
                m.map(|m| m.kms_calls == 1.0 && m.delivery_calls == 1.0 && m.table_calls == 0.0),
                format!(
                    "{function} requests per message: {} (1 KMS, 1 {delivery}, nothing else; no delivery table here)",
                    m.map_or("?".into(), |m| format!(
                        "{} KMS, {} {delivery}, {} DynamoDB",
                        m.kms_calls, m.delivery_calls, m.table_calls
                    ))
                ),
            );
            check(
                m.map(|m| m.artifact_bytes < 10_000_000),
                format!(
                    "{function} zip {} (< 10 MB; the aim is 8 MB: {})",
                    m.map_or("?".into(), |m| size(m.artifact_bytes)),
                    m.map_or("?", |m| if m.artifact_bytes < 8_000_000 { "met" } else { "not met" })
                ),
            );
        }
        if let Some(table) = self.table {
            table_budgets(table, &mut check);
        }
        lines
    }

    /// Computed sentences about the run, for RESULTS.md and the book.
    fn findings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for function in ["custom-message", "custom-sms-sender"] {
            let Some(r) = self.measured(function, "Rust") else {
                out.push(format!("The Rust {function} could not be measured in this run."));
                continue;
            };
            for peer in ["Python", "Node.js"] {
                if let Some(p) = self.measured(function, peer) {
                    out.push(format!(
                        "{function}: the Rust cold start (init + first invocation, {}) is {} than {peer}'s ({}); its first invocation alone ({}) is {} than {peer}'s ({}), and its warm p50 ({}) is {} than {peer}'s ({}).",
                        show(r.cold),
                        compare(ms(r.cold), ms(p.cold)),
                        show(p.cold),
                        show(r.first),
                        compare(ms(r.first), ms(p.first)),
                        show(p.first),
                        show(r.warm_p50),
                        compare(ms(r.warm_p50), ms(p.warm_p50)),
                        show(p.warm_p50),
                    ));
                }
            }
        }
        if let Some(e) = self.measured("custom-email-sender", "Rust") {
            out.push(format!(
                "custom-email-sender (Rust only: AWS's samples have no peer): cold start {}, first invocation {}, warm p50 {}.",
                show(e.cold),
                show(e.first),
                show(e.warm_p50)
            ));
        }
        let phone: Vec<_> = self
            .phone
            .iter()
            .filter_map(|p| p.outcome.as_ref().ok().map(|o| (p, o)))
            .collect();
        if let [(old, o), (new, n)] = phone[..] {
            out.push(format!(
                "Phone validation, the first number in a fresh process: `{}` {}, `{}` {} ({}).",
                new.name,
                show(n.0),
                old.name,
                show(o.0),
                compare(ms(n.0), ms(o.0))
            ));
        }
        out
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
             Before any subject is timed, every stand-in service has answered one request of each kind the subjects make (moto sets its services up on first use). \
             The subjects run in {REPETITIONS} rounds, in the listed order then reversed, their samples pooled; each round starts {FRESH} fresh processes per subject. \
             **init** is process start to its first `next` request, **first** is the first event handed over to its answer, **cold start** is init + first of the same process \
             (each the median over {} processes); **warm** is over {} invocations of the custom message function and {} of a sender, spread over the rounds. \
             Senders talk to the same local moto server through a counting proxy, so their network costs are equal and their requests are counted.\n",
            REPETITIONS * FRESH,
            self.warm_message.div_ceil(REPETITIONS) * REPETITIONS,
            self.warm_sender.div_ceil(REPETITIONS) * REPETITIONS,
        );
        let _ = writeln!(s, "![cold start and warm latency](results.svg)\n");
        let _ = writeln!(
            s,
            "| function | implementation | init | first invocation | cold start | warm p50 | warm p99 | peak RSS | artifact (zip) | KMS + delivery + DynamoDB requests per invocation | cost per million at 128 MB |"
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
                        "| {} | {} | {} | {} | {} | {} | {} | {:.1} MB | {} | {} + {} + {} | ${:.2} |",
                        subject.function,
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
                        cost_per_million(m.warm_p50),
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        s,
                        "| {} | {} | FAIL: {} | | | | | | | | |",
                        subject.function,
                        subject.language,
                        e.replace('|', "/").replace('\n', " ")
                    );
                }
            }
        }
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
            if let (Ok(m), Some(r)) = (m, self.measured(subject.function, "Rust")) {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    subject.function,
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
        let _ = writeln!(s, "\n## What was found\n");
        for line in self.findings() {
            let _ = writeln!(s, "- {line}");
        }
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
        let _ = writeln!(s, "\n## What the peers do and do not do\n");
        for (function, text) in PEERS {
            let _ = writeln!(s, "- **{function}**: {text}");
        }
        let _ = writeln!(
            s,
            "- **custom-email-sender** and **pre-token**: measured for the Rust function alone (no peer)."
        );
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
             Cost: Lambda arm64 prices (${PRICE_GB_SECOND} per GB-second, $0.20 per million requests), 128 MB, the warm p50 rounded up to the billed millisecond; init time is not included. \
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
        for line in self.findings() {
            let _ = writeln!(s, "- {line}");
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

    /// Three bar charts (init, cold start, warm p50) on a log scale, grouped by function.
    pub fn svg(&self) -> String {
        let colors = [("Rust", "#dea584"), ("Python", "#3572a5"), ("Node.js", "#68a063")];
        type Metric = fn(&Measured) -> Duration;
        let metrics: [(&str, Metric); 3] = [
            ("init (ms, log scale)", |m| m.init),
            ("cold start: init + first invocation (ms, log scale)", |m| m.cold),
            ("warm p50 (ms, log scale)", |m| m.warm_p50),
        ];
        let functions = ["custom-message", "custom-sms-sender", "custom-email-sender"];
        let (width, panel_h, bar_w) = (860.0_f64, 240.0_f64, 36.0_f64);
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n",
            panel_h * metrics.len() as f64 + 60.0
        );
        for (panel, (title, metric)) in metrics.iter().enumerate() {
            let top = 30.0 + panel as f64 * (panel_h + 20.0);
            let base = top + panel_h - 40.0;
            let _ = writeln!(
                s,
                "<text x=\"10\" y=\"{}\" font-weight=\"bold\">{title}</text>",
                top - 8.0
            );
            let value = |m: &Measured| ms(metric(m));
            let max = self
                .rows
                .iter()
                .filter_map(|(_, m)| m.as_ref().ok())
                .map(value)
                .fold(0.001_f64, f64::max);
            let (lo, hi) = (0.01_f64.log10(), (max * 2.0).log10());
            let scale = |v: f64| (v.max(0.01).log10() - lo) / (hi - lo) * (panel_h - 70.0);
            let mut x = 60.0;
            for function in functions {
                let group_start = x;
                for (language, color) in colors {
                    let Some((_, m)) = self
                        .rows
                        .iter()
                        .find(|(s, _)| s.function == function && s.language == language)
                    else {
                        continue;
                    };
                    match m {
                        Ok(m) => {
                            let h = scale(value(m));
                            let _ = writeln!(
                                s,
                                "<rect x=\"{x}\" y=\"{:.1}\" width=\"{bar_w}\" height=\"{h:.1}\" fill=\"{color}\"><title>{language} {:.3} ms</title></rect>",
                                base - h,
                                value(m)
                            );
                            let _ = writeln!(
                                s,
                                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.2}</text>",
                                x + bar_w / 2.0,
                                base - h - 4.0,
                                value(m)
                            );
                        }
                        Err(_) => {
                            let _ = writeln!(
                                s,
                                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#c00\">FAIL</text>",
                                x + bar_w / 2.0,
                                base - 4.0
                            );
                        }
                    }
                    x += bar_w + 6.0;
                }
                let _ = writeln!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{function}</text>",
                    (group_start + x) / 2.0,
                    base + 18.0
                );
                x += 60.0;
            }
            let _ = writeln!(
                s,
                "<line x1=\"50\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#999\"/>",
                width - 20.0
            );
        }
        let mut lx = 620.0;
        for (language, color) in colors {
            let _ = writeln!(
                s,
                "<rect x=\"{lx}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{}\" y=\"18\">{language}</text>",
                lx + 16.0
            );
            lx += 75.0;
        }
        s.push_str("</svg>\n");
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

/// What a message with the table may cost (`bench/BUDGETS.md`): the claim and its outcome,
/// and for SMS the pool's counter; a duplicate one read-only claim and nothing else; a burst
/// sends what the limits allow, each message with its claim.
fn table_budgets(table: &TableResults, check: &mut impl FnMut(Option<bool>, String)) {
    for run in &table.sequential {
        let Ok(run) = run else {
            check(
                None,
                format!(
                    "delivery table, one message after another: {}",
                    run.as_ref().err().map_or("", String::as_str)
                ),
            );
            continue;
        };
        let (delivery, dynamodb) = if run.function == "custom-sms-sender" {
            ("SNS", 3)
        } else {
            ("SES", 2)
        };
        let r = run.requests;
        let n = run.messages;
        check(
            Some(r.kms == n && r.delivery == n && r.dynamodb() == dynamodb * n),
            format!(
                "{} with the delivery table, requests per new message: {} (1 KMS, 1 {delivery}, {dynamodb} DynamoDB)",
                run.function,
                r.per(n)
            ),
        );
        let d = run.duplicate_requests;
        check(
            Some(d.kms == 0 && d.delivery == 0 && d.dynamodb() == run.duplicates),
            format!(
                "{} a retried (duplicate) message: {} (no KMS, no {delivery}, 1 DynamoDB)",
                run.function,
                d.per(run.duplicates)
            ),
        );
    }
    for burst in &table.bursts {
        let Ok(b) = burst else {
            check(
                None,
                format!(
                    "delivery table, {BURST} at once: {}",
                    burst.as_ref().err().map_or("", String::as_str)
                ),
            );
            continue;
        };
        check(Some(b.held()), b.summary());
    }
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
             **sent** is what reached SNS or SES, **held as sent** the message items the table holds in state `sent` afterwards: a message sent without its claim would make them differ.\n"
        );
        let _ = writeln!(
            s,
            "| function | burst | sent / allowed | held as sent | failed | p50 | p99 | slowest | requests per invocation |"
        );
        let _ = writeln!(s, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        for burst in &table.bursts {
            match burst {
                Ok(b) => {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} / {} | {} | {} | {} | {} | {} | {} |",
                        b.function,
                        b.what,
                        b.sent,
                        b.expected,
                        b.claimed_sent,
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
                        "| FAIL: {} | | | | | | | | |",
                        e.replace('|', "/").replace('\n', " ")
                    );
                }
            }
        }
    }
}

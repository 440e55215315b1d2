//! The results as a Markdown table with ratios, budget lines, cost, and an SVG chart.

use std::fmt::Write as _;
use std::time::Duration;

use crate::{Measured, Subject};

/// Lambda prices used for the cost estimate (us-east-1, arm64): per GB-second and per request.
const PRICE_GB_SECOND: f64 = 0.000_013_333_4;
const PRICE_REQUEST: f64 = 0.000_000_2;
const MEMORY_GB: f64 = 128.0 / 1024.0;

#[derive(Debug)]
pub struct Results<'a> {
    pub rows: &'a [(Subject, Measured)],
    pub rust_binaries: &'a [(String, u64)],
    pub warm_message: usize,
    pub warm_sender: usize,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A size in MB, or in KB below one MB.
fn size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.2} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} KB", bytes as f64 / 1e3)
    }
}

/// Cost of a million invocations at 128 MB, billed per started millisecond.
fn cost_per_million(warm_p50: Duration) -> f64 {
    let billed_ms = ms(warm_p50).ceil().max(1.0);
    1e6 * (PRICE_REQUEST + MEMORY_GB * billed_ms / 1e3 * PRICE_GB_SECOND)
}

impl Results<'_> {
    fn rust(&self, function: &str) -> Option<&Measured> {
        self.rows
            .iter()
            .find(|(s, _)| s.function == function && s.language == "Rust")
            .map(|(_, m)| m)
    }

    pub fn budget_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut check =
            |ok: bool, text: String| lines.push(format!("budget {}: {text}", if ok { "PASS" } else { "FAIL" }));
        for (name, size) in self.rust_binaries {
            if name == "custom-message" || name == "pre-token" {
                check(
                    *size < 2_000_000,
                    format!("{name} stripped binary {:.2} MB (< 2 MB)", *size as f64 / 1e6),
                );
            }
        }
        for (subject, m) in self.rows.iter().filter(|(s, _)| s.language == "Rust") {
            if subject.function == "custom-message" {
                check(
                    ms(m.init) < 5.0,
                    format!("custom-message init {:.2} ms (< 5 ms)", ms(m.init)),
                );
                check(
                    ms(m.warm_p50) < 1.0,
                    format!("custom-message warm p50 {:.0} µs (microseconds)", ms(m.warm_p50) * 1e3),
                );
            } else {
                check(
                    (m.kms_calls - 1.0).abs() < 1e-9 && (m.sns_calls - 1.0).abs() < 1e-9,
                    format!(
                        "{} network calls per invocation: {} KMS, {} SNS (1 and 1)",
                        subject.function, m.kms_calls, m.sns_calls
                    ),
                );
                check(
                    m.artifact_bytes < 10_000_000,
                    format!(
                        "{} zip {:.2} MB (< 10 MB)",
                        subject.function,
                        m.artifact_bytes as f64 / 1e6
                    ),
                );
            }
        }
        lines
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# Benchmark results\n");
        let _ = writeln!(
            s,
            "Written by `make bench` (`bench/`). Every implementation runs as its own process under the same Runtime API harness on loopback (TCP_NODELAY), is handed the same event, and is timed from the harness: **init** is process start to its first `next` request (the median of 7 fresh processes), **first** and **warm** are from handing over an event to receiving the answer ({} warm invocations for the custom message function, {} for the SMS sender). Senders talk to the same local moto server through a counting proxy, so their network costs are equal and their calls are counted. One run on this machine (2 cores); the numbers are comparable with each other, not with AWS.\n",
            self.warm_message, self.warm_sender
        );
        let _ = writeln!(s, "![init time and warm latency](results.svg)\n");
        let _ = writeln!(
            s,
            "| function | implementation | init | first invocation | warm p50 | warm p99 | peak RSS | artifact (zip) | KMS + SNS calls per invocation | cost per million at 128 MB |"
        );
        let _ = writeln!(
            s,
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        for (subject, m) in self.rows {
            let calls = if subject.function == "custom-message" {
                "0 + 0".to_owned()
            } else {
                format!("{} + {}", m.kms_calls, m.sns_calls)
            };
            let _ = writeln!(
                s,
                "| {} | {} | {:.1} ms | {:.2} ms | {:.3} ms | {:.3} ms | {:.1} MB | {} | {calls} | ${:.2} |",
                subject.function,
                subject.language,
                ms(m.init),
                ms(m.first),
                ms(m.warm_p50),
                ms(m.warm_p99),
                m.peak_rss_kib as f64 / 1024.0,
                size(m.artifact_bytes),
                cost_per_million(m.warm_p50),
            );
        }
        let _ = writeln!(s, "\n## Ratios (peer ÷ Rust)\n");
        let _ = writeln!(s, "| function | peer | init | warm p50 | peak RSS | artifact |");
        let _ = writeln!(s, "| --- | --- | ---: | ---: | ---: | ---: |");
        for (subject, m) in self.rows.iter().filter(|(s, _)| s.language != "Rust") {
            if let Some(r) = self.rust(subject.function) {
                let ratio = |a: f64, b: f64| {
                    if b > 0.0 {
                        format!("{:.2}×", a / b)
                    } else {
                        "n/a".into()
                    }
                };
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} |",
                    subject.function,
                    subject.language,
                    ratio(ms(m.init), ms(r.init)),
                    ratio(ms(m.warm_p50), ms(r.warm_p50)),
                    ratio(m.peak_rss_kib as f64, r.peak_rss_kib as f64),
                    ratio(m.artifact_bytes as f64, r.artifact_bytes as f64),
                );
            }
        }
        let _ = writeln!(s, "\n## Budgets (`../shared/DESIGN.md`)\n");
        for line in self.budget_lines() {
            let _ = writeln!(s, "- {line}");
        }
        let _ = writeln!(
            s,
            "\n## Reading the numbers\n\n- Init is where Rust wins by an order of magnitude: no interpreter or module loading before the first `next`.\n- The Rust SMS sender's *first* invocation is slower than the peers' ({}): the Encryption SDK for Rust does its one-time setup (KMS client connection, cryptographic tables) lazily on the first decrypt, where the Python and Node.js SDKs pay it during init. Init plus first invocation is still lower for Rust. Moving that work into init (a warm-up at start) is a possible follow-up.\n- Warm latency of the senders is dominated by the local moto server (KMS and SNS on loopback); the harness's own HTTP exchange is about 0.15 ms, which bounds the custom message numbers of every implementation.\n- Peak RSS is the whole process (`VmHWM`), interpreter included for the peers.",
            self.rows
                .iter()
                .filter(|(s, _)| s.function == "custom-sms-sender")
                .map(|(s, m)| format!("{} {:.0} ms", s.language, ms(m.first)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(s, "\n## Rust binaries (release, stripped)\n");
        for (name, size) in self.rust_binaries {
            let _ = writeln!(s, "- {name}: {:.2} MB", *size as f64 / 1e6);
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
            "\nCost: Lambda arm64 prices (${PRICE_GB_SECOND} per GB-second, $0.20 per million requests), 128 MB, the warm p50 rounded up to the billed millisecond; init time is not included. Artifacts: the Rust binary zipped; for the peers their handler plus the libraries the Lambda runtime does not provide (the Encryption SDK and its dependencies; the AWS SDK is provided)."
        );
        s
    }

    /// Two bar charts (init, warm p50) on a log scale, grouped by function.
    pub fn svg(&self) -> String {
        let colors = [("Rust", "#dea584"), ("Python", "#3572a5"), ("Node.js", "#68a063")];
        let (width, panel_h, bar_w) = (760.0_f64, 260.0_f64, 36.0_f64);
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n",
            panel_h * 2.0 + 60.0
        );
        for (panel, (title, metric)) in [("init (ms, log scale)", 0usize), ("warm p50 (ms, log scale)", 1usize)]
            .iter()
            .enumerate()
        {
            let top = 30.0 + panel as f64 * (panel_h + 20.0);
            let base = top + panel_h - 40.0;
            let _ = writeln!(
                s,
                "<text x=\"10\" y=\"{}\" font-weight=\"bold\">{title}</text>",
                top - 8.0
            );
            let value = |m: &Measured| if *metric == 0 { ms(m.init) } else { ms(m.warm_p50) };
            let max = self.rows.iter().map(|(_, m)| value(m)).fold(0.001_f64, f64::max);
            let (lo, hi) = (0.001_f64.log10(), (max * 2.0).log10());
            let scale = |v: f64| (v.max(0.001).log10() - lo) / (hi - lo) * (panel_h - 70.0);
            let mut x = 60.0;
            for function in ["custom-message", "custom-sms-sender"] {
                let group_start = x;
                for (language, color) in colors {
                    if let Some((_, m)) = self
                        .rows
                        .iter()
                        .find(|(s, _)| s.function == function && s.language == language)
                    {
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
                        x += bar_w + 6.0;
                    }
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
        let mut lx = 520.0;
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

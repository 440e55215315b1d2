//! The PASS/FAIL lines of `bench/BUDGETS.md`'s budgets, and what the numbers show.

use super::*;
use crate::cpu_share;

impl Results<'_> {
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
        let full = cpu_share::FULL;
        for function in ["custom-message", "pre-token"] {
            let m = self.at(function, "Rust", full);
            check(
                m.map(|m| ms(m.init) < 5.0),
                format!(
                    "{function} init on full cores {} (< 5 ms)",
                    m.map_or("?".into(), |m| show(m.init))
                ),
            );
            check(
                m.map(|m| ms(m.warm_p50) < 1.0),
                format!(
                    "{function} warm invocation in microseconds on full cores: p50 {} including the harness (< 1 ms)",
                    m.map_or("?".into(), |m| format!("{:.0} µs", ms(m.warm_p50) * 1e3))
                ),
            );
        }
        for (label, function, module, _) in crate::subjects::CASES {
            if module.is_empty() {
                continue;
            }
            let mut shares = vec![
                (Some(128), "128 MB's CPU share".to_owned()),
                (Some(full), "full cores".to_owned()),
            ];
            match self.deployed(function) {
                Some(128) => {}
                deployed => shares.push((
                    deployed,
                    format!(
                        "its deployed size's CPU share ({})",
                        deployed.map_or("?".into(), cpu_share::name)
                    ),
                )),
            }
            for (share, name) in shares {
                for peer in ["Python", "Node.js"] {
                    let pair = share.and_then(|mb| self.at(label, "Rust", mb).zip(self.at(label, peer, mb)));
                    check(
                        pair.map(|(r, o)| ms(o.cold) >= 10.0 * ms(r.cold)),
                        format!(
                            "{label} cold start (init + first) at {name} at least 10× below {peer}'s: {}",
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
        for (label, function, _, path) in crate::subjects::CASES {
            if !SYNCHRONOUS.contains(&function) {
                continue;
            }
            let deployed = self.deployed(function);
            let m = deployed.and_then(|mb| self.rust_curve(label).into_iter().find(|(at, _)| *at == mb)?.1);
            check(
                m.map(|m| ms(m.cold) < COGNITO_LIMIT_MS),
                format!(
                    "{label}, {path}, cold start at its deployed {}: {} (Cognito waits {COGNITO_LIMIT_MS:.0} ms)",
                    deployed.map_or("?".into(), |mb| format!("{mb} MB")),
                    m.map_or("not measured at that size".into(), |m| format!("{:.0} ms", ms(m.cold)))
                ),
            );
        }
        // User migration's size is chosen by its password check, below, not by the curve.
        let migration = cognito_reset::domain::settings::USER_MIGRATION;
        for function in cognito_reset::domain::settings::FUNCTIONS
            .iter()
            .filter(|f| **f != migration)
        {
            let (chosen, deployed) = (self.chosen_size(function), self.deployed(function));
            check(
                chosen.zip(deployed).map(|(c, d)| c == d),
                format!(
                    "{function} deployed at the size chosen from the curve: template {}, chosen {}",
                    deployed.map_or("?".into(), |mb| format!("{mb} MB")),
                    chosen.map_or("?".into(), |mb| format!("{mb} MB"))
                ),
            );
        }
        // A sign-in of a user not yet in the pool: the legacy password check at the deployed size
        // leaves the store's lookup (2,000 ms at most) and start-up their part of Cognito's 5,000 ms.
        if !self.hashes.is_empty() {
            let deployed = self.deployed(migration);
            let slowest = deployed.and_then(|mb| self.slowest_hash_check(mb));
            check(
                slowest.as_ref().map(|(_, d)| ms(*d) < 2_500.0),
                format!(
                    "{migration} at its deployed {}: the slowest library-default hash check, {}, under 2,500 ms",
                    deployed.map_or("?".into(), |mb| format!("{mb} MB")),
                    slowest.map_or("not measured at that size".into(), |(f, d)| format!(
                        "{f} {:.0} ms",
                        ms(d)
                    ))
                ),
            );
        }
        // The paths that record a password make exactly one Cognito write, the others none,
        // in every implementation: a write skipped (and logged) must not pass as a fast one.
        for (subject, m) in self.rows {
            let writes = match subject.label {
                "pre-token, new password" | "post-confirmation" => 1.0,
                _ => 0.0,
            };
            if writes == 0.0 && !subject.function.starts_with("pre-token") {
                continue;
            }
            let m = m.as_ref().ok();
            check(
                m.map(|m| m.cognito_calls == writes),
                format!(
                    "{} Cognito writes per invocation: {} (exactly {writes})",
                    subject.name(),
                    m.map_or("?".into(), |m| format!("{}", m.cognito_calls))
                ),
            );
        }
        if let Some(table) = self.table {
            table_budgets(table, &mut check);
        }
        lines
    }

    /// Computed sentences about the run, for RESULTS.md and the book.
    pub(super) fn findings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let at = cpu_share::name(self.smallest());
        for function in peer_labels() {
            let Some(r) = self.measured(function, "Rust") else {
                out.push(format!("The Rust {function} could not be measured in this run."));
                continue;
            };
            let peers: Vec<String> = ["Python", "Node.js"]
                .into_iter()
                .filter_map(|peer| {
                    let p = self.measured(function, peer)?;
                    Some(format!(
                        "{peer}'s {} ({}; first invocation {}, warm p50 {})",
                        show(p.cold),
                        compare(ms(r.cold), ms(p.cold)),
                        show(p.first),
                        show(p.warm_p50)
                    ))
                })
                .collect();
            out.push(format!(
                "{function} at {at}: the Rust cold start (init + first invocation) is {} (first invocation {}, warm p50 {}); {}.",
                show(r.cold),
                show(r.first),
                show(r.warm_p50),
                if peers.is_empty() { "no peer measured".to_owned() } else { peers.join(", ") }
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
}

impl Results<'_> {
    /// What opening connections during init could take out of a first invocation: its
    /// difference from a warm one, for the paths that call Cognito, at the deployed size.
    pub(super) fn init_connections(&self) -> Vec<String> {
        let mut out = Vec::new();
        let writes = crate::subjects::CASES
            .into_iter()
            .filter(|(label, ..)| ["pre-token, new password", "post-confirmation"].contains(label));
        for (label, function, ..) in writes {
            let Some(mb) = self.deployed(function) else { continue };
            if let Some(m) = self.at(label, "Rust", mb) {
                out.push(format!(
                    "{label} at its deployed {}: init {}, first invocation {}, warm p50 {}: a connection opened during init could take at most {} out of the first invocation, and that time would still be in the cold start whenever Lambda starts the environment for Cognito's request.",
                    cpu_share::name(mb),
                    show(m.init),
                    show(m.first),
                    show(m.warm_p50),
                    show(m.first.saturating_sub(m.warm_p50)),
                ));
            }
        }
        out
    }
}

/// The paths measured with Python and Node.js peers.
fn peer_labels() -> impl Iterator<Item = &'static str> {
    crate::subjects::CASES
        .into_iter()
        .filter(|(_, _, module, _)| !module.is_empty())
        .map(|(label, ..)| label)
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

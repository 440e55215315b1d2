//! What the benchmark ran on, read from the machine (not written by hand).

use std::process::Command;

fn first_line_with(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

/// CPU model, logical CPUs, memory and kernel, e.g. `AMD EPYC 7R13 Processor, 2 logical CPUs,
/// 24.0 GiB, Linux 6.1.0`.
pub fn describe() -> String {
    let cpu = first_line_with("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown CPU".into());
    let cpus = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let memory = first_line_with("/proc/meminfo", "MemTotal")
        .and_then(|m| m.trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or_else(
            || "unknown memory".into(),
            |kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0),
        );
    let kernel = Command::new("uname")
        .arg("-sr")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cpu}, {cpus} logical CPUs, {memory}, {kernel}")
}

/// The machine's CPU time so far, from `/proc/stat`'s `cpu` line: (all, stolen), in clock
/// ticks. Stolen time is time the hypervisor gave this machine's virtual CPUs to others.
pub fn cpu_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_cpu_ticks(&stat)
}

fn parse_cpu_ticks(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    // user nice system idle iowait irq softirq steal (guest time is inside user already)
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let steal = *fields.get(7)?;
    Some((fields.iter().sum(), steal))
}

/// The share of the machine's CPU time the hypervisor took between two readings of
/// [`cpu_ticks`], in words: "the hypervisor took 3.2 % of this machine's CPU time (steal)".
pub fn steal_between(before: Option<(u64, u64)>, after: Option<(u64, u64)>) -> Option<String> {
    let ((all0, steal0), (all1, steal1)) = (before?, after?);
    let all = all1.checked_sub(all0).filter(|a| *a > 0)?;
    let steal = steal1.saturating_sub(steal0);
    Some(format!(
        "during the run the hypervisor took {:.1} % of this machine's CPU time (steal time), which lengthens every wall-clock time here",
        steal as f64 * 100.0 / all as f64
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steal_is_the_share_of_cpu_time_the_hypervisor_took() {
        let before = parse_cpu_ticks("cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 1 2 3\n");
        assert_eq!(before, Some((1000, 35)));
        let after = parse_cpu_ticks("cpu  200 0 100 1500 20 0 10 170 0 0\n");
        assert_eq!(
            steal_between(before, after).as_deref(),
            Some(
                "during the run the hypervisor took 13.5 % of this machine's CPU time (steal time), which lengthens every wall-clock time here"
            )
        );
        assert_eq!(steal_between(before, None), None);
        assert_eq!(parse_cpu_ticks("intr 1 2 3"), None);
    }
}

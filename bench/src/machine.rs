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

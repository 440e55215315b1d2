//! Lambda's CPU share for a memory size, on the subject processes only: Lambda gives a function
//! CPU in proportion to its memory (1,769 MB is one vCPU), so `BENCH_MEMORY_MB=128` runs each
//! subject under a cgroup CPU quota of 128/1769 of one CPU (7.2 %), while the harness and the
//! stand-ins keep the whole machine. cgroup v2 (`cpu.max`) where its `cpu` controller is
//! enabled, otherwise v1 (`cpu.cfs_quota_us`), as the machine has it; creating the group needs
//! root. Each subject process gets a group of its own (as each Lambda sandbox has its own
//! share, also when 50 run at once), entered by `sh`, which moves itself into the group and
//! then `exec`s the subject, so the subject's whole life is throttled.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Lambda's memory for one full vCPU.
const ONE_VCPU_MB: u64 = 1769;
/// The scheduler period the quota is a share of.
const PERIOD_US: u64 = 100_000;
/// The smallest quota the kernel takes.
const MIN_QUOTA_US: u64 = 1000;

/// The CPU time per period a function of `memory_mb` gets on Lambda, in microseconds.
pub(crate) fn quota_us(memory_mb: u64) -> u64 {
    (PERIOD_US * memory_mb / ONE_VCPU_MB).max(MIN_QUOTA_US)
}

/// A cgroup with the CPU quota of one memory size, for one process, removed when dropped.
#[derive(Debug)]
pub(crate) struct CpuShare {
    dir: PathBuf,
    procs: PathBuf,
}

impl CpuShare {
    /// Creates a group for `memory_mb` (128 to 10240, Lambda's range).
    pub(crate) fn create(memory_mb: u64) -> Result<CpuShare, String> {
        static GROUPS: AtomicU64 = AtomicU64::new(0);
        if !(128..=10_240).contains(&memory_mb) {
            return Err(format!(
                "BENCH_MEMORY_MB must be Lambda's 128 to 10240 MB, not {memory_mb}"
            ));
        }
        let n = GROUPS.fetch_add(1, Ordering::Relaxed);
        let name = format!("cognito-reset-bench-{memory_mb}mb-{}-{n}", std::process::id());
        let quota = quota_us(memory_mb);
        let v2 = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]
            .into_iter()
            .map(Path::new)
            .find(|root| {
                std::fs::read_to_string(root.join("cgroup.controllers"))
                    .is_ok_and(|c| c.split_whitespace().any(|k| k == "cpu"))
            });
        let (dir, settings): (PathBuf, Vec<(&str, String)>) = match v2 {
            Some(root) => (root.join(&name), vec![("cpu.max", format!("{quota} {PERIOD_US}"))]),
            None => (
                Path::new("/sys/fs/cgroup/cpu").join(&name),
                vec![
                    ("cpu.cfs_period_us", PERIOD_US.to_string()),
                    ("cpu.cfs_quota_us", quota.to_string()),
                ],
            ),
        };
        std::fs::create_dir(&dir)
            .map_err(|e| format!("cannot create the cgroup {} ({e}); run as root", dir.display()))?;
        let share = CpuShare {
            procs: dir.join("cgroup.procs"),
            dir,
        };
        for (file, value) in settings {
            std::fs::write(share.dir.join(file), &value)
                .map_err(|e| format!("cannot write {value} to {file} of {} ({e})", share.dir.display()))?;
        }
        Ok(share)
    }

    /// The command prefix that starts a program inside the group.
    pub(crate) fn wrapper(&self) -> Vec<String> {
        vec![
            "sh".into(),
            "-c".into(),
            r#"echo $$ > "$0" && exec "$@""#.into(),
            self.procs.display().to_string(),
        ]
    }
}

impl Drop for CpuShare {
    fn drop(&mut self) {
        // An empty group (its process has exited) goes with rmdir.
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Every group made in this run, removed at its end (their processes have exited by then).
static MADE: Mutex<Vec<CpuShare>> = Mutex::new(Vec::new());

/// The memory size `BENCH_MEMORY_MB` asks for, if set.
pub(crate) fn memory_mb() -> Option<u64> {
    let mb = std::env::var("BENCH_MEMORY_MB").ok()?;
    Some(
        mb.parse()
            .unwrap_or_else(|_| panic!("BENCH_MEMORY_MB must be a number of MB, not {mb:?}")),
    )
}

/// The command prefix for one new subject process at `BENCH_MEMORY_MB`'s share, in a group of
/// its own; empty when it is unset.
pub(crate) fn wrapper_for_a_new_process() -> Vec<String> {
    let Some(mb) = memory_mb() else { return Vec::new() };
    let share = CpuShare::create(mb).unwrap_or_else(|e| panic!("{e}"));
    let wrapper = share.wrapper();
    MADE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(share);
    wrapper
}

/// Removes every group this run made.
pub(crate) fn remove_all() {
    MADE.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_is_the_memory_sizes_share_of_one_vcpu() {
        assert_eq!(quota_us(128), 7235, "7.2 % of one CPU");
        assert_eq!(quota_us(1769), PERIOD_US, "one vCPU");
        assert_eq!(quota_us(3538), 2 * PERIOD_US, "two vCPUs");
        assert_eq!(quota_us(1), MIN_QUOTA_US, "never under the kernel's minimum");
    }

    #[test]
    fn memory_outside_lambdas_range_is_refused() {
        let e = CpuShare::create(32).expect_err("32 MB");
        assert!(e.contains("128 to 10240"), "{e}");
    }
}

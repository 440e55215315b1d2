//! Lambda's CPU share for a memory size, on the subject processes only: Lambda gives a function
//! CPU in proportion to its memory (1,769 MB is one vCPU), so at 128 MB each subject runs under
//! a cgroup CPU quota of 128/1769 of one CPU (7.2 %), while the harness and the stand-ins keep
//! the whole machine. `make bench` measures 128, 256, 512 and 1,024 MB, then full cores
//! (`BENCH_MEMORY_MB` picks others). cgroup v2 (`cpu.max`) where its `cpu` controller is
//! enabled, otherwise v1 (`cpu.cfs_quota_us`), as the machine has it; creating the group needs
//! root. Each subject process gets a group of its own (as each Lambda sandbox has its own
//! share, also when 50 run at once), entered by `sh`, which moves itself into the group and
//! then `exec`s the subject, so the subject's whole life is throttled.
//!
//! The period is 20 ms: Lambda does not document its own, and the one public observation
//! (lambda-dispatch's, github.com/pwrdrvr/lambda-dispatch/issues/246) is that a function using
//! more than its share in the first 20 ms of an invocation is paused until the 20 ms are over.
//! With the kernel's default 100 ms a 128 MB process could run 7.2 ms at full speed before the
//! quota bites, which hides most of a short init.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Not a memory size: the subject keeps the machine's whole cores (the handbook's budgets
/// compare the peers both ways).
pub(crate) const FULL: u64 = 0;

/// What `make bench` measures unless `BENCH_MEMORY_MB` names others: four memory sizes'
/// shares, then full cores.
pub(crate) const SIZES: [u64; 5] = [128, 256, 512, 1024, FULL];

/// `128 MB`, or `full cores`.
pub(crate) fn name(memory_mb: u64) -> String {
    if memory_mb == FULL {
        "full cores".to_owned()
    } else {
        format!("{memory_mb} MB")
    }
}

/// Lambda's memory for one full vCPU.
const ONE_VCPU_MB: u64 = 1769;
/// The scheduler period the quota is a share of (see the module's note).
const PERIOD_US: u64 = 20_000;
/// The smallest quota the kernel takes.
const MIN_QUOTA_US: u64 = 1000;

/// The CPU time per period a function of `memory_mb` gets on Lambda, in microseconds.
pub(crate) fn quota_us(memory_mb: u64) -> u64 {
    (PERIOD_US * memory_mb / ONE_VCPU_MB).max(MIN_QUOTA_US)
}

/// The cgroup v2 hierarchy whose children get the `cpu` controller (enabled in its
/// `cgroup.subtree_control`, or enabled there now when it is only available), if any.
fn v2_root() -> Option<&'static Path> {
    ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]
        .into_iter()
        .map(Path::new)
        .find(|root| {
            let has = |file: &str| {
                std::fs::read_to_string(root.join(file)).is_ok_and(|c| c.split_whitespace().any(|k| k == "cpu"))
            };
            has("cgroup.subtree_control")
                || (has("cgroup.controllers")
                    && std::fs::write(root.join("cgroup.subtree_control"), "+cpu").is_ok()
                    && has("cgroup.subtree_control"))
        })
}

/// Removes the groups an earlier run left behind (one that panicked before its end), so they
/// do not pile up; a group whose process still runs stays.
pub(crate) fn remove_stale() {
    let parents = [
        v2_root().map(Path::to_path_buf),
        Some(PathBuf::from("/sys/fs/cgroup/cpu")),
    ];
    for parent in parents.into_iter().flatten() {
        let Ok(entries) = std::fs::read_dir(&parent) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with("cognito-reset-bench-") {
                let _ = std::fs::remove_dir(entry.path());
            }
        }
    }
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
        let v2 = v2_root();
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

/// The memory sizes to measure: `BENCH_MEMORY_MB` (`128`, `128,512` or `128,full`) or
/// [`SIZES`], smallest first and full cores last. The first is the one the main table and the
/// ratios are at.
pub(crate) fn sizes() -> Result<Vec<u64>, String> {
    let Ok(list) = std::env::var("BENCH_MEMORY_MB") else {
        return Ok(SIZES.to_vec());
    };
    parse_sizes(&list)
}

fn parse_sizes(list: &str) -> Result<Vec<u64>, String> {
    let mut sizes = list
        .split(',')
        .map(|mb| {
            let mb = mb.trim();
            match mb.parse::<u64>() {
                Ok(n) if (128..=10_240).contains(&n) => Ok(n),
                _ if mb == "full" => Ok(FULL),
                _ => Err(format!(
                    "BENCH_MEMORY_MB must list memory sizes of Lambda's 128 to 10240 MB, or full (whole cores), like 128,512,full; {mb:?} is not one"
                )),
            }
        })
        .collect::<Result<Vec<u64>, String>>()?;
    sizes.sort_unstable_by_key(|mb| if *mb == FULL { u64::MAX } else { *mb });
    sizes.dedup();
    Ok(sizes)
}

/// The memory size the subjects started from now on run at ([`FULL`] until set).
static CURRENT_MB: AtomicU64 = AtomicU64::new(FULL);

/// Runs the next subject processes at `memory_mb`'s share ([`FULL`]: unthrottled).
pub(crate) fn set_memory_mb(memory_mb: u64) {
    CURRENT_MB.store(memory_mb, Ordering::Relaxed);
}

/// What subject processes are told in `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`: the current size, or
/// for full cores the size of two vCPUs (this machine's two cores).
pub(crate) fn lambda_memory_size() -> u64 {
    match CURRENT_MB.load(Ordering::Relaxed) {
        FULL => 2 * ONE_VCPU_MB,
        mb => mb,
    }
}

/// The command prefix for one new subject process at the current memory size's share, in a
/// group of its own; none at full cores.
pub(crate) fn wrapper_for_a_new_process() -> Vec<String> {
    let mb = CURRENT_MB.load(Ordering::Relaxed);
    if mb == FULL {
        return Vec::new();
    }
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
        assert_eq!(quota_us(128), 1447, "7.2 % of one CPU");
        assert_eq!(quota_us(1769), PERIOD_US, "one vCPU");
        assert_eq!(quota_us(3538), 2 * PERIOD_US, "two vCPUs");
        assert_eq!(quota_us(1), MIN_QUOTA_US, "never under the kernel's minimum");
    }

    #[test]
    fn memory_outside_lambdas_range_is_refused() {
        let e = CpuShare::create(32).expect_err("32 MB");
        assert!(e.contains("128 to 10240"), "{e}");
        for bad in ["64", "128,x", "", "20000"] {
            let e = parse_sizes(bad).expect_err(bad);
            assert!(e.contains("128 to 10240"), "{bad}: {e}");
        }
    }

    #[test]
    fn sizes_are_measured_smallest_first_and_once() {
        assert_eq!(parse_sizes("512, 128,512").expect("sizes"), vec![128, 512]);
        assert_eq!(parse_sizes("full,1024,256").expect("sizes"), vec![256, 1024, FULL]);
        assert_eq!(name(FULL), "full cores");
    }
}

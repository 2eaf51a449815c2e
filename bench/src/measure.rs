//! Measuring a process: wall time, CPU time (user + system, every thread) and peak resident
//! memory, read from `/proc` (Linux), and medians over runs.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

/// The CPU time the process `pid` (`self` for this one) has used so far, in seconds.
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 (utime) and 15 (stime) of proc(5), here at 11 and 12 after `state`.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux architecture onus runs on.
    Some(ticks as f64 / 100.0)
}

/// The peak resident set size (VmHWM) of the process `pid` so far, in KiB.
pub fn peak_rss_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Wall and CPU time of one step.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Step {
    pub wall_s: f64,
    pub cpu_s: f64,
}

/// Times a step of this process.
pub fn step<T>(f: impl FnOnce() -> T) -> (T, Step) {
    let cpu0 = cpu_seconds("self").unwrap_or(0.0);
    let t0 = Instant::now();
    let out = f();
    let wall_s = t0.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds("self").unwrap_or(0.0) - cpu0;
    (out, Step { wall_s, cpu_s })
}

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// The size of a file in bytes (0 when it is missing).
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// A human size: KiB below 1 MiB, then MiB, then GiB.
pub fn human_kib(kib: f64) -> String {
    if kib < 1024.0 {
        format!("{kib:.0} KiB")
    } else if kib < 1024.0 * 1024.0 {
        format!("{:.1} MiB", kib / 1024.0)
    } else {
        format!("{:.2} GiB", kib / 1024.0 / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn this_process_has_cpu_time_and_a_peak_rss() {
        let (_, s) = step(|| (0..2_000_000u64).map(|x| x ^ (x >> 3)).sum::<u64>());
        assert!(s.wall_s > 0.0);
        assert!(cpu_seconds("self").is_some());
        let rss = peak_rss_kib("self").expect("VmHWM");
        assert!(rss > 100, "{rss} KiB");
    }
}

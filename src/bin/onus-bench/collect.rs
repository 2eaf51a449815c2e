//! The collection benchmark: starts a moto server on a free loopback port, seeds it with an
//! account of the requested size (users, roles with policies, buckets, security groups and
//! the account settings), then times the real `onus scan aws` against it: wall time, CPU time,
//! peak RSS and the API calls it made, by operation.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::measure;

/// The seeding script, run with the moto virtualenv's Python (it has boto3).
const SEED_SCRIPT: &str = include_str!("../../../bench/seed_moto.py");

/// Options of `onus-bench collect`.
#[derive(Debug, clap::Args)]
pub struct CollectArgs {
    #[arg(long, default_value_t = 2000)]
    pub users: usize,
    #[arg(long, default_value_t = 2000)]
    pub roles: usize,
    #[arg(long, default_value_t = 500)]
    pub buckets: usize,
    #[arg(long, default_value_t = 400)]
    pub security_groups: usize,
    /// Timed scans; the table shows medians.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Passed to `onus scan aws --concurrency`.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// The virtualenv with moto[server] 5.1.22 (`.ci/test` creates it).
    #[arg(long)]
    pub venv: Option<PathBuf>,
    /// The onus binary (default: the one beside onus-bench; build it with the `aws` feature).
    #[arg(long)]
    pub onus: Option<PathBuf>,
    /// Where the scan's report, the moto log and `collect.json` go.
    #[arg(long, default_value = "target/bench")]
    pub out: PathBuf,
}

/// A moto server this benchmark started; stopped when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

fn start_moto(venv: &Path, log: &Path) -> Result<Moto> {
    let port = free_port()?;
    let log_file = std::fs::File::create(log)?;
    let child = Command::new(venv.join("bin/moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .spawn()
        .with_context(|| format!("starting {}", venv.join("bin/moto_server").display()))?;
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("moto did not start in 30 s; see {}", log.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(moto)
}

/// One timed scan.
#[derive(Debug, Clone, Serialize)]
struct ScanRun {
    wall_s: f64,
    cpu_s: f64,
    peak_rss_kib: u64,
    calls: BTreeMap<String, u64>,
    exit_code: Option<i32>,
}

/// Environment for the scan: moto's default account, no instance metadata, no user config.
fn scan_command(onus: &Path, url: &str, concurrency: usize, report: &Path) -> Command {
    let mut cmd = Command::new(onus);
    cmd.args(["scan", "aws", "-v", "--format", "json", "--output"])
        .arg(report)
        .args([
            "--endpoint-url",
            url,
            "--concurrency",
            &concurrency.to_string(),
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "moto-secret")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Runs the scan, sampling the child's peak RSS and CPU time from /proc every 2 ms until it
/// exits (VmHWM only grows, so the last sample is the peak up to 2 ms before the end), and
/// counting the `onus: call OPERATION` lines of `-v`.
fn timed_scan(mut cmd: Command) -> Result<(ScanRun, String)> {
    let started = Instant::now();
    let mut child = cmd.spawn().context("starting onus")?;
    let pid = child.id().to_string();
    let stderr = child.stderr.take().context("onus's standard error")?;
    let reader = std::thread::spawn(move || {
        let mut calls: BTreeMap<String, u64> = BTreeMap::new();
        let mut other = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            match line.strip_prefix("onus: call ") {
                Some(op) => *calls.entry(op.trim().to_owned()).or_default() += 1,
                None => {
                    other.push_str(&line);
                    other.push('\n');
                }
            }
        }
        (calls, other)
    });
    let (mut peak, mut cpu) = (0, 0.0);
    let status = loop {
        if let Some(v) = measure::peak_rss_kib(&pid) {
            peak = peak.max(v);
        }
        if let Some(c) = measure::cpu_seconds(&pid) {
            cpu = c;
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let wall_s = started.elapsed().as_secs_f64();
    let (calls, stderr) = reader
        .join()
        .map_err(|_| anyhow::anyhow!("reading onus's output failed"))?;
    Ok((
        ScanRun {
            wall_s,
            cpu_s: cpu,
            peak_rss_kib: peak,
            calls,
            exit_code: status.code(),
        },
        stderr,
    ))
}

#[derive(Debug, Serialize)]
struct CollectReport {
    machine: crate::Machine,
    seeded: serde_json::Value,
    concurrency: usize,
    runs: Vec<ScanRun>,
    median_wall_s: f64,
    median_cpu_s: f64,
    median_peak_rss_kib: f64,
    resources_in_report: usize,
}

fn default_venv() -> PathBuf {
    let cache = std::env::var_os("ONUS_CACHE").map_or_else(
        || {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache")
                .join("onus")
        },
        PathBuf::from,
    );
    cache.join("venv-moto-5.1.22")
}

pub fn run(args: &CollectArgs) -> Result<()> {
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let venv = args.venv.clone().unwrap_or_else(default_venv);
    if !venv.join("bin/moto_server").exists() {
        bail!(
            "{}: no moto server there; `bash .ci/test` creates the virtualenv, or pass --venv",
            venv.display()
        );
    }
    let onus = match &args.onus {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("onus"),
    };
    if !onus.exists() {
        bail!(
            "{}: no onus binary; build it first (`cargo build --release --bins`)",
            onus.display()
        );
    }
    std::fs::create_dir_all(&args.out)?;
    let moto = start_moto(&venv, &args.out.join("moto.log"))?;

    let script = args.out.join("seed_moto.py");
    std::fs::write(&script, SEED_SCRIPT)?;
    eprintln!(
        "onus-bench: seeding moto at {} with {} users, {} roles, {} buckets, {} security groups",
        moto.url, args.users, args.roles, args.buckets, args.security_groups
    );
    let seeded = Command::new(venv.join("bin/python"))
        .arg(&script)
        .arg(&moto.url)
        .args([args.users, args.roles, args.buckets, args.security_groups].map(|n| n.to_string()))
        .output()
        .context("running the seeding script")?;
    if !seeded.status.success() {
        bail!(
            "seeding moto failed: {}",
            String::from_utf8_lossy(&seeded.stderr)
        );
    }
    let seeded: serde_json::Value =
        serde_json::from_slice(&seeded.stdout).context("reading what the seeding made")?;

    let report = args.out.join("scan.json");
    let mut runs = Vec::new();
    for i in 0..args.runs {
        let (run, stderr) = timed_scan(scan_command(&onus, &moto.url, args.concurrency, &report))?;
        if run.exit_code != Some(0) {
            bail!("onus scan aws exited with {:?}: {stderr}", run.exit_code);
        }
        eprintln!(
            "onus-bench: scan run {}: {:.2}s wall, {:.2}s CPU, peak {}, {} API calls",
            i + 1,
            run.wall_s,
            run.cpu_s,
            measure::human_kib(run.peak_rss_kib as f64),
            run.calls.values().sum::<u64>()
        );
        runs.push(run);
    }
    drop(moto);

    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report)?).context("reading the scan's report")?;
    let col =
        |f: &dyn Fn(&ScanRun) -> f64| measure::median(&runs.iter().map(f).collect::<Vec<_>>());
    let out = CollectReport {
        machine: crate::Machine::this(),
        seeded,
        concurrency: args.concurrency,
        median_wall_s: col(&|r| r.wall_s),
        median_cpu_s: col(&|r| r.cpu_s),
        median_peak_rss_kib: col(&|r| r.peak_rss_kib as f64),
        resources_in_report: results["summary"]["resources"].as_u64().unwrap_or(0) as usize,
        runs,
    };
    print_table(&out);
    let json = args.out.join("collect.json");
    onus::output::write_atomic(&json, serde_json::to_string_pretty(&out)?.as_bytes())?;
    println!("\nwritten: {}", json.display());
    Ok(())
}

fn print_table(r: &CollectReport) {
    println!(
        "collection benchmark: onus scan aws against moto, medians of {} run(s), --concurrency {}; {}",
        r.runs.len(),
        r.concurrency,
        r.machine.describe()
    );
    println!("seeded: {}", r.seeded);
    println!(
        "resources: {}   wall: {:.2} s   CPU: {:.2} s   peak RSS: {}",
        r.resources_in_report,
        r.median_wall_s,
        r.median_cpu_s,
        measure::human_kib(r.median_peak_rss_kib)
    );
    if let Some(last) = r.runs.last() {
        println!(
            "{:<44} {:>7}",
            "API calls (last run), by operation", "calls"
        );
        for (op, n) in &last.calls {
            println!("{op:<44} {n:>7}");
        }
        println!("{:<44} {:>7}", "total", last.calls.values().sum::<u64>());
    }
}

//! The collection benchmark: starts a moto server on a free loopback port, seeds it with an
//! account of the requested size (users, roles with policies, buckets, security groups and
//! the account settings), then times the real `onus scan aws` against it: wall time, CPU time,
//! peak RSS and the API calls it made, by operation. Each run seeds the account afresh and
//! scans it twice: the first scan generates the IAM credential report and may use it; the
//! repeat scan finds that report already there, cannot trust it, and asks every user.

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
const SEED_SCRIPT: &str = include_str!("../seed_moto.py");

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
    /// Runs, each a fresh seeding and two timed scans; the table shows medians.
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

/// Which scan of a freshly seeded account a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Scan {
    /// The account's first scan: it generates the credential report.
    First,
    /// Right after: the report IAM hands back is the one from before this scan.
    Repeat,
}

impl Scan {
    fn id(self) -> &'static str {
        match self {
            Scan::First => "first",
            Scan::Repeat => "repeat",
        }
    }
}

/// One timed scan.
#[derive(Debug, Clone, Serialize)]
struct ScanRun {
    scan: Scan,
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
fn timed_scan(scan: Scan, mut cmd: Command) -> Result<(ScanRun, String)> {
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
            scan,
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
    first: Medians,
    repeat: Medians,
    resources_in_report: usize,
}

/// Medians over the runs of one kind of scan.
#[derive(Debug, Serialize)]
struct Medians {
    wall_s: f64,
    cpu_s: f64,
    peak_rss_kib: f64,
}

impl Medians {
    fn of(runs: &[ScanRun], scan: Scan) -> Medians {
        let runs: Vec<&ScanRun> = runs.iter().filter(|r| r.scan == scan).collect();
        let col = |f: &dyn Fn(&ScanRun) -> f64| {
            measure::median(&runs.iter().map(|r| f(r)).collect::<Vec<_>>())
        };
        Medians {
            wall_s: col(&|r| r.wall_s),
            cpu_s: col(&|r| r.cpu_s),
            peak_rss_kib: col(&|r| r.peak_rss_kib as f64),
        }
    }
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
    let report = args.out.join("scan.json");
    let mut runs = Vec::new();
    let mut seeded = serde_json::Value::Null;
    for i in 0..args.runs {
        seeded = seed(&venv, &script, &moto.url, args)?;
        for scan in [Scan::First, Scan::Repeat] {
            let (run, stderr) = timed_scan(
                scan,
                scan_command(&onus, &moto.url, args.concurrency, &report),
            )?;
            if run.exit_code != Some(0) {
                bail!("onus scan aws exited with {:?}: {stderr}", run.exit_code);
            }
            eprintln!(
                "onus-bench: run {} {} scan: {:.2}s wall, {:.2}s CPU, peak {}, {} API calls",
                i + 1,
                scan.id(),
                run.wall_s,
                run.cpu_s,
                measure::human_kib(run.peak_rss_kib as f64),
                run.calls.values().sum::<u64>()
            );
            runs.push(run);
        }
    }
    drop(moto);

    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report)?).context("reading the scan's report")?;
    let out = CollectReport {
        machine: crate::Machine::this(),
        seeded,
        concurrency: args.concurrency,
        first: Medians::of(&runs, Scan::First),
        repeat: Medians::of(&runs, Scan::Repeat),
        resources_in_report: results["summary"]["resources"].as_u64().unwrap_or(0) as usize,
        runs,
    };
    print_table(&out);
    let json = args.out.join("collect.json");
    onus::output::write_atomic(&json, serde_json::to_string_pretty(&out)?.as_bytes())?;
    println!("\nwritten: {}", json.display());
    Ok(())
}

/// Resets moto and seeds the account (the script resets first); returns what it made.
fn seed(venv: &Path, script: &Path, url: &str, args: &CollectArgs) -> Result<serde_json::Value> {
    eprintln!(
        "onus-bench: seeding moto at {url} with {} users, {} roles, {} buckets, {} security groups",
        args.users, args.roles, args.buckets, args.security_groups
    );
    let seeded = Command::new(venv.join("bin/python"))
        .arg(script)
        .arg(url)
        .args([args.users, args.roles, args.buckets, args.security_groups].map(|n| n.to_string()))
        .output()
        .context("running the seeding script")?;
    if !seeded.status.success() {
        bail!(
            "seeding moto failed: {}",
            String::from_utf8_lossy(&seeded.stderr)
        );
    }
    serde_json::from_slice(&seeded.stdout).context("reading what the seeding made")
}

fn print_table(r: &CollectReport) {
    println!(
        "collection benchmark: onus scan aws against moto, medians of {} run(s) (each: seed, first scan, repeat scan), --concurrency {}; {}",
        r.runs.iter().filter(|run| run.scan == Scan::First).count(),
        r.concurrency,
        r.machine.describe()
    );
    println!("seeded: {}", r.seeded);
    println!("resources: {}", r.resources_in_report);
    println!("{:<44} {:>9} {:>9}", "", "first", "repeat");
    let row = |what: &str, first: String, repeat: String| {
        println!("{what:<44} {first:>9} {repeat:>9}");
    };
    row(
        "wall s",
        format!("{:.2}", r.first.wall_s),
        format!("{:.2}", r.repeat.wall_s),
    );
    row(
        "CPU s",
        format!("{:.2}", r.first.cpu_s),
        format!("{:.2}", r.repeat.cpu_s),
    );
    row(
        "peak RSS",
        measure::human_kib(r.first.peak_rss_kib),
        measure::human_kib(r.repeat.peak_rss_kib),
    );
    let last = |scan: Scan| r.runs.iter().rev().find(|run| run.scan == scan);
    let (Some(first), Some(repeat)) = (last(Scan::First), last(Scan::Repeat)) else {
        return;
    };
    println!("\nAPI calls (last run), by operation");
    let ops: std::collections::BTreeSet<&String> =
        first.calls.keys().chain(repeat.calls.keys()).collect();
    let count = |run: &ScanRun, op: &str| run.calls.get(op).copied().unwrap_or(0);
    for op in ops {
        row(
            op,
            count(first, op).to_string(),
            count(repeat, op).to_string(),
        );
    }
    row(
        "total",
        first.calls.values().sum::<u64>().to_string(),
        repeat.calls.values().sum::<u64>().to_string(),
    );
}

//! The offline benchmark: synthetic snapshots of several sizes, and per phase (load, evaluate,
//! render JSON / HTML / Markdown) the wall time, CPU time and peak RSS, each phase measured
//! in a fresh child process so its peak memory is its own.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::measure::{self, Step};
use crate::synth;

/// Bumped when the generator's output changes, so cached snapshots are not reused.
const GENERATOR_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Load,
    Evaluate,
    Json,
    Html,
    Md,
}

impl Phase {
    pub fn id(self) -> &'static str {
        match self {
            Phase::Load => "load",
            Phase::Evaluate => "evaluate",
            Phase::Json => "json",
            Phase::Html => "html",
            Phase::Md => "md",
        }
    }

    fn file(self) -> Option<&'static str> {
        match self {
            Phase::Json => Some("onus.json"),
            Phase::Html => Some("onus.html"),
            Phase::Md => Some("onus.md"),
            Phase::Load | Phase::Evaluate => None,
        }
    }
}

/// What a phase child reports on standard output (one JSON line).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhaseRun {
    pub phase: Phase,
    pub load: Step,
    pub evaluate: Option<Step>,
    pub render: Option<Step>,
    pub peak_rss_kib: u64,
    pub resources: usize,
    pub results: usize,
    pub failed: usize,
    pub output_bytes: u64,
}

impl PhaseRun {
    /// The time of the phase itself (not of the steps before it).
    pub fn own(&self) -> Step {
        match self.phase {
            Phase::Load => self.load,
            Phase::Evaluate => self.evaluate.unwrap_or_default(),
            _ => self.render.unwrap_or_default(),
        }
    }

    /// Load, evaluate and render together.
    pub fn total(&self) -> Step {
        let steps = [Some(self.load), self.evaluate, self.render];
        Step {
            wall_s: steps.iter().flatten().map(|s| s.wall_s).sum(),
            cpu_s: steps.iter().flatten().map(|s| s.cpu_s).sum(),
        }
    }
}

/// Runs one phase in this process (after the steps it needs) and returns what it measured.
pub fn run_phase(phase: Phase, snapshot: &Path, out_dir: &Path) -> Result<PhaseRun> {
    let (loaded, load) = measure::step(|| onus::snapshot::load(snapshot));
    let snap = loaded?;
    let mut run = PhaseRun {
        phase,
        load,
        evaluate: None,
        render: None,
        peak_rss_kib: 0,
        resources: 0,
        results: 0,
        failed: 0,
        output_bytes: 0,
    };
    if phase != Phase::Load {
        let rules = onus::engine::RuleSet::builtin()?;
        let matrix = onus::matrix::Matrix::builtin(onus::matrix::DEFAULT)?;
        let (evaluation, evaluate) =
            measure::step(|| onus::engine::evaluate(&snap, &rules, &matrix));
        let evaluation = evaluation?;
        run.evaluate = Some(evaluate);
        run.resources = evaluation.resources;
        run.results = evaluation.findings.len();
        run.failed = evaluation
            .findings
            .iter()
            .filter(|f| f.status == onus::finding::Status::Fail)
            .count();
        if let Some(file) = phase.file() {
            let path = out_dir.join(file);
            let (written, render) = measure::step(|| -> Result<()> {
                let options = onus::report::ReportOptions::default();
                let report =
                    onus::report::Report::build(&snap, &evaluation, &rules, &matrix, &options);
                let text = match phase {
                    Phase::Json => {
                        onus::output::write_atomic_with(&path, |w| {
                            onus::report::Format::Json
                                .write(&report, w)
                                .map_err(std::io::Error::other)
                        })?;
                        return Ok(());
                    }
                    Phase::Html => onus::report::html(&report)?,
                    _ => onus::report::markdown(&report)?,
                };
                onus::output::write_atomic(&path, text.as_bytes())?;
                Ok(())
            });
            written?;
            run.render = Some(render);
            run.output_bytes = measure::file_size(&path);
        }
    }
    run.peak_rss_kib = measure::peak_rss_kib("self").unwrap_or(0);
    Ok(run)
}

/// Options of `onus-bench offline`.
#[derive(Debug, clap::Args)]
pub struct OfflineArgs {
    /// Snapshot sizes, in resources.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    pub sizes: Vec<usize>,
    /// Runs per phase and size; the table shows medians.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Seed of the snapshot generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Phases to measure.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "load,evaluate,json,html,md"
    )]
    pub phases: Vec<Phase>,
    /// Render HTML and Markdown only for snapshots of at most this many resources.
    #[arg(long, default_value_t = 100_000)]
    pub human_max: usize,
    /// Where snapshots, reports and `offline.json` go.
    #[arg(long, default_value = "target/bench")]
    pub out: PathBuf,
    /// Open each HTML report in this headless Chromium and time it (e.g. `chromium`).
    #[arg(long)]
    pub chromium: Option<PathBuf>,
}

/// How the HTML report fared in a headless browser.
#[derive(Debug, Serialize)]
struct BrowserCheck {
    /// Seconds from starting Chromium to the DOM being printed.
    wall_s: f64,
    /// The DOM holds the matrix, and the browser logged no console message, CSP violation
    /// or network request.
    ok: bool,
    dom_bytes: usize,
    problems: Vec<String>,
}

/// Loads `html` in headless Chromium (no network: every request goes to a closed port) and
/// checks the DOM and the browser's log.
fn open_in_chromium(browser: &Path, html: &Path, profile: &Path) -> Result<BrowserCheck> {
    let started = std::time::Instant::now();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--proxy-server=127.0.0.1:9",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", std::path::absolute(html)?.display()))
        .output()
        .with_context(|| format!("starting {}", browser.display()))?;
    let wall_s = started.elapsed().as_secs_f64();
    let dom = String::from_utf8_lossy(&out.stdout);
    let mut problems = Vec::new();
    if !out.status.success() {
        problems.push(format!("chromium exited with {:?}", out.status.code()));
    }
    if !dom.contains("The shared responsibility matrix") {
        problems.push("the DOM lacks the matrix".into());
    }
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        if line.contains("CONSOLE")
            || line.contains("Content Security Policy")
            || line.contains("net::ERR_")
        {
            problems.push(line.to_owned());
        }
    }
    Ok(BrowserCheck {
        wall_s,
        ok: problems.is_empty(),
        dom_bytes: dom.len(),
        problems,
    })
}

#[derive(Debug, Serialize)]
struct PhaseSummary {
    phase: Phase,
    wall_s: f64,
    cpu_s: f64,
    peak_rss_kib: f64,
    output_bytes: u64,
    /// Load + evaluate + this phase's render, wall and CPU.
    total_wall_s: f64,
    total_cpu_s: f64,
    runs: Vec<PhaseRun>,
}

#[derive(Debug, Serialize)]
struct SizeSummary {
    size: usize,
    resources: usize,
    results: usize,
    failed: usize,
    snapshot_bytes: u64,
    phases: Vec<PhaseSummary>,
    /// The HTML report in headless Chromium, with --chromium.
    #[serde(skip_serializing_if = "Option::is_none")]
    browser: Option<BrowserCheck>,
}

#[derive(Debug, Serialize)]
struct OfflineReport {
    machine: crate::Machine,
    seed: u64,
    runs: usize,
    sizes: Vec<SizeSummary>,
}

/// Generates (or reuses) the snapshot of `size` resources.
fn snapshot_file(out: &Path, size: usize, seed: u64) -> Result<PathBuf> {
    let path = out.join(format!("synth-v{GENERATOR_VERSION}-{size}-{seed}.json"));
    if !path.exists() {
        eprintln!("onus-bench: generating {size} resources (seed {seed})");
        let snap = synth::snapshot(size, seed);
        onus::snapshot::save(&snap, &path)?;
    }
    Ok(path)
}

fn spawn_phase(phase: Phase, snapshot: &Path, out_dir: &Path) -> Result<PhaseRun> {
    let exe = std::env::current_exe().context("locating onus-bench")?;
    let out = Command::new(exe)
        .arg("phase")
        .arg(phase.id())
        .arg(snapshot)
        .arg(out_dir)
        .output()
        .context("running a phase")?;
    if !out.status.success() {
        bail!(
            "phase {} on {} failed: {}",
            phase.id(),
            snapshot.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    serde_json::from_slice(&out.stdout).context("reading a phase's measurements")
}

pub fn run(args: &OfflineArgs) -> Result<()> {
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create", args.out.display()))?;
    let mut sizes = Vec::new();
    for &size in &args.sizes {
        let snapshot = snapshot_file(&args.out, size, args.seed)?;
        let out_dir = args.out.join(format!("reports-{size}"));
        std::fs::create_dir_all(&out_dir)?;
        let mut phases = Vec::new();
        let mut counts = (0, 0, 0);
        for &phase in &args.phases {
            if matches!(phase, Phase::Html | Phase::Md) && size > args.human_max {
                continue;
            }
            let mut runs = Vec::new();
            for i in 0..args.runs {
                let run = spawn_phase(phase, &snapshot, &out_dir)?;
                eprintln!(
                    "onus-bench: {size} {:<8} run {}: {:.2}s wall, {:.2}s CPU, peak {}",
                    phase.id(),
                    i + 1,
                    run.own().wall_s,
                    run.own().cpu_s,
                    measure::human_kib(run.peak_rss_kib as f64)
                );
                counts = (
                    counts.0.max(run.resources),
                    counts.1.max(run.results),
                    counts.2.max(run.failed),
                );
                runs.push(run);
            }
            let col = |f: &dyn Fn(&PhaseRun) -> f64| {
                measure::median(&runs.iter().map(f).collect::<Vec<_>>())
            };
            phases.push(PhaseSummary {
                phase,
                wall_s: col(&|r| r.own().wall_s),
                cpu_s: col(&|r| r.own().cpu_s),
                peak_rss_kib: col(&|r| r.peak_rss_kib as f64),
                output_bytes: runs.last().map_or(0, |r| r.output_bytes),
                total_wall_s: col(&|r| r.total().wall_s),
                total_cpu_s: col(&|r| r.total().cpu_s),
                runs,
            });
        }
        let html = out_dir.join("onus.html");
        let browser = match &args.chromium {
            Some(b) if phases.iter().any(|p| p.phase == Phase::Html) => {
                let check = open_in_chromium(b, &html, &args.out.join("chromium-profile"))?;
                eprintln!(
                    "onus-bench: {size} html in chromium: {:.2}s, {}",
                    check.wall_s,
                    if check.ok {
                        "ok".to_owned()
                    } else {
                        check.problems.join("; ")
                    }
                );
                Some(check)
            }
            _ => None,
        };
        sizes.push(SizeSummary {
            browser,
            size,
            resources: counts.0,
            results: counts.1,
            failed: counts.2,
            snapshot_bytes: measure::file_size(&snapshot),
            phases,
        });
    }
    let report = OfflineReport {
        machine: crate::Machine::this(),
        seed: args.seed,
        runs: args.runs,
        sizes,
    };
    print_table(&report);
    let json = args.out.join("offline.json");
    onus::output::write_atomic(&json, serde_json::to_string_pretty(&report)?.as_bytes())?;
    println!("\nwritten: {}", json.display());
    Ok(())
}

fn print_table(report: &OfflineReport) {
    println!(
        "offline benchmark: medians of {} run(s), seed {}; {}",
        report.runs,
        report.seed,
        report.machine.describe()
    );
    println!(
        "{:>9} {:>9} {:>10} {:<9} {:>9} {:>9} {:>11} {:>11} {:>14}",
        "size",
        "resources",
        "results",
        "phase",
        "wall s",
        "CPU s",
        "peak RSS",
        "output",
        "load→phase s"
    );
    for s in &report.sizes {
        for p in &s.phases {
            println!(
                "{:>9} {:>9} {:>10} {:<9} {:>9.2} {:>9.2} {:>11} {:>11} {:>14.2}",
                s.size,
                s.resources,
                s.results,
                p.phase.id(),
                p.wall_s,
                p.cpu_s,
                measure::human_kib(p.peak_rss_kib),
                if p.output_bytes > 0 {
                    measure::human_kib(p.output_bytes as f64 / 1024.0)
                } else {
                    "-".into()
                },
                p.total_wall_s
            );
        }
    }
    for s in &report.sizes {
        if let Some(b) = &s.browser {
            println!(
                "{:>9} HTML report in headless Chromium: {} in {:.2} s (DOM {})",
                s.size,
                if b.ok { "loaded cleanly" } else { "PROBLEMS" },
                b.wall_s,
                measure::human_kib(b.dom_bytes as f64 / 1024.0)
            );
        }
    }
    // Linear growth: the cost per resource of load + evaluate + JSON, relative to the smallest.
    let per_resource: Vec<(usize, f64)> = report
        .sizes
        .iter()
        .filter_map(|s| {
            let json = s.phases.iter().find(|p| p.phase == Phase::Json)?;
            (s.resources > 0).then(|| (s.size, json.total_wall_s / s.resources as f64))
        })
        .collect();
    if let Some(&(_, base)) = per_resource.first()
        && per_resource.len() > 1
        && base > 0.0
    {
        let ratios: Vec<String> = per_resource
            .iter()
            .map(|(size, c)| format!("{size}: {:.2}", c / base))
            .collect();
        println!(
            "load + evaluate + JSON, time per resource relative to the smallest size (1.00 = linear): {}",
            ratios.join(", ")
        );
    }
}

//! `onus-bench`: onus's performance benchmarks. `offline` measures load, evaluation and
//! rendering on synthetic snapshots of 10k to 1M resources; `collect` times `onus scan aws`
//! against a seeded moto server. Both print a table and write JSON under `target/bench/`.

mod collect;
mod measure;
mod offline;
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use serde::Serialize;

/// mimalloc: evaluation allocates millions of small strings and maps across threads, and
/// glibc's per-thread arenas left the peak RSS far above the live heap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
#[derive(Debug, Parser)]
#[command(name = "onus-bench", version, about = "onus's performance benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Load, evaluate and render synthetic snapshots (no cloud, no network).
    Offline(offline::OfflineArgs),
    /// Seed a moto server and time `onus scan aws` against it.
    Collect(collect::CollectArgs),
    /// Generate a synthetic snapshot and write it to a file.
    Generate {
        /// Resources in the snapshot.
        #[arg(long, default_value_t = 10_000)]
        size: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The snapshot file (.json or .yaml).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// One measured phase, in its own process (used by `offline`).
    #[command(hide = true)]
    Phase {
        phase: offline::Phase,
        snapshot: PathBuf,
        out_dir: PathBuf,
    },
}

/// The machine a benchmark ran on, as the kernel reports it.
#[derive(Debug, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_kib: u64,
    pub kernel: String,
}

impl Machine {
    pub fn this() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Machine {
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model: cpuinfo
                .lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_owned())
                .unwrap_or_default(),
            memory_kib: meminfo
                .lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_owned(),
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "{} CPUs ({}), {} memory, Linux {}",
            self.cpus,
            self.cpu_model,
            measure::human_kib(self.memory_kib as f64),
            self.kernel
        )
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Cmd::Offline(args) => offline::run(&args),
        Cmd::Collect(args) => collect::run(&args),
        Cmd::Generate { size, seed, output } => {
            onus::snapshot::save(&synth::snapshot(size, seed), &output)?;
            Ok(())
        }
        Cmd::Phase {
            phase,
            snapshot,
            out_dir,
        } => {
            let run = offline::run_phase(phase, &snapshot, &out_dir)?;
            println!("{}", serde_json::to_string(&run)?);
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("onus-bench: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

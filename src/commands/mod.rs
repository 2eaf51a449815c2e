//! The subcommands, one file each, over the pipeline: the command line is turned into options
//! at the edge (`options`), and what a command produces is written by `write`.

mod baseline;
mod collect;
mod diff;
mod evaluate;
mod frameworks;
mod kinds;
mod matrix;
mod options;
mod report;
mod rules;
mod scan;
#[cfg(any(feature = "aws", feature = "azure"))]
mod watch;
mod write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, Command};

/// Runs a command; returns the exit code (0 or 1) or an error (exit 2).
pub fn run(cli: &Cli) -> Result<u8> {
    match &cli.command {
        Command::Collect(cmd) => collect::run(cmd),
        Command::Scan(cmd) => scan::run(cmd),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Report(args) => report::run(args),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Matrix(cmd) => matrix::run(cmd),
        Command::Frameworks(cmd) => frameworks::run(cmd),
        Command::Baseline(cmd) => baseline::run(cmd),
        Command::Diff(args) => diff::run(args),
        Command::Kinds { kind } => kinds::run(kind.as_deref()),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(*shell, &mut cmd, "onus", &mut std::io::stdout());
            Ok(0)
        }
    }
}

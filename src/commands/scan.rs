//! `onus scan`: collect, evaluate, report and gate in one run.

use anyhow::Result;

use super::collect::{collect_aws, collect_azure};
use super::evaluate::report_and_judge;
use super::options::{self, Outputs};
use crate::cli::ScanCommand;
use crate::snapshot;

pub fn run(cmd: &ScanCommand) -> Result<u8> {
    let (output, rules, gate, snapshot_out) = match cmd {
        ScanCommand::Aws(a) => (&a.output, &a.rules, &a.gate, &a.snapshot_out),
        ScanCommand::Azure(a) => (&a.output, &a.rules, &a.gate, &a.snapshot_out),
    };
    // Refuse bad outputs, rules, a baseline or waiver file before a long collection.
    let outputs = Outputs::from_args(output)?;
    let (gate, inputs) = options::gate(gate)?;
    let rules = options::rules(rules)?;
    let snapshot = match cmd {
        ScanCommand::Aws(a) => collect_aws(&a.aws)?,
        ScanCommand::Azure(a) => collect_azure(&a.azure)?,
    };
    if let Some(path) = snapshot_out {
        snapshot::save(&snapshot, path)?;
    }
    report_and_judge(&snapshot, rules, &outputs, gate, &inputs)
}

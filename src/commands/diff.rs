//! `onus diff`: what changed between two runs, each a results JSON (as it was evaluated) or a
//! snapshot (evaluated now through the pipeline, with the waivers in force).

use std::path::Path;

use anyhow::Result;

use super::evaluate::warn;
use super::options;
use super::write;
use crate::cli::{DiffArgs, DiffFormat};
use crate::finding::Severity;
use crate::gate::drift::{self, Side};
use crate::matrix::Matrix;
use crate::pipeline::{self, GateInputs};
use crate::report;
use crate::results::{self, Input};
use crate::words::count;

pub fn run(args: &DiffArgs) -> Result<u8> {
    // Read only when a side is a snapshot: a results JSON carries its waivers already.
    let mut inputs: Option<GateInputs> = None;
    let old = side(&args.old, args, &mut inputs)?;
    let new = side(&args.new, args, &mut inputs)?;
    let drift = drift::compare(&old, &new);
    let text = match args.format {
        DiffFormat::Text => report::drift::text(&drift)?,
        DiffFormat::Md => report::drift::markdown(&drift)?,
        DiffFormat::Json => report::drift::json(&drift)?,
    };
    write::text(args.output.as_deref(), &text)?;
    let code = match args.fail_on.map(Severity::from) {
        Some(sev) if drift.new_at_or_above(sev) > 0 => {
            eprintln!(
                "onus: exit 1: {} at or above {sev} ({})",
                count(drift.new_at_or_above(sev), "new unwaived failure"),
                drift.summary()
            );
            1
        }
        Some(sev) => {
            eprintln!(
                "onus: exit 0: no new unwaived failure at or above {sev} ({})",
                drift.summary()
            );
            0
        }
        None => {
            eprintln!("onus: {}", drift.summary());
            0
        }
    };
    Ok(code)
}

/// One side of the diff: a results JSON as written, or a snapshot evaluated now.
fn side(path: &Path, args: &DiffArgs, inputs: &mut Option<GateInputs>) -> Result<Side> {
    match results::input(path)? {
        Input::Results(doc) => Ok(drift::side(path, doc.snapshot.collected_at, &doc.results)),
        Input::Snapshot(snapshot) => {
            let inputs = match inputs {
                Some(inputs) => inputs,
                None => inputs.insert(options::gate_inputs(
                    options::waivers(&args.waivers)?,
                    None,
                )?),
            };
            let rules = options::rules(&args.rules)?.for_provider(snapshot.provider);
            let matrix = Matrix::builtin(&args.matrix)?;
            let gated = pipeline::run(&snapshot, &rules, &matrix, inputs)?;
            warn(&gated.evaluation);
            if let Some(w) = &gated.waivers {
                eprintln!("onus: {}: waivers: {w}", path.display());
            }
            Ok(drift::side(
                path,
                snapshot.collected_at,
                &gated.evaluation.findings,
            ))
        }
    }
}

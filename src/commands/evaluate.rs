//! `onus evaluate`: a saved snapshot, or the bundled demo, evaluated, reported and gated.

use std::path::Path;

use anyhow::Result;

use super::options::{self, Gate, Outputs};
use super::write;
use crate::cli::EvaluateArgs;
use crate::engine::{Evaluation, RuleSet};
use crate::gate::{self, GatePolicy};
use crate::pipeline::{self, GateInputs};
use crate::report::Report;
use crate::snapshot::{self, Snapshot, SnapshotFormat};

/// The bundled demo snapshot (`samples/aws-demo.snapshot.json`).
pub const SAMPLE: &str = include_str!("../../samples/aws-demo.snapshot.json");

pub fn run(args: &EvaluateArgs) -> Result<u8> {
    let outputs = Outputs::from_args(&args.output)?;
    let (gate, inputs) = options::gate(&args.gate)?;
    let rules = options::rules(&args.rules)?;
    let snapshot = match &args.snapshot {
        Some(path) => snapshot::load(path)?,
        None => snapshot::load_str(
            SAMPLE,
            SnapshotFormat::Json,
            Path::new("samples/aws-demo.snapshot.json"),
        )?,
    };
    report_and_judge(&snapshot, rules, &outputs, gate, &inputs)
}

/// Evaluates a snapshot through the pipeline, writes its reports, and judges the results:
/// what `evaluate` and `scan` do once they have a snapshot.
pub(super) fn report_and_judge(
    snapshot: &Snapshot,
    rules: RuleSet,
    outputs: &Outputs,
    gate: Gate,
    inputs: &GateInputs,
) -> Result<u8> {
    let rules = rules.for_provider(snapshot.provider);
    let gated = pipeline::run(snapshot, &rules, &outputs.matrix, inputs)?;
    warn(&gated.evaluation);
    let compliance = outputs.frameworks.assess(
        snapshot.provider,
        &gated.evaluation.findings,
        rules.rules().iter().map(|r| r.id.as_str()),
    )?;
    let mut report = Report::build(
        snapshot,
        &gated.evaluation,
        &rules,
        &outputs.matrix,
        &outputs.cover,
    );
    report.compliance = &compliance;
    report.baseline = gated.comparison.as_ref();
    report.waivers = gated.waivers.as_ref();
    write::reports(outputs, &report)?;
    let verdict = gate::judge(
        &gated.evaluation.findings,
        GatePolicy {
            fail_on: gate.fail_on,
            fail_on_not_assessed: gate.fail_on_not_assessed,
            baseline: gated.comparison.as_ref(),
            waivers: gated.waivers.as_ref(),
        },
    );
    eprintln!("onus: {}", verdict.summary);
    Ok(verdict.exit_code)
}

/// Says which rules could not be evaluated on which resources (their results are not
/// assessed).
pub(super) fn warn(evaluation: &Evaluation) {
    for issue in &evaluation.issues {
        if issue.rule.is_empty() {
            eprintln!("onus: warning: {}: {}", issue.resource, issue.message);
        } else {
            eprintln!(
                "onus: warning: rule {} on {}: {}",
                issue.rule, issue.resource, issue.message
            );
        }
    }
}

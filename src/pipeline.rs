//! The pipeline every command that evaluates goes through, from a snapshot, rules, a matrix
//! and the gate's inputs to gated results: the same inputs give the same results and the same
//! waiver report whether the command is `evaluate`, `scan`, `report` or `diff`.

use crate::engine::{self, EvalError, Evaluation, RuleSet};
use crate::gate::baseline::{Baseline, Comparison};
use crate::gate::waiver::{self, WaiverFile, WaiverReport};
use crate::matrix::Matrix;
use crate::snapshot::Snapshot;

/// What the gate reads besides the results: a baseline, the waivers and today's date.
#[derive(Debug, Clone)]
pub struct GateInputs {
    pub baseline: Option<Baseline>,
    pub waivers: Option<WaiverFile>,
    /// The day waiver expiry is judged on.
    pub today: waiver::Date,
}

/// An evaluation with the gate's marks on it.
#[derive(Debug)]
pub struct Gated {
    /// The results, waived failures marked.
    pub evaluation: Evaluation,
    /// What the waivers did, when a waiver file is in use.
    pub waivers: Option<WaiverReport>,
    /// The failures against the baseline, when one was given.
    pub comparison: Option<Comparison>,
}

/// Evaluates `rules` over `snapshot` on `matrix`, then applies the waivers and compares with
/// the baseline.
pub fn run(
    snapshot: &Snapshot,
    rules: &RuleSet,
    matrix: &Matrix,
    gate: &GateInputs,
) -> Result<Gated, EvalError> {
    let mut evaluation = engine::evaluate(snapshot, rules, matrix)?;
    let waivers = gate
        .waivers
        .as_ref()
        .map(|w| w.apply(&mut evaluation.findings, gate.today));
    let comparison = gate
        .baseline
        .as_ref()
        .map(|b| Comparison::new(b, &evaluation.findings));
    Ok(Gated {
        evaluation,
        waivers,
        comparison,
    })
}

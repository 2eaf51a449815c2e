//! The bundled sample snapshots, evaluated with the built-in rules and default matrix, for
//! unit tests.

use std::path::Path;

use super::{Evaluation, RuleSet};
use crate::matrix::Matrix;
use crate::snapshot::Snapshot;

pub(crate) struct Evaluated {
    pub snapshot: Snapshot,
    pub rules: RuleSet,
    pub matrix: Matrix,
    pub evaluation: Evaluation,
}

/// `samples/{name}.snapshot.json`, evaluated.
pub(crate) fn evaluated(name: &str) -> Evaluated {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("samples/{name}.snapshot.json"));
    let snapshot = crate::snapshot::load(&path).unwrap();
    let rules = RuleSet::builtin().unwrap();
    let matrix = Matrix::builtin(crate::matrix::DEFAULT).unwrap();
    let evaluation = super::evaluate(&snapshot, &rules, &matrix).unwrap();
    Evaluated {
        snapshot,
        rules,
        matrix,
        evaluation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;

    #[test]
    fn evaluation_is_in_report_order_for_both_samples() {
        for sample in ["aws-demo", "azure-demo"] {
            let findings = evaluated(sample).evaluation.findings;
            assert!(findings.len() > 50, "{sample}: {} results", findings.len());
            let mut expected = findings.clone();
            expected.sort_by(Finding::report_order);
            assert!(
                findings == expected,
                "{sample}: results out of report order"
            );
        }
    }
}

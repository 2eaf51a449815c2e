//! Rule fixtures: each rule proves itself on a snapshot where it must fail and one where it
//! must pass (`<fixtures>/<rule-id>/fail.yaml` and `pass.yaml`).

use std::path::{Path, PathBuf};

use super::{Rule, RuleSet, evaluate_rules};
use crate::finding::Status;
use crate::matrix::Matrix;
use crate::snapshot;

/// What one fixture showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureOutcome {
    pub rule: String,
    pub fixture: PathBuf,
    /// Empty when the fixture behaved as it must.
    pub problems: Vec<String>,
}

/// Runs every rule of `rules` against its fixtures under `dir`. A missing fixture is a problem.
pub fn check(rules: &RuleSet, dir: &Path, matrix: &Matrix) -> Vec<FixtureOutcome> {
    let mut out = Vec::new();
    for rule in rules.rules() {
        for expect in [Status::Fail, Status::Pass] {
            let path = dir.join(&rule.id).join(format!("{}.yaml", expect.id()));
            out.push(check_one(rule, &path, expect, matrix));
        }
    }
    out
}

fn check_one(rule: &Rule, path: &Path, expect: Status, matrix: &Matrix) -> FixtureOutcome {
    let mut problems = Vec::new();
    match snapshot::load(path) {
        Err(e) => problems.push(e.to_string()),
        Ok(snap) => {
            let eval = match evaluate_rules(&snap, &[rule], matrix) {
                Ok(eval) => eval,
                Err(e) => {
                    problems.push(e.to_string());
                    return FixtureOutcome {
                        rule: rule.id.clone(),
                        fixture: path.to_owned(),
                        problems,
                    };
                }
            };
            let count = |s: Status| eval.findings.iter().filter(|f| f.status == s).count();
            let (fail, pass, na) = (
                count(Status::Fail),
                count(Status::Pass),
                count(Status::NotAssessed),
            );
            for issue in &eval.issues {
                problems.push(format!("{}: {}", issue.resource, issue.message));
            }
            match expect {
                Status::Fail if fail == 0 => problems.push(format!(
                    "expected at least one failure, got {pass} pass and {na} not-assessed"
                )),
                Status::Pass if pass == 0 || fail > 0 || na > 0 => problems.push(format!(
                    "expected only passes, got {pass} pass, {fail} fail and {na} not-assessed"
                )),
                _ => {}
            }
        }
    }
    FixtureOutcome {
        rule: rule.id.clone(),
        fixture: path.to_owned(),
        problems,
    }
}

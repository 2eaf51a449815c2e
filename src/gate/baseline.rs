//! Baselines: one run's failures, recorded so that later runs gate only on new ones.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity, Status};
use crate::output::{WriteError, write_atomic};

/// The baseline file format this onus writes and reads.
pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read the baseline: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid baseline: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: baseline_version {found} is not supported by this onus (it reads version {BASELINE_VERSION})"
    )]
    Version { path: PathBuf, found: u32 },
    #[error("cannot serialise the baseline: {0}")]
    Serialize(#[from] serde_json::Error),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// A baseline file: the failures of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub baseline_version: u32,
    pub created_from: CreatedFrom,
    /// Sorted by fingerprint.
    pub failures: Vec<BaselineFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedFrom {
    pub collected_at: String,
    pub onus_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineFailure {
    pub fingerprint: String,
    pub rule: String,
    pub severity: Severity,
    pub resource: BaselineResource,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineResource {
    pub id: String,
    pub name: String,
}

fn read(path: &Path) -> Result<String, BaselineError> {
    std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
        path: path.to_owned(),
        source,
    })
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str, path: &Path) -> Result<T, BaselineError> {
    serde_json::from_str(text).map_err(|e| BaselineError::Syntax {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: crate::explain::json_message(&e),
    })
}

impl Baseline {
    /// The failures among `findings` (of a run collected at `collected_at` and evaluated by
    /// `onus_version`), sorted by fingerprint.
    pub fn of(collected_at: &str, onus_version: &str, findings: &[Finding]) -> Baseline {
        let mut failures: Vec<BaselineFailure> = findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| BaselineFailure {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.to_string(),
                severity: f.severity,
                resource: BaselineResource {
                    id: f.resource.id.clone(),
                    name: f.resource.name.clone(),
                },
                message: f.message.clone(),
            })
            .collect();
        failures.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        failures.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            baseline_version: BASELINE_VERSION,
            created_from: CreatedFrom {
                collected_at: collected_at.to_owned(),
                onus_version: onus_version.to_owned(),
            },
            failures,
        }
    }

    /// Writes the baseline atomically.
    pub fn save(&self, output: &Path) -> Result<(), BaselineError> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        write_atomic(output, text.as_bytes())?;
        Ok(())
    }
}

/// Reads a baseline file.
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    let text = read(path)?;
    // Check the version first, so a future format is refused with a clear message.
    #[derive(Deserialize)]
    struct Version {
        baseline_version: u32,
    }
    let version: Version = parse(&text, path)?;
    if version.baseline_version != BASELINE_VERSION {
        return Err(BaselineError::Version {
            path: path.to_owned(),
            found: version.baseline_version,
        });
    }
    parse(&text, path)
}

/// A baselined failure that no longer fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fixed {
    pub fingerprint: String,
    pub rule: String,
    pub resource: BaselineResource,
}

/// Today's failures against a baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// Fingerprints of failures not in the baseline, in report order.
    pub new: Vec<String>,
    /// Baselined failures that are not failing now (passing, not assessed, or gone), sorted
    /// by fingerprint.
    pub fixed: Vec<Fixed>,
    /// How many of today's failures are in the baseline.
    pub baselined: usize,
    #[serde(skip)]
    known: BTreeSet<String>,
}

impl Comparison {
    pub fn new(baseline: &Baseline, findings: &[Finding]) -> Comparison {
        let known: BTreeSet<String> = baseline
            .failures
            .iter()
            .map(|f| f.fingerprint.clone())
            .collect();
        let failing: BTreeSet<&str> = findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| f.fingerprint.as_str())
            .collect();
        let mut new = Vec::new();
        let mut baselined = 0;
        for f in findings.iter().filter(|f| f.status == Status::Fail) {
            if known.contains(&f.fingerprint) {
                baselined += 1;
            } else {
                new.push(f.fingerprint.clone());
            }
        }
        let fixed = baseline
            .failures
            .iter()
            .filter(|f| !failing.contains(f.fingerprint.as_str()))
            .map(|f| Fixed {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                resource: f.resource.clone(),
            })
            .collect();
        Comparison {
            new,
            fixed,
            baselined,
            known,
        }
    }

    /// Whether a failure with this fingerprint is in the baseline.
    pub fn is_baselined(&self, fingerprint: &str) -> bool {
        self.known.contains(fingerprint)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use super::*;
    use crate::finding::ResourceRef;
    use crate::matrix::{Cell, Layer, Owner};

    fn finding(fingerprint: &str, status: Status) -> Finding {
        Finding {
            rule: "r".into(),
            status,
            severity: Severity::High,
            resource: Arc::new(ResourceRef {
                kind: "k".into(),
                id: format!("id-{fingerprint}"),
                name: format!("n-{fingerprint}"),
                region: None,
                account: "a".into(),
                tags: Default::default(),
            }),
            matrix: Arc::new(Cell {
                layer: Layer::Data,
                model: "paas".into(),
                owner: Owner::Customer,
            }),
            message: format!("m-{fingerprint}"),
            fingerprint: fingerprint.to_owned(),
            waiver: None,
        }
    }

    #[test]
    fn keeps_failures_sorted_by_fingerprint() {
        let findings = [
            finding("bb", Status::Fail),
            finding("cc", Status::Pass),
            finding("aa", Status::Fail),
            finding("dd", Status::NotAssessed),
        ];
        let b = Baseline::of("2026-11-01T00:00:00Z", "0.1.0", &findings);
        let fps: Vec<_> = b.failures.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(fps, ["aa", "bb"]);
        assert_eq!(b.failures[0].resource.name, "n-aa");
        assert_eq!(b.created_from.collected_at, "2026-11-01T00:00:00Z");
        assert_eq!(b.baseline_version, BASELINE_VERSION);
    }

    #[test]
    fn wrong_shape_carries_line_and_column() {
        let err = parse::<Baseline>("{\n  \"baseline_version\": \"x\"\n}", Path::new("b.json"))
            .unwrap_err();
        match err {
            BaselineError::Syntax { line, message, .. } => {
                assert_eq!(line, 2);
                assert!(!message.contains(" at line "), "{message}");
            }
            other => panic!("{other}"),
        }
    }
}

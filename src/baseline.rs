//! Baselines: today's failures, recorded from a results JSON, so later runs gate only on new ones.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity, Status};
use crate::output::{WriteError, write_atomic};

/// The baseline file format this onus writes and reads.
pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid {what}: {message}")]
    Syntax {
        path: PathBuf,
        what: &'static str,
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

/// The parts of a results JSON (`onus evaluate -f json`) a baseline is made from.
#[derive(Deserialize)]
struct ResultsFile {
    onus_version: String,
    snapshot: ResultsSnapshot,
    results: Vec<ResultEntry>,
}

#[derive(Deserialize)]
struct ResultsSnapshot {
    collected_at: String,
}

#[derive(Deserialize)]
struct ResultEntry {
    rule: String,
    status: Status,
    severity: Severity,
    fingerprint: String,
    resource: BaselineResource,
    message: String,
}

fn read(path: &Path) -> Result<String, BaselineError> {
    std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
        path: path.to_owned(),
        source,
    })
}

fn parse<T: for<'de> Deserialize<'de>>(
    text: &str,
    path: &Path,
    what: &'static str,
) -> Result<T, BaselineError> {
    serde_json::from_str(text).map_err(|e| {
        // serde_json appends " at line L column C"; the error carries those separately.
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_owned(),
            None => message,
        };
        BaselineError::Syntax {
            path: path.to_owned(),
            what,
            line: e.line(),
            column: e.column(),
            message,
        }
    })
}

/// Builds a baseline from the text of a results JSON: its failures, sorted by fingerprint.
pub fn from_results_str(text: &str, path: &Path) -> Result<Baseline, BaselineError> {
    let results: ResultsFile = parse(text, path, "results JSON")?;
    let mut failures: Vec<BaselineFailure> = results
        .results
        .into_iter()
        .filter(|r| r.status == Status::Fail)
        .map(|r| BaselineFailure {
            fingerprint: r.fingerprint,
            rule: r.rule,
            severity: r.severity,
            resource: r.resource,
            message: r.message,
        })
        .collect();
    failures.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
    failures.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    Ok(Baseline {
        baseline_version: BASELINE_VERSION,
        created_from: CreatedFrom {
            collected_at: results.snapshot.collected_at,
            onus_version: results.onus_version,
        },
        failures,
    })
}

/// Reads a results JSON and writes its baseline atomically.
pub fn create(results: &Path, output: &Path) -> Result<Baseline, BaselineError> {
    let baseline = from_results_str(&read(results)?, results)?;
    let mut text = serde_json::to_string_pretty(&baseline)?;
    text.push('\n');
    write_atomic(output, text.as_bytes())?;
    Ok(baseline)
}

/// Reads a baseline file.
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    let text = read(path)?;
    // Check the version first, so a future format is refused with a clear message.
    #[derive(Deserialize)]
    struct Version {
        baseline_version: u32,
    }
    let version: Version = parse(&text, path, "baseline")?;
    if version.baseline_version != BASELINE_VERSION {
        return Err(BaselineError::Version {
            path: path.to_owned(),
            found: version.baseline_version,
        });
    }
    parse(&text, path, "baseline")
}

/// A baselined failure that no longer fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fixed {
    pub fingerprint: String,
    pub rule: String,
    pub resource: BaselineResource,
}

/// Today's failures against a baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

    use super::*;

    const RESULTS: &str = r#"{
  "onus_version": "0.1.0",
  "snapshot": {"collected_at": "2026-11-01T00:00:00Z", "provider": "aws"},
  "results": [
    {"rule": "r2", "status": "fail", "severity": "high", "fingerprint": "bb",
     "resource": {"id": "id2", "name": "n2", "kind": "k"}, "message": "m2"},
    {"rule": "r1", "status": "pass", "severity": "low", "fingerprint": "cc",
     "resource": {"id": "id3", "name": "n3"}, "message": "m3"},
    {"rule": "r1", "status": "fail", "severity": "low", "fingerprint": "aa",
     "resource": {"id": "id1", "name": "n1"}, "message": "m1"}
  ]
}"#;

    #[test]
    fn keeps_failures_sorted_by_fingerprint() {
        let b = from_results_str(RESULTS, Path::new("r.json")).unwrap();
        let fps: Vec<_> = b.failures.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(fps, ["aa", "bb"]);
        assert_eq!(b.created_from.collected_at, "2026-11-01T00:00:00Z");
        assert_eq!(b.baseline_version, BASELINE_VERSION);
    }

    #[test]
    fn wrong_shape_carries_line_and_column() {
        let err = from_results_str("{\n  \"results\": 3\n}", Path::new("r.json")).unwrap_err();
        match err {
            BaselineError::Syntax { line, message, .. } => {
                assert_eq!(line, 2);
                assert!(!message.contains(" at line "), "{message}");
            }
            other => panic!("{other}"),
        }
    }
}

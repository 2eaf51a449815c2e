//! A results JSON (`onus evaluate -f json`) read back, so that a report can be rendered from
//! it without the snapshot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::model::RuleInfo;
use crate::engine::EvalIssue;
use crate::finding::Finding;
use crate::snapshot::{CoverageGap, Provider};

#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("{path}: cannot read")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid results JSON: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: result for rule `{rule}`, which the file's `rules` does not describe")]
    UnknownRule { path: PathBuf, rule: String },
}

/// The results JSON, as `report::json` writes it.
#[derive(Debug, Deserialize)]
pub struct ResultsFile {
    pub onus_version: String,
    pub snapshot: ResultsSnapshot,
    pub matrix: ResultsMatrix,
    pub results: Vec<Finding>,
    pub rules: BTreeMap<String, RuleInfo>,
    pub summary: ResultsSummary,
    #[serde(default)]
    pub evaluation_issues: Vec<EvalIssue>,
    /// The privileged-access analysis (results written before it existed have none).
    #[serde(default)]
    pub privileged: Option<super::privileged::PrivilegedSection>,
}

#[derive(Debug, Deserialize)]
pub struct ResultsSnapshot {
    pub provider: Provider,
    pub accounts: Vec<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    pub collected_at: DateTime<Utc>,
    pub collector: String,
    #[serde(default)]
    pub principal: Option<String>,
    #[serde(default)]
    pub coverage_gaps: Vec<CoverageGap>,
}

#[derive(Debug, Deserialize)]
pub struct ResultsMatrix {
    pub id: String,
}

#[derive(Debug, Deserialize)]
pub struct ResultsSummary {
    pub resources: usize,
    pub rules: usize,
}

/// Whether a document looks like a results JSON rather than a snapshot: a JSON object with
/// `onus_version` and `results` at the top.
pub fn is_results(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        onus_version: Option<serde::de::IgnoredAny>,
        results: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Probe>(text)
        .is_ok_and(|p| p.onus_version.is_some() && p.results.is_some())
}

/// Parses a results JSON; errors name the file, line and column.
pub fn parse(text: &str, path: &Path) -> Result<ResultsFile, ResultsError> {
    let results: ResultsFile = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_owned(),
            None => message,
        };
        ResultsError::Syntax {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message,
        }
    })?;
    if let Some(f) = results
        .results
        .iter()
        .find(|f| !results.rules.contains_key(&*f.rule))
    {
        return Err(ResultsError::UnknownRule {
            path: path.to_owned(),
            rule: f.rule.to_string(),
        });
    }
    Ok(results)
}

/// Reads a file's text.
pub fn read(path: &Path) -> Result<String, ResultsError> {
    std::fs::read_to_string(path).map_err(|source| ResultsError::Read {
        path: path.to_owned(),
        source,
    })
}

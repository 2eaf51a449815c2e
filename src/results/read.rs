//! Reading a results document back, and telling one from a snapshot.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::document::{Document, READABLE_VERSIONS};
use crate::snapshot::{self, Snapshot, SnapshotFormat};

#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("{path}: cannot read: {source}")]
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
    #[error(
        "{path}: results_version {found} is not supported by this onus (it reads versions {}); evaluate the snapshot again with this onus",
        versions()
    )]
    Version { path: PathBuf, found: u64 },
    #[error("{path}: result for rule `{rule}`, which the file's `rules` does not describe")]
    UnknownRule { path: PathBuf, rule: String },
    #[error(transparent)]
    Snapshot(#[from] snapshot::LoadError),
}

fn versions() -> String {
    READABLE_VERSIONS
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" and ")
}

/// What a command was given to read: a results document or a snapshot.
pub enum Input {
    Results(Box<Document<'static>>),
    Snapshot(Box<Snapshot>),
}

/// Reads `path` as a results document when it is one (a JSON object with `onus_version` and
/// `results` at the top), else as a snapshot.
pub fn input(path: &Path) -> Result<Input, ResultsError> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json {
        return Ok(Input::Snapshot(Box::new(snapshot::load(path)?)));
    }
    let text = read_text(path)?;
    if is_results(&text) {
        Ok(Input::Results(Box::new(parse(&text, path)?)))
    } else {
        let snapshot = snapshot::load_str(&text, SnapshotFormat::Json, path)?;
        Ok(Input::Snapshot(Box::new(snapshot)))
    }
}

/// Reads a results document.
pub fn read(path: &Path) -> Result<Document<'static>, ResultsError> {
    parse(&read_text(path)?, path)
}

fn read_text(path: &Path) -> Result<String, ResultsError> {
    std::fs::read_to_string(path).map_err(|source| ResultsError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Whether this text is a results document rather than a snapshot.
pub fn is_results(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        onus_version: Option<serde::de::IgnoredAny>,
        results: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Probe>(text)
        .is_ok_and(|p| p.onus_version.is_some() && p.results.is_some())
}

/// Parses a results document of a version this onus reads; errors name the file, and the line
/// and column where there is one.
pub fn parse(text: &str, path: &Path) -> Result<Document<'static>, ResultsError> {
    let version_error = |found| ResultsError::Version {
        path: path.to_owned(),
        found,
    };
    let mut doc: Document<'static> = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            // A document of another version may not have this shape: say so instead.
            if let Some(found) = version(text).filter(|v| !readable(*v)) {
                return Err(version_error(found));
            }
            return Err(ResultsError::Syntax {
                path: path.to_owned(),
                line: e.line(),
                column: e.column(),
                message: crate::explain::json_message(&e),
            });
        }
    };
    if !readable(u64::from(doc.results_version)) {
        return Err(version_error(u64::from(doc.results_version)));
    }
    if let Some(f) = doc
        .results
        .iter()
        .find(|f| !doc.rules.contains_key(&*f.rule))
    {
        return Err(ResultsError::UnknownRule {
            path: path.to_owned(),
            rule: f.rule.to_string(),
        });
    }
    for (id, rule) in doc.rules.to_mut() {
        rule.id.clone_from(id);
    }
    Ok(doc)
}

fn readable(version: u64) -> bool {
    READABLE_VERSIONS.iter().any(|v| u64::from(*v) == version)
}

/// The document's `results_version`, when it has a readable one (absent: 1).
fn version(text: &str) -> Option<u64> {
    #[derive(Deserialize)]
    struct Probe {
        results_version: Option<u64>,
    }
    serde_json::from_str::<Probe>(text)
        .ok()
        .map(|p| p.results_version.unwrap_or(1))
}

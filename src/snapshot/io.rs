//! Loading and saving snapshots as JSON or YAML, with positions in every error.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{SCHEMA_VERSION, Snapshot};
use crate::output;

/// Snapshot files larger than this are refused before parsing.
pub const MAX_SNAPSHOT_BYTES: u64 = 4 * 1024 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotFormat {
    Json,
    Yaml,
}

impl SnapshotFormat {
    /// JSON unless the file name ends in `.yaml`/`.yml`.
    pub fn for_path(path: &Path) -> SnapshotFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => SnapshotFormat::Yaml,
            _ => SnapshotFormat::Json,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read snapshot: {source}{}", next_step(source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: snapshot is {size} bytes, more than the {max}-byte limit")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error("{path}:{line}:{column}: invalid snapshot: {message}")]
    Syntax {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    #[error(
        "{path}:{line}:{column}: snapshot schema_version {found} is not supported by this onus (it reads version {supported}); {hint}"
    )]
    SchemaVersion {
        path: PathBuf,
        line: usize,
        column: usize,
        found: String,
        supported: u32,
        hint: &'static str,
    },
    #[error("{path}: snapshot for provider {provider} has no `{provider}` resources section")]
    MissingResources {
        path: PathBuf,
        provider: &'static str,
    },
}

/// What a person does when the snapshot file is not there.
fn next_step(err: &std::io::Error) -> &'static str {
    if err.kind() == std::io::ErrorKind::NotFound {
        "; `onus collect aws -o FILE` or `onus collect azure -o FILE` writes a snapshot, and `onus evaluate --sample` evaluates the bundled demo"
    } else {
        ""
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("cannot serialise snapshot: {0}")]
    Serialize(String),
    #[error(transparent)]
    Write(#[from] output::WriteError),
}

/// Reads a snapshot file; the format follows the file extension.
pub fn load(path: &Path) -> Result<Snapshot, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_SNAPSHOT_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_owned(),
            size,
            max: MAX_SNAPSHOT_BYTES,
        });
    }
    let format = SnapshotFormat::for_path(path);
    if format == SnapshotFormat::Json {
        // Parsed as it is read, so the text is never held whole beside what it parses into.
        let file = std::fs::File::open(path).map_err(io)?;
        let reader = std::io::BufReader::with_capacity(1 << 20, file);
        if let Ok(snapshot) = serde_json::from_reader::<_, Snapshot>(reader)
            && snapshot.schema_version == SCHEMA_VERSION
            && has_section(&snapshot)
        {
            return Ok(snapshot);
        }
        // Whatever is wrong is explained from the text, with line and column.
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    load_str(&text, format, path)
}

/// Whether the snapshot holds the resources section of its provider.
fn has_section(snapshot: &Snapshot) -> bool {
    match snapshot.provider {
        super::Provider::Aws => snapshot.aws.is_some(),
        super::Provider::Azure => snapshot.azure.is_some(),
    }
}

/// Parses snapshot text; `path` is only used in error messages.
pub fn load_str(text: &str, format: SnapshotFormat, path: &Path) -> Result<Snapshot, LoadError> {
    // One parse when the snapshot is good; a second, of `schema_version` alone, only when it
    // is not (or is of another version), to give that as the reason.
    let snapshot: Snapshot = match parse::<Snapshot>(text, format, path) {
        Ok(s) if s.schema_version == SCHEMA_VERSION => s,
        Ok(s) => return Err(version_error(text, path, s.schema_version.to_string())),
        Err(e) => {
            check_schema_version(text, format, path)?;
            return Err(e);
        }
    };
    if !has_section(&snapshot) {
        return Err(LoadError::MissingResources {
            path: path.to_owned(),
            provider: snapshot.provider.as_str(),
        });
    }
    Ok(snapshot)
}

/// Looks at `schema_version` alone, so that a snapshot from another version is
/// refused with that reason rather than with whichever field changed.
fn check_schema_version(text: &str, format: SnapshotFormat, path: &Path) -> Result<(), LoadError> {
    let probe: Probe = parse(text, format, path)?;
    let found = match probe.schema_version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {
            return Ok(());
        }
        Some(v) => v.to_string(),
        None => "(missing)".to_owned(),
    };
    Err(version_error(text, path, found))
}

/// The snapshot is of schema version `found`, not this onus's.
fn version_error(text: &str, path: &Path, found: String) -> LoadError {
    let hint = match found.parse::<u64>() {
        Ok(n) if n > u64::from(SCHEMA_VERSION) => {
            "it was written by a newer onus: upgrade onus to read it"
        }
        Ok(_) => "it was written by an older onus: collect it again",
        Err(_) => "schema_version must be a number",
    };
    let (line, column) = position_of(text, "schema_version");
    LoadError::SchemaVersion {
        path: path.to_owned(),
        line,
        column,
        found,
        supported: SCHEMA_VERSION,
        hint,
    }
}

/// The top level of a snapshot, reading `schema_version` alone.
struct Probe {
    schema_version: Option<serde_json::Value>,
}

impl<'de> Deserialize<'de> for Probe {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Probe, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Probe;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a snapshot (a map with schema_version)")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Probe, A::Error> {
                let mut schema_version = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "schema_version" {
                        schema_version = Some(map.next_value::<serde_json::Value>()?);
                    } else {
                        map.next_value::<Skip>()?;
                    }
                }
                Ok(Probe { schema_version })
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// Any value, read and dropped. Unlike serde's `IgnoredAny`, it goes through the
/// deserializer's nesting limits, so a document nested a billion deep fails at once
/// instead of being scanned to its end.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Skip, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Skip;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i128<E>(self, _: i128) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u128<E>(self, _: u128) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_bytes<E>(self, _: &[u8]) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_none<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Skip, D::Error> {
                Skip::deserialize(d)
            }
            fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Skip, D::Error> {
                Skip::deserialize(d)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
                while seq.next_element::<Skip>()?.is_some() {}
                Ok(Skip)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
                while map.next_entry::<Skip, Skip>()?.is_some() {}
                Ok(Skip)
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// 1-based line and column of the first occurrence of `needle` (1:1 when absent).
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let Some(offset) = text.find(needle) else {
        return (1, 1);
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    // Point at the key's opening quote in JSON.
    let column = if before.ends_with('"') {
        column - 1
    } else {
        column
    };
    (line, column)
}

fn parse<T: for<'de> Deserialize<'de>>(
    text: &str,
    format: SnapshotFormat,
    path: &Path,
) -> Result<T, LoadError> {
    match format {
        SnapshotFormat::Json => serde_json::from_str(text).map_err(|e| LoadError::Syntax {
            path: path.to_owned(),
            line: e.line() as u64,
            column: e.column() as u64,
            message: strip_json_position(&e.to_string()),
        }),
        SnapshotFormat::Yaml => crate::yaml::from_str_limited(text, crate::yaml::Limits::Snapshot)
            .map_err(|e| LoadError::Syntax {
                path: path.to_owned(),
                line: e.line,
                column: e.column,
                message: e.message,
            }),
    }
}

/// serde_json appends " at line L column C"; the error type carries those separately.
fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Serialises a snapshot in the given format (deterministically: maps are ordered).
pub fn to_string(snapshot: &Snapshot, format: SnapshotFormat) -> Result<String, SaveError> {
    match format {
        SnapshotFormat::Json => serde_json::to_string_pretty(snapshot)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| SaveError::Serialize(e.to_string())),
        SnapshotFormat::Yaml => {
            serde_saphyr::to_string(snapshot).map_err(|e| SaveError::Serialize(e.to_string()))
        }
    }
}

/// Writes a snapshot atomically; the format follows the file extension.
pub fn save(snapshot: &Snapshot, path: &Path) -> Result<(), SaveError> {
    let text = to_string(snapshot, SnapshotFormat::for_path(path))?;
    output::write_atomic(path, text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_schema_version_is_named() {
        let err = load_str(
            r#"{"schema_version": 99, "provider": "aws"}"#,
            SnapshotFormat::Json,
            Path::new("s.json"),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("schema_version 99"), "{msg}");
        assert!(msg.starts_with("s.json:1:2: "), "{msg}");
        assert!(msg.contains("newer onus"), "{msg}");
    }

    #[test]
    fn json_errors_carry_line_and_column() {
        let err = load_str(
            "{\n  \"schema_version\": 1,\n  \"provider\": \"gcp\"\n}",
            SnapshotFormat::Json,
            Path::new("s.json"),
        )
        .unwrap_err();
        match err {
            LoadError::Syntax { line, .. } => assert_eq!(line, 3),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn yaml_errors_carry_line_and_column() {
        let err = load_str(
            "schema_version: 1\nprovider: aws\nbogus: 1\n",
            SnapshotFormat::Yaml,
            Path::new("s.yaml"),
        )
        .unwrap_err();
        match err {
            LoadError::Syntax { line, message, .. } => {
                assert_eq!(line, 3, "{message}");
                assert!(message.contains("bogus"), "{message}");
            }
            other => panic!("unexpected {other}"),
        }
    }
}

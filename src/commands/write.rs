//! Writing what a command produced: reports in every format asked for, or one text, to files
//! (atomically) or to standard output.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::options::{Outputs, Target};
use crate::output::{write_atomic, write_atomic_with};
use crate::report::{Format, Report};

/// Writes the report in every format of `outputs`. Everything that can fail to render is
/// rendered first, so a failed render writes nothing; a streaming format (the results JSON,
/// the largest) is serialised straight into its file or standard output.
pub fn reports(outputs: &Outputs, report: &Report<'_>) -> Result<()> {
    let rendered = outputs
        .formats
        .iter()
        .map(|format| {
            Ok((
                *format,
                if format.streams() {
                    None
                } else {
                    Some(format.render(report)?)
                },
            ))
        })
        .collect::<Result<Vec<(Format, Option<Vec<u8>>)>>>()?;
    if let Target::Dir(dir) = &outputs.target {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create directory", dir.display()))?;
    }
    for (format, bytes) in &rendered {
        let path = match &outputs.target {
            Target::Dir(dir) => Some(dir.join(format.file_name())),
            Target::File(file) => Some(file.clone()),
            Target::Stdout => None,
        };
        match (bytes, path) {
            (Some(bytes), path) => self::bytes(path.as_deref(), bytes)?,
            (None, Some(path)) => write_atomic_with(&path, |w| {
                format.write(report, w).map_err(std::io::Error::other)
            })?,
            (None, None) => {
                let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
                format
                    .write(report, &mut stdout)
                    .map_err(anyhow::Error::from)
                    .and_then(|()| Ok(stdout.flush()?))
                    .context("writing to standard output")?;
            }
        }
    }
    Ok(())
}

/// Writes `text` to `path`, or to standard output.
pub fn text(path: Option<&Path>, text: &str) -> Result<()> {
    bytes(path, text.as_bytes())
}

/// Writes `bytes` to `path` (atomically), or to standard output.
pub fn bytes(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(path) => write_atomic(path, bytes)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .context("writing to standard output")?;
            stdout.flush().context("writing to standard output")?;
        }
    }
    Ok(())
}

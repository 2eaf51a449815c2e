//! The output formats: each says what it is, which file it is written to, and how it renders.

use super::{RenderError, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary for the terminal.
    Text,
    /// Machine-readable results.
    Json,
    /// Markdown report.
    Md,
    /// Single-file HTML report.
    Html,
    /// SARIF 2.1.0, for code-scanning dashboards (failures and not-assessed results).
    Sarif,
    /// JUnit XML, for CI test reports: a test suite per rule, a test case per resource.
    Junit,
    /// CSV, one row per result.
    Csv,
    /// CSV, one row per requirement of each compliance framework assessed.
    ComplianceCsv,
    /// OCSF 1.1 Detection Findings (a JSON array, one per failure).
    Ocsf,
    /// The HTML report printed to PDF by a headless Chromium (ONUS_CHROMIUM or on the PATH).
    Pdf,
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Pdf(#[from] crate::pdf::PdfError),
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
}

impl Format {
    /// The file name a format is written to under --output-dir.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Text => "onus.txt",
            Format::Json => "onus.json",
            Format::Md => "onus.md",
            Format::Html => "onus.html",
            Format::Sarif => "onus.sarif",
            Format::Junit => "onus.junit.xml",
            Format::Csv => "onus.csv",
            Format::ComplianceCsv => "onus.compliance.csv",
            Format::Ocsf => "onus.ocsf.json",
            Format::Pdf => "onus.pdf",
        }
    }

    /// Whether the format is written as it is produced rather than rendered whole first (the
    /// results JSON can be gigabytes; its serialisation cannot fail but for I/O).
    pub fn streams(self) -> bool {
        self == Format::Json
    }

    /// The report in this format.
    pub fn render(self, report: &Report<'_>) -> Result<Vec<u8>, FormatError> {
        let text = match self {
            Format::Text => super::text::render(report)?,
            Format::Json => super::json::render(report)?,
            Format::Md => super::markdown::render(report)?,
            Format::Html => super::html::render(report)?,
            Format::Sarif => super::sarif::render(report)?,
            Format::Junit => super::junit::render(report)?,
            Format::Csv => super::csv::render(report)?,
            Format::ComplianceCsv => super::csv::compliance(report)?,
            Format::Ocsf => super::ocsf::render(report)?,
            Format::Pdf => return Ok(crate::pdf::print(&super::html::render(report)?)?),
        };
        Ok(text.into_bytes())
    }

    /// The report in this format, written to `out` as it is produced.
    pub fn write(
        self,
        report: &Report<'_>,
        out: &mut dyn std::io::Write,
    ) -> Result<(), FormatError> {
        if self == Format::Json {
            return Ok(super::json::write(report, out)?);
        }
        Ok(out.write_all(&self.render(report)?)?)
    }
}

//! The Markdown report (templates/report.md.j2), mirroring the HTML report's sections.

use minijinja::Value;

use super::{RenderError, Report, templates};

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    templates::render("report.md.j2", Value::from(minijinja::value::Serde(report)))
}

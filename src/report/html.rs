//! The single-file HTML report (templates/report.html.j2): inline CSS, no script, no network.

use minijinja::Value;

use super::{RenderError, Report, templates};

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    templates::render(
        "report.html.j2",
        Value::from(minijinja::value::Serde(report)),
    )
}

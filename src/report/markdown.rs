//! The Markdown report (templates/report.md.j2), mirroring the HTML report's sections.

use minijinja::Value;
use minijinja::value::Serde;

use super::{RenderError, Report, templates};

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    let open = report.open_results();
    let ctx = minijinja::context! {
        open_results => Value::from(Serde(&open)),
        ..Value::from(Serde(report))
    };
    templates::render("report.md.j2", ctx)
}

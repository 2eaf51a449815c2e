//! Renderers: one file per format. They format the report model; they never compute.

mod assessment;
mod csv;
pub mod drift;
mod format;
mod html;
mod json;
mod junit;
mod lines;
pub mod logo;
mod markdown;
mod model;
mod ocsf;
mod sarif;
mod tally;
mod templates;
mod text;

pub use format::{Format, FormatError};
pub use model::{Report, ReportOptions};

/// A renderer failure (a template bug, never bad input).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {source}")]
    Template {
        name: &'static str,
        source: minijinja::Error,
    },
    #[error("cannot serialise results: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
}

pub use html::render as html;
pub use markdown::render as markdown;

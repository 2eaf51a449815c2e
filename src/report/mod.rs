//! Renderers: one file per format. They format the report model; they never compute.

mod assessment;
mod csv;
pub mod drift;
mod html;
mod json;
mod junit;
pub mod logo;
mod markdown;
mod model;
mod ocsf;
mod privileged;
mod privileged_azure;
pub mod results;
mod sarif;
mod tally;
mod templates;
mod text;

pub use model::{Report, ReportOptions, RuleInfo};
pub use results::ResultsFile;

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
}

pub use csv::render as csv;
pub use html::render as html;
pub use json::render as json;
pub use json::write as json_to;
pub use junit::render as junit;
pub use markdown::render as markdown;
pub use ocsf::render as ocsf;
pub use sarif::render as sarif;
pub use text::render as text;

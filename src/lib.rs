//! onus: a cloud shared-responsibility posture scanner.
//!
//! Data flows one way: collect → snapshot → analyze → evaluate rules (results on the
//! responsibility matrix) → gate → render. `pipeline` runs the stages after collection;
//! `commands` turns the command line into calls of them.

pub mod analyze;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod compliance;
pub mod engine;
pub mod explain;
pub mod finding;
pub mod gate;
pub mod matrix;
pub mod output;
pub mod pdf;
pub mod pipeline;
pub mod report;
pub mod results;
pub mod snapshot;
pub mod words;
pub mod yaml;

//! onus: a cloud shared-responsibility posture scanner.
//!
//! Data flows one way: snapshot → analyze → evaluate rules → findings on the responsibility
//! matrix → gate → render.

pub mod analyze;
pub mod baseline;
pub mod cli;
pub mod collect;
pub mod drift;
pub mod engine;
pub mod explain;
pub mod finding;
pub mod gate;
pub mod matrix;
pub mod output;
pub mod pdf;
pub mod report;
pub mod run;
pub mod scan;
pub mod snapshot;
pub mod waiver;
pub mod words;
pub mod yaml;

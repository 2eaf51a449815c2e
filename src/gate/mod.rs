//! The gate: what a run's results mean for the pipeline that ran it. Waivers accept known
//! failures, a baseline sets today's failures aside, drift compares two runs, and the verdict
//! turns what is left into an exit code and a reason.

pub mod baseline;
pub mod drift;
pub mod verdict;
pub mod waiver;

pub use verdict::{GatePolicy, Verdict, judge};

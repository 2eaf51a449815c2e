//! What could not be evaluated, and why.

use serde::{Deserialize, Serialize};

/// A rule that could not be evaluated on a resource (its result is `not-assessed`), or (with
/// no rule) a coverage gap that had to be read more widely than it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalIssue {
    pub rule: String,
    pub resource: String,
    pub message: String,
}

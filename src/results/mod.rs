//! The results document (`onus evaluate -f json`): one model, versioned, that the JSON
//! writer writes and `onus report`, `onus baseline create` and `onus diff` read back.

mod document;
mod read;
mod summary;
mod write;

pub use document::{Document, MatrixMeta, READABLE_VERSIONS, RESULTS_VERSION, RuleInfo, Scope};
pub use read::{Input, ResultsError, input, is_results, parse, read};
pub use summary::{Counts, Grade, Score, SeverityCount, SeverityCounts, SeverityWeight, Summary};
pub use write::write;

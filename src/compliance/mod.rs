//! Compliance: frameworks as data (`frameworks/*.yaml`), each requirement mapped to the rules
//! that implement it, assessed on a run's results; and the citations of each rule that the
//! frameworks give.

mod assess;
mod cite;
mod framework;

pub use assess::{
    FAILING_LISTED, FailingResource, FrameworkResult, Outcome, OutcomeCounts, RequirementResult,
    RuleOutcome, SectionResult, assess,
};
pub use cite::cite;
pub use framework::{Assessment, Framework, FrameworkError, Requirement, Section};

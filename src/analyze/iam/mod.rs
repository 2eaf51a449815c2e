//! IAM reasoning: the AWS policy language, an evaluator that keeps conditions, role trust
//! analysis, privilege escalation and takeover, and the facts rules read about principals.

pub mod escalation;
pub mod evaluate;
pub mod facts;
pub mod matcher;
pub mod monitoring;
pub mod policy;
pub mod principals;
pub mod questions;
pub mod trust;
pub mod view;

pub use facts::{Facts, SnapshotFacts, account_facts};

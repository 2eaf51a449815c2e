//! Privileged access, for every provider in one shape: the identities that can do everything
//! or take over other identities, why (step by step), which protections guard them, and
//! whether each account would notice a first use of their rights. Computed once per
//! evaluation; reports only format it.

mod aws;
mod azure;
mod model;

pub use model::{
    AWS_MONITORING, AZURE_MONITORING, AccountMonitoring, ControlState, PrivilegedIdentity,
    PrivilegedSection, ProtectionView, UnknownIdentity,
};

use crate::analyze::iam::SnapshotFacts;
use crate::snapshot::Snapshot;

/// The section for a snapshot whose IAM facts are `facts`.
pub fn section(snapshot: &Snapshot, facts: &SnapshotFacts) -> PrivilegedSection {
    if let Some(azure) = &snapshot.azure {
        return azure::section(azure, &snapshot.coverage_gaps);
    }
    match &snapshot.aws {
        Some(aws) => aws::section(aws, &snapshot.coverage_gaps, snapshot.collected_at, facts),
        None => PrivilegedSection::not_assessed(),
    }
}

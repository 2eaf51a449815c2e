//! The snapshot: one versioned, provider-neutral document holding everything the rules read.
//!
//! Collectors write it, everything after collection reads it. It never holds secrets.

mod aws;
mod azure;
mod compute;
mod io;
pub mod kind;
mod tags;

pub use aws::*;
pub use azure::*;
pub use compute::*;
pub use io::{LoadError, SaveError, SnapshotFormat, load, load_str, save, to_string};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The snapshot schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The envelope: who was scanned, when, by what, what could not be seen, and the resources.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub schema_version: u32,
    pub provider: Provider,
    /// AWS account ids or Azure subscription ids that were scanned.
    pub accounts: Vec<String>,
    /// Regions (AWS) or locations (Azure) that were scanned.
    #[serde(default)]
    pub regions: Vec<String>,
    pub collected_at: DateTime<Utc>,
    pub collector: Collector,
    /// Everything the collector tried to read and could not.
    #[serde(default)]
    pub coverage_gaps: Vec<CoverageGap>,
    /// AWS resources; present when `provider` is `aws`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsResources>,
    /// Azure resources; present when `provider` is `azure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureResources>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Aws,
    Azure,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Azure => "azure",
        }
    }
}

/// What produced the snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Collector {
    pub name: String,
    pub version: String,
    /// The identity that performed the scan (e.g. the caller ARN), when known.
    #[serde(default)]
    pub principal: Option<String>,
}

/// Something the collector could not read. Rules that need it yield `not-assessed`.
///
/// Scope narrows from wide to exact:
/// - no `resource`, no `fields`: listing `kind` failed in `region` (every rule on it is blind);
/// - no `resource`, some `fields`: those fields are unknown on every `kind` in `region`;
/// - `resource` and `fields`: those fields are unknown on that one resource;
/// - `resource`, no `fields`: nothing is known about that resource beyond its id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct CoverageGap {
    /// The resource kind the gap affects, e.g. `aws.s3.bucket`.
    pub kind: String,
    /// Account or subscription id.
    pub account: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub fields: Vec<String>,
    /// The API operation that failed, e.g. `s3:GetBucketPolicy`.
    pub operation: String,
    /// The error class, e.g. `AccessDenied`, `Throttling`, `Timeout`.
    pub error: String,
    #[serde(default)]
    pub message: String,
}

impl CoverageGap {
    /// Whether this gap leaves `field` unknown on the resource `id` of `kind` in `region`.
    pub fn covers(
        &self,
        kind: &str,
        account: &str,
        region: Option<&str>,
        id: &str,
        field: &str,
    ) -> bool {
        self.kind == kind
            && self.account == account
            && (self.region.is_none() || self.region.as_deref() == region)
            && match (self.resource.as_deref(), self.fields.is_empty()) {
                // A failed listing hides what was not seen, not what was.
                (None, true) => false,
                (Some(r), true) => r == id,
                (r, false) => r.is_none_or(|r| r == id) && self.fields.iter().any(|f| f == field),
            }
    }

    /// Whether the listing of a whole kind failed, so no resource of it can be seen.
    pub fn is_listing_gap(&self) -> bool {
        self.resource.is_none() && self.fields.is_empty()
    }

    pub fn describe(&self) -> String {
        let mut out = format!("{} failed with {}", self.operation, self.error);
        if !self.message.is_empty() {
            out.push_str(": ");
            out.push_str(&self.message);
        }
        out
    }
}

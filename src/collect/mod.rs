//! Collectors: the only code that talks to cloud APIs. They call read-only operations, page
//! through every result, and record what they could not read as coverage gaps.

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "azure")]
pub mod azure;
#[cfg(any(feature = "aws", feature = "azure"))]
pub mod events;

/// What a collection cost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectStats {
    /// API calls made, by operation (e.g. `s3:GetBucketPolicy`), pages counted separately.
    pub calls: std::collections::BTreeMap<String, u64>,
}

/// Why a collection could not start or finish at all (a failed read is a gap, not this).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("no usable AWS credentials or identity: {0}")]
    Identity(String),
    #[error("no usable Azure credentials or access: {0}")]
    AzureIdentity(String),
    #[error("{0}")]
    Options(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

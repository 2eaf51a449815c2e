//! Collectors: the only code that talks to cloud APIs. They call read-only operations, page
//! through every result, and record what they could not read as coverage gaps.

#[cfg(feature = "aws")]
pub mod aws;

/// Why a collection could not start or finish at all (a failed read is a gap, not this).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("no usable AWS credentials or identity: {0}")]
    Identity(String),
    #[error("{0}")]
    Options(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

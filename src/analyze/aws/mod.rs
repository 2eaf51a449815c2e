//! AWS: the views rules read of an account's resources.

pub mod compute;
pub mod inventory;
pub mod password_policy;

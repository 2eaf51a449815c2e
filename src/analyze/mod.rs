//! Derived facts: resource views with cross-resource joins, the policy language, and network
//! exposure. Pure code: no I/O.

pub mod aws;
pub mod azure;
pub mod fields;
pub mod iam;
pub mod inventory;
pub mod kinds;
pub mod network;
pub mod privileged;
pub mod resource;

pub use inventory::inventory;
pub use kinds::Kind;
pub use resource::Resource;
